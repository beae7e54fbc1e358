"""``negosim backtest RUN_DIR LEDGER``: score a finished run against a ledger of what happened.

The run's questions are read from its outcome table (every world). Clause
states on the ledger's dates need each world's text on those dates, which a
run does not store: the first ``worlds`` seeds of the run are run again with
snapshots on those dates (a world's result depends only on the scenario and
its seed, so these are the run's own worlds). The scores, a markdown table,
a JSON file and a figure go to ``RUN_DIR/backtest-<ledger>/`` (or ``out``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from negosim.analysis.backtest import score_clauses, score_questions, totals
from negosim.analysis.reference import weighted_mean_text
from negosim.analysis.summary import event_columns
from negosim.engine.model import NegotiationModel
from negosim.engine.params import ModelParams
from negosim.engine.state import Snapshot
from negosim.engine.streams import WorldStreams
from negosim.engine.variants import split_variants
from negosim.errors import OutputError
from negosim.files import is_temporary, write_atomic, write_bytes, write_json
from negosim.runs.ensemble import EnsembleResult
from negosim.runs.reopen import open_result
from negosim.scenario import Scenario
from negosim.scenario.ledger import Ledger, check_ledger, load_ledger, resolve_ledger

DEFAULT_WORLDS = 2_000  # worlds re-run for the clause calls
BACKTEST_FILES = ("backtest.md", "backtest.json", "backtest.png")


@dataclass
class BacktestResult:
    ledger: Ledger
    questions: pd.DataFrame
    clauses: pd.DataFrame
    totals: dict
    directory: Path | None = None


def snapshots_on(scenario: Scenario, seeds: np.ndarray, dates: list) -> dict[str, Snapshot]:
    """The principals' texts at the end of each date's round in every world of ``seeds``
    (variant by variant, joined)."""
    rounds = {d.isoformat(): scenario.calendar.last_round_by(d) for d in dates}
    parts: dict[str, list[Snapshot]] = {d: [] for d in rounds}
    for _, group in split_variants(scenario, seeds):
        model = NegotiationModel(scenario, group, snapshots=rounds.values()).run()
        final = Snapshot.take(model)  # a model stops once every world has ended: later dates see the end
        for date, r in rounds.items():
            parts[date].append(model.snapshots.get(r, final))
    joined = {
        date: Snapshot(
            rounds[date], *(np.concatenate([getattr(s, f) for s in snaps]) for f in ("held", "status", "accepted"))
        )
        for date, snaps in parts.items()
    }
    return joined


def score_outcomes(
    outcomes: pd.DataFrame, scenario: Scenario, ledger: Ledger, *, worlds: int = DEFAULT_WORLDS
) -> BacktestResult:
    """Score a run's outcome table against ``ledger`` (the clause calls re-run its first
    ``worlds`` seeds to the ledger's dates); nothing is written."""
    check_ledger(ledger, scenario)
    questions = score_questions(outcomes, scenario, ledger)
    clauses = pd.DataFrame()
    if ledger.clause:
        seeds = outcomes["seed"].to_numpy()[:worlds]
        snapshots = snapshots_on(scenario, seeds, sorted({c.on for c in ledger.clause}))
        start = ModelParams.build(scenario, WorldStreams([0])).reference[scenario.mediator.start_text]
        clauses = score_clauses(ledger, scenario, snapshots, start, weighted_mean_text(scenario))
    return BacktestResult(ledger, questions, clauses, totals(questions, clauses))


def backtest(
    run_dir: str | Path, ledger: str | Path | Ledger, *, worlds: int = DEFAULT_WORLDS, out: str | Path | None = None
) -> BacktestResult:
    """Score the run in ``run_dir`` against ``ledger`` (a shipped name, a path, or a Ledger)."""
    result = open_result(run_dir)
    if not isinstance(result, EnsembleResult):
        raise OutputError(f"{run_dir}: a backtest scores a run of one scenario, not a sweep")
    scenario = result.scenario
    ledger = ledger if isinstance(ledger, Ledger) else load_ledger(ledger)
    check_ledger(ledger, scenario)
    outcomes = result.store.read(columns=["seed", *event_columns(scenario)])
    scores = score_outcomes(outcomes, scenario, ledger, worlds=worlds)
    name = Path(ledger.source).stem if ledger.source != "<memory>" else "ledger"
    scores.directory = Path(out) if out is not None else Path(run_dir) / f"backtest-{name}"
    write_backtest(scores, scenario)
    return scores


def markdown(scores: BacktestResult, scenario: Scenario) -> str:
    """The backtest as a markdown report."""
    t = scores.totals
    lines = [
        f"# Backtest: {scenario.meta.name} against {scores.ledger.source}",
        "",
        f"{scores.ledger.meta.description}",
        "",
        "## Questions (mean over the questions each forecaster answers)",
        "",
        "| forecaster | questions | mean Brier | mean log score |",
        "| --- | ---: | ---: | ---: |",
    ]
    names = {"model": "negosim", "still": "nothing moves (no deal, no signature)"}
    for who, s in t["questions"].items():
        lines.append(f"| {names.get(who, who)} | {s['n']} | {s['brier']:.3f} | {s['log']:.3f} |")
    lines += ["", scores.questions.round(3).to_markdown(index=False), ""]
    if len(scores.clauses):
        lines += [
            "## Clause states and values",
            "",
            "| forecaster | entries | state accuracy | values | MAE |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        names = {
            "model": "negosim (modal call, median value)",
            "still": "nothing moves (start text)",
            "weighted_mean": "weighted mean (called agreed)",
        }
        for who, s in t["clauses"].items():
            lines.append(f"| {names[who]} | {s['n']} | {100 * s['accuracy']:.0f}% | {s['n_values']} | {s['mae']:.3f} |")
        shown = [
            "clause",
            "on",
            "state",
            "value",
            "model_agreed",
            "model_open",
            "model_deferred",
            "model_call",
            "model_value",
            "still_call",
            "still_value",
            "mean_value",
        ]
        lines += ["", scores.clauses[shown].round(2).to_markdown(index=False), ""]
    lines += ["![backtest](backtest.png)", ""]
    return "\n".join(lines)


def write_backtest(scores: BacktestResult, scenario: Scenario) -> None:
    from negosim.plots.backtest import backtest_figure  # matplotlib only when writing

    folder = scores.directory
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write the backtest here ({exc.strerror})") from None
    others = [e.name for e in folder.iterdir() if e.name not in BACKTEST_FILES and not is_temporary(e)]
    if others:  # never overwrite a folder of someone else's files
        raise OutputError(
            f"{folder}: holds files a backtest does not write ({', '.join(sorted(others)[:3])}); choose another --out"
        )
    write_bytes(folder / "backtest.md", markdown(scores, scenario).encode())
    payload = {
        "ledger": str(resolve_ledger(scores.ledger.source)),
        "totals": scores.totals,
        "questions": json.loads(scores.questions.to_json(orient="records")),
        "clauses": json.loads(scores.clauses.to_json(orient="records")) if len(scores.clauses) else [],
    }
    write_json(folder / "backtest.json", payload)
    figure = backtest_figure(scores.questions, scores.clauses, scenario)
    write_atomic(folder / "backtest.png", lambda path: figure.savefig(path, format="png", dpi=150))
