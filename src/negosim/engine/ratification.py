"""Ratification votes on signed deals (``[[ratifications]]``).

When a deal is signed in round r, each gate's vote falls in round
r + ⌈days / round_days⌉ and passes where the world's draw for that round and
gate is below its pass probability. Votes inside the calendar are counted; a
failed one makes the outcome ``rejected``; a vote after the horizon is not
held in the run (the deal is signed and not yet ratified).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from negosim.engine.model import NegotiationModel

NOT_HELD = -1


class Ratifications:
    """Each world's vote rounds and results, (W, gates): ``vote_round`` (-1 until a deal
    calls a vote inside the calendar) and ``passed``."""

    def __init__(self, model: NegotiationModel):
        self.model = model
        spec = model.spec
        self.delay = np.array([math.ceil(g.days / spec.calendar.round_days) for g in spec.ratifications], dtype=int)
        self.pass_prob = model.params.ratification_pass
        gates = len(self.delay)
        self.vote_round = np.full((model.n_worlds, gates), NOT_HELD, dtype=np.int32)
        self.passed = np.zeros((model.n_worlds, gates), dtype=bool)

    def __len__(self) -> int:
        return len(self.delay)

    def hold(self, signed: np.ndarray) -> np.ndarray:
        """Hold the votes on the deals ``signed`` this round (W,); the worlds whose deal
        a vote inside the calendar rejected (W,)."""
        m = self.model
        rejected = np.zeros(m.n_worlds, dtype=bool)
        for g, delay in enumerate(self.delay):
            when = m.round + int(delay)
            if when > m.rounds - 1:
                continue
            draw = m.streams.uniform_at("ratification", when, np.array([g]))[:, 0]
            passed = draw < self.pass_prob[g]
            self.vote_round[:, g] = np.where(signed, when, self.vote_round[:, g])
            self.passed[:, g] = np.where(signed, passed, self.passed[:, g])
            rejected |= signed & ~passed
        return rejected

    def ratified_round(self) -> np.ndarray:
        """The round each world's deal came into force (its last vote, all passed), -1 if not (W,)."""
        if not len(self):
            return np.full(self.model.n_worlds, NOT_HELD, dtype=np.int32)
        held = (self.vote_round >= 0).all(axis=1) & self.passed.all(axis=1)
        return np.where(held, self.vote_round.max(axis=1), NOT_HELD).astype(np.int32)

    def rejected_round(self) -> np.ndarray:
        """The round of each world's first failed vote, -1 if none (W,)."""
        failed = (self.vote_round >= 0) & ~self.passed
        first = np.where(failed, self.vote_round, np.iinfo(np.int32).max).min(axis=1, initial=np.iinfo(np.int32).max)
        return np.where(first == np.iinfo(np.int32).max, NOT_HELD, first).astype(np.int32)
