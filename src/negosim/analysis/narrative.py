"""One world told in plain words, and its per-round record.

A :class:`Recorder` listens to a model's events (see
:mod:`negosim.engine.events`): it keeps Mesa's DataCollector of per-round
numbers (as ``model.datacollector``, where Mesa's tools look), a table of
events with the sentence each one makes, and the text's clause statuses after
every round. ``negosim trace`` prints :meth:`Recorder.tell`; the demo's
narrative panel shows the same sentences.

>>> from negosim.analysis.narrative import trace
>>> print(trace("teaching_two_party", seed=1)[1])  # doctest: +ELLIPSIS
Round 0 (2025-01-01), text v0, position 0.50: A 0.75/asks 1.00/no deal 0.50, B 0.75/asks 1.00/no deal 0.50
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import mesa
import numpy as np
import pandas as pd

from negosim.analysis.endings import explain
from negosim.engine.events import Event
from negosim.engine.model import NegotiationModel
from negosim.vocabulary import ClauseStatus, EventKind, Expiry, Outcome

if TYPE_CHECKING:
    from negosim.scenario import Scenario

EVENT_COLUMNS = ["round", "date", "kind", "party", "to", "version", "words"]
LEGEND = (
    "Each round: the text's version and position (0 at one reference text, 1 at the other); for each "
    "principal, what the text it holds is worth to it / asks: the least it still demands, which falls as "
    "its deadline nears / no deal: what no deal is worth to it. It accepts when the text is worth what it "
    "asks and more than no deal, and no red line or veto stands in the way."
)
TOP_CLAUSES = 3


# -- reporters (plain functions of the model, as in Mesa's examples) ---------------------
def current_round(model: NegotiationModel) -> int:
    return model.round


def current_date(model: NegotiationModel) -> str:
    return model.date_of(model.round).isoformat()


def text_version(model: NegotiationModel) -> int:
    return int(model.mediator.version[0])


def text_position(model: NegotiationModel) -> float:
    return float(model.position_index()[0])


def territory(model: NegotiationModel) -> float:
    return float(model.state.territory[0])


def utilities(model: NegotiationModel) -> list[float]:
    """Of the text each party holds (the mediator's: the master text), world 0."""
    return model.state.utility[0].tolist()


def reservations(model: NegotiationModel) -> list[float]:
    return model.state.reservation[0].tolist()


def pressures(model: NegotiationModel) -> list[float]:
    return model.state.pressure[0].tolist()


def clause_values(model: NegotiationModel) -> list[float]:
    return model.mediator.text[0].tolist()


def aspiration(model: NegotiationModel, pid: str) -> float:
    return float(model.agent(pid).aspiration[0])


@dataclass(frozen=True, slots=True)
class Entry:
    """A reporter of one entry of a row that ``source`` reads (one party's utility, one
    clause's value): :class:`RoundCollector` reads each row once a round, not once per
    entry."""

    source: Callable[[NegotiationModel], list]
    index: int

    def __call__(self, model: NegotiationModel):
        return self.source(model)[self.index]


def model_reporters(model: NegotiationModel) -> dict:
    reporters = {
        "round": current_round,
        "date": current_date,
        "version": text_version,
        "position_index": text_position,
        "territory": territory,
    }
    for i, pid in enumerate(model.party_ids):
        reporters[f"utility_{pid}"] = Entry(utilities, i)
    for principal in model.principals:
        pid, i = principal.pid, principal.index
        reporters[f"reservation_{pid}"] = Entry(reservations, i)
        reporters[f"aspiration_{pid}"] = partial(aspiration, pid=pid)
        reporters[f"pressure_{pid}"] = Entry(pressures, i)
    for k, cid in enumerate(model.clause_ids):
        reporters[f"x_{cid}"] = Entry(clause_values, k)
    return reporters


class RoundCollector(mesa.DataCollector):
    """Mesa's DataCollector, collecting the reporters above without a deep copy of each
    value (every one returns an immutable Python number or string, and copying them cost
    more than the round they describe), and reading each row that an :class:`Entry`
    points into once a round."""

    def collect(self, model: NegotiationModel) -> None:
        self._collection_steps.append(model.time)
        rows = {}  # each Entry's source, read once this round
        for name, reporter in self.model_reporters.items():
            if isinstance(reporter, Entry):
                row = rows.get(reporter.source)
                if row is None:
                    row = rows[reporter.source] = reporter.source(model)
                value = row[reporter.index]
            else:
                value = reporter(model)
            self.model_vars[name].append(value)


class Recorder:
    """Everything one model's first world does, as it happens.

    >>> from negosim import NegotiationModel, load_scenario
    >>> model = NegotiationModel(load_scenario("teaching_two_party"), seeds=[1])
    >>> recorder = Recorder(model)
    >>> _ = model.run()
    >>> int(recorder.rounds()["version"].iloc[-1]) == int(model.mediator.version[0])
    True
    """

    def __init__(self, model: NegotiationModel):
        self.model = model
        self.datacollector = RoundCollector(model_reporters=model_reporters(model), tables={"events": EVENT_COLUMNS})
        model.datacollector = self.datacollector  # where Mesa's tools look for it
        self.status_history: list[np.ndarray] = []  # the text's statuses after each round
        self.last_objection: dict[str, Event] = {}  # each principal's latest, for the ending
        self.ended_by: Event | None = None  # the deadline that ended the talks, if one did
        self._date_of = (-1, "")  # (round, its date)
        model.subscribe(self.hear)

    def hear(self, event: Event) -> None:
        if event.kind == EventKind.ROUND_END:
            self.datacollector.collect(self.model)
            self.status_history.append(self.model.mediator.status[0].copy())
            return
        if event.kind == EventKind.OBJECT:
            self.last_objection[event.party] = event
        elif event.kind == EventKind.DEADLINE and not event.facts["extended"]:
            self.ended_by = event if event.facts["deadline"].on_expiry == Expiry.END else self.ended_by
        words = (
            explain(self.model, event, self.last_objection, self.ended_by)
            if event.kind == EventKind.END
            else sentence(self.model, event)
        )
        row = dict(
            round=event.round,
            date=self._date(event.round),
            kind=event.kind.value,
            party=event.party,
            to=event.to,
            version=event.version,
            words=words,
        )
        self.datacollector.add_table_row("events", row)

    def _date(self, round_index: int) -> str:
        """The round's date (ISO); one round's events ask for it several times."""
        if self._date_of[0] != round_index:
            self._date_of = (round_index, self.model.date_of(round_index).isoformat())
        return self._date_of[1]

    def rounds(self) -> pd.DataFrame:
        """One row per round played: the reporters' values."""
        return self.datacollector.get_model_vars_dataframe()

    def events(self) -> pd.DataFrame:
        """One row per event, with the sentence it makes (``words``)."""
        return self.datacollector.get_table_dataframe("events")

    def tell(self) -> list[str]:
        """The recorded world as lines of text, round by round."""
        return tell(self)


def trace(scenario: Scenario | str | Path, seed: int = 0) -> list[str]:
    """Run one world of ``scenario`` and tell it round by round."""
    model = NegotiationModel(scenario, seeds=[seed])
    recorder = Recorder(model)
    model.run()
    return recorder.tell()


# -- sentences ---------------------------------------------------------------------------
def _strongest(model: NegotiationModel, vector: np.ndarray) -> str:
    """The clauses with the largest |vector| (ties in clause order), as
    'T_DONBAS (toward Moscow, 0.41)'. In plain Python: on a few dozen clauses, numpy's
    calls cost more than the sort."""
    values = vector.tolist()
    size = [abs(v) if v == v else 0.0 for v in values]  # NaN (off the table): nothing
    order = sorted(range(len(size)), key=size.__getitem__, reverse=True)[:TOP_CLAUSES]
    low, high = model.spec.meta.poles
    parts = [
        f"{model.clause_ids[k]} (toward {high if values[k] > 0 else low}, {size[k]:.2f})"
        for k in order
        if size[k] > 1e-9
    ]
    return ", ".join(parts) if parts else "nothing in particular"


def _objection(model: NegotiationModel, e: Event) -> str:
    f = e.facts
    reasons = [f"utility {f['utility']:.2f}, asks {f['aspiration']:.2f}"]
    if f["crossed"]:
        reasons.append(f"red line crossed on {', '.join(f['crossed'])}")
    if not f["veto_ok"]:
        veto = model.spec.parties[e.party].veto
        reasons.append(f"too far from {veto.reference} on {', '.join(veto.clauses)}")
    return (
        f"{e.party} objects to version {e.version} ({'; '.join(reasons)}): strongest on {_strongest(model, f['pull'])}."
    )


def _deadline(e: Event) -> str:
    d, who = e.facts["deadline"], e.party
    name = d.label or f"the {d.date.isoformat()} deadline"
    if e.facts["extended"]:
        return f"{name} passes unsigned by {who}; it is extended."
    what = "the talks end" if d.on_expiry == Expiry.END else f"the mediator applies all its leverage on {who}"
    return f"{name} passes unsigned by {who}: {what}."


def sentence(model: NegotiationModel, e: Event) -> str:
    """The plain-words sentence of one event."""
    f, kind = e.facts, e.kind
    if kind == EventKind.RECEIVE:
        return f"{e.party} receives version {e.version} of the text from {e.to}."
    if kind == EventKind.THREAT:
        return f"{e.party}'s pressure reaches {e.to}: its value of no deal drops by {f['amount']:.3f}."
    if kind == EventKind.ACCEPT:
        return (
            f"{e.party} accepts version {e.version} in principle; it signs only together with the others "
            f"(utility {f['utility']:.2f}, asks {f['aspiration']:.2f}, no deal worth {f['reservation']:.2f})."
        )
    if kind == EventKind.SIGN:
        return (
            f"{e.party} signs version {e.version} (utility {f['utility']:.2f}, asks {f['aspiration']:.2f}, "
            f"no deal worth {f['reservation']:.2f})."
        )
    if kind == EventKind.OBJECT:
        return _objection(model, e)
    if kind == EventKind.WALKOUT:
        return f"{e.party} walks out: the text is worth {f['utility']:.2f}, less than no deal ({f['reservation']:.2f})."
    if kind == EventKind.ADVICE:
        return f"{e.party} comments on version {e.version}: {_strongest(model, f['pull'])}."
    if kind == EventKind.REOPEN:
        why = "which it keeps on the table" if f.get("own") else "which a side will not leave bracketed"
        return f"{e.party} reopens {f['clause']}, {why}."
    if kind == EventKind.BRACKET:
        return f"{e.party} brackets {f['clause']} for the leaders: the sides pull opposite ways."
    if kind == EventKind.DRAFT:
        if f["rolled_back"]:
            return f"{e.party} withdraws its draft ({f['text']}): not every side accepted it; back to its earlier text."
        return f"{e.party} tables a draft of its own ({f['text']})."
    if kind == EventKind.DEFER:
        return (
            f"{e.party} sends {f['clause']} to another track (a side letter, an arbitration, later talks): "
            "the sides will not meet on it."
        )
    if kind == EventKind.REVISE:
        moves = _strongest(model, f["step"]).replace("(toward", "(moves toward")
        return (
            f"{e.party} hears {', '.join(f['heard']) or 'no one'} and sends version {e.version} to "
            f"{', '.join(f['receivers'])}: {moves}."
        )
    if kind == EventKind.PRESSURE:
        return (
            f"{e.party} presses {e.to} ({f['amount']:.3f}); the threat is "
            f"{'believed' if f['believed'] else 'not believed'}."
        )
    if kind == EventKind.DEADLINE:
        return _deadline(e)
    if kind == EventKind.END:
        return f"The talks end in {Outcome(f['outcome']).label.upper()} on round {e.round}."
    return ""


def tell(recorder: Recorder) -> list[str]:
    """The recorded world as lines of text, round by round."""
    model = recorder.model
    events, per_round = recorder.events(), recorder.rounds()
    principals = [p.pid for p in model.principals]
    lines = [LEGEND]
    for _, row in per_round.iterrows():
        t = int(row["round"])
        state = ", ".join(
            f"{p} {row[f'utility_{p}']:.2f}/asks {row[f'aspiration_{p}']:.2f}/no deal {row[f'reservation_{p}']:.2f}"
            for p in principals
        )
        lines.append(
            f"Round {t} ({row['date']}), text v{int(row['version'])}, position {row['position_index']:.2f}: {state}"
        )
        for words in events.loc[events["round"] == t, "words"]:
            lines.append(f"  - {words}")
    text, status = model.mediator.text[0], model.mediator.status[0]
    bracketed = [model.clause_ids[k] for k in np.flatnonzero(status == ClauseStatus.BRACKETED)]
    if bracketed:
        lines.append(f"Bracketed at the end: {', '.join(bracketed)}.")
    marks = ["" if s <= ClauseStatus.AGREED else f" [{ClauseStatus(s).label}]" for s in status]
    lines.append("Final text: " + ", ".join(f"{cid}={text[k]:.2f}{marks[k]}" for k, cid in enumerate(model.clause_ids)))
    return lines
