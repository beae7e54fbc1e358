"""The bargaining-and-war study (experiments/bargaining_and_war.py) at small size."""

import pytest

from conftest import run_study


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    _, result, out = run_study("bargaining_and_war", tmp_path_factory)
    result.attrs["out"] = out
    return result


def test_complete_information_and_costly_war_give_an_immediate_deal(table):
    complete = table[(table["sweep"] == "mutual optimism") & (table["drift_per_round"] == 0.0)].iloc[0]
    assert complete["p_deal"] > 0.90, complete.to_dict()
    assert complete["median_deal_round"] <= 3, complete.to_dict()


def test_no_deal_grows_with_belief_divergence(table):
    optimism = table[table["sweep"] == "mutual optimism"].sort_values("drift_per_round")
    first, last = optimism.iloc[0], optimism.iloc[-1]
    assert last["p_no_deal"] - first["p_no_deal"] >= 0.2, optimism[["belief_gap", "p_no_deal"]].to_dict("list")


def test_no_deal_grows_with_one_sides_expected_gains(table):
    gains = table[table["sweep"] == "B expects gains"].sort_values("drift_per_round")
    assert gains["p_no_deal"].iloc[-1] - gains["p_no_deal"].iloc[0] >= 0.2, gains[["belief_gap", "p_no_deal"]].to_dict(
        "list"
    )


def test_the_study_writes_its_figure_and_table(table):
    out = table.attrs["out"]
    for name in ("p_no_deal.png", "bargaining_and_war.csv", "bargaining_and_war.md"):
        assert (out / name).stat().st_size > 0, name
