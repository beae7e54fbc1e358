"""A run directory that fills as chunks finish and can be resumed after a kill.

Layout of ``DIR``::

    manifest.json        what the run is (scenario hash, seeds, chunk size) and whether it is complete
    parts/part-NNNNNN.parquet   one file per finished chunk, while the run is going
    outcomes.parquet     every seed once, sorted by seed (written when all chunks are in)
    summary.json, figures/      written last

Every file is written beside its final name and renamed into place, so a
chunk file is either whole or absent: a kill at any moment loses at most the
chunks in flight, and the same command started again runs only what is
missing. A directory that holds a different run is refused unless ``force``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from negosim import __version__
from negosim.errors import OutputError
from negosim.scenario import Scenario

MANIFEST = "manifest.json"
OUTCOMES = "outcomes.parquet"
SUMMARY = "summary.json"
PARTS = "parts"


def seeds_record(seeds: np.ndarray) -> dict:
    """A compact, exact description of a seed array (a range when contiguous)."""
    seeds = np.asarray(seeds)
    record = {"count": int(seeds.size), "first": int(seeds.min()), "last": int(seeds.max())}
    if seeds.size == 1 or bool((np.diff(seeds) == 1).all()):
        record["range"] = [int(seeds[0]), int(seeds[-1]) + 1]
    else:
        record["sha256"] = _hash_array(seeds)
    return record


def _hash_array(values: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(values, dtype=np.int64).tobytes()).hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def atomic_write_json(path: Path, payload: dict) -> None:
    atomic_write_bytes(path, (json.dumps(payload, indent=2) + "\n").encode())


class RunStore:
    """The on-disk side of an ensemble run (see the module docstring)."""

    def __init__(self, directory: str | Path):
        self.dir = Path(directory)

    # -- identity -----------------------------------------------------------
    @staticmethod
    def identity(scenario: Scenario, seeds: np.ndarray) -> dict:
        return {"scenario_sha256": scenario.digest(), "seeds": seeds_record(seeds)}

    def manifest(self) -> dict | None:
        try:
            return json.loads((self.dir / MANIFEST).read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {}

    def holds(self, identity: dict) -> bool:
        old = self.manifest()
        return bool(old) and all(old.get(k) == v for k, v in identity.items())

    def check(self, identity: dict, force: bool = False) -> None:
        """Refuse a destination that holds something other than this run."""
        if force or not self.dir.exists():
            return
        if not self.dir.is_dir():
            raise OutputError(f"{self.dir}: expected a directory for the run (a file is in the way; use --force)")
        if any(self.dir.iterdir()) and not self.holds(identity):
            raise OutputError(f"{self.dir}: holds a different run; choose another --out or pass --force to replace it")

    # -- lifecycle ------------------------------------------------------------
    def open(self, identity: dict, provenance: dict, chunk_size: int, *, force: bool = False) -> int:
        """Prepare the directory; returns the chunk size to use (a resumed run keeps its own)."""
        self.check(identity, force)
        if self.holds(identity):
            return int(self.manifest().get("chunk_size", chunk_size))
        if self.dir.exists() and force:
            shutil.rmtree(self.dir) if self.dir.is_dir() else self.dir.unlink()
        (self.dir / PARTS).mkdir(parents=True, exist_ok=True)
        atomic_write_json(self.dir / MANIFEST, {**provenance, **identity, "chunk_size": chunk_size, "complete": False})
        return chunk_size

    @staticmethod
    def provenance(scenario: Scenario, command: str | None, kind: str = "run") -> dict:
        """What produced the directory: versions, scenario, command, time."""
        import mesa

        return {
            "kind": kind,
            "negosim_version": __version__,
            "scenario": scenario.meta.name,
            "scenario_file": scenario.source,
            "command": command,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "mesa": mesa.__version__,
        }

    @property
    def complete(self) -> bool:
        manifest = self.manifest()
        return bool(manifest) and manifest.get("complete") is True and (self.dir / OUTCOMES).exists()

    def part_path(self, key: str) -> Path:
        return self.dir / PARTS / f"part-{key}.parquet"

    def done_parts(self) -> set[str]:
        """Chunks already on disk (only whole files ever carry the final name)."""
        folder = self.dir / PARTS
        if not folder.is_dir():
            return set()
        return {p.stem.removeprefix("part-") for p in folder.glob("part-*.parquet")}

    def write_part(self, key: str, table: pd.DataFrame) -> None:
        sink = pa.BufferOutputStream()
        pq.write_table(pa.Table.from_pandas(table, preserve_index=False), sink)
        atomic_write_bytes(self.part_path(key), sink.getvalue().to_pybytes())

    def merge(self, keys: list[str]) -> None:
        """Stream the parts, in the order given, into one outcomes file."""
        tmp = self.dir / f".{OUTCOMES}.tmp"
        writer = None
        try:
            for key in keys:
                table = pq.read_table(self.part_path(key))
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table)
        finally:
            if writer is not None:
                writer.close()
        os.replace(tmp, self.dir / OUTCOMES)
        pa.default_memory_pool().release_unused()

    def finish(self, summary: dict, figures: dict | None) -> None:
        atomic_write_json(self.dir / SUMMARY, summary)
        manifest = self.manifest()
        if figures:
            manifest["figures"] = self.save_figures(figures)
        manifest["complete"] = True
        atomic_write_json(self.dir / MANIFEST, manifest)
        shutil.rmtree(self.dir / PARTS, ignore_errors=True)

    def save_figures(self, figures: dict) -> list[str]:
        from negosim.plots.style import save_figures  # matplotlib only when figures are saved

        (self.dir / "figures").mkdir(exist_ok=True)
        return save_figures(figures, self.dir / "figures")

    def read(self, columns: list[str] | None = None, filters: list | None = None) -> pd.DataFrame:
        return pd.read_parquet(self.dir / OUTCOMES, columns=columns, filters=filters)

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
