"""Concession tactics: how much utility a party still demands at time t.

Time-dependent tactics follow Faratin, Sierra & Jennings (1998):
``a(t) = r + (a0 - r) * (1 - (t / T) ** (1 / e))``, where T is the round of
the party's current deadline. Boulware (e < 1) holds out until T, Conceder
(e > 1) gives way early. Tit-for-tat instead gives back, in aspiration, what
the last revision of the text conceded to the party.
"""

from __future__ import annotations

import numpy as np

from negosim.engine.compiled import F8, I8, kernel, reads


@kernel(I8, reads(F8, 1), reads(F8, 1), reads(F8, 1), reads(F8, 1))
def time_dependent(round_index, due, initial, reservation, exponent):
    """Aspiration per world (W,) for a time-dependent tactic: ``due`` (W,) is the round of
    each world's deadline, ``initial`` and ``exponent`` (1|W,), ``reservation`` (W,).

    >>> import numpy as np
    >>> one = np.ones(1)
    >>> time_dependent(5, np.array([10.0]), one, np.array([0.2]), one)  # linear: halfway at t = T/2
    array([0.6])
    """
    out = np.empty(reservation.size)
    for w in range(out.size):
        progress = min(max(round_index / max(due[w], 1.0), 0.0), 1.0)
        concession = progress ** (1.0 / exponent[w if exponent.size > 1 else 0])
        floor = reservation[w]
        out[w] = floor + (max(initial[w if initial.size > 1 else 0], floor) - floor) * (1.0 - concession)
    return out


def tit_for_tat(previous: np.ndarray, gain: np.ndarray, reciprocity: np.ndarray, reservation: np.ndarray) -> np.ndarray:
    """Lower the aspiration by ``reciprocity`` times what the other side just gave."""
    return np.maximum(previous - reciprocity * np.maximum(gain, 0.0), reservation)
