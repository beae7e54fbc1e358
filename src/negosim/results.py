"""A run directory on disk: outcomes.parquet, summary.json, manifest.json, figures/.

The directory is built beside its destination and moved into place at the
end, so a reader never sees half of it. A directory that holds a different
run (another scenario or other seeds) is not replaced without ``force``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import tempfile
from pathlib import Path

import numpy as np

import negosim
from negosim.ensemble import EnsembleResult


class OutputError(ValueError):
    """An output directory that cannot be written as asked."""


def seeds_record(seeds: np.ndarray) -> dict:
    seeds = np.asarray(seeds)
    contiguous = seeds.size > 0 and bool((np.diff(seeds) == 1).all())
    record = {"count": int(seeds.size), "first": int(seeds.min()), "last": int(seeds.max())}
    if contiguous:
        record["range"] = [int(seeds[0]), int(seeds[-1]) + 1]
    else:
        record["list"] = [int(s) for s in seeds]
    return record


def manifest_for(result: EnsembleResult, command: str | None = None) -> dict:
    import mesa

    scenario = result.scenario
    return {
        "negosim_version": negosim.__version__,
        "scenario": scenario.meta.name,
        "scenario_file": scenario.source,
        "scenario_sha256": scenario.digest(),
        "seeds": seeds_record(result.outcomes["seed"].to_numpy()),
        "command": command,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
    }


def same_run(manifest_path: Path, manifest: dict) -> bool:
    try:
        old = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        return False
    return old.get("scenario_sha256") == manifest["scenario_sha256"] and old.get("seeds") == manifest["seeds"]


def check_destination(out: Path, manifest: dict, force: bool) -> None:
    """Refuse to replace a directory that holds something else."""
    if not out.exists() or force:
        return
    if not out.is_dir():
        raise OutputError(f"{out}: expected a directory to write the run into (a file is in the way; use --force)")
    if any(out.iterdir()) and not same_run(out / "manifest.json", manifest):
        raise OutputError(f"{out}: holds a different run; choose another --out or pass --force to replace it")


def write_run(result: EnsembleResult, out: str | Path, *, force: bool = False, command: str | None = None,
              figures: bool = True) -> Path:
    """Write the whole run directory atomically; returns its path."""
    out = Path(out)
    manifest = manifest_for(result, command)
    check_destination(out, manifest, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        result.outcomes.to_parquet(staging / "outcomes.parquet", index=False)
        (staging / "summary.json").write_text(json.dumps(result.summary(), indent=2) + "\n")
        if figures:
            from negosim.plots import save_figures

            (staging / "figures").mkdir()
            manifest["figures"] = save_figures(result.figures(), staging / "figures")
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, retired / out.name)
            os.replace(staging, out)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out
