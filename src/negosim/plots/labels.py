"""Labels for people: key paths, clauses and parties named as the scenario names them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from negosim.scenario import Scenario

_WORDS = {"param": "", "parties": "", "reservation": "reservation", "red_lines": "red line", "channels": "channel",
          "tactic": "tactic", "mediator": "mediator", "battlefield": "battlefield", "deadlines": "deadline",
          "time": "", "horizon_days": "horizon (days)", "min": "(min)", "max": "(max)"}  # fmt: skip


def key_label(path: str, scenario: Scenario | None = None) -> str:
    """A key path in words, with party and clause labels from the scenario when given.

    >>> key_label("param:parties.RU.reservation.base")
    'RU reservation base'
    >>> key_label("parties.UA.red_lines.T_DONBAS.max")
    'UA red line T_DONBAS (max)'
    """
    words = []
    for part in path.removeprefix("param:").split("."):
        if scenario is not None and part in scenario.parties:
            part = scenario.parties[part].label
        elif scenario is not None and part in scenario.clause_ids:
            part = next(c.label for c in scenario.clauses if c.id == part)
        word = _WORDS.get(part, part.replace("_", " ") if part.islower() else part)
        if word:
            words.append(word)
    return " ".join(words)
