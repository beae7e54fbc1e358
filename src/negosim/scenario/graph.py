"""The mediation graph: who can send what to whom, how fast and how reliably.

Channels become a networkx DiGraph. A message travels the fastest path whose
every edge carries it: a whole text needs edges without a clause filter, an
objection on one clause needs edges whose filter admits that clause. Routes
are computed once per scenario with Dijkstra on latency; a path's reliability
is the product of its edges' reliabilities.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from negosim.vocabulary import ScheduleKind

if TYPE_CHECKING:
    from negosim.scenario.schema import Scenario

UNREACHABLE = -1


def build_graph(scenario: Scenario, open_channels: frozenset[int] | None = None) -> nx.DiGraph:
    """A DiGraph with one node per party (attribute ``role``, ``label``) and
    one edge per channel direction (``channel``, its index; ``latency``, ``reliability``,
    ``clauses``, ``label``; ``clauses`` is None for a full-text channel). ``open_channels``
    (indices into ``scenario.channels``) keeps only those; default: every channel."""
    graph = nx.DiGraph(name=scenario.meta.name)
    for pid, party in scenario.parties.items():
        graph.add_node(pid, role=party.role, label=party.label)
    for index, ch in enumerate(scenario.channels):
        if open_channels is not None and index not in open_channels:
            continue
        attrs = dict(
            channel=index,
            latency=ch.latency,
            reliability=ch.reliability,
            clauses=None if ch.clauses is None else frozenset(ch.clauses),
            label=ch.label,
        )
        graph.add_edge(ch.source, ch.target, **attrs)
        if ch.both_ways:
            graph.add_edge(ch.target, ch.source, **attrs)
    return graph


def _carrying(graph: nx.DiGraph, clauses: frozenset[str] | None) -> nx.DiGraph:
    """The subgraph of edges that carry every clause in ``clauses`` (None: all)."""

    def keep(u: str, v: str) -> bool:
        allowed = graph.edges[u, v]["clauses"]
        return allowed is None or (clauses is not None and clauses <= allowed)

    return nx.subgraph_view(graph, filter_edge=keep)


def _edge_cost(u: str, v: str, data: dict) -> float:
    # Latency first; among equally fast paths prefer the more reliable one.
    return data["latency"] - 1e-6 * math.log(data["reliability"])


def _route(graph: nx.DiGraph, source: str, target: str) -> tuple[int, float, tuple[int, ...]]:
    """Latency, delivery probability and the channels passed, of the fastest path."""
    try:
        path = nx.dijkstra_path(graph, source, target, weight=_edge_cost)
    except nx.NetworkXNoPath:
        return UNREACHABLE, 0.0, ()
    edges = list(itertools.pairwise(path))
    latency = sum(graph.edges[e]["latency"] for e in edges)
    reliability = math.prod(graph.edges[e]["reliability"] for e in edges)
    return latency, reliability, tuple(graph.edges[e]["channel"] for e in edges)


@dataclass(frozen=True)
class Routes:
    """Latency (rounds; -1 when unreachable) and delivery probability per route.

    ``text_*[i]``: whole text from the mediator to party i;
    ``up_*[i, k]``: party i's message on clause k to the mediator;
    ``signal_*[i]``: party i's signature to the mediator (needs a full channel).
    ``*_channels``: the channels each route passes, in order (for reliabilities drawn per world).
    """

    text_latency: np.ndarray
    text_reliability: np.ndarray
    up_latency: np.ndarray
    up_reliability: np.ndarray
    signal_latency: np.ndarray
    signal_reliability: np.ndarray
    text_channels: tuple[tuple[int, ...], ...] = ()
    up_channels: tuple[tuple[tuple[int, ...], ...], ...] = ()
    signal_channels: tuple[tuple[int, ...], ...] = ()

    @cached_property
    def lossy_up(self) -> list[int]:
        """Parties with a route up that may lose an objection (0 < reliability < 1)."""
        lossy = (self.up_reliability > 0) & (self.up_reliability < 1)
        return [int(i) for i in np.flatnonzero(lossy.any(axis=1))]

    @cached_property
    def text_receivers(self) -> list[int]:
        """Parties the mediator's text reaches."""
        return [int(i) for i in np.flatnonzero(self.text_latency >= 0)]

    @property
    def max_latency(self) -> int:
        return int(max(self.text_latency.max(), self.up_latency.max(), self.signal_latency.max(), 1))


