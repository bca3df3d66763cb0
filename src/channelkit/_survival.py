"""Survival and interval kernels: Kaplan-Meier, censored exponential and Weibull, Wilson.

Pure numpy/scipy functions over arrays, with no domain classes; the
calibration module binds them to partner histories.

Time is in months throughout; ``observed`` is True where the event (a
partner leaving, a first sale) happened at that duration and False where the
partner was still at risk when the data ended (right-censored).
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special, stats

__all__ = [
    "KaplanMeier",
    "WeibullFit",
    "exponential_rate",
    "kaplan_meier",
    "order_statistic_interval",
    "weibull_fit",
    "wilson_interval",
]


@attrs.frozen(eq=False)
class KaplanMeier:
    """The product-limit estimate at each distinct duration.

    ``times`` are the distinct durations (events or censorings), sorted;
    ``survival`` is S(t) just after t; ``lower``/``upper`` the pointwise
    confidence band (log(-log) transform of Greenwood's variance); ``at_risk``
    and ``events`` the counts behind each step.
    """

    times: NDArray[np.float64]
    survival: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    at_risk: NDArray[np.int64]
    events: NDArray[np.int64]

    def at(self, t: NDArray[np.float64]) -> NDArray[np.float64]:
        """S(t) as a right-continuous step function of ``t``."""
        idx = np.searchsorted(self.times, t, side="right") - 1
        out = np.ones(np.shape(t))
        inside = idx >= 0
        out[inside] = self.survival[idx[inside]]
        return out

    def band_at(self, t: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The confidence band at ``t`` (1 before the first step)."""
        idx = np.searchsorted(self.times, t, side="right") - 1
        lo = np.ones(np.shape(t))
        hi = np.ones(np.shape(t))
        inside = idx >= 0
        lo[inside] = self.lower[idx[inside]]
        hi[inside] = self.upper[idx[inside]]
        return lo, hi


def kaplan_meier(
    durations: NDArray[np.float64],
    observed: NDArray[np.bool_],
    confidence: float = 0.95,
    entry: NDArray[np.float64] | None = None,
) -> KaplanMeier:
    """Kaplan-Meier survival with Greenwood variance and a log(-log) band.

    Notes
    -----
    With :math:`n_j` at risk and :math:`d_j` events at the :math:`j`-th
    distinct time, :math:`\\hat S(t) = \\prod_{t_j \\le t} (1 - d_j / n_j)`
    and Greenwood's :math:`\\widehat{V}[\\log \\hat S] = \\sum_{t_j \\le t}
    d_j / (n_j (n_j - d_j))`. The band is
    :math:`\\hat S^{\\exp(\\pm z \\sigma / \\log \\hat S)}` with
    :math:`\\sigma^2` Greenwood's term (Kalbfleisch and Prentice), which stays
    inside [0, 1]. Sorting is the only O(n log n) step; the rest is
    cumulative sums over the distinct times.

    With delayed ``entry`` (left truncation: a partner observed only from
    age :math:`e_i`), :math:`n_j = \\#\\{i : e_i < t_j \\le T_i\\}`.

    References
    ----------
    Kaplan, E. L. and Meier, P. (1958). Nonparametric estimation from
    incomplete observations. JASA 53(282), 457-481.
    """
    counted = _counted(durations, observed, entry)
    if counted is not None:  # whole months (the usual case): counts, no sort
        times, total, events, entered_before = counted
    else:
        # Two sorts instead of an indirect one: the distinct times with their counts,
        # and the exits among them.
        ordered = np.sort(durations)
        cut = np.flatnonzero(np.diff(ordered)) + 1
        times = ordered[np.concatenate(([0], cut))] if ordered.size else ordered
        total = np.diff(np.concatenate((cut, [ordered.size])), prepend=0).astype(np.int64)
        exits = np.sort(durations[observed])
        events = (
            np.searchsorted(exits, times, side="right")
            - np.searchsorted(exits, times, side="left")
        ).astype(np.int64)
        entered_before = (
            None if entry is None else np.searchsorted(np.sort(entry), times, side="left")
        )
    at_risk = durations.size - np.concatenate(([0], np.cumsum(total)[:-1]))
    if entry is not None:
        # Not yet under observation at t_j: entered at or after t_j.
        assert entered_before is not None
        at_risk = at_risk - (entry.size - entered_before)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(events > 0, events / np.maximum(at_risk, 1), 0.0)
        survival = np.cumprod(1.0 - hazard)
        terms = np.where(at_risk > events, events / (at_risk * (at_risk - events)), np.inf)
        terms = np.where(events == 0, 0.0, terms)
        greenwood = np.cumsum(terms)
        z = stats.norm.ppf(0.5 + confidence / 2.0)
        log_s = np.log(survival)
        sigma = np.sqrt(greenwood) / np.abs(log_s)
        lower = survival ** np.exp(z * sigma)
        upper = survival ** np.exp(-z * sigma)
    # Before any event S = 1 and the band collapses to 1; at S = 0 it is 0.
    one = survival >= 1.0
    lower = np.where(one, 1.0, lower)
    upper = np.where(one, 1.0, upper)
    zero = survival <= 0.0
    lower = np.where(zero, 0.0, lower)
    upper = np.where(zero, 0.0, upper)
    lower = np.nan_to_num(lower, nan=0.0)
    upper = np.nan_to_num(upper, nan=1.0)
    return KaplanMeier(
        times=times.astype(np.float64),
        survival=np.asarray(survival, dtype=np.float64),
        lower=np.clip(lower, 0.0, 1.0),
        upper=np.clip(upper, 0.0, 1.0),
        at_risk=at_risk.astype(np.int64),
        events=events,
    )


#: Whole-number durations spanning at most this many times their count (plus a
#: margin) are counted with ``bincount`` instead of sorted.
_COUNT_SPAN = 4


def _whole(values: NDArray[np.float64]) -> NDArray[np.int64] | None:
    """``values`` as int64 when every one is a whole number of safe size, else None."""
    if values.size == 0 or not (np.abs(values).max() < 2.0**52):
        return None
    as_int = values.astype(np.int64)
    return as_int if np.array_equal(as_int, values) else None


def _counted(
    durations: NDArray[np.float64],
    observed: NDArray[np.bool_],
    entry: NDArray[np.float64] | None,
) -> (
    tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64] | None]
    | None
):
    """Distinct times, their counts, exits and entries before each, by counting.

    For whole-number durations over a span of at most ``_COUNT_SPAN`` times
    their number (whole months, say): O(n) with ``bincount`` where sorting
    is O(n log n). None when it does not apply (then sort).
    """
    d = _whole(durations)
    if d is None:
        return None
    lo = int(d.min())
    span = int(d.max()) - lo + 1
    if span > _COUNT_SPAN * d.size + 1024:
        return None
    e = None
    if entry is not None:
        e = _whole(entry)
        if e is None:
            return None
    idx = d - lo
    counts = np.bincount(idx, minlength=span)
    present = np.flatnonzero(counts)
    times = (present + lo).astype(np.float64)
    total = counts[present].astype(np.int64)
    events = np.bincount(idx[observed], minlength=span)[present].astype(np.int64)
    if e is None:
        return times, total, events, None
    # entries before each time: those below the span, plus a running count inside it
    shifted = e - lo
    inside = (shifted >= 0) & (shifted < span)
    running = np.concatenate(([0], np.cumsum(np.bincount(shifted[inside], minlength=span))))
    before = int(np.count_nonzero(shifted < 0)) + running[present]
    return times, total, events, before.astype(np.int64)


