"""Reference points: Pareto frontier, Nash, Kalai–Smorodinsky, weighted mean, distances."""

import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from negosim import NegotiationModel
from negosim.analysis.reference import disagreement_point, distances, reference_points
from negosim.analysis.reference_solvers import Problem
from negosim.plots.utility_space import utility_space

NASH = np.array([0.3, 0.7])  # worked out by hand in scenarios/teaching_two_party.toml


@pytest.fixture(scope="module")
def two_points(two_party):
    return reference_points(two_party)


@pytest.fixture(scope="module")
def three_points(three_party):
    return reference_points(three_party, ["M", "A", "B"])


@pytest.fixture(scope="module")
def flagship_points(flagship):
    start = time.perf_counter()
    points = reference_points(flagship)
    return points, time.perf_counter() - start


def _utilities_a_b(x, y):
    """The two-party scenario's utilities, by hand (from its header)."""
    return 1 - 0.7 * x**2 - 0.3 * y**2, 1 - 0.3 * (1 - x) ** 2 - 0.7 * (1 - y) ** 2


def _assert_non_dominated(utilities):
    u = utilities
    ge = (u[:, None, :] >= u[None, :, :]).all(axis=2)
    gt = (u[:, None, :] > u[None, :, :]).any(axis=2)
    assert not (ge & gt).any()


def test_disagreement_point_is_base_plus_expected_drift(flagship, two_party):
    assert disagreement_point(two_party) == {"A": 0.5, "B": 0.5}
    d = disagreement_point(flagship)
    assert set(d) == {"UA", "RU"}
    assert d["UA"] == pytest.approx(0.40 - 1.0 * 0.001 * 30)
    assert d["RU"] == pytest.approx(0.45 + 1.0 * 0.004 * 30)


def test_nash_point_of_the_two_party_scenario_is_the_hand_computed_one(two_points):
    assert np.abs(two_points.nash.text - NASH).max() < 0.01
    assert two_points.nash.utilities["A"] == pytest.approx(0.79, abs=1e-4)
    assert two_points.nash.utilities["B"] == pytest.approx(0.79, abs=1e-4)
    # Equal capabilities: the weighted solution is the symmetric one.
    assert np.abs(two_points.nash_weighted.text - NASH).max() < 0.01


def test_kalai_smorodinsky_coincides_with_nash_on_the_symmetric_problem(two_points):
    assert np.abs(two_points.kalai_smorodinsky.text - two_points.nash.text).max() < 0.01
    ks = two_points.kalai_smorodinsky.utilities
    assert ks["A"] == pytest.approx(ks["B"], abs=1e-4)
    # The utopia point of the symmetric problem is symmetric and beyond the Nash utilities.
    assert two_points.utopia["A"] == pytest.approx(two_points.utopia["B"], abs=1e-6)
    assert two_points.utopia["A"] > 0.79


def test_weighted_mean_is_the_capability_salience_mean_of_ideals(two_party, three_party, two_points):
    # X: A (ideal 0, salience 0.7) and B (ideal 1, salience 0.3); Y the other way round; capabilities 1.
    x, y = (0.7 * 0 + 0.3 * 1) / (0.7 + 0.3), (0.3 * 0 + 0.7 * 1) / (0.3 + 0.7)
    assert np.allclose(two_points.weighted_mean.text, [x, y])
    ua, ub = _utilities_a_b(x, y)
    assert two_points.weighted_mean.utilities == pytest.approx({"A": ua, "B": ub})
    # Tripling A's capability pulls both clauses toward A's ideal, away from the Nash point.
    strong_a = reference_points(two_party.with_values({"parties.A.capability": 3.0}), samples=20)
    x, y = (3 * 0.7 * 0 + 1 * 0.3 * 1) / (3 * 0.7 + 1 * 0.3), (3 * 0.3 * 0 + 1 * 0.7 * 1) / (3 * 0.3 + 1 * 0.7)
    assert np.allclose(strong_a.weighted_mean.text, [x, y])
    # Three parties, three clauses (H: A's ideal 0, B's 0.3, saliences 0.2 each).
    three = reference_points(three_party, samples=20)
    assert np.allclose(three.weighted_mean.text, [0.2 / 0.8, 0.6 / 0.8, (0.2 * 0 + 0.2 * 0.3) / 0.4])


