"""One mechanism across four real negotiations, scored by leave-one-out.

The four shipped cases with ledgers (geneva_vs_anchorage, camp_david, dayton,
good_friday) differ in their facts; the behaviour that is not a fact of any
case (every principal's concession exponent and decision noise, the mediator's
step; negosim.scenario.mechanism) is one mechanism. This study runs every case
on every point of a grid of mechanisms (common seeds), scores each run against
its case's ledger (negosim.runs.backtest.score_outcomes), and then, for each
case in turn, picks the grid point with the best mean Brier score on the other
three and scores it on the held-out case, beside the ledger's baselines:
"nothing moves" (no deal, no signature; the start text) for the questions and
clause states, and the capability-weighted mean text for clause values.

The four cases include the shipped mechanism file (shipped/mechanisms/shared.toml);
each is put on every grid point here with negosim.scenario.mechanism.impose_mechanism.
The grid compares point mechanisms: the shipped file's ranges are dropped at
every point. The point that scores best on all four together is printed as the
one the shared file should hold.

The findings of the latest full run are in the README; this docstring says only
what is computed, so it does not go stale.

Run: ``.venv/bin/python experiments/leave_one_out.py [--out DIR] [--small]``
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from negosim import load_scenario, run_ensemble
from negosim.runs.backtest import score_outcomes
from negosim.runs.study import study_main
from negosim.scenario.ledger import load_ledger
from negosim.scenario.mechanism import Mechanism, impose_mechanism, load_mechanism

ROOT = Path(__file__).resolve().parents[1]
NAME = "leave_one_out"
CASES = {
    "geneva_vs_anchorage": "geneva_vs_anchorage_2025",
    "camp_david": "camp_david_1978",
    "dayton": "dayton_1995",
    "good_friday": "good_friday_1998",
}
GRID = {"exponent": (0.3, 1.0, 3.0), "noise": (0.01, 0.05), "step": (0.03, 0.08)}
SMALL_GRID = {"exponent": (0.3, 3.0), "noise": (0.03,), "step": (0.05,)}
FULL_SEEDS, SMALL_SEEDS = 1000, 60
FULL_CLAUSE_WORLDS, SMALL_CLAUSE_WORLDS = 300, 30


def mechanisms(grid: dict) -> list[Mechanism]:
    """One mechanism per grid point, the shipped one's other settings kept."""
    base = load_mechanism("shared")
    points = []
    for exponent, noise, step in itertools.product(grid["exponent"], grid["noise"], grid["step"]):
        points.append(
            base.model_copy(
                update={
                    "principals": base.principals.model_copy(update={"exponent": exponent, "noise": noise}),
                    "mediator": base.mediator.model_copy(update={"step": step}),
                    "uncertainty": {},
                }
            )
        )
    return points


def score_grid(grid: dict, seeds: int, clause_worlds: int) -> pd.DataFrame:
    """Every case on every mechanism: one row each, with the model's and the baselines' scores."""
    rows = []
    for case, ledger_name in CASES.items():
        base, ledger = load_scenario(case), load_ledger(ledger_name)
        for mechanism in mechanisms(grid):
            scenario = impose_mechanism(base, mechanism)
            outcomes = run_ensemble(scenario, seeds, processes=1, progress=False, figures=False).outcomes
            totals = score_outcomes(outcomes, scenario, ledger, worlds=clause_worlds).totals
            q, c = totals["questions"], totals["clauses"]
            rows.append(
                {
                    "case": case,
                    "exponent": mechanism.principals.exponent,
                    "noise": mechanism.principals.noise,
                    "step": mechanism.mediator.step,
                    "questions": q["model"]["n"],
                    "brier": q["model"]["brier"],
                    "brier_nothing_moves": q["still"]["brier"],
                    "accuracy": c["model"]["accuracy"],
                    "accuracy_start_text": c["still"]["accuracy"],
                    "accuracy_weighted_mean": c["weighted_mean"]["accuracy"],
                    "mae": c["model"]["mae"],
                    "mae_start_text": c["still"]["mae"],
                    "mae_weighted_mean": c["weighted_mean"]["mae"],
                }
            )
    return pd.DataFrame(rows)


