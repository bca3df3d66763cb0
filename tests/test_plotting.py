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
