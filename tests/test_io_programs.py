"""Tests of program files: TOML and JSON round trips and malformed files."""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import channelkit as ck
from channelkit.datasets import data_path, example_program
from channelkit.errors import ProgramDefinitionError
from channelkit.io import (
    dumps_program,
    loads_program,
    program_from_dict,
    program_to_dict,
    read_program,
    write_program,
)

from .strategies import file_programs, programs


@given(file_programs())
def test_toml_round_trip_is_lossless(program: ck.Program) -> None:
    text = dumps_program(program, "toml")
    tomllib.loads(text)  # valid TOML for the standard parser
    assert loads_program(text, "toml") == program


@given(file_programs())
def test_json_round_trip_is_lossless(program: ck.Program) -> None:
    text = dumps_program(program, "json")
    json.loads(text)
    assert loads_program(text, "json") == program


@given(programs())
def test_dict_round_trip(program: ck.Program) -> None:
    assert program_from_dict(program_to_dict(program)) == program


def test_file_round_trip_and_uncapped_items(tmp_path: Path) -> None:
    program = ck.Program(
        [ck.Tier("Member"), ck.Tier("Pro", min_score=0.1 + 0.2, requirements={"growth": -0.05})],
        scorecard=ck.Scorecard([ck.ScoreItem("deals", 1 / 3), ck.ScoreItem("x", 1e-17, 1e300)]),
        policy=ck.ProgressionPolicy(review_every=3, demote_every=6, max_steps_down=1),
        name='Partner "Pro" program\n2026',
    )
    for suffix in ("toml", "json"):
        path = tmp_path / f"program.{suffix}"
        write_program(program, path)
        back = read_program(path)
        assert back == program
        assert back.scorecard is not None and math.isinf(back.scorecard.items[0].max_points)
    assert (tmp_path / "program.json").read_text().count("max_points") == 1


def test_example_program_file() -> None:
    program = example_program()
    assert program.tier_names == ("Registered", "Silver", "Gold", "Platinum")
    assert program.policy == ck.ProgressionPolicy(
        review_every=3, demote_every=6, grace_reviews=1, window=3, max_steps_down=1
    )
    text = data_path("example_program.toml").read_text()
    assert loads_program(text) == program
    assert loads_program(dumps_program(program, "json"), "json") == program


# --------------------------------------------------------------------------- malformed files
GOOD = """
[[scorecard.items]]
metric = "deals"
points_per_unit = 10.0

[[tiers]]
name = "Silver"
min_score = 10

[[tiers]]
name = "Gold"
min_score = 50
[tiers.requirements]
csat = 8
"""


def write(tmp_path: Path, text: str, name: str = "program.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_reads(tmp_path: Path) -> None:
    program = read_program(write(tmp_path, GOOD))
    assert program.tiers[1].requirements == {"csat": 8.0}


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        (GOOD.replace("min_score = 50", "min_score = 5"), "tiers", "easier to reach"),
        (GOOD.replace("csat = 8", 'csat = "eight"'), "tiers[1].requirements.csat", "number"),
        (GOOD.replace("min_score = 10", "min_scor = 10"), "tiers[0].min_scor", "unknown key"),
        (GOOD.replace('name = "Silver"', ""), "tiers[0].name", "missing"),
        (
            GOOD.replace("points_per_unit = 10.0", "points_per_unit = -1.0"),
            "scorecard.items[0]",
            "points_per_unit",
        ),
        (
            GOOD.replace("points_per_unit = 10.0", "points_per_unit = 1.0\nrequired = 1"),
            "scorecard.items[0].required",
            "true or false",
        ),
        (GOOD + "\n[policy]\nreview_every = 0\n", "policy", "review_every"),
        (GOOD + "\n[policy]\nwindow = 1.5\n", "policy.window", "whole number"),
        ("name = 3\n" + GOOD, "name", "string"),
        ('signed_metrics = "growth"\n' + GOOD, "signed_metrics", "list"),
        ("tiers = []\n", "tiers", "non-empty list"),
        ('[[tiers]]\nname = "A"\nmin_score = 1\n', "tiers[0].min_score", "no scorecard"),
        ("[policy]\n", "tiers", "missing"),
    ],
)
def test_malformed_files_name_file_key_and_problem(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ck.ProgramDefinitionError) as info:
        read_program(path)
    message = str(info.value)
    assert str(path) in message
    assert f"key {key!r}" in message
    assert problem in message


