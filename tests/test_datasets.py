"""The example channel: deterministic, realistic, and reproducible from its generator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import channelkit as ck
from channelkit.datasets import data_path, example_managers, example_portfolio
from channelkit.datasets._generate import make_example_channel, write_example_channel


def test_generator_reproduces_the_shipped_files(tmp_path: Path) -> None:
    partners, managers = write_example_channel(tmp_path)
    assert partners.read_bytes() == data_path("example_partners.csv").read_bytes()
    assert managers.read_bytes() == data_path("example_managers.csv").read_bytes()


def test_loaders_match_the_generator() -> None:
    portfolio, managers = make_example_channel()
    assert example_portfolio() == portfolio
    assert example_managers() == managers


def test_the_channel_is_realistic() -> None:
    pf = example_portfolio()
    assert len(pf) == 500
    assert 0.75 <= ck.top_share(pf.revenue, 0.2) <= 0.85  # roughly 80/20
    employees = pf.column("employees")
    smb = (employees >= 10) & (employees < 250)
    assert 0.40 <= smb.mean() <= 0.50  # about 45 % small and mid-sized
    assert set(pf.region.tolist()) == {"NA", "EMEA", "APAC", "LATAM"}
    assert np.isnan(pf.revenue_prior).any() and not np.isnan(pf.revenue_prior).all()
    assert not np.isnan(pf.product_share).any()
    for name in (
        "certified_staff",
        "certifications",
        "csat",
        "registered_deals",
        "product_lines",
        "technical_level",
    ):
        assert pf.has_column(name)
    assert (pf.column("certifications") >= pf.column("certified_staff")).all()
    assert ((pf.column("csat") >= 0) & (pf.column("csat") <= 10)).all()


def test_managers() -> None:
    managers = example_managers()
    assert len(managers) == 20
    assert len({m.id for m in managers}) == 20
    assert {m.region for m in managers} == {"NA", "EMEA", "APAC", "LATAM"}
    assert all(m.capacity == 2000.0 for m in managers)
    # 500 partners over 20 managers: 25 each on average, within the 20-30 rule of thumb
    assert sum(m.max_partners or 0 for m in managers) >= 500


def test_unknown_data_file() -> None:
    with pytest.raises(FileNotFoundError, match="no dataset file named 'nope.csv'"):
        data_path("nope.csv")


def test_example_files_are_shipped_and_read() -> None:
    import tomllib

    from channelkit.datasets import EXAMPLE_FILES, example_path
    from channelkit.io import read_managers_csv, read_portfolio_csv, read_program

    assert set(EXAMPLE_FILES) == {"partners", "managers", "program", "scenario", "history"}
    assert read_portfolio_csv(example_path("partners")) == example_portfolio()
    assert read_managers_csv(example_path("managers")) == example_managers()
    assert read_program(example_path("program")).tier_names[-1] == "Platinum"
    assert tomllib.loads(example_path("scenario").read_text())["target"] > 0
    with pytest.raises(
        ck.InvalidInputError, match="partners, managers, program, scenario, history"
    ):
        example_path("nope")
