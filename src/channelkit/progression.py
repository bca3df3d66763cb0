"""Tier progression over time and the impact of a program change.

:func:`progress` runs a program's :class:`ProgressionPolicy` over a history
of metrics (periods x partners): tiers change only at reviews, promotions
need the rules met within a qualification window, demotions wait for a grace
period, and moves are capped per review. :func:`program_impact` compares two
programs on the same partners: who is promoted, who is demoted, what the
benefits will cost, and what the change means for each affected partner.

Both are vectorized over partners; :func:`progress` loops over periods only.

Examples
--------
>>> import numpy as np
>>> import channelkit as ck
>>> program = ck.Program([ck.Tier("Silver", requirements={"deals": 2}),
...                       ck.Tier("Gold", requirements={"deals": 5})])
>>> deals = np.array([[6, 1], [6, 1], [3, 6], [3, 6]])      # 4 periods x 2 partners
>>> h = ck.progress(program, {"deals": deals},
...                 policy=ck.ProgressionPolicy(grace_reviews=1))
>>> h.tiers.T.tolist()          # partner 0 keeps Gold one review longer
[[1, 1, 1, 0], [-1, -1, 1, 1]]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._frames import is_frame
from ._optional import import_optional
from ._plotstyle import COLORS, axes, categorical, compact_number
from ._policy import ProgressionPolicy
from ._render import Fact, Report, ResultMixin, Table, fmt_int, fmt_money, one_line
from ._scoring import tier_kernel as _tier_kernel
from ._validation import as_float_array
from .errors import InvalidInputError
from .history import PartnerHistory
from .partners import Portfolio, PortfolioLike
from .tiers import Evaluation, Gaps, Program, evaluate

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

ProgressionPolicy.__module__ = __name__

__all__ = ["Migration", "ProgressionPolicy", "TierHistory", "program_impact", "progress"]


# --------------------------------------------------------------------------- history input
def _history_array(values: ArrayLike, name: str) -> NDArray[np.float64]:
    """A 2-D float64 array of ``values``, without a copy when they are one already.

    The history is only read (never written), so float arrays are used as
    they are: copying 36 periods of a million partners per metric would cost
    more than evaluating them. Other input goes through the usual converter.
    NaN and infinite values are reported later, with their period and partner.
    """
    raw = values if isinstance(values, np.ndarray) else None
    if raw is None or raw.dtype.kind not in "fiub" or raw.ndim != 2:
        return as_float_array(values, name, ndim=2, allow_nan=True)
    return np.asarray(raw, dtype=np.float64)


def _history_mapping(
    program: Program, history: Mapping[str, ArrayLike]
) -> tuple[NDArray[np.int64], int, int]:
    """Evaluated tier per period and partner from a mapping metric -> (T, n) array."""
    users = program._metric_users()
    signed = set(program.signed_metrics)
    shape: tuple[int, ...] | None = None
    cols: dict[str, NDArray[np.float64]] = {}
    for name, user in users.items():
        if name not in history:
            raise InvalidInputError(
                f"the program needs metric {name!r} (used by {user}) but the history has no "
                f"such key; available: {', '.join(map(str, history)) or 'nothing'}"
            )
        arr = _history_array(history[name], f"history[{name!r}]")
        if shape is None:
            shape = arr.shape
        elif arr.shape != shape:
            raise InvalidInputError(
                f"history[{name!r}] has shape {arr.shape} but other metrics have {shape}; "
                "expected one (periods, partners) shape"
            )
        cols[name] = arr
    if shape is None:  # a program that reads no metric: size from any history entry
        shapes = {np.shape(v) for v in history.values()}
        if len(shapes) != 1 or len(next(iter(shapes))) != 2:
            raise InvalidInputError(
                "history must map metric names to 2-D (periods, partners) arrays of one shape"
            )
        shape = next(iter(shapes))
    periods, n = int(shape[0]), int(shape[1])
    if periods == 0:
        raise InvalidInputError("history must have at least one period")
    flat = {k: v.reshape(-1) for k, v in cols.items()}
    for name, col in flat.items():
        if not col.size:
            continue
        lo = col.min()
        bad: NDArray[np.bool_] | None = None
        why = ""
        if math.isnan(lo):
            bad, why = np.isnan(col), "is NaN; every partner needs a value in every period"
        elif math.isinf(lo) or math.isinf(col.max()):
            bad, why = np.isinf(col), "is infinite; expected a finite number"
        elif lo < 0 and name not in signed:
            bad, why = (
                col < 0,
                "is negative; counts and amounts must be >= 0 (list signed metrics in "
                "Program.signed_metrics)",
            )
        if bad is not None:
            t, i = divmod(int(np.argmax(bad)), n)
            raise InvalidInputError(
                f"history[{name!r}][{t}, {i}] (period {t}, partner {i}) = {col[t * n + i]!r} {why}"
            )
    tier, _ = _tier_kernel(
        program,
        flat,
        periods * n,
        describe=lambda r: "partner {1} in period {0}".format(*divmod(r, n)),
    )
    return tier.reshape(periods, n), periods, n


def _history_sequence(
    program: Program, history: Sequence[Any]
) -> tuple[NDArray[np.int64], NDArray[np.str_]]:
    rows: list[NDArray[np.int64]] = []
    ids: NDArray[np.str_] | None = None
    for t, period in enumerate(history):
        try:
            ev = evaluate(program, period)
        except InvalidInputError as exc:
            raise InvalidInputError(f"history[{t}] (period {t}): {exc}") from None
        if ids is None:
            ids = ev.partners.ids
        elif not np.array_equal(ids, ev.partners.ids):
            raise InvalidInputError(
                f"history[{t}] has different partner ids than period 0; every period must list "
                "the same partners in the same order"
            )
        rows.append(ev.tier)
    if ids is None:
        raise InvalidInputError("history must have at least one period")
    return np.stack(rows), ids


def _initial(program: Program, initial: Any, first: NDArray[np.int64]) -> NDArray[np.int64]:
    n = first.shape[0]
    if initial is None:
        return first.copy()
    raw = np.asarray(initial)
    if raw.shape != (n,):
        raise InvalidInputError(
            f"initial must have one tier per partner, shape ({n},), got {raw.shape}"
        )
    if raw.dtype.kind == "b" or (
        raw.dtype.kind == "O" and any(isinstance(v, bool | np.bool_) for v in raw.tolist())
    ):
        raise InvalidInputError(
            "initial must hold tier indices (-1 for none) or tier names, got booleans; "
            "True and False are not tiers"
        )
    if raw.dtype.kind in "UO":
        missing = np.asarray(raw == None, dtype=bool)  # noqa: E711 - elementwise on objects
        text = np.where(missing, "", raw).astype(str)
        out = np.full(n, -2, dtype=np.int64)
        out[text == ""] = -1
        for k, name in enumerate(program.tier_names):  # a loop over tiers, not partners
            out[text == name] = k
        unknown = out == -2
        if unknown.any():
            i = int(np.argmax(unknown))
            raise InvalidInputError(
                f"initial[{i}] = {str(raw[i])!r} is not a tier; the tiers are "
                f"{', '.join(program.tier_names)} (or '' / None for none)"
            )
        return out
    arr = as_float_array(raw, "initial")
    k = len(program.tiers)
    bad = (arr != np.round(arr)) | (arr < -1) | (arr >= k)
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidInputError(
            f"initial[{i}] = {arr[i]!r}; expected a tier index in [-1, {k - 1}] or a tier name"
        )
    return arr.astype(np.int64)


# --------------------------------------------------------------------------- kernel
def _progress_kernel(
    evaluated: NDArray[np.int64], initial: NDArray[np.int64], policy: ProgressionPolicy
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Tiers per period under ``policy``; loops over periods, vectorized over partners."""
    periods, n = evaluated.shape
    tiers = np.empty((periods, n), dtype=np.int64)
    reviews = np.zeros(periods, dtype=bool)
    cur = initial.copy()
    fails = np.zeros(n, dtype=np.int64)
    w = policy.window
    for t in range(periods):
        promo = (t + 1) % policy.review_every == 0
        demo = (t + 1) % policy.demotion_cadence == 0
        if promo or demo:
            reviews[t] = True
            qual = evaluated[max(0, t - w + 1) : t + 1].max(axis=0) if w > 1 else evaluated[t]
            if promo:
                up = qual > cur
                target = (
                    qual
                    if policy.max_steps_up is None
                    else np.minimum(qual, cur + policy.max_steps_up)
                )
                cur = np.where(up, target, cur)
                fails[up] = 0
            if demo:
                down = qual < cur
                fails = np.where(down, fails + 1, 0)
                drop = down & (fails > policy.grace_reviews)
                target = (
                    qual
                    if policy.max_steps_down is None
                    else np.maximum(qual, cur - policy.max_steps_down)
                )
                cur = np.where(drop, target, cur)
                fails[drop] = 0
        tiers[t] = cur
    return tiers, reviews


