"""Time-dependent tactics (Faratin, Sierra & Jennings 1998) in negosim.

What it shows. In the two-party teaching scenario (quadratic utilities,
reservation values 0.5, Nash point (0.3, 0.7) where both get 0.79, no deadline:
each side's concession clock runs to the horizon, round 59) the study
overrides the parties' tactics and runs every pairing over the same world seeds:
Boulware (exponent 0.3) and Conceder (exponent 3) in all four combinations,
and Linear-Linear as a reference. Aspirations fall from 1 to the reservation
value as a(t) = r + (1 - r)(1 - (t/T)^(1/e)).

Regularities checked (the standard ANAC/Genius ones, domain.md §2 C):
- Conceder-Conceder pairs agree earlier than Boulware-Boulware pairs;
- in a Boulware-Conceder pair the Boulware side gets the larger share, and
  swapping the tactics swaps the shares.

Finding (1000 worlds per pairing, ``python experiments/tactics.py``): every
world ends in a deal. Conceder-Conceder pairs agree in round 6.3 on average,
Linear-Linear in round 26.6, Boulware-Boulware in round 47.3 (of 59: the
Boulware aspiration reaches the Nash utility 0.79 only at t/T = 0.8).
Symmetric pairs land at the Nash point (X, Y) = (0.3, 0.7), both getting
0.79. With A Boulware and B Conceder the deal comes in round 37.8 at
(0.18, 0.47) and gives A 0.90 and B 0.59: A takes 81% of the surplus over the
reservation values. Swapped, A gets 0.59 and B 0.90. The mechanism: the
Conceder's aspiration falls early, so it signs (and stops objecting to) the
texts on offer, while the Boulware keeps objecting and the mediator keeps
moving the text its way until the Boulware's aspiration comes down.

Run: ``.venv/bin/python experiments/tactics.py [--out DIR] [--small]``.
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
from negosim.analysis.summary import Z95
from negosim.plots.style import STATUS_COLOURS
from negosim.runs.study import study_main

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "teaching_two_party.toml"
DEFAULT_OUT = ROOT / "runs" / "studies" / "tactics"

TACTICS = {"Boulware": ("boulware", 0.3), "Conceder": ("conceder", 3.0), "Linear": ("linear", 1.0)}
PAIRINGS = (  # (A's tactic, B's tactic)
    ("Conceder", "Conceder"),
    ("Linear", "Linear"),
    ("Boulware", "Boulware"),
    ("Boulware", "Conceder"),
    ("Conceder", "Boulware"),
)
SIDE_COLOURS = {"A": "#264653", "B": "#e76f51"}


def pairing_name(a: str, b: str) -> str:
    return f"{a} (A) vs {b} (B)"


def run(out: Path, small: bool = False) -> pd.DataFrame:
    """Run every pairing, write figures and the table into ``out``, return the table."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    seeds = 200 if small else 1000
    scenario = load_scenario(SCENARIO)
    reservation = {p: scenario.parties[p].reservation.base for p in ("A", "B")}
    rows, deal_rounds = [], {}
    for a, b in PAIRINGS:
        (kind_a, e_a), (kind_b, e_b) = TACTICS[a], TACTICS[b]
        paired = scenario.with_values(
            {
                "parties.A.tactic.kind": kind_a,
                "parties.A.tactic.exponent": e_a,
                "parties.B.tactic.kind": kind_b,
                "parties.B.tactic.exponent": e_b,
            }
        )
        outcomes = run_ensemble(paired, seeds, processes=1, progress=False).outcomes
        deals = outcomes[outcomes["status"].astype(str) == "deal"]
        rounds = (deals["rounds"] - 1).to_numpy()
        name = pairing_name(a, b)
        deal_rounds[name] = rounds
        surplus_a = deals["utility_A"] - reservation["A"]
        surplus_b = deals["utility_B"] - reservation["B"]
        n = len(deals)
        rows.append(
            {
                "pairing": name,
                "tactic_A": a,
                "exponent_A": e_a,
                "tactic_B": b,
                "exponent_B": e_b,
                "worlds": len(outcomes),
                "p_deal": n / len(outcomes),
                "mean_deal_round": rounds.mean() if n else np.nan,
                "sd_deal_round": rounds.std(ddof=1) if n > 1 else np.nan,
                "median_deal_round": float(np.median(rounds)) if n else np.nan,
                "utility_A": deals["utility_A"].mean(),
                "utility_A_se": deals["utility_A"].std(ddof=1) / np.sqrt(n) if n > 1 else np.nan,
                "utility_B": deals["utility_B"].mean(),
                "utility_B_se": deals["utility_B"].std(ddof=1) / np.sqrt(n) if n > 1 else np.nan,
                "surplus_share_A": float((surplus_a / (surplus_a + surplus_b)).mean()),
                "x_X": deals["x_X"].mean(),
                "x_Y": deals["x_Y"].mean(),
            }
        )
    table = pd.DataFrame(rows)
    _figure(table, deal_rounds, scenario.calendar.rounds - 1, out / "tactics.png")
    table.to_csv(out / "tactics.csv", index=False)
    (out / "tactics.md").write_text(_markdown(table) + "\n", encoding="utf-8")
    return table


