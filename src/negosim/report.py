"""Redraw a result directory's figures and gather its numbers in ``report.md``.

Works from the directory alone: the scenario (and experiment) are stored in
it as JSON when the run starts, so a shared folder can be replotted without
the files it came from.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from negosim.ensemble import EnsembleResult
from negosim.experiment import Experiment, ExperimentResult, ExperimentSpec, point_summary
from negosim.results import MANIFEST, OutputError, RunStore, atomic_write_bytes, atomic_write_json
from negosim.scenario import build_scenario

REPORT = "report.md"


def open_result(directory: str | Path) -> EnsembleResult | ExperimentResult:
    """The finished run or sweep stored in ``directory``."""
    store = RunStore(directory)
    manifest = store.manifest()
    if manifest is None:
        raise OutputError(f"{store.dir}: expected a negosim result directory (no {MANIFEST})")
    if not manifest or not store.complete:
        raise OutputError(f"{store.dir}: the run is not complete; run the same command again to finish it")
    try:
        scenario = build_scenario(json.loads((store.dir / "scenario.json").read_text()), str(store.dir / "scenario.json"))
    except FileNotFoundError:
        raise OutputError(f"{store.dir}: expected scenario.json beside the results") from None
    if manifest.get("kind") == "experiment":
        spec = ExperimentSpec.model_validate(json.loads((store.dir / "experiment.json").read_text()))
        experiment = Experiment(spec, scenario, str(store.dir / "experiment.json"))
        points = pd.read_csv(store.dir / "points.csv", index_col="point")
        return ExperimentResult(experiment, points, store=store)
    return EnsembleResult(scenario, store=store)


def _figure_lines(names: list[str]) -> list[str]:
    return [f"![{name}](figures/{name})" for name in names]


def _pct(entry: dict) -> str:
    return f"{100 * entry['p']:.1f}% [{100 * entry['low']:.1f}, {100 * entry['high']:.1f}]"


def run_report(result: EnsembleResult, figures: list[str]) -> str:
    s = result.summary()
    manifest = result.store.manifest()
    lines = [
        f"# {s['scenario']}: {s['worlds']} worlds",
        "",
        f"Scenario `{manifest.get('scenario_file')}` (SHA-256 `{manifest.get('scenario_sha256', '')[:12]}…`), "
        f"negosim {manifest.get('negosim_version')}, created {manifest.get('created')}.",
        f"Command: `{manifest.get('command')}`",
        "",
        "| outcome | share [95% Wilson interval] |",
        "| --- | --- |",
        *[f"| {name} | {_pct(entry)} |" for name, entry in s["outcomes"].items()],
        "",
        "| probability | value [95% interval] |",
        "| --- | --- |",
        *[f"| P({p} signs by {s['signs_by']['date']}) | {_pct(e)} |" for p, e in s["signs_by"].items() if p != "date"],
        f"| P(deal by {s['deal_by']['date']}) | {_pct(s['deal_by'])} |",
        "",
    ]
    pi = s["deal_position_index"]
    if pi["median"] is not None:
        lines += [f"Median position index of deals: {pi['median']:.2f} (IQR {pi['q25']:.2f} to {pi['q75']:.2f}; "
                  f"{pi['from']} = 0, {pi['to']} = 1).", ""]
    return "\n".join(lines + _figure_lines(figures)) + "\n"


def experiment_report(result: ExperimentResult, figures: list[str]) -> str:
    summary = point_summary(result._light(), result.points, result.experiment.scenario)
    head = result.experiment.spec.experiment
    shown = ["point", *result.experiment.axes, "worlds", "p_deal", "p_framework", "p_deadlock", "p_breakdown"]
    shown += [c for c in summary.columns if c.startswith("p_sign_")]
    lines = [
        f"# Sweep {head.name}: {len(result.points)} points x {head.seeds} seeds ({head.design})",
        "",
        head.description,
        "",
        summary[shown].round(3).to_markdown(index=False),
        "",
    ]
    return "\n".join(lines + _figure_lines(figures)) + "\n"


def write_report(result: EnsembleResult | ExperimentResult) -> Path:
    """Write ``report.md`` for a finished run or sweep (figures as listed in its manifest)."""
    names = result.store.manifest().get("figures", [])
    text = experiment_report(result, names) if isinstance(result, ExperimentResult) else run_report(result, names)
    path = result.store.dir / REPORT
    atomic_write_bytes(path, text.encode())
    return path


def replot(directory: str | Path) -> Path:
    """Redraw every figure of a run or sweep directory and rewrite its report.md."""
    result = open_result(directory)
    manifest = result.store.manifest()
    manifest["figures"] = result.store.save_figures(result.figures())
    atomic_write_json(result.store.dir / MANIFEST, manifest)
    return write_report(result)
