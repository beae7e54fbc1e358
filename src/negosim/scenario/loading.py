"""Scenarios by name or path: the shipped library and files of one's own.

A name without a slash or ``.toml`` (``geneva_vs_anchorage``) is looked up
among the scenarios shipped inside the package; anything else is a path.

>>> resolve_scenario("teaching_two_party").name
'teaching_two_party.toml'
>>> load_scenario("teaching_two_party").meta.name
'teaching_two_party'
"""

from __future__ import annotations

from pathlib import Path

from negosim.scenario.mechanism import include_mechanism
from negosim.scenario.schema import Scenario, build_scenario
from negosim.scenario.tomlfile import read_toml

SHIPPED = Path(__file__).resolve().parent / "shipped"
FLAGSHIP = "geneva_vs_anchorage"


def resolve_scenario(name: str | Path | None) -> Path:
    """The file a scenario name or path stands for (None: the flagship)."""
    name = FLAGSHIP if name is None else str(name)
    path = Path(name)
    try:
        exists = path.exists()
    except OSError:  # not a possible file name (too long, say): let reading it say so
        return path
    if exists or path.suffix == ".toml" or "/" in name:
        return path
    return SHIPPED / f"{name}.toml"


def load_scenario(name_or_path: str | Path | None = None) -> Scenario:
    """Read and validate a scenario: a shipped name or a TOML file (None: the flagship).

    Raises :class:`~negosim.errors.ScenarioError` (one line: file, key path,
    what was expected) for a missing file, bad TOML, or values that do not
    make a scenario.

    >>> scenario = load_scenario("teaching_two_party")
    >>> scenario.clause_ids, scenario.principals
    (['X', 'Y'], ['A', 'B'])
    """
    raw, source = read_toml(resolve_scenario(name_or_path))
    return build_scenario(include_mechanism(raw, source), source)


def shipped_scenarios() -> dict[str, Path]:
    """Every scenario shipped with negosim, by name."""
    return {path.stem: path for path in sorted(SHIPPED.glob("*.toml"))}
