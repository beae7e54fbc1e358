"""Ratification gates: a signature that takes effect only once a vote passes.

A deal a principal signs is put to a vote (a parliament, a referendum) ``days``
after the deal; it passes with probability ``pass_prob``, drawn per world. A
failed vote means the principal's signature never takes effect: the world's
outcome is ``rejected``. A vote after the horizon leaves the deal signed and
not yet ratified.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from negosim.scenario.fields import Id, Label, Strict, UnitFloat


class Ratification(Strict):
    """A vote on a signed deal: ``party`` (a principal) whose signature it gates,
    held ``days`` in [0, 3650] after the deal, passing with probability ``pass_prob``."""

    party: Id
    label: Label = ""
    days: Annotated[int, Field(ge=0, le=3650)] = 0
    pass_prob: UnitFloat = 1.0  # [0, 1]
