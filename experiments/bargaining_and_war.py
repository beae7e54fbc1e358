"""Bargaining and war (Fearon 1995) in negosim: costly war, complete information, optimism.

What it shows. ``scenarios/study_war.toml`` is Fearon's bargaining model as a
mediated negotiation: one divisible clause (the line, 0 = all the contested
land to A, 1 = all to B), linear utilities, a battlefield p (B's share, 0.5)
that is a driftless random walk, and reservation values linked to the
territory with opposite signs, (1 - p) - c for A and p - c for B with c = 0.05
and a further 0.001 a round, so the bargaining range starts at [0.45, 0.55].
Each side's reservation value also counts the territory it *expects* to gain
over a 30-round look-ahead (``expected_drift * lookahead``).

1. Complete information (both expect the true drift, 0; opening aspirations
   just above the reservation values; the opening text, 0.5, inside the range):
   both sign the opening text and the deal is concluded in round 1.
2. Mutual optimism: A expects the line to move d/2 per round its way and B
   d/2 per round its way, so together they expect 30 d more land than exists
   (the belief gap). Once the gap exceeds the range's width (0.1, less the
   costs of the war so far), no split satisfies both, and they fight on.
3. One-sided expected gains: A believes the truth (drift 0) and B expects to
   gain g a round. The bargaining range shrinks by 30 g from above.
4. A reference the model offers: B's gains are real and both foresee them
   (drift = g, both expect g; the opening text and aspirations moved into the
   shifted range). The range moves but keeps its width, so the deal still
   comes at once: negosim has no commitment problem (Powell 2006), since a
   signed deal binds for ever and the reservation value cannot count the
   chance that the rising side will renege.

Finding (1000 worlds per point, ``python experiments/bargaining_and_war.py``):
under complete information every world reaches a deal, at x = 0.50 in round 1.
Mutual optimism first delays the deal, then prevents it: for belief gaps of
0, 0.06, 0.12, 0.15, 0.18, 0.21, 0.24 and 0.30 of the territory, P(no deal by
the 60-round horizon) is 0, 0, 0.003, 0.04, 0.19, 0.56, 0.87 and 1.0, and the
median deal round 1, 1, 18, 31, 43, 50, 54.5 (none at 0.30). A gap a little
above the range's width (0.12) only delays, because the war's running costs
reopen the range after some ten rounds. With one-sided expected gains (B
expects them, A believes the truth), P(no deal) is 0, 0, 0.004, 0.04, 0.24,
0.63, 0.91 and 1.0 on the same grid, mostly because B walks out
(breakdown), and the deals that come lean toward B (x from 0.50 to 0.62).
When both foresee B's real gains, P(no deal) stays at most 0.016 and the deal
comes in round 1 at a split shifted toward B (x = 0.5 + the expected gain).

Run: ``.venv/bin/python experiments/bargaining_and_war.py [--out DIR] [--small]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from negosim import load_scenario, run_ensemble
from negosim.analysis.summary import wilson
from negosim.plots.style import STATUS_COLOURS
from negosim.runs.study import study_main
from negosim.vocabulary import Outcome

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "study_war.toml"
DEFAULT_OUT = ROOT / "runs" / "studies" / "bargaining_and_war"

# Expected territory change per round; times the 30-round look-ahead this is the belief gap.
GRID = (0.0, 0.002, 0.004, 0.005, 0.006, 0.007, 0.008, 0.010)
SMALL_GRID = (0.0, 0.004, 0.006, 0.008, 0.010)
SWEEPS = {
    "mutual optimism": "A expects -d/2, B +d/2 a round (truth 0)",
    "B expects gains": "A expects 0 (the truth), B expects +g a round",
    "B's gains foreseen": "true drift +g, both expect +g",
}
SWEEP_STYLE = {
    "mutual optimism": ("o-", "#e76f51"),
    "B expects gains": ("s-", "#264653"),
    "B's gains foreseen": ("^--", "#8d99ae"),
}


def point_scenario(base, sweep: str, value: float):
    """The scenario for one point of one sweep."""
    if sweep == "mutual optimism":
        return base.with_values(
            {"parties.A.reservation.expected_drift": -value / 2, "parties.B.reservation.expected_drift": value / 2}
        )
    if sweep == "B expects gains":
        return base.with_values({"parties.B.reservation.expected_drift": value})
    if sweep == "B's gains foreseen":
        # Both see the shift coming, so the range itself moves by the expected gain;
        # the opening text and the opening aspirations move with it (still complete information).
        shift = value * base.parties["B"].reservation.lookahead
        opening = base.texts["opening"].values["line"]
        return base.with_values(
            {
                "battlefield.drift": value,
                "parties.A.reservation.expected_drift": value,
                "parties.B.reservation.expected_drift": value,
                "texts.opening.values.line": min(opening + shift, 1.0),
                "parties.A.tactic.initial": max(base.parties["A"].tactic.initial - shift, 0.01),
                "parties.B.tactic.initial": min(base.parties["B"].tactic.initial + shift, 1.0),
            }
        )
    raise ValueError(sweep)


def summarise(outcomes: pd.DataFrame, sweep: str, value: float, lookahead: float) -> dict:
    status = outcomes["status"].astype(str)
    n = len(outcomes)
    deals = outcomes[status == "deal"]
    p, low, high = wilson(int((status != "deal").sum()), n)
    row = {
        "sweep": sweep,
        "drift_per_round": value,
        "belief_gap": value * lookahead,
        "worlds": n,
        "p_no_deal": p,
        "p_no_deal_low": low,
        "p_no_deal_high": high,
    }
    for name in Outcome.labels():
        row[f"p_{name}"] = float((status == name).mean())
    rounds = (deals["rounds"] - 1).to_numpy()
    row["median_deal_round"] = float(np.median(rounds)) if rounds.size else np.nan
    row["mean_deal_line"] = float(deals["x_line"].mean()) if len(deals) else np.nan
    return row


def run(out: Path, small: bool = False) -> pd.DataFrame:
    """Run the three sweeps over the same world seeds, write figures and the table, return the table."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    seeds = 200 if small else 1000
    base = load_scenario(SCENARIO)
    lookahead = base.parties["B"].reservation.lookahead
    rows = []
    for sweep in SWEEPS:
        for value in SMALL_GRID if small else GRID:
            outcomes = run_ensemble(point_scenario(base, sweep, value), seeds, processes=1, progress=False).outcomes
            rows.append(summarise(outcomes, sweep, value, lookahead))
    table = pd.DataFrame(rows)
    _figure(table, seeds, out / "p_no_deal.png")
    table.to_csv(out / "bargaining_and_war.csv", index=False)
    (out / "bargaining_and_war.md").write_text(_markdown(table) + "\n", encoding="utf-8")
    return table


