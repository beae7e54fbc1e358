"""Inputs drawn per world are used per world: a drawn channel reliability acts as that value set
in the file would, deferred clauses start deferred, and a draw the engine cannot use is refused."""

from __future__ import annotations

import pandas as pd
import pytest

from negosim import NegotiationModel, run_ensemble
from negosim.errors import ScenarioError
from negosim.vocabulary import ClauseStatus


def test_a_drawn_channel_reliability_acts_as_that_value_set_in_the_file(three_party):
    uncertain = three_party.with_uncertainty({"channels.1.reliability": {"dist": "uniform", "low": 0.2, "high": 0.6}})
    table = run_ensemble(uncertain, 12, progress=False).outcomes
    drawn = table["param:channels.1.reliability"]
    assert drawn.between(0.2, 0.6).all() and drawn.nunique() == 12
    for row in table.itertuples():
        fixed = three_party.with_values({"channels.1.reliability": float(drawn[row.Index])})
        alone = NegotiationModel(fixed, seeds=[row.seed]).run().outcomes()
        same = [c for c in alone.columns if not c.startswith("param:")]
        pd.testing.assert_frame_equal(
            alone[same], table.loc[[row.Index], same].reset_index(drop=True), check_exact=True
        )


def test_an_unreliable_shuttle_slows_the_talks(three_party):
    sure = run_ensemble(three_party, 200, progress=False).outcomes
    lossy = run_ensemble(
        three_party.with_uncertainty({"channels.1.reliability": {"dist": "uniform", "low": 0.1, "high": 0.3}}),
        200,
        progress=False,
    ).outcomes
    assert lossy["rounds"].mean() > sure["rounds"].mean() + 2


def test_deferred_clauses_of_the_start_text_start_deferred_and_count_for_nobody(flagship):
    model = NegotiationModel(flagship, seeds=[0])
    geneva = flagship.texts[flagship.mediator.start_text]
    ids = flagship.clause_ids
    for cid in geneva.deferred:
        assert model.mediator.status[0, ids.index(cid)] == ClauseStatus.DEFERRED
    # moving a deferred clause's value changes no party's utility for the start text
    values, status = model.params.reference[flagship.mediator.start_text]
    from negosim.engine.utility import evaluate

    k = ids.index(geneva.deferred[0])
    moved = values.copy()
    moved[k] = 1.0 - moved[k]
    before, _ = evaluate(model.params.prefs, values[None, :], status[None, :])
    after, _ = evaluate(model.params.prefs, moved[None, :], status[None, :])
    assert (before == after).all()


def test_a_draw_the_engine_cannot_use_is_refused_in_one_line(two_party):
    bad = two_party.with_uncertainty({"texts.opening.values.X": {"dist": "uniform", "low": 0.4, "high": 0.6}})
    with pytest.raises(
        ScenarioError, match=r"uncertainty\.texts\.opening\.values\.X: a key path the engine draws per world"
    ):
        run_ensemble(bad, 3, progress=False)
