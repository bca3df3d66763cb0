"""Tests of channelkit.calibration: fitted attrition, ramp, productivity and conversion."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import channelkit as ck
from channelkit._survival import kaplan_meier, order_statistic_interval, wilson_interval
from channelkit.calibration import (
    channel_growth,
    channel_seasonality,
    fit_attrition,
    fit_conversion,
    fit_productivity,
    fit_ramp,
)


# --------------------------------------------------------------------------- Kaplan-Meier
def _km_reference(t: np.ndarray, obs: np.ndarray) -> tuple[list[float], list[float], list[float]]:
    """Plain per-time loop: the textbook product-limit estimate and Greenwood's sum."""
    times = sorted(set(t.tolist()))
    s, g = 1.0, 0.0
    surv, green = [], []
    for u in times:
        n = sum(1 for x in t if x >= u)
        d = sum(1 for x, o in zip(t, obs) if x == u and o)
        s *= 1.0 - d / n
        if d:
            g += d / (n * (n - d)) if n > d else math.inf
        surv.append(s)
        green.append(g)
    return times, surv, green


@given(st.lists(st.tuples(st.integers(1, 40), st.booleans()), min_size=1, max_size=60))
def test_kaplan_meier_equals_a_plain_reference(data: list[tuple[int, bool]]) -> None:
    t = np.array([d for d, _ in data], dtype=float)
    obs = np.array([o for _, o in data], dtype=bool)
    km = kaplan_meier(t, obs)
    times, surv, _ = _km_reference(t, obs)
    np.testing.assert_array_equal(km.times, times)
    np.testing.assert_allclose(km.survival, surv, rtol=0, atol=1e-12)
    assert np.all(km.lower <= km.survival + 1e-12) and np.all(km.survival <= km.upper + 1e-12)
    assert np.all(np.diff(km.survival) <= 0)


@given(
    st.lists(
        st.tuples(st.integers(-5, 60), st.booleans(), st.integers(-20, 70)),
        min_size=1,
        max_size=80,
    ),
    st.booleans(),
)
def test_kaplan_meier_counts_whole_months_as_the_sort_does(
    data: list[tuple[int, bool, int]], truncated: bool
) -> None:
    # whole-number durations are counted (bincount), others sorted: shifting every time
    # by half a month takes the sorting path, which must give the same estimate
    t = np.array([d for d, _, _ in data], dtype=float)
    obs = np.array([o for _, o, _ in data], dtype=bool)
    entry = (
        np.minimum(np.array([e for _, _, e in data], dtype=float), t - 1) if truncated else None
    )
    counted = kaplan_meier(t, obs, entry=entry)
    sorted_ = kaplan_meier(t + 0.5, obs, entry=None if entry is None else entry + 0.5)
    np.testing.assert_array_equal(counted.times + 0.5, sorted_.times)
    for name in ("survival", "lower", "upper", "at_risk", "events"):
        np.testing.assert_array_equal(getattr(counted, name), getattr(sorted_, name), err_msg=name)


def test_kaplan_meier_sorts_when_the_span_is_wide() -> None:
    # a few whole numbers far apart (beyond the counting span) take the sorting path
    t = np.array([1.0, 2.0, 1e12, 3.0])
    km = kaplan_meier(t, np.array([True, False, True, True]))
    assert km.times.tolist() == [1.0, 2.0, 3.0, 1e12]
    np.testing.assert_allclose(km.survival, [0.75, 0.75, 0.375, 0.0])


def test_kaplan_meier_agrees_with_scipy_ecdf() -> None:
    rng = np.random.default_rng(3)
    t = rng.integers(1, 30, size=500).astype(float)
    obs = rng.random(500) < 0.6
    km = kaplan_meier(t, obs)
    res = stats.ecdf(stats.CensoredData(uncensored=t[obs], right=t[~obs]))
    np.testing.assert_allclose(km.at(res.sf.quantiles), res.sf.probabilities, atol=1e-12)


def test_kaplan_meier_hand_checked() -> None:
    # 5 partners: exits at 2 and 4, censored at 3, 5, 5.
    km = kaplan_meier(np.array([2.0, 3, 4, 5, 5]), np.array([1, 0, 1, 0, 0], bool))
    assert km.times.tolist() == [2, 3, 4, 5]
    np.testing.assert_allclose(km.survival, [0.8, 0.8, 0.8 * 2 / 3, 0.8 * 2 / 3])
    assert km.at_risk.tolist() == [5, 4, 3, 2]