POINT = ["exponent", "noise", "step"]


def held_out(scores: pd.DataFrame) -> pd.DataFrame:
    """For each case: the grid point with the best mean Brier on the other cases, scored on it."""
    rows = []
    for case in CASES:
        training = scores[scores["case"] != case].groupby(POINT)["brier"].mean()
        best = training.idxmin()
        row = scores[(scores["case"] == case) & (scores[POINT] == list(best)).all(axis=1)].iloc[0].to_dict()
        row["training_brier"] = float(training.min())
        rows.append(row)
    return pd.DataFrame(rows)


def run(out: Path, small: bool = False) -> pd.DataFrame:
    grid = SMALL_GRID if small else GRID
    seeds = SMALL_SEEDS if small else FULL_SEEDS
    scores = score_grid(grid, seeds, SMALL_CLAUSE_WORLDS if small else FULL_CLAUSE_WORLDS)
    table = held_out(scores)
    together = scores.groupby(POINT)["brier"].mean()
    out.mkdir(parents=True, exist_ok=True)
    scores.to_csv(out / "grid_scores.csv", index=False)
    table.to_csv(out / "leave_one_out.csv", index=False)
    best = {k: float(v) for k, v in zip(POINT, together.idxmin(), strict=True)}
    (out / "leave_one_out.md").write_text(
        f"# {NAME}: one mechanism, fitted on three cases and scored on the fourth\n\n"
        f"{len(together)} mechanisms x {len(CASES)} cases x {seeds} common-seed worlds "
        f"(clause calls on the first {SMALL_CLAUSE_WORLDS if small else FULL_CLAUSE_WORLDS}).\n\n"
        + _shown(table).to_markdown(index=False)
        + f"\n\nBest on all four together (mean Brier {together.min():.3f}): {best}\n"
    )
    _figure(table).savefig(out / "leave_one_out.png", dpi=150, bbox_inches="tight")
    plt.close("all")
    return table


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    return table[
        [
            "case",
            *POINT,
            "questions",
            "brier",
            "brier_nothing_moves",
            "accuracy",
            "accuracy_start_text",
            "accuracy_weighted_mean",
            "mae",
            "mae_start_text",
            "mae_weighted_mean",
        ]
    ].round(3)


def _figure(table: pd.DataFrame):
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    x = range(len(table))
    left.bar([i - 0.2 for i in x], table["brier"], 0.4, label="fitted on the other three", color="#2a9d8f")
    left.bar([i + 0.2 for i in x], table["brier_nothing_moves"], 0.4, label="nothing moves", color="#8d99ae")
    left.set_xticks(list(x), table["case"], rotation=20, fontsize="small")
    left.set_ylabel("mean Brier score (lower is better)")
    left.set_title("Questions, held-out case", fontsize="medium")
    left.legend(fontsize="small")
    for offset, column, label, colour in (
        (-0.27, "mae", "fitted", "#2a9d8f"),
        (0.0, "mae_start_text", "start text", "#8d99ae"),
        (0.27, "mae_weighted_mean", "weighted mean", "#e9c46a"),
    ):
        right.bar([i + offset for i in x], table[column], 0.27, label=label, color=colour)
    right.set_xticks(list(x), table["case"], rotation=20, fontsize="small")
    right.set_ylabel("clause-value MAE (lower is better)")
    right.set_title("Clause values, held-out case", fontsize="medium")
    right.legend(fontsize="small")
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> int:
    return study_main(__doc__, ROOT / "runs" / "studies" / NAME, run, _show, argv=argv)


def _show(table: pd.DataFrame) -> str:
    return _shown(table).to_markdown(index=False)


if __name__ == "__main__":
    sys.exit(main())
