"""Sobol' indices (SALib) find the input that decides the outcome, and the scan moves inputs one at a time."""

import pytest

from negosim import load_scenario
from negosim.runs.scan import Perturbation, default_perturbations, one_at_a_time
from negosim.runs.sensitivity import sobol_indices


@pytest.fixture(scope="module")
def deciding():
    """Two-party teaching: A's value of no deal decides whether there is a deal; the mediator's
    bias, swept over a narrow range, hardly matters."""
    return load_scenario("teaching_two_party").with_uncertainty(
        {
            "parties.A.reservation.base": {"dist": "uniform", "low": 0.5, "high": 1.2},
            "mediator.bias": {"dist": "uniform", "low": -0.05, "high": 0.05},
        }
    )


def test_sobol_indices_find_the_input_that_decides(deciding):
    result = sobol_indices(deciding, n=32, seeds=range(12), progress=False)
    deal = result.indices[result.indices["output"] == "deal@2025-03-01"].set_index("input")
    assert deal.loc["parties.A.reservation.base", "S1"] > 0.6
    assert deal.loc["parties.A.reservation.base", "ST"] > 0.6
    assert deal.loc["mediator.bias", "ST"] < 0.15
    spread = result.spread.set_index("output").loc["deal@2025-03-01"]
    assert spread["p05"] < 0.5 < spread["p95"]  # some corners of the ranges deal, others do not


def test_one_at_a_time_moves_each_input_and_reports_the_change(deciding):
    scan = one_at_a_time(
        deciding, [Perturbation("parties.A.reservation.base", 0.5, 1.2)], seeds=range(30), progress=False
    )
    row = scan.iloc[0]
    assert row["deal@2025-03-01_low"] == 1.0 and row["deal@2025-03-01_high"] == 0.0
    assert row["max_change"] == pytest.approx(max(1.0 - row["deal@2025-03-01"], row["deal@2025-03-01"]))


def test_default_perturbations_move_uncertain_inputs_to_their_stated_ends(deciding):
    moves = {p.path: p for p in default_perturbations(deciding)}
    assert (moves["parties.A.reservation.base"].low, moves["parties.A.reservation.base"].high) == (0.5, 1.2)
    ideal = moves["parties.A.ideal.X"]  # 0.0, moved by a tenth of the scale, never outside [0, 1]
    assert ideal.low is None and ideal.high == pytest.approx(0.1)
    assert moves["channels.0.latency"].low is None and moves["channels.0.latency"].high == 2


def test_a_move_that_makes_no_valid_scenario_is_left_out():
    two = load_scenario("teaching_two_party")
    bad = Perturbation("parties.A.ideal.X", 1.5, None)  # past the unit interval: no scenario
    scan = one_at_a_time(two, [bad], seeds=range(5), progress=False)
    assert scan["deal@2025-03-01_low"].isna().all()
