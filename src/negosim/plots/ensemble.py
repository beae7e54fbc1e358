"""Figures of an ensemble run. Each returns a matplotlib Figure; none shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from negosim.analysis.summary import questions, summarize
from negosim.plots.style import STATUS_COLOURS, new_axes
from negosim.vocabulary import Outcome

if TYPE_CHECKING:
    from negosim.scenario import Scenario

OUTCOMES = Outcome.labels()  # the outcome classes, in table order


def outcome_shares(outcomes: pd.DataFrame, scenario: Scenario, ax: Axes | None = None) -> Figure:
    """Share of worlds in each outcome class, with 95% Wilson intervals (the value beside each bar,
    clear of its interval)."""
    summary = summarize(outcomes, scenario)["outcomes"]
    classes = list(summary)  # the classes this scenario's worlds can end in
    fig, ax = new_axes(ax, (6.4, 4.0))
    shares = np.array([summary[s]["p"] for s in classes])
    low = np.maximum(shares - np.array([summary[s]["low"] for s in classes]), 0.0)
    high = np.maximum(np.array([summary[s]["high"] for s in classes]) - shares, 0.0)
    ax.bar(classes, 100 * shares, color=[STATUS_COLOURS[s] for s in classes])
    ax.errorbar(classes, 100 * shares, yerr=100 * np.vstack([low, high]), fmt="none", ecolor="black", capsize=5)
    tops = shares + high
    for x, (share, top) in enumerate(zip(shares, tops, strict=True)):  # above the interval, not on it
        ax.annotate(f"{100 * share:.1f}%", (x, 100 * top), textcoords="offset points", xytext=(0, 3), ha="center",
                    fontsize="small")  # fmt: skip
    ax.set_ylabel("share of worlds (%)")
    ax.set_ylim(0, min(112, 100 * tops.max() * 1.2 + 6))
    ax.set_title(
        f"{scenario.meta.name}: outcomes over {len(outcomes):,} worlds\n(95% Wilson intervals)", fontsize="medium"
    )
    return fig


def text_name(scenario: Scenario, text_id: str | None, fallback: str) -> str:
    """A reference text's short name: its label up to the first colon ("Geneva: the 19-point...")."""
    if text_id is None:
        return fallback
    label = scenario.texts[text_id].label
    return label.split(":")[0] if ":" in label and label.index(":") <= 30 else text_id


def position_histogram(outcomes: pd.DataFrame, scenario: Scenario, ax: Axes | None = None) -> Figure:
    """Where the final texts land between the two reference texts."""
    fig, ax = new_axes(ax, (6.4, 4.0))
    status = outcomes["status"].astype(str)
    values = outcomes["position_index"]
    finite = values[np.isfinite(values)]
    lo, hi = (min(-0.25, finite.min()), max(1.25, finite.max())) if len(finite) else (-0.25, 1.25)
    bins = np.linspace(lo, hi, 41)
    for name in OUTCOMES:
        chosen = values[(status == name) & np.isfinite(values)]
        if len(chosen):
            ax.hist(chosen, bins=bins, alpha=0.7, label=f"{name} ({len(chosen)})", color=STATUS_COLOURS[name])
    start = text_name(scenario, scenario.index_from, "index 0")
    end = text_name(scenario, scenario.index_to, "index 1")
    for x, name in ((0.0, start), (1.0, end)):
        ax.axvline(x, color="black", linestyle="--", linewidth=1)
        ax.annotate(name, (x, 1), xycoords=("data", "axes fraction"), xytext=(3, -12), textcoords="offset points")
    ax.set_xlabel(f"position index of the final text ({start} = 0, {end} = 1)")
    ax.set_ylabel("worlds")
    ax.set_title("Where the text ends, by outcome")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", title="outcome (worlds)")
    return fig


def signing_times(outcomes: pd.DataFrame, scenario: Scenario, ax: Axes | None = None) -> Figure:
    """Cumulative share of worlds in which each dated question (a deal, each principal
    accepting or signing, the named events) has been answered yes, by date."""
    fig, ax = new_axes(ax, (6.4, 4.0))
    calendar = scenario.calendar
    dates = pd.date_range(calendar.start, calendar.horizon, freq=f"{calendar.round_days}D")
    for column, label in questions(scenario).items():
        rounds = outcomes[column].to_numpy()
        reached = np.sort(np.where(rounds >= 0, rounds, np.iinfo(np.int32).max))
        share = 100 * np.searchsorted(reached, np.arange(len(dates)), side="right") / max(len(rounds), 1)
        style = {"color": "black", "linewidth": 2} if column == "deal_round" else {}
        ax.step(dates, share, where="post", label=label, **style)
    for d in scenario.deadlines:
        ax.axvline(pd.Timestamp(d.date), color="grey", linestyle=":", linewidth=1)
        ax.annotate(d.label or "deadline", (pd.Timestamp(d.date), 0.97), xycoords=("data", "axes fraction"),
                    fontsize="small")  # fmt: skip
    ax.set_ylabel("share of worlds (%)")
    ax.set_xlabel("date")
    ax.set_ylim(0, 100)
    ax.set_title("Who has accepted or signed by when")
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
