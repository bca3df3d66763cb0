"""Calibration: the parameters of a capacity plan, fitted from data.

A plan is only as good as its attrition, ramp, productivity and conversion.
This module estimates each from what a CRM holds, with intervals:

- :func:`fit_attrition`: Kaplan-Meier survival of partners (censoring
  handled), censored exponential and Weibull fits compared by AIC, the annual
  attrition rate with its confidence interval;
- :func:`fit_ramp`: revenue by month since joining relative to the mature
  level, bootstrap bands, a monotone curve for ``Segment(ramp_curve=...)``,
  time to first sale and the share of recruits that never sell;
- :func:`fit_productivity`: maximum-likelihood fits of heavy-tailed
  distributions (lognormal, gamma, Weibull) compared by AIC and the
  Kolmogorov-Smirnov statistic, usable as ``Segment(productivity=...)``;
- :func:`fit_conversion`: funnel stage conversion rates with Wilson
  intervals and lag distributions, giving :class:`~channelkit.FunnelStage` s.

Durations are in months. Every result follows the result protocol
(one-line repr, ``summary()``, ``to_frame()``, ``_repr_html_()``, ``plot()``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from . import _plotstyle
from ._optional import import_optional
from ._render import Fact, Note, Report, ResultMixin, Table, fmt_money, fmt_pct, one_line
from ._survival import (
    KaplanMeier,
    WeibullFit,
    exponential_rate,
    kaplan_meier,
    logit_interval,
    order_statistic_interval,
    weibull_fit,
    wilson_interval,
)
from ._validation import (
    SeedLike,
    as_bool_array,
    as_float_array,
    as_generator,
    check_fraction,
    check_growth,
)
from .capacity import FunnelStage, Segment
from .errors import InvalidInputError
from .history import PartnerHistory
from .partners import Portfolio

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = [
    "AttritionFit",
    "Backtest",
    "Calibration",
    "ConversionFit",
    "ProductivityFit",
    "RampFit",
    "backtest",
    "calibrate",
    "channel_growth",
    "channel_seasonality",
    "fit_attrition",
    "fit_conversion",
    "fit_productivity",
    "fit_ramp",
]

#: Candidate distributions of :func:`fit_productivity`: name -> scipy family.
DISTRIBUTIONS: dict[str, Any] = {
    "lognormal": stats.lognorm,
    "gamma": stats.gamma,
    "weibull": stats.weibull_min,
}


def _frame(data: Mapping[str, Any], index: Any = None) -> pd.DataFrame:
    pd_mod = import_optional("pandas", "pandas")
    frame: pd.DataFrame = pd_mod.DataFrame(dict(data), index=index)
    return frame


def _confidence(value: float) -> float:
    c = check_fraction(value, "confidence")
    if not 0.0 < c < 1.0:
        raise InvalidInputError(f"confidence must be in (0, 1), got {value!r}")
    return c


def _interval_fact(label: str, fmt: Any, lo: float, hi: float, key: str) -> Fact:
    """A headline interval ``lo - hi`` (no single raw value: the JSON key maps to None)."""
    return Fact(label, f"{fmt(lo)} - {fmt(hi)}", None, key=key)


# --------------------------------------------------------------------------- attrition
@attrs.frozen(eq=False, repr=False)
class AttritionFit(ResultMixin):
    """Partner survival and the annual attrition rate, from :func:`fit_attrition`.

    Attributes
    ----------
    km : KaplanMeier
        The Kaplan-Meier estimate: ``times`` [months], ``survival``, the
        pointwise ``lower``/``upper`` band, ``at_risk`` and ``events``.
    n, events : int
        Partners and observed exits.
    exposure : float [partner-months]
        Total time at risk.
    monthly_rate, monthly_rate_ci : float, (float, float) [1/month]
        The censored exponential hazard and Garwood's exact interval.
    weibull : WeibullFit or None
        The censored Weibull fit (None with fewer than two distinct exit times).
    aic : dict of str to float
        Akaike's information criterion per model (lower is better).
    model : str
        The model chosen by AIC: ``"exponential"`` or ``"weibull"``.
    annual_rate : float in [0, 1]
        Probability that a partner leaves within 12 months, under ``model``:
        what :class:`~channelkit.Segment` calls ``attrition``.
    ci : (float, float)
        Its confidence interval at ``confidence``.
    confidence : float
    monthly : bool
        Whether exits happen at month ends (a history): the exponential model
        is then the geometric one, ``annual_rate = 1 - (1 - h) ** 12`` with
        ``h`` = exits / months at risk.

    Examples
    --------
    >>> fit = fit_attrition([3, 12, 12, 24, 30, 36], observed=[1, 1, 0, 1, 0, 0])
    >>> fit
    AttritionFit(n=6, events=3, model='exponential', annual_rate=0.265, ci=(0.0615, 0.593))
    >>> round(float(fit.survival(12)), 3)  # exp(-12 x 3 / 117)
    0.735
    """

    km: KaplanMeier
    n: int
    events: int
    exposure: float
    monthly_rate: float
    monthly_rate_ci: tuple[float, float]
    weibull: WeibullFit | None
    aic: dict[str, float]
    model: str
    annual_rate: float
    ci: tuple[float, float]
    confidence: float
    monthly: bool = False

    def __repr__(self) -> str:
        return (
            f"AttritionFit(n={self.n}, events={self.events}, model={self.model!r}, "
            f"annual_rate={self.annual_rate:.3g}, ci=({self.ci[0]:.3g}, {self.ci[1]:.3g}))"
        )

    def survival(self, months: ArrayLike, model: str | None = None) -> NDArray[np.float64]:
        """Probability of still being a partner after ``months`` [months].

        Parameters
        ----------
        months : array-like [months]
        model : {"exponential", "weibull", "km"}, optional
            Default: the model chosen by AIC. ``"km"`` is the Kaplan-Meier
            step function.
        """
        t = as_float_array(months, "months", ndim=None, nonnegative=True, allow_inf=True)
        which = self.model if model is None else model
        if which == "km":
            return self.km.at(t)
        if which == "exponential":
            if self.monthly:
                out: NDArray[np.float64] = (1.0 - min(self.monthly_rate, 1.0)) ** t
            else:
                out = np.exp(-self.monthly_rate * t)
            return out
        if which == "weibull":
            if self.weibull is None:
                raise InvalidInputError("no Weibull fit: fewer than two distinct exit times")
            w = self.weibull
            out = np.exp(-((t / w.scale) ** w.shape))
            return out
        raise InvalidInputError(f"model must be 'exponential', 'weibull' or 'km', got {model!r}")

    def _report(self) -> Report:
        lo, hi = self.ci
        rows = [
            (
                "exponential",
                1,
                f"{self.aic['exponential']:.2f}",
                f"rate {self.monthly_rate:.4g}/month",
            ),
        ]
        if self.weibull is not None:
            rows.append(
                (
                    "weibull",
                    2,
                    f"{self.aic['weibull']:.2f}",
                    f"shape {self.weibull.shape:.3g}, scale {self.weibull.scale:.3g} months",
                )
            )
        return Report(
            "Partner attrition",
            [
                Fact("partners", f"{self.n:,}", self.n),
                Fact("exits observed", f"{self.events:,}", self.events),
                Fact("exposure [partner-months]", f"{self.exposure:,.0f}", self.exposure),
                Fact("model (by AIC)", self.model, self.model),
                Fact("annual attrition", fmt_pct(self.annual_rate), self.annual_rate),
                _interval_fact(
                    f"{self.confidence:.0%} interval", fmt_pct, lo, hi, "annual_rate_ci"
                ),
                Table(("model", "parameters", "AIC", "estimate"), rows),
            ],
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per distinct duration: Kaplan-Meier survival, band and counts."""
        return _frame(
            {
                "months": self.km.times,
                "survival": self.km.survival,
                "lower": self.km.lower,
                "upper": self.km.upper,
                "at_risk": self.km.at_risk,
                "events": self.km.events,
            }
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """The Kaplan-Meier curve with its band and the parametric fits."""
        axes = _plotstyle.axes(ax)
        t = np.concatenate(([0.0], self.km.times))
        s = np.concatenate(([1.0], self.km.survival))
        lo = np.concatenate(([1.0], self.km.lower))
        hi = np.concatenate(([1.0], self.km.upper))
        color = _plotstyle.COLORS["primary"]
        axes.step(t, s, where="post", color=color, label="Kaplan-Meier")
        axes.fill_between(t, lo, hi, step="post", alpha=0.2, color=color, label="95 % band")
        grid = np.linspace(0.0, float(t.max()) if t.size else 1.0, 200)
        models = ["exponential"] + (["weibull"] if self.weibull is not None else [])
        for name, c in zip(models, _plotstyle.categorical(3)[1:]):
            axes.plot(grid, self.survival(grid, name), color=c, linestyle="--", label=name)
        axes.set_xlabel("months since joining")
        axes.set_ylabel("share of partners still active")
        axes.set_ylim(0.0, 1.02)
        axes.set_title(f"Attrition: {fmt_pct(self.annual_rate)} a year ({self.model})")
        axes.legend(loc="lower left")
        return axes


def _annual_from_weibull(w: WeibullFit, confidence: float) -> tuple[float, tuple[float, float]]:
    def logit_annual(theta: NDArray[np.float64]) -> float:
        k, s = math.exp(theta[0]), math.exp(theta[1])
        h = (12.0 / s) ** k  # cumulative hazard at 12 months
        p = -math.expm1(-h)
        return math.log(p) - math.log1p(-p) if 0.0 < p < 1.0 else math.nan

    theta = np.array([math.log(w.shape), math.log(w.scale)])
    h = (12.0 / w.scale) ** w.shape
    annual = float(-math.expm1(-h))
    eps = 1e-6
    grad = np.array(
        [
            (logit_annual(theta + e) - logit_annual(theta - e)) / (2 * eps)
            for e in (np.array([eps, 0.0]), np.array([0.0, eps]))
        ]
    )
    var = float(grad @ w.cov @ grad)
    se = math.sqrt(var) if var >= 0 and math.isfinite(var) else math.nan
    return annual, logit_interval(annual, se, confidence)


def lifetimes(
    history: PartnerHistory,
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64]]:
    """Durations, exit flags and delayed entries [months] of a history's partners.

    A partner's duration is its age when it left (``left - joined + 1``
    months, an observed exit: it left at the end of its last active month)
    or the month-ends it is known to have survived (``end - joined``,
    censored: an exit at the end of the last month is not yet visible). Partners that
    joined before the first period are observed only from their age then:
    ``entry`` (left truncation), so the survivors that happen to be in the
    data do not pass for typical partners. Without a known join month a
    partner counts as joining in its first period with data.
    """
    end = history.periods[-1].astype("datetime64[M]").astype(np.int64)
    first = history.periods[0].astype("datetime64[M]").astype(np.int64)
    joined = history.joined_periods.astype("datetime64[M]").astype(np.int64)
    left = history.left_periods
    censored = np.isnat(left)
    # An exit at the end of month m is seen in month m + 1: a partner active in the last
    # month has survived one month-end fewer than its active months (censored there).
    exit_month = left.astype("datetime64[M]").astype(np.int64)
    durations = np.where(censored, end - joined, exit_month - joined + 1).astype(np.float64)
    entry = np.maximum(first - joined, 0).astype(np.float64)
    return durations, ~censored, entry


