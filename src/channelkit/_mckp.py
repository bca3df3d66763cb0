"""Kernels for the multiple-choice knapsack behind :mod:`channelkit.coverage`.

The problem: choose one option ``k`` (a coverage motion) for every item ``i``
(a partner) to maximise ``sum value[i, k]`` subject to

* the hours of each group (a region's manager pool):
  ``sum_{i in group r} hours[i, k_i] <= cap_hours[r]``;
* a count cap per option (a distributor takes at most so many partners):
  ``#{i: k_i = k} <= cap_count[k]``;
* at most ``max_changes`` items whose option differs from ``current[i] >= 0``;
* per-item eligibility (``allowed[i, k]``).

The method (exact, with a proof):

1. **LP bound by Lagrangian relaxation.** With multipliers ``mu`` for the
   count caps and ``nu`` for the change budget fixed, the LP relaxation
   separates by group into 1-D multiple-choice knapsacks, each solved exactly
   by the greedy over the upper convex hulls of the items' (hours, value)
   points (Sinha and Zoltners, 1979): the hours multiplier ``lambda_r`` of a
   group is the slope of the hull step that fills its pool. The outer
   multipliers (a handful) are found by Kelley's cutting planes on the
   convex dual function. Every evaluated point gives an upper bound.
2. **Reduced-cost fixing and a core.** At the best multipliers each option
   has a reduced cost ``d[i, k] >= 0`` (how much it falls short of the item's
   best Lagrangian value); every feasible solution has value at most
   ``bound - sum_i d[i, k_i]``. The options with ``d <= delta`` form a core
   problem, solved by HiGHS (``scipy.optimize.milp``). Once ``delta >= bound -
   incumbent`` the core contains every solution better than the incumbent,
   so its optimum is the global optimum (the proof); otherwise ``delta``
   grows and the core is solved again (Balas and Zemel's core idea, as in
   Pisinger's algorithms for knapsack problems).

Only a few items lie near the LP's breakpoints, so the core is small and the
whole solve takes a few vectorized passes over the items plus one small MIP.

References
----------
.. [1] Sinha, P. and Zoltners, A. A. (1979). The multiple-choice knapsack
   problem. Operations Research, 27(3), 503-515.
.. [2] Pisinger, D. (1995). A minimal algorithm for the multiple-choice
   knapsack problem. European Journal of Operational Research, 83(2), 394-410.
"""

from __future__ import annotations

import math
import time
import warnings
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ._balancing_kernels import quiet
from .errors import InfeasibleError, SolverLimitError

__all__ = ["Problem", "Solution", "lagrangian", "lp_value", "solve"]

#: Partners in the first core (the ones closest to an LP breakpoint).
CORE_SIZE = 200

#: Relative tolerance of the optimality proof (floating-point noise).
PROOF_RTOL = 1e-9


@attrs.frozen(eq=False)
class Problem:
    """A multiple-choice knapsack instance (arrays, validated by the caller)."""

    value: NDArray[np.float64]  # (n, K)
    hours: NDArray[np.float64]  # (n, K), >= 0
    allowed: NDArray[np.bool_]  # (n, K)
    group: NDArray[np.int64]  # (n,) in [0, R)
    cap_hours: NDArray[np.float64]  # (R,), inf = no limit
    cap_count: NDArray[np.float64]  # (K,), inf = no limit
    current: NDArray[np.int64]  # (n,), -1 = none
    max_changes: float = math.inf

    @property
    def n(self) -> int:
        return int(self.value.shape[0])

    @property
    def k(self) -> int:
        return int(self.value.shape[1])

    @property
    def r(self) -> int:
        return int(self.cap_hours.shape[0])

    def changed(self) -> NDArray[np.bool_]:
        """(n, K): True where choosing option k changes item i's current option."""
        cur = self.current
        out: NDArray[np.bool_] = (cur[:, None] >= 0) & (np.arange(self.k)[None, :] != cur[:, None])
        return out


@attrs.frozen(eq=False)
class Solution:
    """The answer: a choice per item, its value, the bound and the LP duals."""

    choice: NDArray[np.int64]
    value: float
    bound: float
    lp_bound: float
    optimal: bool
    hour_dual: NDArray[np.float64]  # (R,)
    count_dual: NDArray[np.float64]  # (K,)
    change_dual: float
    core_size: int
    seconds: float


