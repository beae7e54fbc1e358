"""Scenario files: TOML in, a validated, typed :class:`Scenario` out.

A scenario is data, never code: it is parsed with :mod:`tomllib` and checked by
pydantic models that forbid unknown keys. Every problem becomes a
:class:`ScenarioError` that names the file, the key path and what was expected,
so the command line can print it on one line and exit with status 2.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

UnitFloat = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
NonNegFloat = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
Shape = Literal["linear", "quadratic", "threshold"]

CLAUSE_STATUSES = ("open", "agreed", "bracketed", "dropped")
MAX_CLAUSES = 200
MAX_PARTIES = 50
MAX_ROUNDS = 2000


class ScenarioError(ValueError):
    """A scenario (or experiment) file that cannot be used, said in one line."""

    def __init__(self, source: str, key: str, expected: str):
        self.source, self.key, self.expected = source, key, expected
        super().__init__(f"{source}: {key or '<top level>'}: {expected}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Clause(_Strict):
    """One dimension of the text: 0 is the Kyiv/E3 pole, 1 the Moscow pole."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=40)
    label: str
    low: str = ""
    high: str = ""
    tags: tuple[str, ...] = ()


class ReferenceText(_Strict):
    """A named text (a plan) with a value for every clause."""

    label: str
    values: dict[str, UnitFloat]
    bracketed: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()


class Bound(_Strict):
    """A red line: the party never signs a text with the clause outside [min, max]."""

    min: UnitFloat = 0.0
    max: UnitFloat = 1.0

    @model_validator(mode="after")
    def _ordered(self) -> Bound:
        if self.min > self.max:
            raise ValueError("min must not exceed max")
        return self


class Tactic(_Strict):
    """How a party's aspiration falls over time (Faratin, Sierra & Jennings 1998).

    ``boulware`` (exponent < 1) holds out until late, ``conceder`` (exponent > 1)
    gives ground early, ``linear`` is exponent 1; ``tit_for_tat`` lowers its
    aspiration by what the other side conceded to it in the last revision.
    """

    kind: Literal["boulware", "conceder", "linear", "tit_for_tat"]
    exponent: Annotated[float, Field(gt=0.0, le=50.0, allow_inf_nan=False)] | None = None
    initial: Annotated[float, Field(gt=0.0, le=1.0, allow_inf_nan=False)] = 1.0
    reciprocity: Annotated[float, Field(ge=0.0, le=5.0, allow_inf_nan=False)] = 1.0

    @property
    def effective_exponent(self) -> float:
        default = {"boulware": 0.3, "conceder": 3.0, "linear": 1.0, "tit_for_tat": 1.0}
        return self.exponent if self.exponent is not None else default[self.kind]


class Reservation(_Strict):
    """The worth of no deal, i.e. of continuing the war.

    r(t) = base + territory_weight * (p(t) - p(0) + expected_drift * lookahead)
           - war_cost * t - pressure received
    """

    base: FiniteFloat
    territory_weight: FiniteFloat = 0.0
    expected_drift: FiniteFloat = 0.0
    lookahead: Annotated[float, Field(ge=0.0, le=1000.0, allow_inf_nan=False)] = 0.0
    war_cost: FiniteFloat = 0.0


class Veto(_Strict):
    """Refuse any text whose salience-weighted distance from ``reference`` on
    ``clauses`` exceeds ``tolerance`` (Russia's "spirit and letter of Anchorage")."""

    reference: str
    clauses: tuple[str, ...] = Field(min_length=1)
    tolerance: UnitFloat


class Walkout(_Strict):
    """Leave the talks after ``patience`` rounds below reservation by ``margin``."""

    margin: NonNegFloat = 0.1
    patience: Annotated[int, Field(ge=1, le=MAX_ROUNDS)] = 5