def progress(
    program: Program,
    history: PartnerHistory | Mapping[str, ArrayLike] | Sequence[Any],
    initial: ArrayLike | None = None,
    *,
    policy: ProgressionPolicy | None = None,
    ids: ArrayLike | None = None,
) -> TierHistory:
    """Run a program's progression policy over a history of partner metrics.

    Parameters
    ----------
    program : Program
        The program; its ``policy`` is used unless ``policy`` is given.
    history : PartnerHistory, mapping of str to array-like of shape (T, n), or sequence of populations
        Each metric the program reads, per period (rows) and partner
        (columns); or one population per period (Portfolio, DataFrame or
        mapping of 1-D arrays), all with the same ids in the same order; or a
        :class:`~channelkit.PartnerHistory` (its metrics and ids; zero where
        a partner has no row).
    initial : array-like of int or str, shape (n,), optional
        Tier of each partner before period 0 (index, -1 for none, or name).
        Default: the tier each partner's period-0 metrics earn.
    policy : ProgressionPolicy, optional
        Overrides ``program.policy``.
    ids : array-like of str, shape (n,), optional
        Partner ids for a mapping history (default ``"0"``, ``"1"``, ...).

    Returns
    -------
    TierHistory
        Tiers per period and partner, with promotions, demotions and changes.

    Raises
    ------
    InvalidInputError
        For a missing metric, arrays of different shapes, NaN, a negative
        value of an unsigned metric (the message names period and partner),
        or an invalid ``initial`` (an unknown name, an index out of range, or
        booleans).

    Notes
    -----
    Reviews are held at the end of periods ``t`` with ``(t + 1) %
    review_every == 0`` (promotions) and ``(t + 1) % demote_every == 0``
    (demotions). At a review a partner's qualified tier is the highest tier
    whose rules it met in any of the last ``window`` periods,

    .. math:: q_t = \\max_{t - w < s \\le t} e_s,

    with :math:`e_s` the evaluated tier in period :math:`s`. At a promotion
    review a partner below :math:`q_t` moves up to
    :math:`\\min(q_t, c + \\mathrm{max\\_steps\\_up})`. At a demotion review a
    partner above :math:`q_t` counts one more consecutive failing review;
    when the count exceeds ``grace_reviews`` it moves down to
    :math:`\\max(q_t, c - \\mathrm{max\\_steps\\_down})` and the count
    restarts. A passing demotion review or a promotion resets the count.
    With the default policy the tiers equal :func:`evaluate`'s in every
    period.

    Examples
    --------
    Quarterly promotions, half-yearly demotions on monthly data:

    >>> import numpy as np
    >>> from channelkit import Program, ProgressionPolicy, Tier
    >>> program = Program([Tier("Silver", requirements={"deals": 2}),
    ...                    Tier("Gold", requirements={"deals": 5})],
    ...                   policy=ProgressionPolicy(review_every=3, demote_every=6))
    >>> deals = np.array([[1, 6, 6, 3, 3, 3, 3, 3, 3, 1, 1, 1]]).T
    >>> progress(program, {"deals": deals}).tiers[:, 0].tolist()
    [-1, -1, 1, 1, 1, 0, 0, 0, 0, 0, 0, -1]
    """
    if not isinstance(program, Program):
        raise InvalidInputError(f"program must be a Program, got {type(program).__name__}")
    pol = program.policy if policy is None else policy
    if not isinstance(pol, ProgressionPolicy):
        raise InvalidInputError(f"policy must be a ProgressionPolicy, got {type(pol).__name__}")
    if isinstance(history, PartnerHistory):
        # A PartnerHistory is its metrics' (periods, partners) arrays with its own ids.
        if ids is None:
            ids = history.ids
        history = {name: history.metric(name) for name in history.metrics}
    id_arr: NDArray[np.str_] | None
    if isinstance(history, Mapping):
        evaluated, _, n = _history_mapping(program, history)
        if ids is None:
            id_arr = None  # "0", "1", ...: made by TierHistory.ids when first read
        else:
            id_arr = Portfolio(ids).ids
            if id_arr.shape != (n,):
                raise InvalidInputError(f"ids must have shape ({n},), got {id_arr.shape}")
    elif isinstance(history, Sequence) and not isinstance(history, str | bytes):
        evaluated, id_arr = _history_sequence(program, history)
    else:
        raise InvalidInputError(
            "history must be a mapping metric -> (periods, partners) array or a sequence of "
            f"populations, got {type(history).__name__}"
        )
    start = _initial(program, initial, evaluated[0])
    tiers, reviews = _progress_kernel(evaluated, start, pol)
    return TierHistory(
        program=program,
        policy=pol,
        ids=id_arr,
        initial=start,
        tiers=tiers,
        evaluated=evaluated,
        reviews=reviews,
    )


