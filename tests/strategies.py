"""Hypothesis strategies shared by the channelkit test suite.

Sections: partners and portfolios (foundation), then one section per topic.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import channelkit as ck

# --------------------------------------------------------------------------- partners
#: Finite, non-negative amounts of money, including exact zeros and wide ranges.
amounts = st.one_of(
    st.just(0.0),
    st.floats(min_value=0.0, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=10**6).map(float),
)

ids = st.text(
    alphabet=st.characters(categories=("Lu", "Ll", "Nd"), max_codepoint=0x24F),
    min_size=1,
    max_size=8,
)
regions = st.sampled_from(["NA", "EMEA", "APAC", "LATAM"])
shares = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
metric_values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
metric_names = st.sampled_from(["csat", "certified_staff", "deals", "growth", "points"])


def revenue_arrays(
    min_size: int = 1, max_size: int = 60, *, positive_total: bool = False
) -> st.SearchStrategy[np.ndarray[Any, np.dtype[np.float64]]]:
    """1-D float arrays of non-negative revenue (heavy-tailed mixes, zeros, ties)."""
    elements = st.one_of(
        st.just(0.0),
        st.floats(min_value=0.0, max_value=1e7, allow_nan=False, allow_infinity=False),
        st.sampled_from([1.0, 10.0, 100.0]),
    )
    arrays = hnp.arrays(np.float64, st.integers(min_size, max_size), elements=elements)
    if positive_total:
        arrays = arrays.filter(lambda a: a.sum() > 0)
    return arrays


@st.composite
def partners(draw: st.DrawFn, metric_keys: tuple[str, ...] = ()) -> ck.Partner:
    """A valid :class:`channelkit.Partner` carrying exactly ``metric_keys``."""
    return ck.Partner(
        draw(ids),
        revenue=draw(amounts),
        revenue_prior=draw(st.none() | amounts),
        product_share=draw(st.none() | shares),
        region=draw(st.none() | regions),
        metrics={k: draw(metric_values) for k in metric_keys},
    )


@st.composite
def partner_lists(draw: st.DrawFn, min_size: int = 0, max_size: int = 12) -> list[ck.Partner]:
    """Lists of partners with unique ids and the same metric names."""
    keys = tuple(draw(st.lists(metric_names, unique=True, max_size=3)))
    people = draw(
        st.lists(partners(keys), min_size=min_size, max_size=max_size, unique_by=lambda p: p.id)
    )
    return people


portfolios = partner_lists().map(ck.Portfolio.from_partners)


def nan_to_none(value: float) -> float | None:
    return None if math.isnan(value) else value


# --------------------------------------------------------------------------- segmentation
def plain_revenue_arrays(
    min_size: int = 1, max_size: int = 40
) -> st.SearchStrategy[np.ndarray[Any, np.dtype[np.float64]]]:
    """Revenue arrays whose non-zero entries lie in [1e-3, 1e7] (no subnormals).

    For properties that rescale the values or divide by them, where subnormal
    amounts would underflow or overflow and change the answer for reasons that
    have nothing to do with the property.
    """
    elements = st.one_of(
        st.just(0.0),
        st.floats(min_value=1e-3, max_value=1e7, allow_nan=False, allow_infinity=False),
        st.sampled_from([1.0, 10.0, 100.0]),
    )
    return hnp.arrays(np.float64, st.integers(min_size, max_size), elements=elements)


#: Contributor shares, in (0, 1], with the usual round values mixed in.
contributor_shares = st.one_of(
    st.sampled_from([0.5, 0.8, 0.9, 1.0]),
    st.floats(min_value=0.0, max_value=1.0, exclude_min=True, allow_nan=False),
)
#: Long-tail shares, in [0, 1), with the usual round values mixed in.
tail_shares = st.one_of(
    st.sampled_from([0.0, 0.05, 0.1]),
    st.floats(min_value=0.0, max_value=1.0, exclude_max=True, allow_nan=False),
)


def product_share_arrays(
    min_size: int = 0, max_size: int = 40
) -> st.SearchStrategy[np.ndarray[Any, np.dtype[np.float64]]]:
    """1-D arrays of shares in [0, 1] with NaN (unknown) and the default boundaries mixed in."""
    elements = st.one_of(
        st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
        st.sampled_from([0.0, 0.3, 0.5, 0.7, 1.0, math.nan]),
    )
    return hnp.arrays(np.float64, st.integers(min_size, max_size), elements=elements)


# --------------------------------------------------------------------------- capacity
def _lognorm(s: float, scale: float) -> Any:
    from scipy import stats

    return stats.lognorm(s=s, scale=scale)


#: Productivity specifications a Segment accepts: a number, a sample, a distribution.
productivity_specs = st.one_of(
    st.floats(min_value=1_000.0, max_value=1e6, allow_nan=False),
    st.lists(
        st.one_of(st.just(0.0), st.floats(min_value=1_000.0, max_value=1e6)),
        min_size=1,
        max_size=20,
    ).filter(lambda xs: sum(xs) >= 1_000.0 * len(xs)),
    st.builds(
        _lognorm,
        st.floats(min_value=0.1, max_value=1.5),
        st.floats(min_value=5_000.0, max_value=500_000.0),
    ),
)


@st.composite
def capacity_segments(draw: st.DrawFn, name: str = "s", share: float | None = None) -> Any:
    """A random :class:`channelkit.Segment` with a ramp, attrition, conversion and growth."""
    from channelkit.capacity import FunnelStage, Segment

    funnel = draw(
        st.lists(
            st.builds(
                FunnelStage,
                st.just("stage"),
                st.floats(min_value=0.2, max_value=1.0),
                st.integers(0, 2),
            ),
            max_size=2,
        )
    )
    return Segment(
        name,
        draw(productivity_specs),
        ramp_months=draw(st.integers(0, 8)),
        attrition=draw(st.floats(min_value=0.0, max_value=0.6)),
        conversion=draw(st.floats(min_value=0.2, max_value=1.0)),
        share=share,
        funnel=funnel,
        growth=draw(st.floats(min_value=-0.2, max_value=0.3)),
    )


@st.composite
def segment_lists(draw: st.DrawFn, max_size: int = 3) -> list[Any]:
    """One to ``max_size`` segments with distinct names and random shares."""
    k = draw(st.integers(1, max_size))
    shares_ = [draw(st.floats(min_value=0.1, max_value=5.0)) for _ in range(k)]
    return [draw(capacity_segments(name=f"s{i}", share=shares_[i])) for i in range(k)]
