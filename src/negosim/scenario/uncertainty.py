"""Uncertainty on a scenario's inputs, drawn for every world from its own stream."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from negosim.scenario.fields import Strict
from negosim.scenario.ranges import FieldRange

# [-1e6, 1e6]: wider than any field's range, which each distribution must keep to anyway.
Param = Annotated[float, Field(ge=-1e6, le=1e6, allow_inf_nan=False)]
Spread = Annotated[float, Field(ge=0.0, le=1e6, allow_inf_nan=False)]  # [0, 1e6]: a normal's sd
BetaShape = Annotated[float, Field(ge=1e-3, le=1e3, allow_inf_nan=False)]  # [0.001, 1000]: beta's a and b
ChoiceWeight = Annotated[float, Field(gt=0.0, le=1e6, allow_inf_nan=False)]  # (0, 1e6]


class Distribution(Strict):
    """Uncertainty on one parameter, drawn independently for every world.

    Continuous: ``uniform`` (low, high), ``normal`` (mean, sd), ``triangular``
    (low, mode, high), ``beta`` (a, b on [low, high], default [0, 1]).
    Discrete: ``choice`` picks one of ``values`` (numbers, words, lists: any
    value the key path takes, such as a latency in days or a list of
    bracketed clauses) with the given ``weights`` (equal by default); worlds
    that draw the same choices run together.

    Every draw lies in the valid range of its field (see
    :func:`negosim.scenario.ranges.field_range`): a ``uniform``,
    ``triangular`` or ``beta`` whose [low, high] leaves that range, or a
    ``choice`` value outside it, is an error. A ``normal`` is truncated to
    the field's range, cut further to its own ``low``/``high`` when given,
    by clipping: a draw beyond a bound lands on the bound (the mass is not
    spread back), so its ``mean`` must lie inside. A strict bound (such as a
    reliability above 0) is kept by landing on the nearest representable
    number inside it.
    """

    dist: Literal["uniform", "normal", "triangular", "beta", "choice"]
    low: Param | None = None
    high: Param | None = None
    mode: Param | None = None
    mean: Param | None = None
    sd: Spread | None = None
    a: BetaShape | None = None
    b: BetaShape | None = None
    values: tuple[Any, ...] | None = Field(default=None, min_length=1, max_length=64)
    weights: tuple[ChoiceWeight, ...] | None = Field(default=None, max_length=64)

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

    def support(self) -> tuple[float, float]:
        """The closed interval a continuous distribution draws from before any truncation.

        >>> Distribution(dist="beta", a=2, b=2).support(), Distribution(dist="normal", mean=0, sd=1).support()
        ((0.0, 1.0), (-inf, inf))
        """
        low = {"beta": 0.0, "normal": -math.inf}.get(self.dist) if self.low is None else self.low
        high = {"beta": 1.0, "normal": math.inf}.get(self.dist) if self.high is None else self.high
        return low, high

    def bounds(self, valid: FieldRange) -> tuple[float, float]:
        """The least and greatest draw for a field of range ``valid``: the support cut to it.

        >>> Distribution(dist="normal", mean=0.9, sd=0.5).bounds(FieldRange(0.0, 1.0, low_open=True))
        (5e-324, 1.0)
        """
        return valid.within(*self.support()).inner
