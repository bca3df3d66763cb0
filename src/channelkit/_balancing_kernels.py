"""Array kernels behind :func:`channelkit.balancing.assign`.

Pure numpy/scipy functions over arrays; no domain classes. Conventions:
``W`` is an (n, m) workload matrix (hours of partner j when manager i holds
it), ``cap`` the (m,) capacities used to make loads relative, ``elig`` an
(n, m) bool mask, ``kmax`` (m,) headcount caps (a large number for none),
``manager`` an (n,) int array of manager indices (-1 = unassigned).
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: Relative tolerance under which a value counts as equal to its lower bound.
OPT_RTOL = 1e-9
#: Relative MIP gap passed to HiGHS.
MIP_REL_GAP = 1e-7


# --------------------------------------------------------------------------- quiet solves
class _CStdio:
    """The C library's ``stdout`` and ``stderr`` pointers, to point them at /dev/null.

    HiGHS writes a few development messages with ``printf``/``puts`` whatever
    its options say (``HighsMipSolverData::transformNewIntegerFeasibleSolution
    tmpSolver.run();``). Redirecting file descriptor 1 would also swallow what
    other threads print, so instead the C ``FILE *`` variables are pointed at
    /dev/null for the duration of a solve: Python's own ``print`` and
    ``os.write`` go through file descriptors and are not affected. Only on
    glibc (Linux) and macOS, where those variables are writable; elsewhere a
    no-op.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.saved: tuple[int | None, int | None] = (None, None)
        self.ok = False
        try:
            names = {"linux": ("stdout", "stderr"), "darwin": ("__stdoutp", "__stderrp")}
            key = "linux" if sys.platform.startswith("linux") else sys.platform
            if key not in names:
                return
            libc = ctypes.CDLL(None)
            if key == "linux":
                libc.gnu_get_libc_version  # noqa: B018 - glibc only (musl's stdout is const)
            libc.fopen.restype = ctypes.c_void_p
            libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
            libc.fflush.argtypes = [ctypes.c_void_p]
            self.out = ctypes.c_void_p.in_dll(libc, names[key][0])
            self.err = ctypes.c_void_p.in_dll(libc, names[key][1])
            self.null = libc.fopen(b"/dev/null", b"w")
            self.fflush = libc.fflush
            self.ok = bool(self.null)
        except (AttributeError, OSError, ValueError):  # pragma: no cover - other C libraries
            self.ok = False

    @contextlib.contextmanager
    def silenced(self) -> Iterator[None]:
        if not self.ok:  # pragma: no cover - other C libraries
            yield
            return
        with self.lock:
            if self.depth == 0:
                self.fflush(None)  # what C code printed before goes where it was meant to
                self.saved = (self.out.value, self.err.value)
                self.out.value = self.null
                self.err.value = self.null
            self.depth += 1
        try:
            yield
        finally:
            with self.lock:
                self.depth -= 1
                if self.depth == 0:
                    self.fflush(self.null)
                    self.out.value, self.err.value = self.saved


_C_STDIO = _CStdio()


def quiet() -> contextlib.AbstractContextManager[None]:
    """Context in which C code (HiGHS) prints nothing to stdout or stderr (thread-safe)."""
    return _C_STDIO.silenced()


# --------------------------------------------------------------------------- lower bounds
def makespan_bound_identical(w: FloatArray, m: int) -> float:
    """Lower bound of the makespan of jobs ``w`` on ``m`` identical machines.

    ``max(sum/m, max, and for every k >= 1 the sum of the k+1 smallest of the
    k*m+1 largest jobs)`` -- some machine receives k+1 of the k*m+1 largest
    jobs. k = 1 is the classic ``w[m-1] + w[m]`` (sorted descending).
    """
    n = w.shape[0]
    if n == 0:
        return 0.0
    best = max(float(w.sum()) / m, float(w.max()))
    if n <= m:
        return best
    k_max = (n - 1) // m
    # A term sums k+1 jobs of rank >= k*m-k, each at most the job of that rank.
    # Jobs of rank >= t (t = the number above best / (k_max + 1)) cannot make a
    # term beat ``best``: only the terms starting above rank t are needed, and
    # they reach rank t + k_max at most, so only the largest p jobs are sorted.
    t = int(np.count_nonzero(w > best / (k_max + 1)))
    p = min(n, t + k_max + 1)
    top = np.sort(np.partition(w, n - p)[n - p :] if p < n else w)[::-1]
    csum = np.concatenate(([0.0], np.cumsum(top)))
    k = np.arange(1, k_max + 1)
    k = k[k * m - k < t] if p < n else k
    if k.size:
        # jobs with (0-based, descending) indices k*m-k ... k*m
        vals = csum[k * m + 1] - csum[k * m - k]
        best = max(best, float(vals.max()))
    return best


def makespan_bound_general(
    W: FloatArray,
    cap: FloatArray,
    elig: BoolArray,
    kmax: IntArray,
    split: bool = True,
    comps: tuple[int, IntArray, IntArray] | None = None,
    w1: FloatArray | None = None,
) -> float:
    """Lower bound of the largest relative load ``max_i load_i / cap_i``.

    Combines: every partner must go somewhere (its cheapest relative load);
    the total, spread over all capacity; and the k*m+1 argument applied to
    the smallest workloads with the largest capacity, per connected
    component of the eligibility graph (``comps``, from :func:`components`,
    when already known). ``kmax`` (headcount caps) is passed down to the
    components but does not strengthen the bound. ``w1``: the (n,) workloads
    when ``W`` is their broadcast (components any manager of which may take
    any partner then cost O(n + m)).
    """
    n, m = W.shape
    if n == 0:
        return 0.0
    if split and comps is None:
        comps = components(elig)
    n_comp, jlab, ilab = comps if split and comps is not None else (1, None, None)
    if n_comp > 1:
        assert jlab is not None
        assert ilab is not None
        best = -math.inf
        for c in range(n_comp):  # loop over components (regions), not partners
            rows, cols = np.flatnonzero(jlab == c), np.flatnonzero(ilab == c)
            if rows.size == 0:
                continue
            sub = elig[np.ix_(rows, cols)]
            if w1 is not None and sub.all():  # the same value, without an (n, m) copy
                val = makespan_bound_uniform(w1[rows], cap[cols])
            else:
                val = makespan_bound_general(
                    W[np.ix_(rows, cols)], cap[cols], sub, kmax[cols], split=False
                )
            best = max(best, val)
        return best
    if elig.all():  # no (n, m) masking pass when every manager may take every partner
        best = float((W / cap).min(axis=1).max())
        wmin = W.min(axis=1)
    else:
        best = float(np.where(elig, W / cap, np.inf).min(axis=1).max())
        wmin = np.where(elig, W, np.inf).min(axis=1)
    best = max(best, float(wmin.sum()) / float(cap.sum()))
    identical_like = makespan_bound_identical(wmin, m) / float(cap.max())
    return max(best, identical_like)


def makespan_bound_uniform(w: FloatArray, cap: FloatArray) -> float:
    """:func:`makespan_bound_general` for workloads ``w`` (n,) that any manager may take.

    The same value in O(n log n + m) instead of O(n m): the cheapest relative
    load of a partner is with the largest capacity.
    """
    if w.shape[0] == 0:
        return 0.0
    cmax = float(cap.max())
    best = max(float(w.max()) / cmax, float(w.sum()) / float(cap.sum()))
    return max(best, makespan_bound_identical(w, cap.shape[0]) / cmax)


