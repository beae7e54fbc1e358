import numpy as np
from scipy import stats

from negosim.streams import WorldStreams


def test_a_world_draws_the_same_alone_and_in_any_batch():
    alone = WorldStreams([17]).uniform("x", 5, (3, 4))[0]
    batch = WorldStreams(np.arange(1000)).uniform("x", 5, (3, 4))[17]
    reordered = WorldStreams([99, 17, 3]).uniform("x", 5, (3, 4))[1]
    assert np.array_equal(alone, batch)
    assert np.array_equal(alone, reordered)


def test_purposes_rounds_and_seeds_give_different_numbers():
    s = WorldStreams([1, 2])
    a = s.uniform("a", 0, (100,))
    assert not np.array_equal(a, s.uniform("b", 0, (100,)))
    assert not np.array_equal(a, s.uniform("a", 1, (100,)))
    assert not np.array_equal(a[0], a[1])


def test_uniforms_and_normals_have_the_right_distribution():
    s = WorldStreams(np.arange(20000))
    u = s.uniform("u", 0).ravel()
    assert 0 < u.min() and u.max() < 1
    assert stats.kstest(u, "uniform").pvalue > 1e-4
    z = s.normal("z", 3).ravel()
    assert stats.kstest(z, "norm").pvalue > 1e-4
    # consecutive seeds are not correlated
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.03
