"""The state every agent can see of each world, as named (worlds, ...) arrays.

What an agent decides lives on the agent (a principal's aspiration and
signatures, the mediator's text and drafts); what the model computes for all
of them each round lives here: who is still talking, the texts each party
holds, what those texts are worth to it, its value of no deal, the pressure it
has received, the battlefield.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negosim.engine.mailbox import NO_VERSION
from negosim.vocabulary import UNSETTLED


@dataclass(frozen=True)
class Snapshot:
    """What each principal held at the end of one round (for a backtest's clause calls):
    its text ``held`` and statuses ``status`` (W, n, K), and the text of the latest version
    it had accepted ``accepted`` (W, n, K; NaN where it had accepted none), for the n
    principals in order."""

    round: int
    held: np.ndarray
    status: np.ndarray
    accepted: np.ndarray

    @classmethod
    def take(cls, model) -> Snapshot:
        state, index, drafts = model.state, model.principal_idx, model.mediator.drafts
        worlds = np.arange(model.n_worlds)
        accepted = np.stack(
            [
                np.where((p.accepted_version >= 0)[:, None], drafts[np.maximum(p.accepted_version, 0), worlds], np.nan)
                for p in model.principals
            ],
            axis=1,
        )
        return cls(model.round, state.held[:, index].copy(), state.held_status[:, index].copy(), accepted)


@dataclass
class WorldState:
    """Shapes: W worlds, P parties, K clauses. The mediator's column of ``held``
    is the master text (it holds no copy of its own)."""

    active: np.ndarray  # (W,) still talking
    territory0: np.ndarray  # (W,) Moscow's share of the contested land at the start
    territory: np.ndarray  # (W,)
    held: np.ndarray  # (W, P, K) the latest text each party has received
    held_status: np.ndarray  # (W, P, K) its clause statuses
    held_version: np.ndarray  # (W, P) its version, NO_VERSION before the first arrives
    new_text: np.ndarray  # (W, P) a newer version arrived this round
    utility: np.ndarray  # (W, P) of the held text
    gradient: np.ndarray  # (W, P, K) of that utility
    previous_utility: np.ndarray  # (W, P) last round's
    reservation: np.ndarray  # (W, P) value of no deal
    pressure: np.ndarray  # (W, P) threats received and believed
    end_talks: np.ndarray  # (W,) a deadline ended the talks this round
    outcome: np.ndarray  # (W,) Outcome code, UNSETTLED while talking
    end_round: np.ndarray  # (W,) the round the world ended, -1 while talking
    package_utility: np.ndarray | None = None  # (W, P, G) each package's worth alone (with [packages])

    @classmethod
    def start(
        cls, text: np.ndarray, status: np.ndarray, parties: int, reachable: np.ndarray, territory: np.ndarray
    ) -> WorldState:
        """Every party that a text can reach holds the start text (version 0)."""
        W, K = text.shape
        P = parties
        return cls(
            active=np.ones(W, dtype=bool),
            territory0=np.broadcast_to(territory, (W,)).copy(),
            territory=np.broadcast_to(territory, (W,)).copy(),
            held=np.broadcast_to(text[:, None, :], (W, P, K)).copy(),
            held_status=np.broadcast_to(status[:, None, :], (W, P, K)).copy(),
            held_version=np.where(reachable[None, :], 0, NO_VERSION).repeat(W, axis=0).astype(np.int32),
            new_text=np.broadcast_to(reachable[None, :], (W, P)).copy(),
            utility=np.zeros((W, P)),
            gradient=np.zeros((W, P, K)),
            previous_utility=np.zeros((W, P)),
            reservation=np.zeros((W, P)),
            pressure=np.zeros((W, P)),
            end_talks=np.zeros(W, dtype=bool),
            outcome=np.full(W, UNSETTLED, dtype=np.int8),
            end_round=np.full(W, -1, dtype=np.int32),
        )
