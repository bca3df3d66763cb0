"""Capacity planning: closed forms, segments and the Monte Carlo plan."""

from __future__ import annotations

import concurrent.futures
import itertools
import math
import re
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import channelkit as ck
from channelkit.capacity import (
    CapacityPlan,
    FunnelStage,
    Segment,
    _allocation_table,
    _engine,
    _eval_chunk,
    _log_survival,
    _monthly_from_lives,
    _need_chunk,
    allocate_shares,
    break_even_revenue,
    incremental_capacity,
    partners_needed,
    plan_capacity,
)
from channelkit.workload import managers_needed

from .strategies import capacity_segments, segment_lists

# --------------------------------------------------------------------------- managers_needed


def test_managers_workload_build_up_two_account_classes() -> None:
    # 200 key partners x 24 touches x 1 h = 4,800 h; 800 others x 12 x 0.5 h = 4,800 h;
    # 9,600 h / 1,600 h per manager = 6 managers exactly (no spurious 7th).
    assert managers_needed([200, 800], [24, 12], [1.0, 0.5], hours_available=1600.0) == 6


def test_managers_rounding_up() -> None:
    # one more key partner: 9,624 h / 1,600 = 6.015 -> 7 managers
    assert managers_needed([201, 800], [24, 12], [1.0, 0.5], hours_available=1600.0) == 7


def test_managers_utilisation_and_default_hours() -> None:
    # 100 partners x 72 h = 7,200 h; 2,000 h x 0.9 = 1,800 h a manager -> exactly 4
    assert managers_needed(100, 24, 3.0, utilisation=0.9) == 4
    assert managers_needed(0, 24, 3.0) == 0


def test_managers_needed_large_ratio_is_not_undercounted() -> None:
    # 2,000,000,001 hours at one hour a manager: the tolerance must not eat a manager.
    assert managers_needed(2_000_000_001, 1, 1.0, hours_available=1.0) == 2_000_000_001
    assert ck.partners_needed(2_000_000_001.0, 1.0) == 2_000_000_001


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (([-1], [1]), {}, "negative"),
        (([1, 2], [1, 2, 3]), {}, "same length"),
        (([5], [1, 1, 1]), {}, "same length"),  # no silent broadcasting of a length-1 array
        (([1], [math.nan]), {}, "NaN"),
        (([1], [1]), {"hours_available": 0.0}, "hours_available"),
        (([1], [1]), {"utilisation": 1.5}, "utilisation"),
    ],
)
def test_managers_needed_errors(args: tuple, kwargs: dict, match: str) -> None:
    with pytest.raises(ck.InvalidInputError, match=match):
        managers_needed(*args, **kwargs)


# --------------------------------------------------------------------------- partners_needed


def test_breakdown_division() -> None:
    # the textbook breakdown: 10,000,000 / 500,000 = 20 partners
    assert partners_needed(10_000_000, 500_000) == 20


def test_breakdown_rounds_up() -> None:
    assert partners_needed(10_000_001, 500_000) == 21
    assert partners_needed(1_050_000, 100_000) == 11
    assert partners_needed(0.3, 0.1) == 3  # 0.3 / 0.1 = 2.9999999999999996 in floats
    assert partners_needed(0.7, 0.1) == 7
    assert partners_needed(0, 100) == 0


def test_breakdown_with_attrition_hand_checked() -> None:
    # S(0.2) = mean of 0.8 ** (m / 12), m = 0..11 = 0.2 / (12 (1 - 0.8 ** (1/12)))
    s = 0.2 / (12 * (1 - 0.8 ** (1 / 12)))
    assert s == pytest.approx(0.904643, abs=1e-6)
    # 1,000,000 / (50,000 x 0.904643) = 22.108 -> 23
    assert partners_needed(1_000_000, 50_000, attrition=0.2) == 23
    # ramp 0.75: 1,000,000 / (50,000 x 0.75 x 0.904643) = 29.48 -> 30
    assert partners_needed(1_000_000, 50_000, attrition=0.2, ramp=0.75) == 30
    # everyone leaves after the first month: each partner sells 1/12 of a year
    assert partners_needed(1_200, 100, attrition=1.0) == 144


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((-1.0, 10.0), {}, "target"),
        ((math.nan, 10.0), {}, "target"),
        ((math.inf, 10.0), {}, "target"),
        ((100.0, 0.0), {}, "productivity"),
        ((100.0, -5.0), {}, "productivity"),
        ((100.0, math.nan), {}, "productivity"),
        ((100.0, 10.0), {"attrition": 1.5}, "attrition"),
        ((100.0, 10.0), {"ramp": 0.0}, "ramp"),
    ],
)
def test_partners_needed_errors(args: tuple, kwargs: dict, match: str) -> None:
    with pytest.raises(ck.InvalidInputError, match=match):
        partners_needed(*args, **kwargs)


@given(
    st.floats(min_value=0.0, max_value=1e9),
    st.floats(min_value=1.0, max_value=1e7),
    st.floats(min_value=0.0, max_value=0.99),
    st.floats(min_value=0.05, max_value=1.0),
)
def test_partners_needed_is_the_smallest_sufficient_count(
    target: float, productivity: float, attrition: float, ramp: float
) -> None:
    n = partners_needed(target, productivity, attrition=attrition, ramp=ramp)
    s = np.mean((1 - attrition) ** (np.arange(12) / 12))
    yearly = productivity * ramp * s
    assert n * yearly >= target * (1 - 1e-6)
    if n > 0:
        assert (n - 1) * yearly < target * (1 + 1e-6)
    # more attrition or a slower ramp never needs fewer partners
    assert partners_needed(target, productivity, attrition=min(0.99, attrition + 0.1)) >= (
        partners_needed(target, productivity, attrition=attrition)
    )
    assert partners_needed(target, productivity, attrition=attrition, ramp=ramp / 2) >= n


# --------------------------------------------------------------------------- break-even, incremental


def test_break_even_revenue_hand_checked() -> None:
    assert float(break_even_revenue(150_000, 0.3)) == pytest.approx(500_000.0)
    assert break_even_revenue([10_000, 0], 0.25).tolist() == [40_000.0, 0.0]
    with pytest.raises(ck.InvalidInputError, match="margin"):
        break_even_revenue(100, 0.0)
    with pytest.raises(ck.InvalidInputError, match="cost"):
        break_even_revenue(-1, 0.5)


def test_incremental_capacity_textbook() -> None:
    revenue = [0, 500, 900, 1200, 1400, 1500]
    # contributions at a 50 % margin: 250, 200, 150, 100, 50
    assert incremental_capacity(revenue, 120, margin=0.5) == 3
    assert incremental_capacity(revenue, 100, margin=0.5) == 3  # tie: the 4th adds nothing
    assert incremental_capacity(revenue, 300, margin=0.5) == 0
    assert incremental_capacity(revenue, 0.0) == 5
    with pytest.raises(ck.InvalidInputError, match="revenue"):
        incremental_capacity([], 1.0)


