"""Run a scenario over many seeds and collect one outcome row per seed.

Seeds are cut into chunks; each chunk is one :class:`NegotiationModel`
advancing all its worlds at once. Every world draws only from its own seed's
stream, so the table does not depend on the chunking or on where a chunk runs.
Chunks go to any :class:`concurrent.futures.Executor`: this process, local
worker processes, or a Dask cluster (``negosim.cluster``). With ``out`` the
chunks are written as they finish and a killed run resumes where it stopped.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from negosim.analysis import format_summary, summarize
from negosim.model import NegotiationModel
from negosim.results import RunStore, atomic_write_json
from negosim.scenario import Scenario, load_scenario

MAX_CHUNK = 5_000  # worlds per model: large enough to amortise Python, small enough for memory
AUTO_PARALLEL_FROM = 20_000  # below this, starting worker processes costs more than it saves
UTILITY_SPACE_SAMPLE = 5_000  # worlds drawn in the utility-space figure (the first seeds)
GC_CHUNK = 1_000  # chunks at least this big are collected as soon as they finish


def run_chunk(scenario: Scenario, seeds: np.ndarray) -> pd.DataFrame:
    """All worlds of one chunk in one model: the unit of work for executors."""
    model = NegotiationModel(scenario, seeds, record=False).run()
    table = model.outcomes()
    # Mesa's model and agents refer to each other; collect a big chunk's cycle now, or a
    # long run keeps several chunks' worth of arrays alive until the next GC pass.
    # (Small chunks hold little, and a full collection per world would cost more than the world.)
    del model
    if seeds.size >= GC_CHUNK:
        gc.collect()
    return table


def summary_columns(scenario: Scenario) -> list[str]:
    """The outcome columns the summary and the standard figures read."""
    return ["seed", "status", "rounds", "position_index"] + [f"sign_round_{p}" for p in scenario.principals]


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

    def _light(self) -> pd.DataFrame:
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

    def reference(self):
        """Pareto frontier, Nash, Kalai–Smorodinsky and weighted-mean points of the scenario."""
        if "reference" not in self.meta:
            from negosim.reference import reference_points

            self.meta["reference"] = reference_points(self.scenario)
        return self.meta["reference"]

    def deal_distances(self) -> pd.DataFrame:
        """Every deal's distance to each reference point (see :func:`negosim.reference.distances`)."""
        from negosim.reference import distances

        needed = ["seed", *(f"x_{c}" for c in self.scenario.clause_ids), *(f"utility_{p}" for p in self.scenario.principals)]
        return distances(self.deals(needed), self.reference(), self.scenario.clause_ids)

    def summary(self) -> dict:
        """Outcome shares with Wilson intervals, P(sign by the key date), P(deal),
        and the deals' median distance to each reference point."""
        summary = summarize(self._light(), self.scenario)
        if summary["outcomes"]["deal"]["count"] and len(self.scenario.principals) >= 2:
            medians = self.deal_distances().median()
            summary["deal_distance_median"] = {k: (None if pd.isna(v) else float(v)) for k, v in medians.items()}
        return summary

    def report(self) -> str:
        return format_summary(self.summary())

    def figures(self) -> dict:
        """The standard figures as matplotlib Figures, by file stem."""
        from negosim import plots

        figures = plots.ensemble_figures(self._light(), self.scenario)
        principals = self.scenario.principals
        if len(principals) >= 2:
            from negosim.reference_plots import utility_space

            columns = ["status", *(f"utility_{p}" for p in principals)]
            sample = self.table[columns] if self.table is not None else self.store.read(columns=columns)
            sample = sample.iloc[:UTILITY_SPACE_SAMPLE]
            figures["utility_space"] = utility_space(sample, self.reference(), principals[0], principals[1], self.scenario)
        return figures


