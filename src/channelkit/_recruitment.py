"""Monte Carlo draws of recruited partners, shared by capacity planning and simulation.

:mod:`channelkit.capacity` (the plan) and :mod:`channelkit.simulation` (the
channel over time) draw the same things: which prospects convert, how
productive they are, and how many months they stay. The draws live here, below
both, so that neither imports the other's private names. Nothing here knows
the :class:`~channelkit.capacity.Segment` class: kernels take what they need
of a segment (its name, productivity, conversion, lag, attrition, growth).

Only converted prospects are drawn (the prospects between two converted ones
are geometric), in nested blocks of partners with a fixed layout, so a small
channel needs few draws, memory stays bounded for a large one, and partner
``j`` of a simulation always comes from the same block and position (common
random numbers across channel sizes, targets and confidence levels).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import attrs
import numpy as np
from numpy.typing import NDArray

from ._montecarlo import child_seed
from .errors import InvalidInputError

__all__ = [
    "MAX_PARTNER_BLOCK",
    "RowParams",
    "Sampler",
    "SegKernel",
    "check_distribution",
    "check_draws",
    "checked_draws",
    "checked_segments",
    "draw_partner_block",
    "draw_partners",
    "draw_productivity",
    "draw_slots",
    "exp_lifetimes",
    "lifetimes",
    "log_survival",
    "partner_block_size",
    "productivity_spec",
]

T = TypeVar("T")


def check_distribution(value: Any) -> Any:
    """Check a frozen distribution: mean and cdf, finite non-negative mean and draws."""
    what = "productivity distribution"
    for method in ("mean", "cdf"):
        if not callable(getattr(value, method, None)):
            raise InvalidInputError(
                f"{what} {value!r} has no .{method}(); expected a frozen scipy.stats "
                "distribution (e.g. scipy.stats.lognorm(s=1.0, scale=50_000))"
            )
    try:
        mean = float(value.mean())
        support = value.support() if callable(getattr(value, "support", None)) else (0.0, 0.0)
        low = float(support[0])
        test = np.asarray(value.rvs(size=8, random_state=np.random.default_rng(0)), dtype=float)
    except (ValueError, TypeError) as exc:
        raise InvalidInputError(f"{what} {value!r} has invalid parameters: {exc}") from None
    if not (math.isfinite(mean) and mean >= 0.0):
        raise InvalidInputError(
            f"{what} {value!r} has mean {mean!r}; expected a finite mean >= 0 (check its "
            "parameters: scale > 0 and shape parameters in range)"
        )
    if math.isnan(low) or low < 0.0:
        raise InvalidInputError(
            f"{what} {value!r} can draw negative revenue (support starts at {low!r}); use one "
            "on [0, inf), e.g. lognorm, gamma, pareto or truncnorm(a=-loc/scale, ...)"
        )
    check_draws(test, what)
    return value


def check_draws(draws: NDArray[np.float64], what: str) -> None:
    bad = ~np.isfinite(draws) | (draws < 0.0)
    if bad.any():
        raise InvalidInputError(
            f"{what} drew {float(draws.ravel()[np.argmax(bad.ravel())])!r}; expected finite "
            "revenue >= 0"
        )


#: scipy.stats families drawn through numpy's Generator directly (name -> shape names).
_FAST_FAMILIES: dict[str, tuple[str, ...]] = {
    "lognorm": ("s",),
    "gamma": ("a",),
    "weibull_min": ("c",),
    "expon": (),
}


def productivity_spec(p: Any) -> tuple[Any, ...]:
    """A productivity as ``(kind, parameters...)`` for the fast samplers.

    ``("const", value)``, ``("sample", array)``, ``(family, shape, loc, scale)``
    for the families numpy draws directly (lognorm, gamma, weibull_min; expon
    with shape 0), or ``("generic", dist)`` (drawn with ``.rvs``).
    """
    if isinstance(p, float):
        return ("const", p)
    if isinstance(p, np.ndarray):
        return ("sample", p)
    dist = getattr(p, "dist", None)
    name = getattr(dist, "name", None)
    if name in _FAST_FAMILIES and type(dist).__name__ == f"{name}_gen":
        names = (*_FAST_FAMILIES[name], "loc", "scale")
        values: dict[str, Any] = {"loc": 0.0, "scale": 1.0}
        args, kwds = tuple(getattr(p, "args", ())), dict(getattr(p, "kwds", {}))
        if len(args) <= len(names) and set(kwds) <= set(names):
            values.update(zip(names, args))
            values.update(kwds)
            try:
                params = [float(values.get(n, 0.0)) for n in names]
            except (TypeError, ValueError):
                return ("generic", p)
            shape = params[0] if _FAST_FAMILIES[name] else 0.0
            if all(math.isfinite(x) for x in params) and params[-1] > 0:
                return (name, shape, params[-2], params[-1])
    return ("generic", p)


def _spec_key(spec: tuple[Any, ...]) -> Any:
    if spec[0] == "sample":
        return ("sample", spec[1].size, spec[1].tobytes())
    if spec[0] == "generic":
        return ("generic", id(spec[1]))
    return spec


class Sampler:
    """Draws the productivities of a chunk's rows, each row from its own spec.

    Rows that share one spec (the plain plan: every row) are drawn with
    scalar parameters, so a chunk whose rows all have the same parameters
    draws exactly the numbers of the plain engine. Rows with different
    parameters of one family are drawn with per-row parameter arrays in the
    same stream order; mixed families fall back to one draw per group.
    """

    def __init__(self, specs: Sequence[tuple[Any, ...]], rows_spec: NDArray[np.intp], name: str):
        keys = [_spec_key(s) for s in specs]
        first: dict[Any, int] = {}
        for i, key in enumerate(keys):
            first.setdefault(key, i)
        canon = np.array([first[key] for key in keys], dtype=np.intp)
        ids = canon[rows_spec]
        used = np.unique(ids)
        self.name = name
        self.rows = ids.size
        self.kind = "mixed"
        self.specs = [specs[int(i)] for i in used]
        self.groups = [np.flatnonzero(ids == i) for i in used]
        kinds = {s[0] for s in self.specs}
        if len(self.specs) == 1:
            self.kind = "single"
        elif len(kinds) == 1 and next(iter(kinds)) in (*_FAST_FAMILIES, "const"):
            self.kind = "vector"
            pos = np.searchsorted(used, ids)
            table = np.array([s[1:] for s in self.specs], dtype=np.float64)
            self.params = [table[pos, j][:, None] for j in range(table.shape[1])]
        elif kinds == {"sample"} and len({s[1].size for s in self.specs}) == 1:
            self.kind = "stacked"
            self.pos = np.searchsorted(used, ids)
            self.stack = np.stack([s[1] for s in self.specs])

    def draw(self, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
        """Productivities, shape (rows, size)."""
        shape = (self.rows, size)
        if self.kind == "single":
            return _draw_spec(self.specs[0], rng, shape, self.name)
        if self.kind == "vector":
            family = self.specs[0][0]
            if family == "const":
                return np.asarray(np.broadcast_to(self.params[0], shape), dtype=np.float64)
            return _draw_family(family, *self.params, rng=rng, shape=shape)
        if self.kind == "stacked":
            idx = rng.integers(0, self.stack.shape[1], size=shape)
            return np.asarray(self.stack[self.pos[:, None], idx], dtype=np.float64)
        out = np.empty(shape)
        for spec, rows in zip(self.specs, self.groups):
            out[rows] = _draw_spec(spec, rng, (rows.size, size), self.name)
        return out


def _draw_family(
    family: str,
    shape_param: Any,
    loc: Any,
    scale: Any,
    *,
    rng: np.random.Generator,
    shape: tuple[int, ...],
) -> NDArray[np.float64]:
    if family == "lognorm":  # loc + scale * exp(s * Z): vectorized exp beats Generator.lognormal
        out = rng.standard_normal(shape)
        np.multiply(out, shape_param, out=out)
        np.exp(out, out=out)
    elif family == "gamma":
        out = rng.standard_gamma(shape_param, size=shape)
    elif family == "weibull_min":
        out = rng.weibull(shape_param, size=shape)
    else:  # expon
        out = rng.standard_exponential(shape)
    np.multiply(out, scale, out=out)
    if np.any(loc):
        np.add(out, loc, out=out)
    return out


def _draw_spec(
    spec: tuple[Any, ...], rng: np.random.Generator, shape: tuple[int, ...], name: str
) -> NDArray[np.float64]:
    kind = spec[0]
    if kind == "const":
        return np.full(shape, spec[1])
    if kind == "sample":
        p = spec[1]
        return np.asarray(p[rng.integers(0, p.size, size=shape)], dtype=np.float64)
    if kind == "generic":
        try:
            draws = np.asarray(spec[1].rvs(size=shape, random_state=rng), dtype=np.float64)
        except (ValueError, TypeError) as exc:
            raise InvalidInputError(
                f"the productivity distribution of segment {name!r} failed to draw: {exc}"
            ) from None
        check_draws(draws, f"the productivity distribution of segment {name!r}")
        return draws
    out = _draw_family(kind, spec[1], spec[2], spec[3], rng=rng, shape=shape)
    if not math.isfinite(float(out.sum())):
        check_draws(out, f"the productivity distribution of segment {name!r}")
    return out


def draw_productivity(
    p: Any, rng: np.random.Generator, shape: tuple[int, ...], name: str
) -> NDArray[np.float64]:
    """Productivities of ``shape`` partners: a constant, a resample or distribution draws.

    lognorm, gamma, weibull_min and expon are drawn through the Generator's
    own methods (same distribution as ``.rvs``, without scipy's generic path).
    """
    return _draw_spec(productivity_spec(p), rng, shape, name)


def log_survival(attrition: float) -> float:
    """Log of the monthly survival probability, ``log(1 - a) / 12``."""
    if attrition >= 1.0:
        return -math.inf
    return math.log1p(-attrition) / 12.0


def checked_segments(segments: Any, kind: type[T]) -> tuple[T, ...]:
    """``segments`` (one or a sequence of ``kind``) as a tuple with unique names and all or no shares."""
    if isinstance(segments, kind):
        segments = (segments,)
    if isinstance(segments, str | bytes) or not isinstance(segments, Sequence):
        raise InvalidInputError(
            f"segments must be a Segment or a sequence of Segment, got {type(segments).__name__}"
        )
    segs: tuple[Any, ...] = tuple(segments)
    if not segs:
        raise InvalidInputError("segments must not be empty")
    seen: set[str] = set()
    for i, seg in enumerate(segs):
        if not isinstance(seg, kind):
            raise InvalidInputError(f"segments[{i}] must be a Segment, got {seg!r}")
        name: str = getattr(seg, "name")  # noqa: B009 - T is any segment class
        if name in seen:
            raise InvalidInputError(f"segment name {name!r} appears twice; names must be unique")
        seen.add(name)
    given = [s.share is not None for s in segs]
    if any(given) and not all(given):
        missing = next(s.name for s in segs if s.share is None)
        raise InvalidInputError(
            f"segment {missing!r} has no share while others do; give every segment a share "
            "or none (equal shares)"
        )
    out: tuple[T, ...] = segs
    return out


def checked_draws(draws: Any, segs: Sequence[Any], horizon: int) -> tuple[tuple[Any, ...], ...]:
    """``parameter_draws`` as one tuple of segments per segment (one per draw), checked.

    Each draw is a mapping name -> segment (as ``Calibration.draw_segments``
    gives) or a sequence in the order of ``segs``. A drawn segment must be of
    the same class and name as its point estimate, with the same funnel lag,
    ramp and growth: only attrition, conversion and productivity may differ.
    """
    what = "parameter_draws"
    if isinstance(draws, str | bytes | Mapping) or not isinstance(draws, Sequence):
        raise InvalidInputError(
            f"{what} must be a sequence of segment mappings (Calibration.draw_segments), "
            f"got {type(draws).__name__}"
        )
    if len(draws) == 0:
        raise InvalidInputError(f"{what} must hold at least one draw, got an empty sequence")
    names = [s.name for s in segs]
    per_seg: list[list[Any]] = [[] for _ in segs]
    for i, draw in enumerate(draws):
        if isinstance(draw, Mapping):
            missing = [n for n in names if n not in draw]
            if missing:
                raise InvalidInputError(
                    f"{what}[{i}] has no segment {missing[0]!r}; each draw must name every "
                    f"segment ({names!r})"
                )
            row = [draw[n] for n in names]
        elif isinstance(draw, Sequence) and not isinstance(draw, str | bytes):
            if len(draw) != len(segs):
                raise InvalidInputError(
                    f"{what}[{i}] has {len(draw)} segments for {len(segs)}; give one per segment"
                )
            row = list(draw)
        else:
            raise InvalidInputError(
                f"{what}[{i}] must be a mapping name -> Segment or a list of Segment, got "
                f"{type(draw).__name__}"
            )
        for k, (seg, base) in enumerate(zip(row, segs)):
            where = f"{what}[{i}][{base.name!r}]"
            if type(seg) is not type(base):
                raise InvalidInputError(f"{where} must be a Segment, got {seg!r:.80}")
            if seg.name != base.name:
                raise InvalidInputError(f"{where} is named {seg.name!r}; expected {base.name!r}")
            same = (
                seg.lag_months == base.lag_months
                and seg.growth == base.growth
                and np.array_equal(seg.ramp(horizon), base.ramp(horizon))
            )
            if not same:
                raise InvalidInputError(
                    f"{where} differs from the segment in its funnel lag, ramp or growth; a "
                    "draw may change attrition, conversion and productivity only"
                )
            per_seg[k].append(seg)
    return tuple(tuple(x) for x in per_seg)


def lifetimes(u: NDArray[np.float64], log_survival: Any, cap: int) -> NDArray[np.int64]:
    """Months a partner stays active, from uniforms ``u`` in (0, 1].

    Active in month ``m`` iff ``u <= exp(m * log_survival)``: the same
    uniform against a lower survival can only shorten the stay, which makes
    the plan monotone in attrition. ``log_survival`` is a number or one per
    row, shape (rows, 1).
    """
    if np.ndim(log_survival) == 0 and log_survival == 0.0:
        return np.full(u.shape, cap, dtype=np.int64)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ratio = np.log(u) / log_survival  # 0 / 0 (u = 1, no attrition): NaN, dropped by fmin
        if np.ndim(log_survival):
            ratio = np.where(log_survival == 0.0, np.inf, ratio)
    out: NDArray[np.int64] = (np.floor(np.fmin(ratio, cap - 1)) + 1).astype(np.int64)
    return out


def exp_lifetimes(e: NDArray[np.float64], hazard: Any, cap: int) -> NDArray[np.int64]:
    """Months a partner stays active, from standard exponentials ``e``.

    ``L = floor(e / hazard) + 1`` capped at ``cap``, with ``hazard = -log
    survival`` per month (a number or one per row, shape (rows, 1)): active in
    month ``m`` with probability ``exp(-hazard m)``. The same ``e`` against a
    higher hazard can only shorten the stay (monotone in attrition).
    """
    if np.ndim(hazard) == 0:
        if hazard == 0.0:
            return np.full(e.shape, cap, dtype=np.int64)
        # e * (1 / hazard): monotone in the hazard as a division is, one pass cheaper;
        # a subnormal hazard gives inf (0 * inf: NaN, dropped by fmin)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            ratio = np.multiply(e, 1.0 / hazard, out=e)
    else:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ratio = e / hazard  # 0 / 0: NaN, dropped by fmin (a stay to the cap)
    np.fmin(ratio, cap - 1, out=ratio)
    out: NDArray[np.int64] = ratio.astype(np.int64)  # truncation is floor for ratio >= 0
    out += 1
    return out


@attrs.frozen(eq=False)
class SegKernel:
    """What the Monte Carlo kernels need of a segment (small to pickle: no profile, workload)."""

    name: str
    productivity: Any  # float, read-only ndarray or frozen distribution
    conv: float
    lag: int
    log_s: float
    growth: float
    unit: NDArray[np.float64]  # revenue per unit of productivity in each active month

    @property
    def spec(self) -> tuple[Any, ...]:
        return productivity_spec(self.productivity)

    @classmethod
    def of(cls, seg: Any, horizon: int) -> SegKernel:
        return cls(
            seg.name,
            seg.productivity,
            seg.overall_conversion,
            seg.lag_months,
            seg._log_survival(),
            seg.growth,
            seg._unit(horizon),
        )


@attrs.frozen(eq=False)
class RowParams:
    """Per-row parameters of a segment in a chunk (parameter draws): one kernel per row.

    ``conv`` and ``log_s`` are numbers when every row shares them (the plain
    engine), else arrays of shape (rows, 1).
    """

    conv: Any
    log_s: Any
    sampler: Sampler

    @classmethod
    def of(
        cls, kernels: Sequence[SegKernel], ids: NDArray[np.intp] | None, rows: int
    ) -> RowParams:
        if ids is None:
            ids = np.zeros(rows, dtype=np.intp)
        conv = np.array([kern.conv for kern in kernels])[ids]
        log_s = np.array([kern.log_s for kern in kernels])[ids]
        sampler = Sampler([kern.spec for kern in kernels], ids, kernels[0].name)
        return cls(_scalar_or_column(conv), _scalar_or_column(log_s), sampler)


def _scalar_or_column(values: NDArray[np.float64]) -> Any:
    if values.size == 0 or (values == values[0]).all():
        return float(values[0]) if values.size else 1.0
    return values[:, None]


#: Converted partners in block ``b`` of a segment's draws: 8 blocks of 32, 8 of 64, ...
#: up to :data:`MAX_PARTNER_BLOCK` (a fixed layout: partner ``j`` of a simulation always
#: comes from the same block and position, whatever the channel size).
MAX_PARTNER_BLOCK = 4096


def partner_block_size(block: int) -> int:
    return int(min(32 << (block // 8), MAX_PARTNER_BLOCK))


def draw_partner_block(
    params: RowParams,
    seed: np.random.SeedSequence,
    k: int,
    block: int,
    rows: int,
    last_pos: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Block ``block`` of segment ``k``'s converted partners: slots, lifetime exponentials, productivity.

    A prospect converts with probability ``c``, so the prospects from one
    converted partner to the next are geometric: the gap is
    ``floor(E / -log(1 - c)) + 1`` with ``E`` standard exponential, and
    nothing is drawn for prospects that do not convert. The stream is
    ``child_seed(seed, 1 + k, block)``, drawn in the order productivity,
    lifetime exponentials, gap exponentials (only when some conversion is
    below 1), so a segment that differs only in attrition or conversion sees
    the same numbers and moves every partner the same way. ``last_pos`` is
    each row's slot of the last partner before the block (-1 at first);
    slots come back as float64 (exact integers below 2**53).
    """
    size = partner_block_size(block)
    rng = np.random.default_rng(child_seed(seed, 1 + k, block))
    prod = params.sampler.draw(rng, size)
    e_life = rng.standard_exponential((rows, size))
    conv = np.asarray(params.conv, dtype=np.float64)
    if bool(np.all(conv >= 1.0)):
        pos = last_pos[:, None] + np.arange(1.0, size + 1.0)
    else:
        with np.errstate(divide="ignore"):
            rate = -np.log1p(-conv)  # conversion 1: inf, a gap of 1
        pos = rng.standard_exponential((rows, size))
        np.divide(pos, rate, out=pos)
        np.floor(pos, out=pos)
        pos += 1.0
        pos[:, 0] += last_pos
        np.cumsum(pos, axis=1, out=pos)
    return pos, e_life, prod


def draw_partners(
    kern: SegKernel,
    seed: np.random.SeedSequence,
    k: int,
    rows: int,
    n: int,
    params: RowParams | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Every converted partner among the first ``n`` prospect slots (and a few beyond).

    Blocks of :func:`draw_partner_block` concatenated until every row's
    partners cover slot ``n - 1``: slots (rows, m), lifetime exponentials
    and productivities.
    """
    if params is None:
        params = RowParams.of((kern,), None, rows)
    last = np.full(rows, -1.0)
    parts = []
    b = 0
    while n > 0 and bool((last < n - 1).any()):
        pos, e, prod = draw_partner_block(params, seed, k, b, rows, last)
        parts.append((pos, e, prod))
        last = pos[:, -1]
        b += 1
    if not parts:
        return np.zeros((rows, 0)), np.zeros((rows, 0)), np.zeros((rows, 0))
    pos, e, prod = (np.concatenate(x, axis=1) for x in zip(*parts))
    return pos, e, prod


def draw_slots(
    seg: Any,
    seed: np.random.SeedSequence,
    k: int,
    rows: int,
    n: int,
    params: RowParams | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64]]:
    """The first ``n`` prospect slots of segment ``k``: lifetime uniforms, conversion, productivity.

    Slot by slot view of :func:`draw_partners` (for reference loops): a
    converted slot has the uniform ``exp(-E)`` of its lifetime exponential
    (active in month ``m`` of its life iff ``u <= exp(m log_survival)``) and
    its productivity; the others have ``u = 1`` and productivity 0.
    """
    kern = seg if isinstance(seg, SegKernel) else SegKernel.of(seg, 1)
    pos, e, prod = draw_partners(kern, seed, k, rows, n, params)
    inside = pos < n
    r = np.nonzero(inside)[0]
    j = pos[inside].astype(np.intp)
    u = np.ones((rows, n))
    converted = np.zeros((rows, n), dtype=bool)
    p = np.zeros((rows, n))
    u[r, j] = np.exp(-e[inside])
    converted[r, j] = True
    p[r, j] = prod[inside]
    return u, converted, p
