"""Tests of program files: TOML and JSON round trips and malformed files."""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import given

import channelkit as ck
from channelkit.datasets import data_path, example_program
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
