"""How each world ended, and when each thing happened: one tidy row per seed.

The classes are :class:`~negosim.vocabulary.Outcome`'s: ``deal``, ``holdout``
(some principals accepted a version, one never did: Kyiv agrees, Moscow
waits), ``mismatch`` (all accepted, never the same version), ``pending``
(acceptances in transit at the horizon would make a deal), ``deadlock``
(nobody accepted anything), ``breakdown`` (a principal walked out) and
``rejected`` (a deal was signed and a ratification vote it needed failed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from negosim.engine.utility import evaluate
from negosim.vocabulary import UNSETTLED, ClauseStatus, Outcome, QuestionKind

if TYPE_CHECKING:
    from negosim.engine.model import NegotiationModel

OUTCOME_TYPE = pd.CategoricalDtype(list(Outcome.labels()))
DATE = "datetime64[ms]"  # the finest unit Parquet keeps for dates without changing them


def classify(
    deal: np.ndarray, walked: np.ndarray, pending: np.ndarray, accepted: np.ndarray, partial: np.ndarray | None = None
) -> np.ndarray:
    """The outcome code of worlds that end now, (W,), from whether a deal was registered,
    a principal walked out, acceptances in transit would complete a deal, and which
    principals ever accepted anything (W, principals), and (with packages) whether some
    package was signed. The first that applies wins, in the order deal, breakdown,
    pending, partial, mismatch, holdout, deadlock.

    >>> yes, no = True, False
    >>> classify(np.array([yes, no, no, no, no, no]), np.array([no, yes, no, no, no, no]),
    ...          np.array([no, no, yes, no, no, no]),
    ...          np.array([[yes, yes], [yes, no], [yes, yes], [yes, yes], [yes, no], [no, no]])).tolist()
    [0, 5, 3, 2, 1, 4]
    """
    everyone, someone = accepted.all(axis=1), accepted.any(axis=1)
    rest = np.where(everyone, Outcome.MISMATCH, np.where(someone, Outcome.HOLDOUT, Outcome.DEADLOCK))
    if partial is not None:
        rest = np.where(partial, Outcome.PARTIAL, rest)
    return np.where(deal, Outcome.DEAL, np.where(walked, Outcome.BREAKDOWN, np.where(pending, Outcome.PENDING, rest)))


def event_rounds(model: NegotiationModel) -> dict[str, np.ndarray]:
    """When each dated question was first answered yes in each world (-1: never), by column:
    ``deal_round`` (the signing, also of a deal a vote later rejected), with
    ``[[ratifications]]`` ``ratified_round`` (every vote passed) and ``rejected_round`` (a vote
    failed), ``accept_round_<P>`` and ``sign_round_<P>`` per principal, and
    ``event_<name>`` for each of the scenario's ``[events.NAME]``."""
    state = model.state
    signed = (state.outcome == Outcome.DEAL) | (state.outcome == Outcome.REJECTED)
    deal_round = np.where(signed, state.end_round, -1).astype(np.int32)
    rounds: dict[str, np.ndarray] = {"deal_round": deal_round}
    if len(model.ratifications):
        rounds["ratified_round"] = model.ratifications.ratified_round()
        rounds["rejected_round"] = model.ratifications.rejected_round()
    for g, name in enumerate(model.spec.packages):
        rounds[f"package_{name}_round"] = model.mediator.package_round[:, g].copy()
    for p in model.principals:
        rounds[f"accept_round_{p.pid}"] = p.accept_round
        rounds[f"sign_round_{p.pid}"] = p.sign_round
    for name, question in model.spec.events.items():
        rounds[f"event_{name}"] = _question_rounds(model, question, deal_round)
    return rounds


def _question_rounds(model: NegotiationModel, question, deal_round: np.ndarray) -> np.ndarray:
    if question.kind == QuestionKind.DEAL:
        columns = [model.clause_ids.index(c) for c in question.agreed]
        on_table = (model.mediator.status[:, columns] <= ClauseStatus.AGREED).all(axis=1)
        return np.where(on_table, deal_round, -1).astype(np.int32)
    if question.kind == QuestionKind.PACKAGE:
        return model.mediator.package_round[:, list(model.spec.packages).index(question.package)].copy()
    if question.kind == QuestionKind.RATIFIED:
        return model.ratifications.ratified_round() if len(model.ratifications) else deal_round
    if question.kind == QuestionKind.ACCEPTS:
        return model.agent(question.party).accept_round
    if question.kind == QuestionKind.SIGNS:
        return model.agent(question.party).sign_round
    # without a party: a walkout that ends the talks (a represented party's does not)
    walks = [
        p.walk_round
        for p in model.principals
        if question.party == p.pid or (question.party is None and p.proxy is None)
    ]
    first = np.min(np.where(np.stack(walks) >= 0, np.stack(walks), np.iinfo(np.int32).max), axis=0)
    return np.where(first == np.iinfo(np.int32).max, -1, first).astype(np.int32)


def outcome_table(model: NegotiationModel) -> pd.DataFrame:
    """Columns: seed, status, rounds, end_date, revisions, messages; ``deal_round``,
    ``accept_round_<P>`` and ``sign_round_<P>`` per principal, ``event_<name>`` per named
    question (rounds, -1 if never; see :func:`event_rounds`) and ``<column>_date`` for each
    (NaT if never); ``utility_<P>`` per party for the final text, ``payoff_<mediator>`` (its
    utility plus the deal bonus minus impatience per round), position_index, territory,
    ``n_off_table``, ``x_<clause>`` final values and ``s_<clause>`` final statuses,
    ``param:<path>`` drawn values."""
    state, mediator = model.state, model.mediator
    if (state.outcome == UNSETTLED).any():
        raise RuntimeError("outcomes are read after the run: call model.run() first")
    calendar = model.spec.calendar
    start = np.datetime64(calendar.start, "D")
    days = np.timedelta64(calendar.round_days, "D")
    columns: dict[str, object] = {
        "seed": model.seeds,
        "status": pd.Categorical.from_codes(state.outcome, dtype=OUTCOME_TYPE),
        "rounds": state.end_round + 1,
        "end_date": (start + state.end_round * days).astype(DATE),
        "revisions": mediator.version,
        "messages": model.messages,
    }
    for name, rounds in event_rounds(model).items():
        columns[name] = rounds
        when = np.where(rounds >= 0, start + rounds * days, np.datetime64("NaT", "D"))
        columns[name.replace("_round", "_date") if "_round" in name else f"{name}_date"] = when.astype(DATE)
    final_utility, _ = evaluate(model.params.prefs, mediator.text, mediator.status)
    for i, pid in enumerate(model.party_ids):
        columns[f"utility_{pid}"] = final_utility[:, i]
    settings = model.params.mediator
    deal = state.outcome == Outcome.DEAL
    columns[f"payoff_{mediator.pid}"] = (
        final_utility[:, mediator.index] + settings.deal_bonus * deal - settings.impatience * (state.end_round + 1)
    )
    columns["position_index"] = model.position_index()
    columns["territory"] = state.territory
    columns["n_off_table"] = (mediator.status > ClauseStatus.AGREED).sum(axis=1)
    for k, cid in enumerate(model.clause_ids):
        columns[f"x_{cid}"] = mediator.text[:, k]
    for k, cid in enumerate(model.clause_ids):
        columns[f"s_{cid}"] = mediator.status[:, k]
    for path, value in model.choices.items():
        columns[f"param:{path}"] = np.full(model.n_worlds, value)
    for path, values in model.params.drawn.items():
        columns[f"param:{path}"] = np.broadcast_to(values, (model.n_worlds,))
    return pd.DataFrame(columns)
