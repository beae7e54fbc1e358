"""Running a parameter sweep (see :mod:`negosim.runs.experiment_spec` for the file format).

Every point runs the same world seeds (common random numbers), so differences
between points are the parameters' doing, not sampling noise. The result is one
tidy table indexed by (point, seed), written as chunks finish and resumable
like a single run.
"""

from __future__ import annotations

import json
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from negosim.analysis.compare import compare_tables
from negosim.analysis.summary import point_summary
from negosim.files import write_atomic, write_json
from negosim.runs.chunks import AUTO_PARALLEL_FROM, default_chunk_size, execute
from negosim.runs.ensemble import summary_columns
from negosim.runs.experiment_spec import Experiment, load_experiment
from negosim.runs.report import experiment_report
from negosim.runs.resources import plan_chunk_size, usable_cpus
from negosim.runs.sensitivity import sobol_table
from negosim.runs.store import RunStore
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

    def differences(self) -> pd.DataFrame | None:
        """Each point's paired difference to the experiment's baseline point (None without one):
        every outcome and dated question, B = the point, A = the baseline, on the same world seeds."""
        baseline = self.experiment.spec.experiment.baseline
        if baseline is None:
            return None
        table = self.light()
        scenario = self.experiment.scenario
        base = table[table["point"] == baseline].reset_index(drop=True)
        frames = []
        for point, group in table.groupby("point", sort=True):
            if point != baseline:
                rows = compare_tables(base, group.reset_index(drop=True), scenario, scenario)
                frames.append(rows.assign(point=int(point)))
        return pd.concat(frames, ignore_index=True)[["point", *frames[0].columns[:-1]]] if frames else None

    def sobol(self) -> pd.DataFrame | None:
        """Sobol' indices (SALib) of each outcome's and dated question's share across the points,
        for a ``saltelli`` design (None for any other)."""
        if self.experiment.spec.experiment.design != "saltelli":
            return None
        summary = self.point_summary().sort_values("point")
        outputs = [c for c in summary.columns if c.startswith("p_") and not c.endswith(("_low", "_high"))]
        return sobol_table(self.experiment.problem(), summary, outputs, seed=self.experiment.spec.experiment.seed)

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
    figure_formats: tuple[str, ...] = ("png",),
    figure_dpi: int = 120,
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
    seeds = experiment.world_seeds
    total = experiment.point_count * seeds.size
    workers = processes or (usable_cpus() if total >= AUTO_PARALLEL_FROM else 1)
    size = chunk_size or default_chunk_size(seeds.size, 1)
    columns = len(experiment.axes) + 1 + len(summary_columns(experiment.scenario))
    size = plan_chunk_size(experiment.scenario, total, workers if executor is None else 1, size,
                           chosen=chunk_size is not None, summary_columns=columns)  # fmt: skip
    points = experiment.design()
    sweep = _Sweep(experiment, points, workers, executor, progress)
    if out is None:
        keys, tasks = _tasks(experiment, points, size, set())
        parts = sweep.execute(tasks, None)
        table = pd.concat([parts[k] for k in keys], ignore_index=True)
        return ExperimentResult(experiment, points, table=table, meta=sweep.meta(False))
    store = RunStore(out, figure_formats=figure_formats, figure_dpi=figure_dpi)
    with store.claimed({"experiment_sha256": experiment.digest()}, _provenance(experiment, points, command), size,
                       force=force) as size:  # fmt: skip
        write_atomic(store.dir / "points.csv", points.to_csv)
        write_json(store.dir / "experiment.json", experiment.spec.model_dump(mode="json"))
        write_json(store.dir / "scenario.json", experiment.scenario.model_dump(mode="json", by_alias=True))
        return sweep.to_store(store, size, figures)


@dataclass
class _Sweep:
    """The worlds of one sweep call, run in memory or into a store."""

    experiment: Experiment
    points: pd.DataFrame
    workers: int
    executor: Executor | None
    progress: bool

    def meta(self, resumed: bool) -> dict:
        return {
            "points": len(self.points),
            "seeds_per_point": int(self.experiment.world_seeds.size),
            "resumed": resumed,
        }

    def decorate(self, key: str, table: pd.DataFrame) -> pd.DataFrame:
        point = int(key[1:7])
        axis_values = {name: self.points.loc[point, name] for name in self.experiment.axes}
        rest = [c for c in table.columns if c != "seed"]
        return table.assign(point=point, **axis_values)[["point", "seed", *self.experiment.axes, *rest]]

    def execute(self, tasks: dict, store: RunStore | None) -> dict[str, pd.DataFrame]:
        total = len(self.points) * self.experiment.world_seeds.size
        return execute(tasks, workers=self.workers, executor=self.executor, store=store, total=total,
                       desc=self.experiment.name, progress=self.progress, decorate=self.decorate)  # fmt: skip

    def to_store(self, store: RunStore, size: int, figures: bool) -> ExperimentResult:
        """Run what is missing, then write or repair what the sweep shows (as :mod:`negosim.runs.ensemble`)."""
        finished = store.complete and store.outcomes_intact()
        done = set() if finished else store.done_parts()
        keys, tasks = _tasks(self.experiment, self.points, size, done)
        if not finished:
            self.execute(tasks, store)
            store.finish(keys)
        result = ExperimentResult(self.experiment, self.points, store=store)

        def summary() -> dict:
            table = result.point_summary()
            write_atomic(store.dir / "points_summary.csv", lambda path: table.to_csv(path, index=False))
            sobol = result.sobol()
            if sobol is not None:
                write_atomic(store.dir / "sobol.csv", lambda path: sobol.to_csv(path, index=False))
            differences = result.differences()
            if differences is not None:
                write_atomic(store.dir / "differences.csv", lambda path: differences.to_csv(path, index=False))
            return {"experiment": self.experiment.name, "points": json.loads(table.to_json(orient="records"))}

        if not (store.dir / "points_summary.csv").is_file():
            (store.dir / "summary.json").unlink(missing_ok=True)  # both come from one computation
        written = store.write_outputs(summary, result.figures if figures else None,
                                      lambda: experiment_report(result), everything=not finished)  # fmt: skip
        result.meta = {**self.meta(finished or bool(done)), "repaired": written if finished else [],
                       "set_aside": store.set_aside}  # fmt: skip
        return result


def _provenance(experiment: Experiment, points: pd.DataFrame, command: str | None) -> dict:
    """What describes the sweep in its manifest."""
    return {
        **RunStore.provenance(experiment.scenario, command, kind="experiment"),
        "experiment": experiment.name,
        "experiment_file": experiment.source,
        "axes": experiment.axes,
        "design": experiment.spec.experiment.design,
        "points": len(points),
        "seeds_per_point": int(experiment.world_seeds.size),
    }


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
