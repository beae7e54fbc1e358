"""Over many seeds, no party accepts below its reservation value or past a red line, and each
world ends in exactly one outcome class that means what its name says."""

import numpy as np
import pytest

from negosim import NegotiationModel
from negosim.engine.variants import split_variants
from negosim.vocabulary import ClauseStatus


def _models(scenario, seeds):
    """One model per variant of the scenario among the seeds (structural choices differ)."""
    return [NegotiationModel(scenario, group) for _, group in split_variants(scenario, seeds)]


def _check_acceptances(model: NegotiationModel) -> int:
    """Step to the end, checking every acceptance as it is made against the world's own
    reservation value and red lines (drawn per world where uncertain); returns how many."""
    acceptances = 0
    width = model.n_worlds
    while model.running:
        model.step()
        state = model.state
        for principal in model.principals:
            i, accepting = principal.index, principal.accepts
            if not accepting.any():
                continue
            acceptances += int(accepting.sum())
            assert (state.utility[accepting, i] >= state.reservation[accepting, i]).all()
            held, status = state.held[accepting, i], state.held_status[accepting, i]
            low = np.broadcast_to(model.params.red_low[:, i], (width, model.n_clauses))[accepting]
            high = np.broadcast_to(model.params.red_high[:, i], (width, model.n_clauses))[accepting]
            counted = (status <= ClauseStatus.AGREED) | principal.insists
            effective = np.where(status <= ClauseStatus.AGREED, held, principal.worst[0])
            inside = (effective >= low - 1e-9) & (effective <= high + 1e-9)
            assert (inside | ~counted).all()
    return acceptances


@pytest.mark.parametrize("name", ["flagship", "two_party", "three_party"])
def test_no_acceptance_below_reservation_or_past_a_red_line(request, name):
    assert sum(_check_acceptances(m) for m in _models(request.getfixturevalue(name), range(1000, 1400))) > 0


def test_each_world_ends_in_exactly_one_outcome_and_texts_stay_in_bounds(flagship):
    for model in _models(flagship, range(400)):
        model.run()
        out = model.outcomes()
        assert out["status"].notna().all()
        assert ((model.mediator.text >= 0) & (model.mediator.text <= 1)).all()
        utilities = out.filter(like="utility_").to_numpy()
        assert ((utilities >= 0) & (utilities <= 1)).all()
        accepted = np.column_stack([out[f"accept_round_{p}"] >= 0 for p in flagship.principals])
        deals = out["status"] == "deal"
        for pid in flagship.principals:  # a deal means every principal accepted, and signed with the others
            assert (out.loc[deals, f"sign_round_{pid}"] == out.loc[deals, "deal_round"]).all()
        assert accepted[deals].all()
        holdout = (out["status"] == "holdout").to_numpy()
        assert (accepted[holdout].any(axis=1) & ~accepted[holdout].all(axis=1)).all()
        mismatch = (out["status"] == "mismatch").to_numpy()
        assert accepted[mismatch].all()
        assert not accepted[(out["status"] == "deadlock").to_numpy()].any()
