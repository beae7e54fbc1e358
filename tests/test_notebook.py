"""experiments/classroom.ipynb runs top to bottom without an error, in under a minute of work."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "experiments" / "classroom.ipynb"


def test_classroom_notebook_executes(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    started = time.monotonic()
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, on the first error
    elapsed = time.monotonic() - started

    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    errors = [out for cell in code for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert errors == []
    assert all(cell.get("execution_count") for cell in code)  # every cell ran
    text = "\n".join(out.get("text", "") for cell in code for out in cell.get("outputs", []) if "text" in out)
    assert "geneva_vs_anchorage" in text or "Geneva" in text
    assert "500 worlds" in text  # the ensemble's report
    images = sum("image/png" in out.get("data", {}) for cell in code for out in cell.get("outputs", []))
    assert images >= 6  # one world's plots, the dashboard, the ensemble's and the sweep's figures
    # The stored notebook stays free of outputs: a clean diff, nothing stale.
    stored = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in stored.cells if cell.cell_type == "code")
    assert elapsed < 240, f"the notebook took {elapsed:.0f} s; keep it small for a class"
