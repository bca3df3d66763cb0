"""Hardening of the numeric kernels (issue #9): overflow, thresholds, small edges.

Classes of the issue covered here:

* 1 -- overflow gives wrong statistics: the segmentation kernels and ``assign``
  on magnitudes near the float limits (1e300 .. 1.7e308), subnormal numbers,
  and every numpy and pandas numeric dtype;
* 8 -- ``WorkloadModel.hours`` on a region it does not know;
* 9 -- ``Gaps.closest``, ``Program.benefit_cost``, ``WorkloadModel.hours`` and
  ``break_even_revenue`` on overflowing input, ``simulate_channel(program=)``,
  and ``Assignment`` freezing the caller's arrays;
* 10 -- scores and metrics exactly on a threshold, with :class:`fractions.Fraction`
  as the reference.
"""

from __future__ import annotations

import math
import sys
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import channelkit as ck
from channelkit.capacity import break_even_revenue

MAX = sys.float_info.max
TINY = 5e-324  # the smallest subnormal

# --------------------------------------------------------------------------- strategies
#: Amounts from every corner of the float range: zeros, subnormals, ordinary
#: numbers and numbers near the largest float.
huge = st.floats(min_value=1e300, max_value=MAX)
subnormal = st.floats(min_value=TINY, max_value=2.2250738585072014e-308)
edge_amounts = st.one_of(
    huge, huge, subnormal, st.just(0.0), st.just(MAX), st.floats(0.0, 1e6), st.just(TINY)
)
edge_arrays = st.lists(edge_amounts, min_size=1, max_size=12).map(
    lambda v: np.array(v, dtype=np.float64)
)

#: Every numpy integer, unsigned and float dtype, and bool.
NUMPY_DTYPES = [
    np.dtype(t)
    for t in (
        np.int8,
        np.int16,
        np.int32,
        np.int64,
        np.uint8,
        np.uint16,
        np.uint32,
        np.uint64,
        np.float16,
        np.float32,
        np.float64,
        np.longdouble,
        np.bool_,
    )
]


# --------------------------------------------------------------------------- exact references
def _fr(x: np.ndarray) -> list[Fraction]:
    return [Fraction(float(v)) for v in x]


def gini_ref(x: np.ndarray) -> float:
    v = sorted(_fr(x))
    n, total = len(v), sum(v)
    if total == 0:
        return 0.0
    num = sum((2 * (i + 1) - n - 1) * vi for i, vi in enumerate(v))
    return float(num / (n * total))


def hhi_ref(x: np.ndarray) -> float:
    v = _fr(x)
    total = sum(v)
    return float(sum((vi / total) ** 2 for vi in v))


def top_share_ref(x: np.ndarray, k: int) -> float:
    v = sorted(_fr(x), reverse=True)
    total = sum(v)
    return 0.0 if total == 0 or k == 0 else float(sum(v[:k]) / total)


def lorenz_ref(x: np.ndarray) -> list[float]:
    v = sorted(_fr(x))
    total = sum(v)
    if total == 0:
        return [i / len(v) for i in range(len(v) + 1)]
    acc, out = Fraction(0), [0.0]
    for vi in v:
        acc += vi
        out.append(float(acc / total))
    return out


def pareto_ref(x: np.ndarray, c_share: float = 0.8, t_share: float = 0.05) -> list[str]:
    """The documented rule in exact arithmetic (ties: earlier input ranks higher)."""
    v = _fr(x)
    n, total = len(v), sum(v)
    order = sorted(range(n), key=lambda i: (-v[i], i))  # largest first, stable
    out = ["potential"] * n
    if total == 0:
        return ["long_tail"] * n
    k, acc = 0, Fraction(0)
    tol = Fraction(1e-12) * total  # the documented tolerance of pareto_segments
    while k < n and acc < Fraction(c_share) * total - tol:
        acc += v[order[k]]
        k += 1
    tail, acc = 0, Fraction(0)
    for i in reversed(order[k:]):
        if acc + v[i] > Fraction(t_share) * total + tol:
            break
        acc += v[i]
        tail += 1
    for i in order[:k]:
        out[i] = "contributor"
    for i in order[n - tail :] if tail else []:
        out[i] = "long_tail"
    return out


def close(a: float, b: float, rel: float = 1e-12) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-300


