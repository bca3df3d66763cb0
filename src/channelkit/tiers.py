"""Tiered partner programs: scorecards, tiers, evaluation, gaps and audits.

A :class:`Program` is an ordered ladder of :class:`Tier` objects, lowest
first. A tier has requirements (inclusive minimums on metrics), optionally a
minimum score from the program's :class:`Scorecard`, and :class:`Benefits`
that cost the vendor money. :func:`evaluate` places every partner of a
population in the highest tier whose rules it meets and explains the result:
:meth:`Evaluation.gaps` says how far each partner is from its next tier (or
any tier).

The module is vectorized: one pass over the partners per tier and per rule,
so a million partners evaluate in a few tens of milliseconds.

Metric values
-------------
A metric the program uses must be a column of the partners (a
:class:`~channelkit.partners.Portfolio` metric or one of the numeric standard
columns ``revenue``, ``revenue_prior``, ``product_share``), must not be NaN
and must be >= 0, unless it is listed in :attr:`Program.signed_metrics`
(default ``("growth",)``): growth rates and other signed indicators may be
negative. Points from a negative value are 0.

Thresholds
----------
Thresholds are inclusive and decided the way a person adding the numbers
would. Scores are summed with compensated summation (the exact sum of the
items' points, rounded once), and a score or metric counts as meeting a
threshold :math:`t` when it is at least :math:`t - \\epsilon |t|`, with
:math:`\\epsilon` = :data:`THRESHOLD_RTOL` = 1e-12: decimal metrics whose points
add up to exactly 70 meet a 70-point tier, although their floating-point sum
may fall an ulp short. The same rule decides :func:`evaluate`,
:meth:`Evaluation.gaps` (a gap within the tolerance is 0, never a rounding
residue), :func:`audit_program`, :func:`channelkit.progress` and
:func:`channelkit.program_impact`.

Examples
--------
A checklist ladder:

>>> import channelkit as ck
>>> program = ck.Program([
...     ck.Tier("Registered"),
...     ck.Tier("Silver", requirements={"certified_staff": 2, "revenue": 50_000}),
...     ck.Tier("Gold", requirements={"certified_staff": 5, "revenue": 250_000, "csat": 8}),
... ])
>>> partners = {"revenue": [300_000, 60_000, 10_000], "certified_staff": [6, 1, 0],
...             "csat": [8.5, 9.0, 7.0]}
>>> ev = ck.evaluate(program, partners)
>>> ev.tier_name.tolist()
['Gold', 'Registered', 'Registered']
>>> ev.gaps(to="Silver").requirements["certified_staff"].tolist()
[0.0, 1.0, 2.0]
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, NoReturn, TypeVar, cast

import attrs
import numpy as np
from numpy.typing import NDArray

from ._frames import is_frame
from ._items import ItemTable, locate, read_items
from ._optional import import_optional
from ._plotstyle import COLORS, axes, categorical
from ._policy import ProgressionPolicy
from ._render import (
    Fact,
    Note,
    Report,
    ResultMixin,
    Table,
    fmt_int,
    fmt_money,
    fmt_num,
    fmt_pct,
    one_line,
)
from ._scoring import THRESHOLD_RTOL as THRESHOLD_RTOL
from ._scoring import item_points as _raw_points
from ._scoring import score_overflow as _score_overflow
from ._scoring import threshold_floor as _floor
from ._scoring import tier_kernel as _tier_kernel
from ._scoring import total_score as _score
from ._validation import as_float_array, as_int_array, as_real, check_fraction, check_positive
from .errors import InvalidInputError, ProgramDefinitionError
from .partners import STANDARD_COLUMNS, Portfolio, PortfolioLike, as_portfolio

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = [
    "Benefits",
    "Evaluation",
    "Finding",
    "Gaps",
    "ItemCount",
    "Program",
    "ProgramAudit",
    "Requirements",
    "ScoreItem",
    "Scorecard",
    "Tier",
    "audit_program",
    "evaluate",
]

#: Columns that are not numeric and so cannot be scored or required.
_NOT_NUMERIC = ("id", "region")

#: Metrics that may be negative unless a program says otherwise.
DEFAULT_SIGNED_METRICS: tuple[str, ...] = ("growth",)


# --------------------------------------------------------------------------- validators
def _metric(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProgramDefinitionError(f"{what} must be a non-empty metric name, got {value!r}")
    if value in _NOT_NUMERIC:
        raise ProgramDefinitionError(f"{what} = {value!r} is not a numeric column")
    return value


def _number(
    value: object,
    what: str,
    *,
    minimum: float | None = None,
    strict: bool = False,
    allow_inf: bool = False,
) -> float:
    out = as_real(value, what, error=ProgramDefinitionError)
    if math.isinf(out) and not (allow_inf and out > 0):
        raise ProgramDefinitionError(f"{what} = {out} is infinite; expected a finite number")
    if minimum is not None and (out <= minimum if strict else out < minimum):
        cmp = ">" if strict else ">="
        raise ProgramDefinitionError(f"{what} = {out!r}; expected a number {cmp} {minimum:g}")
    return out


def _fmt(value: float) -> str:
    return f"{value:,.6g}"


# --------------------------------------------------------------------------- scorecard
@attrs.frozen(repr=False)
class ScoreItem:
    """One line of a scorecard: points that grow linearly with a metric up to a cap.

    Parameters
    ----------
    metric : str
        Column of the partners the points are earned on.
    points_per_unit : float [points/unit of the metric], > 0
        Points earned per unit of the metric.
    max_points : float [points], > 0, default inf
        Cap on the points this item can give.
    required : bool, default False
        If true, the metric must be > 0 for a partner to qualify for any tier
        that has a ``min_score``.
    per : float [unit of the metric], > 0, or None, default None
        A step: the item gives ``points_per_unit`` points for each *whole*
        ``per`` units of the metric ("5 points per full $100"). None: points
        grow linearly.

    Notes
    -----
    .. math:: p(x) = \\min(\\max(a x, 0), c)

    with :math:`a` = ``points_per_unit`` and :math:`c` = ``max_points``; with a
    step :math:`q` = ``per``,

    .. math:: p(x) = \\min(a \\lfloor x / q \\rfloor, c) \\quad (x \\ge 0),

    where :math:`x` holds :math:`k` whole steps when it meets the threshold
    :math:`k q` the way :func:`evaluate` decides thresholds (within
    :data:`THRESHOLD_RTOL`): $300 holds three whole $100, and 0.3 three whole 0.1.

    Examples
    --------
    >>> item = ScoreItem("sourced_revenue", 0.001, max_points=500)
    >>> item.points([100_000, 800_000]).tolist()
    [100.0, 500.0]

    Five points per full $100 of sourced revenue:

    >>> ScoreItem("sourced_revenue", 5, per=100).points([99.0, 100.0, 250.0]).tolist()
    [0.0, 5.0, 10.0]
    """

    metric: str = attrs.field()
    points_per_unit: float = attrs.field()
    max_points: float = attrs.field(default=math.inf)
    required: bool = attrs.field(default=False)
    per: float | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        _metric(self.metric, "ScoreItem.metric")
        where = f"ScoreItem({self.metric!r})"
        object.__setattr__(
            self,
            "points_per_unit",
            _number(self.points_per_unit, f"{where}.points_per_unit", minimum=0, strict=True),
        )
        object.__setattr__(
            self,
            "max_points",
            _number(
                self.max_points, f"{where}.max_points", minimum=0, strict=True, allow_inf=True
            ),
        )
        if not isinstance(self.required, bool | np.bool_):
            raise ProgramDefinitionError(f"{where}.required must be True or False")
        object.__setattr__(self, "required", bool(self.required))
        if self.per is not None:
            object.__setattr__(
                self, "per", _number(self.per, f"{where}.per", minimum=0, strict=True)
            )

    def __repr__(self) -> str:
        cap = "float('inf')" if math.isinf(self.max_points) else repr(self.max_points)
        step = "" if self.per is None else f", per={self.per!r}"
        return (
            f"ScoreItem(metric={self.metric!r}, points_per_unit={self.points_per_unit!r}, "
            f"max_points={cap}, required={self.required!r}{step})"
        )

    def points(self, values: Any) -> NDArray[np.float64]:
        """Points this item gives for metric ``values`` (array-like [unit of the metric]).

        Raises
        ------
        InvalidInputError
            For NaN or non-numeric values, or finite values whose points
            exceed the largest float.
        """
        x = as_float_array(values, f"values of {self.metric!r}", ndim=None, allow_inf=True)
        with np.errstate(over="ignore"):
            out = _item_points(self, x)
        over = np.isinf(out) & np.isfinite(x)
        if over.any():
            value = float(x[np.unravel_index(int(np.argmax(over)), x.shape)])
            raise InvalidInputError(
                f"values of {self.metric!r}: {value!r} x {self.points_per_unit!r} points is more "
                f"than the largest float ({np.finfo(np.float64).max:.4g}); express the metric "
                "in larger units or cap the item (max_points)"
            )
        return out


def _item_points(item: ScoreItem, x: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.maximum(_raw_points(item, x), 0.0)
    if math.isfinite(item.max_points):
        out = np.minimum(out, item.max_points)
    return np.asarray(out, dtype=np.float64)


def _items(value: Iterable[ScoreItem]) -> tuple[ScoreItem, ...]:
    if isinstance(value, ScoreItem) or not isinstance(value, Iterable):
        raise ProgramDefinitionError("Scorecard.items must be a sequence of ScoreItem")
    return tuple(value)


@attrs.frozen
class Scorecard:
    """A points scorecard: the sum of its items' points.

    Parameters
    ----------
    items : sequence of ScoreItem
        At least one item; each metric at most once.

    Raises
    ------
    ProgramDefinitionError
        For an empty scorecard, a non-ScoreItem or a metric used twice.

    Examples
    --------
    Points by how the revenue was made: sourced revenue earns three times
    as much as managed revenue.

    >>> card = Scorecard([
    ...     ScoreItem("sourced_revenue", 3e-3),
    ...     ScoreItem("assisted_revenue", 2e-3),
    ...     ScoreItem("managed_revenue", 1e-3, max_points=100),
    ... ])
    >>> card.score({"sourced_revenue": [10_000, 0], "assisted_revenue": [0, 5_000],
    ...             "managed_revenue": [500_000, 0]}).tolist()
    [130.0, 10.0]
    """

    items: tuple[ScoreItem, ...] = attrs.field(converter=_items)

    def __attrs_post_init__(self) -> None:
        if not self.items:
            raise ProgramDefinitionError("a Scorecard needs at least one ScoreItem")
        seen: set[str] = set()
        for i, item in enumerate(self.items):
            if not isinstance(item, ScoreItem):
                raise ProgramDefinitionError(
                    f"Scorecard.items[{i}] must be a ScoreItem, got {type(item).__name__}"
                )
            if item.metric in seen:
                raise ProgramDefinitionError(
                    f"Scorecard.items[{i}]: metric {item.metric!r} is scored twice; "
                    "use one item per metric"
                )
            seen.add(item.metric)

    @classmethod
    def weighted_index(
        cls,
        weights: Mapping[str, float],
        full_at: Mapping[str, float],
        *,
        scale: float = 10.0,
        required: Iterable[str] = (),
    ) -> Scorecard:
        """A weighted index from 0 to ``scale`` over normalized metrics.

        Parameters
        ----------
        weights : mapping of str to float
            Relative weight of each metric (> 0); normalized to sum to 1.
        full_at : mapping of str to float [unit of the metric]
            The metric value that earns the metric's full weight; higher
            values earn no more.
        scale : float, default 10.0
            The index of a partner at or above ``full_at`` on every metric.
        required : iterable of str
            Metrics that must be > 0 to qualify for a scored tier (a list of
            names, not a single string).

        Raises
        ------
        ProgramDefinitionError
            For a non-positive weight, scale or ``full_at`` value, a weighted
            metric without ``full_at``, a ``full_at`` or ``required`` metric
            without weight, or ``required`` given as a string.

        Notes
        -----
        .. math:: I = s \\sum_m w_m \\min(x_m / f_m, 1), \\quad \\sum_m w_m = 1

        Examples
        --------
        >>> card = Scorecard.weighted_index({"csat": 1, "certified_staff": 1},
        ...                                 {"csat": 10, "certified_staff": 4})
        >>> card.score({"csat": [8.0, 10.0], "certified_staff": [2, 8]}).tolist()
        [6.5, 10.0]
        """
        if not isinstance(weights, Mapping) or not weights:
            raise ProgramDefinitionError("weights must be a non-empty mapping metric -> weight")
        w = {m: _number(v, f"weights[{m!r}]", minimum=0, strict=True) for m, v in weights.items()}
        s = _number(scale, "scale", minimum=0, strict=True)
        total = sum(w.values())
        if isinstance(required, str) or not isinstance(required, Iterable):
            raise ProgramDefinitionError(
                f"required must be a list of metric names, got {required!r}; "
                f"write required=[{required!r}] for one metric"
            )
        req = set(required)
        unknown = req - set(w)
        if unknown:
            raise ProgramDefinitionError(f"required metric {sorted(unknown)[0]!r} has no weight")
        if not isinstance(full_at, Mapping):
            raise ProgramDefinitionError("full_at must be a mapping metric -> value")
        extra = [m for m in full_at if m not in w]
        if extra:
            raise ProgramDefinitionError(
                f"full_at has a value for metric {extra[0]!r} that has no weight; "
                f"the weighted metrics are {', '.join(map(repr, w))}"
            )
        items = []
        for m, wm in w.items():
            if m not in full_at:
                raise ProgramDefinitionError(f"full_at has no value for metric {m!r}")
            f = _number(full_at[m], f"full_at[{m!r}]", minimum=0, strict=True)
            cap = s * wm / total
            items.append(ScoreItem(m, cap / f, max_points=cap, required=m in req))
        return cls(items)

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metrics the items score, in item order."""
        return tuple(item.metric for item in self.items)

    @property
    def max_score(self) -> float:
        """The highest score the card can give (inf if an item is uncapped).

        The caps are added exactly (:func:`math.fsum`) and rounded once.
        """
        caps = [item.max_points for item in self.items]
        return math.inf if any(math.isinf(c) for c in caps) else math.fsum(caps)

    def score(
        self, partners: PortfolioLike, *, signed_metrics: Iterable[str] = DEFAULT_SIGNED_METRICS
    ) -> NDArray[np.float64]:
        """Score every partner [points].

        Parameters
        ----------
        partners : Portfolio, DataFrame or mapping of str to array-like
            The partners; must have every metric of the card.
        signed_metrics : iterable of str
            Metrics that may be negative.

        Raises
        ------
        InvalidInputError
            For a missing metric, NaN, or a negative value of an unsigned metric.
        """
        pf = as_portfolio(partners)
        cols = _metric_columns(
            pf, dict.fromkeys(self.metrics, "the scorecard"), set(signed_metrics)
        )
        out = _score(self, cols, len(pf))
        if not np.isfinite(out).all():
            _score_overflow(self, cols, int(np.argmin(np.isfinite(out))), 0)
        return out

    def points(
        self, partners: PortfolioLike, *, signed_metrics: Iterable[str] = DEFAULT_SIGNED_METRICS
    ) -> NDArray[np.float64]:
        """Points per partner and item, shape (n, len(items)) [points]; see :meth:`score`."""
        pf = as_portfolio(partners)
        users = dict.fromkeys(self.metrics, "the scorecard")
        cols = _metric_columns(pf, users, set(signed_metrics))
        with np.errstate(over="ignore"):
            out = np.column_stack([_item_points(it, cols[it.metric]) for it in self.items])
        if not np.isfinite(out).all():
            _score_overflow(self, cols, int(np.argmin(np.isfinite(out).all(axis=1))), 0)
        return out


