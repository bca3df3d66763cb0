"""The shape of a channel: concentration, Pareto segments, business models, growth.

Sales in a channel are extremely concentrated: a handful of *contributors*
make most of the revenue, *potentials* follow, and a *long tail* sells very
little. This module measures that shape with vectorized kernels (each works
on a million partners in milliseconds) and summarises it in a
:class:`ChannelProfile`.

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
from typing import TYPE_CHECKING, Any, cast

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_float_array, check_fraction, check_positive
from .errors import InvalidInputError
from .partners import as_portfolio

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

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


def pareto_segments(
    revenue: ArrayLike, contributor_share: float = 0.8, tail_share: float = 0.05
) -> NDArray[np.str_]:
    """Label every partner ``"contributor"``, ``"potential"`` or ``"long_tail"``.

    Parameters
    ----------
    revenue : array-like, shape (n,) [currency/year]
        Revenue of each partner, >= 0.
    contributor_share : float in (0, 1], default 0.8
        Share of total revenue the contributors must make together.
    tail_share : float in [0, 1), default 0.05
        Largest share of total revenue the long tail may make together.

    Returns
    -------
    numpy.ndarray of str, shape (n,)
        One label per partner, in the input order.

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
    """
    rev = _amounts(revenue, "revenue", allow_empty=True)
    c_share = check_fraction(contributor_share, "contributor_share", include_zero=False)
    t_share = check_fraction(tail_share, "tail_share", include_one=False)
    n = rev.shape[0]
    out = np.full(n, SEGMENTS[1], dtype="<U11")
    if n == 0:
        return out
    total = float(rev.sum())
    # Only the sorted *values* are needed to find the two cut points; the labels then
    # follow from comparisons with the cut values (ties broken by input position). This
    # avoids an indirect sort, which is about ten times slower than sorting values.
    asc = np.sort(rev)
    desc = asc[::-1]
    # Relative tolerance so that a share hit exactly (e.g. 80 of 100) is not lost to rounding.
    tol = 1e-12 * total
    k = (
        int(np.searchsorted(np.cumsum(desc), c_share * total - tol, side="left")) + 1
        if total > 0
        else 0
    )
    k = min(k, n)
    t = int(np.searchsorted(np.cumsum(asc), t_share * total + tol, side="right"))
    t = min(t, n - k)
    if t:
        cut = asc[t - 1]
        below = rev < cut
        extra = t - int(np.count_nonzero(below))
        out[below] = SEGMENTS[2]
        if extra:  # ties at the cut: the last ones in input order join the tail
            out[np.flatnonzero(rev == cut)[-extra:]] = SEGMENTS[2]
    if k:
        cut = desc[k - 1]
        above = rev > cut
        extra = k - int(np.count_nonzero(above))
        out[above] = SEGMENTS[0]
        if extra:  # ties at the cut: the first ones in input order are contributors
            out[np.flatnonzero(rev == cut)[:extra]] = SEGMENTS[0]
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
    x = _amounts(values, "values")  # a private copy: sort it in place
    x.sort()
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
    v = np.sort(_amounts(values, "values"))
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
    v = _amounts(values, "values")
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
    v = _amounts(values, "values")
    factor = check_positive(scale, "scale")
    total = float(v.sum())
    if total == 0.0:
        raise InvalidInputError("values sum to zero; the HHI needs a positive total")
    shares = v / total
    return float(shares @ shares) * factor


def business_model(
    product_share: ArrayLike,
    *,
    product_led: float = 0.7,
    services_led: float = 0.3,
    labels: Sequence[str] = ("product-led", "hybrid", "services-led"),
    unknown: str = "unknown",
    recurring_share: ArrayLike | None = None,
    recurring_threshold: float = 0.5,
) -> NDArray[np.str_]:
    """Label partners by how they make money: the product/services revenue mix.

    Acronyms (VAR, MSP, SI, ...) mean different things to different people;
    the revenue mix does not. Labels are derived from it.

    Parameters
    ----------
    product_share : array-like, shape (n,)
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
    recurring_share : array-like, shape (n,), optional
        Share of revenue that is recurring (subscriptions, managed services).
        When given, each label gets a suffix ``", recurring"`` (share >=
        ``recurring_threshold``) or ``", one-off"``; NaN adds no suffix.
    recurring_threshold : float, default 0.5
        Threshold for the recurring suffix.

    Returns
    -------
    numpy.ndarray of str, shape (n,)

    Raises
    ------
    InvalidInputError
        For shares outside [0, 1], boundaries out of order, or not exactly
        three labels.

    Examples
    --------
    >>> business_model([0.9, 0.5, 0.1, float("nan")]).tolist()
    ['product-led', 'hybrid', 'services-led', 'unknown']
    >>> business_model([0.2], recurring_share=[0.8]).tolist()
    ['services-led, recurring']
    """
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
    out = np.asarray(choices, dtype=f"<U{width}")[code]
    if recurring_share is None:
        return out
    rec = as_float_array(recurring_share, "recurring_share", allow_nan=True, bounds=(0.0, 1.0))
    if rec.shape != share.shape:
        raise InvalidInputError(
            f"recurring_share must have shape {share.shape} like product_share, got {rec.shape}"
        )
    thr = check_fraction(recurring_threshold, "recurring_threshold")
    suffix = np.where(np.isnan(rec), "", np.where(rec >= thr, ", recurring", ", one-off"))
    return np.char.add(out, suffix.astype("<U11"))


def yoy_growth(
    revenue: ArrayLike, revenue_prior: ArrayLike, *, when_new: float = math.nan
) -> NDArray[np.float64]:
    """Year-over-year growth of each partner's revenue, as a fraction.

    Parameters
    ----------
    revenue : array-like, shape (n,) [currency/year]
        This year's revenue, >= 0.
    revenue_prior : array-like, shape (n,) [currency/year]
        Last year's revenue, >= 0; NaN where unknown.
    when_new : float, default NaN
        Growth reported where the prior revenue is zero or unknown.

    Returns
    -------
    numpy.ndarray, shape (n,)
        ``(revenue - revenue_prior) / revenue_prior``; ``0.25`` is +25 %.

    Raises
    ------
    InvalidInputError
        For NaN or negative revenue, negative prior revenue, or different shapes.

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
    now = as_float_array(revenue, "revenue", nonnegative=True)
    prior = as_float_array(revenue_prior, "revenue_prior", nonnegative=True, allow_nan=True)
    if now.shape != prior.shape:
        raise InvalidInputError(
            f"revenue and revenue_prior must have the same shape, got {now.shape} and {prior.shape}"
        )
    try:
        fill = float(when_new)
    except (TypeError, ValueError):
        raise InvalidInputError(f"when_new must be a number (or NaN), got {when_new!r}") from None
    if math.isinf(fill):
        raise InvalidInputError(f"when_new must be finite or NaN, got {when_new!r}")
    defined = prior > 0  # False for NaN too
    out = np.full(now.shape, fill)
    with np.errstate(over="ignore"):
        np.divide(now - prior, prior, out=out, where=defined)
    # A prior revenue so tiny that the ratio overflows: report the largest finite growth.
    big = np.finfo(np.float64).max
    np.clip(out, -1.0, big, out=out, where=defined)
    return out


