"""Benchmark of tier evaluation and progression against per-partner Python loops.

Run from the project root::

    PYTHONPATH=src python benchmarks/tiers.py [--quick]

Prints a Markdown table: size, channelkit's time (best of ``--repeat``), the
time of a straightforward per-partner Python loop computing the same result
(measured once, in the same run) and the ratio. The results of both are
checked to be identical.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import channelkit as ck
from channelkit.progression import _progress_kernel

METRICS = ("sourced", "assisted", "certified", "deals", "csat", "growth")


def make_program(policy: ck.ProgressionPolicy | None = None) -> ck.Program:
    """4 tiers x 6 metrics: a 6-item scorecard plus per-tier minimums on three metrics."""
    card = ck.Scorecard(
        [
            ck.ScoreItem("sourced", 3e-3, max_points=600),
            ck.ScoreItem("assisted", 1e-3, max_points=300),
            ck.ScoreItem("certified", 20, max_points=300, required=True),
            ck.ScoreItem("deals", 10, max_points=200),
            ck.ScoreItem("csat", 10, max_points=100),
            ck.ScoreItem("growth", 200, max_points=100),
        ]
    )
    tiers = [
        ck.Tier("Registered", requirements={"csat": 5.0}),
        ck.Tier("Silver", 150, {"csat": 6.5, "certified": 1, "growth": -0.2}),
        ck.Tier("Gold", 450, {"csat": 7.5, "certified": 4, "growth": -0.1}),
        ck.Tier("Platinum", 900, {"csat": 8.5, "certified": 12, "growth": 0.0}),
    ]
    return ck.Program(tiers, scorecard=card, policy=policy or ck.ProgressionPolicy())


def make_columns(
    n: int, rng: np.random.Generator, shape: tuple[int, ...] | None = None
) -> dict[str, Any]:
    size = shape or (n,)
    return {
        "sourced": rng.lognormal(10, 1.5, size),
        "assisted": rng.lognormal(10, 1.5, size),
        "certified": rng.poisson(3, size).astype(float),
        "deals": rng.poisson(5, size).astype(float),
        "csat": np.round(rng.uniform(3, 10, size), 1),
        "growth": rng.normal(0.05, 0.2, size),
    }


def loop_evaluate(program: ck.Program, cols: dict[str, Any]) -> np.ndarray[Any, Any]:
    """The per-partner loop a spreadsheet-minded implementation would write."""
    assert program.scorecard is not None
    items = [
        (it.metric, it.points_per_unit, it.max_points, it.required)
        for it in program.scorecard.items
    ]
    tiers = [(t.min_score, list(t.requirements.items())) for t in program.tiers]
    rows = {m: cols[m].tolist() for m in METRICS}
    n = len(rows["csat"])
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        score = 0.0
        req_ok = True
        for metric, ppu, cap, required in items:
            x = rows[metric][i]
            score += min(max(ppu * x, 0.0), cap)
            if required and x <= 0:
                req_ok = False
        best = -1
        for k, (min_score, reqs) in enumerate(tiers):
            ok = min_score is None or (score >= min_score and req_ok)
            if ok and all(rows[m][i] >= v for m, v in reqs):
                best = k
        out[i] = best
    return out


def loop_progress(
    evaluated: np.ndarray[Any, Any], pol: ck.ProgressionPolicy
) -> np.ndarray[Any, Any]:
    periods, n = evaluated.shape
    ev = evaluated.T.tolist()
    out = np.empty((n, periods), dtype=np.int64)
    for i in range(n):
        row = ev[i]
        cur, fails = row[0], 0
        res = out[i]
        for t in range(periods):
            promo = (t + 1) % pol.review_every == 0
            demo = (t + 1) % pol.demotion_cadence == 0
            if promo or demo:
                q = max(row[max(0, t - pol.window + 1) : t + 1])
                if promo and q > cur:
                    cur = q if pol.max_steps_up is None else min(q, cur + pol.max_steps_up)
                    fails = 0
                if demo:
                    if q < cur:
                        fails += 1
                        if fails > pol.grace_reviews:
                            cur = (
                                q
                                if pol.max_steps_down is None
                                else max(q, cur - pol.max_steps_down)
                            )
                            fails = 0
                    else:
                        fails = 0
            res[t] = cur
    return out.T


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def once(fn: Callable[[], Any]) -> tuple[float, Any]:
    return best_of(fn, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    parser.add_argument("--repeat", type=int, default=5, help="repeats of the fast code (best of)")
    args = parser.parse_args()
    rng = np.random.default_rng(20261122)
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    program = make_program()

    print("## evaluate: 4 tiers x 6 metrics (6-item scorecard + 3 minimums per tier)\n")
    print("| partners | channelkit evaluate [s] | per-partner loop [s] | ratio | tiers equal |")
    print("|---:|---:|---:|---:|:---:|")
    for n in sizes:
        cols = make_columns(n, rng)
        pf = ck.Portfolio.from_columns({"id": np.arange(n).astype(str), **cols})
        t_fast, ev = best_of(lambda pf=pf: ck.evaluate(program, pf), args.repeat)
        t_loop, ref = once(lambda cols=cols: loop_evaluate(program, cols))
        same = bool(np.array_equal(ev.tier, ref))
        print(f"| {n:,} | {t_fast:.4f} | {t_loop:.2f} | {t_loop / t_fast:,.0f}x | {same} |")

    n_map = sizes[-1]
    cols = make_columns(n_map, rng)
    t_map, _ = best_of(lambda: ck.evaluate(program, cols), max(1, args.repeat // 2))
    print(
        f"\nFrom a plain mapping of arrays (building the Portfolio included), {n_map:,} partners: "
        f"{t_map:.3f} s"
    )

    policy = ck.ProgressionPolicy(
        review_every=3, demote_every=6, grace_reviews=1, window=3, max_steps_up=1
    )
    program = make_program(policy)
    n, periods = (20_000, 36) if args.quick else (100_000, 36)
    hist = make_columns(n, rng, (periods, n))
    print(f"\n## progress: {n:,} partners x {periods} periods, policy {policy}\n")
    print(
        "| partners x periods | channelkit progress [s] | per-partner loop [s] | ratio | tiers equal |"
    )
    print("|---:|---:|---:|---:|:---:|")
    t_fast, h = best_of(lambda: ck.progress(program, hist), args.repeat)
    t_kernel, _ = best_of(lambda: _progress_kernel(h.evaluated, h.initial, policy), args.repeat)
    t_loop, ref = once(lambda: loop_progress(h.evaluated, policy))
    same = bool(np.array_equal(h.tiers, ref))
    print(
        f"| {n:,} x {periods} | {t_fast:.3f} | {t_loop:.2f} | {t_loop / t_fast:,.0f}x | {same} |"
    )
    print(
        f"\nprogress = evaluate all {n * periods:,} partner-periods + the policy loop over periods; "
        f"the policy loop alone takes {t_kernel:.4f} s vs {t_loop:.2f} s per partner "
        f"({t_loop / t_kernel:,.0f}x)."
    )


if __name__ == "__main__":
    main()
