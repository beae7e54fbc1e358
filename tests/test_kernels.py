"""The compiled kernels: what each computes, and that compiling them changes no bit."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from negosim import load_scenario
from negosim.engine.kernels import deliver_texts, register_acceptances, settle_and_step, stream_uniforms
from negosim.engine.mediator import REVISION_BOUNDS, STEP_FACTORS
from negosim.engine.params import ModelParams
from negosim.engine.streams import WorldStreams
from negosim.engine.utility import Preferences, _evaluate_shaped, evaluate
from negosim.runs.ensemble import run_ensemble


def _random_preferences(rng: np.random.Generator, worlds: int, parties: int, clauses: int) -> Preferences:
    return Preferences(
        ideal=rng.random((worlds, parties, clauses)),
        salience=rng.random((worlds, parties, clauses)),
        shape=np.zeros((parties, clauses), dtype=np.int8),
        tolerance=np.full((parties, 1), 0.3),
        insists=rng.random((parties, clauses)) < 0.3,
    )


@pytest.mark.parametrize("worlds_in_prefs", [1, 50])
@pytest.mark.parametrize("shared_text", [False, True])
def test_linear_kernel_agrees_with_the_general_formula(worlds_in_prefs, shared_text):
    """The compiled linear utility against the general evaluation (any shape), which
    computes the same utility clause by clause along another route."""
    rng = np.random.default_rng(7)
    prefs = _random_preferences(rng, worlds_in_prefs, 3, 11)
    assert prefs.linear
    shape = (50, 11) if shared_text else (50, 3, 11)
    values, status = rng.random(shape), rng.integers(0, 5, shape).astype(np.int8)
    status[0] = 2  # a whole text off the table: only insisted clauses count
    utility, gradient = evaluate(prefs, values, status)
    expanded = (values[:, None], status[:, None]) if shared_text else (values, status)
    want_utility, want_gradient = _evaluate_shaped(prefs, *expanded)
    np.testing.assert_allclose(utility, want_utility, rtol=0, atol=1e-12)
    np.testing.assert_allclose(gradient, want_gradient, rtol=0, atol=1e-12)
    assert ((utility >= 0) & (utility <= 1)).all()


def test_nothing_counted_scores_zero_and_moves_nothing():
    prefs = _random_preferences(np.random.default_rng(1), 1, 2, 4)
    prefs.insists[:] = False
    utility, gradient = evaluate(prefs, np.full((3, 4), 0.5), np.full((3, 4), 3, dtype=np.int8))
    assert (utility == 0).all() and (gradient == 0).all()


def _splitmix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser in plain numpy: the reference the compiled streams must match."""
    with np.errstate(over="ignore"):
        z = z ^ (z >> np.uint64(30))
        z = z * np.uint64(0xBF58476D1CE4E5B9)
        z = z ^ (z >> np.uint64(27))
        z = z * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def test_stream_kernel_matches_splitmix_in_numpy():
    keys = _splitmix(np.array([0, 1, 2**40, 2**63 + 3], dtype=np.uint64))
    counters, purpose = np.arange(17, dtype=np.uint64), np.uint64(0x1234_5678_9ABC_DEF0)
    with np.errstate(over="ignore"):
        mixed = _splitmix(counters * np.uint64(0x9E3779B97F4A7C15) + purpose)
        bits = _splitmix(keys[:, None] + mixed[None, :]) >> np.uint64(11)
    want = (bits.astype(np.float64) + 0.5) / 2.0**53
    got = stream_uniforms(keys, counters, purpose, np.empty((4, 17)))
    assert (got.view(np.uint64) == want.view(np.uint64)).all()
    assert ((got > 0) & (got < 1)).all()


def _step(text, pull, clause_step, last_direction, version, drafts, status=None):
    """The stepping half of settle_and_step alone (no world revises its statuses here)."""
    W, K = text.shape
    status = np.zeros((W, K), np.int8) if status is None else status
    none = np.zeros((W, K), dtype=bool)
    step, changed, bracket = np.zeros((W, K)), np.zeros(W, dtype=bool), np.zeros((W, K), dtype=bool)
    settle_and_step(
        np.ones(W, bool), np.zeros(W, bool), text, status, np.zeros((W, K), np.int32), none, none, np.zeros(K, bool),
        np.zeros((W, 1), bool), np.zeros(0, np.int64), none, none, -1, pull, np.ones(W, bool), none,
        np.zeros((0, 0), bool), np.zeros(W, bool), np.zeros((1, K)), np.ones((1, K)), REVISION_BOUNDS, STEP_FACTORS,
        clause_step, last_direction, version, drafts, np.zeros(drafts.shape, np.int8), bracket, step, changed,
    )  # fmt: skip
    return step, changed