@given(
    st.lists(st.integers(0, 10**6), min_size=0, max_size=15),
    st.integers(0, 10**6),
)
def test_incremental_capacity_matches_marginal_rule_on_concave_curves(
    gains: list[int], cost: int
) -> None:
    gains = sorted(gains, reverse=True)  # diminishing returns; integers keep sums exact
    revenue = np.concatenate([[0.0], np.cumsum(gains, dtype=np.float64)])
    # the incremental rule: add units while the marginal gain strictly exceeds the cost
    assert incremental_capacity(revenue, cost) == sum(1 for g in gains if g > cost)
    # half the margin is the same as twice the cost
    assert incremental_capacity(revenue, cost / 2, margin=0.5) == sum(1 for g in gains if g > cost)


# --------------------------------------------------------------------------- segments


def test_segment_derived_values() -> None:
    seg = Segment("r", 120_000.0, ramp_months=4, attrition=0.2, conversion=0.5)
    assert seg.monthly_attrition == pytest.approx(1 - 0.8 ** (1 / 12))
    assert seg.monthly_attrition == pytest.approx(0.018423, abs=1e-6)
    np.testing.assert_allclose(seg.ramp(6), [0.125, 0.375, 0.625, 0.875, 1.0, 1.0])
    # 12 months: (0.125 + 0.375 + 0.625 + 0.875 + 8) / 12 = 10 / 12
    assert seg.ramp_fraction(12) == pytest.approx(10 / 12)
    assert seg.hours_per_partner == 72.0
    assert seg.mean_productivity == 120_000.0
    assert seg.overall_conversion == 0.5


def test_segment_funnel_and_curve() -> None:
    seg = Segment(
        "r",
        [10.0, 30.0],
        conversion=0.8,
        funnel=[FunnelStage("qualified", 0.5, 1), FunnelStage("signed", 0.5, 2)],
        ramp_curve=[0.2, 0.6],
    )
    assert seg.overall_conversion == pytest.approx(0.2)
    assert seg.lag_months == 3
    np.testing.assert_allclose(seg.ramp(4), [0.2, 0.6, 1.0, 1.0])
    # 12 months: 3 months of lag, then 0.2 + 0.6 + 7 x 1
    assert seg.ramp_fraction(12) == pytest.approx(7.8 / 12)
    assert seg.mean_productivity == 20.0
    assert seg.tail_share(20.0) == 0.5


def test_segment_distribution_and_workload_model() -> None:
    dist = stats.lognorm(s=1.0, scale=10_000)
    seg = Segment("d", dist)
    assert seg.mean_productivity == pytest.approx(10_000 * math.exp(0.5))
    assert seg.tail_share(10_000) == pytest.approx(0.5)
    draws = seg.draw_productivity(np.random.default_rng(0), (3, 4))
    assert draws.shape == (3, 4)
    assert (draws > 0).all()

    class Hours:
        def hours(self, partners: ck.Portfolio) -> np.ndarray:
            return np.asarray(partners.revenue) / 1000.0

    seg2 = Segment("w", 1.0, workload=Hours(), profile={"revenue": [40_000.0, 80_000.0]})
    assert seg2.hours_per_partner == pytest.approx(60.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "", "productivity": 1.0}, "name"),
        ({"name": "a", "productivity": 0.0}, "productivity"),
        ({"name": "a", "productivity": math.nan}, "productivity"),
        ({"name": "a", "productivity": [0.0, 0.0]}, "all zero"),
        ({"name": "a", "productivity": [1.0, -1.0]}, "negative"),
        ({"name": "a", "productivity": "big"}, "productivity"),
        ({"name": "a", "productivity": 1.0, "attrition": 1.2}, "attrition"),
        ({"name": "a", "productivity": 1.0, "conversion": 0.0}, "conversion"),
        ({"name": "a", "productivity": 1.0, "ramp_months": -1}, "ramp_months"),
        ({"name": "a", "productivity": 1.0, "ramp_curve": [0.5, 1.5]}, "ramp_curve"),
        ({"name": "a", "productivity": 1.0, "share": 0.0}, "share"),
        ({"name": "a", "productivity": 1.0, "growth": -1.0}, "growth"),
        ({"name": "a", "productivity": 1.0, "workload": object()}, "hours"),
        ({"name": "a", "productivity": 1.0, "funnel": ["x"]}, "funnel"),
    ],
)
def test_segment_errors(kwargs: dict, match: str) -> None:
    with pytest.raises(ck.InvalidInputError, match=match):
        Segment(**kwargs)


def test_segment_workload_needs_profile() -> None:
    class Hours:
        def hours(self, partners: object) -> list[float]:
            return [1.0]

    with pytest.raises(ck.InvalidInputError, match="profile"):
        Segment("a", 1.0, workload=Hours())


# --------------------------------------------------------------------------- allocation


def test_allocate_shares_examples() -> None:
    assert allocate_shares(10, [0.5, 0.3, 0.2]).tolist() == [5, 3, 2]
    assert allocate_shares(7, [1, 1, 1]).tolist() == [3, 2, 2]
    assert allocate_shares(0, [1, 2]).tolist() == [0, 0]
    with pytest.raises(ck.InvalidInputError, match="shares"):
        allocate_shares(3, [1, 0])


@given(
    st.lists(st.floats(min_value=0.01, max_value=10.0), min_size=1, max_size=5),
    st.integers(0, 300),
)
def test_allocation_is_house_monotone_and_near_quota(shares: list[float], n: int) -> None:
    w = np.asarray(shares) / sum(shares)
    table = _allocation_table(w, n)
    assert (table.sum(axis=1) == np.arange(n + 1)).all()
    assert (np.diff(table, axis=0) >= 0).all()  # no Alabama paradox
    # Sainte-Laguë stays within a few seats of the exact quota
    assert np.abs(table[-1] - n * w).max() <= len(shares)


# --------------------------------------------------------------------------- the plan


@settings(max_examples=40)
@given(
    st.floats(min_value=0.0, max_value=1e8),
    st.floats(min_value=100.0, max_value=1e6),
    st.integers(0, 11),
)
def test_degenerate_plan_equals_closed_form(target: float, p: float, ramp_months: int) -> None:
    seg = Segment("only", p, ramp_months=ramp_months)
    if target / (p * seg.ramp_fraction(12)) > 100_000:  # large sums: see the tolerance
        return
    plan = plan_capacity(target, seg, n_sims=2, seed=0)
    expected = partners_needed(target, p, ramp=seg.ramp_fraction(12))
    assert plan.partners == {"only": expected}
    assert plan.recruits == {"only": expected}
    assert plan.probability_of_target == 1.0
    assert plan.probability_se == 0.0


