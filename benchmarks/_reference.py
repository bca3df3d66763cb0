"""The slow reference implementations, loaded from ``tests/_reference.py``.

Tests and benchmarks share one copy of each per-partner loop: the tests check
channelkit against it, the benchmarks time channelkit against it. This shim
loads the tests' module for the benchmark scripts (run as ``python
benchmarks/NAME.py``, which puts only ``benchmarks/`` on ``sys.path``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parents[1] / "tests" / "_reference.py"
_spec = importlib.util.spec_from_file_location("channelkit_tests_reference", _PATH)
assert _spec is not None
assert _spec.loader is not None
_module = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _module
_spec.loader.exec_module(_module)

heap_lpt = _module.heap_lpt
loop_business_model = _module.loop_business_model
loop_evaluate = _module.loop_evaluate
loop_gini = _module.loop_gini
loop_pareto = _module.loop_pareto
loop_progress = _module.loop_progress

__all__ = [
    "heap_lpt",
    "loop_business_model",
    "loop_evaluate",
    "loop_gini",
    "loop_pareto",
    "loop_progress",
]
