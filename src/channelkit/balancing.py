"""Assigning partners to channel managers: balanced, cheapest, stable.

:func:`assign` is the array kernel: partners' workloads [hours/year] and the
managers' capacities in, an :class:`Assignment` out. It minimises either the
largest load relative to capacity (``objective="balance"``; with ``capacity``
an int this is the classic makespan problem over identical managers) or the
total cost within hard capacities (``objective="cost"``, the generalized
assignment problem), subject to eligibility, headcount caps and a bound on the
number of partners that change manager.

:func:`assign_portfolio` is the domain layer: a :class:`~channelkit.Portfolio`
and a list of :class:`~channelkit.Manager` in, partner id -> manager id out,
with region eligibility, ``Manager.max_partners`` and a
:class:`~channelkit.WorkloadModel`.

Two methods
-----------
``"exact"``
    The fast path, then a mixed-integer program solved by HiGHS
    (:func:`scipy.optimize.milp`) that keeps the fast answer unless it finds
    a better one: never worse than ``"fast"``, and proves optimality on small
    and medium instances. With ``current`` given a second stage minimises the
    number of moves among optimal answers. The whole call stops after
    ``time_limit`` (default 60 s), with the bound and the proven gap.
``"fast"``
    Vectorized greedy (longest job first, in rounds of one job per manager)
    followed by vectorized improvement: moves and swaps between the most and
    least loaded managers. Scales to 10^5 partners and 10^3 managers in a
    fraction of a second. For ``objective="cost"``: a regret greedy on cost
    (staying put only breaks ties) and vectorized shifts. When the greedy finds no assignment within hard
    capacities or headcount caps, a MIP searches for one on instances up to
    20,000 (partner, manager) pairs, for at most ``time_limit`` (default 2 s);
    otherwise :class:`~channelkit.SolverLimitError` is raised.

``"auto"`` (default) runs the fast path, stops if it meets the lower bound
(and, with ``current``, the fewest moves), and otherwise runs the exact path
on instances small enough for it. :class:`~channelkit.InfeasibleError` is
raised only with a proof that no assignment exists;
:class:`~channelkit.SolverLimitError` when the search ran out of time or size
without finding one.

Every result carries a lower bound, so ``Assignment.optimal`` and
``Assignment.gap`` are honest whichever path produced them.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _balancing_kernels as K
from . import _packing, _plotstyle
from ._optional import import_optional
from ._render import Fact, Report, ResultMixin, Table, fmt_int, fmt_num, one_line, render_text
from ._validation import SeedLike, as_bool_array, as_float_array, as_generator
from .errors import InfeasibleError, InvalidInputError, SolverLimitError
from .partners import Manager, PortfolioLike, as_portfolio
from .workload import WorkloadModel

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["Assignment", "PortfolioAssignment", "assign", "assign_portfolio"]

Objective = Literal["balance", "cost"]
Method = Literal["auto", "exact", "fast"]

#: ``method="auto"`` runs the exact path, when the fast path has not proven
#: optimality, on balance problems with at most this many eligible
#: (partner, manager) pairs ...
AUTO_EXACT_PAIRS = 64
#: ... or at most this many pairs when the fast path's relative gap exceeds AUTO_GAP;
AUTO_EXACT_PAIRS_IF_GAP = 20_000
AUTO_GAP = 1e-3
#: and on cost problems with at most this many pairs.
AUTO_EXACT_PAIRS_COST = 20_000
#: Time limit [s] of the exact path under ``method="auto"`` when none is given:
#: balance problems with continuous workloads are rarely proven optimal by a MIP
#: solver within any time, while cost problems usually are.
AUTO_TIME_LIMIT = {"balance": 2.0, "cost": 60.0}

#: LP relaxation bounds (HiGHS) are computed up to this many eligible pairs.
LP_BOUND_PAIRS = 200_000
#: Time limit [s] of ``method="exact"`` when none is given (the whole call: 60 s).
EXACT_TIME_LIMIT = 60.0
#: Estimated time [s per eligible pair] scipy takes to build a MILP and hand
#: it to HiGHS, before HiGHS' own clock starts, up to 200,000 pairs (measured
#: 2-3 us, growing to 8-10 us at 5 x 10^6 pairs: see :func:`_build_seconds`);
#: the MILP runs only when this fits in half of the time left.
MILP_SECONDS_PER_PAIR = 4.5e-6
#: The same for the LP relaxation bounds.
LP_SECONDS_PER_PAIR = 3e-6

_BIG = np.iinfo(np.int64).max // 4
#: Largest headcount cap (2**53: floats hold it exactly); also stands for "no cap".
_INT_LIMIT = 2**53


# --------------------------------------------------------------------------- result
def _pct(x: float) -> str:
    """A percentage with two significant digits below 1 % (0.0027%), else two decimals."""
    if x == 0:
        return "0%"
    return f"{x:.2%}" if abs(x) >= 0.01 else f"{x * 100:.2g}%"


def _ro(arr: NDArray[Any]) -> NDArray[Any]:
    out = np.array(arr, copy=True)  # a private copy: never freeze the caller's array
    out.setflags(write=False)
    return out


def _manager_labels(names: Sequence[str] | None, m: int) -> list[str]:
    labels = [str(i) for i in range(m)] if names is None else [str(x) for x in names]
    if len(labels) != m:
        raise InvalidInputError(
            f"names must have {m} entries (one per manager), got {len(labels)}"
        )
    return labels


def _fit_ticks(ax: Axes, labels: Sequence[str]) -> None:
    """Category labels on the y axis, every k-th one when the axes are too short for all.

    The step is chosen from the axes' height and the tick label font size so
    that labels never overlap: all of them when they fit, otherwise evenly
    spaced ones (the first manager always labelled).
    """
    font_manager: Any = import_optional("matplotlib.font_manager", "plot")
    mpl: Any = import_optional("matplotlib", "plot")
    size = font_manager.FontProperties(size=mpl.rcParams["ytick.labelsize"]).get_size_in_points()
    fig: Any = ax.figure
    height = float(ax.bbox.height) * 72.0 / float(fig.dpi)  # [points]
    fit = max(1, int(height // (1.5 * size)))
    n = len(labels)
    step = max(1, math.ceil(n / fit))
    ticks = list(range(0, n, step))
    ax.set_yticks(ticks)
    ax.set_yticklabels([labels[i] for i in ticks])


def _load_bars(
    ax: Axes | None,
    res: Assignment,
    labels: Sequence[str],
    title: str,
) -> Axes:
    """Horizontal bars of each manager's load (first manager on top) with the bound line."""
    m = len(labels)
    ax = _plotstyle.axes(ax, figsize=(7.0, min(12.0, max(3.0, 0.25 * m + 1.2))))
    relative = res._relative_scale
    values = res.relative_loads if relative else res.loads
    over = values > (1.0 + 1e-9) if relative else np.zeros(m, dtype=bool)
    colors = np.where(over, _plotstyle.COLORS["bad"], _plotstyle.COLORS["primary"])
    ax.barh(np.arange(m), values, height=0.8, color=colors.tolist())
    if res.objective == "balance" and m:
        shown = _pct(res.lower_bound) if relative else f"{res.lower_bound:,.0f} h"
        ax.axvline(
            res.lower_bound,
            color=_plotstyle.COLORS["bound"],
            linestyle="--",
            label=f"lower bound ({shown})",
        )
    if relative and m:
        ax.axvline(1.0, color=_plotstyle.COLORS["neutral"], linestyle=":", label="capacity")
    ax.set_ylim(m - 0.5, -0.5)  # the first manager on top
    _fit_ticks(ax, labels)
    if relative:
        ticker: Any = import_optional("matplotlib.ticker", "plot")
        ax.xaxis.set_major_formatter(ticker.PercentFormatter(1.0, decimals=0))
        ax.set_xlabel("load / capacity")
    else:
        _plotstyle.currency_axis(ax, "x")  # compact ticks: 1.5k hours, never 1e3
        ax.set_xlabel("load [hours/year]")
    ax.set_ylabel("manager")
    if ax.get_legend_handles_labels()[0]:  # above the bars, under the title: never on a bar
        ax.legend(
            loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, frameon=False, fontsize="small"
        )
        ax.set_title(title, pad=24)
    else:
        ax.set_title(title)
    return ax


