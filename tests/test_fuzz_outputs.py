"""Fuzzing where results go and what scores them: random output destinations (with and without
--force), random experiment names, mutated ledgers, and a disk that fills at a random size. Each
either works or fails in one line with the documented status, and nothing negosim did not write is
ever changed."""

from __future__ import annotations

import copy
import datetime as dt
import os
import resource
import signal
import subprocess
import sys
import tomllib

import pandas as pd
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negosim import run_ensemble
from negosim.scenario.ledger import resolve_ledger

from conftest import SCENARIOS, assert_one_line, run_cli

TWO = str(SCENARIOS / "teaching_two_party.toml")
CASES = {"destination": 0, "experiment_name": 0, "ledger": 0, "disk_limit": 0}
LEDGER = tomllib.loads(resolve_ledger("geneva_vs_anchorage_2025").read_text())
FUNCTION_SCOPED = [HealthCheck.function_scoped_fixture]

SITUATIONS = [
    "missing",
    "missing/nested/deep",
    "empty",
    "foreign",
    "file",
    "dangling",
    "link_to_foreign",
    "other_run",
    "other_run_with_foreign",
    "same_run",
    "under_file",
    "odd\nname\x1b[0m",
]


def _foreign_snapshot(root) -> dict:
    """Every file that is not negosim's, with its bytes (what must never change)."""
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and p.name.startswith("mine")}


def _prepare(root, situation: str):
    """Make ``situation`` under ``root``; returns the --out path."""
    out = root / "out"
    if situation.startswith("missing"):
        return root / situation
    if situation == "empty":
        out.mkdir()
    elif situation == "foreign":
        out.mkdir()
        (out / "mine.txt").write_text("thesis")
    elif situation in ("file", "under_file"):
        out.write_text("mine")
        (root / "mine-file").write_text("mine")
        return out / "sub" if situation == "under_file" else out
    elif situation == "dangling":
        out.symlink_to(root / "nowhere")
    elif situation == "link_to_foreign":
        (root / "elsewhere").mkdir()
        (root / "elsewhere" / "mine.txt").write_text("thesis")
        out.symlink_to(root / "elsewhere")
    elif situation.startswith("other_run") or situation == "same_run":
        seeds = "4" if situation == "same_run" else "3"
        assert run_cli(["run", TWO, "--seeds", seeds, "--out", str(out), "--quiet", "--no-figures"])[0] == 0
        if situation.endswith("foreign"):
            (out / "mine.txt").write_text("notes")
    else:
        return root / situation
    return out


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(situation=st.sampled_from(SITUATIONS), force=st.booleans(), figures=st.booleans())
def test_any_destination_works_or_is_refused_without_touching_other_files(tmp_path_factory, situation, force, figures):
    CASES["destination"] += 1
    root = tmp_path_factory.mktemp("dest")
    out = _prepare(root, situation)
    before = _foreign_snapshot(root)
    argv = ["run", TWO, "--seeds", "4", "--out", str(out), "--quiet"]
    argv += ["--force"] if force else []
    argv += [] if figures else ["--no-figures"]
    status, _, err = run_cli(argv)
    assert status in (0, 2), (situation, force, err)
    assert _foreign_snapshot(root) == before, (situation, force)
    if status == 2:
        assert_one_line(err)
    else:
        assert (out / "outcomes.parquet").is_file() and not list(out.rglob("*.tmp"))


@settings(max_examples=60, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(name=st.text(min_size=0, max_size=40))
def test_any_experiment_name_stays_a_plain_name(tmp_path_factory, name):
    CASES["experiment_name"] += 1
    root = tmp_path_factory.mktemp("name")
    work = root / "work"
    (work / "runs").mkdir(parents=True)
    path = work / "sweep.toml"
    raw = {"experiment": {"name": name, "scenario": "teaching_two_party", "seeds": 2},
           "axes": {"mediator.bias": {"values": [0.0]}}}  # fmt: skip
    path.write_text(tomli_w.dumps(raw))
    cwd = os.getcwd()
    os.chdir(work)
    try:
        status, _, err = run_cli(["sweep", str(path), "--quiet", "--no-figures", "--force"])
    finally:
        os.chdir(cwd)
    assert status in (0, 2), (name, err)
    assert sorted(p.name for p in root.iterdir()) == ["work"]  # nothing made or removed above the sweep's folder
    if status == 0:
        assert [p.name for p in (work / "runs").iterdir()] == [name]
    else:
        assert_one_line(err, str(path))


@pytest.fixture(scope="module")
def flagship_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("flagship") / "run"
    assert run_cli(["run", "geneva_vs_anchorage", "--seeds", "6", "--out", str(out), "--quiet", "--no-figures"])[0] == 0
    return out


def _ledger_paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _ledger_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _ledger_paths(value, (*prefix, i))


LEDGER_VALUES = st.sampled_from(
    [None, "", "x" * 300, "RU", "nobody", -1, 0, 1, 2.5, float("nan"), True, [], {}, dt.date(1999, 1, 1),
     dt.date(2025, 12, 1), "agreed", "sometimes", "signs", "event", "ceasefire"]
)  # fmt: skip


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(data=st.data())
def test_mutated_ledgers_score_or_fail_in_one_line(tmp_path_factory, flagship_run, data):
    CASES["ledger"] += 1
    raw = copy.deepcopy(LEDGER)
    path = data.draw(st.sampled_from([p for p in _ledger_paths(raw) if p]))
    parent = raw
    for part in path[:-1]:
        parent = parent[part]
    value = data.draw(LEDGER_VALUES)
    if value is None:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    folder = tmp_path_factory.mktemp("ledger")
    ledger = folder / "ledger.toml"
    try:
        ledger.write_text(tomli_w.dumps(raw))
    except (TypeError, ValueError):  # not expressible in TOML (NaN keys and the like)
        return
    status, _, err = run_cli(["backtest", str(flagship_run), str(ledger), "--worlds", "3", "--out", str(folder / "bt")])
    assert status in (0, 2), (path, value, err)
    if status == 2:
        assert_one_line(err, str(ledger))
        assert not (folder / "bt").exists()


def _limit_file_size(limit: int):
    def limit_in_child() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_in_child


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(limit=st.integers(min_value=0, max_value=300_000))
def test_a_disk_that_fills_at_any_size_fails_in_one_line_and_resumes(tmp_path_factory, two_party, limit):
    """RLIMIT_FSIZE stands in for a full disk at a random size: no file may grow past ``limit`` bytes."""
    CASES["disk_limit"] += 1
    out = tmp_path_factory.mktemp("fsize") / "run"
    command = [sys.executable, "-m", "negosim.cli", "run", TWO, "--seeds", "6000", "--chunk-size", "500",
               "--out", str(out), "--quiet"]  # fmt: skip
    first = subprocess.run(command, capture_output=True, text=True, preexec_fn=_limit_file_size(limit))
    assert first.returncode in (0, 1), first.stderr
    if first.returncode == 1:
        assert_one_line(first.stderr, "File too large", "run the same command again")
    assert not list(out.rglob("*.tmp")) if out.exists() else True
    second = subprocess.run(command, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    reference = run_ensemble(two_party, 6000, progress=False).outcomes
    pd.testing.assert_frame_equal(pd.read_parquet(out / "outcomes.parquet"), reference, check_exact=True)
