"""Reference points of a scenario: Pareto frontier, Nash, Kalai–Smorodinsky, weighted mean.

Everything here is computed over the *continuous* clause space [0, 1]^K with
every clause open (the plans' bracketed clauses play no part), for any set of
parties (by default the principals), from the scenario's base parameter values
(its ``[uncertainty]`` is ignored). How the points are found is explained in
:mod:`negosim.analysis.reference_solvers`.

>>> from negosim import load_scenario
>>> points = reference_points(load_scenario("teaching_two_party"))
>>> points.nash.text.round(2).tolist(), round(points.nash.utilities["A"], 2)
([0.3, 0.7], 0.79)
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import pandas as pd

from negosim.analysis.reference_solvers import (
    CORNER,
    Limits,
    Problem,
    canonical,
    kalai_smorodinsky,
    nash,
    non_dominated,
    utopia,
)
from negosim.scenario import Scenario
from negosim.vocabulary import Shape


def _one_blas_thread():
    """SLSQP makes many tiny LAPACK calls; a threaded BLAS on a busy machine makes them
    up to 20 times slower. Limit it to one thread when threadpoolctl is installed."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


@dataclass(frozen=True)
class Solution:
    """A reference text (K clause values) and every party's utility for it."""

    text: np.ndarray
    utilities: dict[str, float]


@dataclass(frozen=True)
class Frontier:
    """Sampled Pareto-optimal texts ``(n, K)`` and their utilities ``(n, P)``,
    sorted by the first party's utility."""

    texts: np.ndarray
    utilities: np.ndarray


@dataclass(frozen=True)
class ReferencePoints:
    """Reference points of one scenario for ``parties`` over ``clause_ids``.

    ``disagreement``: reservation values at round 0 (0 for a party without
    one); ``capability``: the weights of ``nash_weighted``; ``utopia``: each
    party's best utility among texts that give everyone at least the
    disagreement value (the Kalai–Smorodinsky ideal point; over all texts when
    there are none). ``nash``, ``nash_weighted`` and ``kalai_smorodinsky`` are
    None when no text gives every party more than its disagreement value.
    """

    parties: tuple[str, ...]
    clause_ids: tuple[str, ...]
    disagreement: dict[str, float]
    capability: dict[str, float]
    utopia: dict[str, float]
    frontier: Frontier
    nash: Solution | None
    nash_weighted: Solution | None
    kalai_smorodinsky: Solution | None
    weighted_mean: Solution | None

    def solutions(self) -> dict[str, Solution]:
        """The point solutions that exist, by short name (nash, nash_weighted, ks, weighted_mean)."""
        named = {
            "nash": self.nash,
            "nash_weighted": self.nash_weighted,
            "ks": self.kalai_smorodinsky,
            "weighted_mean": self.weighted_mean,
        }
        return {name: s for name, s in named.items() if s is not None}


def disagreement_point(scenario: Scenario) -> dict[str, float]:
    """Each principal's reservation value at round 0 with base parameter values:
    ``base + territory_weight * expected_drift * lookahead``."""
    out = {}
    for pid in scenario.principals:
        r = scenario.parties[pid].reservation
        out[pid] = float(r.base + r.territory_weight * r.expected_drift * r.lookahead)
    return out


def reference_points(
    scenario: Scenario,
    parties: list[str] | None = None,
    *,
    samples: int = 200,
    seed: int = 0,
    starts: int = 4,
    limits: Limits | None = None,
) -> ReferencePoints | None:
    """Frontier, Nash (symmetric and capability-weighted), Kalai–Smorodinsky and
    the capability × salience weighted mean for ``parties`` (default: the principals).

    ``samples`` Dirichlet weight vectors (from ``numpy.random.default_rng(seed)``)
    plus one near-corner per party trace the frontier; ``starts`` frontier texts
    seed each SLSQP solve. Parties without a reservation (a mediator, an
    observer) get disagreement value 0. Deterministic for a given seed. With
    ``limits`` (see :func:`negosim.analysis.constraints.limits_in_force`) every point
    and the frontier are found among the texts the limits allow; None if the sampled
    frontier has no such text.

    >>> from negosim import load_scenario
    >>> points = reference_points(load_scenario("teaching_two_party"))
    >>> sorted(points.solutions()), points.disagreement
    (['ks', 'nash', 'nash_weighted', 'weighted_mean'], {'A': 0.5, 'B': 0.5})
    """
    parties = list(scenario.principals if parties is None else parties)
    unknown = [p for p in parties if p not in scenario.parties]
    if unknown or len(parties) < 2 or len(set(parties)) != len(parties):
        raise ValueError(f"parties must be two or more distinct party ids of {scenario.meta.name} (got {parties})")
    with _one_blas_thread():
        return _reference_points(scenario, parties, samples, seed, starts, limits)


