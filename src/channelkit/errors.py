"""The exceptions that channelkit raises.

Every error that channelkit raises on purpose is a :class:`ChannelkitError`.
Errors caused by bad input also subclass :class:`ValueError`, so code that
already catches ``ValueError`` keeps working.

Examples
--------
>>> import channelkit as ck
>>> try:
...     ck.gini([1.0, -2.0])
... except ck.InvalidInputError as err:
...     print(err)
values[1] = -2.0 is negative; expected non-negative numbers
>>> issubclass(ck.InvalidInputError, ValueError)
True
"""

from __future__ import annotations

__all__ = [
    "ChannelkitError",
    "InfeasibleError",
    "InvalidInputError",
    "ProgramDefinitionError",
    "SolverLimitError",
]


class ChannelkitError(Exception):
    """Base class of every error that channelkit raises on purpose.

    Examples
    --------
    >>> import channelkit as ck
    >>> issubclass(ck.InfeasibleError, ck.ChannelkitError)
    True
    """


class InvalidInputError(ChannelkitError, ValueError):
    """An argument has the wrong shape, type or value.

    The message names the argument, the offending value or index, and what
    was expected.

    Examples
    --------
    >>> import channelkit as ck
    >>> try:
    ...     ck.top_share([1.0, float("nan")], 1)
    ... except ValueError as err:  # an InvalidInputError is a ValueError
    ...     print(type(err).__name__)
    InvalidInputError
    """


class ProgramDefinitionError(InvalidInputError):
    """A partner program (tiers, scorecard, policy) or its file is malformed.

    Raised, for example, for a tier ladder in which a higher tier is easier to
    reach than a lower one, or for a program file with a missing key.

    Examples
    --------
    >>> import channelkit as ck
    >>> card = ck.Scorecard([ck.ScoreItem("deals", 1.0)])
    >>> try:
    ...     ck.Program([ck.Tier("Gold", min_score=100), ck.Tier("Silver", min_score=50)],
    ...                scorecard=card)
    ... except ck.ProgramDefinitionError as err:
    ...     print(err)
    tier 'Silver' is above tier 'Gold' but needs min_score 50, less than 100: a higher tier must not be easier to reach
    """


class InfeasibleError(ChannelkitError):
    """No solution satisfies the constraints.

    The message says which constraint cannot be met and by how much.

    Examples
    --------
    >>> import channelkit as ck
    >>> try:
    ...     ck.assign([10.0, 10.0], [5.0, 5.0])
    ... except ck.InfeasibleError as err:
    ...     print(err)
    partner 0 fits no eligible manager: it needs 10 h even with manager 0, whose capacity is 5 h
    """


class SolverLimitError(ChannelkitError):
    """A search stopped (time or size limit) before finding any solution.

    Unlike :class:`InfeasibleError` this is no proof that none exists: a
    longer ``time_limit`` or ``method="exact"`` may find one. The message
    says what was tried.

    Examples
    --------
    >>> import channelkit as ck
    >>> issubclass(ck.SolverLimitError, ck.InfeasibleError)
    False
    """
