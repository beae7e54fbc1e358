"""Run a scenario over many seeds and collect one outcome row per seed.

Seeds are cut into chunks; each chunk is one :class:`NegotiationModel`
advancing all its worlds at once. Because every world draws only from its own
seed's stream, the table does not depend on the chunking or on where a chunk
runs. Chunks go to any :class:`concurrent.futures.Executor` (local processes
by default when more than one core is asked for).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from negosim.analysis import format_summary, summarize
from negosim.model import NegotiationModel
from negosim.scenario import Scenario, load_scenario

DEFAULT_CHUNK = 5_000


def run_chunk(scenario: Scenario, seeds: np.ndarray) -> pd.DataFrame:
    """All worlds of one chunk in one model: the unit of work for executors."""
    return NegotiationModel(scenario, seeds, record=False).run().outcomes()


@dataclass
class EnsembleResult:
    """Outcomes of a scenario over seeds: ``.outcomes`` has a row per seed."""

    scenario: Scenario
    outcomes: pd.DataFrame
    meta: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """Outcome shares with Wilson intervals, P(sign by the key date), P(deal)."""
        return summarize(self.outcomes, self.scenario)

    def report(self) -> str:
        return format_summary(self.summary())

    def figures(self) -> dict:
        """The standard figures as matplotlib Figures, by file stem."""
        from negosim import plots

        return plots.ensemble_figures(self)


def _as_seed_array(seeds: int | Iterable[int]) -> np.ndarray:
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise ValueError("the number of seeds must be at least 1")
        return np.arange(int(seeds), dtype=np.int64)
    array = np.asarray(list(seeds), dtype=np.int64)
    if array.size == 0 or (array < 0).any():
        raise ValueError("seeds must be one or more non-negative integers")
    if np.unique(array).size != array.size:
        raise ValueError("seeds must not repeat")
    return array


def _chunks(seeds: np.ndarray, chunk_size: int) -> list[np.ndarray]:
    return [seeds[i : i + chunk_size] for i in range(0, seeds.size, chunk_size)]


def run_ensemble(
    scenario: Scenario | str | Path,
    seeds: int | Sequence[int] = 1000,
    *,
    processes: int | None = 1,
    executor: Executor | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
) -> EnsembleResult:
    """Run ``scenario`` for every seed (an int N means seeds 0..N-1).

    ``processes``: local worker processes (None: all cores; 1: this process).
    ``executor``: any ``concurrent.futures.Executor`` to use instead.
    The outcome table is sorted by seed and identical whatever the chunking.
    """
    scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    seed_array = _as_seed_array(seeds)
    size = chunk_size or DEFAULT_CHUNK
    if size < 1:
        raise ValueError("chunk_size must be at least 1")
    chunks = _chunks(seed_array, size)
    workers = (os.cpu_count() or 1) if processes is None else processes
    bar = tqdm(total=seed_array.size, unit="world", desc=scenario.meta.name, disable=not progress, smoothing=0.1)
    parts: list[pd.DataFrame] = []
    own_pool = executor is None and workers > 1 and len(chunks) > 1
    pool = ProcessPoolExecutor(max_workers=workers) if own_pool else executor
    try:
        if pool is None:
            for chunk in chunks:
                parts.append(run_chunk(scenario, chunk))
                bar.update(chunk.size)
        else:
            futures = {pool.submit(run_chunk, scenario, chunk): chunk.size for chunk in chunks}
            for future in as_completed(futures):
                parts.append(future.result())
                bar.update(futures[future])
    finally:
        bar.close()
        if own_pool:
            pool.shutdown(cancel_futures=True)
    table = pd.concat(parts, ignore_index=True).sort_values("seed", kind="stable").reset_index(drop=True)
    return EnsembleResult(scenario, table, {"seeds": int(seed_array.size)})
