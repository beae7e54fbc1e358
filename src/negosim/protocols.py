"""Two textbook bargaining protocols, for teaching and for validating the engine.

Each is a small Mesa model in the house style: one Mesa agent per party whose
methods act on every world at once, state arrays with a leading world axis,
and every random number drawn from the world's own stream
(:class:`~negosim.streams.WorldStreams`), so a world's result depends only on
its seed and never on the global random state.

* :class:`AlternatingOffersModel`: Rubinstein's alternating offers over a pie
  of size 1, played with the finite-horizon subgame-perfect strategies.
* :class:`ZeuthenModel`: Zeuthen's monotonic concession between two principals
  of a scenario, over the continuous clause space; Harsanyi showed it ends at
  the Nash bargaining solution.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import mesa
import numpy as np
import pandas as pd

from negosim.params import WorldParams
from negosim.scenario import Scenario, load_scenario
from negosim.streams import WorldStreams, world_seeds
from negosim.utility import Preferences, clause_values, evaluate, preferences_from

_TOL = 1e-12



# =============================================================================
# Rubinstein: alternating offers
# =============================================================================


def rubinstein_share(d1: float | np.ndarray, d2: float | np.ndarray) -> float | np.ndarray:
    """First proposer's share in the infinite-horizon equilibrium, (1 - d2) / (1 - d1 d2)."""
    return (1.0 - np.asarray(d2)) / (1.0 - np.asarray(d1) * np.asarray(d2))


def proposer_shares(d1: np.ndarray, d2: np.ndarray, horizon: int) -> np.ndarray:
    """Backward induction: ``v[t]`` is the proposer's share in round ``t`` of the
    subgame-perfect equilibrium of the game truncated after ``horizon`` rounds.

    Party 0 proposes in odd rounds. No agreement by the horizon pays both 0, so
    the last proposer takes everything (``v[horizon] = 1``, ``v[horizon + 1] = 0``)
    and earlier ``v[t] = 1 - d_r v[t + 1]`` with ``d_r`` the responder's discount
    factor. Shape ``(horizon + 2, W)``; row 0 is unused.

    >>> round(float(proposer_shares(np.array([0.9]), np.array([0.8]), 2)[1, 0]), 6)  # 1 - d2
    0.2
    """
    d1, d2 = np.broadcast_arrays(np.atleast_1d(d1), np.atleast_1d(d2))
    v = np.zeros((horizon + 2, d1.size))
    for t in range(horizon, 0, -1):
        responder = d2 if t % 2 == 1 else d1
        v[t] = 1.0 - responder * v[t + 1]
    return v


class Bargainer(mesa.Agent):
    """One side of the pie; ``index`` 0 proposes first.

    It solves the truncated game by backward induction once, then plays it: as
    responder in round ``t`` it accepts any share at least ``d_own v[t + 1]``
    (what it gets by proposing next round, discounted), plus its decision noise;
    as proposer it offers the responder exactly the responder's threshold.
    """

    model: AlternatingOffersModel

    def __init__(self, model: AlternatingOffersModel, index: int):
        super().__init__(model)
        self.index = index
        own, other = model.discount[:, index], model.discount[:, 1 - index]
        value = proposer_shares(model.discount[:, 0], model.discount[:, 1], model.horizon)
        upcoming = np.vstack([value[1:], np.zeros((1, model.n_worlds))])  # v[t + 1], by t
        self.threshold = own * upcoming  # smallest share it accepts when responding in round t
        self.offer = other * upcoming  # share it offers the other when proposing in round t

    def propose(self) -> None:
        m = self.model
        if m.proposer == self.index:
            m.offer = np.where(m.active, self.offer[m.round], np.nan)

    def respond(self) -> None:
        m = self.model
        if m.proposer == self.index:
            return
        threshold = self.threshold[m.round]
        if m.noise > 0:
            threshold = threshold + m.noise * m.streams.normal(f"alternating:threshold:{self.index}", m.round)
        m.accepted = m.active & (m.offer >= threshold - _TOL)


