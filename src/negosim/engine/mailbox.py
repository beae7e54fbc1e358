"""Messages in flight, as ring buffers indexed by the round they were sent.

A message travels the route of the round it is sent in (a
:class:`~negosim.scenario.graph.RoutePlan`), so what arrives at round t was
sent at the round the plan names (``t - latency`` while routes stay fixed); a
buffer only needs to keep the last ``max_latency + 1`` rounds. A round's slot
is cleared before anyone writes into it (-1 / False for "nothing sent or
lost"), so no slot is ever read stale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negosim.scenario.graph import RoutePlan

NO_VERSION = -1


@dataclass(frozen=True)
class Arrivals:
    """Objections reaching the mediator in one round, without copying them: sender ``i``'s
    value on clause ``k`` is ``values[slot[i, k], :, i, k]`` and whether it arrived
    ``arrived[slot[i, k], :, i, k]``; ``slot[i, k]`` is -1 where none was due (a clause's
    objections may travel a route of its own, so the slots may differ from clause to clause).

    >>> values, arrived = np.arange(8.0).reshape(2, 1, 1, 4), np.ones((2, 1, 1, 4), bool)
    >>> Arrivals(values, arrived, np.array([[0, 1, 1, -1]])).of(0)[0]
    array([[0., 5., 6., 0.]])
    """

    values: np.ndarray  # (slots, W, P, K)
    arrived: np.ndarray
    slot: np.ndarray  # (P, K)

    def of(self, party: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Party's objection values and which arrived (W, K), None if none were due: views of
        the buffers when every clause came in one slot, else assembled (0 where none was due)."""
        slots = self.slot[party]
        if (slots < 0).all():
            return None
        if (slots == slots[0]).all():
            return self.values[slots[0], :, party], self.arrived[slots[0], :, party]
        due, take, clauses = slots >= 0, np.maximum(slots, 0), np.arange(slots.size)
        values = np.where(due, self.values[take, :, party, clauses].T, 0)
        return values, due & self.arrived[take, :, party, clauses].T


