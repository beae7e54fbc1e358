"""Crash safety: a sweep killed with SIGKILL at random moments, again and
again, ends with the same table as an uninterrupted run."""

import random
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from negosim import run_experiment
from negosim.runs.store import RunStore

SWEEP = """
[experiment]
name = "crash"
scenario = "teaching_two_party"
design = "full_factorial"
seeds = 3000
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
        "1",
        "--quiet",
        "--no-figures",
    ]
    rng = random.Random(20251125)  # the kill moments are random but repeatable
    kills = 0
    for _ in range(5):
        victim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.0, 4.0))
        if victim.poll() is not None:
            break
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        kills += 1
        assert not RunStore(out).complete
    assert kills >= 2, "the sweep must be interrupted at least twice"
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    table = pd.read_parquet(out / "outcomes.parquet")
    assert not table.duplicated(["point", "seed"]).any()
    reference = run_experiment(path, progress=False).outcomes.reset_index()
    pd.testing.assert_frame_equal(table, reference, check_exact=True)


def test_a_partly_written_chunk_is_never_read_as_complete(tmp_path, two_party, monkeypatch):
    from negosim import run_ensemble
    from negosim.runs import store as results

    out = tmp_path / "run"
    real_replace = results.os.replace
    calls = {"n": 0}

    def dying_replace(src, dst):
        calls["n"] += 1
        if (
            calls["n"] == 4
        ):  # manifest, scenario.json, part 0, then die between writing part 1's bytes and naming the file
            raise KeyboardInterrupt
        return real_replace(src, dst)

    monkeypatch.setattr(results.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        run_ensemble(two_party, 1000, chunk_size=100, out=out, progress=False, figures=False)
    monkeypatch.setattr(results.os, "replace", real_replace)
    store = RunStore(out)
    assert len(store.done_parts()) == 1  # the manifest, one whole part; the interrupted part is not listed
    (out / "parts" / "part-000009.parquet.tmp").write_bytes(b"garbage")  # a stray temporary file is ignored too
    finished = run_ensemble(two_party, 1000, chunk_size=100, out=out, progress=False, figures=False)
    pd.testing.assert_frame_equal(
        finished.outcomes, run_ensemble(two_party, 1000, progress=False).outcomes, check_exact=True
    )
