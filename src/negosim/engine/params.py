"""A scenario's numbers as per-world arrays: the only place the engine reads key paths.

:class:`WorldParams` looks a value up by key path and, for a path listed under
``[uncertainty]``, draws one value per world from that world's own stream, so
the draw depends only on the seed. A certain value comes back with a leading
axis of length 1 (it broadcasts). :class:`ModelParams` reads every parameter
the dynamics use, once, into named arrays; agents and the model read those.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betaincinv, ndtri

from negosim.engine.battlefield import ReservationModel
from negosim.engine.streams import WorldStreams
from negosim.engine.utility import Preferences
from negosim.errors import ScenarioError
from negosim.scenario.keypaths import lookup
from negosim.scenario.ranges import FieldRange, field_range
from negosim.scenario.schema import Distribution, Scenario
from negosim.vocabulary import ClauseStatus, DeadlineKind, SigningRule, TacticKind


def draw(dist: Distribution, u: np.ndarray, valid: FieldRange | None = None) -> np.ndarray:
    """Map uniforms ``u`` in (0, 1) to draws of ``dist`` by inversion, kept inside its support
    and the field's ``valid`` range (a normal is truncated there by clipping; rounding never
    leaves it either, and a strict bound is kept by its nearest representable neighbour).

    >>> from negosim.scenario.ranges import FieldRange
    >>> dist = Distribution(dist="normal", mean=0.9, sd=1.0)
    >>> draw(dist, np.array([0.01, 0.5, 0.99]), FieldRange(0.0, 1.0, low_open=True)).tolist()
    [5e-324, 0.9, 1.0]
    """
    lo, hi = dist.support()
    if dist.dist == "uniform":
        x = lo + (hi - lo) * u
    elif dist.dist == "normal":
        x = dist.mean + dist.sd * ndtri(u)
    elif dist.dist == "triangular":
        mode = dist.mode
        cut = (mode - lo) / (hi - lo) if hi > lo else 0.0
        left = lo + np.sqrt(u * (hi - lo) * (mode - lo))
        right = hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode))
        x = np.where(u < cut, left, right)
    else:  # beta on [low, high] (default [0, 1])
        x = lo + (hi - lo) * betaincinv(dist.a, dist.b, u)
    return np.clip(x, *dist.bounds(valid or FieldRange()))


class WorldParams:
    """Parameter lookup by key path, one value per world where uncertain."""

    def __init__(self, scenario: Scenario, streams: WorldStreams):
        self.scenario = scenario
        self._plain = scenario.plain
        self._draws: dict[str, np.ndarray] = {}
        self.read: set[str] = set()  # the uncertain paths the engine has read (see unread)
        for path, dist in scenario.uncertainty.items():
            if not dist.discrete:  # a choice picks the world's variant before the model is built
                valid = field_range(type(scenario), path)
                self._draws[path] = draw(dist, streams.uniform(f"uncertainty:{path}", 0), valid)

    def value(self, path: str, default: float | None = None) -> np.ndarray:
        """Shape (1,) for a certain value, (W,) for an uncertain one."""
        if path in self._draws:
            self.read.add(path)
            return self._draws[path]
        try:
            raw = lookup(self._plain, path)
        except KeyError:
            if default is None:
                raise
            raw = default
        return np.array([float(default if raw is None else raw)])

    def clause_vector(self, prefix: str, clause_ids: list[str], default: float = 0.0) -> np.ndarray:
        """Values of ``prefix.<clause>`` for every clause, shape (1|W, K)."""
        try:
            table = lookup(self._plain, prefix)
        except KeyError:
            table = {}
        base = np.array([[float(table.get(c, default)) for c in clause_ids]])
        uncertain = [k for k, cid in enumerate(clause_ids) if f"{prefix}.{cid}" in self._draws]
        if not uncertain:
            return base
        out = np.repeat(base, max(self._draws[f"{prefix}.{clause_ids[k]}"].size for k in uncertain), axis=0)
        for k in uncertain:
            out[:, k] = self._draws[f"{prefix}.{clause_ids[k]}"]
            self.read.add(f"{prefix}.{clause_ids[k]}")
        return out

    def per_party(self, field: str, default: float) -> np.ndarray:
        """``parties.<P>.<field>`` for every party, (1|W, P)."""
        return _columns([self.value(f"parties.{pid}.{field}", default) for pid in self.scenario.party_ids])

    def check_all_read(self) -> None:
        """Refuse a per-world draw the dynamics never read (it would be reported, but not used)."""
        unread = sorted(set(self._draws) - self.read)
        if unread:
            raise ScenarioError(
                self.scenario.source,
                f"uncertainty.{unread[0]}",
                'a key path the engine draws per world (draw this one with dist = "choice")',
            )

    @property
    def drawn(self) -> dict[str, np.ndarray]:
        """The per-world draws, by key path (for the outcome table)."""
        return dict(self._draws)


def _columns(columns: list[np.ndarray]) -> np.ndarray:
    """Per-party (1|W,) columns stacked into (1|W, P)."""
    width = max(c.shape[0] for c in columns)
    return np.ascontiguousarray(np.stack([np.broadcast_to(c, (width,)) for c in columns], axis=1))


def preferences(scenario: Scenario, params: WorldParams) -> Preferences:
    """Every party's ideal points, saliences, value shapes and insistence, (1|W, P, K)."""
    clause_ids = scenario.clause_ids
    ideal, salience, shapes, tol, insists = [], [], [], [], []
    for pid, party in scenario.parties.items():
        ideal.append(np.clip(params.clause_vector(f"parties.{pid}.ideal", clause_ids), 0.0, 1.0))
        salience.append(np.maximum(params.clause_vector(f"parties.{pid}.salience", clause_ids), 0.0))
        shapes.append([party.shapes.get(c, party.shape).code for c in clause_ids])
        tol.append(party.tolerance)
        insists.append([c in party.insists_on for c in clause_ids])
    width = max(a.shape[0] for a in ideal + salience)

    def stack(arrays: list[np.ndarray]) -> np.ndarray:
        # C order: stacking broadcast views can give a clause-major layout, and a sum over clauses
        # then runs in a different order for a batch than for one world (a last-digit difference).
        stacked = np.stack([np.broadcast_to(a, (width, len(clause_ids))) for a in arrays], axis=1)
        return np.ascontiguousarray(stacked)

    return Preferences(
        ideal=stack(ideal),
        salience=stack(salience),
        shape=np.array(shapes, dtype=np.int8),
        tolerance=np.array(tol)[:, None],
        insists=np.array(insists, dtype=bool),
    )