# --------------------------------------------------------------------------- attrition
def test_attrition_hand_checked_exponential() -> None:
    fit = fit_attrition([3, 12, 12, 24, 30, 36], observed=[1, 1, 0, 1, 0, 0])
    assert fit.events == 3 and fit.exposure == 117
    assert fit.monthly_rate == pytest.approx(3 / 117)
    assert fit.annual_rate == pytest.approx(1 - math.exp(-36 / 117))
    lo = stats.chi2.ppf(0.025, 6) / 234
    hi = stats.chi2.ppf(0.975, 8) / 234
    assert fit.ci == pytest.approx((1 - math.exp(-12 * lo), 1 - math.exp(-12 * hi)))


def test_attrition_handles_censoring_where_ignoring_it_would_bias() -> None:
    rng = np.random.default_rng(0)
    monthly = 0.02
    life = rng.exponential(1 / monthly, size=4000)
    follow = rng.uniform(1, 36, size=4000)  # staggered entry: heavy censoring
    t = np.minimum(life, follow)
    obs = life <= follow
    truth = 1 - math.exp(-12 * monthly)
    fit = fit_attrition(t, observed=obs)
    assert fit.ci[0] <= truth <= fit.ci[1]
    naive = fit_attrition(t)  # every duration treated as an exit
    assert naive.annual_rate > 2 * truth
    assert not naive.ci[0] <= truth <= naive.ci[1]


def test_attrition_edge_cases_answer_clearly() -> None:
    none_left = fit_attrition([5, 10, 20], observed=[0, 0, 0])
    assert none_left.annual_rate == 0.0 and 0 < none_left.ci[1] < 1
    assert none_left.model == "exponential" and none_left.weibull is None
    one = fit_attrition([7], observed=[1])
    assert one.n == 1 and 0 < one.annual_rate < 1
    first_period = fit_attrition(np.ones(50), observed=np.zeros(50))
    assert first_period.annual_rate == 0.0 and first_period.ci[1] < 1
    assert "Partner attrition" in none_left.summary()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"durations": []}, "empty"),
        ({"durations": [1, -2]}, "negative"),
        ({"durations": [1, float("nan")]}, "NaN"),
        ({"durations": [1, 2], "observed": [1]}, "shape"),
        ({"durations": [1, 2], "observed": [1, 2]}, "0/1"),
        ({"durations": [1, 2], "observed": ["yes", "no"]}, "boolean"),
        ({"durations": [0, 2], "observed": [1, 1]}, "positive duration"),
        ({"durations": [1, 2], "confidence": 1.0}, "confidence"),
    ],
)
def test_attrition_rejects_bad_input(kwargs: dict[str, object], match: str) -> None:
    durations = kwargs.pop("durations")
    with pytest.raises(ck.InvalidInputError, match=match):
        fit_attrition(durations, **kwargs)  # type: ignore[arg-type]


def test_weibull_recovers_a_known_shape() -> None:
    rng = np.random.default_rng(5)
    life = stats.weibull_min(0.6, scale=40).rvs(size=5000, random_state=rng)
    t = np.minimum(life, 48)
    fit = fit_attrition(np.maximum(t, 1e-3), observed=life <= 48)
    assert fit.model == "weibull"
    assert fit.weibull is not None and fit.weibull.shape == pytest.approx(0.6, rel=0.08)
    truth = 1 - math.exp(-((12 / 40) ** 0.6))
    assert fit.ci[0] <= truth <= fit.ci[1]
    np.testing.assert_allclose(fit.survival([0.0]), [1.0])


@pytest.mark.slow
def test_attrition_interval_coverage() -> None:
    """The 95 % interval of annual attrition covers the truth in 88-99 % of 200 repetitions."""
    rng = np.random.default_rng(11)
    hits = 0
    reps = 200
    for _ in range(reps):
        monthly = rng.uniform(0.005, 0.05)
        n = int(rng.integers(30, 400))
        life = rng.exponential(1 / monthly, size=n)
        follow = rng.uniform(1, 36, size=n)
        fit = fit_attrition(np.minimum(life, follow), observed=life <= follow)
        truth = 1 - math.exp(-12 * monthly)
        hits += fit.ci[0] <= truth <= fit.ci[1]
    assert 0.88 * reps <= hits <= 0.99 * reps


# --------------------------------------------------------------------------- productivity
def test_productivity_picks_the_generating_family() -> None:
    rng = np.random.default_rng(2)
    fit = fit_productivity(rng.gamma(2.0, 50_000.0, size=3000))
    assert fit.best == "gamma"
    dist = fit.distribution
    assert dist.mean() == pytest.approx(100_000, rel=0.05)
    seg = ck.Segment("fitted", productivity=dist)
    assert seg.name == "fitted"
    assert fit.to_frame().loc["gamma", "chosen"]


