"""Programs as vendors publish them (issue 13): step points, per-item point minimums,
count rules over item tables, inherited ladders; and the sizing helpers of workload.

Every published-style program is written in TOML the way its vendor states it (no
precomputed columns) and checked against an exact reference in
:class:`fractions.Fraction`, boundaries included.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import channelkit as ck
from channelkit import io

R = Fraction(ck.tiers.THRESHOLD_RTOL)

# --------------------------------------------------------------------------- the programs
HUBSPOT = """
name = "HubSpot-style solutions partners"

[[scorecard.items]]          # points by source: sourced MRR earns twice managed MRR
metric = "sourced_mrr"
points_per_unit = 1.0

[[scorecard.items]]
metric = "managed_mrr"
points_per_unit = 0.5
max_points = 20000.0

[[tiers]]
name = "Provider"

[[tiers]]
name = "Gold"
min_score = 2000.0
min_points = { sourced_mrr = 250.0 }

[[tiers]]
name = "Platinum"
min_score = 10000.0
min_points = { sourced_mrr = 1000.0 }

[[tiers]]
name = "Diamond"
min_score = 35000.0
min_points = { sourced_mrr = 5000.0 }
requirements = { certified_staff = 4 }
"""

STEPS = """
name = "Points per whole unit"

[[scorecard.items]]          # 5 points per full $100 of sourced revenue
metric = "sourced_revenue"
points_per_unit = 5.0
per = 100.0

[[scorecard.items]]          # 1 point per whole 0.1 of csat above 0, at most 100
metric = "csat"
points_per_unit = 1.0
per = 0.1
max_points = 100.0

[[tiers]]
name = "Registered"

[[tiers]]
name = "Silver"
min_score = 150.0

[[tiers]]
name = "Gold"
min_score = 600.0
min_points = { csat = 80.0 }
"""

AWS = """
name = "AWS-style services path"

[counts.launched_10k]
items = "opportunities"
min_value = 10000.0
label = "opportunities of at least $10,000 MRR"

[counts.certifications]
items = "certifications"

[[tiers]]
name = "Select"
requirements = { certifications = 2, launched_10k = 1 }

[[tiers]]
name = "Advanced"
requirements = { certifications = 4, launched_10k = 4 }

[[tiers]]
name = "Premier"
requirements = { certifications = 10, launched_10k = 20, csat = 8.5 }
"""

INHERITED = """
name = "AWS-style services path, each tier stating what it adds"

[counts.launched_10k]
items = "opportunities"
min_value = 10000.0
label = "opportunities of at least $10,000 MRR"

[counts.certifications]
items = "certifications"

[[tiers]]
name = "Select"
requirements = { certifications = 2, launched_10k = 1 }

[[tiers]]
name = "Advanced"
inherit = true
requirements = { certifications = 4, launched_10k = 4 }

