"""Benchmark channelkit.assign against peers and against its own lower bound.

Run from the project root::

    PYTHONPATH=src python benchmarks/balancing.py [--quick] [--gap-dir DIR]

Peers (prtpy, OR-Tools) are optional: install them in a separate virtualenv,
never in the project's dependencies, e.g.::

    python3 -m venv /tmp/venv-bench && /tmp/venv-bench/bin/pip install numpy scipy attrs prtpy ortools
    PYTHONPATH=src /tmp/venv-bench/bin/python benchmarks/balancing.py

Tables (Markdown):

1. large makespan instances with log-normal workloads: time of the fast path
   and the largest load relative to the lower bound; the reference is a plain
   Python heap LPT measured in the same run;
2. 100,000 partners x 50 managers: channelkit vs prtpy's greedy partitioning
   (time ratio and makespan);
3. random makespan instances of 12-40 partners on 3-6 managers: channelkit's
   exact path vs OR-Tools CP-SAT (same optimum?);
4. the OR-Library GAP instances gap1-gap12 and a05100, b05100, c05100: total
   time to proven optimality.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from _reference import heap_lpt
from _timing import best_of
from channelkit import assign


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def bench_large(quick: bool, repeats: int) -> str:
    sizes = [(10_000, 100), (100_000, 1_000)] if quick else [
        (10_000, 100), (100_000, 100), (100_000, 1_000), (1_000_000, 1_000)
    ]  # fmt: skip
    rows = []
    rng = np.random.default_rng(2024)
    for n, m in sizes:
        w = rng.lognormal(0.0, 1.0, n)
        t, res = best_of(lambda w=w, m=m: assign(w, m, method="fast"), repeats)
        t_ref, ref = best_of(lambda w=w, m=m: heap_lpt(w, m), 1)
        rows.append(
            [
                f"{n:,}",
                f"{m:,}",
                f"{t:.3f}",
                f"{res.value / res.lower_bound:.7f}",
                f"{t_ref:.3f}",
                f"{ref / res.lower_bound:.7f}",
                f"{t_ref / t:.1f}x",
            ]
        )
    return table(
        ["partners", "managers", "channelkit fast [s]", "largest load / bound",
         "heap LPT [s]", "heap LPT / bound", "speed-up"],
        rows,
    )  # fmt: skip


def bench_prtpy(quick: bool, repeats: int) -> str:
    try:
        import prtpy
    except ImportError:
        return "prtpy is not installed: column skipped (pip install prtpy in a separate venv)."
    n, m = 100_000, 50
    rows = []
    for seed in range(2 if quick else 5):
        rng = np.random.default_rng(seed)
        w = rng.lognormal(0.0, 1.0, n)
        t, res = best_of(lambda w=w: assign(w, m, method="fast"), repeats)
        items = w.tolist()
        t_p, sums = best_of(
            lambda items=items: prtpy.partition(
                algorithm=prtpy.partitioning.greedy,
                numbins=m,
                items=items,
                outputtype=prtpy.out.Sums,
            ),
            1 if quick else 2,
        )
        ours, theirs = res.value, float(max(sums))
        rows.append(
            [
                str(seed),
                f"{t:.3f}",
                f"{t_p:.3f}",
                f"{t_p / t:.1f}x",
                f"{ours:.4f}",
                f"{theirs:.4f}",
                "yes" if ours <= theirs * (1 + 1e-12) else "NO",
            ]
        )
    return table(
        ["seed", "channelkit [s]", "prtpy greedy [s]", "speed-up", "channelkit makespan",
         "prtpy makespan", "never worse"],
        rows,
    )  # fmt: skip


def cpsat_makespan(w: np.ndarray, m: int, time_limit: float) -> tuple[float, bool]:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    n = w.size
    x = [[model.NewBoolVar(f"x{j}_{i}") for i in range(m)] for j in range(n)]
    cmax = model.NewIntVar(0, int(w.sum()), "cmax")
    for j in range(n):
        model.AddExactlyOne(x[j])
    for i in range(m):
        model.Add(sum(int(w[j]) * x[j][i] for j in range(n)) <= cmax)
    model.Minimize(cmax)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 2
    status = solver.Solve(model)
    return float(solver.ObjectiveValue()), status == cp_model.OPTIMAL


def bench_cpsat(quick: bool) -> str:
    try:
        import ortools  # noqa: F401
    except ImportError:
        return (
            "OR-Tools is not installed: column skipped (pip install ortools in a separate venv)."
        )
    rng = np.random.default_rng(7)
    count = 10 if quick else 30
    same = proven_ck = proven_cp = 0
    t_ck = t_cp = 0.0
    worst = 0.0
    for _ in range(count):
        n = int(rng.integers(12, 41))
        m = int(rng.integers(3, 7))
        w = rng.integers(1, 100, n).astype(float)
        t0 = time.perf_counter()
        res = assign(w, m, method="exact", time_limit=30.0)
        dt = time.perf_counter() - t0
        t_ck += dt
        worst = max(worst, dt)
        t0 = time.perf_counter()
        val, ok = cpsat_makespan(w, m, 30.0)
        t_cp += time.perf_counter() - t0
        same += res.value == val
        proven_ck += res.optimal
        proven_cp += ok
    return table(
        ["instances", "same optimum as CP-SAT", "channelkit proven", "CP-SAT proven",
         "channelkit total [s]", "channelkit worst [s]", "CP-SAT total [s]"],
        [[str(count), f"{same}/{count}", f"{proven_ck}/{count}", f"{proven_cp}/{count}",
          f"{t_ck:.2f}", f"{worst:.2f}", f"{t_cp:.2f}"]],
    )  # fmt: skip


GAP_NAMES = [
    f"c{m:02d}{n}_{k}"
    for m, n in [
        (5, 15), (5, 20), (5, 25), (5, 30), (8, 24), (8, 32),
        (8, 40), (8, 48), (10, 30), (10, 40), (10, 50), (10, 60),
    ]
    for k in range(1, 6)
] + ["a05100", "b05100", "c05100"]  # fmt: skip


def bench_gap(gap_dir: Path) -> str:
    if not (gap_dir / "bounds.txt").is_file():
        return f"GAP instances not found in {gap_dir}: skipped."
    optima = {}
    for line in (gap_dir / "bounds.txt").read_text().splitlines():
        name, lo, _ = line.split()
        optima[name] = int(lo)
    total, worst, worst_name, hits = 0.0, 0.0, "", 0
    for name in GAP_NAMES:
        tok = np.array((gap_dir / name).read_text().split(), dtype=np.int64)
        m, n = int(tok[0]), int(tok[1])
        cost = tok[2 : 2 + m * n].reshape(m, n)
        cons = tok[2 + m * n : 2 + 2 * m * n].reshape(m, n)
        cap = tok[2 + 2 * m * n : 2 + 2 * m * n + m]
        t0 = time.perf_counter()
        res = assign(cons.T, cap, cost=cost.T, objective="cost")
        dt = time.perf_counter() - t0
        total += dt
        if dt > worst:
            worst, worst_name = dt, name
        hits += bool(res.optimal and res.value == optima[f"{name}_Min"])
    return table(
        ["instances", "proven optimum reached", "total [s]", "slowest"],
        [[str(len(GAP_NAMES)), f"{hits}/{len(GAP_NAMES)}", f"{total:.1f}",
          f"{worst_name} ({worst:.2f} s)"]],
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    parser.add_argument(
        "--gap-dir",
        type=Path,
        default=Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gap",
        help="folder of the OR-Library GAP instances (default ../shared/data/gap)",
    )
    args = parser.parse_args(argv)
    repeats = 2 if args.quick else 5
    print("## Large makespan instances (log-normal workloads, fast path)\n")
    print(bench_large(args.quick, repeats))
    print("\n## 100,000 partners x 50 managers vs prtpy greedy\n")
    print(bench_prtpy(args.quick, repeats))
    print("\n## Random makespan instances (12-40 partners, 3-6 managers) vs OR-Tools CP-SAT\n")
    print(bench_cpsat(args.quick))
    print("\n## OR-Library GAP instances (objective='cost')\n")
    print(bench_gap(args.gap_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
