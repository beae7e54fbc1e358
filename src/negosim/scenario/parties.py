"""The scenario tables that describe parties and the mediator: what each wants and how it bargains.

Utilities live in [0, 1], so every number here has a range in utility units
or in rounds; a range is written beside its field and checked on loading.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from negosim.scenario.fields import (
    Id,
    Ids,
    Label,
    PositiveRounds,
    PositiveUnitFloat,
    Rounds,
    SignedUnitFloat,
    Strict,
    UnitFloat,
    Weight,
)
from negosim.vocabulary import Role, Shape, SigningRule, TacticKind


class Bound(Strict):
    """A red line: the party never signs a text with the clause outside [min, max]."""

    min: UnitFloat = 0.0  # [0, 1]
    max: UnitFloat = 1.0  # [0, 1]

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
    exponent: Annotated[float, Field(gt=0.0, le=50.0, allow_inf_nan=False)] | None = None  # (0, 50]
    initial: PositiveUnitFloat = 1.0  # (0, 1]: the utility it first demands
    reciprocity: Annotated[float, Field(ge=0.0, le=5.0, allow_inf_nan=False)] = 1.0  # [0, 5]

    @property
    def effective_exponent(self) -> float:
        return self.exponent if self.exponent is not None else self.kind.default_exponent


class Reservation(Strict):
    """The worth of no deal, i.e. of continuing the war.

    r(t) = base + territory_weight * (p(t) - p(0) + expected_drift * lookahead)
           - war_cost * t - pressure received

    ``base`` in [-1, 2] (below 0: any deal beats war; above 1: none does),
    ``territory_weight`` in [-10, 10] per unit of territory, ``expected_drift``
    in [-1, 1] territory per round, ``lookahead`` in [0, 1000] rounds,
    ``war_cost`` in [0, 1] utility per round.
    """

    base: Annotated[float, Field(ge=-1.0, le=2.0, allow_inf_nan=False)]
    territory_weight: Annotated[float, Field(ge=-10.0, le=10.0, allow_inf_nan=False)] = 0.0
    expected_drift: SignedUnitFloat = 0.0
    lookahead: Annotated[float, Field(ge=0.0, le=1000.0, allow_inf_nan=False)] = 0.0
    war_cost: UnitFloat = 0.0


class Veto(Strict):
    """Refuse any text whose salience-weighted distance from ``reference`` on
    ``clauses`` exceeds ``tolerance`` (Russia's "spirit and letter of Anchorage")."""

    reference: Id
    clauses: Ids = Field(min_length=1)
    tolerance: UnitFloat  # [0, 1]


class Walkout(Strict):
    """Leave the talks after ``patience`` rounds below reservation by ``margin``."""

    margin: Annotated[float, Field(ge=0.0, le=10.0, allow_inf_nan=False)] = 0.1  # [0, 10], in utility units
    patience: PositiveRounds = 5  # [1, 2000]


class TimeSense(Strict):
    """A principal's own sense of time when no deadline binds it: its concession clock
    runs to ``horizon_days`` after the start (never to the run's horizon)."""

    horizon_days: Annotated[float, Field(gt=0.0, le=36500.0, allow_inf_nan=False)]  # (0, 36500]: up to 100 years


class Party(Strict):
    """One party: what it wants (ideal, salience, value shapes, red lines, insistence),
    what no deal is worth to it, how it concedes and decides, when it signs.

    A principal ``represented_by`` another signs through it (FRY for the Republika Srpska
    at Dayton): a deal needs the representative's acceptance, not its own, and binds it
    when the representative signs; its own acceptance is its initialling, recorded
    whether or not it comes; the mediator weighs its objections like an observer's
    (``advice_weight``); its walking out does not end the talks.

    ``capability`` in (0, 1000] weighs its objections against the others'
    (only ratios matter); ``salience`` in [0, 1000] per clause (only ratios
    matter); ``noise`` in [0, 1] is the spread of its acceptance judgment in
    utility; ``advice_weight`` in [0, 10] (an observer's pull, where the
    principals' pulls sum to 1).
    """

    label: Label
    role: Role
    capability: Annotated[float, Field(gt=0.0, le=1000.0, allow_inf_nan=False)] = 1.0
    ideal: dict[Id, UnitFloat]  # [0, 1] per clause
    salience: dict[Id, Weight]
    shape: Shape = Shape.LINEAR
    shapes: dict[Id, Shape] = {}
    tolerance: PositiveUnitFloat = 0.3  # (0, 1]: the width of a threshold shape
    red_lines: dict[Id, Bound] = {}
    insists_on: Ids = ()
    reservation: Reservation | None = None
    tactic: Tactic | None = None
    noise: UnitFloat = 0.0
    veto: Veto | None = None
    walkout: Walkout = Walkout()
    advice_weight: Annotated[float, Field(ge=0.0, le=10.0, allow_inf_nan=False)] = 0.0
    time: TimeSense | None = None
    signs: SigningRule = SigningRule.ON_ACCEPTANCE
    represented_by: Id | None = None

    @model_validator(mode="after")
    def _principal_needs(self) -> Party:
        if self.role == Role.PRINCIPAL:
            if self.reservation is None:
                raise ValueError("a principal needs a [reservation] table")
            if self.tactic is None:
                raise ValueError("a principal needs a [tactic] table")
        return self


class Leverage(Strict):
    """Threats the mediator can make to one principal, per round: ``per_round`` in [0, 1]
    and in all at most ``maximum`` in [0, 1000] (utility taken off its reservation)."""

    per_round: UnitFloat = 0.0
    credibility: UnitFloat = 1.0  # [0, 1]: the chance a threat is believed
    maximum: Annotated[float, Field(ge=0.0, le=1000.0, allow_inf_nan=False)] = 0.0
    start_round: Rounds = 0  # [0, 2000]


class Bracketing(Strict):
    """Clauses the sides keep pulling apart for ``after`` rounds go to the leaders, bracketed;
    a pull counts when it exceeds ``threshold`` in [0, 100] (objections are utility gradients
    scaled by urgency, at most 50 times the gradient)."""

    enabled: bool = False
    after: PositiveRounds = 4  # [1, 2000]
    threshold: Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False)] = 0.05