[[tiers]]
name = "Premier"
inherit = true
requirements = { certifications = 10, launched_10k = 20, csat = 8.5 }
"""

PROGRAMS = {"hubspot": HUBSPOT, "steps": STEPS, "aws": AWS, "inherited": INHERITED}


def load(name: str) -> ck.Program:
    return io.loads_program(PROGRAMS[name])


# --------------------------------------------------------------------------- exact reference
def f(x: float) -> Fraction:
    return Fraction(float(x))


def meets(value: Fraction, threshold: Fraction) -> bool:
    """``value >= threshold`` within the documented relative tolerance, exactly."""
    return value >= threshold - R * abs(threshold)


def ref_steps(x: float, per: float) -> int:
    """Whole ``per`` in ``x``: the largest k with x meeting k * per (exact)."""
    fx, fp = f(x), f(per)
    if fx <= 0:
        return 0
    k = math.floor(fx / (fp * (1 - R)))
    while k > 0 and not meets(fx, k * fp):  # pragma: no cover - floor already exact
        k -= 1
    return k


def ref_points(item: ck.ScoreItem, x: float) -> Fraction:
    a = f(item.points_per_unit)
    raw = a * ref_steps(x, item.per) if item.per is not None else a * max(f(x), Fraction(0))
    return raw if math.isinf(item.max_points) else min(raw, f(item.max_points))


def ref_counts(
    program: ck.Program, ids: list[str], items: dict[str, dict[str, list[Any]]]
) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for name, rule in program.counts.items():
        table = items[rule.items]
        per = dict.fromkeys(ids, 0)
        for pid, value in zip(table["partner"], table["value"]):
            if meets(f(value), f(rule.min_value)):
                per[pid] += 1
        out[name] = [per[i] for i in ids]
    return out


def ref_meets(program: ck.Program, k: int, row: dict[str, float]) -> bool:
    """Whether one partner (``row``: metric -> value, counts included) meets tier ``k``."""
    tier = program.tiers[k]
    card = program.scorecard
    points = {it.metric: ref_points(it, row[it.metric]) for it in card.items} if card else {}
    if tier.min_score is not None:
        assert card is not None
        if not meets(sum(points.values(), Fraction(0)), f(tier.min_score)):
            return False
        if any(it.required and row[it.metric] <= 0 for it in card.items):
            return False
    for m, v in tier.requirements.items():
        if not meets(f(row[m]), f(v)):
            return False
    return all(meets(points[m], f(v)) for m, v in tier.min_points.items())


def ref_tier(program: ck.Program, row: dict[str, float]) -> int:
    best = -1
    for k in range(len(program.tiers)):
        if ref_meets(program, k, row):
            best = k
    return best


# --------------------------------------------------------------------------- generated partners
def _grid(
    rng: np.random.Generator, n: int, lo: float, hi: float, marks: list[float]
) -> np.ndarray:
    """Cents between lo and hi, a third of them exactly on (or a cent around) ``marks``."""
    x = np.round(rng.uniform(lo, hi, n), 2)
    pick = rng.random(n) < 0.35
    on = np.array(marks)[rng.integers(0, len(marks), n)] + rng.choice([-0.01, 0.0, 0.0, 0.01], n)
    return np.where(pick, np.round(np.maximum(on, 0.0), 2), x)


def population(name: str, seed: int, n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Partners (and item tables) for program ``name``, many of them on a boundary."""
    rng = np.random.default_rng(seed)
    ids = [f"p{i}" for i in range(n)]
    cols: dict[str, Any] = {"id": ids}
    items: dict[str, Any] = {}
    if name == "hubspot":
        cols["sourced_mrr"] = _grid(rng, n, 0, 40_000, [250, 1000, 2000, 5000, 10_000, 35_000])
        cols["managed_mrr"] = _grid(rng, n, 0, 60_000, [0, 3500, 18_000, 40_000, 60_000])
        cols["certified_staff"] = rng.integers(0, 8, n).astype(float)
    elif name == "steps":
        cols["sourced_revenue"] = _grid(rng, n, 0, 15_000, [100 * k for k in range(0, 150, 7)])
        cols["csat"] = np.round(
            np.where(rng.random(n) < 0.5, rng.integers(0, 101, n) / 10, rng.uniform(0, 10, n)), 2
        )
    else:
        cols["csat"] = _grid(rng, n, 5, 10, [8.5])
        sizes = rng.integers(0, 40, n)
        owner = np.repeat(np.array(ids), sizes)
        m = owner.size
        value = _grid(rng, m, 0, 30_000, [10_000])
        items["opportunities"] = {"partner": owner.tolist(), "value": value.tolist()}
        csize = rng.integers(0, 13, n)
        cowner = np.repeat(np.array(ids), csize)
        items["certifications"] = {
            "partner": cowner.tolist(),
            "value": np.ones(cowner.size).tolist(),
        }
    return cols, items


def reference_tiers(program: ck.Program, cols: dict[str, Any], items: dict[str, Any]) -> list[int]:
    ids = list(cols["id"])
    counted = ref_counts(program, ids, items) if items else {}
    metrics = [m for m in program.metrics if m not in counted]
    out = []
    for i in range(len(ids)):  # the reference: one partner at a time
        row = {m: float(cols[m][i]) for m in metrics}
        row.update({m: v[i] for m, v in counted.items()})
        out.append(ref_tier(program, row))
    return out


