"""Partner histories: a partner x month panel of metrics, with attributes and lifecycle.

A :class:`PartnerHistory` holds what a CRM or BI export gives: one row per
partner and month (the *long* format) with revenue and other metrics, text
attributes (region, segment, owner) and, optionally, the months partners
joined and left. It stores the panel as dense ``(periods, partners)`` arrays
over consecutive calendar months, knows each partner's lifecycle (joined,
left, still active at the end: *censored*) and gives the channel at any month
as a :class:`~channelkit.Portfolio` (:meth:`PartnerHistory.portfolio`), so
segmentation, tiers, balancing and planning run on any point in history.

Periods are calendar months. Accepted: ISO text ``"2024-03"`` (or a date
``"2024-03-31"``, taken as its month), dates and timestamps (taken as their
month), numpy ``datetime64`` and pandas monthly ``Period`` s. Quarters, weeks,
days as pandas Periods and anything unparsable are rejected, naming the row.

Examples
--------
>>> import pandas as pd
>>> from channelkit import PartnerHistory
>>> frame = pd.DataFrame({
...     "id": ["a", "a", "a", "b", "b"],
...     "period": ["2024-01", "2024-02", "2024-03", "2024-02", "2024-03"],
...     "revenue": [10.0, 20.0, 30.0, 0.0, 5.0],
...     "region": ["EMEA", "EMEA", "EMEA", "NA", "NA"],
... })
>>> h = PartnerHistory.from_frame(frame)
>>> h
PartnerHistory(partners=2, periods='2024-01..2024-03', metrics=['revenue'], attributes=['region'])
>>> h.metric("revenue")
array([[10.,  0.],
       [20.,  0.],
       [30.,  5.]])
>>> h.joined.tolist(), h.left.tolist(), h.censored.tolist()
([0, 1], [-1, -1], [True, True])
>>> h.portfolio(window=2).revenue.tolist()
[50.0, 5.0]
"""

from __future__ import annotations

import csv
import datetime as _dt
import gzip
import io as _io
import math
import numbers
import os
import re
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._mapping import Source, closest, resolve_columns
from ._optional import import_optional
from ._render import Fact, Note, Report, ResultMixin, Table, fmt_int, fmt_money, one_line
from .errors import InvalidInputError
from .partners import Portfolio

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["NOT_LEFT", "PartnerHistory"]

#: Marker in :attr:`PartnerHistory.left` for a partner still active at the end
#: (censored), and in :attr:`PartnerHistory.joined` for one that joined before
#: the first period.
NOT_LEFT = -1

_NONE = np.iinfo(np.int64).max  # "no month" in the stored absolute lifecycle months
_EPOCH = 1970 * 12  # datetime64[M] counts months from 1970-01
_MAX_PERIODS = 12 * 200
_NUMERIC_NAMES = ("revenue", "product_share")
_RESERVED = ("id", "period", "revenue_prior", "joined", "left")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


# --------------------------------------------------------------------------- months
def month_text(month: int) -> str:
    """``"YYYY-MM"`` of a month number (months since 1970-01)."""
    return str(np.datetime64(int(month), "M"))