# --------------------------------------------------------------------------- tiers
@attrs.frozen(repr=False)
class Benefits:
    """What a tier gives its partners, and so what it costs the vendor.

    Parameters
    ----------
    discount : float in [0, 1], default 0.0
        Extra discount on the partner's purchases, as a share of its revenue.
    rebate : float in [0, 1], default 0.0
        Rebate paid back, as a share of the partner's revenue;
        ``discount + rebate`` must be <= 1.
    mdf : float [currency/year], default 0.0
        Market development funds granted per partner.
    cost_to_serve : float [currency/year], default 0.0
        Support, enablement and management cost per partner.

    Notes
    -----
    The yearly cost of one partner with revenue :math:`R` is

    .. math:: C = (d + r) R + \\mathrm{mdf} + \\mathrm{cost\\_to\\_serve}.

    Examples
    --------
    >>> Benefits(discount=0.05, rebate=0.02, mdf=10_000).cost([100_000, 0]).tolist()
    [17000.0, 10000.0]
    >>> Benefits(discount=0.05)  # the repr leaves out what is zero
    Benefits(discount=0.05)
    """

    discount: float = attrs.field(default=0.0)
    rebate: float = attrs.field(default=0.0)
    mdf: float = attrs.field(default=0.0)
    cost_to_serve: float = attrs.field(default=0.0)

    def __repr__(self) -> str:
        shown = [
            f"{k}={getattr(self, k)!r}"
            for k in ("discount", "rebate", "mdf", "cost_to_serve")
            if getattr(self, k) != 0.0
        ]
        return f"Benefits({', '.join(shown)})"

    def __attrs_post_init__(self) -> None:
        for name in ("discount", "rebate"):
            value = _number(getattr(self, name), f"Benefits.{name}", minimum=0)
            if value > 1:
                raise ProgramDefinitionError(
                    f"Benefits.{name} = {value!r}; expected a share of revenue in [0, 1]"
                )
            object.__setattr__(self, name, value)
        if self.discount + self.rebate > 1:
            raise ProgramDefinitionError(
                f"Benefits.discount + Benefits.rebate = {self.discount!r} + {self.rebate!r} = "
                f"{self.discount + self.rebate!r}; together they give back a share of revenue, "
                "expected <= 1"
            )
        for name in ("mdf", "cost_to_serve"):
            object.__setattr__(
                self, name, _number(getattr(self, name), f"Benefits.{name}", minimum=0)
            )

    @property
    def rate(self) -> float:
        """Share of revenue given back: ``discount + rebate``."""
        return self.discount + self.rebate

    @property
    def fixed(self) -> float:
        """Cost per partner independent of revenue: ``mdf + cost_to_serve`` [currency/year]."""
        return self.mdf + self.cost_to_serve

    def cost(self, revenue: Any) -> NDArray[np.float64]:
        """Yearly cost of these benefits for partners with ``revenue`` [currency/year].

        Raises
        ------
        InvalidInputError
            For negative, NaN or infinite revenue.
        """
        rev = as_float_array(revenue, "revenue", ndim=None, nonnegative=True)
        return np.asarray(rev * self.rate + self.fixed, dtype=np.float64)


_V = TypeVar("_V")


class _ReadOnlyDict(dict[str, _V], Generic[_V]):
    """A dict whose mutating methods raise TypeError: hashable, copied as itself, picklable.

    Subclasses set ``_read_only_message`` (what the TypeError says).
    """

    __slots__ = ()
    _read_only_message: ClassVar[str] = "read-only"

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(self._read_only_message)

    __setitem__ = _read_only
    __delitem__ = _read_only
    __ior__ = _read_only
    clear = _read_only
    pop = _read_only
    popitem = _read_only
    setdefault = _read_only
    update = _read_only

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))

    def __copy__(self) -> Any:
        return self

    def __deepcopy__(self, memo: Any) -> Any:
        return self


class Requirements(_ReadOnlyDict[float]):
    """A read-only, hashable mapping metric -> minimum: the type of :attr:`Tier.requirements`.

    It is a :class:`dict` (so it compares equal to one and prints like one,
    keeping reprs valid Python) whose mutating methods raise
    :class:`TypeError`: a tier's rules cannot change after the program was
    validated. Use :func:`attrs.evolve` to derive a tier with other rules.

    Examples
    --------
    >>> tier = Tier("Gold", requirements={"deals": 5})
    >>> tier.requirements
    {'deals': 5.0}
    >>> tier.requirements["deals"] = 0
    Traceback (most recent call last):
    ...
    TypeError: Tier.requirements is read-only; use attrs.evolve(tier, requirements=...)
    """

    __slots__ = ()
    _read_only_message = "Tier.requirements is read-only; use attrs.evolve(tier, requirements=...)"


class PointMinimums(Requirements):
    """A read-only mapping item metric -> minimum points: the type of :attr:`Tier.min_points`."""

    __slots__ = ()
    _read_only_message = "Tier.min_points is read-only; use attrs.evolve(tier, min_points=...)"


def _min_points(value: Mapping[str, float] | None) -> PointMinimums:
    if value is None:
        return PointMinimums()
    if not isinstance(value, Mapping):
        raise ProgramDefinitionError(
            f"min_points must be a mapping item metric -> minimum points, got "
            f"{type(value).__name__}"
        )
    out: dict[str, float] = {}
    for key, minimum in value.items():
        name = _metric(key, "a min_points item")
        out[name] = _number(minimum, f"min_points[{name!r}]", minimum=0)
    return PointMinimums(out)


def _requirements(value: Mapping[str, float]) -> Requirements:
    if not isinstance(value, Mapping):
        raise ProgramDefinitionError(
            f"requirements must be a mapping metric -> minimum, got {type(value).__name__}"
        )
    out: dict[str, float] = {}
    for key, minimum in value.items():
        name = _metric(key, "a requirement")
        out[name] = _number(minimum, f"requirements[{name!r}]")
    return Requirements(out)


@attrs.frozen(repr=False)
class Tier:
    """One rung of a program's ladder.

    Parameters
    ----------
    name : str
        Name of the tier, unique within its program.
    min_score : float [points] or None, default None
        Minimum scorecard score (inclusive); None if the tier does not use
        the score.
    requirements : mapping of str to float, default {}
        Minimum value (inclusive) of each metric; stored as a read-only
        :class:`Requirements` mapping.
    benefits : Benefits, default Benefits()
        What the tier gives, and so what it costs.
    min_points : mapping of str to float [points] or None, default None
        Minimum points (inclusive) from single scorecard items, by item
        metric: ``{"sourced_revenue": 250}`` is "at least 250 points from
        sourced revenue", whatever the total score. Stored as a read-only
        mapping (empty for None).
    inherit : bool, default False
        True: the tier's rules are the rules of the tier below (after its own
        inheritance) plus the ones given here, which may raise them, so a
        ladder states only what each tier adds. A :class:`Program` resolves
        this when it is built: in ``program.tiers`` such a tier holds the
        full rules.

    Notes
    -----
    A partner qualifies for the tier when its score is >= ``min_score`` (if
    set), every requirement is met, every item's points are >= its
    ``min_points`` and, if the tier uses a score, every ``required``
    scorecard item's metric is > 0.

    Examples
    --------
    >>> Tier("Gold", min_score=300, requirements={"certified_staff": 4})
    Tier('Gold', min_score=300.0, requirements={'certified_staff': 4.0})
    >>> Tier("Gold", min_points={"sourced_revenue": 250}, inherit=True)
    Tier('Gold', min_points={'sourced_revenue': 250.0}, inherit=True)
    """

    name: str = attrs.field()
    min_score: float | None = attrs.field(default=None)
    requirements: Requirements = attrs.field(factory=Requirements, converter=_requirements)
    benefits: Benefits = attrs.field(factory=Benefits)
    min_points: PointMinimums = attrs.field(default=None, converter=_min_points, kw_only=True)
    inherit: bool = attrs.field(default=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ProgramDefinitionError(
                f"Tier.name must be a non-empty string, got {self.name!r}"
            )
        if self.min_score is not None:
            object.__setattr__(
                self,
                "min_score",
                _number(self.min_score, f"tier {self.name!r}: min_score", minimum=0),
            )
        if not isinstance(self.benefits, Benefits):
            raise ProgramDefinitionError(
                f"tier {self.name!r}: benefits must be a Benefits, got {self.benefits!r}"
            )
        if not isinstance(self.inherit, bool | np.bool_):
            raise ProgramDefinitionError(
                f"tier {self.name!r}: inherit must be True or False, got {self.inherit!r}"
            )
        object.__setattr__(self, "inherit", bool(self.inherit))

    def __repr__(self) -> str:
        shown = [repr(self.name)]
        if self.min_score is not None:
            shown.append(f"min_score={self.min_score!r}")
        if self.requirements:
            shown.append(f"requirements={dict(self.requirements)!r}")
        if self.benefits != Benefits():
            shown.append(f"benefits={self.benefits!r}")
        if self.min_points:
            shown.append(f"min_points={dict(self.min_points)!r}")
        if self.inherit:
            shown.append("inherit=True")
        return f"Tier({', '.join(shown)})"

    @property
    def uses_score(self) -> bool:
        """Whether the tier has a ``min_score``."""
        return self.min_score is not None


# --------------------------------------------------------------------------- item counts
@attrs.frozen(repr=False)
class ItemCount:
    """A count over a per-partner item list: how many items have a value >= ``min_value``.

    A program names each count (``Program(counts={"big_opportunities":
    ItemCount(...)})``) and its tiers require it like any metric
    (``requirements={"big_opportunities": 20}``); :func:`evaluate` computes
    it from a long table of items (partner id, value, date) given as
    ``items={list name: table}``.

    Parameters
    ----------
    items : str
        Name of the item list counted: the key of the table in
        ``evaluate(..., items={...})`` ("opportunities", "deals",
        "certifications").
    min_value : float [unit of the item value], default 0.0
        Only items with a value >= this count (inclusive, decided like every
        threshold of :func:`evaluate`).
    label : str, default ""
        What one counted item is called in gaps, plural: "opportunities of at
        least $10,000 MRR". Default: ``"<items> of at least <min_value>"``
        (or just ``items`` when ``min_value`` is 0).
    within_days : int > 0 or None, default None
        Count only items dated in the ``within_days`` days up to the
        evaluation date (``as_of``, by default the latest date in the
        table); needs a ``date`` column. None: every item counts.

    Examples
    --------
    >>> rule = ItemCount("opportunities", min_value=10_000,
    ...                  label="opportunities of at least $10,000 MRR")
    >>> rule.count(["a", "b"], {"partner": ["a", "a", "b"],
    ...                         "value": [10_000, 9_999.99, 25_000]}).tolist()
    [1, 1]
    >>> rule.describe(3)
    '3 more opportunities of at least $10,000 MRR'
    """

    items: str = attrs.field()
    min_value: float = attrs.field(default=0.0)
    label: str = attrs.field(default="")
    within_days: int | None = attrs.field(default=None)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.items, str) or not self.items.strip():
            raise ProgramDefinitionError(
                f"ItemCount.items must be the non-empty name of an item list, got {self.items!r}"
            )
        where = f"ItemCount({self.items!r})"
        object.__setattr__(self, "min_value", _number(self.min_value, f"{where}.min_value"))
        if not isinstance(self.label, str):
            raise ProgramDefinitionError(f"{where}.label must be a string, got {self.label!r}")
        if self.within_days is not None:
            days = self.within_days
            if isinstance(days, bool) or not isinstance(days, int | np.integer) or days <= 0:
                raise ProgramDefinitionError(
                    f"{where}.within_days = {days!r}; expected a whole number of days > 0 or None"
                )
            object.__setattr__(self, "within_days", int(days))

    def __repr__(self) -> str:
        shown = [repr(self.items)]
        if self.min_value != 0:
            shown.append(f"min_value={self.min_value!r}")
        if self.label:
            shown.append(f"label={self.label!r}")
        if self.within_days is not None:
            shown.append(f"within_days={self.within_days!r}")
        return f"ItemCount({', '.join(shown)})"

    @property
    def noun(self) -> str:
        """What one counted item is called, plural (``label`` or a default)."""
        if self.label:
            return self.label
        if self.min_value == 0:
            return self.items
        return f"{self.items} of at least {_fmt(self.min_value)}"

    def describe(self, missing: float) -> str:
        """The gap as a sentence: ``"3 more opportunities of at least $10,000 MRR"``."""
        return f"{_fmt(missing)} more {self.noun}"

    def count(self, ids: Any, table: Any, *, as_of: Any = None) -> NDArray[np.int64]:
        """Number of counted items of each partner (``ids``, in order).

        Parameters
        ----------
        ids : array-like of str, shape (n,)
            The partners' ids.
        table : DataFrame or mapping of column -> array-like
            The items: ``partner`` (an id in ``ids``), ``value`` and,
            optionally, ``date``.
        as_of : date-like or None
            The evaluation date for ``within_days`` (default: the latest
            date in the table).

        Raises
        ------
        InvalidInputError
            For a bad table, an item of an unknown partner, or
            ``within_days`` without a ``date`` column.
        """
        keys = np.asarray(ids)
        keys = keys if keys.dtype.kind == "U" else keys.astype(str)
        tab = read_items(self.items, table)
        rows = locate(keys, tab.partner, f"items[{self.items!r}]")
        return _count_kernel(self, tab, rows, keys.shape[0], as_of)


