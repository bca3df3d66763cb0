"""channelkit: typed, vectorized models of channel partner programs.

The public API is re-exported here; see the API reference for each topic
module (:mod:`channelkit.segmentation`, :mod:`channelkit.tiers`, ...).
"""

from __future__ import annotations

from ._version import __version__
from .errors import ChannelkitError, InfeasibleError, InvalidInputError, ProgramDefinitionError
from .partners import Manager, Partner, Portfolio, as_portfolio
from .progression import Migration, ProgressionPolicy, TierHistory, program_impact, progress
from .tiers import (
    Benefits,
    Evaluation,
    Finding,
    Gaps,
    Program,
    ProgramAudit,
    Scorecard,
    ScoreItem,
    Tier,
    audit_program,
    evaluate,
)

__all__ = [
    "Benefits",
    "ChannelkitError",
    "Evaluation",
    "Finding",
    "Gaps",
    "InfeasibleError",
    "InvalidInputError",
    "Manager",
    "Migration",
    "Partner",
    "Portfolio",
    "Program",
    "ProgramAudit",
    "ProgramDefinitionError",
    "ProgressionPolicy",
    "ScoreItem",
    "Scorecard",
    "Tier",
    "TierHistory",
    "__version__",
    "as_portfolio",
    "audit_program",
    "evaluate",
    "program_impact",
    "progress",
]
