"""How each world ended, as one tidy row per seed.

``deal``: every principal signed the same version. ``framework``: some but not
all principals signed (Kyiv agrees, Moscow waits). ``deadlock``: nothing was
signed by the end. ``breakdown``: a principal walked out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from negosim.utility import evaluate

if TYPE_CHECKING:
    from negosim.model import NegotiationModel

UNSETTLED, DEAL, FRAMEWORK, DEADLOCK, BREAKDOWN = -1, 0, 1, 2, 3
STATUS_NAMES = ("deal", "framework", "deadlock", "breakdown")
STATUS_TYPE = pd.CategoricalDtype(list(STATUS_NAMES))
DATE = "datetime64[ms]"  # the finest unit Parquet keeps for dates without changing them


def outcome_table(model: NegotiationModel) -> pd.DataFrame:
    """Columns: seed, status, rounds, end_date, revisions, messages,
    ``sign_round_<P>``/``sign_date_<P>`` per principal (-1 / NaT if never),
    ``utility_<P>`` per party for the final text, ``payoff_<mediator>`` (its
    utility plus the deal bonus minus impatience per round), position_index, territory,
    ``n_bracketed``, ``x_<clause>`` final values, ``param:<path>`` drawn values."""
    if (model.status_code == UNSETTLED).any():
        raise RuntimeError("outcomes are read after the run: call model.run() first")
    calendar = model.spec.calendar
    start = np.datetime64(calendar.start, "D")
    days = np.timedelta64(calendar.round_days, "D")
    columns: dict[str, object] = {
        "seed": model.seeds,
        "status": pd.Categorical.from_codes(model.status_code, dtype=STATUS_TYPE),
        "rounds": model.end_round + 1,
        "end_date": (start + model.end_round * days).astype(DATE),
        "revisions": model.version,
        "messages": model.messages,
    }
    for i in model.principal_idx:
        pid = model.party_ids[i]
        rounds = model.sign_round[:, i]
        columns[f"sign_round_{pid}"] = rounds
        columns[f"sign_date_{pid}"] = np.where(rounds >= 0, start + rounds * days, np.datetime64("NaT", "D")).astype(DATE)
    final_utility, _ = evaluate(model.prefs, model.text, model.status)
    for i, pid in enumerate(model.party_ids):
        columns[f"utility_{pid}"] = final_utility[:, i]
    mediator = model.party_ids[model.mediator_idx]
    deal = model.status_code == DEAL
    columns[f"payoff_{mediator}"] = (
        final_utility[:, model.mediator_idx]
        + model.params.value("mediator.deal_bonus") * deal
        - model.params.value("mediator.impatience") * (model.end_round + 1)
    )
    columns["position_index"] = model.position_index()
    columns["territory"] = model.territory
    columns["n_bracketed"] = (model.status >= 2).sum(axis=1)
    for k, cid in enumerate(model.clause_ids):
        columns[f"x_{cid}"] = model.text[:, k]
    for path, values in model.params.drawn.items():
        columns[f"param:{path}"] = np.broadcast_to(values, (model.n_worlds,))
    return pd.DataFrame(columns)
