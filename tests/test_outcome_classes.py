"""Each outcome class means what its name says, on small worlds built to end in it."""

import copy
import datetime as dt

import numpy as np
import pytest

from negosim import NegotiationModel, load_scenario
from negosim.scenario import build_scenario

SEEDS = range(8)


@pytest.fixture(scope="module")
def raw():
    return load_scenario("teaching_two_party").model_dump(mode="python", by_alias=True)


def _run(raw: dict, **edits):
    """The teaching scenario with ``edits`` (a key path with __ for dots -> value), run."""
    raw = copy.deepcopy(raw)
    for key, value in edits.items():
        *parents, last = key.split("__")
        node = raw
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[last] = value
    model = NegotiationModel(build_scenario(raw, "<constructed>"), SEEDS).run()
    return model, model.outcomes()


def test_deal_every_principal_accepted_one_version(raw):
    model, out = _run(raw)
    assert (out["status"] == "deal").all()
    worlds = np.arange(model.n_worlds)
    on_deal = model.mediator.accepted_drafts[worlds[:, None], model.principal_idx, model.mediator.version[:, None]]
    assert on_deal.all()  # the mediator holds every principal's acceptance of the version the deal is on
    assert (out["deal_round"] == out["rounds"] - 1).all()


def test_holdout_one_side_accepted_and_the_other_never_did(raw):
    # B values no deal above anything a text can give it (utility <= 1): it never accepts
    _, out = _run(raw, parties__B__reservation__base=1.5, parties__B__walkout__margin=5.0)
    assert (out["status"] == "holdout").all()
    assert (out["accept_round_A"] >= 0).all() and (out["accept_round_B"] == -1).all()


def test_mismatch_both_accepted_but_never_the_same_version(raw):
    # A accepts the opening text at once and nothing nearer B; B accepts only nearer its ideal
    model, out = _run(
        raw,
        parties__A__red_lines={"X": {"min": 0.0, "max": 0.5}, "Y": {"min": 0.0, "max": 0.5}},
        parties__A__tactic={"kind": "conceder", "exponent": 50.0, "initial": 0.5},
        parties__B__red_lines={"X": {"min": 0.55, "max": 1.0}},
        parties__B__tactic={"kind": "conceder", "exponent": 50.0, "initial": 0.5},
    )
    assert (out["status"] == "mismatch").all()
    assert (out["accept_round_A"] >= 0).all() and (out["accept_round_B"] >= 0).all()
    assert (model.principals[0].accepted_version != model.principals[1].accepted_version).all()


def test_pending_acceptances_in_transit_at_the_horizon(raw):
    # B's channel takes 20 days; the run stops 10 days after the start, while both acceptances of
    # the opening text are on their way (both accept it at once: their aspirations start low)
    easy = {"kind": "conceder", "exponent": 1.0, "initial": 0.5}
    _, out = _run(
        raw,
        calendar__horizon=dt.date(2025, 1, 11),
        channels__1__latency=20,
        parties__A__tactic=easy,
        parties__B__tactic=easy,
        parties__A__time={"horizon_days": 10.0},
        parties__B__time={"horizon_days": 10.0},
    )
    assert (out["status"] == "pending").all()
    assert (out["accept_round_B"] >= 0).all() and (out["deal_round"] == -1).all()


def test_deadlock_nobody_accepted_anything(raw):
    _, out = _run(
        raw,
        parties__A__reservation__base=1.5,
        parties__B__reservation__base=1.5,
        parties__A__walkout__margin=5.0,
        parties__B__walkout__margin=5.0,
    )
    assert (out["status"] == "deadlock").all()
    assert (out["accept_round_A"] == -1).all() and (out["accept_round_B"] == -1).all()


def test_breakdown_a_principal_walked_out(raw):
    model, out = _run(raw, parties__B__reservation__base=1.5, parties__B__walkout__patience=3)
    assert (out["status"] == "breakdown").all()
    assert (out["rounds"] <= 5).all() and model.principals[1].walked.all()


def test_the_classification_is_read_at_dates_not_from_the_class(raw):
    """P(X by D) reads the dated columns; the class is where a world stood at the horizon."""
    _, out = _run(raw)
    assert (out["accept_date_A"].notna() == (out["accept_round_A"] >= 0)).all()
    assert (out["deal_date"] == out["end_date"]).all()
