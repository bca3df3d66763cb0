"""Timing helper shared by the benchmark scripts (imported as ``_timing``)."""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable
from typing import Any

__all__ = ["best_of"]


def best_of(func: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Best wall time of ``repeats`` calls (time.perf_counter, GC off) and the last result."""
    best = math.inf
    result: Any = None
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            start = time.perf_counter()
            result = func()
            best = min(best, time.perf_counter() - start)
    finally:
        if enabled:
            gc.enable()
    return best, result
