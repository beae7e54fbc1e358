"""Dotted key paths into a scenario's plain tree: ``parties.RU.veto.tolerance``, ``channels.1.latency``.

>>> tree = {"parties": {"RU": {"noise": 0.03}}, "channels": [{"latency": 3}]}
>>> lookup(tree, "channels.0.latency")
3
>>> set_path(tree, "parties.RU.noise", 0.05); tree["parties"]["RU"]["noise"]
0.05
"""

from __future__ import annotations

from negosim.errors import ScenarioError


def _step(node: object, part: str) -> tuple[bool, object]:
    if isinstance(node, dict) and part in node:
        return True, node[part]
    if isinstance(node, (list, tuple)) and part.isdigit() and int(part) < len(node):
        return True, node[int(part)]
    return False, None


def lookup(raw: object, path: str) -> object:
    """The value at a dotted key path of a plain dict/list tree, or KeyError."""
    node = raw
    for part in path.split("."):
        found, node = _step(node, part)
        if not found:
            raise KeyError(path)
    return node


def set_path(raw: dict, path: str, value: object, source: str = "<memory>") -> None:
    """Replace the value at an existing key path (a ScenarioError names a path that does not exist)."""
    *parents, last = path.split(".")
    try:
        node = lookup(raw, ".".join(parents)) if parents else raw
    except KeyError:
        node = None
    found, _ = _step(node, last)
    if not found:
        raise ScenarioError(source, path, "a key path that exists in the scenario")
    if isinstance(node, dict):
        node[last] = value
    else:
        node[int(last)] = value