class AlternatingOffersModel(mesa.Model):
    """Rubinstein's alternating offers over a pie of size 1, for many seeds.

    Party 0 proposes in odd rounds, party 1 in even ones; a share agreed in
    round ``t`` is worth ``d_i ** (t - 1)`` times itself to party ``i``. Both
    play the subgame-perfect strategies of the game truncated at ``horizon``,
    which converge to Rubinstein's as the horizon grows: the error in the first
    proposer's share is ``(d1 d2) ** floor((horizon - 1) / 2)`` times at most 1,
    so the default 200 rounds is within 1e-3 for ``d1 d2`` up to about 0.93; use
    a longer horizon for patient parties (it costs nothing when agreement is
    immediate). ``noise`` (>= 0) adds a standard normal draw times ``noise`` to
    the responder's threshold in each world and round, so offers are
    sometimes refused and the ensemble spreads. ``discounts`` may be floats or
    arrays over worlds.

    >>> m = AlternatingOffersModel(discounts=(0.9, 0.9), seeds=[1, 2]).run()
    >>> m.outcomes()[["round", "share_first"]].round(4).values.tolist()
    [[1.0, 0.5263], [1.0, 0.5263]]
    """

    def __init__(
        self,
        discounts: tuple[float | np.ndarray, float | np.ndarray] = (0.9, 0.9),
        seeds: int | Sequence[int] | np.ndarray = 0,
        horizon: int = 200,
        noise: float = 0.0,
    ):
        self.seeds = world_seeds(seeds)
        super().__init__(rng=int(self.seeds[0]))  # Mesa's rng is never used: per-world streams are.
        self.n_worlds = W = self.seeds.size
        d = np.column_stack([np.broadcast_to(np.asarray(x, dtype=float), (W,)) for x in discounts])
        if d.shape != (W, 2) or not ((d > 0) & (d < 1)).all():
            raise ValueError("discounts must be two factors in (0, 1) (floats or arrays over worlds)")
        if int(horizon) < 1 or noise < 0:
            raise ValueError("horizon must be at least 1 and noise non-negative")
        self.discount, self.horizon, self.noise = d, int(horizon), float(noise)
        self.streams = WorldStreams(self.seeds)
        self.round = 1
        self.proposer = 0
        self.active = np.ones(W, dtype=bool)
        self.offer = np.full(W, np.nan)
        self.accepted = np.zeros(W, dtype=bool)
        self.agreed_round = np.full(W, -1, dtype=np.int64)
        self.share = np.full((W, 2), np.nan)
        for index in (0, 1):
            Bargainer(self, index)
        self.datacollector = mesa.DataCollector(model_reporters={"agreed": _agreed_share})

    def step(self) -> None:
        self.proposer = (self.round - 1) % 2
        self.accepted = np.zeros(self.n_worlds, dtype=bool)
        self.agents_by_type[Bargainer].do("propose")
        self.agents_by_type[Bargainer].do("respond")
        deal = self.accepted
        responder = 1 - self.proposer
        self.share[deal, responder] = self.offer[deal]
        self.share[deal, self.proposer] = 1.0 - self.offer[deal]
        self.agreed_round[deal] = self.round
        self.active &= ~deal
        self.datacollector.collect(self)
        self.round += 1
        self.running = bool(self.active.any()) and self.round <= self.horizon

    def run(self) -> AlternatingOffersModel:
        """Step until every world has agreed or the horizon has passed."""
        while self.running:
            self.step()
        return self

    def outcomes(self) -> pd.DataFrame:
        """Columns: seed, d1, d2, agreed, round (-1 if never), share_first,
        share_second (NaN if never), payoff_first, payoff_second (discounted to
        round 1; 0 if never)."""
        agreed = self.agreed_round > 0
        delay = np.maximum(self.agreed_round - 1, 0)[:, None]
        payoff = np.where(agreed[:, None], self.discount**delay * self.share, 0.0)
        return pd.DataFrame(
            {
                "seed": self.seeds,
                "d1": self.discount[:, 0],
                "d2": self.discount[:, 1],
                "agreed": agreed,
                "round": self.agreed_round,
                "share_first": self.share[:, 0],
                "share_second": self.share[:, 1],
                "payoff_first": payoff[:, 0],
                "payoff_second": payoff[:, 1],
            }
        )


def _agreed_share(model: mesa.Model) -> float:
    return float(1.0 - model.active.mean())


