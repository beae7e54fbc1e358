import numpy as np
import pytest

from negosim.engine.utility import Preferences, _evaluate_shaped, evaluate
from negosim.vocabulary import ClauseStatus


def _random_case(rng, worlds=200, parties=3, clauses=9):
    prefs = Preferences(
        ideal=rng.choice([0.0, 1.0, 0.5, 0.3], size=(1, parties, clauses)) * (rng.random((1, parties, clauses)) > 0.3)
        + rng.random((1, parties, clauses)) * 0.2,
        salience=rng.random((1, parties, clauses)) * (rng.random((1, parties, clauses)) > 0.2),
        shape=np.zeros((parties, clauses), dtype=np.int8),
        tolerance=np.full((parties, 1), 0.2),
        insists=rng.random((parties, clauses)) > 0.7,
    )
    prefs.ideal[...] = np.clip(prefs.ideal, 0.0, 1.0)
    prefs.__post_init__()
    values = rng.random((worlds, parties, clauses))
    values[:, :, 0] = prefs.ideal[0, :, 0]  # a text exactly at an ideal point: no pull there
    status = rng.choice(np.array(list(ClauseStatus), dtype=np.int8), size=values.shape, p=[0.5, 0.2, 0.1, 0.1, 0.1])
    status[:5] = ClauseStatus.DROPPED  # nothing left to score in some worlds
    return prefs, values, status


@pytest.mark.parametrize("seed", range(5))
def test_linear_shortcut_agrees_with_the_general_form(seed):
    prefs, values, status = _random_case(np.random.default_rng(seed))
    assert prefs.linear and prefs.insists.any()
    fast_u, fast_g = evaluate(prefs, values, status)
    slow_u, slow_g = _evaluate_shaped(prefs, values, status)
    np.testing.assert_allclose(fast_u, slow_u, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast_g, slow_g, rtol=0, atol=1e-12)
    assert (fast_g[status > ClauseStatus.AGREED] == 0).all()
    assert (fast_g[:, :, 0] == 0).all()
    # one shared text scored by every party broadcasts the same way
    shared_u, shared_g = evaluate(prefs, values[:, 0], status[:, 0])
    slow_u, slow_g = _evaluate_shaped(prefs, values[:, :1], status[:, :1])
    np.testing.assert_allclose(shared_u, slow_u, rtol=0, atol=1e-12)
    np.testing.assert_allclose(shared_g, slow_g, rtol=0, atol=1e-12)


def test_a_text_at_every_ideal_is_worth_one_and_pulls_nowhere():
    prefs, _, _ = _random_case(np.random.default_rng(9))
    values = np.broadcast_to(prefs.ideal, (4, *prefs.ideal.shape[1:])).copy()
    utility, gradient = evaluate(prefs, values, np.zeros(values.shape, dtype=np.int8))
    scored = prefs.salience.sum(axis=-1) > 0
    assert np.allclose(utility[:, scored[0]], 1.0) and (gradient == 0).all()
