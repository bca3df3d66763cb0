"""PartnerHistory: long-format readers, lifecycle, the channel at a month, and the example history."""

from __future__ import annotations

import datetime as dt
import gzip
import string
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import channelkit as ck
from channelkit import InvalidInputError, PartnerHistory
from channelkit.datasets import data_path, example_history, example_portfolio

from .strategies import partner_histories


def _frame(**extra: Any) -> pd.DataFrame:
    data = {
        "id": ["a", "a", "a", "b", "b", "c"],
        "period": ["2024-01", "2024-02", "2024-03", "2024-02", "2024-03", "2024-01"],
        "revenue": [10.0, 20.0, 30.0, 0.0, 5.0, 7.0],
        "region": ["EMEA", "EMEA", "EMEA", "NA", "NA", None],
    }
    data.update(extra)
    return pd.DataFrame(data)


# --------------------------------------------------------------------------- hand-checked
def test_from_frame_hand_checked() -> None:
    h = PartnerHistory.from_frame(_frame())
    assert h.ids.tolist() == ["a", "b", "c"]
    assert h.periods.astype(str).tolist() == ["2024-01", "2024-02", "2024-03"]
    assert h.metric("revenue").tolist() == [[10.0, 0.0, 7.0], [20.0, 0.0, 0.0], [30.0, 5.0, 0.0]]
    assert h.attributes["region"].tolist() == ["EMEA", "NA", ""]
    assert h.joined.tolist() == [0, 1, 0]
    assert h.left.tolist() == [-1, -1, 0]  # c's last month is 2024-01; a and b are censored
    assert h.censored.tolist() == [True, True, False]
    assert h.present.sum() == 6
    # At 2024-03 with a 2-month window: a = 20 + 30, b = 0 + 5; c has left.
    pf = h.portfolio(at="2024-03", window=2)
    assert pf.ids.tolist() == ["a", "b"]
    assert pf.revenue.tolist() == [50.0, 5.0]
    assert np.isnan(pf.revenue_prior).all()  # the window before starts before 2024-01
    assert pf.region.tolist() == ["EMEA", "NA"]
    # At 2024-02 with a 1-month window: prior is January; b joined in February (NaN).
    pf = h.portfolio(at=1, window=1)
    assert pf.ids.tolist() == ["a", "b"]
    assert pf.revenue.tolist() == [20.0, 0.0]
    assert pf.revenue_prior[0] == 10.0 and np.isnan(pf.revenue_prior[1])
    assert h.portfolio(at=0, window=1).ids.tolist() == ["a", "c"]


def test_metrics_attributes_and_last() -> None:
    frame = _frame(staff=[1, 2, 3, 4, 5, 6], deals=[1.0, 0.0, 2.0, 1.0, 1.0, 0.0])
    h = PartnerHistory.from_frame(frame)
    assert h.metrics == ["revenue", "staff", "deals"]
    pf = h.portfolio(window=3, last=["staff"])
    assert pf.column("deals").tolist() == [3.0, 2.0]
    assert pf.column("staff").tolist() == [3.0, 5.0]
    with pytest.raises(InvalidInputError, match="no metric 'deal'; did you mean 'deals'"):
        h.metric("deal")


def test_product_share_is_revenue_weighted() -> None:
    frame = pd.DataFrame(
        {
            "id": ["a", "a"],
            "period": ["2024-01", "2024-02"],
            "revenue": [100.0, 300.0],
            "product_share": [1.0, 0.0],
        }
    )
    pf = PartnerHistory.from_frame(frame).portfolio(window=2)
    assert pf.product_share.tolist() == [0.25]


@pytest.mark.parametrize(
    "periods",
    [
        ["2024-01", "2024-02", "2024-03", "2024-02", "2024-03", "2024-01"],
        ["2024-01-31", "2024-02-29", "2024-03-01", "2024-02-01", "2024-03-15", "2024-01-01"],
        [dt.date(2024, m, 1) for m in (1, 2, 3, 2, 3, 1)],
        pd.to_datetime(
            ["2024-01-05", "2024-02-05", "2024-03-05", "2024-02-05", "2024-03-05", "2024-01-05"]
        ),
        pd.PeriodIndex(
            ["2024-01", "2024-02", "2024-03", "2024-02", "2024-03", "2024-01"], freq="M"
        ),
        [pd.Period(f"2024-0{m}", "M") for m in (1, 2, 3, 2, 3, 1)],
        np.array(
            ["2024-01", "2024-02", "2024-03", "2024-02", "2024-03", "2024-01"],
            dtype="datetime64[M]",
        ),
    ],
)
def test_period_formats(periods: Any) -> None:
    expected = PartnerHistory.from_frame(_frame())
    assert PartnerHistory.from_frame(_frame(period=periods)) == expected


