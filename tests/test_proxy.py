"""Proxy signatories: a principal represented by another (FRY for the Republika Srpska) is
bound by its representative's signature, may refuse to initial, and cannot end the talks."""

import copy

import pytest

from negosim import NegotiationModel, load_scenario
from negosim.cli import main
from negosim.scenario import build_scenario

SEEDS = range(40)


@pytest.fixture(scope="module")
def raw():
    """The two-party teaching case plus R, who wants what B wants and will never accept the
    middle ground: X must stay above 0.9 for it."""
    raw = load_scenario("teaching_two_party").model_dump(mode="python", by_alias=True)
    hardliner = copy.deepcopy(raw["parties"]["B"])
    hardliner.update(label="B's hardliners", red_lines={"X": {"min": 0.9}})
    raw["parties"]["R"] = hardliner
    raw["channels"] = [*raw["channels"], {"from": "M", "to": "R", "latency": 1}]
    return raw


def _table(raw, **changes):
    raw = copy.deepcopy(raw)
    raw["parties"]["R"].update(changes)
    return NegotiationModel(build_scenario(raw, "<proxy>"), SEEDS).run().outcomes()


def test_a_party_that_signs_for_itself_can_block_every_deal(raw):
    table = _table(raw)
    assert not (table["status"] == "deal").any()


def test_a_proxy_signature_binds_a_party_that_refuses_to_initial(raw):
    table = _table(raw, represented_by="B")
    deals = table["status"] == "deal"
    assert deals.all()
    assert (table["accept_round_R"] == -1).all()  # R never initials ...
    assert (table["sign_round_R"] == table["deal_round"]).all()  # ... and is bound when B signs
    assert (table["sign_round_B"] <= table["deal_round"]).all()  # B signs as it accepts


def test_a_represented_party_walking_out_does_not_end_the_talks(raw):
    table = _table(raw, represented_by="B", walkout={"margin": 0.0, "patience": 1}, reservation={"base": 0.95})
    assert (table["status"] == "deal").all()
    assert (table["sign_round_R"] == table["deal_round"]).all()


@pytest.mark.parametrize(
    "proxy,expected",
    [("R", "another principal that signs for itself"), ("M", "another principal"), ("NOPE", "another principal")],
)
def test_a_bad_representative_is_one_line(raw, tmp_path, capsys, proxy, expected):
    import tomli_w

    bad = copy.deepcopy(raw)
    bad["parties"]["R"]["represented_by"] = proxy
    text = load_scenario("teaching_two_party").model_dump(mode="json", by_alias=True, exclude_none=True)
    text["parties"]["R"] = {k: v for k, v in bad["parties"]["R"].items() if v is not None}
    text["parties"]["R"]["role"] = "principal"
    text["parties"]["R"]["shape"] = str(text["parties"]["R"]["shape"])
    text["parties"]["R"]["signs"] = str(text["parties"]["R"]["signs"])
    text["parties"]["R"]["tactic"]["kind"] = str(text["parties"]["R"]["tactic"]["kind"])
    text["channels"].append({"from": "M", "to": "R", "latency": 1})
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(text))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0] and "parties.R.represented_by" in err[0] and expected in err[0]
