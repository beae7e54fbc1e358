"""The ``negosim`` command: it parses arguments and calls down into the library.

Exit status: 0 done; 2 bad input (an argument, a scenario, experiment or
ledger file, an output directory that cannot be used or is locked by another
run, a run too big for the machine's memory, a result directory that is not
whole), refused before anything is written; 1 the environment failed during
the work (a full disk, a read-only file system, a permission, an unreachable
Dask scheduler), leaving only whole files, so the same command resumes; 130
interrupted. Every failure is one line on stderr, control characters escaped,
never a traceback. Every import of the library
happens inside the handler that needs it, so ``negosim --version`` and
``negosim validate`` start without Mesa, SciPy, pandas or matplotlib.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys

from negosim.errors import NegosimError, UsageError
from negosim.files import one_line

EXIT_BAD_INPUT = 2
EXIT_ENVIRONMENT = 1
EXIT_INTERRUPTED = 130
COMMAND_MODULES = ("negosim.cli.worlds", "negosim.cli.results", "negosim.cli.authoring", "negosim.cli.completion")
PLUGIN_MODULES = ("negosim.demo.command", "negosim.demo.animate")  # commands that live beside their feature


class _Parser(argparse.ArgumentParser):
    """Errors in one line; no abbreviated options (``--seed`` never means ``--seeds``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # one line, not usage + message
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    from negosim import __version__

    parser = _Parser(prog="negosim", description="Simulate mediated multi-party negotiations.")
    parser.add_argument("--version", action="version", version=f"negosim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in COMMAND_MODULES:
        importlib.import_module(module).add_parsers(commands)
    for module in PLUGIN_MODULES:
        try:
            plugin = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        plugin.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser().parse_args(argv)
        args.argv = argv
        return args.handler(args)
    except NegosimError as exc:
        print(f"error: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except MemoryError:
        print("error: out of memory (try a smaller --chunk-size or fewer --processes)", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except BrokenPipeError:  # the reader (head, less) stopped reading: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # the disk, the file system, the network: not the input
        if exc.errno == errno.ENAMETOOLONG:  # ... unless the input named a path no file system takes
            print(f"error: {one_line(str(exc.filename))}: a shorter path ({exc.strerror})", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"error: {one_line(_environment_message(exc))}", file=sys.stderr)
        return EXIT_ENVIRONMENT


def _environment_message(exc: OSError) -> str:
    """An OSError as one sentence: the file, what went wrong, and that the run can be resumed."""
    if exc.strerror is None:
        return str(exc)
    where = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
    return (
        f"{where + ': ' if where else ''}{exc.strerror} (whole files are kept: fix this and run the same command again)"
    )
