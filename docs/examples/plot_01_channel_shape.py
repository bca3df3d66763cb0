"""
Channel shape: concentration and Pareto segments
================================================

Sales through partners are concentrated: a few *contributors* make most of
the revenue, *potentials* follow and a long tail sells little.
:func:`channelkit.profile_channel` measures that shape, and the Lorenz curve
shows it: the further the curve sags below the diagonal, the more
concentrated the channel (the Gini coefficient is twice the area between
them).
"""

import matplotlib.pyplot as plt

import channelkit as ck
from channelkit.datasets import example_portfolio
from channelkit.plotting import plot_lorenz

partners = example_portfolio()
profile = ck.profile_channel(partners)
print(profile)

# %%
# The Lorenz curve, and the revenue share of each Pareto segment beside it:
# about a fifth of the partners make 80 % of the revenue.

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4))
plot_lorenz(partners.revenue, ax=left)
names = list(profile.segments)
shares = [profile.segments[name][1] for name in names]
counts = [profile.segments[name][0] for name in names]
right.bar(names, shares, color=["#1f77b4", "#ff7f0e", "#7f7f7f"])
for i, (share, count) in enumerate(zip(shares, counts)):
    right.annotate(f"{count} partners", (i, share), ha="center", va="bottom")
right.set_ylabel("share of revenue")
right.set_title("Pareto segments")
fig.tight_layout()

# %%
# The labels themselves, one per partner, for filtering or joining:

labels = ck.pareto_segments(partners.revenue)
print(labels[:5])
