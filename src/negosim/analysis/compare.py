"""Two runs side by side: each outcome's and each dated question's difference, with a 95% interval.

When both runs hold the same seeds (common random numbers: the same worlds
under two scenarios), each world's pair of answers is compared, and the
interval is a paired t interval on the per-world differences; otherwise it is
Welch's unpaired interval. Both come from :func:`scipy.stats.ttest_rel` and
:func:`scipy.stats.ttest_ind`. The unpaired interval is reported beside the
paired one, so the gain from common seeds is visible.

>>> import pandas as pd
>>> a = pd.DataFrame({"seed": [0, 1, 2, 3], "status": ["deal", "deal", "holdout", "deal"]})
>>> b = pd.DataFrame({"seed": [0, 1, 2, 3], "status": ["deal", "deal", "deal", "deal"]})
>>> row = paired_difference(a["status"].eq("deal").to_numpy(), b["status"].eq("deal").to_numpy())
>>> round(row["difference"], 2), row["paired"]
(0.25, True)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from negosim.analysis.summary import happened_by, questions
from negosim.scenario import Scenario
from negosim.vocabulary import Outcome

CONFIDENCE = 0.95


def _interval(test, samples: tuple[np.ndarray, ...], difference: float) -> tuple[float, float]:
    """``test(*samples)``'s 95% interval, or a point when no sample varies (no spread to estimate)."""
    if all(np.ptp(s) == 0 for s in samples) or (test is stats.ttest_rel and np.ptp(samples[0] - samples[1]) == 0):
        return difference, difference
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # nearly constant samples: the interval is still right
        low, high = test(*samples).confidence_interval(CONFIDENCE)
    return float(low), float(high)


def unpaired_difference(a: np.ndarray, b: np.ndarray) -> dict:
    """P(b) - P(a) for two independent samples of yes/no answers, with Welch's 95% interval."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    difference = float(b.mean() - a.mean())
    low, high = _interval(lambda x, y: stats.ttest_ind(x, y, equal_var=False), (b, a), difference)
    return {"A": float(a.mean()), "B": float(b.mean()), "difference": difference, "low": low, "high": high,
            "paired": False}  # fmt: skip


def paired_difference(a: np.ndarray, b: np.ndarray) -> dict:
    """P(b) - P(a) for answers of the same worlds (row i of each), with the paired 95% interval
    and, for reference, the unpaired one."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    unpaired = unpaired_difference(a, b)
    low, high = _interval(stats.ttest_rel, (b, a), unpaired["difference"])
    return {**unpaired, "low": low, "high": high, "paired": True,
            "unpaired_low": unpaired["low"], "unpaired_high": unpaired["high"]}  # fmt: skip


def _answers(table: pd.DataFrame, scenario: Scenario) -> dict[str, np.ndarray]:
    """Every yes/no quantity of a run: each outcome class at the horizon, each question by each date."""
    out = {f"outcome {o.label}": table["status"].eq(o.label).to_numpy() for o in Outcome}
    for column, label in questions(scenario).items():
        if column in table:
            for date in scenario.calendar.forecast_dates:
                out[f"{label} by {date}"] = happened_by(table, column, scenario, date)
    return out


def compare_tables(a: pd.DataFrame, b: pd.DataFrame, scenario_a: Scenario, scenario_b: Scenario) -> pd.DataFrame:
    """One row per quantity both runs answer: A, B, the difference B - A, its 95% interval, whether
    it is paired (the same seeds in both runs), and the unpaired interval."""
    paired = len(a) == len(b) and np.array_equal(a["seed"].to_numpy(), b["seed"].to_numpy())
    answers_a, answers_b = _answers(a, scenario_a), _answers(b, scenario_b)
    rows = []
    for quantity, yes_a in answers_a.items():
        if quantity not in answers_b:
            continue
        row = (paired_difference if paired else unpaired_difference)(yes_a, answers_b[quantity])
        if not paired:
            row["unpaired_low"], row["unpaired_high"] = row["low"], row["high"]
        rows.append({"quantity": quantity, **row})
    return pd.DataFrame(rows)