def row_groups(elig: BoolArray) -> tuple[IntArray, IntArray] | None:
    """Partners with the same eligibility row (a region): first row of each group, group of each row.

    None when every row is distinct. The rows are packed as bits into 64-bit
    words and sorted: O(n m / 64) words, whatever the number of groups.
    """
    n, m = elig.shape
    if n == 0 or m == 0:
        return None
    packed = np.packbits(elig, axis=1)
    width = -(-packed.shape[1] // 8) * 8
    if width != packed.shape[1]:
        packed = np.concatenate(
            (packed, np.zeros((n, width - packed.shape[1]), dtype=np.uint8)), axis=1
        )
    words = np.ascontiguousarray(packed).view(np.uint64)  # (n, width / 8)
    order = (
        np.lexsort(words.T[::-1]) if words.shape[1] > 1 else np.argsort(words[:, 0], kind="stable")
    )
    ranked = words[order]
    new = np.ones(n, dtype=bool)
    new[1:] = (ranked[1:] != ranked[:-1]).any(axis=1)
    k = int(new.sum())
    if k == n:
        return None
    inv = np.empty(n, dtype=np.int64)
    inv[order] = np.cumsum(new) - 1
    first: IntArray = order[new].astype(np.int64)  # the sorts are stable: the smallest index
    return first, inv


def components(
    elig: BoolArray, groups: tuple[IntArray, IntArray] | bool | None = True
) -> tuple[int, IntArray, IntArray]:
    """Connected components of the bipartite partner-manager eligibility graph.

    Returns the number of components and the component label of every
    partner and every manager, numbered in order of their first partner
    (then managers without partners, in order). Partners in different
    components never share a manager, so bounds (and problems) decompose.
    Partners with the same eligibility row (a region) are one node of the
    graph, so the work is O(n m / 8) for the rows plus the graph of distinct
    rows (``groups``: :func:`row_groups`, when already known).
    """
    n, m = elig.shape
    if groups is True:
        groups = row_groups(elig)
    if groups is None or groups is False or not elig[groups[0]].any(axis=1).all():
        # all rows distinct, or partners without a manager (each its own component)
        return _components_graph(elig)
    first, inv = groups
    k, lrow, lman = _components_graph(np.asarray(elig[first]))
    jlab = lrow[inv]
    # renumber as the graph of all partners would: by first partner, then
    # managers without partners in index order
    start = np.full(k, n + m, dtype=np.int64)
    np.minimum.at(start, jlab, np.arange(n))
    np.minimum.at(start, lman, n + np.arange(m))
    rank = np.empty(k, dtype=np.int64)
    rank[np.argsort(start, kind="stable")] = np.arange(k)
    return k, rank[jlab], rank[lman]


def _components_graph(elig: BoolArray) -> tuple[int, IntArray, IntArray]:
    from scipy.sparse.csgraph import connected_components

    n, m = elig.shape
    jj, ii = np.nonzero(elig)
    g = sparse.coo_array((np.ones(jj.size), (jj, n + ii)), shape=(n + m, n + m)).tocsr()
    k, labels = connected_components(g, directed=False)
    lab = labels.astype(np.int64)
    return int(k), lab[:n], lab[n:]


def integral_round(bound: float, data_integral: bool) -> float:
    """Round a bound up to the next integer when the optimum must be integral."""
    if data_integral and math.isfinite(bound):
        return float(math.ceil(bound - 1e-6))
    return bound


# --------------------------------------------------------------------------- fast: rounds
def lpt_rounds(
    w: FloatArray,
    cap: FloatArray,
    kmax: IntArray,
    loads0: FloatArray,
    counts0: IntArray,
    jobs: IntArray,
    manager: IntArray,
) -> None:
    """Longest-processing-time first, in vectorized rounds (in place).

    Each round hands the next ``r`` largest remaining jobs of ``jobs`` to the
    ``r`` managers with the lowest relative load (largest job to the least
    loaded), skipping managers at their headcount cap. ``r`` is the number of
    managers whose relative load is below what the least loaded one reaches
    with the round's largest job, so that a manager that is far ahead sits
    rounds out, as it would under sequential LPT. ``manager``, and the
    running ``loads0`` and ``counts0``, are updated in place.
    """
    order = jobs[desc_order(w[jobs])]
    pos = 0
    total = order.shape[0]
    while pos < total:
        open_ = np.flatnonzero(counts0 < kmax)
        if open_.size == 0:
            break
        rel = loads0[open_] / cap[open_]
        # managers that sequential LPT could still pick before the least loaded
        # one, after it takes the largest job, gets another: rel < min(rel + w/cap)
        reach = float(np.min((loads0[open_] + w[order[pos]]) / cap[open_]))
        r = max(int(np.count_nonzero(rel < reach)), 1)
        r = min(r, total - pos)
        if r < open_.size:
            pick = open_[np.argpartition(rel, r - 1)[:r]]
            pick = pick[np.argsort(loads0[pick] / cap[pick], kind="stable")]
        else:
            pick = open_[np.argsort(rel, kind="stable")]
        chunk = order[pos : pos + r]
        manager[chunk] = pick
        loads0[pick] += w[chunk]
        counts0[pick] += 1
        pos += r


def _packed_order(values: FloatArray, descending: bool) -> IntArray | None:
    """:func:`desc_order` / :func:`asc_order` by an index-packed SIMD sort; None: not applicable."""
    k = values.shape[0]
    b = max(1, (k - 1).bit_length())
    if k < 4096 or b > 26 or not bool(values.min() >= 0):
        return None
    mask = np.int64((1 << b) - 1)
    key = np.ascontiguousarray(values, dtype=np.float64).view(np.int64) & ~mask
    if descending:
        key |= mask - np.arange(k, dtype=np.int64)
        key.sort()
        out: IntArray = mask - (key[::-1] & mask)
    else:
        key |= np.arange(k, dtype=np.int64)
        key.sort()
        out = key & mask
    return out


def desc_order(values: FloatArray) -> IntArray:
    """Indices that sort ``values`` (finite) by decreasing value, ties in index order.

    For large arrays of values >= 0 the float's bit pattern (whose integer
    order is the float order) gets the index in its lowest bits and the
    int64 keys go through numpy's (SIMD) sort: several times faster than a
    stable argsort. Values within a relative ``2**-(52 - b)`` of each other
    (b = the index bits, 20 for a million) then count as ties.
    """
    out = _packed_order(values, True)
    if out is None:
        out = np.argsort(-values, kind="stable")
    return out


def asc_order(values: FloatArray) -> IntArray:
    """Indices that sort ``values`` (finite) by increasing value, ties in index order.

    The index-packed sort of :func:`desc_order`, ascending.
    """
    out = _packed_order(values, False)
    if out is None:
        out = np.argsort(values, kind="stable")
    return out


def waterfill(
    w: FloatArray,
    cap: FloatArray,
    loads0: FloatArray,
    jobs: IntArray,
    manager: IntArray,
    batches: int = 8,
) -> IntArray:
    """Hand many small jobs out by water-filling, in batches (in place).

    ``jobs`` is cut into up to ``batches`` size classes (at the quantiles of
    an evenly spaced sample, grouped by a radix sort of the class bytes: no
    sort of the sizes), handed out largest class first. For each batch the
    level T with ``sum_i cap_i * max(0, T - load_i/cap_i)`` equal to the batch
    total is found, and the batch (in index order) is cut into runs that
    fill each manager below T up to T (a job goes where its midpoint falls).
    A run starts and ends at a job's midpoint, so each manager ends within one
    job of the batch of T, and after the last batch (the smallest jobs) the
    loads are within a few small jobs of each other. Vectorized: O(n) plus O(m log m) a batch. Returns the
    last batch (the smallest jobs).
    """
    m = cap.shape[0]
    k_all = jobs.shape[0]
    if k_all == 0:
        return jobs
    nb = max(1, min(batches, k_all // max(m, 1)))
    # all jobs, in index order (the usual case): no gathers
    everyone = k_all == w.shape[0] and int(jobs[0]) == 0 and int(jobs[-1]) == k_all - 1
    wj = w if everyone else w[jobs]
    if nb > 1:
        step = max(1, k_all // 8192)
        sample = np.sort(wj[::step])
        thr = sample[(np.arange(1, nb) * sample.size) // nb]
        # class 0: the largest jobs; nb - 1: the smallest. cls = #{t: w <= t}
        cls = np.zeros(k_all, dtype=np.uint8)
        at_least = [k_all]  # at_least[c]: jobs of class >= c
        for t in thr[::-1]:
            below = wj <= t
            cls += below
            at_least.append(int(np.count_nonzero(below)))
        o = np.argsort(cls, kind="stable")  # a radix sort of bytes: index order within a class
        edges = np.r_[0, np.cumsum(-np.diff(np.r_[at_least, 0]))]
        jobs, wj = (o, w[o]) if everyone else (jobs[o], wj[o])
    else:
        edges = np.array([0, k_all])
    # every class in one array: a running sum, and the manager of every job
    c0 = np.empty(k_all + 1)
    c0[0] = 0.0
    csum = np.cumsum(wj, out=c0[1:])
    mid = csum - 0.5 * wj  # nondecreasing within a class
    dest_all = np.empty(k_all, dtype=np.int64)
    for b in range(edges.size - 1):
        e0, e1 = int(edges[b]), int(edges[b + 1])
        if e1 == e0:
            continue
        rel = loads0 / cap
        mo = np.argsort(rel, kind="stable")
        r, c = rel[mo], cap[mo]
        cc = np.cumsum(c)
        ccr = np.cumsum(c * r)
        level = (float(c0[e1] - c0[e0]) + ccr) / cc  # level when the k+1 least loaded are filled
        nxt = np.r_[r[1:], np.inf]
        top = int(np.argmax(level <= nxt))  # first k at which the level stays below the next
        t = level[top]
        bound = c0[e0] + np.cumsum(c[: top + 1] * (t - r[: top + 1]))
        # run i (to manager mo[i]): the jobs whose midpoint lies in [bound[i-1], bound[i])
        cut = np.r_[e0, e0 + np.searchsorted(mid[e0:e1], bound[:top], side="left"), e1]
        dest = mo[: top + 1]
        dest_all[e0:e1] = np.repeat(dest, np.diff(cut))
        loads0[dest] += c0[cut[1:]] - c0[cut[:-1]]
    manager[jobs] = dest_all
    last: IntArray = jobs[int(edges[-2]) :]
    return last


def price_start(
    W: FloatArray,
    cap: FloatArray,
    elig: BoolArray,
    kmax: IntArray,
    hard: bool,
    iters: int = 40,
    deadline: float = math.inf,
) -> IntArray:
    """Starting assignment for manager-dependent workloads, by manager prices.

    Every partner goes to the eligible manager with the lowest priced
    workload ``W[j, i] * price[i]``; prices start at ``1 / cap`` and are
    raised for managers above the average relative load and lowered for
    those below (multiplicatively, a subgradient step on the LP dual). The
    assignment with the lowest largest relative load is kept; partners that
    break a hard capacity or headcount cap are then released (-1, the
    largest first) for the greedy to place. Vectorized over partners and
    managers; the loop runs over price rounds and stops at ``deadline``.
    """
    n, m = W.shape
    masked = np.where(elig, W, np.inf)
    price = 1.0 / cap
    rows = np.arange(n)
    best: IntArray = np.argmin(masked * price[None, :], axis=1)
    best_val = math.inf
    step = 0.5
    for _ in range(iters):
        if time.perf_counter() > deadline:
            break
        a = np.argmin(masked * price[None, :], axis=1)
        rel = np.bincount(a, weights=W[rows, a], minlength=m) / cap
        top = float(rel.max())
        if top < best_val:
            best, best_val = a, top
        mean = float(rel.mean())
        if mean <= 0 or top <= mean * (1 + 1e-9):
            break
        price = price * np.clip(rel / mean, 0.5, 2.0) ** step
        step *= 0.93
    out = best.copy()
    # release partners beyond a hard capacity or headcount cap, per manager
    for i in range(m):  # loop over managers, not partners
        mine = np.flatnonzero(out == i)
        if mine.size == 0:
            continue
        mine = mine[np.argsort(W[mine, i], kind="stable")]
        ok = np.arange(mine.size) < kmax[i]
        if hard:
            ok &= np.cumsum(W[mine, i]) <= cap[i] * (1 + 1e-12)
        out[mine[~ok]] = -1
    return out


def ranked_rounds(
    W: FloatArray,
    cap: FloatArray,
    elig: BoolArray,
    kmax: IntArray,
    hard: bool,
    loads: FloatArray,
    counts: IntArray,
    jobs: IntArray,
    manager: IntArray,
) -> IntArray:
    """Greedy for general eligibility and manager-dependent workloads (in place).

    Jobs are taken largest first in rounds of up to m. Within a round every
    job proposes to the eligible manager where its relative load would be
    lowest among the managers not yet served in this round; each manager
    accepts its largest proposer, the others propose again. Jobs left
    without a free manager carry over to the front of the next round, so a
    round is an LPT round restricted by eligibility. Returns the jobs that
    fit nowhere (only possible with hard capacities or headcount caps).
    """
    m = W.shape[1]
    if jobs.size == 0:
        return jobs
    size = np.where(elig[jobs], W[jobs], np.inf).min(axis=1)
    order = jobs[np.argsort(-size, kind="stable")]
    failed: list[IntArray] = []
    carry = np.empty(0, dtype=np.int64)
    pos = 0
    total = order.size
    capw = cap * (1 + 1e-12)
    while pos < total or carry.size:
        take = max(m - carry.size, 0)
        chunk = np.concatenate((carry, order[pos : pos + take]))
        pos += take
        feas = elig[chunk] & (counts < kmax)[None, :]
        if hard:
            feas &= loads[None, :] + W[chunk] <= capw[None, :]
        none = ~feas.any(axis=1)
        if none.any():
            failed.append(chunk[none])
            chunk, feas = chunk[~none], feas[~none]
        score = np.where(feas, (loads[None, :] + W[chunk]) / cap[None, :], np.inf)
        # sub-rounds: every pending job proposes to its best manager still free
        # in this round; each manager takes its largest proposer
        free = np.ones(m, dtype=bool)
        pend = np.arange(chunk.size)
        first = np.empty(m, dtype=np.int64)
        while pend.size:
            sc = np.where(free[None, :], score[pend], np.inf)
            best = np.argmin(sc, axis=1)
            ok = np.isfinite(sc[np.arange(pend.size), best])
            if not ok.all():
                pend, best = pend[ok], best[ok]
                if pend.size == 0:
                    break
            first[best[::-1]] = np.arange(pend.size)[::-1]  # first (largest) proposer wins
            acc = first[best] == np.arange(pend.size)
            j, i = chunk[pend[acc]], best[acc]
            manager[j] = i
            loads[i] += W[j, i]
            counts[i] += 1
            free[i] = False
            pend = pend[~acc]
        placed = manager[chunk] >= 0
        carry = chunk[~placed]
        if carry.size and pos >= total and not placed.any():  # pragma: no cover - safety
            failed.append(carry)
            break
    return np.concatenate(failed) if failed else np.empty(0, dtype=np.int64)


# --------------------------------------------------------------------------- fast: improvement
@dataclass
class _State:
    """Mutable search state shared by the improvement passes."""

    manager: IntArray
    loads: FloatArray
    counts: IntArray
    moved_budget: int  # remaining moves (large when unbounded)
    current: IntArray | None


def _move_delta(state: _State, jobs: IntArray, new: IntArray) -> IntArray:
    """Change in the number of moved partners when ``jobs`` go to ``new``."""
    if state.current is None:
        return np.zeros(jobs.shape, dtype=np.int64)
    cur = state.current[jobs]
    old = state.manager[jobs]
    was = (cur >= 0) & (old != cur)
    now = (cur >= 0) & (new != cur)
    out: IntArray = now.astype(np.int64) - was.astype(np.int64)
    return out


#: Jobs per manager the pair passes search: the smallest ``PAIR_POOL * m`` jobs
#: (all when there are fewer). Small jobs give the finest differences to swap.
#: 64 against 128, over 10 log-normal seeds of 100,000 jobs on 1,000 managers:
#: 18.6 ms instead of 23.6 ms (medians), the largest load within 5.4 ppm of the
#: bound at worst against 7.2 ppm (3.5 against 2.8 ppm on average).
PAIR_POOL = 64
#: With a large pool, a pass that lowers the largest relative load by less than
#: this share of its distance to the target counts as stalled.
PAIR_SLOW = 0.05
#: After the first pass only the heaviest and the lightest ``PAIR_SHARE * m``
#: managers pair up: the largest load is near the top, and passes cost half.
PAIR_SHARE = 0.25


def _penalty(e: FloatArray, ich: FloatArray, icl: FloatArray) -> FloatArray:
    """How far above the pair's equal level a transfer ``e`` hours past the ideal one leaves it."""
    out: FloatArray = np.maximum(-e * ich, e * icl)
    return out


def pair_passes(
    w: FloatArray,
    cap: FloatArray,
    kmax: IntArray,
    state: _State,
    target: float,
    deadline: float,
    max_passes: int = 60,
    sample: int = 128,
    movable: BoolArray | None = None,
    pool: int = PAIR_POOL,
) -> None:
    """Vectorized moves and swaps between heavily and lightly loaded managers.

    For identical-workload (1-D ``w``) problems without eligibility limits. In
    each pass the managers are sorted by relative load and the p-th heaviest
    is paired with the p-th lightest (all managers in the first pass, the
    top and bottom ``PAIR_SHARE`` after it); for each pair the best single move
    (a job whose size is closest to the amount that evens the pair) and the
    best swap (for up to ``sample`` jobs a of the heavy manager, the job b of
    the light one closest to a minus that amount) are found with one
    ``searchsorted`` over all pairs, and the better of the two is applied
    when it lowers the pair's larger relative load. Stops when the largest
    relative load reaches ``target``, nothing improves, or at ``deadline``.
    Jobs with ``movable`` False stay put.

    The search runs over a pool: the smallest ``pool * m`` movable jobs (all
    when fewer), kept sorted by (manager, size) as keys ``manager * span +
    size`` in one flat array. The pool is sorted once; a pass moves at most
    two jobs a pair, which are taken out and put back at their new place:
    O(pool) a pass, no sort.
    """
    m = cap.shape[0]
    n = w.shape[0]
    if m < 2 or n == 0:
        return
    cand: IntArray = np.arange(n) if movable is None else np.flatnonzero(movable)
    if cand.size > pool * m:
        # the jobs below a quantile of an evenly spaced sample (about pool * m of
        # them); an exact partial sort when ties make that far too many
        wcand = w if movable is None else w[cand]
        step = max(1, cand.size // 8192)
        smp = np.sort(wcand[::step])
        cut = float(smp[min(smp.size - 1, (pool * m * smp.size) // cand.size)])
        pick = np.flatnonzero(wcand <= cut)
        if pick.size > 2 * pool * m or pick.size == 0:
            pick = np.argpartition(wcand, pool * m - 1)[: pool * m]
        cand = cand[pick]
    if cand.size == 0:
        return
    wc = w[cand]
    span = 2.0 * float(wc.max()) + 1.0
    half = span / 2
    key = state.manager[cand].astype(np.float64) * span + wc
    o = asc_order(key)
    skey, jord = key[o], cand[o]
    base = np.arange(m + 1, dtype=np.float64) * span  # manager i's keys: [base[i], base[i] + half)
    mean_w = float(w.mean())
    best_max = math.inf
    stalled = 0
    cheap_pass = cand.size < 20_000
    for it in range(max_passes):
        rel = state.loads / cap
        top = float(rel.max())
        if top <= target * (1 + OPT_RTOL) or time.perf_counter() > deadline:
            return
        # stop when a pass leaves the largest relative load unchanged (twice in a
        # row when passes are cheap) or, with a large pool, lowers it too little
        slow = (
            cheap_pass is False
            and math.isfinite(best_max)
            and top >= best_max - PAIR_SLOW * (best_max - target)
        )
        stalled = stalled + 1 if (top >= best_max * (1 - 1e-12) or slow) else 0
        best_max = min(best_max, top)
        if stalled >= (2 if cheap_pass else 1):
            return
        order_m = np.argsort(rel, kind="stable")
        npair = m // 2 if it == 0 else max(1, int(m * PAIR_SHARE))
        heavy = order_m[::-1][:npair]
        light = order_m[:npair]
        keep = rel[heavy] > rel[light] * (1 + 1e-12)
        if state.current is not None and state.moved_budget < n:
            # a move budget: spend it on the managers above the level the
            # budget can reach, not on evening out pairs below it
            keep &= rel[heavy] > _reachable_level(
                state.loads, cap, rel, mean_w, state.moved_budget
            )
        heavy, light = heavy[keep], light[keep]
        if heavy.size == 0:
            return
        # pairs in order of the light manager: the swap search then queries
        # the pool in increasing order (cache-friendly)
        by_light = np.argsort(light)
        heavy, light = heavy[by_light], light[by_light]
        npair = heavy.size
        rows = np.arange(npair)
        size = skey.shape[0]
        mstart = np.searchsorted(skey, base)  # manager i's jobs: [mstart[i], mstart[i + 1])
        ch, cl = cap[heavy], cap[light]
        lh, ll = state.loads[heavy], state.loads[light]
        # x*: the amount moved from h to l that equalises their relative loads
        # (at lstar); a transfer e hours past x* leaves the pair _penalty above it
        xstar = (lh * cl - ll * ch) / (ch + cl)
        lstar = (lh + ll) / (ch + cl)
        before = lh / ch
        ich, icl = 1.0 / ch, 1.0 / cl
        h0, h1 = mstart[heavy], mstart[heavy + 1]
        l0, l1 = mstart[light], mstart[light + 1]
        bh, bl = base[heavy], base[light]
        # --- best move per pair: the job of h closest to x*
        pos = np.searchsorted(skey, bh + np.clip(xstar, 0.0, half))
        lo = np.minimum(np.maximum(pos - 1, h0), size - 1)
        hi = np.minimum(pos, h1 - 1)
        p_lo = _penalty(skey[lo] - bh - xstar, ich, icl)
        p_hi = _penalty(skey[hi] - bh - xstar, ich, icl)
        mv = np.where(p_hi < p_lo, hi, lo)
        ok_mv = (h1 > h0) & (state.counts[light] < kmax[light])
        gain_mv = np.where(ok_mv, before - (lstar + np.minimum(p_lo, p_hi)), -np.inf)
        # --- best swap per pair: for up to `sample` evenly spaced jobs a of h,
        # the job b of l closest to a - x*
        seg_n = h1 - h0
        k = min(sample, int(seg_n.max()), int(np.ceil(seg_n.mean())))
        gain_sw = np.full(npair, -np.inf)
        sw_pa = np.zeros(npair, dtype=np.int64)
        sw_pb = np.zeros(npair, dtype=np.int64)
        if k > 0:
            frac = (np.arange(k) + 0.5) / k
            pa = h0[:, None] + (frac[None, :] * seg_n[:, None]).astype(np.int64)
            pa = np.minimum(pa, size - 1)
            want = skey[pa] - (bh + xstar)[:, None]  # a - x*
            q = bl[:, None] + np.clip(want, 0.0, half)
            pos2 = np.searchsorted(skey, q.ravel()).reshape(npair, k)
            lo2 = np.minimum(np.maximum(pos2 - 1, l0[:, None]), size - 1)
            hi2 = np.minimum(pos2, (l1 - 1)[:, None])
            ich2, icl2 = ich[:, None], icl[:, None]
            p_lo2 = _penalty(want - (skey[lo2] - bl[:, None]), ich2, icl2)
            p_hi2 = _penalty(want - (skey[hi2] - bl[:, None]), ich2, icl2)
            take_hi = p_hi2 < p_lo2
            pen = np.where(take_hi, p_hi2, p_lo2)
            col = np.argmin(pen, axis=1)
            ok_sw = (seg_n > 0) & (l1 > l0)
            gain_sw = np.where(ok_sw, before - (lstar + pen[rows, col]), -np.inf)
            sw_pa = pa[rows, col]
            sw_pb = np.where(take_hi[rows, col], hi2[rows, col], lo2[rows, col])
        use_sw = gain_sw > gain_mv
        gain = np.maximum(gain_sw, gain_mv)
        good = gain > 1e-12 * np.maximum(before, 1e-300)
        if not good.any():
            return
        sw_a, sw_b = jord[sw_pa], jord[sw_pb]
        mv_job = jord[mv]
        idx = np.flatnonzero(good)
        if state.current is not None:
            # moves budget (stability): the longest prefix of pairs, by gain,
            # that stays within it
            jobs_a = np.where(use_sw, sw_a, mv_job)
            dmoves = _move_delta(state, jobs_a, light)
            dmoves = dmoves + np.where(use_sw, _move_delta(state, sw_b, heavy), 0)
            idx = idx[np.argsort(-gain[idx], kind="stable")]
            over = np.cumsum(dmoves[idx]) > state.moved_budget
            idx = idx[: int(np.argmax(over)) if over.any() else idx.size]
            if idx.size == 0:
                return
            state.moved_budget -= int(dmoves[idx].sum())
        sw = idx[use_sw[idx]]
        mvp = idx[~use_sw[idx]]
        ja, jb = sw_a[sw], sw_b[sw]
        state.manager[ja] = light[sw]
        state.manager[jb] = heavy[sw]
        dsw = w[ja] - w[jb]
        state.loads[heavy[sw]] -= dsw
        state.loads[light[sw]] += dsw
        jm = mv_job[mvp]
        state.manager[jm] = light[mvp]
        state.loads[heavy[mvp]] -= w[jm]
        state.loads[light[mvp]] += w[jm]
        state.counts[heavy[mvp]] -= 1
        state.counts[light[mvp]] += 1
        # the pool stays sorted by (manager, size): the jobs that changed
        # manager (distinct positions: every manager is in at most one pair)
        # are taken out and put back at their new place
        gone = np.concatenate((sw_pa[sw], sw_pb[sw], mv[mvp]))
        moved = jord[gone]
        stay = np.ones(size, dtype=bool)
        stay[gone] = False
        skey, jord = skey[stay], jord[stay]
        nkey = state.manager[moved].astype(np.float64) * span + w[moved]
        no = np.argsort(nkey)
        nkey, moved = nkey[no], moved[no]
        at = np.searchsorted(skey, nkey)
        skey = np.insert(skey, at, nkey)
        jord = np.insert(jord, at, moved)


def _reachable_level(
    loads: FloatArray, cap: FloatArray, rel: FloatArray, unit: float, budget: int
) -> float:
    """Relative load that ``budget`` moves of about ``unit`` hours each can reach.

    The smallest level T among the managers' relative loads such that
    bringing every manager above T down to T takes at most ``budget`` moves
    (``sum (load_i - T cap_i) / unit``). Recomputed every pass, so it drops as
    the budget proves to go further.
    """
    if budget <= 0 or unit <= 0:
        return math.inf
    o = np.argsort(-rel, kind="stable")
    lev = rel[o]
    need = (np.cumsum(loads[o]) - lev * np.cumsum(cap[o])) / unit
    ok = np.flatnonzero(need <= budget)
    return float(lev[ok[-1]]) if ok.size else float(lev[0])


def max_passes(
    W: FloatArray,
    cap: FloatArray,
    elig: BoolArray,
    kmax: IntArray,
    hard: bool,
    state: _State,
    target: float,
    deadline: float,
    max_iter: int,
) -> None:
    """Improve the most loaded manager by single moves, then swaps (general case).

    Each iteration looks at the manager with the largest relative load and
    applies the move (to any eligible manager with room) or swap that lowers
    it the most; it stops when no move or swap lowers it, at ``target``, at
    ``deadline`` or after ``max_iter`` iterations. Work per iteration is
    vectorized over the manager's partners and all managers.
    """
    n, m = W.shape
    if m < 2 or n == 0:
        return
    capw = cap * (1 + 1e-12)
    for _ in range(max_iter):
        rel = state.loads / cap
        h = int(np.argmax(rel))
        cur = rel[h]
        if cur <= target * (1 + OPT_RTOL) or time.perf_counter() > deadline:
            return
        J = np.flatnonzero(state.manager == h)
        if J.size == 0:
            return
        # moves
        newl = (state.loads[None, :] + W[J]) / cap[None, :]
        newh = (state.loads[h] - W[J, h]) / cap[h]
        ok = elig[J] & (state.counts < kmax)[None, :]
        ok[:, h] = False
        if hard:
            ok &= state.loads[None, :] + W[J] <= capw[None, :]
        score = np.where(ok, np.maximum(newl, newh[:, None]), np.inf)
        if state.current is not None and state.moved_budget <= 0:
            dm = _move_matrix(state, J, m)
            score = np.where(dm > 0, np.inf, score)
        flat = int(np.argmin(score))
        best = float(score.flat[flat])
        if best < cur * (1 - 1e-12):
            a, i = divmod(flat, m)
            j = int(J[a])
            _apply_move(state, W, j, h, int(i))
            continue
        # swaps: a on h with b elsewhere
        others = np.flatnonzero(state.manager != h)
        if others.size == 0 or J.size * others.size > 250_000:
            return
        bm = state.manager[others]
        # new loads: h loses W[a,h], gains W[b,h]; bm loses W[b,bm], gains W[a,bm]
        nh = (state.loads[h] - W[J, h][:, None] + W[others, h][None, :]) / cap[h]
        nl = (state.loads[bm][None, :] - W[others, bm][None, :] + W[J][:, bm]) / cap[bm][None, :]
        ok2 = elig[J][:, bm] & elig[others, h][None, :]
        if hard:
            ok2 &= (nh * cap[h] <= capw[h]) & (nl * cap[bm][None, :] <= capw[bm][None, :])
        score2 = np.where(ok2, np.maximum(nh, nl), np.inf)
        if state.current is not None:
            da = _move_matrix(state, J, m)[:, bm]
            db = _move_delta(state, others, np.full(others.size, h, dtype=np.int64))
            score2 = np.where(da + db[None, :] > state.moved_budget, np.inf, score2)
        flat = int(np.argmin(score2))
        best = float(score2.flat[flat])
        if best < cur * (1 - 1e-12):
            a, b = divmod(flat, others.size)
            ja, jb = int(J[a]), int(others[b])
            mb = int(state.manager[jb])
            _apply_move(state, W, ja, h, mb)
            _apply_move(state, W, jb, mb, h)
            continue
        return


def _move_matrix(state: _State, J: IntArray, m: int) -> IntArray:
    """Move-count change for sending each job of ``J`` to each manager."""
    assert state.current is not None
    cur = state.current[J][:, None]
    old = state.manager[J][:, None]
    tgt = np.arange(m)[None, :]
    was = (cur >= 0) & (old != cur)
    now = (cur >= 0) & (tgt != cur)
    out: IntArray = now.astype(np.int64) - was.astype(np.int64)
    return out


def _apply_move(state: _State, W: FloatArray, j: int, src: int, dst: int) -> None:
    if state.current is not None:
        c = int(state.current[j])
        if c >= 0:
            state.moved_budget -= int(dst != c) - int(src != c)
    state.manager[j] = dst
    state.loads[src] -= W[j, src]
    state.loads[dst] += W[j, dst]
    state.counts[src] -= 1
    state.counts[dst] += 1


def move_back(
    W: FloatArray,
    cap: FloatArray,
    elig: BoolArray,
    kmax: IntArray,
    state: _State,
    limit: FloatArray,
    rounds: int = 5,
) -> None:
    """Send moved partners back to their current manager where that costs nothing.

    A moved partner returns when its current manager stays within ``limit``
    (the relative load not to exceed, per manager) and its headcount cap.
    Candidates are processed in vectorized rounds: per destination manager,
    the prefix of returning partners whose cumulative workload fits. Then
    pairs of partners that swapped managers return together
    (:func:`swap_back`).
    """
    if state.current is None:
        return
    for _ in range(rounds):
        cur = state.current
        cand = np.flatnonzero((cur >= 0) & (state.manager != cur))
        if cand.size == 0:
            return
        dst = cur[cand]
        cand = cand[elig[cand, dst]]
        dst = cur[cand]
        if cand.size == 0:
            return
        wdst = W[cand, dst]
        o = np.lexsort((wdst, dst))
        cand, dst, wdst = cand[o], dst[o], wdst[o]
        starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
        seg = np.repeat(starts, np.diff(np.r_[starts, cand.size]))
        csum = np.cumsum(wdst)
        before = np.where(seg > 0, csum[np.maximum(seg - 1, 0)], 0.0)
        within = csum - before
        rank = np.arange(cand.size) - seg
        fits = (state.loads[dst] + within <= limit[dst] * cap[dst] * (1 + 1e-12)) & (
            state.counts[dst] + rank + 1 <= kmax[dst]
        )
        # keep only the prefix per manager
        bad = np.where(~fits, rank, np.iinfo(np.int64).max)
        first_bad = np.full(cap.shape[0], np.iinfo(np.int64).max)
        np.minimum.at(first_bad, dst, bad)
        fits &= rank < first_bad[dst]
        if not fits.any():
            break
        j = cand[fits]
        src = state.manager[j]
        d = dst[fits]
        np.subtract.at(state.loads, src, W[j, src])
        np.add.at(state.loads, d, W[j, d])
        np.subtract.at(state.counts, src, 1)
        np.add.at(state.counts, d, 1)
        state.manager[j] = d
        state.moved_budget += int(j.size)
    swap_back(W, cap, elig, state, limit)


def swap_back(
    W: FloatArray,
    cap: FloatArray,
    elig: BoolArray,
    state: _State,
    limit: FloatArray,
) -> None:
    """Undo swaps: two moved partners that traded places return together.

    For each pair of managers (h, g) where some partners moved from g to h
    and others from h to g, the k-th smallest of each side are paired and
    the longest prefix of pairs whose return keeps both managers within
    ``limit`` (relative load) is sent back. Headcounts do not change. The
    loop runs over pairs of managers, not partners.
    """
    if state.current is None:
        return
    cur = state.current
    cand = np.flatnonzero((cur >= 0) & (state.manager != cur))
    if cand.size < 2:
        return
    cand = cand[elig[cand, cur[cand]]]
    if cand.size < 2:
        return
    src, dst = state.manager[cand], cur[cand]
    m = cap.shape[0]
    code = src.astype(np.int64) * m + dst
    codes = set(np.unique(code).tolist())
    for c in sorted(codes):  # loop over pairs of managers
        h, g = divmod(int(c), m)
        if h > g or g * m + h not in codes:
            continue
        a = cand[code == c]  # on h, belongs to g
        b = cand[code == g * m + h]  # on g, belongs to h
        a = a[np.argsort(W[a, g], kind="stable")]
        b = b[np.argsort(W[b, h], kind="stable")]
        k = min(a.size, b.size)
        a, b = a[:k], b[:k]
        dh = np.cumsum(W[b, h] - W[a, h])
        dg = np.cumsum(W[a, g] - W[b, g])
        ok = (state.loads[h] + dh <= limit[h] * cap[h] * (1 + 1e-12)) & (
            state.loads[g] + dg <= limit[g] * cap[g] * (1 + 1e-12)
        )
        bad = np.flatnonzero(~ok)
        take = int(bad[0]) if bad.size else k
        if take == 0:
            continue
        state.manager[a[:take]] = g
        state.manager[b[:take]] = h
        state.loads[h] += dh[take - 1]
        state.loads[g] += dg[take - 1]
        state.moved_budget += 2 * take


# --------------------------------------------------------------------------- exact: MILP
@dataclass
class MilpResult:
    """What the exact path found."""

    manager: IntArray | None
    value: float
    bound: float
    proven: bool
    status: int
    message: str


def solve_milp(
    W: FloatArray,
    cap: FloatArray,
    elig: BoolArray,
    kmax: IntArray,
    *,
    objective: str,
    cost: FloatArray | None,
    hard: bool,
    current: IntArray | None,
    max_moves: int | None,
    symmetric: bool,
    time_limit: float | None,
    value_cap: float | None = None,
    minimise_moves: bool = False,
    integral: bool = False,
    start: IntArray | None = None,
    on_improve: Callable[[float, float], None] | None = None,
) -> MilpResult:
    """Solve the assignment problem (or its moves stage) with HiGHS (through highspy).

    Variables are x[j, i] for eligible pairs only (and t, the largest
    relative load, for ``objective="balance"``). With ``minimise_moves`` the
    objective becomes the number of moved partners subject to the primary
    objective being at most ``value_cap``. When the optimal value is known to
    be an integer (``integral``; the number of moves always is), HiGHS stops
    once the gap is below one unit: the bound, rounded up, then proves
    optimality. ``start`` (a feasible answer, such as the fast
    path's) is handed to HiGHS as its first incumbent. ``on_improve(value,
    bound)`` is called (in the units of the result) whenever HiGHS finds a
    better answer.
    """
    n, m = W.shape
    jj, ii = model_pairs(W, elig, symmetric)
    nx = jj.size
    balance = objective == "balance"
    scale = float(cap.max()) if balance else 1.0
    nv = nx + (1 if balance else 0)
    wv = W[jj, ii]
    blocks: list[tuple[sparse.csr_array, FloatArray, FloatArray]] = []

    def add(a: sparse.csr_array, lo: Any, hi: Any) -> None:
        k = a.shape[0]
        blocks.append(
            (
                a,
                np.broadcast_to(np.asarray(lo, float), k),
                np.broadcast_to(np.asarray(hi, float), k),
            )
        )

    # each partner exactly once
    a1 = sparse.csr_array((np.ones(nx), (jj, np.arange(nx))), shape=(n, nv))
    add(a1, 1.0, 1.0)
    # loads
    if balance:
        # t is measured in hours of the largest manager (T = t * scale) so that
        # HiGHS' absolute tolerances make sense whatever the units of capacity
        data = np.r_[wv, -cap / scale]
        r = np.r_[ii, np.arange(m)]
        c = np.r_[np.arange(nx), np.full(m, nx)]
        a2 = sparse.csr_array((data, (r, c)), shape=(m, nv))
        add(a2, -np.inf, 0.0)
    else:
        finite = np.isfinite(cap)
        if finite.any():
            a2 = sparse.csr_array((wv, (ii, np.arange(nx))), shape=(m, nv))[finite]
            add(a2, -np.inf, cap[finite])
    # headcount
    limited = kmax < n
    if limited.any():
        a3 = sparse.csr_array((np.ones(nx), (ii, np.arange(nx))), shape=(m, nv))[limited]
        add(a3, -np.inf, kmax[limited].astype(np.float64))
    stay = np.zeros(nv)
    n_cur = 0
    if current is not None:
        stay[:nx] = (current[jj] == ii).astype(np.float64)
        n_cur = int((current >= 0).sum())
        if max_moves is not None:
            # moves = n_cur - sum(stay * x) <= max_moves
            add(sparse.csr_array(stay[None, :]), float(n_cur - max_moves), np.inf)
    c_obj = np.zeros(nv)
    if balance:
        c_obj[nx] = 1.0
    else:
        assert cost is not None
        c_obj[:nx] = cost[jj, ii]
    lb = np.zeros(nv)
    ub = np.ones(nv)
    if balance:
        ub[nx] = scale if hard else np.inf
    if minimise_moves:
        assert value_cap is not None
        if balance:
            ub[nx] = min(ub[nx], value_cap * scale)
        else:
            add(sparse.csr_array(c_obj[None, :]), -np.inf, value_cap)
        c_obj = -stay
    integrality = np.ones(nv, dtype=bool)
    if balance:
        integrality[nx] = False
    # whole-number objectives (integral costs, whole workloads on identical
    # managers, moves): an answer within 0.99 of the bound is optimal
    abs_gap = 0.99 if (integral or minimise_moves) else 0.0
    x0: FloatArray | None = None
    if start is not None and not minimise_moves:
        x0 = _start_vector(start, jj, ii, W, cap, scale, nv, balance, symmetric)
    a_all = sparse.vstack([b[0] for b in blocks], format="csc")

    def unscaled(fun: float, bnd: float) -> tuple[float, float]:
        if minimise_moves:
            return fun + n_cur, bnd + n_cur
        if balance:
            return fun / scale, bnd / scale
        return fun, bnd

    report = None if on_improve is None else (lambda f, b: on_improve(*unscaled(f, b)))
    sol = _highs_milp(
        c_obj,
        integrality,
        lb,
        ub,
        a_all,
        np.concatenate([b[1] for b in blocks]),
        np.concatenate([b[2] for b in blocks]),
        time_limit=time_limit,
        abs_gap=abs_gap,
        start=x0,
        on_improve=report,
    )
    if sol.x is None:
        return MilpResult(None, math.inf, -math.inf, False, sol.status, sol.message)
    x = sol.x[:nx] > 0.5
    manager = np.full(n, -1, dtype=np.int64)
    manager[jj[x]] = ii[x]
    fun, bnd = unscaled(sol.fun, sol.bound)
    return MilpResult(manager, fun, bnd, sol.status == 0, sol.status, sol.message)


def _by_size(W: FloatArray) -> IntArray:
    """Partners by decreasing workload (ties in index order): the symmetric model's ranks."""
    out: IntArray = np.argsort(-W[:, 0], kind="stable")
    return out


def model_pairs(W: FloatArray, elig: BoolArray, symmetric: bool) -> tuple[IntArray, IntArray]:
    """The (partner, manager) pairs that get a variable, in increasing order.

    Under ``symmetric`` (identical managers) the job of size rank r (0: the
    largest) may go only to managers 0..r: any answer can be renamed into
    that form, so no optimum is lost.
    """
    jj, ii = np.nonzero(elig)
    if symmetric:
        n = W.shape[0]
        order = _by_size(W)
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        keep = ii <= rank[jj]
        jj, ii = jj[keep], ii[keep]
    return jj.astype(np.int64), ii.astype(np.int64)


def _start_vector(
    start: IntArray,
    jj: IntArray,
    ii: IntArray,
    W: FloatArray,
    cap: FloatArray,
    scale: float,
    nv: int,
    balance: bool,
    symmetric: bool,
) -> FloatArray | None:
    """The MIP's variables for the answer ``start`` (None when it is not one of the model's).

    Under symmetry breaking (job of size rank r only to managers <= r) the
    interchangeable managers are renamed in order of their largest job,
    which puts every job within its allowed managers.
    """
    n = start.size
    if np.any(start < 0):
        return None
    manager = start
    if symmetric:
        order = _by_size(W)
        first_seen = np.full(W.shape[1], -1, dtype=np.int64)
        labels = manager[order]
        _, idx = np.unique(labels, return_index=True)
        ranked = labels[np.sort(idx)]  # managers in order of their largest job
        first_seen[ranked] = np.arange(ranked.size)
        manager = first_seen[start]
    m = W.shape[1]
    keys = jj * m + ii  # increasing: np.nonzero lists pairs row by row
    want = np.arange(n) * m + manager
    pos = np.minimum(np.searchsorted(keys, want), keys.size - 1)
    if keys.size == 0 or not np.array_equal(keys[pos], want):
        return None  # some partner's manager is not an allowed pair of the model
    x = np.zeros(nv)
    x[pos] = 1.0
    if balance:
        loads = np.bincount(manager, weights=W[np.arange(n), manager], minlength=W.shape[1])
        x[nv - 1] = float(np.max(loads / cap)) * scale
    return x


@dataclass(frozen=True)
class _MipSolution:
    x: FloatArray | None
    fun: float
    bound: float
    status: int  # 0 optimal, 1 a limit, 2 infeasible, 3 unbounded, 4 other (as scipy's milp)
    message: str


def _highs_milp(
    c: FloatArray,
    integrality: BoolArray,
    lb: FloatArray,
    ub: FloatArray,
    a: sparse.csc_array,
    row_lo: FloatArray,
    row_hi: FloatArray,
    *,
    time_limit: float | None,
    abs_gap: float,
    start: FloatArray | None,
    on_improve: Callable[[float, float], None] | None = None,
) -> _MipSolution:
    """Solve a MIP with HiGHS through highspy, silently; ``start`` is a feasible answer.

    ``on_improve(objective, dual_bound)`` is called on every improving answer.
    """
    import highspy

    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = int(c.size)
    lp.num_row_ = int(a.shape[0])
    lp.col_cost_ = np.ascontiguousarray(c, dtype=np.float64)
    lp.col_lower_ = np.ascontiguousarray(lb, dtype=np.float64)
    lp.col_upper_ = np.where(np.isinf(ub), inf, ub).astype(np.float64)
    lp.row_lower_ = np.where(np.isinf(row_lo), -inf, row_lo).astype(np.float64)
    lp.row_upper_ = np.where(np.isinf(row_hi), inf, row_hi).astype(np.float64)
    a = sparse.csc_array(a)
    a.sort_indices()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(np.float64)
    with quiet():
        h = highspy.Highs()  # type: ignore[no-untyped-call]
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", MIP_REL_GAP)
        if abs_gap > 0:
            h.setOptionValue("mip_abs_gap", abs_gap)
        if time_limit is not None:
            h.setOptionValue("time_limit", max(float(time_limit), 0.01))
        h.passModel(lp)
        whole = np.flatnonzero(integrality).astype(np.int32)
        h.changeColsIntegrality(whole.size, whole, np.ones(whole.size, dtype=np.uint8))
        if on_improve is not None:
            improving = highspy.cb.HighsCallbackType.kCallbackMipImprovingSolution

            def callback(kind: Any, _msg: str, out: Any, _in: Any, _user: Any) -> None:
                if kind == improving:
                    on_improve(float(out.objective_function_value), float(out.mip_dual_bound))

            h.setCallback(callback, None)
            h.startCallback(improving)
        if start is not None:
            given = highspy.HighsSolution()
            given.col_value = start
            given.value_valid = True
            h.setSolution(given)
        h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        feasible = info.primal_solution_status == 2  # kSolutionStatusFeasible
        x = np.asarray(h.getSolution().col_value, dtype=np.float64) if feasible else None
        message = h.modelStatusToString(status)
    code = {
        highspy.HighsModelStatus.kOptimal: 0,
        highspy.HighsModelStatus.kTimeLimit: 1,
        highspy.HighsModelStatus.kIterationLimit: 1,
        highspy.HighsModelStatus.kSolutionLimit: 1,
        highspy.HighsModelStatus.kInterrupt: 1,
        highspy.HighsModelStatus.kInfeasible: 2,
        highspy.HighsModelStatus.kUnbounded: 3,
    }.get(status, 4)
    if x is None:
        return _MipSolution(None, math.inf, -math.inf, code, message)
    bound = float(info.mip_dual_bound)
    fun = float(info.objective_function_value)
    return _MipSolution(x, fun, bound if math.isfinite(bound) else -math.inf, code, message)


def _lp_options(time_limit: float | None) -> dict[str, Any]:
    """``linprog`` options: HiGHS stops at ``time_limit`` seconds (then no bound)."""
    return {} if time_limit is None else {"time_limit": max(float(time_limit), 0.01)}


def lp_cost_bound(
    W: FloatArray,
    cap: FloatArray,
    elig: BoolArray,
    kmax: IntArray,
    cost: FloatArray,
    time_limit: float | None = None,
) -> float:
    """LP relaxation bound of the generalized assignment problem (HiGHS)."""
    from scipy.optimize import linprog

    n, m = W.shape
    jj, ii = np.nonzero(elig)
    nx = jj.size
    a_eq = sparse.csr_array((np.ones(nx), (jj, np.arange(nx))), shape=(n, nx))
    blocks = []
    rhs = []
    finite = np.isfinite(cap)
    if finite.any():
        blocks.append(sparse.csr_array((W[jj, ii], (ii, np.arange(nx))), shape=(m, nx))[finite])
        rhs.append(cap[finite])
    limited = kmax < n
    if limited.any():
        blocks.append(sparse.csr_array((np.ones(nx), (ii, np.arange(nx))), shape=(m, nx))[limited])
        rhs.append(kmax[limited].astype(np.float64))
    with quiet():
        res = linprog(
            cost[jj, ii],
            A_ub=sparse.vstack(blocks) if blocks else None,
            b_ub=np.concatenate(rhs) if rhs else None,
            A_eq=a_eq,
            b_eq=np.ones(n),
            bounds=(0, 1),
            method="highs",
            options=_lp_options(time_limit),
        )
    if res.status != 0:  # infeasible, or stopped at the time limit
        return -math.inf
    return float(res.fun)


def cost_greedy(
    W: FloatArray,
    cap: FloatArray,
    elig: BoolArray,
    kmax: IntArray,
    cost: FloatArray,
    loads: FloatArray,
    counts: IntArray,
    jobs: IntArray,
    manager: IntArray,
) -> IntArray:
    """Regret greedy for the cost objective, in vectorized proposal rounds (in place).

    Every unplaced partner proposes to its cheapest manager that still has
    room for it; each manager accepts proposers in order of regret (the extra
    cost of their second choice) while they fit. Returns the partners that
    fit nowhere.
    """
    pending = jobs.copy()
    failed: list[IntArray] = []
    capw = cap * (1 + 1e-12)
    n = W.shape[0]
    while pending.size:
        # every partner pending (the first round, ``jobs`` in order): views, no copies
        rows: IntArray | slice = (
            slice(None) if pending.size == n and bool((pending == np.arange(n)).all()) else pending
        )
        room = elig[rows] & (counts < kmax)[None, :]
        room &= loads[None, :] + W[rows] <= capw[None, :]
        none = ~room.any(axis=1)
        if none.any():
            failed.append(pending[none])
            pending = pending[~none]
            room = room[~none]
            if pending.size == 0:
                break
            rows = pending
        c = np.where(room, cost[rows], np.inf)
        if c.shape[1] >= 2:
            part = np.partition(c, 1, axis=1)
            regret = np.where(np.isfinite(part[:, 1]), part[:, 1] - part[:, 0], np.inf)
        else:
            regret = np.full(pending.size, np.inf)
        choice = np.argmin(c, axis=1)
        wch = W[pending, choice]
        o = np.lexsort((-wch, -regret, choice))
        p, ch, wc = pending[o], choice[o], wch[o]
        starts = np.flatnonzero(np.r_[True, ch[1:] != ch[:-1]])
        seg = np.repeat(starts, np.diff(np.r_[starts, p.size]))
        csum = np.cumsum(wc)
        before = np.where(seg > 0, csum[np.maximum(seg - 1, 0)], 0.0)
        rank = np.arange(p.size) - seg
        fits = (loads[ch] + csum - before <= capw[ch]) & (counts[ch] + rank + 1 <= kmax[ch])
        bad = np.where(~fits, rank, np.iinfo(np.int64).max)
        first_bad = np.full(cap.shape[0], np.iinfo(np.int64).max)
        np.minimum.at(first_bad, ch, bad)
        fits &= rank < first_bad[ch]
        acc = p[fits]
        am = ch[fits]
        manager[acc] = am
        np.add.at(loads, am, W[acc, am])
        np.add.at(counts, am, 1)
        pending = p[~fits]
    return np.concatenate(failed) if failed else np.empty(0, dtype=np.int64)


def cost_shifts(
    W: FloatArray,
    cap: FloatArray,
    elig: BoolArray,
    kmax: IntArray,
    cost: FloatArray,
    state: _State,
    deadline: float,
    max_rounds: int = 50,
) -> None:
    """Local search for the cost objective: vectorized shifts (in place).

    In each round every partner finds the eligible manager with room (hard
    capacity and headcount) that lowers its cost the most; candidates are
    taken by gain, each destination accepting the prefix that fits, within
    the move budget. Stops when nothing improves, after ``max_rounds`` or at
    ``deadline``. The loop runs over rounds; each round is O(n m).
    """
    n, m = W.shape
    if m < 2 or n == 0:
        return
    rows = np.arange(n)
    capw = cap * (1 + 1e-12)
    for _ in range(max_rounds):
        if time.perf_counter() > deadline:
            return
        ok = elig & (state.counts < kmax)[None, :]
        ok &= state.loads[None, :] + W <= capw[None, :]
        ok[rows, state.manager] = False
        c = np.where(ok, cost, np.inf)
        dst = np.argmin(c, axis=1)
        here = cost[rows, state.manager]
        gain = here - c[rows, dst]
        tol = 1e-12 * np.maximum(np.abs(here), 1.0)
        cand = np.flatnonzero(gain > tol)
        if cand.size == 0:
            return
        cand = cand[np.argsort(-gain[cand], kind="stable")]
        if state.current is not None:
            dm = _move_delta(state, cand, dst[cand])
            over = np.cumsum(dm) > state.moved_budget
            cand = cand[: int(np.argmax(over)) if over.any() else cand.size]
            if cand.size == 0:
                return
        d = dst[cand]
        o = np.argsort(d, kind="stable")  # by destination, gain order kept within
        cand, d = cand[o], d[o]
        starts = np.flatnonzero(np.r_[True, d[1:] != d[:-1]])
        seg = np.repeat(starts, np.diff(np.r_[starts, cand.size]))
        csum = np.cumsum(W[cand, d])
        within = csum - np.where(seg > 0, csum[np.maximum(seg - 1, 0)], 0.0)
        rank = np.arange(cand.size) - seg
        fits = (state.loads[d] + within <= capw[d]) & (state.counts[d] + rank + 1 <= kmax[d])
        bad = np.where(~fits, rank, np.iinfo(np.int64).max)
        first_bad = np.full(m, np.iinfo(np.int64).max)
        np.minimum.at(first_bad, d, bad)
        fits &= rank < first_bad[d]
        if not fits.any():
            return
        j, d = cand[fits], d[fits]
        if state.current is not None:
            state.moved_budget -= int(_move_delta(state, j, d).sum())
        src = state.manager[j]
        np.subtract.at(state.loads, src, W[j, src])
        np.add.at(state.loads, d, W[j, d])
        np.subtract.at(state.counts, src, 1)
        np.add.at(state.counts, d, 1)
        state.manager[j] = d


def headcount_flow(elig: BoolArray, kmax: IntArray) -> tuple[int, IntArray]:
    """Place as many partners as eligibility and headcount caps allow (max flow).

    Returns the number placed and a manager per partner (-1 where unplaced).
    Source -> partner (capacity 1) -> eligible manager (1) -> sink (``kmax``).
    """
    from scipy.sparse.csgraph import maximum_flow

    n, m = elig.shape
    jj, ii = np.nonzero(elig)
    src, sink = 0, n + m + 1
    tails = np.concatenate((np.zeros(n, dtype=np.int64), 1 + jj, 1 + n + np.arange(m)))
    heads = np.concatenate((1 + np.arange(n), 1 + n + ii, np.full(m, sink)))
    caps = np.concatenate(
        (np.ones(n), np.ones(jj.size), np.minimum(kmax, n).astype(np.float64))
    ).astype(np.int32)
    g = sparse.csr_array((caps, (tails, heads)), shape=(n + m + 2, n + m + 2))
    res = maximum_flow(g, src, sink)
    flow = res.flow.tocoo()
    sel = (flow.data > 0) & (flow.row >= 1) & (flow.row <= n) & (flow.col > n) & (flow.col < sink)
    manager = np.full(n, -1, dtype=np.int64)
    manager[flow.row[sel] - 1] = flow.col[sel] - 1 - n
    return int(res.flow_value), manager


def headcount_placeable(
    elig: BoolArray, kmax: IntArray, groups: tuple[IntArray, IntArray] | bool | None = True
) -> int:
    """How many partners eligibility and headcount caps can place: the value of :func:`headcount_flow`.

    Partners with the same eligibility row are one node (capacity: their
    number), so with regions the network is small whatever the partners
    (``groups``: :func:`row_groups`, when already known).
    """
    if groups is True:
        groups = row_groups(elig)
    if groups is None or groups is False:
        return headcount_flow(elig, kmax)[0]
    from scipy.sparse.csgraph import maximum_flow

    n, m = elig.shape
    first, inv = groups
    size = np.bincount(inv, minlength=first.size)
    g_elig = elig[first]
    k = first.size
    gj, ii = np.nonzero(g_elig)
    src, sink = 0, k + m + 1
    tails = np.concatenate((np.zeros(k, dtype=np.int64), 1 + gj, 1 + k + np.arange(m)))
    heads = np.concatenate((1 + np.arange(k), 1 + k + ii, np.full(m, sink)))
    caps = np.concatenate((size, size[gj], np.minimum(kmax, n))).astype(np.int32)
    g = sparse.csr_array((caps, (tails, heads)), shape=(k + m + 2, k + m + 2))
    return int(maximum_flow(g, src, sink).flow_value)


def lp_balance_bound(
    W: FloatArray,
    cap: FloatArray,
    elig: BoolArray,
    kmax: IntArray,
    time_limit: float | None = None,
) -> tuple[float, IntArray | None]:
    """LP relaxation bound of the largest relative load (HiGHS), and its rounding.

    Stronger than the combinatorial bounds when workloads depend on the
    manager: it accounts for partners that are cheap only with a few managers.
    Also returns, per partner, the manager the LP gives it entirely (-1 for
    the few partners the LP splits): a basic solution splits at most about m
    partners, so this is a near-complete starting assignment.
    """
    from scipy.optimize import linprog

    n, m = W.shape
    jj, ii = np.nonzero(elig)
    nx = jj.size
    scale = float(cap.max())
    a_eq = sparse.csr_array((np.ones(nx), (jj, np.arange(nx))), shape=(n, nx + 1))
    load = sparse.csr_array(
        (
            np.r_[W[jj, ii], -cap / scale],
            (np.r_[ii, np.arange(m)], np.r_[np.arange(nx), np.full(m, nx)]),
        ),
        shape=(m, nx + 1),
    )
    blocks, rhs = [load], [np.zeros(m)]
    limited = kmax < n
    if limited.any():
        head = sparse.csr_array((np.ones(nx), (ii, np.arange(nx))), shape=(m, nx + 1))
        blocks.append(head[limited])
        rhs.append(kmax[limited].astype(np.float64))
    c = np.zeros(nx + 1)
    c[nx] = 1.0
    with quiet():
        res = linprog(
            c,
            A_ub=sparse.vstack(blocks),
            b_ub=np.concatenate(rhs),
            A_eq=a_eq,
            b_eq=np.ones(n),
            bounds=(0, None),
            method="highs",
            options=_lp_options(time_limit),
        )
    if res.status != 0:  # infeasible, or stopped at the time limit
        return -math.inf, None
    x = res.x[:nx]
    whole = x > 1 - 1e-7
    rounded = np.full(n, -1, dtype=np.int64)
    rounded[jj[whole]] = ii[whole]
    # HiGHS' primal/dual tolerances: shave a hair so the bound stays valid
    return float(res.fun) / scale * (1 - 1e-9), rounded
