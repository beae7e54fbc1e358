"""Edited copies of a scenario (the teaching toggles); the original is never changed."""

from __future__ import annotations

from negosim.scenario.schema import Scenario, build_scenario


def with_direct_channel(scenario: Scenario, a: str, b: str, latency: int = 1) -> Scenario:
    """A copy of ``scenario`` with a full two-way channel between ``a`` and ``b``
    (replacing any filtered channel between them): the teaching toggle.

    >>> from negosim.scenario import load_scenario
    >>> s = with_direct_channel(load_scenario("teaching_three_party"), "A", "B")
    >>> [c.label for c in s.channels if {c.source, c.target} == {"A", "B"}]
    ['direct']
    """
    raw = scenario.model_dump(mode="python", by_alias=True)
    raw["channels"] = [ch for ch in raw["channels"] if {ch["from"], ch["to"]} != {a, b}] + [
        {
            "from": a,
            "to": b,
            "label": "direct",
            "latency": latency,
            "reliability": 1.0,
            "clauses": None,
            "both_ways": True,
        }
    ]
    return build_scenario(raw, scenario.source)
