"""The scenario tables that describe parties and the mediator: what each wants and how it bargains."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from negosim.scenario.fields import MAX_ROUNDS, FiniteFloat, NonNegFloat, Strict, UnitFloat
from negosim.vocabulary import Role, Shape, SigningRule, TacticKind


class Bound(Strict):
    """A red line: the party never signs a text with the clause outside [min, max]."""

    min: UnitFloat = 0.0
    max: UnitFloat = 1.0

    @model_validator(mode="after")
    def _ordered(self) -> Bound:
        if self.min > self.max:
            raise ValueError("min must not exceed max")
        return self


class Tactic(Strict):
    """How a party's aspiration falls over time (Faratin, Sierra & Jennings 1998).

    ``boulware`` (exponent < 1) holds out until late, ``conceder`` (exponent > 1)
    gives ground early, ``linear`` is exponent 1; ``tit_for_tat`` lowers its
    aspiration by what the other side conceded to it in the last revision.
    """

    kind: TacticKind
    exponent: Annotated[float, Field(gt=0.0, le=50.0, allow_inf_nan=False)] | None = None
    initial: Annotated[float, Field(gt=0.0, le=1.0, allow_inf_nan=False)] = 1.0
    reciprocity: Annotated[float, Field(ge=0.0, le=5.0, allow_inf_nan=False)] = 1.0

    @property
    def effective_exponent(self) -> float:
        return self.exponent if self.exponent is not None else self.kind.default_exponent


class Reservation(Strict):
    """The worth of no deal, i.e. of continuing the war.

    r(t) = base + territory_weight * (p(t) - p(0) + expected_drift * lookahead)
           - war_cost * t - pressure received
    """

    base: FiniteFloat
    territory_weight: FiniteFloat = 0.0
    expected_drift: FiniteFloat = 0.0
    lookahead: Annotated[float, Field(ge=0.0, le=1000.0, allow_inf_nan=False)] = 0.0
    war_cost: FiniteFloat = 0.0


class Veto(Strict):
    """Refuse any text whose salience-weighted distance from ``reference`` on
    ``clauses`` exceeds ``tolerance`` (Russia's "spirit and letter of Anchorage")."""

    reference: str
    clauses: tuple[str, ...] = Field(min_length=1)
    tolerance: UnitFloat


class Walkout(Strict):
    """Leave the talks after ``patience`` rounds below reservation by ``margin``."""

    margin: NonNegFloat = 0.1
    patience: Annotated[int, Field(ge=1, le=MAX_ROUNDS)] = 5


class TimeSense(Strict):
    """A principal's own sense of time when no deadline binds it: its concession clock
    runs to ``horizon_days`` after the start (never to the run's horizon)."""

    horizon_days: Annotated[float, Field(gt=0.0, le=36500.0, allow_inf_nan=False)]


class Party(Strict):
    """One party: what it wants (ideal, salience, value shapes, red lines, insistence),
    what no deal is worth to it, how it concedes and decides, when it signs."""

    label: str
    role: Role
    capability: Annotated[float, Field(gt=0.0, allow_inf_nan=False)] = 1.0
    ideal: dict[str, UnitFloat]
    salience: dict[str, NonNegFloat]
    shape: Shape = Shape.LINEAR
    shapes: dict[str, Shape] = {}
    tolerance: Annotated[float, Field(gt=0.0, le=1.0, allow_inf_nan=False)] = 0.3
    red_lines: dict[str, Bound] = {}
    insists_on: tuple[str, ...] = ()
    reservation: Reservation | None = None
    tactic: Tactic | None = None
    noise: NonNegFloat = 0.0
    veto: Veto | None = None
    walkout: Walkout = Walkout()
    advice_weight: NonNegFloat = 0.0
    time: TimeSense | None = None
    signs: SigningRule = SigningRule.ON_ACCEPTANCE

    @model_validator(mode="after")
    def _principal_needs(self) -> Party:
        if self.role == Role.PRINCIPAL:
            if self.reservation is None:
                raise ValueError("a principal needs a [reservation] table")
            if self.tactic is None:
                raise ValueError("a principal needs a [tactic] table")
        return self


class Leverage(Strict):
    """Threats the mediator can make to one principal, per round."""

    per_round: NonNegFloat = 0.0
    credibility: UnitFloat = 1.0
    maximum: NonNegFloat = 0.0
    start_round: Annotated[int, Field(ge=0, le=MAX_ROUNDS)] = 0


class Bracketing(Strict):
    enabled: bool = False
    after: Annotated[int, Field(ge=1, le=MAX_ROUNDS)] = 4
    threshold: NonNegFloat = 0.05


class Mediator(Strict):
    """The mediator owns the single negotiating text (Raiffa) and revises it.

    Its payoff is its own clause utility, plus ``deal_bonus`` for a deal,
    minus ``impatience`` per round used; impatience also makes its threats
    grow by that fraction each round.
    """

    party: str
    start_text: str
    bias: Annotated[float, Field(ge=-1.0, le=1.0, allow_inf_nan=False)] = 0.0
    own_weight: NonNegFloat = 0.0
    step: Annotated[float, Field(gt=0.0, le=0.25, allow_inf_nan=False)] = 0.05
    deal_bonus: NonNegFloat = 0.0
    impatience: NonNegFloat = 0.0
    leverage: dict[str, Leverage] = {}
    bracketing: Bracketing = Bracketing()
    insists_on: tuple[str, ...] = ()  # clauses it keeps on the table: it reopens them and never brackets them