def _month_or_reason(value: Any) -> int | str:
    """The month number of one period-like value, or why it is not a month."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "is missing"
    if isinstance(value, str):
        text = value.strip()
        m = _ISO.match(text)
        if m is None:
            if re.match(r"^\d{4}\s*-?\s*[Qq]\d$", text) or re.match(r"^\d{4}-?[Ww]\d{1,2}", text):
                return f"{value!r} is a quarter or week, not a month"
            return f"{value!r} is not a month such as '2024-03'"
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            return f"{value!r} has no month {month}"
        if m.group(3) is not None:
            try:
                _dt.date(year, month, int(m.group(3)))
            except ValueError:
                return f"{value!r} is not a valid date"
        return year * 12 + month - 1 - _EPOCH
    freqstr = getattr(value, "freqstr", None)
    ordinal = getattr(value, "ordinal", None)
    if isinstance(freqstr, str) and isinstance(ordinal, int | np.integer):  # a pandas Period
        if freqstr != "M":
            return f"{value!r} is a period of frequency {freqstr!r}; expected monthly periods"
        return int(ordinal)
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return "is missing (NaT)"
        return int(value.astype("datetime64[M]").astype(np.int64))
    if isinstance(value, _dt.date):
        try:
            return int(value.year) * 12 + int(value.month) - 1 - _EPOCH
        except (TypeError, ValueError):
            return "is missing (NaT)"
    if isinstance(value, numbers.Number):
        return f"{value!r} is a number, not a month such as '2024-03'"
    return f"{value!r} ({type(value).__name__}) is not a month such as '2024-03'"


def _months_of_uniques(
    uniques: Sequence[Any], codes: NDArray[Any], what: str, row_label: Callable[[int], str]
) -> NDArray[np.int64]:
    """Month numbers of period-like ``uniques``; errors name the first row holding a bad one."""
    out = np.empty(len(uniques), dtype=np.int64)
    for k, value in enumerate(uniques):  # a loop over distinct periods, not over rows
        got = _month_or_reason(value)
        if isinstance(got, str):
            row = int(np.argmax(codes == k))
            raise InvalidInputError(f"{what}, {row_label(row)}: {got}")
        out[k] = got
    return out


def as_month(value: Any, what: str = "period") -> int:
    """The month number (months since 1970-01) of one period-like value.

    Raises
    ------
    InvalidInputError
        If ``value`` is not a calendar month.
    """
    got = _month_or_reason(value)
    if isinstance(got, str):
        raise InvalidInputError(f"{what}: {got}")
    return got


# --------------------------------------------------------------------------- helpers
def _readonly(arr: NDArray[Any]) -> NDArray[Any]:
    arr.setflags(write=False)
    return arr


def _per_partner(
    id_code: NDArray[Any], codes: NDArray[Any], n: int
) -> tuple[NDArray[np.int64], int]:
    """Each partner's single code (constant over its rows), or the first partner that varies.

    Scatters every row's code to its partner (one of them lands) and checks
    each row against its partner's: exact for any number of codes. Returns
    the codes and -1, or the codes and the index of a partner whose rows differ.
    """
    per = np.zeros(n, dtype=np.int64)
    per[id_code] = codes
    differs = codes != per[id_code]
    bad = int(id_code[int(np.argmax(differs))]) if differs.any() else -1
    return per, bad


_CHUNK = 2**18  # rows per factorization chunk: bounds the hash table pandas sizes by length


def _factorize(
    pd_mod: Any,
    values: NDArray[Any],
    what: str,
    row_label: Callable[[int], str],
    *,
    allow_missing: bool = False,
) -> tuple[NDArray[np.int32], NDArray[Any]]:
    """Codes (int32, first-appearance order) and uniques of a column, in chunks.

    ``pandas.factorize`` sizes its hash table by the length of its input (about
    60 bytes a row for text); factorizing chunks of ``_CHUNK`` rows and merging
    their few uniques keeps the extra memory bounded by the chunk, not the
    column. Missing values raise, naming the row, or get code -1 with
    ``allow_missing``.
    """
    n = values.shape[0]
    out = np.empty(n, dtype=np.int32)
    seen = pd_mod.Index([], dtype=object)
    for lo in range(0, n, _CHUNK):  # a loop over chunks of rows, not rows
        codes, uniques = pd_mod.factorize(values[lo : lo + _CHUNK], use_na_sentinel=True)
        if not allow_missing and (codes < 0).any():
            raise InvalidInputError(
                f"{what}, {row_label(lo + int(np.argmax(codes < 0)))}: is missing"
            )
        uniq = np.asarray(uniques, dtype=object)
        pos = np.asarray(seen.get_indexer(uniq), dtype=np.int64)
        new = pos < 0
        if new.any():
            pos[new] = len(seen) + np.arange(int(new.sum()))
            seen = seen.append(pd_mod.Index(uniq[new], dtype=object))
        out[lo : lo + _CHUNK] = np.append(pos, -1)[codes]  # code -1 (missing) stays -1
    return out, np.asarray(seen, dtype=object)


def _remap_inplace(table: NDArray[Any], codes: NDArray[Any]) -> NDArray[Any]:
    """``codes[:] = table[codes]`` chunk by chunk (``np.take(out=codes)`` would copy it whole)."""
    step = 1 << 20
    for lo in range(0, codes.shape[0], step):  # chunks of rows, not rows
        codes[lo : lo + step] = table[codes[lo : lo + step]]
    return codes


def _sorted_ids(
    raw_uniques: NDArray[Any], where: str
) -> tuple[NDArray[np.str_], NDArray[np.intp]]:
    """Sorted, stripped, unique id texts and the map from raw unique -> sorted position."""
    if raw_uniques.dtype.kind == "f" or (
        raw_uniques.dtype.kind == "O" and any(isinstance(v, float) for v in raw_uniques[:1000])
    ):
        raise InvalidInputError(f"{where}: partner ids must be strings or integers, got floats")
    text = np.char.strip(raw_uniques.astype(str)) if raw_uniques.size else raw_uniques.astype(str)
    ids, inverse = np.unique(text, return_inverse=True)
    if ids.size and ids[0] == "":
        raise InvalidInputError(f"{where}: a partner id is empty; every row needs an id")
    return ids, inverse.astype(np.intp)


@attrs.define
class _Rows:
    """The long format decoded to codes: what every reader hands to :func:`_assemble`."""

    where: str
    n_rows: int
    ids: NDArray[np.str_]  # (n,) sorted
    id_code: NDArray[Any] | None  # (N,) into ids; dropped once used
    months: NDArray[np.int64]  # (k,) month numbers
    month_code: NDArray[Any]  # (N,) into months
    metrics: dict[str, NDArray[np.float64]]  # name -> (N,)
    attributes: dict[str, tuple[NDArray[np.str_], NDArray[Any]]]  # name -> (uniques, codes)
    joined: tuple[NDArray[np.int64], NDArray[Any]] | None  # (months with _NONE, codes)
    left: tuple[NDArray[np.int64], NDArray[Any]] | None
    lifecycle: tuple[str | None, str | None]
    row_label: Callable[[int], str]
    day_level: bool = False
    owned: bool = False  # month_code is a private buffer that may be overwritten


def _lifecycle_months(rows: _Rows, id_code: NDArray[Any], n: int, name: str) -> NDArray[np.int64]:
    spec = rows.joined if name == "joined" else rows.left
    assert spec is not None
    months, codes = spec
    per, bad = _per_partner(id_code, codes, n)
    if bad >= 0:
        sel = np.flatnonzero(id_code == bad)
        vals = sorted({month_text(m) if m != _NONE else "(empty)" for m in months[codes[sel]]})
        raise InvalidInputError(
            f"{rows.where}: partner {str(rows.ids[bad])!r} has different {name} months in its "
            f"rows ({', '.join(vals[:4])}); give one per partner"
        )
    return months[per]


def _assemble(rows: _Rows, missing: str, duplicates: str) -> PartnerHistory:
    where, n, n_rows = rows.where, int(rows.ids.size), rows.n_rows
    if n_rows == 0:
        raise InvalidInputError(f"{where}: the history has no rows")
    start = int(rows.months.min())
    end = int(rows.months.max())
    n_periods = end - start + 1
    if n_periods > _MAX_PERIODS:
        raise InvalidInputError(
            f"{where}: periods run from {month_text(start)} to {month_text(end)}, "
            f"{n_periods} months; a typo in a year? (at most {_MAX_PERIODS} months)"
        )
    cells = n_periods * n
    flat_type = np.int32 if cells < 2**31 else np.int64
    t_of_code = (rows.months - start).astype(flat_type)
    id_code = rows.id_code
    assert id_code is not None

    def where_row(i: int) -> str:
        assert id_code is not None
        pid = str(rows.ids[int(id_code[i])])
        month = month_text(int(rows.months[int(rows.month_code[i])]))
        return f"{where}, {rows.row_label(i)} (partner {pid!r}, {month})"

    # Values first: NaN, infinite, negative revenue; the message names the row.
    for name, col in rows.metrics.items():
        finite = np.isfinite(col)
        if not finite.all():
            i = int(np.argmin(finite))
            raise InvalidInputError(
                f"{where_row(i)}: {name} = {float(col[i])!r}; expected a finite number"
            )
        if name == "revenue":
            neg = col < 0
            if neg.any():
                i = int(np.argmax(neg))
                raise InvalidInputError(
                    f"{where_row(i)}: revenue = {float(col[i])!r} is negative; expected an amount >= 0"
                )
        if name == "product_share":
            out = (col < 0) | (col > 1)
            if out.any():
                i = int(np.argmax(out))
                raise InvalidInputError(
                    f"{where_row(i)}: product_share = {float(col[i])!r} is outside [0, 1]"
                )

    # Attributes and explicit lifecycle: one value per partner.
    attributes: dict[str, NDArray[np.str_]] = {}
    for name, (uniq, codes) in rows.attributes.items():
        per, bad = _per_partner(id_code, codes, n)
        if bad >= 0:
            sel = np.flatnonzero(id_code == bad)
            vals = sorted({str(v) for v in uniq[codes[sel]]})
            raise InvalidInputError(
                f"{where}: attribute {name!r} of partner {str(rows.ids[bad])!r} changes between "
                f"its rows ({', '.join(repr(v) for v in vals[:4])}); attributes hold one value "
                "per partner: drop the column or keep its latest value"
            )
        attributes[name] = _readonly(uniq[per])
    joined_m = None if rows.joined is None else _lifecycle_months(rows, id_code, n, "joined")
    left_m = None if rows.left is None else _lifecycle_months(rows, id_code, n, "left")

    # Cell index of every row: period * n + partner, in the month codes' buffer when it fits.
    rows.id_code = None
    month_code = rows.month_code
    if month_code.dtype == flat_type and month_code.flags.writeable and rows.owned:
        flat = _remap_inplace(t_of_code, month_code)
    else:
        flat = t_of_code[month_code]
    del month_code
    rows.month_code = np.zeros(0, dtype=np.int32)
    flat *= flat_type(n)
    flat += id_code.astype(flat_type, copy=False)
    id_code = np.zeros(0, dtype=np.int32)  # release the codes: their memory goes to the panel

    present = np.zeros(cells, dtype=np.bool_)
    present[flat] = True
    distinct = int(np.count_nonzero(present))
    has_duplicates = distinct != n_rows
    if has_duplicates and duplicates == "error":
        order = np.argsort(flat, kind="stable")
        ordered = flat[order]
        k = int(np.argmax(ordered[1:] == ordered[:-1]))
        a, b = int(order[k]), int(order[k + 1])
        cell = int(ordered[k])
        hint = (
            " (dates are read as their month: two dates in one month are one period)"
            if rows.day_level
            else ""
        )
        raise InvalidInputError(
            f"{where}: partner {str(rows.ids[cell % n])!r} has more than one row for "
            f"{month_text(start + cell // n)} ({rows.row_label(a)} and {rows.row_label(b)}; "
            f"{n_rows - distinct} duplicate rows in all){hint}; give one row per partner and "
            "month, or pass duplicates='sum' to add them up"
        )
    metrics: dict[str, NDArray[np.float64]] = {}
    for name, col in rows.metrics.items():
        dense: NDArray[np.float64]
        if has_duplicates:
            dense = np.bincount(flat, weights=col, minlength=cells).astype(np.float64, copy=False)
        else:
            dense = np.zeros(cells, dtype=np.float64)
            dense[flat] = col
        metrics[name] = dense.reshape(n_periods, n)
    del flat
    if has_duplicates and "product_share" in metrics:
        raise InvalidInputError(
            f"{where}: duplicates='sum' cannot add up product_share (a share); "
            "give one row per partner and month"
        )
    panel = present.reshape(n_periods, n)
    return PartnerHistory._trusted(
        rows.ids,
        start,
        metrics,
        panel,
        attributes,
        joined_m,
        left_m,
        rows.lifecycle,
        missing=missing,
        where=where,
    )


def _check_choice(value: object, name: str, options: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in options:
        raise InvalidInputError(
            f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}"
        )
    return value


def _keyword(
    name: str, value: str | None, default: str | None, columns: Mapping[str, Source] | None
) -> str | None:
    """A keyword's source column, unless left at its default while ``columns`` maps the name."""
    if columns is not None and name in columns and value == default:
        return None
    if value is not None and not isinstance(value, str):
        raise InvalidInputError(f"{name} must be a column name (str), got {value!r}")
    return value