def _durations_input(
    data: Any, observed: ArrayLike | None, entry: ArrayLike | None
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64] | None]:
    if isinstance(data, PartnerHistory):
        if observed is not None or entry is not None:
            raise InvalidInputError(
                "observed= and entry= are only for durations; a history knows its lifecycle"
            )
        return lifetimes(data)
    t = as_float_array(data, "durations", nonnegative=True, allow_empty=False)
    if observed is None:
        obs = np.ones(t.shape, dtype=bool)
    else:
        obs = as_bool_array(observed, "observed", shape=t.shape)
    if np.any(t[obs] <= 0):
        i = int(np.argmax(obs & (t <= 0)))
        raise InvalidInputError(
            f"durations[{i}] is {t[i]!r}: an observed exit needs a positive duration [months]"
        )
    if entry is None:
        return t, obs, None
    e = as_float_array(entry, "entry", nonnegative=True)
    if e.shape != t.shape:
        raise InvalidInputError(f"entry must have the shape of durations {t.shape}, got {e.shape}")
    if np.any(e >= t):
        i = int(np.argmax(e >= t))
        raise InvalidInputError(
            f"entry[{i}] = {e[i]!r} is not below durations[{i}] = {t[i]!r}; a partner enters "
            "observation before it leaves it"
        )
    return t, obs, e


def fit_attrition(
    durations: Any,
    *,
    observed: ArrayLike | None = None,
    entry: ArrayLike | None = None,
    confidence: float = 0.95,
) -> AttritionFit:
    """Fit partner attrition from lifetimes, censoring handled.

    Parameters
    ----------
    durations : array-like [months] or PartnerHistory
        Months each partner has been (or was) a partner. A
        :class:`~channelkit.PartnerHistory` gives them from its lifecycle:
        partners that left are observed exits, partners active at the end
        are censored.
    observed : array-like of bool, optional
        True where the partner left after ``durations[i]`` months, False
        where it was still active when the data ended (censored). Default:
        every duration is an exit.
    entry : array-like [months], optional
        Age at which each partner came under observation (left truncation:
        partners that joined before the data starts are seen only because
        they survived until then). Default: all observed from age 0.
    confidence : float in (0, 1), default 0.95
        Level of the intervals and the Kaplan-Meier band.

    Returns
    -------
    AttritionFit

    Raises
    ------
    InvalidInputError
        For empty, negative or NaN durations, or ``observed`` not 0/1.

    Notes
    -----
    The exponential model has a constant hazard :math:`\\lambda`, estimated
    by events / exposure; Garwood's chi-square interval is exact for the
    event count. The Weibull model :math:`S(t) = \\exp(-(t/s)^k)` is fitted
    by maximum likelihood with censored terms :math:`-(t/s)^k`; its interval
    for the annual rate is the delta method on the logit. AIC =
    :math:`2p - 2 \\log L` picks the model; ``annual_rate`` is
    :math:`1 - S(12)`. Ignoring censoring (treating the active partners as
    exits) would overstate attrition; this fit never does.

    Examples
    --------
    No partner ever left: the rate is 0, with an upper bound.

    >>> fit = fit_attrition([12, 24, 36], observed=[False, False, False])
    >>> fit.annual_rate, round(fit.ci[1], 3)  # 1 - exp(-12 chi2(0.975, 2) / (2 x 72))
    (0.0, 0.459)
    """
    level = _confidence(confidence)
    t, obs, e = _durations_input(durations, observed, entry)
    monthly = isinstance(durations, PartnerHistory)
    if float(t.sum() - (0.0 if e is None else e.sum())) <= 0.0:
        raise InvalidInputError(
            "no partner was observed at risk for any time (durations minus entries add up to 0 "
            "months): attrition cannot be estimated; a history needs at least two months"
        )
    km = kaplan_meier(t, obs, level, e)
    rate, r_lo, r_hi = exponential_rate(t, obs, level, e)
    d = int(obs.sum())
    exposure = float(t.sum() - (0.0 if e is None else e.sum()))
    if monthly:  # geometric: d log h + (T - d) log(1 - h)
        h = min(rate, 1.0)
        loglik_exp = (d * math.log(h) if d > 0 else 0.0) + (
            (exposure - d) * math.log1p(-h) if exposure > d else 0.0
        )
    else:
        loglik_exp = (d * math.log(rate) if d > 0 else 0.0) - rate * exposure
    aic = {"exponential": 2.0 - 2.0 * loglik_exp}
    weib = weibull_fit(t, obs, e, grouped=monthly)
    if weib is not None:
        aic["weibull"] = 4.0 - 2.0 * weib.loglik
    model = (
        "weibull" if weib is not None and aic["weibull"] < aic["exponential"] else "exponential"
    )
    if model == "weibull":
        assert weib is not None
        annual, ci = _annual_from_weibull(weib, level)
        if not all(math.isfinite(x) for x in ci):
            model = "exponential"
    if model == "exponential":

        def annual_of(r: float) -> float:
            if monthly:  # exits at month ends: a geometric lifetime, h = exits / months at risk
                return float(1.0 - (1.0 - min(r, 1.0)) ** 12)
            return float(-math.expm1(-12.0 * r))

        annual = annual_of(rate)
        ci = (annual_of(r_lo), annual_of(r_hi))
    return AttritionFit(
        km=km,
        n=int(t.size),
        events=d,
        exposure=exposure,
        monthly_rate=rate,
        monthly_rate_ci=(r_lo, r_hi),
        weibull=weib,
        aic=aic,
        model=model,
        annual_rate=annual,
        ci=ci,
        confidence=level,
    )


