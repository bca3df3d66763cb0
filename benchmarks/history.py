"""Benchmark PartnerHistory against pandas on a long export of partner-months.

Builds a long DataFrame (one row per partner and month: a text id such as
``"P0000042"``, an ISO month ``"2024-03"`` and a float revenue), then times,
in the same run on the same frame:

- channelkit: ``PartnerHistory.from_frame(frame)`` and ``.portfolio(at=...)``
  (the trailing 12 months and the 12 before, for the partners active then);
- pandas ``pivot_table``: the (periods x partners) panel with
  ``frame.pivot_table(index="period", columns="id", values="revenue",
  aggfunc="sum", fill_value=0)`` and the same two window sums;
- pandas ``groupby``: no panel, just the answer: the rows of each window
  grouped by id and summed, and each partner's first and last month.

The three answers are checked equal before anything is printed. Peak memory
of the channelkit build is measured with ``tracemalloc`` (numpy reports its
allocations to it) in a separate, untimed run, and compared with the dense
arrays the history holds (the revenue panel and the row-present mask).

Usage::

    python benchmarks/history.py [--quick] [--repeats N] [--seed S]

Acceptance target (issue #10): at 100,000 partners x 100 months (10M rows)
channelkit is no slower than pandas and its peak memory is at most 2x the
dense arrays it holds.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import tracemalloc
from typing import Any

import numpy as np
import pandas as pd

import channelkit as ck
from _timing import best_of

SIZES = ((10_000, 100), (100_000, 100))
QUICK = ((10_000, 100),)
TARGET = (100_000, 100)
WINDOW = 12


def make_frame(n: int, months: int, seed: int) -> pd.DataFrame:
    """One row per partner and month, partner by partner (as exports are sorted)."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"P{i:07d}" for i in range(n)], dtype=object)
    periods = (
        pd.period_range("2017-01", periods=months, freq="M").astype(str).to_numpy(dtype=object)
    )
    level = rng.lognormal(8.0, 1.5, n)
    revenue = np.round(np.repeat(level, months) * rng.lognormal(0.0, 0.3, n * months), 2)
    return pd.DataFrame(
        {"id": np.repeat(ids, months), "period": np.tile(periods, n), "revenue": revenue}
    )


def run_channelkit(frame: pd.DataFrame, at: str) -> tuple[ck.Portfolio, ck.PartnerHistory]:
    history = ck.PartnerHistory.from_frame(frame)
    return history.portfolio(at=at, window=WINDOW), history


def run_pivot(frame: pd.DataFrame, at: str) -> tuple[pd.Series, pd.Series]:
    wide = frame.pivot_table(
        index="period", columns="id", values="revenue", aggfunc="sum", fill_value=0.0
    )
    t = wide.index.get_loc(at)
    span = frame.groupby("id")["period"].agg(["min", "max"]).reindex(wide.columns)
    active = ((span["min"] <= at) & (span["max"] >= at)).to_numpy()
    revenue = wide.iloc[t - WINDOW + 1 : t + 1].sum()[active]
    prior = wide.iloc[t - 2 * WINDOW + 1 : t - WINDOW + 1].sum()[active]
    return revenue, prior


def run_groupby(frame: pd.DataFrame, at: str, periods: list[str]) -> tuple[pd.Series, pd.Series]:
    t = periods.index(at)
    span = frame.groupby("id")["period"].agg(["min", "max"])
    active = span.index[(span["min"] <= at) & (span["max"] >= at)]
    cur = frame[frame["period"].isin(periods[t - WINDOW + 1 : t + 1])]
    pri = frame[frame["period"].isin(periods[t - 2 * WINDOW + 1 : t - WINDOW + 1])]
    revenue = cur.groupby("id")["revenue"].sum().reindex(active, fill_value=0.0)
    prior = pri.groupby("id")["revenue"].sum().reindex(active, fill_value=0.0)
    return revenue, prior


def peak_memory(frame: pd.DataFrame, at: str) -> tuple[int, int]:
    """Peak bytes traced while building and querying; bytes of the dense arrays held."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    _, history = run_channelkit(frame, at)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    held = history.present.nbytes + sum(history.metric(m).nbytes for m in history.metrics)
    return peak, held


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small size only")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else SIZES
    print(
        f"channelkit {ck.__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs"
    )
    print()
    print(
        "| partners x months | rows | channelkit [s] | pandas pivot_table [s] | pandas groupby [s] "
        "| vs pivot | vs groupby | dense held [MiB] | peak [MiB] | peak / held |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    verdict: dict[str, Any] = {}
    for n, months in sizes:
        frame = make_frame(n, months, args.seed)
        periods = sorted(set(frame["period"].iloc[:months]))
        at = periods[-1]
        t_ck, (pf, _) = best_of(lambda f=frame, a=at: run_channelkit(f, a), args.repeats)
        t_pv, (rev_pv, pri_pv) = best_of(lambda f=frame, a=at: run_pivot(f, a), args.repeats)
        t_gb, (rev_gb, pri_gb) = best_of(
            lambda f=frame, a=at, p=periods: run_groupby(f, a, p), args.repeats
        )
        # Same answers first.
        assert pf.ids.tolist() == [str(i) for i in rev_pv.index] == [str(i) for i in rev_gb.index]
        np.testing.assert_allclose(pf.revenue, rev_pv.to_numpy(), rtol=1e-9)
        np.testing.assert_allclose(pf.revenue, rev_gb.to_numpy(), rtol=1e-9)
        np.testing.assert_allclose(pf.revenue_prior, pri_pv.to_numpy(), rtol=1e-9)
        np.testing.assert_allclose(pf.revenue_prior, pri_gb.to_numpy(), rtol=1e-9)
        peak, held = peak_memory(frame, at)
        mb = 1024**2
        print(
            f"| {n:,} x {months} | {len(frame):,} | {t_ck:.2f} | {t_pv:.2f} | {t_gb:.2f} "
            f"| {t_pv / t_ck:.1f}x | {t_gb / t_ck:.1f}x | {held / mb:.0f} | {peak / mb:.0f} "
            f"| {peak / held:.2f} |"
        )
        if (n, months) == TARGET:
            verdict = {
                "faster": t_ck <= min(t_pv, t_gb),
                "memory": peak <= 2 * held,
            }
        frame = pd.DataFrame()
        gc.collect()
    print()
    if verdict:
        ok = verdict["faster"] and verdict["memory"]
        print(
            "Target (issue #10) at 100,000 partners x 100 months: channelkit no slower than "
            f"pandas pivot_table and groupby: {'met' if verdict['faster'] else 'MISSED'}; "
            f"peak memory <= 2x the dense arrays held: {'met' if verdict['memory'] else 'MISSED'}."
        )
        return 0 if ok else 1
    print("Target (issue #10) is checked at 100,000 partners x 100 months (run without --quick).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
