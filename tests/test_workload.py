"""Tests of channelkit.workload.WorkloadModel (managers_needed: see tests/test_capacity.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import channelkit as ck
from channelkit.workload import DEFAULT_TRAVEL_HOURS, WorkloadModel


def _partners(n: int = 3, **over: object) -> dict[str, object]:
    cols: dict[str, object] = {
        "product_lines": [3.0, 1.0, 6.0][:n],
        "technical_level": [2.0, 1.0, 3.0][:n],
        "employees": [20.0, 20.0, 200.0][:n],
        "region": ["EMEA", None, "APAC"][:n],
    }
    cols.update(over)
    return cols


def test_hand_checked_hours() -> None:
    h = WorkloadModel().hours(_partners())
    # (32 + 8*3) * 1.25 * 1 + 8 (EMEA); 32 + 8 = 40 (no region);
    # (32 + 48) * 1.5 * 10**0.1 + 12 (APAC)
    expected = [56 * 1.25 + 8.0, 40.0, 80 * 1.5 * 10**0.1 + 12.0]
    np.testing.assert_allclose(h, expected)


def test_factors_can_be_switched_off() -> None:
    plain = WorkloadModel(
        product_column=None, technical_column=None, size_column=None, travel_hours={}
    )
    np.testing.assert_allclose(plain.hours({"revenue": [1.0, 2.0]}), [32.0, 32.0])


def test_segment_multipliers() -> None:
    model = WorkloadModel(segment_multipliers={"contributor": 2.0, "long_tail": 0.5})
    base = WorkloadModel(travel_hours={}).hours(_partners())
    h = WorkloadModel(
        segment_multipliers={"contributor": 2.0, "long_tail": 0.5}, travel_hours={}
    ).hours(_partners(), segment=["contributor", "long_tail", "other"])
    np.testing.assert_allclose(h, base * [2.0, 0.5, 1.0])
    with pytest.raises(ck.InvalidInputError, match="segment must have shape"):
        model.hours(_partners(), segment=["contributor"])


def test_defaults_give_20_to_30_typical_partners_per_manager() -> None:
    typical = WorkloadModel().hours(_partners(1))[0]
    assert 20 <= 2000.0 / typical <= 30


def test_example_channel_fits_its_managers() -> None:
    from channelkit.datasets import example_managers, example_portfolio

    pf = example_portfolio()
    h = WorkloadModel().hours(pf)
    per_manager = h.sum() / len(example_managers())
    assert 0.7 * 2000 <= per_manager <= 2000
    assert 20 <= 2000 / h.mean() <= 30


def test_validation() -> None:
    with pytest.raises(ck.InvalidInputError, match="base_hours"):
        WorkloadModel(base_hours=-1.0)
    with pytest.raises(ck.InvalidInputError, match="reference_size"):
        WorkloadModel(reference_size=0.0)
    with pytest.raises(ck.InvalidInputError, match="entry 'NA'"):
        WorkloadModel(travel_hours={"NA": -3.0})
    with pytest.raises(ck.InvalidInputError, match="product_column"):
        WorkloadModel(product_column="")
    with pytest.raises(ck.InvalidInputError, match="no column 'employees'"):
        WorkloadModel().hours({"product_lines": [1.0], "technical_level": [1.0]})
    with pytest.raises(ck.InvalidInputError, match="expected a level >= 1"):
        WorkloadModel().hours(_partners(technical_level=[0.0, 1.0, 1.0]))
    with pytest.raises(ck.InvalidInputError, match="negative"):
        WorkloadModel().hours(_partners(product_lines=[-1.0, 1.0, 1.0]))


def test_repr_round_trips() -> None:
    model = WorkloadModel(base_hours=10.0, travel_hours={"NA": 1.0})
    assert eval(repr(model), {"WorkloadModel": WorkloadModel}) == model
    assert WorkloadModel().travel_hours == dict(DEFAULT_TRAVEL_HOURS)


counts = hnp.arrays(np.float64, 5, elements=st.integers(0, 20).map(float))


@given(counts, counts, st.floats(0.0, 20.0), st.floats(0.0, 1.0))
@settings(max_examples=50)
def test_more_products_never_less_work(
    a: np.ndarray, extra: np.ndarray, base: float, tf: float
) -> None:
    model = WorkloadModel(base_hours=base, technical_factor=tf)
    cols = {
        "product_lines": a,
        "technical_level": np.full(5, 2.0),
        "employees": np.full(5, 50.0),
        "region": ["NA", "EMEA", "APAC", "LATAM", None],
    }
    h1 = model.hours(cols)
    h2 = model.hours({**cols, "product_lines": a + extra})
    assert (h2 >= h1 - 1e-9).all()
    assert (h1 >= 0).all()


def _hours_reference(
    model: WorkloadModel,
    products: float,
    level: float,
    employees: float,
    region: str,
    segment: str,
) -> float:
    """The documented formula for one partner, in plain Python."""
    core = model.base_hours + model.hours_per_product * products
    core *= 1.0 + model.technical_factor * (level - 1.0)
    core *= (max(employees, 1.0) / model.reference_size) ** model.size_elasticity
    core *= model.segment_multipliers.get(segment, 1.0)
    return core + model.travel_hours.get(region, 0.0)


@given(
    st.integers(1, 20).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.float64, n, elements=st.integers(0, 12).map(float)),
            hnp.arrays(np.float64, n, elements=st.floats(1.0, 3.0)),
            hnp.arrays(np.float64, n, elements=st.floats(0.0, 5000.0)),
            st.lists(
                st.sampled_from(["NA", "EMEA", "APAC", "LATAM", "", "MARS"]),
                min_size=n,
                max_size=n,
            ),
            st.lists(
                st.sampled_from(["contributor", "long_tail", "other"]), min_size=n, max_size=n
            ),
        )
    ),
    st.floats(0.0, 100.0),
    st.floats(0.0, 0.5),
    st.floats(0.0, 0.3),
)
@settings(max_examples=50)
def test_hours_is_vectorized_like_a_loop(
    data: tuple[Any, ...], base: float, factor: float, elasticity: float
) -> None:
    products, level, employees, region, segment = data
    model = WorkloadModel(
        base_hours=base,
        technical_factor=factor,
        size_elasticity=elasticity,
        segment_multipliers={"contributor": 1.5, "long_tail": 0.5},
        default_region_hours=0.0,  # "MARS" is not in travel_hours (issue #9, class 8)
    )
    cols = {
        "product_lines": products,
        "technical_level": level,
        "employees": employees,
        "region": region,
    }
    whole = model.hours(cols, segment=segment)
    loop = [
        _hours_reference(model, products[i], level[i], employees[i], region[i], segment[i])
        for i in range(products.size)
    ]
    np.testing.assert_allclose(whole, loop, rtol=1e-12)
