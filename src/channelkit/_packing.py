"""Exact makespan on identical managers: the bin-packing view, with a bisection on the target.

The makespan problem on ``m`` identical managers (P||Cmax) asks for the
smallest ``C`` such that the jobs fit into ``m`` bins of size ``C``. With
whole-number workloads ``C`` is a whole number between a lower bound ``lo``
and the value ``hi`` of a known answer (the fast path's), so a bisection on
``C`` over bin-packing feasibility questions solves it; every question is
answered by a depth-first search that either packs the jobs (a better
answer: ``hi`` falls to its largest load) or exhausts its tree (a proof: the
bound rises to ``C + 1``). A search that reaches its node or time budget
answers neither, and the bisection stops there with what it has proven.

The search (Martello and Toth's item-oriented branching, with the
reductions of bin completion) places jobs in decreasing order and prunes
with rules that never remove every packing when one exists:

* **symmetry**: bins of equal load (and equal count, under a headcount cap)
  are interchangeable, so a job tries only the first of them;
* **waste**: the space left in a bin that no subset of the jobs still to
  place can fill (subset sums kept as bit sets) is lost; when the lost space
  of all bins passes the slack ``m C - sum(w)`` no packing completes;
* **perfect fit** (without a headcount cap): a job that exactly fills a bin
  goes there and nowhere else (swapping it with what would fill that bin in
  another packing keeps that packing feasible);
* **equal jobs**: a job of the same size as the previous one, which was
  branched on, goes to a bin of at least that one's index (the two are
  interchangeable; after a perfect fit the next job may go anywhere).

It is a search over at most a few hundred jobs, run before the MIP solver on
small instances, where the MIP solver's own set-up costs more than the
search (a Python loop over jobs, bounded by ``node_limit`` and the
deadline; larger instances go straight to the MIP).

References
----------
.. [1] Martello, S. and Toth, P. (1990). Knapsack Problems: Algorithms and
   Computer Implementations, ch. 8 (bin packing). Wiley.
.. [2] Dell'Amico, M. and Martello, S. (1995). Optimal scheduling of tasks on
   identical parallel processors. ORSA Journal on Computing, 7(2), 191-200.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

#: Largest number of jobs the search is tried on (a deeper search belongs to the MIP).
MAX_JOBS = 400
#: Default node budget of one bisection (all of its feasibility searches together).
NODE_LIMIT = 200_000
#: Subset sums are kept as bit sets while ``target * (jobs + 1)`` stays below this
#: (8 MiB); beyond it the waste rule falls back to the smallest job.
BITSET_BITS = 2**26


class _Limit(Exception):
    """The search reached its node or time budget."""


@dataclass(frozen=True)
class PackResult:
    """What the bisection proved: the best answer, its value and the lower bound."""

    manager: IntArray | None  # the best packing found (None: none better than ``hi``)
    value: int  # its largest load (``hi`` when no packing was found)
    bound: int  # the proven lower bound (== value when solved)
    complete: bool  # True: value == bound was proven
    nodes: int  # search nodes used


def _pack(
    ws: list[int], m: int, k: int, target: int, budget: list[int], deadline: float
) -> list[int] | None:
    """Bins (per job, in ``ws`` order) of a packing into ``m`` bins of size ``target``.

    ``ws`` is sorted in decreasing order; ``k`` is the headcount cap of every
    bin (``len(ws)`` for none). Returns None when no packing exists; raises
    :class:`_Limit` when ``budget[0]`` nodes are used up or the deadline
    passes.
    """
    n = len(ws)
    total = sum(ws)
    slack = m * target - total
    if slack < 0 or (n and ws[0] > target) or n > m * k:
        return None
    capped = k < n
    # reach[j]: the subset sums of jobs j.. (bit s set: some subset sums to s), up to
    # target; past BITSET_BITS bits in all, only "smaller than the smallest job" is lost
    bitsets = target * (n + 1) <= BITSET_BITS
    mask = (1 << (target + 1)) - 1 if bitsets else 0
    reach = [1] * (n + 1)
    for j in range(n - 1, -1, -1):
        reach[j] = (reach[j + 1] | (reach[j + 1] << ws[j])) & mask if bitsets else ws[-1]
    reach[n] = 1 if bitsets else target + 1
    loads = [0] * m
    counts = [0] * m
    where = [0] * n

    def lost(residual: int, count: int, sums: int) -> int:
        # space in a bin that no subset of the jobs still to place fills
        if capped and count >= k:
            return residual
        if not bitsets:  # sums: the smallest job still to place
            return residual if residual < sums else 0
        return residual - ((sums & ((2 << residual) - 1)).bit_length() - 1)

    def dfs(j: int, first: int) -> bool:
        if j == n:
            return True
        budget[0] -= 1
        if budget[0] < 0 or (budget[0] & 1023 == 0 and time.perf_counter() > deadline):
            raise _Limit
        wj = ws[j]
        if not capped:
            for i in range(m):
                if loads[i] + wj == target:  # perfect fit: the only branch
                    loads[i] += wj
                    counts[i] += 1
                    where[j] = i
                    # (the next job, even of the same size, may go anywhere)
                    if dfs(j + 1, 0):
                        return True
                    loads[i] -= wj
                    counts[i] -= 1
                    return False
        after = reach[j + 1]
        lost_now = [lost(target - loads[i], counts[i], after) for i in range(m)]
        waste = sum(lost_now)
        tried: set[tuple[int, int]] = set()
        # emptiest bins first (as LPT): balanced packings are found sooner
        for i in sorted(range(first, m), key=loads.__getitem__):
            load, count = loads[i], counts[i]
            if capped and count >= k:
                continue
            new = load + wj
            if new > target:
                continue
            key = (load, count if capped else 0)
            if key in tried:
                continue
            tried.add(key)
            if waste - lost_now[i] + lost(target - new, count + 1, after) > slack:
                continue
            loads[i] = new
            counts[i] = count + 1
            where[j] = i
            same = j + 1 < n and ws[j + 1] == wj
            if dfs(j + 1, i if same else 0):
                return True
            loads[i] = load
            counts[i] = count
        return False

    return where if dfs(0, 0) else None


def bisect_makespan(
    w: FloatArray,
    m: int,
    kmax: int,
    lo: float,
    hi: float,
    *,
    deadline: float,
    node_limit: int = NODE_LIMIT,
) -> PackResult:
    """Solve P||Cmax on whole-number workloads by a bisection over packing searches.

    Parameters
    ----------
    w : (n,) float array of whole numbers below 2**53
        The workloads.
    m, kmax : int
        Managers, and the headcount cap of each (``n`` or more for none).
    lo, hi : float
        A proven lower bound of the optimum, and the value of a known answer.
    deadline : float
        ``time.perf_counter()`` value at which the search stops.
    node_limit : int
        Search nodes over the whole bisection.

    Returns
    -------
    PackResult
        The best packing found below ``hi`` (if any), its value, and the
        largest bound proven.
    """
    n = int(w.shape[0])
    order = np.argsort(-w, kind="stable")
    ws = [int(v) for v in w[order].tolist()]
    low = int(np.ceil(lo - 1e-9))
    high = round(hi)
    k = min(int(kmax), n)
    budget = [int(node_limit)]
    best: list[int] | None = None
    complete = True
    while low < high:
        mid = (low + high - 1) // 2  # ask for the smallest values first: low is often optimal
        try:
            found = _pack(ws, m, k, mid, budget, deadline)
        except _Limit:
            complete = False
            break
        if found is None:
            low = mid + 1
        else:
            best = found
            loads = np.bincount(np.asarray(found, dtype=np.int64), weights=w[order], minlength=m)
            high = round(float(loads.max()))
    manager: IntArray | None = None
    if best is not None:
        manager = np.empty(n, dtype=np.int64)
        manager[order] = np.asarray(best, dtype=np.int64)
    return PackResult(manager, high, low, complete and low >= high, int(node_limit) - budget[0])
