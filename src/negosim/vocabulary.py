"""The named vocabulary of negosim: every status, class, kind and response, in one place.

Integer enums are stored in numpy arrays (a clause's status, a world's
outcome), so they compare and index like the small integers they are; string
enums are what scenario files spell out. Nothing else in the package uses a
bare code for any of these.

>>> ClauseStatus.BRACKETED > ClauseStatus.AGREED, ClauseStatus(2).label
(True, 'bracketed')
>>> Outcome.from_label("holdout").meaning
'some principals accepted a version; at least one never accepted any'

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
    BRACKETED = 2  # set aside for the leaders; a side that insists can reopen it
    DROPPED = 3
    DEFERRED = 4  # sent to a side letter, an arbitration or another track; not reopened in these talks


class Outcome(_Labelled):
    """How a world ended (the codes are the categories of the outcome table).

    A principal *accepts* a text when it would sign it; whether it also signs
    at once or only once everyone accepts is the scenario's :class:`SigningRule`.
    """

    DEAL = 0  # every principal accepted one version, and the mediator knows it
    HOLDOUT = 1  # some principals accepted a version; at least one never accepted any
    MISMATCH = 2  # every principal accepted some version, but never the same one
    PENDING = 3  # at the horizon, acceptances still on their way would make a deal
    DEADLOCK = 4  # no principal ever accepted anything
    BREAKDOWN = 5  # a principal walked out
    REJECTED = 6  # a deal was signed, and a vote a principal's signature needed failed
    PARTIAL = 7  # some packages of the text were signed, not all

    @property
    def meaning(self) -> str:
        return _OUTCOME_MEANINGS[self]


_OUTCOME_MEANINGS = {
    Outcome.DEAL: "every principal accepted one version, and the mediator registered it",
    Outcome.HOLDOUT: "some principals accepted a version; at least one never accepted any",
    Outcome.MISMATCH: "every principal accepted some version, but never the same one",
    Outcome.PENDING: "at the horizon, acceptances still on their way would have made a deal",
    Outcome.DEADLOCK: "no principal ever accepted anything",
    Outcome.BREAKDOWN: "a principal walked out",
    Outcome.REJECTED: "a deal was signed, but a ratification vote it needed failed",
    Outcome.PARTIAL: "some packages of the text were signed, not all",
}

UNSETTLED = -1  # a world still running has no outcome yet


class SigningRule(StrEnum):
    """When a principal's acceptance of a text becomes its signature."""

    ON_ACCEPTANCE = "on_acceptance"  # accepting is signing
    WITH_ALL = "with_all"  # it accepts in principle; it signs only when every principal has accepted one version


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


class QuestionKind(StrEnum):
    """Dated questions a scenario names and every run answers (``[events.NAME]``)."""

    DEAL = "deal"  # a deal (optionally one in which given clauses are agreed, not set aside)
    ACCEPTS = "accepts"  # a principal accepts a version
    SIGNS = "signs"  # a principal signs
    BREAKDOWN = "breakdown"  # a principal walks out
    RATIFIED = "ratified"  # the deal is in force: signed, and every ratification vote passed
    PACKAGE = "package"  # a package of the text is signed


class ScheduleKind(StrEnum):
    """Dated changes a scenario schedules (``[[schedule]]``)."""

    CHANNEL_OPENS = "channel_opens"
    CHANNEL_CLOSES = "channel_closes"
    DEADLINE_MOVED = "deadline_moved"
    ATTENTION = "attention"  # the mediator works on the text only on some days
    DRAFT = "draft"  # the mediator tables a text of its own (rolled back if not accepted by a date)


class ClauseCall(StrEnum):
    """A clause's state in one party pair's text on a date (a backtest ledger's clause entries)."""

    AGREED = "agreed"
    OPEN = "open"
    DEFERRED = "deferred"


class EventKind(StrEnum):
    """What the engine tells its listeners about the recorded world."""

    RECEIVE = "receive"
    THREAT = "threat"
    ACCEPT = "accept"
    SIGN = "sign"
    OBJECT = "object"
    WALKOUT = "walkout"
    ADVICE = "advice"
    REOPEN = "reopen"
    BRACKET = "bracket"
    DEFER = "defer"
    DRAFT = "draft"
    REVISE = "revise"
    PRESSURE = "pressure"
    DEADLINE = "deadline"
    END = "end"
    ROUND_END = "round_end"
