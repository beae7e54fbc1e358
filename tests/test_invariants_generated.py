"""Invariants under Hypothesis-generated scenarios: random parties, clauses,
graphs, tactics and deadlines."""

import datetime as dt

import networkx as nx
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negosim import NegotiationModel, ScenarioError
from negosim.engine.mailbox import NO_VERSION
from negosim.scenario import build_scenario
from negosim.vocabulary import ClauseStatus, Outcome

TRIED = {"scenarios": 0, "valid": 0}
unit = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def scenarios(draw):
    k = draw(st.integers(1, 5))
    n_principals = draw(st.integers(2, 4))
    clauses = [f"C{i}" for i in range(k)]
    principals = [f"P{i}" for i in range(n_principals)]
    observers = ["O"] if draw(st.booleans()) else []

    def prefs():
        ideal = {c: draw(unit) for c in clauses}
        salience = {c: draw(st.floats(0.0, 1.0)) for c in clauses}
        salience[clauses[0]] = max(salience[clauses[0]], 0.05)
        return ideal, salience

    parties = {}
    ideal, salience = prefs()
    parties["M"] = {"label": "M", "role": "mediator", "ideal": ideal, "salience": salience}
    for pid in principals:
        ideal, salience = prefs()
        party = {
            "label": pid,
            "role": "principal",
            "ideal": ideal,
            "salience": salience,
            "shape": draw(st.sampled_from(["linear", "quadratic", "threshold"])),
            "capability": draw(st.floats(0.1, 2.0)),
            "noise": draw(st.floats(0.0, 0.1)),
            "reservation": {
                "base": draw(st.floats(-0.2, 0.9)),
                "war_cost": draw(st.floats(0.0, 0.01)),
                "territory_weight": draw(st.floats(-1, 1)),
                "expected_drift": draw(st.floats(-0.01, 0.01)),
                "lookahead": draw(st.floats(0, 20)),
            },
            "tactic": {
                "kind": draw(st.sampled_from(["boulware", "conceder", "linear", "tit_for_tat"])),
                "initial": draw(st.floats(0.3, 1.0)),
            },
            "walkout": {"margin": draw(st.floats(0.0, 0.5)), "patience": draw(st.integers(1, 10))},
            "time": {"horizon_days": draw(st.floats(1.0, 40.0))},
            "signs": draw(st.sampled_from(["on_acceptance", "with_all"])),
        }
        if draw(st.booleans()):
            c = draw(st.sampled_from(clauses))
            lo, hi = sorted([draw(unit), draw(unit)])
            lo, hi = min(lo, ideal[c]), max(hi, ideal[c])
            party["red_lines"] = {c: {"min": lo, "max": hi}}
        if draw(st.booleans()):
            party["insists_on"] = [draw(st.sampled_from(clauses))]
        parties[pid] = party
    for pid in observers:
        ideal, salience = prefs()
        parties[pid] = {
            "label": pid,
            "role": "observer",
            "ideal": ideal,
            "salience": salience,
            "advice_weight": draw(st.floats(0, 0.5)),
        }

    channels = [
        {"from": "M", "to": p, "latency": draw(st.integers(1, 4)), "reliability": draw(st.floats(0.3, 1.0))}
        for p in principals
        if draw(st.integers(0, 9)) > 0
    ]  # now and then a principal is reached only via others
    everyone = principals + observers
    for _ in range(draw(st.integers(0, 4))):
        a, b = draw(st.sampled_from(everyone)), draw(st.sampled_from(everyone))
        if a != b:
            filt = draw(st.one_of(st.none(), st.lists(st.sampled_from(clauses), min_size=1, max_size=k, unique=True)))
            channels.append(
                {
                    "from": a,
                    "to": b,
                    "latency": draw(st.integers(1, 3)),
                    "clauses": filt,
                    "both_ways": draw(st.booleans()),
                }
            )
    if observers:
        channels.append({"from": "O", "to": "M", "latency": 1})
    status = {c: draw(st.sampled_from(["open", "bracketed", "deferred"])) for c in clauses}
    texts = {
        "start": {
            "label": "start",
            "values": {c: draw(unit) for c in clauses},
            "bracketed": [c for c in clauses if status[c] == "bracketed"],
            "deferred": [c for c in clauses if status[c] == "deferred"],
        }
    }
    start = dt.date(2025, 1, 1)
    rounds = draw(st.integers(3, 25))
    deadlines = []
    if draw(st.booleans()):
        deadlines.append(
            {
                "party": draw(st.sampled_from([None, *principals])),
                "date": start + dt.timedelta(days=draw(st.integers(0, rounds))),
                "kind": draw(st.sampled_from(["hard", "soft", "absent"])),
                "on_expiry": draw(st.sampled_from(["end", "pressure"])),
                "extension_prob": draw(unit),
                "extension_days": draw(st.integers(1, 5)),
            }
        )
        deadlines = [{k: v for k, v in d.items() if v is not None} for d in deadlines]
    raw = {
        "meta": {"name": "generated"},
        "clauses": [{"id": c, "label": c} for c in clauses],
        "texts": texts,
        "parties": parties,
        "channels": channels,
        "mediator": {
            "party": "M",
            "start_text": "start",
            "bias": draw(st.floats(-1, 1)),
            "own_weight": draw(st.floats(0, 1)),
            "step": draw(st.floats(0.01, 0.25)),
            "bracketing": {"enabled": draw(st.booleans()), "after": draw(st.integers(1, 5))},
            "leverage": {
                principals[0]: {"per_round": draw(st.floats(0, 0.05)), "maximum": 0.2, "credibility": draw(unit)}
            },
        },
        "calendar": {"start": start, "round_days": 1, "horizon": start + dt.timedelta(days=rounds)},
        "battlefield": {
            "territory": draw(unit),
            "drift": draw(st.floats(-0.02, 0.02)),
            "volatility": draw(st.floats(0, 0.05)),
        },
        "deadlines": deadlines,
        "schedule": [
            {
                "date": start + dt.timedelta(days=draw(st.integers(0, rounds // 2))),
                "kind": "attention",
                "until": start + dt.timedelta(days=rounds),
                "level": draw(unit),
            }
        ]
        if draw(st.booleans())
        else [],
        "events": {"all_agreed": {"kind": "deal", "agreed": list(clauses)}, "first_walks": {"kind": "breakdown"}},
    }
    if draw(st.booleans()):
        raw["mediator"]["insists_on"] = [draw(st.sampled_from(clauses))]
    return raw


def _independent_reach(scenario, sender, clause):
    """Is there a path from sender to the mediator over edges that carry clause?"""
    g = nx.DiGraph()
    g.add_nodes_from(scenario.parties)
    for ch in scenario.channels:
        if ch.clauses is None or clause in ch.clauses:
            g.add_edge(ch.source, ch.target)
            if ch.both_ways:
                g.add_edge(ch.target, ch.source)
    return nx.has_path(g, sender, scenario.mediator.party)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=scenarios(), seeds=st.lists(st.integers(0, 10**6), min_size=1, max_size=8, unique=True))
def test_invariants_hold_on_generated_scenarios(raw, seeds):
    TRIED["scenarios"] += 1
    try:
        scenario = build_scenario(raw, "<generated>")
    except ScenarioError:
        return  # e.g. a principal the mediator cannot reach: rejected clearly, tested elsewhere
    TRIED["valid"] += 1
    model = NegotiationModel(scenario, seeds=seeds)
    routes = model.routes
    for i, pid in enumerate(model.party_ids):
        if pid == scenario.mediator.party:
            continue
        for k, cid in enumerate(model.clause_ids):
            assert (routes.up_latency[i, k] >= 0) == _independent_reach(scenario, pid, cid)
    while model.running:
        model.step()
        state = model.state
        assert ((model.mediator.text >= 0) & (model.mediator.text <= 1)).all()
        assert ((state.utility >= 0) & (state.utility <= 1)).all()
        for i, (values, arrived) in model.mailbox.objections_arriving(model.round - 1).items():
            unreachable = routes.up_latency[i] < 0
            assert not arrived[:, unreachable].any(), "a message crossed a missing edge or a clause filter"
            assert (values[:, unreachable] == 0).all()
        for principal in model.principals:
            i, signing = principal.index, principal.accepts
            party = scenario.parties[principal.pid]
            if signing.any():
                assert (state.utility[signing, i] >= state.reservation[signing, i]).all()
                for cid, bound in party.red_lines.items():
                    k = model.clause_ids.index(cid)
                    on_table = state.held_status[signing, i, k] <= ClauseStatus.AGREED
                    value = state.held[signing, i, k][on_table]
                    assert ((value >= bound.min - 1e-9) & (value <= bound.max + 1e-9)).all()
    # texts never reach a party without a route
    no_route = routes.text_latency < 0
    assert (
        model.state.held_version[:, no_route & (np.arange(model.n_parties) != model.mediator_idx)] == NO_VERSION
    ).all()
    out = model.outcomes()
    assert out["status"].notna().all() and (model.state.end_round >= 0).all()
    assert out["status"].isin(list(Outcome.labels())).all()
    assert ((out.filter(like="utility_") >= 0) & (out.filter(like="utility_") <= 1)).all().all()
    again = NegotiationModel(scenario, seeds=seeds).run().outcomes()
    pd.testing.assert_frame_equal(out, again, check_exact=True)
