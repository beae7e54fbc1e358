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
from negosim.utility import AGREED, BRACKETED, OPEN

if TYPE_CHECKING:
    from negosim.model import NegotiationModel

SURPLUS_FLOOR = 0.02  # objections grow like 1 / (U - r); this caps them
RED_LINE_PUSH = 1000.0  # larger than any salience-weighted objection can be
RESEND_AFTER = 3  # rounds before an unanswered objection is sent again
MIN_STEP, MAX_STEP = 1e-4, 0.15  # bounds on the mediator's per-clause revision
STEP_GROWTH = 1.2  # how much bolder a revision gets while the sides keep pulling one way


class Party(mesa.Agent):
    """A delegation at the table; ``index`` is its position on the party axis."""

    model: NegotiationModel

    def __init__(self, model: NegotiationModel, pid: str, index: int):
        super().__init__(model)
        self.pid, self.index = pid, index
        self.label = model.spec.parties[pid].label

    def _send_objection(self, objection: np.ndarray, sending: np.ndarray) -> None:
        """Write ``objection`` (W, K) for worlds in ``sending``; routes may lose it."""
        m = self.model
        i = self.index
        arrives = m.draws.upward[:, i] < m.routes.up_reliability[i]
        payload = np.where(sending[:, None] & arrives, objection, np.nan)
        m.mailbox.objections[m.round % m.mailbox.depth, :, i, :] = payload
        m.messages += sending
        m.last_objection[:, i] = np.where(sending, m.round, m.last_objection[:, i])
        m.responded_version[:, i] = np.where(sending, m.held_version[:, i], m.responded_version[:, i])


