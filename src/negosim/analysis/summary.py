"""Summaries of an outcome table: shares with Wilson intervals, key probabilities."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from negosim.scenario import Scenario
from negosim.vocabulary import Outcome, SigningRule

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


def questions(scenario: Scenario) -> dict[str, str]:
    """The dated questions every run answers, by outcome-table column: a deal, each
    principal accepting and signing (signing only where it differs from accepting),
    and the scenario's named events.

    >>> from negosim import load_scenario
    >>> list(questions(load_scenario("teaching_two_party")).values())
    ['deal', 'A accepts', 'B accepts']
    """
    out = {"deal_round": "deal"}
    for pid in scenario.principals:
        out[f"accept_round_{pid}"] = f"{pid} accepts"
    for pid in scenario.principals:
        if scenario.parties[pid].signs != SigningRule.ON_ACCEPTANCE:
            out[f"sign_round_{pid}"] = f"{pid} signs"
    for name in scenario.events:
        out[f"event_{name}"] = name
    return out


def event_columns(scenario: Scenario) -> list[str]:
    """Every round column the dated questions read (signatures included)."""
    columns = ["deal_round", *(f"{kind}_round_{p}" for kind in ("accept", "sign") for p in scenario.principals)]
    return columns + [f"event_{name}" for name in scenario.events]


def happened_by(outcomes: pd.DataFrame, column: str, scenario: Scenario, date) -> np.ndarray:
    """Worlds in which the question of ``column`` was answered yes on or before ``date``."""
    rounds = outcomes[column].to_numpy()
    return (rounds >= 0) & (rounds <= scenario.calendar.last_round_by(date))


def split_by(outcomes: pd.DataFrame, scenario: Scenario, date) -> np.ndarray:
    """Worlds in which, by ``date``, some signatories (the principals whose acceptance a deal
    needs) have accepted a version and some have not."""
    accepted = np.column_stack(
        [happened_by(outcomes, f"accept_round_{p}", scenario, date) for p in scenario.signatories]
    )
    return accepted.any(axis=1) & ~accepted.all(axis=1)


def outcome_classes(scenario: Scenario) -> tuple[str, ...]:
    """The outcome classes a scenario's worlds can end in, in table order (``rejected``
    only where it has ratification votes, ``partial`` only where it has packages).

    >>> from negosim import load_scenario
    >>> outcome_classes(load_scenario("teaching_two_party"))
    ('deal', 'holdout', 'mismatch', 'pending', 'deadlock', 'breakdown')
    """
    hidden = {Outcome.REJECTED.label: not scenario.ratifications, Outcome.PARTIAL.label: not scenario.packages}
    return tuple(o for o in Outcome.labels() if not hidden.get(o, False))


def summarize(outcomes: pd.DataFrame, scenario: Scenario) -> dict:
    """The numbers ``negosim run`` prints and writes to ``summary.json``: outcome shares at
    the horizon, and every dated question's probability by each report date (and the
    horizon), each with its 95% Wilson interval."""
    status = outcomes["status"].astype(str)
    deals = outcomes[status == "deal"]
    pi = deals["position_index"].dropna()
    by_date = []
    for date in scenario.calendar.forecast_dates:
        entry = {"date": date.isoformat()}
        for column, label in questions(scenario).items():
            entry[label] = _share(happened_by(outcomes, column, scenario, date))
        if len(scenario.signatories) >= 2:
            entry["split"] = _share(split_by(outcomes, scenario, date))
        by_date.append(entry)
    return {
        "scenario": scenario.meta.name,
        "worlds": len(outcomes),
        "horizon": scenario.calendar.horizon.isoformat(),
        "outcomes": {name: _share(status == name) for name in outcome_classes(scenario)},
        "by_date": by_date,
        "deal_position_index": {
            "median": float(pi.median()) if len(pi) else None,
            "q25": float(pi.quantile(0.25)) if len(pi) else None,
            "q75": float(pi.quantile(0.75)) if len(pi) else None,
            "from": scenario.index_from,
            "to": scenario.index_to,
        },
        "median_rounds_to_deal": float(deals["rounds"].median()) if len(deals) else None,
    }


def _pct(entry: dict) -> str:
    return f"{100 * entry['p']:5.1f}% [{100 * entry['low']:4.1f}, {100 * entry['high']:4.1f}]"


def format_summary(summary: dict) -> str:
    """A plain-text table for the terminal."""
    lines = [
        f"{summary['scenario']}: {summary['worlds']} worlds, run to {summary['horizon']}",
        "",
        "outcome at the horizon    share   95% Wilson interval",
    ]
    for name, entry in summary["outcomes"].items():
        lines.append(f"  {name:<22}{_pct(entry)}")
    labels = [k for k in summary["by_date"][0] if k != "date"]
    width = max(len(label) for label in labels) + 4
    lines += ["", "P(... by date)".ljust(width) + "".join(f"{e['date']:>23}" for e in summary["by_date"])]
    for label in labels:
        lines.append(f"  {label}".ljust(width) + "".join(f"{_pct(e[label]):>23}" for e in summary["by_date"]))
    if "split" in labels:
        lines.append("  (split: some principals have accepted a version, some have not)")
    pi = summary["deal_position_index"]
    if pi["median"] is None:
        lines.append("\nNo deals, so no position index.")
    else:
        ends = f" ({pi['from']} = 0, {pi['to']} = 1)" if pi["from"] else ""
        lines.append(
            f"\nMedian position index of deals{ends}: {pi['median']:.2f} (IQR {pi['q25']:.2f} to {pi['q75']:.2f})"
        )
    names = {
        "dist_nash": "Nash",
        "dist_nash_weighted": "weighted Nash",
        "dist_ks": "Kalai-Smorodinsky",
        "dist_weighted_mean": "weighted mean",
        "dist_pareto": "Pareto frontier (utility)",
    }
    for constraints, distance in (summary.get("deal_distance_median") or {}).items():
        if isinstance(distance, str):
            lines.append(f"Reference points over {constraints}: none ({distance}).")
            continue
        parts = [f"{names.get(k, k)} {v:.3f}" for k, v in distance.items() if v is not None]
        lines.append(f"Deals' median distance to the points over {constraints}: " + ", ".join(parts))
    return "\n".join(lines)


def point_summary(table: pd.DataFrame, points: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Per sweep point: the axis values, each outcome's share with its Wilson interval, and each
    dated question's probability by each report date (``p_<question>@<date>``)."""
    rows = []
    for point, group in table.groupby("point", sort=True):
        s = summarize(group, scenario)
        row = {"point": int(point), **points.loc[int(point)].to_dict(), "worlds": s["worlds"]}
        for name, entry in s["outcomes"].items():
            row[f"p_{name}"], row[f"p_{name}_low"], row[f"p_{name}_high"] = entry["p"], entry["low"], entry["high"]
        for entry in s["by_date"]:
            for label, share in entry.items():
                if label != "date":
                    name = f"p_{label.replace(' ', '_')}@{entry['date']}"
                    row[name], row[f"{name}_low"], row[f"{name}_high"] = share["p"], share["low"], share["high"]
        row["deal_position_index"] = s["deal_position_index"]["median"]
        row["median_rounds_to_deal"] = s["median_rounds_to_deal"]
        rows.append(row)
    return pd.DataFrame(rows)