def _rectangle(xy: tuple[float, float], color: str) -> Any:
    patches: Any = import_optional("matplotlib.patches", "plot")
    return patches.Rectangle(xy, 1.0, 1.0, fill=False, edgecolor=color, linewidth=1.5)


def _pandas() -> Any:
    return import_optional("pandas", "pandas")


@attrs.frozen(repr=False, eq=False)
class TierHistory(ResultMixin):
    """Result of :func:`progress`.

    Attributes
    ----------
    program : Program
        The program.
    policy : ProgressionPolicy
        The policy applied.
    ids : ndarray of str, shape (n,)
        Partner ids (``"0"``, ``"1"``, ... made when first read if none were given).
    initial : ndarray of int, shape (n,)
        Tier before period 0 (-1 for none).
    tiers : ndarray of int, shape (T, n)
        Tier held at the end of each period (after that period's review).
    evaluated : ndarray of int, shape (T, n)
        Tier the period's metrics alone would earn (:func:`evaluate`).
    reviews : ndarray of bool, shape (T,)
        Which periods end with a review.

    Examples
    --------
    >>> import numpy as np
    >>> from channelkit import Program, Tier
    >>> program = Program([Tier("Silver", requirements={"deals": 2}),
    ...                    Tier("Gold", requirements={"deals": 5})])
    >>> h = progress(program, {"deals": np.array([[1, 6], [3, 6], [6, 1]])})
    >>> h
    TierHistory(partners=2, periods=3, promotions=2, demotions=1)
    >>> h.to_frame(by="period")[["Silver", "Gold", "no tier"]].values.tolist()
    [[0, 1, 1], [1, 1, 0], [0, 1, 1]]
    >>> h.to_frame().loc["0", "final"]
    'Gold'
    """

    program: Program
    policy: ProgressionPolicy
    _ids: NDArray[np.str_] | None
    initial: NDArray[np.int64]
    tiers: NDArray[np.int64]
    evaluated: NDArray[np.int64]
    reviews: NDArray[np.bool_]

    @property
    def ids(self) -> NDArray[np.str_]:
        """Partner ids, shape (n,)."""
        if self._ids is None:
            made = np.arange(self.tiers.shape[1]).astype(str)
            made.setflags(write=False)
            object.__setattr__(self, "_ids", made)
        assert self._ids is not None
        return self._ids

    def __repr__(self) -> str:
        periods, n = self.tiers.shape
        return one_line(
            "TierHistory",
            partners=n,
            periods=periods,
            promotions=int(self.promotions.sum()),
            demotions=int(self.demotions.sum()),
        )

    @property
    def moves(self) -> NDArray[np.int64]:
        """Tier change in each period, shape (T, n): tiers[t] - tiers[t - 1] (initial before 0)."""
        return np.asarray(
            np.diff(self.tiers, axis=0, prepend=self.initial[None, :]), dtype=np.int64
        )

    @property
    def promotions(self) -> NDArray[np.int64]:
        """Number of promotions of each partner, shape (n,)."""
        return np.asarray((self.moves > 0).sum(axis=0), dtype=np.int64)

    @property
    def demotions(self) -> NDArray[np.int64]:
        """Number of demotions of each partner, shape (n,)."""
        return np.asarray((self.moves < 0).sum(axis=0), dtype=np.int64)

    @property
    def changes(self) -> NDArray[np.int64]:
        """Number of tier changes of each partner (flapping), shape (n,)."""
        return self.promotions + self.demotions

    @property
    def final(self) -> NDArray[np.int64]:
        """Tier at the end of the last period, shape (n,)."""
        return np.asarray(self.tiers[-1], dtype=np.int64)

    def counts(self) -> NDArray[np.int64]:
        """Partners per tier and period, shape (T, len(tiers) + 1); last column no tier."""
        k = len(self.program.tiers)
        periods = self.tiers.shape[0]
        idx = (self.tiers % (k + 1)) + (k + 1) * np.arange(periods)[:, None]
        return np.bincount(idx.ravel(), minlength=periods * (k + 1)).reshape(periods, k + 1)

    def _report(self) -> Report:
        periods, n = self.tiers.shape
        moves = self.moves
        up = (moves > 0).sum(axis=0)
        down = (moves < 0).sum(axis=0)
        promotions, demotions = int(up.sum()), int(down.sum())
        changed = int(((up + down) > 0).sum())
        both = int(((up > 0) & (down > 0)).sum())
        facts = [
            Fact("Partners", fmt_int(n), n),
            Fact("Periods", fmt_int(periods), periods),
            Fact("Reviews", fmt_int(int(self.reviews.sum())), int(self.reviews.sum())),
            Fact("Promotions", fmt_int(promotions), promotions),
            Fact("Demotions", fmt_int(demotions), demotions),
            Fact("Partners that changed tier", fmt_int(changed), changed, key="changed"),
            Fact("Moved both up and down", fmt_int(both), both, key="flapping"),
        ]
        k = len(self.program.tiers)
        start = np.bincount(self.initial % (k + 1), minlength=k + 1)
        end = self.counts()[-1]
        rows = [
            [name, int(start[i]), int(end[i]), f"{int(end[i]) - int(start[i]):+,d}"]
            for i, name in enumerate([*self.program.tier_names, "(no tier)"])
        ]
        table = Table(["tier", "at start", "at end", "change"], rows, title="Partners per tier")
        return Report(f"Tier history: {fmt_int(periods)} periods", [*facts, table])

    def to_frame(self, by: str = "partner") -> pd.DataFrame:
        """The history as a DataFrame (needs pandas).

        Parameters
        ----------
        by : "partner" or "period", default "partner"
            ``"partner"``: one row per partner, indexed by ``id``, with
            initial and final tier (names, ``""`` for none), promotions,
            demotions and changes. ``"period"``: one row per period, with the
            number of partners in each tier (a column per tier name, then
            ``"no tier"``), whether the period ends with a review, and the
            promotions and demotions in it.

        Raises
        ------
        InvalidInputError
            For any other ``by``.
        """
        pd_mod = _pandas()
        if by == "period":
            counts = self.counts()
            data: dict[str, Any] = {
                name: counts[:, i] for i, name in enumerate(self.program.tier_names)
            }
            data["no tier"] = counts[:, -1]
            data["review"] = self.reviews.copy()
            moves = self.moves
            data["promotions"] = (moves > 0).sum(axis=1)
            data["demotions"] = (moves < 0).sum(axis=1)
            index = pd_mod.RangeIndex(counts.shape[0], name="period")
            return cast("pd.DataFrame", pd_mod.DataFrame(data, index=index))
        if by != "partner":
            raise InvalidInputError(f"by must be 'partner' or 'period', got {by!r}")
        names = np.array([*self.program.tier_names, ""], dtype=object)
        frame = pd_mod.DataFrame(
            {
                "initial": names[self.initial],
                "final": names[self.final],
                "promotions": self.promotions,
                "demotions": self.demotions,
                "changes": self.changes,
            },
            index=pd_mod.Index(self.ids.astype(object), name="id"),
        )
        return cast("pd.DataFrame", frame)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Partners per tier over the periods, stacked, lowest tier at the bottom (needs matplotlib).

        Tiers keep their colours across plots; "no tier" is grey. When
        reviews are not held every period, they are marked on the period axis.
        """
        out = axes(ax, figsize=(8.0, 4.0))
        counts = self.counts()
        periods = np.arange(counts.shape[0])
        names = [*self.program.tier_names, "no tier"]
        order = [len(names) - 1, *range(len(names) - 1)]
        colors = [COLORS["neutral"], *categorical(len(names) - 1)]
        out.stackplot(
            periods,
            counts.T[order],
            labels=[names[i] for i in order],
            colors=colors,
            alpha=0.85,
        )
        if 0 < int(self.reviews.sum()) < len(self.reviews):
            for t in np.flatnonzero(self.reviews):
                out.axvline(float(t), color="white", linewidth=0.8, alpha=0.7)
        out.set_xlim(0, max(counts.shape[0] - 1, 1))
        out.set_xlabel(
            "period (white lines: reviews)" if self.reviews.sum() < len(self.reviews) else "period"
        )
        out.set_ylabel("partners")
        out.set_title(f"Partners per tier over {counts.shape[0]} periods")
        handles, labels = out.get_legend_handles_labels()
        out.legend(
            handles[::-1],
            labels[::-1],
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize="small",
            frameon=False,
        )
        return out


# --------------------------------------------------------------------------- program change
def _rank_in_new(old: Program, new: Program, tier: NDArray[np.int64]) -> NDArray[np.int64]:
    """Old tiers (-1 for none) as ranks in the new ladder.

    An old tier whose name the new program has ranks at that tier's new
    position; an old tier whose name it lacks keeps its old position; no
    tier ranks -1.
    """
    lookup = np.array(
        [
            new.tier_names.index(t) if t in new.tier_names else k
            for k, t in enumerate(old.tier_names)
        ]
        + [-1],
        dtype=np.int64,
    )
    return np.asarray(lookup[tier], dtype=np.int64)


def program_impact(old: Program, new: Program, partners: PortfolioLike) -> Migration:
    """What a change from program ``old`` to program ``new`` does to each partner.

    Parameters
    ----------
    old, new : Program
        The current program and the redesign.
    partners : Portfolio, DataFrame or mapping of str to array-like
        The partners, with every metric either program reads.

    Returns
    -------
    Migration
        Migration matrix, counts of promoted, demoted and unchanged partners,
        the change in yearly benefit cost, and a per-partner letter.

    Notes
    -----
    A partner is promoted when its new tier ranks above its old tier,
    demoted when below, unchanged when level. Ranks are positions in the new
    ladder, "no tier" lowest (-1): an old tier whose name the new program
    keeps ranks at that tier's new position, wherever it moved (so adding or
    removing a tier at the bottom does not promote or demote everyone, and a
    partner keeping its tier's name is unchanged); an old tier whose name the
    new program lacks keeps its old position. A partner losing every tier is
    demoted.

    Examples
    --------
    >>> from channelkit import Benefits, Program, Tier
    >>> old = Program([Tier("Silver", requirements={"deals": 2}),
    ...                Tier("Gold", requirements={"deals": 5}, benefits=Benefits(mdf=1000))])
    >>> new = Program([Tier("Silver", requirements={"deals": 2}),
    ...                Tier("Gold", requirements={"deals": 8}, benefits=Benefits(mdf=1000))])
    >>> m = program_impact(old, new, {"deals": [1, 3, 6, 9]})
    >>> m.matrix.tolist()
    [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
    >>> m.promoted, m.demoted, m.unchanged, m.benefit_cost_delta
    (0, 1, 3, -1000.0)
    """
    for prog, name in ((old, "old"), (new, "new")):
        if not isinstance(prog, Program):
            raise InvalidInputError(f"{name} must be a Program, got {type(prog).__name__}")
    ev_old = evaluate(old, partners)
    # a DataFrame is read in place again (its Portfolio is built only if asked for)
    ev_new = evaluate(new, partners if is_frame(partners) else ev_old.partners)
    ko, kn = len(old.tiers), len(new.tiers)
    o = ev_old.tier % (ko + 1)
    m = ev_new.tier % (kn + 1)
    matrix = np.bincount(o * (kn + 1) + m, minlength=(ko + 1) * (kn + 1)).reshape(ko + 1, kn + 1)
    rank = _rank_in_new(old, new, ev_old.tier)
    direction = np.sign(ev_new.tier - rank).astype(np.int64)
    rev = ev_old.partners.revenue
    cost_old = old.benefit_cost(ev_old.tier, rev)
    cost_new = new.benefit_cost(ev_new.tier, rev)
    return Migration(
        old=ev_old,
        new=ev_new,
        matrix=matrix,
        direction=direction,
        cost_change=cost_new - cost_old,
    )


@attrs.frozen(repr=False, eq=False)
class Migration(ResultMixin):
    """Result of :func:`program_impact`.

    Attributes
    ----------
    old, new : Evaluation
        The partners evaluated under each program.
    matrix : ndarray of int, shape (len(old.tiers) + 1, len(new.tiers) + 1)
        Partners moving from each old tier (rows) to each new tier
        (columns); the last row and column are "no tier".
    direction : ndarray of int, shape (n,)
        +1 promoted, -1 demoted, 0 unchanged: the sign of the new tier's
        position minus the old tier's rank in the new ladder (see
        :func:`program_impact`).
    cost_change : ndarray of float, shape (n,) [currency/year]
        Change in each partner's yearly benefit cost.

    Examples
    --------
    >>> from channelkit import Benefits, Program, Tier
    >>> old = Program([Tier("Silver", requirements={"deals": 2}),
    ...                Tier("Gold", requirements={"deals": 5}, benefits=Benefits(mdf=1000))])
    >>> new = Program([Tier("Silver", requirements={"deals": 2}),
    ...                Tier("Gold", requirements={"deals": 8}, benefits=Benefits(mdf=1000))])
    >>> m = program_impact(old, new, {"deals": [1, 3, 6, 9]})
    >>> m
    Migration(partners=4, promoted=0, demoted=1, unchanged=3, benefit_cost_delta=-1000)
    >>> print(m.summary())
    Program change
    ==============
    Partners             4
    Promoted             0
    Demoted              1
    Unchanged            3
    Benefit cost change  -1,000 a year
    <BLANKLINE>
    Partners from old tier (rows) to new tier (columns)
    old \\ new  Silver  Gold  (none)
    ---------  ------  ----  ------
    Silver          1     0       0
    Gold            1     1       0
    (none)          0     0       1
    >>> m.to_frame(by="partner")["change"].tolist()
    ['unchanged', 'unchanged', 'demoted', 'unchanged']
    """

    old: Evaluation
    new: Evaluation
    matrix: NDArray[np.int64]
    direction: NDArray[np.int64]
    cost_change: NDArray[np.float64]

    def __repr__(self) -> str:
        return one_line(
            "Migration",
            partners=len(self.direction),
            promoted=self.promoted,
            demoted=self.demoted,
            unchanged=self.unchanged,
            benefit_cost_delta=self.benefit_cost_delta,
        )

    @property
    def promoted(self) -> int:
        """Number of partners the new program places higher."""
        return int((self.direction > 0).sum())

    @property
    def demoted(self) -> int:
        """Number of partners the new program places lower."""
        return int((self.direction < 0).sum())

    @property
    def unchanged(self) -> int:
        """Number of partners at the same level."""
        return int((self.direction == 0).sum())

    @property
    def benefit_cost_delta(self) -> float:
        """Change in the total yearly benefit cost, new minus old [currency/year]."""
        return float(self.cost_change.sum())

    @property
    def affected(self) -> NDArray[np.bool_]:
        """True for partners whose tier name changes."""
        return np.asarray(self.old.tier_name != self.new.tier_name, dtype=bool)

    def _names(self) -> tuple[list[str], list[str]]:
        return (
            [*self.old.program.tier_names, "(none)"],
            [*self.new.program.tier_names, "(none)"],
        )

    def _report(self) -> Report:
        n = len(self.direction)
        delta = self.benefit_cost_delta
        sign = "+" if delta > 0 else ""
        facts = [
            Fact("Partners", fmt_int(n), n),
            Fact("Promoted", fmt_int(self.promoted), self.promoted),
            Fact("Demoted", fmt_int(self.demoted), self.demoted),
            Fact("Unchanged", fmt_int(self.unchanged), self.unchanged),
            Fact(
                "Benefit cost change",
                f"{sign}{fmt_money(delta)} a year",
                delta,
                key="benefit_cost_delta",
            ),
        ]
        old, new = self._names()
        rows = [[old[i], *(int(v) for v in self.matrix[i])] for i in range(len(old))]
        table = Table(
            ["old \\ new", *new],
            rows,
            title="Partners from old tier (rows) to new tier (columns)",
        )
        names = [p.name for p in (self.old.program, self.new.program)]
        title = f"Program change: {names[0]} -> {names[1]}" if all(names) else "Program change"
        return Report(title, [*facts, table])

    def to_frame(self, by: str = "matrix") -> pd.DataFrame:
        """The migration as a DataFrame (needs pandas).

        Parameters
        ----------
        by : "matrix" or "partner", default "matrix"
            ``"matrix"``: the migration matrix, one row per old tier (index
            ``old``) and one column per new tier (columns ``new``), the last
            of each ``"(none)"``. ``"partner"``: one row per partner, indexed
            like the input DataFrame (or by partner ``id``), with
            ``old_tier``, ``new_tier`` (``""`` for none), ``change``
            ("promoted", "demoted", "unchanged") and ``cost_change``
            [currency/year].

        Raises
        ------
        InvalidInputError
            For any other ``by``.
        """
        pd_mod = _pandas()
        if by == "partner":
            labels = np.array(["demoted", "unchanged", "promoted"], dtype=object)
            index = self.old.index
            if index is None:
                index = pd_mod.Index(self.old.partners.ids.astype(object), name="id")
            frame = pd_mod.DataFrame(
                {
                    "old_tier": self.old.tier_name.astype(object),
                    "new_tier": self.new.tier_name.astype(object),
                    "change": labels[self.direction + 1],
                    "cost_change": self.cost_change.copy(),
                },
                index=index,
            )
            return cast("pd.DataFrame", frame)
        if by != "matrix":
            raise InvalidInputError(f"by must be 'matrix' or 'partner', got {by!r}")
        old, new = self._names()
        frame = pd_mod.DataFrame(self.matrix, index=old, columns=new)
        frame.index.name, frame.columns.name = "old", "new"
        return cast("pd.DataFrame", frame)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Heat map of the migration matrix with its counts (needs matplotlib).

        Rows are the old tiers, columns the new ones; the diagonal of tiers
        kept by name is outlined, so that moves stand out.
        """
        old, new = self._names()
        out = axes(ax, figsize=(1.2 * len(new) + 2.5, 0.8 * len(old) + 1.8))
        out.imshow(self.matrix, cmap="Blues", aspect="auto")
        top = float(self.matrix.max()) if self.matrix.size else 0.0
        for (i, j), count in np.ndenumerate(self.matrix):
            dark = top > 0 and count > 0.6 * top
            out.text(
                j,
                i,
                fmt_int(int(count)),
                ha="center",
                va="center",
                color="white" if dark else "black",
                fontsize="small",
            )
        for i, name in enumerate(old):
            if name in new:
                j = new.index(name)
                out.add_patch(_rectangle((j - 0.5, i - 0.5), COLORS["target"]))
        out.set_xticks(range(len(new)), new)
        out.set_yticks(range(len(old)), old)
        if len(new) > 5 or max(len(x) for x in new) > 10:
            out.tick_params(axis="x", labelrotation=30)
        out.set_xlabel("new tier")
        out.set_ylabel("old tier")
        delta = self.benefit_cost_delta
        out.set_title(
            f"{self.promoted:,} promoted, {self.demoted:,} demoted; "
            f"benefit cost {'+' if delta > 0 else ''}{compact_number(delta)} a year"
        )
        return out

    def letter_columns(self, *, everyone: bool = False) -> dict[str, NDArray[Any]]:
        """The "what does this mean for me?" table as columns.

        One row per affected partner (all partners with ``everyone=True``):
        ``id``, ``old_tier``, ``new_tier``, ``change`` ("promoted", "demoted",
        "unchanged"), ``cost_change`` [currency/year], the gaps to the next
        tier under the new program (the columns of
        :meth:`~channelkit.tiers.Gaps.to_columns` but ``id`` and ``tier``,
        with ``target`` renamed ``next_target``: ``short_<metric>``,
        ``points``, ``points_via_<metric>``, ``required_<metric>``,
        ``distance``) and a plain-language ``message``.

        Notes
        -----
        The columns are vectorized, but the messages are built in a Python
        loop over the selected partners (report code): 3 to 6 microseconds
        per letter on a laptop core, depending on the number of rules, so
        0.3 to 0.6 s per 100,000 letters (``letters()`` adds the DataFrame).
        The cost is linear in the number of letters. Use
        :meth:`~channelkit.tiers.Evaluation.gaps` on ``self.new`` directly
        when only the numbers are needed.
        """
        rows = np.arange(len(self.direction)) if everyone else np.flatnonzero(self.affected)
        gaps = self.new.gaps("next")
        gap_cols = gaps.to_columns()
        labels = np.array(["demoted", "unchanged", "promoted"])
        out: dict[str, NDArray[Any]] = {
            "id": self.old.partners.ids[rows],
            "old_tier": self.old.tier_name[rows],
            "new_tier": self.new.tier_name[rows],
            "change": labels[self.direction[rows] + 1],
            "cost_change": self.cost_change[rows],
        }
        for key, col in gap_cols.items():
            if key not in ("id", "tier"):
                out[f"next_{key}" if key == "target" else key] = col[rows]
        out["message"] = np.array(self._messages(rows, gaps), dtype=object)
        return out

    def letters(self, *, everyone: bool = False) -> pd.DataFrame:
        """The :meth:`letter_columns` table as a DataFrame (needs pandas).

        Examples
        --------
        >>> from channelkit import Program, Tier
        >>> old = Program([Tier("Silver"), Tier("Gold", requirements={"deals": 5})])
        >>> new = Program([Tier("Silver"), Tier("Gold", requirements={"deals": 8})])
        >>> letters = program_impact(old, new, {"deals": [6, 9]}).letters()
        >>> print(letters.loc[0, "message"])
        Under the new program you move from Gold to Silver. To reach Gold you need deals +2.
        """
        return cast("pd.DataFrame", _pandas().DataFrame(self.letter_columns(everyone=everyone)))

    def _messages(self, rows: NDArray[np.intp], gaps: Gaps) -> list[str]:
        """The letter of each partner in ``rows``: report code, a loop over those partners.

        Every column is sliced and turned into a Python list once, so the
        loop costs a few microseconds per letter, linear in ``len(rows)``.
        """
        old = [t or "no tier" for t in self.old.tier_name[rows].tolist()]
        new = [t or "no tier" for t in self.new.tier_name[rows].tolist()]
        target = gaps.target[rows].tolist()
        shorts = [(m, v[rows].tolist()) for m, v in gaps.requirements.items()]
        points = gaps.points[rows].tolist() if gaps.points is not None else None
        flags = [(m, v[rows].tolist()) for m, v in gaps.required.items()]
        names = self.new.program.tier_names
        out: list[str] = []
        for j in range(len(rows)):  # report code: one string per letter
            if old[j] == new[j]:
                head = f"Under the new program you stay in {new[j]}."
            else:
                head = f"Under the new program you move from {old[j]} to {new[j]}."
            k = target[j]
            if k < 0:
                out.append(f"{head} It is the top tier.")
                continue
            needs = [f"{m} +{v[j]:,.6g}" for m, v in shorts if v[j] > 0]
            if points is not None and points[j] > 0:
                needs.append(f"{points[j]:,.6g} more points")
            needs.extend(f"some {m}" for m, v in flags if v[j])
            if not needs:  # pragma: no cover - a partner below its next tier misses something
                out.append(head)
                continue
            out.append(f"{head} To reach {names[k]} you need {', '.join(needs)}.")
        return out