def test_json_duplicate_keys_are_rejected_and_null_policy_caps_accepted(tmp_path: Path) -> None:
    data = program_to_dict(example_program())
    text = json.dumps(data, indent=2)
    # a hand-edited file with a second "min_score" in the Gold tier
    doubled = text.replace('"min_score": 350.0', '"min_score": 350.0, "min_score": 9999.0', 1)
    assert doubled != text
    path = write(tmp_path, doubled, "program.json")
    with pytest.raises(
        ck.ProgramDefinitionError, match=r"program\.json: key 'min_score' appears twice"
    ):
        read_program(path)
    dup_top = '{"tiers": [{"name": "A"}], "tiers": [{"name": "B"}]}'
    with pytest.raises(ck.ProgramDefinitionError, match="'tiers' appears twice"):
        loads_program(dup_top, "json")
    # TOML rejects repeated keys itself
    with pytest.raises(ck.ProgramDefinitionError, match="not valid TOML"):
        loads_program('[[tiers]]\nname = "A"\nname = "B"\n')
    # null for the optional policy fields means "not set"
    data["policy"] = {
        "review_every": 3,
        "max_steps_up": None,
        "max_steps_down": None,
        "demote_every": None,
    }
    program = loads_program(json.dumps(data), "json")
    assert program.policy == ck.ProgressionPolicy(review_every=3)
    data["policy"] = {"review_every": None}
    with pytest.raises(ck.ProgramDefinitionError, match="key 'policy.review_every'.*whole number"):
        loads_program(json.dumps(data), "json")


def test_syntax_errors_and_bad_paths(tmp_path: Path) -> None:
    with pytest.raises(ck.ProgramDefinitionError, match=r"program\.toml: not valid TOML.*line 2"):
        read_program(write(tmp_path, '[[tiers]]\nname = "A\n'))
    bad_json = write(tmp_path, '{"tiers": [}', "program.json")
    with pytest.raises(ck.ProgramDefinitionError, match=r"program\.json: not valid JSON.*line 1"):
        read_program(bad_json)
    with pytest.raises(ck.ProgramDefinitionError, match="no such file"):
        read_program(tmp_path / "missing.toml")
    with pytest.raises(ck.ProgramDefinitionError, match="suffix '.yaml'"):
        read_program(tmp_path / "program.yaml")
    assert read_program(write(tmp_path, GOOD, "program.txt"), format="toml").tier_names == (
        "Silver",
        "Gold",
    )
    with pytest.raises(ck.InvalidInputError, match="'toml' or 'json'"):
        dumps_program(example_program(), "yaml")
    with pytest.raises(ck.ProgramDefinitionError, match="key 'tiers'"):
        program_from_dict({"tiers": "Gold"})
    with pytest.raises(ck.ProgramDefinitionError, match="program.json: the top level: expected"):
        read_program(write(tmp_path, '[{"name": "Gold"}]', "program.json"))


# --------------------------------------------------------------------------- one table reader
@given(depth=st.integers(33, 3000), fmt=st.sampled_from(["json", "toml"]))
@settings(max_examples=20, deadline=None)
def test_deep_nesting_is_a_definition_error_never_a_recursion_error(depth: int, fmt: str) -> None:
    text = "[" * depth + "]" * depth
    if fmt == "toml":
        text = "tiers = " + text
    with pytest.raises(ProgramDefinitionError, match="nested more than 32 deep"):
        loads_program(text, fmt)


@pytest.mark.parametrize(
    ("text", "fmt", "match"),
    [
        (
            '{"tiers": [{"name": "A"}], "policy": {"window": 1' + "0" * 30 + "}}",
            "json",
            "too large",
        ),
        ("[[tiers]]\nname = 'A'\nmin_score = 1" + "0" * 400, "toml", "too large"),
        ('{"tiers": [{"name": "A", "min_score": true}]}', "json", "expected a number"),
    ],
)
def test_huge_and_boolean_numbers_name_the_key(text: str, fmt: str, match: str) -> None:
    with pytest.raises(ProgramDefinitionError, match=match):
        loads_program(text, fmt)


def test_non_utf8_program_and_scenario_files_name_the_file(tmp_path: Path) -> None:
    from channelkit._scenario import load_scenario

    path = tmp_path / "program.toml"
    path.write_bytes('name = "Café"\n[[tiers]]\nname = "A"\n'.encode("latin-1"))
    with pytest.raises(ProgramDefinitionError, match=r"program\.toml.*not UTF-8"):
        read_program(path)
    scenario = tmp_path / "scenario.toml"
    scenario.write_bytes("target = 1 # café\n".encode("latin-1"))
    with pytest.raises(ck.InvalidInputError, match=r"scenario\.toml.*not UTF-8"):
        load_scenario(scenario)
    with pytest.raises(ck.InvalidInputError, match="no such file"):
        load_scenario(tmp_path / "missing.toml")


def test_scenario_numbers_follow_the_table_reader(tmp_path: Path) -> None:
    from channelkit._scenario import load_scenario

    base = "target = 1\n{}\n[[segments]]\nname = 'a'\nproductivity = 1\n"
    path = tmp_path / "s.toml"
    for line, match in [
        ("seed = 1" + "0" * 400, "scenario key 'seed': .*too large"),
        ("n_sims = true", "scenario key 'n_sims': expected a whole number"),
        ("confidence = 'high'", "scenario key 'confidence': expected a number"),
    ]:
        path.write_text(base.format(line), encoding="utf-8")
        with pytest.raises(ck.InvalidInputError, match=match):
            load_scenario(path)
    path.write_text(base.format("horizon_months = 12.0"), encoding="utf-8")
    assert load_scenario(path)["horizon_months"] == 12  # integral floats are whole numbers here
