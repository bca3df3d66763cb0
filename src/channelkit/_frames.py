"""pandas in, pandas out: recognise pandas inputs and wrap numpy results like them.

A private helper below the topic modules. pandas is optional: an object can
only be a pandas Series or DataFrame if pandas was imported already, so these
checks never import it themselves (and cost nothing without pandas).

Given a Series (or DataFrame), a function computes on numpy as usual and wraps
its per-partner result with :func:`series_like`: a Series with the input's
index. Labels become a ``category`` Series (built from integer codes, so no
Python string is created per partner). :func:`data_frame` builds a DataFrame,
importing pandas lazily (for ``to_frame()`` methods).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeGuard, cast

import numpy as np
from numpy.typing import NDArray

from ._optional import import_optional
from .errors import InvalidInputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "data_frame",
    "frame_index",
    "is_frame",
    "is_series",
    "labels_like",
    "series_like",
    "shared_index",
]


def _pandas() -> Any:
    return sys.modules.get("pandas")


def is_series(value: object) -> TypeGuard[pd.Series]:
    """Whether ``value`` is a pandas Series (False when pandas was never imported)."""
    pd_mod = _pandas()
    return pd_mod is not None and isinstance(value, pd_mod.Series)


def is_frame(value: object) -> TypeGuard[pd.DataFrame]:
    """Whether ``value`` is a pandas DataFrame (False when pandas was never imported)."""
    pd_mod = _pandas()
    return pd_mod is not None and isinstance(value, pd_mod.DataFrame)


def frame_index(value: object) -> pd.Index | None:
    """The index of a Series or DataFrame; None for anything else."""
    if is_series(value) or is_frame(value):
        index: pd.Index = value.index
        return index
    return None


def shared_index(named: Sequence[tuple[str, object]]) -> pd.Index | None:
    """The index of the pandas inputs among ``(name, value)`` pairs, or None if there are none.

    Raises
    ------
    InvalidInputError
        If two pandas inputs carry different indexes: pairing them by position
        would silently mix partners up.
    """
    found: list[tuple[str, Any]] = [
        (name, idx) for name, value in named if (idx := frame_index(value)) is not None
    ]
    if not found:
        return None
    first_name, first = found[0][0], cast("pd.Index", found[0][1])
    for name, idx in found[1:]:
        if not first.equals(idx):
            raise InvalidInputError(
                f"{first_name} and {name} are pandas objects with different indexes; align "
                f"them first (e.g. {name}.reindex({first_name}.index)) so that each row is "
                "one partner"
            )
    return first


def series_like(values: NDArray[Any], index: pd.Index, name: str) -> pd.Series:
    """``values`` as a Series with ``index`` and ``name`` (no copy of the index)."""
    pd_mod = _pandas()
    series: pd.Series = pd_mod.Series(values, index=index, name=name, copy=False)
    return series


def labels_like(
    codes: NDArray[np.integer[Any]], categories: Sequence[str], index: pd.Index, name: str
) -> pd.Series:
    """Integer ``codes`` into ``categories`` as a ``category`` Series with ``index``."""
    pd_mod = _pandas()
    cat = pd_mod.Categorical.from_codes(codes, categories=list(categories))
    series: pd.Series = pd_mod.Series(cat, index=index, name=name)
    return series


def data_frame(*args: Any, **kwargs: Any) -> pd.DataFrame:
    """``pandas.DataFrame(*args, **kwargs)``, importing pandas lazily."""
    pd_mod = import_optional("pandas", "pandas")
    frame: pd.DataFrame = pd_mod.DataFrame(*args, **kwargs)
    return frame
