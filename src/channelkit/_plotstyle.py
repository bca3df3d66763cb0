"""One look for every channelkit plot: axes, colours, currency ticks, readable labels.

A private helper below the topic modules (which call it from their
``plot(ax=None)`` methods) and the :mod:`channelkit.plotting` edge. matplotlib
is imported lazily, inside the functions, through :func:`import_optional`,
so importing this module never needs it.

Conventions
-----------
- ``axes(ax, figsize)``: the given Axes, or a new figure's.
- Colours come from :data:`COLORS` by meaning (``"primary"``, ``"target"``,
  ``"bound"``...) and tiers/segments/motions from :func:`categorical`, so the
  same thing has the same colour in every plot.
- Currency axes use :func:`currency_axis`: ``1.5M``, ``250k``, never ``1e8``.
- Many category labels (managers, tiers) go on horizontal bars; from
  :data:`THIN_FROM` labels on a category axis are thinned with
  :func:`thin_labels` so they never overlap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._optional import import_optional

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "COLORS",
    "THIN_FROM",
    "axes",
    "categorical",
    "compact_number",
    "currency_axis",
    "thin_labels",
]

#: Colours by meaning, shared by every plot.
COLORS: dict[str, str] = {
    "primary": "#1f77b4",
    "secondary": "#9ecae1",
    "target": "#d62728",
    "bound": "#d62728",
    "equality": "#7f7f7f",
    "good": "#2ca02c",
    "bad": "#d62728",
    "neutral": "#7f7f7f",
}

#: A qualitative palette for categories (tiers lowest first, segments, motions).
PALETTE: tuple[str, ...] = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
)

#: From this many category labels on one axis, labels are thinned.
THIN_FROM = 20


def axes(ax: Axes | None, figsize: tuple[float, float] = (7.0, 4.0)) -> Axes:
    """``ax`` itself, or the Axes of a new figure of ``figsize`` inches."""
    if ax is not None:
        return ax
    plt: Any = import_optional("matplotlib.pyplot", "plot")
    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax  # type: ignore[no-any-return]


def categorical(n: int) -> list[str]:
    """``n`` colours from the shared palette, cycling when ``n`` exceeds it."""
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def compact_number(value: float, _pos: object = None) -> str:
    """``1_500_000`` -> ``1.5M``, ``250_000`` -> ``250k``, ``12`` -> ``12``.

    Examples
    --------
    >>> compact_number(1_500_000), compact_number(250_000), compact_number(-2e9)
    ('1.5M', '250k', '-2B')
    >>> compact_number(12.5), compact_number(0)
    ('12.5', '0')
    """
    if not math.isfinite(value):
        return str(value)
    size = abs(value)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def currency_axis(ax: Axes, which: str = "y") -> None:
    """Ticks of a currency axis in plain thousands (``1.5M``), no offset or ``1e8``."""
    ticker: Any = import_optional("matplotlib.ticker", "plot")
    axis = ax.yaxis if which == "y" else ax.xaxis
    axis.set_major_formatter(ticker.FuncFormatter(compact_number))


def thin_labels(ax: Axes, labels: Sequence[str], which: str = "x") -> None:
    """Category tick labels, every k-th one when there are too many to read.

    Up to :data:`THIN_FROM` labels are all shown; beyond, about 15 evenly
    spaced ones are.
    """
    n = len(labels)
    step = 1 if n < THIN_FROM else max(1, math.ceil(n / 15))
    ticks = list(range(0, n, step))
    shown = [labels[i] for i in ticks]
    if which == "x":
        ax.set_xticks(ticks)
        ax.set_xticklabels(shown)
    else:
        ax.set_yticks(ticks)
        ax.set_yticklabels(shown)
