"""The fast path's kernels after issue #14 (no full sorts, pools updated in place).

Properties of :func:`channelkit._balancing_kernels.desc_order` /
:func:`~channelkit._balancing_kernels.asc_order` (the index-packed sort),
:func:`~channelkit._balancing_kernels.waterfill` (size classes without a
sort) and :func:`~channelkit._balancing_kernels.pair_passes` (a sorted pool
kept up to date by insertions), and of ``assign(method="fast")`` with a start
solution: never worse than the start.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channelkit import _balancing_kernels as K
from channelkit import assign


@st.composite
def workloads(draw: st.DrawFn, min_size: int = 1, max_size: int = 6000) -> np.ndarray:
    n = draw(st.integers(min_size, max_size))
    seed = draw(st.integers(0, 2**32 - 1))
    kind = draw(st.sampled_from(["lognormal", "integers", "uniform", "zeros"]))
    rng = np.random.default_rng(seed)
    if kind == "lognormal":
        return rng.lognormal(0.0, draw(st.floats(0.1, 2.5)), n)
    if kind == "integers":
        return rng.integers(0, draw(st.integers(1, 50)), n).astype(np.float64)
    if kind == "uniform":
        return rng.random(n) * draw(st.floats(1e-6, 1e6))
    return np.zeros(n)


# --------------------------------------------------------------------------- packed sort
def test_packed_order_hand_checked() -> None:
    v = np.array([3.0, 1.0, 3.0, 2.0, 0.0] * 1000)  # 5000 values: the packed sort runs
    d = K.desc_order(v)
    a = K.asc_order(v)
    assert v[d][:3].tolist() == [3.0, 3.0, 3.0] and d[:3].tolist() == [0, 2, 5]
    assert a[:2].tolist() == [4, 9] and v[a][-1] == 3.0
    np.testing.assert_array_equal(d, np.argsort(-v, kind="stable"))
    np.testing.assert_array_equal(a, np.argsort(v, kind="stable"))


@given(workloads())
@settings(max_examples=60, deadline=None)
def test_packed_order_is_a_stable_sort(w: np.ndarray) -> None:
    d = K.desc_order(w)
    a = K.asc_order(w)
    assert sorted(d.tolist()) == list(range(w.size))
    assert sorted(a.tolist()) == list(range(w.size))
    # values within a relative 2**-(52 - 13) count as ties: these values differ by more,
    # or are equal (then the index order is kept, as a stable sort keeps it)
    np.testing.assert_array_equal(w[d], np.sort(w)[::-1])
    np.testing.assert_array_equal(w[a], np.sort(w))
    if np.unique(w).size == w.size or np.all(w == np.round(w)):
        np.testing.assert_array_equal(d, np.argsort(-w, kind="stable"))
        np.testing.assert_array_equal(a, np.argsort(w, kind="stable"))


def test_packed_order_falls_back_for_negative_values() -> None:
    v = np.linspace(-1.0, 1.0, 5000)
    np.testing.assert_array_equal(K.desc_order(v), np.argsort(-v, kind="stable"))


# --------------------------------------------------------------------------- water-filling
def test_waterfill_hand_checked() -> None:
    # two managers, four jobs of 1: one batch; level 2; runs of two jobs each
    w = np.ones(4)
    loads = np.zeros(2)
    manager = np.full(4, -1)
    last = K.waterfill(w, np.ones(2), loads, np.arange(4), manager, batches=1)
    assert manager.tolist() == [0, 0, 1, 1]
    assert loads.tolist() == [2.0, 2.0]
    assert last.tolist() == [0, 1, 2, 3]


@given(workloads(min_size=20), st.integers(2, 40), st.integers(1, 8), st.booleans())
@settings(max_examples=60, deadline=None)
def test_waterfill_places_every_job_and_ends_level(
    w: np.ndarray, m: int, batches: int, uniform: bool
) -> None:
    cap = np.ones(m) if uniform else np.linspace(1.0, 3.0, m)
    loads = np.zeros(m)
    manager = np.full(w.size, -1)
    jobs = np.arange(w.size)
    last = K.waterfill(w, cap, loads, jobs, manager, batches=batches)
    assert (manager >= 0).all() and (manager < m).all()
    np.testing.assert_allclose(
        loads, np.bincount(manager, weights=w, minlength=m), rtol=1e-9, atol=1e-9
    )
    # the last batch holds the smallest jobs
    rest = np.setdiff1d(jobs, last)
    if last.size and rest.size:
        assert w[last].max() <= w[rest].min()
    # one batch: a run starts and ends at a job's midpoint, so every manager ends
    # within one job of the level, and the spread is at most two jobs
    if last.size == w.size:
        rel = loads / cap
        assert rel.max() - rel.min() <= 2 * w.max() / cap.min() * (1 + 1e-9) + 1e-9


# --------------------------------------------------------------------------- pair passes
@given(
    workloads(min_size=10, max_size=3000),
    st.integers(2, 30),
    st.booleans(),
    st.booleans(),
    st.integers(1, 64),
)
@settings(max_examples=60, deadline=None)
def test_pair_passes_never_raise_the_largest_load(
    w: np.ndarray, m: int, uniform: bool, pin: bool, pool: int
) -> None:
    n = w.size
    rng = np.random.default_rng(n + m)
    cap = np.ones(m) if uniform else rng.uniform(1.0, 2.0, m)
    manager = rng.integers(0, m, n)
    loads = np.bincount(manager, weights=w, minlength=m).astype(np.float64)
    counts = np.bincount(manager, minlength=m).astype(np.int64)
    kmax = counts + rng.integers(0, 3, m)  # some managers full
    movable = rng.random(n) < 0.7 if pin else None
    before = manager.copy()
    state = K._State(manager.copy(), loads.copy(), counts.copy(), 10**9, None)
    K.pair_passes(w, cap, kmax, state, 0.0, math.inf, movable=movable, pool=pool)
    assert (state.loads / cap).max() <= (loads / cap).max() * (1 + 1e-12)
    np.testing.assert_allclose(
        state.loads, np.bincount(state.manager, weights=w, minlength=m), rtol=1e-9, atol=1e-9
    )
    np.testing.assert_array_equal(state.counts, np.bincount(state.manager, minlength=m))
    assert (state.counts <= kmax).all()
    if movable is not None:
        np.testing.assert_array_equal(state.manager[~movable], before[~movable])


def test_pair_passes_spend_at_most_the_move_budget() -> None:
    rng = np.random.default_rng(3)
    n, m = 2000, 20
    w = rng.lognormal(0.0, 1.0, n)
    current = rng.integers(0, m, n)
    current[:200] = 0  # manager 0 far above the others
    loads = np.bincount(current, weights=w, minlength=m).astype(np.float64)
    counts = np.bincount(current, minlength=m).astype(np.int64)
    for budget in (0, 1, 5, 40):
        state = K._State(current.copy(), loads.copy(), counts.copy(), budget, current)
        K.pair_passes(w, np.ones(m), np.full(m, n), state, 0.0, math.inf)
        assert int((state.manager != current).sum()) <= budget
        assert state.loads.max() <= loads.max()


def test_pair_passes_reach_the_bound_on_a_large_instance() -> None:
    # 200,000 log-normal jobs on 100 managers: the bound (the mean) is reached
    # within the optimality tolerance
    w = np.random.default_rng(1).lognormal(0.0, 1.0, 200_000)
    res = assign(w, 100, method="fast")
    assert res.value <= res.lower_bound * (1 + 1e-7)


# --------------------------------------------------------------------------- start solution
@given(workloads(min_size=5, max_size=400), st.integers(2, 12), st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_fast_answer_with_a_start_is_never_worse_than_the_start(
    w: np.ndarray, m: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    start = rng.integers(0, m, w.size)
    start_value = np.bincount(start, weights=w, minlength=m).max()
    res = assign(w, m, current=start, method="fast")
    assert res.value <= start_value * (1 + 1e-12) + 1e-12


@pytest.mark.parametrize(("n", "m"), [(100_000, 1000), (50_000, 10)])
def test_fast_path_quality_on_log_normal_workloads(n: int, m: int) -> None:
    # no worse than before issue #14 (1.0000083 and 1.0000000007 of the bound)
    w = np.random.default_rng(2024).lognormal(0.0, 1.0, n)
    res = assign(w, m, method="fast")
    assert res.value <= res.lower_bound * (1 + 8.3e-6)


def _bound_by_full_sort(w: np.ndarray, m: int) -> float:
    """The identical-manager bound from one full sort (the formula as written)."""
    n = w.shape[0]
    if n == 0:
        return 0.0
    s = np.sort(w)[::-1]
    best = max(float(s.sum()) / m, float(s[0]))
    if n > m:
        csum = np.concatenate(([0.0], np.cumsum(s)))
        k = np.arange(1, (n - 1) // m + 1)
        best = max(best, float((csum[k * m + 1] - csum[k * m - k]).max()))
    return best


@given(
    st.lists(
        st.one_of(st.integers(0, 30).map(float), st.floats(0.0, 1e6, allow_nan=False)),
        max_size=80,
    ),
    st.integers(1, 12),
)
@settings(max_examples=300)
def test_makespan_bound_sorts_only_the_jobs_it_needs(jobs: list[float], m: int) -> None:
    # the bound sorts only the largest jobs that can make a term beat sum/m; it
    # equals the formula over a full sort
    w = np.array(jobs, dtype=float)
    expected = _bound_by_full_sort(w, m)
    assert K.makespan_bound_identical(w, m) == pytest.approx(expected, rel=1e-12, abs=0.0)


def test_makespan_bound_on_a_large_heavy_tail() -> None:
    rng = np.random.default_rng(5)
    for w in (rng.lognormal(0.0, 1.0, 100_000), rng.pareto(0.8, 50_000), np.ones(10_001)):
        for m in (7, 1_000):
            assert K.makespan_bound_identical(w, m) == pytest.approx(
                _bound_by_full_sort(w, m), rel=1e-12
            )