# =============================================================================
# Zeuthen: monotonic concession over the clause space
# =============================================================================


def _curve_vertices(prefs: Preferences, n_weights: int, n_grid: int) -> np.ndarray:
    """Texts maximising ``w U_a + (1 - w) U_b`` for ``w`` from 1 down to 0, (Wp, n_weights, K).

    Utilities are salience-weighted sums of per-clause values, so the maximum
    separates by clause. Each clause is maximised over candidates between the
    two ideals: a grid (exact enough for threshold shapes) plus the stationary
    points for quadratic/quadratic and linear/quadratic pairs (exact there;
    linear/linear optima are at the ideals, which the grid holds).
    """
    share = prefs.salience / np.maximum(prefs.salience.sum(axis=-1, keepdims=True), _TOL)  # (Wp, 2, K)
    w = np.linspace(1.0 - 1e-9, 1e-9, n_weights)[None, :, None]  # ties go to the other side (Pareto)
    wa, wb = w * share[:, None, 0], (1.0 - w) * share[:, None, 1]  # (Wp, n, K)
    ia, ib = prefs.ideal[:, None, 0], prefs.ideal[:, None, 1]  # (Wp, 1, K)
    ra, rb = prefs.inverse_span[:, None, 0], prefs.inverse_span[:, None, 1]
    lo, hi = np.minimum(ia, ib), np.maximum(ia, ib)
    direction = np.sign(ib - ia)
    with np.errstate(divide="ignore", invalid="ignore"):
        analytic = np.stack(
            [
                (wa * ra**2 * ia + wb * rb**2 * ib) / (wa * ra**2 + wb * rb**2),  # quadratic, quadratic
                ib - direction * wa * ra / (2.0 * wb * rb**2),  # linear a, quadratic b
                ia + direction * wb * rb / (2.0 * wa * ra**2),  # quadratic a, linear b
            ],
            axis=-2,
        )  # (Wp, n, 3, K)
    analytic = np.clip(np.where(np.isfinite(analytic), analytic, lo[:, :, None]), lo[:, :, None], hi[:, :, None])
    grid = lo[:, :, None] + (hi - lo)[:, :, None] * np.linspace(0.0, 1.0, n_grid)[None, None, :, None]
    candidates = np.concatenate([np.broadcast_to(grid, (*analytic.shape[:2], n_grid, analytic.shape[-1])), analytic], axis=-2)
    ideal = prefs.ideal[:, None, None]  # (Wp, 1, 1, 2, K)
    d = np.minimum(np.abs(candidates[..., None, :] - ideal) * prefs.inverse_span[:, None, None], 1.0)
    value, _ = clause_values(d, prefs)  # (Wp, n, C, 2, K)
    objective = wa[:, :, None] * value[..., 0, :] + wb[:, :, None] * value[..., 1, :]
    best = objective.argmax(axis=-2)[:, :, None, :]
    return np.take_along_axis(candidates, best, axis=-2)[:, :, 0, :]


def _densify(vertices: np.ndarray, spacing: float) -> np.ndarray:
    """Join consecutive vertices by straight steps no longer than ``spacing`` (max norm)."""
    gap = np.abs(np.diff(vertices, axis=0)).max(axis=1)
    keep = np.concatenate([[True], gap > _TOL])
    vertices = vertices[keep]
    if len(vertices) == 1:
        return vertices
    gap = np.abs(np.diff(vertices, axis=0)).max(axis=1)
    pieces = np.maximum(np.ceil(gap / spacing), 1).astype(int)
    cell = np.repeat(np.arange(len(gap)), pieces)
    frac = (np.arange(pieces.sum()) - np.repeat(np.cumsum(pieces) - pieces, pieces)) / np.repeat(pieces, pieces)
    points = vertices[cell] + (vertices[cell + 1] - vertices[cell]) * frac[:, None]
    return np.vstack([points, vertices[-1:]])


