"""The mediator's deferral: a clause the sides will not meet on goes to another track for good
(a side letter, an arbitration, later talks), and a deal can be reached without it."""

import copy

import numpy as np
import pytest

from negosim import NegotiationModel, load_scenario
from negosim.cli import main
from negosim.scenario import build_scenario
from negosim.vocabulary import ClauseStatus, Outcome

from conftest import with_disputed_city

SEEDS = range(30)


@pytest.fixture(scope="module")
def raw():
    raw = with_disputed_city()
    raw["events"] = {"deal_with_Z": {"kind": "deal", "agreed": ["Z"]}, "deal_with_X": {"kind": "deal", "agreed": ["X"]}}
    return raw


def _run(raw, **deferral):
    raw = copy.deepcopy(raw)
    if deferral:
        raw["mediator"]["deferral"] = {"enabled": True, **deferral}
    return NegotiationModel(build_scenario(raw, "<deferral>"), SEEDS).run()


def test_without_deferral_the_red_lines_block_every_deal(raw):
    table = _run(raw).outcomes()
    assert not (table["status"] == "deal").any()
    assert (table["s_Z"] <= ClauseStatus.AGREED).all()


def test_a_deferred_clause_never_counts_against_a_deal(raw):
    table = _run(raw, after=3).outcomes()
    assert (table["status"] == "deal").all()
    assert (table["s_Z"] == ClauseStatus.DEFERRED).all()
    assert (table[["s_X", "s_Y"]] <= ClauseStatus.AGREED).all().all()
    # a deal that needs Z on the table never happened; one that needs X did, in every world
    assert (table["event_deal_with_Z"] == -1).all()
    assert (table["event_deal_with_X"] == table["deal_round"]).all()


def test_a_deferred_clause_is_never_reopened(raw):
    deferred = copy.deepcopy(raw)
    deferred["mediator"]["deferral"] = {"enabled": True, "after": 3}
    deferred["mediator"]["bracketing"] = {"enabled": True, "after": 2}  # bracketed clauses do come back
    model = NegotiationModel(build_scenario(deferred, "<deferral>"), SEEDS)
    z = model.clause_ids.index("Z")
    gone = np.zeros(model.n_worlds, dtype=bool)
    while model.running:
        model.step()
        status = model.mediator.status[:, z]
        assert (status[gone] == ClauseStatus.DEFERRED).all()
        gone |= status == ClauseStatus.DEFERRED
    assert gone.all()
    assert (model.state.outcome == Outcome.DEAL).all()


@pytest.mark.parametrize("settings", [{"clauses": ["X"]}, {"most": 0}], ids=["other clauses only", "none at all"])
def test_deferral_keeps_to_its_clauses_and_its_count(raw, settings):
    table = _run(raw, after=3, **settings).outcomes()
    assert not (table["status"] == "deal").any()
    assert (table["s_Z"] != ClauseStatus.DEFERRED).all()


def test_a_mediator_that_insists_on_a_clause_never_defers_it(raw):
    insisting = copy.deepcopy(raw)
    insisting["mediator"]["insists_on"] = ["Z"]
    table = _run(insisting, after=3).outcomes()
    assert (table["s_Z"] != ClauseStatus.DEFERRED).all()


def test_the_trace_tells_the_deferral(raw, tmp_path, capsys):
    import tomli_w

    raw = copy.deepcopy(raw)
    raw["mediator"]["deferral"] = {"enabled": True, "after": 3}
    path = tmp_path / "deferral.toml"
    path.write_bytes(
        tomli_w.dumps(
            build_scenario(raw, "<deferral>").model_dump(mode="json", by_alias=True, exclude_none=True)
        ).encode()
    )
    assert main(["trace", str(path), "--seed", "1"]) == 0
    assert "sends Z to another track" in capsys.readouterr().out


def test_an_unknown_clause_in_deferral_is_one_line_naming_the_key(tmp_path, capsys):
    import tomli_w

    raw = load_scenario("teaching_two_party").model_dump(mode="json", by_alias=True, exclude_none=True)
    raw["mediator"]["deferral"] = {"enabled": True, "clauses": ["NOPE"]}
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(raw))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0] and "mediator.deferral.clauses" in err[0]
