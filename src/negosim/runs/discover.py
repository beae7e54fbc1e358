"""``negosim discover DIR``: PRIM on a finished run or sweep (see :mod:`negosim.analysis.discovery`).

The inputs are the per-world draws of the run (``param:<path>``) and, for a
sweep, its axes; the outcome is an outcome class at the horizon, or a dated
question (``--by DATE``). Writes ``discover.md`` and ``discover.png`` to
``DIR/discover-<outcome>/`` (or ``--out``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from negosim.analysis.discovery import Discovery, discover
from negosim.analysis.summary import happened_by, questions
from negosim.errors import OutputError, UsageError
from negosim.files import is_temporary, write_atomic, write_bytes
from negosim.runs.experiment import ExperimentResult
from negosim.runs.reopen import open_result
from negosim.vocabulary import Outcome

DISCOVER_FILES = ("discover.md", "discover.png")


def discover_in_run(directory: str | Path, outcome: str = "deal", *, by: dt.date | None = None,
                    threshold: float = 0.8, out: str | Path | bool | None = None) -> tuple[Discovery, str]:  # fmt: skip
    """PRIM's box for ``outcome`` in a finished run or sweep; returns it and the outcome's name."""
    result = open_result(directory)
    scenario = result.experiment.scenario if isinstance(result, ExperimentResult) else result.scenario
    axes = result.experiment.axes if isinstance(result, ExperimentResult) else []
    table = result.store.read()
    inputs = table[[*axes, *(c for c in table.columns if c.startswith("param:") and c[6:] not in axes)]]
    inputs = inputs.select_dtypes("number")
    if inputs.shape[1] == 0:
        raise OutputError(f"{directory}: nothing varies between its worlds (no [uncertainty] draws, no axes)")
    if by is None:
        if outcome not in Outcome.labels():
            raise UsageError(
                f"--outcome {outcome!r}: expected one of {', '.join(Outcome.labels())} (or a question with --by)"
            )
        hits, name = table["status"].eq(outcome).to_numpy(), outcome
    else:
        column = next((c for c, label in questions(scenario).items() if label == outcome), None)
        if column is None:
            raise UsageError(
                f"--outcome {outcome!r}: expected a question of the run ({', '.join(questions(scenario).values())})"
            )
        hits, name = happened_by(table, column, scenario, by), f"{outcome} by {by}"
    found = discover(inputs, hits, threshold=threshold)
    if out is not False:
        folder = Path(out) if out is not None else Path(directory) / f"discover-{name.replace(' ', '_')}"
        write_discovery(found, name, folder)
    return found, name


def write_discovery(found: Discovery, name: str, folder: Path) -> None:
    from negosim.plots.discovery import discovery_figure  # matplotlib only when writing

    folder.mkdir(parents=True, exist_ok=True)
    others = [e.name for e in folder.iterdir() if e.name not in DISCOVER_FILES and not is_temporary(e)]
    if others:  # never overwrite a folder of someone else's files
        raise OutputError(f"{folder}: holds files discover does not write ({', '.join(sorted(others)[:3])})")
    text = f"# Where {name} happens (PRIM)\n\n```\n{found.describe()}\n```\n\n![PRIM box](discover.png)\n"
    write_bytes(folder / "discover.md", text.encode())
    figure = discovery_figure(found, name)
    write_atomic(folder / "discover.png", lambda path: figure.savefig(path, format="png", dpi=150))