def _reference_points(
    scenario: Scenario, parties: list[str], samples: int, seed: int, starts: int, limits: Limits | None
) -> ReferencePoints | None:
    """Long because it runs the whole pipeline: sample the frontier, solve Nash (twice), the
    utopia point and Kalai-Smorodinsky, pick canonical texts, assemble the result."""
    problem = Problem(scenario, parties, limits)
    principals = disagreement_point(scenario)
    d = np.array([principals.get(p, 0.0) for p in parties])
    capability = np.array([scenario.parties[p].capability for p in parties])

    rng = np.random.default_rng(seed)
    corners = np.full((problem.P, problem.P), CORNER / max(problem.P - 1, 1)) + np.eye(problem.P) * (
        1 - CORNER - CORNER / max(problem.P - 1, 1)
    )
    weights = np.vstack([corners, rng.dirichlet(np.ones(problem.P), size=samples)])
    texts = problem.weighted_sum_argmax(weights)
    if (problem.prefs.shape != Shape.LINEAR.code).any():  # linear values: the grid answer is exact
        texts = np.array([problem.polish(t, w) for t, w in zip(texts, weights)])
    texts = texts[problem.feasible(texts)]
    if not len(texts):
        return None

    mean_text = np.clip(
        _weighted_mean(problem.ideal, problem.prefs.salience[0], capability), problem.limits.lower, problem.limits.upper
    )
    if not problem.feasible(mean_text)[0]:
        mean_text = None

    candidates = texts if mean_text is None else np.vstack([texts, mean_text])
    nash_text = nash(problem, d, np.ones(problem.P), candidates, starts)
    nash_w = nash(problem, d, capability, candidates, starts)
    if nash_text is None:
        best, ks = problem.utility(texts).max(axis=0), None
    else:
        candidates = np.vstack([candidates, nash_text, nash_w])
        best = utopia(problem, d, candidates)
        ks = kalai_smorodinsky(problem, d, best, candidates)
        nash_text, nash_w, ks = (canonical(problem, x) for x in (nash_text, nash_w, ks))

    found = [x for x in (nash_text, nash_w, ks) if x is not None]
    all_texts = np.vstack([texts, *found]) if found else texts
    front_texts, front_u = non_dominated(all_texts, problem.utility(all_texts))

    def solution(x: np.ndarray | None) -> Solution | None:
        if x is None:
            return None
        u = problem.utility(x)[0]
        return Solution(text=x.copy(), utilities={p: float(u[i]) for i, p in enumerate(parties)})

    return ReferencePoints(
        parties=tuple(parties),
        clause_ids=tuple(scenario.clause_ids),
        disagreement={p: float(d[i]) for i, p in enumerate(parties)},
        capability={p: float(capability[i]) for i, p in enumerate(parties)},
        utopia={p: float(best[i]) for i, p in enumerate(parties)},
        frontier=Frontier(texts=front_texts, utilities=front_u),
        nash=solution(nash_text),
        nash_weighted=solution(nash_w),
        kalai_smorodinsky=solution(ks),
        weighted_mean=solution(mean_text),
    )


def _weighted_mean(ideal: np.ndarray, salience: np.ndarray, capability: np.ndarray) -> np.ndarray:
    """Per clause, the capability x salience weighted mean of the ideals (P, K); where no one
    cares about a clause, the capability-weighted mean."""
    weight = salience * capability[:, None]
    total = weight.sum(axis=0)
    fallback = (capability[:, None] * ideal).sum(axis=0) / capability.sum()
    return np.where(total > 0, (weight * ideal).sum(axis=0) / np.where(total > 0, total, 1.0), fallback)


def weighted_mean_text(scenario: Scenario, parties: list[str] | None = None) -> np.ndarray:
    """The capability x salience weighted mean of the parties' (default: the principals')
    ideal points, clause by clause: the baseline forecast of political-bargaining studies.

    >>> from negosim import load_scenario
    >>> weighted_mean_text(load_scenario("teaching_two_party")).round(2).tolist()
    [0.3, 0.7]
    """
    parties = list(scenario.principals if parties is None else parties)
    problem = Problem(scenario, parties)
    capability = np.array([scenario.parties[p].capability for p in parties])
    return _weighted_mean(problem.ideal, problem.prefs.salience[0], capability)


