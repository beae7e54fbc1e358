"""Cross-references a scenario's schema cannot see: ids, texts, roles, reachability, scheduled
changes, events, uncertainty paths and whether their draws keep to the field's range.

The checks run in a fixed order, so the first problem reported is the same
every time; each raises a one-line :class:`~negosim.errors.ScenarioError`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from negosim.errors import ScenarioError
from negosim.scenario.graph import unreachable_parties
from negosim.scenario.keypaths import lookup
from negosim.scenario.ranges import FieldRange, field_range
from negosim.vocabulary import DeadlineKind, Role

if TYPE_CHECKING:
    from negosim.scenario.schema import Scenario
    from negosim.scenario.uncertainty import Distribution


def check_references(scenario: Scenario, source: str) -> None:
    """Raise a ScenarioError for the first cross-reference that does not hold."""
    checker = _Checker(scenario, source)
    for check in (
        checker.clauses_and_texts,
        checker.parties,
        checker.mediator,
        checker.channels,
        checker.deadlines,
        checker.schedule,
        checker.events,
        checker.ratifications,
        checker.packages,
        checker.uncertainty,
    ):
        check()


class _Checker:
    def __init__(self, scenario: Scenario, source: str):
        self.s, self.source = scenario, source
        self.known = set(scenario.clause_ids)

    def fail(self, key: str, expected: str) -> None:
        raise ScenarioError(self.source, key, expected)

    def need_clause(self, key: str, cid: str) -> None:
        if cid not in self.known:
            self.fail(key, f"a known clause id (got {cid!r})")

    def need_text(self, key: str, name: str | None) -> None:
        if name is not None and name not in self.s.texts:
            self.fail(key, f"the name of a text under [texts] (got {name!r})")

    def need_every_clause(self, key: str, table: dict) -> None:
        missing = [c for c in self.s.clause_ids if c not in table]
        if missing:
            self.fail(key, f"a value for every clause (missing {missing[0]})")

    def clauses_and_texts(self) -> None:
        s, ids = self.s, self.s.clause_ids
        if len(self.known) != len(ids):
            self.fail("clauses", f"unique clause ids (duplicate {next(c for c in ids if ids.count(c) > 1)!r})")
        for name, text in s.texts.items():
            self.need_every_clause(f"texts.{name}.values", text.values)
            for cid in text.values:
                self.need_clause(f"texts.{name}.values.{cid}", cid)
            for field in ("bracketed", "dropped", "deferred"):
                for cid in getattr(text, field):
                    self.need_clause(f"texts.{name}.{field}", cid)
        self.need_text("mediator.start_text", s.mediator.start_text)
        self.need_text("index_from", s.index_from)
        self.need_text("index_to", s.index_to)
        if (s.index_from is None) != (s.index_to is None):
            self.fail("index_to", "index_from and index_to given together")

    def parties(self) -> None:
        for pid, party in self.s.parties.items():
            base = f"parties.{pid}"
            for field in ("ideal", "salience", "shapes", "red_lines"):
                for cid in getattr(party, field):
                    self.need_clause(f"{base}.{field}.{cid}", cid)
            for field in ("ideal", "salience"):
                self.need_every_clause(f"{base}.{field}", getattr(party, field))
            if sum(party.salience.values()) <= 1e-9:
                self.fail(f"{base}.salience", "at least one positive salience (they sum to zero)")
            for cid in party.insists_on:
                self.need_clause(f"{base}.insists_on", cid)
            if party.veto is not None:
                self.need_text(f"{base}.veto.reference", party.veto.reference)
                for cid in party.veto.clauses:
                    self.need_clause(f"{base}.veto.clauses", cid)
                if sum(party.salience.get(c, 0.0) for c in party.veto.clauses) <= 1e-9:
                    expected = "clauses the party gives some salience (these weigh nothing to it)"
                    self.fail(f"{base}.veto.clauses", expected)
            for cid, bound in party.red_lines.items():
                if not bound.min <= party.ideal[cid] <= bound.max:
                    self.fail(f"{base}.red_lines.{cid}", "a range that contains the party's own ideal point")
            if party.represented_by is not None:
                proxy = party.represented_by
                if party.role != Role.PRINCIPAL:
                    self.fail(f"{base}.represented_by", "a key only a principal has (this party is not one)")
                if proxy == pid or proxy not in self.s.signatories:
                    self.fail(f"{base}.represented_by", f"another principal that signs for itself (got {proxy!r})")

    def mediator(self) -> None:
        s, med = self.s, self.s.mediator
        if med.party not in s.parties:
            self.fail("mediator.party", f"a party id (got {med.party!r})")
        if s.parties[med.party].role != Role.MEDIATOR:
            self.fail(f"parties.{med.party}.role", "'mediator' for the party named in [mediator]")
        if [p.role for p in s.parties.values()].count(Role.MEDIATOR) != 1:
            self.fail("parties", "exactly one party with role 'mediator'")
        if not s.principals:
            self.fail("parties", "at least one party with role 'principal'")
        for pid in med.leverage:
            if pid not in s.principals:
                self.fail(f"mediator.leverage.{pid}", "the id of a principal")
        for cid in med.insists_on:
            self.need_clause("mediator.insists_on", cid)
        for cid in med.deferral.clauses or ():
            self.need_clause("mediator.deferral.clauses", cid)

    def channels(self) -> None:
        for i, ch in enumerate(self.s.channels):
            for end, key in (("source", "from"), ("target", "to")):
                pid = getattr(ch, end)
                if pid not in self.s.parties:
                    self.fail(f"channels.{i}.{key}", f"a party id (got {pid!r})")
            if ch.source == ch.target:
                self.fail(f"channels.{i}", "a channel between two different parties")
            for cid in ch.clauses or ():
                self.need_clause(f"channels.{i}.clauses", cid)
        for pid, direction in unreachable_parties(self.s):
            route = f"from the mediator to {pid!r}" if direction == "from" else f"from {pid!r} to the mediator"
            self.fail("channels", f"a route carrying whole texts {route}")

    def in_calendar(self, key: str, date) -> None:
        if not self.s.calendar.start <= date <= self.s.calendar.horizon:
            self.fail(key, "a date between calendar.start and calendar.horizon")

    def deadlines(self) -> None:
        s = self.s
        for i, d in enumerate(s.deadlines):
            if d.party is not None and d.party not in s.principals:
                self.fail(f"deadlines.{i}.party", f"the id of a principal (got {d.party!r})")
            self.in_calendar(f"deadlines.{i}.date", d.date)
            if d.announced is not None and not s.calendar.start <= d.announced <= d.date:
                self.fail(f"deadlines.{i}.announced", "a date between calendar.start and the deadline's date")
        bound = {d.party for d in s.deadlines if d.kind != DeadlineKind.ABSENT}
        for pid in s.principals:
            if pid not in bound and None not in bound and s.parties[pid].time is None:
                self.fail(
                    f"parties.{pid}.time",
                    "a [time] table with horizon_days (the party has no deadline, and "
                    "its sense of time must not be the run's horizon)",
                )

    def schedule(self) -> None:
        s = self.s
        for i, change in enumerate(s.schedule):
            self.in_calendar(f"schedule.{i}.date", change.date)
            if change.channel is not None and change.channel >= len(s.channels):
                self.fail(f"schedule.{i}.channel", f"the index of a channel (0 to {len(s.channels) - 1})")
            if change.deadline is not None and change.deadline >= len(s.deadlines):
                self.fail(f"schedule.{i}.deadline", f"the index of a deadline (0 to {len(s.deadlines) - 1})")
            for field in ("to", "until"):
                if getattr(change, field) is not None:
                    self.in_calendar(f"schedule.{i}.{field}", getattr(change, field))
            if change.text is not None:
                self.need_text(f"schedule.{i}.text", change.text)

    def events(self) -> None:
        for name, question in self.s.events.items():
            if not name.replace("_", "").isalnum():
                self.fail(f"events.{name}", "a name of letters, digits and _")
            if question.party is not None and question.party not in self.s.principals:
                self.fail(f"events.{name}.party", f"the id of a principal (got {question.party!r})")
            for cid in question.agreed:
                self.need_clause(f"events.{name}.agreed", cid)
            if question.package is not None and question.package not in self.s.packages:
                self.fail(f"events.{name}.package", f"the name of one of [packages] (got {question.package!r})")

    def packages(self) -> None:
        if not self.s.packages:
            return
        owner: dict[str, str] = {}
        for name, package in self.s.packages.items():
            if not name.replace("_", "").isalnum():
                self.fail(f"packages.{name}", "a name of letters, digits and _")
            for cid in package.clauses:
                self.need_clause(f"packages.{name}.clauses", cid)
                if cid in owner:
                    self.fail(f"packages.{name}.clauses", f"clauses in one package only ({cid} is in {owner[cid]})")
                owner[cid] = name
        missing = [cid for cid in self.s.clause_ids if cid not in owner]
        if missing:
            self.fail("packages", f"packages that hold every clause (not in any: {', '.join(missing[:5])})")

    def ratifications(self) -> None:
        for i, gate in enumerate(self.s.ratifications):
            if gate.party not in self.s.principals:
                self.fail(f"ratifications.{i}.party", f"the id of a principal (got {gate.party!r})")

    def uncertainty(self) -> None:
        plain = self.s.plain
        for path, dist in self.s.uncertainty.items():
            key = f"uncertainty.{path}"
            if path.startswith("uncertainty"):
                self.fail(key, "a key path outside [uncertainty]")
            try:
                value = lookup(plain, path)
            except KeyError:
                self.fail(key, "a key path that exists in this scenario")
            valid = field_range(type(self.s), path)
            if dist.discrete:  # each value must also make a valid scenario (schema.check_choices)
                self.choices_in_range(key, dist, valid)
                continue
            if isinstance(value, bool) or not isinstance(value, float) or valid is None or valid.integer:
                self.fail(key, "a key path to a real-valued parameter (not an id, date, count or flag)")
            if not math.isfinite(value):
                self.fail(key, "a finite base value")
            self.draws_in_range(key, dist, valid)

    def choices_in_range(self, key: str, dist: Distribution, valid: FieldRange | None) -> None:
        for j, value in enumerate(dist.values):
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            if valid is not None and numeric and value not in valid:
                self.fail(f"{key}.values.{j}", f"a value in the field's range, {valid} (got {value!r})")

    def draws_in_range(self, key: str, dist: Distribution, valid: FieldRange) -> None:
        """A uniform, triangular or beta must draw inside the field's range; a normal is
        truncated to it (and to its own low/high), so that cut must hold its mean."""
        low, high = dist.support()
        if dist.dist != "normal":
            if low not in valid or high not in valid:
                self.fail(
                    key, f"a {dist.dist} distribution within the field's range, {valid} (got [{low:g}, {high:g}])"
                )
            return
        cut = valid.within(low, high)
        if cut.empty:
            self.fail(key, f"low and high that overlap the field's range, {valid}")
        if dist.mean not in cut:
            self.fail(f"{key}.mean", f"a mean inside the range draws are truncated to, {cut} (got {dist.mean:g})")
        if dist.sd > cut.high - cut.low:  # wider, and nearly every draw would sit on a bound
            self.fail(f"{key}.sd", f"at most {cut.high - cut.low:g}, the width of {cut} (got {dist.sd:g})")
