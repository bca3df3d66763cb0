"""
Balancing partners across channel managers
==========================================

:func:`channelkit.assign_portfolio` gives every partner a manager so that
the largest workload, relative to capacity, is as small as possible. Each
partner's workload (hours a year) comes from a
:class:`channelkit.WorkloadModel`; a partner goes to a manager of its region.
The lower bound shows how close to the best possible balance the answer is.
"""

import matplotlib.pyplot as plt

import channelkit as ck
from channelkit.datasets import example_managers, example_portfolio

partners = example_portfolio()
team = example_managers()
result = ck.assign_portfolio(partners, team, model=ck.WorkloadModel())
print(result.summary())

# %%
# In a notebook, the result itself shows the same report as HTML tables:

result  # noqa: B018 (the last expression of a cell is displayed)

# %%
# Every manager's load against capacity; the dashed line is the lower bound
# of the largest load.

fig, ax = plt.subplots(figsize=(7, 5))
result.plot(ax=ax)
fig.tight_layout()

# %%
# A reorganisation: hire a manager for the busiest region and move at most 12
# partners away from today's assignment.

busiest = team[int(result.assignment.relative_loads.argmax())].region
hire = ck.Manager("M21", capacity=2000.0, max_partners=40, region=busiest)
moved = ck.assign_portfolio(
    partners, [*team, hire], model=ck.WorkloadModel(), current=result.mapping, max_moves=12
)
print(f"{busiest}: {moved.assignment.moves} moves, largest load {moved.assignment.value:.1%}")

fig, ax = plt.subplots(figsize=(7, 5))
moved.plot(ax=ax)
fig.tight_layout()
