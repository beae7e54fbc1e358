"""The Dask LocalCluster that --dask-local starts."""

import os

import pytest

from negosim.runs.cluster import WORKER_MALLOC, dask_executor


@pytest.mark.slow
def test_local_workers_get_allocator_settings_that_keep_round_temporaries_on_the_heap():
    # Dask's own default (MALLOC_TRIM_THRESHOLD_=65536) made every chunk ~2.5x slower
    with dask_executor(local_workers=1) as executor:
        seen = {name: executor.submit(os.environ.get, name).result() for name in WORKER_MALLOC}
    assert seen == {name: str(value) for name, value in WORKER_MALLOC.items()}
