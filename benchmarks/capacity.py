"""Benchmark the capacity plan and the channel simulation.

Times :func:`channelkit.plan_capacity` (2 segments x 36 months x 10,000
simulations, and one segment given as a 500,000-value sample) serially and
with 2 worker processes, and the throughput of
:func:`channelkit.simulate_channel` in partner-months per second, serially,
with 2 worker processes, and for a straightforward per-partner, per-month
Python loop over the same random draws (run on a few simulations; its
revenue is checked to equal channelkit's).

Usage::

    python benchmarks/capacity.py [--quick] [--repeats N] [--seed S] [--previous REV]

``--previous REV`` (a git revision, e.g. the commit before the issue #14
rewrite, ``5f98933``) times the same plans with that revision's channelkit
(``git archive`` into a temporary directory, run in a subprocess) and adds
the ratio to the table.

Acceptance targets: issue #5, plan_capacity with 2 segments x 36 months x
10,000 simulations in <= 10 s on a 2-core machine; issue #14 (point 6),
the same in <= 0.4 s serially, with a conversion of 0.05 in <= 2 s, and
``workers=2`` at least 1.7 times as fast as serial when the machine is quiet
(the load average is printed beside it: timings on a loaded machine say
little, and the CPU seconds of this process and of the workers are printed
too). ``workers=2`` keeps its processes between calls: the first call, which
starts them, is timed on its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import attrs
import numpy as np
from scipy import stats

import channelkit as ck
from _timing import best_of
from channelkit._montecarlo import CHUNK_SIMS, root_seed, shutdown_pools
from channelkit._recruitment import draw_slots as _draw_slots
from channelkit._recruitment import lifetimes as _lifetimes
from channelkit._recruitment import log_survival as _log_survival
from channelkit._validation import as_generator
from channelkit.simulation import _sign_months

TARGET_SECONDS = 10.0
TARGET_FAST = 0.4  # issue #14: 10,000 simulations serially
TARGET_LOW_CONVERSION = 2.0  # issue #14: conversion 0.05
TARGET_SPEEDUP = 1.7  # issue #14: workers=2 against serial, on a quiet machine
HORIZON = 36

_PREVIOUS = """
import json, sys, time, attrs
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[2])
import channelkit as ck
from capacity import segments
segs = segments()
out = {}
for name, conv in (("plan", None), ("low", 0.05)):
    s = segs if conv is None else [attrs.evolve(x, conversion=conv) for x in segs]
    best = float("inf")
    for _ in range(int(sys.argv[4])):
        t = time.perf_counter()
        p = ck.plan_capacity(6e7, s, horizon_months=36, n_sims=int(sys.argv[3]), seed=2024)
        best = min(best, time.perf_counter() - t)
    out[name] = best