def contract_curve(
    prefs: Preferences, n_weights: int = 1025, spacing: float = 0.002, n_grid: int = 65
) -> tuple[np.ndarray, np.ndarray]:
    """The Pareto frontier of two parties as a path of texts from a's ideal to b's.

    ``prefs`` holds the two parties (``Preferences.subset``). Returns
    ``texts (Wp, L, K)`` and their utilities ``(Wp, L, 2)`` (from
    :func:`negosim.utility.evaluate`); a's utility falls and b's rises along
    the path. Vertices are weighted-sum maximisers; straight steps of at most
    ``spacing`` join them, which is exact across a linear clause's switch and
    otherwise close. With threshold shapes the utility set need not be convex
    and the path then only approximates the frontier. Paths of different
    preference draws are padded to one length by repeating b's ideal.
    """
    texts = []
    for w in range(prefs.ideal.shape[0]):
        one = Preferences(
            ideal=prefs.ideal[w : w + 1], salience=prefs.salience[w : w + 1], shape=prefs.shape,
            tolerance=prefs.tolerance, insists=prefs.insists,
        )
        texts.append(_densify(_curve_vertices(one, n_weights, n_grid)[0], spacing))
    length = max(len(t) for t in texts)
    texts = np.stack([np.vstack([t, np.repeat(t[-1:], length - len(t), axis=0)]) for t in texts])
    utility = np.empty((*texts.shape[:2], 2))
    for w in range(texts.shape[0]):
        one = Preferences(
            ideal=prefs.ideal[w : w + 1] if prefs.ideal.shape[0] > 1 else prefs.ideal,
            salience=prefs.salience[w : w + 1] if prefs.salience.shape[0] > 1 else prefs.salience,
            shape=prefs.shape, tolerance=prefs.tolerance, insists=np.zeros_like(prefs.insists),
        )
        utility[w] = evaluate(one, texts[w], np.zeros(texts[w].shape, dtype=np.int8))[0]
    return texts, utility


class ZeuthenParty(mesa.Agent):
    """A principal playing Zeuthen's strategy; ``side`` 0 starts at the path's start."""

    model: ZeuthenModel

    def __init__(self, model: ZeuthenModel, pid: str, side: int):
        super().__init__(model)
        self.pid, self.side, self.other = pid, side, 1 - side
        self.direction = 1 if side == 0 else -1  # along the path, towards the other's ideal

    def _own_and_theirs(self) -> tuple[np.ndarray, np.ndarray]:
        m = self.model
        return m.utility_of(m.position[:, self.side], self.side), m.utility_of(m.position[:, self.other], self.side)

    def respond(self) -> None:
        """Accept the other's proposal if it is worth at least one's own."""
        m = self.model
        own, theirs = self._own_and_theirs()
        m.accepts[:, self.side] = m.active & (theirs >= own - 1e-9)

    def assess(self) -> None:
        """Risk willingness Z = (U(own) - U(theirs)) / (U(own) - d), plus decision noise."""
        m = self.model
        own, theirs = self._own_and_theirs()
        room = own - m.reservation[:, self.side]
        z = np.where(room > _TOL, (own - theirs) / np.where(room > _TOL, room, 1.0), 0.0)
        noise = m.noise[:, self.side]
        if (noise > 0).any():
            z = z + noise * m.streams.normal(f"zeuthen:risk:{self.pid}", m.round)
        m.risk[:, self.side] = z

    def concede(self) -> None:
        """If its Z is the smaller (or equal), move along the contract curve.

        The new proposal is the first point towards the other's ideal that
        both raises the other's utility by ``max(step * gap, min_step)`` (gap:
        what the other asks for itself minus what it is offered) and makes the
        other's Z the smaller, Zeuthen's "concede just enough that the other
        must concede next". If no point before the other's proposal does, it
        moves onto the other's proposal (accepts it).
        """
        m, i, j = self.model, self.side, self.other
        conceding = m.active & (m.risk[:, i] <= m.risk[:, j] + _TOL)
        m.conceding[:, i] = conceding
        rows = np.flatnonzero(conceding)
        if rows.size == 0:
            return
        table = m.curve_utility[m.curve_of[rows]] if m.curve.shape[0] > 1 else m.curve_utility  # (n|1, L, 2)
        ui, uj = table[..., i], table[..., j]
        length = table.shape[1]
        at = np.arange(length)
        pos_i, pos_j = m.position[rows, i], m.position[rows, j]
        ui_theirs = m.utility_of(pos_j, i, rows)[:, None]
        uj_theirs, uj_mine = m.utility_of(pos_j, j, rows)[:, None], m.utility_of(pos_i, j, rows)[:, None]
        d_i, d_j = m.reservation[rows, i][:, None], m.reservation[rows, j][:, None]
        need = uj_mine + np.maximum(m.step_size * (uj_theirs - uj_mine), m.min_step)
        with np.errstate(divide="ignore", invalid="ignore"):
            z_i = (ui - ui_theirs) / (ui - d_i)
            z_j = (uj_theirs - uj) / (uj_theirs - d_j)
        flips = (ui > d_i) & (uj_theirs > d_j) & (z_i > z_j)
        ahead = (at[None, :] - pos_i[:, None]) * self.direction > 0
        before = (pos_j[:, None] - at[None, :]) * self.direction > 0
        ok = (uj >= need - _TOL) & flips & ahead & before
        if self.direction > 0:
            target = np.where(ok.any(axis=1), ok.argmax(axis=1), pos_j)
        else:
            target = np.where(ok.any(axis=1), length - 1 - ok[:, ::-1].argmax(axis=1), pos_j)
        m.target[rows, i] = target


