"""Tests of channelkit.tiers: program definition, evaluation, gaps and audit."""

from __future__ import annotations

import math
import pickle
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import channelkit as ck
from channelkit.datasets import example_portfolio, example_program

from ._reference import reference_tier
from .strategies import TIER_METRICS, programs, tier_populations

B = ck.Benefits


# --------------------------------------------------------------------------- published-style programs
def points_by_source() -> ck.Program:
    """Points per 1,000 of revenue weighted by how it was made, plus a minimum on one metric."""
    card = ck.Scorecard(
        [
            ck.ScoreItem("sourced_revenue", 3e-3),
            ck.ScoreItem("assisted_revenue", 2e-3),
            ck.ScoreItem("managed_revenue", 1e-3, max_points=100),
        ]
    )
    return ck.Program(
        [
            ck.Tier("Select", min_score=50),
            ck.Tier("Premier", min_score=200, requirements={"sourced_revenue": 20_000}),
            ck.Tier("Elite", min_score=500, requirements={"sourced_revenue": 100_000}),
        ],
        scorecard=card,
    )


def test_points_by_source_hand_checked() -> None:
    partners = {
        # points: 3*30 + 2*50 + min(1*200, 100) = 290 -> Premier (sourced 30k >= 20k)
        "sourced_revenue": [30_000, 10_000, 150_000, 0],
        # points: 3*10 + 2*100 + 0 = 230 but sourced 10k < 20k -> Select
        "assisted_revenue": [50_000, 100_000, 10_000, 0],
        # points: 450 + 20 + 100 = 570 -> Elite;  0 points -> no tier
        "managed_revenue": [200_000, 0, 900_000, 40_000],
    }
    ev = ck.evaluate(points_by_source(), partners)
    assert ev.score.tolist() == pytest.approx([290.0, 230.0, 570.0, 40.0])
    assert ev.tier.tolist() == [1, 0, 2, -1]
    assert ev.tier_name.tolist() == ["Premier", "Select", "Elite", ""]


def test_scorecard_with_required_item() -> None:
    card = ck.Scorecard(
        [ck.ScoreItem("deals", 10, max_points=300), ck.ScoreItem("certified", 50, required=True)]
    )
    program = ck.Program(
        [
            ck.Tier("Registered", requirements={"deals": 1}),
            ck.Tier("Partner", min_score=100, requirements={"deals": 1}),
        ],
        scorecard=card,
    )
    # partner 1 has 300 points but no certified staff: the scored tier is closed to it
    ev = ck.evaluate(program, {"deals": [5, 40, 0], "certified": [1, 0, 3]})
    assert ev.score.tolist() == [100.0, 300.0, 150.0]
    assert ev.tier.tolist() == [1, 0, -1]


def test_checklist_ladder_thresholds_are_inclusive() -> None:
    program = ck.Program(
        [
            ck.Tier("Registered"),
            ck.Tier("Silver", requirements={"certified_staff": 2, "revenue": 50_000}),
            ck.Tier("Gold", requirements={"certified_staff": 5, "revenue": 250_000, "csat": 8}),
        ]
    )
    ev = ck.evaluate(
        program,
        {
            "revenue": [250_000.0, 249_999.0, 50_000.0, 0.0],
            "certified_staff": [5, 9, 2, 0],
            "csat": [8.0, 10.0, 0.0, 0.0],
        },
    )
    assert ev.tier_name.tolist() == ["Gold", "Silver", "Silver", "Registered"]
    assert ev.counts() == {"Registered": 1, "Silver": 2, "Gold": 1, "": 0}
    assert np.isnan(ev.score).all()


def test_weighted_index_unlocks_tiers() -> None:
    card = ck.Scorecard.weighted_index(
        {"csat": 0.5, "certified_staff": 0.3, "growth": 0.2},
        {"csat": 10, "certified_staff": 10, "growth": 0.5},
    )
    program = ck.Program(
        [
            ck.Tier("Bronze", min_score=4),
            ck.Tier("Silver", min_score=6),
            ck.Tier("Gold", min_score=8),
        ],
        scorecard=card,
    )
    # index = 5*csat/10 + 3*min(staff/10, 1) + 2*min(max(growth, 0)/0.5, 1)
    ev = ck.evaluate(
        program,
        {
            "csat": [10.0, 8.0, 6.0, 2.0],
            "certified_staff": [20, 5, 0, 0],
            "growth": [0.5, 0.1, -0.3, 0],
        },
    )
    assert ev.score.tolist() == pytest.approx([10.0, 4.0 + 1.5 + 0.4, 3.0, 1.0])
    assert ev.tier_name.tolist() == ["Gold", "Bronze", "", ""]
    assert card.max_score == pytest.approx(10.0)


def test_weighted_index_rejects_a_string_required_and_unweighted_full_at() -> None:
    weights, full_at = {"csat": 1.0, "deals": 1.0}, {"csat": 10.0, "deals": 5.0}
    with pytest.raises(ck.ProgramDefinitionError, match=r"required=\['csat'\]"):
        ck.Scorecard.weighted_index(weights, full_at, required="csat")
    with pytest.raises(ck.ProgramDefinitionError, match="full_at.*'growth'.*no weight"):
        ck.Scorecard.weighted_index(weights, {**full_at, "growth": 0.5})
    with pytest.raises(ck.ProgramDefinitionError, match="full_at has no value for metric 'deals'"):
        ck.Scorecard.weighted_index(weights, {"csat": 10.0})
    card = ck.Scorecard.weighted_index(weights, full_at, required=["csat"])
    assert [it.required for it in card.items] == [True, False]


def test_scorecard_points_and_item_points() -> None:
    card = ck.Scorecard([ck.ScoreItem("x", 2.0, max_points=5), ck.ScoreItem("y", 1.0)])
    pts = card.points({"x": [1.0, 4.0], "y": [0.0, 3.0]})
    assert pts.tolist() == [[2.0, 0.0], [5.0, 3.0]]
    assert card.score({"x": [1.0, 4.0], "y": [0.0, 3.0]}).tolist() == [2.0, 8.0]
    assert ck.ScoreItem("g", 1.0).points([-3.0, 2.0]).tolist() == [0.0, 2.0]


