"""The demo's picture of the mediation graph: parties, channels, and the messages of one round."""

from __future__ import annotations

import itertools
import math
import textwrap
from typing import TYPE_CHECKING

import networkx as nx
import pandas as pd
from matplotlib.patches import FancyArrowPatch

from negosim.vocabulary import Role

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from negosim.demo.levers import DemoModel
    from negosim.demo.views import Record

PARTY_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]
MEDIATOR_COLOUR = "#e6a700"
OBSERVER_COLOUR = "#7f7f7f"
# What travels on an edge in a round, by event kind: colour and short label.
MESSAGE_STYLE = {
    "revise": ("#1f4e9e", "text v{version}"),
    "object": ("#c0392b", "objects v{version}"),
    "sign": ("#1e8449", "signs v{version}"),
    "advice": ("#7d3c98", "comments"),
    "pressure": ("#d35400", "pressure"),
    "walkout": ("#000000", "walks out"),
}


def party_colours(model: DemoModel) -> dict[str, str]:
    colours, k = {}, 0
    for pid in model.party_ids:
        role = model.spec.parties[pid].role
        if role == Role.MEDIATOR:
            colours[pid] = MEDIATOR_COLOUR
        elif role == Role.OBSERVER:
            colours[pid] = OBSERVER_COLOUR
        else:
            colours[pid] = PARTY_COLOURS[k % len(PARTY_COLOURS)]
            k += 1
    return colours


def layout(model: DemoModel) -> dict[str, tuple[float, float]]:
    """Mediator in the middle, principals left and right (or round the bottom), observers on top."""
    s = model.spec
    pos = {s.mediator.party: (0.0, 0.0)}
    principals, observers = s.principals, [p for p in s.party_ids if p not in s.principals and p != s.mediator.party]
    if len(principals) == 2:
        pos[principals[0]], pos[principals[1]] = (-1.0, -0.55), (1.0, -0.55)
    else:
        for j, pid in enumerate(principals):
            angle = math.pi + math.pi * (j + 1) / (len(principals) + 1)
            pos[pid] = (math.cos(angle), 0.9 * math.sin(angle))
    for j, pid in enumerate(observers):
        angle = math.pi - math.pi * (j + 1) / (len(observers) + 1)
        pos[pid] = (0.9 * math.cos(angle), 0.9 * math.sin(angle))
    return pos


def _route(model: DemoModel, source: str, target: str) -> list[tuple[str, str]]:
    """The edges a message from ``source`` to ``target`` travels: the fastest path of full channels
    (as the model routes texts and signatures; among equally fast paths, the more reliable)."""
    g = model.graph

    def cost(u: str, v: str, data: dict) -> float:
        return data["latency"] - 1e-6 * math.log(data["reliability"])

    full = nx.subgraph_view(g, filter_edge=lambda u, v: g.edges[u, v]["clauses"] is None)
    for graph in (full, g):
        try:
            path = nx.dijkstra_path(graph, source, target, weight=cost)
            return list(itertools.pairwise(path))
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            continue
    return []


def messages(model: DemoModel, events: pd.DataFrame) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """``{(u, v): [(colour, label), ...]}``: what each directed edge carried in the round."""
    mediator = model.mediator.pid
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for row in events.itertuples(index=False):
        if row.kind not in MESSAGE_STYLE:
            continue
        colour, label = MESSAGE_STYLE[row.kind]
        label = label.format(version=row.version)
        if row.kind == "walkout":
            targets = [mediator]
        elif row.kind == "advice":
            targets = [mediator] if row.party != mediator else []
        else:
            targets = [t for t in str(row.to).split(",") if t]
        for target in targets:
            if target == row.party or target not in model.graph:
                continue
            for edge in _route(model, row.party, target):
                entry = (colour, label)
                if entry not in out.setdefault(edge, []):
                    out[edge].append(entry)
    return out


