"""pandas DataFrames built lazily: pandas is optional and imported only when a frame is asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._optional import import_optional

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["data_frame"]


def data_frame(*args: Any, **kwargs: Any) -> pd.DataFrame:
    """``pandas.DataFrame(*args, **kwargs)``, importing pandas lazily."""
    pd_mod = import_optional("pandas", "pandas")
    frame: pd.DataFrame = pd_mod.DataFrame(*args, **kwargs)
    return frame
