"""Paths over rounds: one world's walk through the principals' utility plane, and fan charts
(median and bands across worlds) of each principal's utility and the position index."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from negosim.plots.style import new_axes
from negosim.plots.utility_space import frontier_line, reference_marks

if TYPE_CHECKING:
    from negosim.analysis.reference import ReferencePoints
    from negosim.scenario import Scenario

BANDS = ((0.05, 0.95, 0.18), (0.25, 0.75, 0.35))  # (low quantile, high quantile, opacity)


def utility_path(path: pd.DataFrame, points: ReferencePoints, party_a: str, party_b: str, scenario: Scenario,
                 ax: Axes | None = None) -> Figure:  # fmt: skip
    """One world (``path``: rows of :func:`negosim.analysis.trajectories.world_paths` for one seed)
    through the utility plane of two principals, round by round, against the Pareto frontier
    and the reference points."""
    fig, ax = new_axes(ax, (6.4, 5.6))
    frontier_line(ax, points, party_a, party_b)
    reference_marks(ax, points, party_a, party_b)
    x, y = path[f"utility_{party_a}"].to_numpy(), path[f"utility_{party_b}"].to_numpy()
    ax.plot(x, y, color="#e76f51", linewidth=1.2, zorder=6, label="the text they hold, round by round")
    ax.scatter(x, y, c=path["round"], cmap="viridis", s=14, zorder=7)
    ax.annotate("start", (x[0], y[0]), textcoords="offset points", xytext=(6, -10), fontsize="small")
    ax.annotate("end", (x[-1], y[-1]), textcoords="offset points", xytext=(6, 4), fontsize="small")
    ax.set_xlabel(f"utility of {scenario.parties[party_a].label} (0–1)")
    ax.set_ylabel(f"utility of {scenario.parties[party_b].label} (0–1)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(
        f"{scenario.meta.name}, seed {int(path['seed'].iloc[0])}: the talks in utility space", fontsize="medium"
    )
    ax.legend(loc="lower left", fontsize="x-small")
    return fig


def fan_chart(paths: pd.DataFrame, column: str, scenario: Scenario, ax: Axes | None = None,
              label: str | None = None) -> Figure:  # fmt: skip
    """The median of ``column`` across worlds by date, with 50% and 90% bands."""
    fig, ax = new_axes(ax, (6.4, 4.0))
    by_round = paths.groupby("round")[column]
    dates = pd.to_datetime(pd.Series([scenario.calendar.date_of(r) for r in by_round.groups]))
    for low, high, alpha in BANDS:
        ax.fill_between(dates, by_round.quantile(low).to_numpy(), by_round.quantile(high).to_numpy(),
                        color="#264653", alpha=alpha, linewidth=0,
                        label=f"{round(100 * (high - low))}% of worlds")  # fmt: skip
    ax.plot(dates, by_round.median().to_numpy(), color="#264653", linewidth=1.8, label="median")
    ax.set_ylabel(label or column)
    ax.set_title(f"{scenario.meta.name}: {label or column} over {paths['seed'].nunique()} worlds", fontsize="medium")
    ax.legend(loc="best", fontsize="small")
    fig.autofmt_xdate()
    return fig


def fan_charts(paths: pd.DataFrame, scenario: Scenario) -> Figure:
    """Fan charts of every principal's utility and of the position index, one panel each."""
    from negosim.plots.style import plt

    principals = scenario.principals
    panels = [
        *(f"utility_{p}" for p in principals),
        *(["position_index"] if np.isfinite(paths["position_index"]).any() else []),
    ]
    fig, axes = plt.subplots(len(panels), 1, figsize=(7.0, 2.6 * len(panels)), layout="constrained", sharex=True)
    for ax, column in zip(np.atleast_1d(axes), panels, strict=True):
        name = column.removeprefix("utility_")
        label = f"utility of {scenario.parties[name].label}" if column != "position_index" else "position index"
        fan_chart(paths, column, scenario, ax=ax, label=label)
    return fig
