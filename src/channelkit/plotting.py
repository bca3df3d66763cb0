"""Optional matplotlib helpers (install the ``plot`` extra).

matplotlib is imported inside each function, so ``import channelkit`` never
needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from numpy.typing import ArrayLike

from ._optional import import_optional
from .segmentation import gini, lorenz_curve

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_lorenz"]


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    plt: Any = import_optional("matplotlib.pyplot", "plot")
    _, new_ax = plt.subplots(figsize=(5, 5))
    return new_ax  # type: ignore[no-any-return]


def plot_lorenz(values: ArrayLike, *, ax: Axes | None = None, label: str | None = None) -> Axes:
    """Plot the Lorenz curve of ``values`` against the line of equality.

    Parameters
    ----------
    values : array-like, shape (n,)
        Non-negative amounts, e.g. revenue per partner.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    label : str, optional
        Legend label of the curve (default: the Gini coefficient).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_lorenz([1.0, 2.0, 10.0])
    >>> ax.get_xlabel()
    'share of partners (smallest first)'
    """
    x, y = lorenz_curve(values)
    axes = _axes(ax)
    text = label if label is not None else f"Lorenz curve (Gini {gini(values):.2f})"
    axes.plot(x, y, label=text)
    axes.plot([0.0, 1.0], [0.0, 1.0], linestyle="--", color="grey", label="equality")
    axes.fill_between(x, y, x, alpha=0.15)
    axes.set_xlim(0.0, 1.0)
    axes.set_ylim(0.0, 1.0)
    axes.set_xlabel("share of partners (smallest first)")
    axes.set_ylabel("share of revenue")
    axes.set_aspect("equal")
    axes.legend(loc="upper left")
    axes.grid(True, alpha=0.3)
    return axes
