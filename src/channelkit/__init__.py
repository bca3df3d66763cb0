"""channelkit: typed, vectorized models of channel partner programs.

The public API is re-exported here; see the API reference for each topic
module (:mod:`channelkit.segmentation`, :mod:`channelkit.partners`, ...).

Examples
--------
>>> import channelkit as ck
>>> from channelkit.datasets import example_portfolio
>>> profile = ck.profile_channel(example_portfolio())
>>> profile.n_partners
500
"""

from __future__ import annotations

from ._version import __version__
from .balancing import Assignment, PortfolioAssignment, assign, assign_portfolio
from .calibration import (
    AttritionFit,
    Backtest,
    Calibration,
    ConversionFit,
    ProductivityFit,
    RampFit,
    backtest,
    calibrate,
    fit_attrition,
    fit_conversion,
    fit_productivity,
    fit_ramp,
)
from .capacity import (
    CapacityPlan,
    FunnelStage,
    Segment,
    allocate_shares,
    break_even_revenue,
    incremental_capacity,
    partners_needed,
    plan_capacity,
)
from .coverage import (
    ChannelStaffing,
    CoverageFrontier,
    CoveragePlan,
    Motion,
    MotionChange,
    default_motions,
    plan_coverage,
    shrunk_growth,
    staff_channel,
)
from .errors import (
    ChannelkitError,
    InfeasibleError,
    InvalidInputError,
    ProgramDefinitionError,
    SolverLimitError,
)
from .history import PartnerHistory
from .partners import Manager, Partner, Portfolio, PortfolioLike, as_portfolio
from .progression import Migration, ProgressionPolicy, TierHistory, program_impact, progress
from .segmentation import (
    ChannelProfile,
    business_model,
    gini,
    hhi,
    lorenz_curve,
    pareto_segments,
    profile_channel,
    top_share,
    yoy_growth,
)
from .simulation import ChannelSimulation, simulate_channel
from .tiers import (
    Benefits,
    Evaluation,
    Finding,
    Gaps,
    ItemCount,
    Program,
    ProgramAudit,
    Requirements,
    Scorecard,
    ScoreItem,
    Tier,
    audit_program,
    evaluate,
)
from .workload import WorkloadModel, managers_needed, ramped_equivalents

__all__ = [
    "Assignment",
    "AttritionFit",
    "Backtest",
    "Benefits",
    "Calibration",
    "CapacityPlan",
    "ChannelProfile",
    "ChannelSimulation",
    "ChannelStaffing",
    "ChannelkitError",
    "ConversionFit",
    "CoverageFrontier",
    "CoveragePlan",
    "Evaluation",
    "Finding",
    "FunnelStage",
    "Gaps",
    "InfeasibleError",
    "InvalidInputError",
    "ItemCount",
    "Manager",
    "Migration",
    "Motion",
    "MotionChange",
    "Partner",
    "PartnerHistory",
    "Portfolio",
    "PortfolioAssignment",
    "PortfolioLike",
    "ProductivityFit",
    "Program",
    "ProgramAudit",
    "ProgramDefinitionError",
    "ProgressionPolicy",
    "RampFit",
    "Requirements",
    "ScoreItem",
    "Scorecard",
    "Segment",
    "SolverLimitError",
    "Tier",
    "TierHistory",
    "WorkloadModel",
    "__version__",
    "allocate_shares",
    "as_portfolio",
    "assign",
    "assign_portfolio",
    "audit_program",
    "backtest",
    "break_even_revenue",
    "business_model",
    "calibrate",
    "default_motions",
    "evaluate",
    "fit_attrition",
    "fit_conversion",
    "fit_productivity",
    "fit_ramp",
    "gini",
    "hhi",
    "incremental_capacity",
    "lorenz_curve",
    "managers_needed",
    "pareto_segments",
    "partners_needed",
    "plan_capacity",
    "plan_coverage",
    "profile_channel",
    "program_impact",
    "progress",
    "ramped_equivalents",
    "shrunk_growth",
    "simulate_channel",
    "staff_channel",
    "top_share",
    "yoy_growth",
]
