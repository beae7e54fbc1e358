"""Parameter sweeps: a base scenario, axes by key path, a design, seeds per point.

An experiment file is TOML, data only::

    [experiment]
    name = "mediator_bias"
    scenario = "geneva_vs_anchorage"   # a shipped name, or a path relative to this file
    design = "full_factorial"          # or "latin_hypercube", "sobol", "saltelli" (Sobol' indices)
    points = 16                        # latin_hypercube / sobol; saltelli: base samples N (N x (axes + 2) points)
    seeds = 200                        # worlds per point
    seed = 0                           # first world seed; also seeds the design sampler
    baseline = 0                       # optional: report every point's paired difference to this one

    [axes."mediator.bias"]
    values = [-0.5, 0.0, 0.5]          # or low = -0.5, high = 0.5, steps = 5

Every point runs the same world seeds (common random numbers, as in
AgentPy's experiments), so differences between points are the parameters'
doing, not sampling noise. The result is one tidy table indexed by
(point, seed), with the axis values as columns, written as chunks finish and
resumable like a single run.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from negosim.errors import ScenarioError
from negosim.scenario import Scenario, load_scenario, resolve_scenario
from negosim.scenario.fields import KeyPath, Text
from negosim.scenario.keypaths import lookup
from negosim.scenario.tomlfile import read_toml, validation_error

MAX_POINTS = 100_000


class Axis(BaseModel):
    """One swept parameter: explicit values, or a range."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    values: tuple[Annotated[float, Field(allow_inf_nan=False)], ...] | None = Field(
        default=None, min_length=1, max_length=10_000
    )
    low: Annotated[float, Field(allow_inf_nan=False)] | None = None
    high: Annotated[float, Field(allow_inf_nan=False)] | None = None
    steps: Annotated[int, Field(ge=1, le=10_000)] = 5

    @model_validator(mode="after")
    def _one_form(self) -> Axis:
        if (self.values is None) == (self.low is None or self.high is None):
            raise ValueError("give either values = [...] or low and high")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low must not exceed high")
        return self

    def grid(self) -> np.ndarray:
        if self.values is not None:
            return np.array(self.values, dtype=float)
        return np.linspace(self.low, self.high, self.steps)

    def bounds(self) -> tuple[float, float]:
        grid = self.grid()
        return float(grid.min()), float(grid.max())


