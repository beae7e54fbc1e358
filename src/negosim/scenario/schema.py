"""The scenario schema: a validated, typed :class:`Scenario` from a plain table.

A scenario is data, never code: TOML is parsed with :mod:`tomllib` and checked
by pydantic models that forbid unknown keys; cross-references pydantic cannot
see (ids, texts, graph reachability) are checked in :mod:`negosim.scenario.checks`.
Every problem is a :class:`~negosim.errors.ScenarioError` that names the file,
the key path and what was expected.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import cached_property
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from negosim.errors import ScenarioError
from negosim.scenario.checks import check_references
from negosim.scenario.fields import MAX_CLAUSES, MAX_PARTIES, MAX_ROUNDS, FiniteFloat, NonNegFloat, Strict, UnitFloat
from negosim.scenario.keypaths import set_path
from negosim.scenario.parties import Mediator, Party
from negosim.scenario.tomlfile import validation_error
from negosim.vocabulary import DeadlineKind, Expiry, Role


class Clause(Strict):
    """One dimension of the text: 0 is the Kyiv/E3 pole, 1 the Moscow pole."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=40)
    label: str
    low: str = ""
    high: str = ""
    tags: tuple[str, ...] = ()


class ReferenceText(Strict):
    """A named text (a plan) with a value for every clause."""

    label: str
    values: dict[str, UnitFloat]
    bracketed: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()


class Channel(Strict):
    """A directed edge of the mediation graph (both ways unless ``both_ways`` is false)."""

    source: str = Field(alias="from")
    target: str = Field(alias="to")
    label: str = ""
    latency: Annotated[int, Field(ge=1, le=60)] = 1
    reliability: Annotated[float, Field(gt=0.0, le=1.0, allow_inf_nan=False)] = 1.0
    clauses: tuple[str, ...] | None = None
    both_ways: bool = True


class Deadline(Strict):
    """A date by which a principal (or, with no ``party``, everyone) should sign.

    The party's concession clock runs to its current deadline. When the date
    passes unsigned, a ``soft`` deadline is extended with ``extension_prob``
    (at most ``max_extensions`` times); a ``hard`` one, or a soft one that is
    not extended, expires: ``on_expiry = "end"`` ends the talks,
    ``"pressure"`` makes the mediator apply all its leverage on that party at
    once. ``absent`` keeps the entry for the record and does nothing.
    """

    label: str = ""
    party: str | None = None
    date: dt.date
    kind: DeadlineKind
    on_expiry: Expiry = Expiry.END
    extension_prob: UnitFloat = 0.0
    extension_days: Annotated[int, Field(ge=1, le=3650)] = 7
    max_extensions: Annotated[int, Field(ge=0, le=100)] = 3


class Calendar(Strict):
    start: dt.date
    round_days: Annotated[int, Field(ge=1, le=365)] = 1
    horizon: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Calendar:
        if self.horizon <= self.start:
            raise ValueError("horizon must come after start")
        rounds = (self.horizon - self.start).days // self.round_days
        if rounds > MAX_ROUNDS:
            raise ValueError(f"at most {MAX_ROUNDS} rounds (got {rounds})")
        return self

    @property
    def rounds(self) -> int:
        """Rounds from start to horizon, both days included."""
        return (self.horizon - self.start).days // self.round_days + 1

    def date_of(self, round_index: int) -> dt.date:
        return self.start + dt.timedelta(days=int(round_index) * self.round_days)

    def round_of(self, date: dt.date) -> int:
        return -(-(date - self.start).days // self.round_days)


class Battlefield(Strict):
    """Share of contested territory held by Moscow, a random walk per round."""

    territory: UnitFloat = 0.5
    drift: FiniteFloat = 0.0
    volatility: NonNegFloat = 0.0


class Distribution(Strict):
    """Uncertainty on one parameter, drawn independently for every world."""

    dist: Literal["uniform", "normal", "triangular", "beta"]
    low: FiniteFloat | None = None
    high: FiniteFloat | None = None
    mode: FiniteFloat | None = None
    mean: FiniteFloat | None = None
    sd: NonNegFloat | None = None
    a: Annotated[float, Field(gt=0.0, allow_inf_nan=False)] | None = None
    b: Annotated[float, Field(gt=0.0, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _complete(self) -> Distribution:
        need = {
            "uniform": ("low", "high"),
            "normal": ("mean", "sd"),
            "triangular": ("low", "mode", "high"),
            "beta": ("a", "b"),
        }[self.dist]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.dist} distribution needs {', '.join(missing)}")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low must not exceed high")
        if self.dist == "triangular" and not (self.low <= self.mode <= self.high):
            raise ValueError("triangular needs low <= mode <= high")
        return self


class Meta(Strict):
    name: str
    description: str = ""
    poles: tuple[str, str] = ("the low pole", "the high pole")


class Scenario(Strict):
    """A whole negotiation: clauses, texts, parties, mediator, graph, calendar."""

    meta: Meta
    clauses: tuple[Clause, ...] = Field(min_length=1, max_length=MAX_CLAUSES)
    texts: dict[str, ReferenceText] = {}
    parties: dict[str, Party] = Field(min_length=2, max_length=MAX_PARTIES)
    mediator: Mediator
    channels: tuple[Channel, ...] = Field(min_length=1)
    calendar: Calendar
    deadlines: tuple[Deadline, ...] = ()
    battlefield: Battlefield = Battlefield()
    uncertainty: dict[str, Distribution] = {}
    index_from: str | None = None
    index_to: str | None = None
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
    def observers(self) -> list[str]:
        return [p for p, v in self.parties.items() if v.role == Role.OBSERVER]

    @cached_property
    def plain(self) -> dict:
        """The scenario as plain dicts and lists (for key-path lookups)."""
        return self.model_dump(mode="python", by_alias=True)

    @cached_property
    def routes(self):
        """Message routes over the mediation graph, computed once per scenario."""
        from negosim.scenario.graph import compute_routes  # numpy and networkx, only when a model needs them

        return compute_routes(self)

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


def build_scenario(raw: dict, source: str = "<memory>") -> Scenario:
    """Validate a plain dict (as read from TOML) into a :class:`Scenario`."""
    if not isinstance(raw, dict):
        raise ScenarioError(source, "", "a table of scenario keys")
    try:
        scenario = Scenario.model_validate({**raw, "source": source})
    except ValidationError as exc:
        raise validation_error(exc, source) from None
    check_references(scenario, source)
    return scenario
