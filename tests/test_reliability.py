"""Nothing lost, ever: what --force may delete, one writer per directory, workers that die with their
parent, reruns that repair, environment failures in one line, runs too big for memory, durable writes.

Each test is named for the defect it guards against (the numbers of the issue that asked for them).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from negosim import run_ensemble
from negosim.files import write_atomic, write_bytes
from negosim.runs.store import RunStore

from conftest import SCENARIOS, assert_one_line, run_cli

TWO = str(SCENARIOS / "teaching_two_party.toml")


def negosim(*argv: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "negosim.cli", *argv], capture_output=True, text=True, **kwargs)


def small_run(out: Path, seeds: int = 40, *extra: str) -> tuple[int, str, str]:
    return run_cli(["run", TWO, "--seeds", str(seeds), "--out", str(out), "--quiet", *extra])


# 1. --force deletes whatever --out names ----------------------------------------------------------------
def test_force_never_deletes_a_directory_of_other_files(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "thesis.txt").write_text("x")
    status, _, err = small_run(notes, 20, "--force")
    assert status == 2
    assert_one_line(err, str(notes), "not a negosim run directory")
    assert sorted(p.name for p in notes.iterdir()) == ["thesis.txt"]  # not even a lock file was left


def test_force_never_deletes_a_file_in_the_way(tmp_path):
    target = tmp_path / "out"
    target.write_text("mine")
    status, _, err = small_run(target, 20, "--force")
    assert status == 2 and target.read_text() == "mine"
    assert_one_line(err, "a file is in the way")


def test_force_replaces_a_run_only_when_negosim_wrote_everything_in_it(tmp_path):
    out = tmp_path / "run"
    assert small_run(out, 20)[0] == 0
    (out / "figures" / "my-notes.txt").write_text("keep me")
    status, _, err = small_run(out, 30, "--force")
    assert status == 2
    assert_one_line(err, "figures/my-notes.txt", "move them away")
    assert RunStore(out).manifest()["seeds"]["count"] == 20
    (out / "figures" / "my-notes.txt").unlink()
    assert small_run(out, 30, "--force")[0] == 0
    assert RunStore(out).manifest()["seeds"]["count"] == 30


def test_an_empty_out_is_refused_not_taken_for_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keep.txt").write_text("x")
    status, _, err = run_cli(["run", TWO, "--seeds", "5", "--out", "", "--force", "--quiet"])
    assert status == 2
    assert_one_line(err, "--out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


@pytest.mark.parametrize("name", ["..", ".", "../up", "a/b", ".hidden"])
def test_experiment_names_are_plain_names_never_paths(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").mkdir()
    path = tmp_path / "sweep.toml"
    path.write_text(
        f'[experiment]\nname = "{name}"\nscenario = "teaching_two_party"\nseeds = 2\n'
        '[axes."mediator.bias"]\nvalues = [0.0]\n'
    )
    status, _, err = run_cli(["sweep", str(path), "--force", "--quiet", "--no-figures"])
    assert status == 2
    assert_one_line(err, str(path), "experiment.name")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs", "sweep.toml"]


# 3. no lock, fixed temporary names ----------------------------------------------------------------------
@pytest.mark.slow
def test_a_second_writer_is_refused_naming_the_first(tmp_path, two_party):
    out = tmp_path / "run"
    command = ["run", TWO, "--seeds", "200000", "--chunk-size", "1000", "--processes", "1", "--out", str(out)]
    first = subprocess.Popen([sys.executable, "-m", "negosim.cli", *command, "--quiet", "--no-figures"])
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not list((out / "parts").glob("part-*.parquet")):
            time.sleep(0.05)
        status, _, err = run_cli([*command, "--quiet", "--no-figures"])
        assert status == 2
        assert_one_line(err, "another negosim process is writing here", f"pid {first.pid}")
    finally:
        first.kill()
        first.wait()
    finished = negosim(*command[:3], "20000", *command[4:], "--quiet", "--no-figures", "--force")
    assert finished.returncode == 0, finished.stderr
    reference = run_ensemble(two_party, 20000, progress=False).outcomes
    pd.testing.assert_frame_equal(pd.read_parquet(out / "outcomes.parquet"), reference, check_exact=True)


def test_temporary_file_names_are_unique_per_writer(tmp_path):
    target = tmp_path / "manifest.json"

    def outer(path: Path) -> None:
        write_bytes(target, b"inner")  # a second writer of the same file while the first is mid-write
        path.write_bytes(b"outer")

    write_atomic(target, outer)
    assert target.read_bytes() == b"outer"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


# 4. a finished run that lost a file is repaired; a corrupt part is set aside ------------------------------
def test_a_rerun_of_a_finished_run_rewrites_what_was_lost(tmp_path):
    out = tmp_path / "run"
    assert small_run(out, 40, "--no-figures")[0] == 0
    assert not (out / "figures").exists()
    (out / "report.md").unlink()
    (out / "summary.json").write_text("{not json")
    status, printed, _ = small_run(out, 40)
    assert status == 0
    assert "rewrote what was missing: summary.json, figures/, report.md" in printed
    figures = RunStore(out).manifest()["figures"]
    assert figures and all((out / "figures" / name).is_file() for name in figures)
    assert json.loads((out / "summary.json").read_text())["worlds"] == 40
    assert "![" in (out / "report.md").read_text()


def test_chunks_made_by_other_code_are_never_mixed_in(tmp_path, capsys):
    """A directory whose chunks another version of negosim made is refused in one line (its
    outcomes would mix two versions' worlds); --force runs it again."""
    out = tmp_path / "run"
    assert small_run(out, 40, "--no-figures")[0] == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["code_sha256"] = "0" * 64
    (out / "manifest.json").write_text(json.dumps(manifest))
    before = (out / "outcomes.parquet").read_bytes()
    status, _, err = small_run(out, 40, "--no-figures")
    assert status != 0 and len(err.strip().splitlines()) == 1 and "other negosim code" in err
    assert (out / "outcomes.parquet").read_bytes() == before  # nothing was touched
    status, _, _ = small_run(out, 40, "--no-figures", "--force")
    assert status == 0
    assert json.loads((out / "manifest.json").read_text())["code_sha256"] != "0" * 64


def _interrupted_run(out: Path, scenario, monkeypatch, parts: int) -> None:
    """A run stopped (as by a kill) after ``parts`` chunks were written."""
    written = {"n": 0}
    real = RunStore.write_part

    def write_then_maybe_die(self, key, table):
        real(self, key, table)
        written["n"] += 1
        if written["n"] == parts:
            raise KeyboardInterrupt

    monkeypatch.setattr(RunStore, "write_part", write_then_maybe_die)
    with pytest.raises(KeyboardInterrupt):
        run_ensemble(scenario, 1000, chunk_size=100, out=out, progress=False, figures=False)
    monkeypatch.setattr(RunStore, "write_part", real)


def test_a_truncated_part_is_set_aside_and_run_again(tmp_path, two_party, monkeypatch):
    out = tmp_path / "run"
    _interrupted_run(out, two_party, monkeypatch, parts=4)
    part = out / "parts" / "part-000001.parquet"
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    result = run_ensemble(two_party, 1000, chunk_size=100, out=out, progress=False, figures=False)
    assert result.meta["set_aside"] == ["parts/part-000001.parquet -> set-aside/part-000001.parquet"]
    assert (out / "set-aside" / "part-000001.parquet").stat().st_size < 10_000  # kept, not deleted
    reference = run_ensemble(two_party, 1000, progress=False).outcomes
    pd.testing.assert_frame_equal(result.outcomes, reference, check_exact=True)


def test_a_corrupt_outcome_table_is_set_aside_and_made_again(tmp_path, two_party):
    out = tmp_path / "run"
    first = run_ensemble(two_party, 300, chunk_size=100, out=out, progress=False, figures=False).outcomes
    table = out / "outcomes.parquet"
    data = bytearray(table.read_bytes())
    data[len(data) // 2] ^= 0xFF
    table.write_bytes(bytes(data))
    again = run_ensemble(two_party, 300, chunk_size=100, out=out, progress=False, figures=False)
    assert again.meta["set_aside"] == ["outcomes.parquet -> set-aside/outcomes.parquet"]
    pd.testing.assert_frame_equal(again.outcomes, first, check_exact=True)


# 5. tracebacks where one line was promised ------------------------------------------------------------
def test_an_out_under_a_file_or_a_dangling_link_is_one_line(tmp_path):
    (tmp_path / "file").write_text("x")
    status, _, err = small_run(tmp_path / "file" / "run")
    assert status == 2
    assert_one_line(err, "is a file")
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    status, _, err = small_run(tmp_path / "link")
    assert status == 2
    assert_one_line(err, "symbolic link to nothing")
    assert not (tmp_path / "nowhere").exists()


def test_a_permission_failure_is_one_line_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    out = tmp_path / "run"
    assert small_run(out, 20)[0] == 0
    (out / "report.md").unlink()
    import negosim.files

    real = negosim.files.os.replace

    def refuse(source, target):
        if str(target).endswith("report.md"):
            raise PermissionError(13, "Permission denied", str(target))
        return real(source, target)

    monkeypatch.setattr(negosim.files.os, "replace", refuse)
    status, _, err = small_run(out, 20)
    assert status == 1
    assert_one_line(err, "report.md: Permission denied", "run the same command again")
    assert not [p for p in out.rglob("*.tmp")]


@pytest.mark.parametrize("name", ["manifest.json", "scenario.json", "outcomes.parquet"])
def test_plot_and_backtest_on_a_corrupt_run_are_one_line(tmp_path, name):
    out = tmp_path / "run"
    assert small_run(out, 20)[0] == 0
    (out / name).write_bytes(b"\x00garbage\n")
    for argv in (["plot", str(out)], ["backtest", str(out), "geneva_vs_anchorage_2025"]):
        status, _, err = run_cli(argv)
        assert status == 2, (argv, err)
        assert_one_line(err, str(out))


@pytest.mark.parametrize("name", ["experiment.json", "points.csv"])
def test_plot_on_a_corrupt_sweep_is_one_line(tmp_path, name):
    path = tmp_path / "sweep.toml"
    path.write_text('[experiment]\nname = "s"\nscenario = "teaching_two_party"\nseeds = 3\n'
                    '[axes."mediator.bias"]\nvalues = [0.0, 0.2]\n')  # fmt: skip
    out = tmp_path / "out"
    assert run_cli(["sweep", str(path), "--out", str(out), "--quiet", "--no-figures"])[0] == 0
    (out / name).write_text("[1, 2" if name.endswith("json") else "no,such\ncolumns,here\n")
    status, _, err = run_cli(["plot", str(out)])
    assert status == 2
    assert_one_line(err, name)


@pytest.mark.parametrize("address", ["", "localhost", "tcp://host:port", "tcp://host:99999"])
def test_a_malformed_scheduler_address_is_a_usage_error(tmp_path, address):
    status, _, err = small_run(tmp_path / "run", 5, "--scheduler", address)
    assert status == 2
    assert_one_line(err, "--scheduler", "tcp://host:8786")
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_an_unreachable_scheduler_is_one_line_after_the_timeout(tmp_path):
    started = time.monotonic()
    done = negosim("run", TWO, "--seeds", "5", "--out", str(tmp_path / "run"), "--scheduler", "tcp://127.0.0.1:9",
                   "--scheduler-timeout", "1")  # fmt: skip
    assert done.returncode == 1
    assert_one_line(done.stderr, "could not reach the Dask scheduler at tcp://127.0.0.1:9 within 1 s")
    assert time.monotonic() - started < 25
    assert not (tmp_path / "run").exists()


# 5. full disks and read-only file systems, for real: a small tmpfs in a private mount namespace ---------------
def _in_private_mount(script: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run a shell script with a 4 MiB tmpfs mounted on $MNT (only this script sees it)."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare (util-linux) to mount a small tmpfs")
    probe = subprocess.run(["unshare", "--mount", "--map-root-user", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a mount namespace here: {probe.stderr.decode().strip()}")
    mount = tmp_path / "mnt"
    mount.mkdir()
    env = {**os.environ, "MNT": str(mount), "PY": sys.executable, "SCENARIO": TWO}
    wrapped = f'mount -t tmpfs -o size=4m tmpfs "$MNT" || exit 99\n{script}'
    flags = ["--mount"] if os.geteuid() == 0 else ["--mount", "--map-root-user"]
    done = subprocess.run(["unshare", *flags, "sh", "-c", wrapped], capture_output=True, text=True, env=env)
    if done.returncode == 99:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    return done


@pytest.mark.slow
def test_a_full_disk_is_one_line_leaves_no_temporary_file_and_resumes(tmp_path, two_party):
    script = """
    head -c 3700000 /dev/zero > "$MNT/filler"
    "$PY" -m negosim.cli run "$SCENARIO" --seeds 20000 --chunk-size 500 --out "$MNT/run" --quiet --no-figures \
        > /dev/null 2> "$OUT/first.err"
    echo $? > "$OUT/first.status"
    find "$MNT/run" -name '*.tmp' > "$OUT/temporaries"
    ls "$MNT/run/parts" | grep -c 'parquet$' > "$OUT/parts" || true
    rm "$MNT/filler"
    "$PY" -m negosim.cli run "$SCENARIO" --seeds 20000 --chunk-size 500 --out "$MNT/run" --quiet --no-figures \
        > "$OUT/second.out" 2> "$OUT/second.err"
    echo $? > "$OUT/second.status"
    cp "$MNT/run/outcomes.parquet" "$OUT/"
    """
    (tmp_path / "o").mkdir()
    done = _in_private_mount(script.replace("$OUT", str(tmp_path / "o")), tmp_path)
    o = tmp_path / "o"
    assert done.returncode == 0, done.stderr
    assert (o / "first.status").read_text().strip() == "1"
    assert_one_line((o / "first.err").read_text(), "/run/", ": No space left on device", "run the same command again")
    assert (o / "temporaries").read_text() == ""
    assert int((o / "parts").read_text() or 0) >= 1  # whole parts were kept for the resume
    assert (o / "second.status").read_text().strip() == "0", (o / "second.err").read_text()
    assert "resumed" in (o / "second.out").read_text()
    reference = run_ensemble(two_party, 20000, progress=False).outcomes
    pd.testing.assert_frame_equal(pd.read_parquet(o / "outcomes.parquet"), reference, check_exact=True)


@pytest.mark.slow
def test_a_read_only_file_system_is_one_line(tmp_path):
    script = """
    mount -o remount,ro "$MNT"
    "$PY" -m negosim.cli run "$SCENARIO" --seeds 10 --out "$MNT/run" --quiet 2> "$OUT/err"
    echo $? > "$OUT/status"
    """
    (tmp_path / "o").mkdir()
    done = _in_private_mount(script.replace("$OUT", str(tmp_path / "o")), tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "o" / "status").read_text().strip() == "1"
    assert_one_line((tmp_path / "o" / "err").read_text(), "Read-only file system")


# 6. sizes that cannot fit ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--seeds", str(10**13)], "for their summary alone"),
        (["--seeds", "20", "--processes", str(10**12)], "use fewer --processes"),
        (["--seeds", "5", "--first-seed", str(2**63 - 2)], "past 2**63 - 1"),
    ],
)
def test_a_run_that_cannot_fit_is_refused_before_it_starts(tmp_path, argv, needle):
    started = time.monotonic()
    status, _, err = run_cli(["run", TWO, "--out", str(tmp_path / "run"), "--quiet", *argv])
    assert status == 2
    assert_one_line(err, needle)
    assert time.monotonic() - started < 30 and not (tmp_path / "run").exists()


def test_a_sweep_of_too_many_points_is_refused_before_the_design_is_built(tmp_path):
    path = tmp_path / "huge.toml"
    path.write_text('[experiment]\nname = "huge"\nscenario = "teaching_two_party"\nseeds = 1\n'
                    '[axes."mediator.bias"]\nlow = -0.5\nhigh = 0.5\nsteps = 10000\n'
                    '[axes."parties.A.reservation.base"]\nlow = 0.4\nhigh = 0.6\nsteps = 10000\n')  # fmt: skip
    started = time.monotonic()
    status, _, err = run_cli(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert status == 2
    assert_one_line(err, str(path), "axes", "100,000,000")
    assert time.monotonic() - started < 30


def test_a_chunk_too_big_for_memory_is_refused_or_made_smaller(tmp_path, monkeypatch, flagship):
    from negosim.runs import resources

    monkeypatch.setattr(resources, "available_memory", lambda: 1536 * 2**20)
    status, _, err = run_cli(["run", "geneva_vs_anchorage", "--seeds", "3000", "--chunk-size", "3000",
                              "--processes", "2", "--out", str(tmp_path / "a"), "--quiet"])  # fmt: skip
    assert status == 2
    assert_one_line(err, "chunks of 3,000 worlds", "use --chunk-size", "or fewer --processes")
    assert not (tmp_path / "a").exists()
    monkeypatch.setattr(resources, "available_memory", lambda: 340 * 2**20)
    result = run_ensemble(flagship, 300, processes=1, progress=False, out=tmp_path / "b", figures=False)
    assert result.meta["chunk_size"] < 300  # the default was cut to what fits


def test_the_memory_estimate_is_an_upper_bound_that_is_not_absurd(two_party, flagship):
    """Per world of one model: the flagship's seeds are taken from one variant, as a chunk
    whose seeds draw several runs one smaller model per variant, each freed before the next."""
    import tracemalloc

    import numpy as np

    from negosim.engine.variants import split_variants
    from negosim.runs.chunks import run_chunk
    from negosim.runs.resources import world_bytes

    one_variant = max((seeds for _, seeds in split_variants(flagship, np.arange(2400))), key=len)[:60]
    for scenario, seeds in ((two_party, np.arange(2000)), (flagship, one_variant)):
        run_chunk(scenario, np.arange(5))  # caches and imports outside the measurement
        tracemalloc.start()
        run_chunk(scenario, seeds)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        estimate = seeds.size * world_bytes(scenario)
        assert peak <= estimate <= 4 * peak, (scenario.meta.name, peak, estimate)


# 7. one line that is one line -----------------------------------------------------------------------------
def test_newlines_and_escapes_in_a_path_are_escaped_in_the_one_line(tmp_path):
    odd = tmp_path / "new\nline\x1b[31mred"
    odd.write_text("a file in the way")
    status, _, err = small_run(odd)
    assert status == 2
    assert_one_line(err, "new\\nline\\x1b[31mred")


# 8. durability -----------------------------------------------------------------------------------------
def test_the_merged_table_and_its_directory_reach_the_disk_before_any_part_is_removed(tmp_path, two_party, monkeypatch):
    import negosim.files

    events: list[tuple[str, str]] = []
    real_fsync, real_fsync_dir, real_unlink = negosim.files.os.fsync, negosim.files.fsync_dir, Path.unlink

    def fsync(descriptor):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{descriptor}")))
        return real_fsync(descriptor)

    def fsync_dir(folder):
        events.append(("fsync_dir", str(folder)))
        return real_fsync_dir(folder)

    def unlink(self, missing_ok=False):
        events.append(("unlink", self.name))
        return real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(negosim.files.os, "fsync", fsync)
    monkeypatch.setattr(negosim.files, "fsync_dir", fsync_dir)
    monkeypatch.setattr(Path, "unlink", unlink)
    out = tmp_path / "run"
    run_ensemble(two_party, 300, chunk_size=100, out=out, progress=False, figures=False)
    first_removal = next(i for i, (kind, name) in enumerate(events) if kind == "unlink" and name.startswith("part-"))
    before = events[:first_removal]
    table_synced = [i for i, (kind, path) in enumerate(before) if kind == "fsync" and ".outcomes.parquet." in path]
    assert table_synced, "the merged table was not flushed before the parts were removed"
    assert ("fsync_dir", str(out)) in before[table_synced[0] :]
    manifest_synced = [i for i, (kind, path) in enumerate(before) if kind == "fsync" and ".manifest.json." in path]
    assert manifest_synced and manifest_synced[-1] > table_synced[0]


# 2. a killed run leaves its workers alive (the multi-process kill test is in test_crash.py) ----------------
def descendants_outlive(parent: subprocess.Popen, wait: float = 10.0) -> list[psutil.Process]:
    """SIGKILL ``parent`` and return those of its descendants still running ``wait`` seconds later."""
    family = psutil.Process(parent.pid).children(recursive=True)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + wait
    alive = family
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    return alive


@pytest.mark.slow
def test_dask_local_workers_die_with_a_killed_parent(tmp_path):
    out = tmp_path / "run"
    victim = subprocess.Popen(
        [sys.executable, "-m", "negosim.cli", "run", TWO, "--seeds", "400000", "--chunk-size", "2000",
         "--dask-local", "2", "--out", str(out), "--quiet", "--no-figures"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "parts").glob("part-*.parquet"))) < 2:
        time.sleep(0.1)
    workers = psutil.Process(victim.pid).children(recursive=True)
    assert len(workers) >= 2, "the Dask workers must be running when the parent is killed"
    assert descendants_outlive(victim) == []


def test_local_workers_fork_from_one_server_that_has_the_engine_loaded():
    """Every pool of a process forks its workers from one fork server that imported the engine
    before any task arrived (spawned workers would be this process's children, importing it afresh)."""
    from concurrent.futures import ProcessPoolExecutor

    from negosim.runs.chunks import worker_context
    from negosim.runs.lifeline import die_with_server

    servers = set()
    for _ in range(2):
        with ProcessPoolExecutor(2, mp_context=worker_context(), initializer=die_with_server,
                                 initargs=(os.getpid(),)) as pool:  # fmt: skip
            # eval is a builtin: unpickling the task imports nothing of negosim's
            loaded = pool.submit(eval, "'negosim.engine.model' in __import__('sys').modules").result()
            servers.add(pool.submit(os.getppid).result())
        assert loaded
    assert len(servers) == 1 and os.getpid() not in servers
    assert psutil.Process(servers.pop()).ppid() == os.getpid()


def test_a_worker_ends_at_once_when_the_process_that_owns_its_server_is_gone():
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    code = "import sys; from negosim.runs.lifeline import die_with_server as d; d(int(sys.argv[1])); print('on')"
    for owner, status, said in ((gone.pid, 1, ""), (os.getpid(), 0, "on\n")):
        done = subprocess.run([sys.executable, "-c", code, str(owner)], capture_output=True, text=True)
        assert (done.returncode, done.stdout) == (status, said)


def test_workers_count_the_cpus_this_process_may_use(tmp_path):
    """The affinity mask and the cgroup's CPU quota, not the machine's CPU count."""
    from negosim.runs.resources import usable_cpus

    mine = len(os.sched_getaffinity(0))
    assert usable_cpus(tmp_path) == mine  # no cgroup files: the affinity mask
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert usable_cpus(tmp_path) == mine
    (tmp_path / "cpu.max").write_text("150000 100000\n")  # one and a half CPUs: one worker
    assert usable_cpus(tmp_path) == 1
    (tmp_path / "cpu.max").unlink()
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")  # cgroup v1, no quota
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert usable_cpus(tmp_path) == mine
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("50000\n")  # half a CPU: still one worker
    assert usable_cpus(tmp_path) == 1
    if mine > 1:  # a narrower affinity mask is obeyed, as under taskset
        code = "import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); " \
               "from negosim.runs.resources import usable_cpus; print(usable_cpus())"  # fmt: skip
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        assert out.strip() == "1"


def test_a_chunk_frees_every_model_it_ran_without_a_garbage_collection(flagship, monkeypatch):
    import gc
    import weakref

    import numpy as np

    import negosim.runs.chunks as chunks
    from negosim.engine.variants import split_variants

    seeds = np.arange(40)
    made = []

    class Watched(chunks.NegotiationModel):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append((weakref.ref(self), weakref.ref(self.state), weakref.ref(self.mediator)))

    monkeypatch.setattr(chunks, "NegotiationModel", Watched)
    gc.disable()
    try:
        table = chunks.run_chunk(flagship, seeds)
        alive = [[ref() is not None for ref in refs] for refs in made]
    finally:
        gc.enable()
    assert len(made) == len(split_variants(flagship, seeds)) > 1
    assert len(table) == seeds.size
    assert not any(any(row) for row in alive)  # the model, its state and its agents went at once
