"""Run a scenario over many seeds and collect one outcome row per seed.

With ``out`` the chunks (:mod:`negosim.runs.chunks`) are written as they
finish (:mod:`negosim.runs.store`) and a killed run resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from negosim.analysis.summary import event_columns, format_summary, summarize
from negosim.files import write_json
from negosim.runs.chunks import AUTO_PARALLEL_FROM, as_seed_array, default_chunk_size, execute
from negosim.runs.report import run_report
from negosim.runs.resources import plan_chunk_size, usable_cpus
from negosim.runs.store import RunStore
from negosim.scenario import Scenario, load_scenario

UTILITY_SPACE_SAMPLE = 5_000  # worlds drawn in the utility-space figure (the first seeds)


def summary_columns(scenario: Scenario) -> list[str]:
    """The outcome columns the summary and the standard figures read."""
    return ["seed", "status", "rounds", "position_index", *event_columns(scenario)]


@dataclass
class EnsembleResult:
    """Outcomes of a scenario over seeds.

    ``.outcomes`` is the table with a row per seed; for a run written to disk
    it is read from ``outcomes.parquet`` on first use, so a million-seed run
    need not sit in memory to be summarised.
    """

    scenario: Scenario
    table: pd.DataFrame | None = None
    store: RunStore | None = None
    meta: dict = field(default_factory=dict)

    @property
    def outcomes(self) -> pd.DataFrame:
        if self.table is None:
            self.table = self.store.read()
        return self.table

    def light(self) -> pd.DataFrame:
        if self.table is not None:
            return self.table
        return self.store.read(columns=summary_columns(self.scenario))

    def deals(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The rows that ended in a deal (all columns, or those named)."""
        if self.table is not None:
            deals = self.table[self.table["status"] == "deal"]
            return deals if columns is None else deals[columns]
        if columns is None:
            return self.store.read(filters=[("status", "==", "deal")])
        return self.store.read_status("deal", columns)

    def reference(self, constraints: str = "every text"):
        """Pareto frontier, Nash, Kalai–Smorodinsky and weighted-mean points of the scenario,
        over every text or under one of the constraint sets of
        :func:`negosim.analysis.reference.reference_points_in_force` (or why none exist: a str)."""
        if "reference" not in self.meta:
            from negosim.analysis.reference import reference_points_in_force

            self.meta["reference"] = reference_points_in_force(self.scenario)
        return self.meta["reference"][constraints]

    def deal_distances(self, constraints: str = "every text") -> pd.DataFrame:
        """Every deal's distance to each reference point (see :func:`negosim.analysis.reference.distances`)."""
        from negosim.analysis.reference import distances

        needed = [
            "seed",
            *(f"x_{c}" for c in self.scenario.clause_ids),
            *(f"utility_{p}" for p in self.scenario.principals),
        ]
        return distances(self.deals(needed), self.reference(constraints), self.scenario.clause_ids)

    def summary(self) -> dict:
        """Outcome shares and dated questions with Wilson intervals, the position index of
        deals, and the deals' median distance to each reference point: over every text, and
        over the texts that respect the constraints in force (or why none do)."""
        summary = summarize(self.light(), self.scenario)
        if summary["outcomes"]["deal"]["count"] and len(self.scenario.principals) >= 2:
            from negosim.analysis.reference import CONSTRAINT_SETS

            summary["deal_distance_median"] = {}
            for constraints in CONSTRAINT_SETS:
                if isinstance(self.reference(constraints), str):
                    summary["deal_distance_median"][constraints] = self.reference(constraints)
                    continue
                medians = self.deal_distances(constraints).median()
                summary["deal_distance_median"][constraints] = {
                    k: (None if pd.isna(v) else float(v)) for k, v in medians.items()
                }
        return summary

    def report(self) -> str:
        return format_summary(self.summary())

    def figures(self) -> dict:
        """The standard figures as matplotlib Figures, by file stem."""
        from negosim.plots.ensemble import ensemble_figures  # matplotlib only when figures are wanted

        figures = ensemble_figures(self.light(), self.scenario)
        principals = self.scenario.principals
        if len(principals) >= 2:
            from negosim.plots.utility_space import utility_space

            columns = ["status", *(f"utility_{p}" for p in principals)]
            sample = self.table[columns] if self.table is not None else self.store.read(columns=columns)
            sample = sample.iloc[:UTILITY_SPACE_SAMPLE]
            figures["utility_space"] = utility_space(
                sample, self.reference(), principals[0], principals[1], self.scenario
            )
        return figures


