"""The browser demo's panels as SVG and HTML, drawn in milliseconds and with hover titles.

The page redraws every panel on every Step, so each must cost little: these functions
write markup directly (the heat map is one small PNG, scaled by the browser) instead of
rendering matplotlib figures. They read the same record as :mod:`negosim.demo.views`
(which draws the pictures of ``negosim animate``) and share its colours, the graph's
layout and the message kinds of :mod:`negosim.demo.graph_view`.

>>> from negosim.demo.levers import DemoModel
>>> model = DemoModel("teaching_two_party")
>>> _ = model.step()
>>> svg = graph_svg(model, Record.of(model), 0)
>>> svg.startswith("<svg") and "<title>" in svg
True
>>> fixed, free = Label(0, 0, "ABCDEF"), Label(0, 0, "ABCDEF", nudge=(0.0, 1.0))
>>> [round(label.y) for label in place([free, fixed])]  # the free one moved down, clear of the other
[0, 21]
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from negosim.analysis.narrative import TOP_CLAUSES
from negosim.demo.graph_view import MESSAGE_STYLE, layout, messages, party_colours, party_states
from negosim.demo.views import POLES_CMAP, Record, _short
from negosim.vocabulary import ClauseStatus

if TYPE_CHECKING:
    from negosim.demo.levers import DemoModel

MESSAGE_MEANING = {
    "revise": "the mediator sends a new text",
    "object": "a party objects to the text",
    "sign": "a party accepts (signs) a version",
    "advice": "an adviser comments",
    "pressure": "the mediator applies pressure",
    "walkout": "a party walks out",
}
BRACKET_RGB, DROPPED_RGB, EMPTY_RGB = (0, 0, 0), (90, 90, 90), (238, 238, 238)


def esc(text: object) -> str:
    """Text made safe inside HTML and SVG, quotes included."""
    return html.escape(str(text), quote=True)


def message_legend() -> str:
    """What each arrow colour on the graph means (HTML)."""
    items = " ".join(
        f'<span style="white-space:nowrap;margin-right:10px"><b style="color:{colour}">&#9632;</b> '
        f"{esc(MESSAGE_MEANING[kind])}</span>"
        for kind, (colour, _) in MESSAGE_STYLE.items()
    )
    return f'<div class="negosim-legend" style="font-size:12px;line-height:1.5">{items}</div>'


@dataclass
class Label:
    """A text on the graph, with the box it is estimated to take (for keeping labels apart)."""

    x: float
    y: float
    text: str
    colour: str = "#000000"
    anchor: str = "middle"
    size: int = 12
    bold: bool = False
    nudge: tuple[float, float] = (0.0, 0.0)  # the direction it may move in to clear others (0: it stays)
    halo: bool = True  # a white outline, to read it over lines

    def box(self, pad: float = 3.0) -> tuple[float, float, float, float]:
        """Left, top, right, bottom, generous by ``pad`` (a font's glyphs vary; the halo adds 1.5)."""
        width = len(self.text) * self.size * (0.66 if self.bold else 0.6)
        left = self.x - {"start": 0.0, "middle": width / 2, "end": width}[self.anchor]
        return left - pad, self.y - self.size - pad, left + width + pad, self.y + 3 + pad

    def clashes(self, other: Label) -> bool:
        a, b = self.box(), other.box()
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    def svg(self) -> str:
        weight = ' font-weight="bold"' if self.bold else ""
        halo = ' paint-order="stroke" stroke="white" stroke-width="3"' if self.halo else ""
        return (
            f'<text x="{self.x:.1f}" y="{self.y:.1f}" font-size="{self.size}"{weight} fill="{self.colour}" '
            f'text-anchor="{self.anchor}"{halo}>{esc(self.text)}</text>'
        )


def place(labels: list[Label], tries: int = 12, step: float = 7.0) -> list[Label]:
    """Labels that may move are nudged, in their own direction, until they clear those placed before."""
    placed: list[Label] = []
    for label in sorted(labels, key=lambda item: item.nudge != (0.0, 0.0)):  # fixed ones first
        for _ in range(tries):
            if not any(label.clashes(other) for other in placed) or label.nudge == (0.0, 0.0):
                break
            label.x, label.y = label.x + step * label.nudge[0], label.y + step * label.nudge[1]
        placed.append(label)
    return placed


def graph_svg(model: DemoModel, record: Record, r: int, width: int = 440, height: int = 230) -> str:
    """The mediation graph: channels (hover: latency and what they carry), this round's messages
    as coloured arrows, and each party with its latest act; no two labels overlap."""
    pos = {pid: (width * (0.5 + x / 3.1), height * (0.45 - y / 2.4)) for pid, (x, y) in layout(model).items()}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" height="100%">']
    parts.append(_arrowheads())
    drawn, labels = set(), []
    for u, v, data in model.graph.edges(data=True):
        if frozenset((u, v)) not in drawn:
            drawn.add(frozenset((u, v)))
            parts.append(_channel(u, v, pos[u], pos[v], data))
    for (u, v), items in messages(model, record.events_of(r)).items():
        arrow, label = _message(pos[u], pos[v], items)
        parts.append(arrow)
        labels.append(label)
    colours, states = party_colours(model), party_states(model, record, r)
    for pid in model.party_ids:
        disc, names = _party(pid, model.spec.parties[pid].label, states.get(pid, ""), pos[pid], colours[pid])
        parts.append(disc)
        labels += names
    parts += [label.svg() for label in place(labels)]
    parts.append("</svg>")
    return "".join(parts)


def _arrowheads() -> str:
    markers = "".join(
        f'<marker id="head-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        for kind, (colour, _) in MESSAGE_STYLE.items()
    )
    return f"<defs>{markers}</defs>"


def _channel(u: str, v: str, a: tuple[float, float], b: tuple[float, float], data: dict) -> str:
    (x0, y0), (x1, y1) = a, b
    limited = data["clauses"] is not None
    note = f"{u}-{v}: {data['latency']} day{'s' if data['latency'] != 1 else ''} each way"
    if limited:
        note += ", carries " + ", ".join(sorted(data["clauses"])) + " only"
    dash = ' stroke-dasharray="8 6"' if limited else ""
    return (
        f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="#cfcfcf" stroke-width="5"{dash}>'
        f"<title>{esc(note)}</title></line>"
    )


def _message(a: tuple[float, float], b: tuple[float, float], items: list[tuple[str, str]]) -> tuple[str, Label]:
    """A curved arrow from a to b, bulging to the right of travel, and its label at the middle on
    the outside of the bend (so the two directions of one channel keep their labels apart)."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0
    length = max((dx * dx + dy * dy) ** 0.5, 1.0)
    ux, uy = dx / length, dy / length
    sx, sy, ex, ey = x0 + 20 * ux, y0 + 20 * uy, x1 - 20 * ux, y1 - 20 * uy  # clear of the party discs
    nx, ny = -uy, ux  # the right of travel on the screen (y grows downward)
    cx, cy = (sx + ex) / 2 + 0.35 * length * nx, (sy + ey) / 2 + 0.35 * length * ny
    mx, my = 0.25 * sx + 0.5 * cx + 0.25 * ex, 0.25 * sy + 0.5 * cy + 0.25 * ey
    anchor = "start" if nx > 0.35 else "end" if nx < -0.35 else "middle"
    colour = items[0][0]
    kind = next(k for k, (c, _) in MESSAGE_STYLE.items() if c == colour)
    text = "; ".join(words for _, words in items)
    label = Label(mx + 5 * nx, my + 5 * ny + (4 if ny >= 0 else -2), text, colour, anchor, bold=True, nudge=(nx, ny))
    arrow = (
        f'<path d="M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}" fill="none" stroke="{colour}" '
        f'stroke-width="2.5" marker-end="url(#head-{kind})"><title>{esc(text)}</title></path>'
    )
    return arrow, label


def _party(pid: str, label: str, state: str, at: tuple[float, float], colour: str) -> tuple[str, list[Label]]:
    x, y = at
    words = label if len(label) <= 24 else label[:23] + "…"
    caption = f"{words}: {state}" if state else words
    disc = (
        f"<g><title>{esc(f'{pid}: {label}' + (f' ({state})' if state else ''))}</title>"
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="16" fill="{colour}" stroke="black"/></g>'
    )
    return disc, [Label(x, y + 5, pid, "#ffffff", size=13, bold=True, halo=False), Label(x, y + 30, caption)]


REF_COLUMNS, GAP_COLUMNS = 6, 2  # pixels across for each reference text, and the gap before round 0


def heatmap_png(model: DemoModel, record: Record, r: int) -> bytes:
    """The text by clause (rows) and column (each reference text, a gap, then every round), one
    pixel per cell (a reference text a few pixels wide); bracketed cells black, dropped ones grey."""
    refs = reference_texts(model)
    K, first = model.n_clauses, len(refs) * REF_COLUMNS + GAP_COLUMNS
    values = np.full((K, first + model.rounds), np.nan)
    status = np.zeros_like(values, dtype=np.int8)
    for j, name in enumerate(refs):
        columns = slice(j * REF_COLUMNS, (j + 1) * REF_COLUMNS)
        values[:, columns] = model.params.reference[name][0][:, None]
        status[:, columns] = model.params.reference[name][1][:, None]
    rows = record.upto(r)
    if len(rows):
        values[:, first : first + len(rows)] = rows[[f"x_{c}" for c in model.clause_ids]].to_numpy().T
    for t, played in enumerate(model.recorder.status_history[: r + 1]):
        status[:, first + t] = played
    rgb = (POLES_CMAP(np.nan_to_num(values, nan=0.5))[..., :3] * 255).astype(np.uint8)
    rgb[np.isnan(values)] = EMPTY_RGB
    rgb[status == ClauseStatus.BRACKETED] = BRACKET_RGB
    rgb[status == ClauseStatus.DROPPED] = DROPPED_RGB
    buffer = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def reference_texts(model: DemoModel) -> list[str]:
    return [name for name in (model.spec.index_from, model.spec.index_to) if name is not None]


@dataclass(frozen=True)
class ClauseNote:
    """What hovering on a clause's row says."""

    clause: str
    label: str
    value: float
    pulls: tuple[str, ...]  # "RU toward Moscow (9.74)": the principals whose latest objection names it

    def text(self) -> str:
        pulled = "; pulled by " + ", ".join(self.pulls) if self.pulls else "; no party's latest objection names it"
        return f"{self.clause}: {self.label}. Now {self.value:.2f}{pulled}."


def clause_notes(model: DemoModel) -> list[ClauseNote]:
    """Each clause's label, current value and who objects to it (each principal's latest objection's
    strongest clauses, as the narrative names them)."""
    low, high = model.spec.meta.poles
    pulls: dict[int, list[str]] = {}
    for pid, event in model.recorder.last_objection.items():
        pull = np.nan_to_num(event.facts["pull"])
        for k in np.argsort(-np.abs(pull))[:TOP_CLAUSES]:
            if abs(pull[k]) > 1e-9:
                pulls.setdefault(int(k), []).append(f"{pid} toward {high if pull[k] > 0 else low} ({abs(pull[k]):.2f})")
    text = model.mediator.text[0]
    return [
        ClauseNote(cid, clause.label, float(text[k]), tuple(pulls.get(k, ())))
        for k, (cid, clause) in enumerate(zip(model.clause_ids, model.spec.clauses, strict=True))
    ]


def heatmap_html(model: DemoModel, record: Record, r: int, height: int) -> str:
    """The heat map with clause names at the left (hover: label, value, who objects), round
    numbers below, the reference texts named in the key, and the round just played marked."""
    refs = reference_texts(model)
    first = len(refs) * REF_COLUMNS + GAP_COLUMNS
    n, body = first + model.rounds, height - 34
    row = body / max(model.n_clauses, 1)
    font = max(9, min(12, int(row) - 1))
    labels, hovers = [], []
    for k, note in enumerate(clause_notes(model)):
        top, title = k * row, esc(note.text())
        labels.append(
            f'<div style="position:absolute;top:{top:.1f}px;height:{row:.1f}px;right:0;font-size:{font}px;'
            f'line-height:{row:.1f}px" title="{title}">{esc(note.clause)}</div>'
        )
        hovers.append(
            f'<div style="position:absolute;left:0;right:0;top:{top:.1f}px;height:{row:.1f}px" title="{title}"></div>'
        )
    step = max(1, model.rounds // 6)
    xticks = "".join(
        f'<span style="position:absolute;left:{100 * (first + t + 0.5) / n:.2f}%;transform:translateX(-50%);'
        f'font-size:11px">{t}</span>'
        for t in range(0, model.rounds, step)
    )
    marker = (
        f'<div style="position:absolute;top:0;height:{body}px;left:{100 * (first + r + 0.5) / n:.2f}%;'
        f'border-left:2px solid #000;opacity:0.6"></div>'
        if r >= 0
        else ""
    )
    low, high = model.spec.meta.poles
    named = " and ".join(_short(name) for name in refs)
    key = (
        (f"left: {esc(named)}; then " if refs else "")
        + f"round &rarr;. Colour: <b style='color:#2166ac'>{esc(low)}</b> pole (0) to "
        f"<b style='color:#b2182b'>{esc(high)}</b> pole (1); black: bracketed, grey: dropped"
    )
    data = base64.b64encode(heatmap_png(model, record, r)).decode("ascii")
    return (
        f'<div class="negosim-heatmap" style="display:flex;height:{height}px">'
        f'<div style="position:relative;width:110px;height:{body}px;margin-right:4px">{"".join(labels)}</div>'
        f'<div style="position:relative;flex:1;height:{height}px">'
        f'<img alt="text heat map" src="data:image/png;base64,{data}" style="position:absolute;top:0;left:0;'
        f'width:100%;height:{body}px;image-rendering:pixelated">{marker}{"".join(hovers)}'
        f'<div style="position:absolute;top:{body + 2}px;left:0;right:0;height:14px">{xticks}</div>'
        f'<div style="position:absolute;top:{body + 17}px;left:0;right:0;font-size:11px;color:#555;'
        f'white-space:nowrap;overflow:hidden;text-overflow:ellipsis">{key}</div></div></div>'
    )
