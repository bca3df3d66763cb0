"""The month-by-month channel simulation."""

from __future__ import annotations

import concurrent.futures
import math

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import channelkit as ck
from channelkit._montecarlo import root_seed
from channelkit._recruitment import draw_slots as _draw_slots
from channelkit.capacity import FunnelStage, Segment, plan_capacity
from channelkit.simulation import ChannelSimulation, _sign_months, simulate_channel

from .strategies import capacity_segments


def test_constant_recruitment_hand_checked() -> None:
    seg = Segment("a", 12_000.0)
    sim = simulate_channel(seg, {"a": 2}, horizon_months=6, n_sims=3, seed=0)
    months = np.arange(1, 7)
    np.testing.assert_array_equal(sim.active, np.tile(2 * months, (3, 1)))
    np.testing.assert_allclose(sim.revenue, np.tile(2 * months * 1_000.0, (3, 1)))
    # 2 + 4 + ... + 12 partner-months at 1,000 a month
    np.testing.assert_allclose(sim.total_revenue, 42_000.0)


def test_ramp_hand_checked() -> None:
    # ramp over 2 months: 0.25, 0.75, then 1; one recruit a month
    seg = Segment("a", 12_000.0, ramp_months=2)
    sim = simulate_channel(seg, {"a": 1}, horizon_months=4, n_sims=2, seed=0)
    np.testing.assert_allclose(sim.revenue[0], [250.0, 1_000.0, 2_000.0, 3_000.0])


def test_recruit_schedule_and_funnel_lag() -> None:
    seg = Segment("a", 12_000.0, funnel=[FunnelStage("signed", 1.0, 2)])
    sim = simulate_channel(seg, {"a": [3, 0, 1, 0, 0]}, horizon_months=5, n_sims=2, seed=0)
    np.testing.assert_array_equal(sim.active[0], [0, 0, 3, 3, 4])
    np.testing.assert_allclose(sim.revenue[0], [0.0, 0.0, 3_000.0, 3_000.0, 4_000.0])


def test_start_portfolio_with_growth() -> None:
    start = ck.Portfolio(["x", "y"], revenue=[60_000.0, 60_000.0])
    sim = simulate_channel(
        Segment("a", 1.0), start=start, start_growth=0.1, horizon_months=24, n_sims=2, seed=0
    )
    expected = 10_000.0 * 1.1 ** (np.arange(24) / 12)
    np.testing.assert_allclose(sim.revenue[1], expected)
    assert sim.active_by_segment[:, :, -1].min() == 2
    assert sim.active_by_segment[:, :, 0].max() == 0


def test_conversion_and_attrition_keep_revenue_per_active_partner() -> None:
    seg = Segment("a", 24_000.0, conversion=0.5, attrition=0.4)
    sim = simulate_channel(seg, {"a": 10}, horizon_months=12, n_sims=500, seed=1)
    # no ramp or growth: every active partner earns 2,000 a month
    np.testing.assert_allclose(sim.revenue, 2_000.0 * sim.active)
    # month 0: binomial(10, 0.5) active
    assert sim.active[:, 0].mean() == pytest.approx(5.0, abs=5 * math.sqrt(2.5 / 500))
    assert sim.active.max() <= 120


def test_agrees_with_a_slow_per_partner_loop() -> None:
    segs = [
        Segment(
            "a",
            stats.lognorm(s=1.0, scale=10_000),
            ramp_months=3,
            attrition=0.3,
            conversion=0.7,
            growth=0.2,
        ),
        Segment(
            "b",
            [1_000.0, 50_000.0],
            ramp_curve=[0.5],
            attrition=0.1,
            funnel=[FunnelStage("x", 0.8, 1)],
        ),
    ]
    recruits = {"a": [2, 0, 3, 1, 0, 2], "b": 1}
    h, n, seed = 6, 5, 123
    sim = simulate_channel(segs, recruits, horizon_months=h, n_sims=n, seed=seed)
    chunk_seed = root_seed(seed).spawn(1)[0]
    slow = np.zeros((n, h))
    for k, seg in enumerate(segs):
        sched = np.broadcast_to(np.asarray(recruits[seg.name]), (h,))
        signs = _sign_months(sched)
        u, converted, prod = _draw_slots(seg, chunk_seed, k, n, signs.size)
        q = seg.monthly_attrition
        for s in range(n):
            for j in range(signs.size):
                if not converted[s, j]:
                    continue
                start = signs[j] + seg.lag_months
                for m in range(start, h):
                    age = m - start
                    # active while u <= (1 - q) ** age
                    if u[s, j] > (1 - q) ** age * (1 + 1e-12):
                        break
                    ramp = seg.ramp(age + 1)[age]
                    slow[s, m] += prod[s, j] * ramp * (1 + seg.growth) ** (m / 12) / 12
    np.testing.assert_allclose(sim.revenue, slow, rtol=1e-9)