class Party(_Strict):
    label: str
    role: Literal["mediator", "principal", "observer"]
    capability: Annotated[float, Field(gt=0.0, allow_inf_nan=False)] = 1.0
    ideal: dict[str, UnitFloat]
    salience: dict[str, NonNegFloat]
    shape: Shape = "linear"
    shapes: dict[str, Shape] = {}
    tolerance: Annotated[float, Field(gt=0.0, le=1.0, allow_inf_nan=False)] = 0.3
    red_lines: dict[str, Bound] = {}
    insists_on: tuple[str, ...] = ()
    reservation: Reservation | None = None
    tactic: Tactic | None = None
    noise: NonNegFloat = 0.0
    veto: Veto | None = None
    walkout: Walkout = Walkout()
    advice_weight: NonNegFloat = 0.0

    @model_validator(mode="after")
    def _principal_needs(self) -> Party:
        if self.role == "principal":
            if self.reservation is None:
                raise ValueError("a principal needs a [reservation] table")
            if self.tactic is None:
                raise ValueError("a principal needs a [tactic] table")
        return self


class Leverage(_Strict):
    """Threats the mediator can make to one principal, per round."""

    per_round: NonNegFloat = 0.0
    credibility: UnitFloat = 1.0
    maximum: NonNegFloat = 0.0
    start_round: Annotated[int, Field(ge=0, le=MAX_ROUNDS)] = 0


class Bracketing(_Strict):
    enabled: bool = False
    after: Annotated[int, Field(ge=1, le=MAX_ROUNDS)] = 4
    threshold: NonNegFloat = 0.05


class Mediator(_Strict):
    """The mediator owns the single negotiating text (Raiffa) and revises it.

    Its payoff is its own clause utility, plus ``deal_bonus`` for a deal,
    minus ``impatience`` per round used; impatience also makes its threats
    grow by that fraction each round.
    """

    party: str
    start_text: str
    bias: Annotated[float, Field(ge=-1.0, le=1.0, allow_inf_nan=False)] = 0.0
    own_weight: NonNegFloat = 0.0
    step: Annotated[float, Field(gt=0.0, le=0.25, allow_inf_nan=False)] = 0.05
    deal_bonus: NonNegFloat = 0.0
    impatience: NonNegFloat = 0.0
    leverage: dict[str, Leverage] = {}
    bracketing: Bracketing = Bracketing()


class Channel(_Strict):
    """A directed edge of the mediation graph (both ways unless ``both_ways`` is false)."""

    source: str = Field(alias="from")
    target: str = Field(alias="to")
    label: str = ""
    latency: Annotated[int, Field(ge=1, le=60)] = 1
    reliability: Annotated[float, Field(gt=0.0, le=1.0, allow_inf_nan=False)] = 1.0
    clauses: tuple[str, ...] | None = None
    both_ways: bool = True


class Deadline(_Strict):
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
    kind: Literal["hard", "soft", "absent"]
    on_expiry: Literal["end", "pressure"] = "end"
    extension_prob: UnitFloat = 0.0
    extension_days: Annotated[int, Field(ge=1, le=3650)] = 7
    max_extensions: Annotated[int, Field(ge=0, le=100)] = 3


class Calendar(_Strict):
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


class Battlefield(_Strict):
    """Share of contested territory held by Moscow, a random walk per round."""

    territory: UnitFloat = 0.5
    drift: FiniteFloat = 0.0
    volatility: NonNegFloat = 0.0


class Distribution(_Strict):
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


class Meta(_Strict):
    name: str
    description: str = ""
    poles: tuple[str, str] = ("the low pole", "the high pole")


class Scenario(_Strict):
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
        return [p for p, v in self.parties.items() if v.role == "principal"]

    @property
    def observers(self) -> list[str]:
        return [p for p, v in self.parties.items() if v.role == "observer"]

    @cached_property
    def plain(self) -> dict:
        """The scenario as plain dicts and lists (for key-path lookups)."""
        return self.model_dump(mode="python", by_alias=True)

    @cached_property
    def routes(self):
        """Message routes over the mediation graph, computed once per scenario."""
        from negosim.graph import compute_routes

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
            _set_path(raw, path, value, self.source)
            raw["uncertainty"].pop(path, None)
        return build_scenario(raw, self.source)


