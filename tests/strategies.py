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
