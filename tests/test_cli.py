"""Tests of the channelkit command."""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import channelkit as ck
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


# --------------------------------------------------------------------------- --format
EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "channelkit" / "datasets"
PARTNERS = str(EXAMPLES / "example_partners.csv")
MANAGERS = str(EXAMPLES / "example_managers.csv")
PROGRAM = str(EXAMPLES / "example_program.toml")
SCENARIO = "target = 1_000_000\nn_sims = 50\nseed = 1\n[[segments]]\nname = 'x'\nproductivity = {distribution = 'lognorm', s = 1.0, scale = 100_000}\n"


def _commands(tmp_path: Path) -> dict[str, list[str]]:
    scenario = tmp_path / "s.toml"
    scenario.write_text(SCENARIO)
    return {
        "segments": ["segments", PARTNERS],
        "tiers": ["tiers", PROGRAM, PARTNERS],
        "balance": ["balance", PARTNERS, MANAGERS],
        "plan": ["plan", str(scenario)],
    }


def _result(name: str, tmp_path: Path) -> Any:
    """The result each command reports, computed through the library."""
    import channelkit as ck
    from channelkit._scenario import load_scenario
    from channelkit.datasets import example_managers, example_portfolio, example_program

    if name == "segments":
        return ck.profile_channel(example_portfolio())
    if name == "tiers":
        return ck.evaluate(example_program(), example_portfolio())
    if name == "balance":
        return ck.assign_portfolio(
            example_portfolio(), example_managers(), model=ck.WorkloadModel()
        )
    return ck.plan_capacity(**load_scenario(tmp_path / "s.toml"))


def _frame(result: Any) -> Any:
    frame = result.to_frame()
    return (
        frame
        if frame.index.name is None and frame.index.dtype.kind == "i"
        else frame.reset_index()
    )


