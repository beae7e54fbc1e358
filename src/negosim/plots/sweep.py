"""Figures of a parameter sweep: outcome probabilities against each axis, a P(deal) heat map."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from negosim.analysis.summary import wilson
from negosim.plots.labels import key_label
from negosim.plots.style import STATUS_COLOURS, new_axes
from negosim.vocabulary import Outcome

if TYPE_CHECKING:
    from negosim.scenario import Scenario

OUTCOMES = Outcome.labels()  # the outcome classes, in table order


def _binned(values: pd.Series, max_bins: int = 8) -> pd.Series:
    """Exact values when there are few, quantile bins (by their mid-point) otherwise."""
    if values.nunique() <= max_bins:
        return values
    bins = pd.qcut(values, q=max_bins, duplicates="drop")
    return bins.map(lambda interval: interval.mid).astype(float)


def _shares_by(table: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    rows = []
    status = table["status"].astype(str)
    for value, index in key.groupby(key).groups.items():
        group = status.loc[index]
        for name in OUTCOMES:
            p, lo, hi = wilson(int((group == name).sum()), len(group))
            rows.append({"value": float(value), "status": name, "p": p, "low": lo, "high": hi})
    return pd.DataFrame(rows)


def outcome_vs_parameter(table: pd.DataFrame, axis: str, scenario: Scenario, ax: Axes | None = None) -> Figure:
    """Each outcome's probability against one swept parameter, with 95% Wilson bands
    (other axes pooled)."""
    shares = _shares_by(table, _binned(table[axis]))
    fig, ax = new_axes(ax, (6.4, 4.0))
    for name in OUTCOMES:
        part = shares[shares["status"] == name].sort_values("value")
        if part["p"].max() == 0:
            continue
        ax.plot(part["value"], 100 * part["p"], marker="o", color=STATUS_COLOURS[name], label=name)
        ax.fill_between(part["value"], 100 * part["low"], 100 * part["high"], color=STATUS_COLOURS[name], alpha=0.25)
    ax.set_xlabel(key_label(axis, scenario))
    ax.set_ylabel("probability (%)")
    ax.set_ylim(0, 100)
    ax.set_title(f"{scenario.meta.name}: outcomes against\n{key_label(axis, scenario)} (95% Wilson bands)",
                 fontsize="medium")  # fmt: skip
    ax.legend(fontsize="small")
    return fig


def deal_heatmap(table: pd.DataFrame, x_axis: str, y_axis: str, scenario: Scenario, ax: Axes | None = None) -> Figure:
    """P(deal) over two swept parameters (exact grid, or bins for sampled designs)."""
    frame = pd.DataFrame(
        {
            "x": _binned(table[x_axis], 8),
            "y": _binned(table[y_axis], 8),
            "deal": (table["status"].astype(str) == "deal").astype(float),
        }
    )
    grid = frame.pivot_table(index="y", columns="x", values="deal", aggfunc="mean").sort_index(ascending=False)
    fig, ax = new_axes(ax, (6.4, 4.8))
    image = ax.imshow(100 * grid.to_numpy(), cmap="viridis", aspect="auto", vmin=0, vmax=100)
    ax.set_xticks(range(grid.shape[1]), [f"{v:.3g}" for v in grid.columns], rotation=45)
    ax.set_yticks(range(grid.shape[0]), [f"{v:.3g}" for v in grid.index])
    for (r, c), value in np.ndenumerate(grid.to_numpy()):
        if np.isfinite(value):
            ax.text(
                c,
                r,
                f"{100 * value:.0f}",
                ha="center",
                va="center",
                color="white" if value < 0.6 else "black",
                fontsize="small",
            )
    ax.set_xlabel(key_label(x_axis, scenario))
    ax.set_ylabel(key_label(y_axis, scenario))
    ax.set_title(f"{scenario.meta.name}: P(deal) in %")
    fig.colorbar(image, ax=ax, label="P(deal) (%)")
    return fig


def experiment_figures(table: pd.DataFrame, experiment) -> dict[str, Figure]:
    """One probability curve per axis; a P(deal) heat map over the first two axes."""
    scenario = experiment.scenario
    figures = {}
    for axis in experiment.axes:
        if table[axis].nunique() > 1:
            figures[f"outcomes_vs_{axis.replace('.', '_')}"] = outcome_vs_parameter(table, axis, scenario)
    varied = [a for a in experiment.axes if table[a].nunique() > 1]
    if len(varied) >= 2:
        figures[f"deal_heatmap_{varied[0]}_{varied[1]}".replace(".", "_")] = deal_heatmap(
            table, varied[0], varied[1], scenario
        )
    return figures