# --------------------------------------------------------------------------- class 1: examples
def test_overflow_examples_from_the_issue() -> None:
    assert ck.gini([1e308, 1e308, 0.5e308]) == pytest.approx(2 / 15, rel=1e-15)
    assert ck.hhi([1e308, 1e308]) == pytest.approx(0.5)
    assert ck.top_share([1e308, 1e308, 1e308, 1e308], 1) == pytest.approx(0.25)
    _, y = ck.lorenz_curve([1e308, 1e308, 1e308, 1e308])
    np.testing.assert_allclose(y, [0.0, 0.25, 0.5, 0.75, 1.0])
    assert ck.pareto_segments([1e308, 1e308, 3e307, 1e300]).tolist() == [
        "contributor",
        "contributor",
        "potential",
        "long_tail",
    ]
    p = ck.profile_channel({"revenue": [1e308, 5e307, 1e307]})
    assert p.total_revenue == pytest.approx(1.6e308)
    assert p.gini == pytest.approx(gini_ref(np.array([1e308, 5e307, 1e307])))
    assert p.segments["contributor"] == (2, pytest.approx(0.9375))


def test_profile_total_beyond_the_largest_float_is_an_input_error() -> None:
    with pytest.raises(ck.InvalidInputError, match="revenue adds up to more than the largest"):
        ck.profile_channel({"revenue": [1e308, 1e308]})


def test_subnormal_examples() -> None:
    assert ck.gini([TINY, 2 * TINY]) == pytest.approx(1 / 6)
    assert ck.hhi([TINY] * 4) == pytest.approx(0.25)
    assert ck.top_share([TINY, 3 * TINY], 1) == pytest.approx(0.75)
    assert ck.lorenz_curve([TINY, 3 * TINY])[1].tolist() == [0.0, 0.25, 1.0]


# --------------------------------------------------------------------------- class 1: properties
@given(edge_arrays)
def test_gini_is_exact_near_the_float_limits(x: np.ndarray) -> None:
    assert close(ck.gini(x), gini_ref(x), 1e-9)


@given(edge_arrays)
def test_hhi_is_exact_near_the_float_limits(x: np.ndarray) -> None:
    assume(x.any())
    assert close(ck.hhi(x), hhi_ref(x), 1e-12)


@given(edge_arrays, st.integers(0, 13))
def test_top_share_is_exact_near_the_float_limits(x: np.ndarray, k: int) -> None:
    assert close(ck.top_share(x, k), top_share_ref(x, min(k, x.size)), 1e-12)


@given(edge_arrays)
def test_lorenz_curve_is_exact_near_the_float_limits(x: np.ndarray) -> None:
    _, y = ck.lorenz_curve(x)
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y, lorenz_ref(x), rtol=1e-12, atol=1e-300)


@given(edge_arrays)
def test_pareto_segments_near_the_float_limits(x: np.ndarray) -> None:
    # labels are scale-free: the same as those of the amounts scaled to [0.5, 1)
    got = ck.pareto_segments(x).tolist()
    assert got == pareto_ref(x)


@given(edge_arrays)
def test_profile_channel_total_is_exact_or_an_input_error(x: np.ndarray) -> None:
    exact = sum(_fr(x))
    try:
        want = float(exact)  # correctly rounded
    except OverflowError:
        with pytest.raises(ck.InvalidInputError, match="revenue"):
            ck.profile_channel({"revenue": x})
        return
    try:
        p = ck.profile_channel({"revenue": x})
    except ck.InvalidInputError:
        assert want > MAX * (1 - 1e-12)  # within rounding of the largest float
        return
    assert math.isfinite(p.total_revenue)
    assert close(p.total_revenue, want, 1e-12)
    assert close(p.gini, gini_ref(x), 1e-9)
    share = sum(s for _, s in p.segments.values())
    assert share == pytest.approx(1.0 if exact > 0 else 0.0)


@given(
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8),
    st.integers(-1074, 1023),
)
def test_kernels_are_scale_free_over_the_whole_exponent_range(base: list[float], k: int) -> None:
    x = np.ldexp(np.array(base), k)  # exact unless entries fall into the subnormals
    assume(np.isfinite(x).all())
    # the statistics of x are those of x scaled back by 2**-k (exact: scaling a subnormal up is)
    back = np.ldexp(x, -k)
    assume(np.isfinite(back).all())
    assert close(ck.gini(x), ck.gini(back), 1e-12)
    assert ck.pareto_segments(x).tolist() == ck.pareto_segments(back).tolist()
    assert close(ck.top_share(x, 2), ck.top_share(back, 2), 1e-12)
    if x.any():
        assert close(ck.hhi(x), ck.hhi(back), 1e-12)


# --------------------------------------------------------------------------- class 1: dtypes
def _as_float(values: Any) -> np.ndarray:
    """The values a user means, as float64 (NaN for pandas NA)."""
    if hasattr(values, "to_numpy"):
        return np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan))
    with np.errstate(over="ignore"):
        return np.asarray(values).astype(np.float64)


