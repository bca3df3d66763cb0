"""Private plumbing shared by the Monte Carlo engines (capacity, simulation).

Seeds, chunking and the ``workers`` convention live here so that
:func:`channelkit.plan_capacity` and :func:`channelkit.simulate_channel`
behave the same way:

* the simulations are split into chunks of :data:`CHUNK_SIMS` rows; the
  chunking depends only on ``n_sims``, never on the number of workers;
* chunk ``c`` draws from the ``c``-th child of ``SeedSequence(seed)`` (the
  one ``spawn`` would return, derived without spawning, so the caller's
  SeedSequence is never changed) and its children, so a seed gives identical
  results whatever the workers;
* ``workers`` is ``None``/``1`` (serial), an int (a local process pool; ``-1``
  means one process per CPU) or any map-like callable ``workers(func, iterable)``
  such as ``concurrent.futures.Executor.map`` or a dask client wrapper.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import concurrent.futures.process
import contextlib
import numbers
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import attrs
import numpy as np

from ._optional import import_optional
from .errors import InvalidInputError

__all__ = [
    "CHUNK_SIMS",
    "MapLike",
    "SharedRef",
    "WorkersLike",
    "cache_clear",
    "cache_pop",
    "cache_put",
    "child_seed",
    "chunk_rows",
    "resolve",
    "root_seed",
    "run_map",
    "shutdown_pools",
    "spawn_seeds",
    "worker_pool",
]

#: Simulations per chunk (the unit of work sent to a worker).
CHUNK_SIMS = 256

T = TypeVar("T")
R = TypeVar("R")

MapLike = Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]]
WorkersLike = int | MapLike | None


def root_seed(seed: Any) -> np.random.SeedSequence:
    """Turn ``seed`` (None, an int, a SeedSequence or a Generator) into a SeedSequence.

    A SeedSequence is returned as is and must not be spawned from (use
    :func:`spawn_seeds`). A Generator contributes entropy drawn from its stream
    once (four 63-bit integers, which advances it), so the same Generator
    *state* gives the same SeedSequence, and passing the same Generator object
    twice gives two different ones.
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        entropy = [int(x) for x in seed.integers(0, 2**63 - 1, size=4, dtype=np.int64)]
        return np.random.SeedSequence(entropy)
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or int(seed) < 0:
        raise InvalidInputError(
            f"seed must be None, a non-negative int or a numpy.random.Generator, got {seed!r}"
        )
    return np.random.SeedSequence(int(seed))


def child_seed(parent: np.random.SeedSequence, *keys: int) -> np.random.SeedSequence:
    """The child of ``parent`` with spawn key ``parent.spawn_key + keys``.

    Unlike :meth:`numpy.random.SeedSequence.spawn` this is stateless, so the
    same keys always give the same stream (the nested draws rely on it).
    """
    return np.random.SeedSequence(
        entropy=parent.entropy,
        spawn_key=(*parent.spawn_key, *keys),
        pool_size=parent.pool_size,
    )


def spawn_seeds(root: np.random.SeedSequence, n: int) -> list[np.random.SeedSequence]:
    """The first ``n`` children of ``root``, without changing ``root``.

    Bit-identical to ``root.spawn(n)`` on a SeedSequence that has not spawned
    yet, but stateless: :meth:`numpy.random.SeedSequence.spawn` counts the
    children it has handed out, so a second call on the same object would
    give different seeds.
    """
    return [child_seed(root, i) for i in range(n)]


def chunk_rows(n_sims: int) -> list[int]:
    """Rows of each chunk: full chunks of :data:`CHUNK_SIMS` and a last partial one."""
    full, rest = divmod(n_sims, CHUNK_SIMS)
    return [CHUNK_SIMS] * full + ([rest] if rest else [])


def check_workers(workers: Any) -> WorkersLike:
    """Validate the ``workers`` argument (see the module docstring)."""
    if workers is None or callable(workers):
        return workers  # type: ignore[no-any-return]
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral):
        raise InvalidInputError(
            f"workers must be None, a positive int, -1 or a map-like callable, got {workers!r}"
        )
    n = int(workers)
    if n == -1:
        return os.cpu_count() or 1
    if n < 1:
        raise InvalidInputError(f"workers must be a positive int or -1, got {workers!r}")
    return n