# --------------------------------------------------------------------------- definition errors
@pytest.mark.parametrize(
    ("tiers", "words"),
    [
        (
            [
                ck.Tier("Silver", requirements={"deals": 5}),
                ck.Tier("Gold", requirements={"deals": 2}),
            ],
            ["'Gold'", "'Silver'", "deals", "easier"],
        ),
        (
            [ck.Tier("Silver", min_score=100), ck.Tier("Gold", min_score=90)],
            ["'Gold'", "'Silver'", "min_score", "easier"],
        ),
        (
            [
                ck.Tier("Silver", requirements={"deals": 5, "csat": 7}),
                ck.Tier("Gold", requirements={"deals": 9}),
            ],
            ["'Gold'", "'Silver'", "csat", "keep every rule"],
        ),
        (
            [ck.Tier("Silver", min_score=10), ck.Tier("Gold", requirements={"deals": 9})],
            ["'Gold'", "'Silver'", "min_score", "keep every rule"],
        ),
        (
            [
                ck.Tier("Silver", requirements={"deals": 5}),
                ck.Tier("Gold", requirements={"deals": 5}),
            ],
            ["'Gold'", "'Silver'", "same rules"],
        ),
        # always met, so no rule: the lower tier could never be reached
        ([ck.Tier("A"), ck.Tier("B", min_score=0)], ["'B'", "'A'", "same rules", "min_score"]),
        (
            [ck.Tier("A"), ck.Tier("B", requirements={"deals": 0})],
            ["'B'", "'A'", "same rules", "no rule"],
        ),
        (
            [
                ck.Tier("A", requirements={"deals": 2}),
                ck.Tier("B", requirements={"deals": 2, "x": -1}),
            ],
            ["'B'", "'A'", "same rules"],
        ),
    ],
)
def test_bad_ladders_name_both_tiers_and_the_rule(tiers: list[ck.Tier], words: list[str]) -> None:
    card = ck.Scorecard([ck.ScoreItem("deals", 1.0)])
    with pytest.raises(ck.ProgramDefinitionError) as info:
        ck.Program(tiers, scorecard=card)
    for word in words:
        assert word in str(info.value)


def test_unreachable_min_score_and_rules_that_always_hold() -> None:
    card = ck.Scorecard([ck.ScoreItem("deals", 10, max_points=200), ck.ScoreItem("x", 1, 50)])
    with pytest.raises(ck.ProgramDefinitionError, match="'Gold'.*min_score 300.*at most 250"):
        ck.Program(
            [ck.Tier("Silver", min_score=100), ck.Tier("Gold", min_score=300)], scorecard=card
        )
    # exactly the maximum is reachable (thresholds are inclusive)
    top = ck.Program(
        [ck.Tier("Silver", min_score=100), ck.Tier("Gold", min_score=250)], scorecard=card
    )
    assert ck.evaluate(top, {"deals": [20, 19], "x": [50, 50]}).tier.tolist() == [1, 0]
    # a min_score of 0 is a rule when an item is required, a minimum of 0 on a signed metric too
    needs = ck.Scorecard([ck.ScoreItem("deals", 10, required=True)])
    scored = ck.Program([ck.Tier("A"), ck.Tier("B", min_score=0)], scorecard=needs)
    assert ck.evaluate(scored, {"deals": [0, 1]}).tier.tolist() == [0, 1]
    signed = ck.Program([ck.Tier("A"), ck.Tier("B", requirements={"growth": 0})])
    assert ck.evaluate(signed, {"growth": [-0.1, 0.0]}).tier.tolist() == [0, 1]
    # a minimum of 0 on a count at the lowest tier is harmless
    assert (
        len(
            ck.Program(
                [ck.Tier("A", requirements={"deals": 0}), ck.Tier("B", requirements={"deals": 1})]
            ).tiers
        )
        == 2
    )


def test_other_definition_errors() -> None:
    with pytest.raises(ck.ProgramDefinitionError, match="no scorecard"):
        ck.Program([ck.Tier("A", min_score=1)])
    with pytest.raises(ck.ProgramDefinitionError, match="appears twice"):
        ck.Program([ck.Tier("A"), ck.Tier("A", requirements={"x": 1})])
    with pytest.raises(ck.ProgramDefinitionError, match="at least one Tier"):
        ck.Program([])
    with pytest.raises(ck.ProgramDefinitionError, match="scored twice"):
        ck.Scorecard([ck.ScoreItem("x", 1.0), ck.ScoreItem("x", 2.0)])
    with pytest.raises(ck.ProgramDefinitionError, match="points_per_unit"):
        ck.ScoreItem("x", 0.0)
    with pytest.raises(ck.ProgramDefinitionError, match="max_points"):
        ck.ScoreItem("x", 1.0, max_points=-1)
    with pytest.raises(ck.ProgramDefinitionError, match="not a numeric column"):
        ck.Tier("A", requirements={"region": 1})
    with pytest.raises(ck.ProgramDefinitionError, match="NaN"):
        ck.Tier("A", requirements={"x": math.nan})
    with pytest.raises(ck.ProgramDefinitionError, match="discount"):
        ck.Benefits(discount=1.5)
    with pytest.raises(ck.ProgramDefinitionError, match=r"discount \+ Benefits.rebate.*<= 1"):
        ck.Benefits(discount=0.9, rebate=0.9)
    assert ck.Benefits(discount=0.75, rebate=0.25).rate == 1.0
    with pytest.raises(ck.ProgramDefinitionError, match="review_every"):
        ck.ProgressionPolicy(review_every=0)
    with pytest.raises(ck.ProgramDefinitionError):
        ck.Program([ck.Tier("A")], policy="quarterly")  # type: ignore[arg-type]
    assert issubclass(ck.ProgramDefinitionError, ValueError)