def test_weighted_nash_favours_the_stronger_party(two_party, two_points):
    strong_a = reference_points(two_party.with_values({"parties.A.capability": 3.0}), samples=50)
    assert strong_a.nash.text == pytest.approx(two_points.nash.text, abs=1e-4)  # the symmetric one is unchanged
    assert strong_a.nash_weighted.utilities["A"] > two_points.nash.utilities["A"] + 0.02
    assert (strong_a.nash_weighted.text < two_points.nash.text - 0.01).all()


def test_raising_a_reservation_moves_the_nash_point_toward_that_party(two_party, two_points):
    better_b = reference_points(two_party.with_values({"parties.B.reservation.base": 0.6}), samples=50)
    assert better_b.disagreement["B"] == 0.6
    assert (better_b.nash.text > two_points.nash.text + 0.01).all()  # B's ideal is (1, 1)
    assert better_b.nash.utilities["B"] > two_points.nash.utilities["B"] + 0.01
    assert better_b.nash.utilities["A"] < two_points.nash.utilities["A"] - 0.01


def test_a_better_war_alternative_for_moscow_moves_the_flagship_nash_point_toward_moscow(flagship, flagship_points):
    flagship_points = flagship_points[0]
    before = reference_points(flagship, samples=30, seed=1)
    # Tied clauses make a face of texts share the Nash utilities; the reported text is
    # still one text, whatever the frontier sample the solver started from.
    assert np.abs(before.nash.text - flagship_points.nash.text).max() < 1e-4
    after = reference_points(flagship.with_values({"parties.RU.reservation.base": 0.55}), samples=30)
    assert after.nash.utilities["RU"] > before.nash.utilities["RU"] + 0.01
    assert after.nash.text.mean() > before.nash.text.mean()  # 1 is Moscow's pole


def test_frontier_points_are_mutually_non_dominated(two_points, three_points):
    for points, n_parties in ((two_points, 2), (three_points, 3)):
        texts, utilities = points.frontier.texts, points.frontier.utilities
        assert texts.shape == (len(utilities), len(points.clause_ids))
        assert utilities.shape[1] == n_parties and len(utilities) > 20
        assert ((texts >= 0) & (texts <= 1)).all()
        _assert_non_dominated(utilities)
    # The two-party frontier lies on the hand-computed utilities and is a proper trade-off curve.
    ua, ub = _utilities_a_b(two_points.frontier.texts[:, 0], two_points.frontier.texts[:, 1])
    assert np.allclose(two_points.frontier.utilities, np.column_stack([ua, ub]), atol=1e-9)
    assert (np.diff(two_points.frontier.utilities[:, 0]) > 0).all()
    assert (np.diff(two_points.frontier.utilities[:, 1]) < 0).all()


def test_point_solutions_are_not_dominated_by_the_frontier(two_points, three_points):
    for points in (two_points, three_points):
        for name in ("nash", "nash_weighted", "ks"):
            u = np.array(
                [getattr(points, {"ks": "kalai_smorodinsky"}.get(name, name)).utilities[p] for p in points.parties]
            )
            assert not (points.frontier.utilities >= u + 1e-6).all(axis=1).any(), name


def test_any_number_of_parties_including_one_without_a_reservation(three_points):
    assert three_points.parties == ("M", "A", "B")
    assert three_points.disagreement == {"M": 0.0, "A": 0.4, "B": 0.4}
    for solution in (three_points.nash, three_points.kalai_smorodinsky):
        assert all(solution.utilities[p] > three_points.disagreement[p] for p in three_points.parties)


def test_unknown_or_too_few_parties_are_refused(two_party):
    with pytest.raises(ValueError):
        reference_points(two_party, ["A", "Z"])
    with pytest.raises(ValueError):
        reference_points(two_party, ["A"])


def test_results_depend_only_on_the_seed(two_party, three_party):
    a, b = reference_points(three_party, seed=5, samples=40), reference_points(three_party, seed=5, samples=40)
    assert np.array_equal(a.frontier.texts, b.frontier.texts)
    assert np.array_equal(a.frontier.utilities, b.frontier.utilities)
    assert np.array_equal(a.nash.text, b.nash.text) and np.array_equal(
        a.kalai_smorodinsky.text, b.kalai_smorodinsky.text
    )
    c = reference_points(three_party, seed=6, samples=40)
    assert not np.array_equal(a.frontier.utilities, c.frontier.utilities)  # another sample of weights
    assert np.abs(a.nash.text - c.nash.text).max() < 1e-4  # but the same solution