def test_revision_steps_are_resilient_and_stay_in_the_hull():
    """Same pull twice: the step grows by STEP_GROWTH; a flip halves it; the text stays in
    [0, 1] here (the hull); each revision is written as the next draft, round-first."""
    text, drafts = np.array([[0.5, 0.5, 0.99]]), np.zeros((4, 1, 3))
    clause_step, last_direction, version = np.full((1, 3), 0.04), np.zeros((1, 3)), np.zeros(1, np.int32)
    step, changed = _step(text, np.array([[1.0, -1.0, 5.0]]), clause_step, last_direction, version, drafts)
    assert changed[0] and version[0] == 1
    np.testing.assert_allclose(step, [[0.04, -0.04, 0.04]])
    assert text[0, 2] == 1.0  # clipped to the hull
    np.testing.assert_array_equal(drafts[1, 0], text[0])
    step, _ = _step(text, np.array([[1.0, 1.0, 0.0]]), clause_step, last_direction, version, drafts)
    np.testing.assert_allclose(step[0, :2], [0.04 * 1.2, 0.02])
    assert step[0, 2] == 0 and version[0] == 2
    np.testing.assert_array_equal(drafts[2, 0], text[0])


def test_a_bracketed_clause_does_not_move_and_no_pull_changes_nothing():
    text, drafts = np.array([[0.5, 0.5]]), np.zeros((3, 1, 2))
    status = np.array([[2, 0]], dtype=np.int8)
    state = np.full((1, 2), 0.04), np.zeros((1, 2)), np.zeros(1, np.int32)
    step, _ = _step(text, np.array([[1.0, 1.0]]), *state, drafts, status=status)
    assert step[0, 0] == 0 and step[0, 1] > 0
    _, changed = _step(text, np.zeros((1, 2)), *state, drafts, status=status)
    assert not changed[0] and state[2][0] == 1


def test_texts_reach_parties_only_when_newer_and_talking():
    W, P, K = 3, 2, 2
    held_version = np.array([[0, 0], [5, 0], [0, 0]], dtype=np.int32)
    held, held_status = np.zeros((W, P, K)), np.zeros((W, P, K), np.int8)
    texts = np.arange(2 * W * K, dtype=float).reshape(2, W, K)
    versions = np.array([[9, 9, 9], [3, 3, 3]], dtype=np.int32)
    delivered = np.ones((2, W, P), dtype=bool)
    delivered[1, 2, 1] = False
    new = deliver_texts(
        np.array([1, 1]), delivered, versions, texts, np.ones((2, W, K), np.int8), np.array([True, True, False]),
        held_version, held, held_status, np.zeros((W, P), bool),
    )  # fmt: skip
    # world 0 gets version 3 at both; world 1 party 0 holds 5 already; world 2 has ended
    np.testing.assert_array_equal(new, [[True, True], [False, True], [False, False]])
    np.testing.assert_array_equal(held_version, [[3, 3], [5, 3], [0, 0]])
    np.testing.assert_array_equal(held[0, 1], texts[1, 0])
    assert (held[1, 0] == 0).all() and (held_status[0] == 1).all()


def test_the_preferences_the_kernel_reads_are_contiguous():
    prefs = ModelParams.build(load_scenario("geneva_vs_anchorage"), WorldStreams([0, 1])).prefs
    for array in (prefs.ideal, prefs.salience, prefs.salience_per_span, prefs.insists):
        assert array.flags.c_contiguous


@pytest.mark.slow
def test_compiled_and_interpreted_kernels_give_the_same_bits(tmp_path):
    """The kernels run as plain Python under NUMBA_DISABLE_JIT: the flagship's outcome
    table must be the same to the bit, so compilation changes nothing but speed."""
    script = (
        "import sys; from negosim.runs.ensemble import run_ensemble; "
        "run_ensemble('geneva_vs_anchorage', 12, chunk_size=12, progress=False).outcomes.to_parquet(sys.argv[1])"
    )
    out = tmp_path / "interpreted.parquet"
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    subprocess.run([sys.executable, "-c", script, str(out)], env=env, check=True, timeout=1800)
    interpreted = pd.read_parquet(out)
    compiled = run_ensemble("geneva_vs_anchorage", 12, chunk_size=12, progress=False).outcomes
    pd.testing.assert_frame_equal(compiled.reset_index(drop=True), interpreted.reset_index(drop=True), check_exact=True)


def test_the_latest_agreed_draft_is_kept_exactly_as_acceptances_arrive():
    """Acceptances arrive in random order over many rounds; after each round the kernel's
    latest agreed draft equals a brute-force search over every draft, and the other
    records match their numpy definitions."""
    rng = np.random.default_rng(7)
    W, P, drafts, signatories = 40, 3, 12, np.array([0, 2])
    accepted = np.zeros((W, P, drafts), dtype=bool)
    received, ever = np.full((W, P), -1, np.int32), np.zeros((W, P), dtype=bool)
    agreed = np.full(W, -1, np.int32)
    deals = 0
    for _ in range(12):
        got = np.where(rng.random((W, P)) < 0.25, rng.integers(0, drafts, (W, P)), -1).astype(np.int32)
        want_received, want_ever = np.maximum(received, got), ever | (got >= 0)
        register_acceptances(got, signatories, accepted, received, ever, agreed)
        complete = accepted[:, signatories].all(axis=1)  # (W, drafts)
        latest = np.where(complete.any(axis=1), drafts - 1 - np.argmax(complete[:, ::-1], axis=1), -1)
        np.testing.assert_array_equal(agreed, latest)
        np.testing.assert_array_equal(received, want_received)
        np.testing.assert_array_equal(ever, want_ever)
        deals = int((agreed >= 0).sum())
    assert 0 < deals < W  # the check saw both worlds with a deal and worlds without
