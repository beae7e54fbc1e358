"""negosim: an agent-based simulator of mediated, multi-party negotiation."""

from negosim.scenario import Scenario, ScenarioError, load_scenario
from negosim.model import NegotiationModel
from negosim.ensemble import EnsembleResult, run_ensemble
from negosim.experiment import ExperimentResult, load_experiment, run_experiment

__version__ = "0.1.0"

__all__ = [
    "EnsembleResult",
    "ExperimentResult",
    "NegotiationModel",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load_experiment",
    "load_scenario",
    "run_ensemble",
    "run_experiment",
]