print(json.dumps(out))
"""


def previous_times(rev: str, n_sims: int, repeats: int) -> dict[str, float]:
    """Best times of the two plans with channelkit at git revision ``rev`` (a subprocess)."""
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", rev, "src"], check=True, capture_output=True
        ).stdout
        tar_path = Path(tmp) / "src.tar"
        tar_path.write_bytes(archive)
        with tarfile.open(tar_path) as tar:
            tar.extractall(tmp, filter="data")
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                _PREVIOUS,
                str(Path(tmp) / "src"),
                str(Path(__file__).resolve().parent),
                str(n_sims),
                str(repeats),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    return dict(json.loads(done.stdout))


def cpu_best_of(func: Any, repeats: int) -> tuple[float, float, Any]:
    """Best wall time, best CPU time of this process, and the result."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        result = func()
        wall = min(wall, time.perf_counter() - t)
        cpu = min(cpu, time.process_time() - c)
    return wall, cpu, result


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
    parser.add_argument(
        "--previous", default=None, help="git revision to time the previous implementation at"
    )
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
    low = [attrs.evolve(s, conversion=0.05) for s in segs]
    previous: dict[str, float] = {}
    if args.previous:
        previous = previous_times(args.previous, n_plan, repeats)
    load_before = os.getloadavg()[0]
    t_serial, c_serial, plan = cpu_best_of(
        lambda: ck.plan_capacity(target, segs, **kwargs), repeats
    )
    # workers=2 keeps its two processes between calls: the first call starts them (cold),
    # the others reuse them (warm); the workers' CPU is counted once they have ended
    shutdown_pools()
    before = os.times()
    t0 = time.perf_counter()
    ck.plan_capacity(target, segs, workers=2, **kwargs)
    t_cold = time.perf_counter() - t0
    t_pool, _, plan2 = cpu_best_of(
        lambda: ck.plan_capacity(target, segs, workers=2, **kwargs), repeats
    )
    shutdown_pools()
    after = os.times()
    # CPU per call (the cold one included) of this process and of the worker processes
    c_parent = (after.user + after.system - before.user - before.system) / (repeats + 1)
    c_children = (
        after.children_user + after.children_system - before.children_user - before.children_system
    ) / (repeats + 1)
    assert plan.partners == plan2.partners, "serial and pooled plans differ"
    assert np.array_equal(plan.revenue, plan2.revenue), "serial and pooled revenue differ"
    t_low, c_low, plan_low = cpu_best_of(lambda: ck.plan_capacity(target, low, **kwargs), repeats)
    load = os.getloadavg()[0]
    print(f"plan_capacity: target {target:,.0f}, 2 segments x {HORIZON} months -> {plan!r}")
    print(f"conversion 0.05 -> {plan_low!r}")
    print()

    def vs_previous(key: str, t: float) -> str:
        return f"{previous[key] / t:.1f}" if key in previous else "-"

    print(
        "| case | simulations | time (s) | CPU (s) | ratio vs serial | ratio vs previous "
        "| load average |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(
        f"| plan_capacity, serial | {n_plan:,} | {t_serial:.2f} | {c_serial:.2f} | 1.00 "
        f"| {vs_previous('plan', t_serial)} | {load_before:.1f} |"
    )
    print(
        f"| plan_capacity, 2 workers (kept processes) | {n_plan:,} | {t_pool:.2f} | "
        f"{c_parent:.2f} + {c_children:.2f} in 2 workers | {t_serial / t_pool:.2f} | - "
        f"| {load:.1f} |"
    )
    print(
        f"| plan_capacity, 2 workers, first call (starts them) | {n_plan:,} | {t_cold:.2f} | - "
        f"| {t_serial / t_cold:.2f} | - | {load:.1f} |"
    )
    print(
        f"| plan_capacity, conversion 0.05, serial | {n_plan:,} | {t_low:.2f} | {c_low:.2f} | - "
        f"| {vs_previous('low', t_low)} | {load:.1f} |"
    )
    if previous:
        print(
            f"| previous ({args.previous}), serial | {n_plan:,} | {previous['plan']:.2f} | - | - "
            f"| 1.0 | |"
        )
        print(
            f"| previous ({args.previous}), conversion 0.05 | {n_plan:,} | {previous['low']:.2f} "
            "| - | - | 1.0 | |"
        )
    # a segment given as a large sample of observed partners (resampled): the sample is
    # a read-only array, drawn from directly and sent once to each worker process
    sample = as_generator(args.seed).lognormal(10.5, 1.0, 500_000)
    big = [ck.Segment("sample", sample, ramp_months=6, attrition=0.2, conversion=0.5)]
    t_big, plan_big = best_of(lambda: ck.plan_capacity(3e7, big, **kwargs), repeats)
    t_big2, plan_big2 = best_of(lambda: ck.plan_capacity(3e7, big, workers=2, **kwargs), repeats)
    assert np.array_equal(plan_big.revenue, plan_big2.revenue), "serial and pooled differ"
    print(
        f"| plan_capacity, 500,000-value sample, serial | {n_plan:,} | {t_big:.2f} | - | 1.00 | - | |"
    )
    print(
        f"| plan_capacity, 500,000-value sample, 2 workers | {n_plan:,} | {t_big2:.2f} | - "
        f"| {t_big / t_big2:.2f} | - | |"
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
    fast = t_serial <= TARGET_FAST
    cheap = t_low <= TARGET_LOW_CONVERSION
    speedup = t_serial / t_pool
    print(
        f"Acceptance (issue #14): 10,000 simulations <= {TARGET_FAST} s serially: {t_serial:.2f} s"
        f" ({c_serial:.2f} CPU s){scope} -> {'met' if fast else 'MISSED'}; conversion 0.05 <= "
        f"{TARGET_LOW_CONVERSION:.0f} s: {t_low:.2f} s -> {'met' if cheap else 'MISSED'}; "
        f"workers=2 >= {TARGET_SPEEDUP}x serial on a quiet machine: {speedup:.2f}x at load "
        f"average {load:.1f} on {os.cpu_count()} CPUs ({t_serial / t_cold:.2f}x for the first "
        f"call, which starts the processes) -> {'met' if speedup >= TARGET_SPEEDUP else 'MISSED'}"
    )
    return 0 if met and (args.quick or (fast and cheap)) else 1


if __name__ == "__main__":
    sys.exit(main())
