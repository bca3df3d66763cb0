"""Draw the fan chart of the capacity user guide: docs/_static/capacity_fan.png.

Run from the project root after changing the example of docs/user_guide/capacity.rst::

    python docs/_scripts/capacity_fan.py
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from scipy import stats

import channelkit as ck

OUT = Path(__file__).resolve().parents[1] / "_static" / "capacity_fan.png"


def main() -> None:
    observed = stats.lognorm(s=1.3, scale=60_000).rvs(size=400, random_state=1)
    resellers = ck.Segment(
        "resellers", observed, ramp_months=6, attrition=0.2, conversion=0.5, share=3
    )
    integrators = ck.Segment(
        "integrators",
        stats.lognorm(s=0.8, scale=300_000),
        ramp_months=9,
        attrition=0.1,
        conversion=0.6,
        share=1,
        touches_per_year=48,
        hours_per_touch=3.0,
    )
    plan = ck.plan_capacity(12_000_000, [resellers, integrators], n_sims=2_000, seed=42)
    fig, ax = plt.subplots(figsize=(7, 4))
    plan.plot(ax=ax)
    fig.tight_layout()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=100)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