def _distance_to_polyline(points: np.ndarray, vertices: np.ndarray) -> np.ndarray:
    """Euclidean distance of each point (n, 2) to the polyline through ``vertices`` (m, 2)."""
    if len(vertices) == 1:
        return np.linalg.norm(points - vertices[0], axis=1)
    a, b = vertices[:-1], vertices[1:]
    ab = b - a
    length2 = np.maximum((ab * ab).sum(axis=1), 1e-300)
    t = np.clip(((points[:, None, :] - a) * ab).sum(axis=2) / length2, 0.0, 1.0)
    nearest = a + t[..., None] * ab
    return np.linalg.norm(points[:, None, :] - nearest, axis=2).min(axis=1)


ROWS_AT_ONCE = 16_384  # rows per batch in distances


def distances(outcomes: pd.DataFrame, points: ReferencePoints, clause_ids: list[str] | None = None) -> pd.DataFrame:
    """Distance of every outcome row to the reference points (same index as ``outcomes``).

    ``dist_<name>`` (nash, nash_weighted, ks, weighted_mean): mean absolute
    per-clause difference between the row's final text (``x_<clause>`` over
    ``clause_ids``, default all) and the reference text; NaN where that point
    does not exist. ``dist_pareto``: Euclidean distance (>= 0) in utility space
    from the row's ``utility_<party>`` values to the sampled frontier: to the
    polyline through it for two parties, to its nearest point otherwise. Rows
    with bracketed clauses can lie beyond the all-open frontier; they get the
    same non-negative distance.
    """
    clause_ids = list(points.clause_ids if clause_ids is None else clause_ids)
    columns = [points.clause_ids.index(c) for c in clause_ids]
    texts = outcomes.columns.get_indexer([f"x_{c}" for c in clause_ids])
    utilities = outcomes.columns.get_indexer([f"utility_{p}" for p in points.parties])
    if (texts < 0).any() or (utilities < 0).any():
        raise KeyError("distances need the columns x_<clause> and utility_<party> of an outcome table")
    solutions, front, n = points.solutions(), points.frontier.utilities, len(outcomes)
    names = ("nash", "nash_weighted", "ks", "weighted_mean")
    out = {f"dist_{name}": np.full(n, np.nan) for name in names} | {"dist_pareto": np.empty(n)}
    # A batch of rows at a time: a million deals against a frontier of a hundred points would
    # need gigabytes of (rows, points, parties) temporaries at once.
    for start in range(0, n, ROWS_AT_ONCE):
        rows = slice(start, min(start + ROWS_AT_ONCE, n))
        x = outcomes.iloc[rows, texts].to_numpy(dtype=float)
        for name in names:
            if name in solutions:
                out[f"dist_{name}"][rows] = np.abs(x - solutions[name].text[columns]).mean(axis=1)
        u = outcomes.iloc[rows, utilities].to_numpy(dtype=float)
        if len(points.parties) == 2:
            out["dist_pareto"][rows] = _distance_to_polyline(u, front)
        else:
            out["dist_pareto"][rows] = np.linalg.norm(u[:, None, :] - front[None], axis=2).min(axis=1)
    return pd.DataFrame(out, index=outcomes.index)


CONSTRAINT_SETS = {
    "every text": None,
    "red lines and vetoes": False,
    "red lines, vetoes and the start text's brackets": True,
}


def reference_points_in_force(scenario: Scenario, parties: list[str] | None = None) -> dict[str, ReferencePoints | str]:
    """The reference points over every text, over the texts that respect every red line and
    veto, and over those that also keep the start text's brackets; where no text qualifies,
    the reason instead of the points.

    >>> from negosim import load_scenario
    >>> found = reference_points_in_force(load_scenario("teaching_two_party"))
    >>> [name for name, points in found.items() if not isinstance(points, str)]
    ['every text', 'red lines and vetoes', "red lines, vetoes and the start text's brackets"]
    """
    from negosim.analysis.constraints import limits_in_force  # it builds on this module's solvers

    parties = list(scenario.principals if parties is None else parties)
    out: dict[str, ReferencePoints | str] = {}
    for name, brackets in CONSTRAINT_SETS.items():
        limits, why = (None, "") if brackets is None else limits_in_force(scenario, parties, brackets=brackets)
        if brackets is not None and limits is None:
            out[name] = why
            continue
        points = reference_points(scenario, parties, limits=limits)
        out[name] = points if points is not None else "no text on the sampled frontier respects them"
    return out
