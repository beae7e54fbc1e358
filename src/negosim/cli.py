"""The ``negosim`` command: it parses arguments and calls down into the library.

Exit status: 0 done; 2 bad input (an argument, a scenario, experiment or
ledger file, an output directory that cannot be used or is locked by another
run, a run too big for the machine's memory, a result directory that is not
whole), refused before anything is written; 1 the environment failed during
the work (a full disk, a read-only file system, a permission, an unreachable
Dask scheduler), leaving only whole files, so the same command resumes; 130
interrupted. Every failure is one line on stderr, control characters escaped,
never a traceback. Every import of the library
happens inside the handler that needs it, so ``negosim --version`` and
``negosim validate`` start without Mesa, SciPy, pandas or matplotlib.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shlex
import sys
from pathlib import Path

from negosim.arguments import output_path, positive_float, positive_int, scheduler_address, seed
from negosim.errors import NegosimError, UsageError
from negosim.files import one_line

FLAGSHIP = "geneva_vs_anchorage"
EXIT_BAD_INPUT = 2
EXIT_ENVIRONMENT = 1
EXIT_INTERRUPTED = 130
PLUGIN_MODULES = ("negosim.demo.command", "negosim.demo.animate")  # commands that live beside their feature


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage + message
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _add_ensemble_options(parser: argparse.ArgumentParser, chunk_help: str) -> None:
    """Where the worlds run, how many per model, and what is written: shared by run and sweep."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--processes",
        type=positive_int,
        default=None,
        help="local worker processes (default: all cores from 20,000 worlds, else 1)",
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
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an --out directory that holds another negosim run (never one with other files in it)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _executor(args: argparse.Namespace):
    """A context manager yielding a Dask executor, or None for local processes."""
    import contextlib

    if args.scheduler or args.dask_local:
        from negosim.runs.cluster import dask_executor

        return dask_executor(scheduler=args.scheduler, local_workers=args.dask_local, timeout=args.scheduler_timeout)
    return contextlib.nullcontext(None)


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


def build_parser() -> argparse.ArgumentParser:
    from negosim import __version__

    parser = _Parser(prog="negosim", description="Simulate mediated multi-party negotiations.")
    parser.add_argument("--version", action="version", version=f"negosim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="run a scenario over many seeds and write a result directory")
    run.add_argument("scenario", nargs="?", help=f"scenario file or name (default: {FLAGSHIP})")
    run.add_argument("--seeds", type=positive_int, default=1000, help="number of seeds (default 1000)")
    run.add_argument("--first-seed", type=seed, default=0, help="first seed (default 0)")
    run.add_argument(
        "--out", type=output_path, default=Path("runs/latest"), help="result directory (default runs/latest)"
    )
    _add_ensemble_options(run, chunk_help="worlds per model (default: up to 5000)")
    run.set_defaults(handler=cmd_run)

    trace = commands.add_parser("trace", help="tell one world round by round")
    trace.add_argument("scenario", nargs="?", help=f"scenario file or name (default: {FLAGSHIP})")
    trace.add_argument("--seed", type=seed, default=0, help="the world's seed (default 0)")
    trace.set_defaults(handler=cmd_trace)

    sweep = commands.add_parser("sweep", help="run a parameter sweep described by an experiment file")
    sweep.add_argument("experiment", help="experiment TOML file")
    sweep.add_argument(
        "--out", type=output_path, default=None, help="result directory (default runs/<experiment name>)"
    )
    _add_ensemble_options(sweep, chunk_help="worlds per model")
    sweep.set_defaults(handler=cmd_sweep)

    plot = commands.add_parser("plot", help="redraw the figures and report.md of a run or sweep directory")
    plot.add_argument("directory", type=Path)
    plot.set_defaults(handler=cmd_plot)

    _add_backtest(commands)

    validate = commands.add_parser("validate", help="check scenario files")
    validate.add_argument("files", nargs="+", help="scenario files")
    validate.set_defaults(handler=cmd_validate)

    for module in PLUGIN_MODULES:
        try:
            plugin = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        plugin.add_parser(commands)
    return parser


def _command_line() -> str:
    return "negosim " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def cmd_run(args: argparse.Namespace) -> int:
    from negosim.runs.ensemble import run_ensemble
    from negosim.runs.store import RunStore
    from negosim.scenario import load_scenario

    scenario = load_scenario(args.scenario)
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
            command=_command_line(),
            figures=not args.no_figures,
        )
    print(result.report())
    _say_what_was_kept(result.meta)
    print(
        f"\nWrote {args.out}/outcomes.parquet, summary.json, manifest.json"
        + ("" if args.no_figures else " and figures/")
    )
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from negosim.runs.experiment import run_experiment
    from negosim.runs.experiment_spec import load_experiment
    from negosim.runs.store import RunStore
    from negosim.vocabulary import Outcome

    experiment = load_experiment(args.experiment)
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
            command=_command_line(),
            figures=not args.no_figures,
        )
    table = result.point_summary()
    _say_what_was_kept(result.meta)
    shown = ["point", *experiment.axes, *(f"p_{name}" for name in Outcome.labels())]
    print(table[shown].round(3).to_string(index=False))
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


def cmd_plot(args: argparse.Namespace) -> int:
    from negosim.runs.reopen import replot

    path = replot(args.directory)
    print(f"Redrew the figures and wrote {path}")
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    from negosim.analysis.narrative import trace
    from negosim.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    lines = trace(scenario, args.seed)
    print(f"{scenario.meta.name}, seed {args.seed}")
    print("\n".join(lines))
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from negosim.runs.backtest import backtest, markdown
    from negosim.runs.reopen import open_result

    scores = backtest(args.directory, args.ledger, worlds=args.worlds, out=args.out)
    print(markdown(scores, open_result(args.directory).scenario))
    print(f"Wrote {scores.directory}/backtest.md, backtest.json and backtest.png")
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


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except NegosimError as exc:
        print(f"error: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except MemoryError:
        print("error: out of memory (try a smaller --chunk-size or fewer --processes)", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except BrokenPipeError:  # the reader (head, less) stopped reading: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # the disk, the file system, the network: not the input
        print(f"error: {one_line(_environment_message(exc))}", file=sys.stderr)
        return EXIT_ENVIRONMENT


def _environment_message(exc: OSError) -> str:
    """An OSError as one sentence: the file, what went wrong, and that the run can be resumed."""
    if exc.strerror is None:
        return str(exc)
    where = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
    return (
        f"{where + ': ' if where else ''}{exc.strerror} (whole files are kept: fix this and run the same command again)"
    )


if __name__ == "__main__":
    sys.exit(main())
