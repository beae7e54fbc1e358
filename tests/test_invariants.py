"""Over many seeds, no party signs below its reservation value or past a red line."""

import numpy as np
import pytest

from negosim import NegotiationModel
from negosim.vocabulary import ClauseStatus


def _check_signatures(model: NegotiationModel) -> int:
    """Step to the end, checking every signature as it is made; returns how many."""
    spec = model.spec
    signatures = 0
    while model.running:
        model.step()
        state = model.state
        for principal in model.principals:
            i, signing = principal.index, principal.signs
            if not signing.any():
                continue
            signatures += int(signing.sum())
            party = spec.parties[principal.pid]
            assert (state.utility[signing, i] >= state.reservation[signing, i]).all()
            held, status = state.held[signing, i], state.held_status[signing, i]
            for cid, bound in party.red_lines.items():
                k = model.clause_ids.index(cid)
                on_table = status[:, k] <= ClauseStatus.AGREED
                value = held[on_table, k]
                assert (value >= bound.min - 1e-9).all() and (value <= bound.max + 1e-9).all(), cid
                if cid in party.insists_on:
                    # an insisted clause counts at the party's worst pole while bracketed
                    worst = 1.0 if party.ideal[cid] < 0.5 else 0.0
                    assert not ((status[:, k] == ClauseStatus.BRACKETED).any() and not bound.min <= worst <= bound.max)
    return signatures


@pytest.mark.parametrize("name", ["flagship", "two_party", "three_party"])
def test_no_signature_below_reservation_or_past_a_red_line(request, name):
    model = NegotiationModel(request.getfixturevalue(name), seeds=range(1000, 1600))
    assert _check_signatures(model) > 0


def test_each_world_ends_in_exactly_one_outcome_and_texts_stay_in_bounds(flagship):
    model = NegotiationModel(flagship, seeds=range(400)).run()
    out = model.outcomes()
    assert out["status"].notna().all()
    assert ((model.mediator.text >= 0) & (model.mediator.text <= 1)).all()
    utilities = out.filter(like="utility_").to_numpy()
    assert ((utilities >= 0) & (utilities <= 1)).all()
    deals = out[out["status"] == "deal"]
    # a deal means every principal signed
    for pid in flagship.principals:
        assert (deals[f"sign_round_{pid}"] >= 0).all()
    frameworks = out[out["status"] == "framework"]
    signed = np.column_stack([frameworks[f"sign_round_{p}"] >= 0 for p in flagship.principals])
    assert signed.any(axis=1).all()