def test_productivity_counts_zeros_apart_and_rejects_bad_input() -> None:
    fit = fit_productivity([0.0, 0.0, 10.0, 20.0, 40.0])
    assert fit.zeros == 2 and fit.values.tolist() == [10.0, 20.0, 40.0]
    with pytest.raises(ck.InvalidInputError, match="at least 2"):
        fit_productivity([0.0, 0.0, 5.0])
    with pytest.raises(ck.InvalidInputError, match="unknown candidate"):
        fit_productivity([1.0, 2.0], candidates=["pareto"])
    with pytest.raises(ck.InvalidInputError, match="negative"):
        fit_productivity([1.0, -2.0])
    emp = fit_productivity([1.0, 2.0, 3.0], candidates=["empirical"])
    assert emp.best == "empirical" and emp.distribution.tolist() == [1.0, 2.0, 3.0]


def test_productivity_fit_is_scale_equivariant() -> None:
    rng = np.random.default_rng(4)
    x = rng.lognormal(10, 1.2, size=500)
    a = fit_productivity(x)
    b = fit_productivity(x * 1000)
    for name in a.fits:
        assert b.fits[name].median() == pytest.approx(1000 * a.fits[name].median(), rel=1e-6)
        assert b.ks[name] == pytest.approx(a.ks[name], abs=1e-9)
        assert b.aic[name] - a.aic[name] == pytest.approx(2 * 500 * math.log(1000), rel=1e-6)


@pytest.mark.slow
def test_productivity_median_interval_coverage() -> None:
    rng = np.random.default_rng(12)
    reps, hits = 200, 0
    for _ in range(reps):
        mu, sigma = rng.uniform(9, 12), rng.uniform(0.5, 1.5)
        n = int(rng.integers(20, 300))
        fit = fit_productivity(rng.lognormal(mu, sigma, size=n), candidates=["lognormal"])
        lo, hi = fit.median_ci
        hits += lo <= math.exp(mu) <= hi
    assert 0.88 * reps <= hits <= 0.99 * reps


def test_order_statistic_interval_small_samples() -> None:
    x = np.arange(1.0, 11.0)
    lo, hi = order_statistic_interval(x, 0.5, 0.95)
    assert (lo, hi) == (2.0, 9.0)  # ranks 2 and 9: P = 1 - 2 x P(Bin(10, .5) <= 1) = 0.979
    assert all(math.isnan(v) for v in order_statistic_interval(np.array([1.0, 2.0]), 0.5))


# --------------------------------------------------------------------------- conversion
def test_wilson_interval_hand_checked() -> None:
    lo, hi = wilson_interval(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-4) and hi == pytest.approx(0.9433, abs=1e-4)
    assert wilson_interval(0, 10)[0] == 0.0
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


@given(st.integers(0, 200), st.integers(1, 200))
def test_wilson_interval_contains_the_estimate(x: int, n: int) -> None:
    x = min(x, n)
    lo, hi = wilson_interval(x, n)
    assert 0.0 <= lo <= x / n <= hi <= 1.0


def test_conversion_from_dates_and_bad_orders() -> None:
    nat = np.datetime64("NaT")
    records = {
        "prospect": np.array(["2024-01-05", "2024-02-01", "2024-03-01"], dtype="datetime64[D]"),
        "signed": np.array(["2024-03-01", nat, "2024-03-20"], dtype="datetime64[D]"),
    }
    fit = fit_conversion(records)
    assert fit.rate.tolist() == [2 / 3]
    assert fit.lag_median.tolist() == [1.0]  # months: Jan -> Mar is 2, Mar -> Mar is 0
    with pytest.raises(ck.InvalidInputError, match="without"):
        fit_conversion({"a": [np.nan, 1.0], "b": [2.0, 3.0]})
    with pytest.raises(ck.InvalidInputError, match="before"):
        fit_conversion({"a": [5.0], "b": [3.0]})
    with pytest.raises(ck.InvalidInputError, match="no stage column"):
        fit_conversion({"a": [1.0], "b": [2.0]}, stages=["a", "c"])
    with pytest.raises(ck.InvalidInputError, match="rate > 0"):
        fit_conversion({"a": [1.0], "b": [np.nan]}).funnel()


@pytest.mark.slow
def test_conversion_interval_coverage() -> None:
    rng = np.random.default_rng(13)
    reps, hits = 200, 0
    for _ in range(reps):
        p = rng.uniform(0.05, 0.6)
        n = int(rng.integers(30, 500))
        signed = np.where(rng.random(n) < p, 1.0, np.nan)
        fit = fit_conversion({"prospect": np.zeros(n), "signed": signed})
        hits += fit.lower[0] <= p <= fit.upper[0]
    assert 0.88 * reps <= hits <= 0.99 * reps


