"""Generate the example history: 36 months of the example channel, from known parameters.

Run ``python -m channelkit.datasets._generate_history`` to rewrite
``example_history.csv.gz`` next to this module. The generator is
deterministic (a fixed seed) and the test suite checks that it reproduces the
shipped file. Its parameters are the *truth* a calibration can be checked
against; they are module constants, listed here.

The panel: 36 calendar months, 2023-01 to 2025-12 (``START``, ``N_MONTHS``).

Partners and lifecycle
    - Partners active at 2023-01 (the *starting cohort*) joined before it: a
      join month drawn uniformly 1 to 96 months earlier (``TENURE_MAX``).
    - Recruits join during months 1-35 (2023-02 to 2025-12): Poisson,
      ``RECRUITS_PER_MONTH`` = 4 a month.
    - Attrition: every active partner leaves at the end of a month with the
      same probability ``h = 1 - (1 - ANNUAL_ATTRITION) ** (1 / 12)``, with
      ``ANNUAL_ATTRITION`` = 0.12 (constant hazard: an exponential/geometric
      lifetime, the same for sellers and non-sellers, cohort and recruits).
      ``left`` is the last active month; partners active in 2025-12 are
      censored (``left`` empty).
    - A recruit never sells with probability ``NEVER_SELL`` = 0.15 (the cure
      fraction); the others make their first sale ``D`` months after
      joining, ``D`` geometric on 0, 1, 2, ... with
      ``P(D = k) = p (1 - p) ** k``, ``p = FIRST_SALE_P`` = 0.25 (mean 3
      months). No revenue before the first sale.
    - The draw is typical: the rejection step below also requires the
      realized number of never-sellers among the ``m`` recruits to be within
      one binomial standard deviation of its expectation,
      ``|never - m p| <= sqrt(m p (1 - p))`` with ``p = NEVER_SELL``, so
      that the shipped example is not a draw whose non-sellers are far off
      the rate (an earlier draw had 21.9 % of them, 2.4 standard deviations
      above 15 %).
    - Ramp: in the ``k``-th month after its first sale (``k`` = 0, 1, ...) a
      recruit sells ``min(1, (k + 0.5) / RAMP_MONTHS)`` of its mature level,
      ``RAMP_MONTHS`` = 6 (the rule of ``Segment(ramp_months=6)``). The
      starting cohort is mature.

Monthly revenue
    ``revenue[t] = level[year(t)] * SEASONALITY[month(t)] * ramp[t] * noise[t]``,
    rounded to cents, where ``SEASONALITY`` (January to December, mean 1)
    peaks at quarter ends and in December, and ``noise`` is lognormal with
    mean 1, ``exp(s Z - s**2 / 2)``, ``s = NOISE_SIGMA`` = 0.25, independent
    across months and partners.

Agreement with :func:`~channelkit.datasets.example_portfolio`
    The example channel's 500 partners are the partners that are active at
    the end and have sold: the rejection step below redraws the recruits
    until exactly as many recruits of the last 12 months survive with a
    sale as the portfolio has partners without prior-year revenue (32);
    these take those partners' ids. Surviving, selling recruits of months
    1-23 take randomly chosen ids of the other partners, and the starting
    cohort is drawn (one partner at a time, as a negative binomial count)
    until it has as many survivors as remain. For each of the 500 partners
    the 2025 level is set so that 2025 (the last 12 months) sums to its
    ``revenue`` to the cent (largest-remainder rounding); for the starting
    cohort 2024 sums to its ``revenue_prior`` and 2023's level is 2024's
    divided by ``1 + clip(growth, -0.3, 0.5)`` with ``growth = revenue /
    revenue_prior - 1``. For recruits, a year's level is the next year's
    divided by ``1 + g``, where ``g`` = :func:`channel_growth` is the
    channel's own realized growth, the one the starting cohort has:
    ``sum(revenue) / sum(revenue_prior) - 1`` over the portfolio's
    partners with a prior year (about -4.8 %; revenue-weighted, so below
    the partners' mean growth of +8 %); so ``revenue_prior`` agrees with
    the portfolio for the partners active through 2024, not for recruits
    of months 1-23. Partners that left, and recruits with no sale by the
    end (never-sellers and late first sales, active at the end with zero
    revenue, so not in the example portfolio), get ids from ``P0501`` and
    a 2023 mature level ``A / 12`` with ``A`` lognormal, median
    ``exp(LOG_LEVEL_MEAN)`` = about 40,000 a year, log-sd
    ``LOG_LEVEL_SD`` = 1.5, growing by ``g`` a year. One growth thus
    describes every partner, as :func:`channelkit.calibrate` and
    ``Segment(growth=...)`` assume.

Productivity
    The mature partners' yearly revenue is the example portfolio's
    ``revenue`` (2025), whose generating distribution is set in
    :mod:`channelkit.datasets._generate`: lognormal given the employees,
    mixed over the size classes; :func:`median_productivity` is its median.

Attributes: ``region`` (the portfolio's; others drawn with the example
channel's shares) and ``segment`` by size, ``"micro"`` (< 10 employees),
``"SMB"`` (10-249) and ``"large"``, from the portfolio's employees or drawn
with shares 0.42 / 0.45 / 0.13. No parameter differs by segment or region.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..history import PartnerHistory
from ._generate import (
    EMPLOYEE_ELASTICITY,
    LOG_REVENUE,
    LOG_REVENUE_SD,
    REGION_P,
    REGIONS,
    SIZE_BOUNDS,
    SIZE_P,
    make_example_channel,
)

__all__ = [
    "channel_growth",
    "make_example_history",
    "median_productivity",
    "monthly_hazard",
    "ramp_at",
    "write_example_history",
]

SEED = 20261126
START = "2023-01"
N_MONTHS = 36
TENURE_MAX = 96
RECRUITS_PER_MONTH = 4.0
ANNUAL_ATTRITION = 0.12
NEVER_SELL = 0.15
FIRST_SALE_P = 0.25
RAMP_MONTHS = 6
#: January .. December; mean 1.
SEASONALITY = (0.85, 0.90, 1.10, 0.90, 0.95, 1.10, 0.85, 0.80, 1.10, 0.95, 1.00, 1.50)
NOISE_SIGMA = 0.25
LOG_LEVEL_MEAN = 10.6
LOG_LEVEL_SD = 1.5
SEGMENTS = ("micro", "SMB", "large")
SEGMENT_P = (0.42, 0.45, 0.13)
FILE_NAME = "example_history.csv.gz"

_NEVER = 10**6


def monthly_hazard() -> float:
    """Probability of leaving at the end of a month: ``1 - (1 - ANNUAL_ATTRITION) ** (1/12)``."""
    return float(1.0 - (1.0 - ANNUAL_ATTRITION) ** (1.0 / 12.0))


def ramp_at(k: int) -> float:
    """Share of the mature level sold in the ``k``-th month after the first sale."""
    return min(1.0, (k + 0.5) / RAMP_MONTHS)


def channel_growth() -> float:
    """The channel's realized yearly growth: that of the portfolio's partners with a prior year.

    ``sum(revenue) / sum(revenue_prior) - 1`` over the example portfolio's
    partners whose ``revenue_prior`` is known; recruits and the partners
    outside the portfolio grow at it.
    """
    pf, _ = make_example_channel()
    known = ~np.isnan(pf.revenue_prior)
    return float(pf.revenue[known].sum() / pf.revenue_prior[known].sum() - 1.0)


def median_productivity() -> float:
    """Median of the distribution the example portfolio's yearly revenue is drawn from.

    ``revenue = exp(LOG_REVENUE + EMPLOYEE_ELASTICITY * log(employees) +
    LOG_REVENUE_SD * Z)`` with ``employees = floor(exp(U))``, ``U`` uniform
    on the log of its size class's bounds and the class drawn with
    ``SIZE_P`` (see :mod:`channelkit.datasets._generate`): the root of the
    exact mixture CDF (a sum over the possible employee counts).
    """
    from scipy import optimize, stats

    weights: list[NDArray[np.float64]] = []
    mu: list[NDArray[np.float64]] = []
    for p, lo, hi in zip(SIZE_P, SIZE_BOUNDS[:-1], SIZE_BOUNDS[1:]):
        e = np.arange(lo, hi, dtype=np.float64)
        span = np.log(hi) - np.log(lo)
        weights.append(p * (np.log(np.minimum(e + 1, hi)) - np.log(e)) / span)
        mu.append(LOG_REVENUE + EMPLOYEE_ELASTICITY * np.log(e))
    w, m = np.concatenate(weights), np.concatenate(mu)

    def excess(log_r: float) -> float:
        return float(np.sum(w * stats.norm.cdf((log_r - m) / LOG_REVENUE_SD))) - 0.5

    return float(
        np.exp(optimize.brentq(excess, float(m.min()) - 10, float(m.max()) + 10, xtol=1e-12))
    )


def _exact_cents(values: NDArray[np.float64], total: NDArray[np.float64]) -> NDArray[np.float64]:
    """Round (months, partners) amounts to cents so each column sums to ``total`` exactly."""
    raw = values * 100.0
    floor = np.floor(raw)
    target = np.rint(total * 100.0)
    deficit = (target - floor.sum(axis=0)).astype(np.int64)
    order = np.argsort(-(raw - floor), axis=0, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(raw.shape[0])[:, None], axis=0)
    cents: NDArray[np.float64] = floor + (rank < deficit[None, :])
    return cents / 100.0


def make_example_history(seed: int = SEED, *, typical: bool = True) -> PartnerHistory:
    """Build the example history from ``seed`` (see the module docs for the parameters).

    ``typical=False`` drops the requirement on the never-sellers' count (to
    study the estimators over untouched draws).
    """
    rng = np.random.default_rng(seed)
    pf, _ = make_example_channel()
    known = ~np.isnan(pf.revenue_prior)
    n_new = int((~known).sum())
    t_end = N_MONTHS - 1
    h = monthly_hazard()
    growth_rate = channel_growth()

    # Recruits, redrawn until exactly n_new recruits of the last 12 months survive with a sale
    # and the never-sellers are within one binomial standard deviation of their expectation.
    while True:
        counts = rng.poisson(RECRUITS_PER_MONTH, size=N_MONTHS)
        counts[0] = 0
        r_join = np.repeat(np.arange(N_MONTHS), counts)
        m = r_join.size
        never = rng.random(m) < NEVER_SELL
        delay = rng.geometric(FIRST_SALE_P, size=m) - 1
        r_life = rng.geometric(h, size=m) - 1
        r_first = np.where(never, _NEVER, r_join + delay)
        r_last = np.minimum(r_join + r_life, _NEVER)
        r_survive = r_last >= t_end
        r_sold = r_first <= t_end
        late = r_survive & r_sold & (r_join >= N_MONTHS - 12)
        near = abs(int(never.sum()) - m * NEVER_SELL) <= np.sqrt(
            m * NEVER_SELL * (1.0 - NEVER_SELL)
        )
        if int(late.sum()) == n_new and (near or not typical):
            break
    early = r_survive & r_sold & ~late
    n_cohort = int(known.sum()) - int(early.sum())

    # The starting cohort, drawn until n_cohort of them survive to the end.
    life: list[NDArray[np.int64]] = []
    survivors = 0
    while survivors < n_cohort:
        batch = rng.geometric(h, size=1024) - 1
        life.append(batch)
        survivors += int((batch >= t_end).sum())
    c_life = np.concatenate(life)
    cut = int(np.flatnonzero(c_life >= t_end)[n_cohort - 1]) + 1
    c_life = c_life[:cut]
    c_n = c_life.size
    c_join = -rng.integers(1, TENURE_MAX + 1, size=c_n)
    c_last = np.minimum(c_life, _NEVER)

    # Ids: the portfolio's partners to the survivors that sold, new ids to the others.
    slot = np.full(c_n + m, -1)
    known_slots = rng.permutation(np.flatnonzero(known))
    new_slots = rng.permutation(np.flatnonzero(~known))
    c_surv = np.flatnonzero(c_last >= t_end)
    slot[c_surv] = known_slots[:n_cohort]
    slot[c_n + np.flatnonzero(early)] = known_slots[n_cohort:]
    slot[c_n + np.flatnonzero(late)] = new_slots
    n_all = c_n + m
    extra = np.flatnonzero(slot < 0)
    ids = np.empty(n_all, dtype=object)
    ids[slot >= 0] = pf.ids[slot[slot >= 0]]
    ids[extra] = [f"P{len(pf) + 1 + k:04d}" for k in range(extra.size)]

    join = np.concatenate([c_join, r_join])
    last = np.concatenate([c_last, r_last])
    first_sale = np.concatenate([np.full(c_n, -_NEVER), r_first])
    recruit = np.arange(n_all) >= c_n

    # Shapes: season x ramp x noise over each partner's active span.
    t = np.arange(N_MONTHS)[:, None]
    active = (t >= np.maximum(join, 0)) & (t <= np.minimum(last, t_end))
    season = np.asarray(SEASONALITY)[(t[:, 0] % 12)][:, None]
    since = t - first_sale
    ramp = np.where(recruit, np.clip((since + 0.5) / RAMP_MONTHS, 0.0, 1.0), 1.0) * (since >= 0)
    noise = np.exp(rng.normal(0.0, NOISE_SIGMA, size=(N_MONTHS, n_all)) - NOISE_SIGMA**2 / 2)
    shape = season * ramp * noise * active

    # Levels per year.
    year = t[:, 0] // 12
    level = np.empty((3, n_all))
    free = slot < 0
    a = np.exp(rng.normal(LOG_LEVEL_MEAN, LOG_LEVEL_SD, size=n_all)) / 12.0
    level[0] = a
    level[1] = a * (1 + growth_rate)
    level[2] = a * (1 + growth_rate) ** 2
    mapped = np.flatnonzero(~free)
    rev = pf.revenue[slot[mapped]]
    y3 = shape[year == 2][:, mapped].sum(axis=0)
    level[2, mapped] = rev / y3
    level[1, mapped] = level[2, mapped] / (1 + growth_rate)
    level[0, mapped] = level[1, mapped] / (1 + growth_rate)
    cohort_mapped = mapped[~recruit[mapped]]
    prior = pf.revenue_prior[slot[cohort_mapped]]
    y2 = shape[year == 1][:, cohort_mapped].sum(axis=0)
    level[1, cohort_mapped] = prior / y2
    growth = np.clip(pf.revenue[slot[cohort_mapped]] / prior - 1.0, -0.3, 0.5)
    level[0, cohort_mapped] = level[1, cohort_mapped] / (1 + growth)
    values = shape * level[year]
    revenue = np.round(values, 2)
    last12 = year == 2
    revenue[np.ix_(last12, mapped)] = _exact_cents(values[np.ix_(last12, mapped)], rev)
    prev12 = year == 1
    revenue[np.ix_(prev12, cohort_mapped)] = _exact_cents(
        values[np.ix_(prev12, cohort_mapped)], prior
    )

    # Attributes.
    region = np.empty(n_all, dtype=object)
    region[mapped] = pf.region[slot[mapped]]
    region[extra] = rng.choice(np.array(REGIONS), size=extra.size, p=REGION_P)
    employees = pf.column("employees")
    size = np.searchsorted([10, 250], employees, side="right")
    segment = np.empty(n_all, dtype=object)
    segment[mapped] = np.asarray(SEGMENTS)[size[slot[mapped]]]
    segment[extra] = rng.choice(np.array(SEGMENTS), size=extra.size, p=SEGMENT_P)

    start = np.datetime64(START, "M")
    joined = start + join.astype("timedelta64[M]")
    left = (start + np.minimum(last, t_end).astype("timedelta64[M]")).astype("datetime64[M]")
    left[last >= t_end] = np.datetime64("NaT")
    return PartnerHistory(
        ids.astype(str),
        START,
        {"revenue": revenue},
        present=active,
        attributes={"region": region, "segment": segment},
        joined=joined,
        left=left,
    )


def write_example_history(folder: str | Path | None = None) -> Path:
    """Write ``example_history.csv.gz`` to ``folder`` (default: next to this module)."""
    out = Path(folder) if folder is not None else Path(__file__).parent
    path = out / FILE_NAME
    make_example_history().to_csv(path)
    return path


if __name__ == "__main__":  # pragma: no cover
    print(f"wrote {write_example_history()}")
