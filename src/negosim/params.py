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
        self._plain = scenario.model_dump(mode="python", by_alias=True)
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
        columns = []
        for cid in clause_ids:
            try:
                columns.append(self.value(f"{prefix}.{cid}"))
            except KeyError:
                columns.append(np.array([default]))
        width = max(c.shape[0] for c in columns)
        return np.stack([np.broadcast_to(c, (width,)) for c in columns], axis=1)

    @property
    def drawn(self) -> dict[str, np.ndarray]:
        """The per-world draws, by key path (for the outcome table)."""
        return dict(self._draws)
