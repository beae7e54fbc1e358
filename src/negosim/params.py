"""Scenario values as per-world arrays, with uncertain ones drawn per world.

The model reads every real-valued parameter through :class:`WorldParams`.
A certain value comes back with a leading axis of length 1 (it broadcasts);
a value listed under ``[uncertainty]`` comes back with one draw per world,
taken from that world's own stream, so it depends only on the seed.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaincinv

from negosim.scenario import Distribution, Scenario, lookup
from negosim.streams import WorldStreams


def draw(dist: Distribution, u: np.ndarray) -> np.ndarray:
    """Map uniforms ``u`` in (0, 1) to draws of ``dist`` by inversion."""
    if dist.dist == "uniform":
        return dist.low + (dist.high - dist.low) * u
    if dist.dist == "normal":
        from scipy.special import ndtri

        x = dist.mean + dist.sd * ndtri(u)
    elif dist.dist == "triangular":
        lo, mode, hi = dist.low, dist.mode, dist.high
        if hi == lo:
            return np.full_like(u, lo)
        cut = (mode - lo) / (hi - lo)
        left = lo + np.sqrt(u * (hi - lo) * (mode - lo))
        right = hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode))
        return np.where(u < cut, left, right)
    else:  # beta on [low, high] (default [0, 1])
        lo = 0.0 if dist.low is None else dist.low
        hi = 1.0 if dist.high is None else dist.high
        return lo + (hi - lo) * betaincinv(dist.a, dist.b, u)
    lo = -np.inf if dist.low is None else dist.low
    hi = np.inf if dist.high is None else dist.high
    return np.clip(x, lo, hi)


class WorldParams:
    """Parameter lookup by key path, one value per world where uncertain."""

    def __init__(self, scenario: Scenario, streams: WorldStreams):
        self.scenario = scenario
        self._plain = scenario.plain
        self._draws: dict[str, np.ndarray] = {}
        for path, dist in scenario.uncertainty.items():
            self._draws[path] = draw(dist, streams.uniform(f"uncertainty:{path}", 0))

    def value(self, path: str, default: float | None = None) -> np.ndarray:
        """Shape (1,) for a certain value, (W,) for an uncertain one."""
        if path in self._draws:
            return self._draws[path]
        try:
            raw = lookup(self._plain, path)
        except KeyError:
            if default is None:
                raise
            raw = default
        return np.array([float(default if raw is None else raw)])

    def clause_vector(self, prefix: str, clause_ids: list[str], default: float = 0.0) -> np.ndarray:
        """Values of ``prefix.<clause>`` for every clause, shape (1|W, K)."""
        try:
            table = lookup(self._plain, prefix)
        except KeyError:
            table = {}
        base = np.array([[float(table.get(c, default)) for c in clause_ids]])
        uncertain = [k for k, cid in enumerate(clause_ids) if f"{prefix}.{cid}" in self._draws]
        if not uncertain:
            return base
        out = np.repeat(base, max(self._draws[f"{prefix}.{clause_ids[k]}"].size for k in uncertain), axis=0)
        for k in uncertain:
            out[:, k] = self._draws[f"{prefix}.{clause_ids[k]}"]
        return out

    @property
    def drawn(self) -> dict[str, np.ndarray]:
        """The per-world draws, by key path (for the outcome table)."""
        return dict(self._draws)
