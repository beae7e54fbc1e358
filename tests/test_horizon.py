"""Forecasts do not depend on the analysis window: a question read on a date has the same answer
whether the run stops then or goes on for months (common seeds)."""

import datetime as dt

import pytest

from negosim import run_ensemble
from negosim.analysis.summary import happened_by

READ_ON = dt.date(2025, 12, 31)
SEEDS = 800


@pytest.mark.slow
def test_moving_the_horizon_moves_nothing_read_before_it(flagship):
    answers = {}
    for horizon in (dt.date(2025, 12, 31), dt.date(2026, 1, 31), dt.date(2026, 6, 30)):
        dates = [d for d in flagship.calendar.report_dates if d <= horizon]
        scenario = flagship.with_values({"calendar.horizon": horizon, "calendar.report_dates": dates})
        out = run_ensemble(scenario, SEEDS, progress=False).outcomes
        answers[horizon] = {
            column: happened_by(out, column, scenario, READ_ON).mean()
            for column in ("deal_round", "sign_round_RU", "accept_round_RU", "accept_round_UA", "event_ceasefire")
        }
    first, *others = answers.values()
    for other in others:
        for column, p in first.items():
            assert abs(other[column] - p) < 0.02, (column, first, other)
    # the run does go on: what happens after 31 Dec differs
    assert len(others) == 2


def test_messages_in_transit_at_the_horizon_are_reported_as_pending(flagship):
    """A run cut on a date reports the worlds whose acceptances were still on their way, not a split."""
    cut = flagship.with_values({"calendar.horizon": dt.date(2026, 3, 1), "calendar.report_dates": []})
    out = run_ensemble(cut, 300, progress=False).outcomes
    pending = out[out["status"] == "pending"]
    assert (pending["deal_round"] == -1).all()
    assert ((pending["accept_round_UA"] >= 0) & (pending["accept_round_RU"] >= 0)).all()
