"""Every figure negosim draws is ready for a paper: no text off the canvas, no overlapping titles,
drawable into axes of one's own, and saved as PNG, SVG or PDF at print resolution."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from negosim import run_ensemble
from negosim.analysis.compare import compare_tables
from negosim.analysis.discovery import discover
from negosim.analysis.reference import reference_points
from negosim.analysis.trajectories import world_paths
from negosim.plots.check import clipped_text
from negosim.plots.compare import comparison_figure
from negosim.plots.discovery import discovery_figure
from negosim.plots.ensemble import outcome_shares, position_histogram, signing_times
from negosim.plots.style import save_figures
from negosim.plots.sweep import deal_heatmap, outcome_vs_parameter
from negosim.plots.trajectory import fan_chart, fan_charts, utility_path
from negosim.plots.utility_space import utility_space
from negosim.scenario.edits import with_direct_channel

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def flagship_outcomes(flagship):
    return run_ensemble(flagship, 300, progress=False).outcomes


@pytest.fixture(scope="module")
def figures(flagship, flagship_outcomes, two_party):
    """Every kind of figure, drawn from small real runs."""
    out = flagship_outcomes
    direct = run_ensemble(with_direct_channel(flagship, "UA", "RU"), 300, progress=False).outcomes
    points = reference_points(two_party)
    two = run_ensemble(two_party, 200, progress=False).outcomes
    paths = world_paths(flagship, range(30))
    sweep = out.assign(
        **{"mediator.bias": np.repeat([-0.2, 0.2], 150), "parties.RU.veto.tolerance": np.tile([0.2, 0.4, 0.5], 100)}
    )
    found = discover(
        out[[c for c in out if c.startswith("param:")]], out["status"].eq("deal").to_numpy(), threshold=0.7
    )
    drawn = {
        "outcome_shares": outcome_shares(out, flagship),
        "position_index": position_histogram(out, flagship),
        "signing_times": signing_times(out, flagship),
        "utility_space": utility_space(two, points, "A", "B", two_party),
        "outcome_vs_parameter": outcome_vs_parameter(sweep, "parties.RU.veto.tolerance", flagship),
        "deal_heatmap": deal_heatmap(sweep, "mediator.bias", "parties.RU.veto.tolerance", flagship),
        "comparison": comparison_figure(compare_tables(out, direct, flagship, flagship), "star", "direct"),
        "discovery": discovery_figure(found, "deal"),
        "fan_charts": fan_charts(paths, flagship),
        "utility_path": utility_path(world_paths(two_party, [3]), points, "A", "B", two_party),
    }
    yield drawn
    plt.close("all")


def test_no_figure_has_text_off_the_canvas_or_titles_on_top_of_each_other(figures):
    problems = {name: clipped_text(fig) for name, fig in figures.items()}
    assert {name: p for name, p in problems.items() if p} == {}


def test_the_check_catches_a_deliberately_clipped_title(flagship, flagship_outcomes):
    fig = outcome_shares(flagship_outcomes, flagship)
    fig.axes[0].set_title("a title made far too long on purpose, so long that no figure six inches wide can hold it")
    assert any("runs off the canvas" in p for p in clipped_text(fig))


def test_every_plot_function_draws_into_axes_it_is_given(flagship, flagship_outcomes, two_party):
    fig, axes = plt.subplots(2, 3, figsize=(18, 9))
    out = flagship_outcomes
    paths = world_paths(flagship, range(5))
    returned = [
        outcome_shares(out, flagship, ax=axes[0, 0]),
        position_histogram(out, flagship, ax=axes[0, 1]),
        signing_times(out, flagship, ax=axes[0, 2]),
        fan_chart(paths, "position_index", flagship, ax=axes[1, 0]),
        utility_path(world_paths(two_party, [1]), reference_points(two_party), "A", "B", two_party, ax=axes[1, 1]),
        outcome_vs_parameter(out.assign(x=np.arange(len(out)) % 3), "x", flagship, ax=axes[1, 2]),
    ]
    assert all(f is fig for f in returned)
    assert all(ax.has_data() for ax in axes.flat)
    plt.close(fig)


def test_figures_are_saved_in_every_format_at_print_resolution(tmp_path, flagship, flagship_outcomes):
    names = save_figures({"shares": outcome_shares(flagship_outcomes, flagship)}, tmp_path, ("png", "svg", "pdf"), 300)
    assert names == ["shares.png", "shares.svg", "shares.pdf"]
    from PIL import Image

    with Image.open(tmp_path / "shares.png") as image:
        assert image.size == (6.4 * 300, 4.0 * 300)
    assert (tmp_path / "shares.svg").read_text().lstrip().startswith("<?xml")
    assert (tmp_path / "shares.pdf").read_bytes()[:5] == b"%PDF-"


def test_labels_come_from_the_scenario(figures):
    position = figures["position_index"].axes[0]
    assert "Geneva = 0, Anchorage = 1" in position.get_xlabel()
    assert position.get_xlabel().count("_") == 0
    swept = figures["outcome_vs_parameter"].axes[0].get_xlabel()
    assert "scenario units" not in swept and swept == "Russia veto tolerance"


def test_fan_charts_show_the_median_inside_its_bands(flagship):
    paths = world_paths(flagship, range(20))
    fig = fan_chart(paths, "utility_UA", flagship)
    median = fig.axes[0].lines[0].get_ydata()
    by_round = paths.groupby("round")["utility_UA"]
    assert np.allclose(median, by_round.median().to_numpy())
    assert (by_round.quantile(0.05).to_numpy() <= median + 1e-12).all()
    plt.close(fig)


def test_a_one_world_path_starts_at_the_start_text(two_party):
    path = world_paths(two_party, [4])
    assert path["round"].tolist() == list(range(len(path)))
    assert isinstance(path, pd.DataFrame) and path["seed"].eq(4).all()


def test_the_check_catches_a_legend_over_a_text_name(flagship, flagship_outcomes):
    fig = position_histogram(flagship_outcomes, flagship)
    ax = fig.axes[0]
    ax.legend(loc="upper right", fontsize="large")  # over the "Anchorage" mark, as an earlier version drew it
    assert any(p.startswith("a legend covers") for p in clipped_text(fig))
    plt.close(fig)
