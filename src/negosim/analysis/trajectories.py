"""Every world's path round by round: each party's utility for the text it holds and the
position index of the mediator's text (for fan charts and one-world trajectories).

>>> from negosim import load_scenario
>>> paths = world_paths(load_scenario("teaching_two_party"), [0, 1])
>>> sorted(paths["seed"].unique().tolist()), {"round", "utility_A", "utility_B", "position_index"} <= set(paths)
([0, 1], True)
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from negosim.engine.model import NegotiationModel
from negosim.engine.variants import split_variants
from negosim.scenario import Scenario


def world_paths(scenario: Scenario, seeds: Iterable[int]) -> pd.DataFrame:
    """One row per (world, round played): ``seed``, ``round``, ``date``, ``utility_<party>`` for
    every party, ``position_index``. A world that has ended keeps its last values."""
    frames = []
    for _, group in split_variants(scenario, np.asarray(list(seeds), dtype=np.int64)):
        model = NegotiationModel(scenario, group)
        rounds = []
        while model.running:
            model.step()
            frame = pd.DataFrame(model.state.utility, columns=[f"utility_{p}" for p in model.party_ids])
            frame.insert(0, "round", model.round - 1)
            frame.insert(0, "seed", model.seeds)
            frame["position_index"] = model.position_index()
            rounds.append(frame)
        frames.append(pd.concat(rounds, ignore_index=True))
    paths = pd.concat(frames, ignore_index=True).sort_values(["seed", "round"], ignore_index=True)
    paths.insert(2, "date", [scenario.calendar.date_of(r) for r in paths["round"]])
    return paths