def _set_path(raw: dict, path: str, value: object, source: str) -> None:
    node: object = raw
    parts = path.split(".")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, dict) and part in node:
            if last:
                node[part] = value
            else:
                node = node[part]
        elif isinstance(node, (list, tuple)) and part.isdigit() and int(part) < len(node):
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
        else:
            raise ScenarioError(source, path, "a key path that exists in the scenario")


def lookup(raw: object, path: str) -> object:
    """The value at a dotted key path of a plain dict/list tree, or KeyError."""
    node = raw
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, (list, tuple)) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(path)
    return node


def _loc_path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def _explain(err: dict) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        return "a value (the key is required)"
    if kind == "extra_forbidden":
        return "no such key (unknown key; check its spelling)"
    if kind in ("finite_number",):
        return "a finite number (NaN and infinity are not allowed)"
    msg = msg.removeprefix("Value error, ")
    return msg[0].lower() + msg[1:] if msg else kind


def validation_error(exc: ValidationError, source: str) -> ScenarioError:
    """The first problem pydantic found, as a one-line ScenarioError."""
    err = exc.errors()[0]
    return ScenarioError(source, _loc_path(err["loc"]), _explain(err))


def build_scenario(raw: dict, source: str = "<memory>") -> Scenario:
    """Validate a plain dict (as read from TOML) into a :class:`Scenario`."""
    if not isinstance(raw, dict):
        raise ScenarioError(source, "", "a table of scenario keys")
    try:
        scenario = Scenario.model_validate({**raw, "source": source})
    except ValidationError as exc:
        raise validation_error(exc, source) from None
    _check_references(scenario, raw, source)
    return scenario


