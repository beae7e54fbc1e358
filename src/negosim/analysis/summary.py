"""Summaries of an outcome table: shares with Wilson intervals, key probabilities."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from negosim.scenario import Scenario
from negosim.vocabulary import Outcome

Z95 = 1.959963984540054


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float, float]:
    """Share and its Wilson score interval; well behaved at 0 and 1.

    >>> [round(v, 3) for v in wilson(0, 100)]
    [0.0, 0.0, 0.037]
    """
    if trials <= 0:
        return math.nan, math.nan, math.nan
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return p, max(0.0, centre - half), min(1.0, centre + half)


def _share(mask: pd.Series | np.ndarray) -> dict[str, float]:
    mask = np.asarray(mask, dtype=bool)
    p, lo, hi = wilson(int(mask.sum()), mask.size)
    return {"p": p, "low": lo, "high": hi, "count": int(mask.sum())}


def key_date(scenario: Scenario):
    """The date the split is read at: the earliest deadline, else the horizon."""
    dates = [d.date for d in scenario.deadlines]
    return min(dates) if dates else scenario.calendar.horizon


def summarize(outcomes: pd.DataFrame, scenario: Scenario) -> dict:
    """The numbers ``negosim run`` prints and writes to ``summary.json``."""
    n = len(outcomes)
    status = outcomes["status"].astype(str)
    by = key_date(scenario)
    by_round = scenario.calendar.round_of(by)
    horizon_round = scenario.calendar.rounds - 1
    deals = outcomes[status == "deal"]
    pi = deals["position_index"].dropna()
    summary = {
        "scenario": scenario.meta.name,
        "worlds": n,
        "outcomes": {name: _share(status == name) for name in Outcome.labels()},
        "signs_by": {
            "date": by.isoformat(),
            **{
                p: _share((outcomes[f"sign_round_{p}"] >= 0) & (outcomes[f"sign_round_{p}"] <= by_round))
                for p in scenario.principals
            },
        },
        "deal_by": {
            "date": scenario.calendar.horizon.isoformat(),
            **_share((status == "deal") & (outcomes["rounds"] - 1 <= horizon_round)),
        },
        "deal_position_index": {
            "median": float(pi.median()) if len(pi) else None,
            "q25": float(pi.quantile(0.25)) if len(pi) else None,
            "q75": float(pi.quantile(0.75)) if len(pi) else None,
            "from": scenario.index_from,
            "to": scenario.index_to,
        },
        "median_rounds_to_deal": float(deals["rounds"].median()) if len(deals) else None,
    }
    return summary


def format_summary(summary: dict) -> str:
    """A plain-text table for the terminal."""

    def pct(entry: dict) -> str:
        return f"{100 * entry['p']:5.1f}%  [{100 * entry['low']:5.1f}, {100 * entry['high']:5.1f}]"

    lines = [f"{summary['scenario']}: {summary['worlds']} worlds", "", "outcome        share   95% Wilson interval"]
    for name, entry in summary["outcomes"].items():
        lines.append(f"  {name:<11}{pct(entry)}")
    lines.append("")
    signs = summary["signs_by"]
    for party, entry in signs.items():
        if party != "date":
            lines.append(f"P({party} signs by {signs['date']})   {pct(entry)}")
    lines.append(f"P(deal by {summary['deal_by']['date']})   {pct(summary['deal_by'])}")
    pi = summary["deal_position_index"]
    if pi["median"] is None:
        lines.append("No deals, so no position index.")
    else:
        ends = f" ({pi['from']} = 0, {pi['to']} = 1)" if pi["from"] else ""
        lines.append(
            f"Median position index of deals{ends}: {pi['median']:.2f} (IQR {pi['q25']:.2f} to {pi['q75']:.2f})"
        )
    distance = summary.get("deal_distance_median")
    if distance:
        names = {
            "dist_nash": "Nash",
            "dist_nash_weighted": "weighted Nash",
            "dist_ks": "Kalai-Smorodinsky",
            "dist_weighted_mean": "weighted mean",
            "dist_pareto": "Pareto frontier (utility)",
        }
        parts = [f"{names.get(k, k)} {v:.3f}" for k, v in distance.items() if v is not None]
        lines.append("Deals' median distance (mean |clause difference|) to " + ", ".join(parts))
    return "\n".join(lines)


def point_summary(table: pd.DataFrame, points: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Per sweep point: the axis values, each outcome's share with its Wilson interval, P(sign by)."""
    rows = []
    for point, group in table.groupby("point", sort=True):
        s = summarize(group, scenario)
        row = {"point": int(point), **points.loc[int(point)].to_dict(), "worlds": s["worlds"]}
        for name, entry in s["outcomes"].items():
            row[f"p_{name}"], row[f"p_{name}_low"], row[f"p_{name}_high"] = entry["p"], entry["low"], entry["high"]
        for party, entry in s["signs_by"].items():
            if party != "date":
                row[f"p_sign_{party}"] = entry["p"]
        row["deal_position_index"] = s["deal_position_index"]["median"]
        row["median_rounds_to_deal"] = s["median_rounds_to_deal"]
        rows.append(row)
    return pd.DataFrame(rows)
