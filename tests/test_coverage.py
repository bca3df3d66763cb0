"""Tests of channelkit.coverage: exact coverage plans, duals, frontier, staffing."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, vstack

import channelkit as ck
from channelkit import _mckp
from channelkit.datasets import example_managers, example_portfolio


# --------------------------------------------------------------------------- hand-checked
def _three() -> tuple[ck.Portfolio, list[ck.Motion]]:
    pf = ck.Portfolio(
        ["a", "b", "c"], revenue=[500_000.0, 80_000.0, 5_000.0], region=["NA", "NA", "NA"]
    )
    return pf, [ck.Motion("self-service"), ck.Motion("manager", hours=100.0, uplift=0.2)]


def test_hand_checked_plan_and_duals() -> None:
    pf, motions = _three()
    plan = ck.plan_coverage(
        pf, motions, hours_available=150.0, margin=0.5, expected_revenue=pf.revenue
    )
    # a with a manager: 0.5 x 500,000 x 1.2 = 300,000; b, c self-service: 40,000 + 2,500
    assert plan.motion.tolist() == ["manager", "self-service", "self-service"]
    assert plan.value == pytest.approx(342_500.0)
    assert plan.optimal and plan.bound == pytest.approx(plan.value)
    # the LP fills the 50 free hours with half of b's step: 8,000 / 100 h = 80 an hour
    assert plan.lp_bound == pytest.approx(342_500.0 + 50 * 80.0)
    assert plan.hour_value.tolist() == pytest.approx([80.0])
    assert plan.manager_value == {"all": pytest.approx(80.0 * 2000.0)}
    assert plan.managers_by_region == {"NA": 1}
    assert plan.partners_per_motion == {"self-service": 2, "manager": 1}
    # 200 hours: b gets a manager as well
    more = ck.plan_coverage(
        pf, motions, hours_available=200.0, margin=0.5, expected_revenue=pf.revenue
    )
    assert more.value == pytest.approx(342_500.0 + 8_000.0)


def test_motion_capacity_and_cost() -> None:
    pf, _ = _three()
    motions = [
        ck.Motion("self-service"),
        ck.Motion("distributor", cost=1_000.0, uplift=0.1, capacity=1),
    ]
    plan = ck.plan_coverage(
        pf, motions, hours_available=0.0, margin=0.5, expected_revenue=pf.revenue
    )
    # only one partner fits the distributor: the largest gain, a (+25,000 - 1,000)
    assert plan.motion.tolist() == ["distributor", "self-service", "self-service"]
    assert plan.value == pytest.approx(275_000.0 - 1_000.0 + 40_000.0 + 2_500.0)
    # the count constraint is degenerate (the LP is integral at capacity 1): any dual
    # between b's net gain (3,000, one more slot) and a's (24,000, one slot less) is optimal
    assert plan.motion_value[0] == 0.0
    assert 3_000.0 - 1e-6 <= plan.motion_value[1] <= 24_000.0 + 1e-6
    more = ck.plan_coverage(
        pf,
        [motions[0], ck.Motion("distributor", cost=1_000.0, uplift=0.1, capacity=2)],
        hours_available=0.0,
        margin=0.5,
        expected_revenue=pf.revenue,
    )
    assert more.value - plan.value == pytest.approx(3_000.0)


def test_minimum_current_and_changes_with_reasons() -> None:
    pf, motions = _three()
    plan = ck.plan_coverage(
        pf,
        motions,
        hours_available=150.0,
        margin=0.5,
        expected_revenue=pf.revenue,
        current=["self-service", "manager", "self-service"],
        max_changes=2,
    )
    assert plan.motion.tolist() == ["manager", "self-service", "self-service"]
    moved = {c.partner: c for c in plan.changes}
    assert set(moved) == {"a", "b"}
    assert moved["b"].current == "manager" and moved["b"].motion == "self-service"
    assert moved["b"].hours == -100.0
    assert "contribution per manager hour 80 against" in moved["b"].reason
    assert plan.to_frame(by="changes").shape[0] == 2
    # no change allowed: today's coverage stays
    frozen = ck.plan_coverage(
        pf,
        motions,
        hours_available=150.0,
        margin=0.5,
        expected_revenue=pf.revenue,
        current=["self-service", "manager", "self-service"],
        max_changes=0,
    )
    assert frozen.motion.tolist() == ["self-service", "manager", "self-service"]
    assert frozen.changes == ()
    # contributors never below a manager (a is the contributor of this channel)
    floor = ck.plan_coverage(
        pf,
        motions,
        hours_available=100.0,
        margin=0.5,
        expected_revenue=pf.revenue,
        minimum={"contributor": "manager"},
    )
    assert floor.motion[0] == "manager"


def test_errors_name_the_argument() -> None:
    pf, motions = _three()
    kw: dict[str, Any] = {"hours_available": 100.0, "margin": 0.5}
    with pytest.raises(ck.InvalidInputError, match="margin"):
        ck.plan_coverage(pf, motions, hours_available=1.0, margin=1.5)
    with pytest.raises(ck.InvalidInputError, match="unique"):
        ck.plan_coverage(pf, [motions[0], motions[0]], **kw)
    with pytest.raises(ck.InvalidInputError, match="no entry for region"):
        ck.plan_coverage(pf, motions, hours_available={"EMEA": 10.0}, margin=0.5)
    with pytest.raises(ck.InvalidInputError, match="max_changes needs current"):
        ck.plan_coverage(pf, motions, max_changes=1, **kw)
    with pytest.raises(ck.InvalidInputError, match="'boss' is not a motion"):
        ck.plan_coverage(pf, motions, current=["boss", None, None], **kw)
    with pytest.raises(ck.InfeasibleError, match="no eligible motion"):
        ck.plan_coverage(pf, motions, eligible=[[False, False], [True, True], [True, True]], **kw)
    with pytest.raises(ck.InvalidInputError, match="uplift"):
        ck.Motion("x", uplift=-1.0)
    with pytest.raises(ck.InvalidInputError, match="capacity"):
        ck.Motion("x", capacity=-1)
    with pytest.raises(ck.InfeasibleError, match="manager hours"):
        ck.plan_coverage(pf, motions, minimum=["manager"] * 3, **kw)


def test_inputs_are_not_mutated() -> None:
    pf, motions = _three()
    expected = np.array([1.0, 2.0, 3.0])
    eligible = np.ones((3, 2), dtype=bool)
    ck.plan_coverage(
        pf,
        motions,
        hours_available=150.0,
        margin=0.5,
        expected_revenue=expected,
        eligible=eligible,
    )
    assert expected.tolist() == [1.0, 2.0, 3.0] and eligible.all()


# --------------------------------------------------------------------------- brute force
@st.composite
def instances(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 8))
    k = draw(st.integers(1, 4))
    regions = draw(st.lists(st.sampled_from(["N", "S"]), min_size=n, max_size=n))
    revenue = draw(st.lists(st.integers(0, 100).map(lambda x: 1000.0 * x), min_size=n, max_size=n))
    workload = draw(st.lists(st.integers(1, 10).map(float), min_size=n, max_size=n))
    motions = [
        ck.Motion(
            f"m{j}",
            hours=float(draw(st.integers(0, 3))),
            hours_factor=float(draw(st.sampled_from([0, 0, 1, 2]))) or None,
            cost=float(draw(st.integers(0, 5))) * 1000.0,
            uplift=draw(st.sampled_from([0.0, 0.1, 0.3, 0.5])),
            capacity=draw(st.one_of(st.none(), st.integers(0, n))),
        )
        for j in range(k)
    ]
    hours = {"N": float(draw(st.integers(0, 30))), "S": float(draw(st.integers(0, 30)))}
    eligible = np.array(draw(st.lists(st.booleans(), min_size=n * k, max_size=n * k))).reshape(
        n, k
    )
    eligible[np.arange(n), draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))] = True
    current = draw(
        st.one_of(
            st.none(),
            st.lists(st.one_of(st.none(), st.integers(0, k - 1)), min_size=n, max_size=n),
        )
    )
    max_changes = None if current is None else draw(st.one_of(st.none(), st.integers(0, n)))
    minimum = draw(st.one_of(st.none(), st.just({"contributor": f"m{k - 1}"})))
    return {
        "pf": ck.Portfolio([f"p{i}" for i in range(n)], revenue=revenue, region=regions),
        "motions": motions,
        "hours_available": hours,
        "workload": np.array(workload),
        "eligible": eligible,
        "current": None if current is None else [None if c is None else f"m{c}" for c in current],
        "max_changes": max_changes,
        "minimum": minimum,
        "margin": draw(st.sampled_from([0.2, 0.5])),
        "core": draw(st.sampled_from([1, 200])),
    }


def _brute(inst: dict[str, Any]) -> float:
    """Best value over every motion combination, vectorized (4^8 = 65,536 at most)."""
    pf, motions = inst["pf"], inst["motions"]
    n, k = len(pf), len(motions)
    combos = np.array(list(itertools.product(range(k), repeat=n)), dtype=np.int64)
    rows = np.arange(n)
    w = inst["workload"]
    h = np.array([[m.hours + (m.hours_factor or 0.0) * w[i] for m in motions] for i in range(n)])
    v = np.array(
        [
            [inst["margin"] * pf.revenue[i] * (1 + m.uplift) - m.cost for m in motions]
            for i in range(n)
        ]
    )
    ok = inst["eligible"][rows, combos].all(axis=1)
    segment = ck.pareto_segments(pf.revenue)
    if inst["minimum"] is not None:
        floor = np.where(segment == "contributor", k - 1, 0)
        ok &= (combos >= floor).all(axis=1)
    for r, cap in inst["hours_available"].items():
        mine = pf.region == r
        used = (h[rows, combos] * mine).sum(axis=1)
        ok &= used <= cap + 1e-9
    for j, m in enumerate(motions):
        if m.capacity is not None:
            ok &= (combos == j).sum(axis=1) <= m.capacity
    if inst["current"] is not None and inst["max_changes"] is not None:
        cur = np.array([-1 if c is None else int(c[1:]) for c in inst["current"]])
        changed = ((cur >= 0) & (combos != cur)).sum(axis=1)
        ok &= changed <= inst["max_changes"]
    if not ok.any():
        return -math.inf
    return float(v[rows, combos[ok]].sum(axis=1).max())


def _solve(inst: dict[str, Any], **kw: Any) -> ck.CoveragePlan:
    return ck.plan_coverage(
        inst["pf"],
        inst["motions"],
        hours_available=kw.pop("hours_available", inst["hours_available"]),
        margin=kw.pop("margin", inst["margin"]),
        expected_revenue=inst["pf"].revenue,
        hours=inst["workload"],
        eligible=inst["eligible"],
        minimum=inst["minimum"],
        current=inst["current"],
        max_changes=inst["max_changes"],
        **kw,
    )


@given(instances())
def test_exact_answer_equals_brute_force(inst: dict[str, Any]) -> None:
    best = _brute(inst)
    old = _mckp.CORE_SIZE
    _mckp.CORE_SIZE = inst["core"]  # 1 exercises the growing core and its proof
    try:
        if best == -math.inf:
            with pytest.raises(ck.InfeasibleError):
                _solve(inst)
            return
        plan = _solve(inst)
    finally:
        _mckp.CORE_SIZE = old
    assert plan.optimal
    assert plan.value == pytest.approx(best, rel=1e-9, abs=1e-6)
    assert plan.bound >= best - 1e-6
    assert plan.lp_bound >= best - 1e-6
    # the plan is feasible: hours per region and capacities hold
    for r, cap in inst["hours_available"].items():
        assert plan.hours[inst["pf"].region == r].sum() <= cap + 1e-9
    counts = np.bincount(plan.choice, minlength=len(inst["motions"]))
    for c, m in zip(counts, inst["motions"]):
        assert m.capacity is None or c <= m.capacity
    assert inst["eligible"][np.arange(len(inst["pf"])), plan.choice].all()


def test_optimal_only_with_a_proof() -> None:
    """Out of time, the plan says so: optimal is False unless the bound meets the value."""
    rng = np.random.default_rng(0)
    n = 3000
    pf = ck.Portfolio(
        [f"p{i}" for i in range(n)],
        revenue=rng.lognormal(10, 1.5, n),
        region=rng.choice(["A", "B"], n),
    )
    motions = [
        ck.Motion("self"),
        ck.Motion("tm", hours_factor=0.5, uplift=0.1),
        ck.Motion("pm", hours_factor=1.0, uplift=0.25),
    ]
    hours = rng.uniform(20, 150, n)
    plan = ck.plan_coverage(
        pf,
        motions,
        hours_available={"A": 30_000.0, "B": 30_000.0},
        margin=0.3,
        hours=hours,
        expected_revenue=pf.revenue,
        gap=1e-4,
    )
    assert plan.bound >= plan.value
    assert plan.gap <= 1e-4
    if not plan.optimal:
        assert plan.bound > plan.value
    assert "Proven optimal" in plan.summary()


# --------------------------------------------------------------------------- LP duals
def _lp_highs(setup_args: dict[str, Any]) -> tuple[float, np.ndarray]:
    """The LP relaxation by HiGHS: optimum and the duals of the region hours."""
    v, h, grp, caps = (setup_args[k] for k in ("v", "h", "grp", "caps"))
    n, k = v.shape
    nv = n * k
    a_eq = csr_matrix((np.ones(nv), (np.repeat(np.arange(n), k), np.arange(nv))), shape=(n, nv))
    a_ub = csr_matrix((h.ravel(), (np.repeat(grp, k), np.arange(nv))), shape=(caps.size, nv))
    res = linprog(
        -v.ravel(), A_ub=a_ub, b_ub=caps, A_eq=a_eq, b_eq=np.ones(n), bounds=(0, 1), method="highs"
    )
    assert res.status == 0
    return -float(res.fun), -np.asarray(res.ineqlin.marginals)


@given(st.integers(0, 10**6), st.integers(5, 40))
def test_hour_value_equals_the_change_of_the_optimum_by_re_solving(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    revenue = rng.uniform(1_000, 100_000, n)
    work = rng.uniform(10, 100, n)
    regions = rng.choice(["A", "B"], n)
    pf = ck.Portfolio([f"p{i}" for i in range(n)], revenue=revenue, region=regions)
    motions = [
        ck.Motion("self"),
        ck.Motion("tm", hours_factor=0.5, uplift=0.1),
        ck.Motion("pm", hours_factor=1.0, uplift=0.3),
    ]
    caps = {"A": float(rng.uniform(0, 40 * n)), "B": float(rng.uniform(0, 40 * n))}
    kw: dict[str, Any] = {"margin": 0.3, "hours": work, "expected_revenue": revenue}
    plan = ck.plan_coverage(pf, motions, hours_available=caps, **kw)
    more = {r: c + (1.0 if r == "A" else 0.0) for r, c in caps.items()}
    plus = ck.plan_coverage(pf, motions, hours_available=more, **kw)
    args = {
        "v": 0.3 * revenue[:, None] * np.array([1.0, 1.1, 1.3]),
        "h": work[:, None] * np.array([0.0, 0.5, 1.0]),
        "grp": (regions == "B").astype(np.int64),
        "caps": np.array([caps["A"], caps["B"]]),
    }
    lp, duals = _lp_highs(args)
    args["caps"] = np.array([caps["A"] + 1.0, caps["B"]])
    lp_plus, duals_plus = _lp_highs(args)
    assert plus.lp_bound == pytest.approx(lp_plus, rel=1e-9, abs=1e-6)
    # our LP bound is HiGHS's LP optimum
    assert plan.lp_bound == pytest.approx(lp, rel=1e-9, abs=1e-6)
    # non-degenerate: the dual is the same at H and H + 1, so the optimum moves by it
    assume(abs(duals[0] - duals_plus[0]) <= 1e-9 * max(1.0, abs(duals[0])))
    assert plan.hour_value[0] == pytest.approx(duals[0], rel=1e-9, abs=1e-9)
    assert plus.lp_bound - plan.lp_bound == pytest.approx(plan.hour_value[0], rel=1e-6, abs=1e-6)
    # and the integer optimum never moves by more than the LP bound allows
    assert plus.value >= plan.value - 1e-6


def test_lp_bound_with_capacities_and_changes_matches_highs() -> None:
    rng = np.random.default_rng(3)
    for _ in range(10):
        n, k = 30, 3
        v = rng.uniform(0, 100, (n, k))
        h = rng.uniform(0, 10, (n, k))
        h[:, 0] = 0.0
        cur = rng.integers(-1, k, n)
        p = _mckp.Problem(
            v,
            h,
            np.ones((n, k), bool),
            rng.integers(0, 2, n),
            np.array([40.0, 60.0]),
            np.array([np.inf, 8.0, np.inf]),
            cur,
            5.0,
        )
        nv = n * k
        rows = [
            csr_matrix((np.ones(nv), (np.repeat(np.arange(n), k), np.arange(nv))), shape=(n, nv))
        ]
        a_ub = vstack(
            [
                csr_matrix((h.ravel(), (np.repeat(p.group, k), np.arange(nv))), shape=(2, nv)),
                csr_matrix((np.ones(n), (np.zeros(n), np.arange(n) * k + 1)), shape=(1, nv)),
                csr_matrix(p.changed().astype(float).ravel()[None, :]),
            ]
        )
        res = linprog(
            -v.ravel(),
            A_ub=a_ub,
            b_ub=[40.0, 60.0, 8.0, 5.0],
            A_eq=rows[0],
            b_eq=np.ones(n),
            bounds=(0, 1),
            method="highs",
        )
        assert _mckp.lp_value(p) == pytest.approx(-res.fun, rel=1e-7)
        sol = _mckp.solve(p)
        assert sol.optimal and sol.value <= -res.fun + 1e-6


# --------------------------------------------------------------------------- monotonicity
@given(instances(), st.integers(1, 20))
def test_more_hours_never_lower_the_contribution(inst: dict[str, Any], extra: int) -> None:
    try:
        base = _solve(inst)
    except ck.InfeasibleError:
        return
    more = {r: h + extra for r, h in inst["hours_available"].items()}
    assert _solve(inst, hours_available=more).value >= base.value - 1e-6


@given(st.integers(0, 10**6))
def test_higher_margin_never_moves_a_partner_to_a_cheaper_motion_unconstrained(seed: int) -> None:
    """The documented case: with hours that do not bind, a partner's choice is its own."""
    rng = np.random.default_rng(seed)
    n = 12
    pf = ck.Portfolio([f"p{i}" for i in range(n)], revenue=rng.uniform(0, 50_000, n))
    motions = [
        ck.Motion("self"),
        ck.Motion("dist", cost=500.0, uplift=0.05),
        ck.Motion("tm", cost=1_000.0, hours=10.0, uplift=0.15),
        ck.Motion("pm", cost=3_000.0, hours=40.0, uplift=0.3),
    ]
    kw: dict[str, Any] = {"hours_available": math.inf, "expected_revenue": pf.revenue}
    low = ck.plan_coverage(pf, motions, margin=0.2, **kw)
    high = ck.plan_coverage(pf, motions, margin=0.4, **kw)
    cost = np.array([m.cost for m in motions])
    assert (cost[high.choice] >= cost[low.choice]).all()


