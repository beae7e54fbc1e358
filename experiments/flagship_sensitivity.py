"""The flagship's forecasts across its assumed ranges: Sobol' indices (SALib) and the headline's spread.

What it computes (negosim.runs.sensitivity): every input the flagship draws
under [uncertainty] is a factor; SALib's Saltelli design gives N x (k + 2)
points of the inputs' ranges, each run on the same world seeds; for each dated
question by each report date it reports the first-order and total Sobol'
indices with bootstrap 95% intervals, and the 5th, 50th and 95th percentiles
of the forecast across the points: the headline's spread across what is
assumed.

The findings are in the README ("The flagship's answer").

Run: ``.venv/bin/python experiments/flagship_sensitivity.py [--out DIR] [--small] [--processes N]``
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from negosim import load_scenario
from negosim.runs.sensitivity import sobol_indices
from negosim.runs.study import study_main

ROOT = Path(__file__).resolve().parents[1]
NAME = "flagship_sensitivity"
FULL = {"n": 64, "seeds": 200}
SMALL = {"n": 2, "seeds": 16}
HEADLINES = [
    "UA accepts@2025-11-27",
    "UA accepts@2025-12-31",
    "RU accepts@2025-12-31",
    "deal@2025-12-31",
    "deal@2026-03-31",
    "deal@2026-06-30",
    "ceasefire@2026-06-30",
]
TOP = 12


def _figure(indices: pd.DataFrame, output: str):
    rows = indices[indices["output"] == output].sort_values("ST", ascending=False).head(TOP).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8.5, 0.38 * len(rows) + 1.6), layout="constrained")
    y = range(len(rows))
    ax.barh([v + 0.2 for v in y], rows["ST"], height=0.4, xerr=rows["ST_conf"], color="#e76f51", label="total (ST)")
    ax.barh(
        [v - 0.2 for v in y], rows["S1"], height=0.4, xerr=rows["S1_conf"], color="#264653", label="first order (S1)"
    )
    ax.set_yticks(list(y), rows["input"], fontsize=7)
    ax.set_xlabel("share of the variance of P across the assumed ranges (95% bootstrap intervals)")
    ax.set_title(f"geneva_vs_anchorage: Sobol' indices of P({output.replace('@', ' by ')})")
    ax.legend(fontsize="small", loc="lower right")
    return fig


def run(out: Path, small: bool = False, processes: int = 1) -> pd.DataFrame:
    config = SMALL if small else FULL
    out.mkdir(parents=True, exist_ok=True)
    scenario = load_scenario("geneva_vs_anchorage")
    result = sobol_indices(scenario, n=config["n"], seeds=range(config["seeds"]), processes=processes, progress=False)
    result.points.to_csv(out / "points.csv", index=False)
    result.indices.to_csv(out / "indices.csv", index=False)
    spread = result.spread.set_index("output").loc[HEADLINES].reset_index()
    spread.to_csv(out / "spread.csv", index=False)
    lines = [
        f"# {NAME}: {len(result.points)} design points x {config['seeds']} common-seed worlds "
        f"({len(scenario.uncertainty)} inputs, Saltelli N = {config['n']})",
        "",
        "## The headline across the assumed ranges (percentiles of P over the design points)",
        "",
        (100 * spread.set_index("output")).round(1).to_markdown(),
        "",
    ]
    for output in ("deal@2026-03-31", "deal@2026-06-30", "UA accepts@2025-12-31"):
        rows = result.indices[result.indices["output"] == output].sort_values("ST", ascending=False).head(TOP)
        lines += [
            f"## Sobol' indices of P({output.replace('@', ' by ')})",
            "",
            rows.drop(columns="output").round(3).to_markdown(index=False),
            "",
        ]
        fig = _figure(result.indices, output)
        fig.savefig(out / f"sobol_{output.replace(' ', '_').replace('@', '_by_')}.png", dpi=150)
        plt.close(fig)
    markdown = "\n".join(lines)
    (out / f"{NAME}.md").write_text(markdown, encoding="utf-8")
    table = result.indices
    table.attrs.update(markdown=markdown, spread=spread, points=result.points)
    return table


def main(argv: list[str] | None = None) -> int:
    small = "a quick run (Saltelli N = 2, 16 worlds per point)"
    return study_main(__doc__, ROOT / "runs" / "studies" / NAME, run, argv=argv, small_help=small, processes=True)


if __name__ == "__main__":
    sys.exit(main())
