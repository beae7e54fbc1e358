"""A finished run or sweep, reopened from its directory alone (``negosim plot``).

The scenario (and experiment) are stored in the directory as JSON when the run
starts, so a shared folder can be replotted without the files it came from.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from negosim.errors import OutputError
from negosim.runs.ensemble import EnsembleResult
from negosim.runs.experiment import ExperimentResult
from negosim.runs.experiment_spec import Experiment, ExperimentSpec
from negosim.runs.report import experiment_report, run_report, write_report
from negosim.runs.store import MANIFEST, RunStore, atomic_write_json
from negosim.scenario import build_scenario


def open_result(directory: str | Path) -> EnsembleResult | ExperimentResult:
    """The finished run or sweep stored in ``directory``."""
    store = RunStore(directory)
    manifest = store.manifest()
    if manifest is None:
        raise OutputError(f"{store.dir}: expected a negosim result directory (no {MANIFEST})")
    if not manifest or not store.complete:
        raise OutputError(f"{store.dir}: the run is not complete; run the same command again to finish it")
    try:
        scenario = build_scenario(
            json.loads((store.dir / "scenario.json").read_text()), str(store.dir / "scenario.json")
        )
    except FileNotFoundError:
        raise OutputError(f"{store.dir}: expected scenario.json beside the results") from None
    if manifest.get("kind") == "experiment":
        spec = ExperimentSpec.model_validate(json.loads((store.dir / "experiment.json").read_text()))
        experiment = Experiment(spec, scenario, str(store.dir / "experiment.json"))
        points = pd.read_csv(store.dir / "points.csv", index_col="point")
        return ExperimentResult(experiment, points, store=store)
    return EnsembleResult(scenario, store=store)


def replot(directory: str | Path) -> Path:
    """Redraw every figure of a run or sweep directory and rewrite its report.md."""
    result = open_result(directory)
    manifest = result.store.manifest()
    manifest["figures"] = result.store.save_figures(result.figures())
    atomic_write_json(result.store.dir / MANIFEST, manifest)
    text = experiment_report(result) if isinstance(result, ExperimentResult) else run_report(result)
    return write_report(result.store, text)
