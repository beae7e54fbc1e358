"""Backtest ledgers: what really happened, as resolved dated questions and clause states, with sources.

A ledger is data (TOML), read like a scenario: unknown keys are errors, and
every problem is one line naming the file, the key path and what was
expected. It scores a run (``negosim backtest``); nothing in it ever feeds
back into a scenario. Shipped ledgers live beside the scenarios
(``history/<name>.toml``) and load by name.

>>> ledger = load_ledger("geneva_vs_anchorage_2025")
>>> ledger.meta.scenario, len(ledger.question) > 0
('geneva_vs_anchorage', True)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from negosim.errors import ScenarioError
from negosim.scenario.fields import MAX_ENTRIES, Id, Label, Strict, Text, UnitFloat
from negosim.scenario.loading import SHIPPED
from negosim.scenario.schema import Scenario
from negosim.scenario.tomlfile import read_toml, validation_error
from negosim.vocabulary import ClauseCall

HISTORY = SHIPPED / "history"


class LedgerMeta(Strict):
    scenario: Label
    as_of: dt.date
    description: Text = ""


class LedgerQuestion(Strict):
    """A yes/no question resolved by ``by``: ``deal``; ``signs`` or ``accepts`` (needs
    ``party``); ``event`` (needs ``event``, the name of one of the scenario's ``[events]``)."""

    id: str = Field(min_length=1, max_length=120)
    kind: Literal["deal", "signs", "accepts", "event"]
    party: Id | None = None
    event: Id | None = None
    by: dt.date
    outcome: bool
    description: Text = ""
    source: Text = Field(min_length=1)

    @model_validator(mode="after")
    def _complete(self) -> LedgerQuestion:
        if self.kind in ("signs", "accepts") and self.party is None:
            raise ValueError(f"a {self.kind} question needs a party")
        if self.kind == "event" and self.event is None:
            raise ValueError("an event question needs the event's name")
        return self


class LedgerClause(Strict):
    """A clause's ``state`` (agreed, open, deferred) and optional ``value`` in the text
    between two parties (the mediator and a principal) on a date."""

    id: Id
    on: dt.date
    between: tuple[Id, Id]
    state: ClauseCall
    value: UnitFloat | None = None  # [0, 1]
    source: Text = Field(min_length=1)
    note: Text = ""


class LedgerForecaster(Strict):
    """An outside forecast of one of the ledger's questions: probability ``p`` on a date."""

    name: Label
    question: str = Field(max_length=120)
    on: dt.date
    p: UnitFloat  # [0, 1]
    source: Text = Field(min_length=1)


class Ledger(Strict):
    meta: LedgerMeta
    question: tuple[LedgerQuestion, ...] = Field(default=(), max_length=MAX_ENTRIES)
    clause: tuple[LedgerClause, ...] = Field(default=(), max_length=MAX_ENTRIES)
    forecaster: tuple[LedgerForecaster, ...] = Field(default=(), max_length=MAX_ENTRIES)
    source: str = Field(default="<memory>", exclude=True)


def shipped_ledgers() -> dict[str, Path]:
    """Every backtest ledger shipped with negosim, by name.

    >>> sorted(shipped_ledgers())
    ['camp_david_1978', 'dayton_1995', 'geneva_vs_anchorage_2025', 'good_friday_1998']
    """
    return {path.stem: path for path in sorted(HISTORY.glob("*.toml"))}


def resolve_ledger(name: str | Path) -> Path:
    """A path, or the name of a shipped ledger (``history/<name>.toml``)."""
    path = Path(name)
    if path.suffix == ".toml" or "/" in str(name) or path.exists():
        return path
    return HISTORY / f"{name}.toml"


def load_ledger(name_or_path: str | Path) -> Ledger:
    """Read and validate a ledger file (a shipped name or a path)."""
    raw, source = read_toml(resolve_ledger(name_or_path))
    if not isinstance(raw, dict):
        raise ScenarioError(source, "", "a table of ledger keys")
    try:
        return Ledger.model_validate({**raw, "source": source})
    except ValidationError as exc:
        raise validation_error(exc, source, Ledger) from None


def check_ledger(ledger: Ledger, scenario: Scenario) -> None:
    """The ledger must speak of this scenario's clauses, parties, events and dates."""
    source, mediator = ledger.source, scenario.mediator.party

    def fail(key: str, expected: str):
        raise ScenarioError(source, key, expected)

    if ledger.meta.scenario != scenario.meta.name:
        fail("meta.scenario", f"the name of the run's scenario ({scenario.meta.name!r}, got {ledger.meta.scenario!r})")
    ids = [q.id for q in ledger.question]
    for i, q in enumerate(ledger.question):
        if ids.count(q.id) > 1:
            fail(f"question.{i}.id", f"a unique id (duplicate {q.id!r})")
        if q.party is not None and q.party not in scenario.principals:
            fail(f"question.{i}.party", f"a principal of {scenario.meta.name} (got {q.party!r})")
        if q.event is not None and q.event not in scenario.events:
            fail(f"question.{i}.event", f"one of the scenario's events {sorted(scenario.events)} (got {q.event!r})")
        if not scenario.calendar.start <= q.by <= scenario.calendar.horizon:
            fail(f"question.{i}.by", "a date between the scenario's start and horizon")
    for i, c in enumerate(ledger.clause):
        if c.id not in scenario.clause_ids:
            fail(f"clause.{i}.id", f"a clause id of {scenario.meta.name} (got {c.id!r})")
        others = [p for p in c.between if p != mediator]
        if mediator not in c.between or len(others) != 1 or others[0] not in scenario.principals:
            fail(f"clause.{i}.between", f"the mediator {mediator!r} and one principal")
        if not scenario.calendar.start <= c.on <= scenario.calendar.horizon:
            fail(f"clause.{i}.on", "a date between the scenario's start and horizon")
    for i, f in enumerate(ledger.forecaster):
        if f.question not in ids:
            fail(f"forecaster.{i}.question", f"the id of a question in this ledger (got {f.question!r})")
