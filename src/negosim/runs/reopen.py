"""A finished run or sweep, reopened from its directory alone (``negosim plot``, ``negosim backtest``).

The scenario (and experiment) are stored in the directory as JSON when the run
starts, so a shared folder can be replotted without the files it came from. A
directory whose files are missing, unreadable or not what negosim wrote is a
one-line :class:`~negosim.errors.OutputError` naming the file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from pydantic import ValidationError

from negosim.errors import OutputError
from negosim.files import write_json
from negosim.runs.claim import MANIFEST
from negosim.runs.ensemble import EnsembleResult
from negosim.runs.experiment import ExperimentResult
from negosim.runs.experiment_spec import Experiment, ExperimentSpec
from negosim.runs.report import experiment_report, run_report, write_report
from negosim.runs.store import OUTCOMES, RunStore
from negosim.scenario import build_scenario


def _json(path: Path) -> dict:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutputError(f"{path}: missing (expected the file negosim wrote beside the results)") from None
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: unreadable, expected the JSON negosim wrote ({exc.__class__.__name__})") from None
    if not isinstance(payload, dict):
        raise OutputError(f"{path}: expected a JSON object, as negosim writes it")
    return payload


def _check_outcomes(path: Path) -> None:
    try:
        pq.read_metadata(path)
    except (OSError, ValueError) as exc:
        raise OutputError(
            f"{path}: unreadable, expected the Parquet table negosim wrote ({exc.__class__.__name__})"
        ) from None


def open_result(directory: str | Path) -> EnsembleResult | ExperimentResult:
    """The finished run or sweep stored in ``directory``."""
    store = RunStore(directory)
    if not store.dir.is_dir():
        raise OutputError(f"{store.dir}: expected a negosim result directory")
    manifest = store.manifest()
    if manifest is None:
        raise OutputError(f"{store.dir}: expected a negosim result directory (no {MANIFEST})")
    if not manifest:
        raise OutputError(f"{store.dir / MANIFEST}: unreadable, expected the JSON negosim wrote")
    if not store.complete:
        raise OutputError(f"{store.dir}: the run is not complete; run the same command again to finish it")
    _check_outcomes(store.dir / OUTCOMES)
    scenario = build_scenario(_json(store.dir / "scenario.json"), str(store.dir / "scenario.json"))
    if manifest.get("kind") != "experiment":
        return EnsembleResult(scenario, store=store)
    path = store.dir / "experiment.json"
    try:
        spec = ExperimentSpec.model_validate(_json(path))
    except ValidationError as exc:
        raise OutputError(f"{path}: not an experiment negosim wrote ({exc.errors()[0]['msg']})") from None
    experiment = Experiment(spec, scenario, str(path))
    path = store.dir / "points.csv"
    try:
        points = pd.read_csv(path, index_col="point")[experiment.axes]
    except (OSError, ValueError, KeyError) as exc:  # missing, or not the table of this sweep's points
        raise OutputError(f"{path}: unreadable, expected the table negosim wrote ({exc.__class__.__name__})") from None
    return ExperimentResult(experiment, points, store=store)


def replot(directory: str | Path, *, figure_formats: tuple[str, ...] = ("png",), figure_dpi: int = 120) -> Path:
    """Redraw every figure of a run or sweep directory (in the formats asked) and rewrite its report.md."""
    from negosim.runs.claim import DirectoryLock

    result = open_result(directory)
    result.store.figure_formats, result.store.figure_dpi = tuple(figure_formats), figure_dpi
    with DirectoryLock(result.store.dir):
        manifest = result.store.manifest()
        manifest["figures"] = result.store.save_figures(result.figures())
        write_json(result.store.dir / MANIFEST, manifest)
        text = experiment_report(result) if isinstance(result, ExperimentResult) else run_report(result)
        return write_report(result.store, text)
