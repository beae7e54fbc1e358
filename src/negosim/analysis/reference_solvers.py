"""The solvers behind :mod:`negosim.analysis.reference`.

Two facts keep it exact and fast:

* A party's utility is a salience-weighted sum of per-clause values, so a
  weighted sum of utilities splits into K one-dimensional problems. Each is
  solved on a grid of 1001 points plus every party's ideal value (where the
  kinks of linear and threshold values sit), then, unless every value is
  linear, polished with L-BFGS-B on the gradient that
  :func:`negosim.utility.evaluate` returns. For linear values the grid answer
  is exact (a weighted sum of them peaks at a kink or a pole) and the frontier
  is a polytope: weighted sums find its vertices, and for two parties the
  segments between neighbouring vertices lie on it.
* Linear values have a kink at the ideal point, which gradient methods handle
  badly. Nash and Kalai–Smorodinsky are therefore solved with SLSQP on an
  epigraph form: one extra variable ``z >= |x_k - ideal|`` for each (party,
  clause) pair with a kink inside [0, 1], the value written as a smooth,
  decreasing function of ``z``. The problem is then smooth, and concave for
  linear and quadratic values (one optimum); several starts from the
  frontier guard the non-concave threshold shape. Its cost grows with the
  cube of the number of variables: fine for tens of clauses and a few
  parties, slow for hundreds of both.

The Kalai–Smorodinsky ideal point is the classic one: each party's best
utility among the texts that give every party at least its disagreement value.
With linear values, clauses on which the parties trade at the same rate make a
face of texts that share one utility vector; the text reported is the one on
that face nearest the midpoint of the parties' ideals (see :func:`canonical`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from negosim.engine.params import WorldParams, preferences
from negosim.engine.streams import WorldStreams
from negosim.engine.utility import Preferences, clause_values, evaluate
from negosim.scenario import Scenario
from negosim.scenario.keypaths import lookup
from negosim.vocabulary import ClauseStatus, Shape

GRID = 1001
CORNER = 1e-3  # weight left on the other parties at a frontier "corner", so corners are Pareto optimal
DELTA = 1e-6  # below this surplus the log is continued by a quadratic, so SLSQP never sees -inf
MIN_SURPLUS = 1e-7


def base_scenario(scenario: Scenario) -> Scenario:
    """The scenario with every uncertain value fixed at its base value."""
    if not scenario.uncertainty:
        return scenario
    plain = scenario.plain
    return scenario.with_values({path: lookup(plain, path) for path in scenario.uncertainty})


@dataclass(frozen=True)
class Limits:
    """Constraints on the texts a reference point may take: clause bounds (K,) (red lines; a
    clause off the table is fixed at its start value), clause statuses (K,) (what is off the
    table), and vetoes: (reference (K,), weight per clause (K,), tolerance) each, satisfied when
    sum_k weight_k |reference_k - x_k| <= tolerance."""

    lower: np.ndarray
    upper: np.ndarray
    status: np.ndarray
    vetoes: tuple[tuple[np.ndarray, np.ndarray, float], ...] = ()


class Problem:
    """The chosen parties' utilities in separable form: U_i = sum_k coef_ik f_ik(|x_k - a_ik| / span_ik),
    over the texts that ``limits`` allows (default: every text, every clause open)."""

    def __init__(self, scenario: Scenario, parties: list[str], limits: Limits | None = None):
        base = base_scenario(scenario)
        everyone = preferences(base, WorldParams(base, WorldStreams([0])))
        self.prefs: Preferences = everyone.subset([base.party_ids.index(p) for p in parties])
        self.ideal = self.prefs.ideal[0]
        self.span = self.prefs.span[0]
        K = self.ideal.shape[1]
        self.limits = limits or Limits(np.zeros(K), np.ones(K), np.zeros(K, dtype=np.int8))
        on = self.limits.status <= ClauseStatus.AGREED
        salience = self.prefs.salience[0]
        total = (salience * (on | self.prefs.insists)).sum(axis=1, keepdims=True)  # insisted clauses count while off
        self.coef = np.where((total > 0) & on, salience / np.where(total > 0, total, 1.0), 0.0)
        self.P, self.K = self.ideal.shape
        # A value is smooth in x except at an interior ideal of a linear or threshold value:
        # only those (party, clause) pairs get an epigraph variable z >= |x_k - a_ik|.
        kinked = (self.coef > 0) & (self.ideal > 0) & (self.ideal < 1) & (self.prefs.shape != Shape.QUADRATIC.code)
        self.pi, self.kk = np.nonzero(kinked)
        self.kinked = kinked
        self.n_vars = self.K + len(self.pi)
        # Direction of |x - a| where it is smooth: +1 above the ideal (and for a at 0), -1 below (a at 1).
        self.pole_sign = np.where(self.ideal >= 1.0, -1.0, 1.0)

    def utility(self, texts: np.ndarray) -> np.ndarray:
        """Utilities (n, P) of texts (n, K) with the limits' clause statuses."""
        texts = np.atleast_2d(texts)
        return evaluate(self.prefs, texts, np.broadcast_to(self.limits.status, texts.shape))[0]

    def feasible(self, texts: np.ndarray) -> np.ndarray:
        """Which texts (n, K) keep within the bounds and every veto, (n,)."""
        texts = np.atleast_2d(texts)
        ok = ((texts >= self.limits.lower - 1e-9) & (texts <= self.limits.upper + 1e-9)).all(axis=1)
        for reference, weight, tolerance in self.limits.vetoes:
            ok &= (weight * np.abs(reference - texts)).sum(axis=1) <= tolerance + 1e-9
        return ok

    def veto_constraints(self) -> list[dict]:
        """Each veto as a smooth inequality on x (|.| softened by 1e-8 under a square root)."""
        out = []
        for reference, weight, tolerance in self.limits.vetoes:

            def fun(v, reference=reference, weight=weight, tolerance=tolerance):
                gap = v[: self.K] - reference
                return np.array([tolerance - (weight * np.sqrt(gap * gap + 1e-16)).sum()])

            def jac(v, reference=reference, weight=weight):
                gap = v[: self.K] - reference
                row = np.zeros((1, len(v)))
                row[0, : self.K] = -weight * gap / np.sqrt(gap * gap + 1e-16)
                return row

            out.append({"type": "ineq", "fun": fun, "jac": jac})
        return out

    def clause_values(self, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-clause value f(d) and df/dd for scaled distances ``d`` (..., P, K)."""
        return clause_values(np.clip(d, 0.0, 1.0), self.prefs)

    # -- weighted sums: the frontier --------------------------------------------
    def weighted_sum_argmax(self, weights: np.ndarray) -> np.ndarray:
        """Texts (n, K) maximising sum_i weights[n, i] U_i, clause by clause on a grid."""
        lower, upper = self.limits.lower, self.limits.upper
        grid = np.union1d(np.linspace(0.0, 1.0, GRID), np.concatenate([self.ideal.ravel(), lower, upper]))
        v, _ = self.clause_values(np.abs(grid[:, None, None] - self.ideal) / self.span)  # (G, P, K)
        texts = np.empty((len(weights), self.K))
        for k in range(self.K):
            score = v[:, :, k] @ (weights * self.coef[:, k]).T  # (G, n)
            score[(grid < lower[k] - 1e-12) | (grid > upper[k] + 1e-12)] = -np.inf
            texts[:, k] = grid[score.argmax(axis=0)]
        return texts

    def polish(self, text: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """L-BFGS-B from ``text`` on the weighted sum; keeps ``text`` unless it improves."""

        def negative(x):
            u, g = evaluate(self.prefs, x[None], self.limits.status[None])
            return -float(weights @ u[0]), -(weights @ g[0])

        start = negative(text)[0]
        bounds = list(zip(self.limits.lower, self.limits.upper))
        res = minimize(negative, text, jac=True, method="L-BFGS-B", bounds=bounds)
        return np.clip(res.x, self.limits.lower, self.limits.upper) if res.fun < start - 1e-12 else text

    # -- the epigraph form for SLSQP ---------------------------------------------
    def split(self, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return v[: self.K], v[self.K : self.n_vars]

    def start(self, text: np.ndarray) -> np.ndarray:
        return np.concatenate([text, np.abs(text[self.kk] - self.ideal[self.pi, self.kk])])

    def surplus_and_jac(self, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """U_i and dU_i/dv (P, n_vars) in the epigraph form (z stands in for |x - a| where kinked)."""
        x, z = self.split(v)
        offset = x - self.ideal
        d = np.abs(offset) / self.span
        d[self.pi, self.kk] = z / self.span[self.pi, self.kk]
        f, slope = self.clause_values(d)
        u = (self.coef * f).sum(axis=1)
        rate = self.coef * slope / self.span
        direction = np.where(offset > 0, 1.0, np.where(offset < 0, -1.0, self.pole_sign))
        jac = np.zeros((self.P, self.n_vars))
        jac[:, : self.K] = np.where(self.kinked, 0.0, rate * direction)
        jac[self.pi, self.K + np.arange(len(self.pi))] = rate[self.pi, self.kk]
        return u, jac

    def epigraph_constraints(self, n_vars: int) -> dict:
        """z >= x_k - a and z >= a - x_k for every kinked pair, as linear inequalities
        (on the first ``self.n_vars`` of ``n_vars`` variables)."""
        m = len(self.pi)
        a = self.ideal[self.pi, self.kk]
        jac = np.zeros((2 * m, n_vars))
        rows = np.arange(m)
        jac[rows, self.K + rows] = 1.0
        jac[rows, self.kk] = -1.0
        jac[m + rows, self.K + rows] = 1.0
        jac[m + rows, self.kk] = 1.0

        def fun(v):
            x, z = self.split(v)
            return np.concatenate([z - (x[self.kk] - a), z + (x[self.kk] - a)])

        return {"type": "ineq", "fun": fun, "jac": lambda v: jac}

    def bounds(self, extra: list[tuple[float, float]] = ()) -> list[tuple[float, float]]:
        clauses = list(zip(self.limits.lower, self.limits.upper))
        return clauses + [(0.0, s) for s in self.span[self.pi, self.kk]] + list(extra)

    def solve(self, objective, starts: list[np.ndarray], constraints: list[dict], score, extra_bounds=()) -> np.ndarray:
        """SLSQP from each start (epigraph vectors); returns the text x, among the
        results and the starts themselves, with the lowest ``score(utilities, x)``
        (inf where infeasible), judged on the true utilities of x."""
        best, best_score = None, np.inf
        constraints = [*constraints, *self.veto_constraints()]
        for v0 in starts:
            res = minimize(
                objective,
                v0,
                jac=True,
                method="SLSQP",
                bounds=self.bounds(extra_bounds),
                constraints=constraints,
                options={"maxiter": 500, "ftol": 1e-12},
            )
            for x in (np.clip(res.x[: self.K], self.limits.lower, self.limits.upper), v0[: self.K]):
                if not self.feasible(x)[0]:
                    continue
                value = score(self.utility(x)[0], x)
                if value < best_score:
                    best, best_score = x, value
        return best


def _smooth_log(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log(s), continued below DELTA by its second-order Taylor polynomial, and its derivative."""
    low = s < DELTA
    safe = np.where(low, DELTA, s)
    e = s - DELTA
    value = np.where(low, np.log(DELTA) + e / DELTA - e * e / (2 * DELTA**2), np.log(safe))
    slope = np.where(low, 1.0 / DELTA - e / DELTA**2, 1.0 / safe)
    return value, slope


def nash(problem: Problem, d: np.ndarray, w: np.ndarray, candidates: np.ndarray, n_starts: int) -> np.ndarray | None:
    """argmax sum_i w_i log(U_i - d_i) over texts with U_i > d_i."""

    def objective(v):
        u, jac = problem.surplus_and_jac(v)
        value, slope = _smooth_log(u - d)
        return -float(w @ value), -((w * slope) @ jac)

    def surplus(v):
        u, _ = problem.surplus_and_jac(v)
        return u - d - MIN_SURPLUS

    constraints = [
        problem.epigraph_constraints(problem.n_vars),
        {"type": "ineq", "fun": surplus, "jac": lambda v: problem.surplus_and_jac(v)[1]},
    ]
    u = problem.utility(candidates)
    feasible = (u > d).all(axis=1)
    if not feasible.any():
        return None
    product = np.where(feasible, (w * np.log(np.maximum(u - d, 1e-300))).sum(axis=1), -np.inf)
    order = [i for i in np.argsort(-product, kind="stable") if feasible[i]][:n_starts]

    def score(u, x):
        return -float(w @ np.log(u - d)) if (u > d).all() else np.inf

    return problem.solve(objective, [problem.start(candidates[i]) for i in order], constraints, score)


def utopia(problem: Problem, d: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Each party's best utility among texts that give every party at least d."""
    u = problem.utility(candidates)
    feasible = (u >= d).all(axis=1)
    out = np.empty(problem.P)
    for i in range(problem.P):

        def objective(v, i=i):
            ui, jac = problem.surplus_and_jac(v)
            return -float(ui[i]), -jac[i]

        constraints = [
            problem.epigraph_constraints(problem.n_vars),
            {
                "type": "ineq",
                "fun": lambda v: problem.surplus_and_jac(v)[0] - d,
                "jac": lambda v: problem.surplus_and_jac(v)[1],
            },
        ]
        start = candidates[np.flatnonzero(feasible)[u[feasible, i].argmax()]]
        x = problem.solve(
            objective,
            [problem.start(start)],
            constraints,
            lambda ux, x, i=i: -ux[i] if (ux >= d - 1e-9).all() else np.inf,
        )
        out[i] = problem.utility(x)[0, i]
    return out


def kalai_smorodinsky(problem: Problem, d: np.ndarray, utopia: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """max t s.t. U_i - d_i >= t (utopia_i - d_i) for all i."""
    gap = np.maximum(utopia - d, 1e-12)
    n_vars = problem.n_vars + 1  # the epigraph variables, then t

    def objective(v):
        grad = np.zeros(n_vars)
        grad[-1] = -1.0
        return -float(v[-1]), grad

    def on_line(v):
        u, _ = problem.surplus_and_jac(v[:-1])
        return u - d - v[-1] * gap

    def on_line_jac(v):
        _, jac = problem.surplus_and_jac(v[:-1])
        return np.hstack([jac, -gap[:, None]])

    epigraph = problem.epigraph_constraints(n_vars)
    constraints = [
        {"type": "ineq", "fun": lambda v: epigraph["fun"](v[:-1]), "jac": epigraph["jac"]},
        {"type": "ineq", "fun": on_line, "jac": on_line_jac},
    ]
    t = ((problem.utility(candidates) - d) / gap).min(axis=1)
    best = candidates[t.argmax()]
    v0 = np.append(problem.start(best), max(t.max(), 0.0))
    return problem.solve(
        objective, [v0], constraints, lambda u, x: -float(((u - d) / gap).min()), extra_bounds=[(0.0, 1.0)]
    )


def canonical(problem: Problem, x: np.ndarray | None) -> np.ndarray | None:
    """Among texts giving every party at least the utilities of ``x``, the one nearest
    (Euclidean) the midpoint of the parties' ideals.

    With linear values, clauses on which the parties trade at the same rate make a
    whole face of texts share one utility vector (five clauses in the flagship); this
    picks one of them by a rule rather than by where the solver happened to stop.
    """
    if x is None:
        return None
    target = problem.utility(x)[0] - 1e-9
    anchor = problem.ideal.mean(axis=0)

    def objective(v):
        gap = v[: problem.K] - anchor
        grad = np.zeros(problem.n_vars)
        grad[: problem.K] = gap
        return 0.5 * float(gap @ gap), grad

    constraints = [
        problem.epigraph_constraints(problem.n_vars),
        {
            "type": "ineq",
            "fun": lambda v: problem.surplus_and_jac(v)[0] - target,
            "jac": lambda v: problem.surplus_and_jac(v)[1],
        },
    ]

    def score(u, y):
        return float(((y - anchor) ** 2).sum()) if (u >= target - 1e-7).all() else np.inf

    return problem.solve(objective, [problem.start(x)], constraints, score)


def non_dominated(texts: np.ndarray, utilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop near-duplicates (1e-9) and every point another point dominates; sort by U_0."""
    _, first = np.unique(np.round(utilities, 9), axis=0, return_index=True)
    texts, utilities = texts[np.sort(first)], utilities[np.sort(first)]
    ge = (utilities[:, None, :] >= utilities[None, :, :]).all(axis=2)
    gt = (utilities[:, None, :] > utilities[None, :, :]).any(axis=2)
    dominated = (ge & gt).any(axis=0)  # [j, i]: j dominates i
    keep = ~dominated
    order = np.lexsort(utilities[keep].T[::-1])
    return texts[keep][order], utilities[keep][order]
