"""How the kernels are compiled: numba, one signature each, cached on disk.

A kernel's arguments are typed up front (:func:`reads`, :func:`writes`): an array
that may be a view of a larger one takes any memory layout, so a one-world run
(whose slices happen to be contiguous) and a batch (whose slices are not) run the
same machine code, and a fresh machine compiles each kernel once.
"""

from __future__ import annotations

import functools

from numba import njit
from numba import types as nt

F8, F4, I8, I4, I1, U8, B1 = nt.float64, nt.float32, nt.int64, nt.int32, nt.int8, nt.uint64, nt.boolean


def reads(dtype, ndim: int, dense: bool = False) -> nt.Array:
    """An array the kernel only reads: any layout (a view, a transpose), or C-contiguous
    where ``dense`` (the hot inputs); read-only arrays are accepted."""
    return nt.Array(dtype, ndim, "C" if dense else "A", readonly=True)


def writes(dtype, ndim: int, dense: bool = True) -> nt.Array:
    """An array the kernel writes: C-contiguous (a buffer its caller owns), or any layout
    where not ``dense`` (a slot of a larger array)."""
    return nt.Array(dtype, ndim, "C" if dense else "A")


def kernel(*arg_types):
    """Compile the function with numba for exactly ``arg_types``, on its first call, and
    cache the machine code on disk.

    One signature per kernel, not one per combination of memory layouts met: a
    one-world run's slices are contiguous where a batch's are not, and each
    combination would cost another compilation (about a second each).

    >>> import numpy as np
    >>> from negosim.engine.kernels import stream_keys
    >>> seeds = np.arange(6, dtype=np.uint64)
    >>> bool((stream_keys(seeds[::2]) == stream_keys(seeds[::2].copy())).all())  # a view, a copy: one signature
    True
    """

    def wrap(function):
        compiled = None

        @functools.wraps(function)
        def call(*args):
            nonlocal compiled
            if compiled is None:
                compiled = njit(arg_types, cache=True)(function)
            return compiled(*args)

        call.py_func = function
        return call

    return wrap
