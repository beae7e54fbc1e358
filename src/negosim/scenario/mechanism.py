"""Behaviour shared across scenarios: one mechanism file that scenarios include.

A scenario's clauses, parties' ideals, saliences, red lines, reservations, deadlines and
graph are facts of its case. How parties concede, how noisy their judgement is, how long
they bear a bad text before leaving and how far the mediator moves the text per revision
are not: they are one mechanism, written once (``shipped/mechanisms/<name>.toml``) and
included by name (``mechanism = "shared"`` at the top of a scenario file). A scenario that
includes a mechanism may not set or draw those keys itself (one line names the key), so
every case runs on the same behaviour and a fit of it can be scored case by case.

A mechanism's ``[uncertainty]`` declares ranges on its own values (``"principals.exponent"``,
``"mediator.step"``, ...). Each principal draws its own value from the shared range in every
world: the mechanism is the population, a party in a world one member of it.

>>> mechanism = load_mechanism("shared")
>>> mechanism.principals.tactic.value, mechanism.mediator.step > 0
('boulware', True)
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError

from negosim.errors import ScenarioError
from negosim.scenario.fields import Label, PositiveRounds, PositiveUnitFloat, Strict, Text, UnitFloat
from negosim.scenario.keypaths import set_path
from negosim.scenario.ranges import field_range
from negosim.scenario.schema import Scenario, build_scenario
from negosim.scenario.tomlfile import read_toml, validation_error
from negosim.scenario.uncertainty import Distribution
from negosim.vocabulary import Role, TacticKind

MECHANISMS = Path(__file__).resolve().parent / "shipped" / "mechanisms"


class MechanismMeta(Strict):
    name: Label
    description: Text = ""


class PrincipalBehaviour(Strict):
    """Every principal's concession tactic (family, exponent, opening demand), decision noise
    and walkout patience."""

    tactic: TacticKind
    exponent: Annotated[float, Field(gt=0.0, le=50.0, allow_inf_nan=False)]
    initial: PositiveUnitFloat = 1.0
    noise: UnitFloat = 0.0
    walkout_patience: PositiveRounds = 5


class MediatorBehaviour(Strict):
    """The mediator's first step per clause in one revision."""

    step: Annotated[float, Field(gt=0.0, le=0.15, allow_inf_nan=False)] = 0.05


# Where each of a mechanism's drawable values lives in a scenario ("*" is a principal's id).
DRAWABLE = {
    "principals.exponent": "parties.*.tactic.exponent",
    "principals.initial": "parties.*.tactic.initial",
    "principals.noise": "parties.*.noise",
    "mediator.step": "mediator.step",
}
Drawable = Literal["principals.exponent", "principals.initial", "principals.noise", "mediator.step"]


class Mechanism(Strict):
    meta: MechanismMeta
    principals: PrincipalBehaviour
    mediator: MediatorBehaviour = MediatorBehaviour()
    uncertainty: dict[Drawable, Distribution] = {}
    source: str = Field(default="<memory>", exclude=True)

    def check_draws(self) -> Mechanism:
        """Every declared range lies in its field's range (a normal's mean, at least)."""
        for key, dist in self.uncertainty.items():
            valid = field_range(Scenario, DRAWABLE[key])
            values = dist.values if dist.discrete else (dist.mean,) if dist.dist == "normal" else dist.support()
            if any(v not in valid for v in values):
                raise ScenarioError(self.source, f"uncertainty.{key}", f"draws in the field's range, {valid}")
        return self

    def assignments(self, principals: list[str]) -> dict[str, object]:
        """The key paths this mechanism sets in a scenario with these principals, and their values."""
        p = self.principals
        out: dict[str, object] = {"mediator.step": self.mediator.step}
        for pid in principals:
            out |= {
                f"parties.{pid}.tactic.kind": p.tactic.value,
                f"parties.{pid}.tactic.exponent": p.exponent,
                f"parties.{pid}.tactic.initial": p.initial,
                f"parties.{pid}.noise": p.noise,
                f"parties.{pid}.walkout.patience": p.walkout_patience,
            }
        return out

    def draws(self, principals: list[str]) -> dict[str, dict]:
        """The scenario ``[uncertainty]`` entries this mechanism adds: one per principal for a
        principal's value (each draws its own), one for the mediator's.

        >>> shared = load_mechanism("shared")
        >>> sorted(shared.model_copy(update={"uncertainty": {"principals.noise": Distribution(
        ...     dist="uniform", low=0.0, high=0.05)}}).draws(["A", "B"]))
        ['parties.A.noise', 'parties.B.noise']
        """
        out = {}
        for key, dist in self.uncertainty.items():
            entry = dist.model_dump(exclude_none=True)
            path = DRAWABLE[key]
            targets = [path.replace("*", pid) for pid in principals] if "*" in path else [path]
            out |= {target: entry for target in targets}
        return out


