import importlib.util
from pathlib import Path

import pytest

from negosim import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def flagship():
    return load_scenario(SCENARIOS / "geneva_vs_anchorage.toml")


@pytest.fixture(scope="session")
def two_party():
    return load_scenario(SCENARIOS / "teaching_two_party.toml")


@pytest.fixture(scope="session")
def three_party():
    return load_scenario(SCENARIOS / "teaching_three_party.toml")


def with_disputed_city() -> dict:
    """The two-party teaching case (as a plain dict) plus a clause Z on which the two sides'
    red lines leave no overlap: no text both can accept exists while Z is on the table."""
    raw = load_scenario("teaching_two_party").model_dump(mode="python", by_alias=True)
    raw["clauses"] = [*raw["clauses"], {"id": "Z", "label": "the city both claim"}]
    for text in raw["texts"].values():
        text["values"]["Z"] = 0.5
    for pid, ideal in (("M", 0.5), ("A", 0.0), ("B", 1.0)):
        raw["parties"][pid]["ideal"]["Z"] = ideal
        raw["parties"][pid]["salience"]["Z"] = 0.5
    raw["parties"]["A"]["red_lines"] = {"Z": {"max": 0.2}}
    raw["parties"]["B"]["red_lines"] = {"Z": {"min": 0.8}}
    return raw


def load_study(name: str):
    """Import ``experiments/<name>.py`` (the studies are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"study_{name}", ROOT / "experiments" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_study(name: str, tmp_path_factory):
    """The study module, its small-size table and the directory it wrote."""
    module = load_study(name)
    out = tmp_path_factory.mktemp(name)
    return module, module.run(out, small=True), out


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``negosim ARGV`` in this process: (exit status, stdout, stderr)."""
    import contextlib
    import io

    from negosim.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            status = main(argv)
        except SystemExit as exc:  # --help / --version exit through argparse
            status = exc.code
    return status, out.getvalue(), err.getvalue()


def assert_one_line(err: str, *needles: str) -> None:
    """A failure said in exactly one line, with no traceback and no raw control character."""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err and "\x1b" not in err, err
    for needle in needles:
        assert needle in err, (needle, err)


def pytest_terminal_summary(terminalreporter):
    """Say how many cases the property-based tests tried (they run in CI)."""
    import sys

    lines = []
    for module, name in (
        ("test_fuzz", "CASES"),
        ("test_fuzz_outputs", "CASES"),
        ("test_invariants_generated", "TRIED"),
        ("test_schema_bounds", "CASES"),
    ):
        counts = getattr(sys.modules.get(module), name, None)
        if counts and any(counts.values()):
            lines.append(f"{module}: {counts}")
    if lines:
        terminalreporter.section("property-based cases tried")
        for line in lines:
            terminalreporter.write_line(line)