def _count_kernel(
    rule: ItemCount, tab: ItemTable, rows: NDArray[np.intp], n: int, as_of: Any
) -> NDArray[np.int64]:
    """Counted items per partner row: one mask and one :func:`numpy.bincount`."""
    keep = tab.value >= _floor(rule.min_value)
    if rule.within_days is not None:
        if tab.date is None:
            raise InvalidInputError(
                f"items[{rule.items!r}] has no 'date' column but {rule!r} counts only the "
                f"items of the last {rule.within_days} days"
            )
        end = _as_of(tab, as_of)
        start = end - np.timedelta64(rule.within_days, "D")
        keep &= (tab.date > start) & (tab.date <= end)
    return np.bincount(rows[keep], minlength=n).astype(np.int64)


def _as_of(tab: ItemTable, as_of: Any) -> np.datetime64:
    if as_of is None:
        assert tab.date is not None
        return tab.date.max() if tab.date.size else np.datetime64("1970-01-01", "D")
    try:
        return np.datetime64(as_of, "D")
    except (TypeError, ValueError):
        raise InvalidInputError(f"as_of must be a date, got {as_of!r}") from None


class Counts(_ReadOnlyDict[ItemCount]):
    """A read-only, hashable mapping count name -> :class:`ItemCount`: :attr:`Program.counts`."""

    __slots__ = ()
    _read_only_message = "Program.counts is read-only; use attrs.evolve(program, counts=...)"


def _counts(value: Mapping[str, ItemCount] | None) -> Counts:
    if value is None:
        return Counts()
    if not isinstance(value, Mapping):
        raise ProgramDefinitionError(
            f"Program.counts must be a mapping name -> ItemCount, got {type(value).__name__}"
        )
    out: dict[str, ItemCount] = {}
    for key, rule in value.items():
        name = _metric(key, "a count name")
        if not isinstance(rule, ItemCount):
            raise ProgramDefinitionError(
                f"Program.counts[{name!r}] must be an ItemCount, got {type(rule).__name__}"
            )
        out[name] = rule
    return Counts(out)


def _resolve(tiers: Sequence[Tier]) -> tuple[Tier, ...]:
    """The ladder with every ``inherit=True`` tier holding the rules of the tier below too."""
    out: list[Tier] = []
    for tier in tiers:
        if tier.inherit and out and isinstance(tier, Tier):
            lower = out[-1]
            tier = attrs.evolve(
                tier,
                min_score=lower.min_score if tier.min_score is None else tier.min_score,
                requirements={**lower.requirements, **tier.requirements},
                min_points={**lower.min_points, **tier.min_points},
            )
        out.append(tier)
    return tuple(out)


def _tiers(value: Iterable[Tier]) -> tuple[Tier, ...]:
    if isinstance(value, Tier) or not isinstance(value, Iterable):
        raise ProgramDefinitionError("Program.tiers must be a sequence of Tier, lowest first")
    return tuple(value)


