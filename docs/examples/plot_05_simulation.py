"""
Simulating the channel month by month
=====================================

:func:`channelkit.simulate_channel` plays a recruiting plan forward many
times: recruits convert, ramp up, grow and may leave; the partners of today
keep selling and some leave too. The bands show the spread of the outcomes.
"""

import matplotlib.pyplot as plt
from scipy import stats

import channelkit as ck
from channelkit.datasets import example_portfolio

resellers = ck.Segment(
    "resellers", stats.lognorm(s=1.3, scale=60_000), ramp_months=6, attrition=0.2, conversion=0.5
)
integrators = ck.Segment(
    "integrators", stats.lognorm(s=0.8, scale=300_000), ramp_months=9, attrition=0.1
)
simulation = ck.simulate_channel(
    [resellers, integrators],
    {"resellers": 6, "integrators": 2},  # prospects signed per month
    start=example_portfolio(),
    start_attrition=0.1,
    horizon_months=24,
    n_sims=500,
    seed=1,
)
print(simulation.summary())

# %%
# Cumulative revenue over two years: median and the 5-95 % and 25-75 % bands.

fig, ax = plt.subplots(figsize=(7, 4))
simulation.plot(ax=ax)
fig.tight_layout()