def test_degenerate_plan_other_horizon() -> None:
    # 36 months at 100,000 a year: 300,000 a partner; 1,000,000 -> 4 partners
    plan = plan_capacity(1_000_000, Segment("a", 100_000.0), horizon_months=36, n_sims=4, seed=1)
    assert plan.partners == {"a": 4}
    np.testing.assert_allclose(plan.revenue, 1_200_000.0)


def test_plan_is_minimal_and_probability_consistent() -> None:
    seg = Segment("r", stats.lognorm(s=1.0, scale=50_000), ramp_months=3, attrition=0.2)
    plan = plan_capacity(2_000_000, seg, n_sims=2_000, seed=7)
    n = plan.total_partners
    assert plan.probability_of_target >= 0.9
    assert float(plan.probability_at(n)) == plan.probability_of_target
    assert float(plan.probability_at(n - 1)) < 0.9  # one partner fewer is not enough
    # the probability matches the simulated revenue at the plan's size
    assert np.mean(plan.revenue >= 2_000_000 * (1 - 1e-9)) == pytest.approx(
        plan.probability_of_target, abs=1e-3
    )
    p = plan.probability_of_target
    assert plan.probability_se == pytest.approx(math.sqrt(p * (1 - p) / 2_000))


def test_plan_revenue_hand_checked_binomial_conversion() -> None:
    # constant productivity and no attrition: revenue = p x (number of converted prospects)
    seg = Segment("c", 12_000.0, conversion=0.25)
    plan = plan_capacity(240_000, seg, n_sims=4_000, seed=3, confidence=0.5)
    r = plan.recruits["c"]
    assert r == math.ceil(plan.partners["c"] / 0.25)
    converted = plan.revenue / 12_000.0
    np.testing.assert_allclose(converted, np.round(converted), atol=1e-6)
    # binomial(R, 0.25): mean R/4, variance 3R/16 (within 5 standard errors)
    assert converted.mean() == pytest.approx(r / 4, abs=5 * math.sqrt(3 * r / 16 / 4_000))
    assert converted.var() == pytest.approx(3 * r / 16, rel=0.15)
    # the median channel reaches 20 productive partners
    assert np.median(converted) >= 20


def test_plan_expected_revenue_with_attrition() -> None:
    # the mean revenue of a partner is p x S(a), the closed form's adjustment
    seg = Segment("a", 60_000.0, attrition=0.3)
    plan = plan_capacity(3_000_000, seg, n_sims=4_000, seed=11)
    s = np.mean(0.7 ** (np.arange(12) / 12))
    per_partner = plan.revenue.mean() / plan.total_partners
    assert per_partner == pytest.approx(60_000 * s, rel=0.01)
    # the closed form is the smallest channel whose *mean* revenue reaches the target;
    # one partner fewer has a mean below it, and the revenue of ~50 partners is close to
    # normal (median ~ mean), so it reaches the target in at most about half of the
    # simulations: 90 % confidence needs at least the closed form
    closed = partners_needed(3_000_000, 60_000, attrition=0.3)
    assert plan.total_partners >= closed
    assert float(plan.probability_at(closed - 1)) < 0.6


def test_need_chunk_agrees_with_slow_evaluation() -> None:
    segs = (
        Segment(
            "a",
            stats.lognorm(s=1.0, scale=1_000),
            ramp_months=2,
            attrition=0.3,
            conversion=0.6,
            share=2.0,
            growth=0.1,
        ),
        Segment(
            "b", [100.0, 5_000.0], attrition=0.1, funnel=[FunnelStage("x", 0.7, 1)], share=1.0
        ),
    )
    w = np.array([2 / 3, 1 / 3])
    eng = _engine(segs, w, 12, np.array([500.0, 2_000.0]), _log_survival(0.5))
    seed = np.random.SeedSequence(5)
    rows, target = 16, 40_000.0
    need = _need_chunk((eng, seed, rows, target, 4, 500))
    table = _allocation_table(w, int(need.max()) + 1)
    totals = np.array(
        [_eval_chunk((eng, seed, rows, table[n]))[0].sum(axis=1) for n in range(table.shape[0])]
    )  # (sizes, rows): the slow way, one channel size at a time
    for s in range(rows):
        reached = np.flatnonzero(totals[:, s] >= target * (1 - 1e-9) * (1 - 1e-12))
        assert reached[0] == need[s]


def test_monthly_from_lives_matches_loop() -> None:
    rng = np.random.default_rng(0)
    life = rng.integers(0, 8, size=(3, 5))
    weight = rng.random((3, 5))
    unit = rng.random(6)
    out = _monthly_from_lives(life, weight, unit)
    slow = np.zeros((3, 6))
    for r in range(3):
        for j in range(5):
            for i in range(6):
                if i < life[r, j]:
                    slow[r, i] += weight[r, j] * unit[i]
    np.testing.assert_allclose(out, slow)


def _size(target: float, segs: list[Segment], **kwargs: object) -> float:
    """Total partners of the plan, or inf when even 20,000 partners are not enough."""
    try:
        plan = plan_capacity(target, segs, n_sims=32, max_partners=20_000, **kwargs)  # type: ignore[arg-type]
    except ck.InfeasibleError:
        return math.inf
    return plan.total_partners


@settings(max_examples=15)
@given(segment_lists(max_size=2), st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.integers(0, 2**16))
def test_plan_monotone_in_existing_attrition(
    segs: list[Segment], a1: float, a2: float, seed: int
) -> None:
    existing = ck.Portfolio([f"e{i}" for i in range(20)], revenue=np.linspace(1e4, 1e5, 20))
    lo, hi = sorted((a1, a2))
    assert _size(2e6, segs, seed=seed, existing=existing, existing_attrition=lo) <= _size(
        2e6, segs, seed=seed, existing=existing, existing_attrition=hi
    )


@settings(max_examples=15)
@given(segment_lists(max_size=2), st.integers(1, 4), st.integers(2, 3), st.integers(0, 2**16))
def test_plan_monotone_in_recruiting_window(
    segs: list[Segment], window: int, factor: int, seed: int
) -> None:
    # slot j signs in month j % w; with a multiple of w it signs in the same or a later
    # month and so sells fewer (ramp non-decreasing) months. With positive growth a later
    # month sells at a higher rate, so the property holds for growth <= 0 only.
    flat = [attrs.evolve(s, growth=min(s.growth, 0.0)) for s in segs]
    kwargs = {"seed": seed, "horizon_months": 12}
    assert _size(1e6, flat, recruit_months=window, **kwargs) <= _size(
        1e6, flat, recruit_months=window * factor, **kwargs
    )


