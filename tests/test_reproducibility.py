"""A world's result depends only on the scenario and its seed."""

import numpy as np
import pandas as pd

from negosim import NegotiationModel, run_ensemble


def test_seed_17_alone_equals_seed_17_in_a_batch_of_1000(flagship):
    alone = NegotiationModel(flagship, seeds=[17]).run().outcomes()
    batch = NegotiationModel(flagship, seeds=range(1000)).run().outcomes()
    row = batch[batch["seed"] == 17].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, row, check_exact=True)


def test_chunking_does_not_change_the_table(flagship):
    whole = run_ensemble(flagship, 300, chunk_size=300, progress=False).outcomes
    pieces = run_ensemble(flagship, 300, chunk_size=7, progress=False).outcomes
    pd.testing.assert_frame_equal(whole, pieces, check_exact=True)


def test_the_global_random_state_is_not_touched(flagship):
    import random

    np.random.seed(5)
    random.seed(5)
    before = (np.random.random(), random.random())
    np.random.seed(5)
    random.seed(5)
    NegotiationModel(flagship, seeds=range(20)).run()
    assert (np.random.random(), random.random()) == before
