"""The exact makespan path on identical managers: packing search, symmetry breaking, bounds.

Issue #14 (point 2): the bisection over bin-packing searches agrees with brute
force (with and without headcount caps, with and without the subset-sum bit
sets), its proofs are valid lower bounds, a search cut short by its budget
still reports a valid bound, the symmetry breaking of the MIP never removes
the optimum, the exact answer is never worse than its start (the fast path's)
and the bound reported at a time limit on the hard GAP instances never
passes their proven optima.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import channelkit as ck
from channelkit import _balancing_kernels as K
from channelkit import _packing
from channelkit._packing import bisect_makespan

from ._reference import brute_force
from .test_balancing import check_valid, gap_optima, parse_gap

# Jobs drawn from few sizes (many equal jobs: the equal-jobs rule is exercised) or many.
_sizes = st.one_of(st.integers(0, 30), st.sampled_from([3, 5, 7]))


@st.composite
def packing_problems(draw: Any, max_n: int = 8) -> tuple[np.ndarray, int, int]:
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(1, 3))
    w = np.array(draw(st.lists(_sizes, min_size=n, max_size=n)), dtype=float)
    k = draw(st.integers(math.ceil(n / m), n))
    return w, m, k


def _start(w: np.ndarray, m: int) -> np.ndarray:
    """A valid answer to start from: round robin (counts at most ceil(n / m))."""
    return np.arange(w.size) % m


def _bisect(w: np.ndarray, m: int, k: int, **kw: Any) -> tuple[_packing.PackResult, float]:
    lo = math.ceil(K.makespan_bound_identical(w, m) - 1e-9)
    hi = float(np.bincount(_start(w, m), weights=w, minlength=m).max())
    kw.setdefault("deadline", time.perf_counter() + 60)
    return bisect_makespan(w, m, k, lo, hi, **kw), hi


def _mip(W: np.ndarray, cap: np.ndarray, **kw: Any) -> K.MilpResult:
    """``solve_milp`` with every pair eligible, no headcount cap and no current assignment."""
    n, m = W.shape
    opts: dict[str, Any] = {
        "objective": "balance",
        "cost": None,
        "hard": False,
        "current": None,
        "max_moves": None,
        "symmetric": False,
    }
    opts.update(kw)
    return K.solve_milp(W, cap, np.ones((n, m), dtype=bool), np.full(m, n), **opts)


def _check(res: _packing.PackResult, w: np.ndarray, m: int, k: int, hi: float) -> None:
    if res.manager is None:
        assert res.value == hi
        return
    assert res.manager.shape == w.shape and res.manager.min() >= 0 and res.manager.max() < m
    assert np.bincount(res.manager, minlength=m).max() <= k
    assert np.bincount(res.manager, weights=w, minlength=m).max() == res.value
    assert res.value < hi


# --------------------------------------------------------------------------- hand-checked
def test_packing_hand_checked() -> None:
    # 8 7 6 5 4 on 2 managers: total 30, so 15 is the bound, and 8+7 | 6+5+4 meets it
    w = np.array([8.0, 7.0, 6.0, 5.0, 4.0])
    res = bisect_makespan(w, 2, 5, 15.0, 17.0, deadline=time.perf_counter() + 10)
    assert res.complete and res.value == res.bound == 15
    assert sorted(np.bincount(res.manager, weights=w, minlength=2).tolist()) == [15.0, 15.0]


def test_packing_proves_a_bound_above_the_simple_one() -> None:
    # 9 8 6 5 4 on 2 managers: total 32 gives 16, but no subset sums to 16
    # (9+6 = 15, 9+8 = 17, 8+4+5 = 17 ...), so 17 is optimal: 9+8 | 6+5+4 = 15
    w = np.array([9.0, 8.0, 6.0, 5.0, 4.0])
    assert math.ceil(K.makespan_bound_identical(w, 2)) == 16
    res = bisect_makespan(w, 2, 5, 16.0, 18.0, deadline=time.perf_counter() + 10)
    assert res.complete and res.value == res.bound == 17
    assert brute_force(w, 2) == 17


def test_packing_respects_headcount_caps() -> None:
    # 6 1 1 1 1 1 on 2 managers with at most 3 each: 6+1+1 | 1+1+1 = 8 (without caps 6 | 5)
    w = np.array([6.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    res = bisect_makespan(w, 2, 3, 6.0, 9.0, deadline=time.perf_counter() + 10)
    assert res.complete and res.value == 8
    assert np.bincount(res.manager, minlength=2).tolist() == [3, 3]
    free = bisect_makespan(w, 2, 6, 6.0, 9.0, deadline=time.perf_counter() + 10)
    assert free.value == 6


def test_pack_answers_each_target() -> None:
    w = [9, 8, 7, 6, 5, 4]  # 39 on 3 managers: 13 = 9+4 = 8+5 = 7+6
    assert _packing._pack(w, 3, 6, 12, [10**6], math.inf) is None
    where = _packing._pack(w, 3, 6, 13, [10**6], math.inf)
    assert where is not None
    assert np.bincount(where, weights=w, minlength=3).tolist() == [13.0, 13.0, 13.0]


# --------------------------------------------------------------------------- properties
@given(packing_problems())
@settings(max_examples=150, deadline=None)
@example((np.array([9.0, 8.0, 6.0, 5.0, 4.0]), 2, 5))
@example((np.array([3.0, 3.0, 3.0, 3.0, 2.0, 2.0, 2.0]), 3, 3))
def test_bisection_equals_brute_force(problem: tuple[np.ndarray, int, int]) -> None:
    w, m, k = problem
    res, hi = _bisect(w, m, k)
    opt = brute_force(w, m, max_partners=np.full(m, k))
    assert res.complete
    assert res.value == res.bound == opt
    _check(res, w, m, k, hi)


@given(packing_problems())
@settings(max_examples=60, deadline=None)
def test_bisection_without_bit_sets_equals_brute_force(
    problem: tuple[np.ndarray, int, int],
) -> None:
    # large workloads: the waste rule falls back to "smaller than the smallest job"
    w, m, k = problem
    with mock.patch.object(_packing, "BITSET_BITS", 0):
        res, hi = _bisect(w, m, k)
    assert res.complete and res.value == brute_force(w, m, max_partners=np.full(m, k))
    _check(res, w, m, k, hi)


@given(packing_problems(), st.integers(0, 40))
@settings(max_examples=100, deadline=None)
def test_pack_is_exact_for_every_target(problem: tuple[np.ndarray, int, int], target: int) -> None:
    w, m, k = problem
    ws = sorted((int(v) for v in w), reverse=True)
    where = _packing._pack(ws, m, k, target, [10**7], math.inf)
    opt = brute_force(np.array(ws, dtype=float), m, max_partners=np.full(m, k))
    assert (where is not None) == (opt <= target)
    if where is not None:
        assert np.bincount(where, weights=ws, minlength=m).max() <= target
        assert np.bincount(where, minlength=m).max() <= k


@given(packing_problems(), st.integers(1, 30))
@settings(max_examples=60, deadline=None)
def test_a_search_cut_short_still_bounds_the_optimum(
    problem: tuple[np.ndarray, int, int], nodes: int
) -> None:
    w, m, k = problem
    res, hi = _bisect(w, m, k, node_limit=nodes)
    opt = brute_force(w, m, max_partners=np.full(m, k))
    assert res.bound <= opt <= res.value
    assert res.complete == (res.bound == res.value)
    _check(res, w, m, k, hi)


def test_a_deadline_in_the_past_stops_the_search() -> None:
    rng = np.random.default_rng(3)
    w = rng.integers(1, 100, 40).astype(float)
    res, _ = _bisect(w, 6, 40, deadline=time.perf_counter() - 1.0, node_limit=10**9)
    # the clock is read every 1,024 nodes: a few at most, and no proof is claimed wrongly
    assert res.nodes <= 1024 or res.complete
    assert res.bound <= res.value


@given(hnp.arrays(np.float64, st.integers(1, 7), elements=_sizes.map(float)), st.integers(2, 3))
@settings(max_examples=80, deadline=None)
def test_milp_symmetry_breaking_keeps_the_optimum(w: np.ndarray, m: int) -> None:
    # identical managers: job j (by size) only to managers <= j; brute force over all
    res = _mip(np.repeat(w[:, None], m, axis=1), np.ones(m), symmetric=True, time_limit=30.0)
    assert res.proven and res.value == pytest.approx(brute_force(w, m), abs=1e-9)


@given(
    hnp.arrays(np.float64, st.integers(1, 40), elements=st.integers(1, 99).map(float)),
    st.integers(2, 8),
)
@settings(max_examples=40, deadline=None)
def test_exact_is_never_worse_than_its_start(w: np.ndarray, m: int) -> None:
    # the exact path starts from the fast path's answer and only takes better ones
    fast = ck.assign(w, m, method="fast")
    exact = ck.assign(w, m, method="exact", time_limit=5.0)
    check_valid(exact, {"workload": w, "capacity": m})
    assert exact.value <= fast.value
    assert exact.lower_bound >= fast.lower_bound


def test_random_instances_are_proven_by_the_packing_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the benchmark's 30 random instances (12-40 partners, 3-6 managers): every one
    # proven optimal without the MIP solver
    calls: list[Any] = []
    monkeypatch.setattr(K, "solve_milp", lambda *a, **kw: calls.append(a))
    rng = np.random.default_rng(7)
    for _ in range(30):
        n, m = int(rng.integers(12, 41)), int(rng.integers(3, 7))
        w = rng.integers(1, 100, n).astype(float)
        res = ck.assign(w, m, method="exact", time_limit=30.0)
        assert res.optimal and res.value == res.lower_bound
        check_valid(res, {"workload": w, "capacity": m})
    assert calls == []


def test_exact_reports_the_packing_stage_in_progress(capsys: pytest.CaptureFixture[str]) -> None:
    # 9 8 6 5 4 on 2 managers: the fast path finds 17 over the bound 16, and the
    # packing search proves 17 (no subset sums to 16) without the MIP
    res = ck.assign([9.0, 8.0, 6.0, 5.0, 4.0], 2, method="exact", progress=True)
    err = capsys.readouterr().err
    lines = [x for x in err.splitlines() if "packing search" in x]
    assert len(lines) == 1
    assert "value 17, lower bound 17, gap 0%" in lines[0]
    assert " exact:" not in err  # the MIP did not run
    assert res.optimal and res.value == res.lower_bound == 17


# --------------------------------------------------------------------------- GAP: bounds at a limit
@pytest.mark.parametrize("name", ["d05100", "e05100"])
def test_bound_at_a_time_limit_is_below_the_optimum(gap_dir: Path, name: str) -> None:
    optima = gap_optima(gap_dir)
    if name not in optima:
        pytest.skip(f"{name} has no proven optimum in bounds.txt")
    cost, consumption, capacity = parse_gap(gap_dir / name)
    res = ck.assign(
        consumption.T,
        capacity.astype(float),
        cost=cost.T,
        objective="cost",
        method="exact",
        time_limit=2.0,
    )
    check_valid(res, {"workload": consumption.T, "capacity": capacity.astype(float)})
    assert res.lower_bound <= optima[name] <= res.value
    assert res.optimal == (res.value == optima[name] == res.lower_bound)


# --------------------------------------------------------------------------- the MIP's start
@given(
    hnp.arrays(np.float64, st.integers(1, 8), elements=_sizes.map(float)),
    st.integers(2, 4),
    st.randoms(use_true_random=False),
)
@settings(max_examples=100, deadline=None)
def test_a_start_is_renamed_into_the_symmetric_model(w: np.ndarray, m: int, rnd: Any) -> None:
    # any answer, its managers renamed, is a point of the symmetry-broken model
    n = w.size
    W = np.repeat(w[:, None], m, axis=1)
    manager = np.array([rnd.randrange(m) for _ in range(n)], dtype=np.int64)
    jj, ii = K.model_pairs(W, np.ones((n, m), dtype=bool), True)
    x = K._start_vector(manager, jj, ii, W, np.ones(m), 1.0, jj.size + 1, True, True)
    assert x is not None
    chosen = x[:-1] > 0.5
    assert np.bincount(jj[chosen], minlength=n).tolist() == [1] * n  # each partner once
    renamed = np.empty(n, dtype=np.int64)
    renamed[jj[chosen]] = ii[chosen]
    # the same partition: partners share a manager exactly when they shared one before
    assert np.array_equal(
        manager[:, None] == manager[None, :], renamed[:, None] == renamed[None, :]
    )
    assert x[-1] == np.bincount(manager, weights=w, minlength=m).max()


def test_a_start_outside_the_model_is_not_passed() -> None:
    W = np.ones((3, 2))
    elig = np.array([[True, False], [True, True], [False, True]])
    jj, ii = K.model_pairs(W, elig, False)
    assert K._start_vector(np.array([1, 0, 1]), jj, ii, W, np.ones(2), 1.0, 4, True, False) is None
    assert (
        K._start_vector(np.array([0, 0, -1]), jj, ii, W, np.ones(2), 1.0, 4, True, False) is None
    )
    x = K._start_vector(np.array([0, 1, 1]), jj, ii, W, np.ones(2), 1.0, 5, True, False)
    assert x is not None and x.tolist() == [1.0, 0.0, 1.0, 1.0, 2.0]


@given(st.integers(0, 2**32 - 1), st.sampled_from([0.01, 0.05, 0.2]))
@settings(max_examples=15, deadline=None)
def test_the_mip_is_never_worse_than_its_start(seed: int, seconds: float) -> None:
    # a generalized assignment problem that HiGHS rarely finishes in the time given:
    # whatever it returns is at least as good as the start it was handed
    rng = np.random.default_rng(seed)
    n, m = 60, 6
    W = rng.integers(5, 25, (n, m)).astype(float)
    cost = rng.integers(10, 50, (n, m)).astype(float)
    cap = np.full(m, W.mean() * n / m * 1.3)
    start = ck.assign(W, cap, cost=cost, objective="cost", method="fast")
    res = _mip(
        W,
        cap,
        objective="cost",
        cost=cost,
        hard=True,
        time_limit=seconds,
        integral=True,
        start=start.manager,
    )
    assert res.manager is not None
    assert res.value <= start.value
    assert res.bound <= res.value + 1e-9