def test_program_helpers() -> None:
    program = example_program()
    assert program.index("Gold") == 2
    assert program.index(-1) == 3
    with pytest.raises(ck.InvalidInputError, match="no tier named 'Diamond'"):
        program.index("Diamond")
    with pytest.raises(ck.InvalidInputError):
        program.index(7)
    assert set(program.metrics) == {
        "revenue",
        "certified_staff",
        "registered_deals",
        "certifications",
        "csat",
    }
    # Platinum: 15 % + 2 % of 1,000,000 + 25,000 mdf + 15,000 to serve; no tier costs nothing
    assert program.benefit_cost([3, -1], [1e6, 1e6]).tolist() == pytest.approx([210_000.0, 0.0])
    assert eval(repr(program.tiers[1]), vars(ck)) == program.tiers[1]
    # issue #8: a program too large for a 200-character line shows a one-line summary
    assert repr(program) == (
        "Program(name='Example channel partner program', "
        "tiers=['Registered', 'Silver', 'Gold', 'Platinum'], scorecard=<4 items>)"
    )
    two = ck.Program([ck.Tier("A"), ck.Tier("B", requirements={"x": 1})], name="p")
    assert eval(repr(two), vars(ck)) == two
    uncapped = ck.Program([ck.Tier("A")], scorecard=ck.Scorecard([ck.ScoreItem("x", 1.0)]))
    assert "max_points=float('inf')" in repr(uncapped)
    assert eval(repr(uncapped), vars(ck)) == uncapped


def test_tier_requirements_are_read_only_and_programs_hashable() -> None:
    program = ck.Program(
        [ck.Tier("Silver", requirements={"d": 2}), ck.Tier("Gold", requirements={"d": 5})]
    )
    gold = program.tiers[1]
    for mutate in (
        lambda r: r.__setitem__("d", 0.0),
        lambda r: r.__delitem__("d"),
        lambda r: r.update(d=0.0),
        lambda r: r.pop("d"),
        lambda r: r.setdefault("e", 1.0),
        lambda r: r.clear(),
    ):
        with pytest.raises(TypeError, match="read-only"):
            mutate(gold.requirements)
    assert gold.requirements == {"d": 5.0}
    # the ladder keeps working as validated: d = 1 meets nothing, d = 3 is Silver
    assert ck.evaluate(program, {"d": [1.0, 3.0]}).tier.tolist() == [-1, 0]
    # frozen objects are hashable and equal objects hash alike
    twin = ck.Program(
        [ck.Tier("Silver", requirements={"d": 2}), ck.Tier("Gold", requirements={"d": 5.0})]
    )
    assert hash(gold) == hash(twin.tiers[1]) and hash(program) == hash(twin)
    assert len({program, twin, example_program()}) == 2
    # an evolved tier is the way to change rules
    easier = attrs.evolve(gold, requirements={"d": 4})
    assert easier.requirements == {"d": 4.0} and isinstance(easier.requirements, ck.Requirements)
    assert pickle.loads(pickle.dumps(program)) == program


def test_kernel_takes_the_highest_tier_met_even_off_a_nested_ladder() -> None:
    # Program validation prevents such a ladder; the kernel must not rely on it
    program = ck.Program(
        [ck.Tier("S", requirements={"d": 2}), ck.Tier("G", requirements={"d": 5})]
    )
    odd = (ck.Tier("S", requirements={"d": 2}), ck.Tier("G", requirements={"e": 1}))
    object.__setattr__(program, "tiers", odd)  # bypass validation on purpose
    cols = {"d": np.array([1.0, 3.0, 0.0, 3.0]), "e": np.array([0.0, 0.0, 1.0, 1.0])}
    expected = [
        reference_tier(program, {m: float(v[i]) for m, v in cols.items()}) for i in range(4)
    ]
    assert expected == [-1, 0, 1, 1]
    assert ck.evaluate(program, cols).tier.tolist() == expected


# --------------------------------------------------------------------------- input errors
def test_missing_nan_and_negative_metrics_raise() -> None:
    program = ck.Program([ck.Tier("A", requirements={"deals": 1, "growth": 0.0})])
    with pytest.raises(ck.InvalidInputError, match="needs metric 'growth'.*tier 'A'"):
        ck.evaluate(program, {"deals": [1.0]})
    with pytest.raises(ck.InvalidInputError, match=r"'deals' of partner '1' \(row 1\).*negative"):
        ck.evaluate(program, {"deals": [1.0, -2.0], "growth": [0.0, 0.0]})
    # growth is signed by default
    ev = ck.evaluate(program, {"deals": [1.0, 2.0], "growth": [-0.5, 0.1]})
    assert ev.tier.tolist() == [-1, 0]
    # a metric made signed on purpose
    signed = ck.Program(program.tiers, signed_metrics=("deals", "growth"))
    assert ck.evaluate(signed, {"deals": [-1.0], "growth": [0.0]}).tier.tolist() == [-1]
    # revenue_prior is NaN where unknown: a program that uses it needs it known
    prior = ck.Program([ck.Tier("A", requirements={"revenue_prior": 1})])
    pf = ck.Portfolio(["x", "y"], revenue=[1, 2], revenue_prior=[5.0, math.nan])
    with pytest.raises(ck.InvalidInputError, match=r"'revenue_prior' of partner 'y'.*NaN"):
        ck.evaluate(prior, pf)
    with pytest.raises(ck.InvalidInputError, match="program must be a Program"):
        ck.evaluate("gold", pf)  # type: ignore[arg-type]


def test_all_population_forms_agree_and_input_is_not_mutated() -> None:
    pf = example_portfolio()
    program = example_program()
    before = {k: v.copy() for k, v in pf.metrics.items()}
    base = ck.evaluate(program, pf)
    cols = {k: np.array(v) for k, v in pf.to_columns().items()}
    assert np.array_equal(ck.evaluate(program, cols).tier, base.tier)
    assert np.array_equal(ck.evaluate(program, pf.to_frame()).tier, base.tier)
    assert np.array_equal(ck.evaluate(program, pf.to_partners()).tier, base.tier)
    assert np.array_equal(program.evaluate(pf).score, base.score)
    for k, v in before.items():
        assert np.array_equal(pf.metrics[k], v)


