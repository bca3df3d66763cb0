"""Issue #9, classes 2, 3 and 8: no silent coercion, text that survives, no silent defaults.

* class 2: complex, datetime64 and timedelta64 arrays (and object columns
  holding them), booleans and integers too large for float64/int64 raise
  InvalidInputError wherever numbers are read; a float DataFrame index is
  not turned into ids;
* class 3: ids and names keep every character a file can keep (a NUL is
  rejected, a carriage return is quoted), and writers name the path on
  failure;
* class 8: a CSV header or column named like a standard column apart from
  case and separators is rejected with a "did you mean" message.
"""

from __future__ import annotations

import csv
import datetime
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import channelkit as ck
from channelkit import io as ckio
from channelkit._validation import as_float_array, as_int_array, did_you_mean, is_number

from .strategies import NON_NUMERIC_DTYPES, control_texts

# --------------------------------------------------------------------------- class 2: dtypes
NOT_NUMBERS: dict[str, Callable[[], Any]] = {
    "complex array": lambda: np.array([1 + 2j, 3.0]),
    "complex list": lambda: [1 + 2j, 3],
    "datetime64 array": lambda: np.array(["2020-01-01", "2021-01-01"], dtype="datetime64[D]"),
    "timedelta64 array": lambda: np.array([1, 2], dtype="timedelta64[D]"),
    "bool array": lambda: np.array([True, False]),
    "bool list": lambda: [True, 2.0],
    "object complex": lambda: np.array([1 + 2j, 3.0], dtype=object),
    "object datetime64": lambda: np.array([np.datetime64("2020-01-01"), 3.0], dtype=object),
    "object timedelta64": lambda: np.array([np.timedelta64(1, "D"), 3.0], dtype=object),
    "object datetime": lambda: np.array([datetime.datetime(2020, 1, 1), 3.0], dtype=object),
    "object timedelta": lambda: np.array([datetime.timedelta(days=1), 3.0], dtype=object),
    "object bool": lambda: np.array([np.True_, 3.0], dtype=object),
    "huge int": lambda: [10**400, 1],
}

#: Public entry points that read an array of numbers, each given the bad values.
READERS: dict[str, Callable[[Any], Any]] = {
    "gini": ck.gini,
    "hhi": ck.hhi,
    "top_share": lambda v: ck.top_share(v, 0.5),
    "lorenz_curve": ck.lorenz_curve,
    "pareto_segments": ck.pareto_segments,
    "assign": lambda v: ck.assign(v, 2),
    "break_even_revenue": ck.break_even_revenue,
    "Portfolio revenue": lambda v: ck.Portfolio(["a", "b"], revenue=v),
    "Portfolio metric": lambda v: ck.Portfolio(["a", "b"], metrics={"deals": v}),
    "Portfolio.from_columns": lambda v: ck.Portfolio.from_columns({"revenue": v}),
    "as_float_array": lambda v: as_float_array(v, "values"),
}


@pytest.mark.parametrize("reader", list(READERS), ids=list(READERS))
@pytest.mark.parametrize("kind", list(NOT_NUMBERS), ids=list(NOT_NUMBERS))
def test_non_numbers_are_rejected_everywhere(reader: str, kind: str) -> None:
    with pytest.raises(ck.InvalidInputError):
        READERS[reader](NOT_NUMBERS[kind]())


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ([1 + 2j, 3], "complex"),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), "dates"),
        (np.array([5], dtype="timedelta64[s]"), "durations"),
        (np.array([True]), "booleans"),
        ([1.0, True], r"values\[1\] = True is a boolean"),
        ([2.0, 10**400], r"values\[1\] = 1000.*too large"),
    ],
)
def test_messages_name_the_argument_and_the_kind(values: Any, match: str) -> None:
    with pytest.raises(ck.InvalidInputError, match=match):
        as_float_array(values, "values")


def test_gini_of_complex_is_an_error_not_a_number() -> None:
    # issue example: gini([1+2j, 3]) returned 0.25
    with pytest.raises(ck.InvalidInputError, match="complex"):
        ck.gini([1 + 2j, 3])


