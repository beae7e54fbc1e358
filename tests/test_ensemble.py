"""Ensembles: streaming to disk, resuming after a kill, refusing other runs."""

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from negosim import run_ensemble
from negosim.errors import OutputError
from negosim.runs.chunks import as_seed_array
from negosim.runs.ensemble import summary_columns
from negosim.runs.store import RunStore

from conftest import SCENARIOS


def test_a_run_directory_holds_every_seed_once_and_the_summary(tmp_path, two_party):
    result = run_ensemble(two_party, 2000, chunk_size=300, out=tmp_path / "run", progress=False)
    table = pd.read_parquet(tmp_path / "run" / "outcomes.parquet")
    assert list(table["seed"]) == list(range(2000))
    assert result.summary() == RunStore(tmp_path / "run").read_summary()
    assert sorted(os.listdir(tmp_path / "run" / "figures")) == [
        "outcome_shares.png",
        "position_index.png",
        "signing_times.png",
        "utility_space.png",
    ]
    assert not (tmp_path / "run" / "parts").exists()
    in_memory = run_ensemble(two_party, 2000, progress=False).outcomes
    pd.testing.assert_frame_equal(table, in_memory, check_exact=True)


def test_another_run_is_refused_without_force_and_the_same_run_resumes(tmp_path, two_party, three_party):
    out = tmp_path / "run"
    run_ensemble(two_party, 300, out=out, progress=False, figures=False)
    with pytest.raises(OutputError):
        run_ensemble(three_party, 300, out=out, progress=False)
    with pytest.raises(OutputError):
        run_ensemble(two_party, 301, out=out, progress=False)
    again = run_ensemble(two_party, 300, out=out, progress=False)
    assert again.meta["resumed"]
    replaced = run_ensemble(three_party, 300, out=out, progress=False, force=True, figures=False)
    assert replaced.outcomes["seed"].tolist() == list(range(300))


def test_a_killed_run_resumes_with_nothing_lost_or_doubled(tmp_path, two_party):
    out = tmp_path / "run"
    command = [
        sys.executable,
        "-m",
        "negosim.cli",
        "run",
        str(SCENARIOS / "teaching_two_party.toml"),
        "--seeds",
        "40000",
        "--chunk-size",
        "500",
        "--processes",
        "1",
        "--out",
        str(out),
        "--quiet",
        "--no-figures",
    ]
    victim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "parts").glob("part-*.parquet"))) < 3:
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    written = len(list((out / "parts").glob("part-*.parquet")))
    assert 3 <= written < 80, "the kill must land mid-run"
    finished = subprocess.run(command, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert "resumed" in finished.stdout
    table = pd.read_parquet(out / "outcomes.parquet")
    reference = run_ensemble(two_party, 40000, progress=False).outcomes
    pd.testing.assert_frame_equal(table, reference, check_exact=True)


def test_seed_arguments(two_party):
    assert as_seed_array(3).tolist() == [0, 1, 2]
    assert as_seed_array([5, 2, 9]).tolist() == [2, 5, 9]
    for bad in (0, [], [-1], [3, 3]):
        with pytest.raises(ValueError):
            as_seed_array(bad)
    small = run_ensemble(two_party, [7, 3], progress=False).outcomes
    assert small["seed"].tolist() == [3, 7]
    assert set(summary_columns(two_party)) <= set(small.columns)
