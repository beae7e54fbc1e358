"""Argument types shared by every ``negosim`` command (argparse only; nothing heavy)."""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

SCHEDULER_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ws|wss|ucx)://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}$")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"expected a seed between 0 and 2**63 - 1, got {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive, finite number, got {value}")
    return value


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port between 1 and 65535, got {value}")
    return value


def output_path(text: str) -> Path:
    """A path to write to: not empty (an empty --out would mean the current directory)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"expected a path to write to, got {text!r}")
    return Path(text)


def scheduler_address(text: str) -> str:
    """A Dask scheduler address, ``tcp://host:port`` (or ``host:port``, ``tls://``, ``ws://``...).

    >>> scheduler_address("tcp://10.0.0.5:8786")
    'tcp://10.0.0.5:8786'
    >>> scheduler_address("")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected an address like tcp://host:8786, got ''
    """
    if not SCHEDULER_ADDRESS.match(text) or int(text.rsplit(":", 1)[1]) > 65535:
        raise argparse.ArgumentTypeError(f"expected an address like tcp://host:8786, got {text!r}")
    return text


def add_set_option(parser: argparse.ArgumentParser) -> None:
    """``--set KEY.PATH=VALUE`` (repeatable): see :mod:`negosim.scenario.overrides`."""
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="change one value of the scenario, checked like the file (repeatable), e.g. --set mediator.bias=0.3",
    )


def iso_date(text: str):
    """A date as YYYY-MM-DD."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def unit_fraction(text: str) -> float:
    """A number strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {value}")
    return value


def figure_formats(text: str) -> tuple[str, ...]:
    """Figure file formats, comma-separated: png, svg, pdf.

    >>> figure_formats("png,pdf")
    ('png', 'pdf')
    """
    formats = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    if not formats or any(f not in ("png", "svg", "pdf") for f in formats):
        raise argparse.ArgumentTypeError(f"expected png, svg and/or pdf, comma-separated, got {text!r}")
    return formats