# --------------------------------------------------------------------------- productivity
@attrs.frozen(eq=False, repr=False)
class ProductivityFit(ResultMixin):
    """What a productive partner sells in a year, from :func:`fit_productivity`.

    Attributes
    ----------
    values : ndarray [currency/year]
        The positive revenues fitted, sorted.
    zeros : int
        Partners with zero revenue (not part of the fit).
    fits : dict of str to frozen scipy distribution
        Each candidate's maximum-likelihood fit (location fixed at 0).
    aic, ks : dict of str to float
        Akaike's criterion and the Kolmogorov-Smirnov statistic per candidate.
    best : str
        The candidate with the lowest AIC (``"empirical"`` if it was the
        only candidate).
    median, median_ci : float, (float, float) [currency/year]
        The sample median and its distribution-free interval (order
        statistics), at ``confidence``.
    confidence : float

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> fit = fit_productivity(rng.lognormal(11.0, 1.0, size=2000))
    >>> fit.best
    'lognormal'
    >>> bool(abs(fit.distribution.median() / np.exp(11.0) - 1.0) < 0.05)
    True
    """

    values: NDArray[np.float64]
    zeros: int
    fits: dict[str, Any]
    aic: dict[str, float]
    ks: dict[str, float]
    best: str
    median: float
    median_ci: tuple[float, float]
    confidence: float

    def __repr__(self) -> str:
        return one_line(
            "ProductivityFit",
            n=int(self.values.size),
            best=self.best,
            median=self.median,
            median_ci=tuple(round(x, 6) for x in self.median_ci),
        )

    @property
    def distribution(self) -> Any:
        """The chosen fit: a frozen scipy distribution, or the sample for ``"empirical"``.

        Pass it as ``Segment(productivity=fit.distribution)``.
        """
        if self.best == "empirical":
            return self.values.copy()
        return self.fits[self.best]

    def _report(self) -> Report:
        rows = [
            (
                name,
                f"{self.aic[name]:,.1f}" if name in self.aic else "-",
                f"{self.ks[name]:.4f}",
                fmt_money(float(self.fits[name].median())) if name in self.fits else "-",
            )
            for name in self.ks
        ]
        lo, hi = self.median_ci
        return Report(
            "Partner productivity",
            [
                Fact("partners fitted", f"{self.values.size:,}", int(self.values.size)),
                Fact("partners with zero revenue", f"{self.zeros:,}", self.zeros),
                Fact("best fit (by AIC)", self.best, self.best),
                Fact("median [currency/year]", fmt_money(self.median), self.median),
                _interval_fact(f"{self.confidence:.0%} interval", fmt_money, lo, hi, "median_ci"),
                Table(("distribution", "AIC", "KS statistic", "median"), rows),
            ],
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate: AIC, KS statistic, median and mean of the fit."""
        names = list(self.ks)
        return _frame(
            {
                "aic": [self.aic.get(n, math.nan) for n in names],
                "ks": [self.ks[n] for n in names],
                "median": [
                    float(self.fits[n].median()) if n in self.fits else self.median for n in names
                ],
                "mean": [
                    float(self.fits[n].mean()) if n in self.fits else float(self.values.mean())
                    for n in names
                ],
                "chosen": [n == self.best for n in names],
            },
            index=names,
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """QQ plot: the sample's quantiles against the chosen fit's (log axes)."""
        axes = _plotstyle.axes(ax, figsize=(5.0, 5.0))
        n = self.values.size
        probs = (np.arange(1, n + 1) - 0.5) / n
        dist = self.fits.get(self.best)
        theory = dist.ppf(probs) if dist is not None else self.values
        axes.scatter(
            theory, self.values, s=6, color=_plotstyle.COLORS["primary"], label="partners"
        )
        lo = float(min(theory.min(), self.values.min()))
        hi = float(max(theory.max(), self.values.max()))
        axes.plot([lo, hi], [lo, hi], color=_plotstyle.COLORS["equality"], linestyle="--")
        axes.set_xscale("log")
        axes.set_yscale("log")
        _plotstyle.currency_axis(axes, "x")
        _plotstyle.currency_axis(axes, "y")
        axes.set_xlabel(f"{self.best} quantile [currency/year]")
        axes.set_ylabel("observed revenue [currency/year]")
        axes.set_title(f"Productivity: {self.best} fit, median {fmt_money(self.median)}")
        return axes


def fit_productivity(
    revenue: ArrayLike,
    *,
    candidates: Sequence[str] = ("lognormal", "gamma", "weibull"),
    confidence: float = 0.95,
) -> ProductivityFit:
    """Fit heavy-tailed distributions to what partners sell in a year.

    Parameters
    ----------
    revenue : array-like [currency/year]
        Yearly revenue of productive partners. Zeros are counted apart (a
        partner that sells nothing is a conversion question, not a
        productivity one).
    candidates : sequence of str, default ("lognormal", "gamma", "weibull")
        Distributions to fit, by maximum likelihood with location 0; add
        ``"empirical"`` to compare with the sample itself.
    confidence : float in (0, 1), default 0.95

    Returns
    -------
    ProductivityFit

    Raises
    ------
    InvalidInputError
        Negative or NaN revenue, fewer than 2 positive values, an unknown
        candidate.

    Notes
    -----
    AIC = :math:`2p - 2 \\log L` with :math:`p = 2` parameters for each
    family; the KS statistic :math:`\\sup_x |F_n(x) - F(x)|` is reported as
    a goodness of fit. The median's interval uses order statistics (ranks
    from the binomial distribution), valid whatever the distribution.

    Examples
    --------
    >>> fit = fit_productivity([12_000.0, 30_000.0, 55_000.0, 80_000.0, 250_000.0, 0.0])
    >>> fit.zeros, fit.median
    (1, 55000.0)
    >>> sorted(fit.aic) == ["gamma", "lognormal", "weibull"]
    True
    """
    level = _confidence(confidence)
    x = as_float_array(revenue, "revenue", nonnegative=True, allow_empty=False)
    names = list(candidates)
    if not names:
        raise InvalidInputError("candidates is empty; give at least one distribution")
    for name in names:
        if name not in DISTRIBUTIONS and name != "empirical":
            raise InvalidInputError(
                f"unknown candidate {name!r}; expected one of "
                f"{', '.join([*DISTRIBUTIONS, 'empirical'])}"
            )
    positive = np.sort(x[x > 0])
    if positive.size < 2:
        raise InvalidInputError(
            f"revenue has {positive.size} positive value(s); a fit needs at least 2"
        )
    # Fit on a scale near 1: the families are scale families, so this is exact.
    scale = float(np.median(positive))
    z = positive / scale
    fits: dict[str, Any] = {}
    aic: dict[str, float] = {}
    ks: dict[str, float] = {}
    for name in names:
        if name == "empirical":
            ks[name] = 0.0
            continue
        family = DISTRIBUTIONS[name]
        params = family.fit(z, floc=0)
        shape, _, s = params
        with np.errstate(over="ignore"):
            full_scale = s * scale
        if not math.isfinite(full_scale):
            continue  # this family's scale does not fit a float at these magnitudes
        dist = family(shape, loc=0.0, scale=full_scale)
        unit = family(shape, loc=0.0, scale=s)
        loglik = float(np.sum(unit.logpdf(z))) - positive.size * math.log(scale)
        fits[name] = dist
        aic[name] = 4.0 - 2.0 * loglik
        ks[name] = float(stats.kstest(z, unit.cdf).statistic)
    if not aic and "empirical" not in names:
        raise InvalidInputError(
            "revenue is too large for the candidate distributions to be expressed in floats; "
            "express revenue in larger units (thousands, millions)"
        )
    best = min(aic, key=aic.__getitem__) if aic else "empirical"
    return ProductivityFit(
        values=positive,
        zeros=int(x.size - positive.size),
        fits=fits,
        aic=aic,
        ks=ks,
        best=best,
        median=float(np.median(positive)),
        median_ci=order_statistic_interval(positive, 0.5, level),
        confidence=level,
    )


# --------------------------------------------------------------------------- conversion
@attrs.frozen(eq=False, repr=False)
class ConversionFit(ResultMixin):
    """Funnel conversion per stage, from :func:`fit_conversion`.

    Attributes
    ----------
    names : tuple of str
        The stages in order; the first is where records enter.
    entered, passed : ndarray of int
        Per stage after the first: records that reached the previous stage,
        and those that went on to reach this one.
    rate, lower, upper : ndarray
        Conversion per stage and its Wilson interval at ``confidence``.
    lag_median, lag_p90 : ndarray [months]
        Months from the previous stage to this one, among those that passed.
    confidence : float

    Examples
    --------
    >>> nan = float("nan")
    >>> fit = fit_conversion({"prospect": [0, 0, 1, 1, 2],
    ...                       "signed": [1, 2, nan, 3, nan],
    ...                       "first_sale": [3, nan, nan, 6, nan]})
    >>> fit.rate.tolist()  # 3 of 5 prospects signed, 2 of those 3 sold
    [0.6, 0.6666666666666666]
    >>> fit.funnel()[0]
    FunnelStage(name='signed', rate=0.6, lag_months=2)
    """

    names: tuple[str, ...]
    entered: NDArray[np.int64]
    passed: NDArray[np.int64]
    rate: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    lag_median: NDArray[np.float64]
    lag_p90: NDArray[np.float64]
    confidence: float

    def __repr__(self) -> str:
        rates = ", ".join(f"{n}={r:.3g}" for n, r in zip(self.names[1:], self.rate))
        return f"ConversionFit(records={int(self.entered[0])}, {rates})"

    @property
    def overall(self) -> float:
        """Share of records that pass every stage: the product of the rates."""
        return float(np.prod(self.rate))

    def funnel(self) -> tuple[FunnelStage, ...]:
        """The stages as :class:`~channelkit.FunnelStage` s (rate, median lag rounded).

        Raises
        ------
        InvalidInputError
            If a stage has no record passing it (a FunnelStage needs a rate > 0).
        """
        out = []
        for name, rate, lag in zip(self.names[1:], self.rate, self.lag_median):
            if not rate > 0:
                raise InvalidInputError(
                    f"no record passed stage {name!r}; a FunnelStage needs a rate > 0"
                )
            out.append(FunnelStage(name, float(rate), lag_months=math.floor(lag + 0.5)))
        return tuple(out)

    def _report(self) -> Report:
        rows = [
            (
                name,
                int(e),
                int(p),
                fmt_pct(r),
                f"{fmt_pct(lo)} - {fmt_pct(hi)}",
                "-" if math.isnan(lag) else f"{lag:g}",
            )
            for name, e, p, r, lo, hi, lag in zip(
                self.names[1:],
                self.entered,
                self.passed,
                self.rate,
                self.lower,
                self.upper,
                self.lag_median,
            )
        ]
        return Report(
            "Recruitment funnel",
            [
                Fact("records", f"{int(self.entered[0]):,}", int(self.entered[0])),
                Fact("overall conversion", fmt_pct(self.overall), self.overall),
                Table(
                    (
                        "stage",
                        "entered",
                        "passed",
                        "rate",
                        f"{self.confidence:.0%} interval",
                        "median lag [months]",
                    ),
                    rows,
                ),
            ],
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per stage after the first."""
        return _frame(
            {
                "entered": self.entered,
                "passed": self.passed,
                "rate": self.rate,
                "lower": self.lower,
                "upper": self.upper,
                "lag_median": self.lag_median,
                "lag_p90": self.lag_p90,
            },
            index=list(self.names[1:]),
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Conversion per stage with its interval (horizontal bars)."""
        axes = _plotstyle.axes(ax)
        y = np.arange(len(self.names) - 1)
        err = np.vstack([self.rate - self.lower, self.upper - self.rate])
        axes.barh(y, self.rate, xerr=err, color=_plotstyle.COLORS["primary"], capsize=3)
        axes.set_yticks(y)
        axes.set_yticklabels(self.names[1:])
        axes.invert_yaxis()
        axes.set_xlim(0.0, 1.0)
        axes.set_xlabel("conversion from the previous stage")
        axes.set_title(f"Funnel: {fmt_pct(self.overall)} overall")
        return axes


def _months(values: Any, name: str) -> NDArray[np.float64]:
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        months = arr.astype("datetime64[M]")
        out = (months - np.datetime64("1970-01", "M")).astype(np.float64)
        out[np.isnat(months)] = np.nan
        return out
    if hasattr(values, "dtype") and str(getattr(values, "dtype", "")).startswith("period"):
        return np.asarray([np.nan if v is None else v.ordinal for v in values], dtype=float)
    return as_float_array(values, name, allow_nan=True)


def fit_conversion(
    records: Any,
    *,
    stages: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> ConversionFit:
    """Stage conversion rates and lags from recruitment records.

    Parameters
    ----------
    records : DataFrame or mapping of str to array-like
        One row per prospect; one column per stage holding when the record
        reached it (a month number, or datetime64 / dates), missing (NaN,
        NaT) where it did not.
    stages : sequence of str, optional
        The stage columns in funnel order (default: the columns in order).
    confidence : float in (0, 1), default 0.95

    Returns
    -------
    ConversionFit

    Notes
    -----
    A stage's rate is the share of the records that reached the previous
    stage and then reached it, with Wilson's score interval. A record that
    reached a stage without the one before it is an error (the funnel is
    ordered). Recent records that have not had time to convert lower the
    rate: cut the records at a date where every one had time.

    Examples
    --------
    >>> nan = float("nan")
    >>> fit = fit_conversion({"prospect": [0, 0, 0, 0], "signed": [1, 2, nan, nan]})
    >>> fit.rate.tolist(), fit.funnel()
    ([0.5], (FunnelStage(name='signed', rate=0.5, lag_months=2),))
    """
    level = _confidence(confidence)
    names = list(stages) if stages is not None else [str(k) for k in records]
    if len(names) < 2:
        raise InvalidInputError(f"stages needs at least two stages, got {names!r}")
    cols = []
    for name in names:
        if name not in records:
            available = ", ".join(str(k) for k in records)
            raise InvalidInputError(
                f"records has no stage column {name!r}; available: {available}"
            )
        cols.append(_months(records[name], f"records[{name!r}]"))
    shape = cols[0].shape
    for name, col in zip(names, cols):
        if col.shape != shape:
            raise InvalidInputError(
                f"records[{name!r}] has {col.shape[0]} rows, expected {shape[0]}"
            )
    data = np.vstack(cols)  # (stages, records)
    reached = ~np.isnan(data)
    skipped = reached[1:] & ~reached[:-1]
    if skipped.any():
        k, i = (int(v) for v in np.argwhere(skipped)[0])
        raise InvalidInputError(
            f"record {i} reached stage {names[k + 1]!r} without {names[k]!r}; "
            "the stages must be in funnel order"
        )
    lags = data[1:] - data[:-1]
    if np.any(lags[reached[1:]] < 0):
        k, i = (int(v) for v in np.argwhere(reached[1:] & (lags < 0))[0])
        raise InvalidInputError(
            f"record {i} reached {names[k + 1]!r} before {names[k]!r}; lags must be >= 0"
        )
    entered = reached[:-1].sum(axis=1).astype(np.int64)
    passed = reached[1:].sum(axis=1).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(entered > 0, passed / np.maximum(entered, 1), np.nan)
    bounds = np.array([wilson_interval(int(p), int(e), level) for p, e in zip(passed, entered)])
    lag_median = np.array(
        [float(np.median(row[ok])) if ok.any() else np.nan for row, ok in zip(lags, reached[1:])]
    )
    lag_p90 = np.array(
        [
            float(np.percentile(row[ok], 90)) if ok.any() else np.nan
            for row, ok in zip(lags, reached[1:])
        ]
    )
    return ConversionFit(
        names=tuple(names),
        entered=entered,
        passed=passed,
        rate=rate,
        lower=bounds[:, 0],
        upper=bounds[:, 1],
        lag_median=lag_median,
        lag_p90=lag_p90,
        confidence=level,
    )


# --------------------------------------------------------------------------- ramp
#: Above this many bootstrap cells (resamples x recruits) the ramp's band is the normal
#: interval of a mean instead: the bootstrap would only reproduce it, slowly.
_BOOTSTRAP_CELLS = 2_000_000


@attrs.frozen(eq=False, repr=False)
class RampFit(ResultMixin):
    """How recruits ramp up, from :func:`fit_ramp`.

    Attributes
    ----------
    ratio : ndarray, shape (mature_after,)
        Revenue in month ``a`` since joining relative to the mature level,
        among recruits that sell (the mean of each recruit's ratio).
    lower, upper : ndarray, shape (mature_after,)
        Bootstrap percentile band over partners.
    curve : tuple of float
        The monotone (isotonic) smoothing of ``ratio``, clipped to [0, 1]:
        pass it as ``Segment(ramp_curve=fit.curve)``.
    mature_after : int [months]
        From this month on a partner counts as mature.
    first_sale : KaplanMeier
        Time to first sale [months since joining; 0: in the join month],
        censored for recruits that had not sold when the data ended.
    median_first_sale : float [months]
        Median of that time among the recruits that sell (the funnel lag of
        a :class:`~channelkit.Segment`).
    never_sell, never_sell_ci : float, (float, float)
        Share of recruits that never sell (the Kaplan-Meier plateau of time
        to first sale) and its interval: ``1 - never_sell`` is a
        :class:`~channelkit.Segment`'s ``conversion``.
    n_recruits, n_sellers : int
    confidence : float
    align : str
        Month 0 of :attr:`ratio`: ``"first_sale"`` or ``"joined"``.

    Examples
    --------
    >>> import numpy as np
    >>> nan = np.nan
    >>> revenue = np.array([[0, 50, 100, 100, 100],
    ...                     [0, 0, 60, 120, 120],
    ...                     [0, 0, 0, 0, 0],
    ...                     [0, 40, 80, nan, nan]])
    >>> fit = fit_ramp(revenue, mature_after=3, align="joined", seed=0)
    >>> [round(x, 3) for x in fit.curve]  # means of (0, .5, 1) and (0, 0, .5)
    [0.0, 0.25, 0.75]
    >>> fit.n_sellers, fit.n_recruits
    (3, 4)
    """

    ratio: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    curve: tuple[float, ...]
    mature_after: int
    first_sale: KaplanMeier
    median_first_sale: float
    never_sell: float
    never_sell_ci: tuple[float, float]
    n_recruits: int
    n_sellers: int
    confidence: float
    align: str = "first_sale"

    def __repr__(self) -> str:
        return (
            f"RampFit(recruits={self.n_recruits}, mature_after={self.mature_after}, "
            f"median_first_sale={self.median_first_sale:.3g}, never_sell={self.never_sell:.3g})"
        )

    def _report(self) -> Report:
        lo, hi = self.never_sell_ci
        rows = [
            (a, fmt_pct(r), f"{fmt_pct(l_)} - {fmt_pct(h_)}", fmt_pct(c))
            for a, (r, l_, h_, c) in enumerate(zip(self.ratio, self.lower, self.upper, self.curve))
        ]
        return Report(
            "Recruit ramp",
            [
                Fact("recruits", f"{self.n_recruits:,}", self.n_recruits),
                Fact("recruits that sold", f"{self.n_sellers:,}", self.n_sellers),
                Fact(
                    "median months to first sale",
                    f"{self.median_first_sale:g}",
                    self.median_first_sale,
                ),
                Fact("never sell", fmt_pct(self.never_sell), self.never_sell),
                _interval_fact(
                    f"never sell, {self.confidence:.0%} interval", fmt_pct, lo, hi, "never_sell_ci"
                ),
                Fact("mature after [months]", f"{self.mature_after}", self.mature_after),
                Table(("month", "of mature", f"{self.confidence:.0%} band", "curve"), rows),
                Note("The curve is monotone (isotonic) and plugs into Segment(ramp_curve=...)."),
            ],
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per month since joining: ratio, band and smoothed curve."""
        return _frame(
            {
                "month": np.arange(self.mature_after),
                "ratio": self.ratio,
                "lower": self.lower,
                "upper": self.upper,
                "curve": np.asarray(self.curve),
            }
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """The ramp: observed ratio with its band and the monotone curve."""
        axes = _plotstyle.axes(ax)
        a = np.arange(self.mature_after)
        color = _plotstyle.COLORS["primary"]
        axes.fill_between(a, self.lower, self.upper, alpha=0.2, color=color, label="95 % band")
        axes.plot(a, self.ratio, "o", color=color, label="observed")
        axes.step(a, self.curve, where="mid", color=_plotstyle.COLORS["target"], label="curve")
        axes.set_ylim(0.0, max(1.05, float(np.nanmax(self.upper)) if a.size else 1.05))
        since = "the first sale" if self.align == "first_sale" else "joining"
        axes.set_xlabel(f"months since {since}")
        axes.set_ylabel("revenue / mature level")
        axes.set_title(f"Ramp: first sale after {self.median_first_sale:g} months (median)")
        axes.legend(loc="lower right")
        return axes


def _isotonic(y: NDArray[np.float64], w: NDArray[np.float64]) -> NDArray[np.float64]:
    """Non-decreasing least-squares fit (pool adjacent violators); a loop over months."""
    vals: list[float] = []
    weights: list[float] = []
    sizes: list[int] = []
    for yi, wi in zip(y, w):
        vals.append(float(yi))
        weights.append(float(wi))
        sizes.append(1)
        while len(vals) > 1 and vals[-2] > vals[-1]:
            w2 = weights[-2] + weights[-1]
            v = (vals[-2] * weights[-2] + vals[-1] * weights[-1]) / w2 if w2 > 0 else vals[-1]
            vals[-2:] = [v]
            weights[-2:] = [w2]
            sizes[-2:] = [sizes[-2] + sizes[-1]]
    return np.repeat(np.array(vals), sizes)


def _calendar_months(history: PartnerHistory) -> NDArray[np.intp]:
    """Calendar month (0 = January) of each period of ``history``."""
    first = int(history.periods[0].astype("datetime64[M]").astype(np.int64))
    return (first + np.arange(history.n_periods)) % 12


def revenue_since_joining(
    history: PartnerHistory,
    growth: float = 0.0,
    seasonality: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Each recruit's monthly revenue by month since joining, shape (recruits, T).

    Recruits are the partners that joined after the history's first month
    (earlier joins have unobserved early months). Row ``i``, column ``a`` is
    the revenue in the ``a``-th month after joining (0: the join month); NaN
    after the partner left or the data ended. With ``growth`` (annual), each
    month's revenue is deflated by ``(1 + growth) ** (t / 12)``, ``t`` its
    period index, so that a recruit's ramp is not confused with the
    channel's growth. With ``seasonality`` (12 factors, January to December,
    see :func:`channel_seasonality`), each month's revenue is divided by its
    calendar month's factor, so that a ramp month is not compared with mature
    months of a different season.
    """
    first = int(history.periods[0].astype("datetime64[M]").astype(np.int64))
    joined = history.joined_periods.astype("datetime64[M]").astype(np.int64) - first
    recruits = np.flatnonzero(joined > 0)
    t_n = history.n_periods
    left = history.left
    last = np.where(left < 0, t_n - 1, left)[recruits]
    start = joined[recruits]
    ages = np.arange(t_n)
    t = start[:, None] + ages[None, :]
    valid = t <= last[:, None]
    growth = check_growth(growth)
    revenue = history.metric("revenue")
    if growth:
        revenue = revenue / (1.0 + growth) ** (np.arange(t_n)[:, None] / 12.0)
    if seasonality is not None:
        factors = as_float_array(seasonality, "seasonality", ndim=1)
        if factors.size != 12 or not np.all(factors > 0):
            raise InvalidInputError(
                f"seasonality must be 12 positive factors (January to December), got {factors!r}"
            )
        revenue = revenue / factors[_calendar_months(history)][:, None]
    out = np.full((recruits.size, t_n), np.nan)
    rows, cols = np.nonzero(valid)
    out[rows, cols] = revenue[t[rows, cols], recruits[rows]]
    return out


def _align_at_first_sale(
    filled: NDArray[np.float64], observed: NDArray[np.bool_], first: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Shift each row left so that its column 0 is the month of its first sale."""
    ages = np.arange(filled.shape[1])
    src = first[:, None] + ages[None, :]
    ok = src < filled.shape[1]
    srcc = np.where(ok, src, 0)
    rows = np.arange(filled.shape[0])[:, None]
    obs = ok & observed[rows, srcc]
    return np.where(obs, filled[rows, srcc], 0.0), obs


def fit_ramp(
    revenue_by_age: Any,
    *,
    mature_after: int | None = None,
    align: str = "first_sale",
    growth: float = 0.0,
    seasonality: ArrayLike | None = None,
    n_boot: int = 400,
    confidence: float = 0.95,
    seed: SeedLike = None,
) -> RampFit:
    """Fit the ramp of recruits: revenue by month since joining, relative to maturity.

    Parameters
    ----------
    revenue_by_age : array-like, shape (recruits, months), or PartnerHistory
        Revenue of each recruit in month 0, 1, ... since it joined
        [currency/month]; NaN where it was not observed (after the data
        ended or after it left). A :class:`~channelkit.PartnerHistory` gives
        this matrix for the partners that joined within it.
    mature_after : int, optional
        First month of maturity (default: 12, or half the observed months
        if fewer than 24 are observed).
    align : {"first_sale", "joined"}, default "first_sale"
        Month 0 of the ramp: the month of each recruit's first sale (the
        ramp of :class:`~channelkit.Segment`, which starts selling after its
        funnel lag) or the month it joined (time to first sale included).
    growth : float, default 0.0
        Annual growth of partners' revenue to take out before comparing a
        ramp month with later mature months (a history input only).
    seasonality : array-like of 12 floats, optional
        Calendar-month factors (January to December) to take out likewise,
        e.g. :func:`channel_seasonality` (a history input only).
    n_boot : int, default 400
        Bootstrap resamples over partners for the band.
    confidence : float in (0, 1), default 0.95
    seed : int, Generator or None
        For the bootstrap.

    Returns
    -------
    RampFit

    Notes
    -----
    A recruit's mature level :math:`M_i` is its mean revenue from
    ``mature_after`` on. The ratio at month :math:`a` is the mean of
    :math:`R_{ia} / M_i` over recruits that sold, were observed at :math:`a`
    and have a positive mature level: each recruit counts once, however
    large (a ratio of sums would follow the few largest partners). The band
    resamples partners with replacement (``n_boot`` times); past 2 million
    resampled cells (thousands of recruits) it is the normal interval of the
    mean, which the bootstrap approaches there. Time to first sale
    is a Kaplan-Meier estimate where recruits that never sold are censored
    at their last observed month; its plateau is the share that never sells.

    Examples
    --------
    >>> from channelkit.datasets import example_history
    >>> fit = fit_ramp(example_history(), seed=0)
    >>> fit.mature_after, len(fit.curve)
    (12, 12)
    >>> all(a <= b for a, b in zip(fit.curve, fit.curve[1:]))  # monotone
    True
    """
    level = _confidence(confidence)
    if isinstance(revenue_by_age, PartnerHistory):
        rev = revenue_since_joining(revenue_by_age, growth, seasonality)
        if rev.shape[0] == 0:
            raise InvalidInputError(
                "the history has no recruits (partners that joined after its first month): "
                "a ramp needs partners whose first months are in the data"
            )
    else:
        rev = as_float_array(revenue_by_age, "revenue_by_age", ndim=2, allow_nan=True)
    if rev.shape[0] == 0 or rev.shape[1] == 0:
        raise InvalidInputError(
            f"revenue_by_age has shape {rev.shape}; need at least one recruit and one month"
        )
    if np.any(rev < 0):
        i, a = (int(v) for v in np.argwhere(rev < 0)[0])
        raise InvalidInputError(f"revenue_by_age[{i}, {a}] is negative ({rev[i, a]!r})")
    if align not in ("first_sale", "joined"):
        raise InvalidInputError(f"align must be 'first_sale' or 'joined', got {align!r}")
    if not isinstance(n_boot, int) or isinstance(n_boot, bool) or n_boot < 1:
        raise InvalidInputError(f"n_boot must be a positive int, got {n_boot!r}")
    observed = ~np.isnan(rev)
    n_obs = observed.sum(axis=1)
    ages = rev.shape[1]
    if mature_after is None:
        longest = int(n_obs.max())
        mature = 12 if longest >= 24 else max(1, longest // 2)
    else:
        if isinstance(mature_after, bool) or not isinstance(mature_after, int) or mature_after < 1:
            raise InvalidInputError(f"mature_after must be a positive int, got {mature_after!r}")
        mature = mature_after
    if mature >= ages:
        raise InvalidInputError(
            f"mature_after={mature} leaves no mature month in {ages} months of data"
        )
    filled = np.where(observed, rev, 0.0)
    sold = filled > 0
    ever: NDArray[np.bool_] = np.asarray(sold.any(axis=1), dtype=bool)
    # Months from joining to the first sale (0: the join month); never sold: censored at
    # the last month observed (at risk there, since a sale then would have been seen).
    first = np.where(ever, np.argmax(sold, axis=1), np.maximum(n_obs - 1, 0)).astype(np.float64)
    km = kaplan_meier(first, ever, level)
    plateau = float(km.survival[-1]) if km.times.size else math.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        among_sellers = (km.survival - plateau) / (1.0 - plateau)
    below = np.nonzero(among_sellers <= 0.5)[0]
    median_first = float(km.times[below[0]]) if below.size and plateau < 1.0 else math.nan
    never_ci = (float(km.lower[-1]), float(km.upper[-1])) if km.times.size else (math.nan,) * 2

    if align == "first_sale":
        start = np.where(ever, np.argmax(sold, axis=1), 0).astype(np.int64)
        filled, observed = _align_at_first_sale(filled, observed, start)
    mature_n = observed[:, mature:].sum(axis=1)
    mature_level = np.where(
        mature_n > 0, filled[:, mature:].sum(axis=1) / np.maximum(mature_n, 1), np.nan
    )
    use = ever & (mature_n > 0) & (mature_level > 0)
    ratios = np.where(observed[use, :mature], filled[use, :mature] / mature_level[use, None], 0.0)
    obs = observed[use, :mature].astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(obs.sum(axis=0) > 0, ratios.sum(axis=0) / obs.sum(axis=0), np.nan)
    rng = as_generator(seed)
    k = int(use.sum())
    alpha = 1.0 - level
    if k > 0 and k * n_boot <= _BOOTSTRAP_CELLS:
        counts = rng.multinomial(k, np.full(k, 1.0 / k), size=n_boot).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            boot = (counts @ ratios) / (counts @ obs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN months stay NaN
            lower = np.nanpercentile(boot, 100 * alpha / 2, axis=0)
            upper = np.nanpercentile(boot, 100 * (1 - alpha / 2), axis=0)
    elif k > 0:  # many recruits: the normal interval of a mean (what the bootstrap tends to)
        n_a = obs.sum(axis=0)
        dev = np.where(obs > 0, ratios - np.where(np.isfinite(ratio), ratio, 0.0), 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.sqrt((dev**2).sum(axis=0) / (n_a * np.maximum(n_a - 1, 1)))
        z = float(stats.norm.ppf(1 - alpha / 2))
        lower, upper = ratio - z * se, ratio + z * se
    else:
        lower = upper = np.full(mature, np.nan)
    weights = obs.sum(axis=0).astype(np.float64)
    finite = np.isfinite(ratio)
    smooth = np.full(mature, 1.0)
    if finite.any():
        smooth[finite] = _isotonic(ratio[finite], weights[finite])
        # Months without data take the next known value (or 1 at the end).
        smooth = np.where(finite, smooth, np.nan)
        for a in range(mature - 1, -1, -1):
            if np.isnan(smooth[a]):
                smooth[a] = smooth[a + 1] if a + 1 < mature else 1.0
    curve = tuple(float(v) for v in np.clip(smooth, 0.0, 1.0))
    return RampFit(
        ratio=ratio,
        lower=lower,
        upper=upper,
        curve=curve,
        mature_after=mature,
        first_sale=km,
        median_first_sale=median_first,
        never_sell=plateau,
        never_sell_ci=never_ci,
        n_recruits=int(rev.shape[0]),
        n_sellers=int(ever.sum()),
        confidence=level,
        align=align,
    )


# --------------------------------------------------------------------------- calibrate
#: Scipy names and shape-parameter keywords of the productivity families, for scenario files.
_SCENARIO_NAMES = {
    "lognormal": ("lognorm", "s"),
    "gamma": ("gamma", "a"),
    "weibull": ("weibull_min", "c"),
}


#: Months after joining from which a partner counts as established (past its ramp) for
#: the channel's growth and seasonality.
_ESTABLISHED_MONTHS = 12


def _established(history: PartnerHistory, window: int) -> NDArray[np.bool_]:
    """Partners active in each of the last ``window`` months and past their ramp before them.

    Past the ramp: joined at least 12 months before the window; if no
    partner did, every partner active all the window.
    """
    t_n = history.n_periods
    active = np.asarray(history.active()[-window:].all(axis=0), dtype=bool)
    first = int(history.periods[0].astype("datetime64[M]").astype(np.int64))
    joined = history.joined_periods.astype("datetime64[M]").astype(np.int64) - first
    old = active & (joined <= t_n - window - _ESTABLISHED_MONTHS)
    return old if old.any() else active


def channel_growth(history: PartnerHistory) -> float:
    """Revenue-weighted yearly growth of the established partners over the last 24 months.

    ``sum(last 12 months) / sum(the 12 before) - 1`` over the partners
    active in every one of the last 24 months that joined at least 12
    months before them (a recruit still ramping would count its ramp as
    growth; if no partner is that old, every partner active all 24 months);
    0.0 when the history is shorter than 24 months or no partner qualifies.
    """
    t_n = history.n_periods
    if t_n < 24:
        return 0.0
    keep = _established(history, 24)
    revenue = history.metric("revenue")[:, keep]
    prior = float(revenue[-24:-12].sum())
    last = float(revenue[-12:].sum())
    return last / prior - 1.0 if prior > 0 else 0.0


def channel_seasonality(history: PartnerHistory, growth: float = 0.0) -> NDArray[np.float64]:
    """Calendar-month factors of the established partners' revenue, January to December.

    Over the last 24 months (12 if the history is shorter), the partners
    active in every one of them that joined at least 12 months before (as
    in :func:`channel_growth`): each partner's monthly revenue, deflated by
    ``(1 + growth) ** (t / 12)``, over its own mean in the window, averaged
    over partners (each counts once) and over the window's months of each
    calendar month, then scaled to mean 1. All ones when the history is
    shorter than 12 months or no partner sold in the window.

    Examples
    --------
    >>> from channelkit.datasets import example_history
    >>> factors = channel_seasonality(example_history())
    >>> int(factors.argmax())  # December
    11
    """
    growth = check_growth(growth)
    t_n = history.n_periods
    ones = np.ones(12)
    if t_n < 12:
        return ones
    window = 24 if t_n >= 24 else 12
    keep = _established(history, window)
    t = np.arange(t_n - window, t_n)
    revenue = history.metric("revenue")[-window:, keep] / (1.0 + growth) ** (t[:, None] / 12.0)
    mean = revenue.mean(axis=0)
    sold = mean > 0
    if not sold.any():
        return ones
    index = (revenue[:, sold] / mean[sold]).mean(axis=1)
    calendar = _calendar_months(history)[t]
    factors = np.bincount(calendar, weights=index, minlength=12) / np.bincount(
        calendar, minlength=12
    )
    out: NDArray[np.float64] = factors / factors.mean()
    return out


def _mature_revenue(
    history: PartnerHistory, columns: NDArray[np.intp], mature: int
) -> NDArray[np.float64]:
    """Last-12-month revenue of the partners among ``columns`` that were mature all year."""
    t_n = history.n_periods
    window = min(12, t_n)
    first = int(history.periods[0].astype("datetime64[M]").astype(np.int64))
    joined = history.joined_periods.astype("datetime64[M]").astype(np.int64) - first
    active = history.active()[-window:].all(axis=0)
    old = joined <= t_n - window - mature
    keep = columns[(active & old)[columns]]
    out: NDArray[np.float64] = history.metric("revenue")[-window:, keep].sum(axis=0) * (
        12.0 / window
    )
    return out


def _subset(history: PartnerHistory, columns: NDArray[np.intp]) -> PartnerHistory:
    """The history of some partners (a new PartnerHistory)."""
    return PartnerHistory(
        history.ids[columns],
        history.periods[0],
        {name: history.metric(name)[:, columns] for name in history.metrics},
        present=history.present[:, columns],
        attributes={k: v[columns] for k, v in history.attributes.items()},
        joined=history.joined_periods[columns],
        left=history.left_periods[columns],
    )


@attrs.frozen(eq=False, repr=False)
class Calibration(ResultMixin):
    """Segments fitted from a partner history, from :func:`calibrate`.

    Attributes
    ----------
    segments : dict of str to Segment
        One :class:`~channelkit.Segment` per group (``"all"`` without
        ``by``), ready for :func:`~channelkit.plan_capacity` and
        :func:`~channelkit.simulate_channel`.
    rows : tuple of tuple
        The parameter table: (segment, parameter, estimate, lower, upper,
        n, method, source); ``source`` is ``"group"`` or ``"pooled"`` (the
        group was too small and took the pooled estimate). See
        :attr:`parameters`.
    fits : dict of str to dict
        Per segment the fit objects behind it: ``"attrition"``
        (:class:`AttritionFit`), ``"ramp"`` (:class:`RampFit`),
        ``"productivity"`` (:class:`ProductivityFit`).
    by : str or None
        The attribute that defines the groups.
    growth : float
        Yearly revenue growth of the channel (see :func:`channel_growth`).
    n_partners : int
    pooled : dict of str to fit
        The fits over all partners (the fallback of small groups).
    seasonality : tuple of 12 floats
        Calendar-month factors (January to December) taken out of the
        recruits' revenue before the ramp (see :func:`channel_seasonality`).

    Examples
    --------
    >>> from channelkit.datasets import example_history
    >>> cal = calibrate(example_history(), seed=0)
    >>> cal
    Calibration(segments=['all'], partners=738, attrition=0.12, productivity='lognormal')
    >>> seg = cal.segments["all"]
    >>> round(seg.attrition, 3), round(seg.conversion, 2)
    (0.12, 0.84)
    """

    segments: dict[str, Segment]
    rows: tuple[tuple[Any, ...], ...]
    fits: dict[str, dict[str, Any]]
    by: str | None
    growth: float
    n_partners: int
    pooled: dict[str, Any] = attrs.field(factory=dict)
    seasonality: tuple[float, ...] = (1.0,) * 12

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "segment",
        "parameter",
        "estimate",
        "lower",
        "upper",
        "n",
        "method",
        "source",
    )

    def _pooled(self) -> dict[str, Any]:
        return self.pooled or self.fits[next(iter(self.fits))]

    def __repr__(self) -> str:
        pooled = self._pooled()
        return (
            f"Calibration(segments={list(self.segments)}, partners={self.n_partners}, "
            f"attrition={pooled['attrition'].annual_rate:.3g}, "
            f"productivity={pooled['productivity'].best!r})"
        )

    @property
    def parameters(self) -> list[dict[str, Any]]:
        """Every estimate with its interval, sample size and method, as records."""
        return [dict(zip(self.COLUMNS, row)) for row in self.rows]

    def _report(self) -> Report:
        def num(x: float, pct: bool) -> str:
            if isinstance(x, float) and math.isnan(x):
                return "-"
            if pct:
                return fmt_pct(x)
            return fmt_money(x) if abs(x) >= 1000 else f"{x:,.4g}"

        pct = {"annual_attrition", "conversion", "growth"} | {
            row[1] for row in self.rows if str(row[1]).startswith("ramp_month_")
        }
        rows = [
            (
                seg,
                name,
                num(est, name in pct),
                "-"
                if math.isnan(lo) and math.isnan(hi)
                else f"{num(lo, name in pct)} - {num(hi, name in pct)}",
                n,
                source,
            )
            for seg, name, est, lo, hi, n, _, source in self.rows
        ]
        pooled = self._pooled()
        return Report(
            "Calibration from history",
            [
                Fact("partners", f"{self.n_partners:,}", self.n_partners),
                Fact("segments", ", ".join(self.segments), ", ".join(self.segments)),
                Fact(
                    "annual attrition (all)",
                    fmt_pct(pooled["attrition"].annual_rate),
                    pooled["attrition"].annual_rate,
                ),
                Fact("channel growth", fmt_pct(self.growth), self.growth),
                Table(("segment", "parameter", "estimate", "95% interval", "n", "source"), rows),
                Note(
                    "Intervals: attrition exact Poisson (exponential) or delta method (Weibull); "
                    "median productivity from order statistics; ramp by bootstrap over "
                    "partners; conversion from the Kaplan-Meier plateau of time to first sale."
                ),
            ],
        )

    def to_frame(self) -> pd.DataFrame:
        """The parameter table: one row per segment and parameter."""
        return _frame({c: [row[i] for row in self.rows] for i, c in enumerate(self.COLUMNS)})

    def plot(self, ax: Axes | None = None) -> Axes:
        """Annual attrition and conversion per segment with their intervals."""
        axes = _plotstyle.axes(ax)
        names = list(self.segments)
        y = np.arange(len(names))
        colors = _plotstyle.categorical(2)
        for offset, (param, label, color) in enumerate(
            [
                ("annual_attrition", "annual attrition", colors[0]),
                ("conversion", "conversion", colors[1]),
            ]
        ):
            rows = {r[0]: r for r in self.rows if r[1] == param}
            est = np.array([rows[n][2] for n in names])
            lo = np.array([rows[n][3] for n in names])
            hi = np.array([rows[n][4] for n in names])
            axes.errorbar(
                est,
                y + 0.15 * (offset * 2 - 1),
                xerr=np.vstack([est - lo, hi - est]),
                fmt="o",
                color=color,
                label=label,
                capsize=3,
            )
        axes.set_yticks(y)
        axes.set_yticklabels(names)
        axes.set_xlim(0.0, 1.0)
        axes.set_xlabel("share (95 % interval)")
        axes.set_title("Calibrated parameters by segment")
        axes.legend(loc="best")
        return axes

    def draw_segments(self, n_draws: int, seed: SeedLike = None) -> list[dict[str, Segment]]:
        """Segments with parameters drawn from their sampling distributions.

        Each draw is a mapping name -> :class:`~channelkit.Segment` like
        :attr:`segments`, with the annual attrition, the conversion and the
        productivity's scale drawn around their estimates; the ramp curve,
        lag, growth and share are kept. A plan that uses one draw per
        simulation carries the uncertainty of a calibration on few partners.

        Parameters
        ----------
        n_draws : int
            Number of draws (>= 1).
        seed : int, Generator or None

        Notes
        -----
        Attrition: the exponential (geometric) hazard from its Gamma(d + 1/2,
        1/T) distribution (d exits in T months at risk); for a Weibull fit,
        the (log shape, log scale) from their normal approximation. Conversion:
        normal on the logit, with the standard error read off the 95 %
        interval (kept fixed at 0 or 1). Productivity: its scale multiplied by
        exp(N(0, sd)), sd read off the median's interval on the log scale.
        A zero-width interval gives draws equal to the estimate.

        Examples
        --------
        >>> from channelkit.datasets import example_history
        >>> cal = calibrate(example_history(), seed=0)
        >>> draws = cal.draw_segments(200, seed=1)
        >>> att = [d["all"].attrition for d in draws]
        >>> bool(min(att) < cal.segments["all"].attrition < max(att))
        True
        """
        if isinstance(n_draws, bool) or not isinstance(n_draws, int) or n_draws < 1:
            raise InvalidInputError(f"n_draws must be a positive int, got {n_draws!r}")
        rng = as_generator(seed)
        z = float(stats.norm.ppf(0.975))
        out: list[dict[str, Segment]] = [{} for _ in range(n_draws)]
        for name, seg in self.segments.items():
            fits = self.fits[name]
            attr: AttritionFit = fits["attrition"]
            ramp: RampFit = fits["ramp"]
            prod: ProductivityFit = fits["productivity"]
            annual = _draw_attrition(attr, n_draws, rng)
            conv = _draw_logit(
                seg.conversion,
                1.0 - ramp.never_sell_ci[1],
                1.0 - ramp.never_sell_ci[0],
                n_draws,
                rng,
                z,
            )
            lo, hi = prod.median_ci
            sd = (math.log(hi) - math.log(lo)) / (2 * z) if lo > 0 and hi > 0 else 0.0
            factor = np.exp(rng.normal(0.0, 1.0, n_draws) * sd) if sd > 0 else np.ones(n_draws)
            for i in range(n_draws):
                out[i][name] = attrs.evolve(
                    seg,
                    attrition=float(annual[i]),
                    conversion=float(max(conv[i], 1e-9)),
                    productivity=_rescaled(seg.productivity, float(factor[i])),
                )
        return out

    def to_toml(self, target: float, *, horizon_months: int = 12, seed: int | None = None) -> str:
        """The segments as a scenario file for ``channelkit plan`` (TOML text).

        Parameters
        ----------
        target : float [currency]
            The scenario's revenue target.
        horizon_months : int, default 12
        seed : int, optional
        """
        lines = [
            "# Segments calibrated from a partner history by `channelkit fit`.",
            f"target = {float(target)!r}",
            f"horizon_months = {int(horizon_months)}",
        ]
        if seed is not None:
            lines.append(f"seed = {int(seed)}")
        for name, seg in self.segments.items():
            fit = self.fits[name]["productivity"]
            lines += ["", "[[segments]]", f"name = {_toml_string(name)}"]
            if fit.best == "empirical":
                raise InvalidInputError(
                    "an empirical productivity cannot be written to a scenario"
                )
            scipy_name, shape_key = _SCENARIO_NAMES[fit.best]
            dist = fit.fits[fit.best]
            shape = float(dist.args[0]) if dist.args else float(dist.kwds[shape_key])
            scale = float(dist.kwds.get("scale", 1.0))
            lines.append(
                f"productivity = {{ distribution = {_toml_string(scipy_name)}, "
                f"{shape_key} = {shape!r}, scale = {scale!r} }}"
            )
            lines.append(f"attrition = {seg.attrition!r}")
            lines.append(f"conversion = {seg.conversion!r}")
            if seg.ramp_curve is not None:
                lines.append(f"ramp_curve = [{', '.join(repr(v) for v in seg.ramp_curve)}]")
            lines.append(f"growth = {seg.growth!r}")
            if seg.share is not None:
                lines.append(f"share = {seg.share!r}")
            if seg.funnel:
                stages = ", ".join(
                    f"{{ name = {_toml_string(s.name)}, rate = {s.rate!r}, lag_months = {s.lag_months} }}"
                    for s in seg.funnel
                )
                lines.append(f"funnel = [{stages}]")
        return "\n".join(lines) + "\n"


def _draw_attrition(fit: AttritionFit, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """Annual attrition rates drawn from the fit's sampling distribution."""
    if fit.model == "weibull" and fit.weibull is not None and np.all(np.isfinite(fit.weibull.cov)):
        w = fit.weibull
        theta = rng.multivariate_normal([math.log(w.shape), math.log(w.scale)], w.cov, size=n)
        k, s = np.exp(theta[:, 0]), np.exp(theta[:, 1])
        out: NDArray[np.float64] = -np.expm1(-((12.0 / s) ** k))
        return out
    if fit.exposure <= 0:
        return np.full(n, fit.annual_rate)
    if fit.ci[0] == fit.ci[1]:
        return np.full(n, fit.annual_rate)
    rate = rng.gamma(fit.events + 0.5, 1.0 / fit.exposure, size=n)
    if fit.monthly:
        return 1.0 - (1.0 - np.minimum(rate, 1.0)) ** 12
    out = -np.expm1(-12.0 * rate)
    return out


def _draw_logit(
    p: float, lo: float, hi: float, n: int, rng: np.random.Generator, z: float
) -> NDArray[np.float64]:
    """Draws of a probability, normal on the logit with the se read off an interval."""
    if not (0.0 < p < 1.0) or not (0.0 < lo < 1.0 and 0.0 < hi < 1.0) or hi <= lo:
        return np.full(n, p)
    se = (math.log(hi / (1 - hi)) - math.log(lo / (1 - lo))) / (2 * z)
    centre = math.log(p / (1 - p))
    out: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-(centre + se * rng.normal(size=n))))
    return out


def _rescaled(productivity: Any, factor: float) -> Any:
    """A productivity (frozen distribution or sample) with its scale multiplied by ``factor``."""
    if factor == 1.0:
        return productivity
    if isinstance(productivity, np.ndarray):
        return productivity * factor
    kwds = dict(productivity.kwds)
    kwds["scale"] = kwds.get("scale", 1.0) * factor
    return productivity.dist(*productivity.args, **kwds)


def _toml_string(text: str) -> str:
    out = text.replace("\\", "\\\\").replace('"', '\\"')
    out = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in out)
    return f'"{out}"'


def _fit_group(
    history: PartnerHistory,
    columns: NDArray[np.intp],
    *,
    mature: int | None,
    growth: float,
    seasonality: NDArray[np.float64],
    level: float,
    seed: SeedLike,
) -> dict[str, Any]:
    part = _subset(history, columns)
    out: dict[str, Any] = {"n": int(columns.size)}
    out["attrition"] = fit_attrition(part, confidence=level)
    recruits = revenue_since_joining(part, growth, seasonality)
    out["recruits"] = int(recruits.shape[0])
    try:
        out["ramp"] = fit_ramp(recruits, mature_after=mature, confidence=level, seed=seed)
    except InvalidInputError:
        out["ramp"] = None
    mature_months = out["ramp"].mature_after if out["ramp"] is not None else (mature or 12)
    revenue = _mature_revenue(history, columns, mature_months)
    out["mature"] = int((revenue > 0).sum())
    try:
        out["productivity"] = fit_productivity(revenue, confidence=level)
    except InvalidInputError:
        out["productivity"] = None
    return out


def calibrate(
    history: PartnerHistory,
    *,
    by: str | None = None,
    min_partners: int = 30,
    min_events: int = 5,
    mature_after: int | None = None,
    growth: float | None = None,
    confidence: float = 0.95,
    seed: SeedLike = None,
) -> Calibration:
    """Fit one :class:`~channelkit.Segment` per group of partners from their history.

    Parameters
    ----------
    history : PartnerHistory
        Monthly revenue and lifecycle of the partners.
    by : str, optional
        A text attribute of the history (``"segment"``, ``"region"``); one
        segment per value. Default: one segment ``"all"``.
    min_partners, min_events : int, default 30 and 5
        A group with fewer partners (or recruits with a mature level, or
        mature partners), or fewer than ``min_events`` exits, takes the
        pooled estimate of that parameter; the table says so.
    mature_after : int, optional
        Months after the first sale from which a recruit counts as mature
        (see :func:`fit_ramp`).
    growth : float, optional
        Yearly revenue growth; default :func:`channel_growth` of the
        history. Used to deflate the ramp and as the segments' ``growth``;
        pass it when the recruits grow otherwise than the channel (see
        Notes).
    confidence : float in (0, 1), default 0.95
    seed : int, Generator or None
        For the ramp's bootstrap.

    Returns
    -------
    Calibration

    Notes
    -----
    Per group: attrition by :func:`fit_attrition` on the lifetimes (left
    truncation for partners that joined before the data); ramp,
    conversion (``1 -`` the share that never sells) and the lag to the
    first sale by :func:`fit_ramp` on the recruits; productivity by
    :func:`fit_productivity` on the last 12 months of the partners that were
    mature and active all year. Each Segment gets ``funnel=(FunnelStage(
    "first_sale", 1.0, lag_months=median months to the first sale),)``.

    The ramp compares a recruit's early months with its mature months, a
    year or more later and mostly at the end of the data, so the growth and
    the seasons between them are taken out first: each month's revenue is
    divided by ``(1 + growth) ** (t / 12)`` and by its calendar month's
    factor (:func:`channel_seasonality`). Both are measured on the
    established partners (active in each of the last 24 months, and joined
    at least 12 months before them). This assumes that **recruits grow as
    the channel does**: one growth describes every partner, as
    ``Segment(growth=...)`` does in a plan. A recruit's own growth cannot be
    told apart from its ramp in its own revenue; if you know that recruits
    grow differently (say they are placed in a faster-growing market),
    pass that growth as ``growth=``, which overrides the measured one for
    the ramp and the segments (the seasonal factors are then measured net
    of it).

    Examples
    --------
    >>> from channelkit.datasets import example_history
    >>> cal = calibrate(example_history(), by="segment", seed=0)
    >>> sorted(cal.segments)
    ['SMB', 'large', 'micro']
    >>> cal.to_frame().columns.tolist()[:5]
    ['segment', 'parameter', 'estimate', 'lower', 'upper']
    """
    if not isinstance(history, PartnerHistory):
        raise InvalidInputError(f"history must be a PartnerHistory, got {type(history).__name__}")
    level = _confidence(confidence)
    for name, value in (("min_partners", min_partners), ("min_events", min_events)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidInputError(f"{name} must be a positive int, got {value!r}")
    g = channel_growth(history) if growth is None else check_growth(growth)
    season = channel_seasonality(history, g)
    rng = as_generator(seed)
    n = len(history.ids)
    groups: dict[str, NDArray[np.intp]]
    if by is None:
        groups = {"all": np.arange(n)}
    else:
        if by not in history.attributes:
            available = ", ".join(history.attributes) or "none"
            raise InvalidInputError(f"history has no attribute {by!r} (attributes: {available})")
        values = history.attributes[by]
        groups = {str(v) or "(missing)": np.flatnonzero(values == v) for v in np.unique(values)}
    pooled = _fit_group(
        history,
        np.arange(n),
        mature=mature_after,
        growth=g,
        seasonality=season,
        level=level,
        seed=rng,
    )
    if pooled["ramp"] is None or pooled["productivity"] is None:
        raise InvalidInputError(
            "the history is too short or has too few recruits and mature partners to calibrate: "
            f"{pooled['recruits']} recruits, {pooled['mature']} mature partners"
        )
    fits: dict[str, dict[str, Any]] = {}
    rows: list[tuple[Any, ...]] = []
    segments: dict[str, Segment] = {}
    for name, cols in groups.items():
        own = (
            pooled
            if by is None
            else _fit_group(
                history,
                cols,
                mature=mature_after,
                growth=g,
                seasonality=season,
                level=level,
                seed=rng,
            )
        )
        small_attr = own["n"] < min_partners or own["attrition"].events < min_events
        small_ramp = own["ramp"] is None or own["recruits"] < min_partners
        small_prod = own["productivity"] is None or own["mature"] < min_partners
        attr = pooled["attrition"] if small_attr else own["attrition"]
        ramp = pooled["ramp"] if small_ramp else own["ramp"]
        prod = pooled["productivity"] if small_prod else own["productivity"]
        fits[name] = {"attrition": attr, "ramp": ramp, "productivity": prod}

        def src(small: bool) -> str:
            return "pooled" if small and by is not None else "group"

        conv = 1.0 - ramp.never_sell
        m3 = min(3, ramp.mature_after - 1)
        rows += [
            (
                name,
                "annual_attrition",
                attr.annual_rate,
                *attr.ci,
                attr.n,
                f"censored {attr.model} (AIC), Kaplan-Meier",
                src(small_attr),
            ),
            (
                name,
                "median_productivity",
                prod.median,
                *prod.median_ci,
                int(prod.values.size),
                f"{prod.best} by AIC; order-statistic interval",
                src(small_prod),
            ),
            (
                name,
                f"ramp_month_{m3}",
                float(ramp.ratio[m3]),
                float(ramp.lower[m3]),
                float(ramp.upper[m3]),
                ramp.n_sellers,
                "mean ratio to mature; bootstrap",
                src(small_ramp),
            ),
            (
                name,
                "conversion",
                conv,
                1.0 - ramp.never_sell_ci[1],
                1.0 - ramp.never_sell_ci[0],
                ramp.n_recruits,
                "1 - Kaplan-Meier plateau of time to first sale",
                src(small_ramp),
            ),
            (
                name,
                "months_to_first_sale",
                ramp.median_first_sale,
                math.nan,
                math.nan,
                ramp.n_sellers,
                "Kaplan-Meier median among sellers",
                src(small_ramp),
            ),
            (name, "growth", g, math.nan, math.nan, n, "last 12 / prior 12 months", "pooled"),
        ]
        lag = 0 if math.isnan(ramp.median_first_sale) else math.floor(ramp.median_first_sale + 0.5)
        segments[name] = Segment(
            name,
            productivity=prod.distribution,
            attrition=min(attr.annual_rate, 1.0),
            conversion=max(conv, 1e-9),
            ramp_curve=ramp.curve,
            funnel=(FunnelStage("first_sale", 1.0, lag_months=lag),),
            growth=g,
            share=float(cols.size) if by is not None else None,
        )
    return Calibration(
        segments=segments,
        rows=tuple(rows),
        fits=fits,
        by=by,
        growth=g,
        n_partners=n,
        seasonality=tuple(float(v) for v in season),
        pooled={key: pooled[key] for key in ("attrition", "ramp", "productivity")},
    )


# --------------------------------------------------------------------------- backtest
def _until(history: PartnerHistory, c: int) -> PartnerHistory:
    """The history as it was known at period index ``c`` (included)."""
    first = int(history.periods[0].astype("datetime64[M]").astype(np.int64))
    joined = history.joined_periods.astype("datetime64[M]").astype(np.int64) - first
    cols = np.flatnonzero(joined <= c)
    left = history.left_periods[cols].copy()
    gone_later = ~np.isnat(left) & (left.astype("datetime64[M]").astype(np.int64) - first > c)
    left[gone_later] = np.datetime64("NaT")
    return PartnerHistory(
        history.ids[cols],
        history.periods[0],
        {name: history.metric(name)[: c + 1, cols] for name in history.metrics},
        present=history.present[: c + 1, cols],
        attributes={k: v[cols] for k, v in history.attributes.items()},
        joined=history.joined_periods[cols],
        left=left,
    )


def _run_rate(history: PartnerHistory) -> Portfolio:
    """Partners active at the last period, revenue = trailing 12 months annualized."""
    active_now = history.active()[-1]
    window = min(12, history.n_periods)
    act = history.active()[-window:, active_now]
    months = np.maximum(act.sum(axis=0), 1)
    revenue = history.metric("revenue")[-window:, active_now].sum(axis=0) * 12.0 / months
    return Portfolio(history.ids[active_now], revenue=revenue)


@attrs.frozen(eq=False, repr=False)
class Backtest(ResultMixin):
    """Forecasts made at past cutoffs against what happened, from :func:`backtest`.

    Attributes
    ----------
    cutoffs : ndarray of datetime64[M]
        The months the forecasts were made at (data up to and including them).
    horizon_months : int
    actual : ndarray [currency]
        Revenue of the ``horizon_months`` after each cutoff.
    p10, p50, p90 : ndarray [currency]
        The forecast's percentiles.
    percentile : ndarray in [0, 1]
        Where the actual revenue fell in each forecast distribution.
    covered : ndarray of bool
        Whether P10 <= actual <= P90.
    error : ndarray
        The median's relative error ``p50 / actual - 1``.

    Examples
    --------
    >>> from channelkit.datasets import example_history
    >>> bt = backtest(example_history(), cutoffs=["2024-06", "2024-12"], n_sims=200, seed=0)
    >>> bt.covered.shape
    (2,)
    """

    cutoffs: NDArray[np.datetime64]
    horizon_months: int
    actual: NDArray[np.float64]
    p10: NDArray[np.float64]
    p50: NDArray[np.float64]
    p90: NDArray[np.float64]
    percentile: NDArray[np.float64]
    covered: NDArray[np.bool_]
    error: NDArray[np.float64]

    @property
    def coverage(self) -> float:
        """Share of cutoffs whose P10-P90 interval covered the actual revenue."""
        return float(self.covered.mean())

    @property
    def median_abs_error(self) -> float:
        """Median over cutoffs of ``|p50 / actual - 1|``."""
        return float(np.median(np.abs(self.error)))

    def __repr__(self) -> str:
        return one_line(
            "Backtest",
            cutoffs=int(self.cutoffs.size),
            horizon_months=self.horizon_months,
            coverage=self.coverage,
            median_abs_error=self.median_abs_error,
        )

    def _report(self) -> Report:
        rows = [
            (
                str(c),
                fmt_money(a),
                fmt_money(lo),
                fmt_money(mid),
                fmt_money(hi),
                fmt_pct(p, 0),
                "yes" if cov else "no",
                f"{e:+.1%}",
            )
            for c, a, lo, mid, hi, p, cov, e in zip(
                self.cutoffs,
                self.actual,
                self.p10,
                self.p50,
                self.p90,
                self.percentile,
                self.covered,
                self.error,
            )
        ]
        return Report(
            f"Backtest: {self.horizon_months}-month forecasts at {self.cutoffs.size} cutoffs",
            [
                Fact("cutoffs", f"{self.cutoffs.size}", int(self.cutoffs.size)),
                Fact("P10-P90 coverage", fmt_pct(self.coverage, 0), self.coverage),
                Fact(
                    "median |error| of P50", fmt_pct(self.median_abs_error), self.median_abs_error
                ),
                Table(
                    ("cutoff", "actual", "P10", "P50", "P90", "actual at", "covered", "P50 error"),
                    rows,
                ),
                Note("A well-calibrated forecast covers about 80 % of the cutoffs with P10-P90."),
            ],
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per cutoff."""
        return _frame(
            {
                "actual": self.actual,
                "p10": self.p10,
                "p50": self.p50,
                "p90": self.p90,
                "percentile": self.percentile,
                "covered": self.covered,
                "error": self.error,
            },
            index=self.cutoffs.astype(str),
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Forecast P10-P90 and median at each cutoff against the actual revenue."""
        axes = _plotstyle.axes(ax)
        x = np.arange(self.cutoffs.size)
        color = _plotstyle.COLORS["primary"]
        axes.vlines(x, self.p10, self.p90, color=color, linewidth=6, alpha=0.35, label="P10-P90")
        axes.plot(x, self.p50, "_", color=color, markersize=14, label="forecast P50")
        axes.plot(x, self.actual, "o", color=_plotstyle.COLORS["target"], label="actual")
        labels = [str(c) for c in self.cutoffs]
        _plotstyle.thin_labels(axes, labels)
        axes.tick_params(axis="x", labelrotation=45)
        _plotstyle.currency_axis(axes)
        axes.set_xlabel("cutoff")
        axes.set_ylabel(f"revenue over the next {self.horizon_months} months")
        axes.set_title(f"Backtest: P10-P90 covers {fmt_pct(self.coverage, 0)} of cutoffs")
        axes.legend(loc="best")
        return axes


def backtest(
    history: PartnerHistory,
    *,
    cutoffs: Any,
    horizon_months: int = 12,
    n_sims: int = 1000,
    by: str | None = None,
    seed: SeedLike = None,
) -> Backtest:
    """Calibrate at past cutoffs, forecast forward, and compare with what happened.

    Parameters
    ----------
    history : PartnerHistory
    cutoffs : int or sequence of period-like or int
        The months to forecast from (data up to and including each). An int
        ``k`` takes the last ``k`` months that leave a full horizon after
        them and at least 12 months before.
    horizon_months : int, default 12
    n_sims : int, default 1000
        Simulations per forecast.
    by : str, optional
        Attribute to calibrate one segment per group (see :func:`calibrate`).
    seed : int, Generator or None

    Returns
    -------
    Backtest

    Notes
    -----
    At each cutoff: :func:`calibrate` on the data up to it; the partners
    active at the cutoff start at their trailing-12-month run rate with the
    fitted attrition and growth; the recruits actually signed in each month
    after the cutoff enter with the fitted conversion, lag, ramp and
    productivity (:func:`~channelkit.simulate_channel`). The actual revenue
    of the horizon is then placed in the forecast distribution.

    Examples
    --------
    >>> from channelkit.datasets import example_history
    >>> bt = backtest(example_history(), cutoffs=2, n_sims=200, seed=0)
    >>> bt.cutoffs.astype(str).tolist()
    ['2024-11', '2024-12']
    """
    from .simulation import simulate_channel

    if not isinstance(history, PartnerHistory):
        raise InvalidInputError(f"history must be a PartnerHistory, got {type(history).__name__}")
    t_n = history.n_periods
    if (
        isinstance(horizon_months, bool)
        or not isinstance(horizon_months, int)
        or horizon_months < 1
    ):
        raise InvalidInputError(f"horizon_months must be a positive int, got {horizon_months!r}")
    h = horizon_months
    last = t_n - 1 - h
    if last < 12:
        raise InvalidInputError(
            f"the history has {t_n} months; a backtest needs 12 months before a cutoff and "
            f"{h} after it"
        )
    if isinstance(cutoffs, int) and not isinstance(cutoffs, bool):
        if cutoffs < 1:
            raise InvalidInputError(f"cutoffs must be >= 1, got {cutoffs}")
        idx = list(range(max(12, last - cutoffs + 1), last + 1))
    else:
        idx = [history.period_index(c) for c in cutoffs]
        if not idx:
            raise InvalidInputError("cutoffs is empty")
        for c, i in zip(cutoffs, idx):
            if not 11 <= i <= last:
                raise InvalidInputError(
                    f"cutoff {c!r} leaves {i + 1} months before it and {t_n - 1 - i} after; "
                    f"need at least 12 before and {h} after"
                )
    rng = as_generator(seed)
    first = int(history.periods[0].astype("datetime64[M]").astype(np.int64))
    joined = history.joined_periods.astype("datetime64[M]").astype(np.int64) - first
    revenue = history.metric("revenue")
    rows = []
    for c in idx:
        known = _until(history, c)
        cal = calibrate(known, by=by, seed=rng)
        start = _run_rate(known)
        recruits: dict[str, NDArray[np.int64]] = {}
        for name in cal.segments:
            mask = joined > c
            if by is not None:
                mask &= history.attributes[by] == (name if name != "(missing)" else "")
            months = joined[mask] - c - 1
            months = months[months < h]
            recruits[name] = np.bincount(months, minlength=h).astype(np.int64)
        pooled = cal._pooled()["attrition"]
        sim = simulate_channel(
            list(cal.segments.values()),
            recruits,
            start=start,
            start_attrition=min(pooled.annual_rate, 1.0),
            start_growth=cal.growth,
            horizon_months=h,
            n_sims=n_sims,
            seed=rng,
        )
        forecast = sim.revenue.sum(axis=1)
        actual = float(revenue[c + 1 : c + 1 + h].sum())
        p10, p50, p90 = np.percentile(forecast, [10, 50, 90])
        rows.append(
            (
                c,
                actual,
                p10,
                p50,
                p90,
                float(np.mean(forecast <= actual)),
                bool(p10 <= actual <= p90),
                float(p50 / actual - 1.0) if actual > 0 else math.nan,
            )
        )
    arr = list(zip(*rows))
    return Backtest(
        cutoffs=history.periods[np.asarray(arr[0], dtype=np.intp)],
        horizon_months=h,
        actual=np.asarray(arr[1], dtype=np.float64),
        p10=np.asarray(arr[2], dtype=np.float64),
        p50=np.asarray(arr[3], dtype=np.float64),
        p90=np.asarray(arr[4], dtype=np.float64),
        percentile=np.asarray(arr[5], dtype=np.float64),
        covered=np.asarray(arr[6], dtype=bool),
        error=np.asarray(arr[7], dtype=np.float64),
    )
