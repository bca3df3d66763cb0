"""Hypothesis strategies shared by the channelkit test suite.

Sections: partners and portfolios (foundation), then one section per topic.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import channelkit as ck

# --------------------------------------------------------------------------- partners
#: Finite, non-negative amounts of money, including exact zeros and wide ranges.
amounts = st.one_of(
    st.just(0.0),
    st.floats(min_value=0.0, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=10**6).map(float),
)

#: Partner ids, including white space around them, commas, quotes and non-ASCII letters
#: (the CSV writer must quote them; surrounding white space is not part of an id).
ids = st.text(
    alphabet=st.one_of(
        st.characters(categories=("Lu", "Ll", "Nd"), max_codepoint=0x24F),
        st.sampled_from(" ,\"'-_/"),
    ),
    min_size=1,
    max_size=8,
).filter(lambda s: s.strip() != "")
regions = st.sampled_from(["NA", "EMEA", "APAC", "LATAM", "Asia, Pacific", ' "DACH" '])
shares = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
metric_values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
metric_names = st.sampled_from(["csat", "certified_staff", "deals", "growth", "points"])


def revenue_arrays(
    min_size: int = 1, max_size: int = 60, *, positive_total: bool = False
) -> st.SearchStrategy[np.ndarray[Any, np.dtype[np.float64]]]:
    """1-D float arrays of non-negative revenue (heavy-tailed mixes, zeros, ties)."""
    elements = st.one_of(
        st.just(0.0),
        st.floats(min_value=0.0, max_value=1e7, allow_nan=False, allow_infinity=False),
        st.sampled_from([1.0, 10.0, 100.0]),
    )
    arrays = hnp.arrays(np.float64, st.integers(min_size, max_size), elements=elements)
    if positive_total:
        arrays = arrays.filter(lambda a: a.sum() > 0)
    return arrays


@st.composite
def partners(draw: st.DrawFn, metric_keys: tuple[str, ...] = ()) -> ck.Partner:
    """A valid :class:`channelkit.Partner` carrying exactly ``metric_keys``."""
    return ck.Partner(
        draw(ids),
        revenue=draw(amounts),
        revenue_prior=draw(st.none() | amounts),
        product_share=draw(st.none() | shares),
        region=draw(st.none() | regions),
        metrics={k: draw(metric_values) for k in metric_keys},
    )


@st.composite
def partner_lists(draw: st.DrawFn, min_size: int = 0, max_size: int = 12) -> list[ck.Partner]:
    """Lists of partners with unique ids and the same metric names."""
    keys = tuple(draw(st.lists(metric_names, unique=True, max_size=3)))
    people = draw(
        st.lists(partners(keys), min_size=min_size, max_size=max_size, unique_by=lambda p: p.id)
    )
    return people


portfolios = partner_lists().map(ck.Portfolio.from_partners)


def nan_to_none(value: float) -> float | None:
    return None if math.isnan(value) else value


# --------------------------------------------------------------------------- segmentation
def plain_revenue_arrays(
    min_size: int = 1, max_size: int = 40
) -> st.SearchStrategy[np.ndarray[Any, np.dtype[np.float64]]]:
    """Revenue arrays whose non-zero entries lie in [1e-3, 1e7] (no subnormals).

    For properties that rescale the values or divide by them, where subnormal
    amounts would underflow or overflow and change the answer for reasons that
    have nothing to do with the property.
    """
    elements = st.one_of(
        st.just(0.0),
        st.floats(min_value=1e-3, max_value=1e7, allow_nan=False, allow_infinity=False),
        st.sampled_from([1.0, 10.0, 100.0]),
    )
    return hnp.arrays(np.float64, st.integers(min_size, max_size), elements=elements)


#: Contributor shares, in (0, 1], with the usual round values mixed in.
contributor_shares = st.one_of(
    st.sampled_from([0.5, 0.8, 0.9, 1.0]),
    st.floats(min_value=0.0, max_value=1.0, exclude_min=True, allow_nan=False),
)
#: Long-tail shares, in [0, 1), with the usual round values mixed in.
tail_shares = st.one_of(
    st.sampled_from([0.0, 0.05, 0.1]),
    st.floats(min_value=0.0, max_value=1.0, exclude_max=True, allow_nan=False),
)


def product_share_arrays(
    min_size: int = 0, max_size: int = 40
) -> st.SearchStrategy[np.ndarray[Any, np.dtype[np.float64]]]:
    """1-D arrays of shares in [0, 1] with NaN (unknown) and the default boundaries mixed in."""
    elements = st.one_of(
        st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
        st.sampled_from([0.0, 0.3, 0.5, 0.7, 1.0, math.nan]),
    )
    return hnp.arrays(np.float64, st.integers(min_size, max_size), elements=elements)


# --------------------------------------------------------------------------- tiers
#: Metrics of generated programs; "growth" is signed (may be negative).
TIER_METRICS = ("a", "b", "c", "growth")

_ppu = st.sampled_from([0.5, 1.0, 2.0, 3.0, 0.25])
_caps = st.sampled_from([math.inf, 4.0, 10.0, 25.0])


@st.composite
def scorecards(draw: st.DrawFn) -> ck.Scorecard:
    """Scorecards over a non-empty subset of TIER_METRICS."""
    metrics = draw(st.lists(st.sampled_from(TIER_METRICS), min_size=1, max_size=4, unique=True))
    return ck.Scorecard(
        [
            ck.ScoreItem(m, draw(_ppu), max_points=draw(_caps), required=draw(st.booleans()))
            for m in metrics
        ]
    )


@st.composite
def policies(draw: st.DrawFn) -> ck.ProgressionPolicy:
    """Any progression policy with small cadences."""
    return ck.ProgressionPolicy(
        review_every=draw(st.integers(1, 4)),
        grace_reviews=draw(st.integers(0, 3)),
        max_steps_up=draw(st.none() | st.integers(1, 3)),
        max_steps_down=draw(st.none() | st.integers(1, 3)),
        window=draw(st.integers(1, 4)),
        demote_every=draw(st.none() | st.integers(1, 6)),
    )


def _effective(current: dict[str, float], scored_required: bool) -> dict[str, float]:
    """The rules among ``current`` that can fail (see ``Program``: a minimum <= 0 on an
    unsigned metric, or a min_score <= 0 without required items, is no rule)."""
    return {
        r: v
        for r, v in current.items()
        if r == "growth" or v > 0 or (r == "score" and scored_required)
    }


@st.composite
def programs(
    draw: st.DrawFn, max_tiers: int = 4, policy: st.SearchStrategy[Any] | None = None
) -> ck.Program:
    """Valid tier ladders (checklists, scorecards or both) over TIER_METRICS.

    Each rule starts at some tier and its threshold never decreases above it;
    every tier above the lowest changes at least one rule that can fail. Score
    thresholds stay at least 1 point below a capped scorecard's maximum.
    """
    n_tiers = draw(st.integers(1, max_tiers))
    card = draw(st.none() | scorecards())
    scored_required = card is not None and any(it.required for it in card.items)
    top_score = card.max_score - 1.0 if card is not None else math.inf
    rules = (["score"] if card is not None else []) + list(TIER_METRICS)
    start = {r: draw(st.integers(0, n_tiers)) for r in rules}  # n_tiers = never used
    step = st.integers(0, 5).map(float)
    current: dict[str, float] = {}
    previous: dict[str, float] | None = None
    tiers = []
    for k in range(n_tiers):
        for r in rules:
            if r in current:
                current[r] += draw(step)
            elif start[r] == k:
                current[r] = (-3.0 if r == "growth" else 0.0) + draw(step)
            if r == "score" and r in current:
                current[r] = min(current[r], top_score)
        if previous is not None and _effective(current, scored_required) == previous:
            r = draw(st.sampled_from(TIER_METRICS))
            current[r] = current.get(r, -4.0 if r == "growth" else 0.0) + 1.0
        previous = _effective(current, scored_required)
        tiers.append(
            ck.Tier(
                f"T{k}",
                min_score=current.get("score"),
                requirements={m: v for m, v in current.items() if m != "score"},
                benefits=ck.Benefits(
                    discount=draw(st.sampled_from([0.0, 0.05, 0.1])),
                    mdf=draw(st.sampled_from([0.0, 100.0, 1000.0])),
                    cost_to_serve=float(10 * k),
                ),
            )
        )
    pol = draw(policy) if policy is not None else ck.ProgressionPolicy()
    return ck.Program(tiers, scorecard=card, policy=pol)


@st.composite
def redesigns(draw: st.DrawFn) -> tuple[ck.Program, ck.Program]:
    """(old, new) program pairs whose tier names move: shifted, renamed or removed tiers.

    ``new`` is either a slice of ``old``'s ladder (tiers removed at the
    bottom or top), ``old``'s ladder under a new tier at the bottom, or an
    unrelated ladder named from a shuffle of ``old``'s names and fresh ones.
    """
    old = draw(programs())
    kind = draw(st.sampled_from(["slice", "below", "renamed"]))
    k = len(old.tiers)
    if kind == "slice" and k > 1:
        lo = draw(st.integers(0, k - 1))
        hi = draw(st.integers(lo + 1, k))
        return old, ck.Program(old.tiers[lo:hi], scorecard=old.scorecard)
    if kind == "below" and old.tiers[0].requirements.get("a", 0.0) > 0:
        # a new lowest tier that asks for less than old's lowest
        bottom = ck.Tier("Entry", requirements={"a": old.tiers[0].requirements["a"] - 1})
        return old, ck.Program((bottom, *old.tiers), scorecard=old.scorecard)
    new = draw(programs())
    pool = [*old.tier_names, "N0", "N1", "N2", "N3"]
    names = draw(st.permutations(pool))[: len(new.tiers)]
    tiers = [attrs.evolve(t, name=name) for t, name in zip(new.tiers, names)]
    return old, ck.Program(tiers, scorecard=new.scorecard)


@st.composite
def tier_populations(draw: st.DrawFn, min_size: int = 1, max_size: int = 25) -> dict[str, Any]:
    """Mappings with every TIER_METRICS column (growth signed) and revenue.

    Values are small whole numbers (many ties with thresholds) from a drawn
    seed, which generates much faster than element-wise draws.
    """
    n = draw(st.integers(min_size, max_size))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    cols: dict[str, Any] = {
        m: rng.integers(-6, 7, n).astype(float)
        if m == "growth"
        else rng.integers(0, 13, n).astype(float)
        for m in TIER_METRICS
    }
    cols["revenue"] = rng.integers(0, 13, n) * 1000.0
    return cols


@st.composite
def tier_histories(
    draw: st.DrawFn, max_periods: int = 14, max_partners: int = 8
) -> dict[str, Any]:
    """Mappings metric -> (periods, partners) arrays over TIER_METRICS.

    Values are small whole numbers from a drawn seed (fast to generate, many
    ties with thresholds); ``growth`` is in [-6, 6].
    """
    periods = draw(st.integers(1, max_periods))
    n = draw(st.integers(1, max_partners))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # a drawn "persistence" makes some histories nearly constant, others noisy
    stay = draw(st.sampled_from([0.0, 0.5, 0.9]))
    out: dict[str, Any] = {}
    for m in TIER_METRICS:
        lo, hi = (-6, 6) if m == "growth" else (0, 12)
        values = rng.integers(lo, hi + 1, (periods, n)).astype(float)
        keep = rng.random((periods, n)) < stay
        for t in range(1, periods):
            values[t, keep[t]] = values[t - 1, keep[t]]
        out[m] = values
    return out


#: Any printable-or-not text a user might put in a name (no lone surrogates).
odd_names = st.text(
    alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12
).filter(lambda s: bool(s.strip()) and s not in ("id", "region"))


def _rebate_within(discount: float, share: float) -> float:
    """A rebate that is ``share`` of what ``discount`` leaves (``discount + rebate <= 1``)."""
    rebate = (1.0 - discount) * share
    while discount + rebate > 1.0:
        rebate = math.nextafter(rebate, 0.0)
    return rebate


@st.composite
def file_programs(draw: st.DrawFn) -> ck.Program:
    """Programs with odd names, arbitrary floats and policies, for file round trips."""
    base = draw(programs(policy=policies()))
    names = draw(
        st.lists(odd_names, min_size=len(TIER_METRICS), max_size=len(TIER_METRICS), unique=True)
    )
    rename = dict(zip(TIER_METRICS, names))
    tier_names = draw(
        st.lists(odd_names, min_size=len(base.tiers), max_size=len(base.tiers), unique=True)
    )
    scale = draw(st.floats(min_value=1e-6, max_value=1e6))
    card = None
    if base.scorecard is not None:
        card = ck.Scorecard(
            [
                ck.ScoreItem(
                    rename[it.metric],
                    it.points_per_unit * draw(st.floats(min_value=1e-3, max_value=1e3)),
                    max_points=it.max_points * scale,
                    required=it.required,
                )
                for it in base.scorecard.items
            ]
        )
    tiers = [
        ck.Tier(
            name,
            min_score=None if t.min_score is None else t.min_score * scale,
            requirements={rename[m]: v * scale for m, v in t.requirements.items()},
            benefits=ck.Benefits(
                discount=(d := draw(st.floats(0, 1))),
                rebate=_rebate_within(d, draw(st.floats(0, 1))),
                mdf=draw(st.floats(0, 1e9)),
                cost_to_serve=draw(st.floats(0, 1e9)),
            ),
        )
        for name, t in zip(tier_names, base.tiers)
    ]
    # the renamed "growth" stays signed, so its rules keep failing as in ``base``
    extra = draw(st.lists(st.sampled_from(names[:-1]), unique=True, max_size=2))
    signed = [rename["growth"], *extra]
    return ck.Program(
        tiers,
        scorecard=card,
        policy=base.policy,
        signed_metrics=signed,
        name=draw(st.just("") | st.text(alphabet=st.characters(exclude_categories=("Cs",)))),
    )


# --------------------------------------------------------------------------- capacity
def _lognorm(s: float, scale: float) -> Any:
    from scipy import stats

    return stats.lognorm(s=s, scale=scale)


#: Productivity specifications a Segment accepts: a number, a sample, a distribution.
productivity_specs = st.one_of(
    st.floats(min_value=1_000.0, max_value=1e6, allow_nan=False),
    st.lists(
        st.one_of(st.just(0.0), st.floats(min_value=1_000.0, max_value=1e6)),
        min_size=1,
        max_size=20,
    ).filter(lambda xs: sum(xs) >= 1_000.0 * len(xs)),
    st.builds(
        _lognorm,
        st.floats(min_value=0.1, max_value=1.5),
        st.floats(min_value=5_000.0, max_value=500_000.0),
    ),
)


@st.composite
def capacity_segments(draw: st.DrawFn, name: str = "s", share: float | None = None) -> Any:
    """A random :class:`channelkit.Segment` with a ramp, attrition, conversion and growth."""
    from channelkit.capacity import FunnelStage, Segment

    funnel = draw(
        st.lists(
            st.builds(
                FunnelStage,
                st.just("stage"),
                st.floats(min_value=0.2, max_value=1.0),
                st.integers(0, 2),
            ),
            max_size=2,
        )
    )
    return Segment(
        name,
        draw(productivity_specs),
        ramp_months=draw(st.integers(0, 8)),
        attrition=draw(st.floats(min_value=0.0, max_value=0.6)),
        conversion=draw(st.floats(min_value=0.2, max_value=1.0)),
        share=share,
        funnel=funnel,
        growth=draw(st.floats(min_value=-0.2, max_value=0.3)),
    )


@st.composite
def segment_lists(draw: st.DrawFn, max_size: int = 3) -> list[Any]:
    """One to ``max_size`` segments with distinct names and random shares."""
    k = draw(st.integers(1, max_size))
    shares_ = [draw(st.floats(min_value=0.1, max_value=5.0)) for _ in range(k)]
    return [draw(capacity_segments(name=f"s{i}", share=shares_[i])) for i in range(k)]


# --------------------------------------------------------------------------- balancing
@st.composite
def assignment_problems(
    draw: st.DrawFn, max_n: int = 6, max_m: int = 3, integral: bool = True
) -> dict[str, Any]:
    """Small, feasible-or-not assignment instances for :func:`channelkit.assign`.

    Returns keyword arguments: ``workload`` ((n,) identical or (n, m) per
    manager), ``capacity`` (an int m: identical managers without a cap, or
    (m,) hard caps), ``cost`` (n, m), ``eligible`` ((n, m) with at least one
    manager per partner, or None) and ``max_partners`` ((m,), an int, or None).
    """
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(1, max_m))
    elem = (
        st.integers(0, 9).map(float)
        if integral
        else st.floats(0.0, 10.0, allow_nan=False, allow_infinity=False)
    )
    one_d = draw(st.booleans())
    workload = draw(hnp.arrays(np.float64, (n,) if one_d else (n, m), elements=elem))
    capacity: Any
    if draw(st.booleans()):
        capacity = m
    else:
        capacity = draw(hnp.arrays(np.float64, (m,), elements=st.integers(4, 25).map(float)))
    cost = draw(hnp.arrays(np.float64, (n, m), elements=st.integers(-5, 9).map(float)))
    eligible: Any = None
    if draw(st.booleans()):
        eligible = draw(hnp.arrays(np.bool_, (n, m), elements=st.booleans()))
        pick = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, m - 1)))
        eligible[np.arange(n), pick] = True
    max_partners: Any = draw(
        st.one_of(
            st.none(),
            st.integers(1, n),
            hnp.arrays(np.int64, (m,), elements=st.integers(1, n)),
        )
    )
    return {
        "workload": workload,
        "capacity": capacity,
        "cost": cost,
        "eligible": eligible,
        "max_partners": max_partners,
    }


def makespan_jobs(
    min_size: int = 1, max_size: int = 8, integral: bool = True
) -> st.SearchStrategy[np.ndarray[Any, np.dtype[np.float64]]]:
    """1-D workloads for identical-manager (makespan) problems."""
    elem = (
        st.integers(0, 30).map(float)
        if integral
        else st.floats(0.0, 100.0, allow_nan=False, allow_infinity=False)
    )
    return hnp.arrays(np.float64, st.integers(min_size, max_size), elements=elem)


# --------------------------------------------------------------------------- text that files must keep
#: Text a reader accepts: no NUL, no lone surrogate, no surrounding white space, not empty.
_plain_text = (
    st.text(
        alphabet=st.characters(
            blacklist_characters="\x00", blacklist_categories=("Cs",), max_codepoint=0x2FFF
        ),
        min_size=1,
        max_size=8,
    )
    .map(str.strip)
    .filter(bool)
)


def control_texts() -> st.SearchStrategy[str]:
    """Ids and names mixing plain text with line breaks, tabs, commas, quotes and
    other control characters (never NUL, never surrounding white space)."""
    return st.lists(
        st.one_of(_plain_text, st.sampled_from(["\r", "\n", "\r\n", "\t", "\x1f", ",", '"'])),
        min_size=1,
        max_size=5,
    ).map(lambda parts: "x" + "".join(parts) + "y")


#: numpy dtypes that are never numbers: booleans, complex numbers, dates and durations.
NON_NUMERIC_DTYPES = (
    "bool",
    "complex64",
    "complex128",
    "datetime64[D]",
    "datetime64[ns]",
    "timedelta64[s]",
)


# --------------------------------------------------------------------------- histories
@st.composite
def partner_histories(
    draw: st.DrawFn, max_partners: int = 8, max_periods: int = 30
) -> ck.PartnerHistory:
    """A :class:`channelkit.PartnerHistory`: random rows with gaps, integer revenue.

    Every partner has a row, and the first and last months have one (the
    periods span the months with data); the lifecycle is derived from the rows.
    """
    n = draw(st.integers(1, max_partners))
    t = draw(st.integers(1, max_periods))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    present = rng.random((t, n)) < draw(st.sampled_from([0.3, 0.7, 1.0]))
    present[rng.integers(0, t, n), np.arange(n)] = True
    present[0, rng.integers(0, n)] = present[-1, rng.integers(0, n)] = True
    revenue = np.where(present, rng.integers(0, 1000, (t, n)).astype(float), 0.0)
    start = f"{draw(st.integers(1990, 2030))}-{draw(st.integers(1, 12)):02d}"
    ids = [f"p{i}" for i in rng.permutation(n)]
    return ck.PartnerHistory(ids, start, {"revenue": revenue}, present=present)
