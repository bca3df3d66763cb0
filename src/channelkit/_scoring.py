"""The scoring and tier-placement kernels of :mod:`channelkit.tiers`.

They live in this private module so that :mod:`channelkit.tiers` (one period,
:func:`~channelkit.tiers.evaluate`) and :mod:`channelkit.progression` (many
periods at once) share them without importing each other's private names.
They work on plain arrays and read only the fields of the program objects
(``scorecard.items``, ``tiers``, ``signed_metrics``), so nothing here imports
the domain classes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn

import numpy as np
from numpy.typing import NDArray

from .errors import InvalidInputError

__all__ = [
    "BLOCK",
    "THRESHOLD_RTOL",
    "item_points",
    "score_overflow",
    "threshold_floor",
    "tier_kernel",
    "total_score",
    "whole_steps",
]

#: Relative tolerance of every threshold comparison: a score or metric within
#: this share of a threshold below it counts as meeting the threshold.
THRESHOLD_RTOL = 1e-12


def threshold_floor(threshold: Any) -> Any:
    """The smallest value that meets ``threshold`` (a float or an array).

    Thresholds are inclusive and compared the way a person adding the numbers
    would: a value below the threshold by at most :data:`THRESHOLD_RTOL` times
    its magnitude is on it (floating-point rounding of decimal metrics and
    points is some 1e-16 of the magnitudes, far below the tolerance).
    """
    return threshold - THRESHOLD_RTOL * np.abs(threshold)


def whole_steps(x: NDArray[np.float64], per: float) -> NDArray[np.float64]:
    """Number of whole ``per`` in each ``x`` (0 for ``x`` < ``per``), decided at the boundaries.

    Step ``k`` is reached when ``x`` meets the threshold ``k * per`` in the sense of
    :func:`threshold_floor`, so ``0.3`` holds three whole ``0.1`` although
    ``0.3 / 0.1`` is ``2.9999999999999996`` in floating point. Infinite ``x``
    gives infinitely many steps.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        k = np.floor(np.maximum(x, 0.0) / per)
        up = k + 1.0
        # one more step when x is on (within the tolerance of) the next boundary
        k = np.where(x >= threshold_floor(up * per), up, k)
        # one fewer when the division rounded up onto a boundary that x misses
        k = np.where((k > 0) & (x < threshold_floor(k * per)), k - 1.0, k)
    return np.asarray(np.where(np.isinf(x), x, k), dtype=np.float64)