def _figure(table: pd.DataFrame, seeds: int, path: Path) -> None:
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), layout="constrained", sharex="col", height_ratios=[1.6, 1])
    panels = (("mutual optimism",), ("B expects gains", "B's gains foreseen"))
    titles = ("Mutual optimism: each side expects the line to move its way", "One side expects battlefield gains")
    xlabels = (
        "belief gap: land B expects minus land A expects\nover the 30-round look-ahead (share of the territory)",
        "B's expected gain over the 30-round look-ahead\n(share of the territory)",
    )
    for column, (sweeps, title, xlabel) in enumerate(zip(panels, titles, xlabels)):
        top, bottom = axes[0, column], axes[1, column]
        for ax in (top, bottom):
            ax.axvspan(
                0,
                0.1,
                color=STATUS_COLOURS["deal"],
                alpha=0.08,
                label="within the initial range's width (0.1)" if ax is top else None,
            )
        for sweep in sweeps:
            rows = table[table["sweep"] == sweep]
            marker, colour = SWEEP_STYLE[sweep]
            x = rows["belief_gap"].to_numpy()
            top.fill_between(x, 100 * rows["p_no_deal_low"], 100 * rows["p_no_deal_high"], color=colour, alpha=0.2)
            top.plot(x, 100 * rows["p_no_deal"], marker, color=colour, label=f"{sweep}: {SWEEPS[sweep]}")
            bottom.plot(x, rows["median_deal_round"], marker, color=colour, label=sweep)
        top.set_title(title)
        top.set_ylim(-2, 102)
        top.legend(loc="upper left", fontsize="small")
        bottom.set_xlabel(xlabel)
        bottom.set_ylim(0, 62)
        bottom.axhline(59, color="grey", linestyle=":", linewidth=1)
        bottom.annotate("horizon", (0.0, 59), xytext=(2, -10), textcoords="offset points", fontsize="small")
    axes[0, 0].set_ylabel("P(no deal by the horizon)\n(%, 95% Wilson band)")
    axes[1, 0].set_ylabel("median round of the deal\n(deals only; days)")
    fig.suptitle(
        f"Bargaining and war: complete information gives an immediate deal; divergent beliefs "
        f"delay it, then prevent it ({seeds} worlds per point)"
    )
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _markdown(table: pd.DataFrame) -> str:
    shown = pd.DataFrame(
        {
            "sweep": table["sweep"],
            "drift/round": table["drift_per_round"],
            "gap (land)": table["belief_gap"].round(2),
            "worlds": table["worlds"],
            "P(no deal) % [95% CI]": [
                f"{100 * p:.1f} [{100 * lo:.1f}, {100 * hi:.1f}]"
                for p, lo, hi in zip(table["p_no_deal"], table["p_no_deal_low"], table["p_no_deal_high"])
            ],
            "holdout %": (100 * table["p_holdout"]).round(1),
            "mismatch %": (100 * table["p_mismatch"]).round(1),
            "deadlock %": (100 * table["p_deadlock"]).round(1),
            "breakdown %": (100 * table["p_breakdown"]).round(1),
            "median deal round": table["median_deal_round"],
            "mean deal line": table["mean_deal_line"].round(3),
        }
    )
    return shown.to_markdown(index=False)


def main(argv: list[str] | None = None) -> int:
    return study_main(__doc__, DEFAULT_OUT, run, _markdown, argv)


if __name__ == "__main__":
    sys.exit(main())
