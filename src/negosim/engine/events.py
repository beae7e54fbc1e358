"""What the engine tells its listeners: typed events about the model's first world.

The engine emits an event only while someone listens (a narrative recorder, a
demo page); an ensemble chunk has no listeners and pays nothing. Events carry
facts (versions, utilities, the clauses that mattered), never sentences: the
words are written by :mod:`negosim.analysis.narrative`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from negosim.vocabulary import EventKind


@dataclass(frozen=True)
class Event:
    """One thing that happened in round ``round`` of the recorded world (world 0).

    ``party`` acted, towards ``to`` (a party id, several joined by commas, or
    empty); ``version`` is the text version concerned (-1 for none); ``facts``
    holds the kind's particulars (see :class:`~negosim.vocabulary.EventKind`
    and the emitting code).
    """

    kind: EventKind
    round: int
    party: str = ""
    to: str = ""
    version: int = -1
    facts: dict = field(default_factory=dict)


Listener = Callable[[Event], None]


class EventSource:
    """Mixin for a model: ``subscribe`` a listener; ``emit`` reaches every listener."""

    def subscribe(self, listener: Listener) -> None:
        self.listeners.append(listener)

    @property
    def recording(self) -> bool:
        """Whether anyone listens (the engine then keeps what the events need)."""
        return bool(self.listeners)

    def emit(self, kind: EventKind, party: str = "", to: str = "", version: int = -1, **facts) -> None:
        event = Event(kind, self.round, party, to, int(version), facts)
        for listener in self.listeners:
            listener(event)
