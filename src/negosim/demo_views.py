"""The demo's views, drawn with matplotlib from a recorded world.

Each function draws one panel of one round ``r`` (the last round played; -1
before the first) onto a matplotlib Axes, reading only what the model
recorded: the DataCollector's per-round table, its ``events`` table and
``DemoModel.status_history``. The browser demo draws the latest round; the
``animate`` command draws every round in turn, so both show the same pictures.
No pyplot: figures are plain ``matplotlib.figure.Figure`` objects, safe to
draw from a server thread.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from negosim.utility import BRACKETED, DROPPED

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from negosim.demo_model import DemoModel

# 0 = the low pole (Kyiv on the flagship), 1 = the high pole (Moscow).
POLES_CMAP = LinearSegmentedColormap.from_list("poles", ["#2166ac", "#f7f7f7", "#b2182b"])
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


@dataclass
class Record:
    """What a recorded model holds, as DataFrames, read once per drawing."""

    rounds: pd.DataFrame  # one row per round played
    events: pd.DataFrame

    @classmethod
    def of(cls, model: DemoModel) -> Record:
        return cls(
            model.datacollector.get_model_vars_dataframe(),
            model.datacollector.get_table_dataframe("events"),
        )

    def upto(self, r: int) -> pd.DataFrame:
        return self.rounds.iloc[: r + 1]

    def events_of(self, r: int) -> pd.DataFrame:
        if self.events.empty:
            return self.events
        return self.events[self.events["round"] == r]


def party_colours(model: DemoModel) -> dict[str, str]:
    colours, k = {}, 0
    for pid in model.party_ids:
        role = model.spec.parties[pid].role
        if role == "mediator":
            colours[pid] = MEDIATOR_COLOUR
        elif role == "observer":
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
            return list(zip(path, path[1:]))
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            continue
    return []


def messages(model: DemoModel, events: pd.DataFrame) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """``{(u, v): [(colour, label), ...]}``: what each directed edge carried in the round."""
    mediator = model.party_ids[model.mediator_idx]
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
    g, s = model.graph, model.spec
    pos = layout(model)
    colours = party_colours(model)
    ax.set_xlim(-1.4, 1.4)
    ax.set_ylim(-1.1, 1.1)
    ax.axis("off")
    when = f"round {r} ({model.date_of(r).isoformat()})" if r >= 0 else "before round 0"
    ax.set_title(f"Mediation graph: messages of {when}", fontsize=9)

    # Channels (one line per pair): name, latency and any clause filter, a third of the way along.
    drawn = set()
    for u, v, data in g.edges(data=True):
        pair = frozenset((u, v))
        if pair in drawn:
            continue
        drawn.add(pair)
        (x0, y0), (x1, y1) = pos[u], pos[v]
        limited = data["clauses"] is not None
        ax.plot([x0, x1], [y0, y1], color="#c8c8c8", lw=3, ls=(0, (4, 3)) if limited else "-", zorder=1)
        note = f"{data['latency']} round{'s' if data['latency'] != 1 else ''}"
        if limited:
            note += ", " + ", ".join(sorted(data["clauses"])) + " only"
        ax.text(x0 + 0.5 * (x1 - x0), y0 + 0.5 * (y1 - y0), note, fontsize=5.5, color="#666666", ha="center",
                va="center", zorder=2, bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.75))

    # This round's messages: a curved arrow per directed edge, labelled near its start.
    for (u, v), items in messages(model, record.events_of(r)).items():
        (x0, y0), (x1, y1) = pos[u], pos[v]
        colour = items[0][0]
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), connectionstyle="arc3,rad=0.2", arrowstyle="-|>",
                                     mutation_scale=13, lw=2.0, color=colour, shrinkA=17, shrinkB=17, zorder=3))
        dx, dy = x1 - x0, y1 - y0
        # arc3 with rad > 0 bulges to the right of the direction of travel: (dy, -dx).
        lx, ly = x0 + 0.3 * dx + 0.16 * dy, y0 + 0.3 * dy - 0.16 * dx
        ax.text(lx, ly, "\n".join(label for _, label in items), fontsize=6.5, color=colour, ha="center",
                va="center", zorder=5, fontweight="bold",
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec=colour, lw=0.6, alpha=0.9))

    states = party_states(model, record, r)
    for pid in model.party_ids:
        x, y = pos[pid]
        ax.scatter([x], [y], s=700, color=colours[pid], edgecolors="black", linewidths=1.0, zorder=4)
        ax.text(x, y, pid, fontsize=8.5, fontweight="bold", color="white", ha="center", va="center", zorder=6)
        below = textwrap.shorten(s.parties[pid].label, 26, placeholder="...")
        if pid in states:
            below += f"\n{states[pid]}"
        ax.text(x, y - 0.17, below, fontsize=7, ha="center", va="top", zorder=6,
                bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.7))


def draw_heatmap(ax: Axes, model: DemoModel, record: Record, r: int, *, colorbar: bool = True) -> None:
    """Clauses x rounds: where the text stood on each clause, with the reference texts beside it."""
    s = model.spec
    K, T = model.n_clauses, model.rounds
    refs = [name for name in (s.index_from, s.index_to) if name is not None]
    grid = np.full((K, len(refs) + 1 + T), np.nan)
    for j, name in enumerate(refs):
        grid[:, j] = model.reference[name][0]
    rows = record.upto(r)
    if len(rows):
        values = rows[[f"x_{c}" for c in model.clause_ids]].to_numpy().T
        grid[:, len(refs) + 1: len(refs) + 1 + values.shape[1]] = values
    image = ax.imshow(grid, aspect="auto", cmap=POLES_CMAP, vmin=0.0, vmax=1.0, interpolation="nearest")
    # Brackets and drops: the references' own, and the text's in each round played.
    marks = [(j, model.reference[name][1]) for j, name in enumerate(refs)]
    marks += [(len(refs) + 1 + t, status) for t, status in enumerate(model.status_history[: r + 1])]
    bracketed, dropped = [], []
    for column, status in marks:
        bracketed += [(column, k) for k in np.flatnonzero(status == BRACKETED)]
        dropped += [(column, k) for k in np.flatnonzero(status == DROPPED)]
    if bracketed:
        x, y = np.array(bracketed).T
        ax.scatter(x, y, marker="x", s=9, c="black", linewidths=0.6)
    if dropped:
        x, y = np.array(dropped).T
        ax.scatter(x, y, marker="s", s=12, c="#444444", linewidths=0)
    ax.set_xlim(-0.5, grid.shape[1] - 0.5)
    ax.set_ylim(K - 0.5, -0.5)
    ax.axvline(len(refs), color="white", lw=4)
    if r >= 0:
        ax.axvline(len(refs) + 1 + r, color="black", lw=0.8, alpha=0.6)
    ax.set_yticks(range(K))
    ax.set_yticklabels(model.clause_ids, fontsize=max(4.5, min(8.0, 220 / max(K, 1))))
    step = max(1, T // 8)
    ticks = list(range(len(refs))) + [len(refs) + 1 + t for t in range(0, T, step)]
    labels = [_short(name) for name in refs] + [str(t) for t in range(0, T, step)]
    ax.set_xticks(ticks)
    ax.set_xticklabels(labels, fontsize=7, rotation=0)
    for tick in ax.get_xticklabels()[: len(refs)]:
        tick.set_rotation(90)
        tick.set_fontweight("bold")
    ax.set_xlabel("round", fontsize=8)
    low, high = s.meta.poles
    ax.set_title("The text by clause and round (x: bracketed)", fontsize=9)
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
        bar.set_ticks([0, 0.5, 1])
        bar.set_ticklabels([low, "", high], fontsize=7)


def _short(name: str) -> str:
    return {"geneva_19": "Geneva", "anchorage_28": "Anchorage"}.get(name, name)


def draw_utilities(ax: Axes, model: DemoModel, record: Record, r: int, *, legend: bool = True) -> None:
    """Each party's utility of the text it holds, and each principal's reservation value (dashed)."""
    rows = record.upto(r)
    colours = party_colours(model)
    principals = model.spec.principals
    for pid in model.party_ids:
        style = dict(lw=2.0 if pid in principals else 1.2, alpha=1.0 if pid in principals else 0.8)
        ax.plot(rows["round"], rows[f"utility_{pid}"], color=colours[pid], label=f"{pid} utility", **style)
    for pid in principals:
        ax.plot(rows["round"], rows[f"reservation_{pid}"], color=colours[pid], ls="--", lw=1.2,
                label=f"{pid} no-deal value")
    ax.set_xlim(0, max(model.rounds - 1, 1))
    values = rows.filter(regex="^(utility|reservation)_").to_numpy(dtype=float)
    lo = min(0.0, float(np.nanmin(values, initial=0.0)) - 0.02)
    hi = max(1.0, float(np.nanmax(values, initial=1.0)) + 0.02)
    ax.set_ylim(lo, hi)
    ax.set_xlabel("round", fontsize=8)
    ax.set_ylabel("utility", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    ax.set_title("Utilities (solid) and reservation values (dashed)", fontsize=9)
    if legend:
        ax.legend(fontsize=6, ncol=2, loc="lower left", framealpha=0.85)


def draw_position(ax: Axes, model: DemoModel, record: Record, r: int) -> None:
    """The text's position between the index's two reference texts."""
    s = model.spec
    rows = record.upto(r)
    ax.set_xlim(0, max(model.rounds - 1, 1))
    ax.set_xlabel("round", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    if s.index_from is None:
        ax.text(0.5, 0.5, "this scenario defines no position index", ha="center", va="center", transform=ax.transAxes)
        ax.set_title("Position index", fontsize=9)
        return
    ax.axhline(0.0, color=POLES_CMAP(0.0), lw=1.5)
    ax.axhline(1.0, color=POLES_CMAP(1.0), lw=1.5)
    ax.text(0.01, 0.0, f" {_short(s.index_from)} = 0", color=POLES_CMAP(0.0), fontsize=7, va="bottom",
            transform=ax.get_yaxis_transform())
    ax.text(0.01, 1.0, f" {_short(s.index_to)} = 1", color=POLES_CMAP(1.0), fontsize=7, va="top",
            transform=ax.get_yaxis_transform())
    ax.plot(rows["round"], rows["position_index"], color="black", lw=2, marker="o", ms=2.5)
    values = rows["position_index"].to_numpy(dtype=float)
    lo = min(-0.1, float(np.nanmin(values, initial=0.0)) - 0.05)
    hi = max(1.1, float(np.nanmax(values, initial=1.0)) + 0.05)
    ax.set_ylim(lo, hi)
    now = f": {values[-1]:.2f}" if len(values) else ""
    ax.set_title(f"Position index ({_short(s.index_from)} 0, {_short(s.index_to)} 1){now}", fontsize=9)


def round_heading(model: DemoModel, record: Record, r: int) -> str:
    """'Round 4 (2025-11-29): text v4, position 0.12' or the state before round 0."""
    if r < 0:
        return f"Before round 0 ({model.date_of(0).isoformat()}): press Step to play it."
    row = record.rounds.iloc[r]
    text = f"Round {r} ({row['date']}): text v{int(row['version'])}"
    if not np.isnan(row["position_index"]):
        text += f", position {row['position_index']:.2f}"
    return text


def narrative(record: Record, r: int) -> list[str]:
    """The sentences of round r (the events' ``words``)."""
    return [str(w) for w in record.events_of(r)["words"]] if r >= 0 else []


PRIORITY = ["end", "walkout", "sign", "deadline", "bracket", "object", "revise", "pressure", "reopen", "advice",
            "threat", "receive"]


def headline(record: Record, r: int, width: int = 150) -> str:
    """The one sentence of round r most worth a slide caption."""
    events = record.events_of(r)
    if r < 0 or events.empty:
        return ""
    ranked = sorted(events.itertuples(index=False), key=lambda e: PRIORITY.index(e.kind) if e.kind in PRIORITY else 99)
    words = [e.words for e in ranked if e.kind == ranked[0].kind]
    return textwrap.shorten(" ".join(words), width=width, placeholder=" ...")


def outcome(model: DemoModel) -> str | None:
    """'deal', 'framework', ... once the world has ended, else None."""
    from negosim import outcomes as oc

    code = int(model.status_code[0])
    return None if code == oc.UNSETTLED else oc.STATUS_NAMES[code]


def figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig


def png(fig: Figure, dpi: int = 100) -> bytes:
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def draw_narrative(ax: Axes, model: DemoModel, record: Record, r: int, *, width: int = 70, max_lines: int = 16) -> None:
    """The round in words, as a text panel."""
    ax.axis("off")
    ax.set_title("This round in words", fontsize=9)
    lines: list[str] = []
    for words in narrative(record, r) or ["(nothing yet: press Step)" if r < 0 else "(nothing happened)"]:
        wrapped = textwrap.wrap(words, width)
        lines += [("- " if i == 0 else "  ") + part for i, part in enumerate(wrapped)]
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [f"  ... and {len(lines) - max_lines + 1} more lines"]
    ax.text(0.0, 1.0, "\n".join(lines), fontsize=6.5, family="monospace", va="top", ha="left",
            transform=ax.transAxes)


def dashboard(model: DemoModel, r: int | None = None, record: Record | None = None, *, fig: Figure | None = None,
              size: tuple[float, float] = (12.8, 7.2)) -> Figure:
    """All views of round r on one 16:9 figure (the animation's frame)."""
    record = record or Record.of(model)
    r = model.round - 1 if r is None else r
    fig = fig or Figure(figsize=size, dpi=100, layout="constrained")
    fig.clear()
    grid = fig.add_gridspec(2, 3, width_ratios=[1.2, 1.0, 1.1], height_ratios=[1.2, 1.0])
    draw_graph(fig.add_subplot(grid[0, 0]), model, record, r)
    draw_position(fig.add_subplot(grid[1, 0]), model, record, r)
    draw_heatmap(fig.add_subplot(grid[:, 1]), model, record, r)
    draw_utilities(fig.add_subplot(grid[0, 2]), model, record, r)
    draw_narrative(fig.add_subplot(grid[1, 2]), model, record, r)
    title = f"{model.spec.meta.name}, seed {model.levers['seed']}: {round_heading(model, record, r)}"
    ended = outcome(model) if r == model.round - 1 else None
    if ended and r >= 0:
        title += f"  [{ended.upper()}]"
    fig.suptitle(title, fontsize=12, fontweight="bold")
    caption = headline(record, r)
    if caption:
        fig.supxlabel("\n".join(textwrap.wrap(caption, 170)), fontsize=9, style="italic", color="#333333")
    return fig
