"""Seeds 0..9,999 give the same bits in any chunking, on any number of
processes and on a Dask cluster (issue: ensembles at scale)."""

import pandas as pd
import pytest

from negosim import run_ensemble
from negosim.runs.cluster import dask_executor

SEEDS = 10_000


@pytest.fixture(scope="module")
def reference(flagship):
    return run_ensemble(flagship, SEEDS, chunk_size=SEEDS, processes=1, progress=False).outcomes


SPREAD = range(0, SEEDS, 20)  # 500 seeds across the range: a model per tiny chunk costs ~0.15 s


@pytest.mark.slow
@pytest.mark.parametrize("seeds,chunk_size,processes", [(SPREAD, 7, 1), (SPREAD, 1, 2), (range(SEEDS), 997, 2)])
def test_chunking_and_processes_do_not_change_a_bit(flagship, reference, seeds, chunk_size, processes):
    table = run_ensemble(flagship, seeds, chunk_size=chunk_size, processes=processes, progress=False).outcomes
    expected = reference[reference["seed"].isin(list(seeds))].reset_index(drop=True)
    pd.testing.assert_frame_equal(table, expected, check_exact=True)


@pytest.mark.slow
def test_a_two_worker_dask_cluster_gives_the_same_bits(flagship, reference):
    with dask_executor(local_workers=2) as executor:
        table = run_ensemble(flagship, SEEDS, chunk_size=1000, executor=executor, progress=False).outcomes
    pd.testing.assert_frame_equal(table, reference, check_exact=True)