def compute_routes(scenario: Scenario, graph: nx.DiGraph | None = None) -> Routes:
    graph = graph if graph is not None else build_graph(scenario)
    parties, clauses = scenario.party_ids, scenario.clause_ids
    mediator = scenario.mediator.party
    full = _carrying(graph, None)
    n, k = len(parties), len(clauses)
    text_l, text_r = np.full(n, UNREACHABLE), np.zeros(n)
    sig_l, sig_r = np.full(n, UNREACHABLE), np.zeros(n)
    up_l, up_r = np.full((n, k), UNREACHABLE), np.zeros((n, k))
    per_clause = {c: _carrying(graph, frozenset([c])) for c in clauses}
    text_c, sig_c, up_c = [()] * n, [()] * n, [[()] * k for _ in range(n)]
    for i, pid in enumerate(parties):
        if pid == mediator:
            continue
        text_l[i], text_r[i], text_c[i] = _route(full, mediator, pid)
        sig_l[i], sig_r[i], sig_c[i] = _route(full, pid, mediator)
        for j, cid in enumerate(clauses):
            up_l[i, j], up_r[i, j], up_c[i][j] = _route(per_clause[cid], pid, mediator)
    return Routes(text_l, text_r, up_l, up_r, sig_l, sig_r, tuple(text_c), tuple(map(tuple, up_c)), tuple(sig_c))


@dataclass(frozen=True)
class RoutePlan:
    """Routes over time: the channels scheduled to open or close (``[[schedule]]``) cut
    the calendar into periods, each with its own :class:`Routes`. A message travels the
    route of the round it is sent in.

    ``starts``: the first round of each period, ascending, the first 0.
    """

    starts: tuple[int, ...]
    periods: tuple[Routes, ...]

    def at(self, round_index: int) -> Routes:
        """The routes of the period that ``round_index`` falls in."""
        return self.periods[self.period_of(round_index)]

    def period_of(self, round_index: int) -> int:
        """The index of the period that ``round_index`` falls in."""
        return int(np.searchsorted(self.starts, round_index, side="right")) - 1

    @property
    def max_latency(self) -> int:
        return max(r.max_latency for r in self.periods)

    def sent_rounds(self, rounds: np.ndarray, kind: str) -> np.ndarray:
        """For messages arriving at each of ``rounds``: the round they were sent in, per route
        (-1 where nothing can arrive), stacked along a first axis. ``kind``: ``text`` (P,),
        ``up`` (P, K) or ``signal`` (P,). If two sends arrive together (a route got faster),
        the later one.

        >>> from negosim import load_scenario
        >>> load_scenario("teaching_three_party").routes.sent_rounds(np.arange(4), "text")[:, 1]
        array([-1,  0,  1,  2])
        """
        best = None
        for k, routes in enumerate(self.periods):
            latency = getattr(routes, f"{kind}_latency")
            sent = rounds.reshape(-1, *[1] * latency.ndim) - latency
            end = self.starts[k + 1] if k + 1 < len(self.starts) else np.iinfo(np.int64).max
            ok = (latency != UNREACHABLE) & (sent >= max(self.starts[k], 0)) & (sent < end)
            sent = np.where(ok, sent, -1)
            best = sent if best is None else np.maximum(best, sent)
        return best


def route_plan(scenario: Scenario) -> RoutePlan:
    """The routes of every period between the scheduled channel openings and closings."""
    channel_kinds = (ScheduleKind.CHANNEL_OPENS, ScheduleKind.CHANNEL_CLOSES)
    changes = sorted((c for c in scenario.schedule if c.kind in channel_kinds), key=lambda c: c.date)
    if not changes:
        return RoutePlan((0,), (compute_routes(scenario),))
    opening = {c.channel for c in changes if c.kind == ScheduleKind.CHANNEL_OPENS}
    first_change = {c.channel: c.kind for c in reversed(changes)}  # each channel's earliest change
    open_now = {
        i for i in range(len(scenario.channels)) if not (i in opening and first_change[i] == ScheduleKind.CHANNEL_OPENS)
    }
    starts, periods = [0], [compute_routes(scenario, build_graph(scenario, frozenset(open_now)))]
    for change in changes:
        r = scenario.calendar.round_of(change.date)
        (open_now.add if change.kind == ScheduleKind.CHANNEL_OPENS else open_now.discard)(change.channel)
        routes = compute_routes(scenario, build_graph(scenario, frozenset(open_now)))
        if r <= starts[-1]:
            periods[-1] = routes
        else:
            starts.append(r)
            periods.append(routes)
    return RoutePlan(tuple(starts), tuple(periods))


def unreachable_parties(scenario: Scenario) -> list[tuple[str, str]]:
    """Principals that cannot exchange whole texts with the mediator."""
    full = _carrying(build_graph(scenario), None)
    mediator = scenario.mediator.party
    missing = []
    for pid in scenario.principals:
        if not nx.has_path(full, mediator, pid):
            missing.append((pid, "from"))
        elif not nx.has_path(full, pid, mediator):
            missing.append((pid, "to"))
    return missing
