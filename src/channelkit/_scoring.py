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
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["BLOCK", "tier_kernel", "total_score"]


def total_score(
    card: Any,
    cols: Mapping[str, NDArray[np.float64]],
    n: int,
    nonnegative: Iterable[str] = (),
    *,
    buf: NDArray[np.float64] | None = None,
    out: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Sum of the items' points; metrics in ``nonnegative`` are known to be >= 0."""
    known = set(nonnegative)
    total = np.zeros(n) if out is None else out
    total.fill(0.0)
    work = np.empty(n) if buf is None else buf
    for item in card.items:
        np.multiply(cols[item.metric], item.points_per_unit, out=work)
        capped = math.isfinite(item.max_points)
        if item.metric not in known:
            if capped:
                np.clip(work, 0.0, item.max_points, out=work)
            else:
                np.maximum(work, 0.0, out=work)
        elif capped:
            np.minimum(work, item.max_points, out=work)
        total += work
    return total


#: Partners per block in the tier kernel: small enough for the working arrays
#: to stay in the CPU cache, large enough to amortize numpy's call overhead.
BLOCK = 1 << 14


def tier_kernel(
    program: Any, cols: Mapping[str, NDArray[np.float64]], n: int
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Evaluated tier (-1 for none) and score of every partner.

    Works block by block over the partners (never partner by partner); each
    block runs one vectorized pass per scorecard item and per tier rule.
    """
    card = program.scorecard
    score = np.empty(n) if card is not None else np.full(n, np.nan)
    tier = np.empty(n, dtype=np.int64)
    unsigned = (
        [m for m in card.metrics if m not in program.signed_metrics] if card is not None else []
    )
    required = [it.metric for it in card.items if it.required] if card is not None else []
    rules = [(t.min_score, tuple(t.requirements.items())) for t in program.tiers]
    size = min(BLOCK, max(n, 1))
    buf = np.empty(size)
    ok_buf = np.empty(size, dtype=bool)
    tmp_buf = np.empty(size, dtype=bool)
    req_buf = np.empty(size, dtype=bool)
    rank_buf = np.empty(size, dtype=np.int64)
    for start in range(0, n, size):
        stop = min(start + size, n)
        m = stop - start
        block = {k: v[start:stop] for k, v in cols.items()}
        ok, tmp, req = ok_buf[:m], tmp_buf[:m], req_buf[:m]
        sc = score[start:stop]
        if card is not None:
            total_score(card, block, m, unsigned, buf=buf[:m], out=sc)
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
            np.multiply(ok, k + 1, out=rank)
            np.maximum(t, rank, out=t)
        t -= 1
    return tier, score
