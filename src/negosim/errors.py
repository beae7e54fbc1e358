"""The errors a user can cause, each said in one line (the CLI prints it and exits 2)."""

from __future__ import annotations


class NegosimError(ValueError):
    """Bad input or a destination that cannot be used; ``str(error)`` is the whole message."""


class ScenarioError(NegosimError):
    """A scenario, experiment or ledger file that cannot be used: file, key path, what was expected."""

    def __init__(self, source: str, key: str, expected: str):
        self.source, self.key, self.expected = source, key, expected
        super().__init__(f"{source}: {key or '<top level>'}: {expected}")


class OutputError(NegosimError):
    """An output directory that cannot be used as asked."""


class UsageError(NegosimError):
    """A bad command line."""