def _check_kernels(values: Any, *, bool_may_be_rejected: bool = False) -> None:
    x = _as_float(values)
    bad = not np.isfinite(x).all() or (x < 0).any() or x.size == 0
    cases = [
        (lambda v: ck.gini(v), lambda f: gini_ref(f)),
        (lambda v: ck.top_share(v, 1), lambda f: top_share_ref(f, 1)),
        (lambda v: ck.lorenz_curve(v)[1].tolist(), lambda f: lorenz_ref(f)),
        (lambda v: ck.pareto_segments(v).tolist(), lambda f: pareto_ref(f)),
    ]
    if not bad and x.any():
        cases.append((lambda v: ck.hhi(v), lambda f: hhi_ref(f)))
    for fn, ref in cases:
        if bad:
            with pytest.raises(ck.InvalidInputError, match="values|revenue"):
                fn(values)
            continue
        try:
            got = fn(values)
        except ck.InvalidInputError:
            assert bool_may_be_rejected  # booleans: one documented rule (issue #9, class 2)
            continue
        want = ref(x)
        if isinstance(want, list) and want and isinstance(want[0], str):
            assert got == want
        elif isinstance(want, list):
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-300)
        else:
            assert close(got, want, 1e-9), (got, want)


@given(st.sampled_from(NUMPY_DTYPES).flatmap(lambda d: hnp.arrays(d, st.integers(1, 8))))
def test_every_numpy_dtype_gives_the_right_statistic_or_an_input_error(a: np.ndarray) -> None:
    _check_kernels(a, bool_may_be_rejected=a.dtype == np.bool_)


@given(
    st.one_of(
        st.tuples(
            st.just("Int64"),
            st.lists(st.one_of(st.none(), st.integers(-5, 2**63 - 1)), min_size=1, max_size=8),
        ),
        st.tuples(
            st.just("Float64"),
            st.lists(st.one_of(st.none(), edge_amounts), min_size=1, max_size=8),
        ),
    )
)
def test_pandas_nullable_dtypes_with_and_without_na(case: tuple[str, list[Any]]) -> None:
    pd = pytest.importorskip("pandas")
    dtype, raw = case
    values = pd.array(raw, dtype=dtype)
    _check_kernels(values)
    _check_kernels(pd.Series(values))


def test_pandas_nullable_examples() -> None:
    pd = pytest.importorskip("pandas")
    assert ck.gini(pd.array([1, 1, 4], dtype="Int64")) == pytest.approx(1 / 3)
    assert ck.hhi(pd.array([1e308, 1e308], dtype="Float64")) == pytest.approx(0.5)
    with pytest.raises(ck.InvalidInputError, match=r"values\[1\]"):
        ck.gini(pd.array([1, None, 4], dtype="Int64"))


# --------------------------------------------------------------------------- class 1: assign
def test_assign_on_huge_workloads_is_no_false_infeasibility() -> None:
    # three partners of 1e308 h on two managers: some manager holds 2e308 h, which no
    # float can hold: an input error naming workload, never a "proven" infeasibility
    with pytest.raises(ck.InvalidInputError, match="workload"):
        ck.assign([1e308] * 3, 2)
    res = ck.assign([1e308] * 3, 3)
    assert res.loads.tolist() == [1e308] * 3
    assert res.value == 1e308 and res.optimal
    res = ck.assign([1e308, 5e307, 5e307], 2)
    assert sorted(res.loads.tolist()) == [1e308, 1e308]
    res = ck.assign([1e308] * 3, [1.7e308] * 3)  # hard capacities: relative loads
    assert res.value == pytest.approx(1e308 / 1.7e308)
    assert res.capacity.tolist() == [1.7e308] * 3


def test_assign_infeasibility_with_huge_workloads_speaks_in_the_users_hours() -> None:
    # truly infeasible: the certificate's numbers are the user's, not the scaled ones
    with pytest.raises(ck.InfeasibleError, match=r"total workload 3e\+308 h .* 2e\+308 h"):
        ck.assign([1e308] * 3, [1e308, 1e308])
    with pytest.raises(ck.InfeasibleError, match=r"needs 1\.5e\+308 h .* capacity is 1e\+308 h"):
        ck.assign([1e308, 1.5e308], [1e308, 1e308, 1e308])
    with pytest.raises(ck.InvalidInputError, match=r"workload\[1\] = -1e\+308 is negative"):
        ck.assign([1e308, -1e308, 1e308], 2)


