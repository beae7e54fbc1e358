"""NegotiationModel: one Mesa model that advances many independent worlds.

Every piece of state has a leading world axis; world i draws all its random
numbers from its own stream keyed by ``seeds[i]``. With one seed the model is
the inspectable run a teacher steps through (a DataCollector records each
round and the events behind the narrative); with ten thousand seeds it is one
chunk of an ensemble. The dynamics are the same code either way.

A round: texts, objections, signatures and threats that are due arrive; the
principals sign, object or walk out; observers advise; the mediator registers
signatures, revises the text, presses, brackets and sends the new version;
the battlefield moves; deadlines fall due; finished worlds are settled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import mesa
import numpy as np

from negosim import outcomes as oc
from negosim.agents import Mediator, Observer, Principal
from negosim.battlefield import ReservationModel, step_territory
from negosim.graph import build_graph
from negosim.mailbox import NO_VERSION, Mailbox
from negosim.params import WorldParams
from negosim.scenario import Scenario, load_scenario
from negosim.streams import RoundDraws, WorldStreams, world_seeds
from negosim import narrative
from negosim.utility import AGREED, BRACKETED, DROPPED, evaluate, position_index, preferences_from



class NegotiationModel(mesa.Model):
    """Mediated negotiation over a clause text, for one or many seeds.

    >>> from negosim import load_scenario, NegotiationModel
    >>> model = NegotiationModel(load_scenario("scenarios/teaching_two_party.toml"), seeds=[1, 2]).run()
    >>> model.outcomes()["status"].tolist()
    ['deal', 'deal']
    """

    def __init__(
        self,
        scenario: Scenario | str | Path,
        seeds: int | Sequence[int] | np.ndarray = 0,
        *,
        record: bool | None = None,
    ):
        self.seeds = world_seeds(seeds)
        # model.rng is Mesa's; the dynamics never use it (they use per-world streams).
        super().__init__(rng=int(self.seeds[0]))
        # Mesa reserves model.scenario for its own experimental Scenario class.
        self.spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        s = self.spec
        self.n_worlds = W = self.seeds.size
        self.party_ids, self.clause_ids = s.party_ids, s.clause_ids
        self.n_parties, self.n_clauses = P, K = len(self.party_ids), len(self.clause_ids)
        self.principal_idx = np.array([self.party_ids.index(p) for p in s.principals])
        self.mediator_idx = self.party_ids.index(s.mediator.party)
        self.rounds = s.calendar.rounds
        self.recording = W == 1 if record is None else record

        self.streams = WorldStreams(self.seeds)
        self.params = params = WorldParams(s, self.streams)
        self.graph = build_graph(s)
        self.routes = s.routes
        self.mailbox = Mailbox(self.routes, W, P, K)
        self.prefs = preferences_from(s, params)
        self._load_parameters(params)
        self._load_texts()

        self.round = 0
        self.active = np.ones(W, dtype=bool)
        self.territory0 = np.broadcast_to(params.value("battlefield.territory"), (W,)).copy()
        self.territory = self.territory0.copy()
        self.pressure = np.zeros((W, P))
        self.pressure_sent = np.zeros((W, P))
        self.held = np.broadcast_to(self.text[:, None, :], (W, P, K)).copy()
        self.held_status = np.broadcast_to(self.status[:, None, :], (W, P, K)).copy()
        reach = (self.routes.text_latency >= 0)[None, :]
        self.held_version = np.where(reach, 0, NO_VERSION).repeat(W, axis=0).astype(np.int32)
        self.responded_version = np.full((W, P), NO_VERSION, dtype=np.int32)
        self.last_objection = np.zeros((W, P), dtype=np.int32)
        self.new_text = np.broadcast_to(reach, (W, P)).copy()
        self.signed_version = np.full((W, P), NO_VERSION, dtype=np.int32)
        self.sig_version = np.full((W, P), NO_VERSION, dtype=np.int32)
        self.accepts = np.zeros((W, P), dtype=bool)
        self.ever_signed = np.zeros((W, P), dtype=bool)
        # The mediator keeps every draft and who signed it: at most one draft per round.
        drafts = self.rounds + 1
        self.drafts = np.zeros((W, drafts, K))
        self.draft_status = np.zeros((W, drafts, K), dtype=np.int8)
        self.drafts[:, 0], self.draft_status[:, 0] = self.text, self.status
        self.signed_drafts = np.zeros((W, P, drafts), dtype=bool)
        self.sign_round = np.full((W, P), -1, dtype=np.int32)
        self.below_count = np.zeros((W, P), dtype=np.int32)
        self.walked = np.zeros((W, P), dtype=bool)
        self.aspiration = np.zeros((W, P))
        self.previous_utility = np.zeros((W, P))
        self.contested = np.zeros((W, K), dtype=np.int32)
        self.clause_step = np.broadcast_to(self.step_size[:, None], (W, K)).copy()
        self.last_direction = np.zeros((W, K))
        self.reopened = np.zeros((W, K), dtype=bool)
        self.messages = np.zeros(W, dtype=np.int64)
        self.deal_now = np.zeros(W, dtype=bool)
        self.status_code = np.full(W, oc.UNSETTLED, dtype=np.int8)
        self.end_round = np.full(W, -1, dtype=np.int32)
        self.end_talks = np.zeros(W, dtype=bool)
        self._init_deadlines()

        for pid in self.party_ids:
            role = {"mediator": Mediator, "principal": Principal, "observer": Observer}[s.parties[pid].role]
            role(self, pid, self.party_ids.index(pid))
        self._evaluate()
        self.events: list[dict] = []
        if self.recording:
            self.datacollector = mesa.DataCollector(
                model_reporters=narrative.model_reporters(self),
                tables={"events": narrative.EVENT_COLUMNS},
            )

    # -- set-up -----------------------------------------------------------------
    def _per_party(self, field: str, default: float) -> np.ndarray:
        columns = [self.params.value(f"parties.{pid}.{field}", default) for pid in self.party_ids]
        width = max(c.shape[0] for c in columns)
        return np.stack([np.broadcast_to(c, (width,)) for c in columns], axis=1)

    def _load_parameters(self, params: WorldParams) -> None:
        s = self.spec
        self.reservation_model = ReservationModel(
            **{f: self._per_party(f"reservation.{f}", 0.0) for f in ("base", "territory_weight", "expected_drift", "lookahead", "war_cost")}
        )
        self.noise = self._per_party("noise", 0.0)
        self.initial_aspiration = self._per_party("tactic.initial", 1.0)
        self.reciprocity = self._per_party("tactic.reciprocity", 1.0)
        self.tactic_kind = [p.tactic.kind if p.tactic else "linear" for p in s.parties.values()]
        exponents = []
        for pid, p in s.parties.items():
            base = p.tactic.effective_exponent if p.tactic else 1.0
            exponents.append(np.maximum(params.value(f"parties.{pid}.tactic.exponent", base), 1e-3))
        width = max(e.shape[0] for e in exponents)
        self.exponent = np.stack([np.broadcast_to(e, (width,)) for e in exponents], axis=1)
        self.walkout_margin = self._per_party("walkout.margin", 0.1)
        self.walkout_patience = np.array([p.walkout.patience for p in s.parties.values()])

        self.red_lo = np.stack([self._bound(pid, "min", 0.0) for pid in self.party_ids], axis=1)
        self.red_hi = np.stack([self._bound(pid, "max", 1.0) for pid in self.party_ids], axis=1)

        med = s.mediator
        self.step_size = params.value("mediator.step")
        self.own_weight = params.value("mediator.own_weight")
        self.impatience = params.value("mediator.impatience")
        bias = params.value("mediator.bias")
        salience, ideal = self.prefs.salience, self.prefs.ideal
        side = np.sign(((ideal - 0.5) * salience).sum(axis=-1))  # (W|1, P): -1 Kyiv side, +1 Moscow side
        capability = self._per_party("capability", 1.0)
        is_principal = np.isin(np.arange(self.n_parties), self.principal_idx)
        raw = np.where(is_principal, capability * np.maximum(1.0 + bias[:, None] * side, 0.0), 0.0)
        total = raw.sum(axis=1, keepdims=True)
        weights = np.where(total > 0, raw / np.where(total > 0, total, 1.0), is_principal / is_principal.sum())
        self.weights = weights + np.where(is_principal, 0.0, self._per_party("advice_weight", 0.0))
        self.leverage_per_round = self._leverage("per_round", 0.0)
        self.leverage_credibility = self._leverage("credibility", 1.0)
        self.leverage_max = self._leverage("maximum", 0.0)
        self.leverage_start = np.array(
            [med.leverage[p].start_round if p in med.leverage else 0 for p in self.party_ids]
        )
        pulls = np.isin(np.arange(self.n_parties), self.principal_idx)[:, None]
        if s.mediator.own_weight > 0 or "mediator.own_weight" in s.uncertainty:
            pulls = pulls | (np.arange(self.n_parties) == self.mediator_idx)[:, None]
        self.hull_low = np.where(pulls, ideal, np.inf).min(axis=1)
        self.hull_high = np.where(pulls, ideal, -np.inf).max(axis=1)
        self.bracketing_on = med.bracketing.enabled
        self.bracket_after = med.bracketing.after
        self.bracket_threshold = params.value("mediator.bracketing.threshold")[:, None]

    def _bound(self, pid: str, side: str, default: float) -> np.ndarray:
        """Red-line bounds of one party per clause, (1|W, K)."""
        party = self.spec.parties[pid]
        base = np.array([[getattr(party.red_lines[c], side) if c in party.red_lines else default for c in self.clause_ids]])
        columns = {
            k: self.params.value(f"parties.{pid}.red_lines.{cid}.{side}")
            for k, cid in enumerate(self.clause_ids)
            if f"parties.{pid}.red_lines.{cid}.{side}" in self.spec.uncertainty
        }
        if not columns:
            return base
        out = np.repeat(base, max(c.size for c in columns.values()), axis=0)
        for k, values in columns.items():
            out[:, k] = values
        return out

    def _leverage(self, field: str, default: float) -> np.ndarray:
        med = self.spec.mediator
        columns = [
            self.params.value(f"mediator.leverage.{pid}.{field}") if pid in med.leverage else np.array([default])
            for pid in self.party_ids
        ]
        width = max(c.shape[0] for c in columns)
        return np.stack([np.broadcast_to(c, (width,)) for c in columns], axis=1)

    def _load_texts(self) -> None:
        s = self.spec
        self.reference = {}
        for name, text in s.texts.items():
            values = np.array([text.values[c] for c in self.clause_ids])
            status = np.array(
                [BRACKETED if c in text.bracketed else DROPPED if c in text.dropped else 0 for c in self.clause_ids],
                dtype=np.int8,
            )
            self.reference[name] = (values, status)
        values, status = self.reference[s.mediator.start_text]
        self.text = np.tile(values, (self.n_worlds, 1))
        self.status = np.tile(status, (self.n_worlds, 1))
        self.version = np.zeros(self.n_worlds, dtype=np.int32)
        self.index_ends = None
        if s.index_from is not None:
            self.index_ends = (self.reference[s.index_from][0], self.reference[s.index_to][0])

    def _init_deadlines(self) -> None:
        s, W = self.spec, self.n_worlds
        self.deadlines = [d for d in s.deadlines if d.kind != "absent"]
        self.deadline_due = np.array([[s.calendar.round_of(d.date)] * W for d in self.deadlines], dtype=np.int32).reshape(-1, W)
        self.deadline_extensions = np.zeros_like(self.deadline_due)
        self.deadline_expired = np.zeros(self.deadline_due.shape, dtype=bool)
        self.extension_prob = [self.params.value(f"deadlines.{j}.extension_prob") for j, d in enumerate(s.deadlines) if d.kind != "absent"]
        self._update_due_rounds()

    def _update_due_rounds(self) -> None:
        """Each principal's concession clock runs to its nearest live deadline.

        A soft deadline is discounted by its chance of extension: the party
        expects ``extension_prob * extension_days`` more, as long as extensions
        remain. An expired deadline stays where it fell (the party has conceded).
        """
        due = np.full((self.n_worlds, self.n_parties), float(self.rounds - 1))
        days = self.spec.calendar.round_days
        for j, d in enumerate(self.deadlines):
            expected = self.deadline_due[j].astype(float)
            if d.kind == "soft":
                room = (self.deadline_extensions[j] < d.max_extensions) & ~self.deadline_expired[j]
                expected = expected + np.where(room, self.extension_prob[j] * d.extension_days / days, 0.0)
            targets = [self.party_ids.index(d.party)] if d.party else list(self.principal_idx)
            for i in targets:
                due[:, i] = np.minimum(due[:, i], expected)
        self.due_round = due

    # -- the round ----------------------------------------------------------------
    def step(self) -> None:
        t = self.round
        self.draws = RoundDraws.draw(self.streams, t, self.n_parties, self.n_clauses, len(self.deadlines), self.routes.lossy_up)
        self.mailbox.clear_slot(t)
        self._deliver()
        self._evaluate()
        self.agents_by_type[Principal].do("respond")
        if Observer in self.agents_by_type:
            self.agents_by_type[Observer].do("advise")
        self.agents_by_type[Mediator].do("mediate")
        self._fight()
        self._deadlines()
        self._settle()
        self.previous_utility = self.utility  # evaluate() returns a new array each round
        if self.recording:
            self.datacollector.collect(self)
        self.round += 1
        self.running = bool(self.active.any()) and self.round < self.rounds

    def run(self) -> NegotiationModel:
        """Step until every world has ended (Mesa's ``run_for`` ignores ``running``)."""
        while self.running:
            self.step()
        return self

    def _deliver(self) -> None:
        version, slot = self.mailbox.texts_arriving(self.round)
        new = (version > self.held_version) & self.active[:, None]
        if self.round > 0:
            self.new_text = new
        for i in np.flatnonzero(new.any(axis=0)):
            rows = np.flatnonzero(new[:, i])
            if rows.size == self.n_worlds:  # a plain copy beats a gather
                rows = slice(None)
            self.held[rows, i] = self.mailbox.text_values[slot[i], rows]
            self.held_status[rows, i] = self.mailbox.text_status[slot[i], rows]
        self.held_version = np.where(new, version, self.held_version)
        threats = self.mailbox.threats_arriving(self.round)
        self.pressure += threats * self.active[:, None]
        if self.recording:
            narrative.note_deliveries(self, new, threats)

    def _evaluate(self) -> None:
        # The mediator holds no copy: its column scores the master text, in the same pass.
        self.held[:, self.mediator_idx] = self.text
        self.held_status[:, self.mediator_idx] = self.status
        self.utility, self.gradient = evaluate(self.prefs, self.held, self.held_status)
        gain = self.territory - self.territory0
        self.reservation = self.reservation_model.value(gain, self.round, self.pressure)

    def _fight(self) -> None:
        shock = self.draws.battlefield
        drift, vol = self.params.value("battlefield.drift"), self.params.value("battlefield.volatility")
        moved = step_territory(self.territory, drift, vol, shock)
        self.territory = np.where(self.active, moved, self.territory)

    def _deadlines(self) -> None:
        t = self.round
        for j, d in enumerate(self.deadlines):
            if d.party:
                met = self.sign_round[:, self.party_ids.index(d.party)] >= 0
            else:
                met = self.deal_now
            due = self.active & ~met & ~self.deadline_expired[j] & (self.deadline_due[j] == t)
            if not due.any():
                continue
            extend = np.zeros_like(due)
            if d.kind == "soft":
                draw = self.draws.deadline[:, j]
                extend = due & (draw < self.extension_prob[j]) & (self.deadline_extensions[j] < d.max_extensions)
            step = max(1, -(-d.extension_days // self.spec.calendar.round_days))
            self.deadline_due[j] += np.where(extend, step, 0).astype(np.int32)
            self.deadline_extensions[j] += extend
            expire = due & ~extend
            self.deadline_expired[j] |= expire
            if d.on_expiry == "end":
                self.end_talks |= expire
            else:
                targets = [self.party_ids.index(d.party)] if d.party else list(self.principal_idx)
                for i in targets:
                    room = np.maximum(self.leverage_max[..., i] - self.pressure_sent[:, i], 0.0)
                    amount = np.where(expire, room, 0.0)
                    self.pressure_sent[:, i] += amount
                    self.mailbox.threats[t % self.mailbox.depth, :, i] += amount
            if self.recording:
                narrative.note_deadline(self, d, bool(extend[0]), bool(expire[0]))
        self._update_due_rounds()

    def _settle(self) -> None:
        t = self.round
        ending = self.end_talks
        walked = self.walked.any(axis=1)
        last = t >= self.rounds - 1
        done = self.active & (self.deal_now | walked | ending | last)
        if not done.any():
            return
        signed = self.ever_signed[:, self.principal_idx].any(axis=1)
        code = np.where(
            self.deal_now,
            oc.DEAL,
            np.where(walked, oc.BREAKDOWN, np.where(signed, oc.FRAMEWORK, oc.DEADLOCK)),
        )
        self.status_code = np.where(done, code, self.status_code).astype(np.int8)
        self.end_round = np.where(done, t, self.end_round)
        self.status = np.where((done & self.deal_now)[:, None] & (self.status == 0), AGREED, self.status).astype(np.int8)
        self.active &= ~done
        if self.recording and done[0]:
            narrative.note_end(self, oc.STATUS_NAMES[code[0]])

    @property
    def mediator_utility(self) -> np.ndarray:
        """The mediator's utility of the master text, (W,)."""
        return self.utility[:, self.mediator_idx]

    @property
    def mediator_gradient(self) -> np.ndarray:
        """The gradient of that utility, (W, K)."""
        return self.gradient[:, self.mediator_idx]

    # -- results -------------------------------------------------------------------
    def date_of(self, round_index: int) -> dt.date:
        return self.spec.calendar.date_of(round_index)

    def position_index(self) -> np.ndarray:
        """Position of the current text between ``index_from`` (0) and ``index_to`` (1)."""
        if self.index_ends is None:
            return np.full(self.n_worlds, np.nan)
        return position_index(self.text, self.status, *self.index_ends)

    def outcomes(self):
        """One row per seed (a pandas DataFrame); see :mod:`negosim.outcomes`."""
        return oc.outcome_table(self)

    def trace(self) -> list[str]:
        """The recorded world told round by round, in plain words."""
        return narrative.tell(self)

