"""Zeuthen's monotonic concession between two principals of a scenario, over the clause space.

Harsanyi showed it ends at the Nash bargaining solution. A small Mesa model in
the house style (see :mod:`negosim.protocols.alternating`): one agent per
principal acting on every world at once, per-world random streams.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import mesa
import numpy as np
import pandas as pd

from negosim.engine.params import ModelParams
from negosim.engine.streams import WorldStreams, world_seeds
from negosim.engine.utility import Preferences, evaluate
from negosim.protocols.alternating import agreed_share
from negosim.protocols.contract_curve import contract_curve
from negosim.scenario import Scenario, load_scenario

_TOL = 1e-12


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
    >>> m = ZeuthenModel(load_scenario("teaching_two_party"), seeds=[1], noise=0.0).run()
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
        self.party_ids = _two_parties(s, parties)
        if not (0 < step <= 1) or min_step <= 0 or max_rounds < 1:
            raise ValueError("step must be in (0, 1], min_step positive, max_rounds at least 1")
        self.n_worlds = W = self.seeds.size
        self.clause_ids = s.clause_ids
        self.max_rounds, self.step_size, self.min_step = int(max_rounds), float(step), float(min_step)
        self.recording = W == 1 if record is None else record

        self.streams = WorldStreams(self.seeds)
        self.params = params = ModelParams.build(s, self.streams)
        index = [s.party_ids.index(p) for p in self.party_ids]
        self.prefs = params.prefs.subset(index)
        self.reservation = np.column_stack([np.broadcast_to(params.reservation.base[..., i], (W,)) for i in index])
        if noise is None:
            self.noise = np.column_stack([np.broadcast_to(params.tactics.noise[..., i], (W,)) for i in index])
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
            model_reporters={
                "agreed": agreed_share,
                "conceding_first": _conceding(0),
                "conceding_second": _conceding(1),
            }
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
        who = np.where(
            same | (first & second & (nash[0] == nash[1])),
            "both",
            np.where(take_second, self.party_ids[1], self.party_ids[0]),
        )
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
        crossed = (
            self.active
            & self.conceding.all(axis=1)
            & (target[:, 0] >= self.position[:, 1])
            & (target[:, 1] <= self.position[:, 0])
        )
        middle = (self.position[:, 0] + self.position[:, 1]) // 2
        target = np.where(crossed[:, None], middle[:, None], target)
        below = np.column_stack(
            [self.utility_of(target[:, side], side) < self.reservation[:, side] - _TOL for side in (0, 1)]
        )
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
            "seed": self.seeds,
            "status": self.status.astype(str),
            "round": self.end_round,
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
        pick = (lambda a: a[rows]) if p.ideal.shape[0] > 1 else (lambda a: a)
        sub = Preferences(
            ideal=pick(p.ideal), salience=pick(p.salience), shape=p.shape, tolerance=p.tolerance, insists=p.insists
        )
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
                    row.update(
                        {f"utility_{q}": self.utility_of(position[:, side], s)[w] for s, q in enumerate(self.party_ids)}
                    )
                    rows.append(row)
        return pd.DataFrame(rows)


def _two_parties(scenario: Scenario, parties: tuple[str, str] | None) -> tuple[str, str]:
    chosen = tuple(parties) if parties is not None else tuple(scenario.principals[:2])
    if len(chosen) != 2 or any(p not in scenario.parties for p in chosen) or chosen[0] == chosen[1]:
        raise ValueError(f"Zeuthen needs two distinct parties of the scenario, got {chosen!r}")
    return chosen


def _conceding(side: int):
    def reporter(model: ZeuthenModel) -> float:
        return float(model.conceding[:, side].mean())

    return reporter