def test_assign_on_huge_costs() -> None:
    cost = np.full((3, 2), 1e308)
    cost[:, 1] = 5e307
    res = ck.assign([1.0, 1.0, 1.0], [10.0, 10.0], cost=cost, objective="cost")
    assert res.manager.tolist() == [1, 1, 1]
    assert res.total_cost == res.value == pytest.approx(1.5e308)
    res = ck.assign([1.0] * 3, [10.0, 10.0], cost=np.full((3, 2), -5e307), objective="cost")
    assert res.total_cost == pytest.approx(-1.5e308) and res.optimal
    with pytest.raises(ck.InvalidInputError, match="cost: the total cost"):
        ck.assign([1.0] * 3, [10.0, 10.0], cost=np.full((3, 2), -1e308), objective="cost")
    # balance with a cost matrix whose total cannot be a float
    with pytest.raises(ck.InvalidInputError, match="cost"):
        ck.assign([1.0] * 3, [10.0, 10.0], cost=cost)


@settings(max_examples=25)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=7),
    st.integers(1, 4),
    st.integers(990, 1023),
)
def test_assign_near_the_float_limit_is_right_or_an_input_error(
    base: list[float], m: int, k: int
) -> None:
    w = np.ldexp(np.array(base), k)
    assume(np.isfinite(w).all())
    try:
        res = ck.assign(w, m)
    except ck.InvalidInputError as err:
        res, message = None, str(err)
    if res is None:
        assert "workload" in message
        # only when some manager must hold more than the largest float
        assert sum(_fr(w)) / m > Fraction(MAX) or max(w) * 2 > MAX
        return
    assert np.isfinite(res.loads).all() and np.isfinite(res.value)
    exact = [Fraction(0)] * m
    for j, i in enumerate(res.manager.tolist()):
        exact[i] += Fraction(float(w[j]))
    np.testing.assert_allclose(res.loads, [float(v) for v in exact], rtol=1e-12)
    assert res.value == pytest.approx(max(res.loads), rel=1e-15)
    # never better than the averaging bound, and the bound is honest
    assert Fraction(res.value) * (1 + Fraction(1, 10**9)) >= sum(_fr(w)) / m
    assert res.lower_bound <= res.value * (1 + 1e-9)
    assert res.workload.tolist() == w.tolist()


# --------------------------------------------------------------------------- class 10
def test_issue_example_on_the_threshold() -> None:
    card = ck.Scorecard([ck.ScoreItem(m, 1.0) for m in "abcde"])
    program = ck.Program([ck.Tier("Member"), ck.Tier("Gold", min_score=70)], scorecard=card)
    partners = {"a": [13.9], "b": [12.1], "c": [13.3], "d": [28.9], "e": [1.8]}
    ev = ck.evaluate(program, partners)
    assert ev.score.tolist() == [70.0]
    assert ev.tier_name.tolist() == ["Gold"]
    g = ev.gaps(to="Gold")
    assert g.points is not None and g.points.tolist() == [0.0]
    assert g.met.tolist() == [True]


def test_threshold_rule_holds_across_kernel_blocks() -> None:
    # more partners than one block of the tier kernel (16,384), all on the threshold
    card = ck.Scorecard([ck.ScoreItem(m, 1.0) for m in "abcde"])
    program = ck.Program([ck.Tier("Member"), ck.Tier("Gold", min_score=70)], scorecard=card)
    n = 40_000
    row = {"a": 13.9, "b": 12.1, "c": 13.3, "d": 28.9, "e": 1.8}
    cols = {m: np.full(n, v) for m, v in row.items()}
    cols["a"][::7] = 13.8  # every 7th partner is 0.1 short
    ev = ck.evaluate(program, cols)
    short = np.zeros(n, dtype=bool)
    short[::7] = True
    assert (ev.tier == np.where(short, 0, 1)).all()
    assert (ev.score[~short] == 70.0).all()
    points = ev.gaps(to="Gold").points
    assert points is not None
    assert (points[~short] == 0).all() and np.allclose(points[short], 0.1)


_decimals = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False)
_units = st.sampled_from(["0.1", "0.25", "0.7", "1", "3", "0.001", "1.5", "0.3", "3.3"])


