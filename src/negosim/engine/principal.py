"""The parties at the table as Mesa agents: principals decide, observers advise.

Each agent decides for all of the model's worlds at once: its arrays have a
leading world axis, and finished worlds are masked out. An agent reads the
shared :class:`~negosim.engine.state.WorldState`; it writes only its own
attributes (below) and the messages it posts into the mailbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from negosim.engine.kernels import NO_FLAGS, NO_FLOATS
from negosim.engine.mailbox import NO_VERSION
from negosim.engine.party_kernels import decide, judge_text, send_objection
from negosim.engine.tactics import time_dependent, tit_for_tat
from negosim.vocabulary import EventKind, SigningRule, TacticKind

if TYPE_CHECKING:
    from negosim.engine.model import NegotiationModel

SURPLUS_FLOOR = 0.02  # objections grow like 1 / (U - r); this caps them
RED_LINE_PUSH = 1000.0  # larger than any salience-weighted objection can be
RESEND_AFTER = 3  # rounds before an unanswered objection is sent again


class Party(mesa.Agent):
    """A delegation; ``index`` is its position on the party axis.

    Owns: ``responded_version`` (W,), the version it last answered, and
    ``last_objection`` (W,), the round it last sent one; ``messages`` (W,), how
    many it has sent. A party that objects pulls on every clause along its gradient;
    a principal adds its veto, its insisted clauses and its red lines (below).
    """

    veto_clauses = insisted_clauses = line_clauses = np.zeros(0, dtype=np.int64)
    bracket_direction = np.zeros((1, 0))

    model: NegotiationModel

    def __init__(self, model: NegotiationModel, pid: str, index: int):
        super().__init__(model)
        self.pid, self.index = pid, index
        self.label = model.spec.parties[pid].label
        W = model.n_worlds
        self.responded_version = np.full(W, NO_VERSION, dtype=np.int32)
        self.last_objection = np.zeros(W, dtype=np.int32)
        self.messages = np.zeros(W, dtype=np.int64)
        self._wants, self._objection = np.zeros((W, model.n_clauses)), np.zeros((W, model.n_clauses))
        self._no_push = np.zeros((W, 0))  # the veto and red-line push of a party without either

    def _send_objection(
        self, sending: np.ndarray, urgency: np.ndarray, veto_push=None, lines=None, settled=None
    ) -> np.ndarray:
        """Object where ``sending`` (W,): post the pull it wants on every clause (see
        :func:`~negosim.engine.party_kernels.send_objection`); routes may lose it.
        Returns the pull it wants (W, K)."""
        m, i = self.model, self.index
        values, arrived = m.mailbox.objection_slot(m.round, i)
        veto_push = self._no_push if veto_push is None else veto_push
        lines = self._no_push if lines is None else lines
        # Only lossy routes draw; a sure route always delivers, a missing one never does.
        send_objection(
            sending, m.state.gradient[:, i], urgency, self.veto_clauses, veto_push, self.insisted_clauses,
            self.bracket_direction, m.state.held_status[:, i], self.line_clauses, lines,
            NO_FLAGS if settled is None else settled,
            m.reliability.up[:, i], m.draws.upward.get(i, NO_FLOATS), m.round, m.state.held_version[:, i],
            self._wants, self._objection, values, arrived, self.messages, self.last_objection, self.responded_version,
        )  # fmt: skip
        return self._wants


class Principal(Party):
    """Ukraine, Russia, or any side whose signature a deal needs.

    Owns, per world: ``aspiration`` (the utility it still demands),
    ``accepts`` (it accepts the text it holds this round), ``accepted_version``
    (its latest acceptance, NO_VERSION if none), ``accept_round`` (its first,
    -1 if none), ``sign_round`` (its first signature: its first acceptance if
    accepting is signing, else the round of the deal), ``below_count`` (rounds
    in a row below its value of no deal), ``walked`` and ``walk_round``.
    """

    def __init__(self, model: NegotiationModel, pid: str, index: int):
        super().__init__(model, pid, index)
        params, party, W = model.params, model.spec.parties[pid], model.n_worlds
        prefs = params.prefs
        lo, hi = params.red_low[:, index], params.red_high[:, index]
        # Red lines, vetoes and insistence touch a few clauses: each works on those columns only.
        self.line_clauses = np.flatnonzero((lo > 0).any(axis=0) | (hi < 1).any(axis=0))
        self.red_lo, self.red_hi = lo[:, self.line_clauses], hi[:, self.line_clauses]
        self.worst = prefs.worst[:, index]
        salience = prefs.salience[:, index]
        salience_total = salience.sum(axis=-1, keepdims=True)
        self.insists = prefs.insists[index]
        self.insisted_clauses = np.flatnonzero(self.insists)
        self.bracket_direction = (
            salience
            / salience_total
            * np.sign(prefs.ideal[:, index] - prefs.worst[:, index])
            * prefs.inverse_span[:, index]
        )[:, self.insisted_clauses]
        self.veto = party.veto
        # Without a veto: no core clauses, and a distance of 0 is always within tolerance 0.
        self.veto_clauses, self.veto_reference, self.veto_tolerance = np.zeros(0, np.int64), np.zeros(0), np.zeros(1)
        self.veto_inverse_span = self.veto_share = self.veto_pull = np.zeros((1, 0))
        if party.veto is not None:
            self.veto_clauses = np.flatnonzero(np.isin(model.clause_ids, party.veto.clauses))
            core_salience = salience[:, self.veto_clauses]
            self.veto_reference = params.reference[party.veto.reference][0][self.veto_clauses]
            self.veto_inverse_span = prefs.inverse_span[:, index][:, self.veto_clauses]
            self.veto_share = core_salience / core_salience.sum(axis=-1, keepdims=True)
            self.veto_pull = 2.0 * core_salience / salience_total
            self.veto_tolerance = params.veto_tolerance[pid]
        tactics = params.tactics
        self.tactic, self.signing = tactics.kind[index], tactics.signs[index]
        self.proxy = model.spec.parties[pid].represented_by  # who signs for it, if anyone
        self.initial, self.exponent = tactics.initial[..., index], tactics.exponent[..., index]
        self.reciprocity, self.noise = tactics.reciprocity[..., index], tactics.noise[..., index]
        self.walkout_margin, self.walkout_patience = tactics.walkout_margin[..., index], tactics.walkout_patience[index]

        self.aspiration = np.zeros(W)
        L, C = self.line_clauses.size, self.veto_clauses.size
        self._judged = (np.zeros((W, L)), np.zeros(W, dtype=bool), np.zeros((W, C)), np.zeros(W, dtype=bool))
        self.accepts = np.zeros(W, dtype=bool)
        self.accepted_version = np.full(W, NO_VERSION, dtype=np.int32)
        self.accept_round = np.full(W, -1, dtype=np.int32)
        self.sign_round = np.full(W, -1, dtype=np.int32)
        self.below_count = np.zeros(W, dtype=np.int32)
        self.walked = np.zeros(W, dtype=bool)
        self.walk_round = np.full(W, -1, dtype=np.int32)
        self._decided = (np.zeros(W, dtype=bool), np.zeros(W), np.zeros(W, dtype=bool))  # objects, urgency, walks

    # -- how it judges the text it holds ------------------------------------------
    def judge(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Its red lines and veto on the text it holds, per world: the push back on each
        red-line clause (W, len(line_clauses)), whether no red line is crossed (W,), the
        push toward the veto's reference on its core clauses (W, core; zero where the
        text is close enough) and whether it is close enough (W,).

        A crossed red line is not traded off: its push outweighs any other pull.
        Only clauses it counts (open, or insisted on) are judged.
        """
        state, i = self.model.state, self.index
        lines, lines_ok, veto_push, veto_ok = self._judged
        judge_text(
            state.held[:, i], state.held_status[:, i], self.worst, self.line_clauses, self.red_lo, self.red_hi,
            self.insists, RED_LINE_PUSH, self.veto_clauses, self.veto_reference, self.veto_inverse_span,
            self.veto_share, self.veto_pull, self.veto_tolerance, lines, lines_ok, veto_push, veto_ok,
        )  # fmt: skip
        return lines, lines_ok, veto_push, veto_ok

    def _aspiration(self, utility: np.ndarray, reservation: np.ndarray) -> np.ndarray:
        m, state = self.model, self.model.state
        if self.tactic == TacticKind.TIT_FOR_TAT:
            gain = np.where(state.new_text[:, self.index], utility - state.previous_utility[:, self.index], 0.0)
            start = np.where(m.round == 0, self.initial, self.aspiration)
            return tit_for_tat(start, gain, self.reciprocity, reservation)
        return time_dependent(m.round, m.deadlines.due_round[:, self.index], self.initial, reservation, self.exponent)

    # -- the round -------------------------------------------------------------------
    def respond(self) -> None:
        """Accept the held text, object to it clause by clause, or walk out."""
        m, state, i = self.model, self.model.state, self.index
        utility, reservation = state.utility[:, i], state.reservation[:, i]
        self.aspiration = aspiration = self._aspiration(utility, reservation)
        lines, lines_ok, veto_push, veto_ok = self.judge()
        objects, urgency, walks = self._decide(lines_ok, veto_ok)
        settled = None
        if len(m.package_of):
            active = state.active & (state.held_version[:, i] != NO_VERSION)
            settled = self._accept_packages(active, aspiration, reservation, lines, veto_ok)
        wants = self._send_objection(objects, urgency, veto_push, lines, settled)
        if m.recording:
            self._tell(self.accepts, objects, walks, wants, lines, veto_ok, utility, aspiration)

    def _decide(self, lines_ok: np.ndarray, veto_ok: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Accept (telling the mediator which version; a signature too, if accepting is
        signing), or object (where it has not accepted this version and has something new
        to answer or waited long enough), or walk out; see
        :func:`~negosim.engine.party_kernels.decide`. Returns where it objects, how urgently,
        and where it walks out (W,)."""
        m, state, i = self.model, self.model.state, self.index
        objects, urgency, walks = self._decided
        decide(
            state.active, state.held_version[:, i], state.utility[:, i], state.reservation[:, i], self.aspiration,
            self.noise, m.draws.noise[:, i], lines_ok, veto_ok, m.draws.signature[:, i], m.reliability.signal[:, i],
            m.round, self.signing == SigningRule.ON_ACCEPTANCE and self.proxy is None, self.walkout_margin,
            int(self.walkout_patience), RESEND_AFTER, SURPLUS_FLOOR, self.responded_version, self.last_objection,
            self.accepts, m.mailbox.acceptance_slot(m.round, i), self.accept_round, self.sign_round, self.messages,
            self.accepted_version, objects, urgency, self.below_count, self.walked, self.walk_round, walks,
        )  # fmt: skip
        return objects, urgency, walks

    def _accept_packages(self, active, aspiration, reservation, lines, veto_ok) -> np.ndarray:
        """Accept, package by package, what it would accept if that package were the whole
        text (its red lines and veto judged on that package's clauses); tell the mediator.
        Returns the clauses it has nothing to object to (W, K): those of the packages it
        accepts and those already signed."""
        m, i = self.model, self.index
        inside = m.package_of  # (G, K)
        worth = m.state.package_utility[:, i]  # (W, G)
        noisy = worth + (self.noise * m.draws.noise[:, i])[:, None]
        crossed = lines != 0  # (W, line clauses)
        lines_ok = ~(crossed[:, None, :] & inside[None][:, :, self.line_clauses]).any(axis=-1)  # (W, G)
        veto_ok = veto_ok[:, None] | ~inside[:, self.veto_clauses].any(axis=1)[None] if self.veto else True
        accepts = (
            active[:, None] & (noisy >= aspiration[:, None]) & (worth >= reservation[:, None]) & lines_ok & veto_ok
        )
        arrives = m.draws.signature[:, i] < m.reliability.signal[:, i]
        held = m.state.held_version[:, i]
        m.mailbox.post_package_acceptance(m.round, i, np.where(accepts & arrives[:, None], held[:, None], NO_VERSION))
        return (accepts.astype(np.uint8) @ inside.astype(np.uint8)).astype(bool) | m.mediator.locked

    def sign_with_all(self, deal: np.ndarray) -> None:
        """Sign the deal the mediator registered this round (a party that signs only with all,
        or one its representative signs for). A deal made package by package counts as
        accepted by each signatory when its last package is signed."""
        if len(self.model.package_of) and self.proxy is None:
            self.accept_round = np.where(deal & (self.accept_round < 0), self.model.round, self.accept_round)
            if self.signing == SigningRule.ON_ACCEPTANCE:
                self.sign_round = np.where(deal & (self.sign_round < 0), self.model.round, self.sign_round)
        if self.signing == SigningRule.WITH_ALL or self.proxy is not None:
            self.sign_round = np.where(deal & (self.sign_round < 0), self.model.round, self.sign_round)

    def _tell(self, accepts, objects, walks, wants, lines, veto_ok, utility, aspiration) -> None:
        m, i = self.model, self.index
        version = int(m.state.held_version[0, i])
        facts = dict(
            utility=float(utility[0]), aspiration=float(aspiration[0]), reservation=float(m.state.reservation[0, i])
        )
        if accepts[0]:
            kind = EventKind.SIGN if self.signing == SigningRule.ON_ACCEPTANCE else EventKind.ACCEPT
            m.emit(kind, self.pid, m.mediator.pid, version, **facts)
        elif objects[0]:
            crossed = [m.clause_ids[k] for k, line in zip(self.line_clauses.tolist(), lines[0].tolist()) if line]
            m.emit(
                EventKind.OBJECT,
                self.pid,
                m.mediator.pid,
                version,
                crossed=crossed,
                veto_ok=bool(veto_ok[0]),
                pull=wants[0].copy(),
                **facts,
            )
        if walks[0]:
            m.emit(EventKind.WALKOUT, self.pid, "", version, **facts)


class Observer(Party):
    """A party outside the table (the E3) that advises along its channels: its gradient, unscaled."""

    def __init__(self, model: NegotiationModel, pid: str, index: int):
        super().__init__(model, pid, index)
        self._unscaled = np.ones(model.n_worlds)

    def advise(self) -> None:
        m, state, i = self.model, self.model.state, self.index
        fresh = state.active & (state.held_version[:, i] > self.responded_version)
        self._send_objection(fresh, self._unscaled)
        if m.recording and fresh[0]:
            m.emit(EventKind.ADVICE, self.pid, "", int(state.held_version[0, i]), pull=state.gradient[0, i].copy())
