"""Outcomes against the reference points, in the utility space of two parties.

Returns a matplotlib Figure and never shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from negosim.analysis.reference import ReferencePoints
from negosim.plots.style import STATUS_COLOURS, new_axes

if TYPE_CHECKING:
    from negosim.scenario import Scenario

# name in ReferencePoints.solutions() -> (legend label, marker, colour, size). Drawn largest
# first, so points that coincide (they do on symmetric problems) stay visible as nested marks.
MARKERS = {
    "weighted_mean": ("capability × salience weighted mean", "s", "#8338ec", 260),
    "ks": ("Kalai–Smorodinsky", "D", "#3a86ff", 170),
    "nash_weighted": ("Nash, capability-weighted", "P", "#6a040f", 130),
    "nash": ("Nash bargaining solution", "*", "#d62828", 110),
}


def utility_space(
    outcomes: pd.DataFrame,
    points: ReferencePoints,
    party_a: str,
    party_b: str,
    scenario: Scenario,
    ax: Axes | None = None,
) -> Figure:
    """Outcome rows (``utility_<a>`` against ``utility_<b>``, coloured by status),
    the sampled Pareto frontier, the Nash (symmetric and weighted),
    Kalai–Smorodinsky and weighted-mean points, and the disagreement point.

    With more than two parties in ``points`` the frontier is shown projected
    onto the two chosen parties, as points rather than a line.
    """
    for pid in (party_a, party_b):
        if pid not in points.parties:
            raise ValueError(f"{pid!r} is not one of the reference points' parties {points.parties}")
    fig, ax = new_axes(ax, (6.4, 5.6))
    _outcomes(ax, outcomes, party_a, party_b)
    frontier_line(ax, points, party_a, party_b)
    reference_marks(ax, points, party_a, party_b)
    ax.set_xlabel(f"utility of {scenario.parties[party_a].label} (0–1)")
    ax.set_ylabel(f"utility of {scenario.parties[party_b].label} (0–1)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"{scenario.meta.name}: outcomes and reference points", fontsize="medium")
    ax.legend(loc="lower left", fontsize="small")
    return fig


def _outcomes(ax, outcomes: pd.DataFrame, a: str, b: str) -> None:
    status = outcomes["status"].astype(str) if "status" in outcomes else pd.Series("outcome", index=outcomes.index)
    for name in [*STATUS_COLOURS, *sorted(set(status) - set(STATUS_COLOURS))]:
        chosen = outcomes[status == name]
        if len(chosen):
            colour = STATUS_COLOURS.get(name, "#555555")
            ax.scatter(chosen[f"utility_{a}"], chosen[f"utility_{b}"], s=10, alpha=0.5, color=colour,
                       label=f"{name} ({len(chosen)})", zorder=2)  # fmt: skip


def frontier_line(ax: Axes, points: ReferencePoints, a: str, b: str) -> None:
    """The sampled Pareto frontier in the plane of parties ``a`` and ``b``."""
    front = points.frontier.utilities
    ia, ib = points.parties.index(a), points.parties.index(b)
    if len(points.parties) == 2:
        order = np.argsort(front[:, ia], kind="stable")
        ax.plot(front[order, ia], front[order, ib], color="black", linewidth=1.2, marker=".", markersize=3,
                label="Pareto frontier (sampled)", zorder=3)  # fmt: skip
    else:
        ax.scatter(front[:, ia], front[:, ib], s=6, color="black", label="Pareto frontier (sampled, projected)",
                   zorder=3)  # fmt: skip


def reference_marks(ax: Axes, points: ReferencePoints, a: str, b: str) -> None:
    """The Nash, Kalai–Smorodinsky and weighted-mean points and the disagreement point."""
    solutions = points.solutions()
    for z, (name, (text, marker, colour, size)) in enumerate(MARKERS.items()):
        if name in solutions:
            u = solutions[name].utilities
            ax.scatter(u[a], u[b], marker=marker, s=size, color=colour, edgecolor="white", linewidth=0.8, label=text,
                       zorder=5 + z)  # fmt: skip
    d = points.disagreement
    ax.scatter(d[a], d[b], marker="X", s=110, color="#333333", label="disagreement (no deal)", zorder=5)
    ax.axvline(d[a], color="#333333", linestyle=":", linewidth=0.8, zorder=1)
    ax.axhline(d[b], color="#333333", linestyle=":", linewidth=0.8, zorder=1)
