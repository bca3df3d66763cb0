"""The Monte Carlo engine of plan_capacity at its draw floor (issue #14, point 6)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import channelkit as ck
import channelkit.capacity as cap
from channelkit._recruitment import Sampler, draw_productivity, productivity_spec
from channelkit.capacity import (
    Segment,
    _engine,
    _eval_chunk,
    _eval_stored,
    _search_chunk,
    plan_capacity,
)

from .strategies import segment_lists


@pytest.mark.parametrize(
    "dist",
    [
        stats.lognorm(s=1.2, scale=40_000),
        stats.lognorm(0.5, 100.0, 2_000.0),  # positional loc and scale
        stats.gamma(a=2.5, scale=1_000),
        stats.weibull_min(c=0.8, loc=10.0, scale=500.0),
        stats.expon(scale=3_000),
    ],
)
def test_numpy_samplers_draw_the_distribution(dist: object) -> None:
    spec = productivity_spec(dist)
    assert spec[0] in ("lognorm", "gamma", "weibull_min", "expon")
    draws = draw_productivity(dist, np.random.default_rng(0), (200, 100), "s")
    assert draws.shape == (200, 100)
    assert stats.kstest(draws.ravel(), dist.cdf).pvalue > 1e-3  # type: ignore[attr-defined]


def test_specs_of_the_other_kinds() -> None:
    assert productivity_spec(5.0) == ("const", 5.0)
    assert productivity_spec(np.array([1.0, 2.0]))[0] == "sample"
    assert productivity_spec(stats.pareto(b=3.0))[0] == "generic"
    assert productivity_spec(stats.lognorm(s=1.0)) == ("lognorm", 1.0, 0.0, 1.0)


def test_per_row_parameters_draw_each_rows_distribution() -> None:
    specs = [productivity_spec(stats.lognorm(s=0.5, scale=v)) for v in (100.0, 1_000.0)]
    rows = np.array([0, 1] * 50)
    draws = Sampler(specs, rows, "s").draw(np.random.default_rng(1), 2_000)
    med = np.median(draws, axis=1)
    np.testing.assert_allclose(med[0::2], 100.0, rtol=0.05)
    np.testing.assert_allclose(med[1::2], 1_000.0, rtol=0.05)
    # the same parameters on every row: the numbers of the plain draw
    same = Sampler([specs[0], specs[0]], rows, "s").draw(np.random.default_rng(1), 7)
    plain = draw_productivity(
        stats.lognorm(s=0.5, scale=100.0), np.random.default_rng(1), (100, 7), "s"
    )
    np.testing.assert_array_equal(same, plain)


@settings(max_examples=20, deadline=None)
@given(segment_lists(max_size=2), st.integers(1, 4), st.integers(0, 2**16))
def test_kept_draws_evaluate_like_drawing_again(
    segs: list[Segment], window: int, seed: int
) -> None:
    # the final evaluation from the search's draws and from drawing them again agree
    # to the last bit (a cache miss in a worker process must not change the plan)
    from channelkit.capacity import _allocation_table, _weights

    w = _weights(segs)
    eng = _engine(tuple(segs), w, 12, np.array([1_000.0]), cap._log_survival(0.3), window)
    chunk = np.random.SeedSequence(seed)
    need, stored = _search_chunk((eng, chunk, 7, 2e5, 4, 300, 0, 1 << 30))
    assert stored is not None
    for size in {0, 1, int(np.median(need)), int(need.min())}:
        counts = _allocation_table(w, max(size, 0))[-1]
        kept = _eval_stored(eng, stored, counts)
        again = _eval_chunk((eng, chunk, 7, counts, 0))
        if kept is None:  # beyond the kept draws: the plan draws again
            continue
        np.testing.assert_array_equal(kept[0], again[0])
        np.testing.assert_array_equal(kept[1], again[1])


def test_plans_without_kept_draws_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    segs = [
        Segment(
            "a",
            stats.lognorm(s=1.0, scale=40_000),
            ramp_months=4,
            attrition=0.2,
            conversion=0.3,
            share=2.0,
        ),
        Segment("b", [5_000.0, 90_000.0], attrition=0.1, share=1.0),
    ]
    kept = plan_capacity(5e6, segs, n_sims=600, seed=3, recruit_months=3)
    monkeypatch.setattr(cap, "_KEEP_LIMIT", 0)  # bounded memory: drop blocks, draw again
    dropped = plan_capacity(5e6, segs, n_sims=600, seed=3, recruit_months=3)
    assert kept.partners == dropped.partners
    np.testing.assert_array_equal(kept.required_partners, dropped.required_partners)
    np.testing.assert_array_equal(kept.revenue, dropped.revenue)


def test_draws_stay_near_the_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    # only converted partners are drawn, about as many as the simulations need: at most
    # 1.6 x the partners of the plan (the blocks a chunk's slowest simulation needs)
    segs = [
        Segment(
            "r",
            stats.lognorm(s=1.2, scale=40_000),
            ramp_months=6,
            attrition=0.25,
            conversion=0.4,
            share=3.0,
        ),
        Segment(
            "i",
            stats.lognorm(s=0.8, scale=250_000),
            ramp_months=9,
            attrition=0.1,
            conversion=0.05,
            share=1.0,
        ),
    ]
    drawn = []
    original = cap._Partners._draw

    def counting(self: cap._Partners) -> None:
        original(self)
        drawn.append(self.blocks[-1][0].size)

    monkeypatch.setattr(cap._Partners, "_draw", counting)
    plan = plan_capacity(6e7, segs, horizon_months=36, n_sims=1_024, seed=2024)
    floor = plan.total_partners * 1_024
    assert sum(drawn) <= 1.6 * floor


# --------------------------------------------------------------------------- kept worker processes
def _pid(_: object) -> int:
    import os

    return os.getpid()


def _leftovers(_: object) -> tuple[int, int]:
    from channelkit import _montecarlo

    return len(_montecarlo._SHARED), len(_montecarlo._CACHE)


def _segments() -> list[ck.Segment]:
    return [
        ck.Segment(
            "a", stats.lognorm(s=1.0, scale=50_000), ramp_months=3, attrition=0.2, share=1.0
        ),
        ck.Segment("b", stats.lognorm(s=0.7, scale=200_000), attrition=0.1, share=0.5),
    ]


def test_worker_processes_are_kept_between_calls() -> None:
    from channelkit import _montecarlo as mc

    mc.shutdown_pools()
    first = set(mc.run_map(_pid, list(range(8)), 2))
    plan = ck.plan_capacity(2e6, _segments(), n_sims=600, seed=3, workers=2)
    second = set(mc.run_map(_pid, list(range(8)), 2))
    assert len(first) == 2 and first == second  # the same two processes
    # nothing a call installed or cached stays in them
    assert set(mc.run_map(_leftovers, list(range(4)), 2)) == {(0, 0)}
    # and the plan is the serial one
    serial = ck.plan_capacity(2e6, _segments(), n_sims=600, seed=3)
    assert plan.partners == serial.partners
    np.testing.assert_array_equal(plan.revenue, serial.revenue)
    mc.shutdown_pools()
    third = set(mc.run_map(_pid, list(range(8)), 2))
    assert len(third) == 2 and third.isdisjoint(first)  # new processes after a shutdown
    mc.shutdown_pools()


def test_a_broken_worker_process_is_replaced() -> None:
    import concurrent.futures.process
    import os
    import signal

    from channelkit import _montecarlo as mc

    mc.shutdown_pools()
    pids = set(mc.run_map(_pid, [0, 1], 2))
    os.kill(next(iter(pids)), signal.SIGKILL)
    with pytest.raises(concurrent.futures.process.BrokenProcessPool):
        ck.plan_capacity(2e6, _segments(), n_sims=600, seed=3, workers=2)
    # the next call starts new processes and gives the serial plan
    plan = ck.plan_capacity(2e6, _segments(), n_sims=600, seed=3, workers=2)
    serial = ck.plan_capacity(2e6, _segments(), n_sims=600, seed=3)
    np.testing.assert_array_equal(plan.revenue, serial.revenue)
    assert set(mc.run_map(_pid, [0, 1], 2)).isdisjoint(pids)
    mc.shutdown_pools()
