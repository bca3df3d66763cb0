"""Benchmark channelkit.calibration: Kaplan-Meier against lifelines, calibrate at scale.

Run from the project root::

    python benchmarks/calibration.py           # 1M durations, 100k partners x 60 months
    python benchmarks/calibration.py --quick   # small sizes

lifelines is a reference only: install it into the benchmark's environment
(``pip install lifelines``); without it the KM row says so. Both estimates
are checked to agree (survival to 1e-9) before timing.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import channelkit as ck
from _timing import best_of
from channelkit._survival import kaplan_meier


def _history(n_start: int, per_month: float, months: int, seed: int = 0) -> ck.PartnerHistory:
    rng = np.random.default_rng(seed)
    h = 1 - 0.85 ** (1 / 12)
    recruits = rng.poisson(per_month, months - 1)
    joins = np.concatenate(
        [-rng.integers(1, 60, size=n_start), np.repeat(np.arange(1, months), recruits)]
    )
    last = joins + rng.geometric(h, size=joins.size) - 1
    keep = last >= 0
    joins, last = joins[keep], last[keep]
    n = joins.size
    level = rng.lognormal(8, 1, size=n)
    t = np.arange(months)[:, None]
    ramp = np.clip((t - joins[None, :] + 1) / 4, 0, 1)
    never = rng.random(n) < 0.15
    active = (t >= np.maximum(joins, 0)) & (t <= last)
    revenue = np.where(active & ~never, level * ramp, 0.0)
    start = np.datetime64("2020-01", "M")
    left = np.where(last < months - 1, start + last, np.datetime64("NaT", "M")).astype(
        "datetime64[M]"
    )
    return ck.PartnerHistory(
        np.arange(n).astype(str),
        "2020-01",
        {"revenue": revenue},
        present=active,
        attributes={"segment": np.where(level > np.exp(8.5), "big", "small")},
        joined=start + joins,
        left=left,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n_km = 100_000 if args.quick else 1_000_000
    n_hist = 10_000 if args.quick else 100_000

    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    rng = np.random.default_rng(1)
    durations = rng.integers(1, 120, size=n_km).astype(float)
    observed = rng.random(n_km) < 0.4

    t_ck, km = best_of(lambda: kaplan_meier(durations, observed), 5)
    # continuous durations (not whole months): the sorting path
    smooth = durations - rng.random(n_km)
    t_ck_c, _ = best_of(lambda: kaplan_meier(smooth, observed), 5)
    t_fit, _ = best_of(lambda: ck.fit_attrition(durations, observed=observed), 3)
    try:
        from lifelines import KaplanMeierFitter
    except ImportError:
        t_ll = None
    else:

        def lifelines_km() -> KaplanMeierFitter:
            return KaplanMeierFitter().fit(durations, event_observed=observed)

        t_ll, fitter = best_of(lifelines_km, 3)
        t_ll_c, _ = best_of(lambda: KaplanMeierFitter().fit(smooth, event_observed=observed), 3)
        ref = fitter.survival_function_.iloc[1:, 0].to_numpy()  # lifelines adds time 0
        np.testing.assert_allclose(km.survival, ref, rtol=0, atol=1e-9)

    print()
    print("| case | size | channelkit [s] | lifelines KaplanMeierFitter [s] | ratio |")
    print("|---|---:|---:|---:|---:|")
    if t_ll is None:
        print(
            f"| Kaplan-Meier with band, whole months | {n_km:,} | {t_ck:.4f} | not installed | - |"
        )
        print(
            f"| Kaplan-Meier with band, continuous | {n_km:,} | {t_ck_c:.4f} | not installed | - |"
        )
    else:
        print(
            f"| Kaplan-Meier with band, whole months | {n_km:,} | {t_ck:.4f} | {t_ll:.4f} "
            f"| {t_ll / t_ck:.1f}x |"
        )
        print(
            f"| Kaplan-Meier with band, continuous | {n_km:,} | {t_ck_c:.4f} | {t_ll_c:.4f} "
            f"| {t_ll_c / t_ck_c:.1f}x |"
        )
    print(f"| fit_attrition (KM + exponential + Weibull) | {n_km:,} | {t_fit:.4f} | - | - |")

    hist = _history(int(0.72 * n_hist), 0.52 * n_hist / 59, 60)
    shape = f"{len(hist.ids):,} partners x {hist.n_periods} months"
    t_cal, cal = best_of(lambda: ck.calibrate(hist, seed=0), 3)
    t_by, _ = best_of(lambda: ck.calibrate(hist, by="segment", seed=0), 3)
    print(f"| calibrate | {shape} | {t_cal:.3f} | - | - |")
    print(f"| calibrate(by='segment') | {shape} | {t_by:.3f} | - | - |")
    print()
    ok_km = t_ll is None or (t_ck <= t_ll and t_ck_c <= t_ll_c)
    ok_cal = t_by <= 5.0
    print(
        "target: Kaplan-Meier at least as fast as lifelines (whole months and continuous): "
        + ("met" if ok_km else "MISSED")
    )
    print(f"target: calibrate on 100k x 60 <= 5 s: {'met' if ok_cal else 'MISSED'} ({t_by:.2f} s)")
    annual = cal.segments["all"].attrition
    print(f"(check: fitted annual attrition {annual:.3f}, generating 0.150)")
    return 0 if ok_km and ok_cal else 1


if __name__ == "__main__":
    raise SystemExit(main())
