"""The progression policy of a tiered program.

:class:`ProgressionPolicy` lives in this private module so that
:mod:`channelkit.tiers` (whose :class:`~channelkit.tiers.Program` carries a
policy) and :mod:`channelkit.progression` (which applies it) do not import
each other. Its public home is :mod:`channelkit.progression`.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import attrs

from ._validation import as_whole, is_number
from .errors import ProgramDefinitionError

__all__ = ["ProgressionPolicy"]


def _count(
    minimum: int, *, optional: bool = False
) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
        if value is None and optional:
            return
        name = f"ProgressionPolicy.{attr.name}"
        if not is_number(value) or not isinstance(value, numbers.Integral):
            want = f"a whole number >= {minimum}" + (" or None" if optional else "")
            raise ProgramDefinitionError(f"{name} = {value!r}; expected {want}")
        as_whole(value, name, minimum=minimum, error=ProgramDefinitionError)

    return check


@attrs.frozen
class ProgressionPolicy:
    """When and how far partners move between tiers over time.

    Parameters
    ----------
    review_every : int [periods], default 1
        Promotions are decided at reviews held at the end of every
        ``review_every``-th period: periods ``t`` (0-based) with
        ``(t + 1) % review_every == 0``.
    grace_reviews : int, default 0
        A partner that fails its tier at a demotion review keeps it for this
        many further consecutive failing demotion reviews; it is demoted at
        the ``grace_reviews + 1``-th.
    max_steps_up : int or None, default None
        Most tiers a partner can climb at one review (None: no cap).
    max_steps_down : int or None, default None
        Most tiers a partner can fall at one review (None: no cap).
    window : int [periods], default 1
        A partner qualifies for a tier at a review if it met the tier's rules
        in any of the last ``window`` periods (the review period included).
    demote_every : int [periods] or None, default None
        Cadence of demotion reviews, held at periods ``t`` with
        ``(t + 1) % demote_every == 0``; None means ``review_every``. Many
        programs promote quarterly (``review_every=3`` on monthly data) and
        demote twice a year (``demote_every=6``).

    Raises
    ------
    ProgramDefinitionError
        For a non-integer or out-of-range field.

    Notes
    -----
    The default policy reviews every period without window, grace or caps,
    so a partner's tier is simply its evaluated tier in each period.

    Examples
    --------
    >>> ProgressionPolicy(review_every=3, demote_every=6, grace_reviews=1)
    ProgressionPolicy(review_every=3, grace_reviews=1, max_steps_up=None,
                      max_steps_down=None, window=1, demote_every=6)
    """

    review_every: int = attrs.field(default=1, validator=_count(1))
    grace_reviews: int = attrs.field(default=0, validator=_count(0))
    max_steps_up: int | None = attrs.field(default=None, validator=_count(1, optional=True))
    max_steps_down: int | None = attrs.field(default=None, validator=_count(1, optional=True))
    window: int = attrs.field(default=1, validator=_count(1))
    demote_every: int | None = attrs.field(default=None, validator=_count(1, optional=True))

    def __attrs_post_init__(self) -> None:
        for name in ("review_every", "grace_reviews", "window"):
            object.__setattr__(self, name, int(getattr(self, name)))
        for name in ("max_steps_up", "max_steps_down", "demote_every"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, int(value))

    @property
    def demotion_cadence(self) -> int:
        """Periods between demotion reviews (``demote_every`` or ``review_every``)."""
        return self.review_every if self.demote_every is None else self.demote_every
