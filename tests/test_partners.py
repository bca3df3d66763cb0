"""Tests of Partner, Manager, Portfolio and as_portfolio."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import channelkit as ck
from channelkit.partners import STANDARD_COLUMNS

from .strategies import partner_lists, portfolios


# --------------------------------------------------------------------------- Partner
def test_partner_defaults_and_conversion() -> None:
    p = ck.Partner("acme", revenue=10)
    assert p.revenue == 10.0 and isinstance(p.revenue, float)
    assert p.revenue_prior is None and p.product_share is None and p.region is None
    assert p.metrics == {}
    assert ck.Partner(7).id == "7"  # integer ids become strings


def test_partner_repr_is_valid_python() -> None:
    p = ck.Partner(
        "a", revenue=1.5, revenue_prior=1.0, product_share=0.25, region="NA", metrics={"csat": 8.0}
    )
    assert eval(repr(p), {"Partner": ck.Partner}) == p


def test_partner_is_frozen() -> None:
    p = ck.Partner("a")
    with pytest.raises(AttributeError):
        p.revenue = 3.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"id": ""}, "non-empty"),
        ({"id": None}, "id must be a string"),
        ({"id": "a", "revenue": -1.0}, "partner 'a': revenue"),
        ({"id": "a", "revenue": math.nan}, "revenue is NaN"),
        ({"id": "a", "revenue": math.inf}, "revenue"),
        ({"id": "a", "revenue": "12"}, "revenue must be a number"),
        ({"id": "a", "revenue_prior": -5.0}, "revenue_prior"),
        ({"id": "a", "product_share": 1.5}, r"product_share = 1.5 is outside \[0, 1\]"),
        ({"id": "a", "product_share": -0.1}, "product_share"),
        ({"id": "a", "region": ""}, "region"),
        ({"id": "a", "metrics": {"csat": math.nan}}, "metric 'csat' is NaN"),
        ({"id": "a", "metrics": {"csat": "high"}}, "metric 'csat' must be a number"),
        ({"id": "a", "metrics": {"revenue": 1.0}}, "standard column"),
        ({"id": "a", "metrics": [1, 2]}, "metrics must be a mapping"),
    ],
)
def test_partner_rejects_bad_input(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ck.InvalidInputError, match=match):
        ck.Partner(**kwargs)  # type: ignore[arg-type]


def test_partner_metrics_are_copied() -> None:
    metrics = {"csat": 8}
    p = ck.Partner("a", metrics=metrics)
    metrics["csat"] = 1
    assert p.metrics == {"csat": 8.0}


# --------------------------------------------------------------------------- Manager
def test_manager_defaults() -> None:
    m = ck.Manager("m1")
    assert math.isinf(m.capacity) and m.max_partners is None and m.region is None
    assert eval(repr(ck.Manager("m", 10.0, 3, "NA")), {"Manager": ck.Manager, "inf": math.inf})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"id": "m", "capacity": 0.0}, "manager 'm': capacity = 0.0 must be positive"),
        ({"id": "m", "capacity": math.nan}, "capacity is NaN"),
        ({"id": "m", "max_partners": -1}, "max_partners"),
        ({"id": "m", "max_partners": 2.5}, "max_partners"),
        ({"id": "m", "max_partners": True}, "max_partners"),
        ({"id": " "}, "non-empty"),
    ],
)
def test_manager_rejects_bad_input(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ck.InvalidInputError, match=match):
        ck.Manager(**kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- Portfolio
def test_portfolio_columns_and_defaults() -> None:
    pf = ck.Portfolio(["a", "b"], metrics={"deals": [1, 2]})
    assert pf.columns == [*STANDARD_COLUMNS, "deals"]
    np.testing.assert_array_equal(pf.revenue, [0.0, 0.0])
    assert np.isnan(pf.revenue_prior).all() and np.isnan(pf.product_share).all()
    assert pf.region.tolist() == ["", ""]
    assert pf.column("deals").dtype == np.float64
    assert pf.has_column("deals") and not pf.has_column("csat")


def test_portfolio_arrays_are_read_only_copies() -> None:
    revenue = np.array([1.0, 2.0])
    pf = ck.Portfolio(["a", "b"], revenue=revenue)
    revenue[0] = 99.0
    assert pf.revenue[0] == 1.0
    with pytest.raises(ValueError, match="read-only"):
        pf.revenue[0] = 5.0


def test_column_missing_names_the_column_and_alternatives() -> None:
    pf = ck.Portfolio(["a"], metrics={"csat": [1.0]})
    with pytest.raises(ck.InvalidInputError, match=r"no column 'deals'; available: .*csat"):
        pf.column("deals")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ids": ["a", "a"]}, "'a' appears 2 times"),
        ({"ids": ["a", ""]}, r"ids\[1\] is empty"),
        ({"ids": ["a", None]}, r"ids\[1\] is missing"),
        ({"ids": [1.5, 2.5]}, "not floats|got floats"),
        ({"ids": [["a"]]}, "1-D"),
        ({"ids": ["a", "b"], "revenue": [1.0, -2.0]}, r"revenue of partner 'b' \(position 1\)"),
        ({"ids": ["a", "b"], "revenue": [1.0, math.nan]}, r"revenue\[1\] is NaN"),
        ({"ids": ["a", "b"], "revenue": [1.0]}, r"revenue must have one value per partner"),
        ({"ids": ["a", "b"], "revenue": ["x", "1"]}, r"revenue\[0\] = 'x' is not a number"),
        ({"ids": ["a", "b"], "revenue": [1.0, "2"]}, r"revenue\[1\] = '2' is not a number"),
        (
            {"ids": ["a"], "metrics": {"csat": ["8.5"]}},
            r"metric 'csat'\[0\] = '8.5' is not a number",
        ),
        ({"ids": ["a"], "product_share": [2.0]}, "product_share of partner 'a'"),
        ({"ids": ["a"], "revenue_prior": [-1.0]}, "revenue_prior of partner 'a'"),
        ({"ids": ["a"], "region": [3]}, r"region\[0\] = 3 must be a string"),
        ({"ids": ["a"], "region": np.array([3])}, "region must hold strings or None"),
        ({"ids": ["a", "b"], "region": ["NA", 3]}, r"region\[1\] = 3 must be a string"),
        ({"ids": ["a"], "metrics": {"csat": [math.nan]}}, "metric 'csat' of partner 'a'"),
        ({"ids": ["a"], "metrics": {"csat": [1.0, 2.0]}}, "metric 'csat' must have shape"),
        ({"ids": ["a"], "metrics": {"region": [1.0]}}, "standard column"),
    ],
)
def test_portfolio_rejects_bad_input(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ck.InvalidInputError, match=match):
        ck.Portfolio(**kwargs)  # type: ignore[arg-type]


def test_portfolio_unknown_values_stay_unknown() -> None:
    pf = ck.Portfolio(["a", "b"], revenue_prior=[math.nan, 3.0], region=[None, "NA"])
    a, b = pf.to_partners()
    assert a.revenue_prior is None and a.region is None
    assert b.revenue_prior == 3.0 and b.region == "NA"


def test_subset_by_mask_rows_and_ids() -> None:
    pf = ck.Portfolio(["a", "b", "c"], revenue=[3.0, 1.0, 2.0], metrics={"m": [1, 2, 3]})
    assert pf.subset(pf.revenue >= 2).ids.tolist() == ["a", "c"]
    assert pf.subset([2, 0]).ids.tolist() == ["c", "a"]
    sub = pf.subset(["c", "b"])
    assert sub.ids.tolist() == ["c", "b"]
    assert sub.column("m").tolist() == [3.0, 2.0]
    assert len(pf.subset(np.array([], dtype=str))) == 0
    with pytest.raises(ck.InvalidInputError, match="no partner with id 'z'"):
        pf.subset(["z"])
    with pytest.raises(ck.InvalidInputError, match="boolean mask"):
        pf.subset([True, False])
    with pytest.raises(ck.InvalidInputError, match="row positions"):
        pf.subset([5])


def test_with_columns_adds_and_replaces() -> None:
    pf = ck.Portfolio(["a", "b"], revenue=[1.0, 2.0], region=["NA", None])
    new = pf.with_columns(deals=[3, 4], revenue=[5.0, 6.0])
    assert new.column("deals").tolist() == [3.0, 4.0]
    assert new.revenue.tolist() == [5.0, 6.0]
    assert new.region.tolist() == ["NA", ""]
    assert pf.revenue.tolist() == [1.0, 2.0]  # the original is unchanged
    with pytest.raises(ck.InvalidInputError, match="cannot change ids"):
        pf.with_columns(id=["x", "y"])


def test_from_columns_default_ids_and_length_check() -> None:
    pf = ck.Portfolio.from_columns({"revenue": [1.0, 2.0], "csat": [7, 8]})
    assert pf.ids.tolist() == ["0", "1"] and list(pf.metrics) == ["csat"]
    with pytest.raises(ck.InvalidInputError, match="same length"):
        ck.Portfolio.from_columns({"revenue": [1.0, 2.0], "csat": [7]})


def test_from_partners_requires_same_metrics() -> None:
    with pytest.raises(ck.InvalidInputError, match="partner 'b' has no metric 'csat'"):
        ck.Portfolio.from_partners([ck.Partner("a", metrics={"csat": 1}), ck.Partner("b")])
    with pytest.raises(ck.InvalidInputError, match=r"partners\[1\] must be a Partner"):
        ck.Portfolio.from_partners([ck.Partner("a"), "b"])  # type: ignore[list-item]


def test_equality() -> None:
    a = ck.Portfolio(["x"], revenue=[1.0])
    assert a == ck.Portfolio(["x"], revenue=[1.0])
    assert a != ck.Portfolio(["x"], revenue=[2.0])
    assert a != ck.Portfolio(["y"], revenue=[1.0])
    assert a != ck.Portfolio(["x"], revenue=[1.0], metrics={"m": [0.0]})
    assert a.__eq__("x") is NotImplemented


# --------------------------------------------------------------------------- round trips
@given(partner_lists())
def test_partners_portfolio_round_trip(people: list[ck.Partner]) -> None:
    pf = ck.Portfolio.from_partners(people)
    assert pf.to_partners() == people
    assert ck.Portfolio.from_partners(pf.to_partners()) == pf


@given(portfolios)
def test_frame_round_trip(pf: ck.Portfolio) -> None:
    frame = pf.to_frame()
    assert list(frame.columns) == pf.columns
    assert ck.Portfolio.from_frame(frame) == pf


@given(portfolios)
def test_columns_round_trip(pf: ck.Portfolio) -> None:
    assert ck.Portfolio.from_columns(pf.to_columns()) == pf


def test_from_frame_uses_index_without_id_column_and_rejects_text() -> None:
    frame = pd.DataFrame({"revenue": [1.0, 2.0]}, index=["p", "q"])
    assert ck.Portfolio.from_frame(frame).ids.tolist() == ["p", "q"]
    bad = pd.DataFrame(
        {"id": ["a", "b"], "revenue": [1.0, 2.0], "csat": pd.Series([7, "high"], dtype=object)}
    )
    with pytest.raises(ck.InvalidInputError, match="column 'csat', row 1: 'high' is not a number"):
        ck.Portfolio.from_frame(bad)
    text_number = pd.DataFrame({"id": ["a"], "csat": ["8.5"]})
    with pytest.raises(ck.InvalidInputError, match="column 'csat', row 0: '8.5' is not a number"):
        ck.Portfolio.from_frame(text_number)
    mixed = pd.DataFrame({"id": ["a", "b"], "revenue_prior": pd.Series([7, None], dtype=object)})
    prior = ck.Portfolio.from_frame(mixed).revenue_prior
    assert prior[0] == 7.0
    assert np.isnan(prior[1])
    with pytest.raises(ck.InvalidInputError, match="expected a pandas DataFrame"):
        ck.Portfolio.from_frame({"revenue": [1.0]})  # type: ignore[arg-type]


# --------------------------------------------------------------------------- as_portfolio
def test_as_portfolio_accepts_every_form() -> None:
    pf = ck.Portfolio(["a", "b"], revenue=[1.0, 2.0])
    assert ck.as_portfolio(pf) is pf
    assert ck.as_portfolio(pf.to_frame()) == pf
    assert ck.as_portfolio({"id": ["a", "b"], "revenue": [1.0, 2.0]}) == pf
    assert ck.as_portfolio(pf.to_partners()) == pf
    with pytest.raises(ck.InvalidInputError, match="partners must be a Portfolio"):
        ck.as_portfolio(42)
    with pytest.raises(ck.InvalidInputError, match="history must be"):
        ck.as_portfolio("abc", name="history")


@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=20))
def test_index_of_finds_every_id(revenue: list[float]) -> None:
    ids = [f"p{i}" for i in range(len(revenue))][::-1]
    pf = ck.Portfolio(ids, revenue=revenue)
    assert pf.index_of(ids).tolist() == list(range(len(ids)))


def test_default_ids_and_integer_ids() -> None:
    pf = ck.Portfolio(None, revenue=[1.0, 2.0, 3.0])
    assert len(pf) == 3
    assert pf.ids.tolist() == ["0", "1", "2"]
    assert ck.Portfolio([10, 20]).ids.tolist() == ["10", "20"]
    with pytest.raises(ck.InvalidInputError, match="'10' appears 2 times"):
        ck.Portfolio([10, 10])
    with pytest.raises(ck.InvalidInputError, match="same length"):
        ck.Portfolio(None, revenue=[1.0], metrics={"m": [1.0, 2.0]})


def test_with_columns_checks_length_and_values() -> None:
    pf = ck.Portfolio(["a", "b"])
    with pytest.raises(ck.InvalidInputError, match=r"metric 'deals' must have shape \(2,\)"):
        pf.with_columns(deals=[1.0])
    with pytest.raises(ck.InvalidInputError, match=r"one value per partner, shape \(2,\)"):
        ck.Portfolio(None, revenue=[1.0, 2.0]).with_columns(deals=[1.0])
    with pytest.raises(ck.InvalidInputError, match=r"metric 'csat' of partner 'b' \(position 1\)"):
        pf.with_columns(csat=[1.0, math.nan])
    with pytest.raises(ck.InvalidInputError, match="metric 'deals'"):
        pf.with_columns(deals=[1.0, math.nan])
    with pytest.raises(ck.InvalidInputError, match="revenue"):
        pf.with_columns(revenue=[1.0, -1.0])


def test_subset_rejects_repeated_rows() -> None:
    pf = ck.Portfolio(["a", "b"])
    for selection in ([0, 0], [1, -1], ["a", "a"]):
        with pytest.raises(ck.InvalidInputError, match="a partner is selected twice"):
            pf.subset(selection)