# --------------------------------------------------------------------------- gaps
def test_gaps_hand_checked() -> None:
    card = ck.Scorecard([ck.ScoreItem("deals", 10, max_points=200), ck.ScoreItem("revenue", 1e-3)])
    program = ck.Program(
        [
            ck.Tier("Silver", min_score=100, requirements={"staff": 1}),
            ck.Tier("Gold", min_score=300, requirements={"staff": 4}),
        ],
        scorecard=card,
    )
    ev = ck.evaluate(
        program, {"revenue": [50_000.0, 400_000.0, 0.0], "deals": [10, 0, 30], "staff": [2, 9, 0]}
    )
    assert ev.tier.tolist() == [0, 1, -1]
    g = ev.gaps()
    assert g.target.tolist() == [1, -1, 0]
    # partner 0: 150 points, 2 staff -> Gold needs 150 points and 2 staff
    assert g.requirements["staff"][[0, 2]].tolist() == [2.0, 1.0]
    assert g.points is not None
    assert g.points[[0, 2]].tolist() == [150.0, 0.0]
    # deals can add only 100 more points (cap 200): cannot close 150 alone
    assert g.via["deals"][0] == math.inf
    assert g.via["revenue"][0] == pytest.approx(150_000.0)
    assert g.via["deals"][2] == 0.0
    # partner 1 is at the top: no target
    assert np.isnan(g.requirements["staff"][1]) and np.isnan(g.distance[1])
    # distance: largest relative shortfall (staff 2/4 vs points 150/300)
    assert g.distance[[0, 2]].tolist() == [0.5, 1.0]
    assert g.closest(5).tolist() == [0, 2]
    to_silver = ev.gaps(to="Silver")
    assert to_silver.requirements["staff"].tolist() == [0.0, 0.0, 1.0]
    assert to_silver.met.tolist() == [True, True, False]
    assert ev.gaps(to=0).requirements["staff"].tolist() == [0.0, 0.0, 1.0]
    cols = g.to_columns()
    assert list(cols) == [
        "id",
        "tier",
        "target",
        "short_staff",
        "points",
        "points_via_deals",
        "points_via_revenue",
        "distance",
    ]
    assert cols["target"].tolist() == ["Gold", "", "Silver"]
    assert repr(g) == "Gaps(partners=3, with_target=2, met=0)"
    with pytest.raises(ck.InvalidInputError, match="no tier named"):
        ev.gaps(to="Diamond")


def test_gap_columns_never_overwrite_each_other() -> None:
    # metrics named like report columns: "points", "target", "tier", "distance", "id"-like
    card = ck.Scorecard([ck.ScoreItem("points", 1.0, required=True), ck.ScoreItem("tier", 2.0)])
    program = ck.Program(
        [
            ck.Tier("Silver", min_score=100, requirements={"target": 3, "distance": 1}),
            ck.Tier("Gold", min_score=500, requirements={"target": 4, "distance": 2}),
        ],
        scorecard=card,
    )
    ev = ck.evaluate(
        program,
        {"points": [150.0, 0.0], "tier": [0.0, 0.0], "target": [3.0, 1.0], "distance": [1.0, 1.0]},
    )
    g = ev.gaps()
    cols = g.to_columns()
    assert cols["target"].tolist() == ["Gold", "Silver"]
    assert cols["tier"].tolist() == ["Silver", ""]
    assert cols["short_target"].tolist() == [1.0, 2.0]
    assert cols["short_distance"].tolist() == [1.0, 0.0]
    assert cols["points"].tolist() == [350.0, 100.0]
    assert cols["points_via_points"].tolist() == [350.0, 100.0]
    assert cols["points_via_tier"].tolist() == [175.0, 50.0]
    assert cols["required_points"].tolist() == [False, True]
    assert cols["distance"].tolist() == g.distance.tolist()
    n_columns = 3 + len(g.requirements) + 1 + len(g.via) + len(g.required) + 1
    assert len(cols) == n_columns
    frame = g.to_frame()
    assert frame["target"].tolist() == ["Gold", "Silver"]


def test_gaps_report_required_items() -> None:
    card = ck.Scorecard([ck.ScoreItem("deals", 10), ck.ScoreItem("certified", 1, required=True)])
    program = ck.Program([ck.Tier("Partner", min_score=20)], scorecard=card)
    g = ck.evaluate(program, {"deals": [5, 5], "certified": [0, 1]}).gaps(to="Partner")
    assert g.required["certified"].tolist() == [True, False]
    assert g.points is not None and g.points.tolist() == [0.0, 0.0]
    assert g.distance.tolist() == [1.0, 0.0]


def test_gaps_do_not_share_arrays_with_the_evaluation() -> None:
    ev = ck.evaluate(example_program(), example_portfolio())
    before = ev.tier.copy()
    g = ev.gaps()
    assert not np.shares_memory(g.tier, ev.tier)
    g.tier[:] = 99  # editing the gaps table must not move partners between tiers
    assert np.array_equal(ev.tier, before)
    assert ev.counts() == ck.evaluate(example_program(), example_portfolio()).counts()
    assert not g.ids.flags.writeable or not np.shares_memory(g.ids, ev.partners.ids)


# --------------------------------------------------------------------------- result objects
def test_by_tier_summary_and_frames() -> None:
    program = ck.Program(
        [
            ck.Tier("Silver", requirements={"deals": 1}, benefits=B(discount=0.1)),
            ck.Tier("Gold", requirements={"deals": 5}, benefits=B(mdf=1000, cost_to_serve=500)),
        ]
    )
    pf = ck.Portfolio(
        ["a", "b", "c", "d"], revenue=[100.0, 200.0, 300.0, 400.0], metrics={"deals": [0, 1, 5, 9]}
    )
    ev = ck.evaluate(program, pf)
    t = ev.by_tier()
    assert t["tier"].tolist() == ["Silver", "Gold", ""]
    assert t["partners"].tolist() == [1, 2, 1]
    assert t["revenue"].tolist() == [200.0, 700.0, 100.0]
    assert t["revenue_share"].tolist() == pytest.approx([0.2, 0.7, 0.1])
    assert t["benefit_cost"].tolist() == [20.0, 3000.0, 0.0]
    frame = ev.to_frame()
    assert frame["tier"].tolist() == ["", "Silver", "Gold", "Gold"]
    assert "score" not in frame
    # issue #8: summary() is the text report; the old summary() table is to_frame(by="tier")
    assert ev.to_frame(by="tier")["partners"].sum() == 4
    assert isinstance(ev.summary(), str)
    assert repr(ev) == "Evaluation(partners=4, tiers={'Silver': 1, 'Gold': 2, 'no tier': 1})"
    assert len(ev) == 4


