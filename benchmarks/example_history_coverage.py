"""How often calibrate's intervals cover the example history's generating parameters.

Run from the project root::

    python benchmarks/example_history_coverage.py             # 200 generator seeds
    python benchmarks/example_history_coverage.py --seeds 30

Not a timing: the evidence that the shipped example history (seed
``SEED`` of :mod:`channelkit.datasets._generate_history`) is not a chosen
draw. For each of ``--seeds`` generator seeds (1000, 1001, ...) it builds
the example history, calibrates it (``calibrate(history, seed=0)``) and
counts how often each 95 % interval contains the generating value:
annual attrition, conversion, ramp at month 3 and median productivity. The
second block repeats it without the generator's never-seller requirement
(``typical=False``), to show the conversion estimate over untouched draws.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import channelkit as ck
from channelkit.datasets import _generate_history as gen

TRUTH = {
    "annual_attrition": gen.ANNUAL_ATTRITION,
    "conversion": 1.0 - gen.NEVER_SELL,
    "ramp_month_3": gen.ramp_at(3),
    "median_productivity": gen.median_productivity(),
}


def coverage(seeds: list[int], typical: bool) -> dict[str, tuple[int, float, float]]:
    """Per parameter: (intervals that cover the truth, mean estimate, sd of the estimates)."""
    hits = dict.fromkeys(TRUTH, 0)
    estimates: dict[str, list[float]] = {name: [] for name in TRUTH}
    for seed in seeds:
        history = gen.make_example_history(seed, typical=typical)
        for row in ck.calibrate(history, seed=0).parameters:
            name = row["parameter"]
            if name in TRUTH:
                hits[name] += bool(row["lower"] <= TRUTH[name] <= row["upper"])
                estimates[name].append(row["estimate"])
    return {
        name: (hits[name], float(np.mean(estimates[name])), float(np.std(estimates[name])))
        for name in TRUTH
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=200, help="generator seeds (default 200)")
    args = parser.parse_args()
    seeds = list(range(1000, 1000 + args.seeds))
    print(
        f"channelkit {ck.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}; "
        f"generator seeds {seeds[0]}-{seeds[-1]}"
    )
    for typical in (True, False):
        label = "as shipped (typical never-sellers)" if typical else "typical=False"
        print(f"\n{label}\n")
        print("| parameter | truth | covered | share | mean estimate | sd |")
        print("|---|---|---|---|---|---|")
        for name, (hits, mean, sd) in coverage(seeds, typical).items():
            print(
                f"| {name} | {TRUTH[name]:.4g} | {hits}/{len(seeds)} | "
                f"{hits / len(seeds):.1%} | {mean:.4g} | {sd:.3g} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