def as_seed_array(seeds: int | Iterable[int]) -> np.ndarray:
    """An int N means seeds 0..N-1; otherwise distinct non-negative ints, sorted."""
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise ValueError("the number of seeds must be at least 1")
        return np.arange(int(seeds), dtype=np.int64)
    array = np.asarray(seeds if isinstance(seeds, np.ndarray) else list(seeds), dtype=np.int64)
    if array.ndim != 1 or array.size == 0 or (array < 0).any():
        raise ValueError("seeds must be one or more non-negative integers")
    array = np.sort(array)
    if (np.diff(array) == 0).any():
        raise ValueError("seeds must not repeat")
    return array


def default_chunk_size(n_seeds: int, workers: int) -> int:
    """Enough chunks to keep every worker busy, none larger than MAX_CHUNK."""
    return max(1, min(MAX_CHUNK, math.ceil(n_seeds / max(1, 2 * workers))))


def run_tasks(executor: Executor | None, tasks: dict[str, tuple[Scenario, np.ndarray]],
              window: int) -> Iterator[tuple[str, pd.DataFrame]]:
    """Yield (key, table) as chunks finish; at most ``window`` in flight.

    ``tasks`` maps a key to (scenario, seeds); with no executor they run here, in order.
    """
    if executor is None:
        for key, (scenario, seeds) in tasks.items():
            yield key, run_chunk(scenario, seeds)
        return
    queue = deque(tasks.items())
    running: dict[Future, str] = {}
    while queue or running:
        while queue and len(running) < window:
            key, (scenario, seeds) = queue.popleft()
            running[executor.submit(run_chunk, scenario, seeds)] = key
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in finished:
            yield running.pop(future), future.result()


def execute(
    tasks: dict[str, tuple[Scenario, np.ndarray]],
    *,
    workers: int,
    executor: Executor | None,
    store: RunStore | None,
    total: int,
    desc: str,
    progress: bool,
    decorate: Callable[[str, pd.DataFrame], pd.DataFrame] | None = None,
) -> dict[str, pd.DataFrame]:
    """Run chunk tasks on an executor (or a pool of ``workers`` processes, or here).

    Finished chunks go to ``store`` as they arrive (and are not kept), or are
    returned by key. ``decorate`` may add columns (an experiment's point) first.
    ``total`` is the number of worlds of the whole run, for the progress bar.
    """
    own_pool = executor is None and workers > 1 and len(tasks) > 1
    # spawn, not fork: the parent may hold threads (pyarrow, tqdm) that fork would copy mid-lock
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) if own_pool else executor
    window = 2 * (workers if executor is None else (os.cpu_count() or 1)) + 2
    pending = sum(seeds.size for _, seeds in tasks.values())
    bar = tqdm(total=total, initial=total - pending, unit="world", unit_scale=True, desc=desc,
               disable=not progress, smoothing=0.05)
    parts: dict[str, pd.DataFrame] = {}
    try:
        for key, table in run_tasks(pool, tasks, window):
            if decorate is not None:
                table = decorate(key, table)
            if store is not None:
                store.write_part(key, table)
            else:
                parts[key] = table
            bar.update(len(table))
    finally:
        bar.close()
        if own_pool:
            pool.shutdown(cancel_futures=True)
    return parts


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
    :func:`negosim.cluster.dask_executor`) to use instead.
    ``out``: a run directory written as chunks finish (see
    :mod:`negosim.results`); the same call after a kill resumes it, and a
    directory holding another run is refused unless ``force``.
    The table is sorted by seed and identical whatever the chunking or executor.
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
                    desc=scenario.meta.name, progress=progress)
    meta = {"seeds": int(seed_array.size), "chunk_size": size, "resumed": bool(done)}
    if store is None:
        table = pd.concat([parts[i] for i in sorted(parts)], ignore_index=True)
        return EnsembleResult(scenario, table=table, meta=meta)
    store.merge(list(chunks))
    result = EnsembleResult(scenario, store=store, meta=meta)
    store.finish(result.summary(), result.figures() if figures else None)
    from negosim.report import write_report  # report reads results; imported late

    write_report(result)
    return result