def party_states(model: DemoModel, record: Record, r: int) -> dict[str, str]:
    """A short word per principal at round r: last signature, objection or walkout."""
    states: dict[str, str] = {}
    if record.events.empty or r < 0:
        return states
    seen = record.events[record.events["round"] <= r]
    for pid in model.spec.principals:
        mine = seen[(seen["party"] == pid) & seen["kind"].isin(["sign", "object", "walkout"])]
        if mine.empty:
            continue
        last = mine.iloc[-1]
        signed = mine[mine["kind"] == "sign"]
        if last["kind"] == "walkout":
            states[pid] = "walked out"
        elif not signed.empty:
            states[pid] = f"signed v{int(signed.iloc[-1]['version'])}"
        else:
            states[pid] = f"objects to v{int(last['version'])}"
    return states


def draw_graph(ax: Axes, model: DemoModel, record: Record, r: int) -> None:
    """The mediation graph: parties, channels, and what travelled on them in round r."""
    pos = layout(model)
    ax.set_xlim(-1.4, 1.4)
    ax.set_ylim(-1.1, 1.1)
    ax.axis("off")
    when = f"round {r} ({model.date_of(r).isoformat()})" if r >= 0 else "before round 0"
    ax.set_title(f"Mediation graph: messages of {when}", fontsize=9)
    _draw_channels(ax, model, pos)
    for edge, items in messages(model, record.events_of(r)).items():
        _draw_message(ax, pos, edge, items)
    _draw_parties(ax, model, pos, party_states(model, record, r))


def _draw_channels(ax: Axes, model: DemoModel, pos: dict) -> None:
    """One line per pair of parties, noting latency and any clause filter half way along."""
    drawn = set()
    for u, v, data in model.graph.edges(data=True):
        if frozenset((u, v)) in drawn:
            continue
        drawn.add(frozenset((u, v)))
        (x0, y0), (x1, y1) = pos[u], pos[v]
        limited = data["clauses"] is not None
        ax.plot([x0, x1], [y0, y1], color="#c8c8c8", lw=3, ls=(0, (4, 3)) if limited else "-", zorder=1)
        note = f"{data['latency']} round{'s' if data['latency'] != 1 else ''}"
        if limited:
            note += ", " + ", ".join(sorted(data["clauses"])) + " only"
        box = dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.75)
        ax.text((x0 + x1) / 2, (y0 + y1) / 2, note, fontsize=5.5, color="#666666", ha="center", va="center",
                zorder=2, bbox=box)  # fmt: skip


def _draw_message(ax: Axes, pos: dict, edge: tuple[str, str], items: list[tuple[str, str]]) -> None:
    """A curved arrow along a directed edge, labelled near its start."""
    (x0, y0), (x1, y1) = pos[edge[0]], pos[edge[1]]
    colour = items[0][0]
    arrow = FancyArrowPatch((x0, y0), (x1, y1), connectionstyle="arc3,rad=0.2", arrowstyle="-|>", mutation_scale=13,
                            lw=2.0, color=colour, shrinkA=17, shrinkB=17, zorder=3)  # fmt: skip
    ax.add_patch(arrow)
    dx, dy = x1 - x0, y1 - y0
    # arc3 with rad > 0 bulges to the right of the direction of travel: (dy, -dx).
    box = dict(boxstyle="round,pad=0.15", fc="white", ec=colour, lw=0.6, alpha=0.9)
    ax.text(x0 + 0.3 * dx + 0.16 * dy, y0 + 0.3 * dy - 0.16 * dx, "\n".join(label for _, label in items),
            fontsize=6.5, color=colour, ha="center", va="center", zorder=5, fontweight="bold", bbox=box)  # fmt: skip


def _draw_parties(ax: Axes, model: DemoModel, pos: dict, states: dict[str, str]) -> None:
    colours = party_colours(model)
    for pid in model.party_ids:
        x, y = pos[pid]
        ax.scatter([x], [y], s=700, color=colours[pid], edgecolors="black", linewidths=1.0, zorder=4)
        ax.text(x, y, pid, fontsize=8.5, fontweight="bold", color="white", ha="center", va="center", zorder=6)
        below = textwrap.shorten(model.spec.parties[pid].label, 26, placeholder="...")
        if pid in states:
            below += f"\n{states[pid]}"
        box = dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.7)
        ax.text(x, y - 0.17, below, fontsize=7, ha="center", va="top", zorder=6, bbox=box)
