"""Uncertainty on a scenario's inputs, drawn for every world from its own stream."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from negosim.scenario.fields import FiniteFloat, NonNegFloat, Strict


class Distribution(Strict):
    """Uncertainty on one parameter, drawn independently for every world.

    Continuous: ``uniform`` (low, high), ``normal`` (mean, sd; clipped to
    low/high when given), ``triangular`` (low, mode, high), ``beta`` (a, b on
    [low, high], default [0, 1]). Discrete: ``choice`` picks one of ``values``
    (numbers, words, lists: any value the key path takes, such as a latency in
    days or a list of bracketed clauses) with the given ``weights`` (equal by
    default); worlds that draw the same choices run together.
    """

    dist: Literal["uniform", "normal", "triangular", "beta", "choice"]
    low: FiniteFloat | None = None
    high: FiniteFloat | None = None
    mode: FiniteFloat | None = None
    mean: FiniteFloat | None = None
    sd: NonNegFloat | None = None
    a: Annotated[float, Field(gt=0.0, allow_inf_nan=False)] | None = None
    b: Annotated[float, Field(gt=0.0, allow_inf_nan=False)] | None = None
    values: tuple[Any, ...] | None = Field(default=None, min_length=1, max_length=64)
    weights: tuple[Annotated[float, Field(gt=0.0, allow_inf_nan=False)], ...] | None = None

    @model_validator(mode="after")
    def _complete(self) -> Distribution:
        need = {
            "uniform": ("low", "high"),
            "normal": ("mean", "sd"),
            "triangular": ("low", "mode", "high"),
            "beta": ("a", "b"),
            "choice": ("values",),
        }[self.dist]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.dist} distribution needs {', '.join(missing)}")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low must not exceed high")
        if self.dist == "triangular" and not (self.low <= self.mode <= self.high):
            raise ValueError("triangular needs low <= mode <= high")
        if self.weights is not None and (self.values is None or len(self.weights) != len(self.values)):
            raise ValueError("one weight for each of the values")
        return self

    @property
    def discrete(self) -> bool:
        return self.dist == "choice"

    def probabilities(self) -> list[float]:
        """The chance of each of ``values`` (a choice)."""
        weights = self.weights or (1.0,) * len(self.values)
        total = sum(weights)
        return [w / total for w in weights]
