"""The public API: every name of the contract is importable from the top level."""

from __future__ import annotations

import channelkit as ck

CONTRACT = {
    # errors
    "ChannelkitError",
    "InvalidInputError",
    "ProgramDefinitionError",
    "InfeasibleError",
    # partners
    "Partner",
    "Manager",
    "Portfolio",
    # segmentation
    "pareto_segments",
    "gini",
    "lorenz_curve",
    "top_share",
    "hhi",
    "business_model",
    "yoy_growth",
    # tiers and progression
    "ScoreItem",
    "Scorecard",
    "Benefits",
    "Tier",
    "Program",
    "evaluate",
    "ProgressionPolicy",
    "progress",
    "program_impact",
    # workload and capacity
    "managers_needed",
    "partners_needed",
    "Segment",
    "plan_capacity",
    "CapacityPlan",
    "simulate_channel",
    # workload and balancing
    "WorkloadModel",
    "assign",
    "Assignment",
}


def test_contract_names_are_exported() -> None:
    missing = sorted(name for name in CONTRACT if not hasattr(ck, name))
    assert missing == []
    assert set(ck.__all__) >= CONTRACT


def test_all_is_sorted_and_resolvable() -> None:
    assert ck.__all__ == sorted(ck.__all__)
    for name in ck.__all__:
        assert getattr(ck, name) is not None


def test_error_hierarchy() -> None:
    assert issubclass(ck.InvalidInputError, ck.ChannelkitError)
    assert issubclass(ck.InvalidInputError, ValueError)
    assert issubclass(ck.ProgramDefinitionError, ck.InvalidInputError)
    assert issubclass(ck.InfeasibleError, ck.ChannelkitError)
    assert not issubclass(ck.InfeasibleError, ValueError)


def test_every_public_name_has_a_runnable_example() -> None:
    """numpydoc Examples with at least one doctest line on every public name (they run as doctests)."""
    import inspect

    skip = {
        "__version__",
        "PortfolioLike",
    }  # a string and a type alias have no docstring of their own
    missing = []
    for name in ck.__all__:
        if name in skip:
            continue
        doc = inspect.getdoc(getattr(ck, name)) or ""
        if "Examples\n--------" not in doc or ">>> " not in doc.split("Examples\n--------", 1)[1]:
            missing.append(name)
    assert missing == [], f"public names without a runnable Examples section: {missing}"
