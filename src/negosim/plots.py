"""Figures of ensembles and of single runs. Each returns a Figure; none shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from negosim.analysis import summarize  # noqa: E402
from negosim.outcomes import STATUS_NAMES  # noqa: E402

if TYPE_CHECKING:
    from negosim.scenario import Scenario

STATUS_COLOURS = {"deal": "#2a9d8f", "framework": "#e9c46a", "deadlock": "#8d99ae", "breakdown": "#e76f51"}


def outcome_shares(outcomes: pd.DataFrame, scenario: Scenario) -> Figure:
    """Share of worlds in each outcome class, with 95% Wilson intervals."""
    summary = summarize(outcomes, scenario)["outcomes"]
    fig, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
    shares = np.array([summary[s]["p"] for s in STATUS_NAMES])
    low = np.maximum(shares - np.array([summary[s]["low"] for s in STATUS_NAMES]), 0.0)
    high = np.maximum(np.array([summary[s]["high"] for s in STATUS_NAMES]) - shares, 0.0)
    ax.bar(STATUS_NAMES, 100 * shares, color=[STATUS_COLOURS[s] for s in STATUS_NAMES])
    ax.errorbar(STATUS_NAMES, 100 * shares, yerr=100 * np.vstack([low, high]), fmt="none", ecolor="black", capsize=5)
    for x, share in enumerate(shares):
        ax.annotate(f"{100 * share:.1f}%", (x, 100 * share), textcoords="offset points", xytext=(0, 4), ha="center")
    ax.set_ylabel("share of worlds (%)")
    ax.set_ylim(0, min(100, 100 * shares.max() * 1.25 + 5))
    ax.set_title(f"{scenario.meta.name}: outcomes over {len(outcomes)} worlds (95% Wilson intervals)")
    return fig


def position_histogram(outcomes: pd.DataFrame, scenario: Scenario) -> Figure:
    """Where the final texts land between the two reference texts."""
    fig, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
    status = outcomes["status"].astype(str)
    values = outcomes["position_index"]
    finite = values[np.isfinite(values)]
    lo, hi = (min(-0.25, finite.min()), max(1.25, finite.max())) if len(finite) else (-0.25, 1.25)
    bins = np.linspace(lo, hi, 41)
    for name in ("deal", "framework", "deadlock", "breakdown"):
        chosen = values[(status == name) & np.isfinite(values)]
        if len(chosen):
            ax.hist(chosen, bins=bins, alpha=0.7, label=f"{name} ({len(chosen)})", color=STATUS_COLOURS[name])
    start = scenario.index_from or "index 0"
    end = scenario.index_to or "index 1"
    for x, name in ((0.0, start), (1.0, end)):
        ax.axvline(x, color="black", linestyle="--", linewidth=1)
        ax.annotate(name, (x, 1), xycoords=("data", "axes fraction"), xytext=(3, -12), textcoords="offset points")
    ax.set_xlabel(f"position index of the final text ({start} = 0, {end} = 1)")
    ax.set_ylabel("worlds")
    ax.set_title("Where the text ends, by outcome")
    ax.legend(loc="upper right", fontsize="small")
    return fig


def signing_times(outcomes: pd.DataFrame, scenario: Scenario) -> Figure:
    """Cumulative share of worlds in which each principal has signed, by date."""
    fig, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
    calendar = scenario.calendar
    dates = pd.date_range(calendar.start, calendar.horizon, freq=f"{calendar.round_days}D")
    for pid in scenario.principals:
        rounds = outcomes[f"sign_round_{pid}"].to_numpy()
        share = [(np.where(rounds >= 0, rounds, 10**9) <= t).mean() * 100 for t in range(len(dates))]
        ax.step(dates, share, where="post", label=f"{scenario.parties[pid].label} has signed")
    deals = outcomes["status"].astype(str) == "deal"
    ends = outcomes["rounds"].to_numpy() - 1
    ax.step(dates, [(deals & (ends <= t)).mean() * 100 for t in range(len(dates))], where="post", color="black", label="deal")
    for d in scenario.deadlines:
        ax.axvline(pd.Timestamp(d.date), color="grey", linestyle=":", linewidth=1)
        ax.annotate(d.label or "deadline", (pd.Timestamp(d.date), 0.97), xycoords=("data", "axes fraction"), fontsize="small")
    ax.set_ylabel("share of worlds (%)")
    ax.set_xlabel("date")
    ax.set_ylim(0, 100)
    ax.set_title("Who has signed by when")
    ax.legend(loc="center right", fontsize="small")
    fig.autofmt_xdate()
    return fig


def ensemble_figures(outcomes: pd.DataFrame, scenario: Scenario) -> dict[str, Figure]:
    """The standard figures of a run, by file stem."""
    return {
        "outcome_shares": outcome_shares(outcomes, scenario),
        "position_index": position_histogram(outcomes, scenario),
        "signing_times": signing_times(outcomes, scenario),
    }


def save_figures(figures: dict[str, Figure], directory) -> list[str]:
    """Write each figure as PNG; returns the file names."""
    names = []
    for stem, fig in figures.items():
        name = f"{stem}.png"
        fig.savefig(directory / name, dpi=120)
        plt.close(fig)
        names.append(name)
    return names


def _binned(values: pd.Series, max_bins: int = 8) -> pd.Series:
    """Exact values when there are few, quantile bins (by their mid-point) otherwise."""
    if values.nunique() <= max_bins:
        return values
    bins = pd.qcut(values, q=max_bins, duplicates="drop")
    return bins.map(lambda interval: interval.mid).astype(float)


def _shares_by(table: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    from negosim.analysis import wilson

    rows = []
    status = table["status"].astype(str)
    for value, index in key.groupby(key).groups.items():
        group = status.loc[index]
        for name in STATUS_NAMES:
            p, lo, hi = wilson(int((group == name).sum()), len(group))
            rows.append({"value": float(value), "status": name, "p": p, "low": lo, "high": hi})
    return pd.DataFrame(rows)


def outcome_vs_parameter(table: pd.DataFrame, axis: str, scenario: Scenario) -> Figure:
    """Each outcome's probability against one swept parameter, with 95% Wilson bands
    (other axes pooled)."""
    shares = _shares_by(table, _binned(table[axis]))
    fig, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
    for name in STATUS_NAMES:
        part = shares[shares["status"] == name].sort_values("value")
        if part["p"].max() == 0:
            continue
        ax.plot(part["value"], 100 * part["p"], marker="o", color=STATUS_COLOURS[name], label=name)
        ax.fill_between(part["value"], 100 * part["low"], 100 * part["high"], color=STATUS_COLOURS[name], alpha=0.25)
    ax.set_xlabel(f"{axis} (scenario units)")
    ax.set_ylabel("probability (%)")
    ax.set_ylim(0, 100)
    ax.set_title(f"{scenario.meta.name}: outcomes against {axis} (95% Wilson bands)")
    ax.legend(fontsize="small")
    return fig


def deal_heatmap(table: pd.DataFrame, x_axis: str, y_axis: str, scenario: Scenario) -> Figure:
    """P(deal) over two swept parameters (exact grid, or bins for sampled designs)."""
    frame = pd.DataFrame({
        "x": _binned(table[x_axis], 8), "y": _binned(table[y_axis], 8),
        "deal": (table["status"].astype(str) == "deal").astype(float),
    })
    grid = frame.pivot_table(index="y", columns="x", values="deal", aggfunc="mean").sort_index(ascending=False)
    fig, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
    image = ax.imshow(100 * grid.to_numpy(), cmap="viridis", aspect="auto", vmin=0, vmax=100)
    ax.set_xticks(range(grid.shape[1]), [f"{v:.3g}" for v in grid.columns], rotation=45)
    ax.set_yticks(range(grid.shape[0]), [f"{v:.3g}" for v in grid.index])
    for (r, c), value in np.ndenumerate(grid.to_numpy()):
        if np.isfinite(value):
            ax.text(c, r, f"{100 * value:.0f}", ha="center", va="center", color="white" if value < 0.6 else "black",
                    fontsize="small")
    ax.set_xlabel(f"{x_axis} (scenario units)")
    ax.set_ylabel(f"{y_axis} (scenario units)")
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
        figures[f"deal_heatmap_{varied[0]}_{varied[1]}".replace(".", "_")] = deal_heatmap(table, varied[0], varied[1], scenario)
    return figures
