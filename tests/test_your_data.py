"""Your own data in: column mapping and text attributes on partner lists (issue #10)."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import channelkit as ck
from channelkit import InvalidInputError, Portfolio
from channelkit.io import read_managers_csv, read_portfolio_csv

#: The mapping a channel team writes once for its CRM export.
MAPPING = {
    "id": "Partner ID",
    "revenue": "Revenue FY2025",
    "revenue_prior": "Revenue FY2024",
    "product_share": ("Product Revenue", "Services Revenue"),
    "region": "Region",
    "certifications": "Certifications",
    "registered_deals": "Deal Registrations",
}


def crm_export() -> pd.DataFrame:
    """A realistic CRM export: text columns, foreign names, product and services revenue."""
    return pd.DataFrame(
        {
            "Partner ID": ["P-001", "P-002", "P-003", "P-004"],
            "Partner Name": [
                "Müller & Söhne GmbH",
                'Dupont "Conseil", SARL',
                "東京システム株式会社",
                "Ñandú\nLtda",
            ],
            "Region": ["EMEA", "EMEA", "APAC", "LATAM"],
            "Tier": ["Gold", "Silver", "Gold", None],
            "Revenue FY2025": [250_000.0, 40_000.0, 120_000.0, 0.0],
            "Revenue FY2024": [200_000.0, 50_000.0, np.nan, 0.0],
            "Product Revenue": [200_000.0, 10_000.0, 90_000.0, 0.0],
            "Services Revenue": [50_000.0, 30_000.0, 30_000.0, 0.0],
            "Certifications": [4, 1, 2, 0],
            "Deal Registrations": [12, 3, 5, 0],
            "Support Hours": [120.0, 40.0, 80.0, 10.0],
        }
    )


def test_crm_export_loads_in_one_call_with_one_mapping(tmp_path: Path) -> None:
    pf = Portfolio.from_frame(crm_export(), columns=MAPPING)
    assert pf.ids.tolist() == ["P-001", "P-002", "P-003", "P-004"]
    assert pf.revenue.tolist() == [250_000.0, 40_000.0, 120_000.0, 0.0]
    assert math.isnan(pf.revenue_prior[2])
    # product / (product + services); both zero -> unknown (NaN)
    assert pf.product_share[:3].tolist() == [0.8, 0.25, 0.75]
    assert math.isnan(pf.product_share[3])
    assert pf.region.tolist() == ["EMEA", "EMEA", "APAC", "LATAM"]
    assert pf.column("certifications").tolist() == [4.0, 1.0, 2.0, 0.0]
    assert set(pf.attributes) == {"Partner Name", "Tier"}
    assert pf.attributes["Tier"].tolist() == ["Gold", "Silver", "Gold", ""]
    assert pf.attributes["Partner Name"][2] == "東京システム株式会社"
    # The business model is now known, not "unknown" for everyone.
    labels = ck.business_model(pf.product_share)
    assert (np.asarray(labels)[:3] != "unknown").all()
    # The same export as a CSV file, through the same mapping.
    path = tmp_path / "export.csv"
    crm_export().to_csv(path, index=False)
    assert read_portfolio_csv(path, columns=MAPPING) == pf
    assert Portfolio.from_csv(path, columns=MAPPING) == pf


def test_attributes_survive_subset_frames_and_csv(tmp_path: Path) -> None:
    pf = Portfolio.from_frame(crm_export(), columns=MAPPING)
    sub = pf.subset(["P-003", "P-001"])
    assert sub.attributes["Tier"].tolist() == ["Gold", "Gold"]
    assert sub.attributes["Partner Name"].tolist()[0] == "東京システム株式会社"
    assert not sub.attributes["Tier"].flags.writeable
    assert Portfolio.from_frame(pf.to_frame()) == pf
    assert Portfolio.from_columns(pf.to_columns()) == pf
    path = tmp_path / "pf.csv"
    pf.to_csv(path)
    assert Portfolio.from_csv(path) == pf
    assert (
        pf.with_columns(deals=[1, 2, 3, 4]).attributes["Tier"].tolist()
        == pf.attributes["Tier"].tolist()
    )
    assert "attributes=['Partner Name', 'Tier']" in repr(pf)
    assert pf.column("Tier").tolist() == ["Gold", "Silver", "Gold", ""]


def test_mapping_errors() -> None:
    export = crm_export()
    with pytest.raises(
        InvalidInputError,
        match=r"maps 'revenue' to 'Revenue FY2026', which is not a column; did you mean 'Revenue FY2025'\?.*'Partner ID'",
    ):
        Portfolio.from_frame(export, columns={**MAPPING, "revenue": "Revenue FY2026"})
    with pytest.raises(
        InvalidInputError, match=r"two sources for 'region': the column 'region' and 'Region'"
    ):
        Portfolio.from_frame(export.assign(region="NA"), columns=MAPPING)
    with pytest.raises(InvalidInputError, match=r"'revenue' cannot be derived from two columns"):
        Portfolio.from_frame(export, columns={"revenue": ("Product Revenue", "Services Revenue")})
    with pytest.raises(
        InvalidInputError, match=r"column 'Services Revenue', row 1: -1.0 is negative"
    ):
        Portfolio.from_frame(
            export.assign(**{"Services Revenue": [1.0, -1.0, 0.0, 0.0]}), columns=MAPPING
        )
    # Text in a numeric column is still an error naming row and column.
    bad = export.astype({"Certifications": object})
    bad.loc[2, "Certifications"] = "two"
    with pytest.raises(
        InvalidInputError, match=r"column 'certifications', row 2: 'two' is not a number"
    ):
        Portfolio.from_frame(bad, columns=MAPPING)
    with pytest.raises(InvalidInputError, match="column 'revenue', row 0: 'lots' is not a number"):
        Portfolio.from_frame(
            export.assign(**{"Revenue FY2025": ["lots", 1.0, 2.0, 3.0]}), columns=MAPPING
        )


def test_csv_mapping_errors(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    crm_export().to_csv(path, index=False)
    with pytest.raises(
        InvalidInputError,
        match=r"export.csv: columns maps 'revenue' to 'revenue fy2025', which is not a column; did you mean 'Revenue FY2025'\?",
    ):
        read_portfolio_csv(path, columns={**MAPPING, "revenue": "revenue fy2025"})
    path.write_text(
        "Partner ID,Revenue FY2025,Certifications\nP1,10,3\nP2,lots,1\n", encoding="utf-8"
    )
    with pytest.raises(
        InvalidInputError, match=r"row 3, column 'Revenue FY2025': 'lots' is not a number"
    ):
        read_portfolio_csv(path, columns={"id": "Partner ID", "revenue": "Revenue FY2025"})


def test_managers_reader_takes_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "managers.csv"
    path.write_text(
        'Manager,Name,Hours,Territory\nM1,Ana López,1800,EMEA\nM2,"Li, Wei",2000,APAC\n',
        encoding="utf-8",
    )
    managers = read_managers_csv(
        path, columns={"id": "Manager", "capacity": "Hours", "region": "Territory"}
    )
    assert managers == [
        ck.Manager("M1", capacity=1800.0, region="EMEA"),
        ck.Manager("M2", capacity=2000.0, region="APAC"),
    ]
    with pytest.raises(InvalidInputError, match="did you mean 'Hours'"):
        read_managers_csv(path, columns={"id": "Manager", "capacity": "hours "})


# --------------------------------------------------------------------------- round trips
def _is_text(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return True
    return False


texts = st.text(
    alphabet=st.one_of(
        st.characters(categories=("Lu", "Ll", "Nd", "Lo"), max_codepoint=0x9FFF),
        st.sampled_from(list(" ,\"'\n\r;&<>€")),
    ),
    min_size=1,
    max_size=12,
).filter(lambda s: _is_text(s) and s.strip() == s and s != "")


@given(
    st.lists(st.one_of(texts, st.none()), min_size=1, max_size=6).filter(lambda v: any(v)),
    st.data(),
)
@settings(max_examples=60, deadline=None)
def test_text_attributes_round_trip(names: list[str | None], data: st.DataObject) -> None:
    n = len(names)
    tiers = data.draw(st.lists(texts, min_size=n, max_size=n))
    pf = Portfolio(
        [f"id,{i}" for i in range(n)],
        revenue=np.arange(n, dtype=float),
        attributes={"Partner Name": names, "Tier": tiers},
    )
    assert Portfolio.from_frame(pf.to_frame()) == pf
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pf.csv"
        pf.to_csv(path)
        assert Portfolio.from_csv(path) == pf


def test_profile_channel_groups_by_an_attribute() -> None:
    pf = Portfolio.from_frame(crm_export(), columns=MAPPING)
    profile = ck.profile_channel(pf, by="Tier")
    total = 410_000.0
    assert profile.by == "Tier"
    assert profile.groups == {
        "": (1, 0.0),
        "Gold": (2, 370_000.0 / total),
        "Silver": (1, 40_000.0 / total),
    }
    assert ck.profile_channel(pf, by="region").groups["EMEA"] == (2, 290_000.0 / total)
    assert ck.profile_channel(pf).groups == {}
    with pytest.raises(InvalidInputError, match="by='tier' is not a column of the partners"):
        ck.profile_channel(pf, by="tier")


def test_history_portfolio_carries_attributes() -> None:
    from channelkit.datasets import example_history

    pf = example_history().portfolio()
    assert set(pf.attributes) == {"segment"}
    assert set(pf.attributes["segment"].tolist()) == {"micro", "SMB", "large"}
    groups = ck.profile_channel(pf, by="segment").groups
    assert sum(count for count, _ in groups.values()) == len(pf)


# --------------------------------------------------------------------------- the command line
PROGRAM = """
name = "CRM program"
[[tiers]]
name = "Silver"
requirements = { revenue = 30000.0 }
[[tiers]]
name = "Gold"
requirements = { revenue = 100000.0, certifications = 2 }
"""


def test_cli_reads_the_export_with_one_mapping(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from channelkit.cli import main

    export = tmp_path / "export.csv"
    crm_export().to_csv(export, index=False)
    mapping = tmp_path / "columns.toml"
    mapping.write_text(
        "[columns]\n"
        'id = "Partner ID"\n'
        'revenue = "Revenue FY2025"\n'
        'revenue_prior = "Revenue FY2024"\n'
        'product_share = ["Product Revenue", "Services Revenue"]\n'
        'region = "Region"\n'
        'certifications = "Certifications"\n'
        'hours = "Support Hours"\n',
        encoding="utf-8",
    )
    assert main(["segments", str(export), "--columns", str(mapping)]) == 0
    out = capsys.readouterr().out
    assert "product-led" in out
    program = tmp_path / "program.toml"
    program.write_text(PROGRAM, encoding="utf-8")
    assert main(["tiers", str(program), str(export), "--columns", str(mapping)]) == 0
    assert "Gold" in capsys.readouterr().out
    managers = tmp_path / "managers.csv"
    managers.write_text(
        "id,capacity,region\nM1,2000,EMEA\nM2,2000,APAC\nM3,2000,LATAM\n", encoding="utf-8"
    )
    assert (
        main(
            [
                "balance",
                str(export),
                str(managers),
                "--columns",
                str(mapping),
                "--hours-column",
                "hours",
            ]
        )
        == 0
    )
    capsys.readouterr()
    # The same mapping on the command line; a wrong source names the closest header.
    args = [
        "segments",
        str(export),
        "--column",
        "id=Partner ID",
        "--column",
        "revenue=Revenue FY2025",
        "--column",
        "revenue_prior=Revenue FY2024",
        "--column",
        "product_share=Product Revenue,Services Revenue",
        "--column",
        "region=Region",
    ]
    assert main(args) == 0
    assert main([*args, "--column", "revenue=Revenue FY2026"]) == 1
    assert "did you mean 'Revenue FY2025'?" in capsys.readouterr().err
    assert main(["segments", str(export), "--column", "revenue"]) == 1
    assert "expected NAME=SOURCE" in capsys.readouterr().err
