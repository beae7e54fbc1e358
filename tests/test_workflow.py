"""The analyst's workflow: scripts that just work, a command line that never guesses, changed values
from the command line, provenance that names everything that touched a result, progress for logs."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from negosim import run_ensemble

from conftest import SCENARIOS, assert_one_line, run_cli

SCRIPT = textwrap.dedent(
    """
    import sys
    import negosim
    result = negosim.run_ensemble("teaching_two_party", range(30000), processes=2, progress=False)
    result.outcomes.to_parquet(sys.argv[1])
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["file", "stdin", "-c"])
def test_an_unguarded_script_runs_on_worker_processes_with_the_same_bits(tmp_path, two_party, how):
    out = tmp_path / "table.parquet"
    if how == "file":
        (tmp_path / "analysis.py").write_text(SCRIPT)  # no `if __name__ == "__main__":` guard
        done = subprocess.run([sys.executable, str(tmp_path / "analysis.py"), str(out)], capture_output=True, text=True)
    elif how == "stdin":
        done = subprocess.run([sys.executable, "-", str(out)], input=SCRIPT, capture_output=True, text=True)
    else:
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr and "falling" not in done.stderr, done.stderr
    reference = run_ensemble(two_party, range(30000), processes=1, progress=False).outcomes
    pd.testing.assert_frame_equal(pd.read_parquet(out), reference, check_exact=True)


def test_a_pool_that_cannot_start_falls_back_in_one_line(two_party, monkeypatch, capsys):
    from negosim.runs import chunks

    def no_pool(*args, **kwargs):
        raise OSError(38, "Function not implemented")  # as where /dev/shm is missing

    monkeypatch.setattr(chunks, "ProcessPoolExecutor", no_pool)
    result = run_ensemble(two_party, 400, processes=2, chunk_size=100, progress=False)
    err = capsys.readouterr().err
    assert_one_line(err, "worker processes failed", "running the rest in this process")
    reference = run_ensemble(two_party, 400, processes=1, progress=False).outcomes
    pd.testing.assert_frame_equal(result.outcomes, reference, check_exact=True)


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "teaching_two_party", "--seed", "5"],  # --seed is not --seeds
        ["run", "teaching_two_party", "--see", "5"],
        ["trace", "teaching_two_party", "--se", "3"],
        ["sweep", "x.toml", "--proc", "2"],
    ],
)
def test_options_are_never_abbreviated(tmp_path, argv):
    status, _, err = run_cli([*argv, "--out", str(tmp_path / "o")] if argv[0] != "trace" else argv)
    assert status == 2
    assert_one_line(err, "unrecognized arguments")
    assert not (tmp_path / "o").exists()


def test_set_changes_one_value_on_run_and_trace(tmp_path):
    status, _, _ = run_cli(["run", "teaching_two_party", "--seeds", "5", "--out", str(tmp_path / "a"), "--quiet",
                            "--set", "mediator.bias=0.4", "--set", "channels.1.latency=2"])  # fmt: skip
    assert status == 0
    stored = json.loads((tmp_path / "a" / "scenario.json").read_text())
    assert stored["mediator"]["bias"] == 0.4 and stored["channels"][1]["latency"] == 2
    plain = run_cli(["trace", "teaching_two_party", "--seed", "1"])[1]
    biased = run_cli(["trace", "teaching_two_party", "--seed", "1", "--set", "mediator.bias=0.9"])[1]
    assert plain != biased


@pytest.mark.parametrize(
    ("assignment", "needle"),
    [
        ("mediator.bias=7", "mediator.bias: a number in [-1, 1] (got 7)"),
        ("mediator.nope=1", "mediator.nope: a key path that exists"),
        ("mediator.bias", "expected KEY.PATH=VALUE"),
        ("=1", "expected KEY.PATH=VALUE"),
        ("mediator.bias=[1,", "neither a number"),
    ],
)
def test_a_bad_set_is_one_line_and_nothing_runs(tmp_path, assignment, needle):
    for argv in (["run", "teaching_two_party", "--seeds", "3", "--out", str(tmp_path / "o")],
                 ["trace", "teaching_two_party"]):  # fmt: skip
        status, _, err = run_cli([*argv, "--set", assignment])
        assert status == 2
        assert_one_line(err, f"--set {assignment}", needle)
    assert not (tmp_path / "o").exists()


