"""Claiming an output directory: one writer at a time, and ``--force`` never deletes what negosim did not write.

A run or sweep directory is locked for as long as negosim writes to it (an
advisory ``flock`` on ``.negosim.lock``, which names the process that holds
it). ``--force`` replaces a directory only if it is empty or holds a negosim
run (its ``manifest.json`` says so) and nothing else: every entry must be one
negosim writes. A file in the way, a directory of other files, or a run
directory with a file of someone else's in it is refused, and nothing is
deleted.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import sys
from fnmatch import fnmatch
from pathlib import Path

from negosim.errors import OutputError
from negosim.files import is_temporary

LOCK = ".negosim.lock"
MANIFEST = "manifest.json"
RUN_KINDS = ("run", "experiment")
# What negosim writes into a run directory: files at the top, and folders with the files they may hold.
RUN_FILES = (MANIFEST, "outcomes.parquet", "summary.json", "scenario.json", "experiment.json", "points.csv",
             "points_summary.csv", "differences.csv", "sobol.csv", "report.md", LOCK)  # fmt: skip
RUN_FOLDERS = {
    "parts": ("part-*.parquet", "part-*.sha256"),
    "figures": ("*.png", "*.pdf", "*.svg"),
    "set-aside": ("*.parquet", "*.parquet.*"),
    "backtest-*": ("backtest.md", "backtest.json", "backtest.png"),
    "compare-*": ("compare.md", "compare.csv", "compare.png"),
    "discover-*": ("discover.md", "discover.png"),
}


def _known_file(name: str, patterns: tuple[str, ...]) -> bool:
    return is_temporary(Path(name)) or any(fnmatch(name, pattern) for pattern in patterns)


def foreign_entries(folder: Path) -> list[str]:
    """Entries of a run directory that negosim does not write (relative paths), in sorted order."""
    foreign = []
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink():
            foreign.append(entry.name)
        elif entry.is_dir():
            patterns = next((p for name, p in RUN_FOLDERS.items() if fnmatch(entry.name, name)), None)
            if patterns is None:
                foreign.append(entry.name + "/")
                continue
            for inner in sorted(entry.iterdir()):
                if inner.is_symlink() or inner.is_dir() or not _known_file(inner.name, patterns):
                    foreign.append(f"{entry.name}/{inner.name}")
        elif not _known_file(entry.name, RUN_FILES):
            foreign.append(entry.name)
    return foreign


def is_negosim_run(folder: Path) -> bool:
    """Whether ``folder`` has the manifest of a negosim run or sweep."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("kind") in RUN_KINDS and "negosim_version" in manifest


def check_replaceable(folder: Path) -> None:
    """Refuse, in one line, a directory that ``--force`` may not replace (see the module docstring)."""
    entries = [e for e in folder.iterdir() if e.name != LOCK]
    if not entries:
        return
    if not is_negosim_run(folder):
        raise OutputError(
            f"{folder}: not a negosim run directory (no readable negosim manifest.json) and not empty; "
            "--force replaces only a negosim run or an empty directory: choose another --out"
        )
    foreign = foreign_entries(folder)
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise OutputError(
            f"{folder}: holds files negosim did not write ({shown}); --force will not delete them: "
            "move them away or choose another --out"
        )


def clear_run(folder: Path) -> None:
    """Delete a negosim run's entries (after :func:`check_replaceable`), keeping the lock file."""
    check_replaceable(folder)
    for entry in folder.iterdir():
        if entry.name == LOCK:
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def remove_stale_temporaries(folder: Path) -> None:
    """Temporary files a killed writer left behind (only negosim's own names; called under the lock)."""
    for place in (folder, *(folder / name for name in ("parts", "figures"))):
        if place.is_dir():
            for entry in place.iterdir():
                if entry.is_file() and is_temporary(entry):
                    entry.unlink(missing_ok=True)


class DirectoryLock:
    """An advisory lock on a directory, held by one process at a time; the lock file names its holder.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with DirectoryLock(folder):
    ...     DirectoryLock(folder).acquire()
    Traceback (most recent call last):
    ...
    negosim.errors.OutputError: ...: another negosim process is writing here (pid ...
    """

    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK
        self._handle = None

    def acquire(self) -> DirectoryLock:
        handle = open(self.path, "a+")  # noqa: SIM115 - held open for as long as the lock
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown process"
            handle.close()
            raise OutputError(
                f"{self.path.parent}: another negosim process is writing here ({holder}); "
                "wait for it to finish or choose another --out"
            ) from None
        handle.seek(0)
        handle.truncate()
        command = " ".join(sys.argv[:1] and [Path(sys.argv[0]).name, *sys.argv[1:]])
        handle.write(f"pid {os.getpid()} on {socket.gethostname()}: {command}"[:500])
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> DirectoryLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
