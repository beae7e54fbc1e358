"""The commands that run worlds: ``run``, ``trace``, ``sweep`` and ``validate``."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from negosim.arguments import (
    add_set_option,
    figure_formats,
    output_path,
    positive_float,
    positive_int,
    scheduler_address,
    seed,
)
from negosim.errors import UsageError

FLAGSHIP = "geneva_vs_anchorage"


def add_ensemble_options(parser: argparse.ArgumentParser, chunk_help: str) -> None:
    """Where the worlds run, how many per model, and what is written: shared by run and sweep."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--processes",
        type=positive_int,
        default=None,
        help="local worker processes (default: every CPU this process may use from 20,000 worlds, else 1)",
    )
    where.add_argument(
        "--scheduler", metavar="ADDRESS", type=scheduler_address, help="run on a Dask distributed scheduler"
    )
    where.add_argument("--dask-local", type=positive_int, metavar="N", help="start a Dask LocalCluster of N workers")
    parser.add_argument(
        "--scheduler-timeout",
        type=positive_float,
        default=10.0,
        metavar="SECONDS",
        help="how long to try to reach --scheduler (default 10)",
    )
    parser.add_argument("--chunk-size", type=positive_int, default=None, help=chunk_help)
    parser.add_argument("--no-figures", action="store_true", help="skip the figures")
    add_figure_options(parser)
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an --out directory that holds another negosim run (never one with other files in it)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def add_figure_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", type=figure_formats, default=("png",), metavar="png,svg,pdf",
                        help="the figures' file formats, comma-separated (default png)")  # fmt: skip
    parser.add_argument("--dpi", type=positive_int, default=120, help="raster resolution (default 120; 300 for print)")


def _executor(args: argparse.Namespace):
    """A context manager yielding a Dask executor, or None for local processes."""
    import contextlib

    if args.scheduler or args.dask_local:
        from negosim.runs.cluster import dask_executor

        return dask_executor(scheduler=args.scheduler, local_workers=args.dask_local, timeout=args.scheduler_timeout)
    return contextlib.nullcontext(None)


def add_parsers(commands) -> None:
    """``run``, ``trace``, ``sweep`` and ``validate``."""
    run = commands.add_parser(
        "run",
        help="run a scenario over many seeds and write a result directory",
        description="Run a scenario over many seeds (worlds) and write a result directory: outcomes.parquet, "
        "summary.json, report.md and figures. Kill it at any moment: the same command resumes it.",
    )
    run.add_argument("scenario", nargs="?", help=f"scenario file or name (default: {FLAGSHIP})")
    run.add_argument("--seeds", type=positive_int, default=1000, help="number of seeds (default 1000)")
    run.add_argument("--first-seed", type=seed, default=0, help="first seed (default 0)")
    run.add_argument(
        "--out", type=output_path, default=Path("runs/latest"), help="result directory (default runs/latest)"
    )
    add_ensemble_options(run, chunk_help="worlds per chunk (default: up to 10000)")
    add_set_option(run)
    run.set_defaults(handler=cmd_run)

    trace = commands.add_parser(
        "trace",
        help="tell one world round by round",
        description="Tell one world round by round, in words: who sent which version to whom, who objected "
        "to what and why, pressure, brackets, acceptances and signatures.",
    )
    trace.add_argument("scenario", nargs="?", help=f"scenario file or name (default: {FLAGSHIP})")
    trace.add_argument("--seed", type=seed, default=0, help="the world's seed (default 0)")
    add_set_option(trace)
    trace.set_defaults(handler=cmd_trace)

    sweep = commands.add_parser(
        "sweep",
        help="run a parameter sweep described by an experiment file",
        description="Run every design point of an experiment file on common world seeds and write one tidy "
        "table with per-point shares, intervals and figures; resumable like a run.",
    )
    sweep.add_argument("experiment", help="experiment TOML file")
    sweep.add_argument(
        "--out", type=output_path, default=None, help="result directory (default runs/<experiment name>)"
    )
    sweep.add_argument("--seeds", type=positive_int, default=None, help="worlds per point (default: the file's)")
    add_ensemble_options(sweep, chunk_help="worlds per model")
    add_set_option(sweep)
    sweep.set_defaults(handler=cmd_sweep)

    validate = commands.add_parser(
        "validate",
        help="check scenario files",
        description="Check scenario files (names or paths): one line each, ok or what is wrong and where.",
    )
    validate.add_argument("files", nargs="+", help="scenario files")
    validate.set_defaults(handler=cmd_validate)


