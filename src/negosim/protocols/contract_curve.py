"""The contract curve of two parties: the Pareto-optimal texts Zeuthen's sides propose along."""

from __future__ import annotations

import numpy as np

from negosim.engine.utility import Preferences, clause_values, evaluate

_TOL = 1e-12


def _curve_vertices(prefs: Preferences, n_weights: int, n_grid: int) -> np.ndarray:
    """Texts maximising ``w U_a + (1 - w) U_b`` for ``w`` from 1 down to 0, (Wp, n_weights, K).

    Utilities are salience-weighted sums of per-clause values, so the maximum
    separates by clause. Each clause is maximised over candidates between the
    two ideals: a grid (exact enough for threshold shapes) plus the stationary
    points for quadratic/quadratic and linear/quadratic pairs (exact there;
    linear/linear optima are at the ideals, which the grid holds).
    """
    share = prefs.salience / np.maximum(prefs.salience.sum(axis=-1, keepdims=True), _TOL)  # (Wp, 2, K)
    w = np.linspace(1.0 - 1e-9, 1e-9, n_weights)[None, :, None]  # ties go to the other side (Pareto)
    wa, wb = w * share[:, None, 0], (1.0 - w) * share[:, None, 1]  # (Wp, n, K)
    ia, ib = prefs.ideal[:, None, 0], prefs.ideal[:, None, 1]  # (Wp, 1, K)
    ra, rb = prefs.inverse_span[:, None, 0], prefs.inverse_span[:, None, 1]
    lo, hi = np.minimum(ia, ib), np.maximum(ia, ib)
    direction = np.sign(ib - ia)
    with np.errstate(divide="ignore", invalid="ignore"):
        analytic = np.stack(
            [
                (wa * ra**2 * ia + wb * rb**2 * ib) / (wa * ra**2 + wb * rb**2),  # quadratic, quadratic
                ib - direction * wa * ra / (2.0 * wb * rb**2),  # linear a, quadratic b
                ia + direction * wb * rb / (2.0 * wa * ra**2),  # quadratic a, linear b
            ],
            axis=-2,
        )  # (Wp, n, 3, K)
    analytic = np.clip(np.where(np.isfinite(analytic), analytic, lo[:, :, None]), lo[:, :, None], hi[:, :, None])
    grid = lo[:, :, None] + (hi - lo)[:, :, None] * np.linspace(0.0, 1.0, n_grid)[None, None, :, None]
    candidates = np.concatenate(
        [np.broadcast_to(grid, (*analytic.shape[:2], n_grid, analytic.shape[-1])), analytic], axis=-2
    )
    ideal = prefs.ideal[:, None, None]  # (Wp, 1, 1, 2, K)
    d = np.minimum(np.abs(candidates[..., None, :] - ideal) * prefs.inverse_span[:, None, None], 1.0)
    value, _ = clause_values(d, prefs)  # (Wp, n, C, 2, K)
    objective = wa[:, :, None] * value[..., 0, :] + wb[:, :, None] * value[..., 1, :]
    best = objective.argmax(axis=-2)[:, :, None, :]
    return np.take_along_axis(candidates, best, axis=-2)[:, :, 0, :]


def _densify(vertices: np.ndarray, spacing: float) -> np.ndarray:
    """Join consecutive vertices by straight steps no longer than ``spacing`` (max norm)."""
    gap = np.abs(np.diff(vertices, axis=0)).max(axis=1)
    keep = np.concatenate([[True], gap > _TOL])
    vertices = vertices[keep]
    if len(vertices) == 1:
        return vertices
    gap = np.abs(np.diff(vertices, axis=0)).max(axis=1)
    pieces = np.maximum(np.ceil(gap / spacing), 1).astype(int)
    cell = np.repeat(np.arange(len(gap)), pieces)
    frac = (np.arange(pieces.sum()) - np.repeat(np.cumsum(pieces) - pieces, pieces)) / np.repeat(pieces, pieces)
    points = vertices[cell] + (vertices[cell + 1] - vertices[cell]) * frac[:, None]
    return np.vstack([points, vertices[-1:]])


def contract_curve(
    prefs: Preferences, n_weights: int = 1025, spacing: float = 0.002, n_grid: int = 65
) -> tuple[np.ndarray, np.ndarray]:
    """The Pareto frontier of two parties as a path of texts from a's ideal to b's.

    ``prefs`` holds the two parties (``Preferences.subset``). Returns
    ``texts (Wp, L, K)`` and their utilities ``(Wp, L, 2)`` (from
    :func:`negosim.engine.utility.evaluate`); a's utility falls and b's rises along
    the path. Vertices are weighted-sum maximisers; straight steps of at most
    ``spacing`` join them, which is exact across a linear clause's switch and
    otherwise close. With threshold shapes the utility set need not be convex
    and the path then only approximates the frontier. Paths of different
    preference draws are padded to one length by repeating b's ideal.
    """
    texts = []
    for w in range(prefs.ideal.shape[0]):
        one = Preferences(
            ideal=prefs.ideal[w : w + 1],
            salience=prefs.salience[w : w + 1],
            shape=prefs.shape,
            tolerance=prefs.tolerance,
            insists=prefs.insists,
        )
        texts.append(_densify(_curve_vertices(one, n_weights, n_grid)[0], spacing))
    length = max(len(t) for t in texts)
    texts = np.stack([np.vstack([t, np.repeat(t[-1:], length - len(t), axis=0)]) for t in texts])
    utility = np.empty((*texts.shape[:2], 2))
    for w in range(texts.shape[0]):
        one = Preferences(
            ideal=prefs.ideal[w : w + 1] if prefs.ideal.shape[0] > 1 else prefs.ideal,
            salience=prefs.salience[w : w + 1] if prefs.salience.shape[0] > 1 else prefs.salience,
            shape=prefs.shape,
            tolerance=prefs.tolerance,
            insists=np.zeros_like(prefs.insists),
        )
        utility[w] = evaluate(one, texts[w], np.zeros(texts[w].shape, dtype=np.int8))[0]
    return texts, utility