class Principal(Party):
    """Ukraine, Russia, or any side whose signature a deal needs."""

    def __init__(self, model: NegotiationModel, pid: str, index: int):
        super().__init__(model, pid, index)
        prefs, party = model.prefs, model.spec.parties[pid]
        self.has_red_lines = bool(party.red_lines) or any(".red_lines." in k for k in model.spec.uncertainty)
        self.red_lo, self.red_hi = model.red_lo[:, index], model.red_hi[:, index]
        salience = prefs.salience[:, index]
        self.salience_share = salience / salience.sum(axis=-1, keepdims=True)
        self.inverse_span = prefs.inverse_span[:, index]
        self.insists = prefs.insists[index]
        self.bracket_direction = np.sign(prefs.ideal[:, index] - prefs.worst[:, index]) * self.inverse_span
        self.veto = party.veto
        if party.veto is not None:
            core = np.isin(model.clause_ids, party.veto.clauses)
            self.veto_reference = model.reference[party.veto.reference][0]
            self.veto_weight = salience * core
            self.veto_share = self.veto_weight / self.veto_weight.sum(axis=-1, keepdims=True)
            self.veto_tolerance = model.params.value(f"parties.{pid}.veto.tolerance")

    def counted(self) -> np.ndarray:
        """Clauses this party scores in the text it holds (open ones, and bracketed ones it insists on)."""
        return (self.model.held_status[:, self.index] <= AGREED) | self.insists

    def red_lines_ok(self, effective: np.ndarray) -> np.ndarray:
        if not self.has_red_lines:
            return np.ones(effective.shape[0], dtype=bool)
        outside = (effective < self.red_lo - 1e-12) | (effective > self.red_hi + 1e-12)
        return ~(outside & self.counted()).any(axis=1)

    def red_line_push(self, effective: np.ndarray) -> np.ndarray | float:
        """A crossed red line is not traded off: its push outweighs any other pull."""
        if not self.has_red_lines:
            return 0.0
        inside = np.clip(effective, self.red_lo, self.red_hi)
        crossed = self.counted() & (np.abs(inside - effective) > 1e-12)
        return np.where(crossed, RED_LINE_PUSH * np.sign(inside - effective), 0.0)

    def veto_check(self, effective: np.ndarray) -> tuple[np.ndarray, np.ndarray | float]:
        """Whether the text is close enough to the veto's reference on its core clauses."""
        if self.veto is None:
            return np.ones(effective.shape[0], dtype=bool), 0.0
        gap = (self.veto_reference - effective) * self.inverse_span
        distance = (self.veto_share * np.abs(gap)).sum(axis=-1)
        ok = distance <= self.veto_tolerance
        push = 2.0 * self.veto_weight / self.model.prefs.salience[:, self.index].sum(axis=-1, keepdims=True) * gap
        return ok, np.where(ok[:, None], 0.0, push)

    def bracket_push(self) -> np.ndarray | float:
        """Object to bracketed clauses it insists on: they count as lost while set aside."""
        if not self.insists.any():
            return 0.0
        insisted = (self.model.held_status[:, self.index] == BRACKETED) & self.insists
        return np.where(insisted, self.salience_share * self.bracket_direction, 0.0)

    def respond(self) -> None:
        m, i = self.model, self.index
        active = m.active & (m.held_version[:, i] != NO_VERSION)
        utility, gradient, effective = m.utility[:, i], m.gradient[:, i], m.effective[:, i]
        reservation = m.reservation[:, i]
        aspiration = self._aspiration(utility, reservation)
        m.aspiration[:, i] = aspiration

        noise = m.noise[..., i] * m.draws.noise[:, i]
        lines_ok = self.red_lines_ok(effective)
        veto_ok, veto_push = self.veto_check(effective)
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
        wants = urgency[:, None] * (gradient + veto_push + self.bracket_push())
        lines = self.red_line_push(effective)
        self._send_objection(wants + urgency[:, None] * lines, objects)

        below = active & (utility < reservation - m.walkout_margin[..., i])
        m.below_count[:, i] = np.where(below, m.below_count[:, i] + 1, 0)
        walks = below & (m.below_count[:, i] >= m.walkout_patience[i])
        m.walked[:, i] |= walks
        if m.recording:
            narrative.note_response(m, self, signs, objects, walks, wants, lines, veto_ok, utility, aspiration)

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
        arrived = m.mailbox.objections_arriving(m.round)
        self._register_signatures()
        self._conclude()
        revising = m.active & ~m.deal_now
        self._revise(arrived, revising)
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

    def _revise(self, arrived: np.ndarray, revising: np.ndarray) -> None:
        m = self.model
        present = ~np.isnan(arrived)
        objections = np.where(present, arrived, 0.0)
        pull = (m.weights[..., None] * objections).sum(axis=1)  # (W, K)
        heard = present & (m.weights > 0)[..., None]  # a silenced observer's note prompts nothing
        any_objection = heard.any(axis=(1, 2)) & revising
        own = m.mediator_gradient[:, 0]
        pull = pull + m.own_weight[..., None] * own * any_objection[:, None]

        # Bracketed clauses that a principal objects to are reopened (the shuttle to Moscow).
        principal_obj = objections[:, m.principal_idx]
        reopen = revising[:, None] & (m.status == BRACKETED) & (np.abs(principal_obj) > 0).any(axis=1)
        m.status = np.where(reopen, OPEN, m.status).astype(np.int8)
        m.reopened |= reopen

        threshold = m.bracket_threshold
        contested = (principal_obj > threshold).any(axis=1) & (principal_obj < -threshold).any(axis=1)
        m.contested = np.where(revising[:, None] & contested, m.contested + 1, np.where(revising[:, None], 0, m.contested))
        bracket = m.bracketing_on & (m.contested >= m.bracket_after) & (m.status <= AGREED) & ~m.reopened
        bracket &= revising[:, None]
        m.status = np.where(bracket, BRACKETED, m.status).astype(np.int8)

        heard_all = present[:, m.principal_idx].any(axis=2).all(axis=1)
        quiet = (np.abs(principal_obj) <= threshold).all(axis=1)
        settle = revising & heard_all
        m.status = np.where(settle[:, None] & (m.status <= AGREED), np.where(quiet, AGREED, OPEN), m.status).astype(np.int8)

        # Resilient steps (Rprop): a clause whose pull keeps its sign moves faster,
        # one whose pull flips (an overshoot the other side complains about) moves back by half.
        movable = m.status <= AGREED
        direction = np.sign(np.where(movable & any_objection[:, None], pull, 0.0))
        agreement = direction * m.last_direction
        m.clause_step = np.clip(
            np.where(agreement > 0, m.clause_step * STEP_GROWTH, np.where(agreement < 0, m.clause_step * 0.5, m.clause_step)),
            MIN_STEP, MAX_STEP,
        )
        m.last_direction = np.where(direction != 0, direction, m.last_direction)
        step = direction * m.clause_step
        changed = any_objection & (np.abs(step).max(axis=1) > 1e-12) | (reopen | bracket).any(axis=1)
        # A draft never goes beyond what any side asks for (the hull of the ideal points).
        revised = np.clip(m.text + step, m.hull_low, m.hull_high)
        m.text = np.where(changed[:, None], revised, m.text)
        m.version = m.version + changed
        rows = np.flatnonzero(changed)
        m.drafts[rows, m.version[rows]] = m.text[rows]
        m.draft_status[rows, m.version[rows]] = m.status[rows]
        if m.recording:
            narrative.note_revision(m, self, arrived, changed, reopen, bracket, step)

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
