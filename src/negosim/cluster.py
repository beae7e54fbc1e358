"""Dask distributed as an executor: the same chunks, the same bits, more machines.

>>> with dask_executor(local_workers=2) as executor:        # doctest: +SKIP
...     run_ensemble(scenario, 100_000, executor=executor)
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager


@contextmanager
def dask_executor(scheduler: str | None = None, local_workers: int | None = None) -> Iterator[Executor]:
    """A ``concurrent.futures`` executor backed by Dask distributed.

    ``scheduler``: the address of a running scheduler (``tcp://host:8786``).
    ``local_workers``: start a LocalCluster with that many single-threaded
    worker processes on 127.0.0.1 instead (closed again on exit).
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("Dask is not installed: pip install 'negosim[cluster]'") from exc
    if (scheduler is None) == (local_workers is None):
        raise ValueError("give either a scheduler address or a number of local workers")
    cluster = None
    if local_workers is not None:
        cluster = LocalCluster(
            n_workers=local_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None, silence_logs=40,
        )
    client = Client(cluster if cluster is not None else scheduler)
    try:
        yield client.get_executor()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
