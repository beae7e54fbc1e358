"""``negosim completion SHELL``: a tab-completion script, generated from the parser itself (shtab)."""

from __future__ import annotations

import argparse

SHELLS = ("bash", "zsh", "tcsh")


def add_parsers(commands) -> None:
    completion = commands.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh, tcsh)",
        description="Print a tab-completion script for negosim's commands and options, generated from its own "
        "argument parser by shtab. For bash: negosim completion bash > "
        "~/.local/share/bash-completion/completions/negosim",
    )
    completion.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    completion.set_defaults(handler=cmd_completion)


def cmd_completion(args: argparse.Namespace) -> int:
    import shtab

    from negosim.cli import build_parser

    print(shtab.complete(build_parser(), shell=args.shell), end="")
    return 0
