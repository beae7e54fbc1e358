"""Deadlines as they stand in each world: when each falls due, extensions, expiry.

Each principal's concession clock runs to its nearest live deadline
(:attr:`Deadlines.due_round`). When a deadline passes unmet, a soft one is
extended with its probability (at most ``max_extensions`` times); a hard one,
or a soft one that is not extended, expires and either ends the talks or turns
into the mediator's full pressure on the party it was set for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from negosim.vocabulary import DeadlineKind, EventKind, Expiry

if TYPE_CHECKING:
    from negosim.engine.model import NegotiationModel


class Deadlines:
    """The scenario's live deadlines (not ``absent``) for every world of a model."""

    def __init__(self, model: NegotiationModel):
        s, W = model.spec, model.n_worlds
        self.model = model
        self.items = [d for d in s.deadlines if d.kind != DeadlineKind.ABSENT]
        self.targets = [[model.party_ids.index(d.party)] if d.party else list(model.principal_idx) for d in self.items]
        self.due = np.array([[s.calendar.round_of(d.date)] * W for d in self.items], dtype=np.int32).reshape(-1, W)
        self.extensions = np.zeros_like(self.due)
        self.expired = np.zeros(self.due.shape, dtype=bool)
        self.extension_prob = model.params.extension_prob
        self.due_round = np.zeros((W, model.n_parties))
        self._update_due_rounds()

    def __len__(self) -> int:
        return len(self.items)

    def _update_due_rounds(self) -> None:
        """Each principal's concession clock runs to its nearest live deadline.

        A soft deadline is discounted by its chance of extension: the party
        expects ``extension_prob * extension_days`` more, as long as extensions
        remain. An expired deadline stays where it fell (the party has conceded).
        """
        m = self.model
        due = np.full((m.n_worlds, m.n_parties), float(m.rounds - 1))
        days = m.spec.calendar.round_days
        for j, d in enumerate(self.items):
            expected = self.due[j].astype(float)
            if d.kind == DeadlineKind.SOFT:
                room = (self.extensions[j] < d.max_extensions) & ~self.expired[j]
                expected = expected + np.where(room, self.extension_prob[j] * d.extension_days / days, 0.0)
            for i in self.targets[j]:
                due[:, i] = np.minimum(due[:, i], expected)
        self.due_round = due

    def fall_due(self) -> None:
        """Extend or expire the deadlines due this round in worlds where they are unmet."""
        m = self.model
        t, state = m.round, m.state
        for j, d in enumerate(self.items):
            if d.party:
                met = m.agent(d.party).sign_round >= 0
            else:
                met = m.mediator.deal_now
            due = state.active & ~met & ~self.expired[j] & (self.due[j] == t)
            if not due.any():
                continue
            extend = np.zeros_like(due)
            if d.kind == DeadlineKind.SOFT:
                draw = m.draws.deadline[:, j]
                extend = due & (draw < self.extension_prob[j]) & (self.extensions[j] < d.max_extensions)
            step = max(1, -(-d.extension_days // m.spec.calendar.round_days))
            self.due[j] += np.where(extend, step, 0).astype(np.int32)
            self.extensions[j] += extend
            expire = due & ~extend
            self.expired[j] |= expire
            if d.on_expiry == Expiry.END:
                state.end_talks |= expire
            else:
                m.mediator.press_all(self.targets[j], expire)
            if m.recording and (extend[0] or expire[0]):
                m.emit(EventKind.DEADLINE, d.party or "all sides", deadline=d, extended=bool(extend[0]))
        self._update_due_rounds()
