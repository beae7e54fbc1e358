"""Run a scenario over many seeds and collect one outcome row per seed.

With ``out`` the chunks (:mod:`negosim.runs.chunks`) are written as they
finish (:mod:`negosim.runs.store`) and a killed run resumes where it stopped.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from negosim.analysis.summary import event_columns, format_summary, summarize
from negosim.runs.chunks import AUTO_PARALLEL_FROM, as_seed_array, default_chunk_size, execute
from negosim.runs.report import run_report, write_report
from negosim.runs.store import RunStore, atomic_write_json
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
) -> EnsembleResult:
    """Run ``scenario`` for every seed (an int N means seeds 0..N-1).

    ``processes``: local worker processes; None means all cores for runs of
    at least 20,000 seeds and this process below that; 1 means this process.
    ``executor``: any ``concurrent.futures.Executor`` (e.g. from
    :func:`negosim.runs.cluster.dask_executor`) to use instead.
    ``out``: a run directory written as chunks finish (see
    :mod:`negosim.runs.store`); the same call after a kill resumes it, and a
    directory holding another run is refused unless ``force``.
    The table is sorted by seed and identical whatever the chunking or executor.

    >>> result = run_ensemble("teaching_two_party", 20, progress=False)
    >>> len(result.outcomes), result.summary()["outcomes"]["deal"]["p"]
    (20, 1.0)
    """
    scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    seed_array = as_seed_array(seeds)
    if processes is not None and processes < 1:
        raise ValueError("processes must be at least 1")
    cores = os.cpu_count() or 1
    workers = processes or (cores if seed_array.size >= AUTO_PARALLEL_FROM else 1)
    size = chunk_size or default_chunk_size(seed_array.size, workers if executor is None else cores)
    if size < 1:
        raise ValueError("chunk_size must be at least 1")

    store = RunStore(out) if out is not None else None
    done: set[str] = set()
    if store is not None:
        identity = RunStore.identity(scenario, seed_array)
        size = store.open(identity, RunStore.provenance(scenario, command), size, force=force)
        atomic_write_json(store.dir / "scenario.json", scenario.model_dump(mode="json", by_alias=True))
        if store.complete:
            return EnsembleResult(scenario, store=store, meta={"resumed": True, "chunk_size": size})
        done = store.done_parts()
    chunks = {f"{i:06d}": seed_array[start : start + size] for i, start in enumerate(range(0, seed_array.size, size))}
    todo = {key: (scenario, c) for key, c in chunks.items() if key not in done}

    parts = execute(todo, workers=workers, executor=executor, store=store, total=seed_array.size,
                    desc=scenario.meta.name, progress=progress)  # fmt: skip
    meta = {"seeds": int(seed_array.size), "chunk_size": size, "resumed": bool(done)}
    if store is None:
        table = pd.concat([parts[i] for i in sorted(parts)], ignore_index=True)
        return EnsembleResult(scenario, table=table, meta=meta)
    store.merge(list(chunks))
    result = EnsembleResult(scenario, store=store, meta=meta)
    store.finish(result.summary(), result.figures() if figures else None)
    write_report(store, run_report(result))
    return result
