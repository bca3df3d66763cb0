"""The channel month by month: a Monte Carlo what-if engine.

:func:`simulate_channel` runs many possible futures of a channel: existing
partners that keep selling (and sometimes leave), prospects recruited every
month per :class:`~channelkit.capacity.Segment` that convert, ramp up, grow
and leave, and optionally a tier :class:`~channelkit.tiers.Program` applied
every month. It is the engine behind :func:`~channelkit.capacity.plan_capacity`
exposed for "what if we recruit 10 resellers a month?" questions.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _plotstyle
from ._montecarlo import WorkersLike, child_seed, chunk_rows, root_seed, run_map, spawn_seeds
from ._optional import import_optional
from ._recruitment import RowParams as _RowParams
from ._recruitment import SegKernel as _SegKernel
from ._recruitment import checked_draws, checked_segments
from ._recruitment import draw_partners as _draw_partners
from ._recruitment import exp_lifetimes as _exp_lifetimes
from ._recruitment import lifetimes as _lifetimes
from ._recruitment import log_survival as _log_survival
from ._render import Fact, Note, Report, ResultMixin, Table, fmt_money, fmt_num, one_line
from ._validation import SeedLike, as_float_array, as_int_array, check_fraction
from .capacity import Segment
from .errors import InvalidInputError
from .partners import PortfolioLike, as_portfolio

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["ChannelSimulation", "simulate_channel"]


@attrs.frozen(eq=False)
class _SimEngine:
    """Everything a chunk of :func:`simulate_channel` needs (picklable)."""

    segments: tuple[Segment, ...]
    recruits: NDArray[np.int64]  # (k, horizon) prospects signed per month
    horizon: int
    start_revenue: NDArray[np.float64]
    start_log_s: float
    start_growth: float
    start_metrics: Mapping[str, NDArray[np.float64]]
    program: Any
    draws: tuple[tuple[_SegKernel, ...], ...] | None = None  # per segment, per parameter draw


def _sign_months(per_month: ArrayLike) -> NDArray[np.int64]:
    """Signing month of each prospect slot, for ``per_month[m]`` prospects in month ``m``.

    Slots are ordered by their rank within the month, then by month: the first
    prospect of every month, then the second of every month, and so on. For
    an even schedule this is the round robin of :func:`plan_capacity`
    (slot ``j`` in month ``j % months``), so both draw the same numbers.
    """
    counts = np.asarray(per_month, dtype=np.int64)
    months = np.repeat(np.arange(counts.size), counts)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]) if counts.size else counts
    rank = np.arange(months.size) - np.repeat(starts, counts)
    return np.asarray(months[np.lexsort((months, rank))], dtype=np.int64)


def _sim_chunk(
    task: tuple[Any, ...],
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64] | None]:
    """Simulate ``rows`` channels; returns active (rows, H, k + 1), revenue (rows, H), tiers."""
    eng, seed, rows, *rest = task
    offset = int(rest[0]) if rest else 0
    h = eng.horizon
    k_segs = len(eng.segments)
    active_out = np.zeros((rows, h, k_segs + 1), dtype=np.int64)
    revenue = np.zeros((rows, h))
    n_tiers = len(eng.program.tiers) if eng.program is not None else 0
    tiers = np.zeros((rows, h, n_tiers + 1), dtype=np.int64) if eng.program is not None else None

    # existing partners: fully ramped; stream 0 of the chunk
    n_e = eng.start_revenue.size
    if n_e:
        if eng.start_log_s == 0.0:
            e_life = np.full((rows, n_e), h + 1, dtype=np.int64)
        else:
            rng = np.random.default_rng(child_seed(seed, 0))
            e_life = _lifetimes(1.0 - rng.random((rows, n_e)), eng.start_log_s, h + 1)

    # recruited prospects: slots of segment k in order of signing month; only the
    # converted ones are drawn (the same partners as plan_capacity's)
    seg_data = []
    for k, seg in enumerate(eng.segments):
        signs = _sign_months(eng.recruits[k])
        kernels = eng.draws[k] if eng.draws is not None else (_SegKernel.of(seg, h),)
        ids = None
        if len(kernels) > 1:
            ids = np.asarray((offset + np.arange(rows)) % len(kernels), dtype=np.intp)
        params = _RowParams.of(kernels, ids, rows)
        pos, e_draw, prod = _draw_partners(kernels[0], seed, k, rows, signs.size, params)
        converted = pos < signs.size
        life = _exp_lifetimes(e_draw, -np.asarray(params.log_s, dtype=np.float64), h + 1)
        start = signs[np.minimum(pos, max(signs.size - 1, 0)).astype(np.intp)] + seg.lag_months
        seg_data.append((seg, start, life, converted, prod, seg.ramp(h)))

    row_ids = np.arange(rows)
    for m in range(h):
        rates: list[NDArray[np.float64]] = []
        actives: list[NDArray[np.bool_]] = []
        if n_e:
            act = e_life > m
            rate = np.broadcast_to(
                eng.start_revenue * (1.0 + eng.start_growth) ** (m / 12.0), act.shape
            )
            active_out[:, m, k_segs] = act.sum(axis=1)
            revenue[:, m] += np.where(act, rate, 0.0).sum(axis=1) / 12.0
            rates.append(rate)
            actives.append(act)
        for k, (seg, start, life, converted, prod, ramp) in enumerate(seg_data):
            age = m - start
            started = age >= 0
            act = converted & started & (age < life)
            factor = np.where(started, ramp[np.clip(age, 0, h - 1)], 0.0)
            rate = prod * (factor * (1.0 + seg.growth) ** (m / 12.0))
            active_out[:, m, k] = act.sum(axis=1)
            revenue[:, m] += np.where(act, rate, 0.0).sum(axis=1) / 12.0
            rates.append(rate)
            actives.append(act)
        if tiers is not None:
            tiers[:, m, :] = _tier_counts(eng, rates, actives, row_ids, n_tiers)
    return active_out, revenue, tiers


def _tier_counts(
    eng: _SimEngine,
    rates: list[NDArray[np.float64]],
    actives: list[NDArray[np.bool_]],
    row_ids: NDArray[np.int64],
    n_tiers: int,
) -> NDArray[np.int64]:
    """Evaluate the program on every active partner of every row; count per tier."""
    from .tiers import evaluate  # lazy: tiers is a sibling topic module

    rows = row_ids.size
    names = set(eng.program.metrics) | set(eng.start_metrics)
    for seg in eng.segments:
        names |= set(seg.metrics)
    names.discard("revenue")
    revenue_cols: list[NDArray[np.float64]] = []
    row_cols: list[NDArray[np.int64]] = []
    metric_cols: dict[str, list[NDArray[np.float64]]] = {name: [] for name in names}
    # (metrics, default growth, annual run rates, active mask) per group of partners
    groups: list[tuple[Mapping[str, Any], float, NDArray[np.float64], NDArray[np.bool_]]] = []
    i = 0
    if eng.start_revenue.size:
        groups.append((eng.start_metrics, eng.start_growth, rates[0], actives[0]))
        i = 1
    for seg, rate, act in zip(eng.segments, rates[i:], actives[i:]):
        groups.append((seg.metrics, seg.growth, rate, act))
    for mets, growth, rate, act in groups:
        r_idx, c_idx = np.nonzero(act)
        revenue_cols.append(np.asarray(rate)[r_idx, c_idx])
        row_cols.append(r_idx)
        for name in names:
            value = mets.get(name, growth if name == "growth" else 0.0)
            arr = np.asarray(value, dtype=np.float64)
            metric_cols[name].append(arr[c_idx] if arr.ndim else np.full(r_idx.size, float(arr)))
    row_of = np.concatenate(row_cols) if row_cols else np.zeros(0, dtype=np.int64)
    if row_of.size == 0:
        out = np.zeros((rows, n_tiers + 1), dtype=np.int64)
        return out
    columns: dict[str, Any] = {"revenue": np.concatenate(revenue_cols)}
    for name in sorted(names):
        columns[name] = np.concatenate(metric_cols[name])
    tier = np.asarray(evaluate(eng.program, columns).tier, dtype=np.int64)
    slot = np.where(tier < 0, n_tiers, tier)
    counts = np.bincount(row_of * (n_tiers + 1) + slot, minlength=rows * (n_tiers + 1))
    return counts.reshape(rows, n_tiers + 1)


@attrs.frozen(eq=False, repr=False)
class ChannelSimulation(ResultMixin):
    """The result of :func:`simulate_channel`: per-period arrays over simulations.

    The result protocol: a one-line ``repr``, :meth:`summary` (text; HTML in
    a notebook), :meth:`headline` (percentiles of the horizon revenue and of
    the partners active at the end), :meth:`to_frame` (per month, or per
    simulation with ``by="simulation"``) and :meth:`plot` (bands by month).

    Attributes
    ----------
    segment_names : tuple of str
        Names of the segments; ``active_by_segment`` has one more column,
        ``"existing"``, for the starting portfolio.
    active : ndarray of int, shape (n_sims, horizon_months)
        Productive partners active in each month (existing and recruited).
    active_by_segment : ndarray of int, shape (n_sims, horizon_months, k + 1)
        The same per segment, the last column for the starting portfolio.
    revenue : ndarray, shape (n_sims, horizon_months) [currency/month]
        Revenue in each month.
    tier_counts : ndarray of int, shape (n_sims, horizon_months, n_tiers + 1), or None
        Partners per tier each month when a program was given; the last
        column counts partners in no tier.
    tier_names : tuple of str
        Names of the program's tiers (empty without a program).

    Examples
    --------
    >>> from channelkit.capacity import Segment
    >>> seg = Segment("resellers", 120_000.0)
    >>> sim = simulate_channel([seg], {"resellers": 2}, horizon_months=3, n_sims=10, seed=0)
    >>> sim
    ChannelSimulation(n_sims=10, horizon_months=3, segments=['resellers'], median_total_revenue=120000)
    >>> print(sim.summary())  # 2, 4 and 6 partners selling 10,000 a month
    Channel simulation: 10 runs over 3 months
    =========================================
    Horizon revenue P5         120,000
    Horizon revenue P50        120,000
    Horizon revenue P95        120,000
    Active at the end P5       6
    Active at the end P50      6
    Active at the end P95      6
    >>> sim.to_frame()["revenue_p50"].tolist()
    [20000.0, 40000.0, 60000.0]
    """

    segment_names: tuple[str, ...]
    active_by_segment: NDArray[np.int64]
    revenue: NDArray[np.float64]
    tier_counts: NDArray[np.int64] | None
    tier_names: tuple[str, ...]

    @property
    def n_sims(self) -> int:
        """Number of simulations."""
        return int(self.revenue.shape[0])

    @property
    def horizon_months(self) -> int:
        """Number of simulated months."""
        return int(self.revenue.shape[1])

    @property
    def active(self) -> NDArray[np.int64]:
        """Productive partners active each month, shape (n_sims, horizon_months)."""
        return np.asarray(self.active_by_segment.sum(axis=2), dtype=np.int64)

    @property
    def cumulative_revenue(self) -> NDArray[np.float64]:
        """Revenue accumulated up to the end of each month, shape (n_sims, horizon_months)."""
        return np.asarray(np.cumsum(self.revenue, axis=1), dtype=np.float64)

    @property
    def total_revenue(self) -> NDArray[np.float64]:
        """Revenue over the whole horizon in each simulation, shape (n_sims,)."""
        return np.asarray(self.revenue.sum(axis=1), dtype=np.float64)

    def percentiles(
        self, what: str = "revenue", q: ArrayLike = (5, 25, 50, 75, 95)
    ) -> NDArray[np.float64]:
        """Percentiles over the simulations of a per-period quantity.

        Parameters
        ----------
        what : {"revenue", "cumulative_revenue", "active"}
            The quantity.
        q : array-like of float in [0, 100]
            Percentile levels [%].

        Returns
        -------
        ndarray, shape (len(q), horizon_months)
        """
        levels = as_float_array(q, "q", bounds=(0.0, 100.0), allow_empty=False)
        data = self._quantity(what)
        return np.asarray(np.percentile(data, levels, axis=0), dtype=np.float64)

    def _quantity(self, what: str) -> NDArray[Any]:
        if what == "revenue":
            return self.revenue
        if what == "cumulative_revenue":
            return self.cumulative_revenue
        if what == "active":
            return self.active
        raise InvalidInputError(
            f"what must be 'revenue', 'cumulative_revenue' or 'active', got {what!r}"
        )

    def __repr__(self) -> str:
        segments: Any = list(self.segment_names)
        if len(repr(segments)) > 80:
            segments = len(segments)
        return one_line(
            "ChannelSimulation",
            n_sims=self.n_sims,
            horizon_months=self.horizon_months,
            segments=segments,
            median_total_revenue=float(np.median(self.total_revenue)),
        )

    def _report(self) -> Report:
        title = f"Channel simulation: {self.n_sims:,} runs over {self.horizon_months} months"
        blocks: list[Fact | Table | Note] = []
        rev = np.percentile(self.total_revenue, [5, 50, 95])
        act = np.percentile(self.active[:, -1], [5, 50, 95])
        for p, v in zip((5, 50, 95), rev):
            blocks.append(Fact(f"Horizon revenue P{p}", fmt_money(v), float(v)))
        for p, v in zip((5, 50, 95), act):
            blocks.append(Fact(f"Active at the end P{p}", fmt_num(float(v)), float(v)))
        if self.tier_counts is not None:
            mean_last = self.tier_counts[:, -1, :].mean(axis=0)
            names = (*self.tier_names, "(none)")
            blocks.append(
                Table(
                    ["tier", "mean partners"],
                    [[n, f"{v:,.1f}"] for n, v in zip(names, mean_last)],
                    title="Mean partners per tier at the end",
                )
            )
        return Report(title, blocks)

    def to_frame(
        self,
        by: Literal["month", "simulation"] = "month",
        q: ArrayLike = (5, 25, 50, 75, 95),
    ) -> pd.DataFrame:
        """The simulation as a pandas DataFrame (pandas is imported lazily).

        Parameters
        ----------
        by : {"month", "simulation"}
            One row per month 1..horizon: the percentiles ``q`` of revenue,
            cumulative revenue and active partners (``revenue_p5`` ...), and
            the mean partners per tier (``tier_<name>_mean``) with a program;
            or one row per simulation: ``total_revenue`` and ``active_end``
            (partners active in the last month).
        q : array-like of float in [0, 100]
            Percentile levels [%] of the per-month view.

        Returns
        -------
        pandas.DataFrame
        """
        pd_mod = import_optional("pandas", "pandas")
        if by == "simulation":
            frame: pd.DataFrame = pd_mod.DataFrame(
                {"total_revenue": self.total_revenue, "active_end": self.active[:, -1]},
                index=pd_mod.RangeIndex(self.n_sims, name="simulation"),
            )
            return frame
        if by != "month":
            raise InvalidInputError(f"by must be 'month' or 'simulation', got {by!r}")
        levels = as_float_array(q, "q", bounds=(0.0, 100.0), allow_empty=False)
        data: dict[str, Any] = {}
        for what in ("revenue", "cumulative_revenue", "active"):
            pct = self.percentiles(what, levels)
            for lev, row in zip(levels, pct):
                data[f"{what}_p{lev:g}"] = row
        index = pd_mod.RangeIndex(1, self.horizon_months + 1, name="month")
        frame = pd_mod.DataFrame(data, index=index)
        if self.tier_counts is not None:
            mean = self.tier_counts.mean(axis=0)
            for i, name in enumerate((*self.tier_names, "(none)")):
                frame[f"tier_{name}_mean"] = mean[:, i]
        return frame

    def plot(self, ax: Axes | None = None, what: str = "cumulative_revenue") -> Axes:
        """Bands by month of a per-month quantity: 5-95 % and 25-75 %, and the median.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure if None.
        what : {"cumulative_revenue", "revenue", "active"}
            The quantity; revenue axes have plain-thousands ticks (``1.5M``).

        Returns
        -------
        matplotlib.axes.Axes
        """
        p5, p25, p50, p75, p95 = self.percentiles(what, (5, 25, 50, 75, 95))
        ax = _plotstyle.axes(ax)
        months = np.arange(1, self.horizon_months + 1)
        color = _plotstyle.COLORS["primary"]
        ax.fill_between(months, p5, p95, alpha=0.2, color=color, label="5-95 %")
        ax.fill_between(months, p25, p75, alpha=0.4, color=color, label="25-75 %")
        ax.plot(months, p50, color=color, label="median")
        label = what.replace("_", " ")
        if what != "active":
            _plotstyle.currency_axis(ax)
        ax.set_xlim(1, max(self.horizon_months, 2))
        ax.set_xlabel("month")
        ax.set_ylabel(label)
        ax.set_title(f"{label.capitalize()} by month ({self.n_sims:,} simulations)")
        ax.legend(loc="upper left")
        ax.grid(True, alpha=0.3)
        return ax


def _recruit_schedule(
    recruits: Mapping[str, Any] | None, segs: Sequence[Segment], horizon: int
) -> NDArray[np.int64]:
    out = np.zeros((len(segs), horizon), dtype=np.int64)
    if recruits is None:
        return out
    if not isinstance(recruits, Mapping):
        raise InvalidInputError(
            "recruits must be a mapping of segment name -> prospects per month "
            f"(an int or one int per month), got {type(recruits).__name__}"
        )
    names = [s.name for s in segs]
    for key, value in recruits.items():
        if key not in names:
            raise InvalidInputError(
                f"recruits names an unknown segment {key!r}; segments are {names!r}"
            )
        arr = as_int_array(value, f"recruits[{key!r}]", ndim=(0, 1), min_value=0)
        if arr.ndim == 1 and arr.shape != (horizon,):
            raise InvalidInputError(
                f"recruits[{key!r}] must be an int or have one value per month, "
                f"shape ({horizon},), got {arr.shape}"
            )
        out[names.index(key)] = np.broadcast_to(arr, (horizon,))
    return out


def simulate_channel(
    segments: Segment | Sequence[Segment],
    recruits: Mapping[str, Any] | None = None,
    *,
    start: PortfolioLike | None = None,
    start_attrition: float = 0.0,
    start_growth: float = 0.0,
    horizon_months: int = 12,
    n_sims: int = 1000,
    seed: SeedLike = None,
    workers: WorkersLike = None,
    program: Any = None,
    progress: bool = False,
    parameter_draws: Sequence[Any] | None = None,
) -> ChannelSimulation:
    """Simulate a channel month by month, many times.

    Parameters
    ----------
    segments : Segment or sequence of Segment
        The kinds of partner recruited.
    recruits : mapping of str to int or array-like of int, optional
        Prospects signed per month for each segment name: a constant or one
        value per month. Each converts with the segment's conversion, starts
        selling after the funnel lag, ramps, grows and may leave.
    start : Portfolio, DataFrame or mapping, optional
        The channel at month 0; its partners sell at their ``revenue``
        [currency/year], fully ramped.
    start_attrition : float in [0, 1], default 0.0
        Annual probability that a starting partner leaves.
    start_growth : float, default 0.0
        Annual growth of the starting partners' revenue, > -1.
    horizon_months : int, default 12
        Months to simulate.
    n_sims : int, default 1000
        Number of simulated channels.
    seed : int, numpy SeedSequence, numpy Generator or None
        Seed; the same seed gives the same result whatever ``workers``. A
        SeedSequence is not changed (passing it again gives the same result);
        a Generator is advanced once to draw the entropy.
    workers : None, int or map-like callable
        As in :func:`~channelkit.capacity.plan_capacity`.
    program : channelkit.tiers.Program, optional
        A tier program evaluated every month on the active partners, with
        ``revenue`` set to each partner's current annual run rate and the
        other metrics taken from the starting portfolio or the segment's
        ``metrics`` (``growth`` defaults to the segment's ``growth`` or
        ``start_growth``; other unknown metrics are 0). Tiers are evaluated
        every month (the program's review policy is not applied); see
        :func:`channelkit.progress` for reviews and grace periods.
    progress : bool, default False
        Show a progress bar (needs tqdm).
    parameter_draws : sequence of mappings name -> Segment, optional
        Segment parameters drawn from their sampling distribution (such as
        :meth:`channelkit.Calibration.draw_segments` returns): simulation
        ``i`` uses draw ``i % len(parameter_draws)`` for the attrition,
        conversion and productivity of its recruits, as in
        :func:`~channelkit.capacity.plan_capacity`. Identical draws give the
        simulation without them.

    Returns
    -------
    ChannelSimulation

    Raises
    ------
    InvalidInputError
        For invalid arguments (a ``program`` that is not a Program included) or
        unknown segment names in ``recruits``.

    Notes
    -----
    Partner :math:`j` of segment :math:`k`, signed in month :math:`s_j`,
    earns in month :math:`m`

    .. math:: \\frac{P_j}{12} \\rho_k(m - s_j - d_k) (1 + g_k)^{m/12}
              [C_j] [s_j + d_k \\le m < s_j + d_k + L_j]

    with :math:`P_j` its productivity, :math:`C_j` conversion, :math:`L_j`
    its lifetime (geometric with the monthly attrition) and :math:`d_k` the
    funnel lag. The loop runs over months; every month is vectorized over
    simulations and partners. Random numbers are drawn per chunk of
    simulations from the children of ``SeedSequence(seed)`` (those ``spawn``
    would give, derived without changing it), so results do not depend on
    ``workers``.

    Examples
    --------
    >>> seg = Segment("resellers", 60_000.0, ramp_months=4, attrition=0.2)
    >>> sim = simulate_channel([seg], {"resellers": 5}, horizon_months=12, n_sims=200, seed=3)
    >>> sim.active.shape
    (200, 12)
    >>> int(sim.active[:, 0].max())  # the first recruits are active at once
    5
    >>> bool((sim.active[:, -1] <= 60).all())
    True
    """
    segs = checked_segments(segments, Segment)
    if isinstance(horizon_months, bool) or not isinstance(horizon_months, numbers.Integral):
        raise InvalidInputError(f"horizon_months must be an int >= 1, got {horizon_months!r}")
    h = int(horizon_months)
    if h < 1:
        raise InvalidInputError(f"horizon_months must be an int >= 1, got {horizon_months!r}")
    if isinstance(n_sims, bool) or not isinstance(n_sims, numbers.Integral) or n_sims < 1:
        raise InvalidInputError(f"n_sims must be an int >= 1, got {n_sims!r}")
    schedule = _recruit_schedule(recruits, segs, h)
    s_attr = check_fraction(start_attrition, "start_attrition")
    if isinstance(start_growth, bool) or not isinstance(start_growth, numbers.Real):
        raise InvalidInputError(f"start_growth must be a number > -1, got {start_growth!r}")
    if not (float(start_growth) > -1.0 and math.isfinite(start_growth)):
        raise InvalidInputError(f"start_growth must be a finite number > -1, got {start_growth!r}")
    if start is None:
        s_rev = np.zeros(0)
        s_metrics: dict[str, NDArray[np.float64]] = {}
    else:
        pf = as_portfolio(start, "start")
        s_rev = np.array(pf.revenue, dtype=np.float64)
        s_metrics = {k: np.array(v) for k, v in pf.metrics.items()}
    if program is not None:
        from .tiers import Program  # lazy: tiers is a sibling topic module

        if not isinstance(program, Program):
            raise InvalidInputError(
                f"program must be a channelkit.Program (or None), got {type(program).__name__} "
                f"{program!r:.80}"
            )
    drawn = None
    if parameter_draws is not None:
        per_seg = checked_draws(parameter_draws, segs, h)
        drawn = tuple(tuple(_SegKernel.of(d, h) for d in ds) for ds in per_seg)
    eng = _SimEngine(
        segments=segs,
        recruits=schedule,
        horizon=h,
        start_revenue=s_rev,
        start_log_s=_log_survival(s_attr),
        start_growth=float(start_growth),
        start_metrics=s_metrics,
        program=program,
        draws=drawn,
    )
    rows = chunk_rows(int(n_sims))
    seeds = spawn_seeds(root_seed(seed), len(rows))
    offsets = np.concatenate([[0], np.cumsum(rows)[:-1]]).astype(int).tolist()
    parts = run_map(
        _sim_chunk,
        [(eng, ss, r, off) for ss, r, off in zip(seeds, rows, offsets)],
        workers,
        progress=progress,
    )
    tier_counts = None
    tier_names: tuple[str, ...] = ()
    if program is not None:
        tier_counts = np.concatenate([p[2] for p in parts if p[2] is not None], axis=0)
        tier_names = tuple(str(t.name) for t in program.tiers)
    return ChannelSimulation(
        segment_names=tuple(s.name for s in segs),
        active_by_segment=np.concatenate([p[0] for p in parts], axis=0),
        revenue=np.concatenate([p[1] for p in parts], axis=0),
        tier_counts=tier_counts,
        tier_names=tier_names,
    )
