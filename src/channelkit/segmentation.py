"""The shape of a channel: concentration, Pareto segments, business models, growth.

Sales in a channel are extremely concentrated: a handful of *contributors*
make most of the revenue, *potentials* follow, and a *long tail* sells very
little. This module measures that shape with vectorized kernels (each works
on a million partners in milliseconds) and summarises it in a
:class:`ChannelProfile`.

The statistics are scale-free, and the kernels compute them correctly on
any finite input: amounts near the float limits (``1e308``) or tiny ones
(subnormal numbers) are scaled by a power of two before they are summed,
so that no sum overflows to ``inf`` and no share is lost.

Examples
--------
>>> import channelkit as ck
>>> revenue = [500.0, 300.0, 100.0, 50.0, 30.0, 15.0, 5.0]
>>> ck.pareto_segments(revenue).tolist()
['contributor', 'contributor', 'potential', 'potential', 'long_tail', 'long_tail', 'long_tail']
>>> round(ck.gini(revenue), 3)
0.607
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._frames import frame_index, labels_like, series_like, shared_index
from ._optional import import_optional
from ._plotstyle import COLORS, axes
from ._render import Fact, Note, Report, ResultMixin, Table, fmt_int, fmt_money, fmt_pct, one_line
from ._validation import as_float_array, as_real, check_fraction, check_positive, is_number
from .errors import InvalidInputError
from .partners import PortfolioLike, as_portfolio

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = [
    "SEGMENTS",
    "ChannelProfile",
    "business_model",
    "gini",
    "hhi",
    "lorenz_curve",
    "pareto_segments",
    "profile_channel",
    "top_share",
    "yoy_growth",
]

#: Pareto segment labels, from the largest partners to the smallest.
SEGMENTS: tuple[str, str, str] = ("contributor", "potential", "long_tail")


def _amounts(values: ArrayLike, name: str, *, allow_empty: bool = False) -> NDArray[np.float64]:
    return as_float_array(values, name, ndim=1, nonnegative=True, allow_empty=allow_empty)


#: Largest and smallest magnitudes the kernels sum as they are; beyond them the
#: amounts are first scaled by a power of two (see :func:`_scale_exponent`).
_SAFE_HI = 2.0**500
_SAFE_LO = 2.0**-500


def _scale_exponent(x: NDArray[np.float64]) -> int:
    """Power of two ``e`` such that ``x * 2**-e`` has its largest entry in [0.5, 1).

    0 (no scaling) for amounts whose sums can neither overflow nor lose
    precision to subnormal numbers. Shares, the Gini coefficient and every other
    scale-free statistic are unchanged by scaling with a power of two (it is
    exact), so near the float limits the kernels scale before they sum:
    ``gini([1e308, 1e308, 0.5e308])`` is 2/15, not the 0 that an overflowing
    sum would give.
    """
    if x.size == 0:
        return 0
    top = float(x.max())
    if top == 0.0 or _SAFE_LO <= top <= _SAFE_HI:
        return 0
    return math.frexp(top)[1]


def _scaled(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """``x`` scaled by :func:`_scale_exponent` (``x`` itself when no scaling is needed)."""
    e = _scale_exponent(x)
    return x if e == 0 else np.ldexp(x, -e)


@overload
def pareto_segments(
    revenue: pd.Series, contributor_share: float = ..., tail_share: float = ...
) -> pd.Series: ...
@overload
def pareto_segments(
    revenue: ArrayLike, contributor_share: float = ..., tail_share: float = ...
) -> NDArray[np.str_]: ...
def pareto_segments(
    revenue: ArrayLike | pd.Series, contributor_share: float = 0.8, tail_share: float = 0.05
) -> NDArray[np.str_] | pd.Series:
    """Label every partner ``"contributor"``, ``"potential"`` or ``"long_tail"``.

    Parameters
    ----------
    revenue : array-like or pandas.Series, shape (n,) [currency/year]
        Revenue of each partner, >= 0.
    contributor_share : float in (0, 1], default 0.8
        Share of total revenue the contributors must make together.
    tail_share : float in [0, 1), default 0.05
        Largest share of total revenue the long tail may make together.

    Returns
    -------
    numpy.ndarray of str, shape (n,), or pandas.Series
        One label per partner, in the input order. Given a Series, a
        ``category`` Series named ``"segment"`` with the input's index.

    Raises
    ------
    InvalidInputError
        For NaN, infinite or negative revenue, a 2-D array, or shares outside
        their ranges.

    Notes
    -----
    Sort the partners by revenue, largest first (ties keep their input order)
    and let :math:`C_k` be the cumulated revenue of the first :math:`k`.

    * Contributors are the smallest set of top partners with
      :math:`C_k \\ge s_c \\cdot C_n` (so the top ``k`` for the smallest such ``k``).
    * The long tail is the largest set of bottom partners whose revenue adds
      up to at most :math:`s_t \\cdot C_n`; a contributor is never in the tail.
    * Potentials are the rest.

    With a total revenue of zero there are no contributors and every partner
    is in the long tail. Among partners with equal revenue at a boundary, the
    earlier ones in the input rank higher. Shares are compared with a relative
    tolerance of :math:`10^{-12}` of the total, so that a share reached exactly
    (80 of 100) is not lost to floating-point rounding.

    References
    ----------
    .. [1] Juran, J. M. (1951). Quality Control Handbook (the "vital few and
       trivial many"). McGraw-Hill.

    Examples
    --------
    >>> pareto_segments([10.0, 70.0, 15.0, 5.0]).tolist()
    ['potential', 'contributor', 'contributor', 'long_tail']

    pandas in, pandas out:

    >>> import pandas as pd
    >>> pareto_segments(pd.Series([10.0, 70.0, 15.0, 5.0], index=list("abcd")))
    a      potential
    b    contributor
    c    contributor
    d      long_tail
    Name: segment, dtype: category
    Categories (3, str): ['contributor', 'potential', 'long_tail']
    """
    rev = _amounts(revenue, "revenue", allow_empty=True)
    c_share = check_fraction(contributor_share, "contributor_share", include_zero=False)
    t_share = check_fraction(tail_share, "tail_share", include_one=False)
    codes = _pareto_codes(rev, c_share, t_share)
    index = frame_index(revenue)
    if index is not None:
        return labels_like(codes, SEGMENTS, index, "segment")
    return _SEGMENT_LABELS[codes]


_SEGMENT_LABELS = np.asarray(SEGMENTS, dtype="<U11")


def _pareto_codes(rev: NDArray[np.float64], c_share: float, t_share: float) -> NDArray[np.int8]:
    """Index into :data:`SEGMENTS` of every partner (see :func:`pareto_segments`)."""
    n = rev.shape[0]
    out = np.ones(n, dtype=np.int8)
    if n == 0:
        return out
    # sums over amounts scaled by a power of two cannot overflow (the labels are unchanged)
    total = float(_scaled(rev).sum())
    # Only the sorted *values* are needed to find the two cut points; the labels then
    # follow from comparisons with the cut values (ties broken by input position). This
    # avoids an indirect sort, which is about ten times slower than sorting values.
    asc = np.sort(rev)
    desc = asc[::-1]
    asc_s = _scaled(asc)
    desc_s = asc_s[::-1]
    # Relative tolerance so that a share hit exactly (e.g. 80 of 100) is not lost to rounding.
    tol = 1e-12 * total
    k = (
        int(np.searchsorted(np.cumsum(desc_s), c_share * total - tol, side="left")) + 1
        if total > 0
        else 0
    )
    k = min(k, n)
    t = int(np.searchsorted(np.cumsum(asc_s), t_share * total + tol, side="right"))
    t = min(t, n - k)
    if t:
        cut = asc[t - 1]
        below = rev < cut
        extra = t - int(np.count_nonzero(below))
        out[below] = 2
        if extra:  # ties at the cut: the last ones in input order join the tail
            out[np.flatnonzero(rev == cut)[-extra:]] = 2
    if k:
        cut = desc[k - 1]
        above = rev > cut
        extra = k - int(np.count_nonzero(above))
        out[above] = 0
        if extra:  # ties at the cut: the first ones in input order are contributors
            out[np.flatnonzero(rev == cut)[:extra]] = 0
    return out


def gini(values: ArrayLike) -> float:
    """Gini coefficient of a non-negative distribution (0: all equal).

    Parameters
    ----------
    values : array-like, shape (n,)
        Non-negative amounts, e.g. revenue per partner; n >= 1.

    Returns
    -------
    float
        In :math:`[0, (n-1)/n]`; 0 when all values are equal (or all zero).

    Raises
    ------
    InvalidInputError
        For an empty array, NaN, infinite or negative values.

    Notes
    -----
    With the values sorted ascending, :math:`x_{(1)} \\le \\dots \\le x_{(n)}`,

    .. math:: G = \\frac{\\sum_{i=1}^{n} (2i - n - 1)\\, x_{(i)}}{n \\sum_i x_i}

    which equals the mean absolute difference over twice the mean, and twice
    the area between the Lorenz curve and the diagonal.

    References
    ----------
    .. [1] Gini, C. (1912). Variabilità e mutabilità. Bologna: Tipogr. di P. Cuppini.

    Examples
    --------
    >>> gini([1.0, 1.0, 1.0])
    0.0
    >>> gini([0.0, 0.0, 0.0, 10.0])
    0.75
    """
    x = _amounts(values, "values")  # a private copy: sort and scale it in place
    x.sort()
    e = _scale_exponent(x)
    if e:
        np.ldexp(x, -e, out=x)
    n = int(x.shape[0])
    total = float(x.sum())
    if total == 0.0 or x[0] == x[-1]:
        return 0.0
    weights = 2.0 * np.arange(1, n + 1, dtype=np.float64) - n - 1.0
    g = float(weights @ x) / (n * total)
    return min(max(g, 0.0), (n - 1) / n)


def lorenz_curve(values: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Lorenz curve: share of the total held by the poorest share of partners.

    Parameters
    ----------
    values : array-like, shape (n,)
        Non-negative amounts; n >= 1.

    Returns
    -------
    x, y : numpy.ndarray, shape (n + 1,)
        ``x[i] = i / n`` (share of partners, smallest first) and ``y[i]`` the
        share of the total they hold; the curve runs from (0, 0) to (1, 1), is
        non-decreasing and convex. With a zero total, ``y = x``.

    Raises
    ------
    InvalidInputError
        For an empty array, NaN, infinite or negative values.

    Examples
    --------
    >>> x, y = lorenz_curve([1.0, 3.0])
    >>> x.tolist(), y.tolist()
    ([0.0, 0.5, 1.0], [0.0, 0.25, 1.0])
    """
    v = _scaled(np.sort(_amounts(values, "values")))
    n = v.shape[0]
    x = np.arange(n + 1, dtype=np.float64) / n
    total = float(v.sum())
    if total == 0.0:
        return x, x.copy()
    y = np.concatenate(([0.0], np.cumsum(v) / total))
    y[-1] = 1.0
    return x, y


def _top_count(k: float, n: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int | float | np.integer | np.floating):
        raise InvalidInputError(f"k must be a whole number or a fraction in (0, 1), got {k!r}")
    if isinstance(k, int | np.integer):
        if k < 0:
            raise InvalidInputError(f"k must be >= 0, got {k}")
        return min(int(k), n)
    kf = float(k)
    if not 0.0 < kf < 1.0:
        raise InvalidInputError(
            f"k = {k!r}: a float k is a fraction of the partners and must lie in (0, 1); "
            "pass an int for a count"
        )
    return min(math.ceil(kf * n - 1e-9), n)


def top_share(values: ArrayLike, k: float) -> float:
    """Share of the total made by the ``k`` largest values.

    Parameters
    ----------
    values : array-like, shape (n,)
        Non-negative amounts; n >= 1.
    k : int or float
        An int is a number of partners (capped at n); a float in (0, 1) is a
        fraction of the partners, rounded up (``0.2`` = the top 20 %).

    Returns
    -------
    float
        In [0, 1]; 0 when the total is zero.

    Raises
    ------
    InvalidInputError
        For bad values, a negative k, or a float k outside (0, 1).

    Examples
    --------
    >>> top_share([50.0, 30.0, 10.0, 10.0], 1)
    0.5
    >>> top_share([50.0, 30.0, 10.0, 10.0], 0.5)
    0.8
    """
    v = _scaled(_amounts(values, "values"))
    n = v.shape[0]
    count = _top_count(k, n)
    total = float(v.sum())
    if total == 0.0 or count == 0:
        return 0.0
    if count >= n:
        return 1.0
    top = np.partition(v, n - count)[n - count :]
    return min(float(top.sum()) / total, 1.0)


def hhi(values: ArrayLike, *, scale: float = 1.0) -> float:
    """Herfindahl-Hirschman index: the sum of squared shares.

    Parameters
    ----------
    values : array-like, shape (n,)
        Non-negative amounts; n >= 1 and a positive total.
    scale : float, default 1.0
        Multiply the result, e.g. ``10_000`` for the antitrust convention.

    Returns
    -------
    float
        In :math:`[1/n, 1]` times ``scale``; :math:`1/n` when all are equal.

    Raises
    ------
    InvalidInputError
        For bad values or a zero total (shares are undefined).

    Notes
    -----
    .. math:: HHI = \\sum_i \\left(\\frac{x_i}{\\sum_j x_j}\\right)^2

    :math:`1/HHI` is the "effective number" of equally large partners.

    References
    ----------
    .. [1] Hirschman, A. O. (1964). The paternity of an index. American
       Economic Review, 54(5), 761.

    Examples
    --------
    >>> hhi([1.0, 1.0, 1.0, 1.0])
    0.25
    >>> hhi([3.0, 1.0], scale=10_000)
    6250.0
    """
    v = _scaled(_amounts(values, "values"))
    factor = check_positive(scale, "scale")
    total = float(v.sum())
    if total == 0.0:
        raise InvalidInputError("values sum to zero; the HHI needs a positive total")
    shares = v / total
    return float(shares @ shares) * factor


@overload
def business_model(
    product_share: pd.Series,
    *,
    product_led: float = ...,
    services_led: float = ...,
    labels: Sequence[str] = ...,
    unknown: str = ...,
    recurring_share: ArrayLike | pd.Series | None = ...,
    recurring_threshold: float = ...,
) -> pd.Series: ...
@overload
def business_model(
    product_share: ArrayLike,
    *,
    product_led: float = ...,
    services_led: float = ...,
    labels: Sequence[str] = ...,
    unknown: str = ...,
    recurring_share: pd.Series,
    recurring_threshold: float = ...,
) -> pd.Series: ...
@overload
def business_model(
    product_share: ArrayLike,
    *,
    product_led: float = ...,
    services_led: float = ...,
    labels: Sequence[str] = ...,
    unknown: str = ...,
    recurring_share: ArrayLike | None = ...,
    recurring_threshold: float = ...,
) -> NDArray[np.str_]: ...
def business_model(
    product_share: ArrayLike | pd.Series,
    *,
    product_led: float = 0.7,
    services_led: float = 0.3,
    labels: Sequence[str] = ("product-led", "hybrid", "services-led"),
    unknown: str = "unknown",
    recurring_share: ArrayLike | pd.Series | None = None,
    recurring_threshold: float = 0.5,
) -> NDArray[np.str_] | pd.Series:
    """Label partners by how they make money: the product/services revenue mix.

    Acronyms (VAR, MSP, SI, ...) mean different things to different people;
    the revenue mix does not. Labels are derived from it.

    Parameters
    ----------
    product_share : array-like or pandas.Series, shape (n,)
        Share of each partner's revenue from products, in [0, 1]; NaN where
        unknown.
    product_led : float, default 0.7
        A share >= this is product-led.
    services_led : float, default 0.3
        A share <= this is services-led; must be < ``product_led``.
    labels : sequence of 3 str
        Names for product-led, hybrid and services-led partners.
    unknown : str, default "unknown"
        Label where the share is NaN.
    recurring_share : array-like or pandas.Series, shape (n,), optional
        Share of revenue that is recurring (subscriptions, managed services).
        When given, each label gets a suffix ``", recurring"`` (share >=
        ``recurring_threshold``) or ``", one-off"``; NaN adds no suffix.
    recurring_threshold : float, default 0.5
        Threshold for the recurring suffix.

    Returns
    -------
    numpy.ndarray of str, shape (n,), or pandas.Series
        One label per partner. If ``product_share`` or ``recurring_share`` is
        a Series, a ``category`` Series named ``"business_model"`` with that
        index.

    Raises
    ------
    InvalidInputError
        For shares outside [0, 1], boundaries out of order, not exactly three
        labels, or two Series with different indexes.

    Examples
    --------
    >>> business_model([0.9, 0.5, 0.1, float("nan")]).tolist()
    ['product-led', 'hybrid', 'services-led', 'unknown']
    >>> business_model([0.2], recurring_share=[0.8]).tolist()
    ['services-led, recurring']
    >>> import pandas as pd
    >>> business_model(pd.Series([0.9, 0.1], index=["acme", "bolt"])).tolist()
    ['product-led', 'services-led']
    """
    index = shared_index([("product_share", product_share), ("recurring_share", recurring_share)])
    share = as_float_array(product_share, "product_share", allow_nan=True, bounds=(0.0, 1.0))
    hi = check_fraction(product_led, "product_led")
    lo = check_fraction(services_led, "services_led")
    if not lo < hi:
        raise InvalidInputError(
            f"services_led ({lo}) must be below product_led ({hi}) so that 'hybrid' is non-empty"
        )
    names = [] if isinstance(labels, str) else list(labels)
    if len(names) != 3 or not all(isinstance(s, str) for s in names):
        raise InvalidInputError(
            f"labels must be three strings (product-led, hybrid, services-led), got {labels!r}"
        )
    choices = [*names, str(unknown)]
    if len(set(choices)) != 4:
        raise InvalidInputError(
            f"labels {names!r} and unknown={unknown!r} must be four different strings"
        )
    width = max(len(s) for s in choices)
    code = np.full(share.shape, 1, dtype=np.int8)
    code[share >= hi] = 0
    code[share <= lo] = 2
    code[np.isnan(share)] = 3
    if recurring_share is None:
        if index is not None:
            return labels_like(code, choices, index, "business_model")
        return np.asarray(choices, dtype=f"<U{width}")[code]
    rec = as_float_array(recurring_share, "recurring_share", allow_nan=True, bounds=(0.0, 1.0))
    if rec.shape != share.shape:
        raise InvalidInputError(
            f"recurring_share must have shape {share.shape} like product_share, got {rec.shape}"
        )
    thr = check_fraction(recurring_threshold, "recurring_threshold")
    if index is not None:
        suffixes = ("", ", recurring", ", one-off")
        rec_code = np.where(np.isnan(rec), 0, np.where(rec >= thr, 1, 2)).astype(np.int8)
        combined = code.astype(np.int16) * 3 + rec_code
        names = [c + x for c in choices for x in suffixes]
        return labels_like(combined, names, index, "business_model")
    out = np.asarray(choices, dtype=f"<U{width}")[code]
    suffix = np.where(np.isnan(rec), "", np.where(rec >= thr, ", recurring", ", one-off"))
    return np.char.add(out, suffix.astype("<U11"))


@overload
def yoy_growth(
    revenue: pd.Series, revenue_prior: ArrayLike | pd.Series, *, when_new: float = ...
) -> pd.Series: ...
@overload
def yoy_growth(
    revenue: ArrayLike, revenue_prior: pd.Series, *, when_new: float = ...
) -> pd.Series: ...
@overload
def yoy_growth(
    revenue: ArrayLike, revenue_prior: ArrayLike, *, when_new: float = ...
) -> NDArray[np.float64]: ...
def yoy_growth(
    revenue: ArrayLike | pd.Series,
    revenue_prior: ArrayLike | pd.Series,
    *,
    when_new: float = math.nan,
) -> NDArray[np.float64] | pd.Series:
    """Year-over-year growth of each partner's revenue, as a fraction.

    Parameters
    ----------
    revenue : array-like or pandas.Series, shape (n,) [currency/year]
        This year's revenue, >= 0.
    revenue_prior : array-like or pandas.Series, shape (n,) [currency/year]
        Last year's revenue, >= 0; NaN where unknown.
    when_new : float, default NaN
        Growth reported where the prior revenue is zero or unknown.

    Returns
    -------
    numpy.ndarray or pandas.Series, shape (n,)
        ``(revenue - revenue_prior) / revenue_prior``; ``0.25`` is +25 %. A
        Series named ``"yoy_growth"`` with the index of the Series given.

    Raises
    ------
    InvalidInputError
        For NaN or negative revenue, negative prior revenue, different shapes,
        or two Series with different indexes (align them first).

    Notes
    -----
    Growth is undefined for a partner with no prior revenue: a new partner is
    not infinitely growing. Such partners get ``when_new`` (NaN by default, so
    that they drop out of percentiles computed with :func:`numpy.nanpercentile`);
    they are never given an infinite growth. Should a tiny positive prior make
    the ratio overflow, the growth is the largest finite float.

    Examples
    --------
    >>> yoy_growth([120.0, 50.0, 10.0], [100.0, 100.0, 0.0]).tolist()
    [0.2, -0.5, nan]
    """
    index = shared_index([("revenue", revenue), ("revenue_prior", revenue_prior)])
    now = as_float_array(revenue, "revenue", nonnegative=True)
    prior = as_float_array(revenue_prior, "revenue_prior", nonnegative=True, allow_nan=True)
    if now.shape != prior.shape:
        raise InvalidInputError(
            f"revenue and revenue_prior must have the same shape, got {now.shape} and {prior.shape}"
        )
    if not is_number(when_new):  # the one rule: not "5", not True
        raise InvalidInputError(f"when_new must be a number (or NaN), got {when_new!r}")
    fill = as_real(when_new, "when_new") if when_new == when_new else math.nan
    if math.isinf(fill):
        raise InvalidInputError(f"when_new must be finite or NaN, got {when_new!r}")
    defined = prior > 0  # False for NaN too
    out = np.full(now.shape, fill)
    with np.errstate(over="ignore"):
        np.divide(now - prior, prior, out=out, where=defined)
    # A prior revenue so tiny that the ratio overflows: report the largest finite growth.
    big = np.finfo(np.float64).max
    np.clip(out, -1.0, big, out=out, where=defined)
    if index is not None:
        return series_like(out, index, "yoy_growth")
    return out


# --------------------------------------------------------------------------- profile
def _frozen_dict(value: dict[str, Any]) -> dict[str, Any]:
    return dict(value)


#: Most points of the Lorenz curve a :class:`ChannelProfile` keeps for its plot.
_CURVE_POINTS = 513


def _curve(
    value: tuple[NDArray[np.float64], NDArray[np.float64]] | None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    if value is None:
        return None
    x, y = (np.array(v, dtype=np.float64) for v in value)
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


@attrs.frozen
class ChannelProfile(ResultMixin):
    """Summary of a channel's shape, as computed by :func:`profile_channel`.

    Attributes
    ----------
    n_partners : int
    total_revenue : float [currency/year]
    gini : float
    top5_share : float
        Share of revenue made by the five largest partners.
    top20_share : float
        Share made by the top 20 % of partners.
    hhi : float
    segments : dict of str to (int, float)
        Pareto segment -> (number of partners, share of revenue).
    business_models : dict of str to (int, float)
        Business-model label -> (number of partners, share of revenue).
    growth_percentiles : dict of str to float
        Year-over-year growth percentiles (p10, p25, p50, p75, p90) over the
        partners with a known, positive prior revenue; empty if there are none.
    growing_share : float
        Share of those partners that grew; NaN if there are none.
    by : str or None
        The column the partners were grouped by (``profile_channel(by=...)``).
    groups : dict of str to (int, float)
        Value of ``by`` -> (number of partners, share of revenue); ``""`` is
        the group of partners with a missing value. Empty without ``by``.
    lorenz : (ndarray, ndarray) or None
        The revenue's Lorenz curve (see :func:`lorenz_curve`), thinned to at
        most 513 points, for :meth:`plot`; None if not computed.

    Examples
    --------
    >>> p = profile_channel({"revenue": [80.0, 10.0, 6.0, 4.0]})
    >>> p
    ChannelProfile(n_partners=4, total_revenue=100, gini=0.58, top20_share=0.8)
    >>> print(p.summary())  # doctest: +ELLIPSIS
    Channel profile
    ===============
    Partners       4
    Total revenue  100
    Gini           0.580
    ...
    >>> p.to_frame(by="segment")["partners"].tolist()
    [1, 2, 1]
    """

    n_partners: int
    total_revenue: float
    gini: float
    top5_share: float
    top20_share: float
    hhi: float
    segments: dict[str, tuple[int, float]] = attrs.field(converter=_frozen_dict)
    business_models: dict[str, tuple[int, float]] = attrs.field(converter=_frozen_dict)
    growth_percentiles: dict[str, float] = attrs.field(converter=_frozen_dict)
    growing_share: float
    by: str | None = None
    groups: dict[str, tuple[int, float]] = attrs.field(factory=dict, converter=_frozen_dict)
    lorenz: tuple[NDArray[np.float64], NDArray[np.float64]] | None = attrs.field(
        default=None, converter=_curve, eq=False, repr=False
    )

    def __repr__(self) -> str:
        return one_line(
            "ChannelProfile",
            n_partners=self.n_partners,
            total_revenue=self.total_revenue,
            gini=round(self.gini, 3),
            top20_share=round(self.top20_share, 3),
        )

    def _report(self) -> Report:
        facts = [
            Fact("Partners", fmt_int(self.n_partners), self.n_partners),
            Fact("Total revenue", fmt_money(self.total_revenue), self.total_revenue),
            Fact("Gini", f"{self.gini:.3f}", self.gini),
            Fact("Top-5 share", fmt_pct(self.top5_share), self.top5_share),
            Fact("Top-20% share", fmt_pct(self.top20_share), self.top20_share),
            Fact(
                "HHI",
                f"{self.hhi:.4f} (effective partners: {1 / self.hhi:,.1f})"
                if self.hhi > 0
                else "n/a",
                self.hhi,
            ),
        ]
        blocks: list[Fact | Table | Note] = [*facts]
        blocks.append(
            Table(
                ["Pareto segment", "partners", "revenue share"],
                [[k, c, fmt_pct(s)] for k, (c, s) in self.segments.items()],
                title="Pareto segments",
            )
        )
        blocks.append(
            Table(
                ["business model", "partners", "revenue share"],
                [[k, c, fmt_pct(s)] for k, (c, s) in self.business_models.items()],
                title="Business model (revenue mix)",
            )
        )
        if self.growth_percentiles:
            rows = [[k, f"{v:+.1%}"] for k, v in self.growth_percentiles.items()]
            rows.append(["growing partners", fmt_pct(self.growing_share)])
            blocks.append(Table(["percentile", "growth"], rows, title="Year-over-year growth"))
        else:
            blocks.append(
                Note("Year-over-year growth: no partner has a known prior-year revenue.")
            )
        return Report("Channel profile", blocks)

    def report(self) -> str:
        """The readable multi-line report: the same text as :meth:`summary`."""
        return self.summary()

    def __str__(self) -> str:
        return self.summary()

    def to_frame(self, by: str | None = None) -> pd.DataFrame:
        """The mix tables as a DataFrame (needs pandas).

        Parameters
        ----------
        by : None, "segment" or "business_model"
            None (default): both tables, one row per label with columns
            kind, label, partners, revenue_share. ``"segment"`` or
            ``"business_model"``: that table alone, indexed by label.

        Raises
        ------
        InvalidInputError
            For any other ``by``.
        """
        pd_mod = import_optional("pandas", "pandas")
        kinds = {"segment": self.segments, "business_model": self.business_models}
        if by is None:
            rows = [(kind, k, c, s) for kind, mix in kinds.items() for k, (c, s) in mix.items()]
            frame = pd_mod.DataFrame(rows, columns=["kind", "label", "partners", "revenue_share"])
            return cast("pd.DataFrame", frame)
        if by not in kinds:
            raise InvalidInputError(f"by must be None, 'segment' or 'business_model', got {by!r}")
        mix = kinds[by]
        frame = pd_mod.DataFrame(
            {
                "partners": [c for c, _ in mix.values()],
                "revenue_share": [s for _, s in mix.values()],
            },
            index=pd_mod.Index(list(mix), name=by),
        )
        return cast("pd.DataFrame", frame)

    def plot(self, ax: Axes | None = None) -> Axes:
        """The Lorenz curve of revenue against the line of equality (needs matplotlib).

        The point where the top 20 % of partners begin is marked with their
        share of revenue.

        Raises
        ------
        InvalidInputError
            If the profile was built without its curve (``lorenz`` is None).
        """
        if self.lorenz is None:
            raise InvalidInputError(
                "this ChannelProfile has no Lorenz curve (lorenz=None); use profile_channel"
            )
        x, y = self.lorenz
        out = axes(ax, figsize=(5.5, 5.0))
        out.plot(x, y, color=COLORS["primary"], label=f"revenue (Gini {self.gini:.2f})")
        out.plot(
            [0.0, 1.0], [0.0, 1.0], linestyle="--", color=COLORS["equality"], label="equality"
        )
        out.fill_between(x, y, x, color=COLORS["primary"], alpha=0.15)
        cut = 1.0 - self.top20_share
        out.plot([0.8], [cut], marker="o", color=COLORS["target"])
        out.annotate(
            f"top 20% of partners: {self.top20_share:.0%} of revenue",
            xy=(0.8, cut),
            xytext=(0.05, 0.55),
            arrowprops={"arrowstyle": "->", "color": COLORS["neutral"]},
            fontsize="small",
        )
        out.set_xlim(0.0, 1.0)
        out.set_ylim(0.0, 1.0)
        out.set_xlabel("share of partners (smallest first)")
        out.set_ylabel("share of revenue")
        out.set_title(f"Revenue concentration of {fmt_int(self.n_partners)} partners")
        out.set_aspect("equal")
        out.legend(loc="upper left")
        out.grid(True, alpha=0.3)
        return out


def _mix(
    labels: NDArray[np.str_], revenue: NDArray[np.float64], order: Sequence[str]
) -> dict[str, tuple[int, float]]:
    revenue = _scaled(revenue)  # shares only: scale so that the sums cannot overflow
    total = float(revenue.sum())
    uniq, inv = np.unique(labels, return_inverse=True)
    counts = np.bincount(inv, minlength=uniq.size)
    sums = np.bincount(inv, weights=revenue, minlength=uniq.size)
    found = {
        str(u): (int(c), float(s) / total if total else 0.0) for u, c, s in zip(uniq, counts, sums)
    }
    ordered = [k for k in order if k in found] + sorted(k for k in found if k not in order)
    return {k: found[k] for k in ordered}


def profile_channel(
    partners: PortfolioLike,
    *,
    contributor_share: float = 0.8,
    tail_share: float = 0.05,
    by: str | None = None,
) -> ChannelProfile:
    """Profile a channel: size, concentration, Pareto segments, business models, growth.

    Parameters
    ----------
    partners : Portfolio, DataFrame, mapping of column -> array, or sequence of Partner
        Needs ``revenue``; uses ``product_share`` and ``revenue_prior`` where known.
    contributor_share, tail_share : float
        Passed to :func:`pareto_segments`.
    by : str, optional
        A column to group the partners by: a text attribute (tier, segment,
        owner), ``region`` or a metric; the profile's ``groups`` then gives
        each value's number of partners and share of revenue.

    Returns
    -------
    ChannelProfile

    Raises
    ------
    InvalidInputError
        For an empty population, invalid columns, or revenue adding up to
        more than the largest float (``total_revenue`` would be infinite).

    Notes
    -----
    Every statistic is computed on finite revenue however large: sums are
    taken after scaling by a power of two (which is exact), so revenue near
    the float limits gives the same shares as revenue in units of one.

    Examples
    --------
    >>> p = profile_channel({"revenue": [80.0, 10.0, 6.0, 4.0],
    ...                      "revenue_prior": [60.0, 10.0, 8.0, float("nan")]})
    >>> p.segments["contributor"]
    (1, 0.8)
    >>> p.growth_percentiles["p50"]
    0.0
    >>> profile_channel({"revenue": [80.0, 10.0, 10.0], "tier": ["Gold", "Silver", "Silver"]},
    ...                 by="tier").groups
    {'Gold': (1, 0.8), 'Silver': (2, 0.2)}
    """
    pf = as_portfolio(partners)
    if len(pf) == 0:
        raise InvalidInputError("partners is empty; a channel profile needs at least one partner")
    rev = np.asarray(pf.revenue)
    segs = pareto_segments(rev, contributor_share, tail_share)
    models = business_model(pf.product_share)
    growth = yoy_growth(rev, pf.revenue_prior)
    known = growth[~np.isnan(growth)]
    qs = (10, 25, 50, 75, 90)
    pcts = {f"p{q}": float(v) for q, v in zip(qs, np.percentile(known, qs))} if known.size else {}
    e = _scale_exponent(rev)
    try:
        total = math.ldexp(float(np.ldexp(rev, -e).sum()), e) if e else float(rev.sum())
    except OverflowError:
        raise InvalidInputError(
            f"the partners' revenue adds up to more than the largest float "
            f"({np.finfo(np.float64).max:.4g}), so total_revenue cannot be reported; "
            "express revenue in larger units (thousands, millions)"
        ) from None
    x, y = lorenz_curve(rev)
    keep = np.unique(np.linspace(0, len(pf), min(len(pf) + 1, _CURVE_POINTS)).round().astype(int))
    return ChannelProfile(
        n_partners=len(pf),
        total_revenue=total,
        gini=gini(rev),
        top5_share=top_share(rev, 5),
        top20_share=top_share(rev, 0.2),
        hhi=hhi(rev) if total > 0 else 0.0,
        segments=_mix(segs, rev, SEGMENTS),
        business_models=_mix(models, rev, ("product-led", "hybrid", "services-led", "unknown")),
        growth_percentiles=pcts,
        growing_share=float((known > 0).mean()) if known.size else math.nan,
        by=by,
        groups={} if by is None else _mix(_group_labels(pf, by), rev, ()),
        lorenz=(x[keep], y[keep]),
    )


def _group_labels(pf: Any, by: str) -> NDArray[np.str_]:
    """The values of column ``by`` as text labels, one per partner."""
    if not isinstance(by, str) or not pf.has_column(by) or by == "id":
        names = [c for c in pf.columns if c != "id"]
        raise InvalidInputError(
            f"by={by!r} is not a column of the partners; available: {', '.join(names)}"
        )
    values = np.asarray(pf.column(by))
    if values.dtype.kind == "f":
        return np.char.mod("%g", values)
    return values.astype(str)