@settings(max_examples=25)
@given(segment_lists(), st.floats(1e5, 5e6), st.floats(1e5, 5e6), st.integers(0, 2**16))
def test_plan_monotone_in_target(segs: list[Segment], t1: float, t2: float, seed: int) -> None:
    lo, hi = sorted((t1, t2))
    assert _size(lo, segs, seed=seed) <= _size(hi, segs, seed=seed)


@settings(max_examples=25)
@given(segment_lists(), st.floats(0.05, 1.0), st.floats(0.05, 1.0), st.integers(0, 2**16))
def test_plan_monotone_in_confidence(segs: list[Segment], c1: float, c2: float, seed: int) -> None:
    lo, hi = sorted((c1, c2))
    assert _size(1e6, segs, confidence=lo, seed=seed) <= _size(1e6, segs, confidence=hi, seed=seed)


@settings(max_examples=25)
@given(segment_lists(), st.floats(0.0, 1.0), st.integers(0, 2**16), st.data())
def test_plan_monotone_in_attrition(
    segs: list[Segment], extra: float, seed: int, data: st.DataObject
) -> None:
    k = data.draw(st.integers(0, len(segs) - 1))
    worse = list(segs)
    worse[k] = attrs.evolve(segs[k], attrition=min(1.0, segs[k].attrition + extra))
    assert _size(1e6, segs, seed=seed) <= _size(1e6, worse, seed=seed)


def test_plan_segment_sizes_monotone_in_target() -> None:
    segs = _example_segments()
    sizes = [plan_capacity(t, segs, n_sims=200, seed=5).partners for t in (1e6, 5e6, 2e7, 8e7)]
    for a, b in itertools.pairwise(sizes):
        assert all(a[name] <= b[name] for name in a)
        assert sum(a.values()) < sum(b.values())


@settings(max_examples=25)
@given(segment_lists(), st.floats(1e4, 5e6), st.integers(0, 2**16))
def test_recruits_cover_conversion(segs: list[Segment], target: float, seed: int) -> None:
    try:
        plan = plan_capacity(target, segs, n_sims=16, seed=seed, max_partners=20_000)
    except ck.InfeasibleError:
        return
    for s in segs:
        assert plan.recruits[s.name] >= plan.partners[s.name] / s.overall_conversion - 1e-9
        assert plan.recruits[s.name] < plan.partners[s.name] / s.overall_conversion + 1
    assert sum(plan.partners.values()) == plan.total_partners
    expected = allocate_shares(plan.total_partners, [s.share for s in segs])
    assert [plan.partners[s.name] for s in segs] == expected.tolist()


@settings(max_examples=15)
@given(segment_lists(max_size=2), st.integers(0, 2**16))
def test_same_seed_same_plan_with_thread_workers(segs: list[Segment], seed: int) -> None:
    a = plan_capacity(5e5, segs, n_sims=600, seed=seed)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        b = plan_capacity(5e5, segs, n_sims=600, seed=seed, workers=pool.map)
    assert a.partners == b.partners
    assert a.probability_of_target == b.probability_of_target
    np.testing.assert_array_equal(a.revenue, b.revenue)


def _example_segments() -> list[Segment]:
    return [
        Segment(
            "small",
            stats.lognorm(s=1.2, scale=40_000),
            ramp_months=6,
            attrition=0.25,
            conversion=0.4,
            share=3.0,
        ),
        Segment(
            "large",
            stats.pareto(b=2.5, scale=200_000),
            ramp_months=9,
            attrition=0.1,
            conversion=0.6,
            share=1.0,
        ),
    ]


def test_same_plan_with_process_pool() -> None:
    # workers=2 is the process path (a ProcessPoolExecutor): tasks and results are
    # pickled, including a sample productivity and read-only metrics
    segs = [
        *_example_segments(),
        Segment("sample", [20_000.0, 60_000.0, 250_000.0], metrics={"csat": 8.0}, share=1.0),
    ]
    a = plan_capacity(2e7, segs, horizon_months=24, n_sims=600, seed=42)
    b = plan_capacity(2e7, segs, horizon_months=24, n_sims=600, seed=42, workers=2)
    assert a.partners == b.partners
    np.testing.assert_array_equal(a.revenue, b.revenue)
    np.testing.assert_array_equal(a.required_partners, b.required_partners)


def test_same_plan_with_dask_local_cluster() -> None:
    distributed = pytest.importorskip("distributed")
    segs = _example_segments()
    serial = plan_capacity(2e7, segs, horizon_months=24, n_sims=600, seed=9)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        plan = plan_capacity(
            2e7,
            segs,
            horizon_months=24,
            n_sims=600,
            seed=9,
            workers=lambda f, xs: client.gather(client.map(f, xs)),
        )
    assert plan.partners == serial.partners
    np.testing.assert_array_equal(plan.revenue, serial.revenue)


def test_generator_seed_and_different_seeds() -> None:
    segs = _example_segments()
    a = plan_capacity(2e7, segs, n_sims=300, seed=np.random.default_rng(1))
    b = plan_capacity(2e7, segs, n_sims=300, seed=np.random.default_rng(1))
    c = plan_capacity(2e7, segs, n_sims=300, seed=2)
    np.testing.assert_array_equal(a.revenue, b.revenue)
    assert not np.array_equal(a.revenue, c.revenue)


def test_existing_portfolio_counts_toward_target() -> None:
    seg = Segment("n", 100_000.0)
    existing = ck.Portfolio(["x", "y"], revenue=[300_000.0, 200_000.0])
    plan = plan_capacity(1_000_000, seg, existing=existing, n_sims=8, seed=0)
    assert plan.partners == {"n": 5}  # (1,000,000 - 500,000) / 100,000
    assert plan.existing_revenue == pytest.approx(500_000.0)
    covered = plan_capacity(400_000, seg, existing=existing, n_sims=8, seed=0)
    assert covered.partners == {"n": 0}
    assert covered.probability_of_target == 1.0
    # attrition among existing partners needs more new ones, never fewer
    leaky = plan_capacity(
        1_000_000, seg, existing=existing, existing_attrition=0.5, n_sims=200, seed=0
    )
    assert leaky.total_partners > plan.total_partners
    assert leaky.existing_revenue < 500_000.0


