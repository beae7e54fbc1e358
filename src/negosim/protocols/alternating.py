"""Rubinstein's alternating offers over a pie of size 1, for teaching and for validating the engine.

A small Mesa model in the house style: one Mesa agent per party whose methods
act on every world at once, state arrays with a leading world axis, and every
random number drawn from the world's own stream
(:class:`~negosim.engine.streams.WorldStreams`), so a world's result depends
only on its seed and never on the global random state.
"""

from __future__ import annotations

from collections.abc import Sequence

import mesa
import numpy as np
import pandas as pd

from negosim.engine.streams import WorldStreams, world_seeds

_TOL = 1e-12


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
        self.datacollector = mesa.DataCollector(model_reporters={"agreed": agreed_share})

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


def agreed_share(model: mesa.Model) -> float:
    """Share of worlds that have agreed (a reporter)."""
    return float(1.0 - model.active.mean())
