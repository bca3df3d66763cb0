"""Benchmark the segmentation kernels against a per-partner pure-Python loop.

Times :func:`channelkit.gini`, :func:`channelkit.pareto_segments` and
:func:`channelkit.business_model`, separately and together, on log-normal
revenue and random product shares, and a straightforward loop implementation
of the same three (``sorted()`` on lists, one Python iteration per partner)
in the same run. The loop's outputs are checked to equal channelkit's.

Usage::

    python benchmarks/segmentation.py [--quick] [--repeats N] [--seed S]

Acceptance target (issue #2): at 1,000,000 partners the three together take
<= 0.5 s and are >= 20x faster than the loop. Issue #8: ``pareto_segments``
(and ``business_model``) on a DataFrame's column cost at most 2x the same on
a Portfolio's column, timed in the same run (skipped without pandas).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

import channelkit as ck
from _reference import loop_business_model, loop_gini, loop_pareto
from _timing import best_of

SIZES = (10_000, 100_000, 1_000_000)
QUICK_MAX = 100_000
TARGET_N = 1_000_000
TARGET_SECONDS = 0.5
TARGET_SPEEDUP = 20.0
#: Same relative tolerance as pareto_segments uses when a share is hit exactly.
TOL = 1e-12
FRAME_RATIO = 2.0


# --------------------------------------------------------------------------- harness
def make_channel(n: int, seed: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Log-normal revenue (heavy-tailed) and Beta(2, 2) product shares, 5 % unknown."""
    rng = np.random.default_rng(seed)
    revenue = rng.lognormal(mean=11.0, sigma=1.6, size=n)
    share = rng.beta(2.0, 2.0, size=n)
    share[rng.random(n) < 0.05] = np.nan
    return revenue, share


def check_equal(name: str, n: int, fast: Any, slow: Any) -> None:
    """Outputs of channelkit and the loop must agree (timings are never asserted)."""
    if name == "gini":
        ok = math.isclose(fast, slow, rel_tol=1e-9, abs_tol=1e-12)
    elif name == "all three":
        for sub, f, s in zip(("gini", "pareto_segments", "business_model"), fast, slow):
            check_equal(sub, n, f, s)
        return
    else:
        ok = fast.tolist() == slow
    if not ok:
        raise AssertionError(f"{name} at n = {n}: channelkit and the loop disagree")


def cases(
    revenue: np.ndarray[Any, Any], share: np.ndarray[Any, Any]
) -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    """Name -> (channelkit call, loop call) on one channel."""
    rev_list, share_list = revenue.tolist(), share.tolist()  # the loop works on lists
    return {
        "gini": (lambda: ck.gini(revenue), lambda: loop_gini(rev_list)),
        "pareto_segments": (
            lambda: ck.pareto_segments(revenue),
            lambda: loop_pareto(rev_list),
        ),
        "business_model": (
            lambda: ck.business_model(share),
            lambda: loop_business_model(share_list),
        ),
        "all three": (
            lambda: (ck.gini(revenue), ck.pareto_segments(revenue), ck.business_model(share)),
            lambda: (loop_gini(rev_list), loop_pareto(rev_list), loop_business_model(share_list)),
        ),
    }


def run(sizes: tuple[int, ...], repeats: int, seed: int) -> list[tuple[str, int, float, float]]:
    """(function, n, channelkit seconds, loop seconds) for every size and function."""
    rows = []
    for n in sizes:
        loop_repeats = 1 if n >= 1_000_000 else min(repeats, 3)
        for name, (fast, slow) in cases(*make_channel(n, seed)).items():
            t_fast, out_fast = best_of(fast, repeats)
            t_slow, out_slow = best_of(slow, loop_repeats)
            check_equal(name, n, out_fast, out_slow)
            rows.append((name, n, t_fast, t_slow))
    return rows


