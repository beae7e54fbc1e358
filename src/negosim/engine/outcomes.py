"""How each world ended: the outcome classes, and one tidy row per seed.

``deal``: every principal signed the same version. ``framework``: some but not
all principals signed (Kyiv agrees, Moscow waits). ``deadlock``: nothing was
signed by the end. ``breakdown``: a principal walked out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from negosim.engine.utility import evaluate
from negosim.vocabulary import UNSETTLED, ClauseStatus, Outcome

if TYPE_CHECKING:
    from negosim.engine.model import NegotiationModel

OUTCOME_TYPE = pd.CategoricalDtype(list(Outcome.labels()))
DATE = "datetime64[ms]"  # the finest unit Parquet keeps for dates without changing them


def classify(deal: np.ndarray, walked: np.ndarray, signed: np.ndarray) -> np.ndarray:
    """The outcome code of worlds that end now, (W,): a deal beats a walkout, which
    beats a partial signature, which beats nothing signed.

    >>> classify(np.array([True, False, False, False]), np.array([True, True, False, False]),
    ...          np.array([True, True, True, False])).tolist()
    [0, 3, 1, 2]
    """
    return np.where(
        deal, Outcome.DEAL, np.where(walked, Outcome.BREAKDOWN, np.where(signed, Outcome.FRAMEWORK, Outcome.DEADLOCK))
    )


def outcome_table(model: NegotiationModel) -> pd.DataFrame:
    """Columns: seed, status, rounds, end_date, revisions, messages,
    ``sign_round_<P>``/``sign_date_<P>`` per principal (-1 / NaT if never),
    ``utility_<P>`` per party for the final text, ``payoff_<mediator>`` (its
    utility plus the deal bonus minus impatience per round), position_index, territory,
    ``n_bracketed``, ``x_<clause>`` final values, ``param:<path>`` drawn values."""
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
    for principal in model.principals:
        rounds = principal.sign_round
        columns[f"sign_round_{principal.pid}"] = rounds
        columns[f"sign_date_{principal.pid}"] = np.where(
            rounds >= 0, start + rounds * days, np.datetime64("NaT", "D")
        ).astype(DATE)
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
    columns["n_bracketed"] = (mediator.status >= ClauseStatus.BRACKETED).sum(axis=1)
    for k, cid in enumerate(model.clause_ids):
        columns[f"x_{cid}"] = mediator.text[:, k]
    for path, values in model.params.drawn.items():
        columns[f"param:{path}"] = np.broadcast_to(values, (model.n_worlds,))
    return pd.DataFrame(columns)
