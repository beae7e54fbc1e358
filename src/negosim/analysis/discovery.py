"""Scenario discovery: which ranges of the inputs produce an outcome (PRIM, from EMA Workbench).

The Patient Rule Induction Method (Friedman & Fisher 1999) peels a box of
input ranges, a little at a time, towards the worlds where the outcome
happens: *coverage* is the share of all such worlds the box holds, *density*
the share of the box's worlds that are such worlds, *mass* the share of all
worlds in the box. The box reported is the one PRIM selects when its density
reaches the threshold (EMA Workbench's ``Prim.find_box``); the peeling
trajectory shows the trade-off. Inputs are a run's per-world draws
(``param:<path>`` columns) and a sweep's axes.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> x = pd.DataFrame({"a": rng.random(1000), "b": rng.random(1000)})
>>> found = discover(x, (x["a"] > 0.7).to_numpy(), threshold=0.9)
>>> found.limits["input"].tolist(), round(float(found.limits.loc[0, "low"]), 1), bool(found.density >= 0.9)
(['a'], 0.7, True)
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Discovery:
    """PRIM's box: the restricted inputs' ranges (``limits``: input, low, high, full_low, full_high),
    its coverage, density and mass, the base rate of the outcome, and the peeling trajectory."""

    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    base_rate: float
    trajectory: pd.DataFrame
    threshold: float

    def describe(self) -> str:
        """The box in words, one line per restricted input."""
        head = (f"PRIM box: density {100 * self.density:.0f}% (base rate {100 * self.base_rate:.0f}%), "
                f"coverage {100 * self.coverage:.0f}%, mass {100 * self.mass:.0f}% of the worlds")  # fmt: skip
        lines = [head]
        for row in self.limits.itertuples():
            lines.append(
                f"  {row.input}: {row.low:.4g} to {row.high:.4g} (of {row.full_low:.4g} to {row.full_high:.4g})"
            )
        if self.limits.empty:
            lines.append("  (no input restricted: the outcome is as common everywhere)")
        return "\n".join(lines)


def discover(inputs: pd.DataFrame, hits: np.ndarray, *, threshold: float = 0.8, mass_min: float = 0.05) -> Discovery:
    """PRIM on ``inputs`` (one row per world, numeric columns) for the worlds where ``hits`` is true."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA Workbench's notes about optional packages it can do without
        from ema_workbench.analysis import prim

    hits = np.asarray(hits, dtype=bool)
    x = inputs.astype(float).reset_index(drop=True)
    x = x.loc[:, x.nunique() > 1]  # an input that never varies cannot bound anything
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA Workbench's notes about optional packages and defaults
        logging.getLogger("EMA").setLevel(logging.ERROR)
        box = prim.Prim(x, hits, threshold=threshold, mass_min=mass_min).find_box()
    low, high = box.box_lim.iloc[0], box.box_lim.iloc[1]
    full_low, full_high = x.min(), x.max()
    restricted = [c for c in x.columns if low[c] > full_low[c] or high[c] < full_high[c]]
    limits = pd.DataFrame({"input": restricted, "low": [float(low[c]) for c in restricted],
                           "high": [float(high[c]) for c in restricted],
                           "full_low": [float(full_low[c]) for c in restricted],
                           "full_high": [float(full_high[c]) for c in restricted]})  # fmt: skip
    trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].astype(float)
    return Discovery(limits, float(box.coverage), float(box.density), float(box.mass), float(hits.mean()),
                     trajectory.reset_index(drop=True), threshold)  # fmt: skip
