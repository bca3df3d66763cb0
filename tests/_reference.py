"""Slow, obviously correct reference implementations shared by tests and benchmarks.

Each function computes what a channelkit function computes, the way a
spreadsheet-minded reader would write it: one partner (or one assignment) at
a time, straight from the definition. Tests compare channelkit against them
(property tests), and the scripts in ``benchmarks/`` time channelkit against
them in the same run. Nothing here is fast on purpose.

Tests import it as ``from ._reference import ...``; benchmarks put ``tests/``
on ``sys.path`` and ``import _reference``.
"""

from __future__ import annotations

import heapq
import itertools
import math
from typing import Any

import numpy as np

import channelkit as ck

__all__ = [
    "brute_force",
    "heap_lpt",
    "loop_business_model",
    "loop_evaluate",
    "loop_gini",
    "loop_pareto",
    "loop_progress",
    "reference_audit_program",
    "reference_direction",
    "reference_progress",
    "reference_tier",
]


# --------------------------------------------------------------------------- segmentation
def loop_gini(values: list[float]) -> float:
    """Gini from the sorted values, one partner at a time."""
    x = sorted(values)
    n = len(x)
    total = sum(x)
    if total == 0:
        return 0.0
    acc = 0.0
    for i, v in enumerate(x, start=1):
        acc += (2 * i - n - 1) * v
    return min(max(acc / (n * total), 0.0), (n - 1) / n)


def loop_pareto(
    revenue: list[float], c_share: float = 0.8, t_share: float = 0.05, tol_rel: float = 1e-12
) -> list[str]:
    """Pareto segments: walk down from the largest partner, then up from the smallest."""
    n = len(revenue)
    labels = ["potential"] * n
    total = sum(revenue)
    tol = tol_rel * total
    order = sorted(range(n), key=lambda i: (-revenue[i], i))
    k = 0
    if total > 0:
        acc = 0.0
        for i in order:
            acc += revenue[i]
            k += 1
            if acc >= c_share * total - tol:
                break
    for i in order[:k]:
        labels[i] = "contributor"
    acc = 0.0
    for i in reversed(order[k:]):
        acc += revenue[i]
        if acc > t_share * total + tol:
            break
        labels[i] = "long_tail"
    return labels


def loop_business_model(product_share: list[float]) -> list[str]:
    """Business-model labels with the default boundaries, one partner at a time."""
    out = []
    for s in product_share:
        if math.isnan(s):
            out.append("unknown")
        elif s >= 0.7:
            out.append("product-led")
        elif s <= 0.3:
            out.append("services-led")
        else:
            out.append("hybrid")
    return out


# --------------------------------------------------------------------------- tiers
def reference_tier(program: ck.Program, row: dict[str, float]) -> int:
    """Slow, obviously correct tier of one partner (a dict metric -> value)."""
    best = -1
    items = program.scorecard.items if program.scorecard is not None else ()
    score = 0.0
    for it in items:
        score += min(max(it.points_per_unit * row[it.metric], 0.0), it.max_points)
    for k, tier in enumerate(program.tiers):
        ok = True
        if tier.min_score is not None:
            ok = score >= tier.min_score and all(row[it.metric] > 0 for it in items if it.required)
        ok = ok and all(row[m] >= v for m, v in tier.requirements.items())
        if ok:
            best = k
    return best


def loop_evaluate(program: ck.Program, cols: dict[str, Any]) -> np.ndarray[Any, Any]:
    """The per-partner loop a spreadsheet-minded implementation would write."""
    assert program.scorecard is not None
    items = [
        (it.metric, it.points_per_unit, it.max_points, it.required)
        for it in program.scorecard.items
    ]
    tiers = [(t.min_score, list(t.requirements.items())) for t in program.tiers]
    rows = {m: np.asarray(v).tolist() for m, v in cols.items()}
    n = len(next(iter(rows.values())))
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


