"""Textbook protocols: Rubinstein's alternating offers and Zeuthen's monotonic concession."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from negosim.protocols.alternating import AlternatingOffersModel, proposer_shares, rubinstein_share
from negosim.protocols.zeuthen import ZeuthenModel

ROOT = Path(__file__).resolve().parents[1]
NASH = np.array([0.3, 0.7])  # worked out by hand in scenarios/teaching_two_party.toml


# -- Rubinstein -------------------------------------------------------------------


@pytest.mark.parametrize("d1, d2", [(0.9, 0.9), (0.5, 0.5), (0.9, 0.6), (0.6, 0.9), (0.95, 0.8), (0.7, 0.99)])
def test_first_proposer_gets_rubinsteins_share_in_round_one(d1, d2):
    out = AlternatingOffersModel(discounts=(d1, d2), seeds=range(5), horizon=1000).run().outcomes()
    assert out["agreed"].all() and (out["round"] == 1).all()
    assert np.allclose(out["share_first"], (1 - d2) / (1 - d1 * d2), atol=1e-3)
    assert np.allclose(out["share_first"] + out["share_second"], 1.0)


def test_default_horizon_is_close_enough_for_moderate_patience():
    # The truncation error is (d1 d2)^99 times at most 1: below 1e-3 for d1 d2 <= 0.93.
    out = AlternatingOffersModel(discounts=(0.96, 0.96), seeds=[0]).run().outcomes()
    assert abs(out["share_first"].iloc[0] - rubinstein_share(0.96, 0.96)) < 1e-3


def test_backward_induction_matches_the_finite_game_closed_form():
    d1, d2 = np.array([0.99, 0.8]), np.array([0.97, 0.6])
    for horizon in (1, 2, 3, 10, 201):
        v = proposer_shares(d1, d2, horizon)[1]
        q, pairs = d1 * d2, (horizon - horizon % 2) // 2 if horizon % 2 == 0 else (horizon - 1) // 2
        expected = (1 - d2) * (1 - q**pairs) / (1 - q) + (q**pairs if horizon % 2 else 0.0)
        assert np.allclose(v, expected, atol=1e-12)


def test_patience_is_power_and_first_mover_advantage_vanishes():
    share = lambda d1, d2: (
        AlternatingOffersModel((d1, d2), seeds=[0], horizon=2000).run().outcomes()["share_first"].iloc[0]
    )
    assert share(0.95, 0.8) > share(0.8, 0.8) > share(0.8, 0.95)
    assert share(0.9, 0.9) > share(0.99, 0.99) > 0.5 and share(0.99, 0.99) < 0.503


def test_noise_spreads_the_ensemble_and_each_seed_is_reproducible():
    batch = AlternatingOffersModel((0.9, 0.85), seeds=range(40), noise=0.05).run().outcomes()
    assert batch["round"].nunique() > 1 and batch["agreed"].all()
    alone = AlternatingOffersModel((0.9, 0.85), seeds=[17], noise=0.05).run().outcomes()
    pd.testing.assert_frame_equal(alone.reset_index(drop=True), batch[batch["seed"] == 17].reset_index(drop=True))
    again = AlternatingOffersModel((0.9, 0.85), seeds=range(40), noise=0.05).run().outcomes()
    pd.testing.assert_frame_equal(batch, again)


def test_alternating_offers_never_touches_global_random_state():
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    AlternatingOffersModel((0.9, 0.9), seeds=range(3), noise=0.1).run()
    assert (np.random.get_state()[1] == before).all()


def test_alternating_offers_rejects_bad_input():
    with pytest.raises(ValueError):
        AlternatingOffersModel((1.0, 0.9))
    with pytest.raises(ValueError):
        AlternatingOffersModel((0.9, 0.9), seeds=[-1])


# -- Zeuthen ----------------------------------------------------------------------


def test_zeuthen_ends_at_the_nash_point(two_party):
    out = ZeuthenModel(two_party, seeds=range(10)).run().outcomes()
    assert (out["status"] == "deal").all()
    distance = np.abs(out[["x_X", "x_Y"]].to_numpy() - NASH).mean(axis=1)
    assert distance.max() <= 0.02
    exact = ZeuthenModel(two_party, seeds=range(3), noise=0.0).run().outcomes()
    assert np.abs(exact[["x_X", "x_Y"]].to_numpy() - NASH).max() <= 0.005
    # With no noise and no uncertainty every world plays the same game.
    assert exact[["x_X", "x_Y", "round"]].nunique().max() == 1


def test_zeuthen_agreement_maximises_the_nash_product_on_the_frontier(two_party):
    model = ZeuthenModel(two_party, seeds=[0], noise=0.0).run()
    gains = model.curve_utility[0] - model.reservation[0]
    best = np.where((gains > 0).all(axis=1), gains.prod(axis=1), -1).max()
    assert model.outcomes()["nash_product"].iloc[0] >= best - 1e-4


def test_raising_a_reservation_moves_the_agreement_toward_that_party(two_party):
    base = ZeuthenModel(two_party, seeds=range(5), noise=0.0).run().outcomes()
    raised = (
        ZeuthenModel(two_party.with_values({"parties.A.reservation.base": 0.6}), seeds=range(5), noise=0.0)
        .run()
        .outcomes()
    )
    # A's ideal is (0, 0): both clauses move toward it, and A gains.
    assert (raised["x_X"] < base["x_X"] - 0.01).all() and (raised["x_Y"] < base["x_Y"] - 0.01).all()
    assert (raised["utility_A"] > base["utility_A"]).all() and (raised["utility_B"] < base["utility_B"]).all()


def test_zeuthen_seed_alone_equals_seed_in_batch(two_party):
    batch = ZeuthenModel(two_party, seeds=[3, 17, 99, 5]).run().outcomes()
    alone = ZeuthenModel(two_party, seeds=[17]).run().outcomes()
    pd.testing.assert_frame_equal(alone.reset_index(drop=True), batch[batch["seed"] == 17].reset_index(drop=True))


def test_zeuthen_concedes_monotonically_along_the_recorded_path(two_party):
    model = ZeuthenModel(two_party, seeds=[4], record=True).run()
    path = model.path()
    a, b = (path[path["party"] == p] for p in ("A", "B"))
    assert (np.diff(a["utility_A"]) <= 1e-12).all() and (np.diff(b["utility_B"]) <= 1e-12).all()
    assert (np.diff(a["utility_B"]) >= -1e-12).all() and (np.diff(b["utility_A"]) >= -1e-12).all()
    assert path["round"].max() == model.outcomes()["round"].iloc[0]


def test_zeuthen_without_a_bargaining_range_breaks_down(two_party):
    hopeless = two_party.with_values({"parties.A.reservation.base": 0.95, "parties.B.reservation.base": 0.95})
    out = ZeuthenModel(hopeless, seeds=range(3), noise=0.0).run().outcomes()
    assert (out["status"] == "breakdown").all() and out["x_X"].isna().all()


def test_zeuthen_runs_on_the_flagship_with_uncertain_reservations(flagship):
    out = ZeuthenModel(flagship, seeds=range(4)).run().outcomes()
    assert set(out["status"]) <= {"deal", "breakdown", "deadlock"}
    assert out["reservation_UA"].nunique() == 4  # drawn per world
    deals = out[out["status"] == "deal"]
    assert ((deals["utility_UA"] >= deals["reservation_UA"]) & (deals["utility_RU"] >= deals["reservation_RU"])).all()
