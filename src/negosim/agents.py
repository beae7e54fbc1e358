"""The parties as Mesa agents: behaviour only, vectorised over worlds.

Each agent decides for all of the model's worlds at once: its arrays have a
leading world axis, and finished worlds are masked out. Agents read the
model's shared state and write only into the mailbox and their own slots.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from negosim import narrative
from negosim.mailbox import NO_VERSION
from negosim.tactics import time_dependent, tit_for_tat
from negosim.utility import AGREED, BRACKETED, OPEN, effective_values

if TYPE_CHECKING:
    from negosim.model import NegotiationModel

SURPLUS_FLOOR = 0.02  # objections grow like 1 / (U - r); this caps them
RED_LINE_PUSH = 1000.0  # larger than any salience-weighted objection can be
RESEND_AFTER = 3  # rounds before an unanswered objection is sent again
MIN_STEP, MAX_STEP = 1e-4, 0.15  # bounds on the mediator's per-clause revision
STEP_GROWTH = 1.2  # how much bolder a revision gets while the sides keep pulling one way
STEP_FACTORS = np.array([0.5, 1.0, STEP_GROWTH])  # step multiplier after a flip, a pause, a repeat


class Party(mesa.Agent):
    """A delegation at the table; ``index`` is its position on the party axis."""

    model: NegotiationModel

    def __init__(self, model: NegotiationModel, pid: str, index: int):
        super().__init__(model)
        self.pid, self.index = pid, index
        self.label = model.spec.parties[pid].label

    def _send_objection(self, objection: np.ndarray, sending: np.ndarray) -> None:
        """Post ``objection`` (W, K) for worlds in ``sending``; routes may lose it."""
        m = self.model
        i = self.index
        draws = m.draws.upward.get(i)
        # Only lossy routes draw; a sure route always delivers, a missing one never does.
        arrives = m.routes.up_reliability[i] > 0 if draws is None else draws < m.routes.up_reliability[i]
        m.mailbox.post_objection(m.round, i, objection, sending[:, None] & arrives)
        m.messages += sending
        m.last_objection[:, i] = np.where(sending, m.round, m.last_objection[:, i])
        m.responded_version[:, i] = np.where(sending, m.held_version[:, i], m.responded_version[:, i])


class Principal(Party):
    """Ukraine, Russia, or any side whose signature a deal needs."""

    def __init__(self, model: NegotiationModel, pid: str, index: int):
        super().__init__(model, pid, index)
        prefs, party = model.prefs, model.spec.parties[pid]
        lo, hi = model.red_lo[:, index], model.red_hi[:, index]
        # Red lines, vetoes and insistence touch a few clauses: each works on those columns only.
        self.line_clauses = np.flatnonzero((lo > 0).any(axis=0) | (hi < 1).any(axis=0))
        self.red_lo, self.red_hi = lo[:, self.line_clauses], hi[:, self.line_clauses]
        self.worst = prefs.worst[:, index]
        salience = prefs.salience[:, index]
        salience_total = salience.sum(axis=-1, keepdims=True)
        self.insists = prefs.insists[index]
        self.insisted_clauses = np.flatnonzero(self.insists)
        self.bracket_direction = (
            salience / salience_total * np.sign(prefs.ideal[:, index] - prefs.worst[:, index]) * prefs.inverse_span[:, index]
        )[:, self.insisted_clauses]
        self.veto = party.veto
        if party.veto is not None:
            self.veto_clauses = np.flatnonzero(np.isin(model.clause_ids, party.veto.clauses))
            core_salience = salience[:, self.veto_clauses]
            self.veto_reference = model.reference[party.veto.reference][0][self.veto_clauses]
            self.veto_inverse_span = prefs.inverse_span[:, index][:, self.veto_clauses]
            self.veto_share = core_salience / core_salience.sum(axis=-1, keepdims=True)
            self.veto_pull = 2.0 * core_salience / salience_total
            self.veto_tolerance = model.params.value(f"parties.{pid}.veto.tolerance")

    def effective(self, clauses: np.ndarray) -> np.ndarray:
        """The held text on ``clauses`` (W, len(clauses)) as this party scores it."""
        m = self.model
        return effective_values(m.held[:, self.index, clauses], m.held_status[:, self.index, clauses], self.worst[:, clauses])

    def red_lines(self) -> tuple[np.ndarray, np.ndarray]:
        """Which worlds' texts cross none of its red lines (W,), and the push back
        on each red-line clause (W, len(line_clauses)).

        A crossed red line is not traded off: its push outweighs any other pull.
        Only clauses it counts (open, or insisted on) are judged.
        """
        cols = self.line_clauses
        values = self.effective(cols)
        gap = np.clip(values, self.red_lo, self.red_hi) - values
        counted = (self.model.held_status[:, self.index, cols] <= AGREED) | self.insists[cols]
        crossed = counted & (np.abs(gap) > 1e-12)
        return ~crossed.any(axis=1), np.where(crossed, RED_LINE_PUSH * np.sign(gap), 0.0)

    def veto_check(self) -> tuple[np.ndarray, np.ndarray | None]:
        """Whether the text is close enough to the veto's reference on its core
        clauses (W,), and the push toward it on those clauses (W, core) where not."""
        if self.veto is None:
            return np.ones(self.model.n_worlds, dtype=bool), None
        gap = (self.veto_reference - self.effective(self.veto_clauses)) * self.veto_inverse_span
        distance = (self.veto_share * np.abs(gap)).sum(axis=-1)
        ok = distance <= self.veto_tolerance
        return ok, np.where(ok[:, None], 0.0, self.veto_pull * gap)

    def bracket_push(self) -> np.ndarray:
        """Objection to the bracketed clauses it insists on, (W, insisted clauses):
        they count as lost while set aside."""
        bracketed = self.model.held_status[:, self.index, self.insisted_clauses] == BRACKETED
        return np.where(bracketed, self.bracket_direction, 0.0)

    def respond(self) -> None:
        m, i = self.model, self.index
        active = m.active & (m.held_version[:, i] != NO_VERSION)
        utility, gradient = m.utility[:, i], m.gradient[:, i]
        reservation = m.reservation[:, i]
        aspiration = self._aspiration(utility, reservation)
        m.aspiration[:, i] = aspiration

        noise = m.noise[..., i] * m.draws.noise[:, i]
        lines_ok, lines = self.red_lines()
        veto_ok, veto_push = self.veto_check()
        willing = (utility + noise >= aspiration) & (utility >= reservation) & lines_ok & veto_ok
        signs = active & willing
        m.accepts[:, i] = signs

        arrives = m.draws.signature[:, i] < m.routes.signal_reliability[i]
        m.mailbox.signatures[m.round % m.mailbox.depth, :, i] = np.where(signs & arrives, m.held_version[:, i], NO_VERSION)
        first = signs & (m.sign_round[:, i] < 0)
        m.sign_round[:, i] = np.where(first, m.round, m.sign_round[:, i])
        m.messages += signs & (m.signed_version[:, i] != m.held_version[:, i])
        m.signed_version[:, i] = np.where(signs, m.held_version[:, i], m.signed_version[:, i])

        fresh = m.held_version[:, i] > m.responded_version[:, i]
        stale = m.round - m.last_objection[:, i] >= RESEND_AFTER
        committed = m.signed_version[:, i] == m.held_version[:, i]  # it never disowns its signature
        objects = active & ~signs & ~committed & (fresh | stale)
        urgency = 1.0 / np.maximum(utility - reservation, SURPLUS_FLOOR)
        wants = gradient.copy()
        if veto_push is not None:
            wants[:, self.veto_clauses] += veto_push
        if self.insisted_clauses.size:
            wants[:, self.insisted_clauses] += self.bracket_push()
        wants *= urgency[:, None]
        objection = wants
        if self.line_clauses.size:
            objection = wants.copy() if m.recording else wants
            objection[:, self.line_clauses] += urgency[:, None] * lines
        self._send_objection(objection, objects)

        below = active & (utility < reservation - m.walkout_margin[..., i])
        m.below_count[:, i] = np.where(below, m.below_count[:, i] + 1, 0)
        walks = below & (m.below_count[:, i] >= m.walkout_patience[i])
        m.walked[:, i] |= walks
        if m.recording:
            crossed = [m.clause_ids[k] for k in self.line_clauses[lines[0] != 0]]
            narrative.note_response(m, self, signs, objects, walks, wants, crossed, veto_ok, utility, aspiration)

    def _aspiration(self, utility: np.ndarray, reservation: np.ndarray) -> np.ndarray:
        m, i = self.model, self.index
        if m.tactic_kind[i] == "tit_for_tat":
            gain = np.where(m.new_text[:, i], utility - m.previous_utility[:, i], 0.0)
            start = np.where(m.round == 0, m.initial_aspiration[..., i], m.aspiration[:, i])
            return tit_for_tat(start, gain, m.reciprocity[..., i], reservation)
        return time_dependent(m.round, m.due_round[:, i], m.initial_aspiration[..., i], reservation, m.exponent[..., i])


class Observer(Party):
    """A party outside the table (the E3) that advises along its channels."""

    def advise(self) -> None:
        m, i = self.model, self.index
        fresh = m.active & (m.held_version[:, i] > m.responded_version[:, i])
        self._send_objection(m.gradient[:, i], fresh)
        if m.recording:
            narrative.note_advice(m, self, fresh)


class Mediator(Party):
    """Owns the single negotiating text, revises it, presses, brackets."""

    def mediate(self) -> None:
        m = self.model
        arrivals = m.mailbox.objections_arriving(m.round)
        self._register_signatures()
        self._conclude()
        revising = m.active & ~m.deal_now
        self._revise(arrivals, revising)
        self._press(revising)
        self._send_text()

    def _register_signatures(self) -> None:
        m = self.model
        got = m.mailbox.signatures_arriving(m.round)
        worlds, parties = np.nonzero(got != NO_VERSION)
        m.signed_drafts[worlds, parties, got[worlds, parties]] = True
        m.sig_version = np.maximum(m.sig_version, got)
        m.ever_signed |= got != NO_VERSION

    def _conclude(self) -> None:
        """A deal is any draft every principal has signed; the latest such draft wins."""
        m = self.model
        agreed = m.signed_drafts[:, m.principal_idx, :].all(axis=1)  # (W, drafts)
        deal = m.active & agreed.any(axis=1)
        m.deal_now = deal
        if deal.any():
            last = agreed.shape[1] - 1 - np.argmax(agreed[:, ::-1], axis=1)
            rows = np.flatnonzero(deal)
            m.text[rows] = m.drafts[rows, last[rows]]
            m.status[rows] = m.draft_status[rows, last[rows]]
            m.version[rows] = last[rows]

    def _revise(self, arrivals: dict[int, tuple[np.ndarray, np.ndarray]], revising: np.ndarray) -> None:
        """Move the text along the weighted objections that arrived (see
        :meth:`Mailbox.objections_arriving`); bracket, reopen and settle clauses."""
        m = self.model
        W, K = m.text.shape
        pull = np.zeros((W, K))
        heard_from = np.zeros((W, m.n_parties), dtype=bool)
        for i, (values, arrived) in arrivals.items():
            heard_from[:, i] = arrived.any(axis=1)
            pull += m.weights[:, i, None] * values
        heard = heard_from & (m.weights > 0)  # a silenced observer's note prompts nothing
        any_objection = heard.any(axis=1) & revising
        pull += m.own_weight[..., None] * m.mediator_gradient * any_objection[:, None]

        # What the principals said, clause by clause: anything, a strong push either way.
        nothing = np.zeros((W, K), dtype=np.float32)
        said = [arrivals.get(i, (nothing,))[0] for i in m.principal_idx]
        threshold = m.bracket_threshold
        spoke = np.logical_or.reduce([v != 0 for v in said])
        up = np.logical_or.reduce([v > threshold for v in said])
        down = np.logical_or.reduce([v < -threshold for v in said])

        # Bracketed clauses that a principal objects to are reopened (the shuttle to Moscow).
        revising_rows = revising[:, None]
        reopen = revising_rows & (m.status == BRACKETED) & spoke
        np.putmask(m.status, reopen, OPEN)
        m.reopened |= reopen

        # Clauses the sides pull opposite ways for long enough go to the leaders, bracketed.
        m.contested = np.where(revising_rows, np.where(up & down, m.contested + 1, 0), m.contested)
        bracket = m.bracketing_on & (m.contested >= m.bracket_after) & (m.status <= AGREED) & ~m.reopened & revising_rows
        np.putmask(m.status, bracket, BRACKETED)

        # Once every principal has been heard, a clause no one pushes hard on counts as agreed.
        settle = (revising & heard_from[:, m.principal_idx].all(axis=1))[:, None] & (m.status <= AGREED)
        np.putmask(m.status, settle, np.where(up | down, OPEN, AGREED).astype(np.int8))

        # Resilient steps (Rprop): a clause whose pull keeps its sign moves faster,
        # one whose pull flips (an overshoot the other side complains about) moves back by half.
        movable = (m.status <= AGREED) & any_objection[:, None]
        direction = np.sign(pull * movable)
        agreement = direction * m.last_direction  # -1, 0 or 1
        m.clause_step *= STEP_FACTORS.take((agreement + 1).astype(np.intp))
        np.clip(m.clause_step, MIN_STEP, MAX_STEP, out=m.clause_step)
        m.last_direction = np.where(direction != 0, direction, m.last_direction)
        step = direction * m.clause_step
        changed = any_objection & (direction != 0).any(axis=1) | (reopen | bracket).any(axis=1)
        # A draft never goes beyond what any side asks for (the hull of the ideal points).
        revised = np.clip(m.text + step, m.hull_low, m.hull_high)
        m.text = np.where(changed[:, None], revised, m.text)
        m.version = m.version + changed
        rows = np.flatnonzero(changed)
        draft = rows * m.drafts.shape[1] + m.version[rows]  # flat (world, draft) index
        m.drafts.reshape(-1, K)[draft] = m.text[rows]
        m.draft_status.reshape(-1, K)[draft] = m.status[rows]
        if m.recording:
            narrative.note_revision(m, self, heard_from, changed, reopen, bracket, step)

    def _press(self, revising: np.ndarray) -> None:
        m = self.model
        holding_out = m.sig_version[:, m.principal_idx] < m.version[:, None]
        for j, i in enumerate(m.principal_idx):
            per_round = m.leverage_per_round[..., i] * (1.0 + m.impatience * m.round)
            room = np.maximum(m.leverage_max[..., i] - m.pressure_sent[:, i], 0.0)
            believed = m.draws.credible[:, i] < m.leverage_credibility[..., i]
            on = revising & holding_out[:, j] & (m.round >= m.leverage_start[i]) & (per_round > 0)
            amount = np.where(on, np.minimum(per_round, room), 0.0)
            m.pressure_sent[:, i] += amount
            m.mailbox.threats[m.round % m.mailbox.depth, :, i] = np.where(believed, amount, 0.0)
            m.messages += amount > 0
            if m.recording and amount[0] > 0:
                target = m.party_ids[i]
                words = f"{self.pid} presses {target} ({amount[0]:.3f}); the threat is {'believed' if believed[0] else 'not believed'}."
                narrative.note_event(m, "pressure", self.pid, target, -1, words)

    def _send_text(self) -> None:
        m = self.model
        slot = m.round % m.mailbox.depth
        mb = m.mailbox
        mb.text_values[slot] = m.text
        mb.text_status[slot] = m.status
        mb.text_version[slot] = np.where(m.active, m.version, NO_VERSION)
        mb.text_delivered[slot] = m.active[:, None] & (m.draws.text < m.routes.text_reliability[None, :])
