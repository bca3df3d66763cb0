"""Benchmark of tier evaluation and progression against per-partner Python loops.

Times :func:`channelkit.evaluate` (4 tiers x 6 metrics) and
:func:`channelkit.progress` against straightforward per-partner Python loops
computing the same tiers in the same run; the outputs are checked to be equal.

Usage::

    python benchmarks/tiers.py [--quick] [--repeats N] [--seed S]

Acceptance targets (issue #3): ``evaluate`` on 1,000,000 partners x 4 tiers x
6 metrics in <= 0.1 s and >= 50x faster than the loop; ``progress`` over
100,000 partners x 36 periods in <= 1 s. Issue #8: ``evaluate`` on the same
partners given as a pandas DataFrame costs at most 2x the Portfolio (both
timed in this run; skipped without pandas). Issue #13: ``evaluate`` of a count
rule ("at least 20 opportunities of at least $10,000") over 10,000,000 items
for 1,000,000 partners is at least as fast as a pandas groupby doing only the
count, in the same run (skipped without pandas).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from functools import partial
from typing import Any

import numpy as np

import channelkit as ck
from _reference import loop_evaluate, loop_progress
from _timing import best_of
from channelkit._scoring import tier_kernel
from channelkit.progression import _progress_kernel

METRICS = ("sourced", "assisted", "certified", "deals", "csat", "growth")
SIZES = (10_000, 100_000, 1_000_000)
QUICK_MAX = 100_000
TARGET_N = 1_000_000
TARGET_SECONDS = 0.1
TARGET_SPEEDUP = 50.0
PROGRESS_SIZE = (100_000, 36)
PROGRESS_SECONDS = 1.0
FRAME_RATIO = 2.0
COUNT_SIZES = ((100_000, 1_000_000), (1_000_000, 10_000_000))
COUNT_TARGET = (1_000_000, 10_000_000)


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


def check_equal(name: str, fast: Any, slow: Any) -> None:
    """channelkit and the loop must agree exactly (timings are never asserted)."""
    if not np.array_equal(fast, slow):
        raise AssertionError(f"{name}: channelkit and the loop disagree")


def frame_rows(
    program: ck.Program, sizes: tuple[int, ...], rng: np.random.Generator, repeats: int
) -> dict[int, float]:
    """``evaluate`` on a DataFrame against the same partners as a Portfolio, in one run.

    Prints a table and returns partners -> DataFrame / Portfolio time ratio
    (empty without pandas). The DataFrame has the default index, as
    ``pandas.read_csv`` gives it; the Portfolio is built beforehand (not timed).
    """
    try:
        import pandas as pd
    except ImportError:
        print()
        print("pandas is not installed: the DataFrame rows are skipped.")
        return {}
    print()
    print("evaluate given a pandas DataFrame against the same partners as a Portfolio")
    print("(revenue + the 6 metrics; the DataFrame's evaluation is checked equal):")
    print()
    print("| partners | Portfolio [s] | DataFrame [s] | ratio |")
    print("|---:|---:|---:|---:|")
    out: dict[int, float] = {}
    for n in sizes:
        cols = {"revenue": rng.lognormal(11, 1.5, n), **make_columns(n, rng)}
        pf = ck.Portfolio.from_columns(cols)
        df = pd.DataFrame(cols)
        t_pf, ev_pf = best_of(partial(ck.evaluate, program, pf), repeats)
        t_df, ev_df = best_of(partial(ck.evaluate, program, df), repeats)
        check_equal(f"evaluate on a DataFrame at n = {n}", ev_df.tier, ev_pf.tier)
        out[n] = t_df / t_pf
        print(f"| {n:,} | {t_pf:.4f} | {t_df:.4f} | {t_df / t_pf:.2f}x |")
    return out


def count_program() -> ck.Program:
    """An AWS-style ladder on one count rule over the partners' opportunities."""
    rule = ck.ItemCount("opportunities", min_value=10_000, label="opportunities of >= $10,000")
    return ck.Program(
        [
            ck.Tier("Select", requirements={"big": 1}),
            ck.Tier("Advanced", requirements={"big": 4}),
            ck.Tier("Premier", requirements={"big": 20}),
        ],
        counts={"big": rule},
    )


