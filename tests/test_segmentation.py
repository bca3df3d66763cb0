"""Tests for channelkit.segmentation: hand-checked examples, properties, bad input."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import channelkit as ck
from channelkit.segmentation import SEGMENTS

from .strategies import (
    contributor_shares,
    plain_revenue_arrays,
    product_share_arrays,
    revenue_arrays,
    tail_shares,
)

#: Relative tolerance pareto_segments allows when comparing a cumulated revenue
#: with a share of the total (so that 80 of 100 is not missed by rounding).
PARETO_TOL = 1e-12
NAN = math.nan
INF = math.inf


# --------------------------------------------------------------------------- references
def ref_pareto(rev: Sequence[float], c_share: float, t_share: float) -> list[str]:
    """Slow per-partner reference for pareto_segments, written from its docstring."""
    n = len(rev)
    labels = ["potential"] * n
    if rev and 0 < max(rev) < 2.0**-500:
        # Subnormal amounts: c_share * total would round in the last of very few bits.
        # Scaling by a power of two is exact, and the shares are what the docstring defines.
        rev = [x * 2.0**600 for x in rev]
    total = math.fsum(rev)
    tol = PARETO_TOL * total
    order = sorted(range(n), key=lambda i: (-rev[i], i))  # largest first, ties by position
    k = 0
    if total > 0:
        acc = 0.0
        for i in order:
            acc += rev[i]
            k += 1
            if acc >= c_share * total - tol:
                break
    contributors = set(order[:k])
    acc = 0.0
    for i in reversed(order):  # smallest first
        if i in contributors:
            break
        acc += rev[i]
        if acc > t_share * total + tol:
            break
        labels[i] = "long_tail"
    for i in contributors:
        labels[i] = "contributor"
    return labels


def ref_gini_mad(values: Sequence[float]) -> float:
    """O(n^2) Gini: the mean absolute difference over twice the mean."""
    n = len(values)
    total = math.fsum(values)
    if total == 0:
        return 0.0
    mad = math.fsum(abs(a - b) for a in values for b in values)
    return mad / (2.0 * n * total)


def ref_top_share(values: Sequence[float], count: int) -> float:
    total = math.fsum(values)
    if total == 0:
        return 0.0
    return math.fsum(sorted(values, reverse=True)[:count]) / total


def ref_business_model(
    share: Sequence[float],
    hi: float = 0.7,
    lo: float = 0.3,
    labels: Sequence[str] = ("product-led", "hybrid", "services-led"),
    unknown: str = "unknown",
    rec: Sequence[float] | None = None,
    thr: float = 0.5,
) -> list[str]:
    out = []
    for i, s in enumerate(share):
        if math.isnan(s):
            label = unknown
        elif s >= hi:
            label = labels[0]
        elif s <= lo:
            label = labels[2]
        else:
            label = labels[1]
        if rec is not None and not math.isnan(rec[i]):
            label += ", recurring" if rec[i] >= thr else ", one-off"
        out.append(label)
    return out


def _segments_of(labels: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], ...]:
    return tuple(np.flatnonzero(labels == s) for s in SEGMENTS)


# --------------------------------------------------------------------------- pareto_segments
def test_pareto_docstring_example() -> None:
    # total 1000; cumulated from the top: 500, 800 >= 0.8 * 1000 -> 2 contributors.
    # from the bottom: 5, 20, 50 <= 0.05 * 1000 (inclusive), 100 > 50 -> 3 in the tail.
    rev = [500.0, 300.0, 100.0, 50.0, 30.0, 15.0, 5.0]
    assert ck.pareto_segments(rev).tolist() == [
        "contributor",
        "contributor",
        "potential",
        "potential",
        "long_tail",
        "long_tail",
        "long_tail",
    ]


def test_pareto_keeps_input_order() -> None:
    # sorted: 70 (idx 1), 15 (idx 2), 10 (idx 0), 5 (idx 3); total 100.
    # 70 < 80, 85 >= 80 -> contributors {1, 2}; tail: 5 <= 5 -> {3}; 5 + 10 > 5.
    assert ck.pareto_segments([10.0, 70.0, 15.0, 5.0]).tolist() == [
        "potential",
        "contributor",
        "contributor",
        "long_tail",
    ]


def test_pareto_ties_break_by_position() -> None:
    # total 40, 0.5 * 40 = 20 reached by the first two tied partners (earlier first);
    # the tail takes the tied partners from the end: 10 <= 0.25 * 40, 20 > 10.
    assert ck.pareto_segments([10.0, 10.0, 10.0, 10.0], 0.5, 0.25).tolist() == [
        "contributor",
        "contributor",
        "potential",
        "long_tail",
    ]


def test_pareto_exact_share_is_reached() -> None:
    # 0.7 * 100 = 70.00000000000001 in floats; 60 + 10 = 70 must still count as reaching it.
    assert ck.pareto_segments([60.0, 10.0, 30.0], 0.7, 0.0).tolist() == [
        "contributor",
        "potential",
        "contributor",
    ]


def test_pareto_zero_total_is_all_tail() -> None:
    assert ck.pareto_segments([0.0, 0.0, 0.0]).tolist() == ["long_tail"] * 3


def test_pareto_zero_revenue_partners_are_tail_and_never_contributors() -> None:
    # contributor_share = 1: only 50 and 50 are needed; the zeros add nothing.
    out = ck.pareto_segments([50.0, 0.0, 50.0, 0.0], 1.0, 0.0)
    assert out.tolist() == ["contributor", "long_tail", "contributor", "long_tail"]


def test_pareto_tail_never_takes_contributors() -> None:
    # contributors: 90 >= 0.5 * 100 -> {0}; tail share 0.99 would fit 10 and 90 together,
    # but the contributor stays a contributor, so the tail is {1} and nobody is potential.
    assert ck.pareto_segments([90.0, 10.0], 0.5, 0.99).tolist() == ["contributor", "long_tail"]


def test_pareto_single_and_empty() -> None:
    assert ck.pareto_segments([5.0]).tolist() == ["contributor"]
    out = ck.pareto_segments([])
    assert out.shape == (0,)
    assert out.dtype.kind == "U"


@given(revenue_arrays(min_size=0, max_size=30), contributor_shares, tail_shares)
def test_pareto_agrees_with_reference(
    rev: np.ndarray[Any, Any], c_share: float, t_share: float
) -> None:
    out = ck.pareto_segments(rev, c_share, t_share)
    assert out.tolist() == ref_pareto(rev.tolist(), c_share, t_share)


@given(
    # no subnormal amounts: a share of a subnormal total underflows to 0
    plain_revenue_arrays(max_size=40).filter(lambda a: a.sum() > 0),
    contributor_shares,
    tail_shares,
)
def test_pareto_segment_properties(
    rev: np.ndarray[Any, Any], c_share: float, t_share: float
) -> None:
    out = ck.pareto_segments(rev, c_share, t_share)
    assert out.shape == rev.shape
    assert set(out.tolist()) <= set(SEGMENTS)  # so no partner carries two labels
    contrib, _potential, tail = _segments_of(out)
    total = float(rev.sum())
    tol = 1e-9 * total  # looser than the kernel's own tolerance: only rounding may differ
    rest = np.setdiff1d(np.arange(rev.size), contrib)

    # Contributors are the top partners ...
    assert contrib.size >= 1
    if rest.size:
        assert rev[contrib].min() >= rev[rest].max()
    # ... that reach the share ...
    assert rev[contrib].sum() >= c_share * total - tol
    # ... and no smaller set of top partners would.
    assert rev[contrib].sum() - rev[contrib].min() < c_share * total + tol

    # The long tail stays within its share ...
    assert rev[tail].sum() <= t_share * total + tol
    # ... is made of the smallest non-contributors ...
    others = np.setdiff1d(rest, tail)
    if tail.size and others.size:
        assert rev[tail].max() <= rev[others].min()
    # ... and is maximal: adding the next smallest partner outside it would exceed the share.
    if others.size:
        assert rev[tail].sum() + rev[others].min() > t_share * total - tol


@given(
    revenue_arrays(max_size=40),
    st.lists(contributor_shares, min_size=2, max_size=2).map(sorted),
    tail_shares,
)
def test_pareto_contributors_grow_with_share(
    rev: np.ndarray[Any, Any], shares: list[float], t_share: float
) -> None:
    lo, hi = shares
    small = set(np.flatnonzero(ck.pareto_segments(rev, lo, t_share) == "contributor"))
    large = set(np.flatnonzero(ck.pareto_segments(rev, hi, t_share) == "contributor"))
    assert small <= large


@given(
    hnp.arrays(np.float64, st.integers(1, 40), elements=st.floats(0.0, 1e7), unique=True),
    st.randoms(use_true_random=False),
)
def test_pareto_labels_follow_their_partner_under_permutation(
    rev: np.ndarray[Any, Any], rnd: Any
) -> None:
    # Ties are broken by position, so only distinct revenues are guaranteed to keep their label.
    perm = np.array(rnd.sample(range(rev.size), rev.size))
    assert (ck.pareto_segments(rev[perm]) == ck.pareto_segments(rev)[perm]).all()


# --------------------------------------------------------------------------- gini
def test_gini_hand_checked() -> None:
    # sorted x = 1, 2, 3, 4; weights 2i - n - 1 = -3, -1, 1, 3:
    # -3 - 2 + 3 + 12 = 10; G = 10 / (4 * 10) = 0.25.
    # Pairwise |differences| (i < j): 1+2+3+1+2+1 = 10, both orders 20; 20 / (2 * 4 * 10) = 0.25.
    assert ck.gini([4.0, 1.0, 3.0, 2.0]) == pytest.approx(0.25)
    # one partner makes everything: (3 * 10) / (4 * 10) = 0.75 = (n - 1) / n.
    assert ck.gini([0.0, 0.0, 0.0, 10.0]) == 0.75
    # docstring example, [500, 300, 100, 50, 30, 15, 5] -> 0.607
    assert ck.gini([500.0, 300.0, 100.0, 50.0, 30.0, 15.0, 5.0]) == pytest.approx(4250 / 7000)
    assert ck.gini([1.0, 1.0, 1.0]) == 0.0
    assert ck.gini([0.0, 0.0]) == 0.0
    assert ck.gini([7.0]) == 0.0


@given(revenue_arrays(), st.randoms(use_true_random=False))
def test_gini_permutation_invariant(values: np.ndarray[Any, Any], rnd: Any) -> None:
    shuffled = values.tolist()
    rnd.shuffle(shuffled)
    assert ck.gini(shuffled) == ck.gini(values)


@given(
    plain_revenue_arrays(),
    st.one_of(
        st.integers(-20, 20).map(lambda e: 2.0**e),
        st.floats(min_value=1e-3, max_value=1e3),
    ),
)
def test_gini_scale_invariant(values: np.ndarray[Any, Any], scale: float) -> None:
    assert ck.gini(values * scale) == pytest.approx(ck.gini(values), rel=1e-9, abs=1e-12)


@given(
    st.floats(min_value=0.0, max_value=1e7, allow_nan=False),
    st.integers(min_value=1, max_value=50),
)
def test_gini_equal_values_is_zero(value: float, n: int) -> None:
    assert ck.gini([value] * n) == pytest.approx(0.0, abs=1e-12)


@given(revenue_arrays())
def test_gini_bounds(values: np.ndarray[Any, Any]) -> None:
    g = ck.gini(values)
    n = values.size
    assert 0.0 <= g <= (n - 1) / n < 1.0


@given(revenue_arrays(max_size=25))
def test_gini_equals_mean_absolute_difference(values: np.ndarray[Any, Any]) -> None:
    assert ck.gini(values) == pytest.approx(ref_gini_mad(values.tolist()), rel=1e-9, abs=1e-12)


@given(revenue_arrays())
def test_gini_is_one_minus_twice_lorenz_area(values: np.ndarray[Any, Any]) -> None:
    x, y = ck.lorenz_curve(values)
    area = float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2.0))
    assert ck.gini(values) == pytest.approx(1.0 - 2.0 * area, abs=1e-9)


# --------------------------------------------------------------------------- lorenz_curve
def test_lorenz_hand_checked() -> None:
    # sorted 1, 2, 3, 4 (total 10): cumulated shares 0.1, 0.3, 0.6, 1.0.
    x, y = ck.lorenz_curve([3.0, 1.0, 4.0, 2.0])
    assert x.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert y == pytest.approx([0.0, 0.1, 0.3, 0.6, 1.0])
    # trapezoid area 0.25 * (0.05 + 0.2 + 0.45 + 0.8) = 0.375; 1 - 2 * 0.375 = 0.25 = gini.
    x, y = ck.lorenz_curve([1.0, 3.0])
    assert (x.tolist(), y.tolist()) == ([0.0, 0.5, 1.0], [0.0, 0.25, 1.0])


def test_lorenz_zero_total_is_the_diagonal() -> None:
    x, y = ck.lorenz_curve([0.0, 0.0])
    assert x.tolist() == y.tolist() == [0.0, 0.5, 1.0]
    assert y is not x


@given(revenue_arrays())
def test_lorenz_shape(values: np.ndarray[Any, Any]) -> None:
    x, y = ck.lorenz_curve(values)
    n = values.size
    assert x.shape == y.shape == (n + 1,)
    assert (x[0], y[0]) == (0.0, 0.0)
    assert (x[-1], y[-1]) == (1.0, 1.0)
    assert x == pytest.approx(np.arange(n + 1) / n)
    dy = np.diff(y)
    assert (dy >= -1e-12).all()  # non-decreasing
    assert (np.diff(dy) >= -1e-12).all()  # convex: the increments do not shrink
    assert (y <= x + 1e-12).all()  # below the diagonal


# --------------------------------------------------------------------------- top_share
def test_top_share_hand_checked() -> None:
    v = [10.0, 50.0, 10.0, 30.0]  # total 100; sorted 50, 30, 10, 10
    assert ck.top_share(v, 1) == 0.5
    assert ck.top_share(v, 2) == 0.8
    assert ck.top_share(v, 0.5) == 0.8  # 0.5 * 4 = 2 partners
    assert ck.top_share(v, 0.3) == 0.8  # 1.2 rounded up to 2
    assert ck.top_share(v, 0.25) == 0.5  # exactly 1
    assert ck.top_share(v, 0) == 0.0
    assert ck.top_share(v, 4) == 1.0
    assert ck.top_share(v, 99) == 1.0  # capped at n
    assert ck.top_share(v, np.int64(1)) == 0.5
    assert ck.top_share(v, np.float64(0.5)) == 0.8
    assert ck.top_share([0.0, 0.0], 1) == 0.0
    # 0.3 * 10 = 3.0000000000000004 in floats: still the top 3, not 4.
    assert ck.top_share([1.0] * 10, 0.3) == pytest.approx(0.3)


@given(revenue_arrays(), st.integers(min_value=0, max_value=70))
def test_top_share_matches_sort_reference(values: np.ndarray[Any, Any], k: int) -> None:
    expected = ref_top_share(values.tolist(), min(k, values.size))
    assert ck.top_share(values, k) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@given(revenue_arrays(), st.integers(min_value=1, max_value=99))
def test_top_share_fraction_counts_partners_rounded_up(
    values: np.ndarray[Any, Any], percent: int
) -> None:
    n = values.size
    count = -(-percent * n // 100)  # exact ceil(percent / 100 * n)
    assert ck.top_share(values, percent / 100) == ck.top_share(values, count)


@given(revenue_arrays(), st.integers(min_value=0, max_value=70))
def test_top_share_monotone_in_k(values: np.ndarray[Any, Any], k: int) -> None:
    a, b = ck.top_share(values, k), ck.top_share(values, k + 1)
    assert 0.0 <= a <= b + 1e-12
    assert b <= 1.0


# --------------------------------------------------------------------------- hhi
def test_hhi_hand_checked() -> None:
    assert ck.hhi([1.0, 1.0, 1.0, 1.0]) == 0.25
    # shares 0.75 and 0.25: 0.5625 + 0.0625 = 0.625.
    assert ck.hhi([3.0, 1.0]) == 0.625
    assert ck.hhi([3.0, 1.0], scale=10_000) == 6250.0
    assert ck.hhi([0.0, 0.0, 7.0]) == 1.0
    # shares 0.5, 0.3, 0.2: 0.25 + 0.09 + 0.04 = 0.38.
    assert ck.hhi([50.0, 30.0, 20.0]) == pytest.approx(0.38)


@given(revenue_arrays(positive_total=True))
def test_hhi_bounds(values: np.ndarray[Any, Any]) -> None:
    n = values.size
    h = ck.hhi(values)
    assert 1.0 / n * (1 - 1e-12) <= h <= 1.0 + 1e-12
    assert h >= ck.top_share(values, 1) ** 2 * (1 - 1e-12)  # the largest share alone


@given(
    st.floats(min_value=1e-3, max_value=1e7, allow_nan=False),
    st.integers(min_value=1, max_value=50),
)
def test_hhi_equal_values(value: float, n: int) -> None:
    assert ck.hhi([value] * n) == pytest.approx(1.0 / n, rel=1e-12)


# --------------------------------------------------------------------------- business_model
def test_business_model_hand_checked() -> None:
    out = ck.business_model([0.9, 0.5, 0.1, NAN])
    assert out.tolist() == ["product-led", "hybrid", "services-led", "unknown"]


def test_business_model_boundaries_are_inclusive() -> None:
    # >= product_led is product-led; <= services_led is services-led.
    out = ck.business_model([0.7, 0.3, 0.6999999, 0.3000001, 1.0, 0.0])
    assert out.tolist() == [
        "product-led",
        "services-led",
        "hybrid",
        "hybrid",
        "product-led",
        "services-led",
    ]
    out = ck.business_model([0.8, 0.6, 0.4, 0.2], product_led=0.8, services_led=0.2)
    assert out.tolist() == ["product-led", "hybrid", "hybrid", "services-led"]


def test_business_model_custom_labels_are_not_truncated() -> None:
    labels = ("value-added reseller", "mixed", "managed service provider")
    out = ck.business_model([1.0, 0.5, 0.0, NAN], labels=labels, unknown="?")
    assert out.tolist() == [*labels, "?"]


def test_business_model_recurring_suffix() -> None:
    out = ck.business_model([0.2, 0.9, 0.5, NAN, 0.5], recurring_share=[0.8, 0.5, 0.49, 0.0, NAN])
    assert out.tolist() == [
        "services-led, recurring",
        "product-led, recurring",  # the threshold is inclusive
        "hybrid, one-off",
        "unknown, one-off",
        "hybrid",  # NaN adds no suffix
    ]
    assert ck.business_model([0.5], recurring_share=[0.3], recurring_threshold=0.3).tolist() == [
        "hybrid, recurring"
    ]


def test_business_model_empty() -> None:
    assert ck.business_model([]).tolist() == []


@given(
    product_share_arrays(),
    st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2, unique=True).map(sorted),
)
def test_business_model_agrees_with_reference(
    share: np.ndarray[Any, Any], bounds: list[float]
) -> None:
    lo, hi = bounds
    got = ck.business_model(share, product_led=hi, services_led=lo)
    assert got.tolist() == ref_business_model(share.tolist(), hi, lo)


@given(st.integers(0, 30).flatmap(lambda n: st.tuples(*[product_share_arrays(n, n)] * 2)))
def test_business_model_recurring_agrees_with_reference(
    arrays: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]],
) -> None:
    share, rec = arrays
    got = ck.business_model(share, recurring_share=rec)
    assert got.tolist() == ref_business_model(share.tolist(), rec=rec.tolist())


# --------------------------------------------------------------------------- yoy_growth
def test_yoy_growth_hand_checked() -> None:
    # (120 - 100) / 100 = 0.2; (50 - 100) / 100 = -0.5; prior 0 -> undefined.
    out = ck.yoy_growth([120.0, 50.0, 10.0, 0.0, 7.0], [100.0, 100.0, 0.0, 4.0, NAN])
    assert out[:2].tolist() == [0.2, -0.5]
    assert math.isnan(out[2])
    assert out[3] == -1.0  # lost everything
    assert math.isnan(out[4])


def test_yoy_growth_when_new() -> None:
    out = ck.yoy_growth([10.0, 0.0, 30.0], [0.0, 0.0, NAN], when_new=0.0)
    assert out.tolist() == [0.0, 0.0, 0.0]
    assert ck.yoy_growth([], []).tolist() == []


@given(
    st.integers(0, 30).flatmap(
        lambda n: st.tuples(
            plain_revenue_arrays(n, n),
            plain_revenue_arrays(n, n),
            st.lists(st.booleans(), min_size=n, max_size=n),
        )
    ),
    st.sampled_from([NAN, 0.0, -1.0, 1.0]),
)
def test_yoy_growth_formula(arrays: tuple[Any, Any, list[bool]], when_new: float) -> None:
    now, prior, unknown = arrays
    prior = np.where(unknown, NAN, prior)
    out = ck.yoy_growth(now, prior, when_new=when_new)
    assert out.shape == now.shape
    assert not np.isinf(out).any()
    for g, a, b in zip(out.tolist(), now.tolist(), prior.tolist()):
        if b > 0:
            assert g == pytest.approx((a - b) / b, rel=1e-12)
            assert g >= -1.0
        else:  # zero or unknown prior: a new partner is not infinitely growing
            assert g == when_new or (math.isnan(g) and math.isnan(when_new))


def test_yoy_growth_never_inf_even_for_a_tiny_prior() -> None:
    out = ck.yoy_growth([1.0, 1e10], [5e-324, 1e-300])
    assert not np.isinf(out).any()
    assert (out == np.finfo(np.float64).max).all()


@pytest.mark.parametrize("bad", ["x", None, math.inf])
def test_yoy_growth_rejects_bad_when_new(bad: object) -> None:
    with pytest.raises(ck.InvalidInputError, match="when_new"):
        ck.yoy_growth([1.0], [1.0], when_new=bad)  # type: ignore[arg-type]


def test_gini_of_equal_values_is_exactly_zero() -> None:
    assert ck.gini([0.1] * 7) == 0.0


def test_business_model_rejects_a_string_of_labels() -> None:
    with pytest.raises(ck.InvalidInputError, match="labels must be three strings"):
        ck.business_model([0.5], labels="abc")


@pytest.mark.parametrize("scale", [0.0, -1.0, math.nan])
def test_hhi_rejects_bad_scale(scale: float) -> None:
    with pytest.raises(ck.InvalidInputError, match="scale"):
        ck.hhi([1.0, 2.0], scale=scale)


# --------------------------------------------------------------------------- profile_channel
def test_profile_channel_hand_checked() -> None:
    p = ck.profile_channel(
        {"revenue": [80.0, 10.0, 6.0, 4.0], "revenue_prior": [60.0, 10.0, 8.0, NAN]}
    )
    assert p.n_partners == 4
    assert p.total_revenue == 100.0
    # sorted 4, 6, 10, 80, weights -3, -1, 1, 3: (-12 - 6 + 10 + 240) / 400 = 0.58.
    assert p.gini == pytest.approx(0.58)
    assert p.top5_share == 1.0  # 5 is capped at the 4 partners
    assert p.top20_share == pytest.approx(0.8)  # 0.2 * 4 = 0.8 -> 1 partner, 80 of 100
    assert p.hhi == pytest.approx(0.64 + 0.01 + 0.0036 + 0.0016)
    # 80 >= 80 -> one contributor; tail: 4 <= 5, 4 + 6 > 5.
    assert p.segments == {
        "contributor": (1, pytest.approx(0.8)),
        "potential": (2, pytest.approx(0.16)),
        "long_tail": (1, pytest.approx(0.04)),
    }
    assert list(p.segments) == list(SEGMENTS)
    assert p.business_models == {"unknown": (4, 1.0)}
    # growth 20/60 = 1/3, 0, -2/8 = -0.25, unknown; sorted -0.25, 0, 1/3 (linear percentiles)
    assert p.growth_percentiles == pytest.approx(
        {"p10": -0.2, "p25": -0.125, "p50": 0.0, "p75": 1 / 6, "p90": 0.8 / 3}
    )
    assert p.growing_share == pytest.approx(1 / 3)
    assert "Gini" in p.report()
    assert str(p) == p.report()
    assert repr(p).startswith("ChannelProfile(n_partners=4,")


def test_profile_channel_without_prior_revenue() -> None:
    p = ck.profile_channel({"revenue": [1.0, 2.0], "product_share": [0.9, 0.1]})
    assert p.growth_percentiles == {}
    assert math.isnan(p.growing_share)
    assert p.business_models == {
        "product-led": (1, pytest.approx(1 / 3)),
        "services-led": (1, pytest.approx(2 / 3)),
    }
    assert "no partner has a known prior-year revenue" in p.report()


def test_profile_channel_to_frame() -> None:
    pytest.importorskip("pandas")
    frame = ck.profile_channel({"revenue": [3.0, 1.0]}).to_frame()
    assert list(frame.columns) == ["kind", "label", "partners", "revenue_share"]
    assert set(frame["kind"]) == {"segment", "business_model"}


def test_profile_channel_rejects_empty() -> None:
    with pytest.raises(ck.InvalidInputError, match="partners is empty"):
        ck.profile_channel({"revenue": []})


# --------------------------------------------------------------------------- bad input
ARRAY_FUNCS = {
    "gini": ck.gini,
    "lorenz_curve": ck.lorenz_curve,
    "top_share": lambda v: ck.top_share(v, 1),
    "hhi": ck.hhi,
    "pareto_segments": ck.pareto_segments,
}
BAD_AMOUNTS = [
    pytest.param([1.0, NAN], r"\[1\] is NaN", id="nan"),
    pytest.param([1.0, -2.0], r"\[1\] = -2\.0 is negative", id="negative"),
    pytest.param([INF, 1.0], r"\[0\] = inf is infinite", id="inf"),
    pytest.param([[1.0, 2.0]], r"must be a 1-D array, got shape \(1, 2\)", id="2-D"),
    pytest.param(3.0, r"must be a 1-D array, got shape \(\)", id="scalar"),
    pytest.param(["a", "b"], r"\[0\] = .a. is not a number", id="text"),
    pytest.param("12", "must be numeric", id="string"),
]


@pytest.mark.parametrize("func", ARRAY_FUNCS.values(), ids=ARRAY_FUNCS.keys())
@pytest.mark.parametrize(("values", "message"), BAD_AMOUNTS)
def test_bad_amounts_raise(func: Any, values: Any, message: str) -> None:
    name = "revenue" if func is ck.pareto_segments else "values"
    with pytest.raises(ck.InvalidInputError, match=name + ".*" + message):
        func(values)


@pytest.mark.parametrize(
    "func",
    [ck.gini, ck.lorenz_curve, ck.hhi, lambda v: ck.top_share(v, 1)],
    ids=["gini", "lorenz_curve", "hhi", "top_share"],
)
def test_empty_raises_where_not_allowed(func: Any) -> None:
    with pytest.raises(ck.InvalidInputError, match="values must not be empty"):
        func([])


def test_hhi_zero_total_raises() -> None:
    with pytest.raises(ck.InvalidInputError, match="values sum to zero"):
        ck.hhi([0.0, 0.0])


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"contributor_share": 0.0}, "contributor_share"),
        ({"contributor_share": 1.5}, "contributor_share"),
        ({"contributor_share": -0.1}, "contributor_share"),
        ({"contributor_share": NAN}, "contributor_share"),
        ({"contributor_share": "0.8"}, "contributor_share"),
        ({"contributor_share": True}, "contributor_share"),
        ({"tail_share": 1.0}, "tail_share"),
        ({"tail_share": -0.01}, "tail_share"),
        ({"tail_share": NAN}, "tail_share"),
        ({"tail_share": None}, "tail_share"),
    ],
)
def test_pareto_bad_shares_raise(kwargs: dict[str, Any], name: str) -> None:
    with pytest.raises(ck.InvalidInputError, match=name):
        ck.pareto_segments([1.0, 2.0], **kwargs)


@pytest.mark.parametrize(
    ("k", "message"),
    [
        (-1, r"k must be >= 0, got -1"),
        (np.int64(-3), r"k must be >= 0"),
        (-0.5, r"k = -0\.5: a float k is a fraction"),
        (0.0, r"k = 0\.0: a float k"),
        (1.0, r"k = 1\.0: a float k"),
        (1.5, r"k = 1\.5: a float k"),
        (NAN, r"k = nan: a float k"),
        (True, r"k must be a whole number or a fraction"),
        ("3", r"k must be a whole number or a fraction"),
        (None, r"k must be a whole number or a fraction"),
    ],
)
def test_top_share_bad_k_raises(k: Any, message: str) -> None:
    with pytest.raises(ck.InvalidInputError, match=message):
        ck.top_share([1.0, 2.0], k)


@pytest.mark.parametrize(
    ("share", "kwargs", "message"),
    [
        ([0.5, 1.5], {}, r"product_share\[1\] = 1\.5 is outside \[0, 1\]"),
        ([-0.1], {}, r"product_share\[0\] = -0\.1 is outside"),
        ([INF], {}, r"product_share\[0\] = inf is infinite"),
        ([[0.5]], {}, r"product_share must be a 1-D array"),
        (["x"], {}, r"product_share\[0\] = .x. is not a number"),
        ([0.5], {"product_led": 1.2}, r"product_led must lie in \[0, 1\]"),
        ([0.5], {"product_led": NAN}, r"product_led is NaN"),
        ([0.5], {"services_led": -0.2}, r"services_led must lie in \[0, 1\]"),
        ([0.5], {"services_led": 0.7}, r"services_led \(0\.7\) must be below product_led"),
        ([0.5], {"services_led": 0.8}, r"services_led \(0\.8\) must be below product_led"),
        ([0.5], {"labels": ("a", "b")}, r"labels must be three strings"),
        ([0.5], {"labels": ("a", "b", "c", "d")}, r"labels must be three strings"),
        ([0.5], {"labels": ("a", "b", 3)}, r"labels must be three strings"),
        ([0.5], {"recurring_share": [0.5, 0.5]}, r"recurring_share must have shape \(1,\)"),
        ([0.5], {"recurring_share": [2.0]}, r"recurring_share\[0\] = 2\.0 is outside"),
        ([0.5], {"recurring_share": [-INF]}, r"recurring_share\[0\] = -inf is infinite"),
        (
            [0.5],
            {"recurring_share": [0.5], "recurring_threshold": 1.1},
            r"recurring_threshold must lie in \[0, 1\]",
        ),
    ],
)
def test_business_model_bad_input_raises(share: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ck.InvalidInputError, match=message):
        ck.business_model(share, **kwargs)


@pytest.mark.parametrize(
    ("now", "prior", "message"),
    [
        ([NAN], [1.0], r"revenue\[0\] is NaN"),
        ([-1.0], [1.0], r"revenue\[0\] = -1\.0 is negative"),
        ([INF], [1.0], r"revenue\[0\] = inf is infinite"),
        ([1.0], [-1.0], r"revenue_prior\[0\] = -1\.0 is negative"),
        ([1.0], [INF], r"revenue_prior\[0\] = inf is infinite"),
        ([[1.0]], [[1.0]], r"revenue must be a 1-D array"),
        ([1.0], [[1.0]], r"revenue_prior must be a 1-D array"),
        ([1.0, 2.0], [1.0], r"revenue and revenue_prior must have the same shape"),
    ],
)
def test_yoy_growth_bad_input_raises(now: Any, prior: Any, message: str) -> None:
    with pytest.raises(ck.InvalidInputError, match=message):
        ck.yoy_growth(now, prior)


# --------------------------------------------------------------------------- no mutation
def test_inputs_are_not_mutated() -> None:
    rev = np.array([5.0, 0.0, 300.0, 20.0, 20.0])
    prior = np.array([4.0, NAN, 0.0, 25.0, 20.0])
    share = np.array([0.9, NAN, 0.3, 0.5, 0.7])
    rec = np.array([0.1, 0.6, NAN, 0.5, 0.0])
    as_list = rev.tolist()
    before = [a.copy() for a in (rev, prior, share, rec)]
    ck.pareto_segments(rev)
    ck.gini(rev)
    ck.lorenz_curve(rev)
    ck.top_share(rev, 2)
    ck.hhi(rev)
    ck.business_model(share, recurring_share=rec)
    ck.yoy_growth(rev, prior)
    ck.profile_channel({"revenue": rev, "revenue_prior": prior, "product_share": share})
    ck.gini(as_list)
    ck.pareto_segments(as_list)
    for a, b in zip((rev, prior, share, rec), before):
        np.testing.assert_array_equal(a, b)
    assert as_list == [5.0, 0.0, 300.0, 20.0, 20.0]


@given(revenue_arrays(max_size=20))
def test_outputs_do_not_alias_inputs(values: np.ndarray[Any, Any]) -> None:
    copy = values.copy()
    x, y = ck.lorenz_curve(values)
    y[:] = -1.0
    x[:] = -1.0
    ck.pareto_segments(values)[:] = "x"
    np.testing.assert_array_equal(values, copy)


def test_business_model_labels_must_differ() -> None:
    with pytest.raises(ck.InvalidInputError, match="four different strings"):
        ck.business_model([0.5], labels=("a", "a", "b"))
    with pytest.raises(ck.InvalidInputError, match="four different strings"):
        ck.business_model([0.5], unknown="hybrid")


# --------------------------------------------------------------------------- pandas in, pandas out
pd = pytest.importorskip("pandas")

#: Indexes a user might have: text ids, shuffled integers, a default range.
index_kinds = st.sampled_from(["text", "ints", "range"])


def _index(kind: str, n: int, rnd: Any) -> Any:
    if kind == "text":
        return pd.Index([f"p{i}" for i in rnd.sample(range(10 * n + 1), n)], name="partner")
    if kind == "ints":
        return pd.Index(rnd.sample(range(-5 * n, 5 * n + 1), n))
    return pd.RangeIndex(n)


@given(revenue_arrays(max_size=40), product_share_arrays(min_size=1), index_kinds, st.randoms())
def test_series_in_series_out_with_the_numpy_values(
    revenue: np.ndarray[Any, Any], share: np.ndarray[Any, Any], kind: str, rnd: Any
) -> None:
    n = min(len(revenue), len(share))
    revenue, share = revenue[:n], share[:n]
    index = _index(kind, n, rnd)
    rev_s = pd.Series(revenue, index=index)
    share_s = pd.Series(share, index=index)
    prior = pd.Series(revenue[::-1].copy(), index=index)
    outputs = {
        "segment": (ck.pareto_segments(rev_s), ck.pareto_segments(revenue)),
        "business_model": (ck.business_model(share_s), ck.business_model(share)),
        "business_model, recurring": (
            ck.business_model(share_s, recurring_share=share[::-1].copy()),
            ck.business_model(share, recurring_share=share[::-1].copy()),
        ),
        "yoy_growth": (ck.yoy_growth(rev_s, prior), ck.yoy_growth(revenue, revenue[::-1])),
    }
    for name, (series, array) in outputs.items():
        assert isinstance(series, pd.Series), name
        assert series.index.equals(index), name
        assert isinstance(array, np.ndarray), name
        if name == "yoy_growth":
            np.testing.assert_array_equal(series.to_numpy(), array)
        else:
            assert series.tolist() == array.tolist(), name
    # the input Series are left alone
    np.testing.assert_array_equal(rev_s.to_numpy(), revenue)


def test_series_outputs_are_named_and_labelled() -> None:
    # 500 + 300 >= 80 % of 1000; 40 <= 5 % of 1000 < 40 + 160
    rev = pd.Series([500.0, 300.0, 160.0, 40.0], index=["a", "b", "c", "d"])
    seg = ck.pareto_segments(rev)
    assert seg.name == "segment" and str(seg.dtype) == "category"
    assert list(seg.cat.categories) == list(SEGMENTS)
    assert seg.to_dict() == {"a": "contributor", "b": "contributor", "c": "potential",
                             "d": "long_tail"}  # fmt: skip
    bm = ck.business_model([0.9, 0.1], recurring_share=pd.Series([0.8, 0.2], index=["x", "y"]))
    assert bm.name == "business_model"
    assert bm.to_dict() == {"x": "product-led, recurring", "y": "services-led, one-off"}
    growth = ck.yoy_growth([120.0, 10.0], pd.Series([100.0, 0.0], index=["x", "y"]))
    assert growth.name == "yoy_growth" and growth["x"] == pytest.approx(0.2)
    assert math.isnan(growth["y"])
    # scalars stay scalars, and the Lorenz curve (over sorted values) stays numpy
    assert isinstance(ck.gini(rev), float)
    assert isinstance(ck.lorenz_curve(rev)[0], np.ndarray)


def test_series_with_different_indexes_are_not_paired_by_position() -> None:
    now = pd.Series([1.0, 2.0], index=["a", "b"])
    before = pd.Series([1.0, 2.0], index=["b", "a"])
    with pytest.raises(ck.InvalidInputError, match="different indexes"):
        ck.yoy_growth(now, before)
    with pytest.raises(ck.InvalidInputError, match="different indexes"):
        ck.business_model(now / 4, recurring_share=before / 4)


# --------------------------------------------------------------------------- the result protocol
def test_channel_profile_protocol_hand_checked() -> None:
    p = ck.profile_channel(
        {"revenue": [80.0, 10.0, 6.0, 4.0], "revenue_prior": [60.0, 10.0, 8.0, NAN]}
    )
    assert repr(p) == "ChannelProfile(n_partners=4, total_revenue=100, gini=0.58, top20_share=0.8)"
    text = p.summary()
    assert p.report() == text == str(p)
    rows = [line.split() for line in text.splitlines()]
    assert ["contributor", "1", "80.0%"] in rows
    assert ["long_tail", "1", "4.0%"] in rows
    assert ["p50", "+0.0%"] in rows
    assert p.headline()["gini"] == pytest.approx(0.58)
    seg = p.to_frame(by="segment")
    assert seg.index.name == "segment" and seg.loc["potential", "partners"] == 2
    assert p.to_frame(by="business_model")["revenue_share"].tolist() == [1.0]
    with pytest.raises(ck.InvalidInputError, match="by must be"):
        p.to_frame(by="tier")
    assert p.lorenz is not None
    np.testing.assert_allclose(p.lorenz[1], [0.0, 0.04, 0.1, 0.2, 1.0])


def test_channel_profile_keeps_a_thin_curve_of_a_large_channel() -> None:
    revenue = np.random.default_rng(3).lognormal(10, 1.5, 100_000)
    p = ck.profile_channel({"revenue": revenue})
    assert p.lorenz is not None
    x, y = p.lorenz
    assert len(x) <= 513 and x[0] == 0.0 and x[-1] == 1.0
    full_x, full_y = ck.lorenz_curve(revenue)
    np.testing.assert_allclose(y, np.interp(x, full_x, full_y), atol=1e-12)
    assert "ChannelProfile(" in repr(p) and "\n" not in repr(p) and len(repr(p)) < 200
