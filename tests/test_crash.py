"""Crash safety: a sweep on two worker processes killed with SIGKILL at random moments, again and
again, ends with the same table as an uninterrupted run, and no worker outlives its killed parent."""

import random
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from test_reliability import descendants_outlive

from negosim import run_experiment
from negosim.runs.store import RunStore

SWEEP = """
[experiment]
name = "crash"
scenario = "teaching_two_party"
design = "full_factorial"
seeds = 15000
seed = 11

[axes."mediator.bias"]
values = [-0.3, 0.0, 0.3]

[axes."parties.A.reservation.base"]
values = [0.45, 0.55]
"""


@pytest.mark.slow
def test_a_sweep_killed_at_random_moments_loses_and_doubles_nothing(tmp_path):
    path = tmp_path / "crash.toml"
    path.write_text(SWEEP)
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "negosim.cli",
        "sweep",
        str(path),
        "--out",
        str(out),
        "--chunk-size",
        "250",
        "--processes",
        "2",
        "--quiet",
        "--no-figures",
    ]
    rng = random.Random(20251125)  # the kill moments are random but repeatable
    kills = 0
    for _ in range(5):
        victim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.5, 5.0))
        if victim.poll() is not None:
            break
        assert descendants_outlive(victim) == [], "a worker outlived its killed parent"
        if RunStore(out).complete:  # it finished its table before the kill landed (still writing reports)
            break
        kills += 1
    assert kills >= 2, "the sweep must be interrupted at least twice"
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    table = pd.read_parquet(out / "outcomes.parquet")
    assert not table.duplicated(["point", "seed"]).any()
    reference = run_experiment(path, progress=False).outcomes.reset_index()
    pd.testing.assert_frame_equal(table, reference, check_exact=True)


def test_a_partly_written_chunk_is_never_read_as_complete(tmp_path, two_party, monkeypatch):
    from negosim import files, run_ensemble

    out = tmp_path / "run"
    real_replace = files.os.replace
    named = []

    def dying_replace(src, dst):
        # die between writing part 1's bytes and giving the file its name
        if Path(dst).name == "part-000001.parquet":
            raise KeyboardInterrupt
        named.append(Path(dst).name)
        return real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        run_ensemble(two_party, 1000, chunk_size=100, out=out, progress=False, figures=False)
    monkeypatch.setattr(files.os, "replace", real_replace)
    assert "part-000000.parquet" in named
    assert sorted(p.name for p in (out / "parts").iterdir()) == ["part-000000.parquet", "part-000000.sha256"]
    assert RunStore(out).done_parts() == {"000000"}  # the interrupted part left no file behind
    stray = out / "parts" / ".part-000009.parquet.abcd1234.tmp"
    stray.write_bytes(b"garbage")  # a temporary file a killed writer left is removed on the resume
    finished = run_ensemble(two_party, 1000, chunk_size=100, out=out, progress=False, figures=False)
    assert not stray.exists()
    pd.testing.assert_frame_equal(
        finished.outcomes, run_ensemble(two_party, 1000, progress=False).outcomes, check_exact=True
    )