def _check_references(s: Scenario, raw: dict, source: str) -> None:
    """Cross-references pydantic cannot see: ids, graph reachability, texts."""
    clause_ids = s.clause_ids
    known = set(clause_ids)
    if len(known) != len(clause_ids):
        dup = next(c for c in clause_ids if clause_ids.count(c) > 1)
        raise ScenarioError(source, "clauses", f"unique clause ids (duplicate {dup!r})")

    def need_clause(key: str, cid: str) -> None:
        if cid not in known:
            raise ScenarioError(source, key, f"a known clause id (got {cid!r})")

    for name, text in s.texts.items():
        missing = [c for c in clause_ids if c not in text.values]
        if missing:
            raise ScenarioError(source, f"texts.{name}.values", f"a value for every clause (missing {missing[0]})")
        for cid in text.values:
            need_clause(f"texts.{name}.values.{cid}", cid)
        for field in ("bracketed", "dropped"):
            for cid in getattr(text, field):
                need_clause(f"texts.{name}.{field}", cid)

    def need_text(key: str, name: str | None) -> None:
        if name is not None and name not in s.texts:
            raise ScenarioError(source, key, f"the name of a text under [texts] (got {name!r})")

    need_text("mediator.start_text", s.mediator.start_text)
    need_text("index_from", s.index_from)
    need_text("index_to", s.index_to)
    if (s.index_from is None) != (s.index_to is None):
        raise ScenarioError(source, "index_to", "index_from and index_to given together")

    for pid, party in s.parties.items():
        base = f"parties.{pid}"
        for field in ("ideal", "salience", "shapes", "red_lines"):
            for cid in getattr(party, field):
                need_clause(f"{base}.{field}.{cid}", cid)
        for field in ("ideal", "salience"):
            missing = [c for c in clause_ids if c not in getattr(party, field)]
            if missing:
                raise ScenarioError(source, f"{base}.{field}", f"a value for every clause (missing {missing[0]})")
        if sum(party.salience.values()) <= 1e-9:
            raise ScenarioError(source, f"{base}.salience", "at least one positive salience (they sum to zero)")
        for cid in party.insists_on:
            need_clause(f"{base}.insists_on", cid)
        if party.veto is not None:
            need_text(f"{base}.veto.reference", party.veto.reference)
            for cid in party.veto.clauses:
                need_clause(f"{base}.veto.clauses", cid)
        for cid, bound in party.red_lines.items():
            ideal = party.ideal[cid]
            if not bound.min <= ideal <= bound.max:
                raise ScenarioError(source, f"{base}.red_lines.{cid}", "a range that contains the party's own ideal point")

    med = s.mediator
    if med.party not in s.parties:
        raise ScenarioError(source, "mediator.party", f"a party id (got {med.party!r})")
    if s.parties[med.party].role != "mediator":
        raise ScenarioError(source, f"parties.{med.party}.role", "'mediator' for the party named in [mediator]")
    roles = [p.role for p in s.parties.values()]
    if roles.count("mediator") != 1:
        raise ScenarioError(source, "parties", "exactly one party with role 'mediator'")
    if not s.principals:
        raise ScenarioError(source, "parties", "at least one party with role 'principal'")
    for pid in med.leverage:
        if pid not in s.principals:
            raise ScenarioError(source, f"mediator.leverage.{pid}", "the id of a principal")

    for i, ch in enumerate(s.channels):
        for end in ("source", "target"):
            pid = getattr(ch, end)
            if pid not in s.parties:
                raise ScenarioError(source, f"channels.{i}.{'from' if end == 'source' else 'to'}", f"a party id (got {pid!r})")
        if ch.source == ch.target:
            raise ScenarioError(source, f"channels.{i}", "a channel between two different parties")
        for cid in ch.clauses or ():
            need_clause(f"channels.{i}.clauses", cid)

    from negosim.graph import unreachable_parties  # graph logic lives in graph.py

    for pid, direction in unreachable_parties(s):
        route = f"from the mediator to {pid!r}" if direction == "from" else f"from {pid!r} to the mediator"
        raise ScenarioError(source, "channels", f"a route carrying whole texts {route}")

    for i, d in enumerate(s.deadlines):
        if d.party is not None and d.party not in s.principals:
            raise ScenarioError(source, f"deadlines.{i}.party", f"the id of a principal (got {d.party!r})")
        if not s.calendar.start <= d.date <= s.calendar.horizon:
            raise ScenarioError(source, f"deadlines.{i}.date", "a date between calendar.start and calendar.horizon")

    plain = s.model_dump(mode="python", by_alias=True)
    for path in s.uncertainty:
        key = f"uncertainty.{path}"
        if path.startswith("uncertainty"):
            raise ScenarioError(source, key, "a key path outside [uncertainty]")
        try:
            value = lookup(plain, path)
        except KeyError:
            raise ScenarioError(source, key, "a key path to a number in this scenario") from None
        if isinstance(value, bool) or not isinstance(value, float):
            raise ScenarioError(source, key, "a key path to a real-valued parameter (not an id, date, count or flag)")
        if not math.isfinite(value):
            raise ScenarioError(source, key, "a finite base value")


def read_toml(path: str | Path) -> tuple[dict, str]:
    """Parse a TOML file as data; (table, source name) or a one-line ScenarioError."""
    path = Path(path)
    source = str(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), source
    except FileNotFoundError:
        raise ScenarioError(source, "", "an existing file") from None
    except IsADirectoryError:
        raise ScenarioError(source, "", "a file, not a directory") from None
    except UnicodeDecodeError:
        raise ScenarioError(source, "", "UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, "", f"valid TOML ({exc})") from None
    except OSError as exc:
        raise ScenarioError(source, "", f"a readable file ({exc.strerror})") from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file.

    Raises :class:`ScenarioError` (one line: file, key path, what was expected)
    for a missing file, bad TOML, or values that do not make a scenario.
    """
    raw, source = read_toml(path)
    return build_scenario(raw, source)
