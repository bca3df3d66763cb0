"""Benchmark the capacity plan and the channel simulation.

Times :func:`channelkit.plan_capacity` (2 segments x 36 months x 10,000
simulations, and one segment given as a 500,000-value sample) serially and
with 2 worker processes, and the throughput of
:func:`channelkit.simulate_channel` in partner-months per second, serially,
with 2 worker processes, and for a straightforward per-partner, per-month
Python loop over the same random draws (run on a few simulations; its
revenue is checked to equal channelkit's).

Usage::

    python benchmarks/capacity.py [--quick] [--repeats N] [--seed S]

Acceptance target (issue #5): plan_capacity with 2 segments x 36 months x
10,000 simulations in <= 10 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from typing import Any

import numpy as np
from scipy import stats

import channelkit as ck
from _timing import best_of
from channelkit._montecarlo import CHUNK_SIMS, root_seed
from channelkit._recruitment import draw_slots as _draw_slots
from channelkit._recruitment import lifetimes as _lifetimes
from channelkit._recruitment import log_survival as _log_survival
from channelkit._validation import as_generator
from channelkit.simulation import _sign_months

TARGET_SECONDS = 10.0
HORIZON = 36


def segments() -> list[ck.Segment]:
    """Two kinds of partner: many small resellers, fewer large integrators."""
    return [
        ck.Segment(
            "resellers",
            stats.lognorm(s=1.2, scale=40_000),
            ramp_months=6,
            attrition=0.25,
            conversion=0.4,
            share=3.0,
        ),
        ck.Segment(
            "integrators",
            stats.lognorm(s=0.8, scale=250_000),
            ramp_months=9,
            attrition=0.1,
            conversion=0.6,
            share=1.0,
        ),
    ]


# --------------------------------------------------------------------------- the loop reference
def loop_revenue(
    segs: list[ck.Segment],
    recruits: dict[str, int],
    start_revenue: np.ndarray,
    start_attrition: float,
    seed: int,
    n_rows: int,
    chunk_rows: int,
) -> np.ndarray:
    """Monthly revenue of the first ``n_rows`` simulations, one partner-month at a time.

    Uses the same random draws as simulate_channel's first chunk.
    """
    chunk_seed = root_seed(seed).spawn(1)[0]
    out = np.zeros((n_rows, HORIZON))
    # starting partners: the same lifetimes (stream 0 of the chunk)
    rng = np.random.default_rng(
        np.random.SeedSequence(
            entropy=chunk_seed.entropy,
            spawn_key=(*chunk_seed.spawn_key, 0),
            pool_size=chunk_seed.pool_size,
        )
    )
    u_start = 1.0 - rng.random((chunk_rows, start_revenue.size))
    life = _lifetimes(u_start, _log_survival(start_attrition), HORIZON + 1)
    for s in range(n_rows):
        for j, rev in enumerate(start_revenue.tolist()):
            for m in range(HORIZON):
                if m >= life[s, j]:
                    break
                out[s, m] += rev / 12.0
    for k, seg in enumerate(segs):
        signs = _sign_months(np.full(HORIZON, recruits[seg.name])).tolist()
        u, converted, prod = _draw_slots(seg, chunk_seed, k, chunk_rows, len(signs))
        q = seg.monthly_attrition
        ramp = seg.ramp(HORIZON).tolist()
        for s in range(n_rows):
            for j, sign in enumerate(signs):
                if not converted[s, j]:
                    continue
                p = float(prod[s, j])
                start = sign + seg.lag_months
                for m in range(start, HORIZON):
                    age = m - start
                    if u[s, j] > (1.0 - q) ** age * (1 + 1e-12):
                        break
                    out[s, m] += p * ramp[age] * (1.0 + seg.growth) ** (m / 12.0) / 12.0
    return out


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    parser.add_argument("--repeats", type=int, default=3, help="repeats per timing (best of)")
    parser.add_argument("--seed", type=int, default=2024, help="random seed")
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else args.repeats
    n_plan = 2_000 if args.quick else 10_000
    n_sim = 500 if args.quick else 2_000
    n_loop = 2 if args.quick else 4
    segs = segments()

    print(
        f"channelkit {ck.__version__}, numpy {np.__version__}, Python {platform.python_version()},"
        f" {os.cpu_count()} CPUs"
    )
    print()

    # ---- plan_capacity
    target = 60_000_000.0
    kwargs: dict[str, Any] = {"horizon_months": HORIZON, "n_sims": n_plan, "seed": args.seed}
    t_serial, plan = best_of(lambda: ck.plan_capacity(target, segs, **kwargs), repeats)
    t_pool, plan2 = best_of(lambda: ck.plan_capacity(target, segs, workers=2, **kwargs), repeats)
    assert plan.partners == plan2.partners, "serial and pooled plans differ"
    assert np.array_equal(plan.revenue, plan2.revenue), "serial and pooled revenue differ"
    print(f"plan_capacity: target {target:,.0f}, 2 segments x {HORIZON} months -> {plan!r}")
    print()
    print("| case | simulations | time (s) | ratio vs serial |")
    print("|---|---:|---:|---:|")
    print(f"| plan_capacity, serial | {n_plan:,} | {t_serial:.2f} | 1.00 |")
    print(f"| plan_capacity, 2 workers | {n_plan:,} | {t_pool:.2f} | {t_serial / t_pool:.2f} |")
    # a segment given as a large sample of observed partners (resampled): the sample is
    # a read-only array, drawn from directly and sent once to each worker process
    sample = as_generator(args.seed).lognormal(10.5, 1.0, 500_000)
    big = [ck.Segment("sample", sample, ramp_months=6, attrition=0.2, conversion=0.5)]
    t_big, plan_big = best_of(lambda: ck.plan_capacity(3e7, big, **kwargs), repeats)
    t_big2, plan_big2 = best_of(lambda: ck.plan_capacity(3e7, big, workers=2, **kwargs), repeats)
    assert np.array_equal(plan_big.revenue, plan_big2.revenue), "serial and pooled differ"
    print(f"| plan_capacity, 500,000-value sample, serial | {n_plan:,} | {t_big:.2f} | 1.00 |")
    print(
        f"| plan_capacity, 500,000-value sample, 2 workers | {n_plan:,} | {t_big2:.2f} "
        f"| {t_big / t_big2:.2f} |"
    )
    print()

    # ---- simulate_channel throughput
    rng = as_generator(args.seed)
    start = {"revenue": stats.lognorm(s=1.5, scale=50_000).rvs(size=500, random_state=rng)}
    recruits = {"resellers": 12, "integrators": 4}
    sim_kwargs: dict[str, Any] = {
        "start": start,
        "start_attrition": 0.15,
        "horizon_months": HORIZON,
        "seed": args.seed,
    }
    partners = 500 + HORIZON * sum(recruits.values())
    rows_sim: list[tuple[str, int, float]] = []
    t_s, sim = best_of(
        lambda: ck.simulate_channel(segs, recruits, n_sims=n_sim, **sim_kwargs), repeats
    )
    rows_sim.append(("simulate_channel, serial", n_sim, t_s))
    t_p, sim2 = best_of(
        lambda: ck.simulate_channel(segs, recruits, n_sims=n_sim, workers=2, **sim_kwargs),
        repeats,
    )
    assert np.array_equal(sim.revenue, sim2.revenue), "serial and pooled simulations differ"
    rows_sim.append(("simulate_channel, 2 workers", n_sim, t_p))
    start_rev = np.asarray(start["revenue"], dtype=np.float64)
    t_l, slow = best_of(
        lambda: loop_revenue(
            segs, recruits, start_rev, 0.15, args.seed, n_loop, min(CHUNK_SIMS, n_sim)
        ),
        1,
    )
    np.testing.assert_allclose(slow, sim.revenue[:n_loop], rtol=1e-9)
    rows_sim.append(("per-partner Python loop", n_loop, t_l))
    loop_rate = n_loop * partners * HORIZON / t_l

    print(
        f"simulate_channel: 500 starting partners + {sum(recruits.values())} prospects a month "
        f"over 2 segments, {HORIZON} months ({partners:,} partners per simulation)"
    )
    print()
    print("| case | simulations | partner-months | time (s) | partner-months/s | ratio vs loop |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, n, t in rows_sim:
        pm = n * partners * HORIZON
        rate = pm / t
        print(f"| {name} | {n:,} | {pm:,} | {t:.3f} | {rate:,.0f} | {rate / loop_rate:,.0f} |")
    print()
    met = t_serial <= TARGET_SECONDS or args.quick
    verdict = "met" if met else "MISSED"
    scope = "" if not args.quick else " (quick run: fewer simulations)"
    print(
        f"Acceptance (issue #5): plan_capacity, 2 segments x {HORIZON} months x 10,000 "
        f"simulations <= {TARGET_SECONDS:.0f} s: {t_serial:.2f} s serially{scope} -> {verdict}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