def resolve_mechanism(name: str, relative_to: Path | None = None) -> Path:
    """A shipped mechanism's file, or a path (relative to the including scenario's folder)."""
    if "/" in name or name.endswith(".toml"):
        path = Path(name)
        return path if path.is_absolute() or relative_to is None else relative_to / path
    return MECHANISMS / f"{name}.toml"


def load_mechanism(name: str | Path, relative_to: Path | None = None) -> Mechanism:
    raw, source = read_toml(resolve_mechanism(str(name), relative_to))
    try:
        mechanism = Mechanism.model_validate({**raw, "source": source})
    except ValidationError as exc:
        raise validation_error(exc, source, Mechanism) from None
    return mechanism.check_draws()


def include_mechanism(raw: dict, source: str) -> dict:
    """The scenario table ``raw`` (from a file) with its ``mechanism`` written in; a key the
    mechanism owns that the scenario also sets or draws is a one-line error."""
    name = raw.get("mechanism")
    if name is None:
        return raw
    if not isinstance(name, str):
        raise ScenarioError(source, "mechanism", "the name of a mechanism file (a string)")
    folder = Path(source).parent if source != "<memory>" else None
    mechanism = load_mechanism(name, folder)
    parties = raw.get("parties") if isinstance(raw.get("parties"), dict) else {}
    principals = [pid for pid, p in parties.items() if isinstance(p, dict) and p.get("role") == Role.PRINCIPAL.value]
    drawn = raw.get("uncertainty") if isinstance(raw.get("uncertainty"), dict) else {}
    out = copy.deepcopy(raw)
    if mechanism.uncertainty:
        out["uncertainty"] = {**drawn, **mechanism.draws(principals)}
    for path, value in mechanism.assignments(principals).items():
        if path in drawn:
            raise ScenarioError(source, f"uncertainty.{path}", f"no draw: mechanism {name!r} sets this key")
        *parents, last = path.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):  # not a table: validating the scenario names the key
                break
        else:
            if last in node:
                raise ScenarioError(source, path, f"no value here: mechanism {name!r} sets this key")
            node[last] = value
    return out


def impose_mechanism(scenario: Scenario, mechanism: Mechanism) -> Scenario:
    """``scenario`` run on ``mechanism``: the keys it owns replaced in every principal and the
    mediator, and any draw of them replaced by the mechanism's own (for studies that compare
    mechanisms across cases).

    >>> from negosim import load_scenario
    >>> flagship = impose_mechanism(load_scenario("geneva_vs_anchorage"), load_mechanism("shared"))
    >>> flagship.mechanism, flagship.parties["RU"].tactic.effective_exponent
    ('shared', 0.3)
    """
    raw = scenario.model_dump(mode="python", by_alias=True)
    owned = mechanism.assignments(scenario.principals)
    raw["uncertainty"] = {path: dist for path, dist in raw["uncertainty"].items() if path not in owned}
    raw["uncertainty"] |= mechanism.draws(scenario.principals)
    for path, value in owned.items():
        set_path(raw, path, value, scenario.source)
    raw["mechanism"] = mechanism.meta.name
    return build_scenario(raw, scenario.source)
