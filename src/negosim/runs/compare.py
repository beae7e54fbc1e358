"""``negosim compare RUN_A RUN_B``: two finished runs side by side (see :mod:`negosim.analysis.compare`).

Writes ``compare.md``, ``compare.csv`` and ``compare.png`` to ``--out``
(default ``RUN_B/compare-<name of RUN_A>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from negosim.analysis.compare import compare_tables
from negosim.analysis.summary import event_columns
from negosim.errors import OutputError
from negosim.files import is_temporary, write_atomic, write_bytes
from negosim.runs.ensemble import EnsembleResult
from negosim.runs.reopen import open_result

COMPARE_FILES = ("compare.md", "compare.csv", "compare.png")


@dataclass
class Comparison:
    """The rows of :func:`negosim.analysis.compare.compare_tables` and what was compared."""

    table: pd.DataFrame
    label_a: str
    label_b: str
    paired: bool

    def markdown(self) -> str:
        how = ("paired by world (the runs share their seeds)" if self.paired
               else "unpaired (the runs do not share their seeds)")  # fmt: skip
        lines = [
            f"# {self.label_b} vs {self.label_a}",
            "",
            f"Differences B - A in percentage points, 95% intervals {how}.",
            "",
        ]
        percent = ("A", "B", "difference", "low", "high", "unpaired_low", "unpaired_high")
        shown = self.table.assign(**{c: 100 * self.table[c] for c in percent})
        shown = shown.rename(columns={"A": self.label_a, "B": self.label_b})
        return "\n".join([*lines, shown.round(2).to_markdown(index=False), "", "![comparison](compare.png)", ""])


def _open_run(directory: str | Path) -> EnsembleResult:
    result = open_result(directory)
    if not isinstance(result, EnsembleResult):
        raise OutputError(f"{directory}: compare takes runs of one scenario (negosim run), not sweeps")
    return result


def compare_runs(dir_a: str | Path, dir_b: str | Path, *, out: str | Path | None = None) -> Comparison:
    """Compare two finished runs; with ``out`` (or by default beside ``dir_b``) write the report.

    ``out=False`` writes nothing.
    """
    a, b = _open_run(dir_a), _open_run(dir_b)
    columns_a = ["seed", "status", *event_columns(a.scenario)]
    columns_b = ["seed", "status", *event_columns(b.scenario)]
    table_a, table_b = a.store.read(columns=columns_a), b.store.read(columns=columns_b)
    rows = compare_tables(table_a, table_b, a.scenario, b.scenario)
    label_a, label_b = Path(dir_a).name or str(dir_a), Path(dir_b).name or str(dir_b)
    comparison = Comparison(rows, label_a, label_b, bool(rows["paired"].all()) if len(rows) else False)
    if out is not False:
        write_comparison(comparison, Path(out) if out is not None else Path(dir_b) / f"compare-{label_a}")
    return comparison


def write_comparison(comparison: Comparison, folder: Path) -> None:
    from negosim.plots.compare import comparison_figure  # matplotlib only when writing

    folder.mkdir(parents=True, exist_ok=True)
    others = [e.name for e in folder.iterdir() if e.name not in COMPARE_FILES and not is_temporary(e)]
    if others:  # never overwrite a folder of someone else's files
        raise OutputError(f"{folder}: holds files a comparison does not write ({', '.join(sorted(others)[:3])})")
    write_bytes(folder / "compare.md", comparison.markdown().encode())
    write_atomic(folder / "compare.csv", lambda path: comparison.table.to_csv(path, index=False))
    figure = comparison_figure(comparison.table, comparison.label_a, comparison.label_b)
    write_atomic(folder / "compare.png", lambda path: figure.savefig(path, format="png", dpi=150))
    comparison.folder = folder