# --------------------------------------------------------------------------- the class
@attrs.frozen(init=False, repr=False, eq=False)
class PartnerHistory(ResultMixin):
    """A partner x month panel of metrics, with text attributes and lifecycle.

    Build one from the long format an export gives with :meth:`from_frame`
    or :meth:`from_csv`; the constructor takes the wide arrays directly.

    Parameters
    ----------
    ids : array-like of str or int, shape (n,)
        Unique partner ids.
    start : period-like
        The first month (``"2024-01"``, a date, a pandas Period); the
        periods are the consecutive months from it.
    metrics : mapping of str to array-like of shape (T, n)
        Monthly values per period (rows) and partner (columns), finite;
        ``revenue`` [currency/month] must be >= 0.
    present : array-like of bool, shape (T, n), optional
        Which cells hold a row of data (default: every cell in each partner's
        active span).
    attributes : mapping of str to array-like of str, shape (n,), optional
        Text per partner (region, segment, owner); None or ``""`` for missing.
    joined, left : array-like of int or datetime64[M], shape (n,), optional
        Lifecycle as period indices (see :attr:`joined`, :attr:`left`) or
        as months (``datetime64[M]``; NaT in ``left``: still active); when
        given, :meth:`to_frame` writes them as ``joined``/``left`` columns.
        Default: the first and last period with data.

    Attributes
    ----------
    ids : ndarray of str, shape (n,)
        Partner ids, sorted.
    periods : ndarray of datetime64[M], shape (T,)
        The months, consecutive.
    attributes : mapping of str to ndarray of str
        Text per partner, read-only; ``""`` marks a missing value.

    Notes
    -----
    Lifecycle. A partner is *active* from the month it joined to the month it
    left, both included. :attr:`joined` is that month's period index (-1,
    :data:`NOT_LEFT`, if it joined before the first period, known only from
    an explicit ``joined`` column); :attr:`left` is the index of the last
    active month, or -1 if the partner is still active at the last period:
    it is *censored* (:attr:`censored`), its exit not observed, which
    attrition estimates must respect. Without explicit columns, ``joined`` is
    the first and ``left`` the last period with a row, and a partner with a
    row in the last period is censored. Partners with a row in the first
    period may have joined earlier: their join is not observed either.

    Missing months inside a partner's active span: ``missing="zero"`` counts
    them as zero (and as active), ``missing="error"`` rejects the history.

    Examples
    --------
    >>> h = PartnerHistory(["a", "b"], "2024-11", {"revenue": [[1.0, 0.0], [2.0, 3.0]]},
    ...                    present=[[True, False], [True, True]])
    >>> h.periods.astype(str).tolist()
    ['2024-11', '2024-12']
    >>> h.summary().splitlines()[0]
    'Partner history: 2 partners, 2 months (2024-11 to 2024-12)'
    >>> h.to_frame()[["id", "period", "revenue"]].to_dict("list")
    {'id': ['a', 'a', 'b'], 'period': [Period('2024-11', 'M'), Period('2024-12', 'M'), Period('2024-12', 'M')], 'revenue': [1.0, 2.0, 3.0]}
    """

    _ids: NDArray[np.str_]
    _start: int
    _metrics: dict[str, NDArray[np.float64]]
    _present: NDArray[np.bool_]
    _attributes: dict[str, NDArray[np.str_]]
    _joined: NDArray[np.int64]
    _left: NDArray[np.int64]
    _lifecycle: tuple[str | None, str | None]

    def __init__(
        self,
        ids: ArrayLike,
        start: Any,
        metrics: Mapping[str, ArrayLike],
        *,
        present: ArrayLike | None = None,
        attributes: Mapping[str, ArrayLike] | None = None,
        joined: ArrayLike | None = None,
        left: ArrayLike | None = None,
    ) -> None:
        id_arr = Portfolio(ids).ids.copy()
        n = id_arr.size
        order = np.argsort(id_arr, kind="stable")
        first = as_month(start, "start")
        if not isinstance(metrics, Mapping) or not metrics:
            raise InvalidInputError("metrics must be a non-empty mapping of name -> (T, n) array")
        mets: dict[str, NDArray[np.float64]] = {}
        n_periods = -1
        for key, values in metrics.items():
            name = _metric_name(key)
            arr = np.array(values, dtype=np.float64)
            if (
                arr.ndim != 2
                or arr.shape[1] != n
                or (n_periods >= 0 and arr.shape[0] != n_periods)
            ):
                want = f"({n_periods if n_periods >= 0 else 'T'}, {n})"
                raise InvalidInputError(
                    f"metric {name!r} must have shape {want} (periods, partners), got {arr.shape}"
                )
            n_periods = arr.shape[0]
            if n_periods == 0:
                raise InvalidInputError(f"metric {name!r} has no periods")
            mets[name] = arr[:, order]
        if present is None:
            pres = np.ones((n_periods, n), dtype=np.bool_)
        else:
            pres = np.asarray(present)
            if pres.dtype != np.bool_ or pres.shape != (n_periods, n):
                raise InvalidInputError(
                    f"present must be a bool array of shape ({n_periods}, {n}), "
                    f"got {pres.dtype} {pres.shape}"
                )
            pres = pres[:, order]
        for name, arr in mets.items():
            if not np.isfinite(arr).all():
                t, p = np.argwhere(~np.isfinite(arr))[0]
                raise InvalidInputError(
                    f"metric {name!r}[{t}, {p}] = {arr[t, p]!r}; expected a finite number"
                )
            arr[~pres] = 0.0
        attrs_out: dict[str, NDArray[np.str_]] = {}
        for key, values in (attributes or {}).items():
            name = _metric_name(key)
            given = np.asarray(values)
            if given.dtype.kind == "U" and given.shape == (n,):
                # already text (a history's own attributes): no per-partner check needed
                attrs_out[name] = _readonly(given[order])
                continue
            raw = np.asarray(values, dtype=object)
            if raw.shape != (n,):
                raise InvalidInputError(
                    f"attribute {name!r} must have shape ({n},), got {raw.shape}"
                )
            miss = np.asarray([v is None or (isinstance(v, float) and math.isnan(v)) for v in raw])
            text = raw.copy()
            text[miss] = ""
            bad = [i for i, v in enumerate(text) if not isinstance(v, str)]
            if bad:
                raise InvalidInputError(
                    f"attribute {name!r}[{bad[0]}] = {text[bad[0]]!r} is not text"
                )
            attrs_out[name] = _readonly(text.astype(str)[order])

        def lifecycle(values: ArrayLike | None, name: str) -> NDArray[np.int64] | None:
            if values is None:
                return None
            arr = np.asarray(values)
            if arr.dtype.kind == "M" and arr.shape == (n,):
                # Absolute months (NaT: still active / unknown join).
                months = arr.astype("datetime64[M]")
                nat = np.isnat(months)
                if name == "joined" and nat.any():
                    raise InvalidInputError(f"joined[{int(np.argmax(nat))}] is NaT; give a month")
                out = np.where(nat, _NONE, months.astype(np.int64))
                return out.astype(np.int64)[order]
            if arr.dtype.kind not in "iu" or arr.shape != (n,):
                raise InvalidInputError(
                    f"{name} must be integer period indices of shape ({n},), got {arr.dtype} "
                    f"{arr.shape}"
                )
            if ((arr < -1) | (arr >= n_periods)).any():
                i = int(np.argmax((arr < -1) | (arr >= n_periods)))
                raise InvalidInputError(
                    f"{name}[{i}] = {int(arr[i])} is outside -1..{n_periods - 1}"
                )
            arr = arr.astype(np.int64)[order]
            if name == "joined":
                return np.where(arr < 0, first - 1, first + arr)
            return np.where(arr < 0, _NONE, first + arr)

        joined_m = lifecycle(joined, "joined")
        left_m = lifecycle(left, "left")
        lc = ("joined" if joined is not None else None, "left" if left is not None else None)
        built = PartnerHistory._trusted(
            id_arr[order],
            first,
            {k: v.reshape(n_periods, n) for k, v in mets.items()},
            pres,
            attrs_out,
            joined_m,
            left_m,
            lc,
            missing="zero",
            where="PartnerHistory",
        )
        for field in attrs.fields(PartnerHistory):
            object.__setattr__(self, field.name, getattr(built, field.name))

    @classmethod
    def _trusted(
        cls,
        ids: NDArray[np.str_],
        start: int,
        metrics: dict[str, NDArray[np.float64]],
        present: NDArray[np.bool_],
        attributes: dict[str, NDArray[np.str_]],
        joined: NDArray[np.int64] | None,
        left: NDArray[np.int64] | None,
        lifecycle: tuple[str | None, str | None],
        *,
        missing: str,
        where: str,
    ) -> PartnerHistory:
        """Assemble from checked arrays; derive and check the lifecycle."""
        n_periods, n = present.shape
        end = start + n_periods - 1
        for t, what in ((0, "first"), (n_periods - 1, "last")):
            if n and not present[t].any():
                raise InvalidInputError(
                    f"{where}: no partner has a row in the {what} period {month_text(start + t)}; "
                    "the periods run from the first to the last month with data"
                )
        any_row = present.any(axis=0)
        first_row = np.where(any_row, present.argmax(axis=0), n_periods).astype(np.int64)
        last_row = np.where(any_row, n_periods - 1 - present[::-1].argmax(axis=0), -1).astype(
            np.int64
        )
        if joined is None:
            if not any_row.all():
                i = int(np.argmin(any_row))
                raise InvalidInputError(
                    f"{where}: partner {str(ids[i])!r} has no row in any period"
                )
            joined = start + first_row
        else:
            joined = np.where(joined == _NONE, start + first_row, joined)
        if left is None:
            left = np.where(last_row == n_periods - 1, _NONE, start + last_row)
        ids_txt = ids

        def fail(mask: NDArray[np.bool_], why: Callable[[int], str]) -> None:
            if mask.any():
                i = int(np.argmax(mask))
                raise InvalidInputError(f"{where}: partner {str(ids_txt[i])!r} {why(i)}")

        fail(
            (left != _NONE) & (left > end),
            lambda i: (
                f"left in {month_text(int(left[i]))}, after the last period {month_text(end)}"
            ),
        )
        fail(
            joined > end,
            lambda i: f"joined in {month_text(int(joined[i]))}, after the last period",
        )
        fail(
            (left != _NONE) & (left < joined),
            lambda i: (
                f"left in {month_text(int(left[i]))}, before it joined in "
                f"{month_text(int(joined[i]))}"
            ),
        )
        j_idx = np.clip(joined - start, 0, None)
        l_idx = np.where(left == _NONE, n_periods - 1, left - start)
        fail(
            any_row & (first_row < j_idx),
            lambda i: (
                f"has a row in {month_text(start + int(first_row[i]))}, before it joined in "
                f"{month_text(int(joined[i]))}"
            ),
        )
        fail(
            any_row & (last_row > l_idx),
            lambda i: (
                f"has a row in {month_text(start + int(last_row[i]))}, after it left in "
                f"{month_text(int(left[i]))}"
            ),
        )
        if missing == "error":
            count = present.sum(axis=0)
            gap = count < (l_idx - j_idx + 1)
            if gap.any():
                p = int(np.argmax(gap))
                span = present[j_idx[p] : l_idx[p] + 1, p]
                t = int(j_idx[p] + np.argmin(span))
                raise InvalidInputError(
                    f"{where}: partner {str(ids[p])!r} has no row for {month_text(start + t)} "
                    f"inside its active span {month_text(start + int(j_idx[p]))} to "
                    f"{month_text(start + int(l_idx[p]))} (missing='error'); add the row or pass "
                    "missing='zero' to count missing months as zero"
                )
        new = object.__new__(cls)
        for name, value in (
            ("_ids", _readonly(ids)),
            ("_start", int(start)),
            ("_metrics", {k: _readonly(v) for k, v in metrics.items()}),
            ("_present", _readonly(present)),
            ("_attributes", dict(attributes)),
            ("_joined", _readonly(joined.astype(np.int64))),
            ("_left", _readonly(left.astype(np.int64))),
            ("_lifecycle", lifecycle),
        ):
            object.__setattr__(new, name, value)
        return new

    # ------------------------------------------------------------------ readers
    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        id: str = "id",
        period: str = "period",
        columns: Mapping[str, Source] | None = None,
        joined: str | None = None,
        left: str | None = None,
        missing: Literal["zero", "error"] = "zero",
        duplicates: Literal["error", "sum"] = "error",
    ) -> PartnerHistory:
        """Read the long format: one row per partner and month.

        Parameters
        ----------
        frame : pandas.DataFrame
            The rows. Numeric columns become metrics, text columns attributes
            (one value per partner).
        id, period : str
            The columns holding the partner id and the month.
        columns : mapping of str to str, optional
            channelkit name -> source column, e.g. ``{"revenue": "Net Sales"}``.
            Unmapped columns keep their names.
        joined, left : str, optional
            Columns holding each partner's join and exit month (the same in
            all its rows; an empty ``left`` means still active).
        missing : {"zero", "error"}
            Months without a row inside a partner's active span: zero, or an error.
        duplicates : {"error", "sum"}
            Several rows for one partner and month: an error naming them, or summed.

        Raises
        ------
        InvalidInputError
            For a column or mapping that does not exist (suggesting the closest),
            two sources for one name, an unparsable or non-monthly period, a
            missing id, NaN or negative revenue, text in ``revenue``, an
            attribute that changes within a partner, duplicates or gaps as
            above; the message names the row.
        """
        pd_mod = import_optional("pandas", "pandas")
        if not isinstance(frame, pd_mod.DataFrame):
            raise InvalidInputError(f"expected a pandas DataFrame, got {type(frame).__name__}")
        missing = cast(Any, _check_choice(missing, "missing", ("zero", "error")))
        duplicates = cast(Any, _check_choice(duplicates, "duplicates", ("error", "sum")))
        header = [str(c) for c in frame.columns]
        if len(set(header)) != len(header):
            dup = next(h for h in header if header.count(h) > 1)
            raise InvalidInputError(f"frame: the column {dup!r} appears twice")
        names = dict(zip(header, frame.columns))
        resolved = _resolve(header, columns, id, period, joined, left, "frame")
        where = "frame"

        def row_label(i: int) -> str:
            return f"row {i}"

        n_rows = len(frame)
        id_values = frame[names[cast(str, resolved["id"])]].to_numpy()
        id_code, uniques = _factorize(pd_mod, id_values, f"{where}: partner id", row_label)
        ids, remap = _sorted_ids(uniques, where)
        # Renumber to sorted order in place (each element reads its own index first).
        _remap_inplace(remap.astype(np.int32), id_code)
        months, month_code, day_level = _frame_periods(
            pd_mod, frame[names[cast(str, resolved["period"])]], f"{where}: period", row_label
        )
        metrics: dict[str, NDArray[np.float64]] = {}
        attributes: dict[str, tuple[NDArray[np.str_], NDArray[Any]]] = {}
        for target, source in resolved.items():
            if target in ("id", "period", "joined", "left"):
                continue
            if not isinstance(source, str):
                raise InvalidInputError(
                    f"columns[{target!r}]: a history cannot derive a column from two columns"
                )
            series = frame[names[source]]
            name = _metric_name(target)
            if pd_mod.api.types.is_bool_dtype(series) or pd_mod.api.types.is_numeric_dtype(series):
                if series.dtype == np.float64:
                    metrics[name] = series.to_numpy()
                else:
                    metrics[name] = series.to_numpy(dtype=np.float64, na_value=np.nan)
                continue
            values = series.to_numpy(dtype=object)
            kind = pd_mod.api.types.infer_dtype(values, skipna=True)
            if kind in ("floating", "integer", "mixed-integer-float", "decimal") or (
                name in _NUMERIC_NAMES
            ):
                isnum = np.asarray(
                    [isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values]
                )
                if not isnum.all():
                    i = int(np.argmin(isnum))
                    raise InvalidInputError(
                        f"{where}, {row_label(i)}: column {source!r} ({name}) holds "
                        f"{values[i]!r}; expected a number"
                    )
                metrics[name] = values.astype(np.float64)
                continue
            acodes, texts = _factorize(pd_mod, values, source, row_label, allow_missing=True)
            notext = [v for v in texts if not isinstance(v, str)]
            if notext:
                i = int(np.argmax(acodes == list(texts).index(notext[0])))
                raise InvalidInputError(
                    f"{where}, {row_label(i)}: column {source!r} mixes text and "
                    f"{type(notext[0]).__name__} values ({notext[0]!r}); give text or numbers"
                )
            attributes[name] = (
                np.array(["", *texts.tolist()], dtype=str),
                (acodes + 1).astype(np.int32),
            )
        life = {}
        for key in ("joined", "left"):
            if key in resolved:
                series = frame[names[cast(str, resolved[key])]]
                months_k, codes_k = _lifecycle_column(pd_mod, series, f"{where}: {key}", row_label)
                life[key] = (months_k, codes_k)
        rows = _Rows(
            where=where,
            n_rows=n_rows,
            ids=ids,
            id_code=id_code,
            months=months,
            month_code=month_code,
            metrics=metrics,
            attributes=attributes,
            joined=life.get("joined"),
            left=life.get("left"),
            lifecycle=(
                "joined" if "joined" in resolved else None,
                "left" if "left" in resolved else None,
            ),
            row_label=row_label,
            day_level=day_level,
            owned=True,
        )
        del id_code, month_code  # the rows own them now: _assemble reuses their memory
        return _assemble(rows, missing, duplicates)

    @classmethod
    def from_csv(
        cls,
        path: str | os.PathLike[str],
        *,
        id: str = "id",
        period: str = "period",
        columns: Mapping[str, Source] | None = None,
        joined: str | None = None,
        left: str | None = None,
        missing: Literal["zero", "error"] = "zero",
        duplicates: Literal["error", "sum"] = "error",
    ) -> PartnerHistory:
        """Read the long format from a CSV file (``.csv`` or gzip-compressed ``.csv.gz``).

        No pandas needed. Columns whose every non-empty cell is a number are
        metrics, others are attributes; an empty attribute cell is missing
        (``""``). Arguments as in :meth:`from_frame`; errors name the line
        (the header is line 1).
        """
        missing = cast(Any, _check_choice(missing, "missing", ("zero", "error")))
        duplicates = cast(Any, _check_choice(duplicates, "duplicates", ("error", "sum")))
        where = str(path)
        header, body = _read_csv(path)
        resolved = _resolve(header, columns, id, period, joined, left, where)

        def row_label(i: int) -> str:
            return f"line {i + 2}"

        n_rows = len(body[0]) if body else 0
        col = {h: body[j] for j, h in enumerate(header)} if body else dict.fromkeys(header, ())
        raw_ids = np.asarray(col[cast(str, resolved["id"])], dtype=str)
        uniq_raw, codes = np.unique(raw_ids, return_inverse=True) if n_rows else (raw_ids, raw_ids)
        empty = np.char.str_len(np.char.strip(uniq_raw)) == 0 if n_rows else np.zeros(0, bool)
        if empty.any():
            i = int(np.argmax(codes == int(np.argmax(empty))))
            raise InvalidInputError(f"{where}, {row_label(i)}: the partner id is missing")
        ids, remap = _sorted_ids(uniq_raw, where)
        id_code = remap.astype(np.int32)[codes] if n_rows else np.zeros(0, np.int32)
        raw_periods = np.asarray(col[cast(str, resolved["period"])], dtype=str)
        if n_rows:
            puniq, pcodes = np.unique(raw_periods, return_inverse=True)
            months = _months_of_uniques(puniq.tolist(), pcodes, f"{where}: period", row_label)
            day_level = any(len(p.strip()) > 7 for p in puniq.tolist())
        else:
            months, pcodes, day_level = np.zeros(0, np.int64), np.zeros(0, np.intp), False
        metrics: dict[str, NDArray[np.float64]] = {}
        attributes: dict[str, tuple[NDArray[np.str_], NDArray[Any]]] = {}
        life: dict[str, tuple[NDArray[np.int64], NDArray[Any]]] = {}
        for target, source in resolved.items():
            if target in ("id", "period"):
                continue
            if not isinstance(source, str):
                raise InvalidInputError(
                    f"columns[{target!r}]: a history cannot derive a column from two columns"
                )
            cells = np.asarray(col[source], dtype=str)
            if target in ("joined", "left"):
                u, c = np.unique(cells, return_inverse=True) if n_rows else (cells, cells)
                m = np.empty(len(u), dtype=np.int64)
                for k, text in enumerate(u.tolist()):
                    if not text.strip():
                        m[k] = _NONE
                    else:
                        got = _month_or_reason(text)
                        if isinstance(got, str):
                            i = int(np.argmax(c == k))
                            raise InvalidInputError(f"{where}: {target}, {row_label(i)}: {got}")
                        m[k] = got
                life[target] = (m, c)
                continue
            name = _metric_name(target)
            numbers_ = _parse_floats(cells)
            if numbers_ is not None and name not in _NUMERIC_NAMES and np.isnan(numbers_).any():
                numbers_ = None  # numbers with empty cells: text with gaps, not a metric
            if numbers_ is not None:
                if np.isnan(numbers_).any():
                    i = int(np.argmax(np.isnan(numbers_)))
                    raise InvalidInputError(
                        f"{where}, {row_label(i)}: column {source!r} ({name}) is empty; "
                        "expected a number"
                    )
                metrics[name] = numbers_
                continue
            if name in _NUMERIC_NAMES:
                bad = [i for i, text in enumerate(cells.tolist()) if _parse_one(text) is None]
                raise InvalidInputError(
                    f"{where}, {row_label(bad[0])}: column {source!r} ({name}) holds "
                    f"{str(cells[bad[0]])!r}; expected a number"
                )
            u, c = np.unique(cells, return_inverse=True)
            if u.size and u[0] != "":
                u, c = np.concatenate([np.array([""]), u]), c + 1
            attributes[name] = (u.astype(str), c.astype(np.int32))
        rows = _Rows(
            where=where,
            n_rows=n_rows,
            ids=ids,
            id_code=id_code,
            months=months,
            month_code=pcodes,
            metrics=metrics,
            attributes=attributes,
            joined=life.get("joined"),
            left=life.get("left"),
            lifecycle=(
                "joined" if "joined" in resolved else None,
                "left" if "left" in resolved else None,
            ),
            row_label=row_label,
            day_level=day_level,
        )
        return _assemble(rows, missing, duplicates)

    # ------------------------------------------------------------------ writers
    def _long(self) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """Partner and period index of every row, partner by partner, months in order."""
        p, t = np.nonzero(self._present.T)
        return p, t

    def to_frame(self) -> pd.DataFrame:
        """The long format: one row per partner and month with data (pandas).

        Columns: ``id``, ``period`` (monthly pandas Periods), the metrics,
        the attributes (None where missing) and, when the lifecycle was given
        explicitly, ``joined`` and ``left`` (NaT: still active).
        ``PartnerHistory.from_frame(h.to_frame(), joined=..., left=...)``
        gives ``h`` back.
        """
        pd_mod = import_optional("pandas", "pandas")
        p, t = self._long()
        data: dict[str, Any] = {
            "id": self._ids[p].astype(object),
            "period": pd_mod.PeriodIndex.from_ordinals(self._start + t, freq="M"),
        }
        for name, arr in self._metrics.items():
            data[name] = arr[t, p]
        for name, text in self._attributes.items():
            col = text[p].astype(object)
            col[col == ""] = None
            data[name] = col
        for key, life in (("joined", self._joined), ("left", self._left)):
            if key in self._lifecycle:
                months = life[p]
                none = months == _NONE
                data[key] = pd_mod.PeriodIndex.from_ordinals(np.where(none, 0, months), freq="M")
                if none.any():
                    data[key] = data[key].where(~none)
        return cast("pd.DataFrame", pd_mod.DataFrame(data))

    def to_csv(self, path: str | os.PathLike[str]) -> None:
        """Write the long format to CSV (gzip-compressed when ``path`` ends in ``.gz``).

        Amounts are written exactly (shortest round-trip text), missing
        attributes and a still-active ``left`` as empty cells; the output is
        byte-for-byte deterministic.
        """
        p, t = self._long()
        header = ["id", "period", *self._metrics, *self._attributes]
        header += [k for k in ("joined", "left") if k in self._lifecycle]
        months = np.arange(self._start, self._start + self.n_periods).astype("datetime64[M]")
        period_text = months.astype(str)
        columns: list[list[str]] = [self._ids[p].tolist(), period_text[t].tolist()]
        for arr in self._metrics.values():
            columns.append([repr(v) for v in arr[t, p].tolist()])
        for text in self._attributes.values():
            columns.append(text[p].tolist())
        for key, life in (("joined", self._joined), ("left", self._left)):
            if key in self._lifecycle:
                per = ["" if m == _NONE else month_text(m) for m in life.tolist()]
                columns.append([per[i] for i in p.tolist()])
        buffer = _io.StringIO()
        # A lone carriage return is not quoted by the minimal rule with "\n" line ends.
        has_cr = any(any("\r" in v for v in text.tolist()) for text in self._attributes.values())
        has_cr = has_cr or any("\r" in v for v in self._ids.tolist())
        writer = csv.writer(
            buffer, lineterminator="\n", quoting=csv.QUOTE_ALL if has_cr else csv.QUOTE_MINIMAL
        )
        writer.writerow(header)
        writer.writerows(zip(*columns))
        data = buffer.getvalue().encode("utf-8")
        target = Path(path)
        if target.suffix == ".gz":
            with (
                target.open("wb") as raw,
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as fh,
            ):
                fh.write(data)
        else:
            target.write_bytes(data)

    # ------------------------------------------------------------------ access
    @property
    def ids(self) -> NDArray[np.str_]:
        """Partner ids, shape (n,), sorted."""
        return self._ids

    @property
    def n_periods(self) -> int:
        """Number of months T."""
        return int(self._present.shape[0])

    @property
    def periods(self) -> NDArray[np.datetime64]:
        """The months as ``datetime64[M]``, shape (T,), consecutive."""
        return _readonly(
            np.arange(self._start, self._start + self.n_periods).astype("datetime64[M]")
        )

    @property
    def metrics(self) -> list[str]:
        """Names of the metrics."""
        return list(self._metrics)

    @property
    def attributes(self) -> Mapping[str, NDArray[np.str_]]:
        """Text per partner: name -> read-only str array of shape (n,), ``""`` where missing."""
        return dict(self._attributes)

    @property
    def present(self) -> NDArray[np.bool_]:
        """Which cells had a row of data, shape (T, n), read-only."""
        return self._present

    def __len__(self) -> int:
        return int(self._ids.size)

    def metric(self, name: str) -> NDArray[np.float64]:
        """One metric as a read-only array of shape (periods, partners); zero where no row.

        Raises
        ------
        InvalidInputError
            For an unknown name (the message lists the metrics and suggests the closest).
        """
        if name not in self._metrics:
            guess = closest(str(name), self._metrics)
            hint = f"; did you mean {guess!r}?" if guess else ""
            raise InvalidInputError(
                f"the history has no metric {name!r}{hint} (metrics: {', '.join(self._metrics)})"
            )
        return self._metrics[name]

    @property
    def joined(self) -> NDArray[np.int64]:
        """Period index of each partner's first active month; -1 if it joined before the first period."""
        return _readonly(np.maximum(self._joined - self._start, NOT_LEFT))

    @property
    def left(self) -> NDArray[np.int64]:
        """Period index of each partner's last active month; -1 if still active at the end."""
        return _readonly(np.where(self._left == _NONE, NOT_LEFT, self._left - self._start))

    @property
    def censored(self) -> NDArray[np.bool_]:
        """Whether each partner is still active at the last period (its exit not observed)."""
        return _readonly(self._left == _NONE)

    @property
    def joined_periods(self) -> NDArray[np.datetime64]:
        """Each partner's join month (also before the first period, when known)."""
        return _readonly(self._joined.astype("datetime64[M]"))

    @property
    def left_periods(self) -> NDArray[np.datetime64]:
        """Each partner's last active month; NaT if still active."""
        out = self._left.astype("datetime64[M]")
        out[self._left == _NONE] = np.datetime64("NaT")
        return _readonly(out)

    def active(self) -> NDArray[np.bool_]:
        """Whether each partner is active in each month, shape (T, n)."""
        t = np.arange(self.n_periods)[:, None]
        j = np.clip(self._joined - self._start, 0, None)
        lft = np.where(self._left == _NONE, self.n_periods - 1, self._left - self._start)
        return (t >= j) & (t <= lft)

    def period_index(self, at: Any) -> int:
        """Index of a period given as an index (negative from the end) or a period-like."""
        if isinstance(at, numbers.Integral) and not isinstance(at, bool):
            i = int(at)
            if not -self.n_periods <= i < self.n_periods:
                raise InvalidInputError(
                    f"at = {i} is outside the history's {self.n_periods} periods"
                )
            return i % self.n_periods
        month = as_month(at, "at")
        i = month - self._start
        if not 0 <= i < self.n_periods:
            first, last = month_text(self._start), month_text(self._start + self.n_periods - 1)
            raise InvalidInputError(
                f"at = {month_text(month)} is outside the history ({first} to {last})"
            )
        return i

    def portfolio(
        self, at: Any = None, window: int = 12, *, last: Iterable[str] = ()
    ) -> Portfolio:
        """The channel at a month as a :class:`~channelkit.Portfolio`.

        Parameters
        ----------
        at : int or period-like, optional
            The month (index, negative from the end, or ``"2025-06"``);
            default the last.
        window : int [months], default 12
            Length of the trailing window.
        last : iterable of str
            Metrics taken at ``at`` (stocks such as certified staff) rather
            than summed over the window.

        Returns
        -------
        Portfolio
            The partners active at ``at``. ``revenue`` is the sum over the
            ``window`` months ending at ``at``; ``revenue_prior`` the sum over
            the ``window`` months before (NaN for partners that joined after
            that window, and for everyone when it starts before the first
            period); ``product_share`` the revenue-weighted mean of a
            ``product_share`` metric; ``region`` the ``region`` attribute,
            and the other attributes as the portfolio's attributes; other
            metrics summed over the window. A window reaching before
            the first period is cut at it.

        Examples
        --------
        >>> h = PartnerHistory(["a"], "2024-01", {"revenue": [[1.0], [2.0], [4.0], [8.0]]})
        >>> pf = h.portfolio(window=2)
        >>> pf.revenue.tolist(), pf.revenue_prior.tolist()
        ([12.0], [3.0])
        """
        t = self.n_periods - 1 if at is None else self.period_index(at)
        if isinstance(window, bool) or not isinstance(window, numbers.Integral) or window < 1:
            raise InvalidInputError(
                f"window must be a whole number of months >= 1, got {window!r}"
            )
        w = int(window)
        if "revenue" not in self._metrics:
            raise InvalidInputError(
                f"the history has no 'revenue' metric (metrics: {', '.join(self._metrics)}); "
                "map one with columns={'revenue': ...}"
            )
        last_set = set(last)
        for name in last_set:
            self.metric(name)
        lo = max(0, t - w + 1)
        j = self._joined - self._start
        lft = np.where(self._left == _NONE, self.n_periods - 1, self._left - self._start)
        cols = np.flatnonzero((j <= t) & (lft >= t))

        def window_sum(arr: NDArray[np.float64], a: int, b: int) -> NDArray[np.float64]:
            out: NDArray[np.float64] = arr[a:b].sum(axis=0)[cols]
            return out

        revenue_all = self._metrics["revenue"]
        revenue = window_sum(revenue_all, lo, t + 1)
        prior_lo = t - 2 * w + 1
        if prior_lo >= 0:
            prior = window_sum(revenue_all, prior_lo, t - w + 1)
            prior[j[cols] > t - w] = np.nan
        else:
            prior = np.full(cols.size, np.nan)
        share = None
        metrics: dict[str, NDArray[np.float64]] = {}
        for name, arr in self._metrics.items():
            if name == "revenue":
                continue
            if name == "product_share":
                weighted = window_sum(arr * revenue_all, lo, t + 1)
                with np.errstate(invalid="ignore", divide="ignore"):
                    share = np.where(
                        revenue > 0, weighted / np.where(revenue > 0, revenue, 1), np.nan
                    )
                share = np.clip(share, 0.0, 1.0)
            elif name in last_set:
                metrics[name] = arr[t, cols]
            else:
                metrics[name] = window_sum(arr, lo, t + 1)
        region = self._attributes.get("region")
        texts = {k: v[cols] for k, v in self._attributes.items() if k != "region"}
        return Portfolio(
            self._ids[cols],
            revenue=revenue,
            revenue_prior=prior,
            product_share=share,
            region=None if region is None else region[cols],
            metrics=metrics,
            attributes=texts,
        )

    # ------------------------------------------------------------------ protocol
    def _span(self) -> str:
        return f"{month_text(self._start)}..{month_text(self._start + self.n_periods - 1)}"

    def __repr__(self) -> str:
        names = list(self._metrics)
        shown: Any = names if len(names) <= 4 else [*names[:4], "..."]
        attrs_shown: Any = list(self._attributes)
        if len(attrs_shown) > 4:
            attrs_shown = [*attrs_shown[:4], "..."]
        return one_line(
            "PartnerHistory",
            partners=len(self),
            periods=self._span(),
            metrics=shown,
            attributes=attrs_shown,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PartnerHistory):
            return NotImplemented
        return (
            self._start == other._start
            and np.array_equal(self._ids, other._ids)
            and self._present.shape == other._present.shape
            and np.array_equal(self._present, other._present)
            and list(self._metrics) == list(other._metrics)
            and all(np.array_equal(v, other._metrics[k]) for k, v in self._metrics.items())
            and list(self._attributes) == list(other._attributes)
            and all(np.array_equal(v, other._attributes[k]) for k, v in self._attributes.items())
            and np.array_equal(self._joined, other._joined)
            and np.array_equal(self._left, other._left)
            and self._lifecycle == other._lifecycle
        )

    __hash__ = None  # type: ignore[assignment]

    def _buckets(self) -> tuple[str, list[tuple[str, int, int]]]:
        """Reporting buckets: quarters (up to 4 years) or years; (label, first, last) indices."""
        months = self._start + np.arange(self.n_periods)
        years = months // 12 + 1970
        if self.n_periods <= 48:
            keys = [f"{y}-Q{(m % 12) // 3 + 1}" for y, m in zip(years.tolist(), months.tolist())]
            kind = "quarter"
        else:
            keys = [str(y) for y in years.tolist()]
            kind = "year"
        out: list[tuple[str, int, int]] = []
        for i, key in enumerate(keys):
            if out and out[-1][0] == key:
                out[-1] = (key, out[-1][1], i)
            else:
                out.append((key, i, i))
        return kind, out

    def _flows(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """Active partners, joins and exits per period."""
        act = self.active().sum(axis=1)
        j = self._joined - self._start
        first_is_join = self._lifecycle[0] is not None
        joins_at = j[(j >= 0) if first_is_join else (j >= 1)]
        joins = np.bincount(joins_at, minlength=self.n_periods)
        lft = self._left[self._left != _NONE] - self._start
        exits = np.bincount(lft, minlength=self.n_periods)
        return act, joins, exits

    def _report(self) -> Report:
        n, n_t = len(self), self.n_periods
        first, last = month_text(self._start), month_text(self._start + n_t - 1)
        act, joins, exits = self._flows()
        blocks: list[Any] = [
            Fact("Partners", fmt_int(n), n),
            Fact("Months", f"{n_t} ({first} to {last})", n_t),
            Fact("Active at the end", fmt_int(int(act[-1])), int(act[-1])),
            Fact("Joined during the history", fmt_int(int(joins.sum())), int(joins.sum())),
            Fact("Left during the history", fmt_int(int(exits.sum())), int(exits.sum())),
        ]
        revenue = self._metrics.get("revenue")
        if revenue is not None:
            total = revenue.sum(axis=1)
            last12 = float(total[-12:].sum())
            blocks.append(Fact("Revenue, last 12 months", fmt_money(last12), last12))
        kind, buckets = self._buckets()
        rows = []
        for label, a, b in buckets:
            row: list[Any] = [
                label,
                int(act[b]),
                int(joins[a : b + 1].sum()),
                int(exits[a : b + 1].sum()),
            ]
            if revenue is not None:
                row.append(fmt_money(float(revenue[a : b + 1].sum())))
            rows.append(row)
        cols = [kind, "active at end", "joined", "left"] + (
            ["revenue"] if revenue is not None else []
        )
        blocks.append(Table(cols, rows, title=f"By {kind}"))
        notes = [f"Metrics: {', '.join(self._metrics)}."]
        if self._attributes:
            notes.append(f"Attributes: {', '.join(self._attributes)}.")
        blocks.append(Note(" ".join(notes)))
        return Report(
            f"Partner history: {fmt_int(n)} partners, {n_t} months ({first} to {last})", blocks
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Active partners (bars) and monthly revenue (line, right axis) over time."""
        from . import _plotstyle

        axis = _plotstyle.axes(ax, figsize=(8.0, 4.0))
        act, _, _ = self._flows()
        x = np.arange(self.n_periods)
        axis.bar(x, act, color=_plotstyle.COLORS["secondary"], label="active partners")
        axis.set_ylabel("active partners")
        labels = self.periods.astype(str).tolist()
        _plotstyle.thin_labels(axis, labels)
        axis.tick_params(axis="x", labelrotation=45)
        revenue = self._metrics.get("revenue")
        if revenue is not None:
            right = axis.twinx()
            right.plot(x, revenue.sum(axis=1), color=_plotstyle.COLORS["primary"], label="revenue")
            right.set_ylabel("revenue per month")
            right.set_ylim(bottom=0)
            _plotstyle.currency_axis(right)
        axis.set_title("The channel over time: active partners and revenue")
        return axis


# --------------------------------------------------------------------------- reader helpers
def _metric_name(key: object) -> str:
    if not isinstance(key, str) or not key.strip():
        raise InvalidInputError(f"column names must be non-empty strings, got {key!r}")
    if key in _RESERVED:
        raise InvalidInputError(
            f"{key!r} cannot be a metric or attribute of a history; it is computed or read "
            "from its own argument"
        )
    return key


def _resolve(
    header: Sequence[str],
    columns: Mapping[str, Source] | None,
    id_: str,
    period: str,
    joined: str | None,
    left: str | None,
    where: str,
) -> dict[str, Source]:
    fixed = {
        "id": _keyword("id", id_, "id", columns),
        "period": _keyword("period", period, "period", columns),
        "joined": _keyword("joined", joined, None, columns),
        "left": _keyword("left", left, None, columns),
    }
    resolved = resolve_columns(header, columns, where=where, fixed=fixed)
    # A column literally named "joined"/"left" without the keyword is data, not lifecycle.
    for key in ("joined", "left"):
        if key in resolved and fixed[key] is None and not (columns and key in columns):
            raise InvalidInputError(
                f"{where}: the column {key!r} looks like lifecycle data; pass {key}={key!r} "
                f"to read it as such, or map it to another name in columns"
            )
    return resolved


def _frame_periods(
    pd_mod: Any, series: Any, what: str, row_label: Callable[[int], str]
) -> tuple[NDArray[np.int64], NDArray[Any], bool]:
    """Distinct month numbers and a per-row code into them, from a pandas column."""
    dtype = series.dtype
    if isinstance(dtype, pd_mod.PeriodDtype):
        if dtype != pd_mod.PeriodDtype("M"):
            raise InvalidInputError(
                f"{what}: periods of frequency {dtype.freq!r}; expected monthly periods"
            )
        ordinal = series.array.asi8
        nat = ordinal == np.iinfo(np.int64).min
        if nat.any():
            raise InvalidInputError(f"{what}, {row_label(int(np.argmax(nat)))}: is missing (NaT)")
        return (*_dense_codes(ordinal), False)
    if pd_mod.api.types.is_datetime64_any_dtype(dtype):
        values = series.to_numpy()
        if values.dtype.kind != "M":  # tz-aware: local wall time
            values = series.dt.tz_localize(None).to_numpy()
        nat = np.isnat(values)
        if nat.any():
            raise InvalidInputError(f"{what}, {row_label(int(np.argmax(nat)))}: is missing (NaT)")
        return (*_dense_codes(values.astype("datetime64[M]").astype(np.int64)), True)
    codes, uniques = _factorize(pd_mod, series.to_numpy(), what, row_label)
    uniq = list(uniques)
    months = _months_of_uniques(uniq, codes, what, row_label)
    day_level = any(
        (isinstance(u, str) and len(u.strip()) > 7) or (isinstance(u, _dt.date | np.datetime64))
        for u in uniq
    )
    return months, codes, day_level


def _dense_codes(months: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[Any]]:
    """(uniques, codes) for month numbers without sorting: uniques span min..max."""
    if months.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int32)
    lo, hi = int(months.min()), int(months.max())
    if hi - lo > _MAX_PERIODS:
        return np.array([lo, hi], dtype=np.int64), (months != lo).astype(np.int32)
    return np.arange(lo, hi + 1, dtype=np.int64), (months - lo).astype(np.int32)


def _lifecycle_column(
    pd_mod: Any, series: Any, what: str, row_label: Callable[[int], str]
) -> tuple[NDArray[np.int64], NDArray[Any]]:
    """Month numbers (``_NONE`` for missing) and codes for a joined/left column."""
    codes, uniques = _factorize(pd_mod, series.to_numpy(), what, row_label, allow_missing=True)
    months = np.empty(len(uniques) + 1, dtype=np.int64)
    months[0] = _NONE
    for k, value in enumerate(uniques):
        if isinstance(value, str) and not value.strip():
            months[k + 1] = _NONE
            continue
        got = _month_or_reason(value)
        if isinstance(got, str):
            raise InvalidInputError(f"{what}, {row_label(int(np.argmax(codes == k)))}: {got}")
        months[k + 1] = got
    return months, (codes + 1).astype(np.int32)


def _read_csv(path: str | os.PathLike[str]) -> tuple[list[str], list[tuple[str, ...]]]:
    """Header and columns (as tuples of cells) of a CSV file, optionally gzip-compressed."""
    source = Path(path)
    if not source.is_file():
        raise InvalidInputError(f"{source}: no such file")
    raw = source.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error):
            raise InvalidInputError(
                f"{source}: starts like a gzip file but cannot be decompressed"
            ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{source}: not UTF-8 text ({exc})") from None
    reader = csv.reader(_io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInputError(f"{source}: the file is empty") from None
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise InvalidInputError(f"{source}: the column {dup!r} appears twice in the header")
    rows = list(reader)
    for i, row in enumerate(rows):
        if len(row) != len(header):
            raise InvalidInputError(
                f"{source}, line {i + 2}: {len(row)} cells, the header has {len(header)}"
            )
    return header, list(zip(*rows)) if rows else []


def _parse_floats(cells: NDArray[np.str_]) -> NDArray[np.float64] | None:
    """Cells as floats (empty -> NaN), or None if a non-empty cell is not a finite number.

    Words that parse as floats (``"nan"``, ``"inf"``) are text here: a metric
    never holds them, an attribute may.
    """
    stripped = np.char.strip(cells)
    empty = stripped == ""
    if empty.all():
        return None
    out = np.full(cells.shape, np.nan)
    try:
        out[~empty] = stripped[~empty].astype(np.float64)
    except ValueError:
        return None
    if not np.isfinite(out[~empty]).all():
        return None
    return out


def _parse_one(text: str) -> float | None:
    """A finite number, or None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
