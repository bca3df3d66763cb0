"""
Capacity plan: how many partners and managers for a target
==========================================================

:func:`channelkit.plan_capacity` finds the smallest channel that reaches a
revenue target with the requested confidence, by Monte Carlo simulation of
recruiting, ramp-up and attrition, and the recruits and channel managers it
needs. The fan chart shows the cumulative revenue month by month: the 5-95 %
and 25-75 % bands of the simulations, their median, and the target.
"""

import matplotlib.pyplot as plt
from scipy import stats

import channelkit as ck

# resellers: 400 observed yearly revenues; integrators: a lognormal guess
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
print(plan.summary())

# %%
# The fan chart (the figure of the :doc:`capacity user guide </user_guide/capacity>`):

fig, ax = plt.subplots(figsize=(7, 4))
plan.plot(ax=ax)
fig.tight_layout()

# %%
# The same plan as a table, one row per segment:

plan.to_frame()
