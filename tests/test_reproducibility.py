"""A world's result depends only on the scenario and its seed."""

import numpy as np
import pandas as pd

from negosim import NegotiationModel, run_ensemble
from negosim.engine.variants import split_variants


def test_seed_17_alone_equals_seed_17_in_a_batch_of_1000(flagship):
    alone = NegotiationModel(flagship, seeds=[17]).run().outcomes()
    variant, seeds = next((v, s) for v, s in split_variants(flagship, range(1000)) if 17 in s)
    batch = NegotiationModel(variant, seeds=seeds).run().outcomes()  # seed 17 among the worlds of its variant
    row = batch[batch["seed"] == 17].reset_index(drop=True)
    assert seeds.size > 50
    # the variant has its choices fixed, so its table lacks the columns that record them
    pd.testing.assert_frame_equal(alone[row.columns], row, check_exact=True)
    ensemble = run_ensemble(flagship, 1000, progress=False).outcomes  # and among all 1000, every variant
    pd.testing.assert_frame_equal(alone, ensemble[ensemble["seed"] == 17].reset_index(drop=True), check_exact=True)


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
    run_ensemble(flagship, 20, progress=False)
    assert (np.random.random(), random.random()) == before
