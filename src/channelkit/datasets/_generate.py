"""Generate the example channel shipped with channelkit.

Run ``python -m channelkit.datasets._generate`` to rewrite the CSV files next
to this module. The generator is deterministic (a fixed seed), and the test
suite checks that it reproduces the shipped files exactly.

The channel: 500 partners of a mid-sized software vendor in four regions,
with heavy-tailed revenue (about 80 % from the top 20 %), about 45 % small
and mid-sized partners (10-249 employees), a product/services revenue mix,
prior-year revenue (unknown for the partners recruited this year),
certifications, customer satisfaction and registered deals; and 20 channel
managers with 2,000 hours a year each.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..io import write_managers_csv, write_portfolio_csv
from ..partners import Manager, Portfolio

__all__ = ["make_example_channel", "write_example_channel"]

SEED = 20261122
N_PARTNERS = 500
REGIONS = ("NA", "EMEA", "APAC", "LATAM")
REGION_P = (0.40, 0.30, 0.20, 0.10)
MANAGERS_PER_REGION = (8, 6, 4, 2)
#: Size classes: micro (< 10 employees), small and mid-sized (10-249), large (250-4999).
SIZE_P = (0.42, 0.45, 0.13)
SIZE_BOUNDS = (2, 10, 250, 5000)
#: Yearly revenue: ``exp(LOG_REVENUE + EMPLOYEE_ELASTICITY * log(employees) + LOG_REVENUE_SD * Z)``.
LOG_REVENUE = 9.2
EMPLOYEE_ELASTICITY = 0.55
LOG_REVENUE_SD = 1.25


def make_example_channel(seed: int = SEED) -> tuple[Portfolio, list[Manager]]:
    """Build the example portfolio and managers from ``seed``."""
    rng = np.random.default_rng(seed)
    n = N_PARTNERS
    region = rng.choice(np.array(REGIONS), size=n, p=REGION_P)

    # Size: micro (< 10 employees), small and mid-sized (10-249), large (250+).
    size_class = rng.choice(3, size=n, p=SIZE_P)
    lo = np.array(SIZE_BOUNDS[:-1])[size_class]
    hi = np.array(SIZE_BOUNDS[1:])[size_class]
    employees = np.floor(np.exp(rng.uniform(np.log(lo), np.log(hi)))).astype(int)

    # Revenue with the vendor: heavy-tailed, larger for larger partners.
    log_rev = (
        LOG_REVENUE + EMPLOYEE_ELASTICITY * np.log(employees) + rng.normal(0.0, LOG_REVENUE_SD, n)
    )
    revenue = np.round(np.exp(log_rev), 2)
    new = rng.random(n) < 0.06  # recruited this year: prior revenue unknown
    growth = np.clip(rng.normal(0.08, 0.30, n), -0.85, 3.0)
    revenue_prior = np.where(new, np.nan, np.round(revenue / (1.0 + growth), 2))

    # Revenue mix: bimodal between product resellers and service-led firms.
    resale = rng.random(n) < 0.55
    product_share = np.where(resale, rng.beta(6, 2, n), rng.beta(2, 5, n)).round(3)

    certified_staff = np.minimum(rng.poisson(0.4 + 0.04 * employees**0.9), employees)
    certifications = certified_staff + rng.poisson(0.5 * certified_staff)
    csat = np.clip(rng.normal(7.8, 1.1, n), 0.0, 10.0).round(1)
    registered_deals = rng.poisson(revenue / 40_000.0)
    product_lines = np.clip(1 + rng.poisson(0.6 + 0.35 * np.log1p(employees / 10)), 1, 8)
    technical_level = 1 + (rng.random(n) < 0.45).astype(int) + (rng.random(n) < 0.2).astype(int)

    ids = np.array([f"P{i:04d}" for i in range(1, n + 1)])
    portfolio = Portfolio(
        ids,
        revenue=revenue,
        revenue_prior=revenue_prior,
        product_share=product_share,
        region=region,
        metrics={
            "employees": employees,
            "certified_staff": certified_staff,
            "certifications": certifications,
            "csat": csat,
            "registered_deals": registered_deals,
            "product_lines": product_lines,
            "technical_level": technical_level,
        },
    )
    managers: list[Manager] = []
    for reg, count in zip(REGIONS, MANAGERS_PER_REGION):
        for _ in range(count):
            managers.append(
                Manager(f"M{len(managers) + 1:02d}", capacity=2000.0, max_partners=40, region=reg)
            )
    return portfolio, managers


def write_example_channel(folder: str | Path | None = None) -> tuple[Path, Path]:
    """Write ``example_partners.csv`` and ``example_managers.csv`` to ``folder``."""
    out = Path(folder) if folder is not None else Path(__file__).parent
    portfolio, managers = make_example_channel()
    partners_path = out / "example_partners.csv"
    managers_path = out / "example_managers.csv"
    write_portfolio_csv(portfolio, partners_path)
    write_managers_csv(managers, managers_path)
    return partners_path, managers_path


if __name__ == "__main__":  # pragma: no cover
    for path in write_example_channel():
        print(f"wrote {path}")
