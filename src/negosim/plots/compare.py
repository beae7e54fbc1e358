"""The figure of a comparison: each quantity's difference between two runs with its intervals."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from negosim.plots.style import new_axes


def comparison_figure(table: pd.DataFrame, label_a: str, label_b: str, ax: Axes | None = None) -> Figure:
    """Differences B - A in percentage points: a dot, the 95% interval (paired where the runs share
    seeds) as a thick bar, the unpaired interval as a thin one; quantities that do not vary are left out."""
    shown = table[(table["A"] != table["B"]) | (table["low"] != table["high"])].iloc[::-1]
    fig, ax = new_axes(ax, (8, 0.32 * max(len(shown), 4) + 1.4))
    y = range(len(shown))
    diff = 100 * shown["difference"]
    ax.hlines(
        y, 100 * shown["unpaired_low"], 100 * shown["unpaired_high"], color="#bbbbbb", lw=1.5, label="unpaired 95%"
    )
    paired = "paired 95%" if shown["paired"].any() else "95%"
    ax.hlines(y, 100 * shown["low"], 100 * shown["high"], color="#264653", lw=4, label=paired)
    ax.plot(diff, y, "o", color="#e76f51", ms=5, label="difference", zorder=3)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(list(y), shown["quantity"])
    ax.set_xlabel(f"{label_b} minus {label_a} (percentage points)")
    ax.set_title(f"{label_b} vs {label_a}")
    ax.legend(loc="best", fontsize="small")
    return fig
