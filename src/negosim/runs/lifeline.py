"""Worker processes that die with the process that started them, even when it is SIGKILLed.

A killed parent cannot shut its pool down, so each worker looks after itself:
it asks Linux to send it SIGKILL when its parent dies (``PR_SET_PDEATHSIG``)
and, where that is not available or not tied to the right thread (Dask's
nannies start workers from their own threads), a daemon thread checks once a
second whether its parent is still its parent.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
WATCH_SECONDS = 1.0


def _exit_if_orphaned(parent_pid: int) -> None:
    if os.getppid() != parent_pid:
        os._exit(1)


def _watch(parent_pid: int) -> None:
    while True:
        _exit_if_orphaned(parent_pid)
        time.sleep(WATCH_SECONDS)


def die_with_parent(parent_pid: int, *, signal_on_death: bool = True) -> None:
    """In a worker: end this process when ``parent_pid`` (its parent) is gone (see the module docstring).

    ``signal_on_death`` asks the kernel for SIGKILL on the parent's death; it is
    tied to the thread that started the worker, so pass False where that thread
    may end before the parent does.
    """
    if signal_on_death and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    _exit_if_orphaned(parent_pid)  # the parent may have died before this line ran
    threading.Thread(target=_watch, args=(parent_pid,), daemon=True, name="negosim-lifeline").start()