def _signed(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ProgramDefinitionError("Program.signed_metrics must be a sequence of metric names")
    out: list[str] = []
    for v in value:
        name = _metric(v, "a signed metric")
        if name not in out:
            out.append(name)
    return tuple(out)


def _effective_rules(
    tier: Tier, scored_required: bool, signed: Iterable[str]
) -> tuple[float | None, dict[str, float]]:
    """The rules of ``tier`` that can fail: (min_score or None, requirements).

    A minimum <= 0 on an unsigned metric is always met (values are >= 0), and
    so is a ``min_score`` <= 0 when no scorecard item is ``required``: neither
    is a rule.
    """
    score = tier.min_score
    if score is not None and score <= 0 and not scored_required:
        score = None
    signed_set = set(signed)
    reqs = {m: v for m, v in tier.requirements.items() if v > 0 or m in signed_set}
    return score, reqs


def _check_ladder(
    tiers: Sequence[Tier], scorecard: Scorecard | None, signed: Iterable[str]
) -> None:
    signed = tuple(signed)
    if scorecard is not None:
        top = scorecard.max_score
        for tier in tiers:
            # within the tolerance of evaluate, a min_score at the top is reachable
            if tier.min_score is not None and _floor(tier.min_score) > top:
                raise ProgramDefinitionError(
                    f"tier {tier.name!r} needs min_score {_fmt(tier.min_score)} but the "
                    f"scorecard gives at most {_fmt(top)} points, so nobody can reach it"
                )
    items = {it.metric: it for it in scorecard.items} if scorecard is not None else {}
    for tier in tiers:
        for metric, minimum in tier.min_points.items():
            if metric not in items:
                raise ProgramDefinitionError(
                    f"tier {tier.name!r} needs {_fmt(minimum)} points from {metric!r} but "
                    + (
                        "the program has no scorecard"
                        if scorecard is None
                        else f"no scorecard item scores {metric!r}; the items score "
                        f"{', '.join(map(repr, items))}"
                    )
                )
            if _floor(minimum) > items[metric].max_points:
                raise ProgramDefinitionError(
                    f"tier {tier.name!r} needs {_fmt(minimum)} points from {metric!r} but that "
                    f"item gives at most {_fmt(items[metric].max_points)}, so nobody can reach it"
                )
    scored_required = scorecard is not None and any(it.required for it in scorecard.items)
    for lo, hi in itertools.pairwise(tiers):
        pair = f"tier {hi.name!r} is above tier {lo.name!r}"
        lo_pts = {m: v for m, v in lo.min_points.items() if v > 0}
        for metric, minimum in lo_pts.items():
            if metric not in hi.min_points:
                raise ProgramDefinitionError(
                    f"{pair} but has no min_points on {metric!r} while {lo.name!r} needs "
                    f"{_fmt(minimum)} points from it: a higher tier must keep every rule of the "
                    "tier below (or inherit=True)"
                )
            if hi.min_points[metric] < minimum:
                raise ProgramDefinitionError(
                    f"{pair} but needs {_fmt(hi.min_points[metric])} points from {metric!r}, "
                    f"less than {lo.name!r}'s {_fmt(minimum)}: a higher tier must not be easier "
                    "to reach"
                )
        lo_score, lo_reqs = _effective_rules(lo, scored_required, signed)
        if lo_score is not None and lo.min_score is not None:
            if hi.min_score is None:
                raise ProgramDefinitionError(
                    f"{pair} but has no min_score while {lo.name!r} needs {_fmt(lo.min_score)} "
                    "points: a higher tier must keep every rule of the tier below"
                )
            if hi.min_score < lo.min_score:
                raise ProgramDefinitionError(
                    f"{pair} but needs min_score {_fmt(hi.min_score)}, less than "
                    f"{_fmt(lo.min_score)}: a higher tier must not be easier to reach"
                )
        for metric, minimum in lo_reqs.items():
            if metric not in hi.requirements:
                raise ProgramDefinitionError(
                    f"{pair} but has no requirement on {metric!r} while {lo.name!r} needs "
                    f"{metric} >= {_fmt(minimum)}: a higher tier must keep every rule of the tier "
                    "below"
                )
            if hi.requirements[metric] < minimum:
                raise ProgramDefinitionError(
                    f"{pair} but needs {metric} >= {_fmt(hi.requirements[metric])}, less than "
                    f"{lo.name!r}'s {_fmt(minimum)}: a higher tier must not be easier to reach"
                )
        hi_pts = {m: v for m, v in hi.min_points.items() if v > 0}
        if (lo_score, lo_reqs) == _effective_rules(hi, scored_required, signed) and (
            lo_pts == hi_pts
        ):
            raise ProgramDefinitionError(
                f"{pair} but has exactly the same rules, so {lo.name!r} could never be "
                "reached: a higher tier must ask for more (a minimum <= 0 on a metric that "
                "cannot be negative, or a min_score <= 0 without required scorecard items, is "
                "no rule)"
            )


@attrs.frozen(repr=False)
class Program:
    """A tiered partner program: a ladder of tiers, lowest first.

    Parameters
    ----------
    tiers : sequence of Tier
        The ladder, lowest tier first; names unique.
    scorecard : Scorecard or None, default None
        The points scorecard; needed if any tier has a ``min_score``.
    policy : ProgressionPolicy, default ProgressionPolicy()
        How partners move between tiers over time (see
        :func:`channelkit.progression.progress`).
    signed_metrics : sequence of str, default ("growth",)
        Metrics that may be negative (growth rates, net changes); every
        other metric the program uses must be >= 0.
    name : str, default ""
        A label for reports and files.
    counts : mapping of str to ItemCount, default {}
        Metrics counted from per-partner item lists: a tier requires
        ``{"big_opportunities": 20}`` and ``counts={"big_opportunities":
        ItemCount("opportunities", min_value=10_000)}`` says how to count it
        from ``evaluate(..., items={"opportunities": table})``.

    Raises
    ------
    ProgramDefinitionError
        For an empty ladder, repeated tier names, a ``min_score`` without a
        scorecard or above the scorecard's :attr:`~Scorecard.max_score`, or a
        ladder in which a higher tier is easier to reach than a lower one: a
        lower ``min_score``, a lower minimum on a metric the lower tier
        requires, a missing rule of the lower tier, or exactly the same rules
        (so the lower tier could never be reached), a ``min_points`` on a metric
        no scorecard item scores or above that item's ``max_points``. Tiers with
        ``inherit=True`` are first given the rules of the tier below, so the
        checks apply to the inherited ladder. A minimum <= 0 on a metric
        not in ``signed_metrics``, and a ``min_score`` <= 0 when no scorecard
        item is ``required``, are always met and so count as no rule. The
        message names both tiers and the rule.

    Notes
    -----
    With a valid ladder, meeting a tier's rules implies meeting the rules of
    every tier below it, so "the highest tier whose rules are met" is
    well defined and moving up never skips a qualification.

    Examples
    --------
    >>> try:
    ...     Program([Tier("Silver", requirements={"deals": 5}),
    ...              Tier("Gold", requirements={"deals": 2})])
    ... except ProgramDefinitionError as err:
    ...     print(err)
    tier 'Gold' is above tier 'Silver' but needs deals >= 2, less than
    'Silver''s 5: a higher tier must not be easier to reach
    """

    tiers: tuple[Tier, ...] = attrs.field(converter=_tiers)
    scorecard: Scorecard | None = attrs.field(default=None)
    policy: ProgressionPolicy = attrs.field(factory=ProgressionPolicy)
    signed_metrics: tuple[str, ...] = attrs.field(
        default=DEFAULT_SIGNED_METRICS, converter=_signed
    )
    name: str = attrs.field(default="")
    counts: Counts = attrs.field(default=None, converter=_counts, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.tiers:
            raise ProgramDefinitionError("a Program needs at least one Tier")
        for i, tier in enumerate(self.tiers):
            if not isinstance(tier, Tier):
                raise ProgramDefinitionError(
                    f"Program.tiers[{i}] must be a Tier, got {type(tier).__name__}"
                )
        # inherit=True: the tier's rules are the lower tier's plus its own (idempotent)
        object.__setattr__(self, "tiers", _resolve(self.tiers))
        names: set[str] = set()
        for i, tier in enumerate(self.tiers):
            if not isinstance(tier, Tier):
                raise ProgramDefinitionError(
                    f"Program.tiers[{i}] must be a Tier, got {type(tier).__name__}"
                )
            if tier.name in names:
                raise ProgramDefinitionError(f"tier name {tier.name!r} appears twice")
            names.add(tier.name)
            if tier.min_score is not None and self.scorecard is None:
                raise ProgramDefinitionError(
                    f"tier {tier.name!r} has min_score {_fmt(tier.min_score)} but the program "
                    "has no scorecard"
                )
        if self.scorecard is not None and not isinstance(self.scorecard, Scorecard):
            raise ProgramDefinitionError(
                f"Program.scorecard must be a Scorecard or None, got {self.scorecard!r}"
            )
        if not isinstance(self.policy, ProgressionPolicy):
            raise ProgramDefinitionError(
                f"Program.policy must be a ProgressionPolicy, got {self.policy!r}"
            )
        if not isinstance(self.name, str):
            raise ProgramDefinitionError(f"Program.name must be a string, got {self.name!r}")
        _check_ladder(self.tiers, self.scorecard, self.signed_metrics)

    def __repr__(self) -> str:
        """Valid Python while that fits on a line of 200 characters; else a one-line summary."""
        shown = [f"[{', '.join(map(repr, self.tiers))}]"]
        if self.scorecard is not None:
            shown.append(f"scorecard={self.scorecard!r}")
        if self.policy != ProgressionPolicy():
            shown.append(f"policy={self.policy!r}")
        if self.signed_metrics != DEFAULT_SIGNED_METRICS:
            shown.append(f"signed_metrics={self.signed_metrics!r}")
        if self.name:
            shown.append(f"name={self.name!r}")
        if self.counts:
            shown.append(f"counts={dict(self.counts)!r}")
        full = f"Program({', '.join(shown)})"
        if len(full) < 200:
            return full
        head = f"Program(name={self.name!r}, " if self.name else "Program("
        card = "" if self.scorecard is None else f", scorecard=<{len(self.scorecard.items)} items>"
        names = f"tiers={list(self.tier_names)!r}"
        if len(head) + len(names) + len(card) > 190:
            names = f"tiers=<{len(self.tiers)} tiers>"
        return f"{head}{names}{card})"

    @property
    def tier_names(self) -> tuple[str, ...]:
        """Names of the tiers, lowest first."""
        return tuple(t.name for t in self.tiers)

    def stated_tiers(self) -> tuple[Tier, ...]:
        """The tiers as a ladder states them: an ``inherit=True`` tier without the inherited rules.

        ``Program(program.stated_tiers(), ...)`` is the same program; the
        program writers of :mod:`channelkit.io` write this form.

        Examples
        --------
        >>> p = Program([Tier("Select", requirements={"certified": 2}),
        ...              Tier("Advanced", requirements={"launched": 4}, inherit=True)])
        >>> p.tiers[1].requirements
        {'certified': 2.0, 'launched': 4.0}
        >>> p.stated_tiers()[1]
        Tier('Advanced', requirements={'launched': 4.0}, inherit=True)
        """
        out = [self.tiers[0]]
        for lower, tier in itertools.pairwise(self.tiers):
            if tier.inherit:
                tier = attrs.evolve(
                    tier,
                    min_score=None if tier.min_score == lower.min_score else tier.min_score,
                    requirements={
                        m: v
                        for m, v in tier.requirements.items()
                        if lower.requirements.get(m) != v
                    },
                    min_points={
                        m: v for m, v in tier.min_points.items() if lower.min_points.get(m) != v
                    },
                )
            out.append(tier)
        return tuple(out)

    @property
    def metrics(self) -> tuple[str, ...]:
        """Every metric the program reads, in order of first use."""
        return tuple(self._metric_users())

    def _metric_users(self) -> dict[str, str]:
        users: dict[str, str] = {}
        if self.scorecard is not None:
            for m in self.scorecard.metrics:
                users.setdefault(m, "the scorecard")
        for tier in self.tiers:
            for m in tier.requirements:
                users.setdefault(m, f"tier {tier.name!r}")
        return users

    def _counted(self) -> dict[str, ItemCount]:
        """The counts the tiers or the scorecard use: name -> rule."""
        users = self._metric_users()
        return {name: rule for name, rule in self.counts.items() if name in users}

    def index(self, tier: str | int) -> int:
        """Position of a tier given by name or index (negative counts from the top).

        Raises
        ------
        InvalidInputError
            For an unknown name or an index out of range.
        """
        k = len(self.tiers)
        if isinstance(tier, str):
            try:
                return self.tier_names.index(tier)
            except ValueError:
                raise InvalidInputError(
                    f"no tier named {tier!r}; the tiers are {', '.join(self.tier_names)}"
                ) from None
        if isinstance(tier, bool) or not isinstance(tier, int | np.integer) or not -k <= tier < k:
            raise InvalidInputError(
                f"tier must be a tier name or an index in [-{k}, {k}), got {tier!r}"
            )
        return int(tier) % k

    def benefit_cost(self, tier: Any, revenue: Any) -> NDArray[np.float64]:
        """Yearly benefit cost of partners in tiers ``tier`` (index, -1 for none) [currency/year].

        Raises
        ------
        InvalidInputError
            For a tier index out of range, negative or non-finite revenue,
            ``tier`` and ``revenue`` of different shapes (unless one is a
            scalar), or a cost beyond the largest float.

        Examples
        --------
        >>> p = Program([Tier("A"), Tier("B", requirements={"x": 1}, benefits=Benefits(mdf=100))])
        >>> p.benefit_cost([1, 0, -1], [10.0, 10.0, 10.0]).tolist()
        [100.0, 0.0, 0.0]
        """
        k = len(self.tiers)
        t = as_int_array(tier, "tier", ndim=(0, 1), min_value=-1)
        if t.size and t.max() >= k:
            raise InvalidInputError(f"tier = {int(t.max())} is not a tier index in [-1, {k - 1}]")
        rev = as_float_array(revenue, "revenue", ndim=(0, 1), nonnegative=True)
        if t.ndim and rev.ndim and t.shape != rev.shape:
            raise InvalidInputError(
                f"tier and revenue must have the same shape (one tier per revenue) or one of "
                f"them must be a scalar, got tier of shape {t.shape} and revenue of shape "
                f"{rev.shape}"
            )
        rate = np.array([x.benefits.rate for x in self.tiers] + [0.0])
        fixed = np.array([x.benefits.fixed for x in self.tiers] + [0.0])
        with np.errstate(over="ignore"):
            out = np.asarray(rate[t] * rev + fixed[t], dtype=np.float64)
        if not np.isfinite(out).all():
            i = int(np.argmin(np.isfinite(out).ravel()))
            raise InvalidInputError(
                f"the benefit cost of entry {i} (tier {int(t.ravel()[i % t.size])}) exceeds "
                f"the largest float "
                f"({np.finfo(np.float64).max:.4g}); express revenue in larger units"
            )
        return out

    def evaluate(
        self, partners: PortfolioLike, *, items: Any = None, as_of: Any = None
    ) -> Evaluation:
        """Evaluate ``partners`` against this program; see :func:`evaluate`."""
        return evaluate(self, partners, items=items, as_of=as_of)


# --------------------------------------------------------------------------- kernels
def _metric_columns(
    pf: Portfolio, users: Mapping[str, str], signed: set[str]
) -> dict[str, NDArray[np.float64]]:
    """Validated columns of ``pf`` for each metric in ``users`` (metric -> who needs it)."""
    out: dict[str, NDArray[np.float64]] = {}
    for name, user in users.items():
        if not pf.has_column(name):
            raise InvalidInputError(
                f"the program needs metric {name!r} (used by {user}) but the partners have no "
                f"such column; available: {', '.join(pf.columns)}"
            )
        col = np.asarray(pf.column(name), dtype=np.float64)
        if col.size:
            lo = col.min()
            bad = None
            if math.isnan(lo):
                bad, why = np.isnan(col), "is NaN; every partner needs a value"
            elif lo < 0 and name not in signed:
                bad, why = (
                    col < 0,
                    "is negative; counts and amounts must be >= 0 (list signed metrics such as "
                    "growth in Program.signed_metrics)",
                )
            if bad is not None:
                i = int(np.argmax(bad))
                raise InvalidInputError(
                    f"metric {name!r} of partner {str(pf.ids[i])!r} (row {i}) = {col[i]!r} {why}"
                )
        out[name] = col
    return out


def _item_columns(
    program: Program, ids: NDArray[np.str_], items: Any, as_of: Any
) -> dict[str, NDArray[np.float64]]:
    """The program's counts (:attr:`Program.counts`) from the item tables, per partner."""
    counted = program._counted()
    if items is None:
        return {}
    if not isinstance(items, Mapping):
        raise InvalidInputError(
            f"items must be a mapping of item list name -> table, got {type(items).__name__}"
        )
    unused = [k for k in items if k not in {r.items for r in program.counts.values()}]
    if unused:
        raise InvalidInputError(
            f"items has a list {unused[0]!r} that no count of the program reads; the counts "
            f"read {', '.join(sorted({repr(r.items) for r in program.counts.values()})) or 'none'}"
        )
    out: dict[str, NDArray[np.float64]] = {}
    located: dict[str, tuple[ItemTable, NDArray[np.intp], Any]] = {}
    for name, rule in counted.items():  # a loop over rules, not partners
        if rule.items not in items:
            continue
        if rule.items not in located:
            tab = read_items(rule.items, items[rule.items])
            end = as_of if as_of is None or tab.date is None else _as_of(tab, as_of)
            if end is None and tab.date is not None:
                end = _as_of(tab, None)  # the latest date of the whole table
            # only items that some rule on this list can count need their partner found
            lowest = min(r.min_value for r in counted.values() if r.items == rule.items)
            tab = _subset(tab, tab.value >= _floor(lowest))
            where = f"items[{rule.items!r}]"
            located[rule.items] = (tab, locate(ids, tab.partner, where), end)
        tab, rows, end = located[rule.items]
        out[name] = _count_kernel(rule, tab, rows, ids.shape[0], end).astype(np.float64)
    return out


def _subset(tab: ItemTable, keep: NDArray[np.bool_]) -> ItemTable:
    """The items where ``keep``; the whole table (no copy) when every item is kept."""
    if keep.all():
        return tab
    date = None if tab.date is None else tab.date[keep]
    return ItemTable(tab.name, tab.partner[keep], tab.value[keep], date)


def _prepare(
    program: Program, partners: PortfolioLike, items: Any = None, as_of: Any = None
) -> tuple[Portfolio | None, dict[str, NDArray[np.float64]], pd.Index | None, Any]:
    """The partners, the program's metric columns, a DataFrame's index, and its snapshot.

    A DataFrame whose columns the program can read as they are (see
    :func:`_frame_columns`) is not converted: the first item is None and the
    last a copy-on-write snapshot of the frame, to convert when the
    evaluation's :attr:`Evaluation.partners` is first read. Anything else is
    converted to a :class:`Portfolio` at once (the last item is None).
    """
    if not isinstance(program, Program):
        raise InvalidInputError(f"program must be a Program, got {type(program).__name__}")
    if is_frame(partners) and items is None:
        cols = _frame_columns(program, partners)
        if cols is not None:
            return None, cols, partners.index, partners.copy(deep=False)
    pf = as_portfolio(partners)
    counted = _item_columns(program, pf.ids, items, as_of)
    users = {m: u for m, u in program._metric_users().items() if m not in counted}
    for name, rule in program._counted().items():
        if name in users and not pf.has_column(name):
            raise InvalidInputError(
                f"the program counts {name!r} from the item list {rule.items!r} "
                f"(used by {users[name]}) but evaluate got no items[{rule.items!r}] table "
                "and the partners have no such column; pass "
                f"items={{{rule.items!r}: table}} with columns partner, value (and date)"
            )
    cols = _metric_columns(pf, users, set(program.signed_metrics))
    cols.update(counted)
    cols = {m: cols[m] for m in program._metric_users()}
    index = partners.index if is_frame(partners) else None
    return pf, cols, index, None


def _copy_on_write(pd_mod: Any) -> bool:
    """Whether pandas protects a frame's data from writes through other frames (pandas >= 3)."""
    major = int(str(pd_mod.__version__).split(".")[0])
    return major >= 3 or bool(pd_mod.options.mode.copy_on_write is True)


def _frame_columns(program: Program, frame: Any) -> dict[str, NDArray[np.float64]] | None:
    """The program's metric columns of a DataFrame, read in place; None where that is not safe.

    The fast path of :func:`evaluate` for pandas users: with copy-on-write
    (pandas >= 3), a float column is read as a read-only view that later
    writes to the frame cannot change, so nothing is copied and no string id
    is made. It applies when every metric is a unique, numeric, non-standard
    column with valid values and ``revenue`` (if present) is valid; otherwise
    (None) the frame goes through :meth:`Portfolio.from_frame`, which also
    raises the usual errors for invalid values.
    """
    pd_mod = sys.modules["pandas"]
    if not _copy_on_write(pd_mod) or not frame.columns.is_unique:
        return None
    signed = set(program.signed_metrics)
    users = program._metric_users()
    out: dict[str, NDArray[np.float64]] = {}
    for name in [*users, "revenue"]:
        if name not in frame.columns:
            if name == "revenue":
                continue
            return None
        if name in STANDARD_COLUMNS[2:] or name != name.strip():
            return None
        series = frame[name]
        if not isinstance(series.dtype, np.dtype) or series.dtype.kind not in "fiu":
            return None  # nullable, categorical, text...: the general path decides
        arr = series.to_numpy(dtype=np.float64)
        if arr.size:
            lo, hi = float(arr.min()), float(arr.max())
            if not (math.isfinite(lo) and math.isfinite(hi)):
                return None
            if lo < 0 and (name == "revenue" or name not in signed):
                return None
        if name in users:
            if arr.flags.writeable:  # an integer column converted: a private copy
                arr.setflags(write=False)
            out[name] = arr
    return out


# --------------------------------------------------------------------------- evaluation
def evaluate(
    program: Program, partners: PortfolioLike, *, items: Any = None, as_of: Any = None
) -> Evaluation:
    """Place every partner in the highest tier whose rules it meets.

    Parameters
    ----------
    program : Program
        The program.
    partners : Portfolio, pandas.DataFrame, mapping of str to array-like, or sequence of Partner
        The partners, with every metric the program uses (see
        :attr:`Program.metrics`). A DataFrame's index becomes the index of
        :meth:`Evaluation.to_frame` and of the gaps' frames.
    items : mapping of str to table, optional
        The per-partner item lists the program's counts read
        (:attr:`Program.counts`): list name -> a DataFrame or mapping with
        columns ``partner`` (a partner id), ``value`` and, optionally,
        ``date``; one row per item (deal, opportunity, certification).
        Without it, a count is read from the partners' column of that name.
        Every item a count could count must belong to one of the partners
        (items below every count's ``min_value`` are not looked up).
    as_of : date-like, optional
        The evaluation date of counts with ``within_days`` (default: the
        latest date of their table).

    Returns
    -------
    Evaluation
        Tier index (-1 for none), tier name and score of every partner, and
        their gaps to other tiers.

    Raises
    ------
    InvalidInputError
        If a metric the program uses is missing, NaN, or negative while not
        in :attr:`Program.signed_metrics`; the message names the metric and
        the first offending partner. Also if a partner's score exceeds the
        largest float (an uncapped item on a huge metric).

    Notes
    -----
    Tier :math:`k` is met when

    .. math:: S \\ge s_k \\;\\wedge\\; \\forall m: x_m \\ge r_{k,m}
              \\;\\wedge\\; \\forall i \\in \\mathrm{required}: x_i > 0,

    the score terms applying only when the tier has a ``min_score``
    :math:`s_k`, and every item :math:`i` with a ``min_points`` :math:`q_{k,i}`
    gives :math:`p_i(x_i) \\ge q_{k,i}`; the evaluated tier is the highest
    :math:`k` met. The computation is one vectorized pass per tier and rule.

    A count :math:`c_m` (:class:`ItemCount`) is the number of the partner's
    items with a value :math:`\\ge v_m`, found by locating every item's
    partner id in a hash table and one :func:`numpy.bincount`, never a loop
    over partners or items.

    A DataFrame (with pandas' copy-on-write, pandas >= 3) is read in place:
    the program's numeric columns are checked and used as read-only views,
    so passing a DataFrame costs about what passing a Portfolio does. Its
    other columns are converted and checked when :attr:`Evaluation.partners`
    is first read (by :meth:`Evaluation.by_tier`, :meth:`Evaluation.gaps`,
    the report...); an invalid value there raises then.

    The score :math:`S` is the compensated sum of the items' points, and
    ":math:`\\ge`" allows for rounding: a value :math:`v` meets a threshold
    :math:`t` when :math:`v \\ge t - \\epsilon |t|` with :math:`\\epsilon` =
    :data:`THRESHOLD_RTOL` (1e-12). A partner whose decimal metrics earn
    exactly a tier's ``min_score`` is in the tier.

    Examples
    --------
    >>> program = Program(
    ...     [Tier("Member"), Tier("Partner", min_score=100), Tier("Premier", min_score=400)],
    ...     scorecard=Scorecard([ScoreItem("deals", 10, max_points=300),
    ...                          ScoreItem("certified_staff", 50, required=True)]),
    ... )
    >>> ev = evaluate(program, {"deals": [50, 4, 12], "certified_staff": [3, 1, 0]})
    >>> ev.score.tolist(), ev.tier_name.tolist()
    ([450.0, 90.0, 120.0], ['Premier', 'Member', 'Member'])

    pandas in, pandas out: the frame of a DataFrame's evaluation keeps its index.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"deals": [50, 4], "certified_staff": [3, 1]}, index=["acme", "bolt"])
    >>> evaluate(program, df).to_frame()["tier"].to_dict()
    {'acme': 'Premier', 'bolt': 'Member'}
    """
    pf, cols, index, source = _prepare(program, partners, items, as_of)
    n = len(pf) if pf is not None else len(source)
    ids = pf.ids if pf is not None else None
    tier, score = _tier_kernel(
        program,
        cols,
        n,
        describe=None if ids is None else (lambda r: f"partner {str(ids[r])!r} (row {r})"),
    )
    return Evaluation(
        program=program,
        partners=pf,
        tier=tier,
        score=score,
        values=cols,
        index=index,
        source=source,
    )


def _frame_index(index: pd.Index | None, ids: Callable[[], NDArray[np.str_]]) -> pd.Index:
    """``index`` (a DataFrame input's), or the partner ids as an index named ``id``."""
    if index is not None:
        return index
    pd_mod = import_optional("pandas", "pandas")
    out: pd.Index = pd_mod.Index(ids().astype(object), name="id")
    return out


def _one_line(name: str, fields: dict[str, Any], drop: str) -> str:
    """:func:`one_line`, without field ``drop`` if the line would reach 200 characters."""
    text = one_line(name, **fields)
    if len(text) >= 200:
        text = one_line(name, **{k: v for k, v in fields.items() if k != drop})
    return text


@attrs.frozen(repr=False, eq=False)
class Evaluation(ResultMixin):
    """Result of :func:`evaluate`: where every partner stands in a program.

    Attributes
    ----------
    program : Program
        The program evaluated against.
    partners : Portfolio
        The partners (from a DataFrame: built when first read).
    tier : ndarray of int, shape (n,)
        Index into ``program.tiers`` of each partner's tier; -1 for none.
    score : ndarray of float, shape (n,) [points]
        Scorecard score; NaN if the program has no scorecard.
    values : mapping of str to ndarray
        The metric columns the program read.
    index : pandas.Index or None
        The index of the DataFrame the partners came from (None otherwise);
        :meth:`to_frame` uses it, else the partner ids.

    Examples
    --------
    >>> program = Program([Tier("Silver", requirements={"deals": 1}),
    ...                    Tier("Gold", requirements={"deals": 5})], name="resellers")
    >>> ev = evaluate(program, {"id": ["a", "b", "c", "d"], "revenue": [1.0, 2.0, 3.0, 4.0],
    ...                         "deals": [0, 1, 5, 9]})
    >>> ev
    Evaluation(program='resellers', partners=4, tiers={'Silver': 1, 'Gold': 2, 'no tier': 1})
    >>> print(ev.summary())
    Tier evaluation: resellers
    ==========================
    Partners            4
    In a tier           3 (75.0%)
    Revenue             10
    Benefit cost        0
    Benefit cost share  0.0%
    <BLANKLINE>
    Partners per tier
    tier       partners  share  revenue  revenue share  benefit cost
    ---------  --------  -----  -------  -------------  ------------
    Silver            1  25.0%        2          20.0%             0
    Gold              2  50.0%        7          70.0%             0
    (no tier)         1  25.0%        1          10.0%             0
    Total             4   100%       10           100%             0
    >>> ev.to_frame()["tier"].tolist()
    ['', 'Silver', 'Gold', 'Gold']
    >>> ev.to_frame(by="tier")["partners"].tolist()
    [1, 2, 1]
    """

    program: Program
    _partners: Portfolio | None
    tier: NDArray[np.int64]
    score: NDArray[np.float64]
    values: Mapping[str, NDArray[np.float64]]
    index: pd.Index | None = None
    _source: Any = None

    def __len__(self) -> int:
        return int(self.tier.shape[0])

    @property
    def partners(self) -> Portfolio:
        """The partners, as a :class:`Portfolio`.

        Given a DataFrame, :func:`evaluate` reads only the columns the program
        uses; the Portfolio of all of them is built (and its other columns
        checked) when this is first read.
        """
        if self._partners is None:
            object.__setattr__(self, "_partners", as_portfolio(self._source))
            object.__setattr__(self, "_source", None)
        assert self._partners is not None
        return self._partners

    def __repr__(self) -> str:
        counts = {k or "no tier": v for k, v in self.counts().items()}
        fields: dict[str, Any] = {
            "program": self.program.name or None,
            "partners": len(self),
            "tiers": counts,
        }
        if not self.program.name:
            del fields["program"]
        return _one_line("Evaluation", fields, "tiers")

    @property
    def tier_name(self) -> NDArray[np.str_]:
        """Name of each partner's tier; ``""`` for none."""
        names = np.array([*self.program.tier_names, ""])
        return names[self.tier]

    def counts(self) -> dict[str, int]:
        """Number of partners per tier, lowest first, then ``""`` for no tier."""
        k = len(self.program.tiers)
        c = np.bincount(self.tier % (k + 1), minlength=k + 1)
        return {name: int(v) for name, v in zip([*self.program.tier_names, ""], c)}

    def by_tier(self) -> dict[str, NDArray[Any]]:
        """Per-tier table as columns: tier, partners, share, revenue, revenue_share, benefit_cost.

        The last row is ``""`` (no tier). ``revenue`` is the partners'
        ``revenue`` column [currency/year]; ``benefit_cost`` its yearly cost
        under each tier's :class:`Benefits` [currency/year].
        """
        k = len(self.program.tiers)
        idx = self.tier % (k + 1)
        n = max(len(self), 1)
        rev = self.partners.revenue
        count = np.bincount(idx, minlength=k + 1)
        revenue = np.bincount(idx, weights=rev, minlength=k + 1)
        cost = np.bincount(idx, weights=self.program.benefit_cost(self.tier, rev), minlength=k + 1)
        total = revenue.sum()
        return {
            "tier": np.array([*self.program.tier_names, ""]),
            "partners": count,
            "share": count / n,
            "revenue": revenue,
            "revenue_share": revenue / total if total > 0 else np.zeros(k + 1),
            "benefit_cost": cost,
        }

    def _report(self) -> Report:
        t = self.by_tier()
        n = len(self)
        placed = int(t["partners"][:-1].sum())
        revenue = float(t["revenue"].sum())
        cost = float(t["benefit_cost"].sum())
        facts = [
            Fact("Partners", fmt_int(n), n),
            Fact(
                "In a tier",
                f"{fmt_int(placed)} ({fmt_pct(placed / n if n else math.nan)})",
                placed,
            ),
            Fact("Revenue", fmt_money(revenue), revenue),
            Fact("Benefit cost", fmt_money(cost), cost),
            Fact(
                "Benefit cost share",
                fmt_pct(cost / revenue if revenue > 0 else math.nan),
                cost / revenue if revenue > 0 else None,
                key="benefit_cost_share",
            ),
        ]
        if self.program.scorecard is not None and n:
            median = float(np.median(self.score))
            facts.append(Fact("Median score", fmt_num(median), median))
        rows: list[list[Any]] = [
            [
                str(name) or "(no tier)",
                int(t["partners"][i]),
                fmt_pct(float(t["share"][i])),
                fmt_money(float(t["revenue"][i])),
                fmt_pct(float(t["revenue_share"][i])),
                fmt_money(float(t["benefit_cost"][i])),
            ]
            for i, name in enumerate(t["tier"])
        ]
        rows.append(
            [
                "Total",
                n,
                fmt_pct(1.0 if n else math.nan, 0),
                fmt_money(revenue),
                fmt_pct(1.0 if revenue > 0 else math.nan, 0),
                fmt_money(cost),
            ]
        )
        table = Table(
            ["tier", "partners", "share", "revenue", "revenue share", "benefit cost"],
            rows,
            title="Partners per tier",
        )
        title = f"Tier evaluation: {self.program.name}" if self.program.name else "Tier evaluation"
        return Report(title, [*facts, table])

    def to_frame(self, by: str = "partner") -> pd.DataFrame:
        """The evaluation as a DataFrame (needs pandas).

        Parameters
        ----------
        by : "partner" or "tier", default "partner"
            ``"partner"``: one row per partner, indexed like the input
            DataFrame (or by partner ``id``), with columns ``tier`` (name,
            ``""`` for none), ``tier_index`` and ``score`` (if scored).
            ``"tier"``: the :meth:`by_tier` table, one row per tier
            (``""`` for no tier), indexed by ``tier``.

        Raises
        ------
        InvalidInputError
            For any other ``by``.
        """
        pd_mod = import_optional("pandas", "pandas")
        if by == "tier":
            table = self.by_tier()
            frame = pd_mod.DataFrame(
                {k: v for k, v in table.items() if k != "tier"},
                index=pd_mod.Index(table["tier"].astype(object), name="tier"),
            )
            return cast("pd.DataFrame", frame)
        if by != "partner":
            raise InvalidInputError(f"by must be 'partner' or 'tier', got {by!r}")
        k = len(self.program.tiers)
        names = pd_mod.Categorical.from_codes(
            self.tier % (k + 1), categories=[*self.program.tier_names, ""]
        )
        data: dict[str, Any] = {"tier": names, "tier_index": self.tier.copy()}
        if self.program.scorecard is not None:
            data["score"] = self.score.copy()
        index = _frame_index(self.index, lambda: self.partners.ids)
        frame = pd_mod.DataFrame(data, index=index)
        return cast("pd.DataFrame", frame)

    def gaps(self, to: str | int = "next") -> Gaps:
        """How much each partner is missing to reach a tier.

        Parameters
        ----------
        to : "next", tier name or tier index, default "next"
            ``"next"`` targets the tier above each partner's own (partners
            already at the top have no target: NaN gaps); a name or index
            targets that tier for everyone (partners at or above it have
            zero gaps).

        Returns
        -------
        Gaps
            Per partner and requirement of its target the shortfall (0 where
            met); for scored targets the missing points and, per scorecard
            item, the metric increase that would close the points gap on its
            own.

        Notes
        -----
        For item :math:`i` with points :math:`p_i = \\min(\\max(a_i x_i, 0),
        c_i)` and a points gap :math:`g > 0`, the increase is
        :math:`(p_i + g) / a_i - x_i` if :math:`p_i + g \\le c_i`, else
        infinite (the cap stops the item from closing the gap alone). The
        increase is checked in floating point: where rounding would leave
        :math:`x_i` plus the increase an ulp short of the threshold, it is
        nudged up, so that evaluating the raised metric always reaches the
        target's ``min_score``. Rules are met within the tolerance of
        :func:`evaluate` (:data:`THRESHOLD_RTOL`), and a rule met within it has
        a gap of exactly 0.

        Examples
        --------
        >>> program = Program([Tier("Silver", min_score=100), Tier("Gold", min_score=300)],
        ...                   scorecard=Scorecard([ScoreItem("deals", 10, max_points=200),
        ...                                        ScoreItem("revenue", 1e-3)]))
        >>> g = evaluate(program, {"revenue": [50_000.0], "deals": [10]}).gaps()
        >>> g.target.tolist(), g.points.tolist()
        ([1], [150.0])
        >>> g.via["deals"].tolist(), g.via["revenue"].tolist()
        ([inf], [150000.0])
        """
        return _gaps(self, to)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Bar chart of partners per tier, lowest tier first (needs matplotlib).

        Each bar is labelled with its count and share; tiers keep their
        colours across plots, "no tier" is grey. Many tiers go on
        horizontal bars so that their names never overlap.
        """
        out = axes(ax)
        counts = self.counts()
        labels = [k or "no tier" for k in counts]
        values = list(counts.values())
        colors = [*categorical(len(labels) - 1), COLORS["neutral"]]
        n = max(len(self), 1)
        texts = [f"{fmt_int(v)} ({v / n:.0%})" for v in values]
        if len(labels) > 6:
            bars = out.barh(labels, values, color=colors)
            out.invert_yaxis()
            out.set_xlabel("partners")
        else:
            bars = out.bar(labels, values, color=colors)
            out.set_ylabel("partners")
            out.margins(y=0.15)
        out.bar_label(bars, labels=texts, padding=2, fontsize="small")
        name = f": {self.program.name}" if self.program.name else ""
        out.set_title(f"Partners per tier{name}")
        return out


@attrs.frozen(repr=False, eq=False)
class Gaps(ResultMixin):
    """Per-partner distance to a target tier; see :meth:`Evaluation.gaps`.

    Attributes
    ----------
    ids : ndarray of str, shape (n,)
        Partner ids.
    tier : ndarray of int, shape (n,)
        Current tier index (-1 for none).
    target : ndarray of int, shape (n,)
        Target tier index; -1 where there is none (top tier, ``to="next"``).
    tier_names : tuple of str
        The program's tier names.
    requirements : mapping of str to ndarray
        Shortfall per requirement metric [unit of the metric]: 0 where met
        or where the target does not require it, NaN where there is no target.
    points : ndarray or None
        Missing points (0 where met or where the target has no
        ``min_score``, NaN without target); None if no target uses a score.
    via : mapping of str to ndarray
        Per scorecard item metric, the increase that would close the points
        gap on its own; inf where the item's cap makes that impossible.
    required : mapping of str to ndarray of bool
        Per required scorecard item, True where the target uses a score and
        the metric is not yet > 0.
    item_points : mapping of str to ndarray
        Per item a targeted tier has ``min_points`` on: the points missing
        from that item (0 where met or not required, NaN without target).
    item_via : mapping of str to ndarray
        Per such item: the increase of its metric that earns the missing
        points (up to the next whole step of a step item); inf where the cap
        stops it.
    phrases : mapping of str to callable
        Per counted requirement (:class:`ItemCount`): shortfall -> sentence,
        used by :meth:`explain`.
    step_items : tuple of str
        The item metrics of :attr:`item_points` that are step items
        (``ScoreItem(per=...)``).
    distance : ndarray, shape (n,)
        Largest relative shortfall over the target's rules (shortfall divided
        by the threshold, or the shortfall itself for a zero threshold; 1 for
        an unmet required item): 0 means qualified, NaN no target.
    index : pandas.Index or None
        The index of the DataFrame the partners came from (None otherwise);
        :meth:`to_frame` uses it, else the partner ids.

    Examples
    --------
    >>> program = Program([Tier("Silver", requirements={"deals": 2}),
    ...                    Tier("Gold", requirements={"deals": 5, "csat": 8})])
    >>> g = evaluate(program, {"deals": [1, 3, 6], "csat": [9, 9, 7]}).gaps()
    >>> g
    Gaps(partners=3, with_target=3, met=0)
    >>> g.to_frame()[["target", "short_deals", "short_csat"]]
        target  short_deals  short_csat
    id
    0   Silver          1.0         0.0
    1     Gold          2.0         0.0
    2     Gold          0.0         1.0
    >>> print(g.summary())  # doctest: +ELLIPSIS
    Gaps to the target tier
    =======================
    Partners            3
    With a target       3
    Already meeting it  0
    Median distance     40.0%
    <BLANKLINE>
    By target tier
    target  partners  met  median distance
    ------  --------  ---  ---------------
    Silver         1    0            50.0%
    Gold           2    0            26.2%
    <BLANKLINE>
    Closest to their target (top 3)
    partner  tier       target  distance  short
    -------  ---------  ------  --------  --------
    2        Silver     Gold       12.5%  csat +1
    1        Silver     Gold       40.0%  deals +2
    0        (no tier)  Silver     50.0%  deals +1
    """

    ids: NDArray[np.str_]
    tier: NDArray[np.int64]
    target: NDArray[np.int64]
    tier_names: tuple[str, ...]
    requirements: Mapping[str, NDArray[np.float64]]
    points: NDArray[np.float64] | None
    via: Mapping[str, NDArray[np.float64]]
    required: Mapping[str, NDArray[np.bool_]]
    distance: NDArray[np.float64]
    index: pd.Index | None = None
    item_points: Mapping[str, NDArray[np.float64]] = attrs.field(factory=dict)
    item_via: Mapping[str, NDArray[np.float64]] = attrs.field(factory=dict)
    phrases: Mapping[str, Callable[[float], str]] = attrs.field(factory=dict)
    step_items: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def explain(self, partner: int | str) -> list[str]:
        """What one partner needs for its target tier, as sentences.

        Parameters
        ----------
        partner : int or str
            Row position, or partner id (a string).

        Returns
        -------
        list of str
            One sentence per unmet rule, in the terms of the program:
            ``"3 more opportunities of at least $10,000 MRR"``, ``"12 more
            points from sourced_revenue, that is 240 more sourced_revenue at
            the current step"``, ``"2 more certified_staff"``, ``"150 more
            points"``; empty when the rules are met or there is no target.

        Raises
        ------
        InvalidInputError
            For an unknown id or a row out of range.

        Examples
        --------
        >>> program = Program(
        ...     [Tier("Provider"),
        ...      Tier("Gold", min_points={"sourced_revenue": 250}, requirements={"deals": 3})],
        ...     scorecard=Scorecard([ScoreItem("sourced_revenue", 5, per=100)]))
        >>> g = evaluate(program, {"id": ["acme"], "sourced_revenue": [4_810.0],
        ...                        "deals": [1]}).gaps()
        >>> g.explain("acme")
        ['2 more deals', '10 more points from sourced_revenue, that is 190 more sourced_revenue at the current step']
        """
        n = len(self)
        if isinstance(partner, str):
            hits = np.flatnonzero(self.ids == partner)
            if not hits.size:
                raise InvalidInputError(f"no partner with id {partner!r} in these gaps")
            i = int(hits[0])
        elif (
            isinstance(partner, bool)
            or not isinstance(partner, int | np.integer)
            or not (-n <= partner < n)
        ):
            raise InvalidInputError(
                f"partner must be a partner id or a row in [-{n}, {n}), got {partner!r}"
            )
        else:
            i = int(partner) % n
        if self.target[i] < 0:
            return []
        out: list[str] = []
        for m, v in self.requirements.items():
            short = float(v[i])
            if short > 0:
                phrase = self.phrases.get(m)
                out.append(phrase(short) if phrase is not None else f"{_fmt(short)} more {m}")
        for m, v in self.item_points.items():
            short = float(v[i])
            if short > 0:
                via = float(self.item_via[m][i])
                text = f"{_fmt(short)} more points from {m}"
                if math.isfinite(via):
                    text += f", that is {_fmt(via)} more {m}"
                    if m in self.step_items:
                        text += " at the current step"
                out.append(text)
        if self.points is not None and self.points[i] > 0:
            out.append(f"{_fmt(float(self.points[i]))} more points")
        out.extend(f"some {m} (now 0)" for m, v in self.required.items() if v[i])
        return out

    def __repr__(self) -> str:
        has = int((self.target >= 0).sum())
        met = int(self.met.sum())
        return one_line("Gaps", partners=len(self), with_target=has, met=met)

    def _report(self) -> Report:
        n = len(self)
        has = self.target >= 0
        n_has = int(has.sum())
        met = self.met
        n_met = int(met.sum())
        open_ = has & ~met
        median = float(np.median(self.distance[open_])) if open_.any() else math.nan
        facts = [
            Fact("Partners", fmt_int(n), n),
            Fact("With a target", fmt_int(n_has), n_has),
            Fact("Already meeting it", fmt_int(n_met), n_met),
            Fact(
                "Median distance",
                fmt_pct(median),
                None if math.isnan(median) else median,
                key="median_distance",
            ),
        ]
        names = [*self.tier_names, ""]
        by_target: list[list[Any]] = []
        for k, name in enumerate(self.tier_names):  # a loop over tiers
            sel = self.target == k
            if not sel.any():
                continue
            todo = sel & ~met
            by_target.append(
                [
                    name,
                    int(sel.sum()),
                    int((sel & met).sum()),
                    fmt_pct(float(np.median(self.distance[todo]))) if todo.any() else "n/a",
                ]
            )
        blocks: list[Fact | Table | Note] = [*facts]
        if by_target:
            blocks.append(
                Table(
                    ["target", "partners", "met", "median distance"],
                    by_target,
                    title="By target tier",
                )
            )
        rows = self.closest(10)
        if rows.size:
            closest = []
            for i in rows.tolist():  # report code: at most 10 partners
                short = [f"{m} +{v[i]:,.4g}" for m, v in self.requirements.items() if v[i] > 0]
                if self.points is not None and self.points[i] > 0:
                    short.append(f"points +{self.points[i]:,.4g}")
                short.extend(f"{m} > 0" for m, v in self.required.items() if v[i])
                short.extend(
                    f"{m} points +{v[i]:,.4g}" for m, v in self.item_points.items() if v[i] > 0
                )
                closest.append(
                    [
                        str(self.ids[i]),
                        names[int(self.tier[i])] or "(no tier)",
                        names[int(self.target[i])],
                        fmt_pct(float(self.distance[i])),
                        ", ".join(short),
                    ]
                )
            blocks.append(
                Table(
                    ["partner", "tier", "target", "distance", "short"],
                    closest,
                    title=f"Closest to their target (top {len(closest)})",
                    align="lllrl",
                )
            )
        elif n:
            blocks.append(Note("Every partner meets its target or has none."))
        return Report("Gaps to the target tier", blocks)

    @property
    def met(self) -> NDArray[np.bool_]:
        """True where the partner has a target and meets all of its rules."""
        return np.asarray((self.target >= 0) & (self.distance == 0), dtype=bool)

    def closest(self, k: int = 10) -> NDArray[np.intp]:
        """Row positions of the ``k`` partners with a target but not there yet, closest first.

        Raises
        ------
        InvalidInputError
            Unless ``k`` is a whole number >= 0 (an int, not a bool, a float or
            a string).
        """
        if isinstance(k, bool | np.bool_) or not isinstance(k, int | np.integer) or k < 0:
            raise InvalidInputError(f"k must be a whole number >= 0 (an int), got {k!r}")
        cand = np.flatnonzero((self.target >= 0) & (self.distance > 0))
        order = np.argsort(self.distance[cand], kind="stable")
        return np.asarray(cand[order[: int(k)]], dtype=np.intp)

    def to_columns(self) -> dict[str, NDArray[Any]]:
        """The gaps as columns: id, tier, target, short_<metric>, points, ...

        Columns: ``id``, ``tier`` and ``target`` (names, ``""`` for none),
        ``short_<metric>`` per requirement metric (its shortfall), ``points``
        (if a target uses a score), ``points_via_<metric>`` per scorecard
        item, ``required_<metric>`` per required item, ``min_points_<metric>``
        and ``min_points_via_<metric>`` per item a target has ``min_points`` on
        (points missing, metric increase that closes them), and ``distance``. The
        prefixes keep metric names (even ``points`` or ``target``) from
        overwriting other columns.

        Examples
        --------
        >>> program = Program([Tier("A"), Tier("B", requirements={"target": 3})])
        >>> list(evaluate(program, {"target": [1.0]}).gaps().to_columns())
        ['id', 'tier', 'target', 'short_target', 'distance']
        """
        names = np.array([*self.tier_names, ""])
        out: dict[str, NDArray[Any]] = {
            "id": self.ids,
            "tier": names[self.tier],
            "target": names[self.target],
        }
        out.update({f"short_{m}": v for m, v in self.requirements.items()})
        if self.points is not None:
            out["points"] = self.points
        out.update({f"points_via_{m}": v for m, v in self.via.items()})
        out.update({f"required_{m}": v for m, v in self.required.items()})
        out.update({f"min_points_{m}": v for m, v in self.item_points.items()})
        out.update({f"min_points_via_{m}": v for m, v in self.item_via.items()})
        out["distance"] = self.distance
        return out

    def to_frame(self) -> pd.DataFrame:
        """The :meth:`to_columns` table as a DataFrame, one row per partner (needs pandas).

        Indexed like the DataFrame the partners came from, or by partner
        ``id``; the other columns as in :meth:`to_columns`.
        """
        pd_mod = import_optional("pandas", "pandas")
        cols = self.to_columns()
        del cols["id"]
        index = _frame_index(self.index, lambda: self.ids)
        return cast("pd.DataFrame", pd_mod.DataFrame(cols, index=index))


def _closing_increase(
    card: Scorecard,
    item: ScoreItem,
    cols: Mapping[str, NDArray[np.float64]],
    score: NDArray[np.float64],
    gap: NDArray[np.float64],
    need: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Increase of ``item``'s metric that lifts each score to ``need`` on its own.

    ``cols`` are the partners' metric columns, ``score`` their scores and
    ``gap = need - score > 0`` the missing points. The closed form
    :math:`(p + g) / a - x` can fall an ulp short in floating point, so the
    result is checked by recomputing the score exactly as :func:`evaluate`
    does and nudged up where it falls short: adding it to the metric always
    reaches ``need``. Infinite where even the item's cap does not.
    """
    x = cols[item.metric]
    m = x.shape[0]
    p = _item_points(item, x)
    with np.errstate(invalid="ignore", over="ignore"):
        if item.per is None:
            inc = np.maximum((p + gap) / item.points_per_unit - x, 0.0)
        else:  # the next whole step that gives the points
            steps = np.ceil(_floor((p + gap) / item.points_per_unit))
            inc = np.maximum(steps * item.per - x, 0.0)
    # the increase reaches need itself (so the raised score is at least min_score
    # without any tolerance) unless the item's cap stops short of it but within
    # the tolerance of evaluate: then it reaches the cap
    goal = need
    if math.isfinite(item.max_points):
        # the best the item can do: the score with the item at its cap
        at_cap = _score(card, {**cols, item.metric: np.full(m, np.inf)}, m)
        inc[~(at_cap >= _floor(need))] = np.inf
        goal = np.where(at_cap >= need, need, _floor(need))
    rows = np.flatnonzero(np.isfinite(inc))
    step = np.zeros(rows.size)
    while rows.size:
        y = x[rows] + inc[rows]
        short = _score(card, {k: v[rows] for k, v in cols.items()} | {item.metric: y}, rows.size)
        fail = short < goal[rows]
        rows, y, step = rows[fail], y[fail], step[fail]
        if not rows.size:
            break
        # move the new metric value up by a growing number of ulps; this ends,
        # since a large enough value reaches the cap (or, uncapped, any score)
        step = np.maximum(2.0 * step, np.spacing(np.abs(y)))
        with np.errstate(over="ignore"):
            inc[rows] = np.maximum((y + step) - x[rows], np.nextafter(inc[rows], np.inf))
    return inc


def _gaps(ev: Evaluation, to: str | int) -> Gaps:
    program = ev.program
    n, k_max = len(ev), len(program.tiers)
    if isinstance(to, str) and to == "next":
        target = np.where(ev.tier < k_max - 1, ev.tier + 1, -1).astype(np.int64)
        targeted = list(range(k_max))
    else:
        k = program.index(to)
        target = np.full(n, k, dtype=np.int64)
        targeted = [k]
    none = target < 0
    req_metrics: list[str] = []
    for k in targeted:
        req_metrics.extend(m for m in program.tiers[k].requirements if m not in req_metrics)
    shortfall = {m: np.zeros(n) for m in req_metrics}
    distance = np.zeros(n)
    scored = program.scorecard is not None and any(program.tiers[k].uses_score for k in targeted)
    points = np.zeros(n) if scored else None
    required_items = (
        [it for it in program.scorecard.items if it.required]
        if scored and program.scorecard is not None
        else []
    )
    required = {it.metric: np.zeros(n, dtype=bool) for it in required_items}
    card_items = {it.metric: it for it in program.scorecard.items} if program.scorecard else {}
    pt_metrics: list[str] = []
    for k in targeted:
        pt_metrics.extend(m for m in program.tiers[k].min_points if m not in pt_metrics)
    item_short = {m: np.zeros(n) for m in pt_metrics}
    item_via = {m: np.zeros(n) for m in pt_metrics}
    for k in targeted:
        tier = program.tiers[k]
        sel = np.flatnonzero(target == k)
        if sel.size == 0:
            continue
        rel = np.zeros(sel.size)
        for m, minimum in tier.requirements.items():
            x = ev.values[m][sel]
            # met within the tolerance of evaluate: no gap, never a rounding residue
            short = np.where(x >= _floor(minimum), 0.0, minimum - x)
            shortfall[m][sel] = short
            rel = np.maximum(rel, short / abs(minimum) if minimum != 0 else short)
        if tier.min_score is not None and points is not None:
            sc = ev.score[sel]
            short = np.where(sc >= _floor(tier.min_score), 0.0, tier.min_score - sc)
            points[sel] = short
            rel = np.maximum(rel, short / tier.min_score if tier.min_score > 0 else short)
            for it in required_items:
                miss = ev.values[it.metric][sel] <= 0
                required[it.metric][sel] = miss
                rel = np.maximum(rel, miss.astype(float))
        for m, minimum in tier.min_points.items():
            it = card_items[m]
            x = ev.values[m][sel]
            p = _item_points(it, x)
            short = np.where(p >= _floor(minimum), 0.0, minimum - p)
            item_short[m][sel] = short
            item_via[m][sel] = _points_increase(it, x, p, short)
            rel = np.maximum(rel, short / minimum if minimum > 0 else short)
        distance[sel] = rel
    via: dict[str, NDArray[np.float64]] = {}
    if points is not None and program.scorecard is not None:
        card = program.scorecard
        rows = np.flatnonzero(points > 0)  # NaN (no target) compares False
        need = np.array([np.nan if t.min_score is None else t.min_score for t in program.tiers])
        need_rows = need[target[rows]]
        sub = {m: ev.values[m][rows] for m in card.metrics}
        for it in card.items:
            inc = np.zeros(n)
            inc[rows] = _closing_increase(card, it, sub, ev.score[rows], points[rows], need_rows)
            via[it.metric] = inc
    nan_fill = [
        *shortfall.values(),
        distance,
        *via.values(),
        *item_short.values(),
        *item_via.values(),
    ]
    if points is not None:
        nan_fill.append(points)
    for arr in nan_fill:
        arr[none] = np.nan
    for arr_b in required.values():
        arr_b[none] = False
    return Gaps(
        ids=ev.partners.ids,
        tier=ev.tier.copy(),
        target=target,
        tier_names=program.tier_names,
        requirements=shortfall,
        points=points,
        via=via,
        required=required,
        distance=distance,
        index=ev.index,
        item_points=item_short,
        item_via=item_via,
        phrases={m: rule.describe for m, rule in program._counted().items() if m in shortfall},
        step_items=tuple(m for m in pt_metrics if card_items[m].per is not None),
    )


def _points_increase(
    item: ScoreItem, x: NDArray[np.float64], p: NDArray[np.float64], short: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Increase of ``item``'s metric from ``x`` (points ``p``) that earns ``short`` more points.

    A step item needs the next whole step that gives them: :math:`q \\lceil (p + g) / a
    \\rceil - x`; a linear one :math:`(p + g) / a - x`. Infinite where the item's
    cap is below :math:`p + g` (within the tolerance of :func:`evaluate`); 0 where
    nothing is missing.
    """
    goal = p + short
    with np.errstate(invalid="ignore", over="ignore"):
        if item.per is None:
            inc = goal / item.points_per_unit - x
        else:
            steps = np.ceil(_floor(goal / item.points_per_unit))
            inc = steps * item.per - x
        inc = np.maximum(inc, 0.0)
    inc[goal > item.max_points * (1 + THRESHOLD_RTOL)] = np.inf
    inc[short <= 0] = 0.0
    return inc


# --------------------------------------------------------------------------- audit
@attrs.frozen
class Finding:
    """One observation of :func:`audit_program`.

    Attributes
    ----------
    kind : str
        ``"unreached"``, ``"rare"``, ``"crowded"``, ``"above_population"``,
        ``"below_population"``, ``"flat_step"``, ``"steep_step"`` or
        ``"disproportionate_cost"``.
    tier : str
        The tier concerned.
    rule : str
        The rule concerned (a metric, ``"min_score"``, or ``""``).
    value : float
        The number behind the finding: the share of partners in the tier
        (``"unreached"``, ``"rare"``, ``"crowded"``) or meeting the rule
        (``"above_population"``, ``"below_population"``), the ratio of
        thresholds (steps) or of cost share to revenue share.
    message : str
        A sentence for a program manager.

    Examples
    --------
    >>> f = Finding("rare", "Platinum", "", 0.004, "only 2 partners (0.4%) are in tier 'Platinum'")
    >>> f.kind, f.value
    ('rare', 0.004)
    """

    kind: str
    tier: str
    rule: str
    value: float
    message: str


@attrs.frozen(repr=False, eq=False)
class ProgramAudit(ResultMixin):
    """Result of :func:`audit_program`.

    ``print(audit)`` shows the report with every finding (:meth:`summary`).

    Attributes
    ----------
    findings : tuple of Finding
        What looks wrong or risky, in ladder order.
    table : mapping of str to ndarray
        The :meth:`Evaluation.by_tier` table the findings are based on.

    Examples
    --------
    >>> program = Program([Tier("Silver", requirements={"deals": 1}),
    ...                    Tier("Gold", requirements={"deals": 50})])
    >>> audit = audit_program(program, {"deals": [0, 2, 3, 5, 8]})
    >>> audit
    ProgramAudit(findings=4, crowded=1, unreached=1, above_population=1, steep_step=1)
    >>> print(audit)  # doctest: +ELLIPSIS
    Program audit
    =============
    Findings  4
    Partners  5
    Tiers     2
    <BLANKLINE>
    Tier populations
    tier       partners  share  revenue share  cost share  findings
    ---------  --------  -----  -------------  ----------  --------
    Silver            4  80.0%           0.0%        0.0%         1
    Gold              0   0.0%           0.0%        0.0%         3
    (no tier)         1  20.0%           0.0%        0.0%         0
    <BLANKLINE>
    Findings
    kind              tier    message
    ...
    crowded           Silver  tier 'Silver' holds 80% of the partners
    unreached         Gold    nobody reaches tier 'Gold'
    above_population  Gold    tier 'Gold': deals >= 50 is met by 0.0% of the partners (highest 8)
    steep_step        Gold    steep step: deals 1 -> 50 from 'Silver' to 'Gold' (x50)
    >>> audit.to_frame(by="tier")["findings"].tolist()
    [1, 3, 0]
    """

    findings: tuple[Finding, ...]
    table: Mapping[str, NDArray[Any]]

    def __len__(self) -> int:
        return len(self.findings)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __repr__(self) -> str:
        kinds: dict[str, int] = {}
        for f in self.findings:
            kinds[f.kind] = kinds.get(f.kind, 0) + 1
        text = one_line("ProgramAudit", findings=len(self), **kinds)
        if len(text) >= 200:
            text = one_line("ProgramAudit", findings=len(self), kinds=len(kinds))
        return text

    def __str__(self) -> str:
        return self.summary()

    def kinds(self) -> list[str]:
        """The kind of each finding, in order."""
        return [f.kind for f in self.findings]

    def _tier_findings(self) -> list[int]:
        """Number of findings per row of :attr:`table` (the no-tier row has none)."""
        names = [str(t) for t in self.table["tier"]]
        out = [0] * len(names)
        for f in self.findings:
            if f.tier in names:
                out[names.index(f.tier)] += 1
        return out

    def _cost_share(self) -> NDArray[np.float64]:
        cost = np.asarray(self.table["benefit_cost"], dtype=np.float64)
        total = float(cost.sum())
        return cost / total if total > 0 else np.zeros_like(cost)

    def _report(self) -> Report:
        t = self.table
        n = int(np.asarray(t["partners"]).sum())
        facts = [
            Fact("Findings", fmt_int(len(self)), len(self)),
            Fact("Partners", fmt_int(n), n),
            Fact("Tiers", fmt_int(len(t["tier"]) - 1), len(t["tier"]) - 1),
        ]
        per_tier = self._tier_findings()
        cost_share = self._cost_share()
        rows = [
            [
                str(name) or "(no tier)",
                int(t["partners"][i]),
                fmt_pct(float(t["share"][i])),
                fmt_pct(float(t["revenue_share"][i])),
                fmt_pct(float(cost_share[i])),
                per_tier[i],
            ]
            for i, name in enumerate(t["tier"])
        ]
        blocks: list[Fact | Table | Note] = [
            *facts,
            Table(
                ["tier", "partners", "share", "revenue share", "cost share", "findings"],
                rows,
                title="Tier populations",
            ),
        ]
        if self.findings:
            blocks.append(
                Table(
                    ["kind", "tier", "message"],
                    [[f.kind, f.tier, f.message] for f in self.findings],
                    title="Findings",
                    align="lll",
                )
            )
        else:
            blocks.append(Note("No findings: nothing looks wrong with this ladder."))
        return Report("Program audit", blocks)

    def to_frame(self, by: str = "finding") -> pd.DataFrame:
        """The audit as a DataFrame (needs pandas).

        Parameters
        ----------
        by : "finding" or "tier", default "finding"
            ``"finding"``: one row per finding (kind, tier, rule, value,
            message). ``"tier"``: the tier populations, one row per tier
            (``""`` for no tier) indexed by ``tier``, with the number of
            findings about each.

        Raises
        ------
        InvalidInputError
            For any other ``by``.
        """
        pd_mod = import_optional("pandas", "pandas")
        if by == "finding":
            frame = pd_mod.DataFrame(
                [attrs.asdict(f) for f in self.findings],
                columns=["kind", "tier", "rule", "value", "message"],
            )
            return cast("pd.DataFrame", frame)
        if by != "tier":
            raise InvalidInputError(f"by must be 'finding' or 'tier', got {by!r}")
        data = {k: v for k, v in self.table.items() if k != "tier"}
        data["cost_share"] = self._cost_share()
        data["findings"] = np.asarray(self._tier_findings(), dtype=np.int64)
        frame = pd_mod.DataFrame(
            data, index=pd_mod.Index(np.asarray(self.table["tier"]).astype(object), name="tier")
        )
        return cast("pd.DataFrame", frame)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Share of partners per tier, each bar labelled with its findings (needs matplotlib).

        Tiers run from the lowest (bottom) to the highest (top); a tier with
        findings is drawn in the warning colour and its bar names the kinds.
        """
        t = self.table
        names = [str(x) or "no tier" for x in t["tier"]]
        share = np.asarray(t["share"], dtype=np.float64)
        per_tier = self._tier_findings()
        kinds: list[list[str]] = [[] for _ in names]
        raw = [str(x) for x in t["tier"]]
        for f in self.findings:
            if f.tier in raw:
                kinds[raw.index(f.tier)].append(f.kind.replace("_", " "))
        order = [len(names) - 1, *range(len(names) - 1)]  # no tier at the bottom
        out = axes(ax, figsize=(8.0, 0.6 * len(names) + 1.5))
        colors = [
            COLORS["neutral"]
            if i == len(names) - 1
            else COLORS["bad"]
            if per_tier[i]
            else COLORS["good"]
            for i in order
        ]
        bars = out.barh([names[i] for i in order], [share[i] for i in order], color=colors)
        texts = [
            f"{share[i]:.0%}" + (f"  {', '.join(dict.fromkeys(kinds[i]))}" if kinds[i] else "")
            for i in order
        ]
        out.bar_label(bars, labels=texts, padding=3, fontsize="small")
        out.set_xlim(0.0, 1.6)
        out.set_xticks([0.0, 0.25, 0.5, 0.75, 1.0])
        out.set_xticklabels(["0%", "25%", "50%", "75%", "100%"])
        out.set_xlabel("share of partners")
        out.set_title(f"Program audit: {len(self)} findings")
        return out


def _share(x: float) -> str:
    """A share as a percentage that never rounds a non-zero share to 0 % or 100 %."""
    if 0 < x < 0.001:
        return "under 0.1%"
    if 0.999 < x < 1:
        return "over 99.9%"
    return f"{x:.1%}"


def audit_program(
    program: Program,
    partners: PortfolioLike,
    *,
    rare: float = 0.01,
    crowded: float = 0.8,
    flat: float = 1.1,
    steep: float = 5.0,
    disproportion: float = 2.0,
) -> ProgramAudit:
    """Review a program against a population and list what looks wrong.

    Parameters
    ----------
    program : Program
        The program.
    partners : Portfolio, DataFrame or mapping of str to array-like
        The population the program is meant for.
    rare : float in [0, 1], default 0.01
        A tier holding a smaller (non-zero) share of partners is ``"rare"``;
        one holding none is ``"unreached"``. A rule met by a smaller share of
        partners (none included) is ``"above_population"``.
    crowded : float in [0, 1], default 0.8
        A tier holding at least this share of partners is ``"crowded"``; a
        rule of a tier above the lowest met by at least this share is
        ``"below_population"``. Must be greater than ``rare``.
    flat, steep : float > 1, defaults 1.1 and 5.0
        A threshold that rises from one tier to the next by a factor in
        (1, ``flat``) is a ``"flat_step"``; by more than ``steep``, a
        ``"steep_step"``.
    disproportion : float > 1, default 2.0
        A tier whose share of the benefit cost exceeds ``disproportion``
        times its share of revenue is ``"disproportionate_cost"``.

    Returns
    -------
    ProgramAudit
        The findings and the per-tier table.

    Raises
    ------
    InvalidInputError
        For an empty population, bad thresholds, or the errors of
        :func:`evaluate`.

    Notes
    -----
    Entry thresholds are checked rule by rule against the population, by the
    share :math:`s` of partners meeting the rule on its own: :math:`s <`
    ``rare`` is ``"above_population"`` (the threshold is far above nearly
    everyone); :math:`s \\ge` ``crowded``, on a tier above the lowest, is
    ``"below_population"`` (the rule hardly discriminates). The finding's
    ``value`` is :math:`s`.

    Examples
    --------
    >>> program = Program([Tier("Silver", requirements={"deals": 1}),
    ...                    Tier("Gold", requirements={"deals": 50})])
    >>> audit = audit_program(program, {"deals": [0, 2, 3, 5, 8]})
    >>> audit.kinds()
    ['crowded', 'unreached', 'above_population', 'steep_step']
    >>> print(audit.findings[2].message)
    tier 'Gold': deals >= 50 is met by 0.0% of the partners (highest 8)
    """

    check_fraction(rare, "rare")
    check_fraction(crowded, "crowded")
    if not rare < crowded:
        raise InvalidInputError(
            f"rare = {rare!r} must be less than crowded = {crowded!r}: a share cannot be both"
        )
    for value, name in ((flat, "flat"), (steep, "steep"), (disproportion, "disproportion")):
        if check_positive(value, name) <= 1:
            raise InvalidInputError(f"{name} must be > 1, got {value!r}")
    ev = evaluate(program, partners)
    n = len(ev)
    if n == 0:
        raise InvalidInputError("partners is empty; an audit needs a population to compare with")
    table = ev.by_tier()
    audit = _Audit(program, ev, table, rare, crowded, flat, steep, disproportion)
    keyed = [item for check in _AUDIT_CHECKS for item in check(audit)]
    keyed.sort(key=lambda item: item[0])  # stable: tier, then check stage, then rule
    return ProgramAudit(findings=tuple(f for _, f in keyed), table=table)


# --------------------------------------------------------------------------- audit checks
# One function per finding kind. Each yields (sort key, finding); the key
# (tier, stage, rule) orders the findings tier by tier: reach, crowding,
# thresholds against the population, steps from the tier below, cost.


@attrs.frozen
class _Audit:
    """What every audit check reads: the program, its evaluation and the thresholds."""

    program: Program
    ev: Evaluation
    table: Mapping[str, Any]
    rare: float
    crowded: float
    flat: float
    steep: float
    disproportion: float

    def counts(self, k: int) -> tuple[int, float]:
        return int(self.table["partners"][k]), float(self.table["share"][k])

    def rules(self, k: int) -> list[tuple[str, float, NDArray[np.float64]]]:
        """(rule, threshold, partners' values) of tier ``k``: score first, then requirements."""
        tier = self.program.tiers[k]
        rules: list[tuple[str, float, NDArray[np.float64]]] = []
        if tier.min_score is not None:
            rules.append(("min_score", tier.min_score, self.ev.score))
        rules.extend((m, v, self.ev.values[m]) for m, v in tier.requirements.items())
        return rules

    def share_meeting(self, col: NDArray[np.float64], threshold: float) -> float:
        """Share of the partners whose ``col`` meets ``threshold`` on its own (within the
        tolerance of :func:`evaluate`: at least its threshold floor)."""
        return float(np.mean(col >= _floor(threshold)))

    def steps(self, k: int) -> list[tuple[str, float, float]]:
        """(rule, lower tier's threshold, tier ``k``'s threshold), for tiers above the lowest."""
        if k == 0:
            return []
        tier, lower = self.program.tiers[k], self.program.tiers[k - 1]
        pairs: list[tuple[str, float, float]] = []
        if lower.min_score is not None and tier.min_score is not None:
            pairs.append(("min_score", lower.min_score, tier.min_score))
        pairs.extend((m, v, tier.requirements[m]) for m, v in lower.requirements.items() if v > 0)
        return [(rule, lo, hi) for rule, lo, hi in pairs if lo > 0]


_Keyed = Iterator[tuple[tuple[int, int, int], Finding]]


def _label(rule: str) -> str:
    return "score" if rule == "min_score" else rule


def _unreached(a: _Audit) -> _Keyed:
    for k, tier in enumerate(a.program.tiers):
        if a.counts(k)[0] == 0:
            yield (
                (k, 0, 0),
                Finding("unreached", tier.name, "", 0.0, f"nobody reaches tier {tier.name!r}"),
            )


def _rare(a: _Audit) -> _Keyed:
    for k, tier in enumerate(a.program.tiers):
        count, share = a.counts(k)
        if count > 0 and share < a.rare:
            message = f"only {count} partners ({share:.1%}) are in tier {tier.name!r}"
            yield (k, 0, 0), Finding("rare", tier.name, "", share, message)


def _crowded(a: _Audit) -> _Keyed:
    for k, tier in enumerate(a.program.tiers):
        share = a.counts(k)[1]
        if share >= a.crowded:
            message = f"tier {tier.name!r} holds {share:.0%} of the partners"
            yield (k, 1, 0), Finding("crowded", tier.name, "", share, message)


def _above_population(a: _Audit) -> _Keyed:
    for k, tier in enumerate(a.program.tiers):
        for j, (rule, threshold, col) in enumerate(a.rules(k)):
            meets = a.share_meeting(col, threshold)
            if meets < a.rare:
                message = (
                    f"tier {tier.name!r}: {_label(rule)} >= {_fmt(threshold)} is met by "
                    f"{_share(meets)} of the partners (highest {_fmt(float(col.max()))})"
                )
                yield (k, 2, j), Finding("above_population", tier.name, rule, meets, message)


def _below_population(a: _Audit) -> _Keyed:
    for k, tier in enumerate(a.program.tiers):
        if k == 0:
            continue
        for j, (rule, threshold, col) in enumerate(a.rules(k)):
            meets = a.share_meeting(col, threshold)
            if a.rare <= meets and meets >= a.crowded:
                message = (
                    f"tier {tier.name!r}: {_label(rule)} >= {_fmt(threshold)} is met by "
                    f"{_share(meets)} of the partners, so the rule hardly discriminates"
                )
                yield (k, 2, j), Finding("below_population", tier.name, rule, meets, message)


def _step(a: _Audit, k: int, rule: str, lo: float, hi: float) -> str:
    lower, tier = a.program.tiers[k - 1], a.program.tiers[k]
    return f"{_label(rule)} {_fmt(lo)} -> {_fmt(hi)} from {lower.name!r} to {tier.name!r}"


def _flat_step(a: _Audit) -> _Keyed:
    for k, tier in enumerate(a.program.tiers):
        for j, (rule, lo, hi) in enumerate(a.steps(k)):
            ratio = hi / lo
            if 1 < ratio < a.flat:
                message = f"flat step: {_step(a, k, rule, lo, hi)} (x{ratio:.3g})"
                yield (k, 3, j), Finding("flat_step", tier.name, rule, ratio, message)


def _steep_step(a: _Audit) -> _Keyed:
    for k, tier in enumerate(a.program.tiers):
        for j, (rule, lo, hi) in enumerate(a.steps(k)):
            ratio = hi / lo
            if ratio > a.steep and not 1 < ratio < a.flat:
                message = f"steep step: {_step(a, k, rule, lo, hi)} (x{ratio:.3g})"
                yield (k, 3, j), Finding("steep_step", tier.name, rule, ratio, message)


def _disproportionate_cost(a: _Audit) -> _Keyed:
    total_cost = float(a.table["benefit_cost"][:-1].sum())
    if total_cost <= 0:
        return
    for k, tier in enumerate(a.program.tiers):
        rev_share = float(a.table["revenue_share"][k])
        cost = float(a.table["benefit_cost"][k])
        cost_share = cost / total_cost
        if cost > 0 and cost_share > a.disproportion * rev_share:
            message = (
                f"tier {tier.name!r} takes {cost_share:.0%} of the benefit cost but brings "
                f"{rev_share:.0%} of the revenue"
            )
            value = cost_share / rev_share if rev_share > 0 else math.inf
            yield (k, 4, 0), Finding("disproportionate_cost", tier.name, "", value, message)


#: The audit's checks, one per finding kind (see :class:`Finding` for the kinds).
_AUDIT_CHECKS = (
    _unreached,
    _rare,
    _crowded,
    _above_population,
    _below_population,
    _flat_step,
    _steep_step,
    _disproportionate_cost,
)
