"""Capacity planning: from a revenue target to partners, recruits and managers.

Two ways to size a channel live here:

* **closed forms** that a spreadsheet can check: :func:`partners_needed`
  (the breakdown method, adjusted for attrition and ramp),
  :func:`break_even_revenue` and :func:`incremental_capacity` (the break-even
  and incremental views of sales-management texts);
* **the Monte Carlo plan** :func:`plan_capacity`: simulate many possible
  years of a channel made of :class:`Segment` s, month by month, and find the
  smallest channel that reaches the target with the confidence you ask for.
  The answer is a :class:`CapacityPlan`.

The workload build-up method for managers is
:func:`channelkit.workload.managers_needed`; :func:`plan_capacity` uses it.
"""

from __future__ import annotations

import math
import numbers
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _plotstyle
from ._montecarlo import (
    WorkersLike,
    child_seed,
    chunk_rows,
    resolve,
    root_seed,
    run_map,
    spawn_seeds,
    worker_pool,
)
from ._montecarlo import (
    cache_clear as _cache_clear,
)
from ._montecarlo import (
    cache_pop as _cache_pop,
)
from ._montecarlo import (
    cache_put as _cache_put,
)
from ._optional import import_optional
from ._recruitment import RowParams as _RowParams
from ._recruitment import SegKernel as _SegKernel
from ._recruitment import check_distribution as _distribution
from ._recruitment import checked_draws as _checked_draws
from ._recruitment import checked_segments as _checked_segments
from ._recruitment import draw_partner_block as _draw_partner_block
from ._recruitment import draw_productivity as _draw_productivity
from ._recruitment import exp_lifetimes as _exp_lifetimes
from ._recruitment import lifetimes as _lifetimes
from ._recruitment import log_survival as _log_survival
from ._render import (
    Fact,
    Note,
    Report,
    ResultMixin,
    Table,
    fmt_int,
    fmt_money,
    fmt_num,
)
from ._validation import (
    SeedLike,
    as_float_array,
    as_whole,
    check_fraction,
    check_nonnegative,
    check_positive,
)
from .errors import InfeasibleError, InvalidInputError
from .partners import Portfolio, PortfolioLike, as_portfolio
from .workload import WorkloadModel, managers_needed

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = [
    "CapacityPlan",
    "FunnelStage",
    "Segment",
    "allocate_shares",
    "break_even_revenue",
    "incremental_capacity",
    "partners_needed",
    "plan_capacity",
]

#: Smallest relative tolerance that keeps floating-point noise from adding a
#: partner when a target is an exact multiple of what partners deliver (the
#: same convention as :func:`channelkit.workload.managers_needed`); a sum of
#: ``n`` terms gets ``n`` machine epsilons (see :func:`_rtol`).
RTOL = 1e-12

#: Most prospect slots of one segment the search looks at in one step.
_MAX_SPAN = 8192


def _rtol(n_terms: ArrayLike) -> NDArray[np.float64]:
    """Relative tolerance for comparing a sum of ``n_terms`` floats with a target.

    Summing ``n`` terms accumulates up to about ``n`` machine epsilons of
    relative rounding error, so ``n * eps``, at least :data:`RTOL`; but never
    more than a quarter of one term (``0.25 / n``), so that the tolerance
    cannot remove a whole partner from a very large count.
    """
    n = np.maximum(np.asarray(n_terms, dtype=np.float64), 1.0)
    tol = np.minimum(n * np.finfo(np.float64).eps, 0.25 / n)
    return np.asarray(np.maximum(RTOL, tol), dtype=np.float64)


#: Manager hours a year of an existing partner without the workload model's columns
#: (a segment's default workload: 24 touches of 3 hours).
DEFAULT_EXISTING_HOURS = 72.0

#: Percentile levels stored in a plan for the fan chart [%].
PLAN_PERCENTILES = (5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0)


