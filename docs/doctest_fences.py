"""A griffe extension for the API pages: each docstring's ``>>>`` examples become fenced Python
code, so they render as the runnable examples they are (pytest runs them as doctests)."""

from __future__ import annotations

import griffe


def fence_examples(text: str) -> str:
    """Wrap every run of doctest lines (prompts, continuations, expected output) in a code fence."""
    out, inside = [], False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith(">>>") and not inside:
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            inside = True
        elif inside and not stripped:
            out.append(f"{indent}```")
            inside = False
        out.append(line)
    if inside:
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_examples(obj.docstring.value)
