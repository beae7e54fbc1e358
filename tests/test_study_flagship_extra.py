"""Studies: the flagship's sensitivity (SALib) and the ablation of the split, at their small sizes."""

import pytest

from conftest import run_study


@pytest.fixture(scope="module")
def sensitivity(tmp_path_factory):
    return run_study("flagship_sensitivity", tmp_path_factory)


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    module, table, out = run_study("flagship_split", tmp_path_factory)
    return module, table.set_index("variant"), out


def test_the_sensitivity_study_covers_every_uncertain_input(sensitivity):
    _, indices, out = sensitivity
    from negosim import load_scenario

    uncertain = set(load_scenario("geneva_vs_anchorage").uncertainty)
    for output, group in indices.groupby("output"):
        assert set(group["input"]) == uncertain, output
    spread = indices.attrs["spread"]
    assert (spread["p05"] <= spread["p50"]).all() and (spread["p50"] <= spread["p95"]).all()
    for name in ("indices.csv", "points.csv", "spread.csv", "flagship_sensitivity.md"):
        assert (out / name).stat().st_size > 0


def test_the_split_is_absent_from_the_neutral_version_and_present_in_the_flagship(split):
    _, t, out = split
    key = "UA accepts, RU not @2025-12-31"
    assert t.loc["neutral", key] < 0.05 and t.loc["neutral", "RU accepts, UA not @2025-12-31"] < 0.05
    assert t.loc["flagship", key] > 0.3
    assert t.loc["flagship", "RU accepts, UA not @2025-12-31"] < 0.05
    # Kyiv's Thanksgiving deadline is part of it: without it the early split shrinks
    assert t.loc["flagship - Thanksgiving deadline for Kyiv", key] < t.loc["flagship", key] - 0.2
    assert (out / "flagship_split.png").stat().st_size > 0