def exponential_rate(
    durations: NDArray[np.float64],
    observed: NDArray[np.bool_],
    confidence: float = 0.95,
    entry: NDArray[np.float64] | None = None,
) -> tuple[float, float, float]:
    """Censored exponential hazard per month with Garwood's exact interval.

    The maximum-likelihood rate is events / exposure; the interval treats the
    event count as Poisson given the exposure: ``chi2.ppf(a/2, 2d) / 2T`` to
    ``chi2.ppf(1 - a/2, 2d + 2) / 2T`` (lower 0 when no event happened).
    """
    d = int(np.count_nonzero(observed))
    exposure = float(durations.sum() - (0.0 if entry is None else entry.sum()))
    alpha = 1.0 - confidence
    if exposure <= 0.0:
        return math.nan, math.nan, math.nan
    rate = d / exposure
    low = float(stats.chi2.ppf(alpha / 2.0, 2 * d)) / (2.0 * exposure) if d > 0 else 0.0
    high = float(stats.chi2.ppf(1.0 - alpha / 2.0, 2 * d + 2)) / (2.0 * exposure)
    return rate, low, high


@attrs.frozen
class WeibullFit:
    """A censored Weibull fit: S(t) = exp(-(t / scale) ** shape)."""

    shape: float
    scale: float
    loglik: float
    cov: NDArray[np.float64]  # covariance of (log shape, log scale)
    converged: bool


