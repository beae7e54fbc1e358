"""Messages in flight, as ring buffers indexed by the round they were sent.

Every route has a fixed latency, so a message that arrives at round t was
sent at round ``t - latency``; a buffer only needs to keep the last
``max_latency + 1`` rounds. A round's slot is cleared before anyone writes
into it (-1 / False for "nothing sent or lost"), so no slot is ever read stale.
"""

from __future__ import annotations

import numpy as np

from negosim.scenario.graph import UNREACHABLE, Routes

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
        self.objections = np.zeros((d, w, p, k), dtype=np.float32)
        self.objection_sent = np.zeros((d, w, p, k), dtype=bool)  # sent and not lost on the way
        self.signatures = np.full((d, w, p), NO_VERSION, dtype=np.int32)
        self.threats = np.zeros((d, w, p))
        self._parties = np.arange(p)
        # Each party's clauses grouped by the latency of their route up (usually one group).
        self._up_groups: dict[int, list[tuple[int, np.ndarray]]] = {}
        for i in range(p):
            latencies = routes.up_latency[i]
            for latency in np.unique(latencies[latencies != UNREACHABLE]):
                self._up_groups.setdefault(i, []).append((int(latency), np.flatnonzero(latencies == latency)))

    def _sent_slot(self, round_index: int, latency: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sent = round_index - latency
        ok = (latency != UNREACHABLE) & (sent >= 0)
        return np.where(ok, sent, 0) % self.depth, ok

    def clear_slot(self, round_index: int) -> None:
        """Make this round's slot empty before the senders write into it."""
        slot = round_index % self.depth
        self.text_version[slot] = NO_VERSION
        self.text_delivered[slot] = False
        self.objections[slot] = 0.0
        self.objection_sent[slot] = False
        self.signatures[slot] = NO_VERSION
        self.threats[slot] = 0.0

    def post_objection(self, round_index: int, party: int, objection: np.ndarray, delivered: np.ndarray) -> None:
        """Party's objection (W, K), kept where ``delivered`` (W, K) says it will arrive."""
        slot = round_index % self.depth
        np.multiply(objection, delivered, out=self.objections[slot, :, party])
        self.objection_sent[slot, :, party] = delivered

    def post_signature(self, round_index: int, party: int, versions: np.ndarray) -> None:
        """The version each world's ``party`` signed (W,), NO_VERSION where none or lost."""
        self.signatures[round_index % self.depth, :, party] = versions

    def post_threat(self, round_index: int, party: int, amount: np.ndarray) -> None:
        """Pressure on ``party`` (W,), 0 where none or not believed."""
        self.threats[round_index % self.depth, :, party] = amount

    def add_threat(self, round_index: int, party: int, amount: np.ndarray) -> None:
        self.threats[round_index % self.depth, :, party] += amount

    def post_text(
        self, round_index: int, values: np.ndarray, status: np.ndarray, version: np.ndarray, delivered: np.ndarray
    ) -> None:
        """The mediator's text (W, K) and statuses, its version (W,), NO_VERSION where the
        world has ended, and which parties it will reach (W, P)."""
        slot = round_index % self.depth
        self.text_values[slot] = values
        self.text_status[slot] = status
        self.text_version[slot] = version
        self.text_delivered[slot] = delivered

    # -- arrivals ---------------------------------------------------------------
    def texts_arriving(self, round_index: int) -> tuple[np.ndarray, np.ndarray]:
        """Version of the text reaching each party (W, P), -1 where none, and the
        slot each party's text was sent in (P,): its values and status are
        ``text_values[slot[i]]`` and ``text_status[slot[i]]``, (W, K) each."""
        slot, ok = self._sent_slot(round_index, self.routes.text_latency)
        delivered = self.text_delivered[slot, :, self._parties].T & ok[None, :]
        version = np.where(delivered, self.text_version[slot].T, NO_VERSION)
        return version, slot

    def objections_arriving(self, round_index: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """Objections reaching the mediator, by sender: party -> (values (W, K),
        0 where none, and which arrived (W, K)). Senders whose routes are
        longer than the talks so far are left out."""
        arrivals = {}
        _, w, _, k = self.objections.shape
        for party, groups in self._up_groups.items():
            due = [
                ((round_index - latency) % self.depth, columns) for latency, columns in groups if round_index >= latency
            ]
            if len(due) == 1 and due[0][1].size == k:  # the usual case: one route for every clause
                slot = due[0][0]
                arrivals[party] = (self.objections[slot, :, party], self.objection_sent[slot, :, party])
            elif due:
                values, arrived = np.zeros((w, k), dtype=np.float32), np.zeros((w, k), dtype=bool)
                for slot, columns in due:
                    values[:, columns] = self.objections[slot, :, party][:, columns]
                    arrived[:, columns] = self.objection_sent[slot, :, party][:, columns]
                arrivals[party] = (values, arrived)
        return arrivals

    def signatures_arriving(self, round_index: int) -> np.ndarray:
        slot, ok = self._sent_slot(round_index, self.routes.signal_latency)
        got = self.signatures[slot, :, self._parties]  # (P, W)
        return np.where(ok[:, None], got, NO_VERSION).T

    def threats_arriving(self, round_index: int) -> np.ndarray:
        slot, ok = self._sent_slot(round_index, self.routes.text_latency)
        got = self.threats[slot, :, self._parties]
        return np.where(ok[:, None], got, 0.0).T