class Mailbox:
    """Texts down from the mediator; objections and acceptances up; threats down."""

    def __init__(self, plan: RoutePlan, worlds: int, parties: int, clauses: int, packages: int = 0, rounds: int = 1):
        self.plan = plan
        self.depth = plan.max_latency + 1
        d, w, p, k = self.depth, worlds, parties, clauses
        self.text_values = np.zeros((d, w, k))
        self.text_status = np.zeros((d, w, k), dtype=np.int8)
        self.text_version = np.full((d, w), NO_VERSION, dtype=np.int32)
        self.text_delivered = np.zeros((d, w, p), dtype=bool)
        self.objections = np.zeros((d, w, p, k), dtype=np.float32)
        self.objection_sent = np.zeros((d, w, p, k), dtype=bool)  # sent and not lost on the way
        self.acceptances = np.full((d, w, p), NO_VERSION, dtype=np.int32)
        # acceptances of single packages (scenarios with [packages] only): the version, per package
        self.package_acceptances = np.full((d, w, p, packages), NO_VERSION, dtype=np.int32)
        self.threats = np.zeros((d, w, p))
        self._parties = np.arange(p)
        self._due_slots: dict[str, np.ndarray] = {}  # kind -> per arrival round, the slot due (-1: none)
        self._tabulate(rounds)

    def _tabulate(self, rounds: int) -> None:
        """For arrival rounds 0..rounds-1, the buffer slot each route's message comes from,
        worked out once instead of every round."""
        for kind in ("text", "up", "signal"):
            sent = self.plan.sent_rounds(np.arange(rounds), kind)
            self._due_slots[kind] = np.where(sent >= 0, sent % self.depth, -1)

    def _due_slot(self, round_index: int, kind: str) -> np.ndarray:
        """The slot each route's message arriving at ``round_index`` was sent in, -1 where
        none is due: (P,) for ``text`` and ``signal``, (P, K) for ``up``."""
        if round_index >= len(self._due_slots[kind]):
            self._tabulate(2 * round_index + 1)
        return self._due_slots[kind][round_index]

    def clear_slot(self, round_index: int) -> None:
        """Make this round's slot empty before the senders write into it."""
        slot = round_index % self.depth
        self.text_version[slot] = NO_VERSION
        self.text_delivered[slot] = False
        self.objections[slot] = 0.0
        self.objection_sent[slot] = False
        self.acceptances[slot] = NO_VERSION
        self.package_acceptances[slot] = NO_VERSION
        self.threats[slot] = 0.0

    def objection_slot(self, round_index: int, party: int) -> tuple[np.ndarray, np.ndarray]:
        """Where ``party``'s objection sent this round goes: values (W, K) and which were sent
        and not lost on the way (W, K), for the sender to fill."""
        slot = round_index % self.depth
        return self.objections[slot, :, party], self.objection_sent[slot, :, party]

    def acceptance_slot(self, round_index: int, party: int) -> np.ndarray:
        """Where ``party``'s acceptance sent this round goes (W,), for the sender to fill with
        the version each world accepted, NO_VERSION where none or lost."""
        return self.acceptances[round_index % self.depth, :, party]

    def post_package_acceptance(self, round_index: int, party: int, versions: np.ndarray) -> None:
        """The version in which each world's ``party`` accepted each package (W, G), NO_VERSION
        where it did not (or the message is lost)."""
        self.package_acceptances[round_index % self.depth, :, party] = versions

    def threat_slot(self, round_index: int) -> np.ndarray:
        """Where the pressure sent this round goes (W, P), for the mediator to fill: 0 where
        none or not believed."""
        return self.threats[round_index % self.depth]

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
    def text_slots(self, round_index: int) -> np.ndarray:
        """The slot each party's text arriving this round was sent in (P,), -1 where none is due."""
        return self._due_slot(round_index, "text")

    def objections_arriving(self, round_index: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """Objections reaching the mediator, by sender: party -> (values (W, K), 0 where
        none, and which arrived (W, K)). Senders none of whose objections are due yet (their
        routes are longer than the talks so far) are left out."""
        arrivals = self.objections_stacked(round_index)
        return {i: got for i in range(self._parties.size) if (got := arrivals.of(i)) is not None}

    def objections_stacked(self, round_index: int) -> Arrivals:
        """The objections reaching the mediator as :class:`Arrivals`: the buffers and, per
        sender and clause, the slot its objection arrives from."""
        return Arrivals(self.objections, self.objection_sent, self._due_slot(round_index, "up"))

    def acceptances_arriving(self, round_index: int) -> np.ndarray:
        """The version each party's acceptance reaching the mediator names (W, P), NO_VERSION where none."""
        slot = self._due_slot(round_index, "signal")
        got = self.acceptances[slot, :, self._parties]  # (P, W); slot -1 reads a slot masked next
        return np.where(slot[:, None] >= 0, got, NO_VERSION).T

    def package_acceptances_arriving(self, round_index: int) -> np.ndarray:
        """The version of each package each party's acceptance reaching the mediator names (W, P, G)."""
        slot = self._due_slot(round_index, "signal")
        got = self.package_acceptances[slot, :, self._parties]  # (P, W, G)
        return np.where(slot[:, None, None] >= 0, got, NO_VERSION).transpose(1, 0, 2)

    def threats_arriving(self, round_index: int) -> np.ndarray:
        slot = self._due_slot(round_index, "text")
        got = self.threats[slot, :, self._parties]
        return np.where(slot[:, None] >= 0, got, 0.0).T

    def acceptances_in_flight(self, round_index: int) -> list[np.ndarray]:
        """Acceptances sent by the end of ``round_index`` that reach the mediator only later:
        one (W, P) array of versions (NO_VERSION where none) per send round still in flight."""
        flying = []
        for sent in range(max(0, round_index - self.depth + 1), round_index + 1):
            latency = self.plan.at(sent).signal_latency
            late = (latency >= 0) & (sent + latency > round_index)
            if late.any():
                versions = self.acceptances[sent % self.depth].copy()
                versions[:, ~late] = NO_VERSION
                flying.append(versions)
        return flying
