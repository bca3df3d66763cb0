"""Plans and simulations that carry the uncertainty of calibrated parameters (issue #11, point 6)."""

from __future__ import annotations

import concurrent.futures

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import channelkit as ck
from channelkit.capacity import Segment, _between_share, plan_capacity
from channelkit.simulation import simulate_channel

from .strategies import segment_lists
from .test_calibration import _synthetic_history


def _calibration(n_partners: int, seed: int) -> ck.Calibration:
    """A calibration on a synthetic history of ``n_partners`` (20 % attrition, lognormal levels)."""
    hist = _synthetic_history(np.random.default_rng(seed), n_partners, n_partners / 100, 36, 0.2)
    return ck.calibrate(hist, seed=0)


def _zero_width(cal: ck.Calibration) -> ck.Calibration:
    """The calibration with every interval draw_segments reads collapsed onto its estimate."""
    fits = {}
    for name, group in cal.fits.items():
        att, ramp, prod = group["attrition"], group["ramp"], group["productivity"]
        never = 1.0 - cal.segments[name].conversion
        fits[name] = {
            **group,
            "attrition": attrs.evolve(
                att, ci=(att.annual_rate, att.annual_rate), model="exponential"
            ),
            "ramp": attrs.evolve(ramp, never_sell_ci=(never, never)),
            "productivity": attrs.evolve(prod, median_ci=(prod.median, prod.median)),
        }
    return attrs.evolve(cal, fits=fits)


@pytest.mark.parametrize("history_seed", [5, 11])
def test_plan_with_parameter_uncertainty_is_monotone_in_sample_size(history_seed: int) -> None:
    # the same generating parameters, observed on 30, 300 and 3,000 partners: fewer
    # observed partners never give a smaller plan at the same confidence
    sizes = []
    for n in (30, 300, 3_000):
        cal = _calibration(n, history_seed)
        draws = cal.draw_segments(200, seed=2)
        plan = plan_capacity(
            2e6, list(cal.segments.values()), n_sims=2_000, seed=1, parameter_draws=draws
        )
        plain = plan_capacity(2e6, list(cal.segments.values()), n_sims=2_000, seed=1)
        assert plan.total_partners >= plain.total_partners  # uncertainty adds caution
        sizes.append((plan.total_partners, plan.parameter_variance_share))
    assert [s for s, _ in sizes] == sorted((s for s, _ in sizes), reverse=True)
    shares = [v for _, v in sizes]
    assert shares[0] > shares[-1]  # the spread from the parameters shrinks with the data


def test_zero_width_intervals_give_the_plain_plan() -> None:
    cal = _calibration(300, 5)
    flat = _zero_width(cal)
    draws = flat.draw_segments(40, seed=3)
    segs = list(cal.segments.values())
    assert all(d == cal.segments for d in draws)  # the draws are the point estimates
    plain = plan_capacity(2e6, segs, n_sims=1_000, seed=4)
    plan = plan_capacity(2e6, segs, n_sims=1_000, seed=4, parameter_draws=draws)
    assert plan.partners == plain.partners
    assert plan.recruits == plain.recruits
    np.testing.assert_array_equal(plan.revenue, plain.revenue)
    np.testing.assert_array_equal(plan.required_partners, plain.required_partners)
    assert plan.parameter_draws == 40
    assert plan.parameter_variance_share is not None and plan.parameter_variance_share < 0.1
    assert plain.parameter_draws == 0 and plain.parameter_variance_share is None
    sim = simulate_channel(segs, {"all": 5}, n_sims=300, seed=4)
    sim_d = simulate_channel(segs, {"all": 5}, n_sims=300, seed=4, parameter_draws=draws)
    np.testing.assert_array_equal(sim.revenue, sim_d.revenue)


@settings(max_examples=15, deadline=None)
@given(segment_lists(max_size=2), st.integers(1, 5), st.integers(0, 2**16))
def test_identical_draws_give_the_plain_plan(segs: list[Segment], n_draws: int, seed: int) -> None:
    draws = [list(segs)] * n_draws  # lists in the order of the segments
    try:
        plain = plan_capacity(1e6, segs, n_sims=64, seed=seed, max_partners=20_000)
    except ck.InfeasibleError:
        return
    plan = plan_capacity(
        1e6, segs, n_sims=64, seed=seed, max_partners=20_000, parameter_draws=draws
    )
    assert plan.partners == plain.partners
    np.testing.assert_array_equal(plan.revenue, plain.revenue)


