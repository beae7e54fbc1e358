"""Reading TOML data files and reporting their problems in one line.

Scenario, experiment and ledger files are data: they are parsed with
:mod:`tomllib`, never executed, and a problem becomes a :class:`ScenarioError`
naming the file, the key path and what was expected.

Their text is printed to terminals and reports, and their size must fit in
memory, so :func:`read_toml` reads at most :data:`MAX_FILE_BYTES` (parsing
costs up to a hundred times a file's size in memory; the flagship scenario is
50 KB) and :func:`check_tree` refuses keys and values with control
characters, keys longer than :data:`MAX_KEY` and tables nested deeper than
:data:`MAX_DEPTH`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path

from pydantic import BaseModel, ValidationError

from negosim.errors import ScenarioError
from negosim.scenario.ranges import field_range

MAX_FILE_BYTES = 4 * 1024 * 1024  # 4 MiB
MAX_DEPTH = 32  # tables and arrays within one another; also dotted parts of one key
MAX_KEY = 256  # characters in one key (a quoted key path under [uncertainty] is one key)
MULTILINE_KEYS = frozenset({"description", "source", "note"})  # may hold newlines and tabs

# A dotted key (bare or quoted parts): tomllib's time and memory grow with the square of its parts.
_PART = re.compile(r"""[A-Za-z0-9_-]++|"(?:[^"\\\n]|\\.)*+"|'[^'\n]*+'""")
_DOTTED = re.compile(rf"(?:{_PART.pattern})(?:[ \t]*+\.[ \t]*+(?:{_PART.pattern}))*+")


def read_toml(path: str | Path) -> tuple[dict, str]:
    """Parse a TOML file as data and :func:`check_tree` it; (table, source name) or a
    one-line ScenarioError.

    >>> read_toml("/dev/zero")
    Traceback (most recent call last):
    negosim.errors.ScenarioError: /dev/zero: <top level>: a file of at most 4 MiB (4194304 bytes)
    """
    path = Path(path)
    source = str(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(source, "", "an existing file") from None
    except IsADirectoryError:
        raise ScenarioError(source, "", "a file, not a directory") from None
    except OSError as exc:
        raise ScenarioError(source, "", f"a readable file ({exc.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(source, "", f"a file of at most {MAX_FILE_BYTES // 2**20} MiB ({MAX_FILE_BYTES} bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(source, "", "UTF-8 text") from None
    raw = parse_toml(text, source)
    check_tree(raw, source)
    return raw, source


def parse_toml(text: str, source: str = "<memory>") -> dict:
    """:func:`tomllib.loads`, with every way it can fail as one ScenarioError.

    >>> parse_toml("a = " + "[" * 100_000)
    Traceback (most recent call last):
    negosim.errors.ScenarioError: <memory>: <top level>: arrays and inline tables nested at most 32 deep
    """
    line = _deep_key_line(text)
    if line is not None:
        raise ScenarioError(source, "", f"keys of at most {MAX_DEPTH} dotted parts (line {line})")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, "", f"valid TOML ({exc})") from None
    except RecursionError:
        raise ScenarioError(source, "", f"arrays and inline tables nested at most {MAX_DEPTH} deep") from None
    except ValueError:  # an integer of more than 4300 digits (sys.get_int_max_str_digits)
        raise ScenarioError(source, "", "valid TOML (integers of at most 4300 digits)") from None


def _deep_key_line(text: str) -> int | None:
    """The first line with more than MAX_DEPTH dot-joined words, found before parsing (in
    linear time; such a run inside a string is refused too, which no real file has)."""
    for number, line in enumerate(text.split("\n"), 1):
        if line.count(".") >= MAX_DEPTH:
            for chain in _DOTTED.finditer(line):
                if chain.group().count(".") >= MAX_DEPTH and len(_PART.findall(chain.group())) > MAX_DEPTH:
                    return number
    return None


def check_tree(raw: object, source: str, multiline: frozenset[str] = MULTILINE_KEYS) -> None:
    """Refuse what a data file must not hold, naming its key path: a key or string with a
    control character (only the values of ``multiline`` keys may hold newlines and tabs),
    a key longer than MAX_KEY characters, nesting deeper than MAX_DEPTH.

    >>> check_tree({"meta": {"name": "War\\x1b[2J"}}, "s.toml")
    Traceback (most recent call last):
    negosim.errors.ScenarioError: s.toml: meta.name: text without control characters (found '\\x1b')
    >>> check_tree({"meta": {"description": "Two lines,\\n\\tindented."}}, "s.toml")  # multi-line text
    """
    stack: list[tuple[object, tuple[str, ...]]] = [(raw, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise ScenarioError(source, ".".join(path[:MAX_DEPTH]), f"tables nested at most {MAX_DEPTH} deep")
        if isinstance(node, dict):
            for key in node:
                _check_key(key, path, source)
            stack.extend((value, (*path, str(key))) for key, value in reversed(node.items()))  # in file order
        elif isinstance(node, list | tuple):
            stack.extend((value, (*path, str(i))) for i, value in reversed(list(enumerate(node))))
        elif isinstance(node, str):
            named = next((p for p in reversed(path) if not p.isdigit()), "")
            bad = _control(node, allowed="\t\n" if named in multiline else "")
            if bad is not None:
                raise ScenarioError(source, ".".join(path), f"text without control characters (found {bad!r})")


def _check_key(key: object, path: tuple[str, ...], source: str) -> None:
    text = str(key)
    bad = _control(text)
    if bad is not None:
        shown = text.encode("unicode_escape").decode("ascii")
        raise ScenarioError(source, ".".join((*path, shown)), f"a key without control characters (found {bad!r})")
    if len(text) > MAX_KEY:
        raise ScenarioError(source, ".".join(path), f"keys of at most {MAX_KEY} characters (got {len(text)})")


def _control(text: str, allowed: str = "") -> str | None:
    """The first control character (C0, DEL, C1) in ``text`` other than ``allowed``."""
    if text.isprintable():  # the common case, fast: no control characters at all
        return None
    return next((c for c in text if unicodedata.category(c) == "Cc" and c not in allowed), None)


def _explain(err: dict, model: type[BaseModel] | None) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        return "a value (the key is required)"
    if kind == "extra_forbidden":
        return "no such key (unknown key; check its spelling)"
    if kind == "finite_number":
        return "a finite number (NaN and infinity are not allowed)"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal") and model is not None:
        try:
            valid = field_range(model, tuple(err["loc"]))
        except KeyError:
            valid = None
        if valid is not None:
            return f"{valid} (got {err['input']!r})"
    msg = msg.removeprefix("Value error, ")
    return msg[0].lower() + msg[1:] if msg else kind


def validation_error(exc: ValidationError, source: str, model: type[BaseModel] | None = None) -> ScenarioError:
    """The first problem pydantic found, as a one-line ScenarioError (a number out of range
    names the field's whole range when ``model`` is given)."""
    err = exc.errors()[0]
    return ScenarioError(source, ".".join(str(p) for p in err["loc"]), _explain(err, model))
