"""
Coverage: who gets a manager, a distributor or self-service
===========================================================

:func:`channelkit.plan_coverage` gives every partner one motion (dedicated
partner manager, territory manager, distributor, self-service) so that the
expected contribution is largest within the managers' hours, with a proof of
optimality, the value of one more manager hour per region, and the swap list
against today's motions. ``plan.frontier(headcounts)`` shows where the next
hire stops paying for itself.
"""

import matplotlib.pyplot as plt
import numpy as np

import channelkit as ck
from channelkit.datasets import example_managers, example_portfolio

partners = example_portfolio()
plan = ck.plan_coverage(
    partners,
    ck.default_motions(),
    hours_available=example_managers(),
    margin=0.3,
    minimum={"contributor": "partner manager"},
)
print(plan.summary())

# %%
# Partners per motion, by Pareto segment:

fig, ax = plt.subplots(figsize=(7, 4))
plan.plot(ax=ax)
fig.tight_layout()

# %%
# The frontier: expected contribution as the team grows or shrinks.

front = plan.frontier(np.arange(10, 31, 2))
fig, ax = plt.subplots(figsize=(7, 4))
front.plot(ax=ax)
fig.tight_layout()
