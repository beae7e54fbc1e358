"""Changes scheduled on dates: channels that open and close, deadlines announced late or moved,
and a mediator whose attention lapses."""

import copy
import datetime as dt

import numpy as np
import pytest

from negosim import NegotiationModel, load_scenario
from negosim.scenario import build_scenario

START = dt.date(2025, 1, 1)


@pytest.fixture(scope="module")
def raw():
    return load_scenario("teaching_three_party").model_dump(mode="python", by_alias=True)


def _model(raw, **extra):
    raw = copy.deepcopy(raw)
    raw.update(extra)
    return NegotiationModel(build_scenario(raw, "<scheduled>"), range(20))


def _b_index(model):
    return model.party_ids.index("B")


def test_a_closed_channel_carries_nothing_after_its_date(raw):
    """With M-B closed, B keeps only the A-B track, which carries clause H alone: no text reaches
    B any more, and only B's word on H reaches the mediator (through A)."""
    b_channel = next(i for i, c in enumerate(raw["channels"]) if {c["from"], c["to"]} == {"M", "B"})
    closes = START + dt.timedelta(days=5)
    model = _model(raw, schedule=[{"date": closes, "kind": "channel_closes", "channel": b_channel}])
    b, h = _b_index(model), model.clause_ids.index("H")
    cut = model.spec.calendar.round_of(closes)
    versions = []
    while model.running:
        model.step()
        t = model.round - 1
        versions.append(model.state.held_version[:, b].copy())
        got = model.mailbox.objections_arriving(t).get(b)
        if t >= cut + model.mailbox.depth and got:
            arrived = got[1]
            assert not np.delete(arrived, h, axis=1).any(), "a message crossed the closed channel"
    assert model.round > cut + model.mailbox.depth + 2
    settled = np.array(versions[cut + model.mailbox.depth :])
    assert (settled == settled[0]).all()  # B's text never changes again
    assert (model.route_plan.at(cut).text_latency[b] < 0) and (model.route_plan.at(0).text_latency[b] == 3)


def test_a_channel_that_opens_later_carries_nothing_before(raw):
    b_channel = next(i for i, c in enumerate(raw["channels"]) if {c["from"], c["to"]} == {"M", "B"})
    opens = START + dt.timedelta(days=10)
    model = _model(raw, schedule=[{"date": opens, "kind": "channel_opens", "channel": b_channel}])
    b = _b_index(model)
    assert (model.state.held_version[:, b] == -1).all()  # no start text reaches B yet
    for _ in range(model.spec.calendar.round_of(opens)):
        model.step()
        assert (model.state.held_version[:, b] == -1).all()
        assert (model.principals[1].accept_round == -1).all()
    model.run()
    assert (model.state.held_version[:, b] > 0).any()


def test_a_deadline_announced_later_plays_no_part_before(raw):
    due = START + dt.timedelta(days=8)
    deadline = {"date": due, "kind": "hard", "party": "A", "on_expiry": "end"}
    early = _model(raw, deadlines=[deadline])
    late = _model(raw, deadlines=[{**deadline, "announced": START + dt.timedelta(days=6)}])
    assert early.deadlines.due_round[0, early.party_ids.index("A")] == 8
    assert late.deadlines.due_round[0, late.party_ids.index("A")] > 8  # its own horizon until the announcement


def test_a_moved_deadline_falls_due_on_its_new_date(raw):
    deadline = {"date": START + dt.timedelta(days=8), "kind": "hard", "on_expiry": "end"}
    moved = [
        {
            "date": START + dt.timedelta(days=2),
            "kind": "deadline_moved",
            "deadline": 0,
            "to": START + dt.timedelta(days=20),
        }
    ]
    model = _model(raw, deadlines=[deadline], schedule=moved)
    for _ in range(4):
        model.step()
    assert (model.deadlines.due[0] == 20).all()


def test_a_lapse_of_attention_stops_the_revisions(raw):
    lapse = [
        {
            "date": START + dt.timedelta(days=3),
            "kind": "attention",
            "until": START + dt.timedelta(days=12),
            "level": 0.0,
        }
    ]
    model = _model(raw, schedule=lapse)
    versions = []
    while model.running:
        model.step()
        versions.append(model.mediator.version.copy())
    during = np.array(versions[3:13])
    assert (during == during[0]).all()  # no new version while it looks away
    assert (np.array(versions[-1]) > during[0]).any()  # it works again afterwards
