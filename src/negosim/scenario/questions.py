"""Named questions a scenario asks of every world (``[events.NAME]``), answered by date."""

from __future__ import annotations

from pydantic import model_validator

from negosim.scenario.fields import Id, Ids, Label, Strict
from negosim.vocabulary import QuestionKind


class Question(Strict):
    """An event whose date every run records per world, and whose probability by each
    report date every summary gives.

    ``deal``: a deal, optionally one in which every clause of ``agreed`` is on
    the table (agreed, not bracketed, deferred or dropped): a ceasefire is a
    deal with the ceasefire clause agreed. ``accepts`` / ``signs``: ``party``
    accepts or signs a version. ``breakdown``: ``party`` (or anyone) walks out.
    """

    kind: QuestionKind
    label: Label = ""
    party: Id | None = None
    package: Id | None = None
    agreed: Ids = ()

    @model_validator(mode="after")
    def _complete(self) -> Question:
        if self.kind in (QuestionKind.ACCEPTS, QuestionKind.SIGNS) and self.party is None:
            raise ValueError(f"a {self.kind.value} question needs a party")
        if self.kind == QuestionKind.PACKAGE and self.package is None:
            raise ValueError("a package question needs the package's name")
        if self.agreed and self.kind != QuestionKind.DEAL:
            raise ValueError("only a deal question names clauses that must be agreed")
        return self
