"""Scenarios: the schema, loading by name or path, key paths, and the mediation graph built from them.

Importing this package loads pydantic only; the graph (networkx, numpy) is
built when a model first asks for a scenario's routes.
"""

from negosim.errors import ScenarioError
from negosim.scenario.loading import FLAGSHIP, load_scenario, resolve_scenario, shipped_scenarios
from negosim.scenario.schema import Scenario, build_scenario

__all__ = [
    "FLAGSHIP",
    "Scenario",
    "ScenarioError",
    "build_scenario",
    "load_scenario",
    "resolve_scenario",
    "shipped_scenarios",
]
