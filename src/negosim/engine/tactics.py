"""Concession tactics: how much utility a party still demands at time t.

Time-dependent tactics follow Faratin, Sierra & Jennings (1998):
``a(t) = r + (a0 - r) * (1 - (t / T) ** (1 / e))``, where T is the round of
the party's current deadline. Boulware (e < 1) holds out until T, Conceder
(e > 1) gives way early. Tit-for-tat instead gives back, in aspiration, what
the last revision of the text conceded to the party.
"""

from __future__ import annotations

import numpy as np


def time_dependent(
    round_index: int, due: np.ndarray, initial: np.ndarray, reservation: np.ndarray, exponent: np.ndarray
) -> np.ndarray:
    """Aspiration per world for a time-dependent tactic."""
    progress = np.clip(round_index / np.maximum(due, 1), 0.0, 1.0)
    concession = progress ** (1.0 / exponent)
    return reservation + (np.maximum(initial, reservation) - reservation) * (1.0 - concession)


def tit_for_tat(previous: np.ndarray, gain: np.ndarray, reciprocity: np.ndarray, reservation: np.ndarray) -> np.ndarray:
    """Lower the aspiration by ``reciprocity`` times what the other side just gave."""
    return np.maximum(previous - reciprocity * np.maximum(gain, 0.0), reservation)
