"""The named vocabulary of negosim: every status, class, kind and response, in one place.

Integer enums are stored in numpy arrays (a clause's status, a world's
outcome), so they compare and index like the small integers they are; string
enums are what scenario files spell out. Nothing else in the package uses a
bare code for any of these.

>>> ClauseStatus.BRACKETED > ClauseStatus.AGREED, ClauseStatus(2).label
(True, 'bracketed')
>>> Outcome.from_label("deal") is Outcome.DEAL
True
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class _Labelled(IntEnum):
    """An integer enum whose lower-case name is the word users read."""

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def labels(cls) -> tuple[str, ...]:
        return tuple(member.label for member in cls)

    @classmethod
    def from_label(cls, label: str):
        return cls[label.upper()]


class ClauseStatus(_Labelled):
    """Where a clause stands in a text. Statuses after AGREED are off the table:
    a party scores them at its worst pole if it insists on them, else not at all."""

    OPEN = 0
    AGREED = 1
    BRACKETED = 2  # set aside for the leaders, may come back
    DROPPED = 3


class Outcome(_Labelled):
    """How a world ended (the codes are the categories of the outcome table)."""

    DEAL = 0  # every principal signed the same version
    FRAMEWORK = 1  # some but not all principals signed
    DEADLOCK = 2  # nothing was signed
    BREAKDOWN = 3  # a principal walked out


UNSETTLED = -1  # a world still running has no outcome yet


class Response(_Labelled):
    """What a principal does with the text it holds in a round."""

    WAIT = 0  # nothing new to answer, or already committed to this version
    SIGN = 1
    OBJECT = 2
    WALK_OUT = 3


class Role(StrEnum):
    MEDIATOR = "mediator"
    PRINCIPAL = "principal"
    OBSERVER = "observer"


class TacticKind(StrEnum):
    """Concession tactics (Faratin, Sierra & Jennings 1998) and tit-for-tat."""

    BOULWARE = "boulware"
    CONCEDER = "conceder"
    LINEAR = "linear"
    TIT_FOR_TAT = "tit_for_tat"

    @property
    def default_exponent(self) -> float:
        return {"boulware": 0.3, "conceder": 3.0}.get(self.value, 1.0)


class DeadlineKind(StrEnum):
    HARD = "hard"
    SOFT = "soft"  # extended with a probability
    ABSENT = "absent"  # kept for the record; does nothing


class Expiry(StrEnum):
    """What an expired deadline does."""

    END = "end"  # the talks end
    PRESSURE = "pressure"  # the mediator applies all its leverage at once


class Shape(StrEnum):
    """How a party values distance from its ideal on one clause."""

    LINEAR = "linear"
    QUADRATIC = "quadratic"
    THRESHOLD = "threshold"

    @property
    def code(self) -> int:
        return list(Shape).index(self)


class EventKind(StrEnum):
    """What the engine tells its listeners about the recorded world."""

    RECEIVE = "receive"
    THREAT = "threat"
    SIGN = "sign"
    OBJECT = "object"
    WALKOUT = "walkout"
    ADVICE = "advice"
    REOPEN = "reopen"
    BRACKET = "bracket"
    REVISE = "revise"
    PRESSURE = "pressure"
    DEADLINE = "deadline"
    END = "end"
    ROUND_END = "round_end"