@dataclass(frozen=True)
class TacticParams:
    """How each party concedes: arrays (1|W, P) unless noted. ``clock`` is the round its
    concession clock runs to when no deadline binds it (its own sense of time; inf if none)."""

    kind: tuple[TacticKind, ...]  # (P,)
    signs: tuple[SigningRule, ...]  # (P,)
    clock: np.ndarray
    initial: np.ndarray
    exponent: np.ndarray
    reciprocity: np.ndarray
    noise: np.ndarray
    walkout_margin: np.ndarray
    walkout_patience: np.ndarray  # (P,)


@dataclass(frozen=True)
class MediatorParams:
    """The mediator's revision, leverage, bracketing and deferral: (1|W,) or (1|W, P) arrays."""

    step: np.ndarray
    own_weight: np.ndarray
    impatience: np.ndarray
    deal_bonus: np.ndarray
    weights: np.ndarray  # how much each party's objections pull the text, after bias
    leverage_per_round: np.ndarray
    leverage_credibility: np.ndarray
    leverage_max: np.ndarray
    leverage_start: np.ndarray  # (P,) rounds
    hull_low: np.ndarray  # (1|W, K): the text never leaves the hull of the ideals that pull it
    hull_high: np.ndarray
    bracketing: bool
    bracket_after: int
    bracket_threshold: np.ndarray  # (1|W, 1)
    deferral: bool
    defer_after: int
    defer_most: int
    defer_threshold: float
    deferrable: np.ndarray  # (K,) clauses it may send to another track
    insists: np.ndarray  # (K,) clauses it keeps on the table