def test_frontier_is_monotone_and_marginal() -> None:
    pf = example_portfolio()
    plan = ck.plan_coverage(
        pf, ck.default_motions(), hours_available=example_managers(), margin=0.3
    )
    front = plan.frontier([4, 8, 12, 16, 20])
    assert (np.diff(front.value) >= -1e-6).all()
    assert front.optimal.all()
    assert front.managers.sum(axis=1).tolist() == [4, 8, 12, 16, 20]
    assert front.partners.sum(axis=1).tolist() == [500] * 5
    # diminishing returns: each block of 4 managers adds less than the one before
    assert (np.diff(front.marginal) <= 1e-6).all()
    assert front.to_frame().shape == (5, 5 + len(plan.motions) - 1)


# --------------------------------------------------------------------------- growth
def test_shrunk_growth_hand_checked_and_bounded() -> None:
    g = ck.shrunk_growth([110.0, 90.0, 300.0], [100.0, 100.0, np.nan], segment=["a", "a", "a"])
    # fewer than three partners with a prior: every one gets the segment's growth, 0
    assert g.tolist() == pytest.approx([0.0, 0.0, 0.0])
    pf = example_portfolio()
    g = ck.shrunk_growth(pf.revenue, pf.revenue_prior)
    raw = ck.yoy_growth(pf.revenue, pf.revenue_prior)
    assert (g >= -1).all() and np.isfinite(g).all()
    # shrinkage: less spread than the raw growth
    assert np.std(g) < np.nanstd(raw)