@attrs.frozen(eq=False, repr=False)
class Assignment(ResultMixin):
    """The result of :func:`assign`.

    The result protocol: a one-line ``repr``, :meth:`summary` (a text report;
    the same content as HTML in a notebook), :meth:`headline` (the headline
    numbers), :meth:`to_frame` (per partner or per manager) and :meth:`plot`
    (each manager's load as a horizontal bar, with the lower bound).

    Attributes
    ----------
    manager : ndarray of int, shape (n,)
        Index of the manager each partner is assigned to.
    loads : ndarray, shape (m,) [hours/year]
        Total workload of each manager.
    capacity : ndarray, shape (m,) [hours/year]
        Capacity of each manager (all ones for ``capacity`` given as an int,
        so that relative loads are the loads themselves).
    workload : ndarray, shape (n,) [hours/year]
        Workload of each partner with its assigned manager.
    value : float
        The objective: the largest relative load ``max(loads / capacity)``
        for ``"balance"`` (in hours when ``capacity`` was an int), the total
        cost for ``"cost"``.
    lower_bound : float
        A proven lower bound of the optimal value.
    optimal : bool
        Whether ``value`` is proven optimal (equal to ``lower_bound`` within a
        relative 1e-7, or proven by HiGHS).
    moves : int
        Partners whose manager differs from ``current`` (0 without ``current``;
        new partners, with ``current == -1``, never count).
    objective : str
        ``"balance"`` or ``"cost"``.
    method : str
        The path that produced the answer: ``"exact"``, ``"fast"``, or with
        ``method="exact"`` asked, ``"fast (proven optimal)"``, ``"fast (exact
        did not improve)"`` or ``"fast (exact skipped: the model does not fit
        the time limit)"``.
    total_cost : float or None
        Total cost of the assignment when a ``cost`` matrix was given.

    Examples
    --------
    >>> res = assign([5.0, 4.0, 3.0, 3.0, 3.0], 2)
    >>> res
    Assignment(n=5, m=2, objective='balance', value=9, lower_bound=9, optimal=True, moves=0)
    >>> res.headline()["gap"], res.headline()["optimal"]
    (0.0, True)
    >>> print(res.summary(names=["ann", "bob"]))
    Assignment: 5 partners to 2 managers (balance)
    ==============================================
    Partners     5
    Managers     2
    Value        9 (largest load)
    Lower bound  9
    Gap          0%
    Optimal      yes
    Spread       0 (largest - smallest load)
    Moves        0
    Method       fast
    <BLANKLINE>
    manager  partners  load  capacity  utilisation
    -------  --------  ----  --------  -----------
    ann             2   9.0         -            -
    bob             3   9.0         -            -
    >>> res.to_frame(by="manager")[["manager", "partners", "load"]]
       manager  partners  load
    0        0         2   9.0
    1        1         3   9.0
    """

    manager: NDArray[np.int64] = attrs.field(converter=_ro)
    loads: NDArray[np.float64] = attrs.field(converter=_ro)
    capacity: NDArray[np.float64] = attrs.field(converter=_ro)
    workload: NDArray[np.float64] = attrs.field(converter=_ro)
    value: float
    lower_bound: float
    optimal: bool
    moves: int
    objective: str
    method: str
    total_cost: float | None = None

    @property
    def counts(self) -> NDArray[np.int64]:
        """Number of partners per manager, shape (m,)."""
        out: NDArray[np.int64] = np.bincount(self.manager, minlength=self.loads.shape[0])
        return out

    @property
    def relative_loads(self) -> NDArray[np.float64]:
        """``loads / capacity``, shape (m,)."""
        out: NDArray[np.float64] = self.loads / self.capacity
        return out

    @property
    def gap(self) -> float:
        """Relative gap to the lower bound, ``(value - lower_bound) / |value|``."""
        if self.value == self.lower_bound:
            return 0.0
        return float((self.value - self.lower_bound) / max(abs(self.value), 1e-300))

    @property
    def spread(self) -> float:
        """Largest minus smallest relative load."""
        rel = self.relative_loads
        return float(rel.max() - rel.min()) if rel.size else 0.0

    @property
    def _identical(self) -> bool:
        """Identical managers (``capacity`` given as an int): loads are in hours."""
        return bool(np.all(self.capacity == 1.0))

    @property
    def _relative_scale(self) -> bool:
        """Whether loads are shown relative to finite capacities (else in hours)."""
        return (
            not self._identical
            and self.objective == "balance"
            and bool(np.isfinite(self.capacity).all())
        )

    def __repr__(self) -> str:
        return one_line(
            "Assignment",
            n=int(self.manager.shape[0]),
            m=int(self.loads.shape[0]),
            objective=self.objective,
            value=float(self.value),
            lower_bound=float(self.lower_bound),
            optimal=bool(self.optimal),
            moves=int(self.moves),
        )

    def _facts(self) -> list[Fact]:
        identical = self._identical
        what = (
            ("largest load" if identical else "largest relative load")
            if self.objective == "balance"
            else "total cost"
        )
        if identical or np.isfinite(self.capacity).all():
            spread = self.spread
            unit = "load" if identical else "relative load"
        else:  # no capacity to relate to: the spread in hours
            spread = float(np.ptp(self.loads)) if self.loads.size else 0.0
            unit = "load [hours]"
        n, m = int(self.manager.shape[0]), int(self.loads.shape[0])
        facts = [
            Fact("Partners", fmt_int(n), n),
            Fact("Managers", fmt_int(m), m),
            Fact("Value", f"{self.value:.6g} ({what})", float(self.value)),
            Fact("Lower bound", f"{self.lower_bound:.6g}", float(self.lower_bound)),
            Fact("Gap", _pct(self.gap), self.gap),
            Fact("Optimal", "yes" if self.optimal else "not proven", bool(self.optimal)),
            Fact("Spread", f"{spread:.6g} (largest - smallest {unit})", spread),
            Fact("Moves", fmt_int(self.moves), int(self.moves)),
            Fact("Method", self.method, self.method),
        ]
        if self.total_cost is not None and self.objective != "cost":
            facts.append(Fact("Total cost", fmt_num(self.total_cost, 6), float(self.total_cost)))
        return facts

    def _manager_table(
        self, labels: Sequence[str], extra: Mapping[str, NDArray[Any]] | None = None
    ) -> Table:
        identical = self._identical
        counts = self.counts
        extra = extra or {}
        rows = []
        for i, label in enumerate(labels):
            cap = float(self.capacity[i])
            plain = identical or not math.isfinite(cap)
            rows.append(
                [
                    label,
                    int(counts[i]),
                    f"{self.loads[i]:,.1f}",
                    "-" if plain else f"{cap:,.1f}",
                    "-" if plain else f"{self.loads[i] / cap:.1%}",
                    *(int(col[i]) for col in extra.values()),
                ]
            )
        columns = ["manager", "partners", "load", "capacity", "utilisation", *extra]
        return Table(columns, rows)

    def _report(self, names: Sequence[str] | None = None) -> Report:
        labels = _manager_labels(names, int(self.loads.shape[0]))
        title = (
            f"Assignment: {self.manager.shape[0]:,} partners to {len(labels):,} managers "
            f"({self.objective})"
        )
        return Report(title, [*self._facts(), self._manager_table(labels)])

    def summary(self, names: Sequence[str] | None = None) -> str:
        """The text report: headline numbers, then load, capacity and partners per manager.

        Parameters
        ----------
        names : sequence of str, optional
            Manager names (default ``"0"``, ``"1"``, ...).

        Returns
        -------
        str
            The value, lower bound, gap, spread, moves and method, and one row
            per manager (utilisation only for managers of different capacities).
        """
        return render_text(self._report(names))

    def plot(self, ax: Axes | None = None, names: Sequence[str] | None = None) -> Axes:
        """Each manager's load as a horizontal bar, with the lower bound (needs matplotlib).

        Bars show loads relative to capacity (loads in hours for identical
        managers or a cost objective); the dashed line is the lower bound of
        the largest one, the dotted line the capacity. Manager labels are
        thinned when the axes are too short to show them all.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure (sized for the number of managers) if None.
        names : sequence of str, optional
            Manager names (default ``"0"``, ``"1"``, ...).

        Returns
        -------
        matplotlib.axes.Axes
        """
        labels = _manager_labels(names, int(self.loads.shape[0]))
        if self.objective == "cost":
            what = f"total cost {fmt_num(self.value)}"
        elif self._relative_scale:
            what = f"largest load {self.value:.1%} of capacity"
        else:
            what = f"largest load {self.value:,.0f} h"
        title = f"Manager loads: {what}, gap {_pct(self.gap)}"
        return _load_bars(ax, self, labels, title)

    def to_frame(self, by: Literal["partner", "manager"] = "partner") -> pd.DataFrame:
        """The assignment as a pandas DataFrame (pandas is imported lazily).

        Parameters
        ----------
        by : {"partner", "manager"}
            One row per partner (``partner``, ``manager``, ``workload``) or
            per manager (``manager``, ``partners``, ``load``, ``capacity``,
            ``relative_load``).

        Returns
        -------
        pandas.DataFrame
        """
        pd_mod = import_optional("pandas", "pandas")
        if by == "partner":
            frame: pd.DataFrame = pd_mod.DataFrame(
                {
                    "partner": np.arange(self.manager.shape[0]),
                    "manager": self.manager,
                    "workload": self.workload,
                }
            )
            return frame
        if by == "manager":
            frame = pd_mod.DataFrame(
                {
                    "manager": np.arange(self.loads.shape[0]),
                    "partners": self.counts,
                    "load": self.loads,
                    "capacity": self.capacity,
                    "relative_load": self.relative_loads,
                }
            )
            return frame
        raise InvalidInputError(f"by must be 'partner' or 'manager', got {by!r}")


# --------------------------------------------------------------------------- validation
@attrs.frozen
class _Problem:
    W: NDArray[np.float64]  # (n, m); a read-only broadcast view when one_d
    one_d: bool
    w1: NDArray[np.float64] | None  # (n,) when one_d
    cap: NDArray[np.float64]
    hard: bool
    identical: bool
    elig: NDArray[np.bool_]
    restricted: bool
    kmax: NDArray[np.int64]
    cost: NDArray[np.float64] | None
    current: NDArray[np.int64] | None
    max_moves: int | None
    objective: str

    @property
    def n(self) -> int:
        return int(self.W.shape[0])

    @property
    def m(self) -> int:
        return int(self.W.shape[1])


def _prepare(
    workload: ArrayLike,
    capacity: int | ArrayLike,
    cost: ArrayLike | None,
    eligible: ArrayLike | None,
    max_partners: int | ArrayLike | None,
    current: ArrayLike | None,
    max_moves: int | None,
    objective: str,
) -> _Problem:
    if objective not in ("balance", "cost"):
        raise InvalidInputError(f"objective must be 'balance' or 'cost', got {objective!r}")
    w = as_float_array(workload, "workload", ndim=(1, 2), nonnegative=True)
    if isinstance(capacity, numbers.Integral) and not isinstance(capacity, bool):
        m = int(capacity)
        if m < 1:
            raise InvalidInputError(f"capacity = {m} managers; expected at least 1")
        # identical managers without a cap: loads are in hours (balance), and
        # the cost objective has no capacity constraint at all
        cap = np.ones(m) if objective == "balance" else np.full(m, math.inf)
        hard = False
        identical = True
    else:
        if np.ndim(capacity) == 0:
            raise InvalidInputError(
                f"capacity must be an int (that many identical managers without a cap) or an "
                f"(m,) array of capacities [hours/year], got the scalar {capacity!r}"
            )
        cap = as_float_array(
            capacity, "capacity", ndim=1, allow_inf=objective == "cost", allow_empty=False
        )
        bad = ~(cap > 0)
        if bad.any():
            i = int(np.argmax(bad))
            raise InvalidInputError(
                f"capacity[{i}] = {cap[i]!r} must be positive [hours/year] "
                "(or pass an int for that many identical managers without a cap)"
            )
        m = cap.shape[0]
        hard = True
        identical = False
    n = w.shape[0]
    if w.ndim == 2 and w.shape[1] != m:
        raise InvalidInputError(
            f"workload has shape {w.shape}: expected (n, {m}), one column per manager"
        )
    one_d = w.ndim == 1
    # broadcast views: no (n, m) copy for identical workloads or no eligibility
    W = np.broadcast_to(w[:, None], (n, m)) if one_d else w
    elig: NDArray[np.bool_]
    if eligible is None:
        elig = np.broadcast_to(np.True_, (n, m))
        restricted = False
    else:
        elig = as_bool_array(eligible, "eligible", shape=(n, m))
        restricted = not bool(elig.all())
    if max_partners is None:
        kmax = np.full(m, _INT_LIMIT, dtype=np.int64)
    elif isinstance(max_partners, numbers.Integral) and not isinstance(max_partners, bool):
        if int(max_partners) < 0:
            raise InvalidInputError(f"max_partners = {max_partners} must be >= 0")
        if int(max_partners) > _INT_LIMIT:
            raise InvalidInputError(
                f"max_partners = {max_partners} is above {_INT_LIMIT:,}, the largest headcount "
                "cap (leave max_partners out, or None, for no cap)"
            )
        kmax = np.full(m, int(max_partners), dtype=np.int64)
    else:
        if np.ndim(max_partners) == 0:
            raise InvalidInputError(
                f"max_partners must be an int or an ({m},) array of ints, "
                f"got the scalar {max_partners!r}"
            )
        kmax = _whole_numbers(
            max_partners,
            "max_partners",
            min_value=0,
            max_value=_INT_LIMIT,
            above=f"above {_INT_LIMIT:,}, the largest headcount cap (leave max_partners "
            "out, or None, for no cap)",
        )
        if kmax.shape != (m,):
            raise InvalidInputError(
                f"max_partners must be an int or have shape ({m},), got {kmax.shape}"
            )
    c_arr: NDArray[np.float64] | None = None
    if cost is not None:
        c_arr = as_float_array(cost, "cost", ndim=2)
        if c_arr.shape != (n, m):
            raise InvalidInputError(f"cost must have shape ({n}, {m}), got {c_arr.shape}")
    if objective == "cost" and c_arr is None:
        raise InvalidInputError("objective='cost' needs a cost matrix of shape (n, m)")
    cur: NDArray[np.int64] | None = None
    if current is not None:
        cur = _whole_numbers(
            current,
            "current",
            min_value=-1,
            max_value=m - 1,
            above=f"not a manager index (expected -1 .. {m - 1})",
        )
        if cur.shape != (n,):
            raise InvalidInputError(f"current must have shape ({n},), got {cur.shape}")
    mm: int | None = None
    if max_moves is not None:
        if isinstance(max_moves, bool) or not isinstance(max_moves, numbers.Integral):
            raise InvalidInputError(f"max_moves must be a whole number, got {max_moves!r}")
        if int(max_moves) < 0:
            raise InvalidInputError(f"max_moves = {max_moves} must be >= 0")
        if cur is None:
            raise InvalidInputError("max_moves needs current (the assignment moves count from)")
        mm = int(max_moves)
    return _Problem(
        W,
        one_d,
        w if one_d else None,
        cap,
        hard,
        identical,
        elig,
        restricted,
        kmax,
        c_arr,
        cur,
        mm,
        objective,
    )


