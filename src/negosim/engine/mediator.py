"""The mediator as a Mesa agent: it owns the single negotiating text (Raiffa) and revises it.

Each round it registers the acceptances that reached it (a deal is any draft
every principal accepted), moves the text along the objections that arrived
(weighted by capability and its bias, its own interests pulling too), reopens
bracketed clauses a side insists on, brackets clauses the sides keep pulling
apart, presses holdouts, and sends the new version out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from negosim.engine.kernels import NO_FLAGS, apply_leverage, hear_objections, register_acceptances, settle_and_step
from negosim.engine.mailbox import NO_VERSION, Arrivals
from negosim.engine.principal import Party
from negosim.engine.tabling import TabledDrafts
from negosim.vocabulary import ClauseStatus, EventKind, ScheduleKind

if TYPE_CHECKING:
    from negosim.engine.model import NegotiationModel

MIN_STEP, MAX_STEP = 1e-4, 0.15  # bounds on the mediator's per-clause revision
STEP_GROWTH = 1.2  # how much bolder a revision gets while the sides keep pulling one way
STEP_FACTORS = np.array([0.5, 1.0, STEP_GROWTH])  # step multiplier after a flip, a pause, a repeat
REVISION_BOUNDS = np.array([MIN_STEP, MAX_STEP])


class RevisionBuffers:
    """Arrays the revision kernels write each round, allocated once per model."""

    def __init__(self, worlds: int, parties: int, clauses: int):
        W, P, K = worlds, parties, clauses
        self.pull, self.step = np.zeros((W, K)), np.zeros((W, K))
        self.heard_from, self.any_objection, self.changed = np.zeros((W, P), bool), np.zeros(W, bool), np.zeros(W, bool)
        self.up, self.down, self.reopen, self.bracket = (np.zeros((W, K), dtype=bool) for _ in range(4))
        self.unlocked = np.zeros((W, K), dtype=bool)  # for texts without packages
        self.silence = np.zeros((W, K), dtype=np.float32)  # objections of a sender that was not due


class Mediator(Party):
    """Owns, per world: the text (``text`` (W, K), ``status`` (W, K), ``version``
    (W,)), every draft it sent and who accepted which (``drafts``, ``draft_status``
    (drafts, W, K), round-first, ``accepted_drafts`` (W, P, drafts)), the latest version whose
    acceptance reached it from each party (``acceptance_received`` (W, P)), the latest
    draft every signatory has accepted (``agreed_version`` (W,), NO_VERSION if none),
    ``deal_now`` (W,), the pressure it has applied (``pressure_sent`` (W, P)),
    and its revision memory (``clause_step``, ``last_direction``, ``contested``,
    ``reopened``, all (W, K)). During a scheduled drop in attention it works on
    the text only on the days a draw says it does."""

    def __init__(self, model: NegotiationModel, pid: str, index: int, text: np.ndarray, status: np.ndarray):
        super().__init__(model, pid, index)
        self.settings = settings = model.params.mediator
        W, K, P = model.n_worlds, model.n_clauses, model.n_parties
        self.text, self.status = text, status
        self.version = np.zeros(W, dtype=np.int32)
        drafts = model.rounds + 1  # at most one draft per round
        # Round-first: a round's drafts are written close together, and the zeroed pages of
        # versions no world reaches are never touched (so never allocated).
        self.drafts = np.zeros((drafts, W, K))
        self.draft_status = np.zeros((drafts, W, K), dtype=np.int8)
        self.drafts[0], self.draft_status[0] = text, status
        self.accepted_drafts = np.zeros((W, P, drafts), dtype=bool)
        self.acceptance_received = np.full((W, P), NO_VERSION, dtype=np.int32)
        self.ever_accepted = np.zeros((W, P), dtype=bool)
        self.agreed_version = np.full(W, NO_VERSION, dtype=np.int32)  # the latest draft every signatory accepted
        calendar = model.spec.calendar
        self.attention = [
            (calendar.round_of(c.date), calendar.last_round_by(c.until), c.level)
            for c in model.spec.schedule
            if c.kind == ScheduleKind.ATTENTION
        ]
        self.deal_now = np.zeros(W, dtype=bool)
        self.pressure_sent = np.zeros((W, P))
        self.contested = np.zeros((W, K), dtype=np.int32)
        self.clause_step = np.broadcast_to(settings.step[:, None], (W, K)).copy()
        self.last_direction = np.zeros((W, K))
        self.reopened = np.zeros((W, K), dtype=bool)
        # deferral's memory: each principal's latest push per clause (-1, 0, 1), revisions in a
        # row each clause has been disputed, clauses sent to another track
        self.standing = np.zeros((W, len(model.signatory_idx), K) if self.settings.deferral else (W, 0, K), np.int8)
        self.disputed = np.zeros((W, K), dtype=np.int32)
        self.deferred_count = np.zeros(W, dtype=np.int32)
        # packages (scenarios with [packages]): which drafts each party accepted each package in,
        # the round each package was signed (-1: not yet), and the clauses signed packages fix
        G = len(model.package_of)
        self.package_accepted = np.zeros((W, P, drafts, G) if G else (0, 0, 0, 0), dtype=bool)
        self.package_round = np.full((W, G), -1, dtype=np.int32)
        self.locked = np.zeros((W, K), dtype=bool) if G else None  # None: nothing can be fixed early
        self._set_elsewhere = np.zeros(W, dtype=bool)  # text changed this round outside the revision
        self.tabling = TabledDrafts(self)
        self._buffers = RevisionBuffers(W, P, K)
        self._bracket_threshold = np.ascontiguousarray(settings.bracket_threshold[:, 0])
        self._is_principal = np.isin(np.arange(P), model.principal_idx)  # (P,): whose pushes reopen and contest
        targets = model.principal_idx
        self._leverage = tuple(
            v[..., targets]
            for v in (
                settings.leverage_per_round,
                settings.leverage_max,
                settings.leverage_credibility,
                settings.leverage_start,
            )
        )

    def mediate(self) -> None:
        m = self.model
        arrivals = m.mailbox.objections_stacked(m.round)
        self._register_acceptances()
        self._conclude()
        revising = m.state.active & ~self.deal_now & self._attending()
        if self.tabling.items:
            tabled, told = self.tabling.act(self, m.state.active & ~self.deal_now)
            self._set_elsewhere |= tabled
            revising &= ~tabled  # a draft goes out as tabled
            if m.recording:
                for label, rolled_back in told:
                    m.emit(EventKind.DRAFT, self.pid, text=label, rolled_back=rolled_back)
        self._revise(arrivals, revising)
        self._press(revising)
        self._send_text()

    def _attending(self) -> np.ndarray | bool:
        """Whether it works on the text today, per world (always, outside scheduled lapses)."""
        t = self.model.round
        level = next((level for first, last, level in self.attention if first <= t <= last), None)
        if level is None:
            return True
        return self.model.streams.uniform("attention", t) < level if level < 1 else True

    def _register_acceptances(self) -> None:
        got = self.model.mailbox.acceptances_arriving(self.model.round)
        register_acceptances(
            got, self.model.signatory_idx, self.accepted_drafts, self.acceptance_received, self.ever_accepted,
            self.agreed_version,
        )  # fmt: skip
        if len(self.model.package_of):
            got = self.model.mailbox.package_acceptances_arriving(self.model.round)  # (W, P, G)
            worlds, parties, packages = np.nonzero(got != NO_VERSION)
            self.package_accepted[worlds, parties, got[worlds, parties, packages], packages] = True

    def deal_in_flight(self) -> np.ndarray:
        """Worlds (W,) in which acceptances still on their way would complete a deal."""
        m = self.model
        accepted = self.accepted_drafts[:, m.signatory_idx, :].copy()  # (W, n, drafts)
        for versions in m.mailbox.acceptances_in_flight(m.round):
            worlds, j = np.nonzero(versions[:, m.signatory_idx] != NO_VERSION)
            accepted[worlds, j, versions[:, m.signatory_idx][worlds, j]] = True
        return accepted.all(axis=1).any(axis=1)

    def _conclude(self) -> None:
        """A deal is any draft every signatory (every principal not represented by another)
        has accepted; the latest such draft wins."""
        m = self.model
        deal = m.state.active & (self.agreed_version >= 0)
        self.deal_now = deal
        if deal.any():
            rows = np.flatnonzero(deal)
            last = self.agreed_version[rows]
            self.text[rows] = self.drafts[last, rows]
            self.status[rows] = self.draft_status[last, rows]
            self.version[rows] = last
        if len(m.package_of):
            self._sign_packages()

    def _sign_packages(self) -> None:
        """A package every signatory has accepted in one draft is signed: its clauses take that
        draft's values and are fixed. Every package signed is a deal."""
        m = self.model
        for g, inside in enumerate(m.package_of):
            agreed = self.package_accepted[..., g][:, m.signatory_idx].all(axis=1)  # (W, drafts)
            signs = m.state.active & ~self.deal_now & (self.package_round[:, g] < 0) & agreed.any(axis=1)
            if not signs.any():
                continue
            last = agreed.shape[1] - 1 - np.argmax(agreed[:, ::-1], axis=1)
            rows, cols = np.flatnonzero(signs), np.flatnonzero(inside)
            self.text[np.ix_(rows, cols)] = self.drafts[last[rows][:, None], rows[:, None], cols[None, :]]
            self.status[np.ix_(rows, cols)] = ClauseStatus.AGREED
            self.locked[np.ix_(rows, cols)] = True
            self.package_round[rows, g] = m.round
            self._set_elsewhere[rows] = True
        everything = m.state.active & (self.package_round >= 0).all(axis=1)
        self.deal_now |= everything
        self.package_round = np.where(self.deal_now[:, None] & (self.package_round < 0), m.round, self.package_round)

    # -- revising the text -------------------------------------------------------------
    def _revise(self, arrivals: Arrivals, revising: np.ndarray) -> None:
        """Move the text along the weighted objections that arrived (see
        :meth:`Mailbox.objections_stacked`); reopen, bracket and settle clauses."""
        m, s, b = self.model, self.settings, self._buffers
        hear_objections(
            arrivals.values, arrivals.arrived, arrivals.slot, self._is_principal, s.weights, s.own_weight,
            m.state.gradient[:, self.index], revising, self._bracket_threshold, s.insists,
            self.status, self.reopened, self.contested, b.pull, b.heard_from, b.any_objection, b.up, b.down, b.reopen,
        )  # fmt: skip
        defer = self._defer(revising, arrivals) if s.deferral else None
        # Once every principal has been heard, a clause no one pushes hard on counts as agreed.
        # A draft never goes beyond what any side asks for (the hull of the ideal points).
        settle_and_step(
            m.state.active, revising, self.text, self.status, self.contested, self.reopened,
            self.locked if self.locked is not None else b.unlocked, s.insists, b.heard_from, m.principal_idx,
            b.up, b.down, s.bracket_after if s.bracketing else -1, b.pull, b.any_objection, b.reopen,
            NO_FLAGS if defer is None else defer, self._set_elsewhere, s.hull_low, s.hull_high,
            REVISION_BOUNDS, STEP_FACTORS, self.clause_step, self.last_direction, self.version, self.drafts,
            self.draft_status, b.bracket, b.step, b.changed,
        )  # fmt: skip
        if m.recording:
            self._tell_revision(b.heard_from, b.changed, b.reopen, b.bracket, defer, b.step)

    def _defer(self, revising: np.ndarray, arrivals: Arrivals) -> np.ndarray:
        """Send the clause disputed longest, once disputed ``after`` revisions in a row, to
        another track for good, where the mediator may still defer one (W, K).

        A clause is disputed while the latest pushes of the signatories that have not
        accepted the current version point opposite ways, each stronger than the
        deferral's threshold (by default only crossed red lines); the count moves only in rounds
        in which some principal's objection arrives (objections that alternate with
        texts never reset it)."""
        s, m = self.settings, self.model
        got = [arrivals.of(i) for i in m.signatory_idx]
        heard = [g is not None for g in got]
        said = [self._buffers.silence if g is None else g[0] for g in got]
        defer = np.zeros(self.status.shape, dtype=bool)
        threshold = s.defer_threshold
        for j, values in enumerate(said):
            if heard[j]:
                arrived = (values != 0).any(axis=1, keepdims=True)
                push = np.where(values > threshold, 1, np.where(values < -threshold, -1, 0)).astype(np.int8)
                self.standing[:, j] = np.where(arrived, push, self.standing[:, j])
        accepted = self.acceptance_received[:, m.signatory_idx] >= self.version[:, None]
        self.standing[accepted] = 0
        disputed = (self.standing > 0).any(axis=1) & (self.standing < 0).any(axis=1)
        news = revising & np.logical_or.reduce([(v != 0).any(axis=1) for v in said])
        self.disputed = np.where(news[:, None], np.where(disputed, self.disputed + 1, 0), self.disputed)
        eligible = (
            revising[:, None]
            & (self.disputed >= s.defer_after)
            & (self.status <= ClauseStatus.AGREED)
            & (True if self.locked is None else ~self.locked)
            & s.deferrable
            & ~s.insists
            & (self.deferred_count < s.defer_most)[:, None]
        )
        rows = np.flatnonzero(eligible.any(axis=1))
        defer[rows, np.argmax(np.where(eligible[rows], self.disputed[rows], -1), axis=1)] = True
        np.putmask(self.status, defer, ClauseStatus.DEFERRED)
        self.deferred_count += defer.any(axis=1)
        return defer

    # -- pressure and sending ------------------------------------------------------------
    def _press(self, revising: np.ndarray) -> None:
        """Leverage on each principal still holding out against the current version (all at once)."""
        m, targets = self.model, self.model.principal_idx
        per_round_base, most, credibility, start = self._leverage  # the principals' columns
        amount, believed = np.empty((m.n_worlds, targets.size)), np.empty((m.n_worlds, targets.size), bool)
        apply_leverage(
            revising, self.acceptance_received, self.version, targets, per_round_base, self.settings.impatience,
            m.round, most, m.draws.credible, credibility, start, self.pressure_sent, self.messages,
            m.mailbox.threat_slot(m.round), amount, believed,
        )  # fmt: skip
        for j, i in enumerate(targets if m.recording else ()):
            if amount[0, j] > 0:
                m.emit(
                    EventKind.PRESSURE, self.pid, m.party_ids[i], amount=float(amount[0, j]),
                    believed=bool(believed[0, j]),
                )  # fmt: skip

    def press_all(self, targets: list[int], where: np.ndarray) -> None:
        """Apply all remaining leverage on ``targets`` at once in worlds ``where`` (an expired deadline)."""
        m, s = self.model, self.settings
        for i in targets:
            room = np.maximum(s.leverage_max[..., i] - self.pressure_sent[:, i], 0.0)
            amount = np.where(where, room, 0.0)
            self.pressure_sent[:, i] += amount
            m.mailbox.add_threat(m.round, i, amount)

    def _send_text(self) -> None:
        m = self.model
        delivered = m.state.active[:, None] & (m.draws.text < m.reliability.text)
        m.mailbox.post_text(
            m.round, self.text, self.status, np.where(m.state.active, self.version, NO_VERSION), delivered
        )

    def _tell_revision(self, heard_from, changed, reopen, bracket, defer, step) -> None:
        m = self.model
        # (most rounds none: .any() costs a third of flatnonzero, which shows in a traced run)
        for k in np.flatnonzero(reopen[0]) if reopen[0].any() else ():
            m.emit(EventKind.REOPEN, self.pid, clause=m.clause_ids[k], own=bool(self.settings.insists[k]))
        for k in np.flatnonzero(bracket[0]) if bracket[0].any() else ():
            m.emit(EventKind.BRACKET, self.pid, clause=m.clause_ids[k])
        for k in np.flatnonzero(defer[0]) if defer is not None and defer[0].any() else ():
            m.emit(EventKind.DEFER, self.pid, clause=m.clause_ids[k])
        if changed[0]:
            heard = [pid for pid, spoke in zip(m.party_ids, heard_from[0].tolist()) if spoke]
            receivers = [m.party_ids[i] for i in m.routes.text_receivers]
            m.emit(
                EventKind.REVISE,
                self.pid,
                ",".join(receivers),
                int(self.version[0]),
                heard=heard,
                receivers=receivers,
                step=step[0].copy(),
            )
