"""Why one world's talks ended as they did, in plain words.

The :class:`~negosim.analysis.narrative.Recorder` hands over what it heard (each
principal's last objection and the deadline that ended the talks, if one did) and this
module reads the rest from the model's first world: who accepted which version and when,
who never accepted and why, who walked out, which packages were signed and which votes
passed or failed.

>>> from negosim.analysis.narrative import trace
>>> print(trace("teaching_two_party", seed=1)[-2])  # doctest: +ELLIPSIS
  - The talks end in DEAL on round 13 (2025-01-14): every principal accepted version 6, and the mediator...
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from negosim.vocabulary import Expiry, Outcome

if TYPE_CHECKING:
    from negosim.engine.events import Event
    from negosim.engine.model import NegotiationModel


def objection_reasons(model: NegotiationModel, e: Event) -> list[str]:
    """Why a principal objected: what the text is worth to it against what it asks, the red
    lines the text crosses, the veto it fails."""
    f = e.facts
    reasons = [f"it is worth {f['utility']:.2f} to it and it asks {f['aspiration']:.2f}"]
    if f["crossed"]:
        reasons.append(f"it crosses {e.party}'s red line on {', '.join(f['crossed'])}")
    if not f["veto_ok"]:
        veto = model.spec.parties[e.party].veto
        reasons.append(f"it is too far from {veto.reference} on {', '.join(veto.clauses)}")
    return reasons


def explain(model: NegotiationModel, e: Event, objections: dict[str, Event], deadline: Event | None) -> str:
    """The END event's sentence: the outcome, when, and why."""
    outcome = Outcome(e.facts["outcome"])
    head = f"The talks end in {outcome.label.upper()} on round {e.round} ({model.date_of(e.round).isoformat()})"
    why = {
        Outcome.DEAL: _deal,
        Outcome.REJECTED: _rejected,
        Outcome.PARTIAL: _partial,
        Outcome.BREAKDOWN: _breakdown,
        Outcome.PENDING: lambda m: "acceptances still on their way would have made a deal",
        Outcome.MISMATCH: _mismatch,
    }.get(outcome, lambda m: _unaccepted(m, objections))(model)
    reasons = [why]
    if deadline is not None and deadline.facts["deadline"].on_expiry == Expiry.END:
        d = deadline.facts["deadline"]
        reasons.append(f"{d.label or 'the deadline'} passed unmet and ended the talks")
    elif outcome not in (Outcome.DEAL, Outcome.REJECTED, Outcome.BREAKDOWN) and e.round >= model.rounds - 1:
        reasons.append("the run reached its horizon")
    return f"{head}: {'; '.join(r for r in reasons if r)}."


def _signatories(model: NegotiationModel):
    return [p for p in model.principals if p.proxy is None]


def _earlier(model: NegotiationModel, final: int) -> str:
    """Acceptances of other versions that reached the mediator, per signatory ('A: 5')."""
    accepted = model.mediator.accepted_drafts[0]
    return "; ".join(
        f"{p.pid}: {', '.join(str(v) for v in others)}"
        for p in _signatories(model)
        if (others := [v for v in range(accepted.shape[1]) if accepted[p.index, v] and v != final])
    )


def _deal(model: NegotiationModel) -> str:
    final = int(model.mediator.version[0])
    parts = [f"every principal accepted version {final}, and the mediator registered it"]
    earlier = _earlier(model, final)
    if earlier:
        parts.append(f"acceptances of other versions ({earlier}) had reached it while the text moved")
    if len(model.package_of):
        parts = [f"every package was signed ({_packages(model)})"]
    for p in model.principals:
        if p.proxy is not None:
            initialled = "initialled" if p.accept_round[0] >= 0 else "never initialled"
            parts.append(f"{p.pid}, for whom {p.proxy} signs, {initialled}")
    votes = _votes(model)
    if votes:
        parts.append(votes)
    return "; ".join(parts)


def _rejected(model: NegotiationModel) -> str:
    return f"the deal was signed, but {_votes(model)}"


def _partial(model: NegotiationModel) -> str:
    return f"some packages of the text were signed and others not ({_packages(model)})"


def _packages(model: NegotiationModel) -> str:
    signed = model.mediator.package_round[0]
    return ", ".join(
        f"{name} on round {signed[g]}" if signed[g] >= 0 else f"{name} never"
        for g, name in enumerate(model.spec.packages)
    )


def _votes(model: NegotiationModel) -> str:
    gates = model.ratifications
    if not len(gates):
        return ""
    words = []
    for g, spec in enumerate(model.spec.ratifications):
        name = spec.label or f"the vote on {spec.party}'s signature"
        when = gates.vote_round[0, g]
        if when < 0:
            words.append(f"{name} falls after the horizon")
        else:
            words.append(f"{name} {'passed' if gates.passed[0, g] else 'failed'} on round {when}")
    return ", ".join(words)


def _breakdown(model: NegotiationModel) -> str:
    walked = [p for p in _signatories(model) if p.walk_round[0] >= 0]
    return ", ".join(
        f"{p.pid} walked out on round {p.walk_round[0]}: the text was worth less to it than no deal for "
        f"{p.walkout_patience} rounds"
        for p in walked
    )


def _mismatch(model: NegotiationModel) -> str:
    signatories = _signatories(model)
    versions = {int(p.accepted_version[0]) for p in signatories}
    late = [p.pid for p in signatories if model.mediator.acceptance_received[0, p.index] < p.accepted_version[0]]
    if len(versions) == 1 and late:
        return (
            f"every principal accepted version {versions.pop()}, but the acceptance of {', '.join(late)} "
            "had not reached the mediator when the talks ended"
        )
    last = ", ".join(f"{p.pid} last accepted version {p.accepted_version[0]}" for p in signatories)
    return f"every principal accepted some version, never the same one ({last}): the text moved between them"


def _unaccepted(model: NegotiationModel, objections: dict[str, Event]) -> str:
    parts = []
    for p in _signatories(model):
        if p.accept_round[0] >= 0:
            parts.append(f"{p.pid} accepted version {p.accepted_version[0]} (first on round {p.accept_round[0]})")
            continue
        last = objections.get(p.pid)
        reason = f": {', '.join(objection_reasons(model, last))}" if last is not None else ""
        parts.append(f"{p.pid} never accepted any version{reason}")
    return "; ".join(parts)