@attrs.frozen(eq=False)
class _Lifetimes:
    """Durations aggregated to distinct (time, exit) pairs and distinct entries, with counts.

    Monthly data has a few hundred distinct values for millions of partners:
    the likelihoods below cost O(distinct), not O(partners).
    """

    t: NDArray[np.float64]
    obs: NDArray[np.bool_]
    w: NDArray[np.float64]
    entry: NDArray[np.float64]
    entry_w: NDArray[np.float64]

    @classmethod
    def of(
        cls,
        durations: NDArray[np.float64],
        observed: NDArray[np.bool_],
        entry: NDArray[np.float64] | None,
    ) -> _Lifetimes:
        t_exit, n_exit = np.unique(durations[observed], return_counts=True)
        t_cens, n_cens = np.unique(durations[~observed], return_counts=True)
        uniq = np.stack(
            [
                np.concatenate([t_exit, t_cens]),
                np.concatenate([np.ones(t_exit.size), np.zeros(t_cens.size)]),
            ]
        )
        counts = np.concatenate([n_exit, n_cens])
        late = np.empty(0) if entry is None else entry[entry > 0]
        e_uniq, e_counts = np.unique(late, return_counts=True)
        return cls(
            t=uniq[0],
            obs=uniq[1] > 0,
            w=counts.astype(np.float64),
            entry=e_uniq,
            entry_w=e_counts.astype(np.float64),
        )


def _weibull_nll(theta: NDArray[np.float64], d: _Lifetimes) -> tuple[float, NDArray[np.float64]]:
    log_k, log_s = theta
    k = math.exp(log_k)
    z = np.log(d.t) - log_s
    zk = np.exp(k * z)
    wo = d.w * d.obs
    n_ev = float(wo.sum())
    zo = float((wo * z).sum())
    ll = n_ev * (log_k - log_s) + (k - 1.0) * zo - float((d.w * zk).sum())
    g_k = n_ev + k * zo - k * float((d.w * zk * z).sum())
    g_s = -n_ev * k + k * float((d.w * zk).sum())
    if d.entry.size:  # left truncation: + H(entry) for each partner entering late
        ze = np.log(d.entry) - log_s
        ek = np.exp(k * ze)
        ll += float((d.entry_w * ek).sum())
        g_k += k * float((d.entry_w * ek * ze).sum())
        g_s -= k * float((d.entry_w * ek).sum())
    # Gradient with respect to (log k, log s).
    return -ll, -np.array([g_k, g_s])


def _weibull_grouped_nll(theta: NDArray[np.float64], d: _Lifetimes) -> float:
    """Negative log-likelihood of whole-month data: an exit in month t lies in (t-1, t]."""
    k, s = math.exp(theta[0]), math.exp(theta[1])
    h_t = (d.t / s) ** k
    h_prev = (np.maximum(d.t - 1.0, 0.0) / s) ** k
    o = d.obs
    with np.errstate(divide="ignore"):
        ll = float(np.sum(d.w[o] * (-h_prev[o] + np.log(-np.expm1(-(h_t[o] - h_prev[o]))))))
    ll -= float((d.w[~o] * h_t[~o]).sum())
    ll += float((d.entry_w * (d.entry / s) ** k).sum())
    return -ll if math.isfinite(ll) else math.inf


