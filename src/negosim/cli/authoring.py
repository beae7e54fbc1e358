"""The commands for writing a scenario of one's own: ``new`` and ``schema``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from negosim.arguments import output_path
from negosim.errors import UsageError


def add_parsers(commands) -> None:
    """``new`` and ``schema``."""
    new = commands.add_parser(
        "new",
        help="write a commented scenario skeleton that validates",
        description="Write NAME.toml: a commented scenario (a mediator, two sides, three clauses, a deadline, "
        "one uncertain input, one dated question) that validates and runs as it stands; edit it into your case. "
        "Every key is described in docs/scenarios.md.",
    )
    new.add_argument("name", help="the scenario's name (letters, digits and _; the file is NAME.toml)")
    new.add_argument("--out", type=output_path, default=None, help="the file to write (default ./NAME.toml)")
    new.add_argument("--force", action="store_true", help="replace an existing file")
    new.set_defaults(handler=cmd_new)

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of the scenario format",
        description="Print the JSON Schema of the scenario format, generated from negosim's schema (pydantic), "
        "for editors that check a TOML file as it is typed (for example with Taplo or Even Better TOML).",
    )
    schema.add_argument("--out", type=output_path, default=None, help="write it to this file instead")
    schema.set_defaults(handler=cmd_schema)


def cmd_new(args: argparse.Namespace) -> int:
    from negosim.files import write_bytes
    from negosim.scenario.skeleton import NAME, skeleton

    if not NAME.match(args.name):
        raise UsageError(f"new {args.name!r}: expected a name of letters, digits and _ (starting with a letter)")
    path = args.out or Path(f"{args.name}.toml")
    if (path.exists() or path.is_symlink()) and not args.force:
        raise UsageError(f"{path}: the file exists; pass --force to replace it")
    if not path.parent.is_dir():
        raise UsageError(f"{path}: the folder {path.parent} does not exist")
    write_bytes(path, skeleton(args.name).encode())
    print(f"Wrote {path}; check it with `negosim validate {path}`, run it with `negosim run {path}`")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from negosim.files import write_bytes
    from negosim.scenario.skeleton import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if args.out is None:
        print(text, end="")
    else:
        write_bytes(args.out, text.encode())
        print(f"Wrote {args.out}")
    return 0
