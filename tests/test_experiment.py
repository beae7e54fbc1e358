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


def test_a_baseline_point_gets_paired_differences_and_every_share_an_interval(tmp_path):
    from negosim import experiment_from, load_scenario, run_experiment

    sweep = experiment_from(load_scenario("teaching_three_party"), {"mediator.bias": {"values": [-0.8, 0.0, 0.8]}},
                            seeds=120)  # fmt: skip
    spec = sweep.spec.model_copy(update={"experiment": sweep.spec.experiment.model_copy(update={"baseline": 1})})
    from negosim.runs.experiment_spec import build_experiment

    result = run_experiment(build_experiment(spec, sweep.scenario), out=tmp_path / "s", progress=False, figures=False)
    summary = pd.read_csv(tmp_path / "s" / "points_summary.csv").set_index("point")
    assert {"p_deal_low", "p_deal_high", "p_deal@2025-03-01_low"} <= set(summary.columns)
    differences = pd.read_csv(tmp_path / "s" / "differences.csv")
    deal = differences[differences["quantity"] == "outcome deal"].set_index("point")
    assert sorted(deal.index) == [0, 2] and deal["paired"].all()
    for point in (0, 2):
        expected = summary.loc[point, "p_deal"] - summary.loc[1, "p_deal"]
        assert deal.loc[point, "difference"] == pytest.approx(expected)
        assert deal.loc[point, "low"] <= deal.loc[point, "difference"] <= deal.loc[point, "high"]
    assert "against the baseline point 1" in (tmp_path / "s" / "report.md").read_text()
    assert result.differences() is not None


def test_a_saltelli_design_reports_sobol_indices_that_find_the_input_that_matters(tmp_path):
    from negosim import experiment_from, load_scenario, run_experiment

    axes = {"parties.A.reservation.base": {"low": 0.5, "high": 0.95}, "mediator.bias": {"low": -0.05, "high": 0.05}}
    sweep = experiment_from(load_scenario("teaching_two_party"), axes, design="saltelli", points=16, seeds=30)
    assert sweep.point_count == 16 * 4 and len(sweep.design()) == 64
    result = run_experiment(sweep, out=tmp_path / "s", progress=False, figures=False)
    indices = pd.read_csv(tmp_path / "s" / "sobol.csv")
    deal = indices[indices["output"] == "p_deal"].set_index("input")
    assert deal.loc["parties.A.reservation.base", "ST"] > 0.5 > deal.loc["mediator.bias", "ST"]
    assert "Sobol' indices of P(deal)" in (tmp_path / "s" / "report.md").read_text()
    assert result.sobol() is not None