def test_column_mapping_and_keywords() -> None:
    frame = _frame().rename(
        columns={"id": "Partner ID", "period": "Month", "revenue": "Net Sales"}
    )
    h = PartnerHistory.from_frame(
        frame, id="Partner ID", period="Month", columns={"revenue": "Net Sales"}
    )
    assert h == PartnerHistory.from_frame(_frame())
    h2 = PartnerHistory.from_frame(
        frame, columns={"id": "Partner ID", "period": "Month", "revenue": "Net Sales"}
    )
    assert h2 == h


def test_duplicates_sum() -> None:
    frame = pd.concat([_frame(), _frame().iloc[[0]]], ignore_index=True)
    h = PartnerHistory.from_frame(frame, duplicates="sum")
    assert h.metric("revenue")[0, 0] == 20.0


def test_explicit_lifecycle() -> None:
    frame = _frame(
        joined=["2023-06"] * 3 + ["2024-02"] * 2 + ["2024-01"],
        left=[None] * 3 + [None, None] + ["2024-01"],
    )
    h = PartnerHistory.from_frame(frame, joined="joined", left="left")
    assert h.joined.tolist() == [-1, 1, 0]
    assert h.joined_periods.astype(str).tolist() == ["2023-06", "2024-02", "2024-01"]
    assert h.left.tolist() == [-1, -1, 0]
    assert h.censored.tolist() == [True, True, False]
    back = PartnerHistory.from_frame(h.to_frame(), joined="joined", left="left")
    assert back == h


def test_missing_months_zero_counts_as_active() -> None:
    frame = _frame().drop(index=1)  # a has no 2024-02 row
    h = PartnerHistory.from_frame(frame)
    assert h.metric("revenue")[1, 0] == 0.0
    assert not h.present[1, 0]
    assert h.active()[1, 0]
    assert h.portfolio(at="2024-02", window=1).ids.tolist() == ["a", "b"]


