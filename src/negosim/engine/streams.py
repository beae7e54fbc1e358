"""Per-world random streams that depend only on the seed.

Every random number in world *i* is a hash of (seed_i, purpose, round, index):
a counter-based generator in the spirit of Philox/SplitMix. Nothing is carried
from one draw to the next, so a world gives the same bits alone, inside a
batch of any size, in any chunking and on any machine, and the whole batch is
drawn with a handful of numpy operations instead of one generator per world.
The global numpy and :mod:`random` states are never read.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from negosim.engine.kernels import stream_keys, stream_uniforms


@functools.lru_cache(maxsize=4096)  # asked again every round, by every model
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
        with np.errstate(over="ignore"):  # uint64 arithmetic wraps (heard only when numba is switched off)
            self._keys = stream_keys(seeds.astype(np.uint64))
        self.size = seeds.size

    def uniform(self, purpose: str, round_index: int, shape: tuple[int, ...] = ()) -> np.ndarray:
        """Uniform draws in the open interval (0, 1), shape ``(worlds, *shape)``."""
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        return self.uniform_at(purpose, round_index, np.arange(count)).reshape((self.size, *shape))

    def uniform_at(self, purpose: str, round_index: int, counters: np.ndarray) -> np.ndarray:
        """Only the draws numbered ``counters`` of :meth:`uniform` (flat), (worlds, len(counters)).

        >>> s = WorldStreams([5])
        >>> bool((s.uniform_at("demo", 0, np.array([3, 1])) == s.uniform("demo", 0, (4,))[:, [3, 1]]).all())
        True
        """
        counters = np.asarray(counters).astype(np.uint64, copy=False)
        out = np.empty((self.size, counters.size))
        with np.errstate(over="ignore"):  # uint64 arithmetic wraps (heard only when numba is switched off)
            return stream_uniforms(self._keys, counters, _purpose_key(purpose, round_index), out)

    def normal(self, purpose: str, round_index: int, shape: tuple[int, ...] = ()) -> np.ndarray:
        """Standard normal draws by inversion of :meth:`uniform`."""
        return ndtri(self.uniform(purpose, round_index, shape))


@functools.lru_cache(maxsize=64)
def _round_counters(parties: int, clauses: int, deadlines: int, upward_parties: tuple[int, ...]) -> np.ndarray:
    """The numbers of the draws a round takes (the same every round)."""
    first_upward = 4 * parties + 1 + deadlines
    upward = [first_upward + i * clauses + np.arange(clauses) for i in upward_parties]
    counters = np.concatenate([np.arange(first_upward), *upward]).astype(np.uint64)
    counters.flags.writeable = False
    return counters


@dataclass(frozen=True)
class RoundDraws:
    """Every random number one round needs, drawn in one call and sliced by use.

    Shapes: ``noise`` (W, P) standard normal decision noise; ``upward``
    maps a party to the (W, K) draws that decide whether its objections
    arrive; ``signature``, ``credible``, ``text`` (W, P) deliveries and threat
    credibility; ``battlefield`` (W,) normal shock; ``deadline`` (W, D)
    extension draws.

    Objections on a route that cannot lose them (reliability 0 or 1) need no
    draw, so only the parties in ``upward_parties`` get theirs. Each draw keeps
    its number whichever others are taken, so skipping some changes no bit.
    """

    noise: np.ndarray
    upward: dict[int, np.ndarray]  # party index -> (W, K)
    signature: np.ndarray
    credible: np.ndarray
    text: np.ndarray
    battlefield: np.ndarray
    deadline: np.ndarray

    @classmethod
    def draw(
        cls,
        streams: WorldStreams,
        round_index: int,
        parties: int,
        clauses: int,
        deadlines: int,
        upward_parties: Sequence[int] = (),
    ) -> RoundDraws:
        p, k = parties, clauses
        first_upward = 4 * p + 1 + deadlines
        u = streams.uniform_at("round", round_index, _round_counters(p, k, deadlines, tuple(upward_parties)))
        return cls(
            noise=ndtri(u[:, :p]),
            signature=u[:, p : 2 * p],
            credible=u[:, 2 * p : 3 * p],
            text=u[:, 3 * p : 4 * p],
            battlefield=ndtri(u[:, 4 * p]),
            deadline=u[:, 4 * p + 1 : first_upward],
            upward={i: u[:, first_upward + j * k : first_upward + (j + 1) * k] for j, i in enumerate(upward_parties)},
        )