# --------------------------------------------------------------------------- ramp
def _recruits(
    rng: np.random.Generator, n: int, months: int, curve: np.ndarray, never: float
) -> np.ndarray:
    level = rng.lognormal(8, 0.5, size=n)
    ramp = np.ones(months)
    ramp[: curve.size] = curve
    rev = level[:, None] * ramp[None, :] * rng.gamma(20, 1 / 20, size=(n, months))
    rev[rng.random(n) < never] = 0.0
    observed = rng.integers(1, months + 1, size=n)
    rev[np.arange(months)[None, :] >= observed[:, None]] = np.nan
    return rev


def test_ramp_recovers_a_known_curve_and_cure_fraction() -> None:
    rng = np.random.default_rng(7)
    truth = np.array([0.0, 0.1, 0.3, 0.5, 0.7, 0.85, 1.0, 1.0])
    rev = _recruits(rng, 3000, 24, truth, never=0.2)
    fit = fit_ramp(rev, mature_after=8, align="joined", seed=1)
    assert np.all(np.diff(fit.curve) >= 0) and all(0 <= c <= 1 for c in fit.curve)
    np.testing.assert_allclose(fit.curve[:6], truth[:6], atol=0.05)
    assert np.all(fit.lower[1:6] <= truth[1:6] + 0.02) and np.all(
        truth[1:6] <= fit.upper[1:6] + 0.02
    )
    assert fit.never_sell == pytest.approx(0.2, abs=0.05)
    assert fit.never_sell_ci[0] <= 0.2 + 0.02 and fit.never_sell_ci[1] >= 0.2 - 0.02
    seg = ck.Segment("recruits", productivity=1.0, ramp_curve=fit.curve)
    assert seg.ramp_curve == fit.curve


def test_ramp_is_deterministic_and_validates() -> None:
    rev = _recruits(np.random.default_rng(1), 100, 12, np.array([0.0, 0.5]), 0.1)
    a = fit_ramp(rev, mature_after=4, seed=3)
    b = fit_ramp(rev, mature_after=4, seed=3)
    np.testing.assert_array_equal(a.lower, b.lower)
    with pytest.raises(ck.InvalidInputError, match="no mature month"):
        fit_ramp(rev, mature_after=12)
    with pytest.raises(ck.InvalidInputError, match="negative"):
        fit_ramp([[1.0, -1.0]], mature_after=1)
    with pytest.raises(ck.InvalidInputError, match="shape"):
        fit_ramp(np.empty((0, 3)))
    zero = fit_ramp(np.zeros((5, 4)), mature_after=2)
    assert zero.n_sellers == 0 and zero.never_sell == 1.0


def test_ramp_single_month_history_is_clear() -> None:
    with pytest.raises(ck.InvalidInputError, match="no mature month"):
        fit_ramp(np.ones((3, 1)))


# --------------------------------------------------------------------------- calibrate, backtest
@pytest.fixture(scope="module")
def history() -> ck.PartnerHistory:
    from channelkit.datasets import example_history

    return example_history()


def _synthetic_history(
    rng: np.random.Generator,
    n_start: int,
    per_month: float,
    months: int,
    annual: float,
    season: tuple[float, ...] = (1.0,) * 12,
) -> ck.PartnerHistory:
    """A channel with a known constant attrition, lognormal levels and a 3-month ramp.

    ``season``: factors of the calendar months (the history starts in January).
    """
    h = 1 - (1 - annual) ** (1 / 12)
    joins = np.concatenate(
        [
            -rng.integers(1, 60, size=n_start),
            np.repeat(np.arange(1, months), rng.poisson(per_month, months - 1)),
        ]
    )
    n = joins.size
    life = rng.geometric(h, size=n) - 1  # months after joining before leaving
    last = joins + life
    # The starting cohort must be alive at month 0 to be in the data.
    keep = last >= 0
    joins, last = joins[keep], last[keep]
    n = joins.size
    level = rng.lognormal(8, 1, size=n)
    t = np.arange(months)[:, None]
    age = t - joins[None, :]
    ramp = np.clip((age + 1) / 3, 0, 1)
    active = (t >= np.maximum(joins, 0)) & (t <= last)
    factor = np.asarray(season)[np.arange(months) % 12][:, None]
    revenue = np.where(active, level * ramp * factor, 0.0)
    start = np.datetime64("2020-01", "M")
    left = np.where(last < months - 1, start + last, np.datetime64("NaT", "M"))
    return ck.PartnerHistory(
        [f"p{i}" for i in range(n)],
        "2020-01",
        {"revenue": revenue},
        present=active,
        attributes={"segment": np.where(level > np.exp(8), "big", "small")},
        joined=start + joins,
        left=left.astype("datetime64[M]"),
    )


