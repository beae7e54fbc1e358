"""Per-world random streams that depend only on the seed.

Every random number in world *i* is a hash of (seed_i, purpose, round, index):
a counter-based generator in the spirit of Philox/SplitMix. Nothing is carried
from one draw to the next, so a world gives the same bits alone, inside a
batch of any size, in any chunking and on any machine, and the whole batch is
drawn with a handful of numpy operations instead of one generator per world.
The global numpy and :mod:`random` states are never read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(n) for n in (30, 27, 31, 11))


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijection on uint64 with full avalanche."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def _purpose_key(purpose: str, round_index: int) -> np.uint64:
    digest = hashlib.blake2b(f"{purpose}\x00{round_index}".encode(), digest_size=8).digest()
    return np.uint64(int.from_bytes(digest, "little"))


def world_seeds(seeds: int | list[int] | np.ndarray) -> np.ndarray:
    """One or more non-negative integer seeds as a 1-d int64 array (a model's worlds)."""
    array = np.atleast_1d(np.asarray(seeds))
    if array.ndim != 1 or array.size == 0 or not np.issubdtype(array.dtype, np.integer) or (array < 0).any():
        raise ValueError("seeds must be one or more non-negative integers")
    return array.astype(np.int64)


class WorldStreams:
    """Independent uniform and normal draws for a batch of worlds.

    >>> s = WorldStreams([17, 3])
    >>> a = s.uniform("demo", 0, (2,))
    >>> bool((WorldStreams([17]).uniform("demo", 0, (2,))[0] == a[0]).all())
    True
    """

    def __init__(self, seeds: np.ndarray | list[int]):
        seeds = np.asarray(seeds)
        if seeds.ndim != 1 or (seeds.size and (seeds.min() < 0)):
            raise ValueError("seeds must be a 1-d array of non-negative integers")
        with np.errstate(over="ignore"):
            self._keys = _mix(seeds.astype(np.uint64) * _GOLDEN + _M2)
        self.size = seeds.size

    def _bits(self, purpose: str, round_index: int, shape: tuple[int, ...]) -> np.ndarray:
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        counter = np.arange(count, dtype=np.uint64) * _GOLDEN + _purpose_key(purpose, round_index)
        with np.errstate(over="ignore"):
            z = _mix(self._keys[:, None] + _mix(counter)[None, :])
        return z.reshape((self.size, *shape))

    def uniform(self, purpose: str, round_index: int, shape: tuple[int, ...] = ()) -> np.ndarray:
        """Uniform draws in the open interval (0, 1), shape ``(worlds, *shape)``."""
        bits = self._bits(purpose, round_index, shape)
        return ((bits >> _S11).astype(np.float64) + 0.5) * (1.0 / 9007199254740992.0)

    def normal(self, purpose: str, round_index: int, shape: tuple[int, ...] = ()) -> np.ndarray:
        """Standard normal draws by inversion of :meth:`uniform`."""
        return ndtri(self.uniform(purpose, round_index, shape))


@dataclass(frozen=True)
class RoundDraws:
    """Every random number one round needs, drawn in one call and sliced by use.

    Shapes: ``noise`` (W, P) standard normal decision noise; ``upward``
    (W, P, K) delivery of objections; ``signature``, ``credible``, ``text``
    (W, P) deliveries and threat credibility; ``battlefield`` (W,) normal shock;
    ``deadline`` (W, D) extension draws.
    """

    noise: np.ndarray
    upward: np.ndarray
    signature: np.ndarray
    credible: np.ndarray
    text: np.ndarray
    battlefield: np.ndarray
    deadline: np.ndarray

    @classmethod
    def draw(cls, streams: WorldStreams, round_index: int, parties: int, clauses: int, deadlines: int) -> RoundDraws:
        p, k = parties, clauses
        u = streams.uniform("round", round_index, (5 * p + p * k + 1 + deadlines,))
        w = streams.size
        return cls(
            noise=ndtri(u[:, :p]),
            signature=u[:, p : 2 * p],
            credible=u[:, 2 * p : 3 * p],
            text=u[:, 3 * p : 4 * p],
            battlefield=ndtri(u[:, 4 * p]),
            deadline=u[:, 4 * p + 1 : 4 * p + 1 + deadlines],
            upward=u[:, 4 * p + 1 + deadlines : 4 * p + 1 + deadlines + p * k].reshape(w, p, k),
        )
