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