def run_ensemble(
    scenario: Scenario | str | Path,
    seeds: int | Iterable[int] = 1000,
    *,
    processes: int | None = None,
    executor: Executor | None = None,
    chunk_size: int | None = None,
    out: str | Path | None = None,
    force: bool = False,
    progress: bool = True,
    command: str | None = None,
    figures: bool = True,
    figure_formats: tuple[str, ...] = ("png",),
    figure_dpi: int = 120,
) -> EnsembleResult:
    """Run ``scenario`` for every seed (an int N means seeds 0..N-1; a range is not materialised
    until the run is known to fit in memory).

    ``processes``: local worker processes; None means every CPU this process may use
    (:func:`negosim.runs.resources.usable_cpus`: affinity and cgroup quota) for runs of
    at least 20,000 seeds and this process below that; 1 means this process.
    ``executor``: any ``concurrent.futures.Executor`` (e.g. from
    :func:`negosim.runs.cluster.dask_executor`) to use instead.
    ``figure_formats``, ``figure_dpi``: the figures' files (``png``, ``svg``, ``pdf``; 300 dpi for print).
    ``out``: a run directory written as chunks finish (see
    :mod:`negosim.runs.store`); the same call after a kill resumes it, and on a
    finished run rewrites whatever summary, report or figure is missing. A
    directory holding another run is refused unless ``force`` (which replaces
    only a directory negosim wrote). A run that cannot fit in memory is refused
    before it starts (:mod:`negosim.runs.resources`).
    The table is sorted by seed and identical whatever the chunking or executor.

    >>> result = run_ensemble("teaching_two_party", 20, progress=False)
    >>> len(result.outcomes), result.summary()["outcomes"]["deal"]["p"]
    (20, 1.0)
    """
    scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if processes is not None and processes < 1:
        raise ValueError("processes must be at least 1")
    if chunk_size is not None and chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    count = seeds if isinstance(seeds, (int, np.integer)) else len(seeds) if isinstance(seeds, range) else None
    seed_array = None if count is not None else as_seed_array(seeds)
    count = int(count if count is not None else seed_array.size)
    cores = usable_cpus()
    workers = processes or (cores if count >= AUTO_PARALLEL_FROM else 1)
    size = chunk_size or default_chunk_size(count, workers if executor is None else cores)
    size = plan_chunk_size(scenario, count, workers if executor is None else 1, size, chosen=chunk_size is not None,
                           summary_columns=len(summary_columns(scenario)))  # fmt: skip
    seed_array = as_seed_array(seeds) if seed_array is None else seed_array
    run = _Run(scenario, seed_array, workers, executor, progress)
    if out is None:
        return run.in_memory(size)
    store = RunStore(out, figure_formats=figure_formats, figure_dpi=figure_dpi)
    identity = RunStore.identity(scenario, seed_array)
    with store.claimed(identity, RunStore.provenance(scenario, command), size, force=force) as size:
        write_json(store.dir / "scenario.json", scenario.model_dump(mode="json", by_alias=True))
        return run.to_store(store, size, figures)


@dataclass
class _Run:
    """The worlds of one ensemble call, run in memory or into a store."""

    scenario: Scenario
    seeds: np.ndarray
    workers: int
    executor: Executor | None
    progress: bool

    def chunks(self, size: int) -> dict[str, np.ndarray]:
        return {f"{i:06d}": self.seeds[start : start + size] for i, start in enumerate(range(0, self.seeds.size, size))}

    def execute(self, chunks: dict[str, np.ndarray], store: RunStore | None) -> dict[str, pd.DataFrame]:
        tasks = {key: (self.scenario, seeds) for key, seeds in chunks.items()}
        return execute(tasks, workers=self.workers, executor=self.executor, store=store, total=self.seeds.size,
                       desc=self.scenario.meta.name, progress=self.progress)  # fmt: skip

    def in_memory(self, size: int) -> EnsembleResult:
        parts = self.execute(self.chunks(size), None)
        table = pd.concat([parts[k] for k in sorted(parts)], ignore_index=True)
        return EnsembleResult(self.scenario, table=table, meta={"seeds": int(self.seeds.size), "chunk_size": size})

    def to_store(self, store: RunStore, size: int, figures: bool) -> EnsembleResult:
        """Run what is missing (everything, the chunks not on disk, or nothing), then write or repair
        what the run shows."""
        chunks = self.chunks(size)
        finished = store.complete and store.outcomes_intact()
        done = set() if finished else store.done_parts()
        if not finished:
            self.execute({k: c for k, c in chunks.items() if k not in done}, store)
            store.finish(list(chunks))
        result = EnsembleResult(self.scenario, store=store)
        written = store.write_outputs(result.summary, result.figures if figures else None,
                                      lambda: run_report(result), everything=not finished)  # fmt: skip
        # update, not replace: the reference points the summary just solved for stay cached
        result.meta.update({"seeds": int(self.seeds.size), "chunk_size": size, "resumed": finished or bool(done),
                            "repaired": written if finished else [], "set_aside": store.set_aside})  # fmt: skip
        return result