@pytest.mark.parametrize("name", list(PROGRAMS))
@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_published_programs_match_exact_reference(name: str, seed: int) -> None:
    program = load(name)
    cols, items = population(name, seed, 2000)
    ev = ck.evaluate(program, cols, items=items or None)
    assert ev.tier.tolist() == reference_tiers(program, cols, items)


@pytest.mark.parametrize("name", list(PROGRAMS))
@settings(max_examples=3, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_published_gaps_are_zero_exactly_when_the_tier_holds(name: str, seed: int) -> None:
    program = load(name)
    cols, items = population(name, seed, 300)
    ev = ck.evaluate(program, cols, items=items or None)
    ids = list(cols["id"])
    counted = ref_counts(program, ids, items) if items else {}
    for k in range(len(program.tiers)):
        g = ev.gaps(to=k)
        for i in range(len(ids)):
            row = {m: float(cols[m][i]) for m in program.metrics if m not in counted}
            row.update({m: v[i] for m, v in counted.items()})
            holds = ref_meets(program, k, row)
            assert (g.distance[i] == 0) == holds
            assert (g.explain(i) == []) == holds
            for m, v in program.tiers[k].requirements.items():
                assert (g.requirements[m][i] == 0) == meets(f(row[m]), f(v))


def test_published_programs_reach_every_tier() -> None:
    """The generated populations exercise every tier of every program (the tests bite)."""
    for name in PROGRAMS:
        program = load(name)
        cols, items = population(name, 7, 3000)
        ev = ck.evaluate(program, cols, items=items or None)
        assert set(ev.tier.tolist()) >= set(range(len(program.tiers))), name


# --------------------------------------------------------------------------- hand-checked
def test_hubspot_min_points_hand_checked() -> None:
    program = load("hubspot")
    ev = ck.evaluate(
        program,
        {
            "id": ["a", "b", "c", "d"],
            "sourced_mrr": [249.99, 250.0, 1000.0, 5000.0],
            "managed_mrr": [40_000.0, 4000.0, 18_000.0, 60_000.0],
            "certified_staff": [0, 0, 0, 4],
        },
    )
    # a: 20,249.99 points but 249.99 < 250 sourced points; b: 2,250 points, 250 sourced;
    # c: 10,000 points, 1,000 sourced; d: 25,000 points: below Diamond's 35,000
    assert ev.tier_name.tolist() == ["Provider", "Gold", "Platinum", "Platinum"]
    g = ev.gaps()
    short = g.item_points["sourced_mrr"]
    assert math.isclose(short[0], 0.01, rel_tol=1e-9)
    assert short[1:].tolist() == [750.0, 4000.0, 0.0]  # b aims at Platinum: 1,000
    assert g.explain("d") == ["10,000 more points"]
    assert g.explain("c") == [
        "4 more certified_staff",
        "4,000 more points from sourced_mrr, that is 4,000 more sourced_mrr",
        "25,000 more points",
    ]
    assert g.explain("b") == [
        "750 more points from sourced_mrr, that is 750 more sourced_mrr",
        "7,750 more points",
    ]


def test_step_points_hand_checked() -> None:
    item = ck.ScoreItem("sourced_revenue", 5, per=100)
    assert item.points([0.0, 99.99, 100.0, 199.0, 200.0, 1e6]).tolist() == [
        0.0,
        0.0,
        5.0,
        5.0,
        10.0,
        50_000.0,
    ]
    # decimal boundaries count as a person counts them: 0.3 holds three whole 0.1
    tenth = ck.ScoreItem("csat", 1, per=0.1)
    assert tenth.points([0.3, 0.7, 2.3, 0.29]).tolist() == [3.0, 7.0, 23.0, 2.0]
    assert repr(item) == (
        "ScoreItem(metric='sourced_revenue', points_per_unit=5.0, max_points=float('inf'), "
        "required=False, per=100.0)"
    )


def test_step_gap_names_the_next_step() -> None:
    program = ck.Program(
        [ck.Tier("Provider"), ck.Tier("Gold", min_points={"sourced_revenue": 250})],
        scorecard=ck.Scorecard([ck.ScoreItem("sourced_revenue", 5, per=100)]),
    )
    g = ck.evaluate(program, {"sourced_revenue": [4_760.0, 5_000.0]}).gaps(to="Gold")
    # 47 steps = 235 points: 15 more points = 3 more steps = up to 5,000, that is 240 more
    assert g.item_points["sourced_revenue"].tolist() == [15.0, 0.0]
    assert g.item_via["sourced_revenue"].tolist() == [240.0, 0.0]
    assert g.explain(0) == [
        "15 more points from sourced_revenue, that is 240 more sourced_revenue at the current step"
    ]
    assert g.explain(1) == []
    raised = ck.evaluate(program, {"sourced_revenue": [4_760.0 + 240.0]})
    assert raised.tier_name.tolist() == ["Gold"]


def test_count_rule_hand_checked_and_phrased() -> None:
    program = load("aws")
    opps = {
        "partner": ["a"] * 3 + ["b"] * 5,
        "value": [10_000, 9_999.99, 50_000, 10_000, 10_000, 10_000, 20_000, 10_001],
    }
    certs = {"partner": ["a", "a", "b", "b", "b", "b"], "value": [1] * 6}
    ev = ck.evaluate(
        program,
        {"id": ["a", "b", "c"], "csat": [9.0, 9.0, 9.0]},
        items={"opportunities": opps, "certifications": certs},
    )
    assert ev.values["launched_10k"].tolist() == [2.0, 5.0, 0.0]
    assert ev.values["certifications"].tolist() == [2.0, 4.0, 0.0]
    assert ev.tier_name.tolist() == ["Select", "Advanced", ""]
    g = ev.gaps()
    assert g.explain("a") == [
        "2 more certifications",
        "2 more opportunities of at least $10,000 MRR",
    ]
    assert g.explain("b") == [
        "6 more certifications",
        "15 more opportunities of at least $10,000 MRR",
    ]
    assert g.explain("c") == [
        "2 more certifications",
        "1 more opportunities of at least $10,000 MRR",
    ]


def test_count_rule_reads_a_dataframe_and_dates() -> None:
    pd = pytest.importorskip("pandas")
    rule = ck.ItemCount("deals", min_value=1000, within_days=30)
    table = pd.DataFrame(
        {
            "partner": ["a", "a", "b", "b"],
            "value": [5000.0, 5000.0, 999.0, 1000.0],
            "date": pd.to_datetime(["2026-01-01", "2026-03-01", "2026-03-10", "2026-03-31"]),
        }
    )
    # as of the latest date (2026-03-31): the 30 days after 2026-03-01
    assert rule.count(["a", "b"], table).tolist() == [0, 1]
    assert rule.count(["a", "b"], table, as_of="2026-03-15").tolist() == [1, 0]
    program = ck.Program(
        [ck.Tier("Registered"), ck.Tier("Active", requirements={"recent": 1})],
        counts={"recent": rule},
    )
    ev = ck.evaluate(program, {"id": ["a", "b"]}, items={"deals": table}, as_of="2026-03-15")
    assert ev.tier_name.tolist() == ["Active", "Registered"]


def test_count_rule_without_items_reads_a_column() -> None:
    program = load("aws")
    ev = ck.evaluate(
        program, {"certifications": [2, 4], "launched_10k": [1, 3], "csat": [9.0, 9.0]}
    )
    assert ev.tier_name.tolist() == ["Select", "Select"]


def test_count_rule_errors() -> None:
    program = load("aws")
    with pytest.raises(ck.InvalidInputError, match="items=\\{'opportunities'"):
        ck.evaluate(program, {"id": ["a"], "csat": [9.0]})
    opps = {"partner": ["a", "zz"], "value": [1.0, 20_000.0]}
    certs = {"partner": [], "value": []}
    with pytest.raises(ck.InvalidInputError, match="'zz', which is not among"):
        ck.evaluate(
            program,
            {"id": ["a"], "csat": [9.0]},
            items={"opportunities": opps, "certifications": certs},
        )
    with pytest.raises(ck.InvalidInputError, match="no count of the program reads"):
        ck.evaluate(program, {"id": ["a"], "csat": [9.0]}, items={"deals": opps})
    with pytest.raises(ck.InvalidInputError, match="NaN"):
        ck.ItemCount("x").count(["a"], {"partner": ["a"], "value": [float("nan")]})
    with pytest.raises(ck.InvalidInputError, match="unknown column 'amount'"):
        ck.ItemCount("x").count(["a"], {"partner": ["a"], "amount": [1.0]})
    with pytest.raises(ck.InvalidInputError, match="no 'date' column"):
        ck.ItemCount("x", within_days=7).count(["a"], {"partner": ["a"], "value": [1.0]})
    with pytest.raises(ck.ProgramDefinitionError, match="within_days"):
        ck.ItemCount("x", within_days=0)
    with pytest.raises(ck.ProgramDefinitionError, match="ItemCount"):
        ck.Program([ck.Tier("A")], counts={"x": 3})  # type: ignore[dict-item]


def test_item_lookup_many_partners() -> None:
    """The hash-table lookup finds every item's partner, ids of any width included."""
    rng = np.random.default_rng(3)
    ids = np.array([f"P{i}" + "x" * (i % 5) for i in range(5000)])
    owner = ids[rng.integers(0, ids.size, 40_000)]
    counts = ck.ItemCount("x").count(ids, {"partner": owner, "value": np.ones(owner.size)})
    expected = np.unique(owner, return_counts=True)
    lookup = dict(zip(expected[0].tolist(), expected[1].tolist()))
    assert counts.tolist() == [lookup.get(i, 0) for i in ids.tolist()]


# --------------------------------------------------------------------------- validation
def test_min_points_validation() -> None:
    card = ck.Scorecard([ck.ScoreItem("sourced", 1.0, max_points=500)])
    with pytest.raises(ck.ProgramDefinitionError, match="no scorecard item scores 'other'"):
        ck.Program([ck.Tier("A", min_points={"other": 1})], scorecard=card)
    with pytest.raises(ck.ProgramDefinitionError, match="gives at most 500"):
        ck.Program([ck.Tier("A", min_points={"sourced": 600})], scorecard=card)
    with pytest.raises(ck.ProgramDefinitionError, match="has no scorecard"):
        ck.Program([ck.Tier("A", min_points={"sourced": 6})])
    with pytest.raises(ck.ProgramDefinitionError, match="less than 'A''s 100"):
        ck.Program(
            [ck.Tier("A", min_points={"sourced": 100}), ck.Tier("B", min_points={"sourced": 50})],
            scorecard=card,
        )
    with pytest.raises(ck.ProgramDefinitionError, match="has no min_points on 'sourced'"):
        ck.Program(
            [ck.Tier("A", min_points={"sourced": 100}), ck.Tier("B", requirements={"x": 1})],
            scorecard=card,
        )
    with pytest.raises(ck.ProgramDefinitionError, match="exactly the same rules"):
        ck.Program(
            [ck.Tier("A", min_points={"sourced": 10}), ck.Tier("B", inherit=True)],
            scorecard=card,
        )
    with pytest.raises(ck.ProgramDefinitionError, match="per"):
        ck.ScoreItem("x", 1, per=0)
    tier = ck.Tier("A", min_points={"sourced": 1})
    with pytest.raises(TypeError, match="min_points is read-only"):
        tier.min_points["sourced"] = 2  # type: ignore[index]


def test_inherited_ladder_is_checked_after_inheriting() -> None:
    # Advanced states only what it adds; a lower minimum than inherited is an error
    with pytest.raises(ck.ProgramDefinitionError, match="must not be easier"):
        ck.Program(
            [
                ck.Tier("Select", requirements={"certified": 4}),
                ck.Tier("Advanced", requirements={"certified": 2, "launched": 4}, inherit=True),
            ]
        )
    program = ck.Program(
        [
            ck.Tier("Select", requirements={"certified": 2}),
            ck.Tier("Advanced", requirements={"launched": 4}, inherit=True),
        ]
    )
    assert dict(program.tiers[1].requirements) == {"certified": 2.0, "launched": 4.0}
    # without inherit the same statement is a ladder error: it drops a rule
    with pytest.raises(ck.ProgramDefinitionError, match="must keep every rule"):
        ck.Program(
            [
                ck.Tier("Select", requirements={"certified": 2}),
                ck.Tier("Advanced", requirements={"launched": 4}),
            ]
        )


def test_inherited_equals_written_out() -> None:
    inherited, written = load("inherited"), load("aws")
    assert [t.requirements for t in inherited.tiers] == [t.requirements for t in written.tiers]
    assert [t.inherit for t in inherited.tiers] == [False, True, True]
    assert load("inherited").stated_tiers() != load("aws").stated_tiers()


# --------------------------------------------------------------------------- properties
metric_values = st.one_of(
    st.sampled_from([0.0, 0.1, 0.3, 1.0, 2.0, 100.0, 250.0, 1000.0, 9999.99, 10_000.0]),
    st.floats(0, 1e5, allow_nan=False).map(lambda x: round(x, 2)),
)


@st.composite
def ladders(draw: st.DrawFn) -> tuple[list[ck.Tier], list[ck.Tier], ck.Scorecard]:
    """A ladder stated with random ``inherit`` flags, and the same ladder written out."""
    card = ck.Scorecard(
        [
            ck.ScoreItem(
                "a",
                draw(st.sampled_from([0.5, 1.0, 3.0])),
                per=draw(st.sampled_from([None, 0.1, 1.0, 100.0])),
            ),
            ck.ScoreItem("b", 1.0, max_points=draw(st.sampled_from([math.inf, 5000.0]))),
        ]
    )
    k = draw(st.integers(1, 4))
    full: list[dict[str, Any]] = []
    current: dict[str, Any] = {"requirements": {}, "min_points": {}, "min_score": None}
    stated, written = [], []
    for i in range(k):
        raise_what = draw(st.sets(st.sampled_from(["x", "y", "score", "pa"]), min_size=1))
        own: dict[str, Any] = {"requirements": {}, "min_points": {}, "min_score": None}
        nxt = {
            "requirements": dict(current["requirements"]),
            "min_points": dict(current["min_points"]),
            "min_score": current["min_score"],
        }
        for what in sorted(raise_what):
            if what in ("x", "y"):
                v = nxt["requirements"].get(what, 0.0) + draw(st.sampled_from([1.0, 2.5, 10.0]))
                own["requirements"][what] = nxt["requirements"][what] = v
            elif what == "score":
                v = (nxt["min_score"] or 0.0) + draw(st.sampled_from([10.0, 100.0, 400.0]))
                own["min_score"] = nxt["min_score"] = v
            else:
                v = nxt["min_points"].get("a", 0.0) + draw(st.sampled_from([1.0, 15.0, 300.0]))
                own["min_points"]["a"] = nxt["min_points"]["a"] = v
        inherit = i > 0 and draw(st.booleans())
        stated.append(ck.Tier(f"T{i}", inherit=inherit, **(own if inherit else nxt)))
        written.append(ck.Tier(f"T{i}", **nxt))
        full.append(nxt)
        current = nxt
    return stated, written, card


@st.composite
def rows(draw: st.DrawFn, n: int = 12) -> dict[str, list[float]]:
    return {m: draw(st.lists(metric_values, min_size=n, max_size=n)) for m in "abxy"}


@given(ladders(), rows())
def test_inherited_ladder_evaluates_like_written_out(ladder: Any, cols: Any) -> None:
    stated, written, card = ladder
    a = ck.Program(stated, scorecard=card)
    b = ck.Program(written, scorecard=card)
    assert [t.requirements for t in a.tiers] == [t.requirements for t in b.tiers]
    ea, eb = ck.evaluate(a, cols), ck.evaluate(b, cols)
    assert ea.tier.tolist() == eb.tier.tolist()
    assert ea.tier.tolist() == [
        ref_tier(b, {m: cols[m][i] for m in "abxy"}) for i in range(len(cols["a"]))
    ]
    # the stated form round-trips through TOML and JSON
    for fmt in ("toml", "json"):
        assert io.loads_program(io.dumps_program(a, fmt), fmt) == a


@given(ladders(), rows(), st.data())
def test_raising_a_metric_never_lowers_a_tier(ladder: Any, cols: Any, data: Any) -> None:
    program = ck.Program(ladder[0], scorecard=ladder[2])
    before = ck.evaluate(program, cols).tier
    metric = data.draw(st.sampled_from("abxy"))
    bump = data.draw(
        st.lists(st.sampled_from([0.0, 0.01, 0.1, 1.0, 100.0]), min_size=12, max_size=12)
    )
    raised = {**cols, metric: [v + d for v, d in zip(cols[metric], bump)]}
    after = ck.evaluate(program, raised).tier
    assert (after >= before).all()


@given(ladders(), rows(), st.data())
def test_gaps_are_zero_exactly_when_the_rule_holds(ladder: Any, cols: Any, data: Any) -> None:
    program = ck.Program(ladder[0], scorecard=ladder[2])
    ev = ck.evaluate(program, cols)
    k = data.draw(st.integers(0, len(program.tiers) - 1))
    g = ev.gaps(to=k)
    tier = program.tiers[k]
    for i in range(len(cols["a"])):
        row = {m: cols[m][i] for m in "abxy"}
        assert (g.distance[i] == 0) == (ev.tier[i] >= k) == ref_meets(program, k, row)
        for m, v in tier.requirements.items():
            assert (g.requirements[m][i] == 0) == meets(f(row[m]), f(v))
        for m, v in tier.min_points.items():
            item = next(it for it in program.scorecard.items if it.metric == m)  # type: ignore[union-attr]
            holds = meets(ref_points(item, row[m]), f(v))
            assert (g.item_points[m][i] == 0) == holds
            if not holds and math.isfinite(g.item_via[m][i]):
                # raising the metric by the stated increase earns the points
                assert meets(ref_points(item, row[m] + g.item_via[m][i]), f(v))


@given(
    st.sampled_from([0.1, 0.25, 1.0, 3.0, 100.0, 1000.0]),
    st.sampled_from([0.5, 1.0, 5.0]),
    st.lists(st.integers(0, 10_000), min_size=1, max_size=30),
    st.lists(st.sampled_from([0.0, 0.001, -0.001, 0.5]), min_size=30, max_size=30),
)
def test_step_item_is_floor_of_whole_units(
    per: float, points: float, ks: list[int], jitter: list[float]
) -> None:
    # boundaries written as decimals (k x per, rounded to the decimal a person types)
    x = [round(k * per + j * per, 6) for k, j in zip(ks, jitter)]
    x = [max(v, 0.0) for v in x]
    item = ck.ScoreItem("m", points, per=per)
    got = item.points(x).tolist()
    assert got == [float(ref_steps(v, per) * f(points)) for v in x]
    # on a boundary the step counts in full
    exact = [float(ref_steps(round(k * per, 6), per)) for k in ks]
    assert exact == [float(k) for k in ks]


@given(st.integers(0, 2**32 - 1), st.data())
def test_more_or_larger_items_never_lower_a_tier(seed: int, data: Any) -> None:
    program = load("aws")
    cols, items = population("aws", seed, 40)
    before = ck.evaluate(program, cols, items=items).tier
    opps = dict(items["opportunities"])
    what = data.draw(st.sampled_from(["add", "raise"]))
    if what == "add" or not opps["value"]:
        who = data.draw(st.sampled_from(cols["id"]))
        value = data.draw(st.sampled_from([0.0, 9_999.99, 10_000.0, 50_000.0]))
        opps = {"partner": [*opps["partner"], who], "value": [*opps["value"], value]}
    else:
        i = data.draw(st.integers(0, len(opps["value"]) - 1))
        values = list(opps["value"])
        values[i] += data.draw(st.sampled_from([0.01, 1.0, 10_000.0]))
        opps = {"partner": opps["partner"], "value": values}
    after = ck.evaluate(program, cols, items={**items, "opportunities": opps}).tier
    assert (after >= before).all()


# --------------------------------------------------------------------------- files
@pytest.mark.parametrize("name", list(PROGRAMS))
def test_published_programs_round_trip(name: str) -> None:
    program = load(name)
    for fmt in ("toml", "json"):
        text = io.dumps_program(program, fmt)
        assert io.loads_program(text, fmt) == program
    if name == "inherited":
        assert "inherit = true" in io.dumps_program(program)
        # only what each tier adds is written
        assert io.program_to_dict(program)["tiers"][1]["requirements"] == {
            "certifications": 4.0,
            "launched_10k": 4.0,
        }


def test_program_files_reject_bad_new_keys() -> None:
    with pytest.raises(ck.ProgramDefinitionError, match=r"tiers\[0\].inherit"):
        io.loads_program('[[tiers]]\nname = "A"\ninherit = "yes"\n')
    with pytest.raises(ck.ProgramDefinitionError, match=r"counts.x.item"):
        io.loads_program('[counts.x]\nitem = "deals"\n[[tiers]]\nname = "A"\n')
    with pytest.raises(ck.ProgramDefinitionError, match=r"tiers\[0\].min_points"):
        io.loads_program('[[tiers]]\nname = "A"\nmin_points = 3\n')
    with pytest.raises(ck.ProgramDefinitionError, match=r"scorecard.items\[0\]"):
        io.loads_program(
            '[[scorecard.items]]\nmetric = "a"\npoints_per_unit = 1\nper = -1\n'
            '[[tiers]]\nname = "A"\n'
        )


# --------------------------------------------------------------------------- workload
def test_ramped_equivalents_textbook() -> None:
    assert ck.ramped_equivalents([20, 5], [1.0, 0.5], [0.85, 0.70]) == 18.75
    assert ck.ramped_equivalents(10, 0.5) == 5.0
    assert ck.ramped_equivalents([], [], []) == 0.0
    with pytest.raises(ck.InvalidInputError, match="ramp"):
        ck.ramped_equivalents([1], [1.5], [1.0])
    with pytest.raises(ck.InvalidInputError, match="same length"):
        ck.ramped_equivalents([1, 2], [1.0, 1.0, 1.0], 1.0)
    with pytest.raises(ck.InvalidInputError, match="people"):
        ck.ramped_equivalents([-1], [1.0], [1.0])


@given(
    st.lists(
        st.tuples(
            st.integers(0, 50),
            st.sampled_from([0.0, 0.25, 0.5, 1.0]),
            st.sampled_from([0.5, 0.85, 1.0, 1.2]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_ramped_equivalents_is_the_exact_sum(groups: list[tuple[int, float, float]]) -> None:
    people, ramp, att = zip(*groups)
    exact = sum((f(p) * f(r) * f(a) for p, r, a in groups), Fraction(0))
    assert ck.ramped_equivalents(list(people), list(ramp), list(att)) == pytest.approx(
        float(exact), rel=1e-15, abs=0
    )


def test_managers_needed_from_hours() -> None:
    assert ck.managers_needed(hours=9_100, hours_available=960) == 10
    assert ck.managers_needed(hours=[4_000.0, 5_100.0], hours_available=960) == 10
    assert ck.managers_needed(hours=9_600, hours_available=960) == 10
    assert ck.managers_needed(hours=0.0) == 0
    # the old spelling still works and agrees
    assert ck.managers_needed(1, 1, 9_100, hours_available=960) == 10
    with pytest.raises(ck.InvalidInputError, match="not both"):
        ck.managers_needed([1], [1], hours=10)
    with pytest.raises(ck.InvalidInputError, match="hours="):
        ck.managers_needed()
    with pytest.raises(ck.InvalidInputError, match="hours"):
        ck.managers_needed(hours=[-1.0])


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_published_programs_pickle_hash_and_repr(name: str) -> None:
    import pickle

    program = load(name)
    assert pickle.loads(pickle.dumps(program)) == program
    assert hash(program) == hash(load(name))
    text = repr(program)
    assert len(text) < 200 or text.startswith("Program(name=")
    small = ck.Program(
        [ck.Tier("A", requirements={"big": 1})],
        counts={"big": ck.ItemCount("deals", min_value=5.0, label="deals of 5 or more")},
    )
    assert eval(repr(small), {**vars(ck)}) == small
    with pytest.raises(TypeError, match="read-only"):
        small.counts["x"] = ck.ItemCount("deals")  # type: ignore[index]