@attrs.frozen(eq=False)
class _Eval:
    g: float
    lam: NDArray[np.float64]
    choice: NDArray[np.int64]
    adjusted: NDArray[np.float64]  # value - mu - nu*changed, -inf where not allowed
    counts: NDArray[np.float64]  # (K,) items per option in the LP optimum (fractional)
    changes: float  # changed items in the LP optimum (fractional)


def _hull(a: NDArray[np.float64], h: NDArray[np.float64]) -> tuple[Any, ...]:
    """Upper-hull steps of every item's (hours, value) points, vectorized over items.

    Returns the start option (least hours, best value among those) and, per
    step, arrays (item, slope, d_hours, target option).
    """
    n, k = a.shape
    ok = np.isfinite(a)
    hh = np.where(ok, h, np.inf)
    hmin = hh.min(axis=1)
    start = np.where(hh <= hmin[:, None], a, -np.inf).argmax(axis=1)
    rows = np.arange(n)
    cur = start.copy()
    steps = []
    live = rows
    for _ in range(k - 1):
        if live.size == 0:
            break
        c = cur[live]
        dh = h[live] - h[live, c][:, None]
        da = a[live] - a[live, c][:, None]
        up = (dh > 0) & (da > 0) & ok[live]
        slope = np.where(up, da / np.where(up, dh, 1.0), -np.inf)
        best = slope.max(axis=1)
        has = best > -np.inf
        if not has.any():
            break
        tie = up & (slope >= best[:, None])
        nxt = np.where(tie, dh, -1.0).argmax(axis=1)
        live = live[has]
        nxt = nxt[has]
        steps.append((live, best[has], dh[has, nxt], nxt, cur[live].copy()))
        cur[live] = nxt
    return start, steps


def lagrangian(p: Problem, mu: NDArray[np.float64], nu: float) -> _Eval:
    """The LP relaxation with count and change multipliers fixed, solved exactly per group."""
    adjusted = p.value - mu[None, :]
    if nu:
        adjusted = adjusted - nu * p.changed()
    adjusted = np.where(p.allowed, adjusted, -np.inf)
    start, steps = _hull(adjusted, p.hours)
    n = p.n
    base = np.bincount(p.group, weights=p.hours[np.arange(n), start], minlength=p.r)
    short = base > p.cap_hours * (1 + 1e-12) + 1e-9
    if short.any():
        r = int(np.argmax(short))
        raise InfeasibleError(
            f"group {r}: the partners need at least {base[r]:,.1f} manager hours under "
            f"their least demanding eligible motions, {base[r] - p.cap_hours[r]:,.1f} more "
            f"than the {p.cap_hours[r]:,.1f} available"
        )
    lam = np.zeros(p.r)
    choice = start.copy()
    # the LP optimum's fractional part (steps tied at a group's multiplier), for the
    # subgradient of the outer multipliers: (item, from, to, fraction)
    part: tuple[Any, ...] = (np.zeros(0, np.int64),) * 3 + (np.zeros(0),)
    if steps:
        items = np.concatenate([s[0] for s in steps])
        slope = np.concatenate([s[1] for s in steps])
        dh = np.concatenate([s[2] for s in steps])
        s_to = np.concatenate([s[3] for s in steps])
        s_from = np.concatenate([s[4] for s in steps])
        grp = p.group[items]
        order = np.lexsort((-slope, grp))
        g_sorted = grp[order]
        cs = np.cumsum(dh[order])
        first = np.searchsorted(g_sorted, np.arange(p.r), side="left")
        offset = np.where(first > 0, cs[np.maximum(first - 1, 0)], 0.0)
        offset = np.where(first > 0, offset, 0.0)
        used = base[g_sorted] + cs - offset[g_sorted]
        over = used > p.cap_hours[g_sorted] * (1 + 1e-12) + 1e-9
        # first over-full step of each group: its slope is the group's multiplier
        pos = np.flatnonzero(over)
        s_sorted = slope[order]
        if pos.size:
            grp_over = g_sorted[pos]
            firsts = np.unique(grp_over, return_index=True)
            lam[firsts[0]] = s_sorted[pos[firsts[1]]]
            stop = np.full(p.r, -1)
            stop[firsts[0]] = pos[firsts[1]]
            where = np.arange(order.size)
            tied = (s_sorted == lam[g_sorted]) & (stop[g_sorted] >= 0) & (where <= stop[g_sorted])
            frac = np.where(tied, 1.0, 0.0)
            last = stop[firsts[0]]
            before = used[last] - dh[order][last]
            frac[last] = np.clip((p.cap_hours[g_sorted[last]] - before) / dh[order][last], 0, 1)
            t = np.flatnonzero(frac > 0)
            o = order[t]
            part = (items[o], s_from[o], s_to[o], frac[t])
        take = slope > lam[grp]
        at = 0
        for s_items, _, _, to, _ in steps:  # in step order: a prefix per item
            m = take[at : at + s_items.size]
            choice[s_items[m]] = to[m]
            at += s_items.size
    rows = np.arange(n)
    lag = adjusted[rows, choice] - lam[p.group] * p.hours[rows, choice]
    finite_h = np.isfinite(p.cap_hours)
    g = float(lag.sum() + np.sum(lam[finite_h] * p.cap_hours[finite_h]))
    finite_c = np.isfinite(p.cap_count)
    g += float(np.sum(mu[finite_c] * p.cap_count[finite_c]))
    if math.isfinite(p.max_changes):
        g += nu * p.max_changes
    counts = np.bincount(choice, minlength=p.k).astype(np.float64)
    it, frm, to, fr = part
    counts += np.bincount(to, weights=fr, minlength=p.k) - np.bincount(
        frm, weights=fr, minlength=p.k
    )
    n_changed = 0.0
    if math.isfinite(p.max_changes):
        chg = p.changed()
        n_changed = float(
            chg[rows, choice].sum() + np.sum(fr * (chg[it, to].astype(np.float64) - chg[it, frm]))
        )
    return _Eval(g=g, lam=lam, choice=choice, adjusted=adjusted, counts=counts, changes=n_changed)