def test_distributors_take_the_long_tail_off_managers() -> None:
    seg = Segment(
        "r", [10_000.0, 10_000.0, 90_000.0, 90_000.0], touches_per_year=20, hours_per_touch=5.0
    )
    plan = plan_capacity(2_000_000, seg, n_sims=200, seed=1)
    routed = plan_capacity(2_000_000, seg, n_sims=200, seed=1, distributor_threshold=50_000)
    n = plan.partners["r"]
    assert routed.partners == plan.partners
    assert routed.distributor_partners == {"r": n // 2}
    assert plan.managers == managers_needed(n, 1, 100.0)
    assert routed.managers == managers_needed(n - n // 2, 1, 100.0)
    assert routed.managers < plan.managers


def test_infeasible_plan_beyond_max_partners() -> None:
    seg = Segment("slow", 1_000.0, conversion=0.5)
    with pytest.raises(ck.InfeasibleError, match=r"max_partners=50 .* short of the confidence"):
        plan_capacity(1_000_000.0, seg, n_sims=4, seed=0, max_partners=50)


def test_impossible_plan_fails_fast_naming_the_constraint() -> None:
    # the review's repro took 11 s and 2.7 GB before failing
    seg = Segment("s", 1e3, funnel=[FunnelStage("x", 0.5, 12)])
    with pytest.raises(ck.InfeasibleError, match=r"funnel lag .*'s' 12 months.* 1 month"):
        plan_capacity(1e3, seg, n_sims=256)
    silent = Segment("z", 1e3, ramp_curve=[0.0] * 12)
    with pytest.raises(ck.InfeasibleError, match="expected to sell 0"):
        plan_capacity(1e3, [silent, attrs.evolve(seg, name="t")], n_sims=10_000)
    # the existing channel alone may still cover the target
    existing = ck.Portfolio(["a"], revenue=[5e3])
    plan = plan_capacity(1e3, seg, existing=existing, n_sims=8, seed=0)
    assert plan.partners == {"s": 0}
    assert plan.probability_of_target == 1.0
    with pytest.raises(ck.InfeasibleError, match="existing channel brings at most 5,000"):
        plan_capacity(1e4, seg, existing=existing, n_sims=8, seed=0)


def test_large_low_conversion_plan_has_bounded_memory() -> None:
    import tracemalloc

    seg = Segment("s", 1_000.0, conversion=0.5, attrition=0.1)
    tracemalloc.start()
    try:
        plan = plan_capacity(1e7, seg, n_sims=256, seed=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert plan.total_recruits > 20_000  # 256 x 20,000 slots would be 41 MB per array
    assert peak < 200e6  # blocks of 4,096 slots; the whole-channel search took 414 MB


def test_default_max_partners_follows_the_estimate() -> None:
    # a channel far beyond the old fixed cap of 100,000 partners is planned
    plan = plan_capacity(2e8, Segment("s", 1_000.0), n_sims=1, seed=0)
    assert plan.partners == {"s": partners_needed(2e8, 1_000.0)} == {"s": 200_000}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"target": math.nan}, "target"),
        ({"target": -1.0}, "target"),
        ({"segments": []}, "empty"),
        ({"segments": [Segment("a", 1.0), Segment("a", 2.0)]}, "twice"),
        ({"segments": [Segment("a", 1.0, share=1.0), Segment("b", 2.0)]}, "share"),
        ({"segments": ["a"]}, "Segment"),
        ({"confidence": 0.0}, "confidence"),
        ({"n_sims": 0}, "n_sims"),
        ({"horizon_months": 0}, "horizon_months"),
        ({"workers": 0}, "workers"),
        ({"workers": "many"}, "workers"),
        ({"seed": -3}, "seed"),
        ({"existing": 5}, "existing"),
    ],
)
def test_plan_errors(kwargs: dict, match: str) -> None:
    args = {"target": 1_000.0, "segments": [Segment("a", 100.0)], "n_sims": 4}
    args.update(kwargs)
    with pytest.raises(ck.InvalidInputError, match=match):
        plan_capacity(args.pop("target"), args.pop("segments"), **args)


