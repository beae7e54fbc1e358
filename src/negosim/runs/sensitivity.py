"""Variance-based sensitivity (Sobol' indices, computed by SALib) of a scenario's forecasts
to its uncertain inputs, and the spread of each forecast across their ranges.

Every input under ``[uncertainty]`` (or the ones named) is one factor. SALib's
Saltelli design gives N x (k + 2) points of the unit cube; each point is mapped
through each input's own distribution (a choice by its weights) to a scenario
with those values fixed, and run on the same world seeds (common random
numbers). The output at a point is the probability of a dated question among
those worlds; SALib's estimator gives each input's first-order index S1 (the
share of the output's variance it explains alone) and total index ST (with its
interactions), with bootstrap 95% intervals. The outputs' quantiles across the
points are the forecast's spread across the assumed ranges.

>>> from negosim import load_scenario
>>> s = load_scenario("teaching_two_party").with_uncertainty(
...     {"parties.A.reservation.base": {"dist": "uniform", "low": 0.4, "high": 0.9}})
>>> result = sobol_indices(s, n=4, seeds=range(10), progress=False)
>>> sorted(set(result.indices["input"])), len(result.points)  # 4 x (1 input + 2) design points
(['parties.A.reservation.base'], 12)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from negosim.analysis.summary import event_columns, happened_by, questions
from negosim.engine.params import draw
from negosim.runs.chunks import execute
from negosim.scenario import Scenario
from negosim.scenario.keypaths import lookup
from negosim.scenario.ranges import field_range


@dataclass
class SensitivityResult:
    """``points``: one row per design point (the inputs' values and each output);
    ``indices``: one row per (output, input) with S1, S1_conf, ST, ST_conf;
    ``spread``: per output, the 5th, 50th and 95th percentiles across the points."""

    points: pd.DataFrame
    indices: pd.DataFrame
    spread: pd.DataFrame


def _value(scenario: Scenario, path: str, u: float) -> object:
    """The value at unit quantile ``u`` of a path's distribution (an int stays an int)."""
    dist = scenario.uncertainty[path]
    if dist.discrete:
        edges = np.cumsum(dist.probabilities())[:-1]
        return dist.values[int(np.searchsorted(edges, u, side="right"))]
    valid = field_range(type(scenario), path)
    value = float(draw(dist, np.array([min(max(u, 1e-9), 1 - 1e-9)]), valid)[0])
    current = lookup(scenario.plain, path)
    return round(value) if isinstance(current, int) and not isinstance(current, bool) else value


def outputs(scenario: Scenario) -> dict[str, tuple[str, object]]:
    """Every dated question at every forecast date: ``label@date`` -> (column, date)."""
    return {
        f"{label}@{d}": (column, d)
        for column, label in questions(scenario).items()
        for d in scenario.calendar.forecast_dates
    }


def sobol_indices(
    scenario: Scenario,
    paths: list[str] | None = None,
    *,
    n: int = 64,
    seeds: Iterable[int] = range(200),
    seed: int = 0,
    processes: int = 1,
    progress: bool = True,
) -> SensitivityResult:
    """Sobol' indices of every dated question's probability to the inputs at ``paths``
    (default: every ``[uncertainty]`` entry); ``n`` is SALib's base sample size (a power of 2)."""
    from SALib.sample import sobol as sample

    paths = list(scenario.uncertainty) if paths is None else paths
    problem = {"num_vars": len(paths), "names": paths, "bounds": [[0.0, 1.0]] * len(paths)}
    unit = sample.sample(problem, n, calc_second_order=False, seed=seed)
    seeds = np.asarray(list(seeds), dtype=np.int64)
    rows = [{path: _value(scenario, path, u) for path, u in zip(paths, point)} for point in unit]
    tasks = {f"{i:06d}": (scenario.with_values(row), seeds) for i, row in enumerate(rows)}
    columns = ["seed", *event_columns(scenario)]
    tables = execute(
        tasks,
        workers=processes,
        executor=None,
        store=None,
        total=len(tasks) * seeds.size,
        desc="sensitivity",
        progress=progress,
        decorate=lambda key, table: table[columns],
    )
    wanted = outputs(scenario)
    points = pd.DataFrame([{path: _cell(v) for path, v in row.items()} for row in rows])
    for name, (column, date) in wanted.items():
        points[name] = [float(happened_by(tables[key], column, scenario, date).mean()) for key in sorted(tables)]
    records = sobol_table(problem, points, list(wanted), seed=seed)
    spread = points[list(wanted)].quantile([0.05, 0.5, 0.95]).T.rename(columns={0.05: "p05", 0.5: "p50", 0.95: "p95"})
    return SensitivityResult(points, records, spread.rename_axis("output").reset_index())


def sobol_table(problem: dict, points: pd.DataFrame, outputs: list[str], *, seed: int = 0) -> pd.DataFrame:
    """SALib's Sobol' indices (S1, ST and their bootstrap 95% half-widths) of each output column of
    ``points`` (one row per point of SALib's Saltelli design for ``problem``), one row per (output, input)."""
    from SALib.analyze import sobol as analyze

    records = []
    for name in outputs:
        y = points[name].to_numpy(dtype=float)
        if np.ptp(y) == 0:  # an output no input moves (always or never happens): no variance to share out
            records += [{"output": name, "input": p, "S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0}
                        for p in problem["names"]]  # fmt: skip
            continue
        si = analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        records += [
            {"output": name, "input": p, "S1": float(si["S1"][j]), "S1_conf": float(si["S1_conf"][j]),
             "ST": float(si["ST"][j]), "ST_conf": float(si["ST_conf"][j])}
            for j, p in enumerate(problem["names"])
        ]  # fmt: skip
    return pd.DataFrame(records)


def _cell(value: object) -> object:
    """A design value as a table cell (a list becomes its text)."""
    return str(list(value)) if isinstance(value, list | tuple) else value
