"""Checks a figure must pass before it goes into a paper: no text off the canvas, no two titles
on top of each other (used by the tests on every figure negosim draws).

>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots(figsize=(3, 2))
>>> _ = ax.set_title("a title far too long for a figure three inches wide, so it is clipped at both ends")
>>> clipped_text(fig)  # doctest: +ELLIPSIS
["title 'a title far too long for a figure three inches wide, so it i' runs off the canvas"]
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.text import Text


def _tick_labels(fig: Figure) -> tuple[set[int], list[Text]]:
    """Every tick label (by id), and those drawn: ticks outside the view keep stale positions."""
    every, drawn = set(), []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in [*axis.majorTicks, *axis.minorTicks]:  # all of them, stale ones too
                every.update(id(label) for label in (tick.label1, tick.label2))
            if not (ax.axison and ax.get_visible() and axis.get_visible()):
                continue  # an axis switched off draws no tick labels
            for tick in axis._update_ticks():  # the ticks inside the view, which are drawn
                drawn += [label for label in (tick.label1, tick.label2) if label.get_visible()]
    return every, drawn


def _visible_texts(fig: Figure) -> list[tuple[str, Text]]:
    titles = {id(t) for ax in fig.axes for t in (ax.title, ax._left_title, ax._right_title)}
    ticks, drawn_ticks = _tick_labels(fig)
    found = [("tick label", label) for label in drawn_ticks if label.get_text().strip()]
    for artist in fig.findobj(Text):
        if id(artist) in ticks or not (artist.get_visible() and artist.get_text().strip()):
            continue
        found.append(("title" if id(artist) in titles else "text", artist))
    return found


def _legends_over_text(fig: Figure, renderer, texts: list[Text]) -> list[str]:
    """Legends drawn over a label or annotation (their own entries aside)."""
    problems = []
    for legend in [*(ax.get_legend() for ax in fig.axes), *fig.legends]:
        if legend is None or not legend.get_visible():
            continue
        own = {id(t) for t in legend.findobj(Text)}
        box = legend.get_window_extent(renderer)
        for text in texts:
            if id(text) not in own and box.overlaps(text.get_window_extent(renderer)):
                problems.append(f"a legend covers {text.get_text()[:40]!r}")
    return problems


def clipped_text(fig: Figure, tolerance: float = 2.0) -> list[str]:
    """Every visible text that runs off the canvas, and every pair of titles that overlap."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    canvas = fig.bbox
    problems = []
    texts = _visible_texts(fig)
    for kind, text in texts:
        box = text.get_window_extent(renderer)
        if (box.x0 < canvas.x0 - tolerance or box.x1 > canvas.x1 + tolerance
                or box.y0 < canvas.y0 - tolerance or box.y1 > canvas.y1 + tolerance):  # fmt: skip
            problems.append(f"{kind} {text.get_text()[:60]!r} runs off the canvas")
    problems += _legends_over_text(fig, renderer, [t for kind, t in texts if kind == "text"])
    titles = [t for kind, t in texts if kind == "title"] + ([fig._suptitle] if fig._suptitle else [])
    for i, first in enumerate(titles):
        for second in titles[i + 1 :]:
            if first.get_window_extent(renderer).overlaps(second.get_window_extent(renderer)):
                problems.append(f"titles {first.get_text()[:40]!r} and {second.get_text()[:40]!r} overlap")
    return problems
