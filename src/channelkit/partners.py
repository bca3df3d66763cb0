"""Partners, channel managers and the columnar :class:`Portfolio`.

A :class:`Partner` is one independent business that sells or services the
vendor's products; a :class:`Manager` is a channel manager with a yearly
workload capacity. A :class:`Portfolio` holds many partners as columns of
numpy arrays: it is the form every vectorized function in channelkit consumes.

Functions that take a population accept a :class:`Portfolio`, a pandas
DataFrame, a mapping of column name to 1-D array-like, or a sequence of
:class:`Partner`; :func:`as_portfolio` turns all of them into a Portfolio.

Examples
--------
>>> import channelkit as ck
>>> pf = ck.Portfolio.from_partners([
...     ck.Partner("acme", revenue=120_000.0, region="EMEA", metrics={"csat": 9.0}),
...     ck.Partner("bolt", revenue=8_000.0, region="NA", metrics={"csat": 7.5}),
... ])
>>> pf
Portfolio(n=2, metrics=['csat'])
>>> pf.column("revenue")
array([120000.,   8000.])
>>> pf.to_partners()[1]
Partner(id='bolt', revenue=8000.0, revenue_prior=None, product_share=None, region='NA', metrics={'csat': 7.5})
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _csv
from ._mapping import Source, resolve_columns
from ._validation import as_float_array, as_real, as_whole, check_text, did_you_mean, is_number
from .errors import InvalidInputError

if TYPE_CHECKING:  # pragma: no cover
    import os

    import pandas as pd

__all__ = [
    "STANDARD_COLUMNS",
    "Manager",
    "Partner",
    "Portfolio",
    "PortfolioLike",
    "as_portfolio",
]

#: Anything that names a population of partners: what :func:`as_portfolio`
#: accepts, and the type of every ``partners`` parameter in channelkit.
PortfolioLike: TypeAlias = "Portfolio | pd.DataFrame | Mapping[str, ArrayLike] | Sequence[Partner]"

#: Columns every :class:`Portfolio` has, in this order; other columns are metrics.
STANDARD_COLUMNS: tuple[str, ...] = ("id", "revenue", "revenue_prior", "product_share", "region")


#: Standard columns that may be empty (unknown) in a CSV file, and the ranges of the numeric ones.
_CSV_OPTIONAL = ("revenue_prior", "product_share")
_CSV_BOUNDS = {
    "revenue": (0.0, math.inf),
    "revenue_prior": (0.0, math.inf),
    "product_share": (0.0, 1.0),
}


# --------------------------------------------------------------------------- validators
def _check_id(value: object, what: str) -> str:
    if isinstance(value, bool | np.bool_) or not isinstance(value, str | numbers.Integral):
        raise InvalidInputError(f"{what} id must be a string, got {value!r}")
    out = str(value).strip()
    if not out:
        raise InvalidInputError(f"{what} id must be a non-empty string, got {value!r}")
    return check_text(out, f"{what} id")


def _partner_id(value: object) -> str:
    return _check_id(value, "Partner")


def _manager_id(value: object) -> str:
    return _check_id(value, "Manager")


def _real(value: object, what: str) -> float:
    return as_real(value, what)


def _region(value: object, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{what} must be a non-empty string or None, got {value!r}")
    return check_text(value.strip(), what)


def _metric_name(name: object, what: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(f"{what}: metric names must be non-empty strings, got {name!r}")
    if name != name.strip():
        raise InvalidInputError(
            f"{what}: metric name {name!r} starts or ends with white space; use {name.strip()!r}"
        )
    if name in STANDARD_COLUMNS:
        raise InvalidInputError(
            f"{what}: {name!r} is a standard column, not a metric; pass it as a field"
        )
    hint = did_you_mean(name, STANDARD_COLUMNS)
    if hint is not None:
        raise InvalidInputError(f"{what}: metric name {name!r} {hint}")
    return check_text(name, f"{what}: metric name")


# --------------------------------------------------------------------------- Partner
def _partner_metrics(value: Mapping[str, float]) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"metrics must be a mapping of name -> number, got {value!r}")
    out: dict[str, float] = {}
    for key, val in value.items():
        name = _metric_name(key, "Partner.metrics")
        num = _real(val, f"metric {name!r}")
        if math.isinf(num):
            raise InvalidInputError(
                f"metric {name!r} = {num} is infinite; expected a finite number"
            )
        out[name] = num
    return out


@attrs.frozen(kw_only=False)
class Partner:
    """One channel partner.

    Parameters
    ----------
    id : str
        Unique identifier of the partner.
    revenue : float [currency/year], default 0.0
        Revenue the partner made with the vendor's products in the current year.
    revenue_prior : float or None [currency/year]
        Revenue in the prior year; None if unknown (e.g. a new partner).
    product_share : float in [0, 1] or None
        Share of the partner's revenue that comes from products; the rest is
        services. None if unknown.
    region : str or None
        Geography the partner belongs to.
    metrics : mapping of str to float
        Any further numeric attributes (certified staff, customer
        satisfaction, registered deals, ...).

    Raises
    ------
    InvalidInputError
        For an empty id, NaN or negative revenue, a product share outside
        [0, 1], a non-numeric metric or a metric named like a standard column.

    Examples
    --------
    >>> Partner("p1", revenue=50_000.0, product_share=0.7)
    Partner(id='p1', revenue=50000.0, revenue_prior=None, product_share=0.7, region=None, metrics={})
    """

    id: str = attrs.field(converter=_partner_id)
    revenue: float = attrs.field(default=0.0)
    revenue_prior: float | None = attrs.field(default=None)
    product_share: float | None = attrs.field(default=None)
    region: str | None = attrs.field(default=None)
    metrics: dict[str, float] = attrs.field(factory=dict, converter=_partner_metrics)

    def __attrs_post_init__(self) -> None:
        what = f"partner {self.id!r}"
        revenue = _real(self.revenue, f"{what}: revenue")
        if revenue < 0 or math.isinf(revenue):
            raise InvalidInputError(
                f"{what}: revenue = {revenue!r} must be a finite, non-negative amount"
            )
        object.__setattr__(self, "revenue", revenue)
        if self.revenue_prior is not None:
            prior = _real(self.revenue_prior, f"{what}: revenue_prior")
            if prior < 0 or math.isinf(prior):
                raise InvalidInputError(
                    f"{what}: revenue_prior = {prior!r} must be a finite, non-negative amount"
                )
            object.__setattr__(self, "revenue_prior", prior)
        if self.product_share is not None:
            share = _real(self.product_share, f"{what}: product_share")
            if not 0.0 <= share <= 1.0:
                raise InvalidInputError(f"{what}: product_share = {share!r} is outside [0, 1]")
            object.__setattr__(self, "product_share", share)
        object.__setattr__(self, "region", _region(self.region, f"{what}: region"))


# --------------------------------------------------------------------------- Manager
@attrs.frozen
class Manager:
    """A channel (partner) manager.

    Parameters
    ----------
    id : str
        Unique identifier of the manager.
    capacity : float [hours/year], default inf
        Workload the manager can carry in a year; ``inf`` for no hard cap.
    max_partners : int or None
        Most partners the manager may hold (None: no cap).
    region : str or None
        Geography the manager covers; None covers every region.

    Examples
    --------
    >>> Manager("m1", capacity=1800.0, max_partners=30, region="EMEA")
    Manager(id='m1', capacity=1800.0, max_partners=30, region='EMEA')
    """

    id: str = attrs.field(converter=_manager_id)
    capacity: float = attrs.field(default=math.inf)
    max_partners: int | None = attrs.field(default=None)
    region: str | None = attrs.field(default=None)

    def __attrs_post_init__(self) -> None:
        what = f"manager {self.id!r}"
        cap = _real(self.capacity, f"{what}: capacity")
        if not cap > 0:
            raise InvalidInputError(f"{what}: capacity = {cap!r} must be positive [hours/year]")
        object.__setattr__(self, "capacity", cap)
        if self.max_partners is not None:
            mp = self.max_partners
            if not is_number(mp) or not isinstance(mp, numbers.Integral) or int(mp) < 0:
                raise InvalidInputError(
                    f"{what}: max_partners = {mp!r} must be a non-negative whole number or None"
                )
            object.__setattr__(self, "max_partners", as_whole(mp, f"{what}: max_partners"))
        object.__setattr__(self, "region", _region(self.region, f"{what}: region"))


# --------------------------------------------------------------------------- Portfolio
def _readonly(arr: NDArray[Any]) -> NDArray[Any]:
    arr.setflags(write=False)
    return arr


def _ids_array(ids: ArrayLike) -> NDArray[np.str_]:
    raw = np.asarray(ids)
    if raw.ndim != 1:
        raise InvalidInputError(f"ids must be 1-D, got shape {raw.shape}")
    if raw.size == 0:
        return np.empty(0, dtype="<U1")
    if raw.dtype.kind in "fcbmM":
        raise InvalidInputError(
            f"ids must be strings or integers, got {_KIND_NAMES[raw.dtype.kind]} "
            f"(dtype {raw.dtype}, ids[0] = {raw[0]!r})"
        )
    if isinstance(ids, list | tuple) and raw.dtype.kind in "iuU":
        # numpy would turn [1.5, "a"] or [True, "a"] into text and drop trailing NULs:
        # check the items before converting.
        if not all(_id_type_ok(kind) for kind in set(map(type, ids))):
            i = next(k for k, v in enumerate(ids) if not _id_ok(v))
            if ids[i] is None or (isinstance(ids[i], float) and math.isnan(ids[i])):
                raise InvalidInputError(f"ids[{i}] is missing; every partner needs an id")
            raise InvalidInputError(
                f"ids[{i}] = {ids[i]!r} is a {type(ids[i]).__name__}; ids must be strings or "
                "integers"
            )
        _check_no_nul(ids)
    if raw.dtype.kind in "iu":
        # Whole-number ids: check uniqueness on the integers (much faster than on text).
        uniq_int, counts_int = np.unique(raw, return_counts=True)
        if (counts_int > 1).any():
            _duplicate_error(raw, uniq_int[np.argmax(counts_int > 1)], int(counts_int.max()))
        return raw.astype(str)
    if raw.dtype.kind == "O":
        missing = _is_missing(raw)
        if missing.any():
            raise InvalidInputError(
                f"ids[{int(np.argmax(missing))}] is missing; every partner needs an id"
            )
        ok = np.asarray(_is_id(raw), dtype=np.bool_)
        if not ok.all():
            i = int(np.argmin(ok))
            raise InvalidInputError(
                f"ids[{i}] = {raw[i]!r} is a {type(raw[i]).__name__}; ids must be strings or "
                "integers"
            )
        _check_no_nul(raw.tolist())
    elif raw.dtype.kind == "U":
        _check_no_inner_nul(raw)
    # Ids are compared without surrounding white space, as Partner and the CSV reader do.
    out = np.char.strip(raw.astype(str))
    empty = np.char.str_len(out) == 0
    if empty.any():
        raise InvalidInputError(
            f"ids[{int(np.argmax(empty))}] is empty; every partner needs an id"
        )
    uniq, counts = np.unique(out, return_counts=True)
    if (counts > 1).any():
        dup = int(np.argmax(counts > 1))
        _duplicate_error(out, uniq[dup], int(counts[dup]))
    return out


_KIND_NAMES = {
    "f": "floats",
    "c": "complex numbers",
    "b": "booleans",
    "m": "durations",
    "M": "dates",
}


def _id_ok(value: object) -> bool:
    """Ids are strings or integers (not booleans, not durations)."""
    return isinstance(value, str) or (isinstance(value, numbers.Integral) and is_number(value))


_is_id: Any = np.frompyfunc(_id_ok, 1, 1)


def _id_type_ok(kind: type) -> bool:
    """Whether values of type ``kind`` are ids (checked once per type, not per item)."""
    if issubclass(kind, bool | np.bool_ | np.timedelta64):
        return False
    return issubclass(kind, str | numbers.Integral)


def _check_no_nul(items: Sequence[Any], name: str = "ids") -> None:
    """Reject a NUL in any text item (numpy would drop it from the end of a string)."""
    texts = [v for v in items if isinstance(v, str)]
    if "\x00" in "".join(texts):
        i = next(k for k, v in enumerate(items) if isinstance(v, str) and "\x00" in v)
        check_text(items[i], f"{name}[{i}]")


def _check_no_inner_nul(arr: NDArray[np.str_], name: str = "ids") -> None:
    """Reject a NUL inside the strings of a numpy text array (trailing ones are already gone)."""
    width = arr.dtype.itemsize // 4
    if width == 0 or arr.size == 0:
        return
    codes = np.ascontiguousarray(arr).view(np.uint32).reshape(arr.size, width)
    nonzero = codes != 0
    # a zero code point followed by a non-zero one: a NUL inside the string
    inner = (~nonzero[:, :-1] & nonzero[:, 1:]).any(axis=1)
    if inner.any():
        i = int(np.argmax(inner))
        check_text(str(arr[i]), f"{name}[{i}]")


def _duplicate_error(ids: NDArray[Any], value: Any, count: int) -> None:
    rows = np.flatnonzero(ids == value)
    raise InvalidInputError(
        f"ids must be unique: {str(value)!r} appears {len(rows)} times "
        f"(positions {', '.join(str(int(r)) for r in rows[:5])})"
    )


_isinstance: Any = np.frompyfunc(isinstance, 2, 1)
_is_number: Any = np.frompyfunc(is_number, 1, 1)


@attrs.frozen
class _CheckedIds:
    """Ids of an existing Portfolio: already validated, so not checked again."""

    ids: NDArray[np.str_]


def _is_missing(raw: NDArray[Any]) -> NDArray[np.bool_]:
    """None or NaN, elementwise, for an object array."""
    none = np.asarray(raw == None, dtype=np.bool_)  # noqa: E711 - elementwise on object arrays
    nan = np.asarray(raw != raw, dtype=np.bool_)  # NaN is the only value unequal to itself
    return none | nan


def _regions_array(region: ArrayLike | None, n: int) -> NDArray[np.str_]:
    if region is None:
        return np.full(n, "", dtype="<U1")
    # Only a genuine numpy text array takes the fast path: a list such as ["NA", 3]
    # would otherwise be turned into text silently.
    raw = region if isinstance(region, np.ndarray) else np.asarray(region, dtype=object)
    if raw.shape != (n,):
        raise InvalidInputError(f"region must have shape ({n},), got {raw.shape}")
    if n == 0:
        return np.empty(0, dtype="<U1")
    if raw.dtype.kind == "U":
        _check_no_inner_nul(raw, "region")
        return np.char.strip(raw)
    if raw.dtype.kind != "O":
        raise InvalidInputError(f"region must hold strings or None, got dtype {raw.dtype}")
    missing = _is_missing(raw)
    is_text = np.asarray(_isinstance(raw, str), dtype=np.bool_)
    bad = ~missing & ~is_text
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidInputError(f"region[{i}] = {raw[i]!r} must be a string or missing")
    _check_no_nul(raw.tolist(), "region")
    filled = raw.copy()
    filled[missing] = ""
    return np.char.strip(filled.astype(str))


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _text_values(raw: NDArray[Any]) -> NDArray[np.str_] | None:
    """A text column as str (missing -> ``""``), or None if it is not all text.

    Text means: every non-missing value is a string and none reads as a
    number (``"8.5"`` in a text column is a number typed as text, which is
    an error elsewhere, not an attribute). An object column with no value is all missing text.
    """
    if raw.dtype.kind == "U":
        vals = raw.tolist()
        if not vals or any(_looks_numeric(v) for v in vals if v):
            return None
        return raw.astype(str)
    if raw.dtype.kind != "O" or raw.size == 0:
        return None
    missing = _is_missing(raw)
    if missing.all():  # an object column with no value: text with every value missing
        return np.full(raw.shape, "", dtype="<U1")
    is_text = np.asarray(_isinstance(raw, str), dtype=np.bool_)
    if not (is_text | missing).all():
        return None
    if any(_looks_numeric(v) for v in raw[is_text].tolist() if v.strip()):
        return None
    filled = raw.copy()
    filled[missing] = ""
    out: NDArray[np.str_] = filled.astype(str)
    return out


def _attribute_array(values: ArrayLike, name: str, n: int) -> NDArray[np.str_]:
    """Validate one text attribute: strings or missing (None, NaN) -> ``""``."""
    raw = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    if raw.shape != (n,):
        raise InvalidInputError(f"attribute {name!r} must have shape ({n},), got {raw.shape}")
    if n == 0:
        return np.empty(0, dtype="<U1")
    if raw.dtype.kind == "U":
        _check_no_inner_nul(raw, f"attribute {name!r}")
        return raw.copy()
    if raw.dtype.kind != "O":
        raise InvalidInputError(
            f"attribute {name!r} must hold strings or None, got dtype {raw.dtype}"
        )
    missing = _is_missing(raw)
    is_text = np.asarray(_isinstance(raw, str), dtype=np.bool_)
    bad = ~missing & ~is_text
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidInputError(
            f"attribute {name!r}[{i}] = {raw[i]!r} must be a string or missing"
        )
    _check_no_nul(raw[is_text].tolist(), f"attribute {name!r}")
    filled = raw.copy()
    filled[missing] = ""
    out: NDArray[np.str_] = filled.astype(str)
    return out


def _derive_share(
    product: NDArray[np.float64], services: NDArray[np.float64], names: tuple[str, str], where: str
) -> NDArray[np.float64]:
    """``product / (product + services)``; NaN (unknown) where both are zero or one is missing."""
    for arr, col in ((product, names[0]), (services, names[1])):
        neg = arr < 0
        if neg.any():
            i = int(np.argmax(neg))
            raise InvalidInputError(
                f"{where}column {col!r}, row {i}: {float(arr[i])!r} is negative; product_share "
                "is derived from two revenue amounts >= 0"
            )
    total = product + services
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, product / np.where(total > 0, total, 1.0), np.nan)
    return np.asarray(share, dtype=np.float64)


@attrs.frozen(eq=False, repr=False, init=False)
class Portfolio:
    """Many partners as columns of numpy arrays.

    Parameters
    ----------
    ids : array-like of str or int, shape (n,), or None
        Unique partner ids (integers become strings); None numbers the
        partners ``"0"``, ``"1"``, ... (created only when first read).
    revenue : array-like [currency/year], shape (n,), optional
        Current-year revenue, >= 0 (default all zero).
    revenue_prior : array-like [currency/year], shape (n,), optional
        Prior-year revenue, >= 0; NaN where unknown (default all unknown).
    product_share : array-like, shape (n,), optional
        Share of revenue from products, in [0, 1]; NaN where unknown.
    region : array-like of str or None, shape (n,), optional
        Region of each partner; None (stored as ``""``) where unknown.
    metrics : mapping of str to array-like, optional
        Further numeric columns, each of shape (n,), finite.
    attributes : mapping of str to array-like of str, optional
        Text columns (partner name, tier, segment, owner), each of shape
        (n,); None or NaN for a missing value, stored as ``""`` (the missing
        marker). Read-only; carried through :meth:`subset`,
        :meth:`to_frame`, CSV files and every round trip.

    Notes
    -----
    The arrays are copied and made read-only, so a Portfolio never changes
    and never shares memory with the caller's data. Use :meth:`with_columns`
    or :meth:`subset` to derive new portfolios.

    Input follows the same rules as :class:`Partner` (see the Architecture
    page): ids are strings or integers, never floats or booleans; numeric
    columns hold real numbers, never booleans, complex numbers, dates or
    durations; ids, regions and metric names may not hold NUL (``"\\x00"``),
    which numpy text arrays would drop; and a metric named like a standard
    column apart from case and separators (``"Revenue"``) is rejected with a
    "did you mean" message rather than stored as a metric.

    Examples
    --------
    >>> pf = Portfolio(["a", "b", "c"], revenue=[5.0, 1.0, 0.0], metrics={"deals": [3, 1, 0]})
    >>> len(pf), pf.ids.tolist(), pf.column("deals").tolist()
    (3, ['a', 'b', 'c'], [3.0, 1.0, 0.0])
    >>> pf.subset(pf.column("revenue") > 0).ids.tolist()
    ['a', 'b']
    """

    _ids: NDArray[np.str_] | None
    _n: int
    revenue: NDArray[np.float64]
    revenue_prior: NDArray[np.float64]
    product_share: NDArray[np.float64]
    region: NDArray[np.str_]
    metrics: Mapping[str, NDArray[np.float64]]
    attributes: Mapping[str, NDArray[np.str_]]

    def __init__(
        self,
        ids: ArrayLike | None,
        revenue: ArrayLike | None = None,
        revenue_prior: ArrayLike | None = None,
        product_share: ArrayLike | None = None,
        region: ArrayLike | None = None,
        metrics: Mapping[str, ArrayLike] | None = None,
        attributes: Mapping[str, ArrayLike] | None = None,
    ) -> None:
        if ids is None:
            lengths = {
                np.shape(v)[0]
                for v in (
                    revenue,
                    revenue_prior,
                    product_share,
                    region,
                    *(metrics or {}).values(),
                    *(attributes or {}).values(),
                )
                if v is not None and np.ndim(v) >= 1
            }
            if len(lengths) > 1:
                raise InvalidInputError(
                    f"all columns must have the same length, got lengths {sorted(lengths)}"
                )
            n = lengths.pop() if lengths else 0
            id_arr = None
        elif isinstance(ids, _CheckedIds):
            id_arr, n = ids.ids, ids.ids.shape[0]
        else:
            id_arr = _ids_array(ids)
            n = id_arr.shape[0]

        def name_of(i: int) -> str:
            return str(id_arr[i]) if id_arr is not None else str(i)

        def column(values: ArrayLike | None, name: str, fill: float) -> NDArray[np.float64]:
            if values is None:
                return np.full(n, fill)
            arr = as_float_array(values, name, allow_nan=fill != 0.0)
            if arr.shape != (n,):
                raise InvalidInputError(
                    f"{name} must have one value per partner, shape ({n},), got {arr.shape}"
                )
            return arr

        def bad(arr: NDArray[np.float64], mask: NDArray[np.bool_], name: str, why: str) -> None:
            if mask.any():
                i = int(np.argmax(mask))
                raise InvalidInputError(
                    f"{name} of partner {name_of(i)!r} (position {i}) = {float(arr[i])!r} {why}"
                )

        rev = column(revenue, "revenue", 0.0)
        bad(rev, rev < 0, "revenue", "is negative; expected an amount >= 0")
        prior = column(revenue_prior, "revenue_prior", math.nan)
        bad(prior, prior < 0, "revenue_prior", "is negative; expected an amount >= 0 or NaN")
        bad(prior, np.isinf(prior), "revenue_prior", "is infinite")
        share = column(product_share, "product_share", math.nan)
        bad(share, (share < 0) | (share > 1), "product_share", "is outside [0, 1]")

        mets: dict[str, NDArray[np.float64]] = {}
        if metrics is not None:
            if not isinstance(metrics, Mapping):
                raise InvalidInputError(
                    f"metrics must be a mapping of name -> array, got {type(metrics).__name__}"
                )
            for key, values in metrics.items():
                name = _metric_name(key, "Portfolio.metrics")
                arr = as_float_array(values, f"metric {name!r}", allow_nan=True, allow_inf=False)
                if arr.shape != (n,):
                    raise InvalidInputError(
                        f"metric {name!r} must have shape ({n},), got {arr.shape}"
                    )
                bad(arr, np.isnan(arr), f"metric {name!r}", "is NaN; expected a number")
                mets[name] = _readonly(arr)

        texts: dict[str, NDArray[np.str_]] = {}
        if attributes is not None:
            if not isinstance(attributes, Mapping):
                raise InvalidInputError(
                    f"attributes must be a mapping of name -> array of str, "
                    f"got {type(attributes).__name__}"
                )
            for key, values in attributes.items():
                name = _metric_name(key, "Portfolio.attributes")
                if name in mets:
                    raise InvalidInputError(
                        f"{name!r} is both a metric and an attribute; give it once"
                    )
                texts[name] = _readonly(_attribute_array(values, name, n))

        self._set(id_arr, n, rev, prior, share, _regions_array(region, n), mets, texts)

    def _set(
        self,
        ids: NDArray[np.str_] | None,
        n: int,
        revenue: NDArray[np.float64],
        revenue_prior: NDArray[np.float64],
        product_share: NDArray[np.float64],
        region: NDArray[np.str_],
        metrics: dict[str, NDArray[np.float64]],
        attributes: Mapping[str, NDArray[np.str_]] | None = None,
    ) -> None:
        object.__setattr__(self, "_ids", None if ids is None else _readonly(ids))
        object.__setattr__(self, "_n", int(n))
        object.__setattr__(self, "revenue", _readonly(revenue))
        object.__setattr__(self, "revenue_prior", _readonly(revenue_prior))
        object.__setattr__(self, "product_share", _readonly(product_share))
        object.__setattr__(self, "region", _readonly(region))
        object.__setattr__(self, "metrics", {k: _readonly(v) for k, v in metrics.items()})
        object.__setattr__(
            self, "attributes", {k: _readonly(v) for k, v in (attributes or {}).items()}
        )

    @classmethod
    def _trusted(
        cls,
        ids: NDArray[np.str_] | None,
        n: int,
        revenue: NDArray[np.float64],
        revenue_prior: NDArray[np.float64],
        product_share: NDArray[np.float64],
        region: NDArray[np.str_],
        metrics: dict[str, NDArray[np.float64]],
        attributes: Mapping[str, NDArray[np.str_]] | None = None,
    ) -> Portfolio:
        """Build from arrays already validated (fresh copies); no checks."""
        new = object.__new__(cls)
        new._set(ids, n, revenue, revenue_prior, product_share, region, metrics, attributes)
        return new

    @property
    def ids(self) -> NDArray[np.str_]:
        """Partner ids, shape (n,); ``"0"``, ``"1"``, ... when none were given."""
        if self._ids is None:
            object.__setattr__(self, "_ids", _readonly(np.arange(self._n).astype(str)))
        assert self._ids is not None
        return self._ids

    # ------------------------------------------------------------------ basics
    def __len__(self) -> int:
        return self._n

    def __repr__(self) -> str:
        if self.attributes:
            return (
                f"Portfolio(n={len(self)}, metrics={list(self.metrics)!r}, "
                f"attributes={list(self.attributes)!r})"
            )
        return f"Portfolio(n={len(self)}, metrics={list(self.metrics)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Portfolio):
            return NotImplemented
        if list(self.metrics) != list(other.metrics) or len(self) != len(other):
            return False
        if list(self.attributes) != list(other.attributes) or not all(
            np.array_equal(v, other.attributes[k]) for k, v in self.attributes.items()
        ):
            return False
        pairs = [
            (self.revenue, other.revenue),
            (self.revenue_prior, other.revenue_prior),
            (self.product_share, other.product_share),
            *((self.metrics[k], other.metrics[k]) for k in self.metrics),
        ]
        return (
            bool(np.array_equal(self.ids, other.ids))
            and bool(np.array_equal(self.region, other.region))
            and all(np.array_equal(a, b, equal_nan=True) for a, b in pairs)
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def columns(self) -> list[str]:
        """Names of all columns: the standard ones, the metrics, then the attributes."""
        return [*STANDARD_COLUMNS, *self.metrics, *self.attributes]

    def column(self, name: str) -> NDArray[Any]:
        """Return one column as a read-only array.

        Parameters
        ----------
        name : str
            ``"id"``, ``"revenue"``, ``"revenue_prior"``, ``"product_share"``,
            ``"region"`` or the name of a metric.

        Raises
        ------
        InvalidInputError
            If the portfolio has no such column; the message lists the ones it has.
        """
        if name == "id":
            return self.ids
        if name in STANDARD_COLUMNS:
            arr: NDArray[Any] = getattr(self, name)
            return arr
        if isinstance(name, str) and name in self.attributes:
            return self.attributes[name]
        try:
            return self.metrics[name]
        except (KeyError, TypeError):
            raise InvalidInputError(
                f"the partners have no column {name!r}; available: {', '.join(self.columns)}"
            ) from None

    def has_column(self, name: str) -> bool:
        """Whether ``name`` is a standard column, a metric or an attribute."""
        return name in STANDARD_COLUMNS or name in self.metrics or name in self.attributes

    def with_columns(self, **metrics: ArrayLike) -> Portfolio:
        """Return a new portfolio with metrics added or replaced.

        Standard columns may be replaced too (``revenue=...``).

        Examples
        --------
        >>> pf = Portfolio(["a", "b"], revenue=[1.0, 2.0])
        >>> pf.with_columns(deals=[4, 0]).column("deals").tolist()
        [4.0, 0.0]
        """
        std = {k: metrics.pop(k) for k in list(metrics) if k in STANDARD_COLUMNS}
        if "id" in std:
            raise InvalidInputError("with_columns cannot change ids; build a new Portfolio")
        # Validate only the new columns, on a one-row-per-partner skeleton.
        known = None if self._ids is None else cast(Any, _CheckedIds(self._ids))
        checked = Portfolio(known, **cast(dict[str, Any], std), metrics=metrics)
        if len(checked) != len(self) and (std or metrics):
            raise InvalidInputError(
                f"new columns must have one value per partner, shape ({len(self)},), "
                f"got length {len(checked)}"
            )
        return Portfolio._trusted(
            self._ids,
            self._n,
            checked.revenue if "revenue" in std else self.revenue,
            checked.revenue_prior if "revenue_prior" in std else self.revenue_prior,
            checked.product_share if "product_share" in std else self.product_share,
            checked.region if "region" in std else self.region,
            {**self.metrics, **checked.metrics},
            {k: v for k, v in self.attributes.items() if k not in checked.metrics},
        )

    def _region_or_none(self) -> NDArray[np.object_]:
        out = self.region.astype(object)
        out[self.region == ""] = None
        return out

    def index_of(self, ids: ArrayLike) -> NDArray[np.intp]:
        """Row positions of the given ids.

        Raises
        ------
        InvalidInputError
            If an id is not in the portfolio.
        """
        want = np.asarray(ids).astype(str)
        order = np.argsort(self.ids, kind="stable")
        pos = np.searchsorted(self.ids, want, sorter=order)
        pos = np.clip(pos, 0, max(len(self) - 1, 0))
        found = order[pos] if len(self) else np.zeros(want.shape, dtype=np.intp)
        ok = (self.ids[found] == want) if len(self) else np.zeros(want.shape, dtype=bool)
        if not ok.all():
            missing = want[~ok][0]
            raise InvalidInputError(f"no partner with id {str(missing)!r} in the portfolio")
        return np.asarray(found, dtype=np.intp)

    def subset(self, mask_or_ids: ArrayLike) -> Portfolio:
        """Return the partners selected by a boolean mask, row indices or ids.

        Parameters
        ----------
        mask_or_ids : array-like
            A boolean mask of length n, integer row positions, or partner ids
            as strings (selected in the order given). Integers are always
            row positions, also for a portfolio built from integer ids: select
            those by their text, e.g. ``["10", "20"]``.
        """
        sel = np.asarray(mask_or_ids)
        if sel.dtype == np.bool_:
            if sel.shape != (len(self),):
                raise InvalidInputError(
                    f"a boolean mask must have shape ({len(self)},), got {sel.shape}"
                )
            rows = np.flatnonzero(sel)
        elif sel.dtype.kind in "iu":
            rows = sel.astype(np.intp).ravel()
            if rows.size and (rows.min() < -len(self) or rows.max() >= len(self)):
                raise InvalidInputError(
                    f"row positions must lie in [0, {len(self)}), got {rows.min()}..{rows.max()}"
                )
        elif sel.dtype.kind in "UO" or sel.size == 0:
            rows = self.index_of(sel.ravel()) if sel.size else np.zeros(0, dtype=np.intp)
        else:
            raise InvalidInputError(
                f"subset takes a boolean mask, row positions or ids, got dtype {sel.dtype}"
            )
        rows = np.where(rows < 0, rows + len(self), rows)
        if np.unique(rows).size != rows.size:
            raise InvalidInputError(
                "subset: a partner is selected twice (ids must stay unique); "
                "pass each row position or id once"
            )
        ids = self.ids[rows]
        return Portfolio._trusted(
            ids,
            int(rows.size),
            self.revenue[rows],
            self.revenue_prior[rows],
            self.product_share[rows],
            self.region[rows],
            {k: v[rows] for k, v in self.metrics.items()},
            {k: v[rows] for k, v in self.attributes.items()},
        )

    # ------------------------------------------------------------------ conversions
    @classmethod
    def from_partners(cls, partners: Iterable[Partner]) -> Portfolio:
        """Build a portfolio from :class:`Partner` objects.

        Every partner must carry the same metric names.

        Raises
        ------
        InvalidInputError
            If an item is not a Partner, ids repeat, or the metric names differ.
        """
        items = list(partners)
        for i, p in enumerate(items):
            if not isinstance(p, Partner):
                raise InvalidInputError(f"partners[{i}] must be a Partner, got {type(p).__name__}")
        names: list[str] = []
        for p in items:
            names.extend(k for k in p.metrics if k not in names)
        for p in items:
            missing = [k for k in names if k not in p.metrics]
            if missing:
                raise InvalidInputError(
                    f"partner {p.id!r} has no metric {missing[0]!r} that other partners have; "
                    "give every partner the same metrics"
                )
        nan = math.nan
        return cls(
            [p.id for p in items],
            revenue=np.array([p.revenue for p in items], dtype=float),
            revenue_prior=np.array(
                [nan if p.revenue_prior is None else p.revenue_prior for p in items], dtype=float
            ),
            product_share=np.array(
                [nan if p.product_share is None else p.product_share for p in items], dtype=float
            ),
            region=np.array([p.region for p in items], dtype=object),
            metrics={k: np.array([p.metrics[k] for p in items], dtype=float) for k in names},
        )

    def to_partners(self) -> list[Partner]:
        """Return the partners as a list of :class:`Partner` objects."""
        out: list[Partner] = []
        names = list(self.metrics)
        for i in range(len(self)):
            prior = float(self.revenue_prior[i])
            share = float(self.product_share[i])
            region = str(self.region[i])
            out.append(
                Partner(
                    str(self.ids[i]),
                    revenue=float(self.revenue[i]),
                    revenue_prior=None if math.isnan(prior) else prior,
                    product_share=None if math.isnan(share) else share,
                    region=region or None,
                    metrics={k: float(self.metrics[k][i]) for k in names},
                )
            )
        return out

    @classmethod
    def from_columns(cls, columns: Mapping[str, ArrayLike]) -> Portfolio:
        """Build a portfolio from a mapping of column name to 1-D array-like.

        Columns named like the standard ones fill them; text columns (every
        value a string or missing, none reading as a number) become
        attributes; every other column becomes a metric. Without an ``"id"``
        column the ids are ``"0"``, ``"1"``, ...

        Examples
        --------
        >>> Portfolio.from_columns({"revenue": [3.0, 1.0], "csat": [8, 9]})
        Portfolio(n=2, metrics=['csat'])
        """
        if not isinstance(columns, Mapping):
            raise InvalidInputError(
                f"columns must be a mapping of name -> array, got {type(columns).__name__}"
            )
        cols = dict(columns)
        for key in cols:
            if not isinstance(key, str):
                raise InvalidInputError(f"column names must be strings, got {key!r}")
        ids = cols.pop("id", None)
        std = {k: cols.pop(k) for k in STANDARD_COLUMNS[1:] if k in cols}
        texts: dict[str, Any] = {}
        for key in list(cols):
            raw: NDArray[Any] = np.asarray(cols[key])
            if raw.ndim == 1 and raw.dtype.kind in "UO":
                as_text = _text_values(raw if raw.dtype.kind == "U" else raw.astype(object))
                if as_text is not None:
                    texts[key] = cols.pop(key)
        return cls(ids, **std, metrics=cols, attributes=texts)

    def to_columns(self) -> dict[str, NDArray[Any]]:
        """Return all columns as a dict of read-only arrays (the inverse of :meth:`from_columns`)."""
        out = {name: self.column(name) for name in self.columns}
        for name, text in self.attributes.items():  # missing as None, as from_columns reads it
            col = text.astype(object)
            col[text == ""] = None
            out[name] = col
        return out

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, *, columns: Mapping[str, Source] | None = None
    ) -> Portfolio:
        """Build a portfolio from a pandas DataFrame.

        Parameters
        ----------
        frame : pandas.DataFrame
            One row per partner.
        columns : mapping of str to str or (str, str), optional
            channelkit name (``id``, ``revenue``, ``revenue_prior``,
            ``product_share``, ``region``, a metric or an attribute) ->
            the frame's column, e.g. ``{"revenue": "Revenue FY2025"}``.
            ``"product_share": ("Product Revenue", "Services Revenue")``
            derives the share as product / (product + services); a partner
            whose two amounts are both zero (or one is missing) gets an
            unknown share (NaN), since no revenue has no mix. Unmapped
            columns keep their names.

        Notes
        -----
        The ids come from an ``id`` column, or from the index if there is none
        (a default ``RangeIndex`` gives ``"0"``, ``"1"``, ..., made only when
        first read; any other index must hold strings or integers: a float
        index such as ``1.5`` is rejected, since ids are never floats). Missing
        values (NaN, None) are allowed only in ``revenue_prior``,
        ``product_share``, ``region`` and attributes. Text columns (every value
        a string or missing, none reading as a number) other than the standard
        ones become :attr:`attributes`; text in a numeric column is an error
        naming the row and column. Numeric columns hold real numbers: boolean,
        complex, date and duration columns are rejected, as :class:`Partner`
        rejects such values.

        Raises
        ------
        InvalidInputError
            For a mapping to a column that does not exist (the message lists
            the columns and suggests the closest), two sources for one name,
            or an invalid value (naming its row and column).

        Examples
        --------
        >>> import pandas as pd
        >>> export = pd.DataFrame({
        ...     "Partner ID": ["p1", "p2"], "Revenue FY2025": [100.0, 50.0],
        ...     "Product Revenue": [80.0, 0.0], "Services Revenue": [20.0, 0.0],
        ...     "Tier": ["Gold", "Silver"]})
        >>> pf = Portfolio.from_frame(export, columns={
        ...     "id": "Partner ID", "revenue": "Revenue FY2025",
        ...     "product_share": ("Product Revenue", "Services Revenue")})
        >>> pf.product_share.tolist(), pf.attributes["Tier"].tolist()
        ([0.8, nan], ['Gold', 'Silver'])
        """
        from ._optional import import_optional

        pd_mod = import_optional("pandas", "pandas")
        if not isinstance(frame, pd_mod.DataFrame):
            raise InvalidInputError(f"expected a pandas DataFrame, got {type(frame).__name__}")
        if columns is not None:
            frame = _mapped_frame(pd_mod, frame, columns)
        cols: dict[str, Any] = {}
        texts: dict[str, Any] = {}
        index = frame.index
        default = isinstance(index, pd_mod.RangeIndex) and index.start == 0 and index.step == 1
        # A default RangeIndex gives the ids "0", "1", ...: left to the Portfolio, which
        # makes them only when they are first read (most models never read them).
        if "id" not in frame.columns and not default:
            raw = np.asarray(index)
            if raw.dtype.kind not in "iuUO":
                raise InvalidInputError(
                    f"the DataFrame has no 'id' column and its index holds {raw.dtype} values "
                    f"({raw[0]!r}, ...); ids must be strings or integers: add an 'id' column "
                    "or an index of ids"
                )
            cols["id"] = raw
        for name in frame.columns:
            series = frame[name]
            if name == "region" and pd_mod.api.types.infer_dtype(series, skipna=True) in (
                "string",
                "empty",
            ):
                # All text or missing: let pandas convert in bulk.
                cols["region"] = series.fillna("").to_numpy(dtype=str)
                continue
            if name in ("id", "region"):
                cols[str(name)] = series.to_numpy(dtype=object)
                continue
            kind = getattr(series.dtype, "kind", "O")
            if kind in "bcmM" or pd_mod.api.types.is_bool_dtype(series):
                raise InvalidInputError(
                    f"column {name!r} holds {_KIND_NAMES.get(kind, 'booleans')} "
                    f"(dtype {series.dtype}); expected real numbers"
                )
            if pd_mod.api.types.is_numeric_dtype(series):
                cols[str(name)] = series.to_numpy(dtype=float, na_value=np.nan)
                continue
            values = series.to_numpy(dtype=object)
            if name not in STANDARD_COLUMNS:
                as_text = _text_values(values)
                if as_text is not None:
                    texts[str(name)] = as_text
                    continue
            # Numbers and missing values only; text such as "8.5" is an error, not
            # something to parse silently.
            ok = np.asarray(pd_mod.isna(values) | _is_number(values), dtype=np.bool_)
            if not ok.all():
                i = int(np.argmin(ok))
                raise InvalidInputError(f"column {name!r}, row {i}: {values[i]!r} is not a number")
            cols[str(name)] = np.where(pd_mod.isna(values), np.nan, values).astype(float)
        ids = cols.pop("id", None)
        std = {k: cols.pop(k) for k in STANDARD_COLUMNS[1:] if k in cols}
        return cls(ids, **std, metrics=cols, attributes=texts)

    def to_frame(self) -> pd.DataFrame:
        """Return the portfolio as a pandas DataFrame (one row per partner)."""
        from ._optional import import_optional

        pd_mod = import_optional("pandas", "pandas")
        data: dict[str, Any] = {
            "id": self.ids.astype(object),
            "revenue": self.revenue.copy(),
            "revenue_prior": self.revenue_prior.copy(),
            "product_share": self.product_share.copy(),
            "region": self._region_or_none(),
        }
        data.update({k: v.copy() for k, v in self.metrics.items()})
        for name, text in self.attributes.items():
            col = text.astype(object)
            col[text == ""] = None
            data[name] = col
        return cast("pd.DataFrame", pd_mod.DataFrame(data))

    @classmethod
    def from_csv(
        cls, path: str | os.PathLike[str], *, columns: Mapping[str, Source] | None = None
    ) -> Portfolio:
        """Read a portfolio from a CSV file (no pandas needed).

        ``columns`` maps channelkit names to the file's columns, as in
        :meth:`from_frame` (including the ``product_share`` pair). A column
        whose every non-empty cell is text (none reads as a number) is an
        attribute; an empty attribute cell is missing (``""``). See
        :func:`channelkit.io.read_portfolio_csv` for the format and errors.
        """
        source = str(path)
        if columns is None:
            header, body = _csv.read_rows(path, known=STANDARD_COLUMNS)
            resolved: dict[str, Source] = {h: h for h in header}
        else:
            id_source = columns.get("id", "id") if isinstance(columns, Mapping) else "id"
            header, body = _csv.read_rows(
                path, required=(id_source if isinstance(id_source, str) else "id",)
            )
            resolved = resolve_columns(header, columns, where=source, pairs=("product_share",))
            for name, src in resolved.items():  # unmapped near-misses of standard names
                hint = did_you_mean(name, STANDARD_COLUMNS) if name == src else None
                if hint is not None:
                    raise InvalidInputError(f"{source}: column {name!r}: {hint}")
        position = {h: j for j, h in enumerate(header)}
        lines = [line for line, _ in body]
        id_col = position[cast(str, resolved["id"])]
        first_line: dict[str, int] = {}
        for line, r in body:
            pid = r[id_col].strip()
            if pid in first_line:
                raise InvalidInputError(
                    f"{source}: row {line}: id {pid!r} repeats row {first_line[pid]}; "
                    "ids must be unique"
                )
            first_line[pid] = line

        def cells(col: str) -> list[str]:
            j = position[col]
            return [r[j] for _, r in body]

        def numbers_of(col: str, name: str, optional: bool) -> NDArray[np.float64]:
            lo_hi = _CSV_BOUNDS.get(name, (-math.inf, math.inf))
            return np.array(
                [
                    _csv.parse_number(c, col, line, source, optional=optional, bounds=lo_hi)
                    for line, c in zip(lines, cells(col))
                ],
                dtype=float,
            )

        cols: dict[str, Any] = {}
        texts: dict[str, Any] = {}
        for name, src in resolved.items():
            if not isinstance(src, str):
                product = numbers_of(src[0], "", True)
                services = numbers_of(src[1], "", True)
                cols[name] = _derive_share(product, services, src, f"{source}: ")
            elif name == "id":
                cols[name] = np.array([c.strip() for c in cells(src)], dtype=object)
            elif name == "region":
                cols[name] = np.array([c.strip() or None for c in cells(src)], dtype=object)
            elif name in STANDARD_COLUMNS:
                cols[name] = numbers_of(src, name, name in _CSV_OPTIONAL)
            else:
                raw = cells(src)
                if not any(_looks_numeric(c) for c in raw if c.strip()):
                    texts[name] = np.array(raw, dtype=object)
                else:
                    cols[name] = numbers_of(src, name, False)
        try:
            ids = cols.pop("id", None)
            std = {k: cols.pop(k) for k in STANDARD_COLUMNS[1:] if k in cols}
            return cls(ids, **std, metrics=cols, attributes=texts)
        except InvalidInputError as exc:
            raise InvalidInputError(f"{path}: {exc}") from None

    def to_csv(self, path: str | os.PathLike[str]) -> None:
        """Write the portfolio to a CSV file; see :func:`channelkit.io.write_portfolio_csv`."""
        names = list(self.metrics)
        fmt = _csv.format_float
        ids, regions = self.ids.tolist(), self.region.tolist()
        # Format whole columns, then write rows: no per-cell numpy indexing.
        columns = [
            ids,
            *(
                [fmt(v) for v in col.tolist()]
                for col in (self.revenue, self.revenue_prior, self.product_share)
            ),
            regions,
            *([fmt(v) for v in self.metrics[k].tolist()] for k in names),
            *(text.tolist() for text in self.attributes.values()),
        ]
        texts = [v for text in self.attributes.values() for v in text.tolist()]
        _csv.write_rows(
            path,
            [*STANDARD_COLUMNS, *names, *self.attributes],
            zip(*columns),
            text_cells=[*ids, *regions, *texts],
        )


def _mapped_frame(pd_mod: Any, frame: Any, columns: Mapping[str, Source]) -> Any:
    """The frame with columns renamed to channelkit names (and product_share derived)."""
    header = [str(c) for c in frame.columns]
    by_name = dict(zip(header, frame.columns))
    resolved = resolve_columns(header, columns, where="frame", pairs=("product_share",))
    data: dict[str, Any] = {}
    for name, src in resolved.items():
        if isinstance(src, str):
            data[name] = frame[by_name[src]].to_numpy()
            continue
        parts = []
        for col in src:
            values = frame[by_name[col]].to_numpy(dtype=object)
            ok = np.asarray(pd_mod.isna(values) | _is_number(values), dtype=np.bool_)
            if not ok.all():
                i = int(np.argmin(ok))
                raise InvalidInputError(f"column {col!r}, row {i}: {values[i]!r} is not a number")
            parts.append(np.where(pd_mod.isna(values), np.nan, values).astype(float))
        data[name] = _derive_share(parts[0], parts[1], src, "")
    return pd_mod.DataFrame(data, index=frame.index)


def as_portfolio(data: PortfolioLike, name: str = "partners") -> Portfolio:
    """Turn any supported population into a :class:`Portfolio`.

    Parameters
    ----------
    data : Portfolio, pandas.DataFrame, mapping of str to array-like, or sequence of Partner
        The partners.
    name : str
        Name of the argument, used in error messages.

    Raises
    ------
    InvalidInputError
        If ``data`` is none of the supported types or its columns are invalid.

    Examples
    --------
    >>> as_portfolio({"revenue": [10.0, 0.0]}).ids.tolist()
    ['0', '1']
    """
    if isinstance(data, Portfolio):
        return data
    if isinstance(data, Mapping):
        return Portfolio.from_columns(data)
    if (
        isinstance(data, Sequence)
        and not isinstance(data, str | bytes)
        and all(isinstance(p, Partner) for p in data)
    ):
        return Portfolio.from_partners(data)
    if type(data).__module__.startswith("pandas") and type(data).__name__ == "DataFrame":
        return Portfolio.from_frame(cast("pd.DataFrame", data))
    raise InvalidInputError(
        f"{name} must be a Portfolio, a pandas DataFrame, a mapping of column -> array "
        f"or a sequence of Partner, got {type(data).__name__}"
    )