def test_calibrate_recovers_attrition_with_left_truncation() -> None:
    rng = np.random.default_rng(21)
    hist = _synthetic_history(rng, 3000, 30, 36, annual=0.2)
    cal = ck.calibrate(hist, seed=0)
    row = next(r for r in cal.parameters if r["parameter"] == "annual_attrition")
    assert row["lower"] <= 0.2 <= row["upper"]
    seg = cal.segments["all"]
    assert seg.attrition == pytest.approx(0.2, abs=0.03)
    assert seg.conversion == pytest.approx(1.0, abs=0.02)  # every recruit sells
    assert seg.ramp_curve is not None and seg.ramp_curve[0] == pytest.approx(1 / 3, abs=0.05)


def test_calibrate_takes_the_seasons_out_of_the_ramp() -> None:
    # December sells 2.5 times a summer month; mature months lie at the end of the data,
    # always with a December in them: the raw ramp ratio would be too low.
    season = (0.8, 0.8, 1.0, 0.8, 0.8, 1.0, 0.6, 0.6, 1.0, 1.0, 1.2, 1.5)
    hist = _synthetic_history(np.random.default_rng(5), 2000, 30, 36, 0.1, season)
    cal = ck.calibrate(hist, seed=0)
    factors = np.asarray(season) / np.mean(season)
    np.testing.assert_allclose(cal.seasonality, factors, rtol=0.02)
    np.testing.assert_allclose(channel_seasonality(hist), factors, rtol=0.02)
    curve = cal.segments["all"].ramp_curve
    assert curve is not None
    np.testing.assert_allclose(curve[:3], [1 / 3, 2 / 3, 1.0], atol=0.02)
    assert cal.fits["all"]["ramp"].ratio[0] == pytest.approx(1 / 3, abs=0.01)
    raw = fit_ramp(hist, seed=0)  # the seasons left in
    assert raw.ratio[0] < 1 / 3 - 0.02
    # Without seasons the factors are 1, and a history shorter than a year has none.
    flat = _synthetic_history(np.random.default_rng(5), 2000, 30, 36, 0.1)
    np.testing.assert_allclose(channel_seasonality(flat), 1.0, atol=1e-12)
    short = _synthetic_history(np.random.default_rng(5), 50, 2, 8, 0.1, season)
    assert channel_seasonality(short).tolist() == [1.0] * 12


def test_channel_growth_leaves_out_recruits_still_ramping() -> None:
    # One established partner grows 10 %; a recruit that first sells inside the window
    # would count its ramp as growth.
    months = 36
    t = np.arange(months)
    old = np.where(t < 24, 100.0, 110.0)
    recruit = np.where(t < 16, 0.0, 100.0)
    present = np.column_stack([np.ones(months, bool), t >= 5])
    hist = ck.PartnerHistory(
        ["old", "new"],
        "2020-01",
        {"revenue": np.column_stack([old, recruit])},
        present=present,
        joined=np.array(["2018-01", "2020-06"], dtype="datetime64[M]"),
    )
    assert channel_growth(hist) == pytest.approx(0.10)
    # With no partner known to be old enough (no joined column, 30 months), every partner
    # active all 24 months counts.
    t = np.arange(30)
    young = ck.PartnerHistory(
        ["old", "new"],
        "2020-01",
        {
            "revenue": np.column_stack(
                [np.where(t < 18, 100.0, 110.0), np.where(t < 11, 0.0, 100.0)]
            )
        },
        present=np.column_stack([np.ones(30, bool), t >= 5]),
    )
    assert channel_growth(young) == pytest.approx((1320 + 1200) / (1200 + 700) - 1)


def test_calibrate_by_group_falls_back_to_pooled_for_small_groups(
    history: ck.PartnerHistory,
) -> None:
    cal = ck.calibrate(history, by="segment", seed=0)
    assert set(cal.segments) == {"SMB", "large", "micro"}
    frame = cal.to_frame()
    large_ramp = frame[(frame.segment == "large") & frame.parameter.str.startswith("ramp")]
    assert (large_ramp.source == "pooled").all()  # too few large recruits
    assert (frame[frame.segment == "SMB"].parameter.isin(["annual_attrition"])).any()
    assert all(seg.share is not None for seg in cal.segments.values())
    with pytest.raises(ck.InvalidInputError, match="no attribute 'tier'"):
        ck.calibrate(history, by="tier")
    with pytest.raises(ck.InvalidInputError, match="PartnerHistory"):
        ck.calibrate({"revenue": [1.0]})  # type: ignore[arg-type]