@st.composite
def on_threshold(draw: st.DrawFn) -> tuple[ck.Program, dict[str, list[float]], Fraction]:
    """A scorecard, and partners whose exact points add up to one min_score."""
    k = draw(st.integers(1, 6))
    units = [Decimal(draw(_units)) for _ in range(k)]
    metrics = [f"m{i}" for i in range(k)]
    rows = draw(st.integers(1, 8))
    # the first partner fixes the threshold; the others reach it by other mixes
    first = [draw(_decimals) for _ in range(k)]
    target = sum(u * d for u, d in zip(units, first))
    assume(target > 0)
    table = [first]
    for _ in range(rows - 1):
        vals = [draw(_decimals) for _ in range(k - 1)]
        rest = target - sum(u * d for u, d in zip(units, vals))
        last = rest / units[-1]
        if rest < 0 or last != last.quantize(Decimal("0.0001")):
            continue  # this mix cannot land exactly on the target with a short decimal
        table.append([*vals, last])
    card = ck.Scorecard([ck.ScoreItem(m, float(u)) for m, u in zip(metrics, units)])
    program = ck.Program(
        [ck.Tier("Member"), ck.Tier("Gold", min_score=float(target))], scorecard=card
    )
    cols = {m: [float(row[i]) for row in table] for i, m in enumerate(metrics)}
    for row in table:  # Fraction is the reference: these partners are exactly on the threshold
        assert sum(Fraction(u) * Fraction(d) for u, d in zip(units, row)) == Fraction(target)
    return program, cols, Fraction(target)


@given(on_threshold())
@settings(max_examples=200)
def test_partners_exactly_on_min_score_are_in_the_tier(
    case: tuple[ck.Program, dict[str, list[float]], Fraction],
) -> None:
    program, cols, _ = case
    ev = ck.evaluate(program, cols)
    assert (ev.tier == 1).all(), ev.score
    assert program.scorecard is not None  # evaluate scores as the scorecard does
    np.testing.assert_array_equal(ev.score, program.scorecard.score(cols))
    g = ev.gaps(to="Gold")
    assert g.points is not None and (g.points == 0).all()  # never a rounding residue
    assert g.met.all() and (g.distance == 0).all()
    # the same rule in progress (one period) and program_impact
    n = len(next(iter(cols.values())))
    history = {m: np.array([v]) for m, v in cols.items()}
    hist = ck.progress(program, history)
    assert (np.asarray(hist.evaluated)[-1] == 1).all()
    gold = program.tiers[1]
    assert gold.min_score is not None
    harder = attrs.evolve(
        program, tiers=[program.tiers[0], attrs.evolve(gold, min_score=2 * gold.min_score)]
    )
    impact = ck.program_impact(harder, program, cols)
    assert impact.promoted == n and impact.demoted == 0
    audit = ck.audit_program(program, cols)
    assert "above_population" not in audit.kinds()


@given(on_threshold(), st.integers(0, 5))
@settings(max_examples=100)
def test_partners_clearly_below_min_score_are_not_in_the_tier(
    case: tuple[ck.Program, dict[str, list[float]], Fraction], which: int
) -> None:
    program, cols, target = case
    assert program.scorecard is not None
    item = program.scorecard.items[which % len(program.scorecard.items)]
    row = list(cols[item.metric])
    if row[0] < 0.01:
        return
    row[0] = float(Decimal(repr(row[0])) - Decimal("0.01"))  # one cent less
    lower = {**cols, item.metric: row}
    drop = Fraction(item.points_per_unit) * Fraction(1, 100)
    assume(drop > target * Fraction(1, 10**11))  # well beyond the tolerance
    ev = ck.evaluate(program, lower)
    assert ev.tier[0] == 0
    g = ev.gaps(to="Gold")
    assert g.points is not None and g.points[0] == pytest.approx(float(drop), rel=1e-6)


@given(
    st.lists(st.integers(1, 20), min_size=1, max_size=6),
    st.lists(st.decimals(min_value="0.01", max_value=1000, places=2), min_size=6, max_size=6),
    st.sampled_from([1, 10, 100, 7, 3]),
)
def test_weighted_index_full_marks_reach_a_min_score_of_scale(
    weights: list[int], full: list[Decimal], scale: int
) -> None:
    # caps scale * w / sum(w) add up to scale exactly, their floats may not
    metrics = [f"m{i}" for i in range(len(weights))]
    card = ck.Scorecard.weighted_index(
        dict(zip(metrics, weights)),
        {m: float(f) for m, f in zip(metrics, full)},
        scale=scale,
    )
    program = ck.Program([ck.Tier("M"), ck.Tier("Top", min_score=scale)], scorecard=card)
    at_full = {m: [float(f)] for m, f in zip(metrics, full)}
    ev = ck.evaluate(program, at_full)
    assert ev.tier.tolist() == [1]
    assert card.max_score == pytest.approx(scale, rel=1e-15)


@given(
    st.lists(st.decimals(min_value=0, max_value=1000, places=2), min_size=1, max_size=8),
)
def test_requirement_met_by_a_float_sum_of_decimals(parts: list[Decimal]) -> None:
    # a metric the user added up in floating point: 0.7 + 0.1 is 0.7999999999999999
    minimum = sum(parts)
    assume(minimum > 0)
    value = 0.0
    for p in parts:
        value += float(p)
    program = ck.Program([ck.Tier("A"), ck.Tier("B", requirements={"deals": float(minimum)})])
    ev = ck.evaluate(program, {"deals": [value]})
    assert ev.tier.tolist() == [1]
    assert ev.gaps(to="B").requirements["deals"].tolist() == [0.0]