@given(st.lists(st.floats(1e3, 1e6), min_size=4, max_size=30), st.floats(0.5, 2.0))
def test_shrunk_growth_lies_between_own_and_segment_growth(
    prior: list[float], factor: float
) -> None:
    p = np.array(prior)
    rng = np.random.default_rng(len(prior))
    r = p * rng.uniform(0.5, 1.5, p.size) * factor
    g = ck.shrunk_growth(r, p, segment=["s"] * p.size)
    own = r / p - 1
    seg = r.sum() / p.sum() - 1
    lo, hi = np.minimum(own, seg), np.maximum(own, seg)
    assert ((g >= lo - 1e-9) & (g <= hi + 1e-9)).all()


# --------------------------------------------------------------------------- one workload
def test_one_workload_plan_capacity_coverage_and_balancing_agree() -> None:
    """Today's channel at zero growth: the same hours in all three places."""
    pf, team = example_portfolio(), example_managers()
    seg = ck.Segment("new", 100_000.0)
    cap = ck.plan_capacity(0.0, [seg], existing=pf, n_sims=8, seed=0)
    assert cap.total_partners == 0
    full = [ck.Motion("partner manager", hours_factor=1.0)]
    cov = ck.plan_coverage(pf, full, hours_available=team, margin=0.3)
    books = ck.assign_portfolio(pf, team, seed=0)
    hours = ck.WorkloadModel().hours(pf)
    assert cap.existing_hours == pytest.approx(hours.sum())
    assert cov.hours.sum() == pytest.approx(hours.sum())
    assert books.assignment.loads.sum() == pytest.approx(hours.sum())
    assert cap.existing_hours == pytest.approx(34_732, abs=1)  # not 500 x 72 = 36,000
    # managers: the plan's total and its regions are the coverage's
    assert cap.managers == ck.managers_needed(1, 1.0, hours.sum(), hours_available=2000.0) == 18
    assert cap.managers_by_region == cov.managers_by_region
    assert cap.hours_by_region == pytest.approx(cov.hours_by_region)
    frame = cap.to_frame()
    assert "managers" in frame.columns


