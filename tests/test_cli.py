"""Tests of the channelkit command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from channelkit import __version__
from channelkit.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"channelkit {__version__}"


def test_help_lists_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "demo" in out and "segments" in out


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: channelkit" in capsys.readouterr().out


def test_demo_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    # issue #8: the profile is ChannelProfile.summary(), aligned by the shared renderer
    assert ["Partners", "500"] in [line.split() for line in out.splitlines()]
    for text in (
        "Channel shape",
        "Gini",
        "Top-5 share",
        "Top-20% share",
        "HHI",
        "contributor",
        "potential",
        "long_tail",
        "product-led",
        "services-led",
        "Year-over-year growth",
    ):
        assert text in out


def test_segments_on_a_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("id,revenue,product_share\na,800,0.9\nb,150,0.5\nc,50,0.1\n")
    assert main(["segments", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Channel shape: mine.csv" in out
    rows = [line.split() for line in out.splitlines()]
    assert ["Partners", "3"] in rows
    # 800 alone is 80 % of 1000: one contributor; 50 is exactly the 5 % tail
    assert ["contributor", "1", "80.0%"] in rows
    assert ["long_tail", "1", "5.0%"] in rows


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("revenue\n1\n", "no 'id' column"),
        ("id,revenue\na,-1\n", "row 2, column 'revenue'"),
    ],
)
def test_user_errors_print_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_text(content)
    assert main(["segments", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("channelkit: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_python_dash_m_runs_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "channelkit", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and __version__ in done.stdout


def test_a_closed_pipe_is_not_an_error() -> None:
    # `channelkit demo | head -1`: the reader leaves early; no error line, status 0.
    proc = subprocess.Popen(
        [sys.executable, "-m", "channelkit", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("channelkit")
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "error" not in err