def test_constructor_matches_reader() -> None:
    h = PartnerHistory(
        ["c", "a", "b"],
        "2024-01",
        {"revenue": [[7.0, 10.0, 0.0], [0.0, 20.0, 0.0], [0.0, 30.0, 5.0]]},
        present=[[True, True, False], [False, True, True], [False, True, True]],
        attributes={"region": [None, "EMEA", "NA"]},
    )
    assert h == PartnerHistory.from_frame(_frame())


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("change", "kwargs", "match"),
    [
        (
            lambda f: pd.concat([f, f.iloc[[4]]]),
            {},
            r"partner 'b' has more than one row for 2024-03 \(row 4 and row 6",
        ),
        (
            lambda f: f.assign(period=["2024-01", "Jan 2024", *f.period[2:]]),
            {},
            r"period, row 1: 'Jan 2024' is not a month",
        ),
        (
            lambda f: f.assign(period=["2024-01", "2024-13", *f.period[2:]]),
            {},
            r"row 1: '2024-13' has no month 13",
        ),
        (
            lambda f: f.assign(period=["2024Q1", *f.period[1:]]),
            {},
            r"row 0: '2024Q1' is a quarter or week",
        ),
        (
            lambda f: f.assign(period=pd.PeriodIndex(["2024Q1"] * 6, freq="Q")),
            {},
            r"frequency .*expected monthly",
        ),
        (
            lambda f: f.assign(
                period=[pd.Period("2024-01-05", "D"), *[pd.Period(p, "M") for p in f.period[1:]]]
            ),
            {},
            r"row 0: .*frequency 'D'; expected monthly",
        ),
        (lambda f: f.assign(period=[202401, *f.period[1:]]), {}, r"row 0: 202401 is a number"),
        (
            lambda f: f.assign(revenue=[10.0, 20.0, -3.0, 0.0, 5.0, 7.0]),
            {},
            r"row 2 \(partner 'a', 2024-03\): revenue = -3.0 is negative",
        ),
        (
            lambda f: f.assign(revenue=[10.0, np.nan, 3.0, 0.0, 5.0, 7.0]),
            {},
            r"row 1 \(partner 'a', 2024-02\): revenue = nan",
        ),
        (
            lambda f: f.assign(revenue=[10.0, "x", 3.0, 0.0, 5.0, 7.0]),
            {},
            r"row 1: column 'revenue' \(revenue\) holds 'x'; expected a number",
        ),
        (
            lambda f: f.drop(index=1),
            {"missing": "error"},
            r"partner 'a' has no row for 2024-02 inside its active span 2024-01 to 2024-03",
        ),
        (
            lambda f: f,
            {"columns": {"revenue": "Revenu"}},
            r"maps 'revenue' to 'Revenu', which is not a column; did you mean 'revenue'\?.*'id', 'period'",
        ),
        (
            lambda f: f.assign(Net=1.0),
            {"columns": {"revenue": "Net"}},
            r"two sources for 'revenue': the column 'revenue' and 'Net'",
        ),
        (
            lambda f: f.assign(pid=f["id"]),
            {"id": "pid", "columns": {"id": "region"}},
            r"two sources for 'id': 'pid' \(the id= argument\) and 'region'",
        ),
        (lambda f: f, {"period": "month"}, r"period='month' is not a column.*'period'"),
        (
            lambda f: f.assign(region=["EMEA", "NA", *f.region[2:]]),
            {},
            r"attribute 'region' of partner 'a' changes between its rows \('EMEA', 'NA'\)",
        ),
        (lambda f: f.assign(id=[None, *f.id[1:]]), {}, r"partner id, row 0: is missing"),
        (
            lambda f: f,
            {"missing": "maybe"},
            r"missing must be one of 'zero', 'error', got 'maybe'",
        ),
        (lambda f: f, {"duplicates": "first"}, r"duplicates must be one of"),
        (
            lambda f: f.assign(joined="2024-01"),
            {},
            r"the column 'joined' looks like lifecycle data; pass joined='joined'",
        ),
        (
            lambda f: f.assign(left=["2024-02"] * 3 + [None] * 3),
            {"left": "left"},
            r"partner 'a' has a row in 2024-03, after it left in 2024-02",
        ),
        (lambda f: f.assign(period=["1024-01", *f.period[1:]]), {}, r"a typo in a year"),
    ],
)
def test_bad_frames(change: Any, kwargs: dict[str, Any], match: str) -> None:
    frame = (
        change(_frame()).reset_index(drop=True)
        if kwargs.get("missing") != "error"
        else change(_frame())
    )
    with pytest.raises(InvalidInputError, match=match):
        PartnerHistory.from_frame(frame, **kwargs)


def test_dates_in_one_month_are_duplicates_with_a_hint() -> None:
    frame = _frame(
        period=["2024-01-01", "2024-01-15", "2024-03-01", "2024-02-01", "2024-03-01", "2024-01-01"]
    )
    with pytest.raises(InvalidInputError, match="two dates in one month are one period"):
        PartnerHistory.from_frame(frame)


