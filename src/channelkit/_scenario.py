"""Capacity-planning scenarios from TOML files (the ``channelkit plan`` command).

A scenario names the target, the segments and the options of
:func:`channelkit.plan_capacity`. Every malformed entry raises
:class:`~channelkit.errors.InvalidInputError` naming its key, e.g.
``segments[1].productivity.distribution``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._recruitment import check_distribution
from ._tables import TableReader, parse_text, read_text
from .capacity import FunnelStage, Segment
from .errors import InvalidInputError
from .partners import Portfolio

__all__ = ["load_scenario", "parse_scenario"]

_TOP_KEYS = {
    "target",
    "segments",
    "horizon_months",
    "confidence",
    "n_sims",
    "seed",
    "distributor_threshold",
    "hours_available",
    "utilisation",
    "max_partners",
    "recruit_months",
    "existing",
}
_OPTIONAL_NUMBERS = {
    "horizon_months": int,
    "confidence": float,
    "n_sims": int,
    "seed": int,
    "distributor_threshold": float,
    "hours_available": float,
    "utilisation": float,
    "max_partners": int,
    "recruit_months": int,
}
_SEGMENT_KEYS = {
    "name",
    "productivity",
    "ramp_months",
    "attrition",
    "conversion",
    "share",
    "ramp_curve",
    "funnel",
    "growth",
    "touches_per_year",
    "hours_per_touch",
}
_EXISTING_KEYS = {"csv", "attrition", "hours_per_partner"}


#: The one table reader (shared with program files), phrasing errors as scenario keys.
_READER = TableReader("scenario", describe=lambda key, problem: f"scenario key {key!r}: {problem}")


def _fail(key: str, message: str) -> InvalidInputError:
    return InvalidInputError(_READER.describe(key, message))


def _check_keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    _READER.table(table, where.rstrip("."), sorted(allowed))


def _number(value: Any, key: str, kind: type) -> Any:
    if kind is int:
        return _READER.integer(value, key, integral_floats=True)
    return _READER.number(value, key)


def _table(value: Any, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(key, f"expected a table, got {value!r}")
    return value


def _distribution(spec: Mapping[str, Any], key: str) -> Any:
    stats: Any = importlib.import_module("scipy.stats")  # scipy ships no type stubs

    name = spec.get("distribution")
    if not isinstance(name, str):
        raise _fail(f"{key}.distribution", "expected the name of a scipy.stats distribution")
    dist = getattr(stats, name, None)
    if not isinstance(dist, stats.rv_continuous | stats.rv_discrete):
        raise _fail(f"{key}.distribution", f"{name!r} is not a scipy.stats distribution")
    params = {k: v for k, v in spec.items() if k != "distribution"}
    for k, v in params.items():
        _number(v, f"{key}.{k}", float)
    try:
        frozen = dist(**params)
        return check_distribution(frozen)
    except (TypeError, ValueError) as exc:  # InvalidInputError is a ValueError
        raise _fail(key, f"bad parameters for {name}: {exc}") from None


def _segment(value: Any, i: int) -> Segment:
    where = f"segments[{i}]"
    table = _table(value, where)
    _check_keys(table, _SEGMENT_KEYS, f"{where}.")
    for required in ("name", "productivity"):
        if required not in table:
            raise _fail(f"{where}.{required}", "missing")
    kwargs = dict(table)
    prod = kwargs["productivity"]
    if isinstance(prod, Mapping):
        kwargs["productivity"] = _distribution(prod, f"{where}.productivity")
    if "funnel" in kwargs:
        stages = kwargs["funnel"]
        if not isinstance(stages, list):
            raise _fail(f"{where}.funnel", "expected an array of tables")
        out = []
        for j, stage in enumerate(stages):
            st = _table(stage, f"{where}.funnel[{j}]")
            _check_keys(st, {"name", "rate", "lag_months"}, f"{where}.funnel[{j}].")
            try:
                out.append(FunnelStage(**st))
            except (InvalidInputError, TypeError) as exc:
                raise _fail(f"{where}.funnel[{j}]", str(exc)) from None
        kwargs["funnel"] = out
    try:
        return Segment(**kwargs)
    except (InvalidInputError, TypeError) as exc:
        raise _fail(where, str(exc)) from None


def parse_scenario(data: Mapping[str, Any], base_dir: Path | None = None) -> dict[str, Any]:
    """Turn a parsed scenario table into keyword arguments of ``plan_capacity``.

    Parameters
    ----------
    data : mapping
        The scenario (as read by :func:`tomllib.load`).
    base_dir : Path, optional
        Folder that relative paths (``existing.csv``) are resolved against.

    Returns
    -------
    dict
        ``target``, ``segments`` and the options, ready for
        ``plan_capacity(**kwargs)``.

    Raises
    ------
    InvalidInputError
        For a missing, unknown or malformed key; the message names the key.
    """
    _check_keys(data, _TOP_KEYS, "")
    for required in ("target", "segments"):
        if required not in data:
            raise _fail(required, "missing")
    out: dict[str, Any] = {"target": _number(data["target"], "target", float)}
    segments = data["segments"]
    if not isinstance(segments, list) or not segments:
        raise _fail("segments", "expected a non-empty array of tables ([[segments]])")
    out["segments"] = [_segment(seg, i) for i, seg in enumerate(segments)]
    for key, kind in _OPTIONAL_NUMBERS.items():
        if key in data:
            out[key] = _number(data[key], key, kind)
    if "existing" in data:
        table = _table(data["existing"], "existing")
        _check_keys(table, _EXISTING_KEYS, "existing.")
        if not isinstance(table.get("csv"), str):
            raise _fail("existing.csv", "expected the path of a partners CSV file")
        path = Path(table["csv"])
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        out["existing"] = Portfolio.from_csv(path)
        if "attrition" in table:
            out["existing_attrition"] = _number(table["attrition"], "existing.attrition", float)
        if "hours_per_partner" in table:
            out["existing_hours_per_partner"] = _number(
                table["hours_per_partner"], "existing.hours_per_partner", float
            )
    return out


def load_scenario(path: str | Path) -> dict[str, Any]:
    """Read a scenario TOML file into keyword arguments of ``plan_capacity``.

    Raises
    ------
    InvalidInputError
        If the file cannot be read or is not UTF-8, is not valid TOML, or a
        key is missing or malformed.
    """
    p = Path(path)
    data = parse_text(read_text(p), "toml", str(p))
    return parse_scenario(data, p.parent)