def test_plot_uses_given_axes() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    out = ck.evaluate(example_program(), example_portfolio()).plot(ax=ax)
    assert out is ax and len(ax.patches) == 5
    plt.close(fig)


# --------------------------------------------------------------------------- audit
def test_audit_finds_each_kind() -> None:
    program = ck.Program(
        [
            ck.Tier("Member", requirements={"deals": 0}),
            ck.Tier("Silver", requirements={"deals": 1}, benefits=B(cost_to_serve=10)),
            ck.Tier("Silver+", requirements={"deals": 1.05}),
            ck.Tier("Gold", requirements={"deals": 50}, benefits=B(mdf=1_000_000)),
            ck.Tier("Platinum", requirements={"deals": 1000}),
        ]
    )
    deals = [0.0] * 2 + [1.0] * 95 + [2.0] * 2 + [60.0]
    revenue = [1000.0] * 99 + [10.0]
    audit = ck.audit_program(program, {"deals": deals, "revenue": revenue}, rare=0.02)
    kinds = {(f.kind, f.tier) for f in audit}
    assert ("crowded", "Silver") in kinds  # 95 of 100
    assert ("rare", "Gold") in kinds  # 1 of 100
    assert ("unreached", "Platinum") in kinds
    assert ("above_population", "Platinum") in kinds
    assert ("flat_step", "Silver+") in kinds  # 1 -> 1.05
    assert ("steep_step", "Platinum") in kinds  # 50 -> 1000
    assert ("disproportionate_cost", "Gold") in kinds  # ~all cost, 0.01 % of revenue
    # Member: deals >= 0 is met by all, but it is the lowest tier: fine
    assert ("below_population", "Member") not in kinds
    assert len(audit) == len(audit.kinds()) == len(audit.to_frame())
    assert "findings" in repr(audit)


def test_audit_below_population_and_argument_checks() -> None:
    program = ck.Program([ck.Tier("A"), ck.Tier("B", requirements={"x": 1})])
    audit = ck.audit_program(program, {"x": [3.0, 4.0]})
    assert ("below_population", "B") in {(f.kind, f.tier) for f in audit}
    with pytest.raises(ck.InvalidInputError, match="flat"):
        ck.audit_program(program, {"x": [3.0]}, flat=0.5)
    with pytest.raises(ck.InvalidInputError, match="empty"):
        ck.audit_program(program, {"x": np.zeros(0)})


def test_audit_flags_thresholds_by_the_share_of_partners_meeting_them() -> None:
    program = ck.Program(
        [
            ck.Tier("Member", requirements={"csat": 1}),
            ck.Tier("Silver", requirements={"csat": 1, "deals": 1}),
            ck.Tier("Gold", requirements={"csat": 1, "deals": 40}),
        ]
    )
    # 1 partner in 200 has 50 deals (0.5 % < rare), 180 of 200 have >= 1 deal (90 % >= crowded)
    deals = np.array([50.0] + [2.0] * 179 + [0.0] * 20)
    csat = np.array([5.0] * 199 + [0.0])
    audit = ck.audit_program(program, {"deals": deals, "csat": csat})
    found = {(f.kind, f.tier, f.rule): f for f in audit}
    above = found[("above_population", "Gold", "deals")]
    assert above.value == pytest.approx(0.005) and "0.5%" in above.message
    below = found[("below_population", "Silver", "deals")]
    assert below.value == pytest.approx(0.9)
    # csat >= 1 is met by 199 of 200 on Silver and Gold; on the lowest tier it is fine
    assert found[("below_population", "Gold", "csat")].value == pytest.approx(0.995)
    assert ("below_population", "Member", "csat") not in found
    # tighter settings: nothing is far from the population
    calm = ck.audit_program(program, {"deals": deals, "csat": csat}, rare=0.001, crowded=0.999)
    assert not {"above_population", "below_population"} & set(calm.kinds())
    with pytest.raises(ck.InvalidInputError, match="rare = 0.5 must be less than crowded = 0.5"):
        ck.audit_program(program, {"deals": deals, "csat": csat}, rare=0.5, crowded=0.5)


def test_empty_population_evaluates_to_empty_results() -> None:
    program = example_program()
    ev = ck.evaluate(program, {m: np.zeros(0) for m in program.metrics})
    assert len(ev) == 0 and ev.tier.shape == (0,) and ev.score.shape == (0,)
    assert ev.by_tier()["partners"].tolist() == [0] * 5
    assert len(ev.gaps()) == 0 and ev.gaps().closest(3).tolist() == []


def test_audit_of_example_program() -> None:
    audit = ck.audit_program(example_program(), example_portfolio())
    assert audit.table["partners"].sum() == 500
    assert all(f.kind != "unreached" for f in audit)


# --------------------------------------------------------------------------- properties
@given(programs(), tier_populations())
def test_matches_slow_reference(program: ck.Program, cols: dict[str, Any]) -> None:
    ev = ck.evaluate(program, cols)
    n = len(cols["a"])
    expected = [reference_tier(program, {m: float(cols[m][i]) for m in cols}) for i in range(n)]
    assert ev.tier.tolist() == expected


@given(programs(), tier_populations(), st.sampled_from(TIER_METRICS), st.integers(1, 5), st.data())
def test_raising_a_metric_never_lowers_the_tier(
    program: ck.Program, cols: dict[str, Any], metric: str, bump: int, data: st.DataObject
) -> None:
    n = len(cols["a"])
    rows = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    before = ck.evaluate(program, cols).tier
    raised = dict(cols)
    raised[metric] = cols[metric].copy()
    raised[metric][rows] += bump
    after = ck.evaluate(program, raised).tier
    assert (after >= before).all()