def test_same_engine_as_plan_capacity() -> None:
    segs = [
        Segment(
            "a",
            stats.lognorm(s=1.0, scale=40_000),
            ramp_months=4,
            attrition=0.2,
            conversion=0.5,
            share=2.0,
        ),
        Segment("b", stats.pareto(b=3.0, scale=100_000), ramp_months=6, attrition=0.1, share=1.0),
    ]
    existing = ck.Portfolio(["x", "y", "z"], revenue=[100_000.0, 50_000.0, 20_000.0])
    plan = plan_capacity(3e6, segs, n_sims=300, seed=8, existing=existing, existing_attrition=0.3)
    schedule = {name: [r] + [0] * 11 for name, r in plan.recruits.items()}
    sim = simulate_channel(segs, schedule, start=existing, start_attrition=0.3, n_sims=300, seed=8)
    np.testing.assert_allclose(sim.total_revenue, plan.revenue, rtol=1e-9)


@pytest.mark.parametrize("window", [2, 5])
def test_same_engine_as_plan_capacity_with_a_recruiting_window(window: int) -> None:
    segs = [
        Segment(
            "a",
            stats.lognorm(s=1.0, scale=40_000),
            ramp_months=4,
            attrition=0.2,
            conversion=0.5,
            share=2.0,
            growth=0.1,
        ),
        Segment("b", 90_000.0, attrition=0.1, funnel=[FunnelStage("s", 0.7, 2)], share=1.0),
    ]
    plan = plan_capacity(3e6, segs, n_sims=300, seed=8, recruit_months=window)
    schedule = {
        name: per_month + [0] * (12 - window)
        for name, per_month in plan.recruits_per_month.items()
    }
    sim = simulate_channel(segs, schedule, n_sims=300, seed=8)
    np.testing.assert_allclose(sim.total_revenue, plan.revenue, rtol=1e-9)
    np.testing.assert_allclose(
        np.percentile(sim.cumulative_revenue, 50, axis=0), plan.monthly_percentiles[3], rtol=1e-9
    )


@settings(max_examples=30)
@given(capacity_segments(name="a"), st.floats(0.0, 1.0), st.integers(0, 6), st.integers(0, 999))
def test_more_attrition_never_adds_partners_or_revenue(
    seg: Segment, extra: float, per_month: int, seed: int
) -> None:
    worse = attrs.evolve(seg, attrition=min(1.0, seg.attrition + extra))
    kwargs = {"horizon_months": 9, "n_sims": 20, "seed": seed}
    a = simulate_channel(seg, {"a": per_month}, **kwargs)
    b = simulate_channel(worse, {"a": per_month}, **kwargs)
    assert (b.active <= a.active).all()
    assert (b.revenue <= a.revenue * (1 + 1e-12) + 1e-9).all()
    # never more partners than were recruited so far
    assert (a.active <= per_month * np.arange(1, 10)).all()
    assert (a.revenue >= 0).all()


