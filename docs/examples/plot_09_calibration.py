"""
Calibration: attrition, ramp and a backtest from a history
==========================================================

:func:`channelkit.calibrate` fits a plan's parameters from a partner history:
attrition with censoring (Kaplan-Meier and parametric fits), the ramp of
recruits from their first sale, what a mature partner sells, and the share of
recruits that ever sell. :func:`channelkit.backtest` then checks the forecasts
made at past months against what happened.
"""

import matplotlib.pyplot as plt

import channelkit as ck
from channelkit.datasets import example_history

history = example_history()
cal = ck.calibrate(history, seed=0)
print(cal.summary())

# %%
# Partner survival: the Kaplan-Meier curve, its band and the parametric fits;
# and the ramp, with the channel's growth and seasons taken out as calibrate does.

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
ck.fit_attrition(history).plot(ax=axes[0])
ck.fit_ramp(history, growth=cal.growth, seasonality=cal.seasonality, seed=0).plot(ax=axes[1])
fig.tight_layout()

# %%
# Forecasts made at 12 past months against what the next 12 months brought.

bt = ck.backtest(history, cutoffs=12, n_sims=500, seed=0)
print(bt.summary())
fig, ax = plt.subplots(figsize=(8, 4))
bt.plot(ax=ax)
fig.tight_layout()
