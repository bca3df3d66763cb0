"""Private helpers that turn user input into validated numpy arrays.

Every public function funnels its array arguments through these helpers so
that bad input raises :class:`~channelkit.errors.InvalidInputError` with a
message naming the argument, the offending index and value, and what was
expected.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import InvalidInputError

__all__ = [
    "SeedLike",
    "as_bool_array",
    "as_float_array",
    "as_generator",
    "as_int_array",
    "check_fraction",
    "check_nonnegative",
    "check_positive",
]

SeedLike = int | np.random.Generator | np.random.SeedSequence | None


def _first_bad(mask: NDArray[np.bool_]) -> tuple[int, ...]:
    idx = np.argwhere(mask)[0]
    return tuple(int(i) for i in idx)


def _fmt_index(name: str, index: tuple[int, ...]) -> str:
    return f"{name}[{', '.join(str(i) for i in index)}]"


def as_float_array(
    values: ArrayLike,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = 1,
    nonnegative: bool = False,
    allow_nan: bool = False,
    allow_inf: bool = False,
    allow_empty: bool = True,
    bounds: tuple[float, float] | None = None,
) -> NDArray[np.float64]:
    """Convert ``values`` to a new float64 array and validate it.

    The result is always a copy, so callers may never modify user input.

    Raises
    ------
    InvalidInputError
        If ``values`` is not numeric, has the wrong number of dimensions, is
        empty while ``allow_empty`` is false, or holds NaN, infinite,
        negative or out-of-bounds entries that are not allowed.
    """
    if isinstance(values, str | bytes):
        raise InvalidInputError(f"{name} must be numeric, got the string {values!r}")
    try:
        raw = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{name} must be numeric: {exc}") from None
    if raw.dtype.kind in "USO":
        # Text such as "8.5" would be parsed silently by numpy: insist on numbers.
        if raw.dtype.kind != "O" and not isinstance(values, np.ndarray):
            raw = np.asarray(values, dtype=object)  # find the culprit among mixed items
        flat = raw.ravel()
        if raw.dtype.kind == "O":
            is_num = np.fromiter(
                (isinstance(v, numbers.Real) or v is None for v in flat),
                dtype=np.bool_,
                count=flat.size,
            )
        else:
            is_num = np.zeros(flat.size, dtype=np.bool_)
        if not is_num.all():
            i = int(np.argmin(is_num))
            pos = tuple(int(w) for w in np.unravel_index(i, raw.shape)) if raw.ndim else ()
            value = flat[i].item() if isinstance(flat[i], np.generic) else flat[i]
            raise InvalidInputError(f"{_fmt_index(name, pos)} = {value!r} is not a number")
    try:
        arr = np.array(raw, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{name} must be numeric: {exc}") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise InvalidInputError(f"{name} must be a {want} array, got shape {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise InvalidInputError(f"{name} must not be empty")
    nan = np.isnan(arr)
    if not allow_nan and nan.any():
        raise InvalidInputError(f"{_fmt_index(name, _first_bad(nan))} is NaN; expected a number")
    if not allow_inf:
        inf = np.isinf(arr)
        if inf.any():
            where = _first_bad(inf)
            raise InvalidInputError(
                f"{_fmt_index(name, where)} = {float(arr[where])} is infinite; expected a finite number"
            )
    if nonnegative:
        neg = arr < 0
        if neg.any():
            where = _first_bad(neg)
            raise InvalidInputError(
                f"{_fmt_index(name, where)} = {float(arr[where])!r} is negative; "
                "expected non-negative numbers"
            )
    if bounds is not None:
        lo, hi = bounds
        out = (arr < lo) | (arr > hi)
        if out.any():
            where = _first_bad(out)
            raise InvalidInputError(
                f"{_fmt_index(name, where)} = {float(arr[where])!r} is outside [{lo:g}, {hi:g}]"
            )
    return arr


def as_int_array(
    values: ArrayLike,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = 1,
    min_value: int | None = None,
) -> NDArray[np.int64]:
    """Convert ``values`` to a new int64 array; reject non-integral numbers."""
    arr = as_float_array(values, name, ndim=ndim)
    frac = arr != np.round(arr)
    if frac.any():
        where = _first_bad(frac)
        raise InvalidInputError(
            f"{_fmt_index(name, where)} = {float(arr[where])!r} is not a whole number"
        )
    out = arr.astype(np.int64)
    if min_value is not None:
        low = out < min_value
        if low.any():
            where = _first_bad(low)
            raise InvalidInputError(
                f"{_fmt_index(name, where)} = {int(out[where])} is below the minimum {min_value}"
            )
    return out


def as_bool_array(
    values: ArrayLike, name: str, *, shape: tuple[int, ...] | None = None
) -> NDArray[np.bool_]:
    """Convert ``values`` to a new bool array, optionally of a given shape."""
    arr = np.array(values, copy=True)
    if arr.dtype != np.bool_:
        if arr.dtype.kind not in "iuf" or not np.isin(arr, (0, 1)).all():
            raise InvalidInputError(f"{name} must be boolean (True/False or 0/1)")
        arr = arr.astype(bool)
    if shape is not None and arr.shape != shape:
        raise InvalidInputError(f"{name} must have shape {shape}, got {arr.shape}")
    return arr


def _check_scalar(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidInputError(f"{name} must be a real number, got {value!r}")
    out = float(value)
    if np.isnan(out):
        raise InvalidInputError(f"{name} is NaN; expected a number")
    return out


def check_positive(value: Any, name: str, *, allow_inf: bool = False) -> float:
    """Return ``value`` as a float, or raise unless it is > 0."""
    out = _check_scalar(value, name)
    if not out > 0 or (np.isinf(out) and not allow_inf):
        raise InvalidInputError(f"{name} must be a positive finite number, got {value!r}")
    return out


def check_nonnegative(value: Any, name: str, *, allow_inf: bool = False) -> float:
    """Return ``value`` as a float, or raise unless it is >= 0."""
    out = _check_scalar(value, name)
    if out < 0 or (np.isinf(out) and not allow_inf):
        raise InvalidInputError(f"{name} must be a non-negative number, got {value!r}")
    return out


def check_fraction(
    value: Any, name: str, *, include_zero: bool = True, include_one: bool = True
) -> float:
    """Return ``value`` as a float, or raise unless it lies in [0, 1].

    ``include_zero`` and ``include_one`` make the interval open at that end.
    """
    out = _check_scalar(value, name)
    lo_ok = out >= 0 if include_zero else out > 0
    hi_ok = out <= 1 if include_one else out < 1
    if not (lo_ok and hi_ok):
        lo = "[" if include_zero else "("
        hi = "]" if include_one else ")"
        raise InvalidInputError(f"{name} must lie in {lo}0, 1{hi}, got {value!r}")
    return out


def as_generator(seed: SeedLike) -> np.random.Generator:
    """Turn ``seed`` (None, an int, a SeedSequence or a Generator) into a Generator.

    A Generator is returned as is, so that a caller's stream is shared.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or int(seed) < 0:
        raise InvalidInputError(
            f"seed must be None, a non-negative int or a numpy.random.Generator, got {seed!r}"
        )
    return np.random.default_rng(int(seed))
