"""Study: Camp David with one text against two frameworks signed separately
(experiments/camp_david_decoupling.py), at its small size."""

import pytest

from conftest import run_study


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    module, table, out = run_study("camp_david_decoupling", tmp_path_factory)
    return module, table.set_index("question"), out


def test_writes_its_table_and_figure(study):
    _, _, out = study
    for name in ("camp_david_decoupling.md", "camp_david_decoupling.csv", "camp_david_decoupling.png"):
        assert (out / name).stat().st_size > 0, name


def test_decoupling_brings_an_agreement_sooner(study):
    """cases.md's validation target: decoupling raises the chance of agreement (here, of some
    framework signed by the end of September), paired world by world."""
    _, table, _ = study
    row = table.loc["something signed by 1978-09-30"]
    assert row["difference low"] > 0
    assert row["two frameworks"] > row["one text"]


def test_one_text_never_ends_partial_and_two_can(study):
    _, table, _ = study
    assert table.loc["ends partial", "one text"] == 0
    assert table.loc["ends partial", "two frameworks"] > 0
