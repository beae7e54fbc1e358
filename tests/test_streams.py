import numpy as np
from scipy import stats

from negosim.engine.streams import RoundDraws, WorldStreams


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
    assert u.min() > 0 and u.max() < 1
    assert stats.kstest(u, "uniform").pvalue > 1e-4
    z = s.normal("z", 3).ravel()
    assert stats.kstest(z, "norm").pvalue > 1e-4
    # consecutive seeds are not correlated
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.03


def test_draws_keep_their_bits_across_versions():
    """A seed's numbers are part of its result: these were drawn before the
    hot loop was rewritten (commit bf28385) and must never change."""
    s = WorldStreams([17, 4242])
    assert s.uniform("round", 3, (4,)).tolist() == [
        [0.9360383948592488, 0.6952890599324977, 0.4001825986298701, 0.5313062399863662],
        [0.7998581394122568, 0.581116618950223, 0.43406384313409935, 0.7284673480819952],
    ]
    draws = RoundDraws.draw(s, 5, parties=4, clauses=28, deadlines=2, upward_parties=[2])
    assert draws.upward[2][:, [0, 27]].tolist() == [
        [0.7176197621001057, 0.3338386653737537],
        [0.28178493056930903, 0.5379758540601496],
    ]
    assert draws.deadline.tolist() == [[0.812884861135684, 0.222802098486025], [0.8987621997054025, 0.7977528226530062]]


def test_skipping_sure_routes_changes_no_other_draw():
    s = WorldStreams(np.arange(50))
    every = RoundDraws.draw(s, 2, parties=3, clauses=5, deadlines=1, upward_parties=[0, 1, 2])
    some = RoundDraws.draw(s, 2, parties=3, clauses=5, deadlines=1, upward_parties=[1])
    assert list(some.upward) == [1]
    assert np.array_equal(some.upward[1], every.upward[1])
    assert not np.array_equal(every.upward[0], every.upward[1])
    for field in ("noise", "signature", "credible", "text", "battlefield", "deadline"):
        assert np.array_equal(getattr(some, field), getattr(every, field)), field
