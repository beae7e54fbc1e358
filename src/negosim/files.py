"""Writing files so that a reader never sees half of one, and a crash loses nothing written.

Every file negosim writes goes through :func:`write_atomic`: the bytes go to a
temporary file with a name of its own beside the target (``.NAME.XXXXXXXX.tmp``,
unique per writer, so two writers never share one), are flushed to the disk,
and are renamed into place; the directory is then flushed so the rename itself
survives a power cut. If anything fails (a full disk, a read-only file system),
the temporary file is removed and the target is untouched.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_bytes(folder / "a.txt", b"whole")
>>> (folder / "a.txt").read_bytes(), sorted(p.name for p in folder.iterdir())
(b'whole', ['a.txt'])
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

TEMP_PATTERN = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")  # what write_atomic names its temporary files
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def fsync_dir(folder: Path) -> None:
    """Flush a directory's entries (new names, renames, removals) to the disk."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _umask() -> int:
    try:  # read, not set: os.umask can only be read by changing it
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


FILE_MODE = 0o666 & ~_umask()  # what open() would give a new file (mkstemp's are private)


def write_atomic(path: Path, write: Callable[[Path], None], *, durable: bool = True) -> None:
    """Call ``write(temporary_path)`` and rename the result to ``path`` (see the module docstring).

    ``write`` fills the file it is given (``figure.savefig``, ``table.to_csv``,
    a parquet writer); it must not keep it open. ``durable=False`` skips the
    flushes, for files that are checked on reading and simply made again if a
    crash lost them (a run's parts).
    """
    path = Path(path)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(descriptor)
    temporary = Path(name)
    try:
        os.chmod(temporary, FILE_MODE)
        write(temporary)
        if durable:
            with open(temporary, "rb+") as handle:
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        if exc.filename is None:  # a failed write names no file: say which one
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
        raise
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(path.parent)


def write_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (and durably, unless told otherwise)."""
    write_atomic(path, lambda temporary: temporary.write_bytes(data), durable=durable)


def write_json(path: Path, payload: dict, *, durable: bool = True) -> None:
    """Write ``payload`` as indented JSON, atomically (and durably, unless told otherwise)."""
    write_bytes(path, (json.dumps(payload, indent=2) + "\n").encode(), durable=durable)


def is_temporary(path: Path) -> bool:
    """Whether ``path`` is named like a temporary file of :func:`write_atomic` (a stale one after a kill).

    >>> is_temporary(Path(".manifest.json.k3j_x9q2.tmp")), is_temporary(Path("notes.tmp"))
    (True, False)
    """
    return bool(TEMP_PATTERN.match(path.name))


def one_line(text: str) -> str:
    r"""``text`` safe for one terminal line: control characters (newlines, escapes) shown as escapes.

    >>> one_line("bad\nname\x1b[31m")
    'bad\\nname\\x1b[31m'
    """
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)
