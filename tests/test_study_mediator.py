"""Study: mediator bias and leverage on the flagship (experiments/mediator_bias_leverage.py).

Runs the study's small configuration (300 common seeds per point) and checks
the relations the full run shows, each with a margin and against the 95% band
of its paired (per-world) difference.
"""

import math

import pytest

from conftest import run_study


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return run_study("mediator_bias_leverage", tmp_path_factory)


def _point(table, sweep, **axes):
    rows = table[table["sweep"] == sweep]
    for axis, value in axes.items():
        rows = rows[rows[axis].sub(value).abs() < 1e-12]
    assert len(rows) == 1, axes
    return rows.iloc[0]


def test_writes_figures_and_tables(study):
    _, table, out = study
    for name in (
        "p_deal_vs_bias.png",
        "deal_heatmap.png",
        "time_to_deal_vs_pressure.png",
        "points.csv",
        "points.md",
        "contrasts.csv",
    ):
        assert (out / name).stat().st_size > 0, name
    assert set(table["sweep"]) == {"A", "B"}
    assert table["p_deal"].between(0, 1).all()


def test_pressure_on_kyiv_barely_moves_when_it_accepts(study):
    """On the shared mechanism Kyiv's aspiration, not its value of no deal, holds it back: pressure
    that lowers the value of no deal leaves its acceptance by 30 Nov where it was (full run:
    within 0.7 points at every bias)."""
    module, table, _ = study
    outcomes = table.attrs["outcomes"]["A"]
    accepts = module._accepts_by("UA", 5)  # round 5 = 30 Nov
    for bias in module.SMALL[module.BIAS]:
        none = _point(table, "A", **{module.BIAS: bias, module.UA_PRESSURE: 0.0})
        most = _point(table, "A", **{module.BIAS: bias, module.UA_PRESSURE: 0.04})
        diff, _ = module.paired_difference(outcomes, accepts, int(none["point"]), int(most["point"]))
        assert abs(diff) < 0.03, (bias, diff)
        assert most["p_deal"] != none["p_deal"] or most["p_breakdown"] != none["p_breakdown"]  # it did act


def test_pressure_on_moscow_raises_p_deal_once_its_cap_allows(study):
    module, table, _ = study
    outcomes = table.attrs["outcomes"]["B"]
    none = _point(table, "B", **{module.RU_PRESSURE: 0.0, module.RU_CAP: 0.05})
    capped = _point(table, "B", **{module.RU_PRESSURE: 0.02, module.RU_CAP: 0.05})
    free = _point(table, "B", **{module.RU_PRESSURE: 0.02, module.RU_CAP: 0.30})
    diff, half = module.paired_difference(outcomes, module._is_deal, int(none["point"]), int(free["point"]))
    assert diff >= 0.04 and diff > 2 * half, (diff, half)  # full run: 37.7% -> 42.9-43.5% at 0.002-0.03/round, cap 0.3
    # the shipped cap (0.05) blunts the same pressure: the uncapped gain is larger
    assert free["p_deal"] - capped["p_deal"] >= 0.03
    assert capped["p_deal"] >= none["p_deal"]


def test_moscow_leaning_bias_raises_p_deal_and_moves_deals_towards_anchorage(study):
    module, table, _ = study
    outcomes = table.attrs["outcomes"]["A"]
    kyiv = _point(table, "A", **{module.BIAS: -0.75, module.UA_PRESSURE: 0.0})
    lean = _point(table, "A", **{module.BIAS: 0.25, module.UA_PRESSURE: 0.0})
    diff, half = module.paired_difference(outcomes, module._is_deal, int(kyiv["point"]), int(lean["point"]))
    assert diff >= 0.03 and diff > half, (diff, half)  # full run: 28.9% -> 38.0% (pressure 0)
    assert lean["deal_position_index"] - kyiv["deal_position_index"] >= 0.05  # full run: 0.541 -> 0.649


def test_strong_moscow_lean_delays_kyiv(study):
    module, table, _ = study
    even = _point(table, "A", **{module.BIAS: 0.0, module.UA_PRESSURE: 0.0})
    lean = _point(table, "A", **{module.BIAS: 0.75, module.UA_PRESSURE: 0.0})
    assert even["p_accept_UA_by_30nov"] - lean["p_accept_UA_by_30nov"] >= 0.03  # full run: 43.4% -> 37.0%
    assert not math.isnan(even["median_rounds_to_deal"])
