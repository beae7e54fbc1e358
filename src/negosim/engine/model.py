"""NegotiationModel: one Mesa model that advances many independent worlds.

Every piece of state has a leading world axis; world i draws all its random
numbers from its own stream keyed by ``seeds[i]``. With one seed the model is
the inspectable run a teacher steps through (attach a listener, such as
:class:`negosim.analysis.narrative.Recorder`, to hear what happens); with ten
thousand seeds it is one chunk of an ensemble. The dynamics are the same code
either way.

The model wires: it reads the scenario into :class:`~negosim.engine.params.ModelParams`,
holds the :class:`~negosim.engine.state.WorldState`, the mailbox and the
deadlines, creates one agent per party, and runs the round (:meth:`step`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import mesa
import numpy as np

from negosim.engine.battlefield import step_territory
from negosim.engine.deadlines import Deadlines
from negosim.engine.events import EventSource
from negosim.engine.kernels import deliver_texts
from negosim.engine.mailbox import Mailbox
from negosim.engine.mediator import Mediator
from negosim.engine.outcomes import classify, outcome_table
from negosim.engine.params import ModelParams
from negosim.engine.principal import Observer, Party, Principal
from negosim.engine.ratification import Ratifications
from negosim.engine.reliability import Reliability
from negosim.engine.state import Snapshot, WorldState
from negosim.engine.streams import RoundDraws, WorldStreams, world_seeds
from negosim.engine.utility import evaluate, position_index
from negosim.engine.variants import chosen_values, split_variants
from negosim.scenario import Scenario, load_scenario
from negosim.scenario.graph import build_graph
from negosim.vocabulary import ClauseStatus, EventKind, Outcome, Role


def package_rows(scenario: Scenario) -> np.ndarray:
    """Which clauses each of the scenario's packages holds, (packages, clauses); no rows without
    ``[packages]`` (the whole text is then one package)."""
    clauses = scenario.clause_ids
    rows = [[c in package.clauses for c in clauses] for package in scenario.packages.values()]
    return np.array(rows, dtype=bool).reshape(len(rows), len(clauses))


class NegotiationModel(EventSource, mesa.Model):
    """Mediated negotiation over a clause text, for one or many seeds.

    >>> from negosim import load_scenario, NegotiationModel
    >>> model = NegotiationModel(load_scenario("teaching_two_party"), seeds=[1, 2]).run()
    >>> model.outcomes()["status"].tolist()
    ['deal', 'deal']
    """

    def __init__(
        self,
        scenario: Scenario | str | Path,
        seeds: int | Sequence[int] | np.ndarray = 0,
        *,
        snapshots: Sequence[int] = (),
    ):
        self.seeds = world_seeds(seeds)
        # model.rng is Mesa's; the dynamics never use it (they use per-world streams).
        super().__init__(rng=int(self.seeds[0]))
        # Mesa reserves model.scenario for its own experimental Scenario class.
        base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        variants = split_variants(base, self.seeds)
        if len(variants) > 1:
            raise ValueError(
                f"these {self.seeds.size} seeds draw {len(variants)} variants of {base.meta.name} (its [uncertainty] "
                "has choices); one model runs one variant: use run_ensemble, or split_variants to group the seeds"
            )
        self.spec = s = variants[0][0]
        self.choices = chosen_values(base, s)
        self.n_worlds = W = self.seeds.size
        self.party_ids, self.clause_ids = s.party_ids, s.clause_ids
        self.n_parties, self.n_clauses = len(self.party_ids), len(self.clause_ids)
        self.principal_idx = np.array([self.party_ids.index(p) for p in s.principals])
        self.signatory_idx = np.array([self.party_ids.index(p) for p in s.signatories])  # whose acceptance a deal needs
        self.mediator_idx = self.party_ids.index(s.mediator.party)
        self.rounds = s.calendar.rounds
        self.round = 0
        self.listeners = []
        self.snapshot_rounds = frozenset(int(r) for r in snapshots)
        self.snapshots: dict[int, Snapshot] = {}  # round -> what each principal held at its end

        self.streams = WorldStreams(self.seeds)
        self.params = params = ModelParams.build(s, self.streams)
        self.graph = build_graph(s)
        self.route_plan, self._period_of = s.routes, (-1, 0)  # _period_of: (round, its route period)
        self.reliability_plan = tuple(Reliability.of(r, params.channel_reliability) for r in self.route_plan.periods)
        self.package_of = package_rows(s)
        self.mailbox = Mailbox(self.route_plan, W, self.n_parties, self.n_clauses, len(s.packages), self.rounds)
        values, status = params.reference[s.mediator.start_text]
        text, status = np.tile(values, (W, 1)), np.tile(status, (W, 1))
        reachable = self.route_plan.at(0).text_latency >= 0
        self.state = WorldState.start(text, status, self.n_parties, reachable, params.territory)
        self.index_ends = None
        if s.index_from is not None:
            self.index_ends = (params.reference[s.index_from][0], params.reference[s.index_to][0])

        self.principals: list[Principal] = []
        self.observers: list[Observer] = []
        for i, pid in enumerate(self.party_ids):
            role = s.parties[pid].role
            if role == Role.MEDIATOR:
                self.mediator = Mediator(self, pid, i, text, status)
            elif role == Role.PRINCIPAL:
                self.principals.append(Principal(self, pid, i))
            else:
                self.observers.append(Observer(self, pid, i))
        self.deadlines = Deadlines(self)
        self.ratifications = Ratifications(self)
        self._score_texts()

    def agent(self, pid: str) -> Party:
        """The agent of party ``pid``."""
        return self._agent_of[pid]

    @cached_property
    def _agent_of(self) -> dict[str, Party]:
        return {agent.pid: agent for agent in self.agents}

    @property
    def reliability(self) -> Reliability:
        """The delivery probabilities of this round's routes, per world where drawn."""
        return self.reliability_plan[self._period()]

    @property
    def routes(self):
        """The routes messages sent this round travel (see :class:`~negosim.scenario.graph.RoutePlan`)."""
        return self.route_plan.periods[self._period()]

    def _period(self) -> int:
        """This round's route period (asked several times a round, so kept until the round moves)."""
        if self._period_of[0] != self.round:
            self._period_of = (self.round, self.route_plan.period_of(self.round))
        return self._period_of[1]

    # -- the round (DESIGN.md §1) --------------------------------------------------------
    def step(self) -> None:
        """Messages arrive; principals sign, object or walk out; observers advise; the
        mediator revises and sends; the battlefield moves; deadlines fall due;
        finished worlds are settled."""
        self.draws = RoundDraws.draw(
            self.streams, self.round, self.n_parties, self.n_clauses, len(self.deadlines), self.reliability.lossy_up
        )
        self.mailbox.clear_slot(self.round)
        self._deliver()
        self._score_texts()
        for principal in self.principals:
            principal.respond()
        for observer in self.observers:
            observer.advise()
        self.mediator.mediate()
        self._fight()
        self.deadlines.fall_due()
        self._settle()
        self.state.previous_utility = self.state.utility  # _score_texts makes a new array each round
        if self.round in self.snapshot_rounds:
            self.snapshots[self.round] = Snapshot.take(self)
        if self.recording:
            self.emit(EventKind.ROUND_END)
        self.round += 1
        self.running = bool(self.state.active.any()) and self.round < self.rounds

    def run(self) -> NegotiationModel:
        """Step until every world has ended (Mesa's ``run_for`` ignores ``running``)."""
        while self.running:
            self.step()
        return self

    def _deliver(self) -> None:
        """Texts and threats that are due reach the parties."""
        state, mailbox = self.state, self.mailbox
        # Round 0 keeps the start's "new" (every party that can be reached holds version 0).
        new = state.new_text if self.round > 0 else np.zeros_like(state.new_text)
        deliver_texts(
            mailbox.text_slots(self.round), mailbox.text_delivered, mailbox.text_version, mailbox.text_values,
            mailbox.text_status, state.active, state.held_version, state.held, state.held_status, new,
        )  # fmt: skip
        threats = mailbox.threats_arriving(self.round)
        state.pressure += threats * state.active[:, None]
        if self.recording:
            self._tell_deliveries(new, threats)

    def _score_texts(self) -> None:
        """Every party's utility of the text it holds (the mediator's: the master text),
        and every principal's value of no deal."""
        state = self.state
        state.held[:, self.mediator_idx] = self.mediator.text
        state.held_status[:, self.mediator_idx] = self.mediator.status
        state.utility, state.gradient = evaluate(self.params.prefs, state.held, state.held_status)
        if len(self.package_of):  # each package's worth alone: the others off the table
            alone = [np.where(inside, state.held_status, ClauseStatus.DEFERRED) for inside in self.package_of]
            state.package_utility = np.stack([evaluate(self.params.prefs, state.held, s)[0] for s in alone], axis=-1)
        gain = state.territory - state.territory0
        state.reservation = self.params.reservation.value(gain, self.round, state.pressure)

    def _fight(self) -> None:
        state, p = self.state, self.params
        moved = step_territory(state.territory, p.drift, p.volatility, self.draws.battlefield)
        state.territory = np.where(state.active, moved, state.territory)

    def _settle(self) -> None:
        """Worlds with a deal, a walkout, talks ended by a deadline, or no rounds left end now."""
        state, mediator = self.state, self.mediator
        walked = np.logical_or.reduce([p.walked for p in self.principals if p.proxy is None])
        last = self.round >= self.rounds - 1
        deal = mediator.deal_now & state.active
        if deal.any():  # (one world mostly has none; sign_with_all changes nothing then)
            for principal in self.principals:
                principal.sign_with_all(deal)
        done = state.active & (mediator.deal_now | walked | state.end_talks | last)
        if not done.any():
            return
        accepted = np.column_stack([p.accept_round >= 0 for p in self.principals if p.proxy is None])
        pending = mediator.deal_in_flight() if last else np.zeros(self.n_worlds, dtype=bool)
        partial = (mediator.package_round >= 0).any(axis=1) if len(self.package_of) else None
        code = classify(mediator.deal_now, walked, pending & ~state.end_talks, accepted, partial)
        if len(self.ratifications):
            rejected = self.ratifications.hold(done & mediator.deal_now)
            code = np.where(rejected, Outcome.REJECTED, code)
        state.outcome = np.where(done, code, state.outcome).astype(np.int8)
        state.end_round = np.where(done, self.round, state.end_round)
        agreed = (done & mediator.deal_now)[:, None] & (mediator.status == ClauseStatus.OPEN)
        mediator.status = np.where(agreed, ClauseStatus.AGREED, mediator.status).astype(np.int8)
        state.active &= ~done
        if self.recording and done[0]:
            self.emit(EventKind.END, version=int(mediator.version[0]), outcome=int(code[0]))

    def _tell_deliveries(self, new: np.ndarray, threats: np.ndarray) -> None:
        mediator, versions = self.mediator.pid, self.state.held_version[0].tolist()
        for pid, received, version, amount in zip(self.party_ids, new[0].tolist(), versions, threats[0].tolist()):
            if received and self.round > 0:
                self.emit(EventKind.RECEIVE, pid, mediator, version)
            if amount > 0:
                self.emit(EventKind.THREAT, mediator, pid, amount=amount)

    # -- results -----------------------------------------------------------------------
    @property
    def messages(self) -> np.ndarray:
        """Messages every party has sent, per world (W,)."""
        return sum(agent.messages for agent in self.agents)

    def date_of(self, round_index: int) -> dt.date:
        return self.spec.calendar.date_of(round_index)

    def position_index(self) -> np.ndarray:
        """Position of the current text between ``index_from`` (0) and ``index_to`` (1)."""
        if self.index_ends is None:
            return np.full(self.n_worlds, np.nan)
        return position_index(self.mediator.text, self.mediator.status, *self.index_ends)

    def outcomes(self):
        """One row per seed (a pandas DataFrame); see :func:`negosim.engine.outcomes.outcome_table`."""
        return outcome_table(self)

    def discard(self) -> None:
        """Let go of everything this model holds, so that its arrays are freed as soon as the
        last reference to it goes rather than at the next full garbage collection (the model
        and its agents refer to each other). The model cannot be used afterwards.

        >>> import weakref
        >>> model = NegotiationModel("teaching_two_party", seeds=[1]).run()
        >>> state = weakref.ref(model.state)
        >>> model.discard()
        >>> state() is None
        True
        """
        for agent in list(self.agents):
            vars(agent).clear()
        vars(self).clear()