def test_sweep_takes_seeds_and_set(tmp_path):
    path = tmp_path / "sweep.toml"
    path.write_text('[experiment]\nname = "s"\nscenario = "teaching_two_party"\nseeds = 50\n'
                    '[axes."mediator.bias"]\nvalues = [0.0, 0.2]\n')  # fmt: skip
    out = tmp_path / "out"
    status, _, err = run_cli(["sweep", str(path), "--seeds", "4", "--set", "mediator.step=0.05", "--out", str(out),
                              "--quiet", "--no-figures"])  # fmt: skip
    assert status == 0, err
    table = pd.read_parquet(out / "outcomes.parquet")
    assert len(table) == 2 * 4
    assert json.loads((out / "scenario.json").read_text())["mediator"]["step"] == 0.05


def test_scenarios_lists_every_shipped_name_with_a_description():
    from negosim.scenario import shipped_scenarios

    status, printed, _ = run_cli(["scenarios"])
    assert status == 0
    lines = printed.splitlines()
    for name in shipped_scenarios():
        line = next(line for line in lines if line.startswith(f"{name}: "))
        assert len(line) > len(name) + 10
    assert any(line.startswith("ledger geneva_vs_anchorage_2025: ") for line in lines)


def test_every_subcommand_has_a_description():
    from negosim.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices
    for name, parser in commands.items():
        assert parser.description and len(parser.description) > 30, name


def test_the_manifest_names_every_library_the_commit_and_the_command(tmp_path):
    out = tmp_path / "run"
    assert (
        run_cli(["run", str(SCENARIOS / "teaching_two_party.toml"), "--seeds", "3", "--out", str(out), "--quiet"])[0]
        == 0
    )
    manifest = json.loads((out / "manifest.json").read_text())
    for library in ("numpy", "scipy", "pandas", "pyarrow", "mesa", "networkx", "pydantic"):
        assert manifest[library][0].isdigit(), library
    assert manifest["code"].startswith(("not a git checkout", "a git checkout")) or len(manifest["code"]) >= 40
    assert manifest["command"].startswith("negosim run ") and "--seeds 3" in manifest["command"]


def test_progress_in_a_log_is_whole_lines(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "negosim.cli", "run", "teaching_two_party", "--seeds", "2000", "--chunk-size", "100",
         "--out", str(tmp_path / "o")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0
    assert "\r" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == "teaching_two_party: 0/2,000 worlds (0%)"
    assert lines[-1].startswith("teaching_two_party: 2,000/2,000 worlds (100%) in ")
    assert 3 <= len(lines) <= 12  # a tenth of the way at a time, not a line per chunk


@pytest.mark.slow
def test_an_unguarded_script_runs_on_a_dask_local_cluster_with_the_same_bits(tmp_path, two_party):
    out = tmp_path / "table.parquet"
    script = textwrap.dedent(
        """
        import sys
        import negosim
        from negosim.runs.cluster import dask_executor
        with dask_executor(local_workers=2) as executor:
            result = negosim.run_ensemble("teaching_two_party", range(8000), executor=executor, progress=False)
        result.outcomes.to_parquet(sys.argv[1])
        """
    )
    (tmp_path / "analysis.py").write_text(script)
    done = subprocess.run([sys.executable, str(tmp_path / "analysis.py"), str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    reference = run_ensemble(two_party, range(8000), processes=1, progress=False).outcomes
    pd.testing.assert_frame_equal(pd.read_parquet(out), reference, check_exact=True)


def test_demo_and_animate_check_set_before_anything_starts(tmp_path):
    gif = str(tmp_path / "a.gif")
    for argv in (["demo", "teaching_two_party"], ["animate", "teaching_two_party", "--out", gif]):
        argv = [*argv, "--set", "mediator.bias=9"]
        status, _, err = run_cli(argv)
        assert status == 2
        assert_one_line(err, "--set mediator.bias=9", "a number in [-1, 1]")
    assert not (tmp_path / "a.gif").exists()


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_scripts_cover_every_command(shell):
    status, out, err = run_cli(["completion", shell])
    assert status == 0 and not err
    for command in ("run", "trace", "backtest", "compare", "completion"):
        assert command in out
    assert "--seeds" in out and "--processes" in out


def test_an_unknown_shell_is_one_line():
    status, _, err = run_cli(["completion", "fish"])
    assert status == 2 and err.count("\n") == 1 and "invalid choice: 'fish'" in err
