"""Scoring forecasts against a ledger of what happened: questions by Brier and log score,
clause states by accuracy, clause values by absolute error, beside simple baselines.

The model's probability of a question is the share of worlds in which it had
happened by its date. Log scores need a probability strictly inside (0, 1):
the model's share of k worlds out of n is read as (k + 1/2) / (n + 1), and
any other forecast (a baseline, a market price) is clipped to [0.001, 0.999].

Baselines: *nothing moves* (the start text stands: no deal, no signature, no
event; each clause keeps its start value and status) and the *weighted mean*
(each clause at the capability-by-salience weighted mean of the principals'
ideal points, on the table). A ledger may list outside forecasters (market
prices on a date), scored on the same questions.

>>> brier(0.2, False), round(log_score(0.2, False), 3)
(0.04000000000000001, 0.223)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from negosim.analysis.summary import happened_by
from negosim.engine.state import Snapshot
from negosim.scenario import Scenario
from negosim.scenario.ledger import Ledger, LedgerClause, LedgerQuestion
from negosim.vocabulary import ClauseCall, ClauseStatus

CLIP = 1e-3
SAME = 0.05  # a clause within this of its value in a version the principal accepted counts as agreed
STATES = tuple(ClauseCall)


def brier(p: float, outcome: bool) -> float:
    return (p - float(outcome)) ** 2


def log_score(p: float, outcome: bool) -> float:
    """Negative log likelihood of the outcome (lower is better)."""
    return -math.log(p if outcome else 1.0 - p)


def question_column(question: LedgerQuestion) -> str:
    """The outcome-table column that answers a ledger question."""
    if question.kind == "deal":
        return "deal_round"
    if question.kind == "event":
        return f"event_{question.event}"
    return f"{'sign' if question.kind == 'signs' else 'accept'}_round_{question.party}"


def score_questions(outcomes: pd.DataFrame, scenario: Scenario, ledger: Ledger) -> pd.DataFrame:
    """One row per question: the outcome, the model's probability and scores, the
    nothing-moves baseline's, and each listed forecaster's (``<name> <date>``)."""
    n = len(outcomes)
    rows = []
    for q in ledger.question:
        hits = int(happened_by(outcomes, question_column(q), scenario, q.by).sum())
        p, smooth = hits / n, (hits + 0.5) / (n + 1)
        row = {
            "question": q.id,
            "by": q.by.isoformat(),
            "outcome": q.outcome,
            "model_p": p,
            "model_brier": brier(p, q.outcome),
            "model_log": log_score(smooth, q.outcome),
            "still_p": 0.0,
            "still_brier": brier(0.0, q.outcome),
            "still_log": log_score(CLIP, q.outcome),
        }
        for f in ledger.forecaster:
            if f.question == q.id:
                name = f"{f.name} {f.on.isoformat()}"
                clipped = min(max(f.p, CLIP), 1 - CLIP)
                row[f"{name} p"], row[f"{name} brier"] = f.p, brier(f.p, q.outcome)
                row[f"{name} log"] = log_score(clipped, q.outcome)
        rows.append(row)
    return pd.DataFrame(rows)


def clause_calls(snapshot: Snapshot, scenario: Scenario, principal: str) -> np.ndarray:
    """Each world's call on each clause of the text between the mediator and ``principal`` at a
    snapshot (W, K), as indices into ``STATES``: off the table is *deferred*; on the table it
    is *agreed* if the principal has accepted a version with the clause within ``SAME`` of its
    value now, else *open*."""
    j = scenario.principals.index(principal)
    off = snapshot.status[:, j] > ClauseStatus.AGREED
    settled = np.abs(snapshot.held[:, j] - snapshot.accepted[:, j]) <= SAME  # NaN (nothing accepted): not settled
    agreed, open_, deferred = (STATES.index(s) for s in (ClauseCall.AGREED, ClauseCall.OPEN, ClauseCall.DEFERRED))
    return np.where(off, deferred, np.where(settled, agreed, open_))


def score_clauses(
    ledger: Ledger,
    scenario: Scenario,
    snapshots: dict[str, Snapshot],
    start: tuple[np.ndarray, np.ndarray],
    weighted_mean: np.ndarray,
) -> pd.DataFrame:
    """Long because it lays out the whole clause table: one row per ledger clause entry: the
    ledger's state and value; the model's share of worlds calling each state, its modal call
    and whether it matches, the median and quartiles of the clause's value; the start text's
    call and value (nothing moves) and the weighted mean's value (called agreed).
    ``snapshots`` maps an ISO date to the snapshot taken at the end of that date's round."""
    rows = []
    start_values, start_status = start
    for c in ledger.clause:
        principal = next(p for p in c.between if p != scenario.mediator.party)
        snap = snapshots[c.on.isoformat()]
        k, j = scenario.clause_ids.index(c.id), scenario.principals.index(principal)
        calls = clause_calls(snap, scenario, principal)[:, k]
        shares = np.bincount(calls, minlength=len(STATES)) / calls.size
        modal = STATES[int(np.argmax(shares))]
        values = snap.held[:, j, k]
        still = ClauseCall.DEFERRED if start_status[k] > ClauseStatus.AGREED else ClauseCall.AGREED
        row = _clause_row(c, principal)
        row.update({f"model_{s.value}": float(shares[i]) for i, s in enumerate(STATES)})
        row.update(
            model_call=modal.value,
            model_right=modal == c.state,
            model_p_true=float(shares[STATES.index(c.state)]),
            model_value=float(np.median(values)),
            model_q25=float(np.quantile(values, 0.25)),
            model_q75=float(np.quantile(values, 0.75)),
            still_call=still.value,
            still_right=still == c.state,
            still_value=float(start_values[k]),
            mean_value=float(weighted_mean[k]),
            mean_right=c.state == ClauseCall.AGREED,
        )
        rows.append(row)
    return pd.DataFrame(rows)


def _clause_row(c: LedgerClause, principal: str) -> dict:
    return {
        "clause": c.id,
        "on": c.on.isoformat(),
        "between": f"{'-'.join(c.between)}",
        "principal": principal,
        "state": c.state.value,
        "value": np.nan if c.value is None else c.value,
    }


def totals(questions: pd.DataFrame, clauses: pd.DataFrame) -> dict:
    """The headline scores: mean Brier and log score over the questions (model, nothing
    moves, and each forecaster over the questions it answers); clause-call accuracy and the
    mean absolute error of clause values over the entries that give one."""
    out: dict[str, dict] = {"questions": {}, "clauses": {}}
    for who in ["model", "still", *sorted({c[: -len(" brier")] for c in questions if c.endswith(" brier")})]:
        answered = questions[f"{who}_brier" if who in ("model", "still") else f"{who} brier"].dropna()
        logs = questions[f"{who}_log" if who in ("model", "still") else f"{who} log"].dropna()
        out["questions"][who] = {"n": int(answered.size), "brier": float(answered.mean()), "log": float(logs.mean())}
    if len(clauses):
        valued = clauses.dropna(subset=["value"])
        for who, call, value in (
            ("model", "model_right", "model_value"),
            ("still", "still_right", "still_value"),
            ("weighted_mean", "mean_right", "mean_value"),
        ):
            mae = float((valued[value] - valued["value"]).abs().mean()) if len(valued) else math.nan
            out["clauses"][who] = {
                "n": len(clauses),
                "accuracy": float(clauses[call].mean()),
                "n_values": len(valued),
                "mae": mae,
            }
    return out
