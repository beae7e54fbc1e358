"""The flagship (geneva_vs_anchorage): its forecasts by date, and every input scanned one at a time.

What it shows:

1. the outcome classes at the horizon (30 Jun 2026) and every dated question
   by each report date (a deal, each side accepting and signing, the ceasefire,
   the split), with 95% Wilson intervals, over many worlds;
2. a one-at-a-time scan of every number in the scenario (each ideal point,
   salience, red line, latency, reliability, reservation, tactic and mediator
   setting: about 390 inputs) plus the structural choices (each clause set aside
   at Geneva reopened, Moscow's insistence, the veto, the US keeping the
   ceasefire on the table): each moved to a low and a high value on the same
   world seeds as the baseline (negosim.runs.scan). An input is *flagged* when
   it moves P(deal) by more than 5 points at any report date; the table says
   whether each flagged input is sourced, assumed, or drawn from a stated range
   under [uncertainty].

The findings are in the README ("The flagship's answer"); this docstring says
only what is computed, so it does not go stale.

Run: ``.venv/bin/python experiments/flagship.py [--out DIR] [--small] [--processes N]``
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from negosim import load_scenario, run_ensemble
from negosim.analysis.summary import format_summary
from negosim.runs.scan import Perturbation, default_perturbations, one_at_a_time
from negosim.runs.study import study_main
from negosim.scenario import Scenario, resolve_scenario

ROOT = Path(__file__).resolve().parents[1]
NAME = "flagship"
THRESHOLD = 0.05  # an input that moves P(deal) by more than this at any report date is flagged
FULL = {"seeds": 20_000, "scan_seeds": 400, "inputs": None}
SMALL = {"seeds": 300, "scan_seeds": 40, "inputs": 12}


def tags_by_path(path: Path) -> dict[str, str]:
    """The [S]/[A]/[M] tags on each key's line of a scenario file, by key path."""
    tags, table, arrays = {}, "", Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^\[\[([^\]]+)\]\]", line):
            table = f"{match[1]}.{arrays[match[1]]}"
            arrays[match[1]] += 1
        elif match := re.match(r"^\[([^\]]+)\]", line):
            table = match[1].replace('"', "")
        elif match := re.match(r'^\s*"?([A-Za-z0-9_.]+)"?\s*=.*?#(.*)$', line):
            key = f"{table}.{match[1]}" if table else match[1]
            tags[key] = "".join(sorted(set(re.findall(r"\[([SAM])\]", match[2]))))
    return tags


def structural_perturbations(scenario: Scenario) -> list[Perturbation]:
    """The flagship's structural assumptions, each switched: clauses set aside at Geneva reopened
    one by one, Moscow's insistence and veto dropped, the US's insistence on the ceasefire dropped."""
    geneva = scenario.texts["geneva_19"]
    out = []
    for field in ("bracketed", "deferred"):
        for cid in getattr(geneva, field):
            out.append(Perturbation(f"texts.geneva_19.{field}", [c for c in getattr(geneva, field) if c != cid], None))
    if "parties.RU.insists_on" not in scenario.uncertainty:
        out.append(Perturbation("parties.RU.insists_on", [], None))
    out.append(Perturbation("parties.RU.veto.tolerance", None, 1.0))  # 1.0: the veto never binds
    if "mediator.insists_on" not in scenario.uncertainty:
        out.append(Perturbation("mediator.insists_on", [], None))
    return out


def _label(row: pd.Series) -> str:
    values = ", ".join(str(v) for v in (row["low"], row["high"]) if v is not None and v == v)
    return f"{row['input']} ({row['base']} -> {values})"


def _tornado(scan: pd.DataFrame, date: str, top: int = 15):
    key = f"deal@{date}"
    rows = scan.assign(reach=scan[[f"{key}_low", f"{key}_high"]].sub(scan[key], axis=0).abs().max(axis=1))
    rows = rows.sort_values("reach", ascending=False).head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(9.5, 0.42 * len(rows) + 1.6), layout="constrained")
    for y, (_, row) in enumerate(rows.iterrows()):
        for side, colour in (("low", "#457b9d"), ("high", "#e63946")):
            value = row[f"{key}_{side}"]
            if value == value:
                ax.barh(y, 100 * (value - row[key]), color=colour, alpha=0.8, label=side if y == 0 else None)
    ax.set_yticks(range(len(rows)), [_label(r) for _, r in rows.iterrows()], fontsize=7)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"change in P(deal by {date}) from {100 * scan[key].iloc[0]:.1f}% (points)")
    ax.set_title(f"geneva_vs_anchorage: inputs one at a time, P(deal by {date})")
    ax.legend(fontsize="small", loc="lower right")
    return fig


def run(out: Path, small: bool = False, processes: int = 1) -> pd.DataFrame:
    config = SMALL if small else FULL
    out.mkdir(parents=True, exist_ok=True)
    scenario = load_scenario("geneva_vs_anchorage")
    result = run_ensemble(scenario, config["seeds"], processes=processes, progress=False)
    summary = result.summary()
    perturbations = default_perturbations(scenario) + structural_perturbations(scenario)
    if config["inputs"] is not None:  # the quick version scans the structural switches and a few numbers
        perturbations = perturbations[-config["inputs"] :]
    scan = one_at_a_time(scenario, perturbations, seeds=range(config["scan_seeds"]), processes=processes,
                         progress=False)  # fmt: skip
    tags = tags_by_path(resolve_scenario("geneva_vs_anchorage"))
    scan["tags"] = scan["input"].map(lambda p: tags.get(p, ""))
    scan["uncertain"] = scan["input"].isin(list(scenario.uncertainty))
    scan["flagged"] = scan["max_change"] > THRESHOLD
    scan = scan.sort_values("max_change", ascending=False).reset_index(drop=True)
    scan.to_csv(out / "scan.csv", index=False)
    dates = [d.isoformat() for d in scenario.calendar.forecast_dates]
    shown = ["input", "base", "low", "high", "tags", "uncertain", "max_change"]
    for date in dates[-2:]:
        shown += [f"deal@{date}_low", f"deal@{date}_high"]
    flagged = scan[scan["flagged"]]
    lines = [
        f"# {NAME}: {summary['worlds']} worlds",
        "",
        "```",
        format_summary(summary),
        "```",
        "",
        f"## Inputs one at a time ({len(scan)} inputs, {config['scan_seeds']} common-seed worlds per run)",
        "",
        "Baseline P(deal) by date: " + ", ".join(f"{d}: {100 * scan[f'deal@{d}'].iloc[0]:.1f}%" for d in dates),
        "",
        f"{len(flagged)} inputs move P(deal) by more than {100 * THRESHOLD:.0f} points at some report date; "
        f"{int((flagged['uncertain'] | (flagged['tags'] == 'S')).sum())} of them are drawn from a stated range "
        "or sourced.",
        "",
        flagged[shown].round(3).to_markdown(index=False) if len(flagged) else "(none)",
        "",
    ]
    markdown = "\n".join(lines)
    (out / "flagship.md").write_text(markdown, encoding="utf-8")
    for date in dates[-2:]:
        fig = _tornado(scan, date)
        fig.savefig(out / f"tornado_{date}.png", dpi=150)
        plt.close(fig)
    scan.attrs["summary"] = summary
    scan.attrs["markdown"] = markdown
    return scan


def main(argv: list[str] | None = None) -> int:
    small = "a quick run (300 worlds; 12 inputs scanned on 40 worlds)"
    return study_main(__doc__, ROOT / "runs" / "studies" / NAME, run, argv=argv, small_help=small, processes=True)


if __name__ == "__main__":
    sys.exit(main())
