"""Monte Carlo draws of recruited partners, shared by capacity planning and simulation.

:mod:`channelkit.capacity` (the plan) and :mod:`channelkit.simulation` (the
channel over time) draw the same things: which prospects convert, how
productive they are, and how many months they stay. The draws live here, below
both, so that neither imports the other's private names. Nothing here knows
the :class:`~channelkit.capacity.Segment` class: kernels take what they need
of a segment (its name, productivity, conversion, lag, attrition, growth).

Prospect slots are drawn in nested blocks: block ``b`` holds
``BLOCK * 2**b`` slots up to ``MAX_BLOCK``, then ``MAX_BLOCK`` each, so a
small channel needs few draws, memory stays bounded for a large one, and slot
``j`` always comes from the same block and position (common random numbers
across channel sizes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeVar

import attrs
import numpy as np
from numpy.typing import NDArray

from ._montecarlo import child_seed
from .errors import InvalidInputError

__all__ = [
    "BLOCK",
    "GEOMETRIC_BLOCKS",
    "GEOMETRIC_SLOTS",
    "MAX_BLOCK",
    "SegKernel",
    "block_of",
    "block_size",
    "block_start",
    "check_distribution",
    "check_draws",
    "checked_segments",
    "draw_block",
    "draw_productivity",
    "draw_slots",
    "lifetimes",
    "log_survival",
]

T = TypeVar("T")

#: Slots (prospects) in a segment's first block of draws; block ``b`` holds
#: ``BLOCK * 2**b`` slots up to :data:`MAX_BLOCK`, then :data:`MAX_BLOCK`
#: each, so a small channel needs few draws, memory stays bounded for a large
#: one, and the draws stay nested (slot ``j`` always comes from the same block
#: and position).
BLOCK = 64
MAX_BLOCK = 4096
GEOMETRIC_BLOCKS = 7  # 64, 128, ..., 4096
GEOMETRIC_SLOTS = BLOCK * ((1 << GEOMETRIC_BLOCKS) - 1)  # 8128


def block_size(block: int) -> int:
    return int(min(BLOCK << block, MAX_BLOCK))


def block_start(block: int) -> int:
    """Index of the first slot of block ``block``."""
    if block <= GEOMETRIC_BLOCKS:
        return int(BLOCK * ((1 << block) - 1))
    return GEOMETRIC_SLOTS + (block - GEOMETRIC_BLOCKS) * MAX_BLOCK


def block_of(slot: int) -> int:
    """Block that holds slot ``slot``."""
    if slot < GEOMETRIC_SLOTS:
        return int((slot // BLOCK + 1).bit_length() - 1)
    return GEOMETRIC_BLOCKS + (slot - GEOMETRIC_SLOTS) // MAX_BLOCK


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


def draw_productivity(
    p: Any, rng: np.random.Generator, shape: tuple[int, ...], name: str
) -> NDArray[np.float64]:
    """Productivities of ``shape`` partners: a constant, a resample or distribution draws."""
    if isinstance(p, float):
        return np.full(shape, p)
    if isinstance(p, np.ndarray):
        return np.asarray(p[rng.integers(0, p.size, size=shape)], dtype=np.float64)
    try:
        draws = np.asarray(p.rvs(size=shape, random_state=rng), dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise InvalidInputError(
            f"the productivity distribution of segment {name!r} failed to draw: {exc}"
        ) from None
    check_draws(draws, f"the productivity distribution of segment {name!r}")
    return draws


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


def lifetimes(u: NDArray[np.float64], log_survival: float, cap: int) -> NDArray[np.int64]:
    """Months a partner stays active, from uniforms ``u`` in (0, 1].

    Active in month ``m`` iff ``u <= exp(m * log_survival)``: the same
    uniform against a lower survival can only shorten the stay, which makes
    the plan monotone in attrition.
    """
    if log_survival == 0.0:
        return np.full(u.shape, cap, dtype=np.int64)
    with np.errstate(over="ignore"):  # a tiny attrition: lifetimes beyond the horizon
        ratio = np.log(u) / log_survival
    return (np.floor(np.minimum(ratio, cap - 1)) + 1).astype(np.int64)


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


def draw_block(
    kern: SegKernel, seed: np.random.SeedSequence, k: int, block: int, rows: int
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64]]:
    """Block ``block`` of segment ``k``'s prospect slots: lifetime uniforms, conversion, productivity.

    Always drawn from the stream ``child_seed(seed, 1 + k, block)`` in the same
    order (lifetime uniforms, conversion uniforms, then productivities), so a
    segment that differs only in attrition or conversion sees the same numbers.
    """
    size = block_size(block)
    rng = np.random.default_rng(child_seed(seed, 1 + k, block))
    u_life = 1.0 - rng.random((rows, size))
    converted = rng.random((rows, size)) < kern.conv
    prod = draw_productivity(kern.productivity, rng, (rows, size), kern.name)
    return u_life, converted, prod


def draw_slots(
    seg: Any, seed: np.random.SeedSequence, k: int, rows: int, n: int
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64]]:
    """The first ``n`` prospect slots of segment ``k`` (concatenated nested blocks)."""
    kern = seg if isinstance(seg, SegKernel) else SegKernel.of(seg, 1)
    blocks = [draw_block(kern, seed, k, b, rows) for b in range(block_of(n - 1) + 1 if n else 0)]
    if not blocks:
        return np.zeros((rows, 0)), np.zeros((rows, 0), dtype=bool), np.zeros((rows, 0))
    u, c, p = (np.concatenate(parts, axis=1)[:, :n] for parts in zip(*blocks))
    return u, c, p
