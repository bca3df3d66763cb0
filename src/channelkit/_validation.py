"""Private helpers that turn user input into validated numpy arrays.

Every public function funnels its array arguments through these helpers so
that bad input raises :class:`~channelkit.errors.InvalidInputError` with a
message naming the argument, the offending index and value, and what was
expected.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
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
    "as_real",
    "as_whole",
    "check_fraction",
    "check_nonnegative",
    "check_positive",
    "check_text",
    "did_you_mean",
    "is_number",
    "normalized_name",
]

SeedLike = int | np.random.Generator | np.random.SeedSequence | None

#: numpy dtype kinds that are never read as numbers: booleans, complex numbers,
#: dates and durations (numpy would turn them into 0/1, drop the imaginary part
#: or count days since 1970 without a word).
_NOT_NUMERIC_KINDS = {
    "b": "booleans",
    "c": "complex numbers",
    "M": "dates (datetime64)",
    "m": "durations (timedelta64)",
}

#: Largest magnitude an integer may have to be read as a whole number (int64).
_INT64_LIMIT = 2**63


# --------------------------------------------------------------------------- one rule for numbers
def is_number(value: object) -> bool:
    """Whether ``value`` is read as a number: a real number that is not a boolean.

    Booleans, complex numbers, dates, durations (``numpy.timedelta64`` is an
    integer subclass in numpy) and text are not numbers. This is the one rule
    every channelkit reader applies, to scalars, arrays and object columns.
    """
    return isinstance(value, numbers.Real) and not isinstance(
        value, bool | np.bool_ | np.timedelta64 | np.datetime64
    )


def _describe(value: object) -> str:
    if isinstance(value, bool | np.bool_):
        return f"{value!r} is a boolean, not a number"
    if isinstance(value, complex | np.complexfloating):
        return f"{value!r} is a complex number; expected a real number"
    if isinstance(value, np.datetime64 | np.timedelta64) or type(value).__module__ in (
        "datetime",
        "pandas._libs.tslibs.timestamps",
        "pandas._libs.tslibs.timedeltas",
    ):
        return f"{value!r} is a date or duration, not a number"
    return f"{value!r} is not a number"


def _holds_bool(values: object) -> bool:
    """Whether a list or tuple holds a boolean at its first two levels.

    ``numpy.asarray([True, 2.0])`` is a float array: the boolean is lost
    unless looked for before the conversion.
    """
    if not isinstance(values, list | tuple):
        return False
    kinds = set(map(type, values))
    if bool in kinds or np.bool_ in kinds:
        return True
    if list not in kinds and tuple not in kinds:
        return False
    return any(
        isinstance(v, list | tuple) and bool(set(map(type, v)) & {bool, np.bool_})
        for v in values
        if type(v) in (list, tuple)
    )


def as_real(
    value: object, name: str, *, error: type[InvalidInputError] = InvalidInputError
) -> float:
    """Return a scalar ``value`` as a float: a real number, not a boolean, not NaN.

    Infinity passes (callers decide); an integer too large for a float
    (``10**400``) is an error, never an :class:`OverflowError`.
    """
    if not is_number(value):
        raise error(f"{name} must be a number, got {value!r}")
    try:
        out = float(value)  # type: ignore[arg-type]
    except OverflowError:
        raise error(
            f"{name} = {value!r:.40} is too large; expected a number below 1.8e308"
        ) from None
    if out != out:
        raise error(f"{name} is NaN; expected a number")
    return out


def as_whole(
    value: object,
    name: str,
    *,
    minimum: int | None = None,
    error: type[InvalidInputError] = InvalidInputError,
) -> int:
    """Return a scalar ``value`` as an int: a whole number (not a boolean) within int64.

    Integral floats such as ``3.0`` are not accepted: a count is an integer.
    """
    if not is_number(value) or not isinstance(value, numbers.Integral):
        want = "a whole number" + ("" if minimum is None else f" >= {minimum}")
        raise error(f"{name} = {value!r}; expected {want}")
    out = int(value)
    if not -_INT64_LIMIT <= out < _INT64_LIMIT:
        raise error(f"{name} = {value!r:.40} is too large; expected a whole number below 2**63")
    if minimum is not None and out < minimum:
        raise error(f"{name} = {value!r}; expected a whole number >= {minimum}")
    return out


# --------------------------------------------------------------------------- one rule for text
def check_text(value: str, what: str) -> str:
    """Return ``value`` unless it holds text that a file or a numpy array cannot keep.

    NUL (``"\\x00"``) is rejected: numpy text arrays drop trailing NULs
    (``"a\\x00"`` would become ``"a"`` and collide with it). Every other
    character is kept; CSV writers quote fields with line breaks.
    """
    if "\x00" in value:
        raise InvalidInputError(
            f"{what}: {value!r} holds a NUL character (\\x00), which channelkit cannot "
            "keep in ids and names; remove it"
        )
    return value


def normalized_name(name: str) -> str:
    """A column name without case and separators: ``"Revenue-Prior"`` -> ``"revenueprior"``."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def did_you_mean(name: str, known: Iterable[str]) -> str | None:
    """A "did you mean" hint if ``name`` equals a ``known`` column apart from case and separators.

    Returns None if ``name`` is one of ``known`` exactly or matches none.
    This is channelkit's one rule for near-miss column names: a header
    ``Revenue`` is never read as a metric while revenue silently defaults
    to zero; it is rejected with this hint.

    Examples
    --------
    >>> did_you_mean("Revenue", ["id", "revenue"])
    "matches the standard column 'revenue' apart from case or separators; did you mean 'revenue'?"
    >>> did_you_mean("csat", ["id", "revenue"]) is None
    True
    """
    names = list(known)
    if name in names:
        return None
    key = normalized_name(name)
    for k in names:
        if normalized_name(k) == key:
            return (
                f"matches the standard column {k!r} apart from case or separators; "
                f"did you mean {k!r}?"
            )
    return None


