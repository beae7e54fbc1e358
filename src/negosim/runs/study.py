"""The command line every study script in ``experiments/`` shares.

A study is a module with ``run(out, small=False[, processes=1])`` that writes
its directory and returns a table, and a ``main`` that hands both to
:func:`study_main`: ``--out`` picks the directory, ``--small`` the quick
version the tests run, ``--processes`` the local workers where the study
can use them.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def markdown_of(table: Any) -> str:
    """The table a study prepared for printing (``table.attrs["markdown"]``)."""
    return table.attrs["markdown"]


STUDY_MARK = ".negosim-study"  # a folder a study wrote: a rerun may overwrite its files


def claim_study_folder(out: Path, parser: argparse.ArgumentParser) -> None:
    """Use ``out`` only if it is new, empty or a study folder already (never a folder of other files)."""
    if out.exists() and not out.is_dir():
        parser.error(f"--out {out}: a file is in the way (expected a folder for the study)")
    if out.is_dir() and any(out.iterdir()) and not (out / STUDY_MARK).exists():
        parser.error(f"--out {out}: holds files a study did not write; choose another folder")
    out.mkdir(parents=True, exist_ok=True)
    (out / STUDY_MARK).touch()


def study_main(
    doc: str,
    default_out: Path,
    run: Callable[..., Any],
    show: Callable[[Any], str] = markdown_of,
    argv: Sequence[str] | None = None,
    *,
    small_help: str = "a quick run with fewer worlds (as the tests run it)",
    processes: bool = False,
) -> int:
    """Parse the study's arguments, run it, print ``show(result)`` and where it wrote.

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> def run(out, small):
    ...     return f"small={small}"
    >>> study_main("Demo study.", out, run, str, ["--small", "--out", str(out)])  # doctest: +ELLIPSIS
    small=True
    <BLANKLINE>
    wrote ... in ... s
    0
    """
    parser = argparse.ArgumentParser(description=doc.strip().split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=default_out, help=f"output directory (default {default_out})")
    parser.add_argument("--small", action="store_true", help=small_help)
    if processes:
        parser.add_argument("--processes", type=int, default=1, help="local worker processes (default 1)")
    args = parser.parse_args(argv)
    claim_study_folder(args.out, parser)
    start = time.perf_counter()  # wall time for the reader only; results never see it
    options = {"processes": args.processes} if processes else {}
    result = run(args.out, small=args.small, **options)
    print(show(result))
    print(f"\nwrote {args.out} in {time.perf_counter() - start:.1f} s")
    return 0