def test_plan_reporting(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    plan = plan_capacity(2e7, _example_segments(), n_sims=300, seed=4, progress=True)
    assert "planning" in capsys.readouterr().err
    assert isinstance(plan, CapacityPlan)
    assert repr(plan).startswith("CapacityPlan(partners={'small': ")
    text = plan.summary()
    assert re.search(rf"^Managers +{plan.managers}$", text, re.M)
    assert str(plan.partners["small"]) in text
    assert "<table" in plan._repr_html_()
    assert plan.headline()["managers"] == plan.managers
    assert plan.headline()["probability_of_target"] == plan.probability_of_target
    pct = plan.revenue_percentiles((5, 50, 95))
    assert pct[5.0] <= pct[50.0] <= pct[95.0]
    assert plan.monthly_percentiles.shape == (7, 12)
    assert (np.diff(plan.monthly_percentiles, axis=1) >= -1e-6).all()  # cumulative
    np.testing.assert_allclose(plan.monthly_percentiles[3, -1], np.median(plan.revenue))


def test_plan_to_frame_and_plot() -> None:
    pytest.importorskip("pandas")
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    plan = plan_capacity(2e7, _example_segments(), n_sims=200, seed=4)
    frame = plan.to_frame()
    assert list(frame.index) == ["small", "large"]
    assert frame.loc["small", "partners"] == plan.partners["small"]
    ax = plan.plot()
    assert ax.get_xlabel() == "month"
    assert len(ax.lines) == 2  # median and target
    assert ax.lines[1].get_ydata()[0] == plan.target
    assert ax.yaxis.get_major_formatter()(1.5e7, 0) == "15M"  # not 1e7
    assert ax.get_title()
    months = plan.to_frame(by="month")
    assert list(months.index) == list(range(1, 13))
    np.testing.assert_allclose(months["cumulative_revenue_p50"], plan.monthly_percentiles[3])
    with pytest.raises(ck.InvalidInputError, match="by must be"):
        plan.to_frame(by="region")  # type: ignore[arg-type]
    plt.close("all")


@settings(max_examples=20)
@given(capacity_segments(), st.integers(0, 2**16))
def test_plan_partners_reach_target_in_enough_simulations(seg: Segment, seed: int) -> None:
    try:
        plan = plan_capacity(3e5, seg, n_sims=64, seed=seed, max_partners=20_000)
    except ck.InfeasibleError:
        assert plan_capacity(3e5, seg, n_sims=64, seed=seed, confidence=0.01).total_partners > 0
        return
    assert plan.probability_of_target >= 0.9
    assert float(plan.probability_at(plan.total_partners - 1)) < 0.9 or plan.total_partners == 0
    # checked independently of the search: the evaluated revenue of the planned channel
    assert np.mean(plan.revenue >= 3e5 * (1 - 1e-9)) >= 0.9


# --------------------------------------------------------------------------- command line
SCENARIO = """
target = 1_000_000
horizon_months = 12
n_sims = 200
seed = 3

[[segments]]
name = "resellers"
productivity = { distribution = "lognorm", s = 1.0, scale = 50_000 }
ramp_months = 3
attrition = 0.2
conversion = 0.5

[[segments]]
name = "flat"
productivity = 80_000
funnel = [{ name = "signed", rate = 0.5, lag_months = 1 }]
"""


def test_scenario_file_plans_like_the_api(tmp_path: Path) -> None:
    from channelkit._scenario import load_scenario

    path = tmp_path / "s.toml"
    path.write_text(SCENARIO)
    kwargs = load_scenario(path)
    assert [s.name for s in kwargs["segments"]] == ["resellers", "flat"]
    assert kwargs["segments"][1].overall_conversion == 0.5
    assert kwargs["segments"][1].lag_months == 1
    plan = plan_capacity(**kwargs)
    direct = plan_capacity(
        1_000_000,
        [
            Segment(
                "resellers",
                stats.lognorm(s=1.0, scale=50_000),
                ramp_months=3,
                attrition=0.2,
                conversion=0.5,
            ),
            Segment("flat", 80_000.0, funnel=[FunnelStage("signed", 0.5, 1)]),
        ],
        n_sims=200,
        seed=3,
    )
    assert plan.partners == direct.partners
    np.testing.assert_array_equal(plan.revenue, direct.revenue)


def test_cli_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from channelkit.cli import main

    path = tmp_path / "s.toml"
    path.write_text(SCENARIO)
    assert main(["plan", str(path), "--n-sims", "100", "--confidence", "0.8"]) == 0
    out = capsys.readouterr().out
    assert "Scenario: s.toml" in out
    assert "at 80% confidence (100 simulations)" in out
    assert "Managers" in out


def test_cli_plan_example_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import tomllib

    from channelkit.cli import main

    assert main(["plan", "--example"]) == 0
    text = capsys.readouterr().out
    data = tomllib.loads(text)
    assert data["target"] > 0
    path = tmp_path / "example.toml"
    path.write_text(text)
    assert main(["plan", str(path), "--n-sims", "300"]) == 0
    assert "integrators" in capsys.readouterr().out


def test_cli_plan_with_existing_channel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from channelkit.cli import main
    from channelkit.io import write_portfolio_csv

    write_portfolio_csv(
        ck.Portfolio(["a", "b"], revenue=[400_000.0, 100_000.0]), tmp_path / "p.csv"
    )
    (tmp_path / "s.toml").write_text(
        'target = 1_000_000\nn_sims = 20\n[existing]\ncsv = "p.csv"\nhours_per_partner = 1500\n'
        '[[segments]]\nname = "x"\nproductivity = 100_000\n'
    )
    assert main(["plan", str(tmp_path / "s.toml")]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^x +5 +5 ", out, re.M)  # (1,000,000 - 500,000) / 100,000
    # 5 x 72 h + 2 x 1,500 h = 3,360 h: 2 managers, the existing two alone need 2
    assert re.search(r"^Managers +2$", out, re.M)
    assert re.search(
        r"^Managers, existing partners alone +2 \(2 partners, 0 to distributors, 3,000 h/yr\)$",
        out,
        re.M,
    )


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("segments = []", "'target': missing"),
        ("target = 1\n", "'segments': missing"),
        ("target = 1\nsegments = []", "'segments'"),
        ("target = 'big'\n[[segments]]\nname='a'\nproductivity=1", "'target': expected a number"),
        ("target = 1\nfoo = 2\n[[segments]]\nname='a'\nproductivity=1", "'foo': unknown key"),
        ("target = 1\n[[segments]]\nname='a'", r"'segments\[0\].productivity': missing"),
        ("target = 1\n[[segments]]\nname='a'\nproductivity=1\ncolour=3", "colour"),
        (
            "target = 1\n[[segments]]\nname='a'\nproductivity={distribution='nope'}",
            r"segments\[0\].productivity.distribution",
        ),
        (
            "target = 1\n[[segments]]\nname='a'\nproductivity={distribution='lognorm', s='x'}",
            r"segments\[0\].productivity.s",
        ),
        ("target = 1\n[[segments]]\nname='a'\nproductivity=1\nattrition=2", r"segments\[0\]"),
        ("target = 1\nn_sims = 1.5\n[[segments]]\nname='a'\nproductivity=1", "'n_sims'"),
        (
            "target = 1\n[[segments]]\nname='a'\nproductivity=1\nfunnel=[{rate=3, name='s'}]",
            r"segments\[0\].funnel\[0\]",
        ),
        (
            "target = 1\n[existing]\nattrition = 0.1\n[[segments]]\nname='a'\nproductivity=1",
            "existing.csv",
        ),
        ("target = = 1", "not valid TOML"),
    ],
)
def test_malformed_scenarios_name_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, match: str
) -> None:
    from channelkit._scenario import load_scenario
    from channelkit.cli import main

    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ck.InvalidInputError, match=match):
        load_scenario(path)
    assert main(["plan", str(path)]) == 1
    assert "channelkit: error: " in capsys.readouterr().err


def test_cli_plan_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    from channelkit.cli import main

    assert main(["plan"]) == 1
    assert "SCENARIO.toml" in capsys.readouterr().err


def test_demo_has_a_capacity_section(capsys: pytest.CaptureFixture[str]) -> None:
    from channelkit.cli import main

    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Capacity\n========" in out
    assert "Grow revenue by 25% next year" in out
    # the whole channel, not only the new partners: the existing 500 partners need managers
    assert re.search(r"^Managers, existing partners alone +\d+ \(500 partners, ", out, re.M)
    found = re.search(r"^Managers +(\d+)$", out, re.M)
    assert found is not None
    assert int(found.group(1)) >= 10


def test_recruiting_window_hand_checked() -> None:
    # 12 partners at 12,000 a year signed 4 a month over 3 months, no ramp: they sell
    # 12, 11 and 10 months: 4 x 1,000 x (12 + 11 + 10) = 132,000
    seg = Segment("a", 12_000.0)
    plan = plan_capacity(132_000, seg, recruit_months=3, n_sims=4, seed=0)
    assert plan.partners == {"a": 12}
    assert plan.recruits_per_month == {"a": [4, 4, 4]}
    np.testing.assert_allclose(plan.revenue, 132_000.0)
    assert plan_capacity(132_001, seg, recruit_months=3, n_sims=4, seed=0).partners == {"a": 13}
    assert "Recruiting over the first 3 months: a 4 a month." in plan.summary()
    months = plan.to_frame(by="month")
    assert months["recruits"].tolist() == [4, 4, 4] + [0] * 9
    assert months["recruits_a"].sum() == plan.total_recruits
    np.testing.assert_allclose(months["cumulative_revenue_p50"].iloc[-1], 132_000.0)
    with pytest.raises(ck.InvalidInputError, match="recruit_months"):
        plan_capacity(1.0, seg, recruit_months=13, n_sims=4)