def test_assign_of_dates_is_an_error() -> None:
    # issue example: a value in days since 1970
    with pytest.raises(ck.InvalidInputError, match="dates"):
        ck.assign(np.array(["2020-01-01", "2020-02-01", "2020-03-01"], dtype="datetime64[D]"), 2)


_dtypes = st.sampled_from(NON_NUMERIC_DTYPES)


@given(dtype=_dtypes, n=st.integers(1, 20), as_object=st.booleans())
@settings(max_examples=60, deadline=None)
def test_property_non_numeric_dtypes_never_become_numbers(
    dtype: str, n: int, as_object: bool
) -> None:
    arr = np.zeros(n, dtype=dtype)
    if as_object:
        arr = np.array(list(arr), dtype=object)  # numpy scalars (astype would give ints)
        if dtype == "bool":
            arr[0] = True  # object arrays of numpy bools
    with pytest.raises(ck.InvalidInputError):
        as_float_array(arr, "x")
    with pytest.raises(ck.InvalidInputError):
        ck.Portfolio(None, revenue=arr)


@given(
    values=st.lists(
        st.one_of(
            st.floats(allow_nan=False, allow_infinity=False, min_value=0, max_value=1e300),
            st.integers(0, 2**62),
        ),
        min_size=1,
        max_size=20,
    )
)
@settings(max_examples=60, deadline=None)
def test_property_real_numbers_pass_unchanged(values: list[float]) -> None:
    out = as_float_array(values, "x")
    assert out.tolist() == [float(v) for v in values]


@given(big=st.one_of(st.integers(2**1024, 2**1100), st.integers(-(2**1100), -(2**1024))))
@settings(max_examples=30, deadline=None)
def test_property_ints_beyond_float64_are_input_errors(big: int) -> None:
    with pytest.raises(ck.InvalidInputError, match="too large"):
        as_float_array([1.0, big], "x")
    with pytest.raises(ck.InvalidInputError, match="too large"):
        ck.Manager("m", capacity=big)
    with pytest.raises(ck.InvalidInputError, match="too large"):
        ck.Partner("p", revenue=abs(big))


@given(big=st.one_of(st.integers(2**63, 2**200), st.integers(-(2**200), -(2**63) - 1)))
@settings(max_examples=30, deadline=None)
def test_property_ints_beyond_int64_are_input_errors(big: int) -> None:
    with pytest.raises(ck.InvalidInputError, match="too large"):
        as_int_array([1, big], "x")
    with pytest.raises(ck.InvalidInputError):
        ck.Manager("m", max_partners=big)
    with pytest.raises(ck.InvalidInputError):
        ck.ProgressionPolicy(review_every=big)


def test_issue_examples_of_huge_integers() -> None:
    with pytest.raises(ck.InvalidInputError, match="too large"):
        ck.Manager("m", max_partners=2**70)
    with pytest.raises(ck.InvalidInputError, match="too large"):
        ck.Portfolio(["a"], revenue=[10**400])


def test_huge_max_partners_in_a_managers_file(tmp_path: Path) -> None:
    path = tmp_path / "managers.csv"
    path.write_text("id,capacity,max_partners\nm1,100,1e30\n", encoding="utf-8")
    with pytest.raises(ck.InvalidInputError, match=r"row 2, column 'max_partners'.*too large"):
        ckio.read_managers_csv(path)


def test_is_number_is_the_one_rule() -> None:
    assert is_number(1) and is_number(1.5) and is_number(np.float32(2)) and is_number(np.int8(3))
    for v in (True, np.True_, 1j, np.timedelta64(1), np.datetime64("2020"), "1", None):
        assert not is_number(v)


# --------------------------------------------------------------------------- booleans as ids
@pytest.mark.parametrize(
    "ids",
    [[True, False], np.array([True, False]), ["a", True], np.array(["a", np.True_], dtype=object)],
)
def test_booleans_are_not_ids(ids: Any) -> None:
    with pytest.raises(ck.InvalidInputError, match="ids"):
        ck.Portfolio(ids, revenue=[1.0, 2.0])
    with pytest.raises(ck.InvalidInputError, match="id must be a string"):
        ck.Partner(True)  # type: ignore[arg-type]