def test_same_result_whatever_the_workers() -> None:
    seg = Segment("a", stats.lognorm(s=1.0, scale=40_000), ramp_months=4, attrition=0.2)
    kwargs = {"horizon_months": 12, "n_sims": 700, "seed": 5}
    serial = simulate_channel(seg, {"a": 3}, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        threaded = simulate_channel(seg, {"a": 3}, workers=pool.map, **kwargs)
    pooled = simulate_channel(seg, {"a": 3}, workers=2, **kwargs)
    np.testing.assert_array_equal(serial.revenue, threaded.revenue)
    np.testing.assert_array_equal(serial.revenue, pooled.revenue)
    np.testing.assert_array_equal(serial.active, pooled.active)


def test_reporting() -> None:
    pytest.importorskip("pandas")
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    seg = Segment("a", stats.lognorm(s=1.0, scale=40_000), ramp_months=4, attrition=0.2)
    sim = simulate_channel(seg, {"a": 3}, horizon_months=10, n_sims=300, seed=2)
    assert isinstance(sim, ChannelSimulation)
    assert repr(sim).startswith("ChannelSimulation(n_sims=300, horizon_months=10")
    pct = sim.percentiles("cumulative_revenue", (5, 50, 95))
    assert pct.shape == (3, 10)
    assert (pct[0] <= pct[1]).all() and (pct[1] <= pct[2]).all()
    np.testing.assert_allclose(pct[1, -1], np.median(sim.total_revenue))
    frame = sim.to_frame()
    assert len(frame) == 10
    assert "active_p50" in frame.columns
    assert "Horizon revenue P50" in sim.summary()
    assert sim.headline()["horizon_revenue_p50"] == pytest.approx(np.median(sim.total_revenue))
    assert sim.headline()["active_at_the_end_p50"] == np.median(sim.active[:, -1])
    ax = sim.plot(what="active")
    assert ax.get_ylabel() == "active"
    ax = sim.plot()
    assert ax.yaxis.get_major_formatter()(2.5e5, 0) == "250k"  # revenue in plain thousands
    assert ax.get_title()
    plt.close("all")
    runs = sim.to_frame(by="simulation")
    assert runs.index.name == "simulation" and len(runs) == 300
    np.testing.assert_allclose(runs["total_revenue"], sim.total_revenue)
    np.testing.assert_array_equal(runs["active_end"], sim.active[:, -1])
    with pytest.raises(ck.InvalidInputError, match="by must be"):
        sim.to_frame(by="segment")  # type: ignore[arg-type]
    with pytest.raises(ck.InvalidInputError, match="what"):
        sim.percentiles("profit")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"recruits": {"zz": 1}}, "unknown segment"),
        ({"recruits": {"a": [1, 2]}}, "one value per month"),
        ({"recruits": {"a": -1}}, "below the minimum"),
        ({"recruits": {"a": 1.5}}, "whole number"),
        ({"recruits": [1]}, "mapping"),
        ({"horizon_months": 0}, "horizon_months"),
        ({"n_sims": 0}, "n_sims"),
        ({"start_attrition": 2.0}, "start_attrition"),
        ({"start_growth": -1.0}, "start_growth"),
        ({"start": 3}, "start"),
        ({"program": object()}, "program"),
        ({"workers": -2}, "workers"),
    ],
)
def test_errors(kwargs: dict, match: str) -> None:
    args: dict = {"horizon_months": 3, "n_sims": 2}
    args.update(kwargs)
    recruits = args.pop("recruits", None)
    with pytest.raises(ck.InvalidInputError, match=match):
        simulate_channel(Segment("a", 1.0), recruits, **args)


def _revenue_program() -> ck.Program:
    return ck.Program(
        [
            ck.Tier("Registered"),
            ck.Tier("Silver", requirements={"revenue": 100_000}),
            ck.Tier("Gold", requirements={"revenue": 100_000, "certified_staff": 2}),
        ]
    )


