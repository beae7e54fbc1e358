"""Ratification gates: a signature takes effect only once its vote passes; a failed vote
undoes it (the outcome is ``rejected``); votes are per-world draws, the same in any batch."""

import copy

import pytest

from negosim import NegotiationModel, load_scenario
from negosim.cli import main
from negosim.scenario import build_scenario

SEEDS = range(200)


@pytest.fixture(scope="module")
def raw():
    raw = load_scenario("teaching_two_party").model_dump(mode="python", by_alias=True)
    raw["events"] = {"in_force": {"kind": "ratified"}}
    return raw


def _table(raw, seeds=SEEDS, **gate):
    raw = copy.deepcopy(raw)
    raw["ratifications"] = [{"party": "A", "label": "A's parliament", "days": 5, **gate}]
    return NegotiationModel(build_scenario(raw, "<ratification>"), seeds).run().outcomes()


def test_a_vote_that_passes_puts_the_deal_in_force_on_its_day(raw):
    table = _table(raw, pass_prob=1.0)
    assert (table["status"] == "deal").all()
    assert (table["ratified_round"] == table["deal_round"] + 5).all()
    assert (table["event_in_force"] == table["ratified_round"]).all()
    assert (table["rejected_round"] == -1).all()


def test_a_failed_ratification_undoes_the_signature(raw):
    table = _table(raw, pass_prob=0.0)
    assert (table["status"] == "rejected").all()
    assert (table["deal_round"] >= 0).all()  # the deal was signed ...
    assert (table["rejected_round"] == table["deal_round"] + 5).all()  # ... and the vote undid it
    assert (table["event_in_force"] == -1).all() and (table["ratified_round"] == -1).all()


def test_votes_pass_at_their_probability_and_each_world_alone_gives_the_same_vote(raw):
    table = _table(raw, pass_prob=0.7)
    share = (table["status"] == "deal").mean()
    assert 0.6 < share < 0.8  # 200 worlds: ±3.2 points standard error
    alone = _table(raw, seeds=[int(table["seed"].iloc[7])], pass_prob=0.7)
    assert alone["status"].iloc[0] == table["status"].iloc[7]


def test_a_vote_after_the_horizon_leaves_the_deal_signed_and_not_yet_in_force(raw):
    table = _table(raw, pass_prob=0.0, days=365)
    assert (table["status"] == "deal").all()
    assert (table["ratified_round"] == -1).all() and (table["rejected_round"] == -1).all()


def test_a_pass_probability_drawn_per_world_is_used(raw):
    drawn = copy.deepcopy(raw)
    drawn["ratifications"] = [{"party": "B", "days": 2, "pass_prob": 0.5}]
    drawn["uncertainty"] = {"ratifications.0.pass_prob": {"dist": "uniform", "low": 0.0, "high": 1.0}}
    table = NegotiationModel(build_scenario(drawn, "<drawn>"), SEEDS).run().outcomes()
    p = table["param:ratifications.0.pass_prob"]
    rejected = table["status"] == "rejected"
    assert p[rejected].mean() < p[~rejected].mean() - 0.2  # worlds with a low chance reject more


def test_without_gates_a_ratified_question_is_the_deal(raw):
    table = NegotiationModel(build_scenario(copy.deepcopy(raw), "<none>"), range(20)).run().outcomes()
    assert (table["event_in_force"] == table["deal_round"]).all()
    assert "ratified_round" not in table


def test_a_gate_on_a_party_that_is_not_a_principal_is_one_line(tmp_path, capsys):
    import tomli_w

    raw = load_scenario("teaching_two_party").model_dump(mode="json", by_alias=True, exclude_none=True)
    raw["ratifications"] = [{"party": "M", "days": 3, "pass_prob": 0.5}]
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(raw))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0] and "ratifications.0.party" in err[0]