def test_staff_channel_from_plan_to_books() -> None:
    pf, team = example_portfolio(), example_managers()
    seg = ck.Segment(
        "new",
        pf.revenue[pf.revenue > 0],
        ramp_months=6,
        attrition=0.15,
        conversion=0.4,
        workload=ck.WorkloadModel(),
        profile=pf,
    )
    target = 1.25 * float(pf.revenue.sum())
    cap = ck.plan_capacity(
        target,
        [seg],
        existing=pf,
        existing_attrition=0.1,
        n_sims=200,
        seed=2026,
        distributor_threshold=25_000,
    )
    staff = ck.staff_channel(
        pf, team, margin=0.3, plan=cap, minimum={"contributor": "partner manager"}, seed=0
    )
    needed = dict(zip(staff.regions, staff.needed.tolist()))
    assert needed == cap.managers_by_region
    assert len(staff.hires) == int(np.maximum(staff.needed - staff.today, 0).sum())
    # coverage stays within the hours left after the recruits' reservation
    heads = np.maximum(staff.needed, staff.today)  # nobody is laid off
    assert (staff.coverage.hours_used <= heads * 2000.0 - staff.reserved_hours + 1e-6).all()
    # the books hold exactly the partners that take manager hours, at the same hours
    assert staff.books is not None
    assert staff.books.assignment.loads.sum() == pytest.approx(staff.coverage.hours.sum())
    frame = staff.to_frame(by="partner")
    assert (frame["manager"] != "").sum() == int((staff.coverage.hours > 0).sum())
    assert "Headcount by region" in staff.summary()