def _figure(table: pd.DataFrame, deal_rounds: dict, horizon: int, path: Path) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained", width_ratios=[1.2, 1])
    names = list(table["pairing"])
    labels = [n.replace(" vs ", "\nvs ") for n in names]
    # A box plot drawn by hand (works across Matplotlib versions): 5-95% whiskers, IQR box, median.
    for k, n in enumerate(names, start=1):
        r = deal_rounds[n]
        if r.size == 0:
            continue
        p5, q1, med, q3, p95 = np.percentile(r, [5, 25, 50, 75, 95])
        left.hlines(k, p5, p95, color="black", linewidth=1)
        left.add_patch(
            plt.Rectangle(
                (q1, k - 0.25),
                max(q3 - q1, 0.3),
                0.5,
                facecolor=STATUS_COLOURS["deal"],
                edgecolor="black",
                alpha=0.8,
                label="middle half of deals" if k == 1 else None,
            )
        )
        left.vlines(med, k - 0.25, k + 0.25, color="black", linewidth=2, label="median" if k == 1 else None)
    left.scatter(
        table["mean_deal_round"],
        np.arange(1, len(names) + 1),
        marker="D",
        color="white",
        edgecolor="black",
        zorder=3,
        label="mean",
    )
    left.set_ylim(len(names) + 0.6, 0.4)
    left.set_xlim(0, horizon + 2)
    left.axvline(horizon, color="grey", linestyle=":", linewidth=1)
    left.annotate(
        "horizon = both sides' deadline",
        (horizon, 0.02),
        xycoords=("data", "axes fraction"),
        ha="right",
        fontsize="small",
        xytext=(-3, 0),
        textcoords="offset points",
    )
    left.set_yticks(np.arange(1, len(names) + 1), labels)
    left.set_xlabel("round of agreement (days since the talks opened)")
    left.set_title("When the deal comes (whiskers: 5th-95th percentile)")
    left.legend(loc="upper right", fontsize="small")

    y = np.arange(len(names))
    h = 0.38
    for k, side in enumerate(("A", "B")):
        means = table[f"utility_{side}"].to_numpy()
        err = Z95 * table[f"utility_{side}_se"].to_numpy()
        right.barh(
            y + (k - 0.5) * h, means, height=h, xerr=err, color=SIDE_COLOURS[side], capsize=3, label=f"party {side}"
        )
        for yy, m in zip(y + (k - 0.5) * h, means):
            right.annotate(
                f"{m:.2f}", (m, yy), xytext=(3, 0), textcoords="offset points", va="center", fontsize="small"
            )
    right.axvline(0.5, color="black", linestyle="--", linewidth=1, label="reservation value (both)")
    right.axvline(0.79, color="grey", linestyle=":", linewidth=1, label="Nash point utility (both)")
    right.set_yticks(y, labels)
    right.invert_yaxis()
    right.set_xlim(0.4, 1.0)
    right.set_xlabel("utility of the agreed text (0-1; mean, 95% interval)")
    right.set_title("Who gets what")
    right.legend(loc="upper right", fontsize="small")
    fig.suptitle(
        f"Boulware (e = {TACTICS['Boulware'][1]}) and Conceder (e = {TACTICS['Conceder'][1]}) tactics "
        f"in the two-party teaching scenario ({int(table['worlds'].iloc[0])} worlds per pairing)"
    )
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _markdown(table: pd.DataFrame) -> str:
    shown = pd.DataFrame(
        {
            "pairing": table["pairing"],
            "worlds": table["worlds"],
            "deal %": (100 * table["p_deal"]).round(1),
            "mean deal round": table["mean_deal_round"].round(1),
            "median deal round": table["median_deal_round"],
            "utility A": table["utility_A"].round(3),
            "utility B": table["utility_B"].round(3),
            "A's share of the surplus": table["surplus_share_A"].round(2),
            "X": table["x_X"].round(2),
            "Y": table["x_Y"].round(2),
        }
    )
    return shown.to_markdown(index=False)


def main(argv: list[str] | None = None) -> int:
    return study_main(__doc__, DEFAULT_OUT, run, _markdown, argv)


if __name__ == "__main__":
    sys.exit(main())
