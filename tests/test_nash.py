"""The two-party teaching scenario: symmetric Conceders end at the Nash point."""

import numpy as np

from negosim import NegotiationModel

NASH = np.array([0.3, 0.7])  # worked out by hand in scenarios/teaching_two_party.toml


def test_hand_computed_nash_point_is_the_product_maximum(two_party):
    # A grid search confirms the point stated in the scenario's comments.
    x, y = np.meshgrid(np.linspace(0, 1, 401), np.linspace(0, 1, 401), indexing="ij")
    ua = 1 - 0.7 * x**2 - 0.3 * y**2
    ub = 1 - 0.3 * (1 - x) ** 2 - 0.7 * (1 - y) ** 2
    product = np.where((ua > 0.5) & (ub > 0.5), (ua - 0.5) * (ub - 0.5), -1)
    i, j = np.unravel_index(product.argmax(), product.shape)
    assert np.allclose([x[i, j], y[i, j]], NASH, atol=0.005)


def test_symmetric_conceders_deal_near_the_nash_point(two_party):
    out = NegotiationModel(two_party, seeds=range(500)).run().outcomes()
    deals = out[out["status"] == "deal"]
    assert len(deals) >= 450
    distance = np.abs(deals[["x_X", "x_Y"]].to_numpy() - NASH).mean(axis=1)
    assert distance.mean() <= 0.05
    # The utilities are equal at the Nash point, so neither side was shortchanged.
    assert np.abs(deals["utility_A"] - deals["utility_B"]).mean() < 0.02