def _first_bad(mask: NDArray[np.bool_]) -> tuple[int, ...]:
    idx = np.argwhere(mask)[0]
    return tuple(int(i) for i in idx)


def _fmt_index(name: str, index: tuple[int, ...]) -> str:
    return f"{name}[{', '.join(str(i) for i in index)}]"


def _reject_non_numbers(raw: NDArray[Any], name: str) -> None:
    """Raise naming the first item of ``raw`` that :func:`is_number` refuses (None passes)."""
    flat = raw.ravel()
    if raw.dtype.kind == "O":
        is_num = np.fromiter(
            (v is None or is_number(v) for v in flat),
            dtype=np.bool_,
            count=flat.size,
        )
    else:
        is_num = np.zeros(flat.size, dtype=np.bool_)
    if not is_num.all():
        i = int(np.argmin(is_num))
        pos = tuple(int(w) for w in np.unravel_index(i, raw.shape)) if raw.ndim else ()
        value = flat[i]
        if isinstance(value, np.str_ | np.bytes_):
            value = value.item()
        raise InvalidInputError(f"{_fmt_index(name, pos)} = {_describe(value)}")


def _reject_huge(raw: NDArray[Any], name: str) -> None:
    """Raise naming the first integer of an object array too large for a float64."""
    flat = raw.ravel()
    for i, v in enumerate(flat.tolist()):
        try:
            float(v)
        except OverflowError:
            pos = tuple(int(w) for w in np.unravel_index(i, raw.shape)) if raw.ndim else ()
            raise InvalidInputError(
                f"{_fmt_index(name, pos)} = {v!r:.40}... is too large; expected a number "
                "below 1.8e308"
            ) from None
    raise InvalidInputError(f"{name}: a value is too large for a float64")  # pragma: no cover


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
    if _holds_bool(values):
        raw = np.asarray(values, dtype=object)
        _reject_non_numbers(raw, name)
    try:
        raw = np.asarray(values)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidInputError(f"{name} must be numeric: {exc}") from None
    kind = raw.dtype.kind
    if kind in _NOT_NUMERIC_KINDS:
        flat = raw.ravel()
        pos = (
            tuple(int(w) for w in np.unravel_index(0, raw.shape)) if raw.ndim and raw.size else ()
        )
        first = f"{_fmt_index(name, pos)} = {flat[0]!r}: " if flat.size else ""
        raise InvalidInputError(
            f"{name} holds {_NOT_NUMERIC_KINDS[kind]}, not numbers ({first}dtype {raw.dtype}); "
            "expected real numbers"
        )
    if kind in "USO":
        # Text such as "8.5" would be parsed silently by numpy: insist on numbers.
        if kind != "O" and not isinstance(values, np.ndarray):
            raw = np.asarray(values, dtype=object)  # find the culprit among mixed items
        _reject_non_numbers(raw, name)
    try:
        arr = np.array(raw, dtype=np.float64, copy=True)
    except OverflowError:
        _reject_huge(raw, name)
        raise  # pragma: no cover - _reject_huge raises
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
    huge = np.abs(arr) >= float(_INT64_LIMIT)
    if huge.any():
        where = _first_bad(huge)
        raise InvalidInputError(
            f"{_fmt_index(name, where)} = {float(arr[where])!r} is too large; expected a whole "
            "number below 2**63"
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
    if not is_number(value):
        raise InvalidInputError(f"{name} must be a real number, got {value!r}")
    return as_real(value, name)


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


def check_growth(value: Any, name: str = "growth") -> float:
    """Return a yearly growth rate as a float, or raise unless it is finite and > -1."""
    out = _check_scalar(value, name)
    if not (np.isfinite(out) and out > -1.0):
        raise InvalidInputError(
            f"{name} must be a finite yearly rate above -1 (-100 %), got {value!r}"
        )
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
