"""Delivery probabilities of the routes, per world where a channel's reliability is drawn.

A route's reliability is the product of the reliabilities of the channels it
passes (:mod:`negosim.scenario.graph` chooses the route by latency). When no
channel's reliability is uncertain, the routes' own values are used as they
are, with a leading world axis of length 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negosim.scenario.graph import Routes


def _path(channels: np.ndarray, passed: tuple[int, ...], fixed: float) -> np.ndarray:
    """The product of the channels' per-world reliabilities along a path, in path order."""
    if not passed:
        return np.full(channels.shape[0], fixed)  # no route (0), or the mediator itself
    out = channels[:, passed[0]].copy()
    for c in passed[1:]:
        out *= channels[:, c]
    return out


@dataclass(frozen=True)
class Reliability:
    """``text`` (1|W, P), ``up`` (1|W, P, K), ``signal`` (1|W, P) delivery probabilities, and
    ``lossy_up``: the parties with a route up that may lose a message in some world."""

    text: np.ndarray
    up: np.ndarray
    signal: np.ndarray
    lossy_up: list[int]

    @classmethod
    def of(cls, routes: Routes, channels: np.ndarray | None) -> Reliability:
        """The routes' reliabilities, per world if ``channels`` (W, C) gives each channel's."""
        if channels is None:
            fixed = (routes.text_reliability[None, :], routes.up_reliability[None], routes.signal_reliability[None, :])
            return cls(*fixed, routes.lossy_up)
        n, k = routes.up_reliability.shape
        text = np.stack([_path(channels, routes.text_channels[i], routes.text_reliability[i]) for i in range(n)], 1)
        signal = np.stack(
            [_path(channels, routes.signal_channels[i], routes.signal_reliability[i]) for i in range(n)], 1
        )
        up = np.stack(
            [np.stack([_path(channels, routes.up_channels[i][j], routes.up_reliability[i, j]) for j in range(k)], 1)
             for i in range(n)], 1,
        )  # fmt: skip
        lossy = ((up > 0) & (up < 1)).any(axis=(0, 2))
        return cls(text, up, signal, [int(i) for i in np.flatnonzero(lossy)])