def test_requirement_example() -> None:
    program = ck.Program([ck.Tier("A"), ck.Tier("B", requirements={"deals": 0.8})])
    ev = ck.evaluate(program, {"deals": [0.7 + 0.1, 0.79]})
    assert ev.tier.tolist() == [1, 0]
    assert ev.gaps(to="B").requirements["deals"].tolist() == [0.0, pytest.approx(0.01)]


def test_score_overflow_is_an_input_error() -> None:
    card = ck.Scorecard([ck.ScoreItem("a", 10.0), ck.ScoreItem("b", 1.0)])
    program = ck.Program([ck.Tier("A"), ck.Tier("B", min_score=1)], scorecard=card)
    with pytest.raises(ck.InvalidInputError, match="metric 'a' of partner 'y' \\(row 1\\)"):
        ck.evaluate(program, {"id": ["x", "y"], "a": [1.0, 1e308], "b": [1.0, 1.0]})
    history = {"a": np.array([[1.0, 1.0], [1.0, 1e308]]), "b": np.ones((2, 2))}
    with pytest.raises(ck.InvalidInputError, match="partner 1 in period 1"):
        ck.progress(program, history)
    with pytest.raises(ck.InvalidInputError, match="add up to more than the largest float"):
        ck.evaluate(program, {"a": [1e307], "b": [1.7e308]})
    with pytest.raises(ck.InvalidInputError, match="largest float"):
        card.score({"a": [1e308], "b": [1.0]})
    with pytest.raises(ck.InvalidInputError, match="largest float"):
        card.items[0].points([1e308])
    # a capped item never overflows
    capped = ck.Scorecard([ck.ScoreItem("a", 10.0, max_points=5)])
    assert capped.score({"a": [1e308]}).tolist() == [5.0]


# --------------------------------------------------------------------------- class 9
def _gaps() -> Any:
    program = ck.Program([ck.Tier("A"), ck.Tier("B", requirements={"deals": 5})])
    return ck.evaluate(program, {"deals": [1.0, 4.0, 9.0]}).gaps(to="B")


@pytest.mark.parametrize("k", ["2", 1.9, None, True, -1, 2.0, [1]])
def test_gaps_closest_rejects_what_is_not_a_count(k: Any) -> None:
    with pytest.raises(ck.InvalidInputError, match="k must be a whole number"):
        _gaps().closest(k)


def test_gaps_closest_counts() -> None:
    g = _gaps()
    assert g.closest(1).tolist() == [1]
    assert g.closest(np.int64(5)).tolist() == [1, 0]
    assert g.closest(0).tolist() == []


def test_benefit_cost_names_mismatched_arguments() -> None:
    program = ck.Program([ck.Tier("A"), ck.Tier("B", requirements={"x": 1})])
    with pytest.raises(ck.InvalidInputError, match=r"tier and revenue .* \(2,\) .* \(3,\)"):
        program.benefit_cost([0, 1], [1.0, 2.0, 3.0])
    assert program.benefit_cost(1, [1.0, 2.0]).tolist() == [0.0, 0.0]
    assert program.benefit_cost([1, 0], 2.0).tolist() == [0.0, 0.0]


def test_benefit_cost_overflow_is_an_input_error() -> None:
    program = ck.Program(
        [ck.Tier("A"), ck.Tier("B", requirements={"x": 1}, benefits=ck.Benefits(mdf=1e308))]
    )
    assert program.benefit_cost([1], [1.7e308]).tolist() == [1e308]  # rate 0: finite
    rebated = ck.Program(
        [
            ck.Tier("A"),
            ck.Tier("B", requirements={"x": 1}, benefits=ck.Benefits(mdf=1e308, rebate=1.0)),
        ]
    )
    with pytest.raises(ck.InvalidInputError, match="largest float"):
        rebated.benefit_cost([0, 1], [1.0, 1e308])


_factor = st.one_of(st.floats(0.0, 10.0), st.floats(1e100, MAX), st.just(0.0))