@dataclass(frozen=True)
class ModelParams:
    """Everything the dynamics read from a scenario, per world where uncertain.

    ``reference`` maps a text's name to its values (K,) and statuses (K,);
    ``red_low``/``red_high`` are red-line bounds (1|W, P, K); ``veto_tolerance``
    maps a principal with a veto to its tolerance (1|W,); ``extension_prob``
    lists the chance of extension of each live deadline (1|W,); ``ratification_pass``
    the chance each ratification vote passes (1|W,).
    """

    prefs: Preferences
    reservation: ReservationModel
    tactics: TacticParams
    mediator: MediatorParams
    red_low: np.ndarray
    red_high: np.ndarray
    veto_tolerance: dict[str, np.ndarray]
    reference: dict[str, tuple[np.ndarray, np.ndarray]]
    territory: np.ndarray
    drift: np.ndarray
    volatility: np.ndarray
    extension_prob: list[np.ndarray]
    ratification_pass: list[np.ndarray]
    channel_reliability: np.ndarray | None  # (W, C) where some channel's reliability is drawn, else None
    drawn: dict[str, np.ndarray]

    @classmethod
    def build(cls, scenario: Scenario, streams: WorldStreams) -> ModelParams:
        values = WorldParams(scenario, streams)
        prefs = preferences(scenario, values)
        reservation = ReservationModel(
            **{
                field: values.per_party(f"reservation.{field}", 0.0)
                for field in ("base", "territory_weight", "expected_drift", "lookahead", "war_cost")
            }
        )
        params = cls(
            prefs=prefs,
            reservation=reservation,
            tactics=_tactics(scenario, values),
            mediator=_mediator(scenario, values, prefs),
            red_low=_stacked([_bound(scenario, values, pid, "min", 0.0) for pid in scenario.party_ids]),
            red_high=_stacked([_bound(scenario, values, pid, "max", 1.0) for pid in scenario.party_ids]),
            veto_tolerance={
                pid: values.value(f"parties.{pid}.veto.tolerance")
                for pid, p in scenario.parties.items()
                if p.veto is not None
            },
            reference=_reference_texts(scenario),
            territory=values.value("battlefield.territory"),
            drift=values.value("battlefield.drift"),
            volatility=values.value("battlefield.volatility"),
            extension_prob=[
                values.value(f"deadlines.{j}.extension_prob")
                for j, d in enumerate(scenario.deadlines)
                if d.kind != DeadlineKind.ABSENT
            ],
            ratification_pass=[
                values.value(f"ratifications.{j}.pass_prob") for j in range(len(scenario.ratifications))
            ],
            channel_reliability=_channel_reliability(scenario, values),
            drawn=values.drawn,
        )
        values.check_all_read()
        return params


def _tactics(scenario: Scenario, values: WorldParams) -> TacticParams:
    parties = scenario.parties
    exponents = []
    for pid, p in parties.items():
        base = p.tactic.effective_exponent if p.tactic else 1.0
        exponents.append(np.maximum(values.value(f"parties.{pid}.tactic.exponent", base), 1e-3))
    horizon = values.per_party("time.horizon_days", np.inf)
    return TacticParams(
        kind=tuple(p.tactic.kind if p.tactic else TacticKind.LINEAR for p in parties.values()),
        signs=tuple(p.signs for p in parties.values()),
        clock=horizon / scenario.calendar.round_days,
        initial=values.per_party("tactic.initial", 1.0),
        exponent=_columns(exponents),
        reciprocity=values.per_party("tactic.reciprocity", 1.0),
        noise=values.per_party("noise", 0.0),
        walkout_margin=values.per_party("walkout.margin", 0.1),
        walkout_patience=np.array([p.walkout.patience for p in parties.values()]),
    )


