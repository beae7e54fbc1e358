"""Discrete uncertainty: each world's variant of a scenario, drawn from its own seed.

A ``choice`` under ``[uncertainty]`` (a latency in days, a list of bracketed
clauses, any value a key path takes) changes the scenario's structure, not
just a number in it, so worlds that draw different choices cannot share one
model. Each world draws its choices from its own stream (as it draws any
uncertain number); worlds with the same choices form a variant, the scenario
with those values fixed, and each variant runs as its own model. A world's
result still depends only on the scenario and its seed.

>>> from negosim import load_scenario
>>> base = load_scenario("teaching_two_party")
>>> s = base.with_uncertainty({"channels.0.latency": {"dist": "choice", "values": [1, 3]}})
>>> [(v.channels[0].latency, seeds.tolist()) for v, seeds in split_variants(s, range(6))]
[(1, [0, 1, 4]), (3, [2, 3, 5])]
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from negosim.engine.streams import WorldStreams, world_seeds
from negosim.scenario import Scenario
from negosim.scenario.keypaths import lookup


def choice_paths(scenario: Scenario) -> list[str]:
    """The key paths whose value is a discrete choice, in file order."""
    return [path for path, dist in scenario.uncertainty.items() if dist.discrete]


def draw_choices(scenario: Scenario, seeds: Iterable[int] | np.ndarray) -> np.ndarray:
    """Each world's choice, as an index into each choice's values, (W, choices)."""
    seeds = world_seeds(np.asarray(list(seeds) if not isinstance(seeds, np.ndarray) else seeds))
    paths = choice_paths(scenario)
    streams = WorldStreams(seeds)
    picks = np.zeros((seeds.size, len(paths)), dtype=np.int64)
    for j, path in enumerate(paths):
        edges = np.cumsum(scenario.uncertainty[path].probabilities())[:-1]
        picks[:, j] = np.searchsorted(edges, streams.uniform(f"uncertainty:{path}", 0), side="right")
    return picks


_VARIANTS: dict[tuple[str, tuple[int, ...]], Scenario] = {}  # (scenario digest, picks) -> variant


def _variant(scenario: Scenario, digest: str, picks: tuple[int, ...]) -> Scenario:
    key = (digest, picks)
    if key not in _VARIANTS:
        if len(_VARIANTS) > 512:
            _VARIANTS.clear()
        paths = choice_paths(scenario)
        _VARIANTS[key] = scenario.with_values({p: scenario.uncertainty[p].values[i] for p, i in zip(paths, picks)})
    return _VARIANTS[key]


def split_variants(scenario: Scenario, seeds: Iterable[int] | np.ndarray) -> list[tuple[Scenario, np.ndarray]]:
    """The scenario's variants among ``seeds``, each with its seeds (in the order given),
    ordered by each variant's first seed. Without choices: the scenario and every seed."""
    seeds = world_seeds(np.asarray(list(seeds) if not isinstance(seeds, np.ndarray) else seeds))
    if not choice_paths(scenario):
        return [(scenario, seeds)]
    picks = draw_choices(scenario, seeds)
    groups: dict[tuple[int, ...], list[int]] = {}
    for row, pick in enumerate(map(tuple, picks)):
        groups.setdefault(pick, []).append(row)
    digest = scenario.digest()
    return [(_variant(scenario, digest, pick), seeds[rows]) for pick, rows in groups.items()]


def chosen_values(scenario: Scenario, variant: Scenario) -> dict[str, object]:
    """What a variant chose at each of the base scenario's choice paths, as table-friendly
    values: a number stays a number; anything else becomes its text."""
    out: dict[str, object] = {}
    for path in choice_paths(scenario):
        value = lookup(variant.plain, path)
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        out[path] = float(value) if numeric else str(list(value) if isinstance(value, tuple) else value)
    return out