def count_rows(
    sizes: tuple[tuple[int, int], ...], rng: np.random.Generator, repeats: int
) -> dict[tuple[int, int], float]:
    """evaluate with a count rule over an item table vs a pandas groupby counting the same."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional
        print("\nCount rule vs pandas: skipped (pandas is not installed).")
        return {}
    program = count_program()
    print()
    print("evaluate with a count rule (items of value >= 10,000 per partner, 3 tiers) over a")
    print("long item table (partner id, value), against pandas counting the same items with")
    print("`df[df.value >= 10_000].groupby('partner').size().reindex(ids, fill_value=0)`:")
    print()
    print("| partners | items | channelkit evaluate [s] | pandas groupby count [s] | ratio |")
    print("|---:|---:|---:|---:|---:|")
    out: dict[tuple[int, int], float] = {}
    for n, m in sizes:
        ids = np.char.add("P", np.arange(n).astype(str))
        owner = ids[rng.integers(0, n, m)]
        value = np.round(rng.lognormal(8.5, 1.2, m), 2)
        pf = ck.Portfolio.from_columns({"id": ids})
        table = {"partner": owner, "value": value}
        frame = pd.DataFrame(table)
        index = pd.Index(ids)

        def with_pandas(frame: Any = frame, index: Any = index) -> Any:
            big = frame[frame["value"] >= 10_000]
            return big.groupby("partner").size().reindex(index, fill_value=0).to_numpy()

        reps = max(1, min(repeats, 3))
        t_ck, ev = best_of(
            lambda pf=pf, table=table: ck.evaluate(program, pf, items={"opportunities": table}),
            reps,
        )
        t_pd, counted = best_of(with_pandas, reps)
        check_equal(f"count rule at n = {n}", ev.values["big"], counted.astype(float))
        out[(n, m)] = t_pd / t_ck
        print(f"| {n:,} | {m:,} | {t_ck:.3f} | {t_pd:.3f} | {t_pd / t_ck:.2f}x |")
        del owner, value, table, frame
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"sizes up to {QUICK_MAX:,} only")
    parser.add_argument("--repeats", type=int, default=5, help="repeats per timing (best of)")
    parser.add_argument("--seed", type=int, default=20_261_122)
    args = parser.parse_args(argv)
    repeats = max(1, args.repeats)
    rng = np.random.default_rng(args.seed)
    sizes = tuple(n for n in SIZES if not args.quick or n <= QUICK_MAX)
    program = make_program()

    print(
        f"channelkit {ck.__version__}, numpy {np.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; best of {repeats} (the loops: once)"
    )
    print()
    print("evaluate: 4 tiers x 6 metrics (a 6-item scorecard plus 3 minimums per tier), on a")
    print("Portfolio:")
    print()
    print("| partners | channelkit evaluate [s] | per-partner loop [s] | speed-up |")
    print("|---:|---:|---:|---:|")
    evaluate_at: dict[int, tuple[float, float]] = {}
    for n in sizes:
        cols = make_columns(n, rng)
        pf = ck.Portfolio.from_columns({"id": np.arange(n).astype(str), **cols})
        t_fast, ev = best_of(lambda pf=pf: ck.evaluate(program, pf), repeats)
        t_slow, ref = best_of(lambda cols=cols: loop_evaluate(program, cols), 1)
        check_equal(f"evaluate at n = {n}", ev.tier, ref)
        evaluate_at[n] = (t_fast, t_slow)
        print(f"| {n:,} | {t_fast:.4f} | {t_slow:.2f} | {t_slow / t_fast:,.0f}x |")
    n_map = sizes[-1]
    cols = make_columns(n_map, rng)
    t_map, _ = best_of(lambda: ck.evaluate(program, cols), repeats)
    print()
    print(
        f"From a plain mapping of arrays instead (building the Portfolio included), {n_map:,} "
        f"partners: {t_map:.4f} s"
    )
    frame_at = frame_rows(program, sizes, rng, repeats)
    count_at = count_rows(
        tuple(s for s in COUNT_SIZES if not args.quick or s[0] <= QUICK_MAX), rng, repeats
    )

    policy = ck.ProgressionPolicy(
        review_every=3, demote_every=6, grace_reviews=1, window=3, max_steps_up=1
    )
    program = make_program(policy)
    n, periods = (20_000, 36) if args.quick else PROGRESS_SIZE
    hist = make_columns(n, rng, (periods, n))
    t_fast, h = best_of(lambda: ck.progress(program, hist), repeats)
    t_kernel, _ = best_of(lambda: _progress_kernel(h.evaluated, h.initial, policy), repeats)
    flat = {m: v.reshape(-1) for m, v in hist.items()}
    t_eval, _ = best_of(partial(tier_kernel, program, flat, n * periods), repeats)
    t_slow, ref = best_of(lambda: loop_progress(h.evaluated, policy), 1)
    check_equal("progress", h.tiers, ref)
    print()
    print(f"progress with {policy}:")
    print()
    print("| partners x periods | channelkit progress [s] | per-partner loop [s] | speed-up |")
    print("|---:|---:|---:|---:|")
    print(f"| {n:,} x {periods} | {t_fast:.3f} | {t_slow:.2f} | {t_slow / t_fast:,.0f}x |")
    print()
    print(
        f"progress = evaluate {n * periods:,} partner-periods + the policy loop over periods; "
        f"the loop reference runs the policy only, on the evaluated tiers. The policy alone: "
        f"{t_kernel:.4f} s ({t_slow / t_kernel:,.0f}x the loop)."
    )
    print(
        f"Of progress's {t_fast:.3f} s, the tier kernel takes {t_eval:.3f} s and the policy "
        f"{t_kernel:.3f} s: reading and checking the input costs the other "
        f"{max(t_fast - t_eval - t_kernel, 0.0):.3f} s (float histories are not copied)."
    )
    print()
    if TARGET_N not in evaluate_at or (n, periods) != PROGRESS_SIZE:
        print("Acceptance targets not measured: run without --quick.")
        return 0
    ok_frame = True
    if TARGET_N in frame_at:
        ok_frame = frame_at[TARGET_N] <= FRAME_RATIO
        print(
            f"Acceptance (issue #8): evaluate on a DataFrame of {TARGET_N:,} partners costs "
            f"{frame_at[TARGET_N]:.2f}x the Portfolio (target <= {FRAME_RATIO:.0f}x: "
            f"{'met' if ok_frame else 'MISSED'})"
        )
    ok_count = True
    if COUNT_TARGET in count_at:
        ok_count = count_at[COUNT_TARGET] >= 1.0
        print(
            f"Acceptance (issue #13): a count rule over {COUNT_TARGET[1]:,} items for "
            f"{COUNT_TARGET[0]:,} partners: pandas takes {count_at[COUNT_TARGET]:.2f}x "
            f"channelkit's time (target >= 1x: {'met' if ok_count else 'MISSED'})"
        )
    e_fast, e_slow = evaluate_at[TARGET_N]
    ok_time = e_fast <= TARGET_SECONDS
    ok_speed = e_slow / e_fast >= TARGET_SPEEDUP
    ok_progress = t_fast <= PROGRESS_SECONDS
    print(
        f"Acceptance: evaluate at {TARGET_N:,} partners {e_fast:.4f} s (target <= "
        f"{TARGET_SECONDS} s: {'met' if ok_time else 'MISSED'}), {e_slow / e_fast:,.0f}x the loop "
        f"(target >= {TARGET_SPEEDUP:.0f}x: {'met' if ok_speed else 'MISSED'}); progress at "
        f"{PROGRESS_SIZE[0]:,} x {PROGRESS_SIZE[1]} {t_fast:.3f} s (target <= "
        f"{PROGRESS_SECONDS} s: {'met' if ok_progress else 'MISSED'})"
    )
    return 0 if ok_time and ok_speed and ok_progress and ok_frame and ok_count else 1


if __name__ == "__main__":
    sys.exit(main())
