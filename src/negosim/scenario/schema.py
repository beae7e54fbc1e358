"""The scenario schema: a validated, typed :class:`Scenario` from a plain table.

A scenario is data, never code: TOML is parsed with :mod:`tomllib` and checked
by pydantic models that forbid unknown keys; cross-references pydantic cannot
see (ids, texts, graph reachability) are checked in :mod:`negosim.scenario.checks`.
Every problem is a :class:`~negosim.errors.ScenarioError` that names the file,
the key path and what was expected.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Annotated

from pydantic import Field, ValidationError, field_validator

from negosim.errors import ScenarioError
from negosim.scenario.checks import check_references
from negosim.scenario.fields import (
    MAX_CHANNELS,
    MAX_CLAUSES,
    MAX_DEADLINES,
    MAX_ENTRIES,
    MAX_PARTIES,
    Id,
    Ids,
    KeyPath,
    Label,
    PositiveUnitFloat,
    SignedUnitFloat,
    Strict,
    Text,
    UnitFloat,
)
from negosim.scenario.keypaths import set_path
from negosim.scenario.packages import Package
from negosim.scenario.parties import Mediator, Party
from negosim.scenario.questions import Question
from negosim.scenario.ratification import Ratification
from negosim.scenario.timing import Calendar, Deadline, ScheduledChange
from negosim.scenario.tomlfile import validation_error
from negosim.scenario.uncertainty import Distribution
from negosim.vocabulary import Role


class Clause(Strict):
    """One dimension of the text, from 0 (``low``, the first of ``meta.poles``) to 1 (``high``)."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=40)
    label: Label
    low: Label = ""
    high: Label = ""
    tags: tuple[Id, ...] = Field(default=(), max_length=32)


class ReferenceText(Strict):
    """A named text (a plan) with a value for every clause."""

    label: Label
    values: dict[Id, UnitFloat]  # [0, 1] per clause
    bracketed: Ids = ()
    dropped: Ids = ()
    deferred: Ids = ()


class Channel(Strict):
    """A directed edge of the mediation graph (both ways unless ``both_ways`` is false)."""

    source: Id = Field(alias="from")
    target: Id = Field(alias="to")
    label: Label = ""
    latency: Annotated[int, Field(ge=1, le=60)] = 1  # [1, 60] rounds
    reliability: PositiveUnitFloat = 1.0  # (0, 1]: the chance a message gets through
    clauses: Ids | None = None
    both_ways: bool = True


class Battlefield(Strict):
    """Share of contested territory held by the side at the high pole, a random walk per round: ``territory``
    in [0, 1] at the start, ``drift`` in [-1, 1] and ``volatility`` in [0, 1] per round."""

    territory: UnitFloat = 0.5
    drift: SignedUnitFloat = 0.0
    volatility: UnitFloat = 0.0


class Meta(Strict):
    name: Label
    description: Text = ""
    poles: tuple[Label, Label] = ("the low pole", "the high pole")