def _given(values: Any, index: int) -> str:
    """The user's own spelling of ``values``' element ``index`` (flattened) for a message."""
    try:
        item = np.asarray(values).reshape(-1)[index]
        out = item.item() if isinstance(item, np.generic) else item
        return repr(out) if isinstance(out, numbers.Number) else str(out)
    except (TypeError, ValueError, IndexError):  # pragma: no cover - ragged input
        return "?"


def _whole_numbers(
    values: ArrayLike, name: str, *, min_value: int, max_value: int, above: str
) -> NDArray[np.int64]:
    """A 1-D array of whole numbers in [min_value, max_value], checked before the int cast.

    Messages name the value as given (``1e+20``, ``2**70``), never a number
    the cast wrapped around to.
    """
    arr = as_float_array(values, name, ndim=1)
    checks = (
        (arr != np.round(arr), "is not a whole number"),
        (arr < min_value, f"is below the minimum {min_value}"),
        (arr > max_value, f"is {above}"),
    )
    for bad, text in checks:
        if bad.any():
            j = int(np.argmax(bad))
            raise InvalidInputError(f"{name}[{j}] = {_given(values, j)} {text}")
    out: NDArray[np.int64] = arr.astype(np.int64)
    return out


def _check_feasible(
    p: _Problem, groups: tuple[NDArray[np.int64], NDArray[np.int64]] | None
) -> int:
    """Raise InfeasibleError for the obvious impossibilities; return forced moves.

    ``groups``: partners with the same eligibility row (:func:`K.row_groups`).
    """
    n = p.n
    none = ~p.elig.any(axis=1) if p.restricted else np.zeros(n, dtype=bool)
    if none.any():
        j = int(np.argmax(none))
        raise InfeasibleError(
            f"partner {j} has no eligible manager ({int(none.sum())} partner(s) in all)"
        )
    if p.hard:
        capw = p.cap * (1 + 1e-12)
        if p.w1 is not None and not p.restricted:
            nofit = p.w1 > capw.max()
        elif p.w1 is not None and groups is not None:
            # the largest eligible capacity per group of partners (a region)
            first, inv = groups
            top = np.where(np.asarray(p.elig)[first], capw[None, :], -np.inf).max(axis=1)
            nofit = ~(top[inv] >= p.w1)
        elif not p.restricted:
            nofit = ~(capw[None, :] >= p.W).any(axis=1)
        else:
            nofit = ~(p.elig & (capw[None, :] >= p.W)).any(axis=1)
        if nofit.any():
            j = int(np.argmax(nofit))
            ratio = np.where(p.elig[j], p.W[j] / p.cap, np.inf)
            i = int(np.argmin(ratio))
            raise InfeasibleError(
                f"partner {j} fits no eligible manager: it needs {p.W[j, i]:.6g} h even with "
                f"manager {i}, whose capacity is {p.cap[i]:.6g} h"
            )
        if p.w1 is not None:
            # every partner has an eligible manager (checked above): its least workload is w1
            need = float(p.w1.sum())
        elif not p.restricted:
            need = float(p.W.min(axis=1).sum())
        else:
            need = float(np.where(p.elig, p.W, np.inf).min(axis=1).sum())
        have = float(p.cap.sum())
        if need > have * (1 + 1e-12):
            raise InfeasibleError(
                f"total workload {need:,.6g} h exceeds total capacity {have:,.6g} h "
                f"by {need - have:,.6g} h ({(need - have) / have:.1%})"
            )
    slots = int(np.minimum(p.kmax, n).sum())
    if slots < n:
        raise InfeasibleError(
            f"headcount caps (max_partners) allow at most {slots} partners but there are {n} "
            f"(short by {n - slots})"
        )
    if p.restricted and (p.kmax < n).any():
        placed = K.headcount_placeable(np.asarray(p.elig), p.kmax, groups)
        if placed < n:
            raise InfeasibleError(
                f"headcount caps (max_partners) and eligibility together leave {n - placed} "
                f"of {n} partners without a manager"
            )
    forced = 0
    if p.current is not None:
        cur = p.current
        has = cur >= 0
        bad = np.zeros(n, dtype=bool)
        bad[has] = ~p.elig[np.flatnonzero(has), cur[has]]
        forced = int(bad.sum())
        if p.max_moves is not None and forced > p.max_moves:
            raise InfeasibleError(
                f"max_moves = {p.max_moves} but {forced} partners must move because their "
                "current manager is not eligible for them"
            )
    return forced


# --------------------------------------------------------------------------- solving
def _assigned(p: _Problem, manager: NDArray[np.int64]) -> NDArray[np.float64]:
    if p.w1 is not None:
        return p.w1
    out: NDArray[np.float64] = p.W[np.arange(p.n), manager]
    return out


def _value(p: _Problem, manager: NDArray[np.int64]) -> tuple[float, NDArray[np.float64]]:
    loads: NDArray[np.float64] = np.bincount(
        manager, weights=_assigned(p, manager), minlength=p.m
    ).astype(np.float64)
    if p.objective == "balance":
        return (float((loads / p.cap).max()) if p.m else 0.0), loads
    assert p.cost is not None
    return float(p.cost[np.arange(p.n), manager].sum()), loads


def _moves(p: _Problem, manager: NDArray[np.int64]) -> int:
    if p.current is None:
        return 0
    return int(((p.current >= 0) & (manager != p.current)).sum())


def _feasible(p: _Problem, manager: NDArray[np.int64]) -> bool:
    if (manager < 0).any():
        return False
    if p.restricted and not p.elig[np.arange(p.n), manager].all():
        return False
    _, loads = _value(p, manager)
    counts = np.bincount(manager, minlength=p.m)
    if (counts > p.kmax).any():
        return False
    if p.hard and (loads > p.cap * (1 + 1e-9)).any():
        return False
    return not (p.max_moves is not None and _moves(p, manager) > p.max_moves)


def _fast_balance(
    p: _Problem,
    forced: int,
    target: float,
    deadline: float,
    rng: np.random.Generator | None,
    lp_rounded: NDArray[np.int64] | None = None,
) -> NDArray[np.int64]:
    n, m = p.n, p.m
    manager = np.full(n, -1, dtype=np.int64)
    if p.current is not None:
        keep = p.current >= 0
        keep[keep] = p.elig[np.flatnonzero(keep), p.current[keep]]
        manager[keep] = p.current[keep]
    elif lp_rounded is not None:
        # start from the partners the LP relaxation places whole; the greedy
        # below places the few it splits
        manager[:] = lp_rounded
    elif not p.one_d:
        # no LP (too large, or out of time): start from manager prices
        manager[:] = K.price_start(
            p.W, p.cap, np.asarray(p.elig), p.kmax, p.hard, deadline=deadline
        )
    # partners with a single eligible manager (e.g. pinned key accounts) go
    # there; if every other partner may go anywhere, the fast 1-D path applies
    pinned: NDArray[np.bool_] | None = None
    if p.one_d and p.restricted and m > 1:
        row_sum = p.elig.sum(axis=1)
        if np.all((row_sum == m) | (row_sum == 1)):
            pinned = row_sum == 1
            free_pin = np.flatnonzero(pinned & (manager < 0))
            manager[free_pin] = np.argmax(p.elig[free_pin], axis=1)
    placed = np.flatnonzero(manager >= 0)
    loads = np.bincount(manager[placed], weights=p.W[placed, manager[placed]], minlength=m).astype(
        np.float64
    )
    counts = np.bincount(manager[placed], minlength=m).astype(np.int64)
    if (counts > p.kmax).any():
        # current assignment breaks a headcount cap: release the smallest partners
        over = np.flatnonzero(counts > p.kmax)
        for i in over:  # loop over managers, not partners
            mine = np.flatnonzero(manager == i)
            drop = mine[np.argsort(p.W[mine, i], kind="stable")[: counts[i] - p.kmax[i]]]
            manager[drop] = -1
            loads[i] -= p.W[drop, i].sum()
            counts[i] = p.kmax[i]
    # ties among equal workloads are broken by a seeded permutation
    todo = np.flatnonzero(manager < 0)
    if rng is not None:
        todo = todo[rng.permutation(todo.size)]
    simple = p.one_d and (not p.restricted or pinned is not None)
    if simple:
        assert p.w1 is not None
        w1 = p.w1
        # jobs below 5 % of an average load are water-filled in batches, the
        # rest go by LPT rounds first; only worth it with many small jobs
        small = w1[todo] < (w1.sum() + loads.sum()) / float(p.cap.sum()) * p.cap.min() / 20
        if small.sum() < 4 * m:
            small[:] = False
        K.lpt_rounds(w1, p.cap, p.kmax, loads, counts, todo[~small], manager)
        if small.any():
            K.waterfill(w1, p.cap, loads, todo[small], manager)
            counts = np.bincount(manager[manager >= 0], minlength=m).astype(np.int64)
            over = np.flatnonzero(counts > p.kmax)
            if over.size:
                # water-filling ignores headcount caps: hand the smallest
                # excess water-filled jobs of a full manager to LPT rounds
                wf = np.zeros(n, dtype=bool)
                wf[todo[small]] = True
                freed: list[NDArray[np.int64]] = []
                for i in over:  # loop over managers, not partners
                    mine = np.flatnonzero((manager == i) & wf)
                    drop = mine[np.argsort(w1[mine], kind="stable")[: counts[i] - p.kmax[i]]]
                    manager[drop] = -1
                    loads[i] -= w1[drop].sum()
                    counts[i] -= drop.size
                    freed.append(drop)
                K.lpt_rounds(w1, p.cap, p.kmax, loads, counts, np.concatenate(freed), manager)
        left = np.flatnonzero(manager < 0)
    else:
        left = K.ranked_rounds(p.W, p.cap, p.elig, p.kmax, p.hard, loads, counts, todo, manager)
        if left.size:
            left = K.ranked_rounds(p.W, p.cap, p.elig, p.kmax, False, loads, counts, left, manager)
    if left.size:
        # the greedy painted itself into a corner with headcount caps: start over
        # from a max-flow placement that respects eligibility and headcount
        placed_n, flow_mgr = K.headcount_flow(np.asarray(p.elig), p.kmax)
        if placed_n < n:  # pragma: no cover - excluded by _check_feasible
            raise InfeasibleError(
                "headcount caps and eligibility leave partners without a manager"
            )
        manager = flow_mgr
        loads = np.bincount(manager, weights=p.W[np.arange(n), manager], minlength=m).astype(
            np.float64
        )
        counts = np.bincount(manager, minlength=m).astype(np.int64)
    budget = _BIG if p.max_moves is None else min(p.max_moves, p.n) - _moves(p, manager)
    # the starting point (today's assignment plus the new partners): returned
    # unless the improvement passes strictly lower the largest load
    start = manager.copy() if p.current is not None else None
    state = K._State(manager, loads, counts, budget, p.current)
    if simple:
        assert p.w1 is not None
        K.pair_passes(
            p.w1,
            p.cap,
            p.kmax,
            state,
            target,
            deadline,
            movable=None if pinned is None else ~pinned,
        )
    # polishing the most loaded manager: thorough on small instances, brief on large
    iters = 20 * m + 200 if n * m <= 200_000 else 50
    if p.max_moves is not None:
        # each iteration is one move or swap off the top: use what is left
        iters = max(iters, min(state.moved_budget, 1000))
    K.max_passes(p.W, p.cap, p.elig, p.kmax, p.hard, state, target, deadline, max_iter=iters)
    if p.current is not None:
        limit = np.full(m, float((state.loads / p.cap).max()))
        K.move_back(p.W, p.cap, p.elig, p.kmax, state, limit)
        for _ in range(3):  # moves handed back are spent again off the top
            if p.max_moves is None or state.moved_budget <= 0:
                break
            before = float((state.loads / p.cap).max())
            K.max_passes(
                p.W, p.cap, p.elig, p.kmax, p.hard, state, target, deadline,
                max_iter=min(state.moved_budget, 1000),
            )  # fmt: skip
            limit = np.full(m, float((state.loads / p.cap).max()))
            K.move_back(p.W, p.cap, p.elig, p.kmax, state, limit)
            if not float((state.loads / p.cap).max()) < before:
                break
    if start is not None and _feasible(p, start):
        v_start, v_end = _value(p, start)[0], _value(p, state.manager)[0]
        if not v_end < v_start * (1 - 1e-12) and _moves(p, start) <= _moves(p, state.manager):
            return start
    return state.manager


