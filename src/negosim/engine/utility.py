"""Utilities over texts, their gradients, and the position index.

A party's utility is the salience-weighted mean of per-clause values
``v(d)``, where ``d`` is the distance from its ideal point scaled so that the
far pole is 1; hence every utility lies in [0, 1]. Clauses that are bracketed
or dropped are left out, except those a party *insists on*: it counts them at
its worst pole (for Moscow, "put to one side" means "erased").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negosim.engine.kernels import MIN_SALIENCE, linear_utility  # below MIN_SALIENCE a text scores nothing
from negosim.vocabulary import ClauseStatus, Shape

_THRESHOLD_WIDTH = 0.05


@dataclass
class Preferences:
    """Every party's preferences as arrays over (world | 1, party, clause)."""

    ideal: np.ndarray  # (W|1, P, K)
    salience: np.ndarray  # (W|1, P, K)
    shape: np.ndarray  # (P, K) Shape codes
    tolerance: np.ndarray  # (P, 1)
    insists: np.ndarray  # (P, K) bool

    def __post_init__(self) -> None:
        self.span = np.maximum(self.ideal, 1.0 - self.ideal)  # distance to the farther pole, >= 0.5
        self.inverse_span = 1.0 / self.span
        self.worst = np.where(self.ideal < 0.5, 1.0, 0.0)  # the pole farther from the ideal
        # Precomputed for the fast all-linear evaluation (the usual case).
        self.linear = bool((self.shape == Shape.LINEAR.code).all())
        # The compiled kernel takes contiguous float64 arrays (one machine-code version for all).
        self.ideal, self.salience = (np.ascontiguousarray(a, dtype=np.float64) for a in (self.ideal, self.salience))
        self.salience_per_span = np.ascontiguousarray(self.salience * self.inverse_span)
        self.insists = np.ascontiguousarray(self.insists, dtype=np.bool_)

    def subset(self, parties: list[int]) -> Preferences:
        """The same preferences for some parties only (same order as given)."""
        return Preferences(
            ideal=self.ideal[:, parties],
            salience=self.salience[:, parties],
            shape=self.shape[parties],
            tolerance=self.tolerance[parties],
            insists=self.insists[parties],
        )


def clause_values(d: np.ndarray, prefs: Preferences) -> tuple[np.ndarray, np.ndarray]:
    """Per-clause value v(d) in [0, 1] and its derivative dv/dd.

    Shapes a scenario does not use are not computed (the logistic is costly).
    """
    value, slope = 1.0 - d, np.broadcast_to(-1.0, d.shape)
    quadratic, threshold = prefs.shape == Shape.QUADRATIC.code, prefs.shape == Shape.THRESHOLD.code
    if quadratic.any():
        value = np.where(quadratic, 1.0 - d * d, value)
        slope = np.where(quadratic, -2.0 * d, slope)
    if threshold.any():
        tol = prefs.tolerance
        top = 1.0 / (1.0 + np.exp(-tol / _THRESHOLD_WIDTH))
        logistic = 1.0 / (1.0 + np.exp(-(tol - d) / _THRESHOLD_WIDTH))
        value = np.where(threshold, logistic / top, value)
        slope = np.where(threshold, -logistic * (1 - logistic) / (_THRESHOLD_WIDTH * top), slope)
    return value, slope


def effective_values(values: np.ndarray, status: np.ndarray, worst: np.ndarray) -> np.ndarray:
    """The text as a party scores it: clauses off the table sit at its worst pole."""
    return np.where(status <= ClauseStatus.AGREED, values, worst)


def evaluate(prefs: Preferences, values: np.ndarray, status: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Utility of each party for the text it holds, and the gradient.

    ``values``/``status``: (W, P, K) (each party's own copy) or (W, K) (one
    shared text). Returns ``(utility (W, P), gradient (W, P, K))``; the
    gradient is zero on clauses that are not open.

    >>> from negosim import load_scenario
    >>> from negosim.engine.params import ModelParams
    >>> from negosim.engine.streams import WorldStreams
    >>> prefs = ModelParams.build(load_scenario("teaching_two_party"), WorldStreams([0])).prefs
    >>> utility, gradient = evaluate(prefs, np.array([[0.3, 0.7]]), np.zeros((1, 2), dtype=np.int8))
    >>> utility.round(2).tolist()  # the mediator M, then A and B at their Nash text
    [[0.6, 0.79, 0.79]]
    """
    if values.ndim == 2:
        values, status = values.reshape(values.shape[0], 1, -1), status.reshape(status.shape[0], 1, -1)
    if not prefs.linear:
        return _evaluate_shaped(prefs, values, status)
    W, P = values.shape[0], prefs.shape.shape[0]
    utility, gradient = np.empty((W, P)), np.empty((W, P, values.shape[2]))
    return linear_utility(
        np.ascontiguousarray(values, dtype=np.float64),
        np.ascontiguousarray(status, dtype=np.int8),
        prefs.ideal,
        prefs.salience,
        prefs.salience_per_span,
        prefs.insists,
        utility,
        gradient,
    )


def _evaluate_shaped(prefs: Preferences, values: np.ndarray, status: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`evaluate` for any mix of clause shapes."""
    open_ = status <= ClauseStatus.AGREED
    offset = effective_values(values, status, prefs.worst) - prefs.ideal
    d = np.minimum(np.abs(offset) * prefs.inverse_span, 1.0)
    v, dv = clause_values(d, prefs)
    weight = np.where(open_ | prefs.insists, prefs.salience, 0.0)
    total = weight.sum(axis=-1)
    scored = total > MIN_SALIENCE
    safe = np.where(scored, total, 1.0)
    utility = np.where(scored, (weight * v).sum(axis=-1) / safe, 0.0)
    slope = np.where(open_ & scored[..., None], weight * dv, 0.0)
    gradient = slope * np.sign(offset) * (prefs.inverse_span / safe[..., None])
    return np.clip(utility, 0.0, 1.0), gradient


def position_index(values: np.ndarray, status: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Projection of each text onto the segment ``start`` (0) -> ``end`` (1).

    Bracketed and dropped clauses are left out; NaN if nothing remains.
    """
    keep = status <= ClauseStatus.AGREED
    axis = (end - start) * keep
    denominator = (axis * axis).sum(axis=-1)
    numerator = ((values - start) * axis).sum(axis=-1)
    return np.divide(numerator, denominator, out=np.full_like(numerator, np.nan), where=denominator > 0)