@settings(max_examples=400)
@given(
    base=_factor,
    per_product=_factor,
    tech=_factor,
    elasticity=st.floats(0.0, 3.0),
    reference=st.one_of(st.floats(1e-300, 1e-10), st.floats(1.0, 100.0), st.floats(1e10, MAX)),
    products=st.one_of(st.floats(0.0, 20.0), st.floats(1e300, MAX)),
    level=st.one_of(st.floats(1.0, 3.0), st.floats(1e300, MAX)),
    size=st.one_of(st.floats(0.0, 1e4), st.floats(1e300, MAX)),
)
# hours that round to the largest float (the reference's exp overflowed here once)
@example(
    base=1.797693134862214e308,
    per_product=3.341300779184489e306,
    tech=0.0,
    elasticity=0.0,
    reference=8.798193323430877e-11,
    products=3.598767305409538e-305,
    level=1.0,
    size=0.0,
)
def test_workload_hours_are_finite_and_right_or_an_input_error(
    base: float,
    per_product: float,
    tech: float,
    elasticity: float,
    reference: float,
    products: float,
    level: float,
    size: float,
) -> None:
    model = ck.WorkloadModel(
        base_hours=base,
        hours_per_product=per_product,
        technical_factor=tech,
        size_elasticity=elasticity,
        reference_size=reference,
        travel_hours={},
    )
    cols = {"product_lines": [products], "technical_level": [level], "employees": [size]}

    def log_fraction(f: Fraction) -> float:
        return -math.inf if f == 0 else math.log(f.numerator) - math.log(f.denominator)

    core = Fraction(base) + Fraction(per_product) * Fraction(products)
    tfac = 1 + Fraction(tech) * (Fraction(level) - 1)
    log_h = log_fraction(core) + log_fraction(tfac)
    if elasticity != 0:
        log_h += elasticity * (math.log(max(size, 1.0)) - math.log(reference))
    limit = math.log(MAX)
    try:
        h = model.hours(cols)
    except ck.InvalidInputError as err:
        h, message = None, str(err)
    if h is None:
        assert "largest float" in message
        assert log_h > limit - 1e-9
        return
    assert np.isfinite(h).all()
    assert log_h < limit + 1e-9
    # exactly at the largest float the reference's exp would overflow: it rounds to MAX
    want = MAX if log_h >= limit else (math.exp(log_h) if log_h > -700 else 0.0)
    assert h[0] == pytest.approx(want, rel=1e-9, abs=1e-290)


def test_workload_hours_overflow_examples() -> None:
    cols = {"product_lines": [3.0], "technical_level": [1.0], "employees": [20.0]}
    big = ck.WorkloadModel(base_hours=1e308, hours_per_product=1e308, travel_hours={})
    with pytest.raises(ck.InvalidInputError, match="exceeds the largest float"):
        big.hours(cols)
    # finite hours although (base + products) overflows: a tiny size multiplier
    small = attrs.evolve(big, size_elasticity=1.0, reference_size=1e10)
    assert small.hours(cols)[0] == pytest.approx(8e299)  # (1e308 + 3e308) * 20 / 1e10


@settings(max_examples=100)
@given(
    st.one_of(st.floats(0.0, 1e6), st.floats(1e300, MAX)),
    st.one_of(st.floats(TINY, 1.0), st.floats(0.5, 1.0), st.just(TINY)),
)
def test_break_even_revenue_is_finite_and_right_or_an_input_error(
    cost: float, margin: float
) -> None:
    exact = Fraction(cost) / Fraction(margin)
    try:
        out = float(break_even_revenue(cost, margin))
    except ck.InvalidInputError as err:
        out, message = math.nan, str(err)
    if math.isnan(out):
        assert "largest float" in message
        assert exact > Fraction(MAX) * (1 - Fraction(1, 10**15))
        return
    assert math.isfinite(out)
    assert out == cost / margin


def test_simulate_channel_duck_typed_program_is_an_input_error() -> None:
    seg = ck.Segment("resellers", 60_000.0)
    fake = SimpleNamespace(tiers=[SimpleNamespace(name="Gold")])
    with pytest.raises(ck.InvalidInputError, match="program must be a channelkit.Program"):
        ck.simulate_channel([seg], {"resellers": 1}, program=fake, n_sims=2, seed=1)


def test_assignment_does_not_freeze_the_callers_arrays() -> None:
    res = ck.assign([3.0, 2.0, 1.0], 2)
    mine = {
        "manager": np.array([0, 1, 1]),
        "loads": np.array([3.0, 3.0]),
        "capacity": np.ones(2),
        "workload": np.array([3.0, 2.0, 1.0]),
    }
    made = attrs.evolve(res, **mine)
    for name, arr in mine.items():
        assert arr.flags.writeable, name  # the caller's array is untouched ...
        assert not getattr(made, name).flags.writeable  # ... the result's copy is frozen
        arr[0] = 7
        assert getattr(made, name)[0] != 7


