"""`negosim compare`: differences between two runs, paired by world when they share seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from negosim import run_ensemble
from negosim.analysis.compare import paired_difference, unpaired_difference
from negosim.runs.compare import compare_runs
from negosim.scenario.edits import with_direct_channel

from conftest import assert_one_line, run_cli


@pytest.fixture(scope="module")
def runs(tmp_path_factory, flagship):
    root = tmp_path_factory.mktemp("compare")
    run_ensemble(flagship, 400, out=root / "star", progress=False, figures=False)
    run_ensemble(with_direct_channel(flagship, "UA", "RU"), 400, out=root / "direct", progress=False, figures=False)
    run_ensemble(flagship, range(400, 800), out=root / "other_seeds", progress=False, figures=False)
    return root


def test_common_seeds_give_paired_intervals_narrower_than_unpaired(runs, capsys):
    status, printed, _ = run_cli(["compare", str(runs / "star"), str(runs / "direct")])
    assert status == 0
    assert "paired by world" in printed
    table = pd.read_csv(runs / "direct" / "compare-star" / "compare.csv")
    deal = table.set_index("quantity").loc["outcome deal"]
    assert deal["paired"]
    assert deal["high"] - deal["low"] < deal["unpaired_high"] - deal["unpaired_low"]
    assert (runs / "direct" / "compare-star" / "compare.png").stat().st_size > 10_000


def test_different_seeds_are_compared_unpaired(runs):
    comparison = compare_runs(runs / "star", runs / "other_seeds", out=False)
    assert not comparison.paired
    same = comparison.table.set_index("quantity").loc["outcome deal"]
    assert same["low"] <= 0 <= same["high"]  # the same scenario on other worlds: no difference beyond noise


def test_the_paired_interval_is_the_t_interval_of_the_differences():
    rng = np.random.default_rng(3)
    a = rng.random(500) < 0.4
    b = a.copy()
    b[rng.random(500) < 0.1] = True  # b says yes wherever a does, and in some more worlds
    row = paired_difference(a, b)
    d = b.astype(float) - a.astype(float)
    half = 1.9647 * d.std(ddof=1) / np.sqrt(d.size)
    assert row["low"] == pytest.approx(d.mean() - half, abs=1e-3)
    assert row["high"] - row["low"] < unpaired_difference(a, b)["high"] - unpaired_difference(a, b)["low"]


def test_compare_refuses_what_is_not_a_finished_run(runs, tmp_path):
    status, _, err = run_cli(["compare", str(runs / "star"), str(tmp_path)])
    assert status == 2
    assert_one_line(err, str(tmp_path))