def _hessian(func: Any, theta: NDArray[np.float64], eps: float = 1e-4) -> NDArray[np.float64]:
    """Central-difference Hessian of a scalar function of two parameters."""
    hess = np.empty((2, 2))
    basis = np.eye(2) * eps
    f0 = func(theta)
    for i in range(2):
        for j in range(i, 2):
            if i == j:
                val = (func(theta + basis[i]) - 2 * f0 + func(theta - basis[i])) / eps**2
            else:
                val = (
                    func(theta + basis[i] + basis[j])
                    - func(theta + basis[i] - basis[j])
                    - func(theta - basis[i] + basis[j])
                    + func(theta - basis[i] - basis[j])
                ) / (4 * eps**2)
            hess[i, j] = hess[j, i] = val
    return hess


def weibull_fit(
    durations: NDArray[np.float64],
    observed: NDArray[np.bool_],
    entry: NDArray[np.float64] | None = None,
    *,
    grouped: bool = False,
) -> WeibullFit | None:
    """Maximum-likelihood Weibull fit to right-censored durations, or None.

    None when the shape is not identifiable: fewer than two events, or all
    events at one duration. ``grouped=True`` treats durations as whole
    months (an exit in month t happened in (t-1, t]), the exact likelihood
    for monthly data. The covariance comes from the numerical Hessian of the
    negative log-likelihood in (log shape, log scale).
    """
    obs = observed.astype(bool)
    if obs.sum() < 2 or np.unique(durations[obs]).size < 2:
        return None
    data = _Lifetimes.of(durations, obs, entry)
    rate = obs.sum() / (durations.sum() - float((data.entry * data.entry_w).sum()))
    start = np.array([0.0, math.log(1.0 / rate)])
    if grouped:

        def nll(theta: NDArray[np.float64]) -> float:
            return _weibull_grouped_nll(theta, data)

        res = optimize.minimize(
            nll,
            start,
            method="Nelder-Mead",
            options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 2000},
        )
    else:
        res = optimize.minimize(_weibull_nll, start, args=(data,), jac=True, method="BFGS")

        def nll(theta: NDArray[np.float64]) -> float:
            return _weibull_nll(theta, data)[0]

    theta = res.x
    hess = _hessian(nll, theta)
    try:
        cov = np.asarray(np.linalg.inv(hess), dtype=np.float64)
    except np.linalg.LinAlgError:
        cov = np.full((2, 2), np.nan)
    if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) < 0):
        cov = np.full((2, 2), np.nan)
    return WeibullFit(
        shape=float(math.exp(theta[0])),
        scale=float(math.exp(theta[1])),
        loglik=float(-res.fun),
        cov=cov,
        converged=bool(res.success),
    )


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval for a binomial proportion ((nan, nan) for no trials).

    Notes
    -----
    With :math:`\\hat p = x / n` and :math:`z` the normal quantile,
    :math:`(\\hat p + z^2/2n \\pm z \\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2})
    / (1 + z^2/n)`.

    Examples
    --------
    >>> lo, hi = wilson_interval(8, 10)
    >>> round(lo, 4), round(hi, 4)
    (0.4902, 0.9433)
    """
    if trials <= 0:
        return math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    p = successes / trials
    denom = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == trials else min(1.0, centre + half)
    return lo, hi


def order_statistic_interval(
    sorted_values: NDArray[np.float64], q: float = 0.5, confidence: float = 0.95
) -> tuple[float, float]:
    """A distribution-free interval for the ``q`` quantile from order statistics.

    The ranks come from the binomial(n, q) distribution, so the coverage is
    at least ``confidence`` whatever the distribution (nan, nan when n is
    too small for it).
    """
    n = sorted_values.size
    alpha = 1.0 - confidence
    lo = int(stats.binom.ppf(alpha / 2.0, n, q))  # rank (1-based) of the lower end
    hi = int(stats.binom.isf(alpha / 2.0, n, q)) + 1
    if lo < 1 or hi > n:
        return math.nan, math.nan
    return float(sorted_values[lo - 1]), float(sorted_values[hi - 1])


def logit_interval(p: float, se_logit: float, confidence: float = 0.95) -> tuple[float, float]:
    """A probability's interval from a normal interval on its logit."""
    if not (0.0 < p < 1.0) or not math.isfinite(se_logit):
        return math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    centre = float(special.logit(p))
    return float(special.expit(centre - z * se_logit)), float(special.expit(centre + z * se_logit))
