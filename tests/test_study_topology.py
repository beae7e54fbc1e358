"""Study: the flagship's mediation-graph topology (experiments/topology.py).

Runs the study's small configuration (2000 seeds per variant) and checks what
the full run shows, with margins well inside the measured effects.
"""

import pytest

from negosim.vocabulary import Outcome

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
    shares = table[[f"p_{s}" for s in Outcome.labels()]].sum(axis=1)
    assert (shares.sub(1).abs() < 1e-9).all()


def test_the_e3_is_gone_and_the_direct_channel_is_full(study):
    module, _, _ = study
    from negosim import load_scenario

    v = module.variants(load_scenario(module.SCENARIO))
    assert "E3" not in v["no_E3"].parties
    assert all("E3" not in (c.source, c.target) for c in v["no_E3"].channels)
    direct = [c for c in v["direct"].channels if {c.source, c.target} == {"UA", "RU"}]
    assert len(direct) == 1 and direct[0].clauses is None


def test_direct_channel_brings_earlier_russian_acceptances_and_more_deals(study):
    _, t, _ = study
    star, direct = t.loc["star"], t.loc["direct"]
    # full run (10,000 a variant): mean first RU acceptance round 123.8 -> 109.2, half-widths 1.6 and 1.4
    gap = star["mean_RU_first_accept_round"] - direct["mean_RU_first_accept_round"]
    assert gap >= 8 and gap > (
        star["mean_RU_first_accept_round_halfwidth"] + direct["mean_RU_first_accept_round_halfwidth"]
    )
    assert direct["p_RU_accepts"] - star["p_RU_accepts"] >= 0.1  # full run: 44.5% -> 62.4%
    # paired over common seeds; full run +8.9 ± 0.8 pp
    assert direct["paired_d_p_deal"] >= 0.04 and direct["paired_d_p_deal"] > 2 * direct["paired_d_p_deal_halfwidth"]
    assert direct["p_deal_low"] > star["p_deal_high"]


def test_the_e3s_advice_keeps_deals_nearer_geneva_and_costs_deals(study):
    _, t, _ = study
    star, silent = t.loc["star"], t.loc["E3_silent"]
    # the common-seed check: silencing the E3 adds deals world by world (full run +3.2 ± 0.6 pp) ...
    assert silent["paired_d_p_deal"] >= 0.01 and silent["paired_d_p_deal"] > silent["paired_d_p_deal_halfwidth"]
    # ... and its deals land nearer Anchorage (full run: median index 0.648 with the E3, 0.675 without its advice)
    assert silent["deal_position_index_median"] - star["deal_position_index_median"] >= 0.01
