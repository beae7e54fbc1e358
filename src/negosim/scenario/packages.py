"""Packages: parts of a text that can be signed separately (linkage and decoupling).

Camp David's two frameworks: the Sinai clauses could be agreed without the West Bank
and Gaza ones. When a scenario names packages, they partition its clauses; each
principal accepts or objects package by package, the mediator registers a package
as signed once every principal a deal needs has accepted it in one version, and that
package's clauses are then fixed. The deal is every package signed.
"""

from __future__ import annotations

from pydantic import Field

from negosim.scenario.fields import MAX_CLAUSES, Id, Label, Strict


class Package(Strict):
    """A named part of the text: its clauses (ids), signed as a unit."""

    label: Label = ""
    clauses: tuple[Id, ...] = Field(min_length=1, max_length=MAX_CLAUSES)
