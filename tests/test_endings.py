"""Every ending says why, in plain words: which version was accepted and registered, who never
accepted and what stood in the way, whose walkout or which deadline ended the talks, which
votes and packages decided it."""

import copy

import pandas as pd
import pytest

from negosim import NegotiationModel, load_scenario, run_ensemble
from negosim.analysis.narrative import Recorder
from negosim.scenario import build_scenario

from conftest import with_disputed_city


def _ending(scenario, seed: int = 1) -> tuple[str, NegotiationModel]:
    model = NegotiationModel(scenario, seeds=[seed])
    recorder = Recorder(model)
    model.run()
    events = recorder.events()
    words = events.loc[events["kind"] == "end", "words"]
    assert len(words) == 1
    return str(words.iloc[0]), model


def _scenario(raw: dict):
    return build_scenario(copy.deepcopy(raw), "<ending>")


@pytest.fixture(scope="module")
def two_party_raw():
    return load_scenario("teaching_two_party").model_dump(mode="python", by_alias=True)


def test_a_deal_names_the_version_registered_and_the_acceptances_that_came_too_late(two_party_raw):
    words, model = _ending(_scenario(two_party_raw))
    assert model.outcomes()["status"].iloc[0] == "deal"
    assert f"every principal accepted version {model.mediator.version[0]}, and the mediator registered it" in words
    assert "the text moved" in words  # B's acceptance of version 5 arrived after version 6 went out


def test_a_holdout_names_who_never_accepted_and_why(flagship):
    words, model = _ending(flagship, seed=3)
    assert model.outcomes()["status"].iloc[0] == "holdout"
    assert "RU never accepted any version: it is worth" in words and "it asks" in words
    assert "UA accepted version" in words and "the run reached its horizon" in words


def test_a_deadline_that_ends_the_talks_is_named():
    scenario = load_scenario("good_friday")
    out = run_ensemble(scenario, 40, progress=False).outcomes
    hard = next(d for d in scenario.deadlines if d.kind == "hard")
    unsigned = out["status"].isin(["holdout", "mismatch", "deadlock"])
    ended_there = out[unsigned & (out["end_date"] == pd.Timestamp(hard.date))]
    assert len(ended_there), "no world of 40 ends at Mitchell's deadline without a deal"
    words, _ = _ending(scenario, seed=int(ended_there["seed"].iloc[0]))
    assert "Mitchell's deadline" in words and "passed unmet and ended the talks" in words


def test_a_failed_vote_is_named(two_party_raw):
    raw = copy.deepcopy(two_party_raw)
    raw["ratifications"] = [{"party": "A", "label": "A's parliament", "days": 2, "pass_prob": 0.0}]
    words, model = _ending(_scenario(raw))
    assert model.outcomes()["status"].iloc[0] == "rejected"
    assert "the deal was signed, but A's parliament failed on round" in words


def test_a_partial_ending_names_the_packages():
    raw = with_disputed_city()
    raw["packages"] = {"core": {"clauses": ["X", "Y"]}, "city": {"clauses": ["Z"]}}
    words, _ = _ending(_scenario(raw))
    assert "some packages of the text were signed and others not (core on round" in words
    assert "city never" in words


def test_a_walkout_names_who_left(two_party_raw):
    raw = copy.deepcopy(two_party_raw)
    raw["parties"]["A"]["reservation"] = {"base": 0.95}
    raw["parties"]["A"]["walkout"] = {"margin": 0.0, "patience": 2}
    words, model = _ending(_scenario(raw))
    assert model.outcomes()["status"].iloc[0] == "breakdown"
    assert "A walked out on round" in words


def test_the_round_record_keeps_each_rounds_own_values(flagship):
    """The collector stores plain values without copying them: each round's row must still
    hold that round's numbers after the run, not the last round's."""
    model = NegotiationModel(flagship, seeds=[0])
    recorder = Recorder(model)
    model.run()
    rounds = recorder.rounds()
    assert len(rounds) == model.round  # one row per round played
    recorded = recorder.datacollector.model_vars
    assert all(type(v) in (int, float, str) for column in recorded.values() for v in column)
    assert rounds["round"].tolist() == list(range(len(rounds)))
    assert rounds["version"].is_monotonic_increasing and rounds["version"].nunique() > 1
    clause = next(c for c in rounds if c.startswith("x_"))
    assert rounds[clause].iloc[-1] == float(model.mediator.text[0, 0])
    assert rounds[clause].nunique() > 1  # the text moved, and the early rows kept their values


def test_each_reporter_called_alone_gives_what_the_collector_recorded(flagship):
    """The collector reads each row an Entry points into once a round; a reporter called on its
    own (as Mesa's DataCollector would call it), at the same moment, must give the same value."""
    from negosim.vocabulary import EventKind

    model = NegotiationModel(flagship, seeds=[3])
    recorder = Recorder(model)
    reporters = recorder.datacollector.model_reporters
    alone = []

    def call_each(event):
        if event.kind == EventKind.ROUND_END:
            alone.append({name: reporter(model) for name, reporter in reporters.items()})

    model.subscribe(call_each)  # after the Recorder: it hears each round's end once collected
    for _ in range(12):
        model.step()
    assert any(name.startswith("x_") for name in reporters)
    recorded = recorder.rounds().to_dict("records")
    assert len(recorded) == len(alone) == 12
    assert recorded == alone
