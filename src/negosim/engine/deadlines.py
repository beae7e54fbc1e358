"""Deadlines as they stand in each world: when each falls due, extensions, expiry.

Each principal's concession clock runs to its nearest live deadline, or, when
none binds it, to its own planning horizon (``[parties.X.time]``), never to the
run's horizon (:attr:`Deadlines.due_round`). When a deadline passes unmet, a
soft one is extended with its probability (at most ``max_extensions`` times);
a hard one, or a soft one that is not extended, expires and either ends the
talks or turns into the mediator's full pressure on the party it was set for.
A deadline announced after the start plays no part before its announcement; a
scheduled ``deadline_moved`` change sets a new date for every world in which
the deadline has not yet expired.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from negosim.vocabulary import DeadlineKind, EventKind, Expiry, ScheduleKind

if TYPE_CHECKING:
    from negosim.engine.model import NegotiationModel


class Deadlines:
    """The scenario's live deadlines (not ``absent``) for every world of a model."""

    def __init__(self, model: NegotiationModel):
        s, W = model.spec, model.n_worlds
        self.model = model
        live = [j for j, d in enumerate(s.deadlines) if d.kind != DeadlineKind.ABSENT]
        self.items = [s.deadlines[j] for j in live]
        self.targets = [[model.party_ids.index(d.party)] if d.party else list(model.principal_idx) for d in self.items]
        self.due = np.array([[s.calendar.round_of(d.date)] * W for d in self.items], dtype=np.int32).reshape(-1, W)
        self.announced = [s.calendar.round_of(d.announced) if d.announced else 0 for d in self.items]
        self.moves = {  # round -> [(live deadline, new due round)]
            s.calendar.round_of(c.date): [] for c in s.schedule if c.kind == ScheduleKind.DEADLINE_MOVED
        }
        for c in s.schedule:
            if c.kind == ScheduleKind.DEADLINE_MOVED and c.deadline in live:
                self.moves[s.calendar.round_of(c.date)].append((live.index(c.deadline), s.calendar.round_of(c.to)))
        self.extensions = np.zeros_like(self.due)
        self.expired = np.zeros(self.due.shape, dtype=bool)
        self.extension_prob = model.params.extension_prob
        self.clock = model.params.tactics.clock  # (1|W, P) each party's own horizon, in rounds
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
        due = np.broadcast_to(self.clock, (m.n_worlds, m.n_parties)).astype(float)
        days = m.spec.calendar.round_days
        for j, d in enumerate(self.items):
            if m.round < self.announced[j]:
                continue
            expected = self.due[j].astype(float)
            if d.kind == DeadlineKind.SOFT:
                room = (self.extensions[j] < d.max_extensions) & ~self.expired[j]
                expected = expected + np.where(room, self.extension_prob[j] * d.extension_days / days, 0.0)
            for i in self.targets[j]:
                due[:, i] = np.minimum(due[:, i], expected)
        self.due_round = due

    def fall_due(self) -> None:
        """Move, extend or expire the deadlines of this round in worlds where they are unmet."""
        m = self.model
        t, state = m.round, m.state
        changed = t in self.moves or t in self.announced  # a deadline moved, or one counts from now on
        for j, new_due in self.moves.get(t, ()):
            self.due[j] = np.where(self.expired[j], self.due[j], new_due)
        for j, d in enumerate(self.items):
            falls_due = self.due[j] == t
            if t < self.announced[j] or not falls_due.any():
                continue
            met = m.agent(d.party).accept_round >= 0 if d.party else m.mediator.deal_now
            due = state.active & ~met & ~self.expired[j] & falls_due
            if not due.any():
                continue
            changed = True
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
        if changed:  # otherwise each party's clock runs to the same round as before
            self._update_due_rounds()
