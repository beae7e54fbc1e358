"""The war behind the talks: territory moves, and with it the worth of no deal.

Territory ``p`` (the share of contested land Moscow holds) is a random walk
with drift and volatility, clipped to [0, 1]. A principal's reservation value
is what it expects from fighting on (Fearon 1995): its base value, plus what
it expects to gain on the ground over its look-ahead, minus the cost of the
war so far and the pressure the mediator has applied.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ReservationModel:
    """Per principal parameters, each (1|W, P) over principals."""

    base: np.ndarray
    territory_weight: np.ndarray
    expected_drift: np.ndarray
    lookahead: np.ndarray
    war_cost: np.ndarray

    def value(self, territory_gain: np.ndarray, round_index: int, pressure: np.ndarray) -> np.ndarray:
        """Reservation values (W, P) given territory change since the start (W,)."""
        expected = territory_gain[:, None] + self.expected_drift * self.lookahead
        return self.base + self.territory_weight * expected - self.war_cost * round_index - pressure


def step_territory(territory: np.ndarray, drift: np.ndarray, volatility: np.ndarray, shock: np.ndarray) -> np.ndarray:
    """One round of fighting: ``p + drift + volatility * shock``, kept in [0, 1]."""
    return np.minimum(np.maximum(territory + drift + volatility * shock, 0.0), 1.0)  # np.clip, without its overhead