@settings(max_examples=10, deadline=None)
@given(segment_lists(max_size=2), st.integers(0, 2**16), st.data())
def test_a_worse_draw_never_gives_a_smaller_plan(
    segs: list[Segment], seed: int, data: st.DataObject
) -> None:
    # draws that only raise attrition (every draw at least the point estimate) never
    # need fewer partners than the point estimates: the same numbers decide both
    extra = data.draw(st.lists(st.floats(0.0, 0.5), min_size=1, max_size=4))
    draws = [
        {s.name: attrs.evolve(s, attrition=min(1.0, s.attrition + e)) for s in segs} for e in extra
    ]
    kwargs = {"n_sims": 32, "seed": seed, "max_partners": 20_000}
    try:
        worse = plan_capacity(1e6, segs, parameter_draws=draws, **kwargs).total_partners
    except ck.InfeasibleError:
        return
    assert plan_capacity(1e6, segs, **kwargs).total_partners <= worse


def test_same_plan_with_draws_whatever_the_workers() -> None:
    cal = _calibration(60, 5)
    draws = cal.draw_segments(30, seed=1)
    segs = list(cal.segments.values())
    a = plan_capacity(1e6, segs, n_sims=700, seed=9, parameter_draws=draws)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        b = plan_capacity(1e6, segs, n_sims=700, seed=9, parameter_draws=draws, workers=pool.map)
    assert a.partners == b.partners
    np.testing.assert_array_equal(a.revenue, b.revenue)
    assert a.parameter_variance_share == b.parameter_variance_share


def test_simulation_draws_hand_checked() -> None:
    # one 12,000-a-year recruit a month for 3 months; draw 0 keeps everyone, draw 1 loses
    # every partner after its first month: 1 + 2 + 3 = 6 and 1 + 1 + 1 = 3 partner-months
    seg = Segment("a", 12_000.0)
    draws = [{"a": seg}, {"a": attrs.evolve(seg, attrition=1.0)}]
    sim = simulate_channel(
        seg, {"a": 1}, horizon_months=3, n_sims=4, seed=0, parameter_draws=draws
    )
    np.testing.assert_allclose(sim.total_revenue, [6_000.0, 3_000.0, 6_000.0, 3_000.0])
    # conversion draws: a draw converting nobody (1e-12) sells nothing
    none = [{"a": attrs.evolve(seg, conversion=1e-12)}]
    sim = simulate_channel(seg, {"a": 1}, horizon_months=3, n_sims=2, seed=0, parameter_draws=none)
    np.testing.assert_allclose(sim.total_revenue, 0.0)


def test_between_share_hand_checked() -> None:
    # draws alternate: 0, 1, 0, 1. [1, 3, 1, 3]: all between; [1, 3, 3, 1]: all within
    assert _between_share(np.array([1.0, 3.0, 1.0, 3.0]), 2) == 1.0
    assert _between_share(np.array([1.0, 3.0, 3.0, 1.0]), 2) == 0.0
    # group means 2 and 6 (var 8), within variance 2 (each group +-1): 8 - 2/2 = 7 of 9
    assert _between_share(np.array([1.0, 5.0, 3.0, 7.0]), 2) == pytest.approx(7 / 9)
    assert _between_share(np.array([1.0, 2.0, 3.0]), 3) is None  # one simulation a draw


def test_plan_reports_the_parameter_share() -> None:
    cal = _calibration(30, 5)
    plan = plan_capacity(
        2e6,
        list(cal.segments.values()),
        n_sims=1_000,
        seed=1,
        parameter_draws=cal.draw_segments(100, seed=2),
    )
    share = plan.parameter_variance_share
    assert share is not None and 0.0 < share < 1.0
    assert plan.headline()["parameter_share"] == share
    assert "Spread from parameter uncertainty" in plan.summary()
    assert "100 parameter draws" in plan.summary()
    many = plan_capacity(
        2e6,
        list(cal.segments.values()),
        n_sims=50,
        seed=1,
        parameter_draws=cal.draw_segments(100, seed=2),
    )
    assert many.parameter_variance_share is None
    assert "not split" in many.summary()


@pytest.mark.parametrize(
    ("draws", "match"),
    [
        ([], "at least one draw"),
        ("abc", "sequence of segment mappings"),
        ([{"b": Segment("b", 1.0)}], "no segment 'a'"),
        ([[Segment("a", 1.0), Segment("b", 1.0)]], "2 segments for 1"),
        ([{"a": Segment("b", 1.0)}], "named 'b'"),
        ([{"a": Segment("a", 1.0, ramp_months=3)}], "lag, ramp or growth"),
        ([{"a": "x"}], "must be a Segment"),
        ([3], "mapping name -> Segment"),
    ],
)
def test_bad_parameter_draws(draws: object, match: str) -> None:
    seg = Segment("a", 1_000.0)
    with pytest.raises(ck.InvalidInputError, match=match):
        plan_capacity(1e4, seg, n_sims=4, seed=0, parameter_draws=draws)  # type: ignore[arg-type]
    with pytest.raises(ck.InvalidInputError, match=match):
        simulate_channel(seg, {"a": 1}, n_sims=4, seed=0, parameter_draws=draws)  # type: ignore[arg-type]