# --------------------------------------------------------------------------- class 8
def _partners(region: list[Any]) -> dict[str, Any]:
    n = len(region)
    return {
        "product_lines": [1.0] * n,
        "technical_level": [1.0] * n,
        "employees": [20.0] * n,
        "region": region,
    }


def test_unknown_region_raises_unless_the_model_has_a_default() -> None:
    with pytest.raises(ck.InvalidInputError, match="region 'North America'.*default_region_hours"):
        ck.WorkloadModel().hours(_partners(["EMEA", "North America"]))
    h = ck.WorkloadModel(default_region_hours=7.0).hours(_partners(["EMEA", "North America"]))
    assert h.tolist() == [40.0 + 8.0, 40.0 + 7.0]
    # a partner without a region has no travel; an empty travel table leaves travel out
    assert ck.WorkloadModel().hours(_partners([None, "EMEA"])).tolist() == [40.0, 48.0]
    assert ck.WorkloadModel(travel_hours={}).hours(_partners(["Mars"])).tolist() == [40.0]
    with pytest.raises(ck.InvalidInputError, match="default_region_hours"):
        ck.WorkloadModel(default_region_hours=-1.0)


@given(
    st.lists(
        st.one_of(
            st.sampled_from(["NA", "EMEA", "APAC", "LATAM"]),
            # Names a Portfolio keeps (NUL is rejected at input, see test_partners).
            st.text(min_size=1, max_size=8).filter(lambda s: s.strip() != "" and "\x00" not in s),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_region_rule_over_any_names(regions: list[str]) -> None:
    cols = _partners(regions)
    known = ck.WorkloadModel().travel_hours
    stripped = [r.strip() for r in regions]
    if all(r in known for r in stripped):
        h = ck.WorkloadModel().hours(cols)
        assert h.tolist() == [40.0 + known[r] for r in stripped]
    else:
        with pytest.raises(ck.InvalidInputError, match="has no travel hours"):
            ck.WorkloadModel().hours(cols)
    h = ck.WorkloadModel(default_region_hours=1.5).hours(cols)
    assert h.tolist() == [40.0 + known.get(r, 1.5) for r in stripped]


@settings(max_examples=100)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.floats(0.0, 100.0), st.floats(1e300, MAX)),
            st.one_of(st.floats(0.0, 50.0), st.floats(1e300, MAX)),
            st.one_of(st.floats(0.0, 5.0), st.floats(1e300, MAX)),
        ),
        min_size=1,
        max_size=4,
    ),
    st.one_of(st.floats(1.0, 3000.0), st.floats(1e300, MAX)),
)
def test_managers_needed_is_right_or_an_input_error(
    classes: list[tuple[float, float, float]], hours: float
) -> None:
    counts, touches, per_touch = (list(c) for c in zip(*classes))
    exact = sum(Fraction(a) * Fraction(b) * Fraction(c) for a, b, c in classes) / Fraction(hours)
    try:
        got = ck.managers_needed(counts, touches, per_touch, hours_available=hours)
    except ck.InvalidInputError as err:
        got, message = -1, str(err)
    if got < 0:
        assert "largest float" in message
        assert exact > Fraction(MAX) * (1 - Fraction(1, 10**9))
        return
    # the documented tolerance (1e-12) and, beyond the float range of the plain sum,
    # logarithms (a relative 1e-12 or so)
    assert abs(Fraction(got) - exact) <= 1 + exact * Fraction(1, 10**11)


@settings(max_examples=60)
@given(st.sampled_from(NUMPY_DTYPES).flatmap(lambda d: hnp.arrays(d, st.integers(1, 6))))
def test_evaluate_and_assign_accept_every_dtype_like_float64(a: np.ndarray) -> None:
    x = _as_float(a)
    bad = not np.isfinite(x).all() or (x < 0).any()
    card = ck.Scorecard([ck.ScoreItem("deals", 0.5, max_points=1e300)])
    program = ck.Program(
        [ck.Tier("M"), ck.Tier("G", min_score=1.0, requirements={"deals": 2.0})], scorecard=card
    )
    calls = [
        (lambda v: ck.evaluate(program, {"deals": v}).tier.tolist(), "deals"),
        (lambda v: ck.assign(v, 2).loads.tolist(), "workload"),
    ]
    for fn, name in calls:
        if bad:
            with pytest.raises(ck.InvalidInputError, match=name):
                fn(a)
            continue
        try:
            got = fn(a)
        except ck.InvalidInputError as err:
            got, message = None, str(err)
        if got is None:
            # booleans follow one documented rule (issue #9, class 2); loads beyond a float
            assert a.dtype == np.bool_ or "largest float" in message
            continue
        assert got == fn(x)
