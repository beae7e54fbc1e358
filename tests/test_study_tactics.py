"""The time-dependent tactics study (experiments/tactics.py) at small size."""

import pytest

from conftest import run_study


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    _, result, out = run_study("tactics", tmp_path_factory)
    result = result.set_index("pairing")
    result.attrs["out"] = out
    return result


def row(table, a: str, b: str):
    return table.loc[f"{a} (A) vs {b} (B)"]


def test_conceders_agree_earlier_than_boulwares(table):
    cc, bb = row(table, "Conceder", "Conceder"), row(table, "Boulware", "Boulware")
    assert cc["p_deal"] > 0.9 and bb["p_deal"] > 0.9
    assert cc["mean_deal_round"] < bb["mean_deal_round"], (cc["mean_deal_round"], bb["mean_deal_round"])


def test_the_boulware_side_gets_the_larger_share(table):
    bc, cb = row(table, "Boulware", "Conceder"), row(table, "Conceder", "Boulware")
    assert bc["utility_A"] > bc["utility_B"], bc.to_dict()
    assert cb["utility_B"] > cb["utility_A"], cb.to_dict()


def test_the_study_writes_its_figure_and_table(table):
    out = table.attrs["out"]
    for name in ("tactics.png", "tactics.csv", "tactics.md"):
        assert (out / name).stat().st_size > 0, name
