"""
What I need for the next tier
=============================

A HubSpot-style program earns points by source: every dollar of sourced
monthly recurring revenue (MRR) is a point, a dollar of managed MRR half a
point, and each tier asks for a total *and* a minimum number of points from
sourced revenue alone (``Tier(min_points=...)``). Certified staff are counted
from a long table of certifications, one row per certificate
(:class:`channelkit.ItemCount`). :meth:`channelkit.tiers.Gaps.explain` tells
one partner, in the program's own terms, what it needs for its next tier.
"""

import matplotlib.pyplot as plt
import numpy as np

import channelkit as ck

program = ck.Program(
    [
        ck.Tier("Provider"),
        ck.Tier("Gold", min_score=2_000, min_points={"sourced_mrr": 250}),
        ck.Tier(
            "Platinum",
            min_score=10_000,
            min_points={"sourced_mrr": 1_000},
            requirements={"certified": 2},
            inherit=True,
        ),
        ck.Tier(
            "Diamond",
            min_score=35_000,
            min_points={"sourced_mrr": 5_000},
            requirements={"certified": 4},
            inherit=True,
        ),
    ],
    scorecard=ck.Scorecard(
        [
            ck.ScoreItem("sourced_mrr", 1.0),
            ck.ScoreItem("managed_mrr", 0.5, max_points=20_000),
        ]
    ),
    counts={"certified": ck.ItemCount("certifications", label="certified consultants")},
    name="HubSpot-style solutions partners",
)

partners = {
    "id": ["acme", "bolt", "core", "dyna"],
    "sourced_mrr": [180.0, 820.0, 6_400.0, 2_300.0],
    "managed_mrr": [9_000.0, 26_000.0, 64_000.0, 15_000.0],
}
certifications = {
    "partner": ["bolt", "core", "core", "core", "core", "dyna"],
    "value": [1, 1, 1, 1, 1, 1],
}
evaluation = ck.evaluate(program, partners, items={"certifications": certifications})
print(evaluation.to_frame())

# %%
# Bolt has 13,820 points, enough for Platinum's total, but 820 sourced
# points of the 1,000 Platinum asks for, and one certified consultant of two.
# Its gaps, in words:

gaps = evaluation.gaps()
for line in gaps.explain("bolt"):
    print("-", line)

# %%
# The same answer as a picture: how much of each rule of Platinum Bolt meets
# today. Bars short of 100 % are the gaps.

tier = program.tiers[gaps.target[1]]
i = 1
rules = {
    "total points": (evaluation.score[i], tier.min_score),
    "sourced points": (partners["sourced_mrr"][i], tier.min_points["sourced_mrr"]),
    "certified consultants": (evaluation.values["certified"][i], tier.requirements["certified"]),
}
share = np.array([min(have / need, 1.0) for have, need in rules.values()])
fig, ax = plt.subplots(figsize=(7, 2.8))
colors = ["#4c9a6a" if s >= 1 else "#d9822b" for s in share]
bars = ax.barh(list(rules), share, color=colors)
ax.bar_label(
    bars,
    labels=[f"{have:,.0f} of {need:,.0f}" for have, need in rules.values()],
    padding=3,
    fontsize="small",
)
ax.axvline(1.0, color="0.3", linewidth=1)
ax.set_xlim(0, 1.35)
ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
ax.invert_yaxis()
ax.set_title(f"bolt: what it needs for {tier.name}")
fig.tight_layout()
