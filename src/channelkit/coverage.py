"""Coverage: who gets a manager, a distributor or self-service, and how many managers.

A **coverage model** says how each partner is served: by a dedicated partner
manager, a pooled or territory manager, a distributor, or digital
self-service. Each way is a :class:`Motion`: the manager hours a year it takes
per partner, its cost, the uplift it brings to the partner's revenue and,
for a distributor, how many partners it takes at most.

:func:`plan_coverage` picks one motion per partner to maximise the expected
contribution within the manager hours available in each region (a
multiple-choice knapsack per region), with the rules programs have:
eligibility, contributors never below a given motion, a bound on changes
against today's coverage. The answer is exact, with a proof (an upper bound
from the LP relaxation and reduced-cost fixing; see :mod:`channelkit._mckp`),
and carries the **LP duals**: the value of one more manager hour and of one
more manager in each region. :meth:`CoveragePlan.frontier` walks the number
of managers (the incremental method, from data) and
:attr:`CoveragePlan.changes` lists who moves, with the reason.

:func:`staff_channel` goes from a plan to books in one call: headcount per
region today and needed, the hires, the motion of every partner and the book
of every manager (:func:`~channelkit.assign_portfolio`), with one workload
throughout.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _mckp
from . import _plotstyle as style
from ._optional import import_optional
from ._render import Fact, Note, Report, ResultMixin, Table, fmt_int, fmt_money, fmt_pct, one_line
from ._validation import SeedLike, as_bool_array, as_float_array, check_nonnegative
from .balancing import PortfolioAssignment, assign_portfolio
from .capacity import CapacityPlan, allocate_shares
from .errors import InfeasibleError, InvalidInputError
from .partners import Manager, Portfolio, as_portfolio
from .segmentation import pareto_segments
from .workload import WorkloadModel

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = [
    "ChannelStaffing",
    "CoverageFrontier",
    "CoveragePlan",
    "Motion",
    "MotionChange",
    "default_motions",
    "plan_coverage",
    "shrunk_growth",
    "staff_channel",
]

#: Working hours of a manager a year when no :class:`~channelkit.Manager` gives them.
HOURS_PER_MANAGER = 2000.0


def _ro(value: ArrayLike) -> NDArray[Any]:
    arr = np.array(value)
    arr.flags.writeable = False
    return arr


# --------------------------------------------------------------------------- Motion
def _motion_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"Motion name must be a non-empty string, got {value!r}")
    return value.strip()


def _nonneg_field(name: str) -> Any:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        check_nonnegative(value, f"Motion {instance.name!r}: {name}")

    return check


def _real_field(name: str) -> Any:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InvalidInputError(
                f"Motion {instance.name!r}: {name} must be a number, got {value!r}"
            )
        if not math.isfinite(float(value)):
            raise InvalidInputError(f"Motion {instance.name!r}: {name} = {value!r} must be finite")

    return check


@attrs.frozen
class Motion:
    """How a partner is served: manager hours, cost, uplift and capacity.

    Parameters
    ----------
    name : str
        The motion's name ("partner manager", "distributor", ...).
    hours : float [hours/year], default 0.0
        Fixed manager hours a year per partner.
    hours_factor : float, optional
        Manager hours as a multiple of the partner's workload (from the
        workload model or an hours column): ``1.0`` is the full workload of
        a dedicated manager, ``0.4`` a pooled territory manager's share.
        Added to ``hours``.
    cost : float [currency/year], default 0.0
        Cost per partner a year (a distributor's fee, a platform licence).
    uplift : float, default 0.0
        Expected relative uplift of the partner's revenue under the motion
        (``0.2`` = +20 %); may be negative, must be > -1.
    capacity : int, optional
        Most partners the motion can take (a distributor's limit); None: no limit.
    role : str, optional
        Who provides the hours ("partner manager", "territory manager");
        by default "manager" when the motion takes hours, else None.

    Notes
    -----
    Motions are listed from the least to the most service: the order is the
    one ``minimum=`` rules of :func:`plan_coverage` use ("never below").
    All motions that take hours draw on the same manager pool of a region.

    Examples
    --------
    >>> Motion("partner manager", hours_factor=1.0, uplift=0.2)
    Motion(name='partner manager', hours=0.0, hours_factor=1.0, cost=0.0, uplift=0.2, capacity=None, role='manager')
    >>> Motion("distributor", cost=1_500.0, capacity=300).role is None
    True
    """

    name: str = attrs.field(converter=_motion_name)
    hours: float = attrs.field(default=0.0, kw_only=True, validator=_nonneg_field("hours"))
    hours_factor: float | None = attrs.field(default=None, kw_only=True)
    cost: float = attrs.field(default=0.0, kw_only=True, validator=_real_field("cost"))
    uplift: float = attrs.field(default=0.0, kw_only=True, validator=_real_field("uplift"))
    capacity: int | None = attrs.field(default=None, kw_only=True)
    role: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        what = f"Motion {self.name!r}"
        object.__setattr__(self, "hours", float(self.hours))
        object.__setattr__(self, "cost", float(self.cost))
        object.__setattr__(self, "uplift", float(self.uplift))
        if self.uplift <= -1.0:
            raise InvalidInputError(f"{what}: uplift = {self.uplift!r} must be > -1")
        if self.hours_factor is not None:
            f = check_nonnegative(self.hours_factor, f"{what}: hours_factor")
            object.__setattr__(self, "hours_factor", f)
        cap = self.capacity
        if cap is not None:
            if isinstance(cap, bool) or not isinstance(cap, numbers.Integral) or cap < 0:
                raise InvalidInputError(
                    f"{what}: capacity = {cap!r} must be a whole number >= 0 or None"
                )
            object.__setattr__(self, "capacity", int(cap))
        if self.role is not None and (not isinstance(self.role, str) or not self.role.strip()):
            raise InvalidInputError(f"{what}: role must be a non-empty string or None")
        if self.role is None and self.uses_hours:
            object.__setattr__(self, "role", "manager")

    @property
    def uses_hours(self) -> bool:
        """Whether the motion takes manager hours."""
        return self.hours > 0 or bool(self.hours_factor)


def default_motions() -> list[Motion]:
    """Four practitioners' coverage motions, least service first.

    ``self-service`` (portal, no manager time), ``distributor`` (300 a
    year per partner, +10 %), ``territory manager`` (40 % of the partner's
    workload, +15 %) and ``partner manager`` (the full workload, +25 %).
    Rules of thumb to edit, not data: at a 30 % margin a distributor pays
    for itself from 10,000 a year of revenue.

    Examples
    --------
    >>> [m.name for m in default_motions()]
    ['self-service', 'distributor', 'territory manager', 'partner manager']
    """
    return [
        Motion("self-service"),
        Motion("distributor", cost=300.0, uplift=0.10),
        Motion("territory manager", hours_factor=0.4, uplift=0.15, role="territory manager"),
        Motion("partner manager", hours_factor=1.0, uplift=0.25, role="partner manager"),
    ]


def _as_motions(motions: Any) -> tuple[Motion, ...]:
    if isinstance(motions, Motion):
        motions = [motions]
    if not isinstance(motions, Sequence) or not motions:
        raise InvalidInputError(f"motions must be a non-empty sequence of Motion, got {motions!r}")
    out = tuple(motions)
    for m in out:
        if not isinstance(m, Motion):
            raise InvalidInputError(f"motions must hold Motion objects, got {m!r}")
    names = [m.name for m in out]
    if len(set(names)) != len(names):
        dup = next(x for x in names if names.count(x) > 1)
        raise InvalidInputError(f"motion names must be unique; {dup!r} appears twice")
    return out


# --------------------------------------------------------------------------- growth
def shrunk_growth(
    revenue: ArrayLike, revenue_prior: ArrayLike, segment: ArrayLike | None = None
) -> NDArray[np.float64]:
    """Each partner's growth shrunk toward its segment's (empirical Bayes).

    Parameters
    ----------
    revenue : array-like, shape (n,) [currency/year]
        This year's revenue, >= 0.
    revenue_prior : array-like, shape (n,) [currency/year]
        Last year's revenue, >= 0; NaN (or 0) where unknown.
    segment : array-like of str, shape (n,), optional
        A segment label per partner; default :func:`~channelkit.pareto_segments`
        of ``revenue``.

    Returns
    -------
    ndarray, shape (n,)
        The shrunk growth :math:`\\tilde g_i` (``0.1`` = +10 %), >= -1.

    Notes
    -----
    A partner's observed growth :math:`g_i = r_i / p_i - 1` is a noisy
    measure of its true growth :math:`\\theta_i`, noisier the smaller the
    partner (fewer deals). The model, per segment :math:`s`:

    .. math:: g_i \\mid \\theta_i \\sim (\\theta_i, \\sigma_s^2 / p_i), \\qquad
              \\theta_i \\sim (\\bar g_s, \\tau_s^2)

    with :math:`\\bar g_s = \\sum r_i / \\sum p_i - 1` the segment's growth
    (revenue-weighted). :math:`\\tau_s^2` and :math:`\\sigma_s^2` are the
    intercept and slope of the least-squares line of the squared deviations
    :math:`(g_i - \\bar g_s)^2` on :math:`1 / p_i`, weighted by :math:`p_i`
    (method of moments; clipped at 0). The posterior-mean (Bühlmann-Straub credibility) estimate is

    .. math:: \\tilde g_i = w_i g_i + (1 - w_i) \\bar g_s, \\qquad
              w_i = \\frac{p_i}{p_i + \\kappa_s}, \\quad
              \\kappa_s = \\sigma_s^2 / \\tau_s^2

    so a small partner growing fast keeps part of its growth (it is not
    written off on one year's number), and one lucky year is not taken at
    face value. Partners without a prior revenue get :math:`\\bar g_s`; a
    segment with fewer than three partners with a prior, or no spread in
    :math:`1/p_i`, is shrunk fully to :math:`\\bar g_s`.

    References
    ----------
    .. [1] Bühlmann, H. and Straub, E. (1970). Glaubwürdigkeit für
       Schadensätze. Mitteilungen der Vereinigung Schweizerischer
       Versicherungsmathematiker, 70, 111-133.
    .. [2] Efron, B. and Morris, C. (1975). Data analysis using Stein's
       estimator and its generalizations. JASA, 70(350), 311-319.

    Examples
    --------
    A segment growing 5 % overall: the large partners keep about half of
    their own growth; the small partner's +300 % on 1,000 of prior revenue
    is pulled almost all the way to the segment's.

    >>> g = shrunk_growth([140_000, 60_000, 4_000, 65_000, 1_200, 100_000],
    ...                   [100_000, 100_000, 1_000, 50_000, 1_000, 100_000],
    ...                   segment=["a"] * 6)
    >>> [round(x, 2) for x in g.tolist()]
    [0.25, -0.2, 0.09, 0.15, 0.05, 0.02]
    """
    now = as_float_array(revenue, "revenue", nonnegative=True)
    prior = as_float_array(revenue_prior, "revenue_prior", nonnegative=True, allow_nan=True)
    if prior.shape != now.shape:
        raise InvalidInputError(
            f"revenue_prior must have the shape of revenue {now.shape}, got {prior.shape}"
        )
    n = now.shape[0]
    seg = (
        pareto_segments(now) if segment is None else np.asarray(segment, dtype=object).astype(str)
    )
    if seg.shape != (n,):
        raise InvalidInputError(f"segment must have shape ({n},), got {seg.shape}")
    known = np.isfinite(prior) & (prior > 0)
    out = np.zeros(n)
    labels, inverse = np.unique(seg, return_inverse=True)
    for s in range(labels.size):  # loop over segments
        member = inverse == s
        k = member & known
        total_prior = float(prior[k].sum())
        g_bar = float(now[k].sum()) / total_prior - 1.0 if total_prior > 0 else 0.0
        out[member] = g_bar
        if int(k.sum()) < 3:
            continue
        g = now[k] / prior[k] - 1.0
        x = 1.0 / prior[k]
        y = (g - g_bar) ** 2
        wt = prior[k]
        x_bar = float(np.sum(wt * x) / wt.sum())
        y_bar = float(np.sum(wt * y) / wt.sum())
        sxx = float(np.sum(wt * (x - x_bar) ** 2))
        if not sxx > 1e-12 * float(wt.sum()) * x_bar**2:  # no spread of sizes: no slope
            continue
        slope = float(np.sum(wt * (x - x_bar) * (y - y_bar))) / sxx
        intercept = y_bar - slope * x_bar
        tau2, sigma2 = max(float(intercept), 0.0), max(float(slope), 0.0)
        if tau2 == 0.0:
            continue
        w = prior[k] / (prior[k] + sigma2 / tau2)
        out[k] = w * g + (1.0 - w) * g_bar
    result: NDArray[np.float64] = np.maximum(out, -1.0)
    return result


# --------------------------------------------------------------------------- inputs
def _partner_index(name: str, values: Any, pf: Portfolio, motions: tuple[Motion, ...]) -> Any:
    """Motion index per partner from names (sequence or mapping id -> name); -1 for none."""
    n = len(pf)
    lookup = {m.name: k for k, m in enumerate(motions)}
    ids = pf.ids.tolist()
    if isinstance(values, Mapping):
        pos = {p: i for i, p in enumerate(ids)}
        names: list[Any] = [None] * n
        for pid, motion in values.items():
            if str(pid) in pos:
                names[pos[str(pid)]] = motion
    else:
        names = list(values)
        if len(names) != n:
            raise InvalidInputError(f"{name} has {len(names)} entries for {n} partners")
    out = np.full(n, -1, dtype=np.int64)
    for i, motion in enumerate(names):  # names to indices (input parsing, not a hot path)
        if motion is None or motion == "" or (isinstance(motion, float) and math.isnan(motion)):
            continue
        if isinstance(motion, numbers.Integral) and not isinstance(motion, bool):
            if not 0 <= int(motion) < len(motions):
                raise InvalidInputError(f"{name}[{i}] = {motion!r} is not a motion index")
            out[i] = int(motion)
        elif motion in lookup:
            out[i] = lookup[motion]
        else:
            raise InvalidInputError(
                f"{name} of partner {ids[i]!r} = {motion!r} is not a motion; "
                f"expected one of {list(lookup)}"
            )
    return out


@attrs.frozen(eq=False)
class _Pools:
    names: tuple[str, ...]  # pool names (regions, or ("all",))
    group: NDArray[np.int64]  # pool of each partner
    hours: NDArray[np.float64]  # hours available per pool
    per_manager: NDArray[np.float64]  # hours of one manager per pool
    single: bool


def _pools(spec: Any, pf: Portfolio, hours_per_manager: float) -> _Pools:
    regions = pf.region
    hpm = float(hours_per_manager)
    if isinstance(spec, numbers.Real) and not isinstance(spec, bool):
        h = check_nonnegative(spec, "hours_available", allow_inf=True)
        return _Pools(("all",), np.zeros(len(pf), np.int64), np.array([h]), np.array([hpm]), True)
    if isinstance(spec, Mapping):
        names = tuple(str(k) for k in spec)
        hours = np.array(
            [
                check_nonnegative(v, f"hours_available[{k!r}]", allow_inf=True)
                for k, v in spec.items()
            ]
        )
        pos = {r: j for j, r in enumerate(names)}
        missing = sorted(set(regions.tolist()) - set(names))
        if missing:
            raise InvalidInputError(
                f"hours_available has no entry for region(s) {missing}; give every partner "
                "region its hours (0 for a region without managers)"
            )
        group = np.array([pos[r] for r in regions.tolist()], dtype=np.int64)
        return _Pools(names, group, hours, np.full(len(names), hpm), False)
    if isinstance(spec, Sequence) and spec and all(isinstance(m, Manager) for m in spec):
        mregions = [m.region for m in spec]
        caps = np.array([m.capacity for m in spec])
        if not np.isfinite(caps).all():
            bad = spec[int(np.argmin(np.isfinite(caps)))]
            raise InvalidInputError(
                f"manager {bad.id!r} has no capacity (inf); coverage needs every manager's "
                "hours a year"
            )
        if all(r is None for r in mregions):
            total = float(caps.sum())
            return _Pools(
                ("all",),
                np.zeros(len(pf), np.int64),
                np.array([total]),
                np.array([float(caps.mean())]),
                True,
            )
        if any(r is None for r in mregions):
            bad = spec[mregions.index(None)]
            raise InvalidInputError(
                f"manager {bad.id!r} has no region while others have one; give every manager "
                "a region, or none"
            )
        names = tuple(sorted({str(r) for r in mregions} | set(regions.tolist())))
        pos = {r: j for j, r in enumerate(names)}
        mg = np.array([pos[str(r)] for r in mregions])
        hours = np.bincount(mg, weights=caps, minlength=len(names)).astype(np.float64)
        count = np.bincount(mg, minlength=len(names))
        per = np.where(count > 0, hours / np.maximum(count, 1), hpm)
        group = np.array([pos[r] for r in regions.tolist()], dtype=np.int64)
        return _Pools(names, group, hours, per, False)
    raise InvalidInputError(
        "hours_available must be a number [hours/year], a mapping region -> hours, or a "
        f"sequence of Manager; got {spec!r}"
    )


def _rules_minimum(
    minimum: Any, pf: Portfolio, motions: tuple[Motion, ...], segment: NDArray[Any]
) -> NDArray[np.int64]:
    n = len(pf)
    if minimum is None:
        return np.zeros(n, dtype=np.int64)
    lookup = {m.name: k for k, m in enumerate(motions)}
    if isinstance(minimum, Mapping):
        out = np.zeros(n, dtype=np.int64)
        for label, motion in minimum.items():
            if motion not in lookup:
                raise InvalidInputError(
                    f"minimum[{label!r}] = {motion!r} is not a motion; expected one of {list(lookup)}"
                )
            out[segment == label] = lookup[motion]
        return out
    idx: NDArray[np.int64] = np.maximum(_partner_index("minimum", minimum, pf, motions), 0)
    return idx


@attrs.frozen(eq=False)
class _Setup:
    """Everything needed to solve (and re-solve) a coverage problem."""

    portfolio: Portfolio
    motions: tuple[Motion, ...]
    pools: _Pools
    expected: NDArray[np.float64]
    margin: NDArray[np.float64]
    workload: NDArray[np.float64]
    hours: NDArray[np.float64]  # (n, K)
    value: NDArray[np.float64]  # (n, K)
    allowed: NDArray[np.bool_]
    current: NDArray[np.int64]
    max_changes: float
    segment: NDArray[Any]
    gap: float
    time_limit: float | None

    def problem(self, pool_hours: NDArray[np.float64] | None = None) -> _mckp.Problem:
        caps = np.array([math.inf if m.capacity is None else m.capacity for m in self.motions])
        return _mckp.Problem(
            value=self.value,
            hours=self.hours,
            allowed=self.allowed,
            group=self.pools.group,
            cap_hours=self.pools.hours if pool_hours is None else pool_hours,
            cap_count=caps.astype(np.float64),
            current=self.current,
            max_changes=self.max_changes,
        )


def _setup(
    partners: Any,
    motions: Any,
    *,
    hours_available: Any,
    margin: Any,
    expected_revenue: ArrayLike | None,
    hours: ArrayLike | None,
    model: WorkloadModel | None,
    eligible: ArrayLike | None,
    minimum: Any,
    current: Any,
    max_changes: int | None,
    hours_per_manager: float,
    gap: float,
    time_limit: float | None,
) -> _Setup:
    pf = as_portfolio(partners)
    mots = _as_motions(motions)
    n, k = len(pf), len(mots)
    if n == 0:
        raise InvalidInputError("partners is empty; coverage needs at least one partner")
    hpm = check_nonnegative(hours_per_manager, "hours_per_manager")
    if hpm <= 0:
        raise InvalidInputError(f"hours_per_manager must be positive, got {hours_per_manager!r}")
    pools = _pools(hours_available, pf, hpm)
    m_arr = as_float_array(margin, "margin", ndim=(0, 1), bounds=(0.0, 1.0))
    if m_arr.ndim == 1 and m_arr.shape != (n,):
        raise InvalidInputError(f"margin must be a number or shape ({n},), got {m_arr.shape}")
    m_arr = np.broadcast_to(m_arr, (n,)).copy()
    segment = pareto_segments(pf.revenue)
    if expected_revenue is None:
        g = shrunk_growth(pf.revenue, pf.revenue_prior, segment)
        expected = pf.revenue * (1.0 + g)
    else:
        expected = as_float_array(expected_revenue, "expected_revenue", nonnegative=True)
        if expected.shape != (n,):
            raise InvalidInputError(
                f"expected_revenue must have one value per partner, shape ({n},), got "
                f"{expected.shape}"
            )
    factors = np.array([m.hours_factor or 0.0 for m in mots])
    fixed = np.array([m.hours for m in mots])
    if hours is not None:
        w = as_float_array(hours, "hours", nonnegative=True)
        if w.shape != (n,):
            raise InvalidInputError(f"hours must have one value per partner, shape ({n},)")
    elif factors.any():
        w = (model if model is not None else WorkloadModel()).hours(pf)
    else:
        w = np.zeros(n)
    h = fixed[None, :] + w[:, None] * factors[None, :]
    uplift = np.array([m.uplift for m in mots])
    cost = np.array([m.cost for m in mots])
    value = (m_arr * expected)[:, None] * (1.0 + uplift)[None, :] - cost[None, :]
    allowed = np.ones((n, k), dtype=bool)
    if eligible is not None:
        allowed = as_bool_array(eligible, "eligible", shape=(n, k))
    low = _rules_minimum(minimum, pf, mots, segment)
    allowed = allowed & (np.arange(k)[None, :] >= low[:, None])
    none = ~allowed.any(axis=1)
    if none.any():
        i = int(np.argmax(none))
        raise InfeasibleError(
            f"partner {str(pf.ids[i])!r} has no eligible motion (eligible and minimum rules "
            f"exclude all of them; {int(none.sum())} such partner(s))"
        )
    cur = (
        np.full(n, -1, np.int64)
        if current is None
        else _partner_index("current", current, pf, mots)
    )
    if max_changes is None:
        mc = math.inf
    else:
        if isinstance(max_changes, bool) or not isinstance(max_changes, numbers.Integral):
            raise InvalidInputError(f"max_changes must be a whole number, got {max_changes!r}")
        if max_changes < 0:
            raise InvalidInputError(f"max_changes must be >= 0, got {max_changes!r}")
        if current is None:
            raise InvalidInputError("max_changes needs current= (today's motion of each partner)")
        mc = float(max_changes)
    g_tol = check_nonnegative(gap, "gap")
    if time_limit is not None:
        tl = check_nonnegative(time_limit, "time_limit")
        if tl <= 0:
            raise InvalidInputError(f"time_limit must be positive, got {time_limit!r}")
    return _Setup(
        portfolio=pf,
        motions=mots,
        pools=pools,
        expected=expected,
        margin=m_arr,
        workload=w,
        hours=h,
        value=value,
        allowed=allowed,
        current=cur,
        max_changes=mc,
        segment=segment,
        gap=g_tol,
        time_limit=time_limit,
    )


# --------------------------------------------------------------------------- results
@attrs.frozen
class MotionChange:
    """One partner that moves between motions against ``current``, with the reason.

    Attributes
    ----------
    partner : str
        The partner's id.
    segment : str
        Its Pareto segment ("contributor", "potential", "long_tail").
    current, motion : str
        Its motion today and in the plan.
    contribution : float [currency/year]
        Change of its expected contribution.
    hours : float [hours/year]
        Change of the manager hours it takes (negative: hours freed).
    reason : str
        Why, in the field's words.

    Examples
    --------
    >>> import channelkit as ck
    >>> pf = ck.Portfolio(["big", "small"], revenue=[400_000.0, 20_000.0])
    >>> motions = [ck.Motion("self-service"), ck.Motion("manager", hours=100.0, uplift=0.2)]
    >>> plan = ck.plan_coverage(pf, motions, hours_available=100.0, margin=0.5,
    ...                         expected_revenue=pf.revenue, current=["self-service", "manager"])
    >>> [(c.partner, c.current, c.motion) for c in plan.changes]
    [('big', 'self-service', 'manager'), ('small', 'manager', 'self-service')]
    """

    partner: str
    segment: str
    current: str
    motion: str
    contribution: float
    hours: float
    reason: str


def _changes(
    setup: _Setup, choice: NDArray[np.int64], hour_value: NDArray[np.float64]
) -> tuple[MotionChange, ...]:
    cur = setup.current
    moved = np.flatnonzero((cur >= 0) & (cur != choice))
    names = [m.name for m in setup.motions]
    label = {"long_tail": "long tail", "contributor": "contributor", "potential": "potential"}
    out = []
    for i in moved.tolist():  # only the movers, for their reasons
        a, b = int(cur[i]), int(choice[i])
        dv = float(setup.value[i, b] - setup.value[i, a])
        dh = float(setup.hours[i, b] - setup.hours[i, a])
        lam = float(hour_value[setup.pools.group[i]])
        seg = str(setup.segment[i])
        head = f"{label.get(seg, seg)} to {names[b]}"
        if dh < 0:
            rate = -dv / -dh
            why = (
                f"{head}: contribution per manager hour {rate:,.0f} against {lam:,.0f} for "
                f"the partners that take the {-dh:,.0f} hours freed"
            )
        elif dh > 0:
            why = (
                f"{head}: {dv / dh:,.0f} contribution per manager hour against {lam:,.0f} "
                f"for the hours it takes ({dh:,.0f} h)"
            )
        else:
            why = f"{head}: {dv:+,.0f} contribution a year at the same manager hours"
        out.append(
            MotionChange(
                partner=str(setup.portfolio.ids[i]),
                segment=seg,
                current=names[a],
                motion=names[b],
                contribution=dv,
                hours=dh,
                reason=why,
            )
        )
    return tuple(out)


@attrs.frozen(eq=False, repr=False)
class CoveragePlan(ResultMixin):
    """The answer of :func:`plan_coverage`: one motion per partner, exact, with its duals.

    Attributes
    ----------
    partner_ids : ndarray of str, shape (n,)
    motions : tuple of Motion
    choice : ndarray of int, shape (n,)
        Index into ``motions`` of each partner's motion.
    value : float [currency/year]
        Expected contribution of the plan, ``sum margin x E x (1 + uplift) - cost``.
    bound : float [currency/year]
        Proven upper bound on the best plan's contribution.
    lp_bound : float [currency/year]
        The LP relaxation's optimum (the duals belong to it).
    optimal : bool
        True only when ``value`` is proven optimal (``bound == value`` up to
        floating-point noise).
    regions : tuple of str
        The manager pools (regions; ``("all",)`` for a single pool).
    hours_available, hours_used : ndarray, shape (R,) [hours/year]
        Manager hours per pool, available and used by the plan.
    hours_per_manager : ndarray, shape (R,) [hours/year]
        Hours of one manager in each pool.
    hour_value : ndarray, shape (R,) [currency/hour]
        LP dual of each pool's hours: the contribution one more manager hour adds.
    motion_value : ndarray, shape (K,) [currency/year]
        LP dual of each motion's capacity: what one more slot adds (0 without a cap).
    change_value : float [currency/year]
        LP dual of ``max_changes``: what one more allowed change adds.
    hours : ndarray, shape (n,) [hours/year]
        Manager hours each partner takes under its motion.
    expected_revenue, contribution : ndarray, shape (n,) [currency/year]
        Expected revenue (before uplift) and contribution under the motion.
    partner_region : ndarray of str, shape (n,)
    segment : ndarray of str, shape (n,)
        Pareto segment of each partner.
    current : ndarray of int, shape (n,)
        Today's motion index (-1: none given).

    Examples
    --------
    >>> import channelkit as ck
    >>> pf = ck.Portfolio(["a", "b", "c"], revenue=[500_000.0, 80_000.0, 5_000.0],
    ...                   region=["NA", "NA", "NA"])
    >>> motions = [ck.Motion("self-service"),
    ...            ck.Motion("manager", hours=100.0, uplift=0.2)]
    >>> plan = ck.plan_coverage(pf, motions, hours_available=150.0, margin=0.5,
    ...                         expected_revenue=pf.revenue)
    >>> plan.motion.tolist()
    ['manager', 'self-service', 'self-service']
    >>> plan.value, plan.optimal
    (342500.0, True)
    >>> plan.hour_value.tolist()  # one more hour: b's uplift 8,000 over 100 h, 50 h still free
    [80.0]
    >>> print(repr(plan))
    CoveragePlan(partners=3, motions=2, value=342500, bound=342500, optimal=True, managers=1)
    """

    partner_ids: NDArray[np.str_] = attrs.field(converter=_ro)
    motions: tuple[Motion, ...]
    choice: NDArray[np.int64] = attrs.field(converter=_ro)
    value: float
    bound: float
    lp_bound: float
    optimal: bool
    regions: tuple[str, ...]
    hours_available: NDArray[np.float64] = attrs.field(converter=_ro)
    hours_used: NDArray[np.float64] = attrs.field(converter=_ro)
    hours_per_manager: NDArray[np.float64] = attrs.field(converter=_ro)
    hour_value: NDArray[np.float64] = attrs.field(converter=_ro)
    motion_value: NDArray[np.float64] = attrs.field(converter=_ro)
    change_value: float
    hours: NDArray[np.float64] = attrs.field(converter=_ro)
    expected_revenue: NDArray[np.float64] = attrs.field(converter=_ro)
    contribution: NDArray[np.float64] = attrs.field(converter=_ro)
    partner_region: NDArray[np.str_] = attrs.field(converter=_ro)
    segment: NDArray[np.str_] = attrs.field(converter=_ro)
    current: NDArray[np.int64] = attrs.field(converter=_ro)
    seconds: float = 0.0
    _setup: _Setup | None = attrs.field(default=None, alias="setup")

    # ------------------------------------------------------------------ views
    @property
    def motion(self) -> NDArray[np.str_]:
        """Motion name of each partner, shape (n,)."""
        out: NDArray[np.str_] = np.asarray([m.name for m in self.motions])[self.choice]
        return out

    @property
    def gap(self) -> float:
        """Proven relative gap ``(bound - value) / |bound|`` (0 when optimal)."""
        if self.optimal:
            return 0.0
        return (self.bound - self.value) / max(abs(self.bound), 1e-12)

    @property
    def partners_per_motion(self) -> dict[str, int]:
        """Partners served by each motion."""
        counts = np.bincount(self.choice, minlength=len(self.motions))
        return {m.name: int(c) for m, c in zip(self.motions, counts)}

    @property
    def hours_by_region(self) -> dict[str, float]:
        """Manager hours the plan uses in each partner region [hours/year]."""
        regs, inv = np.unique(self.partner_region, return_inverse=True)
        used = np.bincount(inv, weights=self.hours, minlength=regs.size)
        return {str(r): float(u) for r, u in zip(regs, used)}

    @property
    def managers_by_region(self) -> dict[str, int]:
        """Managers the plan's hours need in each partner region (rounded up).

        ``ceil(hours used / hours of one manager)`` per region, with the same
        tolerance as :func:`~channelkit.managers_needed`. With one pool the
        pool's hours per manager apply to every region.
        """
        per = dict(zip(self.regions, self.hours_per_manager.tolist()))
        out = {}
        for region, used in self.hours_by_region.items():
            hpm = per.get(region, float(self.hours_per_manager[0]))
            ratio = used / hpm
            out[region] = math.ceil(ratio * (1.0 - 1e-12)) if ratio > 0 else 0
        return out

    @property
    def manager_value(self) -> dict[str, float]:
        """Contribution one more manager adds in each pool: ``hour_value x hours of a manager``.

        A first-order (LP dual) figure: exact while the LP basis does not
        change over the manager's hours; :meth:`frontier` re-solves.
        """
        return {
            r: float(v * h)
            for r, v, h in zip(self.regions, self.hour_value, self.hours_per_manager)
        }

    @property
    def changes(self) -> tuple[MotionChange, ...]:
        """The partners that move between motions against ``current``, with the reason."""
        if self._setup is None:
            return ()
        return _changes(self._setup, np.asarray(self.choice), np.asarray(self.hour_value))

    # ------------------------------------------------------------------ re-solve
    def frontier(self, headcounts: ArrayLike) -> CoverageFrontier:
        """Contribution and partners per motion as the number of managers varies.

        Parameters
        ----------
        headcounts : array-like of int
            Total numbers of managers to try. They are split across the pools
            in proportion to today's hours (Sainte-Laguë,
            :func:`~channelkit.allocate_shares`); each pool gets its managers
            x its hours per manager. Every point is solved exactly (same rules,
            gap and time limit as the plan).

        Returns
        -------
        CoverageFrontier
            With the marginal contribution of each added manager: where the
            next hire stops paying for itself (the incremental method).
        """
        if self._setup is None:  # pragma: no cover - plans always carry their setup
            raise InvalidInputError("this plan was not made by plan_coverage")
        counts = as_float_array(headcounts, "headcounts", nonnegative=True, allow_empty=False)
        if (counts != np.round(counts)).any():
            raise InvalidInputError(f"headcounts must be whole numbers, got {headcounts!r}")
        heads = np.unique(counts.astype(np.int64))
        setup = self._setup
        shares = np.asarray(setup.pools.hours, dtype=np.float64)
        finite = np.isfinite(shares)
        if not finite.all():
            raise InvalidInputError("frontier needs finite hours_available in every pool")
        shares = np.where(shares > 0, shares, 0.0)
        if shares.sum() <= 0:
            shares = np.ones_like(shares)
        values, bounds, optimal, per_motion, split = [], [], [], [], []
        for m in heads.tolist():  # one exact solve per headcount
            pos = shares > 0
            alloc = np.zeros(shares.size, dtype=np.int64)
            alloc[pos] = allocate_shares(int(m), shares[pos])
            pool_hours = alloc * setup.pools.per_manager
            sol = _mckp.solve(
                setup.problem(pool_hours), gap=setup.gap, time_limit=setup.time_limit
            )
            values.append(sol.value)
            bounds.append(sol.bound)
            optimal.append(sol.optimal)
            per_motion.append(np.bincount(sol.choice, minlength=len(setup.motions)))
            split.append(alloc)
        return CoverageFrontier(
            headcount=heads,
            value=np.array(values),
            bound=np.array(bounds),
            optimal=np.array(optimal, dtype=bool),
            partners=np.array(per_motion, dtype=np.int64),
            managers=np.array(split, dtype=np.int64),
            motions=tuple(m.name for m in setup.motions),
            regions=setup.pools.names,
        )

    # ------------------------------------------------------------------ protocol
    def __repr__(self) -> str:
        return one_line(
            "CoveragePlan",
            partners=int(self.partner_ids.size),
            motions=len(self.motions),
            value=float(self.value),
            bound=float(self.bound),
            optimal=bool(self.optimal),
            managers=sum(self.managers_by_region.values()),
        )

    def _report(self) -> Report:
        per = self.partners_per_motion
        counts = np.bincount(self.choice, minlength=len(self.motions))
        contrib = np.bincount(self.choice, weights=self.contribution, minlength=len(self.motions))
        hrs = np.bincount(self.choice, weights=self.hours, minlength=len(self.motions))
        motion_rows = [
            [
                m.name,
                int(c),
                fmt_money(float(v)),
                fmt_int(float(h)),
                m.capacity if m.capacity is not None else "-",
            ]
            for m, c, v, h in zip(self.motions, counts, contrib, hrs)
        ]
        region_rows = [
            [
                r,
                fmt_int(float(a)) if math.isfinite(a) else "inf",
                fmt_int(float(u)),
                fmt_money(float(lam)),
                fmt_money(float(lam * hpm)),
            ]
            for r, a, u, lam, hpm in zip(
                self.regions,
                self.hours_available,
                self.hours_used,
                self.hour_value,
                self.hours_per_manager,
            )
        ]
        mbr = self.managers_by_region
        blocks: list[Any] = [
            Fact("Partners", fmt_int(self.partner_ids.size), int(self.partner_ids.size)),
            Fact("Expected contribution", fmt_money(self.value), float(self.value)),
            Fact("Upper bound", fmt_money(self.bound), float(self.bound)),
            Fact(
                "Proven optimal",
                "yes" if self.optimal else f"no (gap {fmt_pct(self.gap, 4)})",
                bool(self.optimal),
            ),
            Fact("Managers needed", fmt_int(sum(mbr.values())), int(sum(mbr.values()))),
            Table(
                ["motion", "partners", "contribution", "hours", "capacity"],
                motion_rows,
                title="By motion",
            ),
            Table(
                [
                    "pool",
                    "hours available",
                    "hours used",
                    "value of an hour",
                    "value of a manager",
                ],
                region_rows,
                title="Manager pools (LP duals)",
            ),
            Table(
                ["region", "hours", "managers"],
                [[r, fmt_int(h), mbr[r]] for r, h in self.hours_by_region.items()],
                title="Managers by region",
            ),
        ]
        changes = self.changes
        if changes:
            shown = sorted(changes, key=lambda c: -abs(c.contribution))[:10]
            blocks.append(
                Table(
                    ["partner", "from", "to", "contribution", "reason"],
                    [
                        [c.partner, c.current, c.motion, fmt_money(c.contribution), c.reason]
                        for c in shown
                    ],
                    title=f"Changes against today ({len(changes)}; largest first)",
                    align="lllrl",
                )
            )
        del per
        return Report("Coverage plan", blocks)

    def to_frame(
        self, by: Literal["partner", "motion", "region", "changes"] = "partner"
    ) -> pd.DataFrame:
        """The plan as a DataFrame: one row per partner (default), motion, region or change."""
        pd_mod = import_optional("pandas", "pandas")
        if by == "partner":
            names = [m.name for m in self.motions]
            cur = np.asarray(self.current)
            frame: pd.DataFrame = pd_mod.DataFrame(
                {
                    "partner": self.partner_ids,
                    "region": self.partner_region,
                    "segment": self.segment,
                    "current": [names[c] if c >= 0 else "" for c in cur.tolist()],
                    "motion": self.motion,
                    "hours": self.hours,
                    "expected_revenue": self.expected_revenue,
                    "contribution": self.contribution,
                }
            ).set_index("partner")
            return frame
        if by == "motion":
            k = len(self.motions)
            return pd_mod.DataFrame(  # type: ignore[no-any-return]
                {
                    "motion": [m.name for m in self.motions],
                    "partners": np.bincount(self.choice, minlength=k),
                    "hours": np.bincount(self.choice, weights=self.hours, minlength=k),
                    "contribution": np.bincount(
                        self.choice, weights=self.contribution, minlength=k
                    ),
                    "capacity_value": self.motion_value,
                }
            ).set_index("motion")
        if by == "region":
            mbr = self.managers_by_region
            hbr = self.hours_by_region
            return pd_mod.DataFrame(  # type: ignore[no-any-return]
                {
                    "region": list(hbr),
                    "hours": list(hbr.values()),
                    "managers": [mbr[r] for r in hbr],
                }
            ).set_index("region")
        if by == "changes":
            cols = ["partner", "segment", "current", "motion", "contribution", "hours", "reason"]
            return pd_mod.DataFrame(  # type: ignore[no-any-return]
                [[getattr(c, f) for f in cols] for c in self.changes], columns=cols
            )
        raise InvalidInputError(
            f"by must be 'partner', 'motion', 'region' or 'changes', got {by!r}"
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Partners per motion, stacked by Pareto segment (horizontal bars)."""
        ax = style.axes(ax)
        names = [m.name for m in self.motions]
        segs = ["contributor", "potential", "long_tail"]
        left = np.zeros(len(names))
        for color, seg in zip(style.categorical(len(segs)), segs):
            mask = np.asarray(self.segment) == seg
            counts = np.bincount(np.asarray(self.choice)[mask], minlength=len(names)).astype(float)
            ax.barh(names, counts, left=left, color=color, label=seg.replace("_", " "))
            left += counts
        ax.set_xlabel("partners")
        ax.set_title(f"Coverage: {fmt_money(self.value)} expected contribution")
        ax.legend(loc="lower right")
        return ax


@attrs.frozen(eq=False, repr=False)
class CoverageFrontier(ResultMixin):
    """Expected contribution and coverage as the number of managers varies.

    Attributes
    ----------
    headcount : ndarray of int, shape (m,)
    value, bound : ndarray, shape (m,) [currency/year]
    optimal : ndarray of bool, shape (m,)
    partners : ndarray of int, shape (m, K)
        Partners per motion at each headcount.
    managers : ndarray of int, shape (m, R)
        Managers per pool at each headcount.
    motions, regions : tuple of str

    Examples
    --------
    >>> import channelkit as ck
    >>> pf = ck.Portfolio(["a", "b", "c"], revenue=[500_000.0, 80_000.0, 5_000.0])
    >>> plan = ck.plan_coverage(pf, [ck.Motion("self"), ck.Motion("mgr", hours=1000.0, uplift=0.2)],
    ...                         hours_available=1000.0, margin=0.5, expected_revenue=pf.revenue,
    ...                         hours_per_manager=1000.0)
    >>> front = plan.frontier([0, 1, 2, 3])
    >>> front.marginal.tolist()
    [50000.0, 8000.0, 500.0]
    >>> front
    CoverageFrontier(headcounts=4, from_managers=0, to_managers=3, best_marginal=50000)
    """

    headcount: NDArray[np.int64] = attrs.field(converter=_ro)
    value: NDArray[np.float64] = attrs.field(converter=_ro)
    bound: NDArray[np.float64] = attrs.field(converter=_ro)
    optimal: NDArray[np.bool_] = attrs.field(converter=_ro)
    partners: NDArray[np.int64] = attrs.field(converter=_ro)
    managers: NDArray[np.int64] = attrs.field(converter=_ro)
    motions: tuple[str, ...]
    regions: tuple[str, ...]

    @property
    def marginal(self) -> NDArray[np.float64]:
        """Contribution each added manager brings between consecutive headcounts (per manager)."""
        out: NDArray[np.float64] = np.diff(self.value) / np.maximum(np.diff(self.headcount), 1)
        return out

    def __repr__(self) -> str:
        marg = self.marginal
        return one_line(
            "CoverageFrontier",
            headcounts=int(self.headcount.size),
            from_managers=int(self.headcount[0]),
            to_managers=int(self.headcount[-1]),
            best_marginal=float(marg.max()) if marg.size else 0.0,
        )

    def _rows(self) -> list[list[Any]]:
        marg = [math.nan, *self.marginal.tolist()]
        return [
            [int(h), fmt_money(float(v)), "" if math.isnan(d) else fmt_money(d), *map(int, p)]
            for h, v, d, p in zip(self.headcount, self.value, marg, self.partners)
        ]

    def _report(self) -> Report:
        marg = self.marginal
        return Report(
            "Coverage frontier",
            [
                Fact(
                    "Headcounts",
                    f"{int(self.headcount[0])}-{int(self.headcount[-1])}",
                    int(self.headcount.size),
                ),
                Fact(
                    "Largest contribution",
                    fmt_money(float(self.value.max())),
                    float(self.value.max()),
                ),
                Fact(
                    "Last marginal manager",
                    fmt_money(float(marg[-1])) if marg.size else "n/a",
                    float(marg[-1]) if marg.size else None,
                ),
                Table(
                    ["managers", "contribution", "per added manager", *self.motions], self._rows()
                ),
                Note("Hire while a manager's added contribution exceeds what the manager costs."),
            ],
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per headcount: value, bound, optimal, marginal and partners per motion."""
        pd_mod = import_optional("pandas", "pandas")
        data: dict[str, Any] = {
            "managers": self.headcount,
            "value": self.value,
            "bound": self.bound,
            "optimal": self.optimal,
            "marginal": [math.nan, *self.marginal.tolist()],
        }
        for k, name in enumerate(self.motions):
            data[name] = self.partners[:, k]
        frame: pd.DataFrame = pd_mod.DataFrame(data).set_index("managers")
        return frame

    def plot(self, ax: Axes | None = None) -> Axes:
        """Expected contribution against the number of managers."""
        ax = style.axes(ax)
        ax.plot(
            self.headcount,
            self.value,
            marker="o",
            color=style.COLORS["primary"],
            label="contribution",
        )
        ax.set_xlabel("managers")
        ax.set_ylabel("expected contribution")
        style.currency_axis(ax)
        ax.set_title("Coverage frontier: contribution by headcount")
        ax.legend(loc="lower right")
        return ax


# --------------------------------------------------------------------------- plan_coverage
def plan_coverage(
    partners: Any,
    motions: Sequence[Motion],
    *,
    hours_available: float | Mapping[str, float] | Sequence[Manager],
    margin: float | ArrayLike,
    expected_revenue: ArrayLike | None = None,
    hours: ArrayLike | None = None,
    model: WorkloadModel | None = None,
    eligible: ArrayLike | None = None,
    minimum: Mapping[str, str] | Sequence[str | None] | None = None,
    current: Mapping[str, str | None] | Sequence[str | None] | None = None,
    max_changes: int | None = None,
    hours_per_manager: float = HOURS_PER_MANAGER,
    gap: float = 0.0,
    time_limit: float | None = None,
) -> CoveragePlan:
    """One motion per partner that maximises the expected contribution within the manager hours.

    Parameters
    ----------
    partners : Portfolio, DataFrame, mapping of column -> array, or sequence of Partner
        The partners (``revenue``, ``revenue_prior``, ``region`` and the
        workload model's columns).
    motions : sequence of Motion
        The ways to serve a partner, least service first.
    hours_available : float, mapping region -> float, or sequence of Manager [hours/year]
        Manager hours: one number for a single pool; per region; or the
        managers, whose capacities are summed per region (a partner region
        without managers gets 0 hours).
    margin : float or array-like, shape (n,), in [0, 1]
        Contribution margin on revenue.
    expected_revenue : array-like, shape (n,) [currency/year], optional
        Revenue expected without a motion's uplift; default today's revenue
        grown by :func:`shrunk_growth` (the partner's growth shrunk toward its
        Pareto segment's).
    hours : array-like, shape (n,) [hours/year], optional
        Workload of each partner, for motions with ``hours_factor``; default
        ``model.hours(partners)``.
    model : WorkloadModel, optional
        Default ``WorkloadModel()``: the same hours as
        :func:`~channelkit.assign_portfolio` and :func:`~channelkit.plan_capacity`.
    eligible : array-like of bool, shape (n, K), optional
        Which motions each partner may get.
    minimum : mapping segment -> motion name, or sequence of motion names, optional
        Floors: e.g. ``{"contributor": "partner manager"}`` keeps contributors
        (Pareto segment of today's revenue) from going below a dedicated
        manager; a sequence gives a floor per partner (None: none).
    current : mapping partner id -> motion name, or sequence, optional
        Today's motion of each partner (None or "": none).
    max_changes : int, optional
        Most partners with a ``current`` motion that may change it.
    hours_per_manager : float [hours/year], default 2000.0
        Hours of one manager, for ``managers_by_region`` and the value of a
        manager (with ``Manager`` s: their mean capacity per region).
    gap : float, default 0.0
        Stop at this proven relative gap; 0 asks for a proof of optimality.
    time_limit : float [s], optional
        Stop after this long with the best plan found and its bound.

    Returns
    -------
    CoveragePlan

    Raises
    ------
    InvalidInputError
        For bad inputs (named).
    InfeasibleError
        When no plan meets every rule: a partner left with no eligible
        motion by ``eligible`` and ``minimum``, a region's partners need more
        hours under their least demanding eligible motions than it has.

    Notes
    -----
    With :math:`x_{ik} = 1` when partner :math:`i` gets motion :math:`k`:

    .. math::

        \\max \\sum_{i,k} \\left(m_i E_i (1 + u_k) - c_k\\right) x_{ik}
        \\quad \\text{s.t.} \\quad \\sum_k x_{ik} = 1, \\;
        \\sum_{i \\in r, k} h_{ik} x_{ik} \\le H_r, \\;
        \\sum_i x_{ik} \\le C_k, \\;
        \\sum_{i: c_i \\ge 0} (1 - x_{i c_i}) \\le D

    with :math:`h_{ik} = \\text{hours}_k + \\text{hours\\_factor}_k \\, w_i`.
    A multiple-choice knapsack per region, coupled by the motions' capacities
    and the change budget. Solved exactly: the LP bound by Lagrangian
    relaxation (greedy on each partner's upper convex hull per region,
    cutting planes for the coupling multipliers), then the options whose
    reduced cost is below the gap form a core solved by HiGHS; when the core
    holds every option that could beat the incumbent, the incumbent is
    optimal (see :mod:`channelkit._mckp`). ``hour_value`` are the LP duals:
    the contribution of one more hour; they are exact for a small change
    when the LP is non-degenerate.

    **Monotonicity.** More hours never lower the optimum. A higher margin
    never moves a partner to a cheaper motion *when the plan is unconstrained*
    (the hours do not bind); under a binding pool, a higher margin raises
    every partner's value of an hour, and the trade-offs between partners
    can move one partner down so that another moves up.

    Examples
    --------
    >>> import channelkit as ck
    >>> from channelkit.datasets import example_managers, example_portfolio
    >>> plan = ck.plan_coverage(example_portfolio(), ck.default_motions(),
    ...                         hours_available=example_managers(), margin=0.3,
    ...                         minimum={"contributor": "partner manager"})
    >>> plan.optimal
    True
    >>> sum(plan.partners_per_motion.values())
    500
    """
    setup = _setup(
        partners,
        motions,
        hours_available=hours_available,
        margin=margin,
        expected_revenue=expected_revenue,
        hours=hours,
        model=model,
        eligible=eligible,
        minimum=minimum,
        current=current,
        max_changes=max_changes,
        hours_per_manager=hours_per_manager,
        gap=gap,
        time_limit=time_limit,
    )
    return _plan(setup)


def _plan(setup: _Setup, pool_hours: NDArray[np.float64] | None = None) -> CoveragePlan:
    sol = _mckp.solve(setup.problem(pool_hours), gap=setup.gap, time_limit=setup.time_limit)
    n = len(setup.portfolio)
    rows = np.arange(n)
    h = setup.hours[rows, sol.choice]
    pools = setup.pools
    avail = pools.hours if pool_hours is None else pool_hours
    return CoveragePlan(
        partner_ids=setup.portfolio.ids,
        motions=setup.motions,
        choice=sol.choice,
        value=float(sol.value),
        bound=float(sol.bound),
        lp_bound=float(sol.lp_bound),
        optimal=sol.optimal,
        regions=pools.names,
        hours_available=avail,
        hours_used=np.bincount(pools.group, weights=h, minlength=len(pools.names)),
        hours_per_manager=pools.per_manager,
        hour_value=sol.hour_dual,
        motion_value=sol.count_dual,
        change_value=float(sol.change_dual),
        hours=h,
        expected_revenue=setup.expected,
        contribution=setup.value[rows, sol.choice],
        partner_region=setup.portfolio.region,
        segment=setup.segment,
        current=setup.current,
        seconds=sol.seconds,
        setup=setup,
    )


# --------------------------------------------------------------------------- staffing
@attrs.frozen(eq=False, repr=False)
class ChannelStaffing(ResultMixin):
    """From plan to books: headcount per region, hires, coverage and every manager's book.

    Attributes
    ----------
    regions : tuple of str
    today, needed : ndarray of int, shape (R,)
        Managers per region today and needed.
    reserved_hours : ndarray, shape (R,) [hours/year]
        Hours of the needed managers kept for new partners (from the capacity plan).
    hires : tuple of Manager
        The managers to hire (ids ``NEW-<region>-<j>``).
    coverage : CoveragePlan
        The motion of every partner (today's partners).
    books : PortfolioAssignment or None
        The book of every manager: today's managed partners over the team
        and the hires (None when no partner takes manager hours).

    Examples
    --------
    >>> import channelkit as ck
    >>> from channelkit.datasets import example_managers, example_portfolio
    >>> staff = ck.staff_channel(example_portfolio(), example_managers(), margin=0.3,
    ...                          minimum={"contributor": "partner manager"})
    >>> int(staff.today.sum()), int(staff.needed.sum()), len(staff.hires)
    (20, 20, 0)
    >>> bool(staff.books.assignment.loads.sum().round() == staff.coverage.hours.sum().round())
    True
    """

    regions: tuple[str, ...]
    today: NDArray[np.int64] = attrs.field(converter=_ro)
    needed: NDArray[np.int64] = attrs.field(converter=_ro)
    reserved_hours: NDArray[np.float64] = attrs.field(converter=_ro)
    hires: tuple[Manager, ...]
    coverage: CoveragePlan
    books: PortfolioAssignment | None

    def __repr__(self) -> str:
        return one_line(
            "ChannelStaffing",
            regions=len(self.regions),
            managers_today=int(self.today.sum()),
            managers_needed=int(self.needed.sum()),
            hires=len(self.hires),
            value=float(self.coverage.value),
        )

    def _report(self) -> Report:
        cov = self.coverage
        hbr = cov.hours_by_region
        rows = [
            [
                r,
                int(t),
                int(nd),
                max(int(nd) - int(t), 0),
                fmt_int(hbr.get(r, 0.0)),
                fmt_int(float(res)),
            ]
            for r, t, nd, res in zip(self.regions, self.today, self.needed, self.reserved_hours)
        ]
        blocks: list[Any] = [
            Fact("Managers today", fmt_int(int(self.today.sum())), int(self.today.sum())),
            Fact("Managers needed", fmt_int(int(self.needed.sum())), int(self.needed.sum())),
            Fact("Hires", fmt_int(len(self.hires)), len(self.hires)),
            Fact("Expected contribution", fmt_money(cov.value), float(cov.value)),
            Table(
                ["region", "today", "needed", "hires", "coverage hours", "reserved for recruits"],
                rows,
                title="Headcount by region",
            ),
            Table(
                ["motion", "partners"],
                [[k, v] for k, v in cov.partners_per_motion.items()],
                title="Partners per motion",
            ),
        ]
        if self.books is not None:
            a = self.books.assignment
            rel = a.relative_loads
            blocks.append(
                Table(
                    ["manager", "partners", "hours", "load"],
                    [
                        [mid, int(c), fmt_int(float(ld)), fmt_pct(float(x))]
                        for mid, c, ld, x in zip(self.books.manager_ids, a.counts, a.loads, rel)
                    ],
                    title="Books",
                )
            )
        if self.hires:
            blocks.append(Note("Hires: " + ", ".join(f"{m.id} ({m.region})" for m in self.hires)))
        return Report("Channel staffing", blocks)

    def to_frame(self, by: Literal["region", "manager", "partner"] = "region") -> pd.DataFrame:
        """One row per region (default), manager (its book) or partner (motion and manager)."""
        pd_mod = import_optional("pandas", "pandas")
        if by == "region":
            hbr = self.coverage.hours_by_region
            return pd_mod.DataFrame(  # type: ignore[no-any-return]
                {
                    "region": list(self.regions),
                    "today": self.today,
                    "needed": self.needed,
                    "hires": np.maximum(self.needed - self.today, 0),
                    "coverage_hours": [hbr.get(r, 0.0) for r in self.regions],
                    "reserved_hours": self.reserved_hours,
                }
            ).set_index("region")
        if by == "manager":
            if self.books is None:
                return pd_mod.DataFrame(columns=["partners", "hours", "load"])  # type: ignore[no-any-return]
            a = self.books.assignment
            return pd_mod.DataFrame(  # type: ignore[no-any-return]
                {
                    "manager": list(self.books.manager_ids),
                    "partners": a.counts,
                    "hours": a.loads,
                    "load": a.relative_loads,
                }
            ).set_index("manager")
        if by == "partner":
            frame = self.coverage.to_frame()
            frame["manager"] = ""
            if self.books is not None:
                frame.loc[list(self.books.partner_ids), "manager"] = self.books.manager_of
            return frame
        raise InvalidInputError(f"by must be 'region', 'manager' or 'partner', got {by!r}")

    def plot(self, ax: Axes | None = None) -> Axes:
        """Managers per region, today against needed."""
        ax = style.axes(ax)
        y = np.arange(len(self.regions))
        ax.barh(y - 0.2, self.today, height=0.4, color=style.COLORS["secondary"], label="today")
        ax.barh(y + 0.2, self.needed, height=0.4, color=style.COLORS["primary"], label="needed")
        ax.set_yticks(y)
        ax.set_yticklabels(list(self.regions))
        ax.set_xlabel("managers")
        ax.set_title(f"Headcount: {int(self.today.sum())} today, {int(self.needed.sum())} needed")
        ax.legend(loc="lower right")
        return ax


def staff_channel(
    partners: Any,
    managers: Sequence[Manager],
    motions: Sequence[Motion] | None = None,
    *,
    margin: float | ArrayLike,
    plan: CapacityPlan | None = None,
    manager_cost: float | None = None,
    model: WorkloadModel | None = None,
    hours: ArrayLike | None = None,
    expected_revenue: ArrayLike | None = None,
    eligible: ArrayLike | None = None,
    minimum: Mapping[str, str] | Sequence[str | None] | None = None,
    current: Mapping[str, str | None] | Sequence[str | None] | None = None,
    max_changes: int | None = None,
    gap: float = 0.0,
    time_limit: float | None = None,
    seed: SeedLike = None,
) -> ChannelStaffing:
    """From plan to books in one call: headcount per region, hires, coverage, books.

    Parameters
    ----------
    partners : Portfolio, DataFrame or mapping
        Today's partners.
    managers : sequence of Manager
        Today's team, each with a finite capacity and a region.
    motions : sequence of Motion, optional
        Default :func:`default_motions`.
    margin : float or array-like
        Contribution margin, as in :func:`plan_coverage`.
    plan : CapacityPlan, optional
        A capacity plan for growth: the managers it needs per region
        (:attr:`CapacityPlan.managers_by_region`) are the headcount needed,
        and the hours its new partners need are kept free for them
        (``reserved_hours``); coverage decides today's partners within the
        rest of the hours of ``max(needed, today)`` managers (nobody is laid off).
    manager_cost : float [currency/year], optional
        Without a plan: hire, one manager at a time, in the region where a
        manager adds the most contribution (re-solved exactly), while that
        exceeds ``manager_cost``. Without either, the headcount stays as today.
    model, hours, expected_revenue, eligible, minimum, current, max_changes, gap, time_limit
        As in :func:`plan_coverage`; the one workload (``model`` or
        ``hours``) is also what :func:`~channelkit.assign_portfolio` balances.
    seed : int, optional
        Seed of the balancing.

    Returns
    -------
    ChannelStaffing

    Notes
    -----
    Hires get the mean capacity and the largest ``max_partners`` of their
    region's managers (2,000 hours and no cap for a region without any).
    Only partners whose motion takes manager hours enter the books.

    Examples
    --------
    Six partners that each add 15,000 under a manager (100 h); one manager of
    200 h today; a manager costs 20,000 a year, so two more pay for themselves:

    >>> import channelkit as ck
    >>> pf = ck.Portfolio([f"p{i}" for i in range(6)], revenue=[100_000.0] * 6,
    ...                   region=["NA"] * 6)
    >>> motions = [ck.Motion("self"), ck.Motion("pm", hours=100.0, uplift=0.5)]
    >>> staff = staff_channel(pf, [ck.Manager("m1", 200.0, region="NA")], motions,
    ...                       margin=0.3, manager_cost=20_000.0, expected_revenue=pf.revenue)
    >>> staff.needed.tolist(), [m.id for m in staff.hires]
    ([3], ['NEW-NA-1', 'NEW-NA-2'])
    >>> staff.books.mapping["p0"] in {"m1", "NEW-NA-1", "NEW-NA-2"}
    True
    """
    pf = as_portfolio(partners)
    team = list(managers)
    mots = tuple(default_motions() if motions is None else _as_motions(motions))
    setup = _setup(
        pf,
        mots,
        hours_available=team,
        margin=margin,
        expected_revenue=expected_revenue,
        hours=hours,
        model=model,
        eligible=eligible,
        minimum=minimum,
        current=current,
        max_changes=max_changes,
        hours_per_manager=HOURS_PER_MANAGER,
        gap=gap,
        time_limit=time_limit,
    )
    pools = setup.pools
    names = pools.names
    pos = {r: j for j, r in enumerate(names)}
    today = np.zeros(len(names), dtype=np.int64)
    for m in team:
        today[pos["all" if pools.single else str(m.region)]] += 1
    per = pools.per_manager
    reserved = np.zeros(len(names))
    if plan is not None:
        needed_map = plan.managers_by_region
        new_hours = plan.new_hours_by_region
        needed = np.array([needed_map.get(r, 0) for r in names], dtype=np.int64)
        if pools.single:
            needed = np.array([sum(needed_map.values())], dtype=np.int64)
            reserved = np.array([sum(new_hours.values())])
        else:
            reserved = np.array([new_hours.get(r, 0.0) for r in names])
        needed = np.maximum(needed, 0)
        # nobody is laid off: today's managers above the plan's need still give their hours
        pool_hours = np.maximum(np.maximum(needed, today) * per - reserved, 0.0)
        cov = _plan(setup, pool_hours)
    elif manager_cost is not None:
        cost = check_nonnegative(manager_cost, "manager_cost")
        needed = today.copy()
        cov = _plan(setup, needed * per)
        for _ in range(10 * len(pf)):  # one hire per step, bounded
            gains = np.full(len(names), -math.inf)
            trials: dict[int, CoveragePlan] = {}
            for j in range(len(names)):  # loop over regions
                if not (pools.group == j).any():
                    continue
                trial = needed.copy()
                trial[j] += 1
                trials[j] = _plan(setup, trial * per)
                gains[j] = trials[j].value - cov.value
            j = int(np.argmax(gains))
            if not gains[j] > cost:
                break
            needed[j] += 1
            cov = trials[j]
    else:
        needed = today.copy()
        cov = _plan(setup)
    hires: list[Manager] = []
    for j, r in enumerate(names):
        mine = [m for m in team if (pools.single or str(m.region) == r)]
        caps = [m.max_partners for m in mine]
        kmax = (
            None
            if not mine or any(c is None for c in caps)
            else max(c for c in caps if c is not None)
        )
        for q in range(int(needed[j] - today[j])):
            hires.append(
                Manager(
                    f"NEW-{r}-{q + 1}",
                    capacity=float(per[j]),
                    max_partners=kmax,
                    region=None if pools.single else r,
                )
            )
    managed = cov.hours > 0
    books = None
    if managed.any():
        books = assign_portfolio(
            pf.subset(managed), [*team, *hires], hours=cov.hours[managed], seed=seed
        )
    return ChannelStaffing(
        regions=names,
        today=today,
        needed=needed,
        reserved_hours=reserved,
        hires=tuple(hires),
        coverage=cov,
        books=books,
    )