def test_separable_form_matches_evaluate(flagship, three_party):
    # The solvers rebuild utilities clause by clause; they must agree with negosim.utility.evaluate.
    rng = np.random.default_rng(1)
    for scenario, parties in ((flagship, ["UA", "RU"]), (three_party, ["M", "A", "B"])):
        problem = Problem(scenario, parties)
        for x in rng.uniform(size=(20, len(scenario.clauses))):
            u, _ = problem.surplus_and_jac(problem.start(x))
            assert np.allclose(u, problem.utility(x)[0], atol=1e-12)


def test_distances_are_zero_at_the_reference_texts(two_points):
    nash, mean = two_points.nash, two_points.weighted_mean
    rows = pd.DataFrame(
        {
            "status": ["deal", "deal", "deadlock"],
            "x_X": [nash.text[0], 0.0, 0.5],
            "x_Y": [nash.text[1], 0.0, 0.5],
            "utility_A": [nash.utilities["A"], 1.0, 0.5],
            "utility_B": [nash.utilities["B"], 0.0, 0.5],
        },
        index=[10, 20, 30],
    )
    out = distances(rows, two_points, ["X", "Y"])
    assert list(out.index) == [10, 20, 30]
    assert set(out.columns) == {"dist_nash", "dist_nash_weighted", "dist_ks", "dist_weighted_mean", "dist_pareto"}
    assert out.loc[10, "dist_nash"] == 0.0
    assert out.loc[10, "dist_pareto"] == pytest.approx(0.0, abs=1e-6)
    assert out.loc[20, "dist_nash"] == pytest.approx((nash.text[0] + nash.text[1]) / 2)
    assert out.loc[30, "dist_weighted_mean"] == pytest.approx(np.abs(0.5 - mean.text).mean())
    # (0.5, 0.5) is inside a convex utility set whose boundary is tangent to U_A + U_B = 1.58
    # at the Nash point, so it lies at least (1.58 - 1) / sqrt(2) = 0.41 from the frontier.
    assert out.loc[30, "dist_pareto"] == pytest.approx(0.58 / np.sqrt(2), abs=0.01)
    assert (out["dist_pareto"] >= 0).all()
    # Only X: the distance is taken over the clauses named.
    assert distances(rows, two_points, ["X"]).loc[20, "dist_nash"] == pytest.approx(nash.text[0])


def test_distances_and_figure_for_simulated_outcomes(two_party, two_points):
    outcomes = NegotiationModel(two_party, seeds=range(200)).run().outcomes()
    out = distances(outcomes, two_points, two_party.clause_ids)
    assert out.index.equals(outcomes.index)
    assert out.notna().all().all() and (out >= 0).all().all()
    deals = outcomes["status"] == "deal"
    assert out.loc[deals, "dist_nash"].mean() < 0.05  # symmetric Conceders end near the Nash point
    assert out.loc[deals, "dist_pareto"].mean() < 0.05

    fig = utility_space(outcomes, two_points, "A", "B", two_party)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "utility of Party A (0–1)" and ax.get_ylabel() == "utility of Party B (0–1)"
    assert ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    for wanted in (
        "Nash bargaining solution",
        "Nash, capability-weighted",
        "Kalai–Smorodinsky",
        "capability × salience weighted mean",
        "disagreement (no deal)",
        "Pareto frontier (sampled)",
    ):
        assert wanted in labels
    assert any(label.startswith("deal (") for label in labels)
    plt.close(fig)


def test_flagship_nash_beats_disagreement_for_both_principals(flagship_points):
    points, elapsed = flagship_points
    assert points.parties == ("UA", "RU")
    assert len(points.clause_ids) == 28 and points.frontier.texts.shape[1] == 28
    for solution in (points.nash, points.nash_weighted, points.kalai_smorodinsky):
        for pid in ("UA", "RU"):
            assert solution.utilities[pid] > points.disagreement[pid] + 0.05
    # Capability weights (RU 0.6, UA 0.4) tilt the weighted solution toward Moscow.
    assert points.nash_weighted.utilities["RU"] > points.nash.utilities["RU"]
    _assert_non_dominated(points.frontier.utilities)
    assert elapsed < 30  # a few seconds on an idle machine; generous for a loaded one