#: Objects installed in a pool's worker processes by :func:`worker_pool` (by key).
_SHARED: dict[str, Any] = {}


def _install(shared: dict[str, Any]) -> None:
    _SHARED.update(shared)


@attrs.frozen
class SharedRef:
    """A stand-in for an object that :func:`worker_pool` installed in its processes."""

    key: str

    def get(self) -> Any:
        return _SHARED[self.key]


def resolve(obj: Any) -> Any:
    """The object itself, or the installed object a :class:`SharedRef` stands for."""
    return obj.get() if isinstance(obj, SharedRef) else obj


@contextlib.contextmanager
def worker_pool(workers: Any, shared: Any = None) -> Iterator[tuple[WorkersLike, Any]]:
    """Validate ``workers``; for an int > 1, lend a set of worker processes for several maps.

    Yields ``(mapper, ref)``: ``mapper`` is ``None`` (serial) or a map-like
    callable, so that a function making more than one pass over the chunks
    reaches the same processes every pass, and task ``i`` of every pass runs
    in the same process (what a pass left with :func:`cache_put` is there for
    the next); ``ref`` stands for ``shared`` in the tasks. In a local
    process pool ``shared`` is sent once to each process and ``ref`` is a
    small :class:`SharedRef`; otherwise ``ref`` is ``shared`` itself. Chunk
    functions call :func:`resolve` on it.

    The processes of ``workers=n`` are started by the first call and kept for
    the next ones (starting them costs about as much as a small plan), as
    joblib keeps its workers; :func:`shutdown_pools` ends them, and so does
    the interpreter's exit. What a call installed or cached in them is
    dropped when it ends.
    """
    checked = check_workers(workers)
    if isinstance(checked, int):
        if checked == 1:
            yield None, shared
            return
        key = uuid.uuid4().hex
        pools = _lend_pools(checked)
        try:
            if shared is not None:
                for fut in [pool.submit(_install, {key: shared}) for pool in pools]:
                    fut.result()
            yield _StickyMap(pools), (SharedRef(key) if shared is not None else None)
        except concurrent.futures.process.BrokenProcessPool:
            _drop_pools(checked, pools)
            raise
        finally:
            _release(pools, key)
        return
    yield checked, shared


#: Worker processes kept between calls, by number of processes (see :func:`worker_pool`).
_POOLS: dict[int, list[concurrent.futures.ProcessPoolExecutor]] = {}
_POOLS_PID = os.getpid()
_POOLS_LOCK = threading.Lock()


def _lend_pools(n: int) -> list[concurrent.futures.ProcessPoolExecutor]:
    """The ``n`` single-process pools kept for ``workers=n`` (started on first use)."""
    global _POOLS_PID
    with _POOLS_LOCK:
        if os.getpid() != _POOLS_PID:  # a forked child: its parent's pools are not its own
            _POOLS.clear()
            _POOLS_PID = os.getpid()
        pools = _POOLS.get(n)
        if pools is None:
            pools = [concurrent.futures.ProcessPoolExecutor(max_workers=1) for _ in range(n)]
            _POOLS[n] = pools
        return pools


def _drop_pools(n: int, pools: list[concurrent.futures.ProcessPoolExecutor]) -> None:
    """Forget broken pools (the next call starts new processes)."""
    with _POOLS_LOCK:
        if _POOLS.get(n) is pools:
            del _POOLS[n]
    for pool in pools:
        pool.shutdown(wait=False, cancel_futures=True)


def _release(pools: list[concurrent.futures.ProcessPoolExecutor], key: str) -> None:
    """Drop what one call installed and cached in the kept processes."""
    futures = []
    for pool in pools:
        try:
            futures.append(pool.submit(_forget, key))
        except RuntimeError:  # pragma: no cover - the pool broke or shut down meanwhile
            continue
    for fut in futures:
        with contextlib.suppress(Exception):
            fut.result()