def test_program_tier_counts_hand_checked() -> None:
    # run rates during the 4-month ramp: 15k, 45k, 75k, 105k, then 120k a year;
    # one recruit a month, so in month m the partners are aged 0..m and those aged
    # >= 3 are Silver; the certified ones (segment metrics) are Gold.
    plain = Segment("plain", 120_000.0, ramp_months=4)
    certified = Segment("certified", 120_000.0, ramp_months=4, metrics={"certified_staff": 3})
    sim = simulate_channel(
        [plain, certified],
        {"plain": 1, "certified": 1},
        horizon_months=8,
        n_sims=3,
        seed=0,
        program=_revenue_program(),
    )
    assert sim.tier_names == ("Registered", "Silver", "Gold")
    assert sim.tier_counts is not None
    m = np.arange(8)
    silver = np.maximum(0, m - 2)
    np.testing.assert_array_equal(sim.tier_counts[0, :, 1], silver)
    np.testing.assert_array_equal(sim.tier_counts[0, :, 2], silver)
    np.testing.assert_array_equal(sim.tier_counts[0, :, 0], 2 * (m + 1) - 2 * silver)
    np.testing.assert_array_equal(sim.tier_counts[0, :, 3], 0)  # everyone is Registered
    np.testing.assert_array_equal(sim.tier_counts.sum(axis=2), sim.active)
    assert "Mean partners per tier at the end" in sim.summary()


def test_program_with_start_portfolio_and_attrition() -> None:
    start = ck.Portfolio(
        ["a", "b", "c"],
        revenue=[50_000.0, 150_000.0, 400_000.0],
        metrics={"certified_staff": [0.0, 1.0, 5.0]},
    )
    seg = Segment("new", stats.lognorm(s=1.0, scale=80_000), ramp_months=2, attrition=0.3)
    sim = simulate_channel(
        seg,
        {"new": 2},
        start=start,
        start_attrition=0.2,
        horizon_months=6,
        n_sims=300,
        seed=4,
        program=_revenue_program(),
    )
    assert sim.tier_counts is not None
    np.testing.assert_array_equal(sim.tier_counts.sum(axis=2), sim.active)
    # month 0: start partners a (Registered), b (Silver), c (Gold) are all still there
    start_only = simulate_channel(
        seg, None, start=start, horizon_months=2, n_sims=2, seed=1, program=_revenue_program()
    )
    assert start_only.tier_counts is not None
    np.testing.assert_array_equal(start_only.tier_counts[:, 0, :], [[1, 1, 1, 0]] * 2)
    frame = sim.to_frame()
    assert "tier_Gold_mean" in frame.columns


def test_program_metric_missing_everywhere_is_zero() -> None:
    program = ck.Program([ck.Tier("Base"), ck.Tier("Top", requirements={"csat": 8})])
    sim = simulate_channel(
        Segment("a", 1_000.0), {"a": 1}, horizon_months=3, n_sims=2, seed=0, program=program
    )
    assert sim.tier_counts is not None
    np.testing.assert_array_equal(sim.tier_counts[0, :, 1], 0)
    np.testing.assert_array_equal(sim.tier_counts[0, :, 0], [1, 2, 3])


def test_sign_months_order() -> None:
    assert _sign_months([2, 0, 3, 1]).tolist() == [0, 2, 3, 0, 2, 2]
    assert _sign_months([3, 3, 2]).tolist() == [0, 1, 2, 0, 1, 2, 0, 1]
    assert _sign_months([]).tolist() == []


def test_progress_bar_uses_tqdm_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    # tqdm.auto shows a widget in a notebook and text on a terminal
    tqdm_auto = pytest.importorskip("tqdm.auto")
    seen: list[dict[str, object]] = []

    def fake(iterable: object, **kwargs: object) -> object:
        seen.append(kwargs)
        return iterable

    monkeypatch.setattr(tqdm_auto, "tqdm", fake)
    seg = Segment("a", 12_000.0)
    sim = simulate_channel(seg, {"a": 1}, horizon_months=3, n_sims=600, seed=0, progress=True)
    quiet = simulate_channel(seg, {"a": 1}, horizon_months=3, n_sims=600, seed=0)
    assert len(seen) == 1 and seen[0]["total"] == 3  # 3 chunks of at most 256 runs
    np.testing.assert_array_equal(sim.revenue, quiet.revenue)
    plan = ck.plan_capacity(36_000.0, seg, n_sims=20, seed=0, progress=True)
    assert len(seen) > 1 and plan.partners == {"a": 3}