def test_booleans_are_not_revenue_in_portfolio_as_in_partner() -> None:
    with pytest.raises(ck.InvalidInputError, match="must be a number"):
        ck.Partner("a", revenue=True)
    with pytest.raises(ck.InvalidInputError, match="boolean"):
        ck.Portfolio(["a", "b"], revenue=[True, False])
    with pytest.raises(ck.InvalidInputError, match="boolean"):
        ck.Portfolio(["a", "b"], revenue=[1.0, True])


@pytest.mark.parametrize(
    "ids",
    [
        np.array([1 + 0j, 2 + 0j]),
        np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]"),
        np.array([1.0, 2.0]),
        np.array([1.5, 2.0], dtype=object),
    ],
)
def test_ids_are_strings_or_integers(ids: Any) -> None:
    with pytest.raises(ck.InvalidInputError, match="ids"):
        ck.Portfolio(ids)


# --------------------------------------------------------------------------- pandas
pd = pytest.importorskip("pandas")


def test_float_index_does_not_become_ids() -> None:
    frame = pd.DataFrame({"revenue": [1.0, 2.0]}, index=[1.5, 2.5])
    with pytest.raises(ck.InvalidInputError, match="index holds float64"):
        ck.as_portfolio(frame)
    # an integer or text index, or an id column, is fine
    assert ck.as_portfolio(frame.reset_index(drop=True)).ids.tolist() == ["0", "1"]
    frame.index = ["a", "b"]
    assert ck.as_portfolio(frame).ids.tolist() == ["a", "b"]


@pytest.mark.parametrize(
    "column",
    [
        [True, False],
        [1 + 1j, 2],
        pd.to_datetime(["2020-01-01", "2020-01-02"]),
        pd.to_timedelta([1, 2], unit="D"),
        np.array([np.timedelta64(1, "D"), 2.0], dtype=object),
        np.array([datetime.date(2020, 1, 1), 2.0], dtype=object),
    ],
    ids=["bool", "complex", "datetime", "timedelta", "object timedelta64", "object date"],
)
@pytest.mark.parametrize("name", ["revenue", "deals"])
def test_frame_columns_of_non_numbers_are_rejected(column: Any, name: str) -> None:
    frame = pd.DataFrame({"id": ["a", "b"], name: column})
    with pytest.raises(ck.InvalidInputError, match=name):
        ck.as_portfolio(frame)


def test_frame_header_near_a_standard_column_is_rejected() -> None:
    frame = pd.DataFrame({"id": ["a"], "Revenue": [5.0]})
    with pytest.raises(ck.InvalidInputError, match="did you mean 'revenue'"):
        ck.as_portfolio(frame)


# --------------------------------------------------------------------------- class 3: text
def test_trailing_nul_is_rejected_not_dropped() -> None:
    # issue example: "a\x00" became "a"
    for ids in (["a\x00", "b"], np.array(["a\x00", "b"], dtype=object), ["a\x00b", "c"]):
        with pytest.raises(ck.InvalidInputError, match="NUL"):
            ck.Portfolio(ids)
    with pytest.raises(ck.InvalidInputError, match="NUL"):
        ck.Partner("a\x00")
    with pytest.raises(ck.InvalidInputError, match="NUL"):
        ck.Manager("m\x00")
    with pytest.raises(ck.InvalidInputError, match="NUL"):
        ck.Portfolio(["a"], region=["EM\x00EA"])
    with pytest.raises(ck.InvalidInputError, match="NUL"):
        ck.Portfolio(["a"], metrics={"de\x00als": [1.0]})
    with pytest.raises(ck.InvalidInputError, match="NUL"):
        ck.Portfolio(np.array(["a\x00b", "c"]))


def test_reader_rejects_nul_naming_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,revenue\na,1\nb\x00,2\n", encoding="utf-8")
    with pytest.raises(ck.InvalidInputError, match=r"row 3, column 'id'.*NUL"):
        ck.Portfolio.from_csv(path)


