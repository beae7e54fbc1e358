"""The commands that read finished results: ``plot``, ``backtest``, ``compare``, ``discover``, and
``scenarios``, which lists what is shipped."""

from __future__ import annotations

import argparse
from pathlib import Path

from negosim.arguments import iso_date, output_path, positive_int, unit_fraction
from negosim.cli.worlds import add_figure_options


def add_parsers(commands) -> None:
    """``plot``, ``backtest``, ``compare``, ``discover`` and ``scenarios``."""
    plot = commands.add_parser(
        "plot",
        help="redraw the figures and report.md of a run or sweep directory",
        description="Redraw the figures and report.md of a finished run or sweep from its directory alone.",
    )
    plot.add_argument("directory", type=Path)
    add_figure_options(plot)
    plot.set_defaults(handler=cmd_plot)

    _add_backtest(commands)

    compare = commands.add_parser(
        "compare",
        help="compare two finished runs, with paired intervals where they share seeds",
        description="Compare two finished runs: each outcome's and each dated question's difference (B - A) "
        "with a 95%% interval, paired by world when both runs hold the same seeds (common random numbers), "
        "unpaired otherwise. Writes compare.md, compare.csv and compare.png to RUN_B/compare-<RUN_A> (or --out).",
    )
    compare.add_argument("run_a", type=Path, help="the baseline run directory (A)")
    compare.add_argument("run_b", type=Path, help="the run compared with it (B)")
    compare.add_argument("--out", type=output_path, default=None, help="where to write (default RUN_B/compare-<A>)")
    compare.set_defaults(handler=cmd_compare)

    discover = commands.add_parser(
        "discover",
        help="find the input ranges that produce an outcome (PRIM scenario discovery)",
        description="Scenario discovery on a finished run or sweep: PRIM (EMA Workbench) peels a box of input "
        "ranges (the run's per-world draws, a sweep's axes) towards the worlds where an outcome happens, and "
        "prints and draws it. Writes DIR/discover-<outcome>/ (or --out).",
    )
    discover.add_argument("directory", type=Path, help="a finished run or sweep directory")
    discover.add_argument(
        "--outcome", default="deal", help="an outcome class, or with --by a dated question (default deal)"
    )
    discover.add_argument("--by", type=iso_date, default=None, help="read the question by this date (YYYY-MM-DD)")
    discover.add_argument(
        "--threshold", type=unit_fraction, default=0.8, help="the box's density to reach (default 0.8)"
    )
    discover.add_argument(
        "--out", type=output_path, default=None, help="where to write (default DIR/discover-<outcome>)"
    )
    discover.set_defaults(handler=cmd_discover)

    listing = commands.add_parser(
        "scenarios",
        help="list the shipped scenarios and ledgers",
        description="List the scenarios (and backtest ledgers) shipped with negosim, each with its description; "
        "any command takes these names as well as file paths.",
    )
    listing.set_defaults(handler=cmd_scenarios)


def _add_backtest(commands) -> None:
    backtest = commands.add_parser(
        "backtest",
        help="score a finished run against a ledger of what happened",
        description="Score a run's forecasts against a ledger of resolved, dated questions and clause states "
        "(Brier and log scores, clause-call accuracy, clause-value error) beside the 'nothing moves' and "
        "weighted-mean baselines and any forecaster the ledger lists. Writes backtest.md, backtest.json and "
        "backtest.png to RUN_DIR/backtest-<ledger>/ (or --out).",
    )
    backtest.add_argument("directory", type=Path, help="a finished run directory (negosim run ... --out DIR)")
    backtest.add_argument("ledger", help="a ledger file, or the name of a shipped one (history/<name>.toml)")
    backtest.add_argument(
        "--worlds",
        type=positive_int,
        default=2000,
        help="worlds re-run for the clause states (default 2000, the run's first seeds)",
    )
    backtest.add_argument(
        "--out", type=output_path, default=None, help="where to write (default RUN_DIR/backtest-<ledger>)"
    )
    backtest.set_defaults(handler=cmd_backtest)


def cmd_plot(args: argparse.Namespace) -> int:
    from negosim.runs.reopen import replot

    path = replot(args.directory, figure_formats=args.format, figure_dpi=args.dpi)
    print(f"Redrew the figures and wrote {path}")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from negosim.runs.backtest import backtest, markdown
    from negosim.runs.reopen import open_result

    scores = backtest(args.directory, args.ledger, worlds=args.worlds, out=args.out)
    print(markdown(scores, open_result(args.directory).scenario))
    print(f"Wrote {scores.directory}/backtest.md, backtest.json and backtest.png")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from negosim.runs.compare import compare_runs

    comparison = compare_runs(args.run_a, args.run_b, out=args.out)
    table = comparison.table
    shown = table[(table["A"] != table["B"]) | (table["low"] != table["high"])]
    how = "paired by world" if comparison.paired else "unpaired (the runs do not share seeds)"
    print(f"{comparison.label_b} minus {comparison.label_a}, percentage points, 95% intervals {how}:")
    for row in shown.itertuples():
        line = f"  {row.quantity:<36} {100 * row.A:6.1f} -> {100 * row.B:6.1f}   {100 * row.difference:+6.1f} "
        line += f"[{100 * row.low:+.1f}, {100 * row.high:+.1f}]"
        if comparison.paired:
            line += f"  (unpaired [{100 * row.unpaired_low:+.1f}, {100 * row.unpaired_high:+.1f}])"
        print(line)
    print(f"\nWrote {comparison.folder}/compare.md, compare.csv and compare.png")
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    from negosim.runs.discover import discover_in_run

    found, name = discover_in_run(args.directory, args.outcome, by=args.by, threshold=args.threshold, out=args.out)
    print(found.describe())
    where = args.out or args.directory / f"discover-{name.replace(' ', '_')}"
    print(f"\nWrote {where}/discover.md and discover.png")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    from negosim.scenario import load_scenario, shipped_scenarios
    from negosim.scenario.ledger import load_ledger, shipped_ledgers

    for name, path in shipped_scenarios().items():
        scenario = load_scenario(path)
        print(f"{name}: {_first_sentence(scenario.meta.description)}")
    for name, path in shipped_ledgers().items():
        print(f"ledger {name}: {_first_sentence(load_ledger(path).meta.description)}")
    return 0


def _first_sentence(text: str) -> str:
    sentence = " ".join(text.split()).split(". ")[0].rstrip(".")
    return sentence[:117] + "..." if len(sentence) > 120 else sentence
