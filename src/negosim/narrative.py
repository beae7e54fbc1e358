"""One world told in plain words, and its per-round record.

Only a recording model (by default, one with a single seed) calls into this
module. Events are rows of the DataCollector table ``events``; the per-round
numbers are the DataCollector's model reporters. ``tell`` turns both into the
sentences ``negosim trace`` prints and the demo's narrative panel shows.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from negosim.utility import STATUS_NAMES

if TYPE_CHECKING:
    from negosim.model import NegotiationModel

EVENT_COLUMNS = ["round", "date", "kind", "party", "to", "version", "words"]
TOP_CLAUSES = 3


# -- reporters (plain functions of the model, as in Mesa's examples) ------------
def current_round(model: NegotiationModel) -> int:
    return model.round


def current_date(model: NegotiationModel) -> str:
    return model.date_of(model.round).isoformat()


def text_version(model: NegotiationModel) -> int:
    return int(model.version[0])


def text_position(model: NegotiationModel) -> float:
    return float(model.position_index()[0])


def territory(model: NegotiationModel) -> float:
    return float(model.territory[0])


def party_value(model: NegotiationModel, name: str, pid: str) -> float:
    """``utility`` (of the text the party holds; the master text for the
    mediator), ``reservation``, ``aspiration`` or ``pressure`` in world 0."""
    i = model.party_ids.index(pid)
    if name == "utility" and i == model.mediator_idx:
        return float(model.mediator_utility[0])
    return float(getattr(model, name)[0, i])


def clause_value(model: NegotiationModel, k: int) -> float:
    return float(model.text[0, k])


def model_reporters(model: NegotiationModel) -> dict:
    reporters = {
        "round": current_round,
        "date": current_date,
        "version": text_version,
        "position_index": text_position,
        "territory": territory,
    }
    for pid in model.party_ids:
        reporters[f"utility_{pid}"] = partial(party_value, name="utility", pid=pid)
    for i in model.principal_idx:
        pid = model.party_ids[i]
        for name in ("reservation", "aspiration", "pressure"):
            reporters[f"{name}_{pid}"] = partial(party_value, name=name, pid=pid)
    for k, cid in enumerate(model.clause_ids):
        reporters[f"x_{cid}"] = partial(clause_value, k=k)
    return reporters


# -- events ----------------------------------------------------------------------
def note_event(model: NegotiationModel, kind: str, party: str, to: str = "", version: int = -1, words: str = "") -> None:
    row = dict(
        round=model.round, date=model.date_of(model.round).isoformat(), kind=kind, party=party, to=to,
        version=int(version), words=words,
    )
    model.datacollector.add_table_row("events", row)


def _strongest(model: NegotiationModel, vector: np.ndarray) -> str:
    """The clauses with the largest |vector|, as 'T_DONBAS (lower, 0.41)'."""
    present = np.where(np.isnan(vector), 0.0, vector)
    order = np.argsort(-np.abs(present))[:TOP_CLAUSES]
    low, high = model.spec.meta.poles
    parts = [
        f"{model.clause_ids[k]} (toward {high if present[k] > 0 else low}, {abs(present[k]):.2f})"
        for k in order
        if abs(present[k]) > 1e-9
    ]
    return ", ".join(parts) if parts else "nothing in particular"


def note_deliveries(model: NegotiationModel, new: np.ndarray, threats: np.ndarray) -> None:
    mediator = model.party_ids[model.mediator_idx]
    for i, pid in enumerate(model.party_ids):
        if new[0, i] and model.round > 0:
            v = int(model.held_version[0, i])
            note_event(model, "receive", pid, mediator, v, f"{pid} receives version {v} of the text from {mediator}.")
        if threats[0, i] > 0:
            note_event(
                model, "threat", mediator, pid, -1,
                f"{mediator}'s pressure reaches {pid}: its value of no deal drops by {threats[0, i]:.3f}.",
            )


def note_response(model, agent, signs, objects, walks, wants, crossed, veto_ok, utility, aspiration) -> None:
    pid, v = agent.pid, int(model.held_version[0, agent.index])
    u, a, r = utility[0], aspiration[0], model.reservation[0, agent.index]
    mediator = model.party_ids[model.mediator_idx]
    if signs[0]:
        note_event(model, "sign", pid, mediator, v, f"{pid} signs version {v} (utility {u:.2f}, asks {a:.2f}, no deal worth {r:.2f}).")
    elif objects[0]:
        reasons = [f"utility {u:.2f}, asks {a:.2f}"]
        if crossed:
            reasons.append(f"red line crossed on {', '.join(crossed)}")
        if not veto_ok[0]:
            veto = model.spec.parties[pid].veto
            reasons.append(f"too far from {veto.reference} on {', '.join(veto.clauses)}")
        note_event(
            model, "object", pid, mediator, v,
            f"{pid} objects to version {v} ({'; '.join(reasons)}): strongest on {_strongest(model, wants[0])}.",
        )
    if walks[0]:
        note_event(model, "walkout", pid, "", v, f"{pid} walks out: the text is worth {u:.2f}, less than no deal ({r:.2f}).")


def note_advice(model, agent, fresh) -> None:
    if fresh[0]:
        v = int(model.held_version[0, agent.index])
        note_event(model, "advice", agent.pid, "", v, f"{agent.pid} comments on version {v}: {_strongest(model, model.gradient[0, agent.index])}.")


def note_revision(model, mediator, heard_from, changed, reopen, bracket, step) -> None:
    pid = mediator.pid
    for k in np.flatnonzero(reopen[0]):
        note_event(model, "reopen", pid, "", -1, f"{pid} reopens {model.clause_ids[k]}, which a side will not leave bracketed.")
    for k in np.flatnonzero(bracket[0]):
        note_event(model, "bracket", pid, "", -1, f"{pid} brackets {model.clause_ids[k]} for the leaders: the sides pull opposite ways.")
    if changed[0]:
        v = int(model.version[0])
        heard = [model.party_ids[i] for i in np.flatnonzero(heard_from[0])]
        moves = _strongest(model, step[0]).replace("(toward", "(moves toward")
        receivers = [model.party_ids[i] for i in np.flatnonzero(model.routes.text_latency >= 0)]
        note_event(
            model, "revise", pid, ",".join(receivers), v,
            f"{pid} hears {', '.join(heard) or 'no one'} and sends version {v} to {', '.join(receivers)}: {moves}.",
        )


def note_deadline(model, deadline, extended: bool, expired: bool) -> None:
    who = deadline.party or "all sides"
    name = deadline.label or f"the {deadline.date.isoformat()} deadline"
    if extended:
        note_event(model, "deadline", who, "", -1, f"{name} passes unsigned by {who}; it is extended.")
    elif expired:
        what = "the talks end" if deadline.on_expiry == "end" else f"the mediator applies all its leverage on {who}"
        note_event(model, "deadline", who, "", -1, f"{name} passes unsigned by {who}: {what}.")


def note_end(model: NegotiationModel, status: str) -> None:
    note_event(model, "end", "", "", int(model.version[0]), f"The talks end in {status.upper()} on round {model.round}.")


def tell(model: NegotiationModel) -> list[str]:
    """The recorded world as lines of text, round by round."""
    if not model.recording:
        raise ValueError("only a recording model (one seed, or record=True) can be told")
    events = model.datacollector.get_table_dataframe("events")
    per_round = model.datacollector.get_model_vars_dataframe()
    principals = [model.party_ids[i] for i in model.principal_idx]
    lines = []
    for _, row in per_round.iterrows():
        t = int(row["round"])
        state = ", ".join(
            f"{p} {row[f'utility_{p}']:.2f}/asks {row[f'aspiration_{p}']:.2f}/no deal {row[f'reservation_{p}']:.2f}"
            for p in principals
        )
        lines.append(f"Round {t} ({row['date']}), text v{int(row['version'])}, position {row['position_index']:.2f}: {state}")
        for words in events.loc[events["round"] == t, "words"]:
            lines.append(f"  - {words}")
    bracketed = [model.clause_ids[k] for k in np.flatnonzero(model.status[0] == 2)]
    if bracketed:
        lines.append(f"Bracketed at the end: {', '.join(bracketed)}.")
    lines.append("Final text: " + ", ".join(
        f"{cid}={model.text[0, k]:.2f}{'' if model.status[0, k] <= 1 else ' [' + STATUS_NAMES[model.status[0, k]] + ']'}"
        for k, cid in enumerate(model.clause_ids)
    ))
    return lines
