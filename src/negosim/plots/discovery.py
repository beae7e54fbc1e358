"""The figure of a PRIM box: each restricted input's range within its full range, and the peeling trajectory."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from negosim.analysis.discovery import Discovery
from negosim.plots.labels import key_label


def discovery_figure(found: Discovery, outcome: str, ax: tuple[Axes, Axes] | None = None) -> Figure:
    """Left: the box (each restricted input's range as a share of its full range, ends labelled);
    right: coverage against density along PRIM's peeling, the chosen box marked. ``ax``: the
    two axes to draw on (a new figure if None)."""
    if ax is None:
        fig = plt.figure(figsize=(10, 0.5 * max(len(found.limits), 3) + 2.0), layout="constrained")
        box_ax, trade_ax = fig.subplots(1, 2, width_ratios=[3, 2])
    else:
        box_ax, trade_ax = ax
        fig = box_ax.figure
    for i, row in enumerate(found.limits.itertuples()):
        span = row.full_high - row.full_low
        left, right = (row.low - row.full_low) / span, (row.high - row.full_low) / span
        box_ax.barh(i, right - left, left=left, color="#2a9d8f", height=0.5)
        box_ax.text(left, i + 0.32, f"{row.low:.3g}", ha="left", va="bottom", fontsize="small")
        box_ax.text(right, i + 0.32, f"{row.high:.3g}", ha="right", va="bottom", fontsize="small")
    box_ax.set_yticks(range(len(found.limits)), [key_label(i) for i in found.limits["input"]])
    box_ax.set_xlim(0, 1)
    box_ax.set_ylim(-0.6, max(len(found.limits), 1) - 0.2)
    box_ax.set_xlabel("share of the input's full range")
    rates = f"density {100 * found.density:.0f}% (base {100 * found.base_rate:.0f}%)"
    fig.suptitle(f"Where {outcome} happens: {rates}, coverage {100 * found.coverage:.0f}%")
    box_ax.set_title("The box: each restricted input's range", loc="left")
    trade_ax.plot(100 * found.trajectory["coverage"], 100 * found.trajectory["density"], ".-", color="#264653")
    trade_ax.plot([100 * found.coverage], [100 * found.density], "o", color="#e76f51", ms=9, label="the box")
    trade_ax.set_xlabel("coverage (%)")
    trade_ax.set_ylabel("density (%)")
    trade_ax.set_title("PRIM's peeling trajectory", loc="left")
    trade_ax.legend(fontsize="small")
    return fig