def _tie_break_cost(p: _Problem) -> NDArray[np.float64]:
    """Cost with staying put as a tie-break: ``cost - eps * [i == current]``.

    ``eps`` is a quarter of the smallest positive difference between costs,
    so no partner trades a cheaper manager for staying.
    """
    assert p.cost is not None
    if p.current is None:
        return p.cost
    vals = np.unique(p.cost[np.isfinite(p.cost)])
    gaps = np.diff(vals)
    gaps = gaps[gaps > 0]
    eps = float(gaps.min()) / 4 if gaps.size else 1.0
    stay = np.zeros(p.cost.shape, dtype=bool)
    has = np.flatnonzero(p.current >= 0)
    stay[has, p.current[has]] = True
    out: NDArray[np.float64] = p.cost - eps * stay
    return out


def _fast_cost(p: _Problem, deadline: float = math.inf) -> NDArray[np.int64] | None:
    """Regret greedy on cost (staying put breaks ties), then vectorized shifts.

    With ``max_moves`` the current placements that remain feasible are kept
    first, and the shifts spend the move budget on the largest savings.
    """
    assert p.cost is not None
    n, m = p.n, p.m
    cost = _tie_break_cost(p)
    manager = np.full(n, -1, dtype=np.int64)
    loads = np.zeros(m)
    counts = np.zeros(m, dtype=np.int64)
    if p.current is not None and p.max_moves is not None:
        # keep current placements that remain feasible, per manager in
        # increasing workload (a prefix that fits the cap and headcount)
        keep = np.flatnonzero(p.current >= 0)
        keep = keep[p.elig[keep, p.current[keep]]]
        if keep.size:
            mk = p.current[keep]
            o2 = np.lexsort((p.W[keep, mk], mk))
            keep, mk = keep[o2], mk[o2]
            starts = np.flatnonzero(np.r_[True, mk[1:] != mk[:-1]])
            seg = np.repeat(starts, np.diff(np.r_[starts, keep.size]))
            cs = np.cumsum(p.W[keep, mk])
            csum_by = cs - np.where(seg > 0, cs[np.maximum(seg - 1, 0)], 0.0)
            rank = np.arange(keep.size) - seg
            ok = (csum_by <= p.cap[mk] * (1 + 1e-12)) & (rank < p.kmax[mk])
            manager[keep[ok]] = mk[ok]
            np.add.at(loads, mk[ok], p.W[keep[ok], mk[ok]])
            np.add.at(counts, mk[ok], 1)
    todo = np.flatnonzero(manager < 0)
    left = K.cost_greedy(p.W, p.cap, p.elig, p.kmax, cost, loads, counts, todo, manager)
    if left.size:
        return None
    budget = _BIG if p.max_moves is None else min(p.max_moves, p.n) - _moves(p, manager)
    if budget < 0:
        return None
    state = K._State(manager, loads, counts, budget, p.current)
    rounds = 50 if n * m <= 5_000_000 else 5
    K.cost_shifts(p.W, p.cap, p.elig, p.kmax, cost, state, deadline, max_rounds=rounds)
    return state.manager


def _integral(values: NDArray[np.float64]) -> bool:
    return bool(np.all(values == np.round(values)))


def _lower_bound(
    p: _Problem,
    clock: _Clock,
    comps: tuple[int, NDArray[np.int64], NDArray[np.int64]] | None = None,
) -> tuple[float, NDArray[np.int64] | None]:
    """The lower bound, and for manager-dependent workloads the LP's rounding.

    With a time limit the LP relaxations get at most half of it, and are
    skipped when building them alone would not fit (the combinatorial bound
    stands in). ``comps`` are the eligibility components, when known.
    """
    pairs = _pairs(p)
    if p.objective == "balance":
        if p.identical and p.one_d and not p.restricted:
            assert p.w1 is not None
            lb = K.makespan_bound_identical(p.w1, p.m)
        elif p.one_d and not p.restricted:
            assert p.w1 is not None
            lb = K.makespan_bound_uniform(p.w1, p.cap)
        else:
            lb = K.makespan_bound_general(p.W, p.cap, p.elig, p.kmax, comps=comps, w1=p.w1)
            if not p.one_d and pairs <= LP_BOUND_PAIRS:
                lp_time = clock.lp_time(pairs)
                if lp_time is not None and lp_time <= 0:
                    return lb, None
                lp, rounded = K.lp_balance_bound(
                    p.W, p.cap, np.asarray(p.elig), p.kmax, time_limit=lp_time
                )
                return max(lb, lp), rounded
        # (whole workloads give a whole optimum only on identical managers)
        integral = p.identical and _integral(p.w1 if p.w1 is not None else p.W)
        return K.integral_round(lb, integral), None
    assert p.cost is not None
    lb = -math.inf
    if pairs <= LP_BOUND_PAIRS:
        lp_time = clock.lp_time(pairs)
        if lp_time is None or lp_time > 0:
            lb = K.lp_cost_bound(p.W, p.cap, p.elig, p.kmax, p.cost, time_limit=lp_time)
    if not math.isfinite(lb):
        masked = np.where(p.elig, p.cost, np.inf) if p.restricted else p.cost
        lb = float(masked.min(axis=1).sum())
    return K.integral_round(lb, _integral(p.cost)), None


def _is_opt(value: float, bound: float) -> bool:
    """``value`` equals the lower bound within a relative 1e-7 (HiGHS' gap criterion)."""
    return value - bound <= 1.01 * K.MIP_REL_GAP * abs(value) + 1e-300


# --------------------------------------------------------------------------- overflow
#: Workloads whose column sums could pass this are scaled by a power of two
#: before :func:`assign` solves, so that no sum of hours overflows to inf.
_SCALE_ABOVE = 2.0**500

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable
    from typing import TypeVar

    _F = TypeVar("_F", bound=Callable[..., "Assignment"])


def _sum_exponent(values: Any, *, signed: bool = False) -> int:
    """Power of two ``e`` such that ``values * 2**-e`` sums over its rows without overflow.

    0 when no scaling is needed, or when ``values`` is not a plain numeric
    array of finite values, non-negative unless ``signed`` (then assign's own
    validation reports it, with the values as given).
    """
    if values is None:
        return 0
    if isinstance(values, np.ndarray):
        a = values
    else:
        try:
            a = np.asarray(values)
        except (TypeError, ValueError):
            return 0
    if a.dtype.kind not in "fiu" or a.size == 0 or a.ndim not in (1, 2):
        return 0
    with np.errstate(all="ignore"):
        low = float(np.min(a))
        top = max(float(np.max(a)), -low)
    if not signed and not low >= 0:
        return 0
    if not math.isfinite(top) or top * a.shape[0] <= _SCALE_ABOVE:
        return 0
    return math.frexp(top)[1]


def _unscaled_hours(message: str, e: int) -> str:
    """``message`` with every "<number> h" multiplied back by ``2**e`` (exactly, as text)."""
    import re
    from decimal import Decimal

    def back(match: re.Match[str]) -> str:
        # five digits: the scaled number was printed with six
        value = Decimal(match.group(1).replace(",", "")) * Decimal(2) ** e
        short = float(f"{value:.5g}")
        if math.isfinite(short):
            return f"{short:,.5g} h"
        return f"{Decimal(f'{value:.5g}').normalize()} h".lower()

    return re.sub(r"(-?\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?) h\b", back, message)


def _overflow_safe(func: _F) -> _F:
    """Decorate :func:`assign`: scale huge workloads and costs so that no sum overflows.

    Workloads near the float limit (``[1e308] * 3``) made loads and bounds
    overflow to ``inf``, and the solver then "proved" an always feasible
    instance infeasible. Scaling workloads (and hard capacities), and costs,
    by a power of two is exact and changes no decision; the result is scaled
    back, and loads or a total cost that do not fit a float raise
    :class:`InvalidInputError`.
    """
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Assignment:
        names = ("workload", "capacity")
        given = dict(zip(names, args)) | {k: kwargs[k] for k in names if k in kwargs}
        workload, capacity = given.get("workload"), given.get("capacity")
        e = _sum_exponent(workload)
        e_cost = _sum_exponent(kwargs.get("cost"), signed=True)
        if (e == 0 and e_cost == 0) or workload is None or capacity is None:
            return func(*args, **kwargs)
        rest = {k: v for k, v in kwargs.items() if k not in names}
        w = np.asarray(workload, dtype=np.float64)
        cap_given = not (isinstance(capacity, numbers.Integral) and not isinstance(capacity, bool))
        cap: Any = capacity
        try:
            if cap_given and e:
                cap = np.ldexp(np.asarray(capacity, dtype=np.float64), -e)
            if e_cost:
                cost = np.asarray(kwargs["cost"], dtype=np.float64)
                rest["cost"] = np.ldexp(cost, -e_cost)
        except (TypeError, ValueError):
            return func(*args, **kwargs)  # let assign's validation name the argument
        try:
            res: Assignment = func(np.ldexp(w, -e), cap, *args[2:], **rest)
        except (InfeasibleError, SolverLimitError) as exc:
            raise type(exc)(_unscaled_hours(str(exc), e)) from None
        rows = np.arange(w.shape[0])
        work = w if w.ndim == 1 else w[rows, res.manager]
        with np.errstate(over="ignore"):
            loads = np.bincount(res.manager, weights=work, minlength=res.loads.shape[0])
            capacity_out = np.ldexp(res.capacity, e) if cap_given else res.capacity
            scale = e if res.objective == "balance" and not cap_given else 0
            if res.objective == "cost":
                scale = e_cost
            value = float(np.ldexp(res.value, scale))
            bound = float(np.ldexp(res.lower_bound, scale))
            total = res.total_cost
            if total is not None and e_cost:
                total = float(np.ldexp(total, e_cost))
        if not np.isfinite(loads).all():
            i = int(np.argmin(np.isfinite(loads)))
            raise InvalidInputError(
                f"workload: manager {i}'s load would exceed the largest float "
                f"({np.finfo(np.float64).max:.4g} hours); express the workloads in larger units"
            )
        if total is not None and not math.isfinite(total):
            raise InvalidInputError(
                f"cost: the total cost of the assignment would exceed the largest float "
                f"({np.finfo(np.float64).max:.4g}); express the costs in larger units"
            )
        return attrs.evolve(
            res,
            loads=loads,
            capacity=capacity_out,
            workload=work,
            value=value,
            lower_bound=bound,
            total_cost=total,
        )

    return wrapper  # type: ignore[return-value]


