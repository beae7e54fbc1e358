"""The backtest figure: Brier scores by question beside the baselines and forecasters, and
clause values against the ledger's."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from negosim.plots.style import plt

if TYPE_CHECKING:
    from negosim.scenario import Scenario


def backtest_figure(questions: pd.DataFrame, clauses: pd.DataFrame, scenario: Scenario,
                    ax: tuple[Axes, ...] | None = None) -> Figure:  # fmt: skip
    """Left: each question's Brier score (lower is better) for negosim, 'nothing moves' and
    every forecaster that answered it. Right: each ledger clause value against negosim's
    median (with its interquartile range) and the start text's value."""
    panels = 2 if len(clauses) and clauses["value"].notna().any() else 1
    if ax is None:
        fig, grid = plt.subplots(1, panels, figsize=(6.2 * panels, 0.32 * max(len(questions), 8) + 1.8),
                                 layout="constrained", squeeze=False)  # fmt: skip
        axes = list(grid[0])
    else:
        axes, fig = list(ax), ax[0].figure
    ax = axes[0]
    forecasters = [c[: -len(" brier")] for c in questions if c.endswith(" brier")]
    series = [("negosim", "model_brier", "#264653"), ("nothing moves", "still_brier", "#adb5bd")]
    series += [(name, f"{name} brier", colour) for name, colour in zip(forecasters, ("#e76f51", "#f4a261", "#2a9d8f"))]
    y = np.arange(len(questions))
    height = 0.8 / len(series)
    for j, (label, column, colour) in enumerate(series):
        ax.barh(y + j * height, questions[column], height=height, color=colour, label=label)
    ax.set_yticks(
        y + 0.4 - height / 2,
        [f"{q} ({'yes' if o else 'no'})" for q, o in zip(questions["question"], questions["outcome"])],
        fontsize=7,
    )
    ax.invert_yaxis()
    ax.set_xlabel("Brier score (0 = certain and right)")
    ax.set_title(f"{scenario.meta.name}: questions")
    ax.legend(fontsize="small", loc="lower right")
    if panels == 2:
        _clause_values(axes[1], clauses.dropna(subset=["value"]), scenario)
    return fig


def _clause_values(ax, valued: pd.DataFrame, scenario: Scenario) -> None:
    y = np.arange(len(valued))
    low, high = scenario.meta.poles
    ax.errorbar(
        valued["model_value"],
        y,
        xerr=[valued["model_value"] - valued["model_q25"], valued["model_q75"] - valued["model_value"]],
        fmt="o",
        color="#264653",
        label="negosim median (IQR)",
    )
    ax.scatter(valued["still_value"], y, marker="s", color="#adb5bd", label="start text", zorder=3)
    ax.scatter(valued["mean_value"], y, marker="^", color="#8338ec", label="weighted mean", zorder=3)
    ax.scatter(valued["value"], y, marker="*", s=120, color="#e63946", label="what happened", zorder=4)
    ax.set_yticks(y, [f"{c} ({d})" for c, d in zip(valued["clause"], valued["on"])], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel(f"clause value (0 = {low} pole, 1 = {high} pole)")
    ax.set_title("clause values")
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
