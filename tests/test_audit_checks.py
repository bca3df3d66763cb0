"""audit_program as one check per finding kind gives the findings of the single loop it replaced."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import channelkit as ck
from channelkit.datasets import example_portfolio, example_program

from ._reference import reference_audit_program
from .strategies import programs, tier_populations

_thresholds = st.fixed_dictionaries(
    {
        "rare": st.sampled_from([0.0, 0.01, 0.1, 0.3]),
        "crowded": st.sampled_from([0.5, 0.8, 1.0]),
        "flat": st.sampled_from([1.05, 1.1, 2.0]),
        "steep": st.sampled_from([1.5, 5.0, 50.0]),
        "disproportion": st.sampled_from([1.01, 2.0, 10.0]),
    }
)


def _as_rows(audit: ck.ProgramAudit) -> list[tuple[Any, ...]]:
    return [(f.kind, f.tier, f.rule, f.value, f.message) for f in audit.findings]


@pytest.mark.parametrize(
    "kw",
    [{}, {"rare": 0.3, "crowded": 0.5, "flat": 2.0, "steep": 1.5, "disproportion": 1.01}],
)
def test_example_channel_audit_is_unchanged(kw: dict[str, float]) -> None:
    program, pf = example_program(), example_portfolio()
    new = ck.audit_program(program, pf, **kw)
    assert _as_rows(new) == _as_rows(reference_audit_program(program, pf, **kw))
    # the strict thresholds bring out every kind but "unreached"
    assert len(set(new.kinds())) == (3 if not kw else 7)


@given(programs(), tier_populations(), _thresholds)
def test_findings_match_the_single_loop(
    program: ck.Program, cols: dict[str, Any], kw: dict[str, float]
) -> None:
    new = ck.audit_program(program, cols, **kw)
    old = reference_audit_program(program, cols, **kw)
    assert _as_rows(new) == _as_rows(old)
    assert new.kinds() == old.kinds()
