"""Reading TOML data files and reporting their problems in one line.

Scenario, experiment and ledger files are data: they are parsed with
:mod:`tomllib`, never executed, and a problem becomes a :class:`ScenarioError`
naming the file, the key path and what was expected.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from negosim.errors import ScenarioError


def read_toml(path: str | Path) -> tuple[dict, str]:
    """Parse a TOML file as data; (table, source name) or a one-line ScenarioError."""
    path = Path(path)
    source = str(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), source
    except FileNotFoundError:
        raise ScenarioError(source, "", "an existing file") from None
    except IsADirectoryError:
        raise ScenarioError(source, "", "a file, not a directory") from None
    except UnicodeDecodeError:
        raise ScenarioError(source, "", "UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, "", f"valid TOML ({exc})") from None
    except OSError as exc:
        raise ScenarioError(source, "", f"a readable file ({exc.strerror})") from None


def _explain(err: dict) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        return "a value (the key is required)"
    if kind == "extra_forbidden":
        return "no such key (unknown key; check its spelling)"
    if kind == "finite_number":
        return "a finite number (NaN and infinity are not allowed)"
    msg = msg.removeprefix("Value error, ")
    return msg[0].lower() + msg[1:] if msg else kind


def validation_error(exc: ValidationError, source: str) -> ScenarioError:
    """The first problem pydantic found, as a one-line ScenarioError."""
    err = exc.errors()[0]
    return ScenarioError(source, ".".join(str(p) for p in err["loc"]), _explain(err))
