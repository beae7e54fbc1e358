"""The browser demo's line charts as SVG: utilities and values of no deal, and the position index.

Each line has a hover title, and its name and latest value stand in the right margin, pushed
apart where lines end close together.

>>> from negosim.demo.levers import DemoModel
>>> from negosim.demo.views import Record
>>> model = DemoModel("teaching_two_party")
>>> _ = model.step()
>>> svg = utilities_svg(model, Record.of(model), 0)
>>> svg.count("<polyline"), "A no deal" in svg  # three parties' utilities, two values of no deal
(5, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from negosim.demo.graph_view import party_colours
from negosim.demo.views import Record, _short
from negosim.demo.web import esc

if TYPE_CHECKING:
    from negosim.demo.levers import DemoModel


@dataclass(frozen=True)
class Series:
    """One line of a chart."""

    label: str
    colour: str
    x: np.ndarray
    y: np.ndarray
    dashed: bool = False
    bold: bool = True


@dataclass(frozen=True)
class Frame:
    """A chart's plotting area: rounds 0..x_max across, values y_range up, in pixels."""

    x_max: int
    y_range: tuple[float, float]
    width: int
    height: int
    left: int = 40
    right: int = 120  # room for the lines' names
    top: int = 8
    bottom: int = 24

    def px(self, x: float, y: float) -> tuple[float, float]:
        (y0, y1), w, h = self.y_range, self.width - self.left - self.right, self.height - self.top - self.bottom
        return self.left + w * x / max(self.x_max, 1), self.top + h * (1 - (y - y0) / (y1 - y0))

    def axes(self) -> str:
        out, x_end = [], self.width - self.right
        for value in np.linspace(*self.y_range, 5):
            _, y = self.px(0, value)
            out.append(f'<line x1="{self.left}" x2="{x_end}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>')
            out.append(f'<text x="{self.left - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{value:.2f}</text>')
        for t in range(0, self.x_max + 1, max(1, self.x_max // 6)):
            x, _ = self.px(t, self.y_range[0])
            out.append(f'<text x="{x:.1f}" y="{self.height - 8}" font-size="11" text-anchor="middle">{t}</text>')
        return "".join(out)

    def hline(self, value: float, colour: str, name: str) -> str:
        _, y = self.px(0, value)
        return (
            f'<line x1="{self.left}" x2="{self.width - self.right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}" '
            f'stroke-width="2"/><text x="{self.left + 4}" y="{y - 3:.1f}" font-size="11" fill="{colour}">'
            f"{esc(name)}</text>"
        )

    def line(self, series: Series) -> str:
        ok = ~np.isnan(series.y)
        if not ok.any():
            return ""
        points = " ".join(f"{a:.1f},{b:.1f}" for a, b in (self.px(x, y) for x, y in zip(series.x[ok], series.y[ok])))
        dash = ' stroke-dasharray="6 4"' if series.dashed else ""
        return (
            f'<polyline points="{points}" fill="none" stroke="{series.colour}" '
            f'stroke-width="{2.5 if series.bold else 1.5}"{dash}><title>{esc(series.label)}: '
            f"{series.y[ok][-1]:.2f} now</title></polyline>"
        )

    def names(self, series: list[Series], gap: float = 12.0) -> str:
        """Each line's name and latest value in the right margin, level with it where there is room."""
        ends = [(self.px(0, s.y[~np.isnan(s.y)][-1])[1], s) for s in series if (~np.isnan(s.y)).any()]
        ends.sort(key=lambda end: end[0])
        out, last = [], -np.inf
        for y, s in ends:
            y = max(y, last + gap)
            last = y
            out.append(
                f'<text x="{self.width - self.right + 6}" y="{y + 4:.1f}" font-size="11" fill="{s.colour}">'
                f"{esc(s.label)} {s.y[~np.isnan(s.y)][-1]:.2f}</text>"
            )
        return "".join(out)


def chart_svg(frame: Frame, series: list[Series], hlines: tuple[tuple[float, str, str], ...] = ()) -> str:
    """A line chart: each line titled (hover) and named, with its value, at its last point."""
    body = frame.axes() + "".join(frame.hline(*h) for h in hlines) + "".join(frame.line(s) for s in series)
    body += frame.names(series)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} {frame.height}" width="100%" '
        f'height="100%">{body}</svg>'
    )


def utilities_svg(model: DemoModel, record: Record, r: int, width: int = 440, height: int = 150) -> str:
    """Each party's utility of the text (solid) and each principal's value of no deal (dashed)."""
    rows, colours, principals = record.upto(r), party_colours(model), model.spec.principals
    x = rows["round"].to_numpy(dtype=float)
    series = [Series(f"{pid} utility", colours[pid], x, rows[f"utility_{pid}"].to_numpy(dtype=float),
                     bold=pid in principals) for pid in model.party_ids]  # fmt: skip
    series += [Series(f"{pid} no deal", colours[pid], x, rows[f"reservation_{pid}"].to_numpy(dtype=float), dashed=True)
               for pid in principals]  # fmt: skip
    values = rows.filter(regex="^(utility|reservation)_").to_numpy(dtype=float)
    y_range = (min(0.0, float(np.nanmin(values, initial=0.0))), max(1.0, float(np.nanmax(values, initial=1.0))))
    return chart_svg(Frame(max(model.rounds - 1, 1), y_range, width, height), series)


def position_svg(model: DemoModel, record: Record, r: int, width: int = 440, height: int = 130) -> str:
    """Where the text stands between the index's two reference texts (0 and 1)."""
    s = model.spec
    if s.index_from is None:
        return '<p style="color:#555">This scenario defines no position index.</p>'
    rows = record.upto(r)
    y = rows["position_index"].to_numpy(dtype=float)
    series = [Series("text", "#000000", rows["round"].to_numpy(dtype=float), y)]
    y_range = (min(-0.1, float(np.nanmin(y, initial=0.0)) - 0.05), max(1.1, float(np.nanmax(y, initial=1.0)) + 0.05))
    ends = ((0.0, "#2166ac", f"{_short(s.index_from)} = 0"), (1.0, "#b2182b", f"{_short(s.index_to)} = 1"))
    return chart_svg(Frame(max(model.rounds - 1, 1), y_range, width, height), series, hlines=ends)