class Scenario(Strict):
    """A whole negotiation: clauses, texts, parties, mediator, graph, calendar."""

    meta: Meta
    clauses: tuple[Clause, ...] = Field(min_length=1, max_length=MAX_CLAUSES)
    texts: dict[Id, ReferenceText] = Field(default={}, max_length=MAX_ENTRIES)
    parties: dict[Id, Party] = Field(min_length=2, max_length=MAX_PARTIES)
    mediator: Mediator
    channels: tuple[Channel, ...] = Field(min_length=1, max_length=MAX_CHANNELS)
    calendar: Calendar
    deadlines: tuple[Deadline, ...] = Field(default=(), max_length=MAX_DEADLINES)
    schedule: tuple[ScheduledChange, ...] = Field(default=(), max_length=MAX_ENTRIES)
    battlefield: Battlefield = Battlefield()
    uncertainty: dict[KeyPath, Distribution] = Field(default={}, max_length=MAX_ENTRIES)
    events: dict[Id, Question] = Field(default={}, max_length=MAX_ENTRIES)
    ratifications: tuple[Ratification, ...] = Field(default=(), max_length=MAX_DEADLINES)
    packages: dict[Id, Package] = Field(default={}, max_length=16)
    index_from: Id | None = None
    index_to: Id | None = None
    mechanism: Label | None = None  # the mechanism file included (its values are written in)
    source: str = Field(default="<memory>", exclude=True)

    @field_validator("parties")
    @classmethod
    def _party_ids(cls, value: dict[str, Party]) -> dict[str, Party]:
        for name in value:
            if not name or not name.replace("_", "").isalnum():
                raise ValueError(f"party id {name!r} must be letters, digits and _")
        return value

    # -- derived views ---------------------------------------------------------
    @property
    def clause_ids(self) -> list[str]:
        return [c.id for c in self.clauses]

    @property
    def party_ids(self) -> list[str]:
        return list(self.parties)

    @property
    def principals(self) -> list[str]:
        return [p for p, v in self.parties.items() if v.role == Role.PRINCIPAL]

    @property
    def signatories(self) -> list[str]:
        """The principals whose acceptance a deal needs: all but those represented by another."""
        return [p for p in self.principals if self.parties[p].represented_by is None]

    @property
    def observers(self) -> list[str]:
        return [p for p, v in self.parties.items() if v.role == Role.OBSERVER]

    @cached_property
    def plain(self) -> dict:
        """The scenario as plain dicts and lists (for key-path lookups)."""
        return self.model_dump(mode="python", by_alias=True)

    @cached_property
    def routes(self):
        """Message routes over the mediation graph, period by period (a RoutePlan), computed once."""
        from negosim.scenario.graph import route_plan  # numpy and networkx, only when a model needs them

        return route_plan(self)

    def digest(self) -> str:
        """SHA-256 of the canonical JSON form: the scenario's identity in manifests."""
        blob = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    def with_values(self, overrides: dict[str, object]) -> Scenario:
        """A copy with values replaced by key path, e.g. ``{"mediator.bias": 0.4}``.

        A value set this way is certain: any ``[uncertainty]`` entry for the
        same path is dropped, so sweeps fix exactly what they name.
        """
        raw = self.model_dump(mode="python", by_alias=True)
        for path, value in overrides.items():
            set_path(raw, path, value, self.source)
            raw["uncertainty"].pop(path, None)
        return build_scenario(raw, self.source)

    def with_uncertainty(self, entries: dict[str, dict]) -> Scenario:
        """A copy with ``[uncertainty]`` entries added or replaced, e.g.
        ``{"channels.1.latency": {"dist": "choice", "values": [1, 2, 3]}}``."""
        raw = self.model_dump(mode="python", by_alias=True)
        raw["uncertainty"].update(entries)
        return build_scenario(raw, self.source)


def build_scenario(raw: dict, source: str = "<memory>") -> Scenario:
    """Validate a plain dict (as read from TOML) into a :class:`Scenario`."""
    if not isinstance(raw, dict):
        raise ScenarioError(source, "", "a table of scenario keys")
    if "source" in raw:  # the loader's own field (where the file was read from), never a file's key
        raise ScenarioError(source, "source", "no such key (unknown key; check its spelling)")
    try:
        scenario = Scenario.model_validate({**raw, "source": source})
    except ValidationError as exc:
        raise validation_error(exc, source, Scenario) from None
    check_references(scenario, source)
    check_choices(scenario, source)
    return scenario


def check_choices(scenario: Scenario, source: str) -> None:
    """Every value of a ``choice`` uncertainty must make a valid scenario when put at its path."""
    for path, dist in scenario.uncertainty.items():
        if not dist.discrete:
            continue
        for j, value in enumerate(dist.values):
            raw = scenario.model_dump(mode="python", by_alias=True)
            raw["uncertainty"] = {p: d for p, d in raw["uncertainty"].items() if d["dist"] != "choice"}
            set_path(raw, path, value, source)
            try:
                build_scenario(raw, source)
            except ScenarioError as exc:
                raise ScenarioError(
                    source,
                    f"uncertainty.{path}.values.{j}",
                    f"a value that makes a valid scenario ({exc.key}: {exc.expected})",
                ) from None
