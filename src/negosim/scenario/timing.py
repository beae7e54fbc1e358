"""The scenario's clock: the calendar, deadlines, and changes scheduled on dates."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, model_validator

from negosim.scenario.fields import MAX_CHANNELS, MAX_DEADLINES, MAX_ENTRIES, MAX_ROUNDS, Id, Label, Strict, UnitFloat
from negosim.vocabulary import DeadlineKind, Expiry, ScheduleKind


class Deadline(Strict):
    """A date by which a principal (or, with no ``party``, everyone) should sign.

    The party's concession clock runs to its current deadline. When the date
    passes unsigned, a ``soft`` deadline is extended with ``extension_prob``
    (at most ``max_extensions`` times); a ``hard`` one, or a soft one that is
    not extended, expires: ``on_expiry = "end"`` ends the talks,
    ``"pressure"`` makes the mediator apply all its leverage on that party at
    once. ``absent`` keeps the entry for the record and does nothing. A
    deadline ``announced`` after the start plays no part before that date.
    """

    label: Label = ""
    party: Id | None = None
    date: dt.date
    kind: DeadlineKind
    on_expiry: Expiry = Expiry.END
    extension_prob: UnitFloat = 0.0  # [0, 1]
    extension_days: Annotated[int, Field(ge=1, le=3650)] = 7  # [1, 3650]
    max_extensions: Annotated[int, Field(ge=0, le=100)] = 3  # [0, 100]
    announced: dt.date | None = None


class Calendar(Strict):
    """Rounds of ``round_days`` days from ``start`` to ``horizon``. Forecasts are read at
    ``report_dates`` (besides the horizon); the run may go on well past them."""

    start: dt.date
    round_days: Annotated[int, Field(ge=1, le=365)] = 1  # [1, 365]
    horizon: dt.date
    report_dates: tuple[dt.date, ...] = Field(default=(), max_length=MAX_ENTRIES)

    @model_validator(mode="after")
    def _ordered(self) -> Calendar:
        if self.horizon <= self.start:
            raise ValueError("horizon must come after start")
        rounds = (self.horizon - self.start).days // self.round_days + 1  # both ends, as self.rounds
        if rounds > MAX_ROUNDS:
            raise ValueError(f"at most {MAX_ROUNDS} rounds (got {rounds})")
        if any(not self.start <= d <= self.horizon for d in self.report_dates):
            raise ValueError("report dates between start and horizon")
        return self

    @property
    def rounds(self) -> int:
        """Rounds from start to horizon, both days included."""
        return (self.horizon - self.start).days // self.round_days + 1

    @property
    def forecast_dates(self) -> list[dt.date]:
        """The report dates and the horizon, in order, each once."""
        return sorted({*self.report_dates, self.horizon})

    def date_of(self, round_index: int) -> dt.date:
        return self.start + dt.timedelta(days=int(round_index) * self.round_days)

    def round_of(self, date: dt.date) -> int:
        """The first round on or after ``date``."""
        return -(-(date - self.start).days // self.round_days)

    def last_round_by(self, date: dt.date) -> int:
        """The last round on or before ``date`` (what has happened 'by' it)."""
        return (date - self.start).days // self.round_days


class ScheduledChange(Strict):
    """Something that changes on a date, known to the scenario from the start.

    ``channel_opens`` / ``channel_closes``: the channel ``channel`` (its index
    in ``[[channels]]``) carries messages only while open (a channel that
    opens later is closed until then). ``deadline_moved``: deadline
    ``deadline`` (its index) falls due on ``to`` instead. ``attention``: from
    ``date`` until ``until`` the mediator works on the text on a given day
    with probability ``level``. ``draft``: on ``date`` the mediator tables the text
    ``text`` (a name under ``[texts]``) as its next version; if by ``until`` not every
    principal a deal needs has accepted it, it withdraws it and returns to what it held
    before (a draft that overreaches and is rolled back).
    """

    date: dt.date
    kind: ScheduleKind
    label: Label = ""
    channel: Annotated[int, Field(ge=0, le=MAX_CHANNELS - 1)] | None = None  # [0, 2449]: an index into [[channels]]
    deadline: Annotated[int, Field(ge=0, le=MAX_DEADLINES - 1)] | None = None  # [0, 99]: an index into [[deadlines]]
    to: dt.date | None = None
    until: dt.date | None = None
    level: UnitFloat | None = None  # [0, 1]
    text: Id | None = None

    @model_validator(mode="after")
    def _complete(self) -> ScheduledChange:
        need = {
            ScheduleKind.CHANNEL_OPENS: ("channel",),
            ScheduleKind.CHANNEL_CLOSES: ("channel",),
            ScheduleKind.DEADLINE_MOVED: ("deadline", "to"),
            ScheduleKind.ATTENTION: ("until", "level"),
            ScheduleKind.DRAFT: ("text",),
        }[self.kind]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.kind.value} change needs {', '.join(missing)}")
        if self.until is not None and self.until < self.date:
            raise ValueError("until must not come before date")
        return self
