"""Running a parameter sweep (see :mod:`negosim.runs.experiment_spec` for the file format).

Every point runs the same world seeds (common random numbers), so differences
between points are the parameters' doing, not sampling noise. The result is one
tidy table indexed by (point, seed), written as chunks finish and resumable
like a single run.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from negosim.analysis.summary import point_summary
from negosim.runs.chunks import AUTO_PARALLEL_FROM, default_chunk_size, execute
from negosim.runs.ensemble import summary_columns
from negosim.runs.experiment_spec import Experiment, load_experiment
from negosim.runs.report import experiment_report, write_report
from negosim.runs.store import RunStore, atomic_write_json
from negosim.scenario import Scenario


@dataclass
class ExperimentResult:
    """A sweep's outcomes: a tidy table indexed by (point, seed)."""

    experiment: Experiment
    points: pd.DataFrame
    table: pd.DataFrame | None = None
    store: RunStore | None = None
    meta: dict = field(default_factory=dict)

    @property
    def outcomes(self) -> pd.DataFrame:
        if self.table is None:
            self.table = self.store.read()
        return self.table.set_index(["point", "seed"])

    def light(self) -> pd.DataFrame:
        if self.table is not None:
            return self.table
        columns = ["point", *self.experiment.axes, *summary_columns(self.experiment.scenario)]
        return self.store.read(columns=columns)

    def point_summary(self) -> pd.DataFrame:
        """Per point: the axis values, each outcome's share with its Wilson interval, P(sign by)."""
        return point_summary(self.light(), self.points, self.experiment.scenario)

    def figures(self) -> dict:
        from negosim.plots.sweep import experiment_figures  # matplotlib only when figures are wanted

        return experiment_figures(self.light(), self.experiment)


def run_experiment(
    experiment: Experiment | str | Path,
    *,
    out: str | Path | None = None,
    processes: int | None = None,
    executor: Executor | None = None,
    chunk_size: int | None = None,
    force: bool = False,
    progress: bool = True,
    command: str | None = None,
    figures: bool = True,
) -> ExperimentResult:
    """Run every design point for every world seed; see the module docstring.

    With ``out`` the sweep streams to disk (``outcomes.parquet`` with columns
    point, seed, the axes and every outcome column; ``points.csv``;
    ``summary.json`` and ``points_summary.csv``; ``figures/``) and resumes after
    a kill; a directory holding another sweep is refused unless ``force``.

    >>> from negosim import experiment_from, load_scenario
    >>> axes = {"mediator.bias": {"values": [-0.5, 0.5]}}
    >>> sweep = experiment_from(load_scenario("teaching_two_party"), axes, seeds=10)
    >>> result = run_experiment(sweep, progress=False)
    >>> len(result.points), len(result.outcomes), list(result.point_summary()["worlds"])
    (2, 20, [10, 10])
    """
    experiment = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    points = experiment.design()
    seeds = experiment.world_seeds
    total = len(points) * seeds.size
    workers = processes or ((os.cpu_count() or 1) if total >= AUTO_PARALLEL_FROM else 1)
    size = chunk_size or default_chunk_size(seeds.size, 1)

    store = RunStore(out) if out is not None else None
    done: set[str] = set()
    if store is not None:
        size = _open_store(store, experiment, points, size, command, force)
        if store.complete:
            return ExperimentResult(experiment, points, store=store, meta={"resumed": True})
        done = store.done_parts()
    keys, tasks = _tasks(experiment, points, size, done)

    def decorate(key: str, table: pd.DataFrame) -> pd.DataFrame:
        point = int(key[1:7])
        axis_values = {name: points.loc[point, name] for name in experiment.axes}
        rest = [c for c in table.columns if c != "seed"]
        return table.assign(point=point, **axis_values)[["point", "seed", *experiment.axes, *rest]]

    parts = execute(tasks, workers=workers, executor=executor, store=store, total=total, desc=experiment.name,
                    progress=progress, decorate=decorate)  # fmt: skip
    meta = {"points": len(points), "seeds_per_point": int(seeds.size), "resumed": bool(done)}
    if store is None:
        table = pd.concat([parts[k] for k in keys], ignore_index=True)
        return ExperimentResult(experiment, points, table=table, meta=meta)
    store.merge(keys)
    result = ExperimentResult(experiment, points, store=store, meta=meta)
    summary = result.point_summary()
    summary.to_csv(store.dir / "points_summary.csv", index=False)
    records = json.loads(summary.to_json(orient="records"))
    store.finish({"experiment": experiment.name, "points": records}, result.figures() if figures else None)
    write_report(store, experiment_report(result))
    return result


def _open_store(store: RunStore, experiment: Experiment, points: pd.DataFrame, size: int, command: str | None,
                force: bool) -> int:  # fmt: skip
    """Claim the directory for this sweep and write what describes it; returns the chunk size to use."""
    provenance = {
        **RunStore.provenance(experiment.scenario, command, kind="experiment"),
        "experiment": experiment.name,
        "experiment_file": experiment.source,
        "axes": experiment.axes,
        "design": experiment.spec.experiment.design,
        "points": len(points),
        "seeds_per_point": int(experiment.world_seeds.size),
    }
    size = store.open({"experiment_sha256": experiment.digest()}, provenance, size, force=force)
    points.to_csv(store.dir / "points.csv")
    atomic_write_json(store.dir / "experiment.json", experiment.spec.model_dump(mode="json"))
    atomic_write_json(store.dir / "scenario.json", experiment.scenario.model_dump(mode="json", by_alias=True))
    return size


def _tasks(experiment: Experiment, points: pd.DataFrame, size: int, done: set[str]):
    """Every chunk's key in order, and the (scenario, seeds) of those not yet on disk."""
    seeds = experiment.world_seeds
    keys: list[str] = []
    tasks: dict[str, tuple[Scenario, np.ndarray]] = {}
    for point, row in points.iterrows():
        scenario = experiment.point_scenario(row)
        for c, start in enumerate(range(0, seeds.size, size)):
            key = f"p{point:06d}-{c:06d}"
            keys.append(key)
            if key not in done:
                tasks[key] = (scenario, seeds[start : start + size])
    return keys, tasks