@given(
    ids=st.lists(control_texts(), min_size=1, max_size=6, unique=True),
    region=control_texts(),
    metric=control_texts().filter(lambda s: did_you_mean(s, ck.partners.STANDARD_COLUMNS) is None),
)
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_property_portfolio_csv_round_trips_control_characters(
    tmp_path: Path, ids: list[str], region: str, metric: str
) -> None:
    n = len(ids)
    pf = ck.Portfolio(
        ids, revenue=np.arange(n, dtype=float), region=[region] * n, metrics={metric: [1.0] * n}
    )
    path = tmp_path / "p.csv"
    ckio.write_portfolio_csv(pf, path)
    assert ckio.read_portfolio_csv(path) == pf


@given(ids=st.lists(control_texts(), min_size=1, max_size=5, unique=True), region=control_texts())
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_property_managers_and_assignment_csv_round_trip(
    tmp_path: Path, ids: list[str], region: str
) -> None:
    team = [ck.Manager(m, capacity=10.0, max_partners=3, region=region) for m in ids]
    path = tmp_path / "m.csv"
    ckio.write_managers_csv(team, path)
    assert ckio.read_managers_csv(path) == team
    mapping: dict[str, str | None] = {f"p{m}": m for m in ids}
    apath = tmp_path / "a.csv"
    ckio.write_assignment_csv(mapping, apath)
    assert ckio.read_assignment_csv(apath) == mapping


def test_bare_carriage_return_is_quoted(tmp_path: Path) -> None:
    # issue example: "a\rb" was written bare, and read back as two rows
    pf = ck.Portfolio(["a\rb", "c"], revenue=[1.0, 2.0], region=["N\rA", None])
    path = tmp_path / "p.csv"
    pf.to_csv(path)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][0] == "a\rb" and len(rows) == 3
    assert ck.Portfolio.from_csv(path) == pf
    # without a carriage return the file keeps minimal quoting
    ck.Portfolio(["a", "c"], revenue=[1.0, 2.0]).to_csv(path)
    assert path.read_text(encoding="utf-8").splitlines()[1] == "a,1.0,,,"


# --------------------------------------------------------------------------- writers name the path
WRITERS: dict[str, Callable[[Path], None]] = {
    "portfolio": lambda p: ckio.write_portfolio_csv(ck.Portfolio(["a"]), p),
    "managers": lambda p: ckio.write_managers_csv([ck.Manager("m")], p),
    "assignment": lambda p: ckio.write_assignment_csv({"a": "m"}, p),
    "program": lambda p: ckio.write_program(ck.Program([ck.Tier("Member")]), p, "toml"),
}


@pytest.mark.parametrize("writer", list(WRITERS))
def test_writers_name_the_path_when_it_cannot_be_written(tmp_path: Path, writer: str) -> None:
    target = tmp_path / "no such folder" / "out.csv"
    with pytest.raises(ck.ChannelkitError, match="no such folder"):
        WRITERS[writer](target)
    with pytest.raises(ck.ChannelkitError, match="cannot write"):
        WRITERS[writer](tmp_path)  # a folder, not a file


SURROGATE = "a\udc80"
SURROGATE_WRITERS: dict[str, Callable[[Path], None]] = {
    "portfolio id": lambda p: ckio.write_portfolio_csv(ck.Portfolio([SURROGATE]), p),
    "portfolio region": lambda p: ck.Portfolio(["a"], region=[SURROGATE]).to_csv(p),
    "metric name": lambda p: ck.Portfolio(["a"], metrics={SURROGATE: [1.0]}).to_csv(p),
    "manager": lambda p: ckio.write_managers_csv([ck.Manager(SURROGATE)], p),
    "assignment": lambda p: ckio.write_assignment_csv({SURROGATE: "m"}, p),
    "program": lambda p: ckio.write_program(ck.Program([ck.Tier(SURROGATE)]), p, "toml"),
}


