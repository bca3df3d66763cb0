"""Optional matplotlib helpers (install the ``plot`` extra).

matplotlib is imported inside each function, so ``import channelkit`` never
needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from numpy.typing import ArrayLike

from ._plotstyle import COLORS, axes
from .segmentation import gini, lorenz_curve

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_lorenz"]


def plot_lorenz(
    values: ArrayLike,
    *,
    ax: Axes | None = None,
    label: str | None = None,
    title: str | None = "Concentration",
) -> Axes:
    """Plot the Lorenz curve of ``values`` against the line of equality.

    The same picture as :meth:`channelkit.ChannelProfile.plot`, for any
    non-negative amounts, in the shared channelkit look (colours by meaning).
    Call it several times on one ``ax`` to compare distributions.

    Parameters
    ----------
    values : array-like or pandas.Series, shape (n,)
        Non-negative amounts, e.g. revenue per partner.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    label : str, optional
        Legend label of the curve (default: the Gini coefficient).
    title : str or None, default "Concentration"
        Title of the axes; None leaves it as it is.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_lorenz([1.0, 2.0, 10.0])
    >>> ax.get_xlabel(), ax.get_title()
    ('share of partners (smallest first)', 'Concentration')
    """
    x, y = lorenz_curve(values)
    out = axes(ax, figsize=(5.5, 5.0))
    first = not out.lines
    text = label if label is not None else f"Lorenz curve (Gini {gini(values):.2f})"
    color = COLORS["primary"] if first else None
    out.plot(x, y, label=text, color=color)
    if first:
        out.plot(
            [0.0, 1.0], [0.0, 1.0], linestyle="--", color=COLORS["equality"], label="equality"
        )
        out.fill_between(x, y, x, color=COLORS["primary"], alpha=0.15)
    out.set_xlim(0.0, 1.0)
    out.set_ylim(0.0, 1.0)
    out.set_xlabel("share of partners (smallest first)")
    out.set_ylabel("share of revenue")
    if title is not None:
        out.set_title(title)
    out.set_aspect("equal")
    out.legend(loc="upper left")
    out.grid(True, alpha=0.3)
    return out