def test_calibration_on_the_example_history(history: ck.PartnerHistory) -> None:
    cal = ck.calibrate(history, seed=0)
    params = {r["parameter"]: r for r in cal.parameters}
    # The generating attrition (12 %) lies in its interval.
    assert params["annual_attrition"]["lower"] <= 0.12 <= params["annual_attrition"]["upper"]
    for row in cal.parameters:
        if not math.isnan(row["lower"]):
            assert row["lower"] <= row["estimate"] <= row["upper"], row
    text = cal.summary()
    assert "annual_attrition" in text and "Calibration from history" in text


def test_example_history_generating_parameters_lie_in_their_intervals(
    history: ck.PartnerHistory,
) -> None:
    from channelkit.datasets import _generate_history as gen

    truth = {
        "annual_attrition": gen.ANNUAL_ATTRITION,
        "conversion": 1.0 - gen.NEVER_SELL,
        "ramp_month_3": gen.ramp_at(3),
        "median_productivity": gen.median_productivity(),
    }
    assert truth["ramp_month_3"] == pytest.approx(3.5 / 6)
    params = {r["parameter"]: r for r in ck.calibrate(history, seed=0).parameters}
    for name, value in truth.items():
        row = params[name]
        assert row["lower"] <= value <= row["upper"], (name, value, row)
    # The recruits grow as the channel does, and calibrate measures that growth.
    assert params["growth"]["estimate"] == pytest.approx(gen.channel_growth(), abs=0.03)


@pytest.mark.slow
def test_example_history_generator_intervals_cover_over_seeds() -> None:
    """The shipped draw is not a chosen one: over 100 other generator seeds the intervals
    cover the generating values most of the time (measured: attrition 88, conversion 99,
    ramp at month 3 83, median productivity 100; benchmarks/example_history_coverage.py).

    The ramp's bootstrap treats the measured growth and seasons as known, hence its
    shortfall from 95; the floor of 80 guards against a regression, not the nominal level.
    """
    from channelkit.datasets import _generate_history as gen

    truth = {
        "annual_attrition": gen.ANNUAL_ATTRITION,
        "conversion": 1.0 - gen.NEVER_SELL,
        "ramp_month_3": gen.ramp_at(3),
        "median_productivity": gen.median_productivity(),
    }
    hits = dict.fromkeys(truth, 0)
    for seed in range(1000, 1100):
        for row in ck.calibrate(gen.make_example_history(seed), seed=0).parameters:
            if row["parameter"] in truth:
                hits[row["parameter"]] += row["lower"] <= truth[row["parameter"]] <= row["upper"]
    assert all(count >= 80 for count in hits.values()), hits


def test_example_median_productivity_is_the_generating_distributions_median() -> None:
    from channelkit.datasets import _generate as gen

    rng = np.random.default_rng(0)
    n = 400_000
    size = rng.choice(3, size=n, p=gen.SIZE_P)
    lo, hi = np.array(gen.SIZE_BOUNDS[:-1])[size], np.array(gen.SIZE_BOUNDS[1:])[size]
    employees = np.floor(np.exp(rng.uniform(np.log(lo), np.log(hi))))
    revenue = np.exp(
        gen.LOG_REVENUE
        + gen.EMPLOYEE_ELASTICITY * np.log(employees)
        + rng.normal(0.0, gen.LOG_REVENUE_SD, n)
    )
    from channelkit.datasets._generate_history import median_productivity

    assert median_productivity() == pytest.approx(float(np.median(revenue)), rel=0.01)


def test_calibration_scenario_round_trips_through_plan(
    history: ck.PartnerHistory, tmp_path: object
) -> None:
    from channelkit._scenario import parse_scenario

    cal = ck.calibrate(history, by="segment", seed=0)
    import tomllib

    text = cal.to_toml(5_000_000.0, seed=1)
    parsed = parse_scenario(tomllib.loads(text))
    segs = {s.name: s for s in parsed["segments"]}
    for name, seg in cal.segments.items():
        assert segs[name].attrition == seg.attrition
        assert segs[name].ramp_curve == seg.ramp_curve
        assert segs[name].funnel == seg.funnel
        assert float(segs[name].productivity.median()) == pytest.approx(
            float(seg.productivity.median())
        )


def test_backtest_reports_coverage(history: ck.PartnerHistory) -> None:
    bt = ck.backtest(history, cutoffs=3, n_sims=200, seed=0)
    assert bt.cutoffs.size == 3
    assert np.all(bt.p10 <= bt.p50) and np.all(bt.p50 <= bt.p90)
    assert 0.0 <= bt.coverage <= 1.0
    assert np.array_equal(bt.covered, (bt.p10 <= bt.actual) & (bt.actual <= bt.p90))
    again = ck.backtest(history, cutoffs=3, n_sims=200, seed=0)
    np.testing.assert_array_equal(bt.p50, again.p50)
    assert str(bt.cutoffs[-1]) == "2024-12"
    with pytest.raises(ck.InvalidInputError, match="need at least 12 before"):
        ck.backtest(history, cutoffs=["2025-06"], n_sims=10)
    with pytest.raises(ck.InvalidInputError, match="horizon_months"):
        ck.backtest(history, cutoffs=1, horizon_months=0)


