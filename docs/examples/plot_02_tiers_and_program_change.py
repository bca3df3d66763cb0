"""
Tiers, and what a program change does
=====================================

:func:`channelkit.evaluate` places every partner in the highest tier of a
program whose rules it meets. :func:`channelkit.program_impact` compares two
versions of a program partner by partner: who is promoted, who is demoted,
and what the benefits will cost.
"""

import attrs
import matplotlib.pyplot as plt

import channelkit as ck
from channelkit.datasets import example_portfolio, example_program

partners = example_portfolio()
program = example_program()
evaluation = ck.evaluate(program, partners)
print(evaluation.counts())

fig, ax = plt.subplots(figsize=(7, 4))
evaluation.plot(ax=ax)
fig.tight_layout()

# %%
# A redesign: Gold needs 100 more points. Four partners fall back to Silver,
# and the yearly benefit cost drops.

gold = program.tiers[2]
tougher = attrs.evolve(gold, min_score=gold.min_score + 100)
redesign = attrs.evolve(program, tiers=(*program.tiers[:2], tougher, *program.tiers[3:]))
migration = ck.program_impact(program, redesign, partners)
print(migration)

# %%
# The migration matrix: partners moving from each old tier (rows) to each new
# tier (columns); everything off the diagonal changes tier.

fig, ax = plt.subplots(figsize=(5, 4.5))
migration.plot(ax=ax)
fig.tight_layout()