def frame_rows(sizes: tuple[int, ...], repeats: int, seed: int) -> dict[int, float]:
    """Labels from a DataFrame's columns (Series out) against a Portfolio's (arrays out).

    Prints a table and returns partners -> worst DataFrame / Portfolio ratio
    (empty without pandas). The labels are checked equal.
    """
    try:
        import pandas as pd
    except ImportError:
        print("pandas is not installed: the DataFrame rows are skipped.")
        return {}
    print("| function | partners | Portfolio [s] | DataFrame [s] | ratio |")
    print("|---|---:|---:|---:|---:|")
    worst: dict[int, float] = {}
    for n in sizes:
        revenue, share = make_channel(n, seed)
        pf = ck.Portfolio(None, revenue=revenue, product_share=share)
        df = pd.DataFrame({"revenue": revenue, "product_share": share})
        calls = {
            "pareto_segments": (
                lambda pf=pf: ck.pareto_segments(pf.revenue),
                lambda df=df: ck.pareto_segments(df["revenue"]),
            ),
            "business_model": (
                lambda pf=pf: ck.business_model(pf.product_share),
                lambda df=df: ck.business_model(df["product_share"]),
            ),
        }
        for name, (on_pf, on_df) in calls.items():
            t_pf, out_pf = best_of(on_pf, repeats)
            t_df, out_df = best_of(on_df, repeats)
            if not (out_df.index.equals(df.index) and out_df.tolist() == out_pf.tolist()):
                raise AssertionError(f"{name} at n = {n}: the DataFrame and Portfolio disagree")
            worst[n] = max(worst.get(n, 0.0), t_df / t_pf)
            print(f"| {name} | {n:,} | {t_pf:.4f} | {t_df:.4f} | {t_df / t_pf:.2f}x |")
    return worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"sizes up to {QUICK_MAX:,} only")
    parser.add_argument("--repeats", type=int, default=5, help="repeats per timing (best of)")
    parser.add_argument("--seed", type=int, default=20_240_601)
    args = parser.parse_args(argv)
    sizes = tuple(n for n in SIZES if not args.quick or n <= QUICK_MAX)

    rows = run(sizes, max(1, args.repeats), args.seed)

    print(
        f"channelkit {ck.__version__}, numpy {np.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; best of {args.repeats} (the loop: best of <= 3, once at 1,000,000)"
    )
    print()
    print("| function | partners | channelkit [s] | Python loop [s] | speed-up |")
    print("|---|---:|---:|---:|---:|")
    for name, n, t_fast, t_slow in rows:
        print(f"| {name} | {n:,} | {t_fast:.4f} | {t_slow:.4f} | {t_slow / t_fast:,.0f}x |")
    print()
    print("Given a DataFrame's column (a Series, labels returned as a Series with its index)")
    print("against the same partners' Portfolio column (numpy in, numpy out):")
    print()
    frame_at = frame_rows(sizes, max(1, args.repeats), args.seed)
    print()
    together = [(t_fast, t_slow) for name, n, t_fast, t_slow in rows if name == "all three"]
    if TARGET_N not in sizes:
        print(f"Acceptance target (n = {TARGET_N:,}) not measured: run without --quick.")
        return 0
    frame_ok = frame_at.get(TARGET_N, 0.0) <= FRAME_RATIO
    if TARGET_N in frame_at:
        print(
            f"Acceptance (issue #8) at {TARGET_N:,} partners: a DataFrame's column costs at most "
            f"{frame_at[TARGET_N]:.2f}x the Portfolio's (target <= {FRAME_RATIO:.0f}x: "
            f"{'met' if frame_ok else 'MISSED'})"
        )
    t_fast, t_slow = together[sizes.index(TARGET_N)]
    time_ok = t_fast <= TARGET_SECONDS
    speed_ok = t_slow / t_fast >= TARGET_SPEEDUP
    print(
        f"Acceptance at {TARGET_N:,} partners, all three together: "
        f"{t_fast:.3f} s (target <= {TARGET_SECONDS} s: {'met' if time_ok else 'MISSED'}), "
        f"{t_slow / t_fast:.0f}x the loop (target >= {TARGET_SPEEDUP:.0f}x: "
        f"{'met' if speed_ok else 'MISSED'})"
    )
    return 0 if time_ok and speed_ok and frame_ok else 1


if __name__ == "__main__":
    sys.exit(main())