@given(programs(), tier_populations(), st.data())
def test_gaps_are_zero_exactly_for_met_rules(
    program: ck.Program, cols: dict[str, Any], data: st.DataObject
) -> None:
    ev = ck.evaluate(program, cols)
    to = data.draw(st.sampled_from(["next", *program.tier_names]))
    g = ev.gaps(to=to)
    has = g.target >= 0
    for k, tier in enumerate(program.tiers):
        sel = has & (g.target == k)
        if not sel.any():
            continue
        for m, minimum in tier.requirements.items():
            short = g.requirements[m][sel]
            x = cols[m][sel]
            assert ((short == 0) == (x >= minimum)).all()
            assert np.allclose(short, np.maximum(minimum - x, 0))
        if tier.min_score is not None:
            assert g.points is not None
            pts = g.points[sel]
            assert ((pts == 0) == (ev.score[sel] >= tier.min_score)).all()
        # a required item is flagged exactly where the target uses a score and the metric is <= 0
        required = (
            [it.metric for it in program.scorecard.items if it.required]
            if program.scorecard
            else []
        )
        for m in required:
            if tier.min_score is not None:
                assert (g.required[m][sel] == (cols[m][sel] <= 0)).all()
            elif m in g.required:
                assert not g.required[m][sel].any()
    if program.scorecard is not None and g.points is not None:
        assert set(g.required) == {it.metric for it in program.scorecard.items if it.required}
    for flags in g.required.values():
        assert not flags[~has].any()
    # a partner meets its target exactly when the evaluated tier is at or above it
    assert (g.met == (has & (ev.tier >= g.target))).all()
    if to == "next":
        assert not g.met.any()
        assert (np.isnan(g.distance) == ~has).all()


@given(programs(), tier_populations(), st.sampled_from([0.1, 0.7, 0.3, 1e-3, 3.3]))
def test_closing_increase_closes_the_points_gap(
    program: ck.Program, cols: dict[str, Any], unit: float
) -> None:
    # odd per-unit values (0.1, 0.7, ...) make rounding bite: check exactly, with evaluate
    if program.scorecard is not None:
        program = attrs.evolve(
            program,
            scorecard=ck.Scorecard(
                [
                    attrs.evolve(it, points_per_unit=it.points_per_unit * unit)
                    for it in program.scorecard.items
                ]
            ),
        )
    cols = {m: v * unit if m != "revenue" else v for m, v in cols.items()}
    ev = ck.evaluate(program, cols)
    g = ev.gaps()
    if g.points is None or program.scorecard is None:
        return
    need = np.array([np.nan if t.min_score is None else t.min_score for t in program.tiers])
    gap_rows = np.flatnonzero(g.points > 0)
    assert (g.target[gap_rows] >= 0).all()
    for it in program.scorecard.items:
        inc = g.via[it.metric]
        assert (inc[g.target >= 0][g.points[g.target >= 0] <= 0] == 0).all()
        finite = gap_rows[np.isfinite(inc[gap_rows])]
        assert (inc[finite] > 0).all()
        raised = dict(cols)
        raised[it.metric] = cols[it.metric].copy()
        raised[it.metric][finite] += inc[finite]
        after = ck.evaluate(program, raised)
        # the raised metric alone closes the points gap, exactly as evaluate scores it
        assert (after.score[finite] >= need[g.target[finite]]).all()
        # ... and reaches the target where points were all that was missing
        others = np.zeros(len(g), dtype=bool)
        for short in g.requirements.values():
            others |= short > 0
        for miss in g.required.values():
            others |= miss
        alone = finite[~others[finite]]
        assert (after.tier[alone] >= g.target[alone]).all()
        # infinite: even at its cap the item cannot close the gap
        capped = gap_rows[np.isinf(inc[gap_rows])]
        assert math.isfinite(it.max_points) or capped.size == 0
        maxed = dict(cols)
        maxed[it.metric] = cols[it.metric].copy()
        maxed[it.metric][capped] = (
            np.abs(cols[it.metric][capped]) + 2 * it.max_points / it.points_per_unit
        )
        at_cap = ck.evaluate(program, maxed)
        assert (at_cap.score[capped] < need[g.target[capped]]).all()


def test_closing_increase_survives_rounding() -> None:
    # 0.1 points per unit: the closed form 996.9 left the score at 99.99999999999999
    card = ck.Scorecard([ck.ScoreItem("x", 0.1), ck.ScoreItem("y", 0.7, max_points=50)])
    program = ck.Program([ck.Tier("T", min_score=100)], scorecard=card)
    g = ck.evaluate(program, {"x": [1.0], "y": [0.3]}).gaps()
    assert g.via["x"][0] == pytest.approx(996.9) and g.via["y"][0] == math.inf
    after = ck.evaluate(program, {"x": [1.0 + g.via["x"][0]], "y": [0.3]})
    assert after.tier.tolist() == [0] and after.score[0] >= 100


@given(programs(), tier_populations())
def test_score_is_sum_of_capped_points(program: ck.Program, cols: dict[str, Any]) -> None:
    if program.scorecard is None:
        return
    ev = ck.evaluate(program, cols)
    pts = program.scorecard.points(
        {m: np.maximum(cols[m], 0) if m == "growth" else cols[m] for m in cols}
    )
    assert np.allclose(ev.score, pts.sum(axis=1))
    assert (ev.score >= 0).all() and (ev.score <= program.scorecard.max_score).all()


def test_blocked_kernel_matches_reference_across_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    import channelkit._scoring as tiers_module

    pf = example_portfolio()
    program = example_program()
    whole = ck.evaluate(program, pf)
    monkeypatch.setattr(tiers_module, "BLOCK", 7)  # 500 partners -> 72 blocks, a ragged last one
    blocked = ck.evaluate(program, pf)
    assert np.array_equal(blocked.tier, whole.tier)
    assert np.array_equal(blocked.score, whole.score)
    cols = {m: pf.column(m) for m in program.metrics}
    expected = [
        reference_tier(program, {m: float(cols[m][i]) for m in cols}) for i in range(len(pf))
    ]
    assert whole.tier.tolist() == expected