def _forget(key: str) -> None:
    _SHARED.pop(key, None)
    with _CACHE_LOCK:
        _CACHE.clear()


def shutdown_pools() -> None:
    """End the worker processes kept by ``workers=n`` calls (they restart on the next one)."""
    with _POOLS_LOCK:
        kept = list(_POOLS.values())
        _POOLS.clear()
    for pools in kept:
        for pool in pools:
            pool.shutdown(wait=True)


atexit.register(shutdown_pools)


class _StickyMap:
    """A map over single-process pools that sends task ``i`` to process ``i % n``, every pass.

    Chunks of equal size take about equal time, so the round robin balances
    the load; and the second pass over the same chunks lands where the
    first left what it cached (see :func:`cache_put`).
    """

    def __init__(self, pools: Sequence[concurrent.futures.ProcessPoolExecutor]) -> None:
        self.pools = list(pools)

    def __call__(self, func: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        # one message per process and pass: process j runs tasks j, j + n, j + 2n, ...
        todo = list(tasks)
        n = len(self.pools)
        futures = [pool.submit(_run_batch, func, todo[j::n]) for j, pool in enumerate(self.pools)]
        try:
            batches = [fut.result() for fut in futures]
        finally:
            for fut in futures:
                fut.cancel()
        for i in range(len(todo)):
            yield batches[i % n][i // n]


def _run_batch(func: Callable[[Any], Any], tasks: Sequence[Any]) -> list[Any]:
    return [func(task) for task in tasks]


#: Per-process cache of a pass's intermediate results for a later pass (by plan, then key).
_CACHE: dict[str, dict[Any, Any]] = {}

#: Plans whose entries a process keeps at most (older ones are dropped first).
_CACHE_PLANS = 2


_CACHE_LOCK = threading.Lock()


def cache_put(plan: str, key: Any, value: Any) -> None:
    """Keep ``value`` in this process for a later pass of the same ``plan``."""
    with _CACHE_LOCK:
        if plan not in _CACHE:
            while len(_CACHE) >= _CACHE_PLANS:
                del _CACHE[next(iter(_CACHE))]
            _CACHE[plan] = {}
        _CACHE[plan][key] = value


def cache_pop(plan: str, key: Any) -> Any:
    """The value :func:`cache_put` kept in this process, or None (then recompute it)."""
    with _CACHE_LOCK:
        entries = _CACHE.get(plan)
        if entries is None:
            return None
        value = entries.pop(key, None)
        if not entries:
            del _CACHE[plan]
        return value


def cache_clear(plan: str) -> None:
    """Drop what this process kept for ``plan``."""
    with _CACHE_LOCK:
        _CACHE.pop(plan, None)


def run_map(
    func: Callable[[T], R],
    tasks: Sequence[T],
    workers: WorkersLike,
    *,
    progress: bool = False,
    desc: str = "simulating",
) -> list[R]:
    """Apply ``func`` to every task with the ``workers`` convention; keep the order."""
    workers = check_workers(workers)
    if workers is None or workers == 1:
        results: Iterable[R] = map(func, tasks)
        return _collect(results, len(tasks), progress, desc)
    if isinstance(workers, int):  # the kept processes (see worker_pool)
        with worker_pool(workers) as (mapper, _):
            assert callable(mapper)
            return _collect(mapper(func, tasks), len(tasks), progress, desc)
    return _collect(workers(func, tasks), len(tasks), progress, desc)


def _collect(results: Iterable[R], total: int, progress: bool, desc: str) -> list[R]:
    if progress:  # tqdm.auto: a widget in a notebook, text on a terminal
        tqdm = import_optional("tqdm.auto", "progress").tqdm
        results = tqdm(results, total=total, desc=desc, unit="chunk")
    out = list(results)
    if len(out) != total:
        raise InvalidInputError(
            f"workers returned {len(out)} results for {total} tasks; "
            "expected a map-like callable that returns one result per task"
        )
    return out