@given(st.floats(1e4, 1e7), st.floats(1e3, 1e6), st.integers(0, 6))
def test_longer_recruiting_window_needs_more_partners_without_randomness(
    target: float, p: float, ramp_months: int
) -> None:
    # (with random partners, the round robin moves slots between months, so the
    # comparison only holds path by path when every partner is the same)
    seg = Segment("a", p, ramp_months=ramp_months)
    if target / p > 2_000:
        return
    sizes = [
        plan_capacity(target, seg, recruit_months=w, n_sims=2, seed=0).total_partners
        for w in (1, 2, 4, 8)
    ]
    assert sizes == sorted(sizes)
    assert sizes[0] == partners_needed(target, p, ramp=seg.ramp_fraction(12))


@settings(max_examples=20)
@given(segment_lists(max_size=2), st.integers(1, 4), st.integers(0, 2**16), st.floats(2.0, 30.0))
def test_search_agrees_with_evaluating_every_size(
    segs: list[Segment], window: int, seed: int, scale: float
) -> None:
    # the per-simulation search (cumulative revenue along nested slots) against
    # the month-by-month evaluation of every channel size, one at a time
    from channelkit.capacity import _expected_slot_revenue, _weights

    w = _weights(segs)
    per_partner = sum(wk * _expected_slot_revenue(s, 12) for wk, s in zip(w, segs))
    if not math.isfinite(per_partner) or per_partner <= 0:
        return
    eng = _engine(tuple(segs), w, 12, np.array([1_000.0]), _log_survival(0.3), window)
    chunk = np.random.SeedSequence(seed)
    target = scale * per_partner
    need = _need_chunk((eng, chunk, 6, target, 2, 400))
    if (need > 400).any():
        return
    table = _allocation_table(w, int(need.max()))
    totals = np.array(
        [_eval_chunk((eng, chunk, 6, table[n]))[0].sum(axis=1) for n in range(table.shape[0])]
    )
    reached = totals >= target * (1 - 1e-9) * (1 - 1e-9)
    first = reached.argmax(axis=0)
    assert (reached[need, np.arange(6)]).all()
    # allow a float tie at the boundary: the two sums differ in the last bits only
    close = np.isclose(totals[first, np.arange(6)], target, rtol=1e-9)
    assert ((first == need) | close).all()


# --------------------------------------------------------------------------- review fixes
def test_bad_distribution_parameters_raise_invalid_input() -> None:
    with pytest.raises(ck.InvalidInputError, match="invalid parameters|mean nan"):
        Segment("a", stats.lognorm(s=-1, scale=1e4))
    with pytest.raises(ck.InvalidInputError, match="negative revenue"):
        Segment("a", stats.norm(loc=1e5, scale=5e4))
    with pytest.raises(ck.InvalidInputError, match=r"finite mean"):
        Segment("a", stats.pareto(b=0.9, scale=1e4))  # infinite mean

    class NoMean:
        def rvs(self, size: object = None, random_state: object = None) -> np.ndarray:
            return np.ones(size)  # type: ignore[arg-type]

    with pytest.raises(ck.InvalidInputError, match=r"has no \.mean\(\)"):
        Segment("a", NoMean())

    class Exploding(NoMean):
        """Valid at construction, then draws inf."""

        calls = 0

        def mean(self) -> float:
            return 1.0

        def cdf(self, x: float) -> float:
            return 0.0

        def rvs(self, size: object = None, random_state: object = None) -> np.ndarray:
            Exploding.calls += 1
            out = np.ones(size)  # type: ignore[arg-type]
            if Exploding.calls > 1:
                out.flat[0] = np.inf
            return out

    seg = Segment("x", Exploding())
    with pytest.raises(ck.InvalidInputError, match="drew inf"):
        plan_capacity(10.0, seg, n_sims=4, seed=0)