def _mediator(scenario: Scenario, values: WorldParams, prefs: Preferences) -> MediatorParams:
    med, ids = scenario.mediator, scenario.party_ids
    bias = values.value("mediator.bias")
    # Which side a party is on: -1 the low pole, +1 the high pole (salience-weighted).
    side = np.sign(((prefs.ideal - 0.5) * prefs.salience).sum(axis=-1))
    # The signatories' objections share a weight of 1; a represented principal is heard like an
    # observer (its advice_weight): the mediator negotiates with its representative.
    is_signatory = np.array([p in scenario.signatories for p in ids])
    raw = np.where(is_signatory, values.per_party("capability", 1.0) * np.maximum(1.0 + bias[:, None] * side, 0.0), 0.0)
    total = raw.sum(axis=1, keepdims=True)
    weights = np.where(total > 0, raw / np.where(total > 0, total, 1.0), is_signatory / is_signatory.sum())
    weights = weights + np.where(is_signatory, 0.0, values.per_party("advice_weight", 0.0))

    def leverage(field: str, default: float) -> np.ndarray:
        return _columns(
            [values.value(f"mediator.leverage.{p}.{field}") if p in med.leverage else np.array([default]) for p in ids]
        )

    pulls = is_signatory[:, None]
    if med.own_weight > 0 or "mediator.own_weight" in scenario.uncertainty:
        pulls = pulls | (np.arange(len(ids)) == ids.index(med.party))[:, None]
    return MediatorParams(
        step=values.value("mediator.step"),
        own_weight=values.value("mediator.own_weight"),
        impatience=values.value("mediator.impatience"),
        deal_bonus=values.value("mediator.deal_bonus"),
        weights=weights,
        leverage_per_round=leverage("per_round", 0.0),
        leverage_credibility=leverage("credibility", 1.0),
        leverage_max=leverage("maximum", 0.0),
        leverage_start=np.array([med.leverage[p].start_round if p in med.leverage else 0 for p in ids]),
        hull_low=np.where(pulls, prefs.ideal, np.inf).min(axis=1),
        hull_high=np.where(pulls, prefs.ideal, -np.inf).max(axis=1),
        bracketing=med.bracketing.enabled,
        bracket_after=med.bracketing.after,
        bracket_threshold=values.value("mediator.bracketing.threshold")[:, None],
        deferral=med.deferral.enabled,
        defer_after=med.deferral.after,
        defer_most=med.deferral.most,
        defer_threshold=med.deferral.threshold,
        deferrable=np.isin(
            scenario.clause_ids, scenario.clause_ids if med.deferral.clauses is None else med.deferral.clauses
        ),
        insists=np.isin(scenario.clause_ids, med.insists_on),
    )


def _stacked(rows: list[np.ndarray]) -> np.ndarray:
    """Per-party (1|W, K) arrays stacked into (1|W, P, K)."""
    width = max(r.shape[0] for r in rows)
    return np.ascontiguousarray(np.stack([np.broadcast_to(r, (width, r.shape[1])) for r in rows], axis=1))


def _bound(scenario: Scenario, values: WorldParams, pid: str, side: str, default: float) -> np.ndarray:
    """Red-line bounds of one party per clause, (1|W, K)."""
    party, clause_ids = scenario.parties[pid], scenario.clause_ids
    base = np.array([[getattr(party.red_lines[c], side) if c in party.red_lines else default for c in clause_ids]])
    columns = {
        k: values.value(f"parties.{pid}.red_lines.{cid}.{side}")
        for k, cid in enumerate(clause_ids)
        if f"parties.{pid}.red_lines.{cid}.{side}" in scenario.uncertainty
    }
    if not columns:
        return base
    out = np.repeat(base, max(c.size for c in columns.values()), axis=0)
    for k, column in columns.items():
        out[:, k] = column
    return out


def _reference_texts(scenario: Scenario) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each reference text's values (K,) and statuses (K,): open, bracketed, dropped or deferred."""
    out = {}
    for name, text in scenario.texts.items():
        values = np.array([text.values[c] for c in scenario.clause_ids])
        status = np.array([_text_status(text, c) for c in scenario.clause_ids], dtype=np.int8)
        out[name] = (values, status)
    return out


def _channel_reliability(scenario: Scenario, values: WorldParams) -> np.ndarray | None:
    """Every channel's reliability per world (W, C), if any is drawn per world; else None."""
    paths = [f"channels.{c}.reliability" for c in range(len(scenario.channels))]
    if not any(path in scenario.uncertainty for path in paths):
        return None
    return _columns([values.value(path) for path in paths])


def _text_status(text, cid: str) -> ClauseStatus:
    for status, clauses in ((ClauseStatus.BRACKETED, text.bracketed), (ClauseStatus.DROPPED, text.dropped),
                            (ClauseStatus.DEFERRED, text.deferred)):  # fmt: skip
        if cid in clauses:
            return status
    return ClauseStatus.OPEN
