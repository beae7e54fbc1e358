"""The deadline effect study (experiments/deadline_effect.py) at small size."""

import pytest

from conftest import run_study


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    _, result, out = run_study("deadline_effect", tmp_path_factory)
    result.attrs["out"] = out
    return result


def test_deals_cluster_before_a_hard_deadline_and_some_worlds_fail(table):
    hard = table[table["condition"] == "hard deadline"].iloc[0]
    assert hard["late_deal_share"] > 0.40, hard.to_dict()
    assert hard["p_holdout"] + hard["p_mismatch"] + hard["p_deadlock"] > 0.0, hard.to_dict()
    assert hard["deals_after_first_deadline"] == 0.0  # a hard deadline that ends the talks leaves no later deals


def test_the_cluster_shrinks_as_extension_becomes_likelier(table):
    soft = table[table["condition"].str.startswith("soft")].set_index("extension_prob")
    assert soft.loc[0.9, "late_deal_share"] < soft.loc[0.0, "late_deal_share"], soft["late_deal_share"].to_dict()
    # A soft deadline that is never extended is the hard one (same seeds, same numbers).
    hard = table[table["condition"] == "hard deadline"].iloc[0]
    assert soft.loc[0.0, "late_deal_share"] == hard["late_deal_share"]


def test_the_study_writes_its_figures_and_table(table):
    out = table.attrs["out"]
    for name in (
        "deal_rounds_hard_deadline.png",
        "deal_rounds_by_extension.png",
        "deadline_effect.csv",
        "deadline_effect.md",
    ):
        assert (out / name).stat().st_size > 0, name
