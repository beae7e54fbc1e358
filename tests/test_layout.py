"""The package's shape: imports point down the layers and never in a circle; modules and
functions stay small; ``import negosim`` and the light commands start without the heavy libraries."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import networkx as nx
import pytest

from conftest import ROOT

SRC = ROOT / "src" / "negosim"

# Lower numbers sit lower: a module may import its own package or a lower layer, never a higher one,
# and never a different package on its own layer. The root package exports lazily and imports nothing.
LAYERS = {
    "negosim": 0, "vocabulary": 0, "errors": 0, "arguments": 0, "files": 0,
    "scenario": 1,
    "engine": 2,
    "protocols": 3, "analysis": 3,
    "plots": 4,
    "runs": 5,
    "demo": 6,
    "cli": 7,
}  # fmt: skip
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
LONG_REASON = "Long because"  # a longer function says why in its docstring
HEAVY = ("mesa", "scipy", "pandas", "matplotlib")


def module_name(path: Path, root: Path, package: str) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([package, *parts])


def _runtime_imports(tree: ast.Module) -> list[tuple[str, list[str]]]:
    """(module, names) of every import that runs, wherever it sits (functions too), except
    those under ``if TYPE_CHECKING:``."""
    found: list[tuple[str, list[str]]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph(root: Path, package: str) -> nx.DiGraph:
    """Modules of ``package`` (rooted at ``root``) and the imports between them."""
    modules = {module_name(p, root, package): p for p in root.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        for target, names in _runtime_imports(ast.parse(path.read_text(), str(path))):
            if target != package and not target.startswith(package + "."):
                continue
            # `from pkg import module` imports the module; `from pkg import name` imports pkg.
            submodules = [f"{target}.{n}" for n in names if f"{target}.{n}" in modules]
            for hit in submodules or [target]:
                if hit in modules and hit != name:
                    graph.add_edge(name, hit)
    return graph


def layer_of(module: str, layers: dict[str, int]) -> tuple[int, str]:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else parts[0]
    return layers[top], top


def layering_problems(graph: nx.DiGraph, layers: dict[str, int]) -> list[str]:
    """Every circle, and every import of a higher layer or of another package on the same layer."""
    problems = [" -> ".join([*cycle, cycle[0]]) for cycle in nx.simple_cycles(graph)]
    for source, target in graph.edges:
        (low, low_pkg), (high, high_pkg) = layer_of(source, layers), layer_of(target, layers)
        if high > low or (high == low and high_pkg != low_pkg and high > 0):
            problems.append(f"{source} imports {target} ({high_pkg} is not below {low_pkg})")
    return problems


def test_negosim_imports_point_down_and_never_circle():
    graph = import_graph(SRC, "negosim")
    assert len(graph) > 40 and graph.number_of_edges() > 60  # the reader really read the package
    assert layering_problems(graph, LAYERS) == []


def _write_package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root / "pkg"


def test_the_check_finds_a_deliberate_circle_and_an_upward_import(tmp_path):
    pkg = _write_package(tmp_path, {
        "__init__.py": "",
        "low/__init__.py": "",
        "low/a.py": "from pkg.low import b\n",
        "low/b.py": "def f():\n    from pkg.low.a import g  # a function-level import still counts\n",
        "high/__init__.py": "",
        "high/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.low import a\n",
        "low/d.py": "import pkg.high.c\n",
    })  # fmt: skip
    problems = layering_problems(import_graph(pkg, "pkg"), {"pkg": 0, "low": 1, "high": 2})
    assert any(
        "pkg.low.a -> pkg.low.b -> pkg.low.a" in p or "pkg.low.b -> pkg.low.a -> pkg.low.b" in p for p in problems
    )
    assert "pkg.low.d imports pkg.high.c (high is not below low)" in problems
    assert not any(
        "pkg.high.c" in p and "imports pkg.low" in p for p in problems
    )  # TYPE_CHECKING is not a runtime import
    assert len(problems) == 2


def _docstring_lines(node: ast.FunctionDef) -> int:
    first = node.body[0]
    is_doc = (
        isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
    )
    return first.end_lineno - first.lineno + 1 if is_doc else 0


def test_modules_and_functions_stay_small():
    """Modules of at most 400 lines; functions of at most 60 lines of code (docstrings not counted)."""
    too_long = []
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        if text.count("\n") > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(SRC)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1 - _docstring_lines(node)
                if length > MAX_FUNCTION_LINES and LONG_REASON not in (ast.get_docstring(node) or ""):
                    too_long.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name}: {length} lines")
    assert too_long == []


def test_no_bare_status_codes():
    """Clause statuses and outcome classes are compared by name (negosim.vocabulary), never by number."""
    bare = re.compile(r"\b(\w*status|outcome)\b(\[[^\]]*\])?\s*(==|!=|<=|>=|<|>)\s*-?\d")
    hits = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in SRC.rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if bare.search(line)
    ]
    assert hits == []


def _modules_loaded(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    return done.stdout.strip().splitlines()[-1]


def test_import_negosim_loads_no_heavy_library():
    assert _modules_loaded("import negosim") == "[]"


@pytest.mark.parametrize("argv", [["--version"], ["validate", "scenarios/geneva_vs_anchorage.toml"]])
def test_light_commands_load_no_heavy_library(argv):
    code = f"from negosim.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass"
    assert _modules_loaded(code) == "[]"
