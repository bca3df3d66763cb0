"""Tests of channelkit.tiers: program definition, evaluation, gaps and audit."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import channelkit as ck
from channelkit.datasets import example_portfolio, example_program

from .strategies import TIER_METRICS, programs, reference_tier, tier_populations

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
    ],
)
def test_bad_ladders_name_both_tiers_and_the_rule(tiers: list[ck.Tier], words: list[str]) -> None:
    card = ck.Scorecard([ck.ScoreItem("deals", 1.0)])
    with pytest.raises(ck.ProgramDefinitionError) as info:
        ck.Program(tiers, scorecard=card)
    for word in words:
        assert word in str(info.value)


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
    assert eval(repr(program), vars(ck)) == program
    uncapped = ck.Program([ck.Tier("A")], scorecard=ck.Scorecard([ck.ScoreItem("x", 1.0)]))
    assert "max_points=float('inf')" in repr(uncapped)
    assert eval(repr(uncapped), vars(ck)) == uncapped


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
        "staff",
        "points",
        "points_via_deals",
        "points_via_revenue",
        "distance",
    ]
    assert cols["target"].tolist() == ["Gold", "", "Silver"]
    assert "3 partners" in repr(g)
    with pytest.raises(ck.InvalidInputError, match="no tier named"):
        ev.gaps(to="Diamond")


def test_gaps_report_required_items() -> None:
    card = ck.Scorecard([ck.ScoreItem("deals", 10), ck.ScoreItem("certified", 1, required=True)])
    program = ck.Program([ck.Tier("Partner", min_score=20)], scorecard=card)
    g = ck.evaluate(program, {"deals": [5, 5], "certified": [0, 1]}).gaps(to="Partner")
    assert g.required["certified"].tolist() == [True, False]
    assert g.points is not None and g.points.tolist() == [0.0, 0.0]
    assert g.distance.tolist() == [1.0, 0.0]


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
    assert ev.summary()["partners"].sum() == 4
    assert repr(ev) == "<Evaluation of 4 partners; Silver: 1, Gold: 2, no tier: 1>"
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
    # a partner meets its target exactly when the evaluated tier is at or above it
    assert (g.met == (has & (ev.tier >= g.target))).all()
    if to == "next":
        assert not g.met.any()
        assert (np.isnan(g.distance) == ~has).all()


@given(programs(), tier_populations())
def test_closing_increase_closes_the_points_gap(program: ck.Program, cols: dict[str, Any]) -> None:
    ev = ck.evaluate(program, cols)
    g = ev.gaps()
    if g.points is None or program.scorecard is None:
        return
    for it in program.scorecard.items:
        inc = g.via[it.metric]
        gap = g.points
        for i in np.flatnonzero((g.target >= 0) & (gap > 0)):
            k = int(g.target[i])
            need = program.tiers[k].min_score
            assert need is not None
            if math.isinf(inc[i]):
                headroom = it.max_points - it.points(cols[it.metric][i])
                assert headroom < gap[i]
            else:
                new_points = float(it.points(cols[it.metric][i] + inc[i]))
                old_points = float(it.points(cols[it.metric][i]))
                assert ev.score[i] - old_points + new_points >= need - 1e-9 * max(need, 1)
                assert inc[i] > 0


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
    import channelkit.tiers as tiers_module

    pf = example_portfolio()
    program = example_program()
    whole = ck.evaluate(program, pf)
    monkeypatch.setattr(tiers_module, "_BLOCK", 7)  # 500 partners -> 72 blocks, a ragged last one
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
    assert [float(r["certified_staff"] or "nan") for r in rows] == pytest.approx(
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
