"""The demo's views, drawn with matplotlib from a recorded world.

Each function draws one panel of one round ``r`` (the last round played; -1
before the first) onto a matplotlib Axes, reading only what the model
recorded: the DataCollector's per-round table, its ``events`` table and
``DemoModel.status_history``. The ``animate`` command draws every round in
turn; the browser page draws the same record as SVG and HTML
(:mod:`negosim.demo.web`, :mod:`negosim.demo.charts`), faster than a PNG.
No pyplot: figures are plain ``matplotlib.figure.Figure`` objects, safe to
draw from a server thread.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from negosim.demo.graph_view import draw_graph, party_colours
from negosim.vocabulary import UNSETTLED, ClauseStatus, Outcome

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from negosim.demo.levers import DemoModel

# 0 = the low pole (Kyiv on the flagship), 1 = the high pole (Moscow).
POLES_CMAP = LinearSegmentedColormap.from_list("poles", ["#2166ac", "#f7f7f7", "#b2182b"])


@dataclass
class Record:
    """What a recorded model holds, as DataFrames, read once per drawing."""

    rounds: pd.DataFrame  # one row per round played
    events: pd.DataFrame

    @classmethod
    def of(cls, model: DemoModel) -> Record:
        return cls(model.recorder.rounds(), model.recorder.events())

    def upto(self, r: int) -> pd.DataFrame:
        return self.rounds.iloc[: r + 1]

    def events_of(self, r: int) -> pd.DataFrame:
        if self.events.empty:
            return self.events
        return self.events[self.events["round"] == r]


def draw_heatmap(ax: Axes, model: DemoModel, record: Record, r: int, *, colorbar: bool = True) -> None:
    """Clauses x rounds: where the text stood on each clause, with the reference texts beside it."""
    s = model.spec
    K, T = model.n_clauses, model.rounds
    refs = [name for name in (s.index_from, s.index_to) if name is not None]
    grid = np.full((K, len(refs) + 1 + T), np.nan)
    for j, name in enumerate(refs):
        grid[:, j] = model.params.reference[name][0]
    rows = record.upto(r)
    if len(rows):
        values = rows[[f"x_{c}" for c in model.clause_ids]].to_numpy().T
        grid[:, len(refs) + 1 : len(refs) + 1 + values.shape[1]] = values
    image = ax.imshow(grid, aspect="auto", cmap=POLES_CMAP, vmin=0.0, vmax=1.0, interpolation="nearest")
    # Brackets and drops: the references' own, and the text's in each round played.
    marks = [(j, model.params.reference[name][1]) for j, name in enumerate(refs)]
    marks += [(len(refs) + 1 + t, status) for t, status in enumerate(model.recorder.status_history[: r + 1])]
    bracketed, dropped = [], []
    for column, status in marks:
        bracketed += [(column, k) for k in np.flatnonzero(status == ClauseStatus.BRACKETED)]
        dropped += [(column, k) for k in np.flatnonzero(status == ClauseStatus.DROPPED)]
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
        ax.plot(
            rows["round"], rows[f"reservation_{pid}"], color=colours[pid], ls="--", lw=1.2, label=f"{pid} no-deal value"
        )
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
    ax.text(
        0.01,
        0.0,
        f" {_short(s.index_from)} = 0",
        color=POLES_CMAP(0.0),
        fontsize=7,
        va="bottom",
        transform=ax.get_yaxis_transform(),
    )
    ax.text(
        0.01,
        1.0,
        f" {_short(s.index_to)} = 1",
        color=POLES_CMAP(1.0),
        fontsize=7,
        va="top",
        transform=ax.get_yaxis_transform(),
    )
    ax.plot(rows["round"], rows["position_index"], color="black", lw=2, marker="o", ms=2.5)
    values = rows["position_index"].to_numpy(dtype=float)
    lo = min(-0.1, float(np.nanmin(values, initial=0.0)) - 0.05)
    hi = max(1.1, float(np.nanmax(values, initial=1.0)) + 0.05)
    ax.set_ylim(lo, hi)
    now = f": {values[-1]:.2f}" if len(values) else ""
    title = f"Position index ({_short(s.index_from)} 0, {_short(s.index_to)} 1){now}"
    ax.set_title(textwrap.fill(title, 48), fontsize=9)  # long reference names wrap, never run off the frame


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
    """The sentences of round r (the events' ``words``), the ending first (a long round's
    panel is cut at the bottom, and the ending must never be what is cut)."""
    if r < 0:
        return []
    events = record.events_of(r)
    ending = events["kind"] == "end"
    return [str(w) for w in events.loc[ending, "words"]] + [str(w) for w in events.loc[~ending, "words"]]


PRIORITY = [
    "end",
    "walkout",
    "sign",
    "deadline",
    "bracket",
    "defer",
    "draft",
    "object",
    "revise",
    "pressure",
    "reopen",
    "advice",
    "threat",
    "receive",
]


def headline(record: Record, r: int, width: int = 150) -> str:
    """The one sentence of round r most worth a slide caption."""
    events = record.events_of(r)
    if r < 0 or events.empty:
        return ""
    ranked = sorted(events.itertuples(index=False), key=lambda e: PRIORITY.index(e.kind) if e.kind in PRIORITY else 99)
    words = [e.words for e in ranked if e.kind == ranked[0].kind]
    return textwrap.shorten(" ".join(words), width=width, placeholder=" ...")


def outcome(model: DemoModel) -> str | None:
    """The outcome class ('deal', 'holdout', ...) once the world has ended, else None."""
    code = int(model.state.outcome[0])
    return None if code == UNSETTLED else Outcome(code).label


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
        lines = [*lines[: max_lines - 1], f"  ... and {len(lines) - max_lines + 1} more lines"]
    ax.text(0.0, 1.0, "\n".join(lines), fontsize=6.5, family="monospace", va="top", ha="left", transform=ax.transAxes)


def dashboard(
    model: DemoModel,
    r: int | None = None,
    record: Record | None = None,
    *,
    fig: Figure | None = None,
    size: tuple[float, float] = (12.8, 7.2),
) -> Figure:
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
    caption = headline(record, r, width=340)  # at most two lines of 170
    if caption:
        fig.supxlabel("\n".join(textwrap.wrap(caption, 170)), fontsize=9, style="italic", color="#333333")
    return fig
