"""Camp David decoupled: one text against two frameworks signed separately.

On days 9-10 Carter decoupled Sinai from the West Bank and Gaza (cases.md 3.1), and two
frameworks were signed on 17 Sep. cases.md's validation target: decoupling raises the chance
of agreement. This study runs the shipped camp_david (one text, as the talks were framed on
5 Sep) and the same scenario with two packages from the start (negosim's [packages]):

- ``sinai``: SINAI_SOV, SINAI_SETTLE, SINAI_AIR, WITHDRAW_T, LIMITS, NAV, NORMAL (the
  Framework for the Conclusion of a Peace Treaty between Egypt and Israel);
- ``framework``: LINKAGE, R242, WBG_AUTON, PAL_RIGHTS, WB_FREEZE, JERUSALEM, REFUGEES,
  DISPUTES (the Framework for Peace in the Middle East; which of the general clauses go
  here is a modelling choice).

On common seeds it reports, with 95% Wilson intervals and paired differences: P(some text
signed) and P(the Sinai clauses signed) by 17 Sep, 30 Sep and 31 Dec 1978, P(a whole deal),
and the outcome shares at the horizon.

The findings of the latest full run are in the README; this docstring says only what is
computed, so it does not go stale.

Run: ``.venv/bin/python experiments/camp_david_decoupling.py [--out DIR] [--small]``
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from negosim import load_scenario, run_ensemble
from negosim.analysis.compare import paired_difference
from negosim.analysis.summary import happened_by, wilson
from negosim.runs.study import study_main
from negosim.scenario import Scenario, build_scenario

ROOT = Path(__file__).resolve().parents[1]
NAME = "camp_david_decoupling"
FULL_SEEDS, SMALL_SEEDS = 4000, 600
DATES = (dt.date(1978, 9, 17), dt.date(1978, 9, 30), dt.date(1978, 12, 31))
PACKAGES = {
    "sinai": {
        "label": "Framework for the Conclusion of a Peace Treaty between Egypt and Israel",
        "clauses": ["SINAI_SOV", "SINAI_SETTLE", "SINAI_AIR", "WITHDRAW_T", "LIMITS", "NAV", "NORMAL"],
    },
    "framework": {
        "label": "Framework for Peace in the Middle East",
        "clauses": ["LINKAGE", "R242", "WBG_AUTON", "PAL_RIGHTS", "WB_FREEZE", "JERUSALEM", "REFUGEES", "DISPUTES"],
    },
}


def decoupled(scenario: Scenario) -> Scenario:
    """The scenario with its text split into the two frameworks from the start."""
    raw = scenario.model_dump(mode="python", by_alias=True)
    raw["packages"] = PACKAGES
    return build_scenario(raw, scenario.source)


def indicators(table: pd.DataFrame, scenario: Scenario) -> dict[str, np.ndarray]:
    """Per world: what was signed by each date, and how it ended."""
    sinai = "package_sinai_round" if "package_sinai_round" in table else "deal_round"
    some = [c for c in table if c.startswith("package_") and c.endswith("_round")] or ["deal_round"]
    out = {}
    for date in DATES:
        out[f"something signed by {date}"] = np.logical_or.reduce([happened_by(table, c, scenario, date) for c in some])
        out[f"Sinai signed by {date}"] = happened_by(table, sinai, scenario, date)
        out[f"whole deal by {date}"] = happened_by(table, "deal_round", scenario, date)
    for status in ("deal", "partial", "rejected", "holdout", "mismatch"):
        out[f"ends {status}"] = (table["status"].astype(str) == status).to_numpy()
    return out


def run(out: Path, small: bool = False) -> pd.DataFrame:
    seeds = SMALL_SEEDS if small else FULL_SEEDS
    one = load_scenario("camp_david")
    two = decoupled(one)
    a = indicators(run_ensemble(one, seeds, processes=1, progress=False, figures=False).outcomes, one)
    b = indicators(run_ensemble(two, seeds, processes=1, progress=False, figures=False).outcomes, two)
    rows = []
    for name in a:
        pa, lo_a, hi_a = wilson(int(a[name].sum()), seeds)
        pb, lo_b, hi_b = wilson(int(b[name].sum()), seeds)
        paired = paired_difference(a[name], b[name])  # two frameworks minus one text, world by world
        diff, low, high = paired["difference"], paired["low"], paired["high"]
        rows.append(
            {
                "question": name,
                "one text": pa,
                "one text low": lo_a,
                "one text high": hi_a,
                "two frameworks": pb,
                "two frameworks low": lo_b,
                "two frameworks high": hi_b,
                "difference": diff,
                "difference low": low,
                "difference high": high,
            }
        )
    table = pd.DataFrame(rows)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / f"{NAME}.csv", index=False)
    (out / f"{NAME}.md").write_text(f"# {NAME}: {seeds} common-seed worlds per variant\n\n" + _shown(table) + "\n")
    _figure(table).savefig(out / f"{NAME}.png", dpi=150, bbox_inches="tight")
    plt.close("all")
    return table


def _shown(table: pd.DataFrame) -> str:
    shown = pd.DataFrame({"question": table["question"]})
    for side in ("one text", "two frameworks"):
        shown[f"{side} %"] = [
            f"{100 * p:.1f} [{100 * lo:.1f}, {100 * hi:.1f}]"
            for p, lo, hi in zip(table[side], table[f"{side} low"], table[f"{side} high"], strict=True)
        ]
    shown["difference (points, paired)"] = [
        f"{100 * d:+.1f} [{100 * lo:+.1f}, {100 * hi:+.1f}]"
        for d, lo, hi in zip(table["difference"], table["difference low"], table["difference high"], strict=True)
    ]
    return shown.to_markdown(index=False)


def _figure(table: pd.DataFrame):
    picked = table[table["question"].str.startswith(("something signed", "Sinai signed"))]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    y = np.arange(len(picked))
    for offset, side, colour in ((-0.2, "one text", "#8d99ae"), (0.2, "two frameworks", "#2a9d8f")):
        p = 100 * picked[side].to_numpy()
        err = 100 * np.vstack([picked[side] - picked[f"{side} low"], picked[f"{side} high"] - picked[side]])
        ax.barh(y + offset, p, 0.4, xerr=err, color=colour, label=side, capsize=3)
    ax.set_yticks(y, picked["question"], fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("share of worlds (%), 95% Wilson intervals")
    ax.set_title("Camp David: one text against two frameworks signed separately", fontsize="medium")
    ax.legend(fontsize="small", loc="lower right")
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> int:
    return study_main(__doc__, ROOT / "runs" / "studies" / NAME, run, _shown, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
