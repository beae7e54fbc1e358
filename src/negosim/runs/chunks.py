"""Chunks of worlds, the unit of work shared by runs and sweeps, and the executors that run them.

Seeds are cut into chunks; each chunk is one :class:`NegotiationModel`
advancing all its worlds at once. Every world draws only from its own seed's
stream, so a table does not depend on the chunking or on where a chunk runs.
Chunks go to any :class:`concurrent.futures.Executor`: this process, local
worker processes, or a Dask cluster (:mod:`negosim.runs.cluster`).
"""

from __future__ import annotations

import math
import multiprocessing
import multiprocessing.forkserver
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pandas as pd

from negosim.engine.model import NegotiationModel
from negosim.engine.variants import split_variants
from negosim.runs.lifeline import die_with_server, workers_skip_main
from negosim.runs.progress import Progress
from negosim.runs.resources import usable_cpus
from negosim.runs.store import RunStore
from negosim.scenario import Scenario

# Worlds per chunk, measured (benchmarks/bench.py, case 4c): each chunk runs one model per variant
# its seeds draw, and every model pays a fixed cost per round, so bigger chunks are faster
# (flagship, 20,000 worlds on one process, 2026-12-02: 500 far slower, 2,000 61 s, 5,000 40 s, 10,000 32 s).
# plan_chunk_size shrinks it where memory is short.
MAX_CHUNK = 10_000
AUTO_PARALLEL_FROM = 20_000  # below this, starting worker processes costs more than it saves


def run_chunk(scenario: Scenario, seeds: np.ndarray) -> pd.DataFrame:
    """The worlds of one chunk, one model per variant of the scenario they draw (one model
    when it has no discrete choices), as one table sorted by seed: the unit of work for executors."""
    tables = []
    for _, group in split_variants(scenario, seeds):
        model = NegotiationModel(scenario, group).run()  # the base scenario: its table records each world's choices
        tables.append(model.outcomes())
        model.discard()  # its arrays go now, not at the next full collection (~0.1 s each)
    if len(tables) == 1:
        return tables[0]
    return pd.concat(tables, ignore_index=True).sort_values("seed", kind="stable", ignore_index=True)


def as_seed_array(seeds: int | Iterable[int]) -> np.ndarray:
    """An int N means seeds 0..N-1; otherwise distinct non-negative ints, sorted."""
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise ValueError("the number of seeds must be at least 1")
        return np.arange(int(seeds), dtype=np.int64)
    if isinstance(seeds, range) and seeds.step == 1 and len(seeds) and seeds.start >= 0:
        return np.arange(seeds.start, seeds.stop, dtype=np.int64)
    array = np.asarray(seeds if isinstance(seeds, np.ndarray) else list(seeds), dtype=np.int64)
    if array.ndim != 1 or array.size == 0 or (array < 0).any():
        raise ValueError("seeds must be one or more non-negative integers")
    array = np.sort(array)
    if (np.diff(array) == 0).any():
        raise ValueError("seeds must not repeat")
    return array


def default_chunk_size(n_seeds: int, workers: int) -> int:
    """Enough chunks to keep every worker busy (two each), none larger than MAX_CHUNK; one
    worker needs no splitting beyond that.

    >>> default_chunk_size(1_000, 1), default_chunk_size(1_000, 2), default_chunk_size(10**6, 2)
    (1000, 250, 10000)
    """
    share = n_seeds if workers <= 1 else math.ceil(n_seeds / (2 * workers))
    return max(1, min(MAX_CHUNK, share))


def run_tasks(
    executor: Executor | None, tasks: dict[str, tuple[Scenario, np.ndarray]], window: int
) -> Iterator[tuple[str, pd.DataFrame]]:
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
    window = 2 * (workers if executor is None else usable_cpus()) + 2
    pending = sum(seeds.size for _, seeds in tasks.values())
    bar = Progress(total, total - pending, desc, enabled=progress)
    parts: dict[str, pd.DataFrame] = {}
    left = dict(tasks)

    def take(key: str, table: pd.DataFrame) -> None:
        del left[key]
        if decorate is not None:
            table = decorate(key, table)
        if store is not None:
            store.write_part(key, table)
        else:
            parts[key] = table
        bar.update(len(table))

    try:
        if own_pool:
            _run_on_local_pool(left, workers, window, take)
        for key, table in run_tasks(executor if not own_pool else None, dict(left), window):
            take(key, table)
    finally:
        bar.close()
    return parts


def _run_on_local_pool(tasks: dict, workers: int, window: int, take: Callable[[str, pd.DataFrame], None]) -> None:
    """Run tasks on a pool of worker processes (:func:`worker_context`) that die with this one; if
    the pool cannot start or breaks (no shared memory here, a worker killed), say so in one line and
    leave the tasks not yet taken to run in this process (the same bits either way)."""
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=worker_context(),
                                   initializer=die_with_server, initargs=(os.getpid(),))  # fmt: skip
    except (OSError, ImportError, NotImplementedError) as exc:
        _say_falling_back(exc)
        return
    try:
        with workers_skip_main():  # workers start on submit; see lifeline.workers_skip_main
            for key, table in run_tasks(pool, dict(tasks), window):
                take(key, table)
    except BrokenProcessPool as exc:
        _say_falling_back(exc)
    finally:
        pool.shutdown(cancel_futures=True)


def worker_context() -> multiprocessing.context.BaseContext:
    """How local workers start: forked from a fork server that has already imported the engine.

    Not forked from this process, which may hold threads (pyarrow, tqdm) that a fork would
    copy mid-lock; not spawned, which imports numpy, Mesa and the engine afresh for every
    pool (seconds each time). The server starts with the first pool (its imports then cost
    once) and serves every later pool of this process.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    with workers_skip_main():  # the server imports the preloaded modules, never __main__
        multiprocessing.forkserver.ensure_running()  # now, so that a failure to start shows here
    return context


def _say_falling_back(exc: BaseException) -> None:
    reason = str(exc).split("\n")[0] or exc.__class__.__name__
    print(f"negosim: worker processes failed ({reason}); running the rest in this process", file=sys.stderr)
