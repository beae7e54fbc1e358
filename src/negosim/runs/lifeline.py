"""Worker processes that die with the process that started them, even when it is SIGKILLed.

A killed parent cannot shut its pool down, so each worker looks after itself:
it asks Linux to send it SIGKILL when its parent dies (``PR_SET_PDEATHSIG``;
a worker forked by a fork server watches the server, which ends with its owner)
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
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.machinery import ModuleSpec

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


def die_with_server(owner_pid: int) -> None:
    """In a worker forked by a fork server: end this process when the server, its parent, is
    gone. The server ends when ``owner_pid`` (the process that started it) does: multiprocessing's
    fork server exits once its owner's end of a pipe closes, so a worker dies with the owner too."""
    die_with_parent(os.getppid())
    if not _alive(owner_pid):  # the owner died before the server saw this worker's start
        os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        pass
    return True


@contextmanager
def workers_skip_main() -> Iterator[None]:
    """While worker processes start, tell them not to import the parent's ``__main__``.

    A spawned worker, or a fork server with modules to preload, normally re-runs the script
    that started it (as ``__mp_main__``) before it takes work: an unguarded script (no
    ``if __name__ == "__main__":``) then starts workers from inside a worker and dies, and
    code read from standard input (``python -``) cannot be re-run at all. negosim's workers
    need nothing from ``__main__`` (they run :func:`negosim.runs.chunks.run_chunk` on
    pickled scenarios), so for the moment they start, ``__main__`` is named as a module
    that multiprocessing leaves alone.
    """
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    had_spec, spec = hasattr(main, "__spec__"), getattr(main, "__spec__", None)
    main.__spec__ = ModuleSpec("__main__", None)  # multiprocessing skips a main named "__main__"
    try:
        yield
    finally:
        if had_spec:
            main.__spec__ = spec
        else:
            del main.__spec__
