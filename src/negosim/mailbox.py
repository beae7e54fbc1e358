"""Messages in flight, as ring buffers indexed by the round they were sent.

Every route has a fixed latency, so a message that arrives at round t was
sent at round ``t - latency``; a buffer only needs to keep the last
``max_latency + 1`` rounds. Senders overwrite their whole slot each round
(NaN / -1 for "nothing sent or lost"), so no slot is ever read stale.
"""

from __future__ import annotations

import numpy as np

from negosim.graph import UNREACHABLE, Routes

NO_VERSION = -1


class Mailbox:
    """Texts down from the mediator; objections, signatures up; threats down."""

    def __init__(self, routes: Routes, worlds: int, parties: int, clauses: int):
        self.routes = routes
        self.depth = routes.max_latency + 1
        d, w, p, k = self.depth, worlds, parties, clauses
        self.text_values = np.zeros((d, w, k))
        self.text_status = np.zeros((d, w, k), dtype=np.int8)
        self.text_version = np.full((d, w), NO_VERSION, dtype=np.int32)
        self.text_delivered = np.zeros((d, w, p), dtype=bool)
        self.objections = np.full((d, w, p, k), np.nan, dtype=np.float32)
        self.signatures = np.full((d, w, p), NO_VERSION, dtype=np.int32)
        self.threats = np.zeros((d, w, p))
        self._parties = np.arange(p)
        self._clauses = np.arange(k)

    def _sent_slot(self, round_index: int, latency: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sent = round_index - latency
        ok = (latency != UNREACHABLE) & (sent >= 0)
        return np.where(ok, sent, 0) % self.depth, ok

    def clear_slot(self, round_index: int) -> None:
        """Make this round's slot empty before the senders write into it."""
        slot = round_index % self.depth
        self.text_version[slot] = NO_VERSION
        self.text_delivered[slot] = False
        self.objections[slot] = np.nan
        self.signatures[slot] = NO_VERSION
        self.threats[slot] = 0.0

    # -- arrivals ---------------------------------------------------------------
    def texts_arriving(self, round_index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each party: (version (W, P), values (W, P, K), status (W, P, K))."""
        slot, ok = self._sent_slot(round_index, self.routes.text_latency)
        delivered = self.text_delivered[slot, :, self._parties].T & ok[None, :]
        version = np.where(delivered, self.text_version[slot].T, NO_VERSION)
        return version, np.moveaxis(self.text_values[slot], 0, 1), np.moveaxis(self.text_status[slot], 0, 1)

    def objections_arriving(self, round_index: int) -> np.ndarray:
        """Objections reaching the mediator, (W, P, K), NaN where none."""
        slot, ok = self._sent_slot(round_index, self.routes.up_latency)
        got = self.objections[slot, :, self._parties[:, None], self._clauses[None, :]]  # (P, K, W)
        got = np.where(ok[:, :, None], got, np.nan)
        return np.moveaxis(got, 2, 0).astype(np.float64)

    def signatures_arriving(self, round_index: int) -> np.ndarray:
        slot, ok = self._sent_slot(round_index, self.routes.signal_latency)
        got = self.signatures[slot, :, self._parties]  # (P, W)
        return np.where(ok[:, None], got, NO_VERSION).T

    def threats_arriving(self, round_index: int) -> np.ndarray:
        slot, ok = self._sent_slot(round_index, self.routes.text_latency)
        got = self.threats[slot, :, self._parties]
        return np.where(ok[:, None], got, 0.0).T