def _build_seconds(pairs: int, per_pair: float) -> float:
    """Estimated time to build a model of ``pairs`` variables (slightly superlinear)."""
    return float(pairs * per_pair * max(1.0, pairs / 200_000) ** 0.35)


def _pairs(p: _Problem) -> int:
    """Eligible (partner, manager) pairs: the size of the MILP."""
    return int(p.elig.sum()) if p.restricted else p.n * p.m


# --------------------------------------------------------------------------- stages of assign
@attrs.define
class _Clock:
    """The time budget of one :func:`assign` call: every stage reads it."""

    t0: float
    limit: float  # [s], math.inf without a time_limit
    given: bool  # whether the caller gave a time_limit

    @classmethod
    def start(cls, time_limit: float | None) -> _Clock:
        t0 = time.perf_counter()
        if time_limit is None:
            return cls(t0, math.inf, False)
        return cls(t0, float(time_limit), True)

    @property
    def deadline(self) -> float:
        return self.t0 + self.limit

    def left(self, deadline: float | None = None) -> float:
        end = self.deadline if deadline is None else deadline
        return end - time.perf_counter()

    def lp_time(self, pairs: int) -> float | None:
        """HiGHS' limit for an LP bound: half the budget less the cost of building it.

        None without a time limit; <= 0 when the LP does not fit (skip it).
        """
        if not self.given:
            return None
        build = _build_seconds(pairs, LP_SECONDS_PER_PAIR)
        return min(self.limit / 2, self.left()) - build


@attrs.define
class _Search:
    """The best answer so far, its proven bound, and which stage produced it."""

    manager: NDArray[np.int64] | None
    value: float
    bound: float
    proven: bool
    used: str
    note: str = ""  # why the exact stage did not run, when it was asked for

    def offer(self, p: _Problem, manager: NDArray[np.int64] | None, used: str) -> bool:
        """Take ``manager`` when it is feasible and strictly better; True if taken."""
        if manager is None or not _feasible(p, manager):
            return False
        v = _value(p, manager)[0]
        if self.manager is None or v < self.value - 1e-12 * abs(self.value):
            self.manager, self.value, self.used = manager, v, used
            return True
        return False


@attrs.frozen
class _Choice:
    """What runs after the fast stage (the method-choice stage decides)."""

    exact: bool  # the exact stage (a MILP on the value)
    moves: bool  # the fewest-moves stage (a MILP on moves, value capped)
    any_milp: bool  # either: the MILP budget applies
    milp_time: float | None  # [s] from the start of the call; None: no limit


def _check_options(method: str, time_limit: float | None) -> None:
    """Input checks of the options (the arrays are checked by :func:`_prepare`)."""
    if method not in ("auto", "exact", "fast"):
        raise InvalidInputError(f"method must be 'auto', 'exact' or 'fast', got {method!r}")
    if time_limit is not None:
        if isinstance(time_limit, bool) or not isinstance(time_limit, numbers.Real):
            raise InvalidInputError(f"time_limit must be a number of seconds, got {time_limit!r}")
        if not float(time_limit) > 0:
            raise InvalidInputError(f"time_limit = {time_limit} must be positive [s]")
        if not math.isfinite(float(time_limit)):
            raise InvalidInputError(
                f"time_limit = {time_limit} must be finite [s]; leave it out for the default"
            )


def _bounds_stage(
    p: _Problem,
    clock: _Clock,
    comps: tuple[int, NDArray[np.int64], NDArray[np.int64]] | None,
) -> tuple[float, NDArray[np.int64] | None]:
    """The lower bound (and LP rounding); raise when it proves the capacities too small."""
    lb, lp_rounded = _lower_bound(p, clock, comps)
    if p.objective == "balance" and p.hard and lb > 1 + 1e-9:
        raise InfeasibleError(
            f"no assignment fits the capacities: some manager must reach at least {lb:.1%} "
            "of its capacity (eligibility, headcount caps and workloads together)"
        )
    return lb, lp_rounded


def _fast_stage(
    p: _Problem,
    forced: int,
    lb: float,
    clock: _Clock,
    rng: np.random.Generator | None,
    lp_rounded: NDArray[np.int64] | None,
    method: Method,
) -> _Search:
    """The fast path: greedy and improvement passes (every method starts here)."""
    # the fast path gets the whole budget under "fast", and under "exact" too
    # (it stops early when it converges, and exact must never be worse than
    # fast); under "auto" a quarter (at most 5 s), the rest is for the MILP
    if method == "fast":
        share = clock.limit
    elif method == "exact":
        share = clock.limit if clock.given else EXACT_TIME_LIMIT
    else:
        share = min(clock.limit / 4, 5.0)
    deadline = clock.t0 + share
    best: NDArray[np.int64] | None
    if p.objective == "balance":
        best = _fast_balance(p, forced, lb, deadline, rng, lp_rounded)
        if not _feasible(p, best):
            best = None
    else:
        best = _fast_cost(p, deadline)
    val = _value(p, best)[0] if best is not None else math.inf
    return _Search(best, val, lb, best is not None and _is_opt(val, lb), "fast")


def _choose(p: _Problem, method: Method, found: _Search, forced: int, clock: _Clock) -> _Choice:
    """Method choice: whether the exact and fewest-moves stages run, and for how long."""
    pairs = _pairs(p)
    best = found.manager
    moves_min = best is not None and _moves(p, best) == forced
    gap = (
        (found.value - found.bound) / max(abs(found.value), 1e-300)
        if best is not None
        else math.inf
    )
    small = (
        pairs <= AUTO_EXACT_PAIRS_COST
        if p.objective == "cost"
        else pairs <= AUTO_EXACT_PAIRS or (pairs <= AUTO_EXACT_PAIRS_IF_GAP and gap > AUTO_GAP)
    )
    # the fewest-moves stage (a MILP with the value capped) is worth running
    # under "auto" whenever moves beyond the forced ones remain
    want_moves = (
        method == "auto"
        and best is not None
        and p.current is not None
        and not moves_min
        and pairs <= AUTO_EXACT_PAIRS_IF_GAP
    )
    # when the greedy finds nothing, a MILP searches for an answer (and for a
    # proof that none exists) within the time limit
    fallback_pairs = AUTO_EXACT_PAIRS_IF_GAP if method == "fast" else LP_BOUND_PAIRS
    any_milp = (
        method == "exact"
        or (best is None and pairs <= fallback_pairs)
        or (method == "auto" and not (found.proven and moves_min) and small)
        or want_moves
    )
    if clock.given:
        milp_time: float | None = clock.limit
    elif method == "exact":
        milp_time = EXACT_TIME_LIMIT
    else:
        milp_time = AUTO_TIME_LIMIT["balance" if method == "fast" else p.objective]
    exact = any_milp and not found.proven and (method == "exact" or small or best is None)
    moves = any_milp and p.current is not None
    return _Choice(exact, moves, any_milp, milp_time)


def _milp_budget(p: _Problem, clock: _Clock, choice: _Choice) -> float | None:
    """HiGHS' time limit for the next MILP, or None when building it would not fit.

    The model is built and handed to HiGHS by scipy in Python, at several
    microseconds per eligible pair, before HiGHS' own clock starts: that
    part is estimated and taken off the budget; the MILP is skipped when
    it alone would take more than half of what is left.
    """
    assert choice.milp_time is not None
    left = clock.left(clock.t0 + choice.milp_time)
    build = _build_seconds(_pairs(p), MILP_SECONDS_PER_PAIR)
    if build > left / 2:
        return None
    return max(left - build, 0.01)


def _exact_stage(
    p: _Problem,
    found: _Search,
    forced: int,
    time_limit: float,
    symmetric: bool,
    say: Any = None,
) -> None:
    """A MILP on the value, started from (and never worse than) the fast answer."""
    integral = (
        _integral(p.cost)
        if p.cost is not None and p.objective == "cost"
        else p.identical and _integral(p.w1 if p.w1 is not None else p.W)
    )
    r1 = K.solve_milp(
        p.W,
        p.cap,
        p.elig,
        p.kmax,
        objective=p.objective,
        cost=p.cost,
        hard=p.hard,
        current=p.current,
        max_moves=p.max_moves,
        symmetric=symmetric,
        time_limit=time_limit,
        integral=integral,
        start=found.manager,
        on_improve=None if say is None else _improvement_reporter(say, found),
    )
    if r1.status == 2:
        raise InfeasibleError(_infeasible_message(p, forced))
    found.offer(p, r1.manager, "exact")
    if math.isfinite(r1.bound):
        found.bound = max(found.bound, K.integral_round(r1.bound, integral))
    found.proven = found.manager is not None and (
        _is_opt(found.value, found.bound)
        or (
            r1.proven
            and not integral
            and r1.manager is not None
            and found.value <= _value(p, r1.manager)[0]
        )
    )


def _packing_applies(p: _Problem, found: _Search) -> bool:
    """Whether the packing search runs: identical managers, whole workloads, few partners."""
    if not (_symmetric(p) and found.manager is not None and not found.proven):
        return False
    assert p.w1 is not None
    return (
        p.n <= _packing.MAX_JOBS
        and _integral(p.w1)
        and float(p.w1.sum()) < _INT_LIMIT
        and math.isfinite(found.bound)
    )


def _packing_stage(p: _Problem, found: _Search, seconds: float) -> None:
    """The bin-packing view of the makespan: a bisection on the target (see :mod:`._packing`).

    Runs before the MIP on identical managers with whole-number workloads;
    every packing it finds is offered as an answer, every target it proves
    impossible raises the bound, and when the two meet the MIP is not needed.
    """
    assert p.w1 is not None
    res = _packing.bisect_makespan(
        p.w1,
        p.m,
        int(p.kmax[0]),
        found.bound,
        found.value,
        deadline=time.perf_counter() + seconds,
    )
    found.offer(p, res.manager, "exact")
    found.bound = max(found.bound, float(res.bound))
    found.proven = _is_opt(found.value, found.bound)


def _improvement_reporter(say: Any, found: _Search) -> Any:
    """A callback printing each answer the MIP finds that beats the best so far."""
    best = [found.value if found.manager is not None else math.inf]

    def report(value: float, bound: float) -> None:
        if value < best[0] - 1e-12 * abs(best[0]):
            best[0] = value
            say("exact, better answer", value, max(bound, found.bound))

    return report


def _moves_stage(p: _Problem, found: _Search, time_limit: float) -> None:
    """Fewest moves among answers as good as the best one (a MILP on moves)."""
    assert found.manager is not None
    val = found.value
    cap_v = val * (1 + 1e-9) if p.objective == "balance" else (val + 1e-9 * max(abs(val), 1.0))
    r2 = K.solve_milp(
        p.W,
        p.cap,
        p.elig,
        p.kmax,
        objective=p.objective,
        cost=p.cost,
        hard=p.hard,
        current=p.current,
        max_moves=p.max_moves,
        symmetric=False,
        time_limit=time_limit,
        value_cap=cap_v,
        minimise_moves=True,
    )
    if r2.manager is not None and _feasible(p, r2.manager):
        v2 = _value(p, r2.manager)[0]
        if v2 <= cap_v and _moves(p, r2.manager) < _moves(p, found.manager):
            found.manager, found.value, found.used = r2.manager, v2, "exact"