def test_staff_channel_hires_while_a_manager_pays() -> None:
    pf = ck.Portfolio([f"p{i}" for i in range(6)], revenue=[100_000.0] * 6, region=["NA"] * 6)
    team = [ck.Manager("m1", 200.0, region="NA")]
    motions = [ck.Motion("self"), ck.Motion("pm", hours=100.0, uplift=0.5)]
    # a partner under a manager adds 0.3 x 50,000 = 15,000; a manager (200 h) holds two
    staff = ck.staff_channel(
        pf, team, motions, margin=0.3, manager_cost=20_000.0, expected_revenue=pf.revenue
    )
    assert staff.needed.tolist() == [3]
    assert [m.id for m in staff.hires] == ["NEW-NA-1", "NEW-NA-2"]
    assert staff.coverage.partners_per_motion == {"self": 0, "pm": 6}
    none = ck.staff_channel(
        pf, team, motions, margin=0.3, manager_cost=40_000.0, expected_revenue=pf.revenue
    )
    assert none.needed.tolist() == [1] and none.hires == ()


# --------------------------------------------------------------------------- command line
def test_cli_coverage_prints_plan_headcount_and_books(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from channelkit.cli import main
    from channelkit.datasets import data_path

    partners = str(data_path("example_partners.csv"))
    managers = str(data_path("example_managers.csv"))
    assert main(["coverage", partners, managers]) == 0
    out = capsys.readouterr().out
    assert "Coverage plan" in out and "Headcount by region" in out and "Books" in out
    motions = tmp_path / "motions.toml"
    motions.write_text(
        'margin = 0.25\ngap = 1e-4\n[minimum]\ncontributor = "pm"\n'
        '[[motions]]\nname = "self"\n'
        '[[motions]]\nname = "pm"\nhours_factor = 1.0\nuplift = 0.2\n',
        encoding="utf-8",
    )
    assert main(["coverage", partners, managers, str(motions)]) == 0
    out = capsys.readouterr().out
    assert "pm" in out and "self" in out
    motions.write_text("[[motions]]\nnom = 'x'\n", encoding="utf-8")
    assert main(["coverage", partners, managers, str(motions)]) == 1
    assert "unknown key" in capsys.readouterr().err


def test_demo_coverage_section_agrees_with_the_capacity_section(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from channelkit.cli import _demo_plan, _section_coverage

    text = _section_coverage()
    plan = _demo_plan()
    assert f"{plan.managers} managers in one pool" in text
    needed = sum(plan.managers_by_region.values())
    assert f"Managers needed         {needed}" in text or f"{needed} when each region" in text


def test_coverage_solves_print_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    """HiGHS prints development lines with printf on some MILPs; no solve may reach stdout/stderr."""
    from channelkit.datasets import example_managers, example_portfolio

    capfd.readouterr()
    plan = ck.plan_coverage(
        example_portfolio(),
        ck.default_motions(),
        hours_available=example_managers(),
        margin=0.3,
        minimum={"contributor": "partner manager"},
    )
    plan.frontier(np.arange(10, 31, 2))
    out, err = capfd.readouterr()
    assert out == "" and err == ""


@given(st.integers(0, 10**6), st.integers(5, 40))
def test_manager_value_equals_the_change_of_the_optimum_with_one_more_manager(
    seed: int, n: int
) -> None:
    rng = np.random.default_rng(seed)
    revenue = rng.uniform(1_000, 100_000, n)
    work = rng.uniform(10, 100, n)
    pf = ck.Portfolio([f"p{i}" for i in range(n)], revenue=revenue)
    motions = [ck.Motion("self"), ck.Motion("pm", hours_factor=1.0, uplift=0.3)]
    per_manager = float(rng.uniform(1.0, 30.0))  # a small manager, so the basis may hold
    cap = float(rng.uniform(0, 40 * n))
    kw: dict[str, Any] = {"margin": 0.3, "hours": work, "expected_revenue": revenue}
    plan = ck.plan_coverage(pf, motions, hours_available=cap, hours_per_manager=per_manager, **kw)
    plus = ck.plan_coverage(
        pf, motions, hours_available=cap + per_manager, hours_per_manager=per_manager, **kw
    )
    args = {
        "v": 0.3 * revenue[:, None] * np.array([1.0, 1.3]),
        "h": work[:, None] * np.array([0.0, 1.0]),
        "grp": np.zeros(n, dtype=np.int64),
        "caps": np.array([cap]),
    }
    _, duals = _lp_highs(args)
    args["caps"] = np.array([cap + per_manager])
    _, duals_plus = _lp_highs(args)
    # non-degenerate over the whole step: the same dual at both ends
    assume(abs(duals[0] - duals_plus[0]) <= 1e-9 * max(1.0, abs(duals[0])))
    (value,) = plan.manager_value.values()
    assert value == pytest.approx(plus.lp_bound - plan.lp_bound, rel=1e-6, abs=1e-6)
