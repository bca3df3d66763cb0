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
   time to proven optimality;
5. ``time_limit`` kept (issue #9): wall time over ``time_limit`` on the
   instances that overran it 8-25x, against the promise
   ``max(1.5 x time_limit, time_limit + 1 s)``;
6. the fast path at 100,000 and 1,000,000 partners x 1,000 managers
   (log-normal workloads) against a heapq LPT and prtpy's greedy, with the
   time of one ``np.sort`` of the workloads as the floor (issue #14);
7. the hard GAP instances d/e 05-20 x 100-200 with ``time_limit`` seconds
   each (``--gap-seconds``, default 60; 5 with ``--quick``): value, bound and
   proven gap of channelkit beside OR-Tools CP-SAT (2 workers) in the same
   run, against the best known bounds (issue #14).

Every table prints the load average beside it (the machine is shared).
``--only time`` (or ``large``, ``prtpy``, ``cpsat``, ``gap``, ``fast``,
``hardgap``) runs one table.
"""

from __future__ import annotations

import argparse
import os
import platform
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


#: tables whose acceptance target was missed (the script then exits with 1)
MISSED: list[str] = []


def bench_time_limits(quick: bool) -> str:
    """Overrun of ``time_limit`` on the issue #9 instances (best of 1: the promise is per run)."""
    rng = np.random.default_rng(0)
    n, m = 200_000, 200
    w_a = rng.lognormal(0.0, 1.0, n)
    cap_a = np.full(m, w_a.sum() / m * 1.2)
    kmax_a = np.full(m, n // m + 50)
    regions = rng.integers(0, 4, n)[:, None] == (np.arange(m) % 4)[None, :]
    cap_r = np.full(m, w_a.sum() / m * 1.3)
    kmax_r = np.full(m, int(n / m * 1.1) + 2)
    w_b = rng.lognormal(0.0, 1.0, 50_000)
    cap_b = np.full(100, w_b.sum() / 100 * 1.2)
    cases = [
        ("200,000 x 200, hard caps", 0.5, "auto",
         lambda: assign(w_a, cap_a, max_partners=kmax_a, time_limit=0.5)),
        ("50,000 x 100, hard caps", 1.0, "exact",
         lambda: assign(w_b, cap_b, method="exact", time_limit=1.0)),
        ("200,000 x 200, 4 regions, caps", 0.5, "auto",
         lambda: assign(w_a, cap_r, eligible=regions, max_partners=kmax_r, time_limit=0.5)),
        ("200,000 x 200, 4 regions, caps", 2.0, "exact",
         lambda: assign(w_a, cap_r, eligible=regions, max_partners=kmax_r, method="exact",
                        time_limit=2.0)),
    ]  # fmt: skip
    if quick:
        cases = cases[:2]
    rows = []
    met = True
    for name, tl, method, run in cases:
        t0 = time.perf_counter()
        res = run()
        dt = time.perf_counter() - t0
        promise = max(1.5 * tl, tl + 1.0)
        met &= dt <= promise
        rows.append(
            [name, method, f"{tl:g}", f"{dt:.2f}", f"{dt / tl:.2f}", f"{promise:g}",
             "yes" if dt <= promise else "NO", f"{res.value / res.lower_bound:.7f}", res.method]
        )  # fmt: skip
    out = table(
        ["instance", "method", "time_limit [s]", "wall [s]", "overrun ratio", "promise [s]",
         "kept", "value / bound", "reported method"],
        rows,
    )  # fmt: skip
    return (
        out
        + "\n\nTarget (issue #9): every run within max(1.5 x time_limit, time_limit + 1 s): "
        + ("met." if met else "MISSED.")
    )


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


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:  # pragma: no cover - not on this platform
        return "load average: n/a"
    return f"load average: {one:.2f}, {five:.2f}, {fifteen:.2f} ({os.cpu_count()} CPUs)"


def bench_fast(quick: bool, repeats: int, prtpy_max_n: int) -> str:
    """Issue #14: the fast path near the sort floor, against heapq LPT and prtpy."""
    try:
        import prtpy
    except ImportError:
        prtpy = None
    sizes = [(100_000, 1_000)] if quick else [(100_000, 1_000), (1_000_000, 1_000)]
    # (seconds, largest load / bound): 1M must stay within 1.000001 x the bound;
    # 100k no worse than before issue #14 (1.0000083 at 0.076 s)
    targets = {100_000: (0.03, 1.0000083), 1_000_000: (0.2, 1.000001)}
    rows = []
    met = True
    for n, m in sizes:
        w = np.random.default_rng(2024).lognormal(0.0, 1.0, n)
        t_sort, _ = best_of(lambda w=w: np.sort(w), repeats)
        t, res = best_of(lambda w=w, m=m: assign(w, m, method="fast"), repeats)
        t_ref, ref = best_of(lambda w=w, m=m: heap_lpt(w, m), 1)
        ratio = res.value / res.lower_bound
        ok = t <= targets[n][0] and ratio <= targets[n][1]
        met &= ok
        if prtpy is not None and n <= prtpy_max_n:
            items = w.tolist()
            t_p, sums = best_of(
                lambda items=items, m=m: prtpy.partition(
                    algorithm=prtpy.partitioning.greedy,
                    numbins=m,
                    items=items,
                    outputtype=prtpy.out.Sums,
                ),
                1,
            )
            p_cols = [f"{t_p:.2f}", f"{float(max(sums)) / res.lower_bound:.7f}"]
        else:
            p_cols = ["skipped", "-"]
        rows.append(
            [f"{n:,}", f"{m:,}", f"{t:.3f}", f"{ratio:.9f}", f"{t / t_sort:.0f}x",
             f"{t_ref:.3f}", f"{ref / res.lower_bound:.7f}", *p_cols,
             f"<= {targets[n][0]:g} s, <= {targets[n][1]:.7f}: " + ("yes" if ok else "NO")]
        )  # fmt: skip
    if not met:
        MISSED.append("fast")
    return table(
        ["partners", "managers", "channelkit fast [s]", "largest load / bound",
         "time / one np.sort", "heapq LPT [s]", "heapq LPT / bound", "prtpy greedy [s]",
         "prtpy / bound", "target met"],
        rows,
    ) + (
        "\n\nTarget (issue #14): 1,000,000 x 1,000 <= 0.2 s at <= 1.000001 x the lower bound, "
        "100,000 x 1,000 <= 0.03 s at no worse quality than before: "
        + ("met." if met else "MISSED (see the rows).")
    )  # fmt: skip


HARD_GAP = [
    f"{kind}{m:02d}{n}" for kind in "de" for m in (5, 10, 20) for n in (100, 200)
]  # fmt: skip


def read_gap(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``cost`` (m, n), ``consumption`` (m, n) and ``capacity`` (m,) of an OR-Library file."""
    tok = np.array(path.read_text().split(), dtype=np.int64)
    m, n = int(tok[0]), int(tok[1])
    cost = tok[2 : 2 + m * n].reshape(m, n)
    cons = tok[2 + m * n : 2 + 2 * m * n].reshape(m, n)
    cap = tok[2 + 2 * m * n : 2 + 2 * m * n + m]
    return cost, cons, cap


def cpsat_gap(
    cost: np.ndarray, cons: np.ndarray, cap: np.ndarray, time_limit: float
) -> tuple[float, float, bool, float]:
    """CP-SAT (2 workers) on a GAP instance: value, bound, proven optimal, wall time."""
    from ortools.sat.python import cp_model

    m, n = cost.shape
    model = cp_model.CpModel()
    x = [[model.NewBoolVar(f"x{i}_{j}") for j in range(n)] for i in range(m)]
    for j in range(n):
        model.AddExactlyOne(x[i][j] for i in range(m))
    for i in range(m):
        model.Add(sum(int(cons[i, j]) * x[i][j] for j in range(n)) <= int(cap[i]))
    model.Minimize(sum(int(cost[i, j]) * x[i][j] for i in range(m) for j in range(n)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 2
    t0 = time.perf_counter()
    status = solver.Solve(model)
    dt = time.perf_counter() - t0
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return float("nan"), float(solver.BestObjectiveBound()), False, dt
    return (
        float(solver.ObjectiveValue()),
        float(solver.BestObjectiveBound()),
        status == cp_model.OPTIMAL,
        dt,
    )


def _gap_pct(value: float, bound: float) -> str:
    if not np.isfinite(value) or not np.isfinite(bound):
        return "-"
    return f"{(value - bound) / abs(value):.3%}"


def bench_hard_gap(gap_dir: Path, seconds: float) -> str:
    """Issue #14: the hard GAP instances (d, e) with a time limit each, beside CP-SAT."""
    if not (gap_dir / "bounds.txt").is_file():
        return f"GAP instances not found in {gap_dir}: skipped."
    try:
        import ortools  # noqa: F401

        have_cpsat = True
    except ImportError:
        have_cpsat = False
    known: dict[str, tuple[int, int]] = {}
    for line in (gap_dir / "bounds.txt").read_text().splitlines():
        name, lo, hi = line.split()
        known[name] = (int(lo), int(hi))
    rows = []
    wins = proofs = cp_proofs = 0
    proven_names: list[str] = []
    names = [nm for nm in HARD_GAP if (gap_dir / nm).is_file()]
    missing = [nm for nm in HARD_GAP if nm not in names]
    for name in names:
        cost, cons, cap = read_gap(gap_dir / name)
        t0 = time.perf_counter()
        res = assign(
            cons.T, cap, cost=cost.T, objective="cost", method="exact", time_limit=seconds
        )
        dt = time.perf_counter() - t0
        lo, hi = known[f"{name}_Min"]
        opt = f"{lo}" if lo == hi else f"{lo}-{hi}"
        ours = _gap_pct(res.value, res.lower_bound)
        if have_cpsat:
            cv, cb, cok, cdt = cpsat_gap(cost, cons, cap, seconds)
            cp_cols = [f"{cv:.0f}", f"{cb:.0f}", _gap_pct(cv, cb),
                       "yes" if cok else "no", f"{cdt:.1f}"]  # fmt: skip
            g_ours = (res.value - res.lower_bound) / abs(res.value)
            g_cp = (cv - cb) / abs(cv) if np.isfinite(cv) else np.inf
            wins += g_ours <= g_cp + 1e-12
            cp_proofs += cok
        else:
            cp_cols = ["-", "-", "-", "-", "-"]
        proofs += res.optimal
        if res.optimal:
            proven_names.append(name)
        if res.lower_bound > hi + 1e-9:
            MISSED.append(f"bound of {name} above the best known solution")
        rows.append(
            [name, f"{cost.shape[1]} x {cost.shape[0]}", opt, f"{res.value:.0f}",
             f"{res.lower_bound:.0f}", ours, "yes" if res.optimal else "no", f"{dt:.1f}",
             *cp_cols]
        )  # fmt: skip
    out = table(
        ["instance", "partners x managers", "best known (lo-hi)", "channelkit value",
         "channelkit bound", "channelkit gap", "proven", "wall [s]", "CP-SAT value",
         "CP-SAT bound", "CP-SAT gap", "proven", "wall [s]"],
        rows,
    )  # fmt: skip
    out += (
        f"\n\n{len(names)} instances, time_limit = {seconds:g} s each"
        + (f" ({', '.join(missing)} not found)" if missing else "")
        + f": channelkit proved {proofs}, CP-SAT {cp_proofs if have_cpsat else 'n/a'}; "
        + (
            f"channelkit's gap no larger than CP-SAT's on {wins}/{len(names)}."
            if have_cpsat
            else "CP-SAT not installed: column skipped."
        )
        + " Gap = (value - bound) / value, each solver's own proven bound."
    )
    gap_ok = have_cpsat and wins == len(names)
    must = [nm for nm in ("d05100", "e20100") if nm in names]
    proven_must = [nm for nm in must if nm in proven_names]
    out += (
        "\n\nTarget (issue #14): gap no larger than CP-SAT's on every instance: "
        + ("met" if gap_ok else "MISSED")
        + f"; {' and '.join(must)} proven optimal within the limit: "
        + ("met." if len(proven_must) == len(must) else "MISSED.")
    )
    if not gap_ok or len(proven_must) < len(must):
        MISSED.append("hardgap")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    parser.add_argument(
        "--gap-dir",
        type=Path,
        default=Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gap",
        help="folder of the OR-Library GAP instances (default ../shared/data/gap)",
    )
    parser.add_argument(
        "--only",
        choices=["large", "prtpy", "cpsat", "gap", "time", "fast", "hardgap"],
        help="run one table",
    )
    parser.add_argument(
        "--gap-seconds",
        type=float,
        default=None,
        help="time_limit per hard GAP instance, for both solvers (default 60; 5 with --quick)",
    )
    parser.add_argument(
        "--prtpy-max-n",
        type=int,
        default=None,
        help="largest instance prtpy's greedy runs on in the fast table (default: all; "
        "100,000 with --quick; prtpy takes minutes at 1,000,000)",
    )
    args = parser.parse_args(argv)
    repeats = 2 if args.quick else 5
    gap_seconds = args.gap_seconds if args.gap_seconds is not None else 5.0 if args.quick else 60.0
    prtpy_max_n = (
        args.prtpy_max_n if args.prtpy_max_n is not None else 100_000 if args.quick else 1_000_000
    )
    tables = [
        ("large", "Large makespan instances (log-normal workloads, fast path)",
         lambda: bench_large(args.quick, repeats)),
        ("prtpy", "100,000 partners x 50 managers vs prtpy greedy",
         lambda: bench_prtpy(args.quick, repeats)),
        ("cpsat", "Random makespan instances (12-40 partners, 3-6 managers) vs OR-Tools CP-SAT",
         lambda: bench_cpsat(args.quick)),
        ("gap", "OR-Library GAP instances (objective='cost')", lambda: bench_gap(args.gap_dir)),
        ("time", "time_limit kept (issue #9 instances)", lambda: bench_time_limits(args.quick)),
        ("fast", "Fast path near the sort floor (issue #14), vs heapq LPT and prtpy greedy",
         lambda: bench_fast(args.quick, repeats, prtpy_max_n)),
        ("hardgap", f"Hard GAP instances, time_limit = {gap_seconds:g} s each, vs OR-Tools "
         "CP-SAT (objective='cost', method='exact')",
         lambda: bench_hard_gap(args.gap_dir, gap_seconds)),
    ]  # fmt: skip
    import numpy

    import channelkit

    print(
        f"channelkit {channelkit.__version__}, numpy {numpy.__version__}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs\n"
    )
    first = True
    for key, title, run in tables:
        if args.only is not None and key != args.only:
            continue
        print(("" if first else "\n") + f"## {title}\n")
        print(f"({load_average()} before)\n")
        sys.stdout.flush()
        print(run())
        print(f"\n({load_average()} after)")
        sys.stdout.flush()
        first = False
    return 1 if MISSED else 0


if __name__ == "__main__":
    sys.exit(main())
