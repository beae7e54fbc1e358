"""The mediator's own draft on a date ([[schedule]] kind "draft"): tabled as its next version,
and withdrawn by the `until` date if not every principal a deal needs accepted it."""

import copy
import datetime as dt

import numpy as np
import pytest

from negosim import NegotiationModel, load_scenario
from negosim.analysis.narrative import Recorder
from negosim.cli import main
from negosim.scenario import build_scenario

START = dt.date(2025, 1, 1)
TABLED, UNTIL = START + dt.timedelta(days=3), START + dt.timedelta(days=8)


@pytest.fixture(scope="module")
def raw():
    raw = load_scenario("teaching_two_party").model_dump(mode="python", by_alias=True)
    raw["texts"]["nash"] = {"label": "the Nash point", "values": {"X": 0.3, "Y": 0.7}}
    return raw


def _model(raw, text, until=UNTIL, seeds=range(20)):
    raw = copy.deepcopy(raw)
    raw["schedule"] = [{"date": TABLED, "kind": "draft", "text": text, "until": until, "label": f"draft {text}"}]
    return NegotiationModel(build_scenario(raw, "<draft>"), seeds)


def test_an_overreaching_draft_is_tabled_then_rolled_back(raw):
    model = _model(raw, "b_ideal")  # everything B wants: A cannot accept it
    tabled, until = model.spec.calendar.round_of(TABLED), model.spec.calendar.last_round_by(UNTIL)
    before = after_tabling = None
    while model.running and model.round <= until:
        if model.round == tabled:
            before = model.mediator.text.copy()
        model.step()
        if model.round - 1 == tabled:
            after_tabling = model.mediator.text.copy()
    assert np.allclose(after_tabling, 1.0)  # B's ideal went out as tabled
    assert np.allclose(model.mediator.text, before)  # and was withdrawn: back to the earlier text
    assert (model.mediator.version >= 2).all()  # both moves were new versions


def test_a_draft_every_side_accepts_stays(raw):
    model = _model(raw, "nash", until=START + dt.timedelta(days=20), seeds=[3])
    recorder = Recorder(model)
    model.run()
    told = " ".join(recorder.events()["words"].astype(str))
    assert "tables a draft of its own (draft nash)" in told
    assert "withdraws its draft" not in told
    assert model.outcomes()["status"].iloc[0] == "deal"


def test_a_draft_of_an_unknown_text_is_one_line(raw, tmp_path, capsys):
    import tomli_w

    text = load_scenario("teaching_two_party").model_dump(mode="json", by_alias=True, exclude_none=True)
    text["schedule"] = [{"date": TABLED.isoformat(), "kind": "draft", "text": "nope"}]
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(text))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0] and "schedule.0.text" in err[0]
