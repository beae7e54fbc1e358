"""Sweeps: designs, the tidy (point, seed) table, provenance, figures, bad files."""

import json

import numpy as np
import pandas as pd
import pytest

from negosim import experiment_from, load_experiment, run_experiment
from negosim.cli import main

from conftest import ROOT

EXPERIMENT = """
[experiment]
name = "tiny"
scenario = "teaching_two_party"
design = "{design}"
points = 6
seeds = 40
seed = 3

[axes."parties.A.reservation.base"]
low = 0.4
high = 0.6
steps = 3

[axes."mediator.step"]
values = [0.05, 0.1]
"""


def _write(tmp_path, text, name="exp.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_full_factorial_gives_a_tidy_table_with_provenance(tmp_path):
    path = _write(tmp_path, EXPERIMENT.format(design="full_factorial"))
    result = run_experiment(path, out=tmp_path / "out", progress=False)
    table = result.outcomes
    assert table.index.names == ["point", "seed"]
    assert len(result.points) == 6 and len(table) == 6 * 40
    assert set(table.index.get_level_values("seed")) == set(range(3, 43))
    # each row carries its point's parameter values
    merged = table.reset_index().merge(result.points.reset_index(), on="point", suffixes=("", "_design"))
    assert np.allclose(merged["mediator.step"], merged["mediator.step_design"])
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["kind"] == "experiment" and manifest["complete"] and manifest["points"] == 6
    assert (tmp_path / "out" / "report.md").read_text().startswith("# Sweep tiny")
    figures = sorted(p.name for p in (tmp_path / "out" / "figures").iterdir())
    assert any(f.startswith("deal_heatmap") for f in figures)
    assert sum(f.startswith("outcomes_vs_") for f in figures) == 2


@pytest.mark.parametrize("design", ["latin_hypercube", "sobol"])
def test_sampled_designs_stay_in_bounds_and_depend_only_on_the_seed(tmp_path, design):
    path = _write(tmp_path, EXPERIMENT.format(design=design))
    first, second = load_experiment(path).design(), load_experiment(path).design()
    pd.testing.assert_frame_equal(first, second)
    assert len(first) == 6
    assert first["parties.A.reservation.base"].between(0.4, 0.6).all()
    assert first["mediator.step"].between(0.05, 0.1).all()
    assert first["mediator.step"].nunique() == 6  # sampled, not gridded


def test_points_with_equal_parameters_give_equal_worlds(two_party):
    # Common random numbers: every point runs the same seeds.
    experiment = experiment_from(two_party, {"mediator.bias": {"values": [0.2, 0.2, -0.2]}}, seeds=50)
    table = run_experiment(experiment, progress=False).outcomes
    a, b = table.xs(0, level="point"), table.xs(1, level="point")
    pd.testing.assert_frame_equal(a, b)


def test_a_parameter_moves_the_outcome_in_the_expected_direction(two_party):
    # A higher reservation for A (a better walk-away) gets A more utility at the deal.
    experiment = experiment_from(two_party, {"parties.A.reservation.base": {"values": [0.4, 0.65]}}, seeds=100)
    table = run_experiment(experiment, progress=False).outcomes
    by_point = table.groupby(level="point")["utility_A"].mean()
    assert by_point[1] > by_point[0] + 0.02


BAD = [
    ('[axes."mediator.step"]', '[axes."mediator.nonsense"]', "axes.mediator.nonsense"),
    ('[axes."mediator.step"]', '[axes."mediator.party"]', "axes.mediator.party"),
    ('design = "full_factorial"', 'design = "grid"', "experiment.design"),
    ("seeds = 40", "seeds = 0", "experiment.seeds"),
    ("values = [0.05, 0.1]", "values = [0.05, 9.0]", "axes.mediator.step"),
    ("values = [0.05, 0.1]", "values = [0.05, nan]", "axes.mediator.step.values"),
    ('scenario = "teaching_two_party"', 'scenario = "no_such_scenario"', "experiment.scenario"),
]


@pytest.mark.parametrize("old,new,key", BAD)
def test_bad_experiment_files_get_one_line_and_exit_2(tmp_path, capsys, old, new, key):
    text = EXPERIMENT.format(design="full_factorial")
    assert old in text
    path = _write(tmp_path, text.replace(old, new))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and key in err
    assert not (tmp_path / "out").exists()


def test_plot_redraws_a_sweep_from_the_directory_alone(tmp_path, capsys):
    path = _write(tmp_path, EXPERIMENT.format(design="full_factorial"))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet", "--no-figures"]) == 0
    assert not (tmp_path / "out" / "figures").exists()
    path.unlink()  # the directory must be enough
    assert main(["plot", str(tmp_path / "out")]) == 0
    assert len(list((tmp_path / "out" / "figures").glob("*.png"))) == 3
    assert main(["plot", str(tmp_path / "nothing")]) == 2


def test_shipped_experiments_load():
    for path in (ROOT / "experiments").glob("*.toml"):
        assert load_experiment(path).design().shape[0] >= 1
