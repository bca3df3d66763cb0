"""Lazy imports of optional dependencies with an actionable error."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["import_optional"]


def import_optional(module: str, extra: str) -> ModuleType:
    """Import ``module`` or raise an ImportError naming the extra to install.

    Parameters
    ----------
    module : str
        The module to import, e.g. ``"pandas"`` or ``"matplotlib.pyplot"``.
    extra : str
        The channelkit extra that provides it, e.g. ``"pandas"`` or ``"plot"``.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        raise ImportError(
            f"{top} is needed for this feature but is not installed; "
            f"install it with: pip install 'channelkit[{extra}]'"
        ) from exc
