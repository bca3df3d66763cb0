"""Tests of the optional plotting helpers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import channelkit as ck
from channelkit.plotting import plot_lorenz


def test_plot_lorenz_draws_the_curve_on_given_axes() -> None:
    fig, ax = plt.subplots()
    out = plot_lorenz([1.0, 3.0], ax=ax)
    assert out is ax
    curve = ax.lines[0]
    np.testing.assert_allclose(curve.get_xdata(), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(curve.get_ydata(), [0.0, 0.25, 1.0])
    assert "Gini 0.25" in curve.get_label()
    plt.close(fig)


def test_plot_lorenz_validates_input() -> None:
    with pytest.raises(ck.InvalidInputError, match="negative"):
        plot_lorenz([1.0, -1.0])


def test_plot_lorenz_compares_curves_on_one_axes_with_a_title() -> None:
    fig, ax = plt.subplots()
    plot_lorenz([1.0, 3.0], ax=ax)
    plot_lorenz([1.0, 1.0], ax=ax, label="equal")
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["Lorenz curve (Gini 0.25)", "equality", "equal"]  # one equality line
    assert ax.get_title() == "Concentration"
    plt.close(fig)


def test_channel_profile_plot_draws_the_same_curve() -> None:
    pf = ck.Portfolio(["a", "b"], revenue=[1.0, 3.0])
    ax = ck.profile_channel(pf).plot()
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.0, 0.25, 1.0])
    assert "Gini 0.25" in ax.lines[0].get_label()
    assert ax.get_title() == "Revenue concentration of 2 partners"
    plt.close(ax.figure)
