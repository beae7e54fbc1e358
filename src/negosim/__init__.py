"""negosim: an agent-based simulator of mediated, multi-party negotiation.

The public names below are loaded on first use, so ``import negosim`` is
quick and pulls in none of Mesa, SciPy, pandas or matplotlib.

>>> import negosim
>>> negosim.load_scenario("teaching_two_party").principals
['A', 'B']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.2.0"

# public name -> the module that defines it
_PUBLIC = {
    "Scenario": "negosim.scenario",
    "ScenarioError": "negosim.errors",
    "OutputError": "negosim.errors",
    "load_scenario": "negosim.scenario",
    "shipped_scenarios": "negosim.scenario",
    "NegotiationModel": "negosim.engine.model",
    "Recorder": "negosim.analysis.narrative",
    "trace": "negosim.analysis.narrative",
    "reference_points": "negosim.analysis.reference",
    "EnsembleResult": "negosim.runs.ensemble",
    "run_ensemble": "negosim.runs.ensemble",
    "ExperimentResult": "negosim.runs.experiment",
    "run_experiment": "negosim.runs.experiment",
    "load_experiment": "negosim.runs.experiment_spec",
    "experiment_from": "negosim.runs.experiment_spec",
}

__all__ = sorted([*_PUBLIC, "__version__"])

if TYPE_CHECKING:  # for type checkers and editors; at run time the names load lazily
    from negosim.analysis.narrative import Recorder, trace
    from negosim.analysis.reference import reference_points
    from negosim.engine.model import NegotiationModel
    from negosim.errors import OutputError, ScenarioError
    from negosim.runs.ensemble import EnsembleResult, run_ensemble
    from negosim.runs.experiment import ExperimentResult, run_experiment
    from negosim.runs.experiment_spec import experiment_from, load_experiment
    from negosim.scenario import Scenario, load_scenario, shipped_scenarios


def __getattr__(name: str):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'negosim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