@_overflow_safe
def assign(
    workload: ArrayLike,
    capacity: int | ArrayLike,
    *,
    cost: ArrayLike | None = None,
    eligible: ArrayLike | None = None,
    max_partners: int | ArrayLike | None = None,
    current: ArrayLike | None = None,
    max_moves: int | None = None,
    objective: Objective = "balance",
    time_limit: float | None = None,
    seed: SeedLike = None,
    method: Method = "auto",
    progress: bool = False,
) -> Assignment:
    """Assign partners to channel managers.

    Parameters
    ----------
    workload : array-like, shape (n,) or (n, m) [hours/year]
        Hours each partner needs a year, or, per manager, the hours it needs
        when that manager holds it (>= 0, finite).
    capacity : int or array-like, shape (m,) [hours/year]
        An int m: m identical managers without a hard cap (loads are then
        in hours). An array: each manager's hard capacity; ``"balance"``
        minimises the largest ``load / capacity`` and requires it to be <= 1.
        ``inf`` (no cap) is allowed for ``"cost"`` only.
    cost : array-like, shape (n, m), optional
        Cost of giving partner j to manager i (travel distance, the value of
        an existing relationship as a negative cost, ...). Needed for
        ``objective="cost"``.
    eligible : array-like of bool, shape (n, m), optional
        Which managers may hold which partner (region, skills). Default: all.
    max_partners : int or array-like of int, shape (m,), optional
        Most partners a manager may hold.
    current : array-like of int, shape (n,), optional
        The current manager of each partner, -1 for a new partner. Among
        equally good answers the one with the fewest moves wins.
    max_moves : int, optional
        Most partners (with ``current >= 0``) that may change manager.
    objective : {"balance", "cost"}
        Minimise the largest relative load, or the total cost within the caps.
    time_limit : float [s], optional
        Wall-clock limit of the whole call (feasibility checks, bounds,
        building the models, solving, polishing): it returns within
        ``max(1.5 * time_limit, time_limit + 1 s)``, unless checking the
        input and building a first answer alone take longer (they are linear
        in the eligible pairs: about 0.1-0.2 s per million on a laptop). The
        LP bound gets at most half of it; a MILP runs only when building it
        fits in half of what is left (scipy builds it before HiGHS' clock starts). The answer
        found by then is returned with an honest ``optimal`` flag and lower
        bound. Independent groups of managers (regions) share it in
        proportion to their size. Default: none for ``"fast"``; 2 s for the
        MILP of ``"auto"`` on balance problems, 60 s on cost problems; 60 s
        for the whole of ``"exact"`` (``EXACT_TIME_LIMIT``).
    seed : int or numpy.random.Generator, optional
        Shuffles partners of equal workload before the fast path, so that
        ties are broken at random; None keeps them in input order. Either way
        the result is reproducible (the exact path is deterministic).
    method : {"auto", "exact", "fast"}
        See the module documentation. ``"exact"`` starts from the fast
        path's answer and keeps it unless the MILP finds a better one, so it
        is never worse than ``"fast"``; ``Assignment.method`` then reads
        ``"exact"`` when the MILP produced the answer, else ``"fast (proven
        optimal)"``, ``"fast (exact did not improve)"`` or ``"fast (exact
        skipped: the model does not fit the time limit)"``.
    progress : bool, default False
        Print one line to stderr after each stage (bounds, fast path,
        packing search, exact, fewest moves) and, while the MIP solver
        searches, one for each better answer it finds: the best value so
        far, the proven bound, the gap and the time spent, so that a long
        exact run shows where it stands.

    Returns
    -------
    Assignment

    Raises
    ------
    InvalidInputError
        For wrong shapes, NaN, infinite or negative workloads, non-positive
        capacities, bad manager indices in ``current``, unknown options.
    InfeasibleError
        When no assignment exists: a partner with no eligible manager, a
        partner larger than every eligible capacity, total workload above
        total capacity, headcount caps too small, or ``max_moves`` below the
        moves forced by eligibility. The message says which and by how much.
        Raised only with a proof (a certificate above, or the MIP solver).
    SolverLimitError
        When the search found no assignment within ``time_limit`` (or the
        size limits of the MIP fallback) but could not prove that none
        exists.

    Notes
    -----
    ``"balance"`` solves

    .. math:: \\min_x \\max_i \\frac{1}{c_i} \\sum_j w_{ji} x_{ji}
              \\quad \\text{s.t.} \\sum_i x_{ji} = 1,\\ x_{ji} \\le e_{ji},
              \\ \\sum_j x_{ji} \\le k_i,\\ x \\in \\{0, 1\\}

    and ``"cost"`` minimises :math:`\\sum_{ji} c_{ji} x_{ji}` subject to the
    same constraints and :math:`\\sum_j w_{ji} x_{ji} \\le C_i`. The makespan
    lower bound for identical managers is
    :math:`\\max(\\sum w / m,\\ w_{(1)},\\ \\max_k \\sum_{l=km-k+1}^{km+1} w_{(l)})`
    (jobs sorted in decreasing order; some manager receives k+1 of the
    km+1 largest jobs, k = 1 giving :math:`w_{(m)} + w_{(m+1)}`); for unequal
    capacities and eligibility it is generalised per connected component of
    the eligibility graph, and for manager-dependent workloads strengthened by
    the LP relaxation (HiGHS) up to 200,000 (partner, manager) pairs.
    Headcount caps enter only the LP and MIP bounds. The cost bound is the LP
    relaxation up to 200,000 pairs (above that, the sum of each partner's
    cheapest eligible cost) or, on the exact path, HiGHS' dual bound. When the eligibility graph falls apart into
    independent groups (regions) and ``current`` is not given, each group is
    balanced on its own, which also evens out the groups that do not hold the
    largest load. With ``current`` the fewest moves come first among answers
    of the same largest load, so groups below that load are left alone.

    References
    ----------
    .. [1] Graham, R. L. (1969). Bounds on multiprocessing timing anomalies.
       SIAM Journal on Applied Mathematics, 17(2), 416-429.
    .. [2] Martello, S. and Toth, P. (1990). Knapsack Problems: Algorithms and
       Computer Implementations, ch. 7 (generalized assignment). Wiley.

    Examples
    --------
    Five partners on two identical managers:

    >>> res = assign([5.0, 4.0, 3.0, 3.0, 3.0], 2)
    >>> res.manager.tolist(), res.loads.tolist(), res.optimal
    ([0, 0, 1, 1, 1], [9.0, 9.0], True)

    A reorganisation that may move one partner only:

    >>> res = assign([6.0, 5.0, 4.0, 3.0], 2, current=[0, 0, 0, 0], max_moves=1)
    >>> res.loads.tolist(), res.moves
    ([12.0, 6.0], 1)

    The generalized assignment problem: cheapest within hard capacities.

    >>> hours = [[4.0, 4.0], [3.0, 3.0]]
    >>> cost = [[1.0, 5.0], [1.0, 2.0]]
    >>> assign(hours, [5.0, 5.0], cost=cost, objective="cost").manager.tolist()
    [0, 1]
    """
    _check_options(method, time_limit)
    clock = _Clock.start(None if time_limit is None else float(time_limit))
    if not isinstance(progress, bool):
        raise InvalidInputError(f"progress must be True or False, got {progress!r}")
    say = _progress_reporter(progress, clock)
    rng = None if seed is None else as_generator(seed)
    p = _prepare(workload, capacity, cost, eligible, max_partners, current, max_moves, objective)
    if p.n == 0:
        return _result(p, _Search(np.zeros(0, dtype=np.int64), 0.0, 0.0, True, "exact"))
    groups = K.row_groups(np.asarray(p.elig)) if p.restricted else None
    forced = _check_feasible(p, groups)
    comps = _components(p, groups)
    if comps is not None and comps[0] > 1 and p.objective == "balance" and p.current is None:
        # each component is bounded and solved on its own (their largest bound
        # is the bound of the whole). With ``current`` the groups are not
        # split: a group that does not hold the largest load must keep its
        # partners where they are, not be rebalanced
        res = _assign_components(p, comps, groups, clock, rng, method)
        say(f"{comps[0]} independent regions", res.value, res.lower_bound)
        return res
    lb, lp_rounded = _bounds_stage(p, clock, comps)
    say("bounds", None, lb)
    found = _fast_stage(p, forced, lb, clock, rng, lp_rounded, method)
    say("fast path", found.value if found.manager is not None else None, found.bound)
    proven_fast = found.proven
    choice = _choose(p, method, found, forced, clock)
    skipped = False
    if choice.exact and _packing_applies(p, found):
        # a search over packings, before the MIP: at most a quarter of what is left
        assert choice.milp_time is not None
        _packing_stage(p, found, min(clock.left(clock.t0 + choice.milp_time) / 4, 2.0))
        say("packing search", found.value, found.bound)
    if choice.exact and not found.proven:
        tl = _milp_budget(p, clock, choice)
        if tl is None:
            skipped = True
        else:
            _exact_stage(p, found, forced, tl, _symmetric(p), say if progress else None)
            say("exact", found.value if found.manager is not None else None, found.bound)
    if choice.moves and found.manager is not None and _moves(p, found.manager) > forced:
        tl = _milp_budget(p, clock, choice)
        if tl is None:
            skipped = True
        else:
            _moves_stage(p, found, tl)
            say("fewest moves", found.value if found.manager is not None else None, found.bound)
    if found.manager is None:
        # no proof of infeasibility (that raised InfeasibleError above)
        tried = "the fast path" + (
            " and the MIP solver" if choice.any_milp and not skipped else ""
        )
        if skipped:
            tried += (
                f" (the MIP solver was skipped: its model of {_pairs(p):,} pairs does not fit "
                "the time limit)"
            )
        hint = (
            f"the lower bound, {found.bound:.1%} of capacity, does not rule one out; "
            if p.objective == "balance" and p.hard
            else ""
        )
        raise SolverLimitError(
            f"no assignment satisfying {_constraint_names(p)} was found by {tried} within "
            f"the limits ({hint}not a proof that none exists: try method='exact' or a "
            "longer time_limit)"
        )
    used = found.used
    if method == "exact" and used != "exact":
        used = (
            "fast (exact skipped: the model does not fit the time limit)"
            if skipped
            else "fast (proven optimal)"
            if proven_fast
            else "fast (exact did not improve)"
        )
    return _result(p, found, used)


def _progress_reporter(on: bool, clock: _Clock) -> Any:
    """A function printing one progress line per stage to stderr (a no-op when off)."""
    import sys

    def say(stage: str, value: float | None, bound: float) -> None:
        if not on:
            return
        elapsed = time.perf_counter() - clock.t0
        if value is None:
            line = f"assign [{elapsed:.2f} s] {stage}: lower bound {bound:.6g}"
        else:
            gap = 0.0 if value == bound else (value - bound) / max(abs(value), 1e-300)
            line = (
                f"assign [{elapsed:.2f} s] {stage}: value {value:.6g}, lower bound {bound:.6g}, "
                f"gap {_pct(gap)}"
            )
        print(line, file=sys.stderr, flush=True)

    return say


def _components(
    p: _Problem, groups: tuple[NDArray[np.int64], NDArray[np.int64]] | None
) -> tuple[int, NDArray[np.int64], NDArray[np.int64]] | None:
    """Connected components of the eligibility graph, where the bound or the split needs them."""
    if p.objective != "balance" or (p.one_d and not p.restricted):
        return None
    if not p.restricted:  # one component: no graph to build
        return 1, np.zeros(p.n, dtype=np.int64), np.zeros(p.m, dtype=np.int64)
    return K.components(np.asarray(p.elig), groups)


def _symmetric(p: _Problem) -> bool:
    """Whether managers are interchangeable (symmetry breaking is valid; a cost matrix breaks it)."""
    return (
        p.objective == "balance"
        and p.identical
        and p.one_d
        and not p.restricted
        and p.current is None
        and bool(np.all(p.kmax == p.kmax[0]))
    )


