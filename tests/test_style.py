"""The code is as ruff (configured in pyproject.toml) wants it: lint-clean and formatted."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

PATHS = ["src", "tests", "experiments", "benchmarks"]


def _ruff() -> str:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if found is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    return found


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff_is_clean(command):
    done = subprocess.run([_ruff(), *command, *PATHS], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