def reference_audit_program(
    program: ck.Program,
    partners: Any,
    *,
    rare: float = 0.01,
    crowded: float = 0.8,
    flat: float = 1.1,
    steep: float = 5.0,
    disproportion: float = 2.0,
) -> ck.ProgramAudit:
    """``audit_program`` as one loop over the tiers (the implementation before it was split
    into one check per finding kind); the findings must come out identical."""
    Finding = ck.Finding
    ProgramAudit = ck.ProgramAudit

    def _fmt(value: float) -> str:
        return f"{value:,.6g}"

    def _share(x: float) -> str:
        if 0 < x < 0.001:
            return "under 0.1%"
        if 0.999 < x < 1:
            return "over 99.9%"
        return f"{x:.1%}"

    ev = ck.evaluate(program, partners)
    n = len(ev)
    if n == 0:
        raise ck.InvalidInputError(
            "partners is empty; an audit needs a population to compare with"
        )
    table = ev.by_tier()
    findings: list[Finding] = []
    total_cost = float(table["benefit_cost"][:-1].sum())
    for k, tier in enumerate(program.tiers):
        name = tier.name
        count, share = int(table["partners"][k]), float(table["share"][k])
        if count == 0:
            findings.append(Finding("unreached", name, "", 0.0, f"nobody reaches tier {name!r}"))
        elif share < rare:
            findings.append(
                Finding(
                    "rare",
                    name,
                    "",
                    share,
                    f"only {count} partners ({share:.1%}) are in tier {name!r}",
                )
            )
        if share >= crowded:
            findings.append(
                Finding(
                    "crowded", name, "", share, f"tier {name!r} holds {share:.0%} of the partners"
                )
            )
        rules: list[tuple[str, float, Any]] = []
        if tier.min_score is not None:
            rules.append(("min_score", tier.min_score, ev.score))
        rules.extend((m, v, ev.values[m]) for m, v in tier.requirements.items())
        for rule, threshold, col in rules:
            meets = float(np.mean(col >= threshold))
            label = "score" if rule == "min_score" else rule
            if meets < rare:
                findings.append(
                    Finding(
                        "above_population",
                        name,
                        rule,
                        meets,
                        f"tier {name!r}: {label} >= {_fmt(threshold)} is met by "
                        f"{_share(meets)} of the partners (highest {_fmt(float(col.max()))})",
                    )
                )
            elif meets >= crowded and k > 0:
                findings.append(
                    Finding(
                        "below_population",
                        name,
                        rule,
                        meets,
                        f"tier {name!r}: {label} >= {_fmt(threshold)} is met by "
                        f"{_share(meets)} of the partners, so the rule hardly discriminates",
                    )
                )
        if k > 0:
            lower = program.tiers[k - 1]
            pairs: list[tuple[str, float, float]] = []
            if lower.min_score is not None and tier.min_score is not None:
                pairs.append(("min_score", lower.min_score, tier.min_score))
            pairs.extend(
                (m, v, tier.requirements[m]) for m, v in lower.requirements.items() if v > 0
            )
            for rule, lo, hi in pairs:
                if lo <= 0:
                    continue
                ratio = hi / lo
                label = "score" if rule == "min_score" else rule
                step = f"{label} {_fmt(lo)} -> {_fmt(hi)} from {lower.name!r} to {name!r}"
                if 1 < ratio < flat:
                    findings.append(
                        Finding(
                            "flat_step", name, rule, ratio, f"flat step: {step} (x{ratio:.3g})"
                        )
                    )
                elif ratio > steep:
                    findings.append(
                        Finding(
                            "steep_step", name, rule, ratio, f"steep step: {step} (x{ratio:.3g})"
                        )
                    )
        rev_share = float(table["revenue_share"][k])
        cost = float(table["benefit_cost"][k])
        if total_cost > 0 and cost > 0:
            cost_share = cost / total_cost
            if cost_share > disproportion * rev_share:
                findings.append(
                    Finding(
                        "disproportionate_cost",
                        name,
                        "",
                        cost_share / rev_share if rev_share > 0 else math.inf,
                        f"tier {name!r} takes {cost_share:.0%} of the benefit cost but brings "
                        f"{rev_share:.0%} of the revenue",
                    )
                )
    return ProgramAudit(findings=tuple(findings), table=table)


# --------------------------------------------------------------------------- progression
def reference_progress(
    evaluated: np.ndarray[Any, Any], initial: np.ndarray[Any, Any], pol: ck.ProgressionPolicy
) -> np.ndarray[Any, Any]:
    """Partner by partner, period by period."""
    periods, n = evaluated.shape
    out = np.empty_like(evaluated)
    for i in range(n):
        cur, fails = int(initial[i]), 0
        for t in range(periods):
            promo = (t + 1) % pol.review_every == 0
            demo = (t + 1) % pol.demotion_cadence == 0
            q = int(max(evaluated[max(0, t - pol.window + 1) : t + 1, i]))
            if promo and q > cur:
                cur = q if pol.max_steps_up is None else min(q, cur + pol.max_steps_up)
                fails = 0
            if demo:
                if q < cur:
                    fails += 1
                    if fails > pol.grace_reviews:
                        cur = q if pol.max_steps_down is None else max(q, cur - pol.max_steps_down)
                        fails = 0
                else:
                    fails = 0
            out[t, i] = cur
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


def reference_direction(old: ck.Program, new: ck.Program, old_name: str, new_name: str) -> int:
    """Promoted (+1), demoted (-1) or unchanged (0), from the definition, for one partner."""
    if old_name == "":
        rank = -1
    elif old_name in new.tier_names:
        rank = new.tier_names.index(old_name)
    else:
        rank = old.tier_names.index(old_name)
    position = new.tier_names.index(new_name) if new_name else -1
    return (position > rank) - (position < rank)


# --------------------------------------------------------------------------- balancing
def brute_force(
    workload: np.ndarray,
    capacity: np.ndarray | int,
    *,
    objective: str = "balance",
    cost: np.ndarray | None = None,
    eligible: np.ndarray | None = None,
    max_partners: np.ndarray | None = None,
) -> float:
    """Optimal value by enumerating every assignment (inf when none is feasible)."""
    w = np.asarray(workload, dtype=float)
    hard = not isinstance(capacity, int)
    m = int(capacity) if not hard else len(capacity)  # type: ignore[arg-type]
    cap = np.ones(m) if not hard else np.asarray(capacity, dtype=float)
    n = w.shape[0]
    W = np.repeat(w[:, None], m, axis=1) if w.ndim == 1 else w
    best = np.inf
    for combo in itertools.product(range(m), repeat=n):
        a = np.array(combo, dtype=np.int64)
        if eligible is not None and not eligible[np.arange(n), a].all():
            continue
        if max_partners is not None and (np.bincount(a, minlength=m) > max_partners).any():
            continue
        loads = np.bincount(a, weights=W[np.arange(n), a], minlength=m)
        if hard and (loads > cap + 1e-9).any():
            continue
        value = (loads / cap).max() if objective == "balance" else cost[np.arange(n), a].sum()  # type: ignore[index]
        best = min(best, float(value))
    return best


def heap_lpt(w: np.ndarray, m: int) -> float:
    """Reference: sequential LPT with a heap, one Python step per partner."""
    heap = [(0.0, i) for i in range(m)]
    for x in sorted(w.tolist(), reverse=True):
        load, i = heapq.heappop(heap)
        heapq.heappush(heap, (load + x, i))
    return max(load for load, _ in heap)