class _ReadOnlyMap(Mapping[str, Any]):
    """A read-only, hashable, picklable mapping whose repr is a dict literal."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = dict(data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_ReadOnlyMap, (self._data,))


# --------------------------------------------------------------------------- closed forms
def _mean_survival(attrition: float, months: int = 12) -> float:
    """Mean over ``months`` of the probability that a partner is still active.

    A partner leaves at the end of each month with probability
    ``1 - (1 - attrition) ** (1/12)``, so it is active in month ``m``
    (0-based) with probability ``(1 - attrition) ** (m / 12)``.
    """
    if attrition >= 1.0:
        return 1.0 / months
    m = np.arange(months, dtype=np.float64)
    return float(np.mean(np.exp(m * math.log1p(-attrition) / 12.0)))


def partners_needed(
    target: float,
    productivity: float,
    *,
    attrition: float = 0.0,
    ramp: float = 1.0,
) -> int:
    """Partners needed to reach a yearly revenue target (the breakdown method).

    Parameters
    ----------
    target : float [currency/year]
        Revenue to reach in the year, >= 0.
    productivity : float [currency/year]
        Revenue of one fully productive partner in a year, > 0.
    attrition : float in [0, 1], default 0.0
        Annual probability that a partner leaves. Departures are spread over
        the year (monthly rate ``1 - (1 - attrition) ** (1/12)``).
    ramp : float in (0, 1], default 1.0
        Fraction of full productivity a partner delivers over the year because
        it is still ramping up (1 for an established partner; see
        :meth:`Segment.ramp_fraction` for a linear ramp).

    Returns
    -------
    int
        The number of partners to have at the start of the year.

    Raises
    ------
    InvalidInputError
        For a negative, NaN or infinite target, a non-positive productivity,
        attrition outside [0, 1] or ramp outside (0, 1].

    Notes
    -----
    The breakdown method divides the target by what one partner sells. Two
    adjustments make the division honest about partners that are not there
    or not yet productive all year:

    .. math::

        N = \\left\\lceil \\frac{T}{p \\, r \\, S(a)} \\right\\rceil, \\qquad
        S(a) = \\frac{1}{12} \\sum_{m=0}^{11} (1 - a)^{m/12}

    :math:`S(a)` is the expected share of the year a partner stays active when
    it leaves with annual probability :math:`a`, spread evenly over the
    months; it is close to the rule of thumb :math:`1 - a/2` (0.905 against
    0.9 for :math:`a = 0.2`). :math:`r` is the ramp fraction. This is exactly
    the *expected* revenue of a partner in :func:`plan_capacity` with a
    constant productivity and a ramp that is flat over the year; with no
    attrition and no ramp the Monte Carlo plan equals this closed form. As in
    :func:`~channelkit.workload.managers_needed`, a relative tolerance keeps
    floating-point noise from adding a partner: ``max(1e-12, (N + 12) eps)``,
    the rounding a simulated sum over :math:`N` partners and 12 months can
    accumulate (the same tolerance :func:`plan_capacity` uses), capped at a
    quarter of a partner.

    References
    ----------
    .. [1] Zoltners, A. A., Sinha, P. and Lorimer, S. E. (2004). Sales Force
       Design for Strategic Advantage. Palgrave Macmillan (the breakdown,
       workload and incremental methods).

    Examples
    --------
    A target of 1,000,000 a year with partners who sell 50,000 each:

    >>> partners_needed(1_000_000, 50_000)
    20

    If a fifth of the partners leave during the year, each is active about
    90.5 % of the year on average, so 1,000,000 / (50,000 x 0.905) = 22.1,
    rounded up:

    >>> partners_needed(1_000_000, 50_000, attrition=0.2)
    23

    New partners that ramp up and deliver 75 % of a full year:

    >>> partners_needed(1_000_000, 50_000, attrition=0.2, ramp=0.75)
    30
    """
    t = check_nonnegative(target, "target")
    p = _check_scalar_positive(productivity, "productivity")
    a = check_fraction(attrition, "attrition")
    r = check_fraction(ramp, "ramp", include_zero=False)
    if t == 0.0:
        return 0
    ratio = t / (p * r * _mean_survival(a))
    tol = float(_rtol(math.ceil(ratio) + 12))
    return max(1, math.ceil(ratio * (1.0 - tol)))  # any positive target needs a partner


def _check_scalar_positive(value: Any, name: str) -> float:
    return check_positive(value, name)


def break_even_revenue(cost: ArrayLike, margin: ArrayLike = 1.0) -> NDArray[np.float64]:
    """Revenue one more partner or manager must bring in to pay for itself.

    Parameters
    ----------
    cost : array-like [currency/year]
        Yearly cost of the added capacity (a manager's loaded salary, the
        program cost of a partner: benefits, MDF, onboarding), >= 0.
    margin : array-like in (0, 1], default 1.0
        Contribution margin of that revenue for the vendor.

    Returns
    -------
    ndarray of float [currency/year]
        ``cost / margin``, broadcast over the inputs (0-d for scalars).

    Raises
    ------
    InvalidInputError
        For negative or NaN costs, margins outside (0, 1], or a break-even
        revenue beyond the largest float (a huge cost over a tiny margin).

    Notes
    -----
    .. math:: R_{break-even} = C / m

    The break-even view of sales-force sizing: capacity pays for itself when
    the margin on the revenue it adds covers its cost.

    Examples
    --------
    A channel manager costing 150,000 a year at a 30 % margin must bring in
    500,000 of extra revenue:

    >>> float(break_even_revenue(150_000, 0.3))
    500000.0
    >>> break_even_revenue([10_000, 20_000], 0.25).tolist()
    [40000.0, 80000.0]
    """
    c = as_float_array(cost, "cost", ndim=None, nonnegative=True)
    m = as_float_array(margin, "margin", ndim=None, bounds=(0.0, 1.0))
    if (m <= 0).any():
        raise InvalidInputError(f"margin must lie in (0, 1], got {margin!r}")
    try:
        with np.errstate(over="ignore"):
            out = np.asarray(c / m, dtype=np.float64)
    except ValueError:
        raise InvalidInputError(
            f"cost and margin must broadcast together (shapes {c.shape} and {m.shape})"
        ) from None
    if not np.isfinite(out).all():
        raise InvalidInputError(
            f"cost / margin exceeds the largest float ({np.finfo(np.float64).max:.4g}) for "
            f"cost = {float(np.broadcast_to(c, out.shape)[~np.isfinite(out)][0])!r} and "
            f"margin = {float(np.broadcast_to(m, out.shape)[~np.isfinite(out)][0])!r}; "
            "express the cost in larger units"
        )
    return out


def incremental_capacity(revenue: ArrayLike, unit_cost: float, *, margin: float = 1.0) -> int:
    """Capacity that maximises profit: add units while the marginal gain pays for them.

    Parameters
    ----------
    revenue : array-like, shape (n,) [currency/year]
        ``revenue[i]`` is the total revenue expected with ``i`` units of
        capacity (partners, managers), ``i = 0 .. n-1``; a sales-response curve.
    unit_cost : float [currency/year]
        Yearly cost of one unit, >= 0.
    margin : float in (0, 1], default 1.0
        Contribution margin on revenue.

    Returns
    -------
    int
        The number of units ``n*`` that maximises ``margin * revenue[n] -
        unit_cost * n`` (the smallest one on ties).

    Raises
    ------
    InvalidInputError
        For an empty, NaN or negative revenue curve, a negative cost or a
        margin outside (0, 1].

    Notes
    -----
    The incremental method keeps adding capacity while the marginal
    contribution :math:`m \\, (R(n) - R(n-1))` is greater than the unit cost
    :math:`c`, and stops at the first unit whose contribution only equals its
    cost (it adds nothing to profit). For a concave response curve
    (diminishing returns) that stops exactly at the profit maximum
    :math:`\\arg\\max_n \\, m R(n) - c n`, which is what this function
    returns for any curve (the smallest maximiser on ties).

    References
    ----------
    .. [1] Zoltners, A. A., Sinha, P. and Lorimer, S. E. (2004). Sales Force
       Design for Strategic Advantage. Palgrave Macmillan, ch. 5.

    Examples
    --------
    Revenue (thousands) with 0..5 managers, a 50 % margin and a manager
    costing 120: the marginal contributions are 250, 200, 150, 100, 50, so
    the third manager is the last one that pays for itself.

    >>> incremental_capacity([0, 500, 900, 1200, 1400, 1500], 120, margin=0.5)
    3
    """
    r = as_float_array(revenue, "revenue", nonnegative=True, allow_empty=False)
    c = check_nonnegative(unit_cost, "unit_cost")
    m = check_fraction(margin, "margin", include_zero=False)
    profit = m * r - c * np.arange(r.size, dtype=np.float64)
    return int(np.argmax(profit))


# --------------------------------------------------------------------------- segments
def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"Segment name must be a non-empty string, got {value!r}")
    return value


def _sample(value: Any) -> NDArray[np.float64]:
    arr = as_float_array(value, "productivity", ndim=1, nonnegative=True, allow_empty=False)
    if not (arr > 0).any():
        raise InvalidInputError("productivity sample is all zero; expected some positive revenue")
    arr.flags.writeable = False
    return arr


def _productivity(value: Any) -> Any:
    if hasattr(value, "rvs") and callable(value.rvs):
        return _distribution(value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return _check_scalar_positive(value, "productivity")
    if isinstance(value, str | bytes):
        raise InvalidInputError(
            f"productivity must be a number, a sample or a scipy.stats distribution, got {value!r}"
        )
    return _sample(value)


def _productivity_repr(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return repr(value.tolist())  # valid Python: the converter makes it an array again
    return repr(value)


def _productivity_eq(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
    return bool(a == b)


def _hash_key(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return ("ndarray", value.tobytes())
    try:
        hash(value)
    except TypeError:
        return type(value).__name__  # equal objects have the same type: a valid hash
    return value


def _ramp_curve(value: Any) -> tuple[float, ...] | None:
    if value is None:
        return None
    arr = as_float_array(value, "ramp_curve", ndim=1, allow_empty=False, bounds=(0.0, 1.0))
    return tuple(float(x) for x in arr)


def _non_negative_int(value: Any, name: str) -> int:
    return as_whole(value, name, minimum=0)


def _lag_months(value: Any) -> int:
    return _non_negative_int(value, "lag_months")


def _ramp_months(value: Any) -> int:
    return _non_negative_int(value, "ramp_months")


def _stage_rate(value: Any) -> float:
    return check_fraction(value, "FunnelStage.rate", include_zero=False)


def _attrition(value: Any) -> float:
    return check_fraction(value, "attrition")


def _conversion(value: Any) -> float:
    return check_fraction(value, "conversion", include_zero=False)


def _touches(value: Any) -> float:
    return check_nonnegative(value, "touches_per_year")


def _hours_per_touch(value: Any) -> float:
    return check_nonnegative(value, "hours_per_touch")


@attrs.frozen
class FunnelStage:
    """One stage of the recruitment funnel, from prospect to productive partner.

    Parameters
    ----------
    name : str
        Stage name, e.g. ``"qualified"``, ``"signed"``, ``"onboarded"``.
    rate : float in (0, 1]
        Share of the prospects entering the stage that pass it.
    lag_months : int, default 0
        Months the stage takes [months].

    Examples
    --------
    >>> FunnelStage("signed", 0.5, lag_months=2)
    FunnelStage(name='signed', rate=0.5, lag_months=2)
    """

    name: str = attrs.field(converter=_name)
    rate: float = attrs.field(converter=_stage_rate)
    lag_months: int = attrs.field(default=0, converter=_lag_months)


def _funnel(value: Any) -> tuple[FunnelStage, ...]:
    stages = tuple(value)
    for i, stage in enumerate(stages):
        if not isinstance(stage, FunnelStage):
            raise InvalidInputError(f"funnel[{i}] must be a FunnelStage, got {stage!r}")
    return stages


def _metrics(value: Any) -> Mapping[str, float]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"Segment metrics must be a mapping, got {value!r}")
    out: dict[str, float] = {}
    for key, val in value.items():
        if not isinstance(key, str) or not key:
            raise InvalidInputError(f"Segment metrics keys must be non-empty strings, got {key!r}")
        out[key] = float(as_float_array(val, f"metrics[{key!r}]", ndim=0))
    return _ReadOnlyMap(out)


@attrs.frozen
class Segment:
    """A kind of partner in a capacity plan or a channel simulation.

    Parameters
    ----------
    name : str
        Segment name (unique within a plan).
    productivity : float, array-like or frozen scipy.stats distribution [currency/year]
        What a fully productive partner of the segment sells in a year: a
        number, a sample of observed partners (resampled with replacement;
        stored as a read-only array) or a frozen distribution with ``.rvs``,
        ``.mean`` and ``.cdf`` (drawn with ``.rvs(random_state=rng)``). A
        distribution must have a finite mean >= 0 and no negative values
        (e.g. ``lognorm``, ``gamma``, ``pareto``; ``truncnorm`` for a normal).
    ramp_months : int, default 0
        Months a new partner takes to reach full productivity; productivity
        grows linearly from 0 to full over them (month ``i`` delivers the
        month's average, ``min(1, (i + 0.5) / ramp_months)``).
    attrition : float in [0, 1], default 0.0
        Annual probability that a partner leaves; the monthly probability is
        ``1 - (1 - attrition) ** (1/12)``.
    conversion : float in (0, 1], default 1.0
        Share of recruited prospects that become productive partners
        (multiplied by the funnel stage rates, if any).
    share : float, optional
        Share of the channel's partner count (normalised over the segments);
        default: equal shares.
    ramp_curve : sequence of float in [0, 1], optional
        User-supplied ramp: fraction of full productivity in months 0, 1, ...
        after becoming productive (full productivity after the curve ends).
        Overrides ``ramp_months``.
    funnel : sequence of FunnelStage, optional
        Stage-by-stage funnel from prospect to productive partner; the stage
        rates multiply ``conversion`` and their lags delay the first revenue.
    growth : float, default 0.0
        Annual growth of a partner's revenue (market growth), > -1.
    touches_per_year : float, default 24.0
        Manager contacts a partner of the segment needs per year [1/year].
    hours_per_touch : float, default 3.0
        Hours per contact [hours]. The defaults (72 h a year) let a
        2,000-hour manager handle about 28 partners, within the 20-30 rule of
        thumb.
    workload : object with ``.hours(partners)``, optional
        Any object whose ``.hours(partners)`` returns the manager hours per
        year of each partner [hours/year] (duck typed: for instance
        :class:`channelkit.workload.WorkloadModel`); with
        ``profile`` it replaces touches x hours: the segment's hours per
        partner are the mean of ``workload.hours(profile)``.
    profile : Portfolio, DataFrame or mapping, optional
        Typical partners of the segment, for ``workload``.
    metrics : mapping of str to float, optional
        Typical metrics of a partner of the segment (certified staff,
        CSAT...), used when a tier program is evaluated in
        :func:`~channelkit.simulation.simulate_channel`; stored read-only.

    Raises
    ------
    InvalidInputError
        For an empty name, a non-positive or NaN productivity, a
        distribution with invalid parameters, a non-finite or negative mean or
        negative values, rates outside their ranges, negative months or a
        workload without a profile.

    Notes
    -----
    Segments are immutable and hashable: equal segments hash alike (the
    workload model and profile are compared but left out of the hash, and a
    distribution compares by identity, as scipy's frozen distributions do).

    Examples
    --------
    >>> seg = Segment("resellers", 120_000.0, ramp_months=6, attrition=0.15)
    >>> seg.monthly_attrition  # doctest: +ELLIPSIS
    0.01345...
    >>> round(seg.ramp_fraction(12), 4)  # 6 ramping months out of 12
    0.75
    >>> seg.hours_per_partner
    72.0
    """

    name: str = attrs.field(converter=_name)
    productivity: Any = attrs.field(
        converter=_productivity,
        repr=_productivity_repr,
        eq=attrs.cmp_using(eq=_productivity_eq),
    )
    ramp_months: int = attrs.field(default=0, converter=_ramp_months)
    attrition: float = attrs.field(default=0.0, converter=_attrition)
    conversion: float = attrs.field(default=1.0, converter=_conversion)
    share: float | None = attrs.field(default=None)
    ramp_curve: tuple[float, ...] | None = attrs.field(default=None, converter=_ramp_curve)
    funnel: tuple[FunnelStage, ...] = attrs.field(default=(), converter=_funnel)
    growth: float = attrs.field(default=0.0)
    touches_per_year: float = attrs.field(default=24.0, converter=_touches)
    hours_per_touch: float = attrs.field(default=3.0, converter=_hours_per_touch)
    workload: Any = attrs.field(default=None)
    profile: Portfolio | None = attrs.field(default=None)
    metrics: Mapping[str, float] = attrs.field(factory=dict, converter=_metrics)

    def __hash__(self) -> int:
        return hash(
            (
                self.name,
                _hash_key(self.productivity),
                self.ramp_months,
                self.attrition,
                self.conversion,
                self.share,
                self.ramp_curve,
                self.funnel,
                self.growth,
                self.touches_per_year,
                self.hours_per_touch,
                self.metrics,
            )
        )

    def __attrs_post_init__(self) -> None:
        if self.share is not None:
            share = _check_scalar_positive(self.share, f"share of segment {self.name!r}")
            object.__setattr__(self, "share", share)
        growth = self.growth
        if isinstance(growth, bool) or not isinstance(growth, numbers.Real):
            raise InvalidInputError(f"growth must be a number > -1, got {growth!r}")
        if not (float(growth) > -1.0 and math.isfinite(growth)):
            raise InvalidInputError(f"growth must be a finite number > -1, got {growth!r}")
        object.__setattr__(self, "growth", float(growth))
        if self.workload is not None:
            if not callable(getattr(self.workload, "hours", None)):
                raise InvalidInputError(
                    f"workload of segment {self.name!r} must have a .hours(partners) method"
                )
            if self.profile is None:
                raise InvalidInputError(
                    f"segment {self.name!r} has a workload model but no profile; pass "
                    "profile=typical partners of the segment"
                )
        if self.profile is not None:
            object.__setattr__(self, "profile", as_portfolio(self.profile, "profile"))

    # ------------------------------------------------------------------ derived values
    @property
    def monthly_attrition(self) -> float:
        """Monthly probability of leaving, ``1 - (1 - attrition) ** (1/12)``."""
        return float(1.0 - (1.0 - self.attrition) ** (1.0 / 12.0))

    @property
    def overall_conversion(self) -> float:
        """Share of prospects that become productive: conversion x the stage rates."""
        return float(self.conversion * math.prod(s.rate for s in self.funnel))

    @property
    def lag_months(self) -> int:
        """Months from signing a prospect to its first revenue (the funnel lags)."""
        return sum(s.lag_months for s in self.funnel)

    @property
    def hours_per_partner(self) -> float:
        """Manager hours a partner of the segment needs per year [hours/year]."""
        if self.workload is not None:
            hours = as_float_array(
                self.workload.hours(self.profile),
                f"workload hours of segment {self.name!r}",
                nonnegative=True,
                allow_empty=False,
            )
            return float(np.mean(hours))
        return self.touches_per_year * self.hours_per_touch

    @property
    def mean_productivity(self) -> float:
        """Mean productivity [currency/year] (may be inf for very heavy tails)."""
        p = self.productivity
        if isinstance(p, float):
            return p
        if isinstance(p, np.ndarray):
            return float(np.mean(p))
        return float(p.mean())

    def tail_share(self, threshold: float) -> float:
        """Share of the segment's partners whose productivity is strictly below ``threshold``.

        For a distribution that is ``P(X < threshold)``, the cdf just below the
        threshold, so a discrete distribution, a sample and a number all count
        a partner selling exactly ``threshold`` as *not* below it.
        """
        p = self.productivity
        if isinstance(p, float):
            return 1.0 if p < threshold else 0.0
        if isinstance(p, np.ndarray):
            return float(np.mean(p < threshold))
        below = np.nextafter(float(threshold), -math.inf)
        return float(np.clip(p.cdf(below), 0.0, 1.0))

    def ramp(self, months: int) -> NDArray[np.float64]:
        """Fraction of full productivity in each of the first ``months`` months of a partner."""
        age = np.arange(months, dtype=np.float64)
        if self.ramp_curve is not None:
            curve = np.asarray(self.ramp_curve)
            out = np.ones(months)
            k = min(months, curve.size)
            out[:k] = curve[:k]
            return out
        if self.ramp_months == 0:
            return np.ones(months)
        return np.minimum(1.0, (age + 0.5) / self.ramp_months)

    def ramp_fraction(self, horizon_months: int = 12) -> float:
        """Share of full productivity a new partner delivers over the horizon.

        The mean over the horizon's months of the ramp, counting the funnel
        lag as months without revenue; feed it to :func:`partners_needed` as
        ``ramp``.
        """
        h = int(horizon_months)
        if h < 1:
            raise InvalidInputError(f"horizon_months must be >= 1, got {horizon_months!r}")
        d = self.lag_months
        active = max(h - d, 0)
        return float(self.ramp(active).sum() / h)

    def draw_productivity(
        self, rng: np.random.Generator, shape: tuple[int, ...]
    ) -> NDArray[np.float64]:
        """Draw productivities [currency/year] of ``shape`` partners with ``rng``."""
        return _draw_productivity(self.productivity, rng, shape, self.name)

    def _unit(self, horizon: int) -> NDArray[np.float64]:
        """Revenue per unit of annual productivity in each month of activity.

        Entry ``i`` is for the partner's ``i``-th productive month, which is
        month ``lag + i`` of the horizon: ramp x growth / 12.
        """
        d = self.lag_months
        t = max(horizon - d, 0)
        months = d + np.arange(t, dtype=np.float64)
        return self.ramp(t) * (1.0 + self.growth) ** (months / 12.0) / 12.0

    def _log_survival(self) -> float:
        return _log_survival(self.attrition)


def _as_segments(segments: Any) -> tuple[Segment, ...]:
    return _checked_segments(segments, Segment)


def _weights(segs: Sequence[Segment]) -> NDArray[np.float64]:
    if segs[0].share is None:
        return np.full(len(segs), 1.0 / len(segs))
    w = np.array([float(s.share) for s in segs])  # type: ignore[arg-type]
    return np.asarray(w / w.sum(), dtype=np.float64)


# --------------------------------------------------------------------------- kernels
def _allocation_table(weights: NDArray[np.float64], n_max: int) -> NDArray[np.int64]:
    """Partners per segment for every channel size 0..n_max, shape (n_max + 1, k).

    Seats go one at a time to the segment with the smallest Sainte-Laguë
    priority ``(j + 0.5) / share`` (ties to the first segment), so the
    allocation of N partners is contained in that of N + 1 (house monotone,
    unlike largest remainders, which can take a partner away from a segment
    when the channel grows: the Alabama paradox).
    """
    k = weights.size
    seg_list: list[NDArray[np.int64]] = []
    prio_list: list[NDArray[np.float64]] = []
    for i, w in enumerate(weights):
        j = np.arange(math.ceil((n_max + k) * w) + 2, dtype=np.float64)
        prio_list.append((j + 0.5) / w)
        seg_list.append(np.full(j.size, i, dtype=np.int64))
    prio = np.concatenate(prio_list)
    seg = np.concatenate(seg_list)
    order = np.lexsort((seg, prio))[:n_max]
    onehot = np.zeros((n_max + 1, k), dtype=np.int64)
    onehot[np.arange(1, n_max + 1), seg[order]] = 1
    return np.cumsum(onehot, axis=0)


def allocate_shares(total: int, shares: ArrayLike) -> NDArray[np.int64]:
    """Split ``total`` partners into segments in proportion to ``shares``.

    Parameters
    ----------
    total : int
        Number of partners, >= 0.
    shares : array-like, shape (k,)
        Positive shares (normalised).

    Returns
    -------
    ndarray of int, shape (k,)
        Partners per segment, summing to ``total``.

    Notes
    -----
    The Sainte-Laguë (Webster) divisor method: partners are handed out one at
    a time to the segment with the smallest ``(n_k + 0.5) / share_k``. It
    almost always agrees with largest remainders but is *house monotone*: a
    larger channel never has fewer partners in any segment, which the
    monotone search of :func:`plan_capacity` relies on.

    Examples
    --------
    >>> allocate_shares(10, [0.5, 0.3, 0.2]).tolist()
    [5, 3, 2]
    >>> allocate_shares(7, [1, 1, 1]).tolist()
    [3, 2, 2]
    """
    if isinstance(total, bool) or not isinstance(total, numbers.Integral) or total < 0:
        raise InvalidInputError(f"total must be a non-negative int, got {total!r}")
    w = as_float_array(shares, "shares", nonnegative=True, allow_empty=False)
    if (w <= 0).any():
        raise InvalidInputError(f"shares[{int(np.argmin(w))}] must be positive")
    return _allocation_table(w / w.sum(), int(total))[-1]


def _prospects(partners: ArrayLike, conversion: float) -> NDArray[np.int64]:
    """Prospects to recruit for ``partners`` productive ones: ceil(n / conversion)."""
    n = np.asarray(partners, dtype=np.float64)
    return np.ceil(n / conversion * (1.0 - 1e-12)).astype(np.int64)


#: Largest number of stored partner draws (simulations x partners, all segments) a chunk
#: keeps for the final evaluation; beyond it the evaluation draws them again (bounded memory).
_KEEP_LIMIT = 1 << 22


class _Partners:
    """The converted partners of one segment in one chunk, drawn in nested blocks.

    A prospect converts with probability ``c``, so the prospects between two
    converted ones are geometric: each partner draws its gap
    ``floor(E / -log(1 - c)) + 1`` (E standard exponential), its lifetime
    ``floor(E' / hazard) + 1`` and its productivity, and nothing is drawn for
    prospects that do not convert. Block ``b`` comes from the stream
    ``child_seed(chunk_seed, 1 + k, b)`` in the order productivity, lifetime,
    gap, so a segment that differs only in attrition or conversion sees the
    same numbers, and a higher attrition or conversion moves every partner
    the same way (the plan's monotonicity). ``pos`` is the partner's prospect
    index (slot) within the segment; slot ``j`` signs in month ``j % w``.
    """

    def __init__(
        self, eng: _Engine, k: int, seed: np.random.SeedSequence, rows: int, offset: int = 0
    ) -> None:
        kern = eng.segments[k]
        kernels = eng.draws[k] if eng.draws is not None else (kern,)
        ids = None
        if len(kernels) > 1:
            ids = np.asarray((offset + np.arange(rows)) % len(kernels), dtype=np.intp)
        self.params = _RowParams.of(kernels, ids, rows)
        self.k, self.seed, self.rows = k, seed, rows
        self.hazard = -np.asarray(self.params.log_s, dtype=np.float64)
        self.w = eng.recruit_months
        self.active = max(eng.horizon - kern.lag, 0)
        self.lag = kern.lag
        self.unit = kern.unit
        self.cum_unit = np.concatenate([[0.0], np.cumsum(kern.unit)])
        self.growth = None
        if self.w > 1 and kern.growth != 0.0:
            self.growth = (1.0 + kern.growth) ** (np.arange(self.w) / 12.0)
        # drawn blocks: (pos, life, weight, cum); blocks before `first` are folded into base
        # (slots, months active, weights, cumulative revenue) per block
        self.blocks: list[Any] = []
        self.n_blocks = 0
        self.first = 0
        self.base = np.zeros(rows)
        self.last_pos = np.full(rows, -1.0)
        self.last_cum = np.zeros(rows)
        self.drawn = 0  # partners per simulation drawn so far

    def _draw(self) -> None:
        b, rows = self.n_blocks, self.rows
        pos, e_life, prod = _draw_partner_block(
            self.params, self.seed, self.k, b, rows, self.last_pos
        )
        size = pos.shape[1]
        # months active, capped at the months left in the horizon (w = 1: all of them)
        life = _exp_lifetimes(e_life, self.hazard, self.active + (self.w > 1))
        if self.w > 1:
            sign = np.fmod(pos, self.w).astype(np.intp)
            np.minimum(life, np.maximum(self.active - sign, 0), out=life)
            weight = prod * self.growth[sign] if self.growth is not None else prod
        else:
            weight = prod
        cum = np.empty((rows, size + 1))
        cum[:, 0] = self.last_cum
        np.multiply(weight, self.cum_unit[life], out=cum[:, 1:])
        np.cumsum(cum, axis=1, out=cum)  # sequential from the first partner
        cum = cum[:, 1:]
        self.blocks.append((pos, life, weight, cum))
        self.last_pos = pos[:, -1]
        self.last_cum = cum[:, -1]
        self.n_blocks += 1
        self.drawn += size

    def cover(self, rows: NDArray[np.intp], slots: int) -> None:
        """Draw until every simulation in ``rows`` has all its partners among the first ``slots`` prospects."""
        while rows.size and bool((self.last_pos[rows] < slots - 1).any()):
            self._draw()

    def advance(self, rows: NDArray[np.intp], slots: int, drop: bool) -> None:
        """Fold the blocks lying wholly before prospect ``slots`` (for ``rows``) into the base."""
        while self.first < len(self.blocks) - 1:
            pos, _, _, cum = self.blocks[self.first]
            if not bool((pos[rows, -1] < slots).all()):
                break
            self.base = cum[:, -1]
            if drop:
                self.blocks[self.first] = None
            self.first += 1

    def lookup(self, rows: NDArray[np.intp]) -> _Lookup:
        """The horizon revenue of the first ``slots`` prospects of each of ``rows``, prepared."""
        parts = self.blocks[self.first :]
        base = self.base[rows]
        if not parts:
            return _Lookup(np.zeros((rows.size, 0), dtype=np.int64), np.zeros(1), base, 0, 0)
        if rows.size == self.rows:  # every simulation: no gather
            pos = np.concatenate([p[0] for p in parts], axis=1)
            cum = np.concatenate([p[3] for p in parts], axis=1)
        else:
            pos = np.concatenate([p[0][rows] for p in parts], axis=1)
            cum = np.concatenate([p[3][rows] for p in parts], axis=1)
        big = int(pos[:, -1].max()) + 2
        off = np.arange(rows.size, dtype=np.float64)[:, None] * big
        flat = np.concatenate([[0.0], cum.ravel()])
        return _Lookup((pos + off).ravel(), flat, base, big, pos.shape[1])

    def stored(self) -> list[tuple[NDArray[Any], NDArray[Any], NDArray[np.float64]]]:
        """Every block drawn (none dropped): slots, months active, weights."""
        life_t = np.uint8 if self.active < 255 else np.int32
        return [(p[0], p[1].astype(life_t), p[2]) for p in self.blocks]


@attrs.frozen(eq=False)
class _Lookup:
    """Sorted slots of several simulations laid end to end, for one searchsorted per query."""

    pos: NDArray[np.float64]  # slot + row * big, row-major
    cum: NDArray[np.float64]  # 0, then the cumulative revenue, row-major
    base: NDArray[np.float64]  # revenue before the first kept slot, per row
    big: int
    width: int

    def at(self, which: NDArray[np.intp], slots: NDArray[np.int64]) -> NDArray[np.float64]:
        """Revenue of the first ``slots[i]`` prospects of row ``which[i]`` (rows of the lookup)."""
        if self.width == 0:
            return self.base[which]
        q = np.minimum(slots, self.big - 1) + which * self.big
        idx = np.searchsorted(self.pos, q)
        local = idx - which * self.width
        return np.where(local > 0, self.cum[idx], self.base[which])


def _monthly_signed(
    life: NDArray[Any],
    weight: NDArray[np.float64],
    pos: NDArray[Any],
    w: int,
    unit: NDArray[np.float64],
    lag: int,
    horizon: int,
) -> NDArray[np.float64]:
    """Monthly revenue (rows, horizon) of partners signed in month ``pos % w``."""
    rows = life.shape[0]
    out = np.zeros((rows, horizon))
    t = unit.size
    if t == 0 or life.shape[1] == 0:
        return out
    if w == 1:
        out[:, lag:] = _monthly_from_lives(life, weight, unit)
        return out
    sign = np.fmod(pos, w).astype(np.intp)
    idx = ((np.arange(rows)[:, None] * w + sign) * (t + 1) + np.minimum(life, t)).ravel()
    by_life = np.bincount(idx, weights=weight.ravel(), minlength=rows * w * (t + 1))
    by_life = by_life.reshape(rows, w, t + 1)
    alive = np.cumsum(by_life[:, :, ::-1], axis=2)[:, :, ::-1][:, :, 1:]
    for s in range(min(w, t)):
        start = lag + s
        out[:, start:] += alive[:, s, : horizon - start] * unit[: horizon - start]
    return out


def _monthly_from_lives(
    life: NDArray[Any], weight: NDArray[np.float64], unit: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Monthly revenue (rows, len(unit)) of slots active for ``life`` months.

    A slot with weight ``w`` active for ``L`` months earns ``w * unit[i]`` in
    its months ``i < L``; grouping the weights by lifetime (a row-wise
    bincount) and taking suffix sums avoids a (rows, slots, months) array.
    """
    rows = life.shape[0]
    t = unit.size
    if t == 0 or life.shape[1] == 0:
        return np.zeros((rows, t))
    idx = (np.arange(rows)[:, None] * (t + 1) + np.minimum(life, t)).ravel()
    by_life = np.bincount(idx, weights=weight.ravel(), minlength=rows * (t + 1))
    by_life = by_life.reshape(rows, t + 1)
    # alive[:, i] = total weight of slots with life > i
    alive = np.cumsum(by_life[:, ::-1], axis=1)[:, ::-1][:, 1:]
    return alive * unit


@attrs.frozen(eq=False)
class _Engine:
    """Everything a chunk needs, picklable for process pools and dask (kernels only).

    ``draws`` holds, per segment, one kernel per parameter draw (simulation
    ``i`` uses draw ``i % n_draws``); ``segments`` are the point estimates
    that turn a channel size into prospects.
    """

    segments: tuple[_SegKernel, ...]
    weights: NDArray[np.float64]
    horizon: int
    existing_revenue: NDArray[np.float64]
    existing_log_s: float
    recruit_months: int = 1
    draws: tuple[tuple[_SegKernel, ...], ...] | None = None


def _engine(
    segs: Sequence[Segment],
    weights: NDArray[np.float64],
    horizon: int,
    existing_revenue: NDArray[np.float64],
    existing_log_s: float,
    recruit_months: int = 1,
    draws: Sequence[Sequence[Segment]] | None = None,
) -> _Engine:
    kernels = tuple(_SegKernel.of(s, horizon) for s in segs)
    per_seg = None
    if draws is not None:
        per_seg = tuple(tuple(_SegKernel.of(s, horizon) for s in d) for d in draws)
    return _Engine(
        kernels, weights, horizon, existing_revenue, existing_log_s, recruit_months, per_seg
    )


def _existing_chunk(eng: _Engine, seed: np.random.SeedSequence, rows: int) -> NDArray[np.float64]:
    """Monthly revenue (rows, horizon) of the existing partners."""
    rev = eng.existing_revenue
    h = eng.horizon
    unit = np.full(h, 1.0 / 12.0)
    if rev.size == 0:
        return np.zeros((rows, h))
    if eng.existing_log_s == 0.0:
        return np.full((rows, h), rev.sum() / 12.0)
    rng = np.random.default_rng(child_seed(seed, 0))
    u = 1.0 - rng.random((rows, rev.size))
    life = _lifetimes(u, eng.existing_log_s, h + 1)
    return _monthly_from_lives(life, np.broadcast_to(rev, (rows, rev.size)), unit)


_Block = tuple[NDArray[np.float64], NDArray[Any], NDArray[np.float64]]
_Stored = tuple[NDArray[np.float64], list[list[_Block]]]


def _search_chunk(task: tuple[Any, ...]) -> tuple[NDArray[np.int64], _Stored | None]:
    """Smallest channel size reaching the target for each simulation of a chunk, and the draws.

    Sizes above ``max_partners`` are reported as ``max_partners + 1``. The
    sizes are searched in windows (sizes up to ``n_start``, then growing by a
    quarter, with at most :data:`_MAX_SPAN` sizes a window), the converted
    partners drawn only as far as a simulation still short of the target
    needs, and a simulation leaves the search once it reaches the target.
    Returns the existing partners' monthly revenue and every segment's
    partners (slot, months, weight) for the final evaluation, or ``None`` for
    those when they exceed ``keep_limit`` draws (then blocks are dropped as
    the search passes them: memory stays bounded).
    """
    eng_ref, seed, rows, target, n_start, max_partners, offset, keep_limit = task
    eng: _Engine = resolve(eng_ref)
    h = eng.horizon
    n_ex = eng.existing_revenue.size
    ex_monthly = _existing_chunk(eng, seed, rows)
    existing = ex_monthly.sum(axis=1)
    need = np.full(rows, -1, dtype=np.int64)
    need[existing >= target * (1.0 - _rtol(n_ex + h))] = 0
    parts = [_Partners(eng, k, seed, rows, offset) for k in range(len(eng.segments))]
    conv = np.array([kern.conv for kern in eng.segments])
    per_slot = float(np.min(conv / np.maximum(eng.weights, 1e-300)))
    max_step = max(1, min(_MAX_SPAN, int(_MAX_SPAN * per_slot)))
    keep = True
    lo, hi = 0, max(1, min(n_start, max_step))
    table = _allocation_table(eng.weights, 0)
    base_terms = float(n_ex + h)
    while lo < max_partners:
        pend = np.flatnonzero(need < 0)
        if pend.size == 0:
            break
        hi = min(hi, max_partners)
        if table.shape[0] <= hi:
            table = _allocation_table(eng.weights, max(hi, min(2 * table.shape[0], max_partners)))
        lo_slots = [
            int(_prospects(table[lo, k], kern.conv)) for k, kern in enumerate(eng.segments)
        ]
        for k, d in enumerate(parts):
            d.cover(pend, int(_prospects(table[hi, k], eng.segments[k].conv)))
            if keep and rows * sum(p.drawn for p in parts) > keep_limit:
                keep = False  # too many to keep: drop the blocks the search has passed
                for p in parts:
                    p.blocks[: p.first] = [None] * p.first
            d.advance(pend, lo_slots[k], drop=not keep)
        looks = [d.lookup(pend) for d in parts]

        ex_pend = existing[pend]

        def reached(which: NDArray[np.intp], size: NDArray[np.int64]) -> NDArray[np.bool_]:
            return _reached(ex_pend, looks, table, eng, which, size, target, base_terms)  # noqa: B023

        # bisection per simulation: not reached at lo (or 0), reached at hi
        every = np.arange(pend.size)
        ok = reached(every, np.full(pend.size, hi))
        which = every[ok]
        a = np.full(which.size, lo)
        b = np.full(which.size, hi)
        while which.size and bool((b - a > 1).any()):
            mid = (a + b) // 2
            hit = reached(which, mid)
            b = np.where(hit, mid, b)
            a = np.where(hit, a, mid)
        need[pend[which]] = b
        lo = hi
        hi = lo + min(max(16, lo // 4), max_step)
    need[need < 0] = max_partners + 1
    if not keep:
        return need, None
    return need, (ex_monthly, [d.stored() for d in parts])


def _reached(
    existing: NDArray[np.float64],
    looks: Sequence[_Lookup],
    table: NDArray[np.int64],
    eng: _Engine,
    which: NDArray[np.intp],
    size: NDArray[np.int64],
    target: float,
    base_terms: float,
) -> NDArray[np.bool_]:
    """Whether simulation ``which[i]`` (of the lookups) reaches the target at size ``size[i]``."""
    total = existing[which].copy()
    n_terms = np.full(which.size, base_terms)
    for k, look in enumerate(looks):
        slots = _prospects(table[size, k], eng.segments[k].conv)
        total += look.at(which, slots)
        n_terms += slots
    return np.asarray(total >= target * (1.0 - _rtol(n_terms)))


def _plan_chunk(task: tuple[Any, ...]) -> NDArray[np.int64]:
    """:func:`_search_chunk` that keeps the draws in this process for :func:`_final_chunk`."""
    plan, index, *search = task
    need, stored = _search_chunk(tuple(search))
    if stored is not None:
        _cache_put(plan, index, stored)
    return need


def _final_chunk(
    task: tuple[Any, ...],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The final channel's cumulative monthly revenue from the kept draws, or drawn again.

    Drawing again gives the same numbers, so the plan does not depend on
    where the chunk ran.
    """
    plan, index, eng_ref, seed, rows, counts, offset = task
    eng: _Engine = resolve(eng_ref)
    stored = _cache_pop(plan, index)
    out = None if stored is None else _eval_stored(eng, stored, counts)
    if out is None:
        out = _eval_chunk((eng_ref, seed, rows, counts, offset))
    return np.cumsum(out[0], axis=1), out[1]  # cumulative by month: work off the parent


def _need_chunk(task: tuple[Any, ...]) -> NDArray[np.int64]:
    """Smallest channel size reaching the target, for each simulation of a chunk.

    ``task`` is ``(engine, seed, rows, target, n_start, max_partners[, offset])``.
    """
    eng_ref, seed, rows, target, n_start, max_partners, *rest = task
    offset = int(rest[0]) if rest else 0
    return _search_chunk((eng_ref, seed, rows, target, n_start, max_partners, offset, 0))[0]


def _add_blocks(
    monthly: NDArray[np.float64],
    eng: _Engine,
    k: int,
    blocks: Iterator[_Block],
    slots: int,
) -> bool:
    """Add the revenue of segment ``k``'s first ``slots`` prospects, block by block.

    Returns False when the blocks run out before every simulation's
    ``slots`` prospects are covered. The stored and the redrawn evaluations
    both go through here, in the same order, so they agree to the last bit.
    """
    kern = eng.segments[k]
    if slots == 0:
        return True
    for pos, life, weight in blocks:
        inside = pos < slots
        cols = int(np.flatnonzero(inside.any(axis=0))[-1]) + 1 if inside.any() else 0
        if cols == 0:
            return True  # every simulation's slots end before this block
        monthly += _monthly_signed(
            life[:, :cols],
            np.where(inside[:, :cols], weight[:, :cols], 0.0),
            pos[:, :cols],
            eng.recruit_months,
            kern.unit,
            kern.lag,
            eng.horizon,
        )
        if bool((pos[:, -1] >= slots - 1).all()):
            return True
    return False


def _eval_stored(
    eng: _Engine, stored: _Stored, counts: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """Monthly revenue of ``counts`` partners from a chunk's stored draws (None if too few)."""
    ex_monthly, per_seg = stored
    monthly = ex_monthly.copy()
    for k, (kern, blocks) in enumerate(zip(eng.segments, per_seg)):
        slots = int(_prospects(counts[k], kern.conv))
        if not _add_blocks(monthly, eng, k, iter(blocks), slots):
            return None  # a simulation's partners beyond the draws: draw again
    return monthly, ex_monthly.sum(axis=1)


def _redraw(d: _Partners) -> Iterator[_Block]:
    life_t = np.uint8 if d.active < 255 else np.int32
    while True:
        d._draw()
        pos, life, weight, _ = d.blocks.pop()
        yield pos, life.astype(life_t), weight


def _eval_chunk(
    task: tuple[Any, ...],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Monthly revenue (rows, horizon) of a channel with ``counts`` partners per segment.

    Draws the partners again, block by block (memory stays bounded). Also
    returns the existing partners' horizon revenue (rows,). ``task`` is
    ``(engine, seed, rows, counts[, offset])``.
    """
    eng_ref, seed, rows, counts, *rest = task
    offset = int(rest[0]) if rest else 0
    eng: _Engine = resolve(eng_ref)
    ex_monthly = _existing_chunk(eng, seed, rows)
    monthly = ex_monthly.copy()
    for k, kern in enumerate(eng.segments):
        slots = int(_prospects(counts[k], kern.conv))
        _add_blocks(monthly, eng, k, _redraw(_Partners(eng, k, seed, rows, offset)), slots)
    return monthly, ex_monthly.sum(axis=1)


def _plan_tasks_seeds(
    n_sims: int, seed: SeedLike
) -> list[tuple[np.random.SeedSequence, int, int]]:
    """(seed, rows, first simulation) of each chunk."""
    rows = chunk_rows(n_sims)
    offsets = np.concatenate([[0], np.cumsum(rows)[:-1]]).astype(int).tolist()
    return list(zip(spawn_seeds(root_seed(seed), len(rows)), rows, offsets))


# --------------------------------------------------------------------------- the plan
def _frozen_counts(value: Mapping[str, int]) -> Mapping[str, int]:
    return _ReadOnlyMap(value)


def _frozen_array(value: ArrayLike) -> NDArray[Any]:
    arr = np.array(value)
    arr.flags.writeable = False
    return arr


def _check_int(value: Any, name: str, minimum: int) -> int:
    return as_whole(value, name, minimum=minimum)


@attrs.frozen(eq=False, repr=False)
class CapacityPlan(ResultMixin):
    """The answer of :func:`plan_capacity`: partners, recruits and managers.

    The result protocol: a one-line ``repr``, :meth:`summary` (text; HTML in
    a notebook), :meth:`headline` (managers, partners, recruits, probability
    of the target, revenue percentiles), :meth:`to_frame` (per segment or per
    month) and :meth:`plot` (the fan chart against the target). The arrays
    are read-only and the mappings are read-only views.

    Attributes
    ----------
    target : float [currency]
        Revenue target over the horizon.
    horizon_months : int
        Planning horizon [months].
    confidence : float
        Requested probability of reaching the target.
    segments : tuple of Segment
        The segments planned.
    partners : mapping of str to int (read-only)
        Productive partners to plan per segment (the channel size).
    recruits : mapping of str to int (read-only)
        Prospects to recruit per segment, ``ceil(partners / conversion)``.
    distributor_partners : mapping of str to int (read-only)
        New partners per segment routed to distributors (productivity below
        the threshold); they still sell but need no manager time.
    managers : int
        Channel managers needed in total: the workload build-up over the
        managed new partners *and* the managed existing partners.
    probability_of_target : float
        Share of the simulations in which the channel reaches the target.
    probability_se : float
        Monte Carlo standard error of that probability,
        ``sqrt(p (1 - p) / n_sims)``.
    revenue : ndarray, shape (n_sims,) [currency]
        Simulated revenue over the horizon (new and existing partners).
    monthly_percentiles : ndarray, shape (len(percentile_levels), horizon_months)
        Percentiles of the cumulative revenue at the end of each month.
    percentile_levels : tuple of float
        The levels [%] of ``monthly_percentiles``.
    required_partners : ndarray of int, shape (n_sims,)
        In each simulation, the smallest channel that reaches the target
        (``max_partners + 1`` when none does); its empirical CDF is the
        probability of reaching the target as a function of channel size.
    existing_revenue : float [currency]
        Mean revenue of the existing partners over the horizon.
    recruit_months : int
        Months over which the prospects are signed (round robin).
    new_managers : int
        Managers the managed new partners alone would need.
    existing_managers : int
        Managers the managed existing partners alone would need (the sum of
        the two can exceed ``managers`` by one: both are rounded up).
    existing_partners : int
        Partners in the existing channel.
    existing_distributor_partners : int
        Existing partners routed to distributors (revenue below the threshold).
    existing_hours : float [hours/year]
        Manager hours the managed existing partners need in a year.
    parameter_draws : int
        Parameter draws behind the simulations (``parameter_draws=`` of
        :func:`plan_capacity`); 0 for point estimates.
    parameter_variance_share : float or None
        With parameter draws, the share of the horizon revenue's variance
        that comes from parameter uncertainty: the variance between the
        draws' mean revenue over the total (law of total variance; the rest
        is the partners' own randomness within a draw); 0 for a single draw.
        None without draws, or when a draw has fewer than two simulations.
    existing_hours_by_region : mapping of str to float (read-only) [hours/year]
        Those hours per region of the existing partners.
    manager_hours : float [hours/year]
        Hours of one manager for partners (``hours_available x utilisation``);
        with :attr:`new_hours_by_region`, :attr:`hours_by_region` and
        :attr:`managers_by_region` the headcount per region.

    Examples
    --------
    >>> seg = Segment("resellers", 100_000.0)
    >>> plan = plan_capacity(1_000_000.0, [seg], n_sims=20, seed=0)
    >>> plan
    CapacityPlan(partners={'resellers': 10}, recruits={'resellers': 10}, managers=1, probability_of_target=1.000)
    >>> plan.headline()["managers"], plan.headline()["partners"]
    (1, 10)
    >>> print(plan.summary())
    Capacity plan: target 1,000,000 over 12 months at 90% confidence (20 simulations)
    =================================================================================
    Managers                      1
    New partners                  10
    Recruits (prospects)          10
    New partners to distributors  0
    Probability of target         1.000 (Monte Carlo s.e. 0.000)
    Horizon revenue P5            1,000,000
    Horizon revenue P50           1,000,000
    Horizon revenue P95           1,000,000
    <BLANKLINE>
    segment    partners  recruits  distributor  managed  hours/partner
    ---------  --------  --------  -----------  -------  -------------
    resellers        10        10            0       10             72
    total            10        10            0       10
    >>> plan.to_frame(by="month").loc[12, "cumulative_revenue_p50"]
    np.float64(1000000.0)
    """

    target: float
    horizon_months: int
    confidence: float
    segments: tuple[Segment, ...]
    partners: Mapping[str, int] = attrs.field(converter=_frozen_counts)
    recruits: Mapping[str, int] = attrs.field(converter=_frozen_counts)
    distributor_partners: Mapping[str, int] = attrs.field(converter=_frozen_counts)
    managers: int
    probability_of_target: float
    probability_se: float
    revenue: NDArray[np.float64] = attrs.field(converter=_frozen_array)
    monthly_percentiles: NDArray[np.float64] = attrs.field(converter=_frozen_array)
    percentile_levels: tuple[float, ...]
    required_partners: NDArray[np.int64] = attrs.field(converter=_frozen_array)
    existing_revenue: float
    recruit_months: int = 1
    new_managers: int = 0
    existing_managers: int = 0
    existing_partners: int = 0
    existing_distributor_partners: int = 0
    existing_hours: float = 0.0
    parameter_draws: int = 0
    parameter_variance_share: float | None = None
    existing_hours_by_region: Mapping[str, float] = attrs.field(
        factory=dict, converter=_ReadOnlyMap
    )
    manager_hours: float = 2000.0

    @property
    def new_hours(self) -> float:
        """Manager hours the managed new partners need in a year [hours/year]."""
        return float(
            sum(
                (self.partners[s.name] - self.distributor_partners[s.name]) * s.hours_per_partner
                for s in self.segments
            )
        )

    @property
    def new_hours_by_region(self) -> dict[str, float]:
        """The new partners' hours split over regions like the existing partners' hours.

        New partners have no region yet: they are expected where the managed
        channel is today, in proportion to its hours (all under ``""`` when
        there is no existing channel with regions).
        """
        ex = self.existing_hours_by_region
        total = float(sum(ex.values()))
        if total <= 0:
            return {"": self.new_hours}
        return {r: self.new_hours * h / total for r, h in ex.items()}

    @property
    def hours_by_region(self) -> dict[str, float]:
        """Manager hours per region, existing and new partners [hours/year]."""
        out = dict(self.existing_hours_by_region)
        for r, h in self.new_hours_by_region.items():
            out[r] = out.get(r, 0.0) + h
        return out

    @property
    def managers_by_region(self) -> dict[str, int]:
        """Managers needed per region: ``ceil(hours_by_region / manager_hours)``.

        Each region rounds up on its own, so the sum can exceed
        :attr:`managers` (one pool for the whole channel) by up to the number
        of regions less one.
        """
        return {
            r: managers_needed(1, 1.0, h, hours_available=self.manager_hours)
            for r, h in self.hours_by_region.items()
        }

    @property
    def n_sims(self) -> int:
        """Number of simulations behind the plan."""
        return int(self.revenue.size)

    @property
    def total_partners(self) -> int:
        """Partners over all segments."""
        return sum(self.partners.values())

    @property
    def total_recruits(self) -> int:
        """Prospects to recruit over all segments."""
        return sum(self.recruits.values())

    @property
    def recruits_per_month(self) -> dict[str, list[int]]:
        """Prospects to sign in each of the first ``recruit_months`` months, per segment."""
        w = self.recruit_months
        return {
            name: [int(x) for x in np.bincount(np.arange(r) % w, minlength=w)]
            for name, r in self.recruits.items()
        }

    def probability_at(self, n_partners: ArrayLike) -> NDArray[np.float64]:
        """Probability of reaching the target with a channel of ``n_partners`` partners."""
        n = as_float_array(n_partners, "n_partners", ndim=None, nonnegative=True)
        req = np.sort(self.required_partners)
        return np.searchsorted(req, n, side="right") / req.size

    def revenue_percentiles(
        self, q: ArrayLike = (5, 10, 25, 50, 75, 90, 95)
    ) -> dict[float, float]:
        """Percentiles [currency] of the simulated horizon revenue, keyed by level [%]."""
        levels = as_float_array(q, "q", bounds=(0.0, 100.0))
        values = np.percentile(self.revenue, levels)
        return {float(k): float(v) for k, v in zip(levels, values)}

    def __repr__(self) -> str:
        p = f"probability_of_target={self.probability_of_target:.3f}"
        text = (
            f"CapacityPlan(partners={dict(self.partners)!r}, recruits={dict(self.recruits)!r}, "
            f"managers={self.managers}, {p})"
        )
        if len(text) < 200:
            return text
        return (  # many segments: the totals
            f"CapacityPlan(segments={len(self.segments)}, total_partners={self.total_partners}, "
            f"total_recruits={self.total_recruits}, managers={self.managers}, {p})"
        )

    # ------------------------------------------------------------------ the report
    # One method per part, so that a later field (hours or managers by region)
    # adds a fact or a table without touching the others.
    def _rows(self) -> list[dict[str, Any]]:
        rows = []
        for seg in self.segments:
            n = self.partners[seg.name]
            dist = self.distributor_partners[seg.name]
            rows.append(
                {
                    "segment": seg.name,
                    "partners": n,
                    "recruits": self.recruits[seg.name],
                    "distributor_partners": dist,
                    "managed_partners": n - dist,
                    "hours_per_partner": seg.hours_per_partner,
                }
            )
        return rows

    def _title(self) -> str:
        return (
            f"Capacity plan: target {fmt_money(self.target)} over {self.horizon_months} months "
            f"at {self.confidence:.0%} confidence ({self.n_sims:,} simulations)"
        )

    def _manager_facts(self) -> list[Fact]:
        facts = [Fact("Managers", fmt_int(self.managers), int(self.managers))]
        if self.existing_partners:
            facts += [
                Fact(
                    "Managers, new partners alone",
                    fmt_int(self.new_managers),
                    int(self.new_managers),
                    key="new_managers",
                ),
                Fact(
                    "Managers, existing partners alone",
                    f"{self.existing_managers:,} ({self.existing_partners:,} partners, "
                    f"{self.existing_distributor_partners:,} to distributors, "
                    f"{fmt_money(self.existing_hours)} h/yr)",
                    int(self.existing_managers),
                    key="existing_managers",
                ),
            ]
        return facts

    def _channel_facts(self) -> list[Fact]:
        dist = sum(self.distributor_partners.values())
        facts = [
            Fact(
                "New partners", fmt_int(self.total_partners), self.total_partners, key="partners"
            ),
            Fact(
                "Recruits (prospects)",
                fmt_int(self.total_recruits),
                self.total_recruits,
                key="recruits",
            ),
            Fact(
                "New partners to distributors",
                fmt_int(dist),
                dist,
                key="distributor_partners",
            ),
        ]
        if self.existing_partners:
            facts.append(
                Fact("Existing partners", fmt_int(self.existing_partners), self.existing_partners)
            )
        return facts

    def _revenue_facts(self) -> list[Fact]:
        p, se = float(self.probability_of_target), float(self.probability_se)
        facts = [
            Fact(
                "Probability of target",
                f"{p:.3f} (Monte Carlo s.e. {se:.3f})",
                p,
                key="probability_of_target",
            ),
        ]
        if self.existing_revenue > 0:
            facts.append(
                Fact(
                    "Existing revenue (mean)",
                    fmt_money(self.existing_revenue),
                    float(self.existing_revenue),
                )
            )
        for level, value in self.revenue_percentiles((5, 50, 95)).items():
            facts.append(Fact(f"Horizon revenue P{level:g}", fmt_money(value), value))
        return facts

    def _uncertainty_facts(self) -> list[Fact]:
        if not self.parameter_draws:
            return []
        share = self.parameter_variance_share
        if share is None:
            text = f"{self.parameter_draws:,} draws; not split (use fewer draws than simulations)"
            return [Fact("Spread from parameter uncertainty", text, None, key="parameter_share")]
        text = (
            f"{share:.0%} of the revenue variance ({self.parameter_draws:,} parameter draws; "
            f"{1 - share:.0%} within a draw)"
        )
        return [Fact("Spread from parameter uncertainty", text, share, key="parameter_share")]

    def _segment_table(self) -> Table:
        rows: list[list[Any]] = [
            [
                r["segment"],
                r["partners"],
                r["recruits"],
                r["distributor_partners"],
                r["managed_partners"],
                fmt_num(r["hours_per_partner"], 4),
            ]
            for r in self._rows()
        ]
        dist = sum(self.distributor_partners.values())
        rows.append(
            [
                "total",
                self.total_partners,
                self.total_recruits,
                dist,
                self.total_partners - dist,
                "",
            ]
        )
        return Table(
            ["segment", "partners", "recruits", "distributor", "managed", "hours/partner"], rows
        )

    def _notes(self) -> list[Note]:
        notes = []
        if self.recruit_months > 1:
            per_month = ", ".join(
                f"{name} {min(v)}-{max(v)}" if min(v) != max(v) else f"{name} {v[0]}"
                for name, v in self.recruits_per_month.items()
            )
            notes.append(
                Note(
                    f"Recruiting over the first {self.recruit_months} months: {per_month} a month."
                )
            )
        return notes

    def _report(self) -> Report:
        return Report(
            self._title(),
            [
                *self._manager_facts(),
                *self._channel_facts(),
                *self._revenue_facts(),
                *self._uncertainty_facts(),
                self._segment_table(),
                *self._notes(),
            ],
        )

    def to_frame(self, by: Literal["segment", "month"] = "segment") -> pd.DataFrame:
        """The plan as a pandas DataFrame (pandas is imported lazily).

        Parameters
        ----------
        by : {"segment", "month"}
            One row per segment, indexed by name (``partners``, ``recruits``,
            ``distributor_partners``, ``managed_partners``,
            ``hours_per_partner``, ``hours`` and ``managers``: what the
            segment's managed partners alone need), or one row per month 1..horizon
            (``cumulative_revenue_p5`` ... ``_p95``: the percentiles of the
            cumulative revenue; ``recruits`` and ``recruits_<segment>``: the
            prospects signed that month).

        Returns
        -------
        pandas.DataFrame
        """
        pd_mod = import_optional("pandas", "pandas")
        if by == "segment":
            frame: pd.DataFrame = pd_mod.DataFrame(self._rows()).set_index("segment")
            frame["hours"] = frame["managed_partners"] * frame["hours_per_partner"]
            frame["managers"] = [
                managers_needed(1, 1.0, h, hours_available=self.manager_hours)
                for h in frame["hours"]
            ]
            return frame
        if by == "month":
            data: dict[str, Any] = {
                f"cumulative_revenue_p{level:g}": row
                for level, row in zip(self.percentile_levels, self.monthly_percentiles)
            }
            h = self.horizon_months
            total = np.zeros(h, dtype=np.int64)
            for name, per_month in self.recruits_per_month.items():
                signed = np.zeros(h, dtype=np.int64)
                signed[: len(per_month)] = per_month[:h]
                data[f"recruits_{name}"] = signed
                total += signed
            data["recruits"] = total
            index = pd_mod.RangeIndex(1, h + 1, name="month")
            frame = pd_mod.DataFrame(data, index=index)
            return frame
        raise InvalidInputError(f"by must be 'segment' or 'month', got {by!r}")

    def plot(self, ax: Axes | None = None) -> Axes:
        """Fan chart of the cumulative revenue month by month against the target.

        Bands from the 5th to the 95th and the 25th to the 75th percentiles,
        the median as a line and the target as a dashed line; revenue ticks in
        plain thousands (``1.5M``).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure if None.

        Returns
        -------
        matplotlib.axes.Axes
        """
        ax = _plotstyle.axes(ax)
        months = np.arange(1, self.horizon_months + 1)
        pct = dict(zip(self.percentile_levels, self.monthly_percentiles))
        color = _plotstyle.COLORS["primary"]
        ax.fill_between(months, pct[5.0], pct[95.0], alpha=0.2, color=color, label="5-95 %")
        ax.fill_between(months, pct[25.0], pct[75.0], alpha=0.4, color=color, label="25-75 %")
        ax.plot(months, pct[50.0], color=color, label="median")
        ax.axhline(
            self.target,
            color=_plotstyle.COLORS["target"],
            linestyle="--",
            label=f"target {_plotstyle.compact_number(self.target)}",
        )
        _plotstyle.currency_axis(ax)
        ax.set_xlim(1, max(self.horizon_months, 2))
        ax.set_xlabel("month")
        ax.set_ylabel("cumulative revenue")
        ax.set_title(
            f"{self.total_partners:,} partners, {self.managers} managers: "
            f"P(target) = {self.probability_of_target:.2f}"
        )
        ax.legend(loc="upper left")
        ax.grid(True, alpha=0.3)
        return ax


def _expected_slot_revenue(seg: Segment, horizon: int) -> float:
    """Expected horizon revenue of one planned (productive) partner of the segment."""
    unit = seg._unit(horizon)
    alive = (
        np.exp(np.arange(unit.size) * seg._log_survival())
        if seg.attrition < 1
        else ((np.arange(unit.size) == 0).astype(np.float64))
    )
    return seg.mean_productivity * float(np.sum(unit * alive))


def plan_capacity(
    target: float,
    segments: Segment | Sequence[Segment],
    *,
    horizon_months: int = 12,
    confidence: float = 0.9,
    n_sims: int = 10_000,
    seed: SeedLike = None,
    workers: WorkersLike = None,
    existing: PortfolioLike | None = None,
    existing_attrition: float = 0.0,
    distributor_threshold: float | None = None,
    hours_available: float = 2000.0,
    utilisation: float = 1.0,
    recruit_months: int = 1,
    max_partners: int | None = None,
    progress: bool = False,
    existing_hours_per_partner: Any = None,
    size_limit: int = 10_000_000,
    parameter_draws: Sequence[Any] | None = None,
) -> CapacityPlan:
    """The smallest channel that reaches a revenue target with a given confidence.

    Parameters
    ----------
    target : float [currency]
        Revenue to reach over the horizon (new and existing partners), >= 0.
    segments : Segment or sequence of Segment
        The kinds of partner to recruit, in their shares.
    horizon_months : int, default 12
        Planning horizon [months].
    confidence : float in (0, 1], default 0.9
        Required probability of reaching the target.
    n_sims : int, default 10_000
        Number of simulated channels.
    seed : int, numpy SeedSequence, numpy Generator or None
        Seed; the same seed gives the same plan whatever ``workers``. A
        SeedSequence is used without being changed (its children are derived,
        not spawned), so passing it again gives the same plan. A Generator
        is advanced once to draw the entropy: the same Generator *state* gives
        the same plan, the same Generator object passed twice does not.
    workers : None, int or map-like callable
        ``None``/``1``: serial; an int: a local process pool of that size
        (``-1``: one per CPU); a callable ``workers(func, iterable)`` such as
        ``concurrent.futures.Executor.map`` or a dask client wrapper
        ``lambda f, xs: client.gather(client.map(f, xs))``.
    existing : Portfolio, DataFrame or mapping, optional
        The current channel. Each partner keeps selling at its ``revenue``
        [currency/year], fully ramped, and counts toward the target; its
        managed partners count toward ``managers``.
    existing_attrition : float in [0, 1], default 0.0
        Annual probability that an existing partner leaves (monthly, as for
        segments).
    distributor_threshold : float, optional [currency/year]
        Partners whose productivity is strictly below it (the long tail) are
        served by distributors: they still sell but need no manager time. The
        expected share below the threshold is taken from each segment's
        productivity (:meth:`Segment.tail_share`, rounded down, so the
        managers are not under-counted); existing partners whose ``revenue``
        is strictly below it are routed too.
    hours_available : float, default 2000.0
        Working hours of a manager per year [hours/year].
    utilisation : float in (0, 1], default 1.0
        Share of those hours available for partners.
    recruit_months : int, default 1
        Prospects are signed round robin over the first ``recruit_months``
        months of the horizon (prospect ``j`` of a segment in month
        ``j % recruit_months``); 1 signs everyone at the start.
        :attr:`CapacityPlan.recruits_per_month` gives the schedule.
    max_partners : int, optional
        Largest channel considered; default 20 times the expected-value
        estimate of the channel size (target gap / expected revenue of a
        partner), at least 1,000. Time grows with it; memory does not.
    progress : bool, default False
        Show a progress bar (needs tqdm).
    existing_hours_per_partner : float, array-like or workload model, optional
        Manager hours an existing partner needs per year [hours/year]: one
        number for all, one per existing partner, or an object with
        ``.hours(partners)`` returning hours per partner (such as
        :class:`channelkit.workload.WorkloadModel`), called with ``existing``.
        By default the one workload of the whole pipeline:
        ``WorkloadModel().hours(existing)`` (the hours
        :func:`~channelkit.assign_portfolio` and
        :func:`~channelkit.plan_coverage` use) when ``existing`` has the
        model's columns; otherwise a segment's default workload, 24 touches
        of 3 hours (72 h).
    size_limit : int, default 10_000_000
        Largest channel [partners] the search will simulate, whatever
        ``max_partners``: a plan whose expected-value estimate of the channel
        size exceeds it raises :class:`~channelkit.InfeasibleError` at once,
        naming the size it would need, instead of growing until memory runs
        out; ``max_partners`` may not exceed it.
    parameter_draws : sequence of mappings name -> Segment, optional
        Segment parameters drawn from their sampling distribution, such as
        :meth:`channelkit.Calibration.draw_segments` returns (or lists of
        Segment in the order of ``segments``): simulation ``i`` uses draw
        ``i % len(parameter_draws)``, so the plan carries the uncertainty of
        the estimates as well as the randomness of the partners. A draw may
        change attrition, conversion and productivity; ``segments`` (the point
        estimates) still turn the channel size into prospects, so a draw with
        a lower conversion signs fewer partners from the same prospects. Use
        fewer draws than simulations (say ``n_sims // 10``) to split the spread
        (:attr:`CapacityPlan.parameter_variance_share`).

    Returns
    -------
    CapacityPlan

    Raises
    ------
    InvalidInputError
        For invalid arguments.
    InfeasibleError
        Up front, without simulating, when the new partners cannot sell
        within the horizon (every segment's funnel lag is at least
        ``horizon_months``, or their expected revenue is 0) and the existing
        channel does not cover the target; up front when the expected-value
        estimate of the channel exceeds ``size_limit``; or when even
        ``max_partners`` partners do not reach the target with the requested
        confidence.

    Notes
    -----
    **The simulation.** A planned channel of :math:`N` partners is split
    between the segments by the Sainte-Laguë method (see
    :func:`allocate_shares`), and segment :math:`k` recruits
    :math:`R_k = \\lceil N_k / c_k \\rceil` prospects, signed in month
    :math:`s` (0 unless ``recruit_months`` > 1). Each prospect converts with
    probability :math:`c_k`, starts selling after the funnel lag :math:`d_k`,
    sells a productivity :math:`P` drawn from the segment, ramped and grown,
    and stays active in month :math:`m` of its life with probability
    :math:`(1 - a_k)^{m/12}`. Its revenue over a horizon of :math:`H` months
    is

    .. math:: P \\sum_{i < \\min(L, H - d_k - s)}
              \\frac{\\rho_k(i) (1 + g_k)^{(s + d_k + i)/12}}{12}

    with :math:`L` its lifetime and :math:`\\rho_k` the ramp.

    **The search.** Each simulation draws its converted partners once, in
    nested blocks (common random numbers): the prospects between two
    converted ones (geometric, from an exponential), the partner's lifetime
    (from an exponential) and its productivity (through numpy's own
    samplers for lognorm, gamma, weibull_min, expon and samples), so its
    revenue is non-decreasing in :math:`N`; its smallest sufficient size
    :math:`N_s` is found by bisection along the cumulative revenue, drawing
    only as far as the simulation needs. The plan is the smallest :math:`N`
    with :math:`\\#\\{s: N_s \\le N\\} \\ge` ``confidence`` :math:`\\times`
    ``n_sims``, an order statistic, and its revenue comes from the draws the
    search kept. Because the same numbers decide every variant of the
    channel, a higher target, a higher confidence or a higher attrition never
    gives a smaller plan. With a constant productivity, no ramp, no
    attrition, conversion 1 and a 12-month horizon the plan equals
    :func:`partners_needed` and reaches the target in every simulation.

    **Parameter uncertainty.** With ``parameter_draws``, simulation :math:`i`
    uses draw :math:`i \\bmod D` for its partners' attrition, conversion and
    productivity; the spread of the horizon revenue splits into the variance
    between the draws' means and within them (law of total variance), see
    :attr:`CapacityPlan.parameter_variance_share`.

    **Managers** follow the workload build-up,
    :func:`~channelkit.workload.managers_needed`, over the whole channel: the
    managed new partners of each segment at its
    :attr:`Segment.hours_per_partner`, plus the managed existing partners at
    ``existing_hours_per_partner`` (all of them, as at the start of the
    horizon). ``new_managers`` and ``existing_managers`` give each part
    alone.

    **Memory** stays bounded whatever the channel size: the search walks the
    channel sizes in windows with running totals, drawing partners in blocks
    of at most 4,096 per simulation chunk, and a simulation leaves the search
    once it reaches the target; beyond about 4 million kept draws per chunk
    the search drops the blocks it has passed and the final evaluation draws
    them again (the same numbers).

    Examples
    --------
    >>> from scipy import stats
    >>> seg = Segment("resellers", stats.lognorm(s=1.0, scale=60_000), ramp_months=3,
    ...               attrition=0.2, conversion=0.5)
    >>> plan = plan_capacity(2_000_000, [seg], n_sims=500, seed=1)
    >>> plan.partners["resellers"] >= partners_needed(2_000_000, seg.mean_productivity)
    True
    >>> plan.recruits["resellers"] == 2 * plan.partners["resellers"]
    True
    >>> plan.probability_of_target >= 0.9
    True
    """
    t = check_nonnegative(target, "target")
    segs = _as_segments(segments)
    h = _check_int(horizon_months, "horizon_months", 1)
    conf = check_fraction(confidence, "confidence", include_zero=False)
    n = _check_int(n_sims, "n_sims", 1)
    cap = None if max_partners is None else _check_int(max_partners, "max_partners", 1)
    limit = _check_int(size_limit, "size_limit", 1)
    if cap is not None and cap > limit:
        raise InvalidInputError(
            f"max_partners={cap:,} exceeds size_limit={limit:,}, the largest channel "
            "plan_capacity simulates; raise size_limit as well if you mean it"
        )
    window = _check_int(recruit_months, "recruit_months", 1)
    if window > h:
        raise InvalidInputError(
            f"recruit_months={window} exceeds horizon_months={h}; recruit within the horizon"
        )
    ex_attr = check_fraction(existing_attrition, "existing_attrition")
    threshold = None
    if distributor_threshold is not None:
        threshold = check_nonnegative(distributor_threshold, "distributor_threshold")
    if existing is None:
        ex_rev = np.zeros(0)
        ex_hours = np.zeros(0)
        ex_pf_region = np.zeros(0, dtype=str)
    else:
        ex_pf = as_portfolio(existing, "existing")
        ex_rev = np.array(ex_pf.revenue, dtype=np.float64)
        ex_hours = _existing_hours(existing_hours_per_partner, ex_pf)
        ex_pf_region = ex_pf.region
    ex_routed = ex_rev < threshold if threshold is not None else np.zeros(ex_rev.size, bool)
    weights = _weights(segs)
    drawn = None if parameter_draws is None else _checked_draws(parameter_draws, segs, h)
    eng = _engine(segs, weights, h, ex_rev, _log_survival(ex_attr), window, drawn)

    # the expected-value estimate of the channel size: the search's first step
    # and the default max_partners (only speed depends on the step)
    per_partner = _per_partner(segs, weights, h, drawn)
    gap = t - ex_rev.sum() * _mean_survival(ex_attr, h) * h / 12.0
    if not per_partner > 0.0:
        if t > 0 and ex_rev.sum() * h / 12.0 < t * (1.0 - RTOL):
            raise InfeasibleError(_no_revenue_reason(segs, h, t, ex_rev.sum() * h / 12.0))
        cap = 0  # only the existing channel can reach the target
    estimate = _size_estimate(gap, per_partner)
    if estimate > limit:
        raise InfeasibleError(
            f"the target {t:,.0f} needs about {estimate:,.0f} partners (the expected-value "
            f"estimate: {gap:,.6g} of revenue to add at {per_partner:,.6g} expected per partner "
            f"over the horizon), beyond size_limit={limit:,}; lower the target, or raise "
            "size_limit if the machine has the memory and time for such a channel"
        )
    if cap is None:
        cap = min(max(1_000, 20 * estimate), limit)
    n_start = int(min(max(cap, 1), max(8, math.ceil(1.15 * estimate) + 8)))

    chunks = _plan_tasks_seeds(n, seed)
    plan_id = uuid.uuid4().hex
    with worker_pool(workers, shared=eng) as (mapper, eng_ref):
        try:
            need_parts = run_map(
                _plan_chunk,
                [
                    (plan_id, i, eng_ref, ss, rows, t, n_start, cap, off, _KEEP_LIMIT)
                    for i, (ss, rows, off) in enumerate(chunks)
                ],
                mapper,
                progress=progress,
                desc="planning",
            )
            need = np.concatenate(need_parts)
            k = max(1, math.ceil(conf * n - 1e-9))
            size = int(np.partition(need, k - 1)[k - 1])
            if size > cap:
                reach = float(np.mean(need <= cap))
                if cap == 0:
                    raise InfeasibleError(_no_revenue_reason(segs, h, t, None, reach, conf))
                raise InfeasibleError(
                    f"even max_partners={cap} partners reach the target {t:,.0f} in only "
                    f"{reach:.1%} of the simulations, {conf - reach:.1%} short of the "
                    f"confidence {conf:.1%} (the expected-value estimate is {estimate:,} "
                    "partners); check the productivities, conversion, funnel lags against "
                    "horizon_months, or raise max_partners"
                )
            counts = _allocation_table(weights, size)[-1]
            # the final channel from the draws the search kept (in the process that drew
            # them); a chunk without them draws the same numbers again
            evaluated = run_map(
                _final_chunk,
                [
                    (plan_id, i, eng_ref, ss, rows, counts, off)
                    for i, (ss, rows, off) in enumerate(chunks)
                ],
                mapper,
                progress=progress,
                desc="evaluating",
            )
        finally:
            _cache_clear(plan_id)
    cumulative = np.concatenate([m for m, _ in evaluated], axis=0)
    ex_mean = float(np.mean(np.concatenate([e for _, e in evaluated])))
    prob = float(np.mean(need <= size))

    partners = {s.name: int(c) for s, c in zip(segs, counts)}
    recruits = {s.name: int(_prospects(c, s.overall_conversion)) for s, c in zip(segs, counts)}
    if threshold is None:
        dist = dict.fromkeys(partners, 0)
    else:
        dist = {
            s.name: math.floor(c * s.tail_share(threshold) + 1e-9) for s, c in zip(segs, counts)
        }
    managed = [partners[s.name] - dist[s.name] for s in segs]
    hours = [s.hours_per_partner for s in segs]
    ex_total_hours = float(ex_hours[~ex_routed].sum())
    team = {"hours_available": hours_available, "utilisation": utilisation}
    managers = managers_needed([*managed, 1], 1.0, [*hours, ex_total_hours], **team)
    return CapacityPlan(
        target=t,
        horizon_months=h,
        confidence=conf,
        segments=segs,
        partners=partners,
        recruits=recruits,
        distributor_partners=dist,
        managers=managers,
        probability_of_target=prob,
        probability_se=math.sqrt(prob * (1.0 - prob) / n),
        revenue=cumulative[:, -1],
        # months as rows: a contiguous partition per month, several times faster
        monthly_percentiles=np.percentile(cumulative.T, PLAN_PERCENTILES, axis=1),
        percentile_levels=PLAN_PERCENTILES,
        required_partners=need,
        existing_revenue=ex_mean,
        recruit_months=window,
        new_managers=managers_needed(managed, 1.0, hours, **team),
        existing_managers=managers_needed(1, 1.0, ex_total_hours, **team),
        existing_partners=int(ex_rev.size),
        existing_distributor_partners=int(ex_routed.sum()),
        existing_hours=ex_total_hours,
        parameter_draws=0 if drawn is None else len(drawn[0]),
        parameter_variance_share=(
            None if drawn is None else _between_share(cumulative[:, -1], len(drawn[0]))
        ),
        existing_hours_by_region=_hours_by_region(ex_pf_region, ex_hours, ~ex_routed),
        manager_hours=hours_available * utilisation,
    )


def _per_partner(
    segs: Sequence[Segment],
    weights: NDArray[np.float64],
    horizon: int,
    drawn: tuple[tuple[Segment, ...], ...] | None,
) -> float:
    """Expected horizon revenue of one planned partner (over the parameter draws)."""
    if drawn is None:
        return float(sum(w * _expected_slot_revenue(s, horizon) for w, s in zip(weights, segs)))
    # a planned partner stands for 1 / c prospects at the point conversion c; a draw
    # converts them at its own rate
    values = [
        float(
            sum(
                w
                * _expected_slot_revenue(d, horizon)
                * (d.overall_conversion / s.overall_conversion)
                for w, s, d in zip(weights, segs, draw)
            )
        )
        for draw in zip(*drawn)
    ]
    if all(v == values[0] for v in values):
        return values[0]
    return float(np.mean(values))


def _between_share(revenue: NDArray[np.float64], n_draws: int) -> float | None:
    """Share of the horizon revenue's variance between parameter draws (law of total variance).

    Simulation ``i`` uses draw ``i % n_draws``. Within: the pooled variance
    inside the draws; between: the variance of the draw means less the part
    the within-draw noise explains (``within / m``), at least 0. None when no
    draw has two simulations.
    """
    n = revenue.size
    groups = np.arange(n) % n_draws
    count = np.bincount(groups, minlength=n_draws).astype(np.float64)
    if n_draws == 1:
        return 0.0  # one draw: the parameters do not vary
    if not (count >= 2).all():
        return None
    mean = np.bincount(groups, weights=revenue, minlength=n_draws) / count
    dev = revenue - mean[groups]
    within = float(np.sum(dev * dev) / (n - n_draws))
    between = float(np.var(mean, ddof=1) - np.mean(within / count))
    between = max(between, 0.0)
    total = between + within
    return 0.0 if total <= 0 else between / total


def _hours_by_region(
    region: NDArray[np.str_], hours: NDArray[np.float64], managed: NDArray[np.bool_]
) -> dict[str, float]:
    """Managed hours per region (regions in sorted order)."""
    regs, inv = np.unique(region[managed], return_inverse=True)
    used = np.bincount(inv, weights=hours[managed], minlength=regs.size)
    return {str(r): float(u) for r, u in zip(regs, used)}


def _size_estimate(gap: float, per_partner: float) -> int:
    """Expected-value estimate of the channel size (>= 1), finite whatever the inputs."""
    if not (per_partner > 0 and gap > 0):
        return 1
    ratio = gap / per_partner
    return max(1, math.ceil(ratio)) if math.isfinite(ratio) and ratio < 2**62 else 2**62


def _existing_hours(spec: Any, partners: Portfolio) -> NDArray[np.float64]:
    """Manager hours per existing partner [hours/year] from a number, an array or a model."""
    name = "existing_hours_per_partner"
    if spec is None:  # one workload: the default model where the columns are there
        model = WorkloadModel()
        needed = {model.product_column, model.technical_column, model.size_column}
        spec = model if needed <= set(partners.columns) else DEFAULT_EXISTING_HOURS
    if callable(getattr(spec, "hours", None)):
        values = spec.hours(partners)
        name = "existing_hours_per_partner.hours(existing)"
    else:
        values = spec
    hours = as_float_array(values, name, ndim=(0, 1), nonnegative=True)
    if hours.ndim == 0:
        return np.full(len(partners), float(hours))
    if hours.size != len(partners):
        raise InvalidInputError(
            f"{name} has {hours.size} values for {len(partners)} existing partners; give one "
            "number, one per existing partner, or a workload model with .hours(partners)"
        )
    return hours


def _no_revenue_reason(
    segs: Sequence[Segment],
    horizon: int,
    target: float,
    existing: float | None,
    reach: float | None = None,
    confidence: float | None = None,
) -> str:
    """Why no number of new partners can reach the target (InfeasibleError message)."""
    late = [s for s in segs if s.lag_months >= horizon]
    if len(late) == len(segs):
        lags = ", ".join(f"{s.name!r} {s.lag_months}" for s in late)
        why = (
            f"no new partner sells within horizon_months={horizon}: the funnel lag of every "
            f"segment is at least the horizon ({lags} months; a lag must be shorter than the "
            f"horizon by at least one month, e.g. {min(s.lag_months for s in late) - horizon + 1}"
            " month(s) less, or the horizon that much longer)"
        )
    else:
        why = (
            f"new partners are expected to sell 0 within horizon_months={horizon} (a zero ramp "
            "curve or productivity over the months they are active)"
        )
    if existing is not None:
        if existing <= 0:
            return why
        return f"{why}; the existing channel brings at most {existing:,.0f} of {target:,.0f}"
    return (
        f"{why}; the existing channel alone reaches {target:,.0f} in {reach:.1%} of the "
        f"simulations, {(confidence or 0) - (reach or 0):.1%} short of the confidence"
    )
