"""A run directory that fills as chunks finish, resumes after a kill and repairs what was lost.

Layout of ``DIR``::

    manifest.json        what the run is (scenario hash, seeds, chunk size), the outcome table's
                         SHA-256, and whether the run is complete
    parts/part-NNNNNN.parquet   one file per finished chunk, while the run is going,
    parts/part-NNNNNN.sha256    and its SHA-256
    outcomes.parquet     every seed once, sorted by seed (written when all chunks are in)
    summary.json, report.md, figures/   what a finished run shows (rewritten when missing)
    set-aside/           parts or tables that failed their checksum (kept, never deleted)
    .negosim.lock        held while a process writes here (see :mod:`negosim.runs.claim`)

Every file is written beside its final name and renamed into place
(:mod:`negosim.files`), so a file is either whole or absent; a part counts as
done only if its bytes match its checksum, so a truncated or corrupted part is
set aside and run again. The merged table is flushed to the
disk before the parts are removed. A directory that holds a different run is
refused; ``force`` replaces it only if negosim wrote everything in it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from negosim import __version__
from negosim.errors import OutputError
from negosim.files import write_atomic, write_bytes, write_json
from negosim.runs.claim import MANIFEST, DirectoryLock, check_replaceable, clear_run, remove_stale_temporaries
from negosim.scenario import Scenario

OUTCOMES = "outcomes.parquet"
SUMMARY = "summary.json"
PARTS = "parts"
SET_ASIDE = "set-aside"


def seeds_record(seeds: np.ndarray | range) -> dict:
    """A compact, exact description of a seed array (a range when contiguous)."""
    if isinstance(seeds, range) and seeds.step == 1 and len(seeds):
        return {"count": len(seeds), "first": seeds.start, "last": seeds.stop - 1, "range": [seeds.start, seeds.stop]}
    seeds = np.asarray(seeds)
    record = {"count": int(seeds.size), "first": int(seeds.min()), "last": int(seeds.max())}
    if seeds.size == 1 or bool((np.diff(seeds) == 1).all()):
        record["range"] = [int(seeds[0]), int(seeds[-1]) + 1]
    else:
        record["sha256"] = hashlib.sha256(np.ascontiguousarray(seeds, dtype=np.int64).tobytes()).hexdigest()
    return record


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


RESULT_LIBRARIES = ("numpy", "scipy", "pandas", "pyarrow", "mesa", "networkx", "pydantic", "SALib")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def code_version() -> str:
    """The commit negosim runs from (with "+changes" if its files differ from it), or why there is none.

    >>> code_version()  # doctest: +ELLIPSIS
    '...'
    """
    source = Path(__file__).resolve().parents[3]  # src/negosim/runs/store.py -> the checkout
    if not (source / ".git").exists():
        return "not a git checkout (installed package)"
    try:
        commit = subprocess.run(["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()  # fmt: skip
        changed = subprocess.run(["git", "-C", str(source), "status", "--porcelain", "--", "src"],
                                 capture_output=True, text=True, timeout=10, check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "a git checkout, commit unknown (git not available)"
    return commit + ("+changes" if changed else "")


def code_digest() -> str:
    """SHA-256 of negosim's own Python source (every module, by relative path): two runs with
    the same digest ran the same code, committed or not, checkout or installed package."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def check_destination(folder: Path) -> None:
    """Refuse, in one line, an output path that cannot be a directory."""
    if folder.is_symlink() and not folder.exists():
        raise OutputError(f"{folder}: a symbolic link to nothing (expected a directory for the run)")
    if folder.exists():
        if not folder.is_dir():
            raise OutputError(f"{folder}: a file is in the way (expected a directory for the run; nothing was deleted)")
        return
    ancestor = folder.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"{folder}: cannot be made, {ancestor} is a file (expected a directory path)")