def item_points(
    item: Any, x: NDArray[np.float64], out: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    """Points of a scorecard ``item`` for metric values ``x``, before the cap and clipping at 0.

    ``points_per_unit * x`` for a linear item; ``points_per_unit * whole_steps(x, per)``
    for an item with a step ``per``.
    """
    per = getattr(item, "per", None)
    with np.errstate(over="ignore", invalid="ignore"):
        if per is None:
            return np.asarray(np.multiply(x, item.points_per_unit, out=out), dtype=np.float64)
        steps = whole_steps(x, per)
        return np.asarray(np.multiply(steps, item.points_per_unit, out=out), dtype=np.float64)


def total_score(
    card: Any,
    cols: Mapping[str, NDArray[np.float64]],
    n: int,
    nonnegative: Iterable[str] = (),
    *,
    buf: NDArray[np.float64] | None = None,
    out: NDArray[np.float64] | None = None,
    compensated: bool = True,
) -> NDArray[np.float64]:
    """Sum of the items' points; metrics in ``nonnegative`` are known to be >= 0.

    The sum is compensated (Neumaier's variant of Kahan summation, vectorized
    over the partners, one pass per item), so that it is the exact sum of the
    items' points rounded once, up to a relative 1e-16 or so: points of
    decimal metrics that add up to 70 give 70, not 69.99999999999999.
    ``compensated=False`` adds them plainly (a relative error up to about
    ``len(items) * 1.1e-16``), for the tier kernel's first pass.
    Points or sums beyond the largest float are ``inf``.
    """
    known = set(nonnegative)
    total = np.zeros(n) if out is None else out
    total.fill(0.0)
    work = np.empty(n) if buf is None else buf
    if compensated:
        comp = np.zeros(n)
        big = np.empty(n)
        small = np.empty(n)
    with np.errstate(over="ignore", invalid="ignore"):
        for item in card.items:
            item_points(item, cols[item.metric], out=work)
            capped = math.isfinite(item.max_points)
            if item.metric not in known:
                if capped:
                    np.clip(work, 0.0, item.max_points, out=work)
                else:
                    np.maximum(work, 0.0, out=work)
            elif capped:
                np.minimum(work, item.max_points, out=work)
            if not compensated:
                total += work
                continue
            # points are >= 0, so the larger term is the maximum: the rounding
            # error of total + work is (big - (total + work)) + small, exactly
            np.maximum(total, work, out=big)
            np.minimum(total, work, out=small)
            total += work
            big -= total
            big += small
            comp += big
        if compensated:
            # an overflowing sum stays inf (its compensation is inf - inf = NaN)
            np.add(total, comp, out=total, where=np.isfinite(comp))
    return total


#: Scores within this relative distance of a positive ``min_score`` after the
#: tier kernel's plain sum are summed again, compensated: far more than the plain
#: sum's error, so that every decision near a threshold uses the compensated score.
_NEAR = 1e-9


#: Partners per block in the tier kernel: small enough for the working arrays
#: to stay in the CPU cache, large enough to amortize numpy's call overhead.
BLOCK = 1 << 14


def tier_kernel(
    program: Any,
    cols: Mapping[str, NDArray[np.float64]],
    n: int,
    *,
    describe: Callable[[int], str] | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Evaluated tier (-1 for none) and score of every partner.

    Works block by block over the partners (never partner by partner); each
    block runs one vectorized pass per scorecard item and per tier rule.
    ``describe(row)`` names a partner in an error message (default: its row).
    """
    card = program.scorecard
    score = np.empty(n) if card is not None else np.full(n, np.nan)
    tier = np.empty(n, dtype=np.int64)
    unsigned = (
        [m for m in card.metrics if m not in program.signed_metrics] if card is not None else []
    )
    required = [it.metric for it in card.items if it.required] if card is not None else []
    # thresholds lowered by the documented tolerance (see threshold_floor): ">= floor" is
    # "meets the threshold", here and in gaps and audits alike
    rules = [
        (
            None if t.min_score is None else float(threshold_floor(t.min_score)),
            tuple((m, float(threshold_floor(v))) for m, v in t.requirements.items()),
        )
        for t in program.tiers
    ]
    # per-item point minimums (Tier.min_points): item metric -> floor of the minimum
    items_by_metric = {it.metric: it for it in card.items} if card is not None else {}
    point_rules = [
        tuple(
            (items_by_metric[m], float(threshold_floor(v)))
            for m, v in (getattr(t, "min_points", None) or {}).items()
        )
        for t in program.tiers
    ]
    size = min(BLOCK, max(n, 1))
    buf = np.empty(size)
    ok_buf = np.empty(size, dtype=bool)
    tmp_buf = np.empty(size, dtype=bool)
    req_buf = np.empty(size, dtype=bool)
    rank_buf = np.empty(size, dtype=np.int64)
    near_buf = np.empty(size, dtype=bool)
    # positive min_scores: the thresholds where a score's rounding can matter
    levels = sorted({t.min_score for t in program.tiers if t.min_score and t.min_score > 0})
    for start in range(0, n, size):
        stop = min(start + size, n)
        m = stop - start
        block = {k: v[start:stop] for k, v in cols.items()}
        ok, tmp, req = ok_buf[:m], tmp_buf[:m], req_buf[:m]
        sc = score[start:stop]
        if card is not None:
            # a plain sum first; scores near a threshold are summed again, compensated
            total_score(card, block, m, unsigned, buf=buf[:m], out=sc, compensated=False)
            near = near_buf[:m]
            near.fill(False)
            for level in levels:
                np.subtract(sc, level, out=buf[:m])
                np.abs(buf[:m], out=buf[:m])
                np.less_equal(buf[:m], _NEAR * level, out=tmp)
                near |= tmp
            rows = np.flatnonzero(near)
            if rows.size:
                sub = {k: v[rows] for k, v in block.items()}
                sc[rows] = total_score(card, sub, rows.size, unsigned)
            if not np.isfinite(sc).all():
                row = start + int(np.argmin(np.isfinite(sc)))
                score_overflow(card, block, row - start, start, describe)
        if required:
            req.fill(True)
            for metric in required:
                np.greater(block[metric], 0.0, out=tmp)
                req &= tmp
        t = tier[start:stop]
        t.fill(0)  # holds tier + 1 while the rules are checked
        rank = rank_buf[:m]
        # The highest tier met, whether or not the ladder is nested (a
        # validated ladder is, and its rules are read-only).
        for k, (min_score, reqs) in enumerate(rules):
            ok.fill(True)
            if min_score is not None:
                np.greater_equal(sc, min_score, out=ok)
                if required:
                    ok &= req
            for metric, minimum in reqs:
                np.greater_equal(block[metric], minimum, out=tmp)
                ok &= tmp
            for item, minimum in point_rules[k]:
                pts = buf[:m]
                item_points(item, block[item.metric], out=pts)
                np.clip(pts, 0.0, item.max_points, out=pts)
                np.greater_equal(pts, minimum, out=tmp)
                ok &= tmp
            np.multiply(ok, k + 1, out=rank)
            np.maximum(t, rank, out=t)
        t -= 1
    return tier, score


def score_overflow(
    card: Any,
    block: Mapping[str, NDArray[np.float64]],
    i: int,
    start: int,
    describe: Callable[[int], str] | None = None,
) -> NoReturn:
    """Raise for the partner at row ``start + i`` whose score exceeds the largest float."""
    who = describe(start + i) if describe is not None else f"the partner in row {start + i}"
    for item in card.items:
        value = float(block[item.metric][i])
        with np.errstate(over="ignore"):
            raw = float(item_points(item, np.array([value]))[0])
            pts = min(max(raw, 0.0), item.max_points)
        if math.isinf(pts):
            raise InvalidInputError(
                f"metric {item.metric!r} of {who} = {value!r} earns "
                f"{value!r} x {item.points_per_unit!r} points, more than the largest float "
                f"({np.finfo(np.float64).max:.4g}); express the metric in larger units or cap "
                "the item (max_points)"
            )
    raise InvalidInputError(
        f"the scorecard points of {who} add up to more than the "
        f"largest float ({np.finfo(np.float64).max:.4g}); express the metrics in larger units "
        "or cap the items (max_points)"
    )