def _result(p: _Problem, found: _Search, used: str | None = None) -> Assignment:
    """The one place that builds an :class:`Assignment` from a search's answer."""
    assert found.manager is not None
    best = found.manager
    val, loads = _value(p, best)
    lb = min(found.bound, val)
    proven = _is_opt(val, lb) or found.proven
    return Assignment(
        best,
        loads,
        p.cap,
        _assigned(p, best).copy(),
        val,
        lb,
        bool(proven),
        _moves(p, best),
        p.objective,
        found.used if used is None else used,
        float(p.cost[np.arange(p.n), best].sum()) if p.cost is not None else None,
    )


def _assign_components(
    p: _Problem,
    comps: tuple[int, NDArray[np.int64], NDArray[np.int64]],
    groups: tuple[NDArray[np.int64], NDArray[np.int64]] | None,
    clock: _Clock,
    seed: np.random.Generator | None,
    method: Method,
) -> Assignment:
    """Balance each connected component of the eligibility graph on its own.

    Partners of different components never share a manager, so the largest
    relative load is the largest over components, and balancing each one
    also evens out the loads inside components that do not hold the maximum.
    The time budget is shared in proportion to each component's eligible
    pairs, and what a component leaves unused goes to the next ones, so
    that no component starves.
    """
    n_comp, jlab, ilab = comps
    n, m = p.n, p.m
    elig = np.asarray(p.elig)
    manager = np.full(n, -1, dtype=np.int64)
    bound = 0.0
    value = 0.0
    proven_all = True
    if clock.given:
        deadline = clock.deadline
    elif method == "exact":
        deadline = clock.t0 + EXACT_TIME_LIMIT
    else:
        deadline = math.inf
    if groups is not None:
        row_pairs = np.count_nonzero(elig[groups[0]], axis=1)[groups[1]]
    else:
        row_pairs = np.count_nonzero(elig, axis=1)
    weight = np.bincount(jlab, weights=row_pairs, minlength=n_comp)
    todo = float(weight.sum())
    methods: list[str] = []
    for c in range(n_comp):  # loop over components (regions), not partners
        rows = np.flatnonzero(jlab == c)
        cols = np.flatnonzero(ilab == c)
        if rows.size == 0:
            continue
        left = deadline - time.perf_counter()
        share = left * float(weight[c]) / todo if todo > 0 else left
        todo -= float(weight[c])
        if groups is not None:
            # a region whose partners may all go to all its managers needs no mask
            mine = groups[0][jlab[groups[0]] == c]
            full = bool(elig[np.ix_(mine, cols)].all())
        else:
            full = False
        sub = assign(
            p.w1[rows] if p.w1 is not None else p.W[np.ix_(rows, cols)],
            p.cap[cols] if not p.identical else int(cols.size),
            eligible=None if full else elig[np.ix_(rows, cols)],
            max_partners=p.kmax[cols],
            current=None if p.current is None else _local_current(p.current[rows], cols, m),
            time_limit=None if math.isinf(left) else max(share, 0.01),
            seed=seed,
            method=method,
        )
        manager[rows] = cols[sub.manager]
        bound = max(bound, sub.lower_bound)
        if sub.value >= value:
            value = sub.value
            proven_all = sub.optimal
        methods.append(sub.method)
    if "exact" in methods:
        used = "exact"
    elif method == "exact":
        skipped = [x for x in methods if "skipped" in x]
        used = (
            skipped[0]
            if skipped
            else methods[0]
            if len(set(methods)) == 1
            else "fast (exact did not improve)"
        )
    else:
        used = "fast"
    return _result(p, _Search(manager, value, bound, proven_all, used))


def _local_current(cur: NDArray[np.int64], cols: NDArray[np.int64], m: int) -> NDArray[np.int64]:
    """Map global manager indices to indices within ``cols`` (-1 elsewhere)."""
    local = np.full(m, -1, dtype=np.int64)
    local[cols] = np.arange(cols.size)
    out: NDArray[np.int64] = np.where(cur >= 0, local[np.maximum(cur, 0)], -1)
    return out


def _constraint_names(p: _Problem) -> str:
    parts = []
    if p.hard:
        parts.append("capacities")
    if (p.kmax < p.n).any():
        parts.append("headcount caps")
    if p.restricted:
        parts.append("eligibility")
    if p.max_moves is not None:
        parts.append(f"max_moves = {p.max_moves}")
    return ", ".join(parts) if parts else "the constraints"


def _infeasible_message(p: _Problem, forced: int = 0) -> str:
    """Why the MIP solver proved that no assignment exists, with the margins."""
    details = []
    if p.hard:
        need = float(np.where(p.elig, p.W, np.inf).min(axis=1).sum())
        have = float(p.cap.sum())
        details.append(
            f"partners need at least {need:.6g} hours against {have:.6g} of capacity "
            f"({need / have:.1%})"
        )
    if (p.kmax < p.n).any():
        seats = int(np.minimum(p.kmax, p.n).sum())
        details.append(f"headcount caps seat {seats} partners for {p.n}")
    if p.max_moves is not None:
        details.append(f"max_moves = {p.max_moves} with {forced} moves forced by eligibility")
    text = f"no assignment satisfies {_constraint_names(p)} together (proven by the MIP solver)"
    if details:
        text += ": " + "; ".join(details) + "; no combination of them fits"
    return text


# --------------------------------------------------------------------------- domain layer
@attrs.frozen(eq=False, repr=False)
class PortfolioAssignment(ResultMixin):
    """Partners of a :class:`~channelkit.Portfolio` assigned to named managers.

    The result protocol: a one-line ``repr``, :meth:`summary` (text; HTML in
    a notebook), :meth:`headline`, :meth:`to_frame` (indexed by partner id,
    or by manager id with ``by="manager"``) and :meth:`plot` (manager loads).

    Attributes
    ----------
    partner_ids : ndarray of str, shape (n,)
        The partners, in portfolio order.
    manager_ids : tuple of str
        The managers, in the order given.
    assignment : Assignment
        The underlying array result (manager indices, loads, bound, moves).
    hours : ndarray, shape (n,) [hours/year]
        Workload of each partner.
    key_accounts : ndarray of bool, shape (n,)
        The top contributors that were spread across managers.

    Examples
    --------
    >>> import channelkit as ck
    >>> pf = ck.Portfolio(["a", "b", "c", "d"], revenue=[90.0, 50.0, 30.0, 10.0])
    >>> team = [ck.Manager("ann", 100.0), ck.Manager("bob", 50.0)]
    >>> res = assign_portfolio(pf, team, hours=[40.0, 30.0, 20.0, 10.0], spread_top=0)
    >>> res
    PortfolioAssignment(partners=4, managers=2, value=0.7, lower_bound=0.7, optimal=True, moves=0)
    >>> res.headline()["value"]  # ann carries 70 of 100 hours, bob 30 of 50
    0.7
    >>> res.to_frame(by="manager")
             partners  load  capacity  relative_load  key_accounts
    manager
    ann             3  70.0     100.0       0.700000             0
    bob             1  30.0      50.0       0.600000             0
    >>> res.to_frame().loc["b", "manager"]
    'bob'
    """

    partner_ids: NDArray[np.str_] = attrs.field(converter=_ro)
    manager_ids: tuple[str, ...]
    assignment: Assignment
    hours: NDArray[np.float64] = attrs.field(converter=_ro)
    key_accounts: NDArray[np.bool_] = attrs.field(converter=_ro)

    @property
    def manager_of(self) -> NDArray[np.str_]:
        """Manager id of each partner, shape (n,)."""
        out: NDArray[np.str_] = np.asarray(self.manager_ids, dtype=str)[self.assignment.manager]
        return out

    @property
    def mapping(self) -> dict[str, str]:
        """Partner id -> manager id."""
        return dict(zip(self.partner_ids.tolist(), self.manager_of.tolist()))

    @property
    def _key_accounts_held(self) -> NDArray[np.int64]:
        held: NDArray[np.int64] = np.bincount(
            self.assignment.manager[self.key_accounts], minlength=len(self.manager_ids)
        )
        return held

    def __repr__(self) -> str:
        a = self.assignment
        return one_line(
            "PortfolioAssignment",
            partners=int(self.partner_ids.shape[0]),
            managers=len(self.manager_ids),
            value=float(a.value),
            lower_bound=float(a.lower_bound),
            optimal=bool(a.optimal),
            moves=int(a.moves),
        )

    def _report(self) -> Report:
        a = self.assignment
        facts = a._facts()
        n_key = int(self.key_accounts.sum())
        extra: dict[str, NDArray[Any]] = {}
        if n_key:
            held = self._key_accounts_held
            facts.append(
                Fact(
                    "Key accounts",
                    f"{n_key:,} spread over {int((held > 0).sum()):,} managers, "
                    f"at most {int(held.max()):,} each",
                    n_key,
                )
            )
            extra["key accounts"] = held
        title = (
            f"Portfolio assignment: {self.partner_ids.shape[0]:,} partners to "
            f"{len(self.manager_ids):,} managers ({a.objective})"
        )
        return Report(title, [*facts, a._manager_table(self.manager_ids, extra)])

    def plot(self, ax: Axes | None = None) -> Axes:
        """Each manager's load as a horizontal bar, with the lower bound (needs matplotlib).

        Labelled with the manager ids (thinned when the axes are too short for
        all of them); see :meth:`Assignment.plot`.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure (sized for the number of managers) if None.

        Returns
        -------
        matplotlib.axes.Axes
        """
        return self.assignment.plot(ax=ax, names=self.manager_ids)

    def to_frame(self, by: Literal["partner", "manager"] = "partner") -> pd.DataFrame:
        """The assignment as a pandas DataFrame (pandas is imported lazily).

        Parameters
        ----------
        by : {"partner", "manager"}
            One row per partner, indexed by partner id (``manager`` id,
            ``hours``, ``key_account``), or one row per manager, indexed by
            manager id (``partners``, ``load``, ``capacity``,
            ``relative_load``, ``key_accounts``).

        Returns
        -------
        pandas.DataFrame
        """
        pd_mod = import_optional("pandas", "pandas")
        if by == "partner":
            frame: pd.DataFrame = pd_mod.DataFrame(
                {
                    "manager": self.manager_of,
                    "hours": self.hours,
                    "key_account": self.key_accounts,
                },
                index=pd_mod.Index(self.partner_ids, name="partner"),
            )
            return frame
        if by == "manager":
            a = self.assignment
            frame = pd_mod.DataFrame(
                {
                    "partners": a.counts,
                    "load": a.loads,
                    "capacity": a.capacity,
                    "relative_load": a.relative_loads,
                    "key_accounts": self._key_accounts_held,
                },
                index=pd_mod.Index(list(self.manager_ids), name="manager"),
            )
            return frame
        raise InvalidInputError(f"by must be 'partner' or 'manager', got {by!r}")


