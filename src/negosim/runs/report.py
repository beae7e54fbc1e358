"""``report.md``: a finished run's or sweep's numbers and figures, for reading.

The functions take the result objects of :mod:`negosim.runs.ensemble` and
:mod:`negosim.runs.experiment` by what they offer (a summary, a store, a point
table), so this module depends on neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from negosim.analysis.summary import outcome_classes, point_summary
from negosim.files import write_bytes
from negosim.runs.store import RunStore
from negosim.vocabulary import Outcome

if TYPE_CHECKING:
    from pathlib import Path

    from negosim.runs.ensemble import EnsembleResult
    from negosim.runs.experiment import ExperimentResult

REPORT = "report.md"


def _figure_lines(names: list[str]) -> list[str]:
    """Each figure once, as PNG where there is one (else SVG; a PDF is only linked)."""
    stems = dict.fromkeys(name.rsplit(".", 1)[0] for name in names)
    lines = []
    for stem in stems:
        shown = next((f"{stem}.{fmt}" for fmt in ("png", "svg") if f"{stem}.{fmt}" in names), None)
        lines.append(f"![{stem}](figures/{shown})" if shown else f"[{stem}.pdf](figures/{stem}.pdf)")
    return lines


def _pct(entry: dict) -> str:
    return f"{100 * entry['p']:.1f}% [{100 * entry['low']:.1f}, {100 * entry['high']:.1f}]"


def run_report(result: EnsembleResult) -> str:
    """The markdown of a finished run (figures as listed in its manifest)."""
    s = result.summary()
    manifest = result.store.manifest()
    dates = [e["date"] for e in s["by_date"]]
    labels = [k for k in s["by_date"][0] if k != "date"]
    lines = [
        f"# {s['scenario']}: {s['worlds']} worlds, run to {s['horizon']}",
        "",
        f"Scenario `{manifest.get('scenario_file')}` (SHA-256 `{manifest.get('scenario_sha256', '')[:12]}…`), "
        f"negosim {manifest.get('negosim_version')}, created {manifest.get('created')}.",
        f"Command: `{manifest.get('command')}`",
        "",
        "| outcome at the horizon | what it means | share [95% Wilson interval] |",
        "| --- | --- | --- |",
        *[f"| {name} | {Outcome.from_label(name).meaning} | {_pct(entry)} |" for name, entry in s["outcomes"].items()],
        "",
        "| P(… by date) | " + " | ".join(dates) + " |",
        "| --- |" + " --- |" * len(dates),
        *[f"| {label} | " + " | ".join(_pct(e[label]) for e in s["by_date"]) + " |" for label in labels],
        "",
    ]
    if "split" in labels:
        lines += ["*split*: some principals have accepted a version, some have not.", ""]
    pi = s["deal_position_index"]
    if pi["median"] is not None:
        lines += [
            f"Median position index of deals: {pi['median']:.2f} (IQR {pi['q25']:.2f} to {pi['q75']:.2f}; "
            f"{pi['from']} = 0, {pi['to']} = 1).",
            "",
        ]
    for constraints, distance in (s.get("deal_distance_median") or {}).items():
        if isinstance(distance, str):
            lines += [f"Reference points over {constraints}: none ({distance}).", ""]
        else:
            parts = ", ".join(f"{k.removeprefix('dist_')} {v:.3f}" for k, v in distance.items() if v is not None)
            lines += [f"Deals' median distance to the reference points over {constraints}: {parts}.", ""]
    return "\n".join(lines + _figure_lines(manifest.get("figures", []))) + "\n"


def with_intervals(summary: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Shares ``p_<name>`` shown as "47.5 [45.1, 49.9]" (percent with the 95% interval).

    >>> table = pd.DataFrame({"p_deal": [0.475], "p_deal_low": [0.451], "p_deal_high": [0.499]})
    >>> with_intervals(table, ["deal"])["deal %"].tolist()
    ['47.5 [45.1, 49.9]']
    """
    shown = pd.DataFrame(index=summary.index)
    for name in names:
        p, low, high = (100 * summary[f"p_{name}{end}"] for end in ("", "_low", "_high"))
        shown[f"{name} %"] = [f"{a:.1f} [{b:.1f}, {c:.1f}]" for a, b, c in zip(p, low, high, strict=True)]
    return shown


def experiment_report(result: ExperimentResult) -> str:
    """The markdown of a finished sweep: the per-point table with 95% intervals, the paired
    differences to the baseline point (if the experiment names one), and the figures."""
    summary = point_summary(result.light(), result.points, result.experiment.scenario)
    head = result.experiment.spec.experiment
    axes = summary[["point", *result.experiment.axes, "worlds"]]
    table = pd.concat([axes, with_intervals(summary, outcome_classes(result.experiment.scenario))], axis=1)
    lines = [
        f"# Sweep {head.name}: {len(result.points)} points x {head.seeds} seeds ({head.design})",
        "",
        head.description,
        "",
        "Shares in %, with 95% Wilson intervals.",
        "",
        table.to_markdown(index=False),
        "",
    ]
    sobol = result.sobol()
    if sobol is not None:
        deal = sobol[sobol["output"] == "p_deal"].sort_values("ST", ascending=False)
        lines += [
            "## Sobol' indices of P(deal) (SALib; 95% bootstrap half-widths)",
            "",
            deal[["input", "S1", "S1_conf", "ST", "ST_conf"]].round(3).to_markdown(index=False),
            "",
            "Every outcome and dated question: `sobol.csv`.",
            "",
        ]
    differences = result.differences()
    if differences is not None:
        deal = differences[differences["quantity"] == "outcome deal"]
        shown = deal.assign(**{c: (100 * deal[c]).round(1) for c in ("A", "B", "difference", "low", "high")})
        lines += [
            f"## P(deal) against the baseline point {head.baseline} (paired by world, percentage points)",
            "",
            shown[["point", "A", "B", "difference", "low", "high"]].to_markdown(index=False),
            "",
            "Every outcome and dated question: `differences.csv`.",
            "",
        ]
    return "\n".join(lines + _figure_lines(result.store.manifest().get("figures", []))) + "\n"


def write_report(store: RunStore, text: str) -> Path:
    """Write ``report.md`` into a run directory."""
    path = store.dir / REPORT
    write_bytes(path, text.encode())
    return path