def _outer_dims(p: Problem) -> tuple[NDArray[np.int64], bool]:
    """Count caps and the change budget that can bind (the outer multipliers)."""
    caps = np.flatnonzero(p.cap_count < p.allowed.sum(axis=0))
    n_current = int((p.current >= 0).sum())
    return caps, bool(p.max_changes < n_current)


def _dual(p: Problem, tol: float, deadline: float) -> tuple[_Eval, NDArray[np.float64], float]:
    """Minimise the Lagrangian dual over the outer multipliers (Kelley's cutting planes)."""
    from scipy.optimize import linprog

    caps, changes = _outer_dims(p)
    mu = np.zeros(p.k)
    best = lagrangian(p, mu, 0.0)
    d = caps.size + int(changes)
    if d == 0:
        return best, mu, 0.0
    finite = p.value[p.allowed]
    spread = float(finite.max() - finite.min()) if finite.size else 0.0
    slope_cap = spread + 1.0
    big = 2.0 * (spread + float(best.lam.max(initial=0.0)) * float(p.hours.max(initial=0.0)))
    big = max(big, slope_cap)
    points: list[NDArray[np.float64]] = []
    values: list[float] = []
    grads: list[NDArray[np.float64]] = []
    best_y = np.zeros(d)

    def grad(ev: _Eval) -> NDArray[np.float64]:
        out = list(p.cap_count[caps] - ev.counts[caps])
        if changes:
            out.append(p.max_changes - ev.changes)
        return np.asarray(out, dtype=np.float64)

    y = np.zeros(d)
    ev = best
    for _ in range(300):
        points.append(y.copy())
        values.append(ev.g)
        grads.append(grad(ev))
        if ev.g < best.g:
            best, best_y = ev, y.copy()
        # master: min theta s.t. theta >= v_t + s_t (y - y_t), 0 <= y <= big
        a_ub = np.array([[*s, -1.0] for s in grads])
        b_ub = np.array([float(s @ pt) - v for s, pt, v in zip(grads, points, values)])
        with quiet():
            res = linprog(
                np.r_[np.zeros(d), 1.0],
                A_ub=a_ub,
                b_ub=b_ub,
                bounds=[(0.0, big)] * d + [(None, None)],
                method="highs",
            )
        if res.status != 0:  # pragma: no cover - the master is always feasible and bounded
            break
        lower = float(res.fun)
        if best.g - lower <= tol * max(1.0, abs(best.g)) or time.perf_counter() > deadline:
            break
        y = np.asarray(res.x[:d], dtype=np.float64)
        mu = np.zeros(p.k)
        mu[caps] = y[: caps.size]
        ev = lagrangian(p, mu, float(y[-1]) if changes else 0.0)
    mu = np.zeros(p.k)
    mu[caps] = best_y[: caps.size]
    return best, mu, float(best_y[-1]) if changes else 0.0


