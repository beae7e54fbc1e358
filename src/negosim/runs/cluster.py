"""Dask distributed as an executor: the same chunks, the same bits, more machines.

>>> with dask_executor(local_workers=2) as executor:        # doctest: +SKIP
...     run_ensemble(scenario, 100_000, executor=executor)
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

from negosim.arguments import scheduler_address
from negosim.errors import UsageError
from negosim.runs.lifeline import die_with_parent, workers_skip_main

# Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536. That switches off glibc's
# adaptive thresholds, so every (worlds, parties, clauses) temporary of a round is mmapped and
# unmapped again, and a chunk runs about 2.5x slower. Workers started here keep them on the heap.
WORKER_MALLOC = {"MALLOC_TRIM_THRESHOLD_": 128 * 2**20, "MALLOC_MMAP_THRESHOLD_": 32 * 2**20}
CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler before saying so


class SchedulerUnreachable(OSError):
    """The Dask scheduler did not answer (an environmental failure: exit status 1)."""


def _address(text: str) -> str:
    try:
        return scheduler_address(text)
    except argparse.ArgumentTypeError as exc:
        raise UsageError(f"--scheduler: {exc}") from None


def _lifeline_plugin(parent_pid: int):
    from distributed.diagnostics.plugin import WorkerPlugin

    class Lifeline(WorkerPlugin):
        """Each worker of a local cluster ends when the process that started the cluster is gone."""

        name = "negosim-lifeline"

        def setup(self, worker) -> None:
            # Dask's nannies start workers from their own threads: watch the parent, no death signal.
            die_with_parent(parent_pid, signal_on_death=False)

    return Lifeline()


@contextmanager
def dask_executor(
    scheduler: str | None = None, local_workers: int | None = None, timeout: float = CONNECT_TIMEOUT
) -> Iterator[Executor]:
    """A ``concurrent.futures`` executor backed by Dask distributed.

    ``scheduler``: the address of a running scheduler (``tcp://host:8786``),
    reached within ``timeout`` seconds or :class:`SchedulerUnreachable`.
    ``local_workers``: start a LocalCluster with that many single-threaded
    worker processes on 127.0.0.1 instead (closed again on exit, and ended if
    this process is killed), with the allocator settings of
    :data:`WORKER_MALLOC`. Workers of a cluster you run yourself want the
    same environment variables (see the README).
    """
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("Dask is not installed: pip install 'negosim[cluster]'") from exc
    if (scheduler is None) == (local_workers is None):
        raise ValueError("give either a scheduler address or a number of local workers")
    cluster = None
    if local_workers is not None:
        environ = {f"distributed.nanny.pre-spawn-environ.{k}": v for k, v in WORKER_MALLOC.items()}
        with dask.config.set(environ), workers_skip_main():  # an unguarded script must not re-run in workers
            cluster = LocalCluster(
                n_workers=local_workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=40,
            )
    try:
        client = Client(cluster if cluster is not None else _address(scheduler), timeout=timeout)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise SchedulerUnreachable(
            f"could not reach the Dask scheduler at {scheduler} within {timeout:g} s ({exc.__class__.__name__}); "
            "is it running? (--scheduler-timeout waits longer)"
        ) from None
    try:
        if cluster is not None:
            client.register_plugin(_lifeline_plugin(os.getpid()))
        yield client.get_executor()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