@pytest.mark.slow
def test_attrition_from_histories_interval_coverage() -> None:
    """Monthly histories (left-truncated cohort + recruits): 95 % interval covers 88-99 %."""
    rng = np.random.default_rng(31)
    reps, hits = 100, 0
    for _ in range(reps):
        annual = float(rng.uniform(0.05, 0.4))
        hist = _synthetic_history(
            rng, int(rng.integers(100, 600)), float(rng.uniform(1, 8)), 36, annual
        )
        fit = fit_attrition(hist)
        hits += fit.ci[0] <= annual <= fit.ci[1]
    assert 0.88 * reps <= hits <= 0.99 * reps


@pytest.mark.slow
def test_ramp_interval_coverage() -> None:
    """The bootstrap band of the ramp at month 3 covers the truth in 88-99 % of 100 runs."""
    rng = np.random.default_rng(41)
    reps, hits = 100, 0
    for _ in range(reps):
        truth = np.sort(rng.uniform(0, 1, size=6))
        rev = _recruits(rng, int(rng.integers(150, 400)), 24, truth, never=0.1)
        fit = fit_ramp(rev, mature_after=8, align="joined", n_boot=300, seed=rng)
        hits += fit.lower[3] <= truth[3] <= fit.upper[3]
    assert 0.88 * reps <= hits <= 0.99 * reps


def test_ramp_band_for_many_recruits_matches_the_bootstrap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import channelkit.calibration as cal

    rev = _recruits(np.random.default_rng(8), 2000, 16, np.array([0.0, 0.2, 0.5, 0.8]), 0.1)
    boot = fit_ramp(rev, mature_after=6, align="joined", n_boot=1000, seed=0)
    monkeypatch.setattr(cal, "_BOOTSTRAP_CELLS", 0)
    normal = fit_ramp(rev, mature_after=6, align="joined", seed=0)
    np.testing.assert_array_equal(boot.ratio, normal.ratio)
    np.testing.assert_allclose(normal.lower[1:], boot.lower[1:], atol=0.01)
    np.testing.assert_allclose(normal.upper[1:], boot.upper[1:], atol=0.01)


def test_weibull_on_aggregated_lifetimes_matches_per_partner_likelihood() -> None:
    from channelkit._survival import _Lifetimes, _weibull_grouped_nll, _weibull_nll

    rng = np.random.default_rng(2)
    t = rng.integers(1, 20, size=300).astype(float)
    obs = rng.random(300) < 0.5
    entry = np.where(rng.random(300) < 0.3, np.floor(t * rng.random(300)), 0.0)
    agg = _Lifetimes.of(t, obs, entry)
    theta = np.array([0.2, 2.0])
    k, s = np.exp(theta)
    # Per-partner reference: log f for exits, log S for censored, + H(entry).
    ll = np.where(obs, np.log(k / s) + (k - 1) * np.log(t / s) - (t / s) ** k, -((t / s) ** k))
    ll = ll.sum() + ((entry / s) ** k).sum()
    assert _weibull_nll(theta, agg)[0] == pytest.approx(-ll, rel=1e-12)
    grouped = (
        np.where(
            obs, np.log(np.exp(-(((t - 1) / s) ** k)) - np.exp(-((t / s) ** k))), -((t / s) ** k)
        ).sum()
        + ((entry / s) ** k).sum()
    )
    assert _weibull_grouped_nll(theta, agg) == pytest.approx(-grouped, rel=1e-12)


def test_draw_segments_spread_shrinks_with_the_sample() -> None:
    small = ck.calibrate(_synthetic_history(np.random.default_rng(1), 60, 2, 36, 0.2), seed=0)
    large = ck.calibrate(_synthetic_history(np.random.default_rng(1), 3000, 60, 36, 0.2), seed=0)
    sd = {}
    for name, cal in (("small", small), ("large", large)):
        draws = cal.draw_segments(400, seed=2)
        att = np.array([d["all"].attrition for d in draws])
        med = np.array([float(d["all"].productivity.median()) for d in draws])
        sd[name] = (att.std(), np.log(med).std())
        assert abs(np.median(att) - cal.segments["all"].attrition) < 3 * att.std() / 20 + 0.01
    assert sd["small"][0] > 2 * sd["large"][0]
    assert sd["small"][1] > 2 * sd["large"][1]

    def key(d: dict[str, ck.Segment]) -> tuple[float, float, float]:
        seg = d["all"]
        return seg.attrition, seg.conversion, float(seg.productivity.median())

    again = small.draw_segments(3, seed=2)
    assert [key(d) for d in again] == [key(d) for d in small.draw_segments(3, seed=2)]
    with pytest.raises(ck.InvalidInputError, match="n_draws"):
        small.draw_segments(0)