def test_cli_plan_with_bad_distribution_parameters_prints_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from channelkit.cli import main

    path = tmp_path / "bad.toml"
    path.write_text(
        "target = 1e5\nn_sims = 4\n[[segments]]\nname = 'a'\n"
        "productivity = { distribution = 'lognorm', s = -1.0, scale = 1e4 }\n"
    )
    assert main(["plan", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("channelkit: error: ")
    assert "segments[0].productivity" in err
    assert "Traceback" not in err


def test_managers_count_the_existing_channel() -> None:
    seg = Segment("n", 100_000.0, touches_per_year=20, hours_per_touch=5.0)  # 100 h
    revenue = np.r_[np.full(30, 50_000.0), np.full(10, 5_000.0)]
    existing = ck.Portfolio([f"p{i}" for i in range(40)], revenue=revenue)
    target = 1_550_000.0 + 2_000_000.0  # existing 1.55 M; 20 new partners
    plan = plan_capacity(target, seg, existing=existing, n_sims=4, seed=0)
    assert plan.partners == {"n": 20}
    # 20 x 100 h + 40 x 72 h = 4,880 h: 3 managers of 2,000 h (new alone: 1, existing: 2)
    assert (plan.managers, plan.new_managers, plan.existing_managers) == (3, 1, 2)
    assert plan.existing_partners == 40
    assert plan.existing_hours == pytest.approx(40 * 72.0)
    text = plan.summary()
    assert re.search(r"^Managers +3$", text, re.M)
    assert re.search(r"^Managers, new partners alone +1$", text, re.M)
    assert plan.headline()["new_managers"] == 1 and plan.headline()["existing_managers"] == 2
    # the threshold routes the 10 small existing partners to distributors
    routed = plan_capacity(
        target, seg, existing=existing, n_sims=4, seed=0, distributor_threshold=10_000
    )
    assert routed.existing_distributor_partners == 10
    assert routed.existing_hours == pytest.approx(30 * 72.0)
    assert routed.managers == managers_needed([20, 30], 1, [100.0, 72.0])
    # hours per partner as an array or from a workload model with .hours()

    class Workload:
        def hours(self, partners: ck.Portfolio) -> np.ndarray:
            return np.asarray(partners.revenue) / 250.0  # 200 h for 50,000

    by_model = plan_capacity(
        target, seg, existing=existing, n_sims=4, seed=0, existing_hours_per_partner=Workload()
    )
    assert by_model.existing_hours == pytest.approx(30 * 200.0 + 10 * 20.0)
    assert by_model.managers == math.ceil((2_000 + 6_200) / 2_000)
    by_array = plan_capacity(
        target,
        seg,
        existing=existing,
        n_sims=4,
        seed=0,
        existing_hours_per_partner=revenue / 250.0,
    )
    assert by_array.managers == by_model.managers
    with pytest.raises(ck.InvalidInputError, match="3 values for 40 existing partners"):
        plan_capacity(
            target, seg, existing=existing, n_sims=4, existing_hours_per_partner=[1, 2, 3]
        )


def test_segment_workload_stand_in_drives_the_managers() -> None:
    class WorkloadModel:  # stand-in for channelkit.workload.WorkloadModel (issue #4)
        def hours(self, partners: ck.Portfolio) -> np.ndarray:
            return np.asarray(partners.revenue) / 500.0

    profile = {"revenue": [50_000.0, 150_000.0]}  # 100 h and 300 h: 200 h a partner
    seg = Segment("w", 100_000.0, workload=WorkloadModel(), profile=profile)
    plan = plan_capacity(3_000_000.0, seg, n_sims=4, seed=0)
    assert plan.partners == {"w": 30}
    assert plan.managers == 3  # 30 x 200 h = 6,000 h


def test_seed_sequence_is_not_changed_by_a_plan() -> None:
    segs = _example_segments()
    ss = np.random.SeedSequence(1)
    a = plan_capacity(2e7, segs, n_sims=300, seed=ss)
    b = plan_capacity(2e7, segs, n_sims=300, seed=ss)
    assert ss.n_children_spawned == 0
    assert a.partners == b.partners
    np.testing.assert_array_equal(a.revenue, b.revenue)
    # the same streams as an int seed (SeedSequence(1).spawn would give)
    np.testing.assert_array_equal(a.revenue, plan_capacity(2e7, segs, n_sims=300, seed=1).revenue)
    sims = [ck.simulate_channel(segs, {"small": 3}, n_sims=20, seed=ss) for _ in range(2)]
    np.testing.assert_array_equal(sims[0].revenue, sims[1].revenue)
    assert ss.n_children_spawned == 0


def test_degenerate_plan_equals_closed_form_at_large_sizes() -> None:
    # summing 46,315 partners accumulates more rounding than a fixed 1e-12
    p = 615423.5729701057
    seg = Segment("a", p, ramp_months=4)
    target = 46315 * p * seg.ramp_fraction(12)
    assert partners_needed(target, p, ramp=seg.ramp_fraction(12)) == 46315
    assert plan_capacity(target, seg, n_sims=1, seed=0).partners == {"a": 46315}


def test_sample_productivity_is_a_read_only_array() -> None:
    seg = Segment("s", [10.0, 30.0, 20.0])
    assert isinstance(seg.productivity, np.ndarray)
    assert not seg.productivity.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        seg.productivity[0] = 1.0
    again = eval(repr(seg), {"Segment": Segment, "FunnelStage": FunnelStage})
    assert again == seg
    assert hash(again) == hash(seg)
    assert seg != Segment("s", [10.0, 30.0])
    assert seg != Segment("s", 20.0)
    assert seg.mean_productivity == 20.0


def test_segment_is_hashable_and_read_only() -> None:
    a = Segment("a", stats.lognorm(s=1.0, scale=1e4), metrics={"csat": 8.0, "staff": 2})
    b = attrs.evolve(a)
    assert a == b and hash(a) == hash(b)
    assert len({a, b, Segment("c", 1.0)}) == 2
    assert Segment("m", 1.0, metrics={"x": 1, "y": 2}) == Segment(
        "m", 1.0, metrics={"y": 2, "x": 1}
    )
    assert hash(Segment("m", 1.0, metrics={"x": 1, "y": 2})) == hash(
        Segment("m", 1.0, metrics={"y": 2, "x": 1})
    )
    with pytest.raises(TypeError):
        a.metrics["csat"] = 1.0  # type: ignore[index]


def test_plan_results_are_read_only() -> None:
    plan = plan_capacity(1e6, Segment("a", 100_000.0), n_sims=8, seed=0)
    with pytest.raises(TypeError):
        plan.partners["a"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        plan.recruits["a"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        plan.distributor_partners["a"] = 1  # type: ignore[index]
    for arr in (plan.revenue, plan.required_partners, plan.monthly_percentiles):
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 0
    assert plan.partners == {"a": 10}
    assert repr(plan).startswith("CapacityPlan(partners={'a': 10}, recruits={'a': 10}")


def test_distributor_threshold_is_strictly_below_for_every_kind() -> None:
    values = [10_000.0, 90_000.0]
    discrete = stats.rv_discrete(values=(values, [0.5, 0.5]))
    for prod in (values, discrete):
        seg = Segment("d", prod)
        assert seg.tail_share(10_000.0) == 0.0  # a partner selling exactly 10,000 stays
        assert seg.tail_share(10_000.5) == 0.5
    assert Segment("c", 10_000.0).tail_share(10_000.0) == 0.0
    assert Segment("l", stats.lognorm(s=1.0, scale=1e4)).tail_share(1e4) == pytest.approx(0.5)


def test_plan_with_the_workload_model_for_new_and_existing_partners() -> None:
    from channelkit.datasets import example_portfolio
    from channelkit.workload import WorkloadModel

    partners = example_portfolio().subset(np.arange(60))
    model = WorkloadModel()
    seg = Segment("new", 100_000.0, workload=model, profile=partners)
    target = float(partners.revenue.sum()) + 2_000_000.0
    plan = plan_capacity(
        target,
        seg,
        existing=partners,
        existing_hours_per_partner=model,
        distributor_threshold=25_000,
        n_sims=4,
        seed=0,
    )
    hours = model.hours(partners)
    kept = np.asarray(partners.revenue) >= 25_000
    assert plan.existing_hours == pytest.approx(hours[kept].sum())
    assert seg.hours_per_partner == pytest.approx(hours.mean())
    expected = math.ceil((plan.partners["new"] * hours.mean() + hours[kept].sum()) / 2_000)
    assert plan.managers == expected


@settings(max_examples=15, deadline=None)
@given(st.floats(1e5, 1e7), st.integers(1, 6), st.integers(1, 3))
def test_plan_views_agree(target: float, recruit_months: int, k: int) -> None:
    # the report, the headline and both frames describe the same plan
    segs = [Segment(f"s{i}", 50_000.0 * (i + 1), conversion=0.5, share=i + 1) for i in range(k)]
    plan = plan_capacity(target, segs, recruit_months=recruit_months, n_sims=4, seed=0)
    head = plan.headline()
    assert head["managers"] == plan.managers and head["partners"] == plan.total_partners
    assert head["recruits"] == plan.total_recruits
    months = plan.to_frame(by="month")
    assert months["recruits"].sum() == plan.total_recruits
    for seg in segs:
        assert months[f"recruits_{seg.name}"].sum() == plan.recruits[seg.name]
    assert (months["cumulative_revenue_p5"] <= months["cumulative_revenue_p95"] + 1e-6).all()
    by_segment = plan.to_frame()
    assert by_segment["partners"].to_dict() == dict(plan.partners)
    table = plan._report().tables[0]
    assert table.rows[-1][:3] == ("total", plan.total_partners, plan.total_recruits)
    assert "\n" not in repr(plan) and len(repr(plan)) < 200