@pytest.mark.parametrize("command", ["segments", "tiers", "balance", "plan"])
def test_format_json_is_valid_and_holds_the_rows(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = _commands(tmp_path)[command]
    assert main([*argv, "--format", "json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    result = _result(command, tmp_path)
    frame = _frame(result)
    assert data["result"] == type(result).__name__
    assert isinstance(data["headline"], dict)
    if hasattr(result, "headline"):
        assert set(data["headline"]) == set(result.headline())
    assert len(data["rows"]) == len(frame)
    assert list(data["rows"][0]) == [str(c) for c in frame.columns]
    first = frame.iloc[0].tolist()
    assert [data["rows"][0][str(c)] for c in frame.columns] == pytest.approx(first)
    assert captured.err == ""


@pytest.mark.parametrize("command", ["segments", "tiers", "balance", "plan"])
def test_format_csv_reads_back_with_pandas(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pd = pytest.importorskip("pandas")
    argv = _commands(tmp_path)[command]
    assert main([*argv, "--format", "csv"]) == 0
    back = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"id": str, "partner": str})
    frame = _frame(_result(command, tmp_path))
    assert list(back.columns) == [str(c) for c in frame.columns]
    for name in frame.columns:
        want, got = frame[name].tolist(), back[str(name)].tolist()
        if frame[name].dtype.kind == "f":
            np.testing.assert_array_equal(got, want)  # repr round-trips floats exactly
        else:
            assert [str(v) for v in got] == [str(v) for v in want]


def test_format_csv_of_balance_reads_back_as_an_assignment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from channelkit.io import read_assignment_csv

    assert main(["balance", PARTNERS, MANAGERS, "--format", "csv"]) == 0
    out = tmp_path / "a.csv"
    out.write_text(capsys.readouterr().out)
    mapping = read_assignment_csv(out)
    assert len(mapping) == 500 and mapping["P0001"].startswith("M")


def test_demo_formats(capsys: pytest.CaptureFixture[str]) -> None:
    pd = pytest.importorskip("pandas")
    assert main(["demo", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["result"] == "demo"
    assert [s["result"] for s in data["sections"]] == [
        "ChannelProfile",
        "Evaluation",
        "CapacityPlan",
        "PortfolioAssignment",
        "Calibration",
    ]
    assert main(["demo", "--format", "csv"]) == 0
    back = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(back) == 500
    assert {"id", "tier", "segment", "manager", "hours", "region", "revenue"} <= set(back.columns)
    assert set(back["segment"]) == {"contributor", "potential", "long_tail"}


def test_text_is_the_default_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["segments", PARTNERS, "--format", "text"]) == 0
    text = capsys.readouterr().out
    assert main(["segments", PARTNERS]) == 0
    assert capsys.readouterr().out == text
    assert text.startswith("Channel shape: example_partners.csv\n")


class _Odd:
    """A result with awkward values: NaN, infinities, numpy scalars, None, dates."""

    def to_frame(self) -> Any:
        pd = pytest.importorskip("pandas")
        return pd.DataFrame(
            {
                "x": [math.nan, math.inf, -math.inf, 1.5],
                "n": np.array([1, 2, 3, 4], dtype=np.int32),
                "s": ["a,b", 'q"uote', "cr\rin", None],
                "when": pd.to_datetime(["2026-01-01", None, "2026-03-01", "2026-04-01"]),
                "flag": [True, False, True, False],
            },
            index=pd.Index(["p1", "p2", "p3", "p4"], name="partner"),
        )

    def headline(self) -> dict[str, Any]:
        return {"gap": np.float64(math.nan), "count": np.int64(3), "total": math.inf}


def test_json_writes_nan_and_infinity_as_null_and_keeps_the_index(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from channelkit.cli import _dumps, _payload

    data = json.loads(_dumps(_payload(_Odd())))
    assert data["result"] == "_Odd"
    assert data["headline"] == {"gap": None, "count": 3, "total": None}
    assert [r["x"] for r in data["rows"]] == [None, None, None, 1.5]
    assert [r["partner"] for r in data["rows"]] == ["p1", "p2", "p3", "p4"]
    assert data["rows"][1]["when"] is None and data["rows"][0]["when"].startswith("2026-01-01")
    assert data["rows"][2]["s"] == "cr\rin" and data["rows"][3]["s"] is None


def test_csv_quotes_carriage_returns_so_that_rows_read_back() -> None:
    pd = pytest.importorskip("pandas")
    from channelkit.cli import _write_frame_csv

    buffer = io.StringIO()
    _write_frame_csv(_Odd().to_frame().reset_index(), buffer)
    back = pd.read_csv(io.StringIO(buffer.getvalue()))
    assert back["s"].tolist()[:3] == ["a,b", 'q"uote', "cr\rin"]
    assert back["x"].tolist()[1:] == [math.inf, -math.inf, 1.5] and math.isnan(back["x"][0])
    assert back["flag"].tolist() == [True, False, True, False]


@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(-(2**63), 2**63 - 1).map(np.int64),
            st.floats(width=32).map(np.float32),
            st.text(),
            st.none(),
            st.booleans().map(np.bool_),
        ),
        max_size=8,
    )
)
def test_json_of_any_cells_is_strict_json(values: list[Any]) -> None:
    from channelkit.cli import _dumps, _plain

    text = _dumps([_plain(v) for v in values])
    back = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
    assert len(back) == len(values)


def test_a_result_without_headline_gets_an_empty_one() -> None:
    from channelkit.cli import _headline

    assert _headline(object()) == {}


def test_balance_stdout_csv_quotes_a_carriage_return_in_an_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from channelkit.io import read_assignment_csv

    partners = tmp_path / "p.csv"
    partners.write_text('id,hours\n"a\rb",10\nc,20\n', newline="")
    managers = tmp_path / "m.csv"
    managers.write_text("id,capacity\nm1,100\nm2,100\n")
    assert main(["balance", str(partners), str(managers), "--hours-column", "hours"]) == 0
    out = tmp_path / "out.csv"
    out.write_text(capsys.readouterr().out, newline="")
    assert set(read_assignment_csv(out)) == {"a\rb", "c"}


# --------------------------------------------------------------------------- example
@pytest.mark.parametrize("name", ["partners", "managers", "program", "scenario"])
def test_example_writes_the_shipped_file(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from channelkit.datasets import EXAMPLE_FILES, example_path

    shipped = example_path(name)
    assert shipped.name == EXAMPLE_FILES[name]
    assert main(["example", name]) == 0
    assert capsys.readouterr().out == shipped.read_text(encoding="utf-8")
    target = tmp_path / f"my-{name}"
    assert main(["example", name, "-o", str(target)]) == 0
    assert target.read_bytes() == shipped.read_bytes()
    assert str(target) in capsys.readouterr().out
    assert main(["example", name, "-o", str(tmp_path)]) == 0  # a directory: the shipped name
    assert (tmp_path / shipped.name).read_bytes() == shipped.read_bytes()


def test_example_history_is_written_as_plain_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import gzip

    from channelkit.datasets import example_history, example_path

    text = gzip.decompress(example_path("history").read_bytes()).decode("utf-8")
    assert main(["example", "history"]) == 0
    assert capsys.readouterr().out == text
    assert main(["example", "history", "-o", str(tmp_path)]) == 0
    written = tmp_path / "example_history.csv"
    assert written.read_text(encoding="utf-8") == text
    assert main(["example", "history", "-o", str(tmp_path / "h.csv.gz")]) == 0
    assert (tmp_path / "h.csv.gz").read_bytes() == example_path("history").read_bytes()
    back = ck.PartnerHistory.from_csv(written, joined="joined", left="left")
    assert len(back.ids) == len(example_history().ids)


def test_example_files_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("partners", "managers", "program", "scenario", "history"):
        assert main(["example", name, "-o", str(tmp_path)]) == 0
    capsys.readouterr()
    scenario = tmp_path / "example_scenario.toml"
    assert main(["plan", str(scenario), "--n-sims", "50", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["result"] == "CapacityPlan"
    partners, managers = tmp_path / "example_partners.csv", tmp_path / "example_managers.csv"
    assert main(["balance", str(partners), str(managers), "-o", str(tmp_path / "a.csv")]) == 0
    assert main(["tiers", str(tmp_path / "example_program.toml"), str(partners)]) == 0


def test_plan_example_still_prints_the_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    from channelkit.datasets import example_path

    assert main(["plan", "--example"]) == 0
    assert capsys.readouterr().out == example_path("scenario").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- malformed inputs
#: Files of the malformed-input corpus: name -> content (bytes are written as they are).
CORPUS_FILES: dict[str, str | bytes] = {
    "scenario.toml": SCENARIO,
    "latin1.toml": "target = 1_000_000 # caf\u00e9\n".encode("latin-1"),
    "latin1.csv": "id,revenue,region\nZ\u00fcrich,1,EMEA\n".encode("latin-1"),
    "latin1.json": '{"name": "caf\u00e9", "tiers": [{"name": "A"}]}'.encode("latin-1"),
    "deep.json": '{"tiers": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "deep.toml": "target = " + "[" * 100_000 + "]" * 100_000 + "\n",
    "huge_int.toml": f'[[tiers]]\nname = "A"\n[[tiers]]\nname = "B"\nrequirements = {{deals = {"9" * 400}}}\n',
    "huge_seed.toml": SCENARIO.replace("seed = 1", f"seed = {'9' * 400}"),
    "huge_target.toml": SCENARIO.replace("1_000_000", "9" * 400),
    "inf_target.toml": SCENARIO.replace("1_000_000", "inf"),
    "huge_sims.toml": SCENARIO.replace("n_sims = 50", f"n_sims = {10**30}"),
    "missing_existing.toml": SCENARIO + '[existing]\ncsv = "nowhere.csv"\n',
    "huge.csv": f"id,revenue\na,{'9' * 400}\nb,1e400\n",
    "nul.csv": "id,revenue\na\x00,1\na,2\n",
    "empty.csv": "",
    "binary.csv": bytes(range(256)),
    "managers_huge.csv": "id,capacity,max_partners,region\nM1,2000,1e30,\nM2,2000,,\n",
    "managers_big_int.csv": f"id,capacity,max_partners\nM1,2000,{'9' * 400}\n",
    "managers_inf.csv": "id,capacity,max_partners\nM1,inf,inf\n",
    "partners.csv": "id,revenue,hours,deals\na,100,10,3\nb,50,5,1\n",
    "managers.csv": "id,capacity\nm1,1000\nm2,1000\n",
    "program.toml": '[[tiers]]\nname = "A"\n[[tiers]]\nname = "B"\nrequirements = {deals = 3}\n',
}


def _cases() -> list[tuple[str, list[str]]]:
    """(case name, argv with {dir} for the corpus directory) of every malformed input."""
    d = "{dir}"
    gone = "{dir}/no/such/dir/out.csv"
    return [
        # missing, unknown and conflicting options (usage errors)
        ("no partners", ["segments"]),
        ("unknown option", ["segments", f"{d}/partners.csv", "--colour"]),
        ("bad format", ["demo", "--format", "xml"]),
        ("bad format csv", ["tiers", f"{d}/program.toml", f"{d}/partners.csv", "--format", "tsv"]),
        ("missing managers", ["balance", f"{d}/partners.csv"]),
        (
            "max-moves without current",
            ["balance", f"{d}/partners.csv", f"{d}/managers.csv", "--max-moves", "3"],
        ),
        ("plan file and example", ["plan", f"{d}/scenario.toml", "--example"]),
        ("plan example and seed", ["plan", "--example", "--seed", "3"]),
        ("plan example and format", ["plan", "--example", "--format", "json"]),
        ("no plan file", ["plan"]),
        ("no example name", ["example"]),
        ("unknown example", ["example", "team"]),
        ("unknown command", ["frobnicate"]),
        ("demo extra argument", ["demo", "extra"]),
        # huge and non-finite numbers on the command line
        ("400-digit seed", ["plan", f"{d}/scenario.toml", "--seed", "9" * 400]),
        ("5000-digit seed", ["plan", f"{d}/scenario.toml", "--seed", "9" * 5000]),
        ("negative seed", ["plan", f"{d}/scenario.toml", "--seed", "-1"]),
        ("huge n-sims", ["plan", f"{d}/scenario.toml", "--n-sims", "9" * 40]),
        ("zero workers", ["plan", f"{d}/scenario.toml", "--workers", "0"]),
        ("nan confidence", ["plan", f"{d}/scenario.toml", "--confidence", "nan"]),
        ("overflowing confidence", ["plan", f"{d}/scenario.toml", "--confidence", "1e400"]),
        ("confidence above 1", ["plan", f"{d}/scenario.toml", "--confidence", "2"]),
        ("huge top", ["tiers", f"{d}/program.toml", f"{d}/partners.csv", "--top", "9" * 400]),
        ("nan share", ["segments", f"{d}/partners.csv", "--contributor-share", "nan"]),
        ("share above 1", ["segments", f"{d}/partners.csv", "--tail-share", "3"]),
        (
            "nan time limit",
            ["balance", f"{d}/partners.csv", f"{d}/managers.csv", "--time-limit", "nan"],
        ),
        (
            "huge spread-top",
            ["balance", f"{d}/partners.csv", f"{d}/managers.csv", "--spread-top", "9" * 400],
        ),
        # bad encodings
        ("latin-1 scenario", ["plan", f"{d}/latin1.toml"]),
        ("latin-1 partners", ["segments", f"{d}/latin1.csv"]),
        ("latin-1 program", ["tiers", f"{d}/latin1.json", f"{d}/partners.csv"]),
        ("binary partners", ["segments", f"{d}/binary.csv"]),
        ("binary managers", ["balance", f"{d}/partners.csv", f"{d}/binary.csv"]),
        # deep nesting
        ("deep JSON program", ["tiers", f"{d}/deep.json", f"{d}/partners.csv"]),
        ("deep TOML scenario", ["plan", f"{d}/deep.toml"]),
        # huge numbers in files
        ("huge requirement", ["tiers", f"{d}/huge_int.toml", f"{d}/partners.csv"]),
        ("huge seed in file", ["plan", f"{d}/huge_seed.toml"]),
        ("huge target", ["plan", f"{d}/huge_target.toml"]),
        ("infinite target", ["plan", f"{d}/inf_target.toml"]),
        ("huge n_sims in file", ["plan", f"{d}/huge_sims.toml"]),
        ("huge revenue", ["segments", f"{d}/huge.csv"]),
        ("max_partners 1e30", ["balance", f"{d}/partners.csv", f"{d}/managers_huge.csv"]),
        ("max_partners 400 digits", ["balance", f"{d}/partners.csv", f"{d}/managers_big_int.csv"]),
        ("infinite max_partners", ["balance", f"{d}/partners.csv", f"{d}/managers_inf.csv"]),
        # broken files
        ("missing file", ["segments", f"{d}/nope.csv"]),
        ("directory as file", ["segments", d]),
        ("directory as program", ["tiers", f"{d}/x.toml", f"{d}/partners.csv"]),
        ("empty partners", ["balance", f"{d}/empty.csv", f"{d}/managers.csv"]),
        ("NUL in ids", ["segments", f"{d}/nul.csv"]),
        ("missing existing csv", ["plan", f"{d}/missing_existing.toml"]),
        (
            "missing current",
            [
                "balance",
                f"{d}/partners.csv",
                f"{d}/managers.csv",
                "--current",
                f"{d}/nope.csv",
            ],
        ),
        # unwritable outputs
        ("unwritable gaps", ["tiers", f"{d}/program.toml", f"{d}/partners.csv", "--gaps", gone]),
        (
            "unwritable assignment",
            [
                "balance",
                f"{d}/partners.csv",
                f"{d}/managers.csv",
                "--hours-column",
                "hours",
                "-o",
                gone,
            ],
        ),
        ("unwritable example", ["example", "partners", "-o", gone]),
        (
            "gaps onto a directory",
            ["tiers", f"{d}/program.toml", f"{d}/partners.csv", "--gaps", d],
        ),
    ]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    for name, content in CORPUS_FILES.items():
        if isinstance(content, bytes):
            (root / name).write_bytes(content)
        else:
            (root / name).write_text(content, encoding="utf-8", newline="")
    (root / "x.toml").mkdir()
    return root


def _run_main(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exit_info:  # argparse: usage errors
        return int(exit_info.code or 0)


@pytest.mark.parametrize(("case", "argv"), _cases(), ids=[c for c, _ in _cases()])
def test_every_failure_is_one_line_and_a_non_zero_exit(
    case: str, argv: list[str], corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = _run_main([a.replace("{dir}", str(corpus)) for a in argv])
    err = capsys.readouterr().err
    assert status != 0, case
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith("channelkit"), err
    assert "bug in channelkit" not in err, err  # every case here is the user's, and named


def test_usage_errors_exit_2_and_failures_exit_1(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = str(corpus / "scenario.toml")
    assert _run_main(["plan", scenario, "--example"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("channelkit plan: error: --example") and "SCENARIO.toml" in err
    assert _run_main(["plan", str(corpus / "latin1.toml")]) == 1
    err = capsys.readouterr().err
    assert "latin1.toml: not UTF-8 text (byte 0xe9" in err
    assert _run_main(["tiers", str(corpus / "deep.json"), str(corpus / "partners.csv")]) == 1
    assert "deep.json: " in (err := capsys.readouterr().err) and "nested" in err
    assert _run_main(["plan", scenario, "--seed", "9" * 400]) == 2
    assert "--seed: expected a whole number <=" in capsys.readouterr().err


def test_progress_without_tqdm_names_the_extra(
    corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    assert main(["plan", str(corpus / "scenario.toml"), "--progress"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'channelkit[progress]'" in err


def test_json_without_pandas_names_the_extra(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    assert main(["segments", PARTNERS, "--format", "json"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'channelkit[pandas]'" in err


def test_an_unexpected_error_is_one_line_unless_asked_for_the_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import channelkit.cli as cli

    def broken(args: Any) -> int:
        raise TypeError("boom\nsecond line")

    monkeypatch.setattr(cli, "_run_demo", broken)
    assert main(["demo"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unexpected TypeError: boom second line" in err
    assert "CHANNELKIT_TRACEBACK=1" in err
    monkeypatch.setenv("CHANNELKIT_TRACEBACK", "1")
    with pytest.raises(TypeError, match="boom"):
        main(["demo"])


@given(st.integers(1, 200_000), st.sampled_from(["[", '{"a":']))
def test_deeply_nested_program_text_raises_a_program_error(depth: int, opener: str) -> None:
    from channelkit.errors import ProgramDefinitionError
    from channelkit.io import loads_program

    closer = "]" if opener == "[" else "}"
    text = '{"tiers": ' + opener * depth + "1" + closer * depth + "}"
    with pytest.raises(ProgramDefinitionError):
        loads_program(text, "json")
    toml = "tiers = " + "[" * depth + "1" + "]" * depth + "\n"
    with pytest.raises(ProgramDefinitionError):
        loads_program(toml, "toml")


def _shell(command: str) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in sh with ``$PY`` the test's python, channelkit from this checkout."""
    env = {**os.environ, "PY": sys.executable}
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        ["sh", "-c", command], capture_output=True, text=True, check=False, env=env, timeout=120
    )


@pytest.mark.parametrize(
    "command",
    [
        '"$PY" -m channelkit demo >&-',
        '"$PY" -m channelkit segments "$DATA/example_partners.csv" --format json >&-',
        '"$PY" -m channelkit example partners > /dev/full',
        '"$PY" -m channelkit segments "$DATA/example_partners.csv" --format csv > /dev/full',
    ],
)
def test_closed_or_full_stdout_is_one_line_in_a_real_process(command: str) -> None:
    if "/dev/full" in command and not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    done = _shell(f'DATA="{EXAMPLES}"; {command}')
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("channelkit: error: "), done.stderr


def test_fit_and_backtest_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json
    import tomllib

    from channelkit.cli import main

    history = tmp_path / "history.csv"
    assert main(["example", "history", "-o", str(history)]) == 0
    capsys.readouterr()
    scenario = tmp_path / "scenario.toml"
    args = ["--joined", "joined", "--left", "left", "--seed", "0"]
    assert main(["fit", str(history), *args, "--by", "segment", "-o", str(scenario)]) == 0
    out = capsys.readouterr().out
    assert "annual_attrition" in out and "Calibration from history" in out
    data = tomllib.loads(scenario.read_text(encoding="utf-8"))
    assert {s["name"] for s in data["segments"]} == {"SMB", "large", "micro"}
    assert main(["plan", str(scenario), "--n-sims", "200"]) == 0
    assert "Capacity plan" in capsys.readouterr().out
    assert main(["fit", str(history), *args, "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["result"] == "Calibration" and payload["rows"]
    assert (
        main(
            [
                "backtest",
                str(history),
                *args,
                "--cutoffs",
                "2",
                "--n-sims",
                "100",
                "--format",
                "json",
            ]
        )
        == 0
    )
    payload = json.loads(capsys.readouterr().out)
    assert payload["result"] == "Backtest" and len(payload["rows"]) == 2
    assert main(["fit", str(tmp_path / "missing.csv")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_fit_reads_the_gzipped_example_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `channelkit example history -o x.csv.gz` writes gzip; fit and backtest read it as is
    from channelkit.cli import main

    packed = tmp_path / "history.csv.gz"
    assert main(["example", "history", "-o", str(packed)]) == 0
    assert packed.read_bytes()[:2] == b"\x1f\x8b"
    capsys.readouterr()
    args = ["--joined", "joined", "--left", "left", "--seed", "0"]
    assert main(["fit", str(packed), *args]) == 0
    assert "annual_attrition" in capsys.readouterr().out
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(packed.read_bytes()[:100])
    assert main(["fit", str(broken), *args]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "gzip" in err and "Traceback" not in err
