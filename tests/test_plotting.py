"""Tests of the optional plotting helpers."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# --------------------------------------------------------------------------- result plots
def _label_boxes(ax: plt.Axes, axis: str = "y") -> list[tuple[float, float]]:
    """Vertical (y) or horizontal (x) extents [pixels] of the visible tick labels."""
    ax.figure.canvas.draw()
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    out = []
    for text in labels:
        if text.get_visible() and text.get_text():
            box = text.get_window_extent()
            out.append((box.y0, box.y1) if axis == "y" else (box.x0, box.x1))
    return sorted(out)


def _no_overlap(boxes: list[tuple[float, float]]) -> bool:
    return all(b[0] >= a[1] - 0.5 for a, b in itertools.pairwise(boxes))


def _team_assignment(m: int, seed: int = 0) -> ck.PortfolioAssignment:
    rng = np.random.default_rng(seed)
    n = 3 * m
    pf = ck.Portfolio([f"p{i}" for i in range(n)], revenue=rng.uniform(1.0, 100.0, n))
    team = [ck.Manager(f"Manager {i:03d}", 2_000.0) for i in range(m)]
    return ck.assign_portfolio(pf, team, hours=rng.uniform(50.0, 400.0, n), seed=seed)


def test_manager_loads_are_horizontal_bars_with_every_label_for_twenty() -> None:
    res = _team_assignment(20)
    ax = res.plot()
    bars = ax.patches
    assert len(bars) == 20
    # horizontal: the widths carry the loads, all bars equally thick
    np.testing.assert_allclose([b.get_width() for b in bars], res.assignment.relative_loads)
    assert len({round(b.get_height(), 9) for b in bars}) == 1
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == list(res.manager_ids)  # a figure sized for 20 shows them all
    assert ax.get_yticklabels()[0].get_position()[1] == 0  # the first manager on top
    assert ax.get_ylim()[0] > ax.get_ylim()[1]
    assert _no_overlap(_label_boxes(ax))
    bound = [line for line in ax.lines if "lower bound" in str(line.get_label())]
    assert bound and bound[0].get_xdata()[0] == pytest.approx(res.assignment.lower_bound)
    assert ax.get_title()
    assert ax.xaxis.get_major_formatter()(0.5, 0) == "50%"
    plt.close("all")


@pytest.mark.parametrize("m", [20, 60, 250])
def test_manager_labels_never_overlap_on_a_small_given_axes(m: int) -> None:
    res = _team_assignment(m)
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    assert res.plot(ax=ax) is ax
    boxes = _label_boxes(ax)
    assert _no_overlap(boxes)
    ticks = ax.get_yticks()
    assert 2 <= len(ticks) <= m and ticks[0] == 0
    assert len(set(np.diff(ticks))) <= 1  # evenly spaced
    plt.close(fig)


@settings(max_examples=12, deadline=None)
@given(st.integers(1, 300), st.floats(1.5, 14.0))
def test_manager_labels_fit_any_height(m: int, height: float) -> None:
    res = ck.assign(np.ones(m), m)
    fig, ax = plt.subplots(figsize=(6.0, height))
    res.plot(ax=ax)
    assert _no_overlap(_label_boxes(ax))
    assert ax.get_yticks()[0] == 0
    # identical managers: loads in hours with compact ticks
    assert ax.xaxis.get_major_formatter()(1500.0, 0) == "1.5k"
    plt.close(fig)


def _tick_texts(ax: plt.Axes) -> list[str]:
    ax.figure.canvas.draw()
    return [t.get_text() for t in ax.get_yticklabels() if t.get_text()]


def test_capacity_fan_chart_has_target_and_currency_ticks() -> None:
    seg = ck.Segment("resellers", 1_000_000.0, attrition=0.1)
    plan = ck.plan_capacity(150_000_000.0, [seg], n_sims=100, seed=0)
    fig, ax = plt.subplots()
    assert plan.plot(ax=ax) is ax
    texts = _tick_texts(ax)
    assert texts and all("e" not in t for t in texts)  # never "1e8"
    assert any(t.endswith("M") for t in texts)
    assert ax.yaxis.get_offset_text().get_text() == ""
    target = [line for line in ax.lines if str(line.get_label()).startswith("target")]
    assert target and target[0].get_ydata()[0] == 150_000_000.0
    assert "target 150M" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert "P(target)" in ax.get_title()
    plt.close(fig)


def test_simulation_bands_have_currency_ticks() -> None:
    seg = ck.Segment("resellers", 2_000_000.0)
    sim = ck.simulate_channel(seg, {"resellers": 10}, horizon_months=12, n_sims=20, seed=0)
    fig, ax = plt.subplots()
    assert sim.plot(ax=ax) is ax
    texts = _tick_texts(ax)
    assert any(t.endswith("M") for t in texts) and all("e" not in t for t in texts)
    assert len(ax.collections) == 2 and len(ax.lines) == 1  # two bands and the median
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.median(sim.cumulative_revenue, axis=0))
    plt.close(fig)
