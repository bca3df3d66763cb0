"""channelkit: typed, vectorized models of channel partner programs.

The public API is re-exported here; see the API reference for each topic
module (:mod:`channelkit.segmentation`, :mod:`channelkit.tiers`, ...).
"""

from __future__ import annotations

from ._version import __version__
from .errors import ChannelkitError, InfeasibleError, InvalidInputError, ProgramDefinitionError
from .partners import Manager, Partner, Portfolio, as_portfolio

__all__ = [
    "ChannelkitError",
    "InfeasibleError",
    "InvalidInputError",
    "Manager",
    "Partner",
    "Portfolio",
    "ProgramDefinitionError",
    "__version__",
    "as_portfolio",
]
