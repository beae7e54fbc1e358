"""One-at-a-time scans: move each input to a low and a high value, all else fixed, same seeds.

The scan answers "which assumed numbers move the forecast?": for every input
it runs the scenario with that input at its low and at its high value on the
same world seeds as the baseline (common random numbers), and reports each
dated question's probability and its change. An input that is uncertain in
the scenario is moved to the ends of its stated range; any other number is
moved by a rule of thumb for its kind (a tenth of the clause scale for
positions, half and one and a half times for saliences, a day for latencies,
and so on: see :func:`default_perturbations`).

>>> from negosim import load_scenario
>>> s = load_scenario("teaching_two_party")
>>> table = one_at_a_time(s, [Perturbation("parties.A.reservation.base", 0.3, 0.7)], seeds=range(20), progress=False)
>>> table[["input", "low", "high"]].values.tolist()
[['parties.A.reservation.base', 0.3, 0.7]]
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from negosim.analysis.summary import event_columns, happened_by, questions
from negosim.errors import ScenarioError
from negosim.runs.chunks import execute
from negosim.scenario import Scenario
from negosim.scenario.keypaths import lookup
from negosim.scenario.ranges import field_range


@dataclass(frozen=True)
class Perturbation:
    """An input moved to ``low`` and to ``high`` (either may be None: one side only)."""

    path: str
    low: object
    high: object


# (key-path pattern ends, how to move it): relative factors or absolute steps, clipped to the input's limits
_UNIT = (0.0, 1.0)
_RULES: list[tuple[str, str, float, tuple[float, float]]] = [
    (".ideal.", "step", 0.1, _UNIT),
    (".salience.", "factor", 0.5, (0.0, math.inf)),
    (".red_lines.", "step", 0.1, _UNIT),
    (".values.", "step", 0.1, _UNIT),
    ("reservation.base", "step", 0.08, (-math.inf, math.inf)),
    ("reservation.expected_drift", "step", 0.003, (-math.inf, math.inf)),
    ("reservation.war_cost", "factor", 0.5, (0.0, math.inf)),
    ("reservation.lookahead", "factor", 0.5, (0.0, 1000.0)),
    ("reservation.territory_weight", "factor", 0.5, (-math.inf, math.inf)),
    ("tactic.exponent", "factor", 0.5, (0.01, 50.0)),
    ("tactic.initial", "step", 0.05, (0.01, 1.0)),
    (".noise", "factor", 0.5, (0.0, math.inf)),
    ("veto.tolerance", "step", 0.1, _UNIT),
    ("walkout.margin", "step", 0.1, (0.0, math.inf)),
    ("walkout.patience", "istep", 7, (1, 2000)),
    (".capability", "factor", 0.5, (1e-3, math.inf)),
    ("time.horizon_days", "factor", 0.5, (1.0, 36500.0)),
    ("advice_weight", "factor", 0.5, (0.0, math.inf)),
    ("mediator.bias", "step", 0.25, (-1.0, 1.0)),
    ("mediator.own_weight", "step", 0.15, (0.0, math.inf)),
    ("mediator.step", "factor", 0.5, (1e-3, 0.25)),
    ("mediator.deal_bonus", "factor", 0.5, (0.0, math.inf)),
    ("mediator.impatience", "factor", 0.5, (0.0, math.inf)),
    (".per_round", "factor", 0.5, (0.0, math.inf)),
    (".credibility", "step", 0.2, _UNIT),
    (".maximum", "factor", 0.5, (0.0, math.inf)),
    (".start_round", "istep", 4, (0, 2000)),
    ("bracketing.after", "istep", 2, (1, 2000)),
    ("bracketing.threshold", "factor", 0.5, (0.0, math.inf)),
    (".latency", "istep", 1, (1, 60)),
    (".reliability", "step", 0.1, (0.01, 1.0)),
    (".extension_prob", "step", 0.2, _UNIT),
    (".extension_days", "istep", 3, (1, 3650)),
    (".max_extensions", "istep", 1, (0, 100)),
    ("battlefield.territory", "step", 0.1, _UNIT),
    ("battlefield.drift", "step", 0.002, (-math.inf, math.inf)),
    ("battlefield.volatility", "factor", 0.5, (0.0, math.inf)),
]


def _matches(path: str, pattern: str) -> bool:
    """``.ideal.`` matches a path containing that segment; ``reservation.base`` one ending with it."""
    if pattern.startswith(".") and pattern.endswith("."):
        return pattern in f".{path}."
    return path.endswith(pattern.lstrip("."))


def _moved(path: str, value: float) -> tuple[object, object] | None:
    """The low and high values the first matching rule moves a number to (None: no move)."""
    for pattern, kind, size, (lo, hi) in _RULES:
        if not _matches(path, pattern):
            continue
        if kind == "factor":
            low, high = (value * (1 - size), value * (1 + size)) if value else (None, 0.1)
        elif kind == "istep":
            low, high = int(value) - int(size), int(value) + int(size)
        else:
            low, high = value - size, value + size
        low, high = (None if v is None else min(max(v, lo), hi) for v in (low, high))
        return (None if low == value else low), (None if high == value else high)
    return None


def _range_ends(dist) -> tuple[object, object] | None:
    if dist.dist == "uniform" or dist.dist == "triangular":
        return dist.low, dist.high
    if dist.dist == "normal":
        return dist.mean - 2 * dist.sd, dist.mean + 2 * dist.sd
    if dist.dist == "beta":
        return (0.0 if dist.low is None else dist.low), (1.0 if dist.high is None else dist.high)
    numbers = [v for v in dist.values if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(numbers) == len(dist.values):
        return min(numbers), max(numbers)
    return dist.values[0], dist.values[-1]


def _inside(scenario: Scenario, path: str, ends: tuple[object, object] | None) -> tuple[object, object] | None:
    """Ends moved inside the range the schema allows at ``path`` (a normal's mean +- 2 sd may leave it)."""
    valid = field_range(type(scenario), path)
    if ends is None or valid is None:
        return ends
    low, high = valid.inner
    return tuple(min(max(e, low), high) if isinstance(e, float) else e for e in ends)


def _numeric_leaves(tree: object, prefix: str = "") -> Iterable[tuple[str, float]]:
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _numeric_leaves(value, f"{prefix}{key}.")
    elif isinstance(tree, list | tuple):
        for i, value in enumerate(tree):
            yield from _numeric_leaves(value, f"{prefix}{i}.")
    elif isinstance(tree, int | float) and not isinstance(tree, bool):
        yield prefix.rstrip("."), tree


def default_perturbations(scenario: Scenario) -> list[Perturbation]:
    """Every number of the scenario that a rule knows how to move (uncertain ones to the
    ends of their stated ranges), in file order."""
    out = []
    plain = {k: v for k, v in scenario.plain.items() if k not in ("uncertainty", "calendar", "meta")}
    for path, value in _numeric_leaves(plain):
        if path in scenario.uncertainty:
            ends = _range_ends(scenario.uncertainty[path])
        else:
            ends = _moved(path, value)
        ends = _inside(scenario, path, ends)
        if ends is not None and any(e is not None for e in ends):
            out.append(Perturbation(path, *ends))
    for path, dist in scenario.uncertainty.items():
        if dist.discrete and not any(p.path == path for p in out):
            out.append(Perturbation(path, *_range_ends(dist)))
    return out


def _scenario_at(scenario: Scenario, path: str, value: object) -> Scenario | None:
    """The scenario with one input moved, or None where that makes no valid scenario
    (an ideal point moved past the party's own red line, say)."""
    current = lookup(scenario.plain, path)
    if isinstance(current, int) and not isinstance(current, bool) and isinstance(value, float):
        value = round(value)
    try:
        return scenario.with_values({path: value})
    except ScenarioError:
        return None


def one_at_a_time(
    scenario: Scenario,
    perturbations: list[Perturbation],
    *,
    seeds: Iterable[int] = range(300),
    processes: int = 1,
    progress: bool = True,
) -> pd.DataFrame:
    """Long because it lays out the whole table: one row per input with its ``low`` and
    ``high`` values and, for every dated question and forecast date, the probability at
    the baseline, at low and at high (``<question>@<date>``, ``..._low``, ``..._high``)
    and ``max_change``: the largest absolute change of P(deal) at any forecast date."""
    seeds = np.asarray(list(seeds), dtype=np.int64)
    variants: dict[str, Scenario] = {"baseline": scenario}
    for j, p in enumerate(perturbations):
        for side in ("low", "high"):
            value = getattr(p, side)
            moved = None if value is None else _scenario_at(scenario, p.path, value)
            if moved is not None:
                variants[f"{j:05d}-{side}"] = moved
    columns = ["seed", *event_columns(scenario)]
    tasks = {key: (variant, seeds) for key, variant in variants.items()}
    tables = execute(
        tasks,
        workers=processes,
        executor=None,
        store=None,
        total=len(tasks) * seeds.size,
        desc="one at a time",
        progress=progress,
        decorate=lambda key, table: table[columns],
    )
    dates = scenario.calendar.forecast_dates
    named = questions(scenario)

    def probabilities(table: pd.DataFrame | None) -> dict[str, float]:
        if table is None:
            return {f"{label}@{d}": math.nan for label in named.values() for d in dates}
        return {
            f"{label}@{d}": float(happened_by(table, column, scenario, d).mean())
            for column, label in named.items()
            for d in dates
        }

    base = probabilities(tables["baseline"])
    rows = []
    for j, p in enumerate(perturbations):
        row = {"input": p.path, "base": _base_value(scenario, p.path), "low": p.low, "high": p.high}
        low, high = probabilities(tables.get(f"{j:05d}-low")), probabilities(tables.get(f"{j:05d}-high"))
        for key in base:
            row[key], row[f"{key}_low"], row[f"{key}_high"] = base[key], low[key], high[key]
        deal = [f"deal@{d}" for d in dates]
        changes = [abs(row[f"{k}_{s}"] - row[k]) for k in deal for s in ("low", "high")]
        row["max_change"] = max((c for c in changes if c == c), default=math.nan)  # NaN: that side made no scenario
        rows.append(row)
    return pd.DataFrame(rows)


def _base_value(scenario: Scenario, path: str) -> object:
    value = lookup(scenario.plain, path)
    return value if not isinstance(value, tuple | list) else str(list(value))