class RunStore:
    """The on-disk side of a run or sweep (see the module docstring)."""

    def __init__(self, directory: str | Path, *, figure_formats: tuple[str, ...] = ("png",), figure_dpi: int = 120):
        self.dir = Path(directory)
        self.figure_formats, self.figure_dpi = tuple(figure_formats), figure_dpi
        self.set_aside: list[str] = []  # what failed its checksum on this resume

    # -- identity -----------------------------------------------------------
    @staticmethod
    def identity(scenario: Scenario, seeds: np.ndarray | range) -> dict:
        return {"scenario_sha256": scenario.digest(), "seeds": seeds_record(seeds)}

    @staticmethod
    def provenance(scenario: Scenario, command: str | None, kind: str = "run") -> dict:
        """What produced the directory: negosim's version and commit, every library that touches a
        result, the scenario, the command and the time."""
        return {
            "kind": kind,
            "negosim_version": __version__,
            "code": code_version(),
            "code_sha256": code_digest(),
            "scenario": scenario.meta.name,
            "scenario_file": scenario.source,
            "command": command if command is not None else " ".join(sys.argv),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            **{name: _version(name) for name in RESULT_LIBRARIES},
        }

    def manifest(self) -> dict | None:
        """The manifest; None if there is none, {} if it cannot be read."""
        try:
            manifest = json.loads((self.dir / MANIFEST).read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {}
        return manifest if isinstance(manifest, dict) else {}

    def holds(self, identity: dict) -> bool:
        old = self.manifest()
        return bool(old) and all(old.get(k) == v for k, v in identity.items())

    def check(self, identity: dict, force: bool = False) -> None:
        """Refuse a destination that cannot take this run (see :mod:`negosim.runs.claim`)."""
        check_destination(self.dir)
        if not self.dir.exists() or self.holds(identity):
            return
        if force:
            check_replaceable(self.dir)
        elif any(e.name != ".negosim.lock" for e in self.dir.iterdir()):
            raise OutputError(f"{self.dir}: holds something other than this run; choose another --out "
                              "(or pass --force to replace a negosim run directory)")  # fmt: skip

    # -- lifecycle ------------------------------------------------------------
    @contextmanager
    def claimed(self, identity: dict, provenance: dict, chunk_size: int, *, force: bool = False) -> Iterator[int]:
        """Lock the directory for this run and prepare it; yields the chunk size to use (a resumed run
        keeps its own). A directory this call made is removed again if nothing was written to it."""
        self.check(identity, force)
        made = not self.dir.exists()
        self.dir.mkdir(parents=True, exist_ok=True)
        lock = DirectoryLock(self.dir)
        try:
            lock.acquire()
            self.check(identity, force)  # again, now that no one else can write here
            remove_stale_temporaries(self.dir)
            if self.holds(identity) and not self._same_code(provenance, force):
                clear_run(self.dir)  # --force: the chunks on disk came from other code
            if self.holds(identity):
                chunk_size = int(self.manifest().get("chunk_size", chunk_size))
            else:
                clear_run(self.dir)
                fresh = {**provenance, **identity, "chunk_size": chunk_size, "complete": False}
                write_json(self.dir / MANIFEST, fresh)
            (self.dir / PARTS).mkdir(exist_ok=True)
            yield chunk_size
        except BaseException:
            lock.release()
            if made and {e.name for e in self.dir.iterdir()} <= {".negosim.lock", PARTS, MANIFEST}:
                self._unmake()
            raise
        finally:
            lock.release()

    def _same_code(self, provenance: dict, force: bool) -> bool:
        """Whether the chunks on disk were made by this code (an older manifest without a
        digest counts as the same). Mixing two versions' worlds in one table is refused in one
        line unless ``force``."""
        made_by = self.manifest().get("code_sha256")
        if made_by is None or made_by == provenance.get("code_sha256"):
            return True
        if not force:
            ours = provenance["code_sha256"][:12]
            raise OutputError(f"{self.dir}: its chunks were made by other negosim code (source SHA-256 "
                              f"{made_by[:12]}, this is {ours}); resuming would mix the two in one table: "
                              "choose another --out, or pass --force to run it again")  # fmt: skip
        return False

    def _unmake(self) -> None:
        """Remove a directory this process made and wrote nothing of value to."""
        if (self.dir / PARTS).is_dir() and not any((self.dir / PARTS).iterdir()):
            (self.dir / PARTS).rmdir()
        if not (self.dir / PARTS).exists():
            for name in (MANIFEST, ".negosim.lock"):
                (self.dir / name).unlink(missing_ok=True)
            self.dir.rmdir()

    @property
    def complete(self) -> bool:
        manifest = self.manifest()
        return bool(manifest) and manifest.get("complete") is True and (self.dir / OUTCOMES).exists()

    def part_path(self, key: str) -> Path:
        return self.dir / PARTS / f"part-{key}.parquet"

    def _set_aside(self, path: Path) -> None:
        folder = self.dir / SET_ASIDE
        folder.mkdir(exist_ok=True)
        target, n = folder / path.name, 1
        while target.exists():
            target, n = folder / f"{path.name}.{n}", n + 1
        path.replace(target)
        self.set_aside.append(f"{path.relative_to(self.dir)} -> {target.relative_to(self.dir)}")

    def done_parts(self) -> set[str]:
        """Chunks on disk whose bytes match their checksum. A part that does not is set aside, one
        never recorded is removed; both are run again."""
        folder = self.dir / PARTS
        if not folder.is_dir():
            return set()
        done = set()
        for path in sorted(folder.glob("part-*.parquet")):
            checksum = path.with_suffix(".sha256")
            recorded = checksum.read_text().strip() if checksum.is_file() else None
            if recorded is None:
                path.unlink()  # written just before a kill, never recorded: it is run again
            elif recorded == file_sha256(path):
                done.add(path.stem.removeprefix("part-"))
            else:
                self._set_aside(path)
                checksum.unlink()
        return done

    def write_part(self, key: str, table: pd.DataFrame) -> None:
        """Write one finished chunk, then record its checksum (a part without one is run again)."""
        sink = pa.BufferOutputStream()
        pq.write_table(pa.Table.from_pandas(table, preserve_index=False), sink)
        data = sink.getvalue().to_pybytes()
        # Not flushed: a part a crash loses or truncates fails its checksum and is made again.
        write_bytes(self.part_path(key), data, durable=False)
        write_bytes(
            self.part_path(key).with_suffix(".sha256"), hashlib.sha256(data).hexdigest().encode(), durable=False
        )

    def finish(self, keys: list[str]) -> None:
        """Stream the parts, in the order given, into one outcome table; flush it to the disk, record
        its checksum and mark the run complete; only then remove the parts."""

        def merge(path: Path) -> None:
            writer = None
            try:
                for key in keys:
                    table = pq.read_table(self.part_path(key))
                    writer = writer or pq.ParquetWriter(path, table.schema)
                    writer.write_table(table)
            finally:
                if writer is not None:
                    writer.close()

        write_atomic(self.dir / OUTCOMES, merge)
        pa.default_memory_pool().release_unused()
        manifest = self.manifest()
        manifest.update(complete=True, outcomes_sha256=file_sha256(self.dir / OUTCOMES))
        write_json(self.dir / MANIFEST, manifest)
        for key in keys:
            self.part_path(key).unlink(missing_ok=True)
            self.part_path(key).with_suffix(".sha256").unlink(missing_ok=True)
        if not any((self.dir / PARTS).iterdir()):
            (self.dir / PARTS).rmdir()

    def outcomes_intact(self) -> bool:
        """Whether a complete run's table still matches its checksum; if not, it is set aside and
        the run marked incomplete (so it is run again)."""
        expected = self.manifest().get("outcomes_sha256")
        if expected is None or expected == file_sha256(self.dir / OUTCOMES):
            return True
        self._set_aside(self.dir / OUTCOMES)
        manifest = self.manifest()
        manifest.update(complete=False)
        write_json(self.dir / MANIFEST, manifest)
        (self.dir / PARTS).mkdir(exist_ok=True)
        return False

    def write_outputs(self, summary: Callable[[], dict], figures: Callable[[], dict] | None,
                      report: Callable[[], str], *, everything: bool = False) -> list[str]:  # fmt: skip
        """Write what a finished run shows: all of it, or (a rerun) only what is missing or unreadable.
        Returns the names written."""
        written = []
        if everything or not _readable_json(self.dir / SUMMARY):
            write_json(self.dir / SUMMARY, summary())
            written.append(SUMMARY)
        manifest = self.manifest()
        listed = manifest.get("figures")
        if figures is not None and (everything or listed is None or not self._figures_present(listed)):
            manifest["figures"] = self.save_figures(figures())
            write_json(self.dir / MANIFEST, manifest)
            written.append("figures/")
        if everything or written or not (self.dir / "report.md").is_file():
            write_bytes(self.dir / "report.md", report().encode())
            written.append("report.md")
        return written

    def _figures_present(self, names: list[str]) -> bool:
        formats = {Path(name).suffix.lstrip(".") for name in names}
        return set(self.figure_formats) <= formats and all((self.dir / "figures" / n).is_file() for n in names)

    def save_figures(self, figures: dict) -> list[str]:
        from negosim.plots.style import save_figures  # matplotlib only when figures are saved

        (self.dir / "figures").mkdir(exist_ok=True)
        return save_figures(figures, self.dir / "figures", self.figure_formats, self.figure_dpi)

    def read(self, columns: list[str] | None = None, filters: list | None = None) -> pd.DataFrame:
        try:
            return pd.read_parquet(self.dir / OUTCOMES, columns=columns, filters=filters)
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise OutputError(
                f"{self.dir / OUTCOMES}: unreadable, expected the table negosim wrote ({exc.__class__.__name__})"
            ) from None

    def read_status(self, status: str, columns: list[str], batch_size: int = 65_536) -> pd.DataFrame:
        """Rows with one outcome status, read batch by batch so memory stays at one batch."""
        source = pq.ParquetFile(self.dir / OUTCOMES)
        wanted = list(dict.fromkeys([*columns, "status"]))
        parts = []
        for batch in source.iter_batches(batch_size=batch_size, columns=wanted):
            frame = batch.to_pandas()
            parts.append(frame.loc[frame["status"] == status, columns])
        pa.default_memory_pool().release_unused()
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)

    def read_summary(self) -> dict:
        return json.loads((self.dir / SUMMARY).read_text())


def _readable_json(path: Path) -> bool:
    try:
        json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return True
