"""Manager workload: how many channel managers a channel needs.

The workload build-up method (Jones, Sales Force Management) sizes a team by
adding up the hours every account needs in a year and dividing by the hours a
manager can give.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_fraction, check_positive
from .errors import InvalidInputError

__all__ = ["managers_needed"]


def managers_needed(
    counts: ArrayLike,
    touches_per_year: ArrayLike,
    hours_per_touch: ArrayLike = 1.0,
    *,
    hours_available: float = 2000.0,
    utilisation: float = 1.0,
) -> int:
    """Number of channel managers needed, by the workload build-up method.

    Parameters
    ----------
    counts : array-like, shape (k,) or scalar
        Number of partners in each account class (>= 0).
    touches_per_year : array-like, shape (k,) or scalar [1/year]
        Contacts (calls, visits, reviews) a partner of each class needs per year.
    hours_per_touch : array-like, shape (k,) or scalar [hours], default 1.0
        Hours one contact takes, travel included.
    hours_available : float [hours/year], default 2000.0
        Working hours of one manager in a year.
    utilisation : float in (0, 1], default 1.0
        Share of those hours that can go to partner contact (the rest is
        administration, training, internal meetings).

    Returns
    -------
    int
        ``ceil(sum(counts * touches * hours) / (hours_available * utilisation))``.

    Raises
    ------
    InvalidInputError
        For negative or NaN counts, touches or hours, arrays of different
        lengths, non-positive ``hours_available`` or ``utilisation`` outside (0, 1].

    Notes
    -----
    .. math:: M = \\left\\lceil \\frac{\\sum_k n_k \\, f_k \\, t_k}{H \\, u} \\right\\rceil

    with :math:`n_k` partners in class :math:`k`, each needing :math:`f_k`
    touches a year of :math:`t_k` hours, and :math:`H u` productive hours per
    manager. A tiny relative tolerance (1e-12) keeps floating-point noise from
    adding a manager when the workload is an exact multiple of a manager's hours.

    References
    ----------
    .. [1] Talley, W. J. (1961). How to design sales territories. Journal of
       Marketing, 25(3), 7-13.

    Examples
    --------
    Two account classes: 40 key partners needing 24 two-hour touches a year,
    200 others needing 6 one-hour touches: 40*24*2 + 200*6*1 = 3,120 hours; at
    1,600 hours a manager that is 1.95, so 2 managers.

    >>> managers_needed([40, 200], [24, 6], [2.0, 1.0], hours_available=1600.0)
    2
    """
    n = as_float_array(counts, "counts", ndim=(0, 1), nonnegative=True)
    f = as_float_array(touches_per_year, "touches_per_year", ndim=(0, 1), nonnegative=True)
    t = as_float_array(hours_per_touch, "hours_per_touch", ndim=(0, 1), nonnegative=True)
    lengths = {a.shape[0] for a in (n, f, t) if a.ndim == 1}
    if len(lengths) > 1:
        raise InvalidInputError(
            "counts, touches_per_year and hours_per_touch must have the same length "
            f"(got shapes {n.shape}, {f.shape}, {t.shape}); a scalar applies to every class"
        )
    total = float(np.sum(n * f * t))
    hours = check_positive(hours_available, "hours_available")
    util = check_fraction(utilisation, "utilisation", include_zero=False)
    ratio = total / (hours * util)
    return math.ceil(ratio * (1.0 - 1e-12)) if ratio > 0 else 0