# --------------------------------------------------------------------------- profile
def _frozen_dict(value: dict[str, Any]) -> dict[str, Any]:
    return dict(value)


@attrs.frozen
class ChannelProfile:
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

    def __repr__(self) -> str:
        return (
            f"ChannelProfile(n_partners={self.n_partners}, total_revenue={self.total_revenue:.6g}, "
            f"gini={self.gini:.3f}, top20_share={self.top20_share:.3f})"
        )

    def report(self) -> str:
        """A readable multi-line report (what ``channelkit demo`` prints)."""
        lines = [
            f"Partners            {self.n_partners:>12,d}",
            f"Total revenue       {self.total_revenue:>12,.0f}",
            "",
            "Concentration",
            f"  Gini              {self.gini:>12.3f}",
            f"  Top-5 share       {self.top5_share:>12.1%}",
            f"  Top-20% share     {self.top20_share:>12.1%}",
            f"  HHI               {self.hhi:>12.4f}  (effective partners: {1 / self.hhi:,.1f})"
            if self.hhi > 0
            else f"  HHI               {'n/a':>12}",
            "",
            "Pareto segments              partners   revenue share",
        ]
        for label, (count, share) in self.segments.items():
            lines.append(f"  {label:<26}{count:>10,d}   {share:>12.1%}")
        lines += ["", "Business model (revenue mix)  partners   revenue share"]
        for label, (count, share) in self.business_models.items():
            lines.append(f"  {label:<26}{count:>10,d}   {share:>12.1%}")
        lines += ["", "Year-over-year growth"]
        if self.growth_percentiles:
            pct = "  ".join(f"{k} {v:+.1%}" for k, v in self.growth_percentiles.items())
            lines.append(f"  {pct}")
            lines.append(f"  growing partners  {self.growing_share:.1%}")
        else:
            lines.append("  no partner has a known prior-year revenue")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()

    def to_frame(self) -> pd.DataFrame:
        """Segments and business models as a DataFrame (kind, label, partners, revenue_share)."""
        from ._optional import import_optional

        pd_mod = import_optional("pandas", "pandas")
        rows = [("segment", k, c, s) for k, (c, s) in self.segments.items()]
        rows += [("business_model", k, c, s) for k, (c, s) in self.business_models.items()]
        frame = pd_mod.DataFrame(rows, columns=["kind", "label", "partners", "revenue_share"])
        return cast("pd.DataFrame", frame)


def _mix(
    labels: NDArray[np.str_], revenue: NDArray[np.float64], order: Sequence[str]
) -> dict[str, tuple[int, float]]:
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
    partners: Any,
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
        For an empty population or invalid columns.

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
    total = float(rev.sum())
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
