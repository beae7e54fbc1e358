"""Study: the flagship's mediation-graph topology (experiments/topology.py).

Runs the study's small configuration (2000 seeds per variant) and checks what
the full run shows, with margins well inside the measured effects.
"""

import pytest

from conftest import run_study


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    module, table, out = run_study("topology", tmp_path_factory)
    return module, table.set_index("variant"), out


def test_writes_figure_and_tables(study):
    _, table, out = study
    for name in ("topology.png", "topology.csv", "topology.md"):
        assert (out / name).stat().st_size > 0, name
    assert {"star", "direct", "no_E3"} <= set(table.index)
    shares = table[[f"p_{s}" for s in ("deal", "framework", "deadlock", "breakdown")]].sum(axis=1)
    assert (shares.sub(1).abs() < 1e-9).all()


def test_the_e3_is_gone_and_the_direct_channel_is_full(study):
    module, _, _ = study
    from negosim import load_scenario

    v = module.variants(load_scenario(module.SCENARIO))
    assert "E3" not in v["no_E3"].parties
    assert all("E3" not in (c.source, c.target) for c in v["no_E3"].channels)
    direct = [c for c in v["direct"].channels if {c.source, c.target} == {"UA", "RU"}]
    assert len(direct) == 1 and direct[0].clauses is None


def test_direct_channel_brings_earlier_russian_signatures_and_more_deals(study):
    _, t, _ = study
    star, direct = t.loc["star"], t.loc["direct"]
    # full run: mean first RU signature round 32.1 -> 30.3; half-widths ~0.05 rounds
    gap = star["mean_RU_first_sign_round"] - direct["mean_RU_first_sign_round"]
    assert gap >= 1.0 and gap > 3 * (
        star["mean_RU_first_sign_round_halfwidth"] + direct["mean_RU_first_sign_round_halfwidth"]
    )
    assert direct["p_RU_signs"] - star["p_RU_signs"] >= 0.08  # full run: 72% -> 89%
    # paired over common seeds; full run +8.6 pp
    assert direct["paired_d_p_deal"] >= 0.04 and direct["paired_d_p_deal"] > 2 * direct["paired_d_p_deal_halfwidth"]
    assert direct["p_deal_low"] > star["p_deal_high"]


def test_removing_the_e3_lowers_p_deal_and_moves_deals_towards_geneva(study):
    _, t, _ = study
    star, gone, silent = t.loc["star"], t.loc["no_E3"], t.loc["E3_silent"]
    # where deals land: full run median index 0.650 with the E3, 0.623 without; bootstrap intervals disjoint
    assert star["deal_position_index_median"] - gone["deal_position_index_median"] >= 0.01
    assert gone["deal_position_index_high"] < star["deal_position_index_low"]
    # how often: fewer deals without the E3 (unpaired, different draw layout) ...
    assert star["p_deal"] - gone["p_deal"] >= 0.01
    # ... and the common-seed check: silencing the E3 costs deals world by world
    assert silent["paired_d_p_deal"] <= -0.01 and -silent["paired_d_p_deal"] > silent["paired_d_p_deal_halfwidth"]