def test_draw_segments_with_zero_width_intervals_are_the_estimates() -> None:
    from channelkit.calibration import _draw_attrition, _draw_logit, _rescaled

    rng = np.random.default_rng(0)
    fit = fit_attrition([5, 10, 20], observed=[0, 0, 0])
    fixed = attrs_evolve_ci(fit)
    np.testing.assert_array_equal(_draw_attrition(fixed, 5, rng), np.full(5, fixed.annual_rate))
    np.testing.assert_array_equal(_draw_logit(0.7, 0.7, 0.7, 4, rng, 1.96), np.full(4, 0.7))
    dist = stats.lognorm(1.0, scale=100.0)
    assert _rescaled(dist, 1.0) is dist
    assert _rescaled(dist, 2.0).median() == pytest.approx(200.0)


def attrs_evolve_ci(fit: ck.AttritionFit) -> ck.AttritionFit:
    import attrs

    return attrs.evolve(fit, ci=(fit.annual_rate, fit.annual_rate))


@pytest.mark.parametrize(
    "values",
    [
        np.array([3, 12, 24], dtype=np.int8),
        np.array([3, 12, 24], dtype=np.uint64),
        np.array([3, 12, 24], dtype=np.float32),
    ],
)
def test_attrition_accepts_every_real_dtype(values: np.ndarray) -> None:
    fit = fit_attrition(values, observed=[1, 0, 1])
    ref = fit_attrition([3.0, 12.0, 24.0], observed=[True, False, True])
    assert fit.annual_rate == ref.annual_rate


@pytest.mark.parametrize(
    ("values", "match"),
    [
        (np.array([1 + 0j, 2]), "complex"),
        (np.array(["2020-01", "2020-02"], dtype="datetime64[M]"), "datetime64"),
        (np.array([True, False]), "boolean"),
        ([1.0, float("inf")], "infinite|inf"),
    ],
)
def test_attrition_rejects_what_is_not_a_duration(values: object, match: str) -> None:
    with pytest.raises(ck.InvalidInputError, match=match):
        fit_attrition(values)


def test_productivity_near_the_float_limits() -> None:
    huge = fit_productivity(np.array([1e300, 1.5e300, 1e308, 1.7e308]))
    assert np.isfinite(huge.median) and huge.fits
    tiny = fit_productivity(np.array([5e-324, 1e-323, 2e-323]))
    assert tiny.median == 1e-323


def test_histories_too_short_to_estimate_say_so() -> None:
    one_month = ck.PartnerHistory(["a", "b", "c"], "2024-01", {"revenue": [[1.0, 2.0, 0.0]]})
    with pytest.raises(ck.InvalidInputError, match="at least two months"):
        fit_attrition(one_month)
    with pytest.raises(ck.InvalidInputError, match="no recruits"):
        fit_ramp(one_month)
    with pytest.raises(ck.InvalidInputError, match="at least two months"):
        ck.calibrate(one_month)
    with pytest.raises(ck.InvalidInputError, match="12 months before a cutoff"):
        ck.backtest(one_month, cutoffs=1)
    zeros = ck.PartnerHistory(["a", "b", "c"], "2024-01", {"revenue": np.zeros((24, 3))})
    fit = fit_attrition(zeros)  # all-zero revenue: nobody left, a rate of 0 with an upper bound
    assert fit.annual_rate == 0.0 and 0.0 < fit.ci[1] < 1.0


@pytest.mark.parametrize("growth", [-1.0, -2.0, math.nan, math.inf, "x", True, 1 + 0j])
def test_a_growth_that_is_not_a_rate_above_minus_one_is_refused(
    history: ck.PartnerHistory, growth: object
) -> None:
    # (it used to give NaN seasonal factors, or all ones, without a word)
    from channelkit.calibration import channel_seasonality

    for call in (
        lambda: channel_seasonality(history, growth=growth),  # type: ignore[arg-type]
        lambda: fit_ramp(history, growth=growth, seed=0),  # type: ignore[arg-type]
        lambda: ck.calibrate(history, growth=growth, seed=0),  # type: ignore[arg-type]
    ):
        with pytest.raises(ck.InvalidInputError, match="growth"):
            call()