def _manager_arrays(
    managers: Sequence[Manager],
) -> tuple[tuple[str, ...], NDArray[np.float64], NDArray[np.int64], list[str | None]]:
    if isinstance(managers, Manager) or not isinstance(managers, Sequence) or not managers:
        raise InvalidInputError("managers must be a non-empty sequence of Manager")
    for k, mgr in enumerate(managers):
        if not isinstance(mgr, Manager):
            raise InvalidInputError(f"managers[{k}] must be a Manager, got {type(mgr).__name__}")
    ids = tuple(mgr.id for mgr in managers)
    if len(set(ids)) != len(ids):
        dup = next(x for x in ids if ids.count(x) > 1)
        raise InvalidInputError(f"manager id {dup!r} appears more than once")
    caps = np.array([mgr.capacity for mgr in managers], dtype=np.float64)
    for mgr in managers:
        if mgr.max_partners is not None and mgr.max_partners > _INT_LIMIT:
            raise InvalidInputError(
                f"manager {mgr.id!r}: max_partners = {mgr.max_partners} is above "
                f"{_INT_LIMIT:,}, the largest headcount cap (leave it out for no cap)"
            )
    kmax = np.array(
        [_INT_LIMIT if mgr.max_partners is None else mgr.max_partners for mgr in managers],
        dtype=np.int64,
    )
    return ids, caps, kmax, [mgr.region for mgr in managers]


def _lookup(keys: NDArray[np.str_], table: NDArray[np.str_]) -> NDArray[np.int64]:
    """Position of each key in ``table`` (unique strings), -1 when absent (vectorized)."""
    if table.size == 0 or keys.size == 0:
        return np.full(keys.shape[0], -1, dtype=np.int64)
    sorter = np.argsort(table, kind="stable")
    st = table[sorter]
    pos = np.clip(np.searchsorted(st, keys), 0, st.size - 1)
    out: NDArray[np.int64] = np.where(st[pos] == keys, sorter[pos], -1).astype(np.int64)
    return out


def _current_indices(
    current: Mapping[str, str | None] | Sequence[str | None] | None,
    pids: NDArray[np.str_],
    mids: tuple[str, ...],
) -> NDArray[np.int64] | None:
    """Manager index of each partner from ids (-1: new); vectorized lookups.

    In a mapping, partner ids that are not in the portfolio (partners that
    left) are ignored; an unknown manager id is an error.
    """
    if current is None:
        return None
    n = pids.shape[0]
    mid_arr = np.asarray(mids, dtype=str)
    out = np.full(n, -1, dtype=np.int64)
    if isinstance(current, Mapping):
        keys = np.asarray([str(k) for k in current], dtype=str).reshape(-1)
        vals = np.asarray(["" if v is None else str(v) for v in current.values()], dtype=str)
        vals = vals.reshape(-1)
        rows = _lookup(keys, np.asarray(pids, dtype=str))
        keys, vals = keys[rows >= 0], vals[rows >= 0]
        rows = rows[rows >= 0]
        has = vals != ""
        idx = _lookup(vals[has], mid_arr)
        if (idx < 0).any():
            k = int(np.argmax(idx < 0))
            raise InvalidInputError(
                f"current: partner {str(keys[has][k])!r} has manager {str(vals[has][k])!r}, "
                "which is not among the managers"
            )
        out[rows[has]] = idx
        return out
    seq = list(current)
    if len(seq) != n:
        raise InvalidInputError(
            f"current must have one manager id per partner ({n}), got {len(seq)}"
        )
    vals = np.asarray(["" if v is None else str(v) for v in seq], dtype=str).reshape(-1)
    has = np.flatnonzero(vals != "")
    idx = _lookup(vals[has], mid_arr)
    if (idx < 0).any():
        k = int(np.argmax(idx < 0))
        j = int(has[k])
        raise InvalidInputError(
            f"current[{j}] (partner {str(pids[j])!r}) = {str(vals[j])!r} is not among the managers"
        )
    out[has] = idx
    return out


def assign_portfolio(
    partners: PortfolioLike,
    managers: Sequence[Manager],
    *,
    model: WorkloadModel | None = None,
    hours: ArrayLike | None = None,
    current: Mapping[str, str | None] | Sequence[str | None] | None = None,
    max_moves: int | None = None,
    spread_top: int | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
    seed: SeedLike = None,
) -> PortfolioAssignment:
    """Assign a portfolio's partners to channel managers, balancing their workload.

    Parameters
    ----------
    partners : Portfolio, DataFrame, mapping of column -> array, or sequence of Partner
        The partners.
    managers : sequence of Manager
        The managers: capacity [hours/year] (all ``inf``: identical managers
        without a cap), ``max_partners`` and ``region``.
    model : WorkloadModel, optional
        Turns partner attributes into hours (default ``WorkloadModel()``).
    hours : array-like, shape (n,) [hours/year], optional
        Workload per partner, instead of ``model``.
    current : mapping partner id -> manager id, or sequence of manager ids, optional
        Today's assignment; missing partners, None or "" are new. Partner
        ids in a mapping that are not in the portfolio (partners that left)
        are ignored.
    max_moves : int, optional
        Most existing partners that may change manager.
    spread_top : int, optional
        Spread the ``spread_top`` partners with the largest revenue (the key
        accounts): no manager holds more than its fair share,
        ``ceil(key accounts / managers)`` within each group of managers that
        can take them. They are placed first, then the rest.
    method, time_limit, seed
        As in :func:`assign`.

    Returns
    -------
    PortfolioAssignment
        With ``.mapping`` (partner id -> manager id) and ``.assignment``.

    Raises
    ------
    InvalidInputError
        For an empty manager list, duplicate manager ids, a mix of finite and
        infinite capacities, unknown manager ids in ``current``, a bad
        ``hours``.
    InfeasibleError
        When no assignment exists; a partner whose region no manager covers
        is named.

    Notes
    -----
    A partner may go to a manager whose region equals its own; a partner
    without a region, or a manager without one, matches every region. With
    ``spread_top`` the ``optimal`` flag refers to the second stage, with the
    key accounts' placement fixed.

    Examples
    --------
    >>> import channelkit as ck
    >>> pf = ck.Portfolio(["a", "b", "c", "d"], region=["NA", "NA", "EMEA", "EMEA"])
    >>> team = [ck.Manager("m1", 100.0, region="NA"), ck.Manager("m2", 100.0, region="EMEA"),
    ...         ck.Manager("m3", 100.0, region="EMEA")]
    >>> res = assign_portfolio(pf, team, hours=[30.0, 20.0, 40.0, 35.0])
    >>> res.mapping
    {'a': 'm1', 'b': 'm1', 'c': 'm2', 'd': 'm3'}
    >>> res.assignment.value, res.assignment.optimal
    (0.5, True)
    """
    pf = as_portfolio(partners)
    mids, caps, kmax, mregions = _manager_arrays(managers)
    n, m = len(pf), len(mids)
    if hours is not None:
        h = as_float_array(hours, "hours", nonnegative=True)
        if h.shape != (n,):
            raise InvalidInputError(f"hours must have one value per partner, shape ({n},)")
    else:
        h = (model if model is not None else WorkloadModel()).hours(pf)
    finite = np.isfinite(caps)
    if finite.all():
        capacity: int | NDArray[np.float64] = caps
    elif not finite.any():
        capacity = m
    else:
        i = int(np.argmin(finite))
        raise InvalidInputError(
            f"manager {mids[i]!r} has no capacity (inf) while others have one; give every "
            "manager a capacity, or none"
        )
    preg = pf.region
    mreg = np.array([r or "" for r in mregions], dtype=object)
    elig = (
        (preg[:, None] == mreg[None, :].astype(str))
        | (preg[:, None] == "")
        | (mreg[None, :] == "")
    )
    orphan = ~elig.any(axis=1)
    if orphan.any():
        j = int(np.argmax(orphan))
        raise InfeasibleError(
            f"partner {str(pf.ids[j])!r} (region {str(preg[j])!r}) has no eligible manager: no "
            f"manager covers that region ({int(orphan.sum())} such partner(s))"
        )
    eligible = None if elig.all() else elig
    cur = _current_indices(current, pf.ids, mids)
    mp = None if (kmax >= _INT_LIMIT).all() else kmax
    keys = np.zeros(n, dtype=bool)
    if spread_top is not None:
        if isinstance(spread_top, bool) or not isinstance(spread_top, numbers.Integral):
            raise InvalidInputError(f"spread_top must be a whole number, got {spread_top!r}")
        if not 0 <= int(spread_top) <= n:
            raise InvalidInputError(f"spread_top = {spread_top} must lie in [0, {n}]")
        keys[np.argsort(-pf.revenue, kind="stable")[: int(spread_top)]] = True
    if not keys.any():
        res = assign(
            h,
            capacity,
            eligible=eligible,
            max_partners=mp,
            current=cur,
            max_moves=max_moves,
            time_limit=time_limit,
            seed=seed,
            method=method,
        )
        return PortfolioAssignment(pf.ids, mids, res, h, keys)
    # stage 1: the key accounts, at most a fair share per manager
    kidx = np.flatnonzero(keys)
    n_comp, jlab, ilab = K.components(elig[kidx])
    fair = np.zeros(m, dtype=np.int64)
    for c in range(n_comp):  # loop over groups of managers
        nk, nm = int((jlab == c).sum()), int((ilab == c).sum())
        if nk and nm:
            fair[ilab == c] = -(-nk // nm)
    fair = np.minimum(fair, kmax)
    cur1 = None if cur is None else cur[kidx]
    # the key accounts are few per manager, so their bound is weak and a MIP
    # rarely closes it quickly: under "auto" place them with the fast path
    try:
        res1 = assign(
            h[kidx],
            capacity,
            eligible=elig[kidx],
            max_partners=fair,
            current=cur1,
            max_moves=max_moves,
            time_limit=time_limit,
            seed=seed,
            method="fast" if method == "auto" else method,
        )
    except (InfeasibleError, SolverLimitError) as exc:
        # the stage's own numbers (its partner count, the fair shares as caps)
        # are not what the user passed: say it in the user's terms
        budget = "" if max_moves is None else f" and max_moves = {max_moves}"
        raise type(exc)(
            f"spread_top = {spread_top}: the {kidx.size} key accounts cannot be spread at most "
            f"{int(fair.max())} per manager (the fair share within each group of managers "
            f"that can take them) within the managers' capacities, headcount caps, regions"
            f"{budget}"
            + (
                " (proven)"
                if isinstance(exc, InfeasibleError)
                else " (none found within the limits; not a proof)"
            )
            + "; try a smaller spread_top"
            + (" or a larger max_moves" if max_moves is not None else "")
        ) from None
    # stage 2: everyone, with the key accounts pinned to their stage-1 manager
    elig2 = elig.copy()
    elig2[kidx] = False
    elig2[kidx, res1.manager] = True
    cur2 = None if cur is None else cur.copy()
    if cur2 is not None:
        cur2[kidx] = res1.manager
    mm2 = None if max_moves is None else max_moves - res1.moves
    try:
        res2 = assign(
            h,
            capacity,
            eligible=elig2,
            max_partners=mp,
            current=cur2,
            max_moves=mm2,
            time_limit=time_limit,
            seed=seed,
            method=method,
        )
    except (InfeasibleError, SolverLimitError) as exc:
        budget = (
            ""
            if max_moves is None
            else f" and max_moves = {max_moves} (the key accounts' placement used "
            f"{res1.moves} of them)"
        )
        raise type(exc)(
            f"spread_top = {spread_top}: with the {kidx.size} key accounts spread first, the "
            f"{n} partners do not fit the managers' capacities, headcount caps, regions{budget}"
            + (
                ""
                if isinstance(exc, InfeasibleError)
                else " within the limits (not a proof that none exists)"
            )
            + "; this holds for the key accounts' placement found, not for every placement: "
            "try a smaller spread_top"
            + (" or a larger max_moves" if max_moves is not None else "")
        ) from None
    moves = 0 if cur is None else int(((cur >= 0) & (res2.manager != cur)).sum())
    return PortfolioAssignment(pf.ids, mids, attrs.evolve(res2, moves=moves), h, keys)