def test_bad_csv(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("id,period,revenue\na,2024-01,1\na,2024-01,2\n", encoding="utf-8")
    with pytest.raises(
        InvalidInputError,
        match=r"h.csv: partner 'a' has more than one row for 2024-01 \(line 2 and line 3",
    ):
        PartnerHistory.from_csv(path)
    path.write_text("id,period,revenue\na,2024-01,1\na,2024/02,2\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"period, line 3: '2024/02' is not a month"):
        PartnerHistory.from_csv(path)
    path.write_text("id,period,revenue\na,2024-01,1\na,2024-02,-2\n", encoding="utf-8")
    with pytest.raises(
        InvalidInputError, match=r"line 3 \(partner 'a', 2024-02\): revenue = -2.0 is negative"
    ):
        PartnerHistory.from_csv(path)
    path.write_text("id,period,revenue\na,2024-01,1\na,2024-02,lots\n", encoding="utf-8")
    with pytest.raises(
        InvalidInputError, match=r"line 3: column 'revenue' \(revenue\) holds 'lots'"
    ):
        PartnerHistory.from_csv(path)
    path.write_text("id,period,revenue\na,2024-01,1\na,2024-02,inf\n", encoding="utf-8")
    with pytest.raises(
        InvalidInputError, match=r"line 3: column 'revenue' \(revenue\) holds 'inf'"
    ):
        PartnerHistory.from_csv(path)
    path.write_text("id,period,Revenue FY\na,2024-01,1\na,2024-03,2\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"did you mean 'Revenue FY'\?"):
        PartnerHistory.from_csv(path, columns={"revenue": "revenue fy25"})
    with pytest.raises(InvalidInputError, match=r"partner 'a' has no row for 2024-02"):
        PartnerHistory.from_csv(path, columns={"revenue": "Revenue FY"}, missing="error")
    path.write_text("id,period,revenue\na,2024-01,1\n,2024-02,2\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"line 3: the partner id is missing"):
        PartnerHistory.from_csv(path)
    with pytest.raises(InvalidInputError, match="no such file"):
        PartnerHistory.from_csv(tmp_path / "nope.csv")


def test_at_and_window_checked() -> None:
    h = PartnerHistory.from_frame(_frame())
    with pytest.raises(InvalidInputError, match="at = 2025-01 is outside the history"):
        h.portfolio(at="2025-01")
    with pytest.raises(InvalidInputError, match="at = 3 is outside"):
        h.portfolio(at=3)
    with pytest.raises(InvalidInputError, match="window must be a whole number"):
        h.portfolio(window=0)


# --------------------------------------------------------------------------- properties
def histories() -> st.SearchStrategy[PartnerHistory]:
    return partner_histories()


@given(histories(), st.data())
@settings(max_examples=60, deadline=None)
def test_portfolio_equals_slow_reference(h: PartnerHistory, data: st.DataObject) -> None:
    t = data.draw(st.integers(0, h.n_periods - 1))
    w = data.draw(st.integers(1, 15))
    pf = h.portfolio(at=t, window=w)
    frame = h.to_frame()
    months = h.periods.astype(str).tolist()
    expected: dict[str, float] = {}
    for pid, period, revenue in zip(frame["id"], frame["period"].astype(str), frame["revenue"]):
        k = months.index(period)
        first, last = h.joined[h.ids.tolist().index(pid)], h.left[h.ids.tolist().index(pid)]
        if first <= t and (last == -1 or last >= t):
            expected.setdefault(pid, 0.0)
            if t - w < k <= t:
                expected[pid] += revenue
    assert pf.ids.tolist() == sorted(expected)
    assert pf.revenue.tolist() == [expected[p] for p in pf.ids.tolist()]


@given(histories())
@settings(max_examples=60, deadline=None)
def test_lifecycle_properties(h: PartnerHistory) -> None:
    left = h.left
    assert ((h.joined <= left) | (left == -1)).all()
    assert (h.censored == h.present[-1]).all()  # derived lifecycle: censored iff a row at the end
    assert (h.censored == (left == -1)).all()
    assert (h.present.argmax(axis=0) == h.joined).all()
    active = h.active()
    assert (active | ~h.present).all()  # every row lies in the active span


@given(histories())
@settings(max_examples=40, deadline=None)
def test_frame_and_csv_round_trips(h: PartnerHistory) -> None:
    assert PartnerHistory.from_frame(h.to_frame()) == h


texts = st.text(
    alphabet=st.one_of(
        st.characters(categories=("Lu", "Ll", "Nd", "Lo"), max_codepoint=0x4FF),
        st.sampled_from(list(" ,\"'\n\r;é€中")),
    ),
    max_size=8,
)


@given(st.lists(texts, min_size=1, max_size=5), st.data())
@settings(max_examples=50, deadline=None)
def test_text_attributes_survive_round_trips(names: list[str], data: st.DataObject) -> None:
    n = len(names)
    h = PartnerHistory(
        [f'id {i}, "x"' for i in range(n)],
        "2024-01",
        {"revenue": np.arange(2 * n, dtype=float).reshape(2, n) / 3},
        attributes={"owner": names, "tier": data.draw(st.lists(texts, min_size=n, max_size=n))},
    )
    assert PartnerHistory.from_frame(h.to_frame()) == h
    tmp = Path(data.draw(st.sampled_from(["h.csv", "h.csv.gz"])))
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / tmp
        h.to_csv(path)
        back = PartnerHistory.from_csv(path)
    # A text attribute made only of digits reads back as a metric from CSV: compare the text.
    for name in ("owner", "tier"):
        if name in back.attributes:
            assert back.attributes[name].tolist() == h.attributes[name].tolist()
    assert np.array_equal(back.metric("revenue"), h.metric("revenue"))
    assert back.ids.tolist() == h.ids.tolist()


# --------------------------------------------------------------------------- example history
def test_generator_reproduces_the_shipped_file(tmp_path: Path) -> None:
    from channelkit.datasets._generate_history import write_example_history

    path = write_example_history(tmp_path)
    shipped = data_path("example_history.csv.gz")
    assert gzip.decompress(path.read_bytes()) == gzip.decompress(shipped.read_bytes())


def test_example_history_agrees_with_the_example_portfolio() -> None:
    h = example_history()
    ex = example_portfolio()
    assert h.n_periods == 36
    assert h.periods[0] == np.datetime64("2023-01") and h.periods[-1] == np.datetime64("2025-12")
    pf = h.portfolio()
    sub = pf.subset(ex.ids)
    assert np.allclose(sub.revenue, ex.revenue, rtol=0, atol=1e-6)
    assert (np.round(sub.revenue, 2) == ex.revenue).all()
    # Every other partner active at the end has not sold in the last 12 months.
    others = np.setdiff1d(pf.ids, ex.ids)
    assert (pf.subset(others).revenue == 0).all()
    # Prior-year revenue agrees for the partners active through 2024 (the starting cohort).
    cohort = np.isin(ex.ids, h.ids[h.joined == -1])
    assert np.allclose(sub.revenue_prior[cohort], ex.revenue_prior[cohort], rtol=0, atol=1e-6)
    assert np.isnan(sub.revenue_prior[np.isnan(ex.revenue_prior)]).all()


def test_example_history_has_the_documented_features() -> None:
    from channelkit.datasets import _generate_history as gen

    h = example_history()
    rev = h.metric("revenue")
    assert set(h.attributes) == {"region", "segment"}
    assert set(h.attributes["segment"].tolist()) == {"micro", "SMB", "large"}
    left = h.left
    assert (left >= 0).sum() > 100  # partners that left, with their month
    recruits = h.joined >= 1
    assert recruits.sum() > 100
    sold = (rev > 0).any(axis=0)
    never = recruits & ~sold
    assert never.sum() > 5  # recruits that never sold
    # Recruits sell nothing before their first sale, then ramp: the first month is below mature.
    first_sale = np.where(sold, (rev > 0).argmax(axis=0), -1)
    delay = first_sale[recruits & sold] - h.joined[recruits & sold]
    assert (delay >= 0).all() and 1.5 < delay.mean() < 4.5
    # Seasonality: December is the strongest month in every year.
    monthly = rev.sum(axis=1).reshape(3, 12)
    assert (monthly.argmax(axis=1) == 11).all()
    # Attrition: roughly 12 % a year among the starting cohort (exits / exposure).
    cohort = h.joined == -1
    months_active = np.where(left == -1, 36, left + 1)[cohort]
    exits = (left[cohort] >= 0).sum()
    rate = 1 - (1 - exits / months_active.sum()) ** 12
    assert abs(rate - gen.ANNUAL_ATTRITION) < 0.04
    assert abs(np.mean(gen.SEASONALITY) - 1.0) < 1e-12


def test_to_frame_is_long_and_protocol() -> None:
    h = example_history()
    frame = h.to_frame()
    assert len(frame) == int(h.present.sum())
    assert list(frame.columns) == [
        "id",
        "period",
        "revenue",
        "region",
        "segment",
        "joined",
        "left",
    ]
    text = repr(h)
    assert text.startswith("PartnerHistory(") and len(text) < 200 and "\n" not in text
    summary = h.summary()
    assert "Joined during the history" in summary and "2025-Q4" in summary


def test_exported() -> None:
    assert ck.PartnerHistory is PartnerHistory
    assert "PartnerHistory" in ck.__all__
    assert set(string.ascii_letters)  # keep the import used


def test_progress_accepts_a_history() -> None:
    program = ck.Program(
        [
            ck.Tier("Silver", requirements={"revenue": 15.0}),
            ck.Tier("Gold", requirements={"revenue": 25.0}),
        ]
    )
    h = PartnerHistory.from_frame(_frame())
    result = ck.progress(program, h)
    assert result.ids.tolist() == ["a", "b", "c"]
    # a: 10, 20, 30 -> none, Silver, Gold; b: 0, 0, 5 -> none; c: 7, then no rows (0) -> none
    assert result.tiers.tolist() == [[-1, -1, -1], [0, -1, -1], [1, -1, -1]]
    same = ck.progress(program, {"revenue": h.metric("revenue")}, ids=h.ids)
    assert np.array_equal(same.tiers, result.tiers)


def test_demo_has_the_channel_over_three_years() -> None:
    from channelkit.cli import DEMO_SECTIONS

    sections = dict(DEMO_SECTIONS)
    text = sections["The channel over three years"]()
    assert "Partner history: 738 partners, 36 months (2023-01 to 2025-12)" in text
    assert "2025-Q4" in text and "Left during the history" in text