class ZeuthenModel(mesa.Model):
    """Zeuthen's monotonic concession between two principals, for many seeds.

    Both sides know both utilities (complete information) and propose texts on
    the contract curve (:func:`contract_curve`), starting at their ideal
    points. Each round: a side accepts the other's proposal if it gives it at
    least what its own does (the accepted proposal is the agreement);
    otherwise each computes its risk willingness
    ``Z_i = (U_i(own) - U_i(other's)) / (U_i(own) - d_i)``, with ``d_i`` its
    reservation base value, perturbed by ``noise_i`` times a standard normal
    draw from its world's stream. The side with the smaller Z concedes (both
    if equal); see :meth:`ZeuthenParty.concede` for the rule: the smallest
    move along the curve that raises the opponent's utility by at least
    ``step`` times the gap between them (and by at least ``min_step``) and
    flips Z. A side that would have to fall below its reservation value breaks
    off (``breakdown``); no agreement by ``max_rounds`` is a ``deadlock``.
    Harsanyi: the side with the smaller Z is the one whose proposal has the
    smaller Nash product, so the sides close in on the Nash bargaining solution;
    the agreement is within about one curve step plus ``min_step`` of it.

    Why a fraction of the gap rather than a fixed utility step: the step sets
    both the speed and the final error. On the teaching scenario with A's
    reservation at 0.6 and the scenario's noise, a fixed step of 0.002 takes
    about 395 rounds and lands up to 0.009 from the Nash point, a step of 0.01
    about 120 rounds and 0.017; 5% of the gap takes about 97 rounds and lands
    within 0.002, since concessions shrink as the offers close in while
    ``min_step`` and the Z-flip still force progress at the end. The curve is computed once per
    distinct preference draw, so uncertain ideals or saliences cost one curve
    per world.

    ``parties``: the two principals (default: the scenario's first two).
    ``noise``: a float for both, or None for each party's scenario ``noise``.
    Reservation values and preferences drawn under ``[uncertainty]`` differ by
    world; with no noise and no uncertainty all worlds agree.

    >>> from negosim import load_scenario
    >>> m = ZeuthenModel(load_scenario("scenarios/teaching_two_party.toml"), seeds=[1], noise=0.0).run()
    >>> m.outcomes()[["x_X", "x_Y"]].round(2).values.tolist()
    [[0.3, 0.7]]
    """

    def __init__(
        self,
        scenario: Scenario | str | Path,
        seeds: int | Sequence[int] | np.ndarray = 0,
        max_rounds: int = 500,
        step: float = 0.05,
        *,
        min_step: float = 1e-4,
        noise: float | None = None,
        parties: tuple[str, str] | None = None,
        record: bool | None = None,
    ):
        self.seeds = world_seeds(seeds)
        super().__init__(rng=int(self.seeds[0]))  # Mesa's rng is never used: per-world streams are.
        self.spec = s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.party_ids = tuple(parties) if parties is not None else tuple(s.principals[:2])
        if len(self.party_ids) != 2 or any(p not in s.parties for p in self.party_ids) or self.party_ids[0] == self.party_ids[1]:
            raise ValueError(f"Zeuthen needs two distinct parties of the scenario, got {self.party_ids!r}")
        if not (0 < step <= 1) or min_step <= 0 or max_rounds < 1:
            raise ValueError("step must be in (0, 1], min_step positive, max_rounds at least 1")
        self.n_worlds = W = self.seeds.size
        self.clause_ids = s.clause_ids
        self.max_rounds, self.step_size, self.min_step = int(max_rounds), float(step), float(min_step)
        self.recording = W == 1 if record is None else record

        self.streams = WorldStreams(self.seeds)
        self.params = params = WorldParams(s, self.streams)
        index = [s.party_ids.index(p) for p in self.party_ids]
        self.prefs = preferences_from(s, params).subset(index)
        self.reservation = np.column_stack(
            [np.broadcast_to(params.value(f"parties.{p}.reservation.base", 0.0), (W,)) for p in self.party_ids]
        )
        if noise is None:
            self.noise = np.column_stack([np.broadcast_to(params.value(f"parties.{p}.noise", 0.0), (W,)) for p in self.party_ids])
        else:
            self.noise = np.full((W, 2), float(noise))
        self.curve, self.curve_utility = contract_curve(self.prefs)
        self.curve_of = np.arange(W) if self.curve.shape[0] > 1 else np.zeros(W, dtype=np.int64)
        last = self.curve.shape[1] - 1

        self.round = 1
        self.active = np.ones(W, dtype=bool)
        self.position = np.tile(np.array([0, last]), (W, 1))
        self.target = self.position.copy()
        self.accepts = np.zeros((W, 2), dtype=bool)
        self.conceding = np.zeros((W, 2), dtype=bool)
        self.risk = np.zeros((W, 2))
        self.status = np.full(W, "", dtype=object)
        self.end_round = np.full(W, -1, dtype=np.int64)
        self.accepted_from = np.full(W, "", dtype=object)
        self.agreement = np.full((W, len(self.clause_ids)), np.nan)
        self.history = [self.position.copy()] if self.recording else []
        for side, pid in enumerate(self.party_ids):
            ZeuthenParty(self, pid, side)
        self.datacollector = mesa.DataCollector(
            model_reporters={"agreed": _agreed_share, "conceding_first": _conceding(0), "conceding_second": _conceding(1)}
        )

    def utility_of(self, position: np.ndarray, side: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Utility to ``side`` of the curve point at ``position``, in every world or in ``rows``."""
        curve = self.curve_of if rows is None else self.curve_of[rows]
        return self.curve_utility[curve, position, side]

    def text_at(self, position: np.ndarray) -> np.ndarray:
        return self.curve[self.curve_of, position]

    def step(self) -> None:
        parties = self.agents_by_type[ZeuthenParty]
        self.conceding[:] = False
        parties.do("respond")
        self._settle_agreements()
        parties.do("assess")
        self.target = self.position.copy()
        parties.do("concede")
        self._move()
        if self.recording:
            self.history.append(self.position.copy())
        self.datacollector.collect(self)
        self.round += 1
        if self.round > self.max_rounds:
            self.status[self.active] = "deadlock"
            self.end_round[self.active] = self.max_rounds
            self.active[:] = False
        self.running = bool(self.active.any())

    def _settle_agreements(self) -> None:
        first, second = self.accepts[:, 0], self.accepts[:, 1]
        deal = self.active & (first | second)
        if not deal.any():
            return
        # One side accepting takes the other's proposal; both accepting (the same
        # text, or crossed offers) takes the proposal with the larger Nash product.
        nash = [self._nash(self.position[:, side]) for side in (0, 1)]
        take_second = first & (~second | (nash[1] > nash[0]))
        chosen = np.where(take_second, self.position[:, 1], self.position[:, 0])
        same = self.position[:, 0] == self.position[:, 1]
        who = np.where(same | (first & second & (nash[0] == nash[1])), "both", np.where(take_second, self.party_ids[1], self.party_ids[0]))
        self.agreement[deal] = self.text_at(chosen)[deal]
        self.accepted_from[deal] = who[deal]
        self.status[deal] = "deal"
        self.end_round[deal] = self.round
        self.active &= ~deal

    def _nash(self, position: np.ndarray) -> np.ndarray:
        gains = [self.utility_of(position, side) - self.reservation[:, side] for side in (0, 1)]
        return gains[0] * gains[1]

    def _move(self) -> None:
        target = self.target
        # Both conceding onto (or past) each other: meet half way along the curve.
        crossed = self.active & self.conceding.all(axis=1) & (target[:, 0] >= self.position[:, 1]) & (target[:, 1] <= self.position[:, 0])
        middle = (self.position[:, 0] + self.position[:, 1]) // 2
        target = np.where(crossed[:, None], middle[:, None], target)
        below = np.column_stack([self.utility_of(target[:, side], side) < self.reservation[:, side] - _TOL for side in (0, 1)])
        broke = self.active & (below & self.conceding).any(axis=1)
        self.status[broke] = "breakdown"
        self.end_round[broke] = self.round
        self.active &= ~broke
        self.position = np.where(self.active[:, None], target, self.position)

    def run(self) -> ZeuthenModel:
        """Step until every world has agreed, broken off or used ``max_rounds``."""
        while self.running:
            self.step()
        return self

    def outcomes(self) -> pd.DataFrame:
        """Columns: seed, status (deal | breakdown | deadlock), round (of the
        agreement or the end), accepted (whose proposal: a party id or "both"),
        ``x_<clause>`` (NaN without a deal), ``utility_<party>`` and
        ``reservation_<party>`` per side, nash_product (of the gains over the
        reservation values)."""
        if self.running:
            raise RuntimeError("outcomes are read after the run: call model.run() first")
        columns: dict[str, object] = {
            "seed": self.seeds, "status": self.status.astype(str), "round": self.end_round,
            "accepted": self.accepted_from.astype(str),
        }
        for k, cid in enumerate(self.clause_ids):
            columns[f"x_{cid}"] = self.agreement[:, k]
        deal = self.status == "deal"
        utility = np.full((self.n_worlds, 2), np.nan)
        if deal.any():
            utility[deal] = self._utility(np.flatnonzero(deal))
        for side, pid in enumerate(self.party_ids):
            columns[f"utility_{pid}"] = utility[:, side]
            columns[f"reservation_{pid}"] = self.reservation[:, side]
        columns["nash_product"] = (utility[:, 0] - self.reservation[:, 0]) * (utility[:, 1] - self.reservation[:, 1])
        return pd.DataFrame(columns)

    def _utility(self, rows: np.ndarray) -> np.ndarray:
        """Both sides' utilities (via :func:`evaluate`) of the agreements in ``rows``."""
        p = self.prefs
        pick = (lambda a: a[rows]) if p.ideal.shape[0] > 1 else (lambda a: a)  # noqa: E731
        sub = Preferences(ideal=pick(p.ideal), salience=pick(p.salience), shape=p.shape, tolerance=p.tolerance, insists=p.insists)
        values = self.agreement[rows]
        return evaluate(sub, values, np.zeros(values.shape, dtype=np.int8))[0]

    def path(self) -> pd.DataFrame:
        """The recorded proposals, one row per world, round and side (needs ``record``)."""
        if not self.recording:
            raise RuntimeError("construct the model with record=True to keep the concession path")
        rows = []
        last = np.where(self.end_round > 0, self.end_round, len(self.history))
        for r, position in enumerate(self.history, start=1):
            for side, pid in enumerate(self.party_ids):
                text = self.text_at(position[:, side])
                for w, seed in enumerate(self.seeds):
                    if r > last[w]:
                        continue
                    row = {"seed": int(seed), "round": r, "party": pid}
                    row.update({f"x_{cid}": text[w, k] for k, cid in enumerate(self.clause_ids)})
                    row.update({f"utility_{q}": self.utility_of(position[:, side], s)[w] for s, q in enumerate(self.party_ids)})
                    rows.append(row)
        return pd.DataFrame(rows)


def _conceding(side: int):
    def reporter(model: ZeuthenModel) -> float:
        return float(model.conceding[:, side].mean())

    return reporter
