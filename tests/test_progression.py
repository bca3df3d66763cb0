"""Tests of channelkit.progression: progress over time and program-change impact."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import channelkit as ck
from channelkit.datasets import example_portfolio, example_program

from ._reference import reference_direction, reference_progress
from .strategies import policies, programs, redesigns, tier_histories, tier_populations

LADDER = ck.Program(
    [
        ck.Tier("Silver", requirements={"deals": 2}),
        ck.Tier("Gold", requirements={"deals": 5}),
        ck.Tier("Platinum", requirements={"deals": 10}),
    ]
)


def run(deals: list[int], **policy: Any) -> list[int]:
    """Tiers of one partner whose deals per period are ``deals``."""
    h = ck.progress(LADDER, {"deals": np.array([deals]).T}, policy=ck.ProgressionPolicy(**policy))
    return h.tiers[:, 0].tolist()


# --------------------------------------------------------------------------- hand-checked
def test_default_policy_follows_the_metrics() -> None:
    assert run([0, 3, 6, 12, 1]) == [-1, 0, 1, 2, -1]


def test_grace_keeps_the_tier_for_failing_reviews() -> None:
    # evaluated: Gold, then Silver for 3 periods, then Gold again
    assert run([6, 3, 3, 3, 6], grace_reviews=1) == [1, 1, 0, 0, 1]
    assert run([6, 3, 3, 3, 6], grace_reviews=2) == [1, 1, 1, 0, 1]
    assert run([6, 3, 6, 3, 6], grace_reviews=1) == [1, 1, 1, 1, 1]  # passing resets the count


def test_window_counts_any_of_the_last_periods() -> None:
    # Gold met in period 0 only; window 3 keeps qualifying until period 2
    assert run([6, 3, 3, 3, 3], window=3) == [1, 1, 1, 0, 0]
    # promotion in the window: met once, promoted, and held while in the window
    assert run([0, 6, 0, 0, 0], window=2) == [-1, 1, 1, -1, -1]


def test_step_caps() -> None:
    assert run([0, 12, 12, 12, 12], max_steps_up=1) == [-1, 0, 1, 2, 2]
    assert run([12, 0, 0, 0], max_steps_down=2) == [2, 0, -1, -1]


def test_review_cadences() -> None:
    # quarterly promotions, half-yearly demotions on monthly data
    deals = [0, 6, 6, 6, 0, 0, 0, 0, 0, 0, 0, 0]
    assert run(deals, review_every=3, demote_every=6) == [-1, -1, 1, 1, 1, -1] + [-1] * 6
    assert run(deals, review_every=3) == [-1, -1, 1, 1, 1, -1] + [-1] * 6
    # demotion only every 6 periods; promotions every 2
    deals = [12, 0, 0, 0, 0, 0, 0, 6]
    assert run(deals, review_every=2, demote_every=6) == [2] * 5 + [-1, -1, 1]


def test_initial_tiers_and_ids() -> None:
    hist = {"deals": np.array([[3.0, 3.0], [3.0, 3.0]])}
    h = ck.progress(LADDER, hist, initial=["Platinum", None], ids=["p", "q"])
    assert h.initial.tolist() == [2, -1]
    assert h.tiers.tolist() == [[0, 0], [0, 0]]
    assert h.ids.tolist() == ["p", "q"]
    assert h.demotions.tolist() == [1, 0] and h.promotions.tolist() == [0, 1]
    h = ck.progress(LADDER, hist, initial=[1, -1], policy=ck.ProgressionPolicy(review_every=5))
    assert h.tiers.tolist() == [[1, -1], [1, -1]]
    assert not h.reviews.any()


def test_history_as_sequence_of_portfolios() -> None:
    periods = [
        ck.Portfolio(["a", "b"], metrics={"deals": [6, 0]}),
        ck.Portfolio(["a", "b"], metrics={"deals": [0, 12]}),
    ]
    h = ck.progress(LADDER, periods, policy=ck.ProgressionPolicy(grace_reviews=1))
    assert h.ids.tolist() == ["a", "b"]
    assert h.tiers.tolist() == [[1, -1], [1, 2]]
    with pytest.raises(ck.InvalidInputError, match="different partner ids"):
        ck.progress(LADDER, [periods[0], ck.Portfolio(["b", "a"], metrics={"deals": [0, 0]})])
    with pytest.raises(ck.InvalidInputError, match=r"history\[1\] \(period 1\)"):
        ck.progress(LADDER, [periods[0], ck.Portfolio(["a", "b"], metrics={"x": [0, 0]})])


def test_history_errors_name_metric_period_and_partner() -> None:
    with pytest.raises(ck.InvalidInputError, match="needs metric 'deals'"):
        ck.progress(LADDER, {"x": np.zeros((2, 2))})
    with pytest.raises(ck.InvalidInputError, match=r"history\['deals'\]\[1, 0\] \(period 1"):
        ck.progress(LADDER, {"deals": np.array([[1.0, 2.0], [-1.0, 2.0]])})
    with pytest.raises(ck.InvalidInputError, match="NaN"):
        ck.progress(LADDER, {"deals": np.array([[1.0, math.nan]])})
    with pytest.raises(ck.InvalidInputError, match="2-D"):
        ck.progress(LADDER, {"deals": np.array([1.0, 2.0])})
    two = ck.Program([ck.Tier("A", requirements={"x": 1, "y": 1})])
    with pytest.raises(ck.InvalidInputError, match="shape"):
        ck.progress(two, {"x": np.zeros((2, 2)), "y": np.zeros((3, 2))})
    with pytest.raises(ck.InvalidInputError, match="at least one period"):
        ck.progress(LADDER, {"deals": np.zeros((0, 2))})
    with pytest.raises(ck.InvalidInputError, match=r"initial\[1\]"):
        ck.progress(LADDER, {"deals": np.zeros((1, 2))}, initial=[0, 5])
    for flags in ([True, False], np.array([True, True]), [True, None]):
        with pytest.raises(ck.InvalidInputError, match="booleans"):
            ck.progress(LADDER, {"deals": np.zeros((1, 2))}, initial=flags)
    with pytest.raises(ck.InvalidInputError, match="'Diamond' is not a tier"):
        ck.progress(LADDER, {"deals": np.zeros((1, 2))}, initial=["Gold", "Diamond"])
    with pytest.raises(ck.InvalidInputError, match="policy"):
        ck.progress(LADDER, {"deals": np.zeros((1, 2))}, policy="monthly")  # type: ignore[arg-type]


def test_tier_history_results() -> None:
    deals = np.array([[0, 12], [6, 0], [0, 12], [12, 12]])
    h = ck.progress(LADDER, {"deals": deals})
    assert h.promotions.tolist() == [2, 1]
    assert h.demotions.tolist() == [1, 1]
    assert h.changes.tolist() == [3, 2]
    assert h.final.tolist() == [2, 2]
    assert h.counts().tolist() == [[0, 0, 1, 1], [0, 1, 0, 1], [0, 0, 1, 1], [0, 0, 2, 0]]
    frame = h.to_frame()
    assert frame["final"].tolist() == ["Platinum", "Platinum"]
    assert frame["initial"].tolist() == ["", "Platinum"]
    assert repr(h) == "TierHistory(partners=2, periods=4, promotions=3, demotions=2)"
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert h.plot(ax=ax) is ax
    plt.close(fig)


# --------------------------------------------------------------------------- program impact
def test_program_impact_hand_checked() -> None:
    old = ck.Program(
        [
            ck.Tier("Silver", requirements={"deals": 2}, benefits=ck.Benefits(discount=0.1)),
            ck.Tier("Gold", requirements={"deals": 5}, benefits=ck.Benefits(mdf=1000)),
        ]
    )
    new = ck.Program(
        [
            ck.Tier("Registered"),
            ck.Tier("Silver", requirements={"deals": 2}, benefits=ck.Benefits(discount=0.1)),
            ck.Tier("Gold", requirements={"deals": 8}, benefits=ck.Benefits(mdf=1000)),
        ]
    )
    pf = ck.Portfolio(
        ["a", "b", "c", "d"], revenue=[100, 100, 100, 100], metrics={"deals": [0, 3, 6, 9]}
    )
    m = ck.program_impact(old, new, pf)
    # rows: old Silver, Gold, none; columns: new Registered, Silver, Gold, none
    assert m.matrix.tolist() == [[0, 1, 0, 0], [0, 1, 1, 0], [1, 0, 0, 0]]
    # "a" gains Registered (promoted), "c" falls from Gold to Silver (demoted);
    # "b" stays Silver although Silver moved from index 0 to 1 (mapped by name)
    assert m.direction.tolist() == [1, 0, -1, 0]
    assert (m.promoted, m.demoted, m.unchanged) == (1, 1, 2)
    assert m.benefit_cost_delta == pytest.approx(-1000 + 10)
    assert m.affected.tolist() == [True, False, True, False]
    letters = m.letters()
    assert letters["id"].tolist() == ["a", "c"]
    assert letters["change"].tolist() == ["promoted", "demoted"]
    assert letters["short_deals"].tolist() == [2.0, 2.0]
    assert letters["next_target"].tolist() == ["Silver", "Gold"]
    assert letters["message"].tolist() == [
        "Under the new program you move from no tier to Registered. "
        "To reach Silver you need deals +2.",
        "Under the new program you move from Gold to Silver. To reach Gold you need deals +2.",
    ]
    assert len(m.letters(everyone=True)) == 4
    frame = m.to_frame()
    assert frame.loc["Gold", "Silver"] == 1 and frame.index.name == "old"
    assert "promoted=1, demoted=1" in repr(m)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert m.plot(ax=ax) is ax
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Registered",
        "Silver",
        "Gold",
        "(none)",
    ]
    assert len(ax.texts) == 12
    plt.close(fig)


def test_letter_columns_keep_their_meaning_whatever_the_metric_names() -> None:
    old = ck.Program([ck.Tier("A"), ck.Tier("B", requirements={"change": 2, "message": 1})])
    new = ck.Program([ck.Tier("A"), ck.Tier("B", requirements={"change": 3, "message": 1})])
    m = ck.program_impact(old, new, {"change": [2.0, 5.0], "message": [1.0, 1.0]})
    cols = m.letter_columns()
    assert cols["change"].tolist() == ["demoted"]
    assert cols["short_change"].tolist() == [1.0]
    assert cols["short_message"].tolist() == [0.0]
    assert cols["message"][0].startswith("Under the new program you move from B to A.")


def test_letters_cost_is_linear_in_the_number_of_letters(monkeypatch: pytest.MonkeyPatch) -> None:
    # each letter used to rebuild the whole tier_name arrays: O(n) per letter, O(n^2) in all
    old, new = example_program(), example_program()
    new = attrs.evolve(
        old, tiers=(*old.tiers[:2], attrs.evolve(old.tiers[2], min_score=450.0), old.tiers[3])
    )
    m = ck.program_impact(old, new, example_portfolio())
    expected = m.letter_columns(everyone=True)["message"].tolist()
    calls = []
    original = ck.Evaluation.tier_name

    def counted(self: ck.Evaluation) -> Any:
        calls.append(1)
        return original.fget(self)  # type: ignore[attr-defined]

    monkeypatch.setattr(ck.Evaluation, "tier_name", property(counted))
    cols = m.letter_columns(everyone=True)
    assert len(cols["message"]) == 500
    assert len(calls) <= 4  # a fixed number of array passes, not one per letter
    assert cols["message"].tolist() == expected
    assert expected[0].startswith("Under the new program you stay in ")


def test_program_impact_letter_mentions_points_and_top_tier() -> None:
    card = ck.Scorecard([ck.ScoreItem("deals", 10), ck.ScoreItem("staff", 1, required=True)])
    old = ck.Program([ck.Tier("Member"), ck.Tier("Pro", min_score=50)], scorecard=card)
    new = ck.Program([ck.Tier("Member"), ck.Tier("Pro", min_score=80)], scorecard=card)
    m = ck.program_impact(old, new, {"deals": [6, 9, 6], "staff": [1, 0, 0]})
    msgs = m.letters(everyone=True)["message"].tolist()
    assert msgs[0].endswith("To reach Pro you need 19 more points.")
    assert msgs[1].endswith("To reach Pro you need some staff.")
    big = ck.program_impact(old, new, {"deals": [20], "staff": [1]})
    assert big.letters(everyone=True)["message"][0].endswith("It is the top tier.")


def test_program_impact_of_example_redesign() -> None:
    old = example_program()
    gold = old.tiers[2]
    tougher = ck.Tier(
        gold.name, min_score=450, requirements=gold.requirements, benefits=gold.benefits
    )
    new = ck.Program([*old.tiers[:2], tougher, old.tiers[3]], scorecard=old.scorecard)
    m = ck.program_impact(old, new, example_portfolio())
    assert m.promoted == 0 and m.demoted > 0
    assert m.matrix.sum() == 500
    assert m.benefit_cost_delta < 0


# --------------------------------------------------------------------------- properties
@given(programs(policy=policies()), tier_histories())
def test_progress_matches_slow_reference(program: ck.Program, hist: dict[str, Any]) -> None:
    h = ck.progress(program, hist)
    assert np.array_equal(h.tiers, reference_progress(h.evaluated, h.initial, program.policy))


@given(programs(), tier_populations(max_size=10), st.integers(1, 8))
def test_constant_metrics_default_policy_gives_evaluate(
    program: ck.Program, cols: dict[str, Any], periods: int
) -> None:
    hist = {m: np.tile(v, (periods, 1)) for m, v in cols.items()}
    h = ck.progress(program, hist)
    expected = ck.evaluate(program, cols).tier
    for t in range(periods):
        assert h.tiers[t].tolist() == expected.tolist()
    assert h.changes.sum() == 0


@given(programs(), tier_histories())
def test_default_policy_gives_evaluate_every_period(
    program: ck.Program, hist: dict[str, Any]
) -> None:
    h = ck.progress(program, hist)
    for t in range(h.tiers.shape[0]):
        row = {m: v[t] for m, v in hist.items()}
        assert h.tiers[t].tolist() == ck.evaluate(program, row).tier.tolist()


@given(programs(policy=policies()), tier_histories())
def test_moves_only_at_reviews_and_within_caps(program: ck.Program, hist: dict[str, Any]) -> None:
    pol = program.policy
    h = ck.progress(program, hist)
    periods = np.arange(h.tiers.shape[0])
    promo = (periods + 1) % pol.review_every == 0
    demo = (periods + 1) % pol.demotion_cadence == 0
    moves = h.moves
    assert not (moves[~h.reviews] != 0).any()
    assert not (moves[~promo] > 0).any()
    assert not (moves[~demo] < 0).any()
    if pol.max_steps_up is not None:
        assert moves.max(initial=0) <= pol.max_steps_up
    if pol.max_steps_down is not None:
        assert moves.min(initial=0) >= -pol.max_steps_down


@given(
    programs(policy=policies().filter(lambda p: p.grace_reviews > 0)),
    tier_histories(max_periods=20),
)
def test_no_demotion_before_grace_plus_one_failing_reviews(
    program: ck.Program, hist: dict[str, Any]
) -> None:
    # From the definition: a demotion review "fails" when the partner's qualified tier (the
    # best evaluated tier in the window) is below the tier it holds; a demotion needs
    # grace_reviews + 1 failing demotion reviews in a row, counted afresh after a demotion.
    pol = program.policy
    h = ck.progress(program, hist)
    periods, n = h.tiers.shape
    w = pol.window
    demotion_reviews = [t for t in range(periods) if (t + 1) % pol.demotion_cadence == 0]
    for i in range(n):
        held = int(h.initial[i])
        streak = 0
        for t in range(periods):
            now = int(h.tiers[t, i])
            if t in demotion_reviews:
                qualified = int(h.evaluated[max(0, t - w + 1) : t + 1, i].max())
                streak = streak + 1 if qualified < held else 0
                if now < held:
                    assert streak >= pol.grace_reviews + 1, (i, t, streak)
                    streak = 0
            else:
                assert now >= held  # no demotion outside demotion reviews
            held = now


@given(redesigns(), tier_populations())
def test_direction_follows_tier_names_and_the_matrix(
    pair: tuple[ck.Program, ck.Program], cols: dict[str, Any]
) -> None:
    old, new = pair
    m = ck.program_impact(old, new, cols)
    olds, news = m.old.tier_name.tolist(), m.new.tier_name.tolist()
    expected = [reference_direction(old, new, o, w) for o, w in zip(olds, news)]
    assert m.direction.tolist() == expected
    # keeping the tier's name (or having no tier in both) is never a move
    same = np.array([o == w for o, w in zip(olds, news)])
    assert (m.direction[same] == 0).all()
    assert m.affected.tolist() == (~same).tolist()
    # the counts follow from the matrix cell by cell
    names_old, names_new = [*old.tier_names, ""], [*new.tier_names, ""]
    by_sign = {-1: 0, 0: 0, 1: 0}
    for (i, j), count in np.ndenumerate(m.matrix):
        by_sign[reference_direction(old, new, names_old[i], names_new[j])] += int(count)
    assert (m.demoted, m.unchanged, m.promoted) == (by_sign[-1], by_sign[0], by_sign[1])


def test_program_impact_maps_moved_tiers_by_name() -> None:
    old = ck.Program(
        [
            ck.Tier("Registered"),
            ck.Tier("Silver", requirements={"d": 2}),
            ck.Tier("Gold", requirements={"d": 5}),
        ]
    )
    new = ck.Program(
        [ck.Tier("Silver", requirements={"d": 2}), ck.Tier("Gold", requirements={"d": 5})]
    )
    m = ck.program_impact(old, new, {"d": [0, 3, 6]})
    # Silver -> Silver and Gold -> Gold are unchanged; Registered -> no tier is a demotion
    assert m.direction.tolist() == [-1, 0, 0]
    assert (m.promoted, m.demoted, m.unchanged) == (0, 1, 2)
    assert m.affected.tolist() == [True, False, False]
    # a renamed top tier keeps its position: Gold -> Premier at the same rung is unchanged
    renamed = ck.Program([*old.tiers[:2], attrs.evolve(old.tiers[2], name="Premier")])
    assert ck.program_impact(old, renamed, {"d": [0, 3, 6]}).direction.tolist() == [0, 0, 0]


@given(programs(), programs(), tier_populations())
def test_migration_matrix_sums(old: ck.Program, new: ck.Program, cols: dict[str, Any]) -> None:
    m = ck.program_impact(old, new, cols)
    n = len(cols["a"])
    assert m.matrix.sum() == n
    old_counts = np.bincount(m.old.tier % (len(old.tiers) + 1), minlength=len(old.tiers) + 1)
    assert m.matrix.sum(axis=1).tolist() == old_counts.tolist()
    rev = np.asarray(cols["revenue"])
    direct = new.benefit_cost(m.new.tier, rev).sum() - old.benefit_cost(m.old.tier, rev).sum()
    assert m.benefit_cost_delta == pytest.approx(direct)


@given(programs(), tier_populations())
def test_unchanged_program_gives_a_diagonal_matrix(
    program: ck.Program, cols: dict[str, Any]
) -> None:
    m = ck.program_impact(program, program, cols)
    assert np.array_equal(m.matrix, np.diag(np.diag(m.matrix)))
    assert (m.promoted, m.demoted, m.benefit_cost_delta) == (0, 0, 0.0)
    assert len(m.letters()) == 0


# --------------------------------------------------------------------------- issue #8
def test_tier_history_protocol_hand_checked() -> None:
    deals = np.array([[0, 12], [6, 0], [0, 12], [12, 12]])
    h = ck.progress(LADDER, {"deals": deals})
    periods = h.to_frame(by="period")
    assert periods.index.name == "period" and len(periods) == 4
    assert periods["promotions"].tolist() == [0, 1, 1, 1]
    assert periods["demotions"].tolist() == [0, 1, 1, 0]
    assert periods["no tier"].tolist() == [1, 1, 1, 0]
    rows = [line.split() for line in h.summary().splitlines()]
    assert ["Promotions", "3"] in rows and ["Demotions", "2"] in rows
    assert ["Platinum", "1", "2", "+1"] in rows
    assert h.to_frame().index.tolist() == ["0", "1"]
    with pytest.raises(ck.InvalidInputError, match="by must be"):
        h.to_frame(by="tier")


def test_progress_does_not_copy_float_histories() -> None:
    deals = np.array([[0.0, 12.0], [6.0, 0.0]])
    h = ck.progress(LADDER, {"deals": deals})
    assert h._ids is None and h.ids.tolist() == ["0", "1"]
    with pytest.raises(ck.InvalidInputError, match=r"\[1, 0\] \(period 1, partner 0\).*infinite"):
        ck.progress(LADDER, {"deals": np.array([[0.0, 1.0], [math.inf, 1.0]])})
    # integer and transposed (non-contiguous) input still work
    h2 = ck.progress(LADDER, {"deals": deals.astype(int)})
    h3 = ck.progress(LADDER, {"deals": np.asfortranarray(deals)})
    assert np.array_equal(h.tiers, h2.tiers) and np.array_equal(h.tiers, h3.tiers)


def test_migration_protocol_by_partner() -> None:
    pd = pytest.importorskip("pandas")
    old = ck.Program(
        [
            ck.Tier("Silver", requirements={"deals": 2}),
            ck.Tier("Gold", requirements={"deals": 5}, benefits=ck.Benefits(mdf=100)),
        ]
    )
    new = ck.Program([ck.Tier("Silver", requirements={"deals": 2}),
                      ck.Tier("Gold", requirements={"deals": 8}, benefits=ck.Benefits(mdf=100))])  # fmt: skip
    df = pd.DataFrame({"deals": [1, 6, 9]}, index=["x", "y", "z"])
    m = ck.program_impact(old, new, df)
    frame = m.to_frame(by="partner")
    assert frame.index.tolist() == ["x", "y", "z"]
    assert frame["change"].tolist() == ["unchanged", "demoted", "unchanged"]
    assert frame["cost_change"].tolist() == [0.0, -100.0, 0.0]
    rows = [line.split() for line in m.summary().splitlines()]
    assert ["Benefit", "cost", "change", "-100", "a", "year"] in rows
    assert ["Gold", "1", "1", "0"] in rows
    assert m.headline()["benefit_cost_delta"] == -100.0
    with pytest.raises(ck.InvalidInputError, match="by must be"):
        m.to_frame(by="tier")