def _command_line(args: argparse.Namespace) -> str:
    """The command as typed (for the manifest)."""
    return "negosim " + " ".join(shlex.quote(a) for a in args.argv)


def cmd_run(args: argparse.Namespace) -> int:
    from negosim.runs.ensemble import run_ensemble
    from negosim.runs.store import RunStore
    from negosim.scenario import load_scenario
    from negosim.scenario.overrides import apply_assignments

    scenario = apply_assignments(load_scenario(args.scenario), args.set)
    if args.first_seed + args.seeds > 2**63:
        raise UsageError(f"--first-seed {args.first_seed} --seeds {args.seeds}: seeds end past 2**63 - 1")
    seeds = range(args.first_seed, args.first_seed + args.seeds)  # made an array once the run is known to fit
    store = RunStore(args.out)
    store.check(RunStore.identity(scenario, seeds), args.force)  # fail before the work, not after
    with _executor(args) as executor:
        result = run_ensemble(
            scenario,
            seeds,
            processes=args.processes,
            executor=executor,
            chunk_size=args.chunk_size,
            out=args.out,
            force=args.force,
            progress=not args.quiet,
            command=_command_line(args),
            figures=not args.no_figures,
            figure_formats=args.format,
            figure_dpi=args.dpi,
        )
    print(result.report())
    _say_what_was_kept(result.meta)
    print(
        f"\nWrote {args.out}/outcomes.parquet, summary.json, manifest.json"
        + ("" if args.no_figures else " and figures/")
    )
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    import pandas as pd

    from negosim.runs.experiment import run_experiment
    from negosim.runs.experiment_spec import load_experiment, with_changes
    from negosim.runs.store import RunStore

    experiment = with_changes(load_experiment(args.experiment), seeds=args.seeds, assignments=args.set)
    out = args.out or Path("runs") / experiment.name
    RunStore(out).check({"experiment_sha256": experiment.digest()}, args.force)
    with _executor(args) as executor:
        result = run_experiment(
            experiment,
            out=out,
            processes=args.processes,
            executor=executor,
            chunk_size=args.chunk_size,
            force=args.force,
            progress=not args.quiet,
            command=_command_line(args),
            figures=not args.no_figures,
            figure_formats=args.format,
            figure_dpi=args.dpi,
        )
    from negosim.analysis.summary import outcome_classes
    from negosim.runs.report import with_intervals

    table = result.point_summary()
    _say_what_was_kept(result.meta)
    shown = pd.concat(
        [table[["point", *experiment.axes]], with_intervals(table, outcome_classes(experiment.scenario))], axis=1
    )
    print("Shares in %, with 95% Wilson intervals:")
    print(shown.to_string(index=False))
    print(
        f"\nWrote {out}/outcomes.parquet, points.csv, points_summary.csv, summary.json, report.md"
        + ("" if args.no_figures else " and figures/")
    )
    return 0


def _say_what_was_kept(meta: dict) -> None:
    """What a rerun found on disk: chunks it did not run again, files it set aside or rewrote."""
    if meta.get("resumed"):
        print("\n(resumed: chunks already on disk were not run again)")
    for moved in meta.get("set_aside", []):
        print(f"(set aside, failed its checksum, run again: {moved})")
    if meta.get("repaired"):
        print(f"(rewrote what was missing: {', '.join(meta['repaired'])})")


def cmd_trace(args: argparse.Namespace) -> int:
    from negosim.analysis.narrative import trace
    from negosim.scenario import load_scenario
    from negosim.scenario.overrides import apply_assignments

    scenario = apply_assignments(load_scenario(args.scenario), args.set)
    lines = trace(scenario, args.seed)
    print(f"{scenario.meta.name}, seed {args.seed}")
    print("\n".join(lines))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from negosim.scenario import load_scenario

    for name in args.files:
        scenario = load_scenario(name)
        print(
            f"{name}: ok ({len(scenario.clauses)} clauses, {len(scenario.parties)} parties, "
            f"{len(scenario.channels)} channels, {scenario.calendar.rounds} rounds)"
        )
    return 0
