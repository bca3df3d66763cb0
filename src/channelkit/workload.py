"""Manager workload: how many channel managers a channel needs.

The workload build-up method (Jones, Sales Force Management) sizes a team by
adding up the hours every account needs in a year and dividing by the hours a
manager can give.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_float_array, check_fraction, check_nonnegative, check_positive
from .errors import InvalidInputError
from .partners import PortfolioLike, as_portfolio

__all__ = ["DEFAULT_TRAVEL_HOURS", "WorkloadModel", "managers_needed", "ramped_equivalents"]

#: Default travel hours a year per partner, by region (see :class:`WorkloadModel`).
DEFAULT_TRAVEL_HOURS: Mapping[str, float] = {"NA": 6.0, "EMEA": 8.0, "APAC": 12.0, "LATAM": 10.0}


def managers_needed(
    counts: ArrayLike | None = None,
    touches_per_year: ArrayLike | None = None,
    hours_per_touch: ArrayLike = 1.0,
    *,
    hours: ArrayLike | None = None,
    hours_available: float = 2000.0,
    utilisation: float = 1.0,
) -> int:
    """Number of channel managers needed, by the workload build-up method.

    Parameters
    ----------
    counts : array-like, shape (k,) or scalar
        Number of partners in each account class (>= 0).
    touches_per_year : array-like, shape (k,) or scalar [1/year]
        Contacts (calls, visits, reviews) a partner of each class needs per year.
    hours_per_touch : array-like, shape (k,) or scalar [hours], default 1.0
        Hours one contact takes, travel included.
    hours : array-like, shape (n,) or scalar [hours/year], optional
        The workload given directly instead of ``counts`` and
        ``touches_per_year``: a total, or the hours of each partner (e.g.
        :meth:`WorkloadModel.hours`), which are added up.
    hours_available : float [hours/year], default 2000.0
        Working hours of one manager in a year.
    utilisation : float in (0, 1], default 1.0
        Share of those hours that can go to partner contact (the rest is
        administration, training, internal meetings).

    Returns
    -------
    int
        ``ceil(sum(counts * touches * hours) / (hours_available * utilisation))``.

    Raises
    ------
    InvalidInputError
        For negative or NaN counts, touches or hours, arrays of different
        lengths, non-positive ``hours_available`` or ``utilisation`` outside (0, 1],
        a workload needing more managers than the largest float, or ``hours``
        given together with ``counts`` or ``touches_per_year`` (or neither).

    Notes
    -----
    .. math:: M = \\left\\lceil \\frac{\\sum_k n_k \\, f_k \\, t_k}{H \\, u} \\right\\rceil

    with :math:`n_k` partners in class :math:`k`, each needing :math:`f_k`
    touches a year of :math:`t_k` hours, and :math:`H u` productive hours per
    manager. A tiny relative tolerance (1e-12) keeps floating-point noise from
    adding a manager when the workload is an exact multiple of a manager's hours.

    References
    ----------
    .. [1] Talley, W. J. (1961). How to design sales territories. Journal of
       Marketing, 25(3), 7-13.

    Examples
    --------
    Two account classes: 40 key partners needing 24 two-hour touches a year,
    200 others needing 6 one-hour touches: 40*24*2 + 200*6*1 = 3,120 hours; at
    1,600 hours a manager that is 1.95, so 2 managers.

    >>> managers_needed([40, 200], [24, 6], [2.0, 1.0], hours_available=1600.0)
    2

    A known total: 9,100 hours a year at 960 hours a manager is 9.48, so 10.

    >>> managers_needed(hours=9_100, hours_available=960)
    10
    """
    if hours is not None:
        if counts is not None or touches_per_year is not None:
            raise InvalidInputError(
                "give either hours= (the workload) or counts and touches_per_year (its "
                f"build-up), not both; got hours={hours!r:.40} and counts={counts!r:.40}"
            )
        h = as_float_array(hours, "hours", ndim=(0, 1), nonnegative=True)
        return managers_needed(
            h if h.ndim else float(h),
            1.0,
            1.0,
            hours_available=hours_available,
            utilisation=utilisation,
        )
    if counts is None or touches_per_year is None:
        raise InvalidInputError(
            "managers_needed needs counts and touches_per_year (the workload build-up) or "
            "hours= (the workload in hours)"
        )
    n = as_float_array(counts, "counts", ndim=(0, 1), nonnegative=True)
    f = as_float_array(touches_per_year, "touches_per_year", ndim=(0, 1), nonnegative=True)
    t = as_float_array(hours_per_touch, "hours_per_touch", ndim=(0, 1), nonnegative=True)
    lengths = {a.shape[0] for a in (n, f, t) if a.ndim == 1}
    if len(lengths) > 1:
        raise InvalidInputError(
            "counts, touches_per_year and hours_per_touch must have the same length "
            f"(got shapes {n.shape}, {f.shape}, {t.shape}); a scalar applies to every class"
        )
    hours = check_positive(hours_available, "hours_available")
    util = check_fraction(utilisation, "utilisation", include_zero=False)
    with np.errstate(over="ignore", invalid="ignore"):
        ratio = float(np.sum(n * f * t)) / (hours * util)
    if not math.isfinite(ratio):
        # a product or the sum overflowed: add the classes' manager shares from logarithms
        with np.errstate(divide="ignore", over="ignore"):
            logs = np.log(n) + np.log(f) + np.log(t) - math.log(hours) - math.log(util)
            top = float(np.max(logs))
            if top == -math.inf:  # every class has a zero factor
                ratio = 0.0
            else:
                try:
                    ratio = math.exp(top) * float(np.sum(np.exp(logs - top)))
                except OverflowError:
                    ratio = math.inf
    if not math.isfinite(ratio):
        raise InvalidInputError(
            "counts x touches_per_year x hours_per_touch need more managers than the largest "
            f"float ({np.finfo(np.float64).max:.4g}); check the units of the inputs"
        )
    return math.ceil(ratio * (1.0 - 1e-12)) if ratio > 0 else 0


def ramped_equivalents(people: ArrayLike, ramp: ArrayLike, attainment: ArrayLike = 1.0) -> float:
    """Ramped-rep equivalents: a team that is still ramping, counted in fully productive people.

    Parameters
    ----------
    people : array-like, shape (k,) or scalar
        Headcount in each group (>= 0): by hire cohort, role or region.
    ramp : array-like, shape (k,) or scalar, in [0, 1]
        Share of full productivity each group has reached (1.0 for fully
        ramped people, 0.5 half way through onboarding).
    attainment : array-like, shape (k,) or scalar, >= 0, default 1.0
        Expected attainment of quota of a ramped person in each group (0.85
        for 85 %; above 1 for over-performers).

    Returns
    -------
    float
        :math:`\\sum_g n_g r_g a_g`, added exactly (:func:`math.fsum`) and rounded once.

    Raises
    ------
    InvalidInputError
        For negative or NaN inputs, a ramp outside [0, 1], or arrays of
        different lengths.

    Notes
    -----
    The standard way of counting capacity in sales planning: a new hire
    still ramping counts for the share of a full quota they deliver, and
    expected attainment discounts everyone for the share of quota a typical
    person reaches. Multiply by the full quota to get the team's expected
    bookings.

    Examples
    --------
    20 ramped people at 85 % attainment and 5 half-ramped hires at 70 %:
    20 x 1.0 x 0.85 + 5 x 0.5 x 0.70 = 17 + 1.75 = 18.75.

    >>> ramped_equivalents([20, 5], [1.0, 0.5], [0.85, 0.70])
    18.75
    """
    n = as_float_array(people, "people", ndim=(0, 1), nonnegative=True)
    r = as_float_array(ramp, "ramp", ndim=(0, 1), nonnegative=True)
    a = as_float_array(attainment, "attainment", ndim=(0, 1), nonnegative=True)
    lengths = {x.shape[0] for x in (n, r, a) if x.ndim == 1}
    if len(lengths) > 1:
        raise InvalidInputError(
            "people, ramp and attainment must have the same length (got shapes "
            f"{n.shape}, {r.shape}, {a.shape}); a scalar applies to every group"
        )
    if r.size and float(r.max()) > 1.0:
        i = int(np.argmax(r.ravel() > 1.0))
        raise InvalidInputError(
            f"ramp[{i}] = {float(r.ravel()[i])!r}; expected a share of full productivity in [0, 1]"
        )
    n, r, a = np.broadcast_arrays(n, r, a)
    with np.errstate(over="ignore"):
        terms = (n * r * a).ravel()
    if not np.isfinite(terms).all():
        raise InvalidInputError(
            "people x ramp x attainment is beyond the largest float; check the units"
        )
    # exact products would need more bits; fsum of the rounded products, then a
    # tolerance-free sum: 20*1.0*0.85 + 5*0.5*0.7 is 18.75, not 18.749999999999996
    return float(math.fsum(terms.tolist()))


# --------------------------------------------------------------------------- WorkloadModel
#: Factors of the workload formula within these bounds multiply (four at most)
#: without overflow or subnormal results; outside them the hours are computed
#: from logarithms.
_EXTREME = (2.0**-250, 2.0**250)


def _nonneg(name: str) -> Any:
    def check(instance: object, attribute: object, value: float) -> None:
        check_nonnegative(value, f"WorkloadModel.{name}")

    return check


def _column_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidInputError(
            f"WorkloadModel.{attribute.name} must be a column name or None, got {value!r}"
        )


def _hours_map(value: Mapping[str, float] | None) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"expected a mapping of name -> number, got {value!r}")
    out: dict[str, float] = {}
    for k, v in value.items():
        if not isinstance(k, str):
            raise InvalidInputError(f"keys must be strings, got {k!r}")
        out[k] = check_nonnegative(v, f"entry {k!r}")
    return out


@attrs.frozen
class WorkloadModel:
    """Hours a year that a channel manager spends on each partner.

    The hours are built up from the partner's attributes:

    .. math:: h = \\left(b + p \\cdot n_{products}\\right)
              \\left(1 + \\tau \\, (\\ell_{tech} - 1)\\right)
              \\left(\\frac{e}{e_0}\\right)^{\\sigma} \\mu_{segment} + t_{region}

    Parameters
    ----------
    base_hours : float [hours/year], default 32.0
        Fixed time per partner: business plans, quarterly reviews, program admin.
    hours_per_product : float [hours/year], default 8.0
        Extra time for each product line or category the partner sells.
    technical_factor : float, default 0.25
        Relative extra time per technical level above 1 (level 3 = +50 %).
    size_elasticity : float, default 0.1
        Elasticity of time to the partner's size; 0 ignores size.
    reference_size : float, default 20.0
        Size (employees) at which the size multiplier is 1.
    segment_multipliers : mapping of str to float, default {}
        Multiplier by segment or tier label (e.g. ``{"contributor": 1.5,
        "long_tail": 0.5}``) for the labels passed to :meth:`hours`;
        labels not in the mapping get 1.
    travel_hours : mapping of str to float [hours/year]
        Travel time per partner by region (default :data:`DEFAULT_TRAVEL_HOURS`).
        A partner without a region gets no travel time; an empty mapping
        leaves travel out for every partner.
    product_column, technical_column, size_column : str or None
        Columns of the portfolio holding the number of product lines, the
        technical level (1-3) and the size; None leaves that factor out.
    default_region_hours : float [hours/year] or None, default None
        Travel time for a region that ``travel_hours`` does not list. None
        (the default): such a region is an error, so that a region spelt
        differently ("North America" for "NA") is not silently given no travel.

    Notes
    -----
    With the defaults a partner selling 3 product lines at technical level 2
    with 20 employees needs (32 + 24) x 1.25 = 70 hours plus 6-12 hours of
    travel: a manager with 2,000 hours holds about 25 such partners, inside
    the 20-30 that practitioners quote.

    Examples
    --------
    >>> model = WorkloadModel()
    >>> partners = {"product_lines": [3, 1], "technical_level": [2, 1],
    ...             "employees": [20, 20], "region": ["EMEA", None]}
    >>> model.hours(partners).round(1).tolist()
    [78.0, 40.0]
    >>> model.hours(partners, segment=["contributor", "long_tail"]).round(1).tolist()
    [78.0, 40.0]
    >>> WorkloadModel(segment_multipliers={"contributor": 2.0}).hours(
    ...     partners, segment=["contributor", "long_tail"]).round(1).tolist()
    [148.0, 40.0]
    """

    base_hours: float = attrs.field(default=32.0, validator=_nonneg("base_hours"))
    hours_per_product: float = attrs.field(default=8.0, validator=_nonneg("hours_per_product"))
    technical_factor: float = attrs.field(default=0.25, validator=_nonneg("technical_factor"))
    size_elasticity: float = attrs.field(default=0.1, validator=_nonneg("size_elasticity"))
    reference_size: float = attrs.field(default=20.0)
    segment_multipliers: Mapping[str, float] = attrs.field(factory=dict, converter=_hours_map)
    travel_hours: Mapping[str, float] = attrs.field(
        factory=lambda: dict(DEFAULT_TRAVEL_HOURS), converter=_hours_map
    )
    product_column: str | None = attrs.field(default="product_lines", validator=_column_name)
    technical_column: str | None = attrs.field(default="technical_level", validator=_column_name)
    size_column: str | None = attrs.field(default="employees", validator=_column_name)
    default_region_hours: float | None = attrs.field(default=None)

    @default_region_hours.validator
    def _check_default_region(self, attribute: object, value: float | None) -> None:
        if value is not None:
            check_nonnegative(value, "WorkloadModel.default_region_hours")

    @reference_size.validator
    def _check_reference(self, attribute: object, value: float) -> None:
        check_positive(value, "WorkloadModel.reference_size")

    def hours(
        self, partners: PortfolioLike, *, segment: ArrayLike | None = None
    ) -> NDArray[np.float64]:
        """Workload of each partner [hours/year], vectorized.

        Parameters
        ----------
        partners : Portfolio, DataFrame, mapping of column -> array, or sequence of Partner
            The partners; must have the columns the model uses.
        segment : array-like of str, shape (n,), optional
            A segment or tier label per partner, looked up in
            ``segment_multipliers``.

        Returns
        -------
        ndarray, shape (n,) [hours/year]

        Raises
        ------
        InvalidInputError
            For a missing column (named), a negative product count or size,
            a technical level below 1, a ``segment`` of the wrong length, a
            region not in ``travel_hours`` (unless ``default_region_hours``
            is set), or hours beyond the largest float.

        Notes
        -----
        Where a factor is extreme (beyond :math:`2^{\\pm 250}`), so that a
        partial product could overflow although the hours are finite (a huge
        ``base_hours`` times a small size multiplier) or lose digits to
        subnormal numbers, the hours of those partners are computed from the
        logarithms of the factors (to a relative 1e-13 or so).
        """
        pf = as_portfolio(partners)
        n = len(pf)
        products = level = size = mult = None
        # the factors of the formula; one outside [2**-250, 2**250] could make a partial
        # product overflow or lose digits in the subnormals (see _EXTREME)
        factors: list[NDArray[np.float64]] = []
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            core = np.full(n, float(self.base_hours))
            if self.product_column is not None:
                products = as_float_array(
                    pf.column(self.product_column), self.product_column, nonnegative=True
                )
                core = core + self.hours_per_product * products
            factors.append(core)
            if self.technical_column is not None:
                level = as_float_array(pf.column(self.technical_column), self.technical_column)
                low = level < 1
                if low.any():
                    i = int(np.argmax(low))
                    raise InvalidInputError(
                        f"{self.technical_column} of partner {str(pf.ids[i])!r} = {level[i]!r}; "
                        "expected a level >= 1"
                    )
                tech = 1.0 + self.technical_factor * (level - 1.0)
                factors.append(tech)
                core = core * tech
            if self.size_column is not None and self.size_elasticity != 0:
                size = as_float_array(
                    pf.column(self.size_column), self.size_column, nonnegative=True
                )
                scale = (np.maximum(size, 1.0) / self.reference_size) ** self.size_elasticity
                factors.append(scale)
                core = core * scale
            if segment is not None:
                labels = np.asarray(segment, dtype=object)
                if labels.shape != (n,):
                    raise InvalidInputError(f"segment must have shape ({n},), got {labels.shape}")
                mult = np.ones(n)
                for label, factor in self.segment_multipliers.items():  # loop over labels
                    mult[labels == label] = factor
                factors.append(mult)
                core = core * mult
            travel = self._travel(pf)
            out: NDArray[np.float64] = core + travel
            bad = ~np.isfinite(out)
            for f in factors:
                bad |= (f != 0) & ((f < _EXTREME[0]) | (f > _EXTREME[1]))
        if bad.any():  # redo those partners from logarithms: no partial product over/underflows
            rows = np.flatnonzero(bad)
            out[rows] = self._hours_from_logs(rows, products, level, size, mult, travel)
            still = ~np.isfinite(out)
            if still.any():
                i = int(np.argmax(still))
                raise InvalidInputError(
                    f"the workload of partner {str(pf.ids[i])!r} exceeds the largest float "
                    f"({np.finfo(np.float64).max:.4g} hours); check the model's factors and the "
                    "partner's columns"
                )
        return out

    def _travel(self, pf: Any) -> NDArray[np.float64]:
        """Travel hours of every partner; raises for an unknown region without a default."""
        n = len(pf)
        travel = np.zeros(n)
        if not self.travel_hours:
            return travel
        known = np.zeros(n, dtype=bool)
        for region, t in self.travel_hours.items():  # loop over regions
            here = pf.region == region
            travel[here] = t
            known |= here
        unknown = ~known & (pf.region != "")
        if unknown.any():
            if self.default_region_hours is None:
                i = int(np.argmax(unknown))
                raise InvalidInputError(
                    f"region {str(pf.region[i])!r} of partner {str(pf.ids[i])!r} has no travel "
                    f"hours; WorkloadModel.travel_hours knows {', '.join(map(repr, self.travel_hours))}"
                    " (add the region there, or pass default_region_hours= for every region it "
                    "does not list)"
                )
            travel[unknown] = self.default_region_hours
        return travel

    def _hours_from_logs(
        self,
        rows: NDArray[np.intp],
        products: NDArray[np.float64] | None,
        level: NDArray[np.float64] | None,
        size: NDArray[np.float64] | None,
        mult: NDArray[np.float64] | None,
        travel: NDArray[np.float64],
    ) -> NDArray[np.float64]:
        """The hours of ``rows`` from the logarithms of the factors (no intermediate overflow)."""
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            log_core = np.full(
                rows.size, math.log(self.base_hours) if self.base_hours else -np.inf
            )
            if products is not None and self.hours_per_product > 0:
                log_core = np.logaddexp(
                    log_core, math.log(self.hours_per_product) + np.log(products[rows])
                )
            if level is not None and self.technical_factor > 0:
                log_core += np.logaddexp(
                    0.0, math.log(self.technical_factor) + np.log(level[rows] - 1.0)
                )
            if size is not None:
                log_core += self.size_elasticity * (
                    np.log(np.maximum(size[rows], 1.0)) - math.log(self.reference_size)
                )
            if mult is not None:
                log_core += np.log(mult[rows])
            core = np.exp(log_core)
            return np.asarray(np.where(np.isnan(core), 0.0, core) + travel[rows], dtype=np.float64)
