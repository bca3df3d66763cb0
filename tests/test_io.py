"""Tests of the CSV readers and writers in channelkit.io."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import channelkit as ck
from channelkit.io import (
    read_managers_csv,
    read_portfolio_csv,
    write_managers_csv,
    write_portfolio_csv,
)

from .strategies import portfolios


def _write(tmp_path: Path, text: str, name: str = "p.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_minimal_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "id,revenue,region,csat\na,10.5,NA,8\nb,0,,9.5\n")
    pf = read_portfolio_csv(path)
    assert pf.ids.tolist() == ["a", "b"]
    assert pf.revenue.tolist() == [10.5, 0.0]
    assert pf.region.tolist() == ["NA", ""]
    assert pf.column("csat").tolist() == [8.0, 9.5]
    assert math.isnan(pf.revenue_prior[0])  # absent column: unknown


def test_id_only_file_and_blank_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "id\nx\n\ny\n")
    pf = read_portfolio_csv(path)
    assert pf.ids.tolist() == ["x", "y"] and pf.revenue.tolist() == [0.0, 0.0]


def test_optional_cells_may_be_empty(tmp_path: Path) -> None:
    path = _write(tmp_path, "id,revenue,revenue_prior,product_share\na,1,,\n")
    pf = read_portfolio_csv(path)
    assert math.isnan(pf.revenue_prior[0]) and math.isnan(pf.product_share[0])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pf=portfolios)
def test_csv_round_trip_is_lossless(tmp_path: Path, pf: ck.Portfolio) -> None:
    path = tmp_path / "round.csv"
    write_portfolio_csv(pf, path)
    assert read_portfolio_csv(path) == pf
    pf.to_csv(path)
    assert ck.Portfolio.from_csv(path) == pf


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("revenue\n1\n", "no 'id' column"),
        ("", "the file is empty"),
        ("id,revenue\na,1\na,2\n", "row 3: id 'a' repeats row 2"),
        ("id,revenue\na,1\n,2\n", "row 3, column 'id' is empty"),
        ("id,revenue\na,ten\n", "row 2, column 'revenue': 'ten' is not a number"),
        ("id,revenue\na,nan\n", "row 2, column 'revenue' is NaN"),
        ("id,revenue\na,\n", "row 2, column 'revenue' is empty"),
        ("id,revenue\na,-3\n", "row 2, column 'revenue': -3.0 is out of range"),
        ("id,revenue_prior\na,-3\n", "row 2, column 'revenue_prior'"),
        ("id,product_share\na,1.2\n", r"row 2, column 'product_share': 1.2 is out of range"),
        ("id,csat\na,8\nb,\n", "row 3, column 'csat' is empty"),
        ("id,csat\na,inf\n", "row 2, column 'csat' is infinite"),
        ("id,revenue\na,1,2\n", "row 2 has 3 cells but the header has 2"),
        ("id,revenue,revenue\na,1,2\n", "column 'revenue' appears twice"),
        ("id,,x\na,1,2\n", "empty column name"),
    ],
)
def test_malformed_files_raise_naming_file_row_and_column(
    tmp_path: Path, text: str, match: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ck.InvalidInputError, match=match) as info:
        read_portfolio_csv(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ck.InvalidInputError, match="no such file"):
        read_portfolio_csv(tmp_path / "nope.csv")


def test_write_rejects_non_portfolio(tmp_path: Path) -> None:
    with pytest.raises(ck.InvalidInputError, match="must be a Portfolio"):
        write_portfolio_csv({"revenue": [1.0]}, tmp_path / "x.csv")  # type: ignore[arg-type]


def test_reading_does_not_touch_the_file(tmp_path: Path) -> None:
    text = "id,revenue\na,1\n"
    path = _write(tmp_path, text)
    read_portfolio_csv(path)
    assert path.read_text(encoding="utf-8") == text


# --------------------------------------------------------------------------- managers
def test_managers_round_trip(tmp_path: Path) -> None:
    managers = [
        ck.Manager("m1", capacity=1800.0, max_partners=25, region="NA"),
        ck.Manager("m2"),
    ]
    path = tmp_path / "m.csv"
    write_managers_csv(managers, path)
    assert read_managers_csv(path) == managers


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("id,capacity\nm1,0\n", "row 2: manager 'm1': capacity = 0.0 must be positive"),
        ("id,capacity\nm1,lots\n", "row 2, column 'capacity': 'lots' is not a number"),
        ("id,max_partners\nm1,2.5\n", "row 2, column 'max_partners': '2.5' is not a whole"),
        ("id,team\nm1,x\n", "unknown column 'team'"),
        ("id\nm1\nm1\n", "row 3: manager id 'm1' repeats row 2"),
        ("capacity\n1\n", "no 'id' column"),
    ],
)
def test_malformed_manager_files(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(ck.InvalidInputError, match=match):
        read_managers_csv(_write(tmp_path, text, "m.csv"))
