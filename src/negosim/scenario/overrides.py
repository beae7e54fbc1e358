"""``--set KEY.PATH=VALUE``: one value of a scenario changed from the command line, checked like the file.

A value is read as a TOML value (``0.3``, ``2``, ``true``, ``"text"``,
``[1, 2]``, ``2025-12-01``); a bare word (``boulware``) is taken as text. A
value set this way is certain: an ``[uncertainty]`` entry for the same path is
dropped (as :meth:`negosim.scenario.Scenario.with_values` does).

>>> parse_assignment("mediator.bias=0.3")
('mediator.bias', 0.3)
>>> parse_assignment("parties.RU.tactic.kind=boulware")
('parties.RU.tactic.kind', 'boulware')
>>> from negosim.scenario import load_scenario
>>> apply_assignments(load_scenario("teaching_two_party"), ["mediator.bias=0.25"]).mediator.bias
0.25
>>> apply_assignments(load_scenario("teaching_two_party"), ["mediator.bias=7"])
Traceback (most recent call last):
...
negosim.errors.UsageError: --set mediator.bias=7: mediator.bias: a number in [-1, 1] (got 7)
"""

from __future__ import annotations

import re
import tomllib

from negosim.errors import ScenarioError, UsageError
from negosim.scenario.schema import Scenario

_PATH = re.compile(r"^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$")
_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def parse_assignment(text: str) -> tuple[str, object]:
    """``KEY.PATH=VALUE`` as (path, value), or a one-line UsageError."""
    path, sep, raw = text.partition("=")
    path, raw = path.strip(), raw.strip()
    if not sep or not _PATH.match(path) or not raw:
        raise UsageError(f"--set {text}: expected KEY.PATH=VALUE, for example mediator.bias=0.3")
    try:
        return path, tomllib.loads(f"value = {raw}")["value"]
    except tomllib.TOMLDecodeError:
        if _WORD.match(raw):
            return path, raw
        raise UsageError(f"--set {text}: the value is neither a number, a date, a list nor a word") from None


def apply_assignments(scenario: Scenario, assignments: list[str]) -> Scenario:
    """``scenario`` with every ``KEY.PATH=VALUE`` applied (in order; a later one wins)."""
    if not assignments:
        return scenario
    values: dict[str, object] = {}
    for text in assignments:
        path, value = parse_assignment(text)
        values[path] = value
        try:
            scenario.with_values({path: value})  # each alone, so the error names the one at fault
        except ScenarioError as exc:
            raise UsageError(f"--set {text}: {exc.key}: {exc.expected}") from None
    return scenario.with_values(values)