class Header(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$", max_length=100)  # a plain name, never a path
    description: Text = ""
    scenario: Annotated[str, Field(min_length=1, max_length=4096)]
    design: Literal["full_factorial", "latin_hypercube", "sobol", "saltelli"] = "full_factorial"
    points: Annotated[int, Field(ge=1, le=MAX_POINTS)] = 16
    seeds: Annotated[int, Field(ge=1, le=10_000_000)] = 100
    seed: Annotated[int, Field(ge=0, lt=2**62)] = 0
    baseline: Annotated[int, Field(ge=0, lt=MAX_POINTS)] | None = None  # a point to report paired differences to


class ExperimentSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    experiment: Header
    axes: dict[KeyPath, Axis] = Field(min_length=1, max_length=64)


@dataclass
class Experiment:
    """A validated experiment: its header, axes, base scenario and design."""

    spec: ExperimentSpec
    scenario: Scenario
    source: str = "<memory>"

    @property
    def name(self) -> str:
        return self.spec.experiment.name

    @property
    def axes(self) -> list[str]:
        return list(self.spec.axes)

    @property
    def point_count(self) -> int:
        """How many design points the experiment has (known before the design is built)."""
        head, axes = self.spec.experiment, self.spec.axes.values()
        if head.design == "saltelli":  # SALib's design: N base samples x (inputs + 2)
            return head.points * (len(self.spec.axes) + 2)
        if head.design != "full_factorial":
            return head.points
        return math.prod(len(a.values) if a.values is not None else a.steps for a in axes)

    @property
    def world_seeds(self) -> np.ndarray:
        head = self.spec.experiment
        return np.arange(head.seed, head.seed + head.seeds, dtype=np.int64)

    def design(self) -> pd.DataFrame:
        """One row per point (index ``point``), one column per axis."""
        head, axes = self.spec.experiment, self.spec.axes
        names = list(axes)
        if head.design == "full_factorial":
            rows = list(itertools.product(*(axes[n].grid() for n in names)))
            values = np.array(rows, dtype=float)
        elif head.design == "saltelli":
            from SALib.sample import sobol as saltelli

            with warnings.catch_warnings():  # SALib prefers powers of two; other counts still work
                warnings.simplefilter("ignore", UserWarning)
                values = saltelli.sample(self.problem(), head.points, calc_second_order=False, seed=head.seed)
        else:
            from scipy.stats import qmc  # scipy.stats is slow to import; only sampled designs need it

            sampler = (
                qmc.LatinHypercube(d=len(names), seed=head.seed)
                if head.design == "latin_hypercube"
                else qmc.Sobol(d=len(names), scramble=True, seed=head.seed)
            )
            with warnings.catch_warnings():  # Sobol prefers powers of two; other counts still work
                warnings.simplefilter("ignore", UserWarning)
                unit = sampler.random(head.points)
            low, high = np.array([axes[n].bounds() for n in names]).T
            values = qmc.scale(unit, low, high) if (high > low).all() else low + unit * (high - low)
        if len(values) > MAX_POINTS:
            raise ScenarioError(self.source, "axes", f"at most {MAX_POINTS} design points (got {len(values)})")
        table = pd.DataFrame(values, columns=names)
        table.index.name = "point"
        return table

    def problem(self) -> dict:
        """The axes as a SALib problem (names and bounds)."""
        names = list(self.spec.axes)
        return {"num_vars": len(names), "names": names, "bounds": [list(self.spec.axes[n].bounds()) for n in names]}

    def point_scenario(self, row: pd.Series) -> Scenario:
        overrides = {path: _typed(self.scenario, path, value) for path, value in row.items()}
        try:
            return self.scenario.with_values(overrides)
        except ScenarioError as exc:
            raise ScenarioError(self.source, f"axes.{exc.key}", exc.expected) from None

    def digest(self) -> str:
        blob = json.dumps(self.spec.model_dump(mode="json"), sort_keys=True) + self.scenario.digest()
        return hashlib.sha256(blob.encode()).hexdigest()


def _typed(scenario: Scenario, path: str, value: float) -> float | int:
    """Keep integer parameters integers (a latency swept over 1..4 stays an int)."""
    current = lookup(scenario.plain, path)
    return round(value) if isinstance(current, int) and not isinstance(current, bool) else float(value)


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file; errors name the file and key path."""
    path = Path(path)
    raw, source = read_toml(path)
    try:
        spec = ExperimentSpec.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(exc, source, ExperimentSpec) from None
    name = spec.experiment.scenario
    candidate = path.parent / name
    try:
        scenario_path = candidate if candidate.suffix == ".toml" and candidate.is_file() else resolve_scenario(name)
        found = scenario_path.is_file()
    except OSError:  # not a possible file name (too long, say)
        found = False
    if not found:
        raise ScenarioError(source, "experiment.scenario", f"a scenario name or file (got {name!r})")
    scenario = load_scenario(scenario_path)
    return build_experiment(spec, scenario, source)


def build_experiment(spec: ExperimentSpec, scenario: Scenario, source: str = "<memory>") -> Experiment:
    for path in spec.axes:
        key = f"axes.{path}"
        try:
            value = lookup(scenario.plain, path)
        except KeyError:
            raise ScenarioError(source, key, "a key path to a number in the scenario") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScenarioError(source, key, "a key path to a numeric parameter (not an id, date or flag)")
    experiment = Experiment(spec, scenario, source)
    baseline = spec.experiment.baseline
    if baseline is not None and baseline >= experiment.point_count:
        raise ScenarioError(source, "experiment.baseline", f"a design point, 0 to {experiment.point_count - 1}")
    if experiment.point_count > MAX_POINTS:
        raise ScenarioError(
            source, "axes", f"at most {MAX_POINTS:,} design points (these axes make {experiment.point_count:,})"
        )
    # Each axis at both ends must make a valid scenario (limits are intervals, so the rest do too).
    for path, axis in spec.axes.items():
        for value in axis.bounds():
            experiment.point_scenario(pd.Series({path: value}))
    return experiment


def experiment_from(
    scenario: Scenario,
    axes: dict[str, dict],
    *,
    name: str = "sweep",
    design: str = "full_factorial",
    points: int = 16,
    seeds: int = 100,
    seed: int = 0,
) -> Experiment:
    """An experiment built in Python rather than read from a file."""
    spec = ExperimentSpec.model_validate(
        {
            "experiment": {
                "name": name,
                "scenario": scenario.meta.name,
                "design": design,
                "points": points,
                "seeds": seeds,
                "seed": seed,
            },
            "axes": axes,
        }
    )
    return build_experiment(spec, scenario)


def with_changes(experiment: Experiment, *, seeds: int | None = None, assignments: list[str] = ()) -> Experiment:
    """The experiment with another number of worlds per point and/or ``--set`` values applied to its
    base scenario (see :mod:`negosim.scenario.overrides`); an unchanged experiment is returned as is.

    >>> from negosim import experiment_from, load_scenario
    >>> sweep = experiment_from(load_scenario("teaching_two_party"), {"mediator.bias": {"values": [0.0]}}, seeds=5)
    >>> changed = with_changes(sweep, seeds=7, assignments=["mediator.step=0.05"])
    >>> changed.spec.experiment.seeds, changed.scenario.mediator.step
    (7, 0.05)
    """
    from negosim.scenario.overrides import apply_assignments

    if seeds is None and not assignments:
        return experiment
    spec = experiment.spec
    if seeds is not None:
        spec = spec.model_copy(update={"experiment": spec.experiment.model_copy(update={"seeds": seeds})})
    return build_experiment(spec, apply_assignments(experiment.scenario, list(assignments)), experiment.source)