class Deferral(Strict):
    """Clauses the sides will not meet on go to another track for good (a side letter, an
    arbitration, later talks): those that principals push opposite ways, each harder than
    ``threshold`` in [0, 100000] (by default only a crossed red line, which pushes with 1000;
    an ordinary objection is at most 50 times its utility gradient), for ``after`` revisions
    in a row. At most one clause a round, the longest disputed first; at most ``most`` in
    [0, 200] in all; only clauses in ``clauses`` (absent: any); never one the mediator
    insists on."""

    enabled: bool = False
    after: PositiveRounds = 8  # [1, 2000]
    threshold: Annotated[float, Field(ge=0.0, le=100000.0, allow_inf_nan=False)] = 100.0
    most: Annotated[int, Field(ge=0, le=200)] = 1
    clauses: Ids | None = None


class Mediator(Strict):
    """The mediator owns the single negotiating text (Raiffa) and revises it.

    Its payoff is its own clause utility, plus ``deal_bonus`` for a deal,
    minus ``impatience`` per round used; impatience also makes its threats
    grow linearly, to ``per_round × (1 + impatience × rounds)``. ``bias`` in [-1, 1] leans toward the
    low (-1) or high (+1) pole; ``own_weight`` in [0, 10] is the pull of its
    own interests (the principals' pulls sum to 1); ``step`` in (0, 0.15] is
    its first revision per clause; ``deal_bonus`` in [0, 10]; ``impatience``
    in [0, 1] per round.
    """

    party: Id
    start_text: Id
    bias: SignedUnitFloat = 0.0
    own_weight: Annotated[float, Field(ge=0.0, le=10.0, allow_inf_nan=False)] = 0.0
    step: Annotated[float, Field(gt=0.0, le=0.15, allow_inf_nan=False)] = 0.05
    deal_bonus: Annotated[float, Field(ge=0.0, le=10.0, allow_inf_nan=False)] = 0.0
    impatience: UnitFloat = 0.0
    leverage: dict[Id, Leverage] = {}
    bracketing: Bracketing = Bracketing()
    deferral: Deferral = Deferral()
    insists_on: Ids = ()  # clauses it keeps on the table: it reopens them and never brackets them