def lp_value(p: Problem) -> float:
    """The LP relaxation's optimum (the Lagrangian dual's minimum)."""
    ev, _, _ = _dual(p, 1e-12, math.inf)
    return ev.g


def _solve_core(
    p: Problem,
    keep: NDArray[np.bool_],
    fixed: NDArray[np.int64],
    abs_gap: float,
    seconds: float,
) -> tuple[NDArray[np.int64] | None, float, bool]:
    """Solve the problem restricted to the options in ``keep`` (items with one option fixed).

    Returns the choice (or None if infeasible or no solution in time), the
    core's proven upper bound on the restricted problem and whether it was
    solved to optimality.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_matrix, vstack

    n_opt = keep.sum(axis=1)
    free = np.flatnonzero(n_opt > 1)
    fixed_items = np.flatnonzero(n_opt == 1)
    rows = np.arange(p.n)
    # usage of the fixed items
    f_opt = fixed[fixed_items]
    h_used = np.bincount(p.group[fixed_items], weights=p.hours[fixed_items, f_opt], minlength=p.r)
    c_used = np.bincount(f_opt, minlength=p.k).astype(np.float64)
    chg = p.changed()
    ch_used = float(chg[fixed_items, f_opt].sum())
    fixed_value = float(p.value[fixed_items, f_opt].sum())
    choice = fixed.copy()
    if free.size == 0:
        ok = (
            (h_used <= p.cap_hours * (1 + 1e-12) + 1e-9).all()
            and (c_used <= p.cap_count).all()
            and ch_used <= p.max_changes
        )
        return (choice if ok else None), fixed_value, True
    sub = keep[free]
    it, opt = np.nonzero(sub)
    item = free[it]
    nv = it.size
    c = -p.value[item, opt]
    blocks = [csr_matrix((np.ones(nv), (it, np.arange(nv))), shape=(free.size, nv))]
    lo = [np.ones(free.size)]
    hi = [np.ones(free.size)]
    hcap = p.cap_hours - h_used
    rh = np.isfinite(hcap)
    if rh.any():
        gi = np.cumsum(rh) - 1
        sel = rh[p.group[item]]
        blocks.append(
            csr_matrix(
                (p.hours[item, opt][sel], (gi[p.group[item]][sel], np.arange(nv)[sel])),
                shape=(int(rh.sum()), nv),
            )
        )
        lo.append(np.full(int(rh.sum()), -np.inf))
        hi.append(hcap[rh])
    ccap = p.cap_count - c_used
    rc = np.isfinite(ccap)
    if rc.any():
        ci = np.cumsum(rc) - 1
        sel = rc[opt]
        blocks.append(
            csr_matrix(
                (np.ones(int(sel.sum())), (ci[opt][sel], np.arange(nv)[sel])),
                shape=(int(rc.sum()), nv),
            )
        )
        lo.append(np.full(int(rc.sum()), -np.inf))
        hi.append(ccap[rc])
    if math.isfinite(p.max_changes):
        blocks.append(csr_matrix(chg[item, opt].astype(np.float64)[None, :]))
        lo.append(np.array([-np.inf]))
        hi.append(np.array([p.max_changes - ch_used]))
    a = vstack(blocks).tocsr()
    options: dict[str, Any] = {"mip_rel_gap": 1e-12, "disp": False}
    if abs_gap > 0:
        options["mip_abs_gap"] = abs_gap
    if math.isfinite(seconds):
        options["time_limit"] = max(seconds, 0.01)
    with warnings.catch_warnings(), quiet():  # scipy does not list mip_abs_gap; HiGHS reads it
        warnings.filterwarnings("ignore", "Unrecognized options", RuntimeWarning)
        res = milp(
            c,
            constraints=LinearConstraint(a, np.concatenate(lo), np.concatenate(hi)),
            integrality=np.ones(nv),
            bounds=Bounds(0, 1),
            options=options,
        )
    if res.x is None:
        return None, math.inf, res.status == 2  # status 2: proven infeasible
    x = res.x > 0.5
    choice[item[x]] = opt[x]
    del rows
    value = fixed_value + float(p.value[item[x], opt[x]].sum())
    dual = getattr(res, "mip_dual_bound", None)
    core_bound = fixed_value - float(dual) if dual is not None and math.isfinite(dual) else value
    return choice, max(core_bound, value), res.status == 0


def _feasible(p: Problem, choice: NDArray[np.int64]) -> bool:
    rows = np.arange(p.n)
    used = np.bincount(p.group, weights=p.hours[rows, choice], minlength=p.r)
    counts = np.bincount(choice, minlength=p.k)
    return bool(
        p.allowed[rows, choice].all()
        and (used <= p.cap_hours * (1 + 1e-12) + 1e-9).all()
        and (counts <= p.cap_count).all()
        and p.changed()[rows, choice].sum() <= p.max_changes
    )


def _solve_core_by_group(
    p: Problem,
    keep: NDArray[np.bool_],
    fixed: NDArray[np.int64],
    abs_gap: float,
    seconds: float,
) -> tuple[NDArray[np.int64] | None, float, bool]:
    """The core solved group by group (no constraint couples the groups)."""
    free = keep.sum(axis=1) > 1
    groups = np.unique(p.group[free])
    choice = fixed.copy()
    slack = 0.0
    solved = True
    deadline = time.perf_counter() + seconds
    share = abs_gap / max(groups.size, 1)
    for r in groups.tolist():  # one small MIP per group with free items
        mine = p.group == r
        sub = keep & (mine | ~free)[:, None]
        sub[np.arange(p.n), fixed] = True
        ch, b, ok = _solve_core(p, sub, fixed, share, deadline - time.perf_counter())
        if ch is None:
            return None, math.inf, ok
        choice[mine] = ch[mine]
        slack += b - float(p.value[np.arange(p.n), ch].sum())
        solved = solved and ok
    value = float(p.value[np.arange(p.n), choice].sum())
    return choice, value + slack, solved


def _greedy(p: Problem, start: NDArray[np.int64]) -> NDArray[np.int64] | None:
    """A feasible plan from the LP's integral part: fill each group's leftover hours greedily.

    Upgrades are ranked by contribution per extra hour and taken, per group, as
    long as the cumulated extra hours fit (a few vectorized passes).
    """
    rows = np.arange(p.n)
    if not _feasible(p, start):
        # today's motions where given, else the least demanding one: feasible when today's
        # coverage fits (the usual case for max_changes and capacities)
        hh = np.where(p.allowed, p.hours, np.inf)
        least = np.where(hh <= hh.min(axis=1)[:, None], p.value, -np.inf).argmax(axis=1)
        keep = (p.current >= 0) & p.allowed[rows, np.maximum(p.current, 0)]
        start = np.where(keep, p.current, least)
        if not _feasible(p, start):
            return None
    choice = start.copy()
    chg = p.changed()
    for _ in range(3):
        used = np.bincount(p.group, weights=p.hours[rows, choice], minlength=p.r)
        left = p.cap_hours - used
        gain = p.value - p.value[rows, choice][:, None]
        dh = p.hours - p.hours[rows, choice][:, None]
        ok = p.allowed & (gain > 0) & (dh <= left[p.group][:, None])
        ratio = np.where(ok, gain / np.maximum(dh, 1e-12), -np.inf)
        pick = ratio.argmax(axis=1)
        cand = np.flatnonzero(ratio[rows, pick] > -np.inf)
        if cand.size == 0:
            break
        extra = np.maximum(dh[cand, pick[cand]], 0.0)
        order = np.lexsort((-ratio[cand, pick[cand]], p.group[cand]))
        cand, extra = cand[order], extra[order]
        grp = p.group[cand]
        cs = np.cumsum(extra)
        first = np.searchsorted(grp, np.arange(p.r), side="left")
        offset = np.where(first > 0, cs[np.maximum(first - 1, 0)], 0.0)
        fits = cs - offset[grp] <= left[grp] * (1 + 1e-12) + 1e-9
        # the change budget and the motions' capacities, best ratio first over all groups
        took = np.flatnonzero(fits)
        by_ratio = took[np.argsort(-ratio[cand[took], pick[cand[took]]], kind="stable")]
        ci, cp = cand[by_ratio], pick[cand[by_ratio]]
        ok = np.ones(by_ratio.size, dtype=bool)
        if math.isfinite(p.max_changes):
            budget = p.max_changes - float(chg[rows, choice].sum())
            new = chg[ci, cp].astype(np.float64) - chg[ci, choice[ci]]
            ok &= np.cumsum(np.maximum(new, 0.0)) <= budget
        counts = np.bincount(choice, minlength=p.k)
        for k in np.flatnonzero(np.isfinite(p.cap_count)).tolist():  # loop over capped motions
            ok &= np.cumsum(cp == k) <= p.cap_count[k] - counts[k]
        fits = np.zeros(cand.size, dtype=bool)
        fits[by_ratio[ok]] = True
        trial = choice.copy()
        trial[cand[fits]] = pick[cand[fits]]
        if not fits.any() or not _feasible(p, trial):
            break
        choice = trial
    return choice


def solve(p: Problem, *, gap: float = 0.0, time_limit: float | None = None) -> Solution:
    """Solve the instance: exact by default; stop at a proven relative ``gap`` if given."""
    t0 = time.perf_counter()
    deadline = math.inf if time_limit is None else t0 + time_limit
    ev, mu, nu = _dual(p, 1e-9, deadline)
    ub = ev.g
    rows = np.arange(p.n)
    lagv = ev.adjusted - ev.lam[p.group][:, None] * p.hours
    best = lagv[rows, ev.choice]
    d = best[:, None] - lagv  # reduced costs, inf where not allowed
    d = np.where(p.allowed, np.maximum(d, 0.0), np.inf)
    second = np.where(np.arange(p.k)[None, :] == ev.choice[:, None], np.inf, d).min(axis=1)
    finite_second = np.sort(second[np.isfinite(second)])
    if finite_second.size == 0:
        delta = 0.0
    elif finite_second.size <= CORE_SIZE:
        delta = float(finite_second[-1])
    else:
        delta = float(finite_second[CORE_SIZE - 1])
    d_max = float(finite_second[-1]) if finite_second.size else 0.0
    tol = PROOF_RTOL * max(1.0, abs(ub))
    incumbent = _greedy(p, ev.choice)
    lb = -math.inf if incumbent is None else float(p.value[rows, incumbent].sum())
    bound = ub
    proven = False
    core_size = 0
    if incumbent is not None:
        delta = min(delta, ub - lb)
    separable = _outer_dims(p)[0].size == 0 and not _outer_dims(p)[1]
    while True:
        if incumbent is not None and ub - lb <= max(tol, gap * abs(ub)):
            proven = ub - lb <= tol
            bound = ub
            break
        keep = p.allowed & (d <= delta)
        keep[rows, ev.choice] = True
        core_size = int((keep.sum(axis=1) > 1).sum())
        left = deadline - time.perf_counter()
        solver = _solve_core_by_group if separable else _solve_core
        choice, core_bound, solved = solver(p, keep, ev.choice, 0.5 * gap * abs(ub), left)
        if choice is not None:
            val = float(p.value[rows, choice].sum())
            if val > lb:
                lb, incumbent = val, choice
        complete = delta >= d_max
        if incumbent is not None and (complete or delta + tol >= ub - lb):
            # every solution better than the incumbent lies in the core
            if choice is not None:
                bound = min(ub, core_bound)
            proven = solved and bound - lb <= max(tol, PROOF_RTOL * abs(bound))
            if solved or complete:
                break
        if complete:
            if choice is None and solved:
                raise InfeasibleError(
                    "no coverage satisfies every rule at once (hours, motion capacities, "
                    "eligibility and max_changes together)"
                )
            break
        if time.perf_counter() > deadline:
            break
        if gap > 0 and incumbent is not None and ub - lb <= gap * abs(ub):
            break
        grow = max(4.0 * delta, (ub - lb) if incumbent is not None else 0.0, 1e-9)
        delta = min(grow, d_max)
    if incumbent is None:
        raise SolverLimitError(
            "no feasible coverage was found within the time limit (which is no proof that "
            "none exists); raise time_limit"
        )
    if proven:
        bound = max(lb, min(bound, ub))
    return Solution(
        choice=incumbent,
        value=lb,
        bound=float(bound),
        lp_bound=float(ub),
        optimal=bool(proven),
        hour_dual=ev.lam,
        count_dual=mu,
        change_dual=nu,
        core_size=core_size,
        seconds=time.perf_counter() - t0,
    )