# --------------------------------------------------------------------------- command line
def test_cli_tiers_report_and_gaps_csv(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    import csv

    from channelkit.cli import main
    from channelkit.datasets import data_path

    partners = tmp_path / "partners.csv"
    example_portfolio().to_csv(partners)
    out_csv = tmp_path / "gaps.csv"
    program = str(data_path("example_program.toml"))
    assert main(["tiers", program, str(partners), "--gaps", str(out_csv), "--top", "3"]) == 0
    out = capsys.readouterr().out
    ev = ck.evaluate(example_program(), example_portfolio())
    for name, count in ev.counts().items():
        if name:
            assert any(line.split()[:2] == [name, str(count)] for line in out.splitlines())
    assert "Closest to their next tier" in out and "top 3" in out
    with out_csv.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 500
    gaps = ev.gaps()
    assert [r["target"] for r in rows] == gaps.to_columns()["target"].tolist()
    assert [float(r["short_certified_staff"] or "nan") for r in rows] == pytest.approx(
        gaps.requirements["certified_staff"].tolist(), nan_ok=True
    )


def test_cli_tiers_errors_and_demo(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from channelkit.cli import main

    partners = tmp_path / "partners.csv"
    example_portfolio().to_csv(partners)
    bad = tmp_path / "program.toml"
    bad.write_text('[[tiers]]\nname = "A"\nbogus = 1\n')
    assert main(["tiers", str(bad), str(partners)]) == 1
    err = capsys.readouterr().err
    assert "program.toml" in err and "tiers[0].bogus" in err
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Tiers\n=====" in out and "Program audit" in out and "Redesign" in out


def test_cli_tiers_top_empty_input_order_and_single_evaluation(
    tmp_path: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import channelkit.tiers as tiers_module
    from channelkit.cli import main
    from channelkit.datasets import data_path

    program = str(data_path("example_program.toml"))
    partners = tmp_path / "partners.csv"
    example_portfolio().to_csv(partners)
    for bad in ("0", "-2"):
        with pytest.raises(SystemExit) as info:
            main(["tiers", program, str(partners), "--top", bad])
        assert info.value.code == 2
        assert "--top: expected a whole number >= 1" in capsys.readouterr().err
    # an empty partners file: nobody is "at the top tier"
    empty = tmp_path / "empty.csv"
    header = partners.read_text().splitlines()[0]
    empty.write_text(header + "\n")
    assert main(["tiers", program, str(empty)]) == 0
    out = capsys.readouterr().out
    assert "(no partners)" in out and "top tier" not in out
    # the list is sorted smallest shortfall first, as the header says; one evaluation only
    calls = []
    real = tiers_module.evaluate

    def counting(*args: Any, **kwargs: Any) -> ck.Evaluation:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(tiers_module, "evaluate", counting)
    out_csv = tmp_path / "gaps.csv"
    assert main(["tiers", program, str(partners), "--top", "8", "--gaps", str(out_csv)]) == 0
    assert len(calls) == 1
    out = capsys.readouterr().out
    assert "(smallest relative shortfall first), top 8:" in out
    listed = [line for line in out.splitlines() if line.startswith("  P")]
    shares = [float(line.split("%")[0].split()[-1]) for line in listed]
    assert len(shares) == 8 and shares == sorted(shares)


def test_cli_demo_redesign_line_follows_the_program(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import channelkit.datasets as datasets_module
    from channelkit.cli import main

    base = example_program()
    gold = attrs.evolve(base.tiers[2], min_score=300.0)
    changed = attrs.evolve(base, tiers=(*base.tiers[:2], gold, base.tiers[3]))
    monkeypatch.setattr(datasets_module, "example_program", lambda: changed)
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Redesign: Gold's minimum score 300 -> 400 " in out


def test_helper_inputs_are_validated() -> None:
    program = example_program()
    with pytest.raises(ck.InvalidInputError, match="tier = 4"):
        program.benefit_cost([4], [1.0])
    with pytest.raises(ck.InvalidInputError, match=r"revenue\[0\]"):
        program.benefit_cost([0], [-1.0])
    with pytest.raises(ck.InvalidInputError, match="NaN"):
        ck.ScoreItem("x", 1.0).points([math.nan])
    with pytest.raises(ck.InvalidInputError, match="negative"):
        ck.Benefits(mdf=1.0).cost([-5.0])
    card = ck.Scorecard([ck.ScoreItem("growth", 10.0)])
    assert card.points({"growth": [-1.0, 0.5]}).tolist() == [[0.0], [5.0]]
    with pytest.raises(ck.InvalidInputError, match="negative"):
        card.points({"growth": [-1.0]}, signed_metrics=())


# --------------------------------------------------------------------------- issue #8: protocol, pandas
def test_evaluation_and_gaps_frames_keep_a_dataframe_index() -> None:
    pd = pytest.importorskip("pandas")
    program = ck.Program([ck.Tier("Silver", requirements={"deals": 1}),
                          ck.Tier("Gold", requirements={"deals": 5})])  # fmt: skip
    df = pd.DataFrame({"deals": [0, 1, 5, 9]}, index=pd.Index([40, 10, 30, 20], name="acct"))
    ev = ck.evaluate(program, df)
    frame = ev.to_frame()
    assert frame.index.equals(df.index)
    assert frame["tier"].tolist() == ["", "Silver", "Gold", "Gold"]
    assert frame["tier_index"].tolist() == [-1, 0, 1, 1]
    gaps = ev.gaps().to_frame()
    assert gaps.index.equals(df.index) and "id" not in gaps
    assert gaps.loc[40, "short_deals"] == 1.0 and gaps.loc[10, "short_deals"] == 4.0
    # numpy in: the frame is indexed by partner id
    by_id = ck.evaluate(program, {"id": ["a", "b", "c", "d"], "deals": [0, 1, 5, 9]}).to_frame()
    assert by_id.index.name == "id" and by_id.index.tolist() == ["a", "b", "c", "d"]
    tiers = ev.to_frame(by="tier")
    assert tiers.index.tolist() == ["Silver", "Gold", ""]
    assert tiers["partners"].tolist() == [1, 2, 1]
    with pytest.raises(ck.InvalidInputError, match="by must be"):
        ev.to_frame(by="manager")


@given(programs(), tier_populations(), st.sampled_from(["range", "text", "shuffled"]))
def test_dataframe_in_frames_out_with_the_portfolio_values(
    program: ck.Program, cols: dict[str, Any], kind: str
) -> None:
    pd = pytest.importorskip("pandas")
    n = len(cols["revenue"])
    index = {
        "range": pd.RangeIndex(n),
        "text": pd.Index([f"p{i}" for i in range(n)]),
        "shuffled": pd.Index(np.random.default_rng(n).permutation(n) + 7),
    }[kind]
    df = pd.DataFrame(cols, index=index)
    ev_df = ck.evaluate(program, df)
    ev_np = ck.evaluate(program, cols)
    frame = ev_df.to_frame()
    assert frame.index.equals(index)
    assert np.array_equal(frame["tier_index"].to_numpy(), ev_np.tier)
    assert frame["tier"].tolist() == ev_np.tier_name.tolist()
    if program.scorecard is not None:
        np.testing.assert_array_equal(frame["score"].to_numpy(), ev_np.score)
    gaps_df, gaps_np = ev_df.gaps().to_frame(), ev_np.gaps().to_frame()
    assert gaps_df.index.equals(index)
    pd.testing.assert_frame_equal(gaps_df.reset_index(drop=True), gaps_np.reset_index(drop=True))
    assert ev_df.summary() == ev_np.summary()


def test_dataframe_with_a_default_index_gets_lazy_ids() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"deals": [3.0, 0.0, 7.0]})
    pf = ck.Portfolio.from_frame(df)
    assert pf._ids is None  # not made: evaluate never reads them
    assert pf.ids.tolist() == ["0", "1", "2"]
    shifted = ck.Portfolio.from_frame(df.set_axis(pd.RangeIndex(1, 4)))
    assert shifted.ids.tolist() == ["1", "2", "3"]


def test_evaluation_summary_and_plot_hand_checked() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    program = ck.Program(
        [
            ck.Tier("Silver", requirements={"deals": 1}, benefits=B(discount=0.1)),
            ck.Tier("Gold", requirements={"deals": 5}, benefits=B(mdf=1000, cost_to_serve=500)),
        ],
        name="resellers",
    )
    pf = ck.Portfolio(
        ["a", "b", "c", "d"], revenue=[100.0, 200.0, 300.0, 400.0], metrics={"deals": [0, 1, 5, 9]}
    )
    ev = ck.evaluate(program, pf)
    rows = [line.split() for line in ev.summary().splitlines()]
    assert ["Benefit", "cost", "3,020"] in rows  # 10 % of 200 + 2 x 1,500
    assert ["Gold", "2", "50.0%", "700", "70.0%", "3,000"] in rows
    assert ["Total", "4", "100%", "1,000", "100%", "3,020"] in rows
    assert ev.headline()["benefit_cost"] == 3020.0
    ax = ev.plot()
    assert ax.get_title() == "Partners per tier: resellers"
    assert [t.get_text() for t in ax.texts] == ["1 (25%)", "2 (50%)", "1 (25%)"]
    plt.close(ax.figure)


def test_audit_prints_its_findings_and_plots_them() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    audit = ck.audit_program(example_program(), example_portfolio())
    text = str(audit)
    assert text == audit.summary()
    for finding in audit:
        assert finding.message in text
    assert repr(audit).startswith("ProgramAudit(findings=4,") and "\n" not in repr(audit)
    tiers = audit.to_frame(by="tier")
    assert tiers["findings"].sum() == len(audit)
    assert tiers.loc["Platinum", "findings"] == 2
    assert tiers["cost_share"].sum() == pytest.approx(1.0)
    ax = audit.plot()
    assert ax.get_title() == "Program audit: 4 findings"
    assert len(ax.patches) == 5
    assert any("disproportionate cost" in t.get_text() for t in ax.texts)
    plt.close(ax.figure)


def test_example_program_repr_is_one_short_line() -> None:
    text = repr(example_program())
    assert "\n" not in text and len(text) < 200 and text.startswith("Program(")
    for tier in example_program().tiers:
        assert eval(repr(tier), vars(ck)) == tier and len(repr(tier)) < 200
    assert repr(B()) == "Benefits()" and eval(repr(B(rebate=0.1)), vars(ck)) == B(rebate=0.1)


def test_dataframe_fast_path_reads_in_place_and_snapshots_the_frame() -> None:
    pd = pytest.importorskip("pandas")
    program = ck.Program([ck.Tier("Silver", requirements={"deals": 1}),
                          ck.Tier("Gold", requirements={"deals": 5})])  # fmt: skip
    df = pd.DataFrame({"revenue": [10.0, 20.0, 30.0], "deals": [0.0, 1.0, 7.0]})
    ev = ck.evaluate(program, df)
    assert ev._partners is None  # not converted: evaluate read two columns in place
    assert not ev.values["deals"].flags.writeable
    df.loc[0, "deals"] = 99.0  # later writes to the user's frame change nothing
    df.loc[0, "revenue"] = 1e9
    assert ev.values["deals"].tolist() == [0.0, 1.0, 7.0]
    assert ev.by_tier()["revenue"].tolist() == [20.0, 30.0, 10.0]
    assert ev.partners.ids.tolist() == ["0", "1", "2"]
    # the same answers as the general path (an object column sends the frame there)
    slow = ck.evaluate(program, df.assign(note=["a", "b", "c"]).drop(columns="note"))
    assert slow.tier.tolist() == [1, 0, 1]


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        ("deals", [1.0, math.nan, 2.0], "NaN"),
        ("deals", [1.0, -1.0, 2.0], "negative"),
        ("deals", [1.0, math.inf, 2.0], "infinite"),
        ("revenue", [1.0, -5.0, 2.0], "negative"),
    ],
)
def test_dataframe_errors_are_the_general_paths(column: str, values: Any, message: str) -> None:
    pd = pytest.importorskip("pandas")
    program = ck.Program([ck.Tier("Silver", requirements={"deals": 1})])
    df = pd.DataFrame({"revenue": [1.0, 2.0, 3.0], "deals": [1.0, 2.0, 3.0]})
    df[column] = values
    with pytest.raises(ck.InvalidInputError, match=message) as fast:
        ck.evaluate(program, df)
    with pytest.raises(ck.InvalidInputError) as general:
        ck.evaluate(program, {k: df[k].to_numpy() for k in df.columns})
    assert str(fast.value) == str(general.value)


def test_dataframe_unused_columns_are_checked_when_the_portfolio_is_built() -> None:
    pd = pytest.importorskip("pandas")
    program = ck.Program([ck.Tier("Silver", requirements={"deals": 1})])
    df = pd.DataFrame({"deals": [1.0, 2.0], "product_share": [0.5, 1.5]})
    ev = ck.evaluate(program, df)
    assert ev.tier.tolist() == [0, 0]
    with pytest.raises(ck.InvalidInputError, match="product_share"):
        ev.partners  # noqa: B018 - the property builds and checks the Portfolio