@pytest.mark.parametrize("writer", list(SURROGATE_WRITERS))
def test_writers_wrap_encoding_errors(tmp_path: Path, writer: str) -> None:
    path = tmp_path / "out.txt"
    with pytest.raises(ck.ChannelkitError, match=r"out\.txt.*UTF-8"):
        SURROGATE_WRITERS[writer](path)
    assert not path.exists()  # no half-written file left behind


# --------------------------------------------------------------------------- class 8: headers
@pytest.mark.parametrize(
    ("header", "standard"),
    [
        ("Revenue", "revenue"),
        ("REVENUE", "revenue"),
        ("revenue-prior", "revenue_prior"),
        ("Revenue Prior", "revenue_prior"),
        ("productShare", "product_share"),
        ("Region", "region"),
    ],
)
def test_csv_header_near_a_standard_column_says_did_you_mean(
    tmp_path: Path, header: str, standard: str
) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f"id,{header}\na,5\n", encoding="utf-8")
    with pytest.raises(
        ck.InvalidInputError, match=rf"column '{header}'.*did you mean '{standard}'\?"
    ):
        ckio.read_portfolio_csv(path)


def test_id_header_in_capitals_says_did_you_mean(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("ID,revenue\na,5\n", encoding="utf-8")
    with pytest.raises(ck.InvalidInputError, match="did you mean 'id'"):
        ckio.read_portfolio_csv(path)
    path.write_text("id,Capacity\nm,5\n", encoding="utf-8")
    with pytest.raises(ck.InvalidInputError, match="did you mean 'capacity'"):
        ckio.read_managers_csv(path)
    path.write_text("Partner,manager\na,m\n", encoding="utf-8")
    with pytest.raises(ck.InvalidInputError, match="did you mean 'partner'"):
        ckio.read_assignment_csv(path)


@given(
    standard=st.sampled_from(["revenue", "revenue_prior", "product_share", "region"]),
    data=st.data(),
)
@settings(max_examples=60, deadline=None)
def test_property_case_and_separator_variants_are_never_metrics(
    standard: str, data: st.DataObject
) -> None:
    chars = [
        data.draw(st.sampled_from([c, c.upper()])) + data.draw(st.sampled_from(["", "-", " "]))
        for c in standard.replace("_", "")
    ]
    name = "".join(chars).strip(" -")
    if name == standard:
        return
    with pytest.raises(ck.InvalidInputError, match="did you mean"):
        ck.Portfolio(["a"], metrics={name: [1.0]})


def test_metrics_with_other_names_still_pass() -> None:
    pf = ck.Portfolio(["a"], metrics={"revenue_growth": [1.0], "Deals": [2.0]})
    assert list(pf.metrics) == ["revenue_growth", "Deals"]
    assert math.isclose(pf.column("Deals")[0], 2.0)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"current": [0, 1e20]}, r"current\[1\] = 1e\+20 "),
        ({"max_partners": [1e20, 3]}, r"max_partners\[0\] = 1e\+20 "),
    ],
)
def test_huge_whole_numbers_name_what_the_user_gave(kw: dict[str, Any], match: str) -> None:
    # issue #9 class 7: this reported "-9223372036854775808 is below the minimum" with a warning
    with pytest.raises(ck.InvalidInputError, match=match) as info:
        ck.assign([1.0, 2.0], 2, **kw)
    assert "9223372036854775808" not in str(info.value)


def test_as_int_array_names_a_too_large_value_as_given() -> None:
    with pytest.raises(ck.InvalidInputError, match=r"x\[1\] = 1e\+20 is too large"):
        as_int_array([0, 1e20], "x", min_value=0)


@pytest.mark.parametrize("when_new", ["5", True, np.True_, 10**400, np.timedelta64(1, "D")])
def test_yoy_growth_when_new_follows_the_number_rule(when_new: Any) -> None:
    with pytest.raises(ck.InvalidInputError, match="when_new"):
        ck.yoy_growth([1.0], [0.0], when_new=when_new)
    assert ck.yoy_growth([1.0], [0.0], when_new=0.5).tolist() == [0.5]
