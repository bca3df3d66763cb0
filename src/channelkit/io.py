"""Reading and writing channelkit objects: portfolios and managers as CSV, programs as TOML/JSON.

CSV files are read and written with the standard library only; pandas is not
needed. Numbers are written with :func:`repr`, which round-trips every float
exactly.

File format
-----------
The first row is a header. ``id`` is required; ``revenue``,
``revenue_prior``, ``product_share`` and ``region`` are optional; every other
column is a numeric metric, or a text attribute when none of its cells reads
as a number. An empty cell means "unknown" in ``revenue_prior``,
``product_share``, ``region`` and attributes, and is an error anywhere else.
Exports with their own column names load with ``columns=`` (see
:func:`read_portfolio_csv`).

Rules shared by every CSV reader and writer (see the Architecture page):

* a header that matches a standard column apart from case and separators
  (``Revenue``, ``revenue-prior``) is rejected with a "did you mean"
  message, never read as a metric;
* text keeps every character except NUL (``\\x00``), which is rejected
  naming the row and column; when some text holds a carriage return, the
  writer quotes every field, so every file read back equals what was written;
* errors name the file: a missing, unreadable or non-UTF-8 file, an
  unwritable path, or text that UTF-8 cannot encode (a lone surrogate).

Program files
-------------
A :class:`~channelkit.tiers.Program` is stored as TOML (read with the
standard library's :mod:`tomllib`, written by a small writer here) or JSON:
optional ``name`` and ``signed_metrics``, an optional ``[policy]`` table with
the :class:`~channelkit.progression.ProgressionPolicy` fields, an optional
``[[scorecard.items]]`` array (``metric``, ``points_per_unit``, optional
``max_points`` (no cap when omitted), ``required`` and ``per`` (a step: points
for each whole ``per`` units)), an optional ``[counts]`` table (count name ->
``items``, optional ``min_value``, ``label``, ``within_days``: see
:class:`~channelkit.tiers.ItemCount`), and the ``[[tiers]]`` array, lowest tier
first (``name``, optional ``min_score``, ``requirements`` metric -> minimum,
``min_points`` item metric -> minimum points, ``inherit`` (true: the tier adds
to the rules of the tier below, and only what it adds is written),
``benefits``). Unknown keys are errors, so a typo never passes silently.
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import _csv
from ._mapping import Source, resolve_columns
from ._policy import ProgressionPolicy
from ._tables import TableReader, parse_text, read_text
from ._tables import join as _join
from ._tables import kind as _kind
from .errors import InvalidInputError, ProgramDefinitionError
from .partners import Manager, Portfolio
from .tiers import (
    DEFAULT_SIGNED_METRICS,
    Benefits,
    ItemCount,
    Program,
    Scorecard,
    ScoreItem,
    Tier,
)

__all__ = [
    "column_mapping",
    "dumps_program",
    "loads_program",
    "program_from_dict",
    "program_to_dict",
    "read_assignment_csv",
    "read_managers_csv",
    "read_portfolio_csv",
    "read_program",
    "write_assignment_csv",
    "write_managers_csv",
    "write_portfolio_csv",
    "write_program",
]


def write_portfolio_csv(portfolio: Portfolio, path: str | os.PathLike[str]) -> None:
    """Write ``portfolio`` to ``path`` as CSV; see the module docs for the format.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> pf = Portfolio(["a", "b"], revenue=[1.5, 0.1], metrics={"deals": [2, 0]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "partners.csv"
    ...     write_portfolio_csv(pf, path)
    ...     print(path.read_text().splitlines()[1])
    ...     read_portfolio_csv(path) == pf
    a,1.5,,,,2.0
    True
    """
    if not isinstance(portfolio, Portfolio):
        raise InvalidInputError(f"portfolio must be a Portfolio, got {type(portfolio).__name__}")
    portfolio.to_csv(path)


def read_portfolio_csv(
    path: str | os.PathLike[str], *, columns: Mapping[str, Source] | None = None
) -> Portfolio:
    """Read a portfolio from a CSV file.

    Parameters
    ----------
    path : str or path-like
        The file. See the module docs for the format.
    columns : mapping of str to str or (str, str), optional
        channelkit name -> the file's column, e.g. ``{"id": "Partner ID",
        "revenue": "Revenue FY2025"}``; ``"product_share": ("Product
        Revenue", "Services Revenue")`` derives the share (unknown where both
        are zero). See :meth:`Portfolio.from_frame`.

    Raises
    ------
    InvalidInputError
        For a missing file, a missing ``id`` column, repeated column names,
        duplicate ids, a non-numeric or NaN value in a numeric column,
        negative revenue or a product share outside [0, 1]; the message names
        the file, the row (counting the header as row 1) and the column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "partners.csv"
    ...     _ = path.write_text("id,revenue,region,deals\\na,1200,EMEA,3\\nb,80,,0\\n")
    ...     pf = read_portfolio_csv(path)
    >>> pf
    Portfolio(n=2, metrics=['deals'])
    >>> pf.revenue.tolist(), pf.region.tolist(), pf.column("deals").tolist()
    ([1200.0, 80.0], ['EMEA', ''], [3.0, 0.0])

    A bad cell names the file, row and column:

    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "partners.csv"
    ...     _ = path.write_text("id,revenue\\na,-5\\n")
    ...     read_portfolio_csv(path)
    Traceback (most recent call last):
    ...
    channelkit.errors.InvalidInputError: ...partners.csv: row 2, column 'revenue': -5.0 is out of range; expected a non-negative amount
    """
    return Portfolio.from_csv(path, columns=columns)


def column_mapping(
    assignments: Sequence[str] = (), path: str | os.PathLike[str] | None = None
) -> dict[str, Source] | None:
    """A ``columns`` mapping from command-line assignments and/or a TOML file.

    Parameters
    ----------
    assignments : sequence of str
        ``name=Source column`` items (``revenue=Revenue FY2025``); for
        ``product_share`` two columns separated by a comma give the product
        and services revenue (``product_share=Product Revenue,Services Revenue``).
    path : str or path-like, optional
        A TOML file with a ``[columns]`` table: ``name = "Source"``, or
        ``product_share = ["Product Revenue", "Services Revenue"]``.
        Assignments override the file.

    Returns
    -------
    dict or None
        The mapping, or None when neither is given.

    Examples
    --------
    >>> column_mapping(["id=Partner ID", "product_share=Product,Services"])
    {'id': 'Partner ID', 'product_share': ('Product', 'Services')}
    """
    if not assignments and path is None:
        return None
    out: dict[str, Source] = {}
    if path is not None:
        data = read_text(path)
        try:
            table = tomllib.loads(data)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInputError(f"{path}: not valid TOML: {exc}") from None
        columns = table.get("columns")
        if not isinstance(columns, dict):
            raise InvalidInputError(
                f"{path}: expected a [columns] table mapping channelkit names to source columns"
            )
        for name, value in columns.items():
            if isinstance(value, str):
                out[name] = value
            elif (
                isinstance(value, list)
                and len(value) == 2
                and all(isinstance(v, str) for v in value)
            ):
                out[name] = (value[0], value[1])
            else:
                raise InvalidInputError(
                    f"{path}: columns.{name} = {value!r}; expected a column name or a pair of them"
                )
    for item in assignments:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip().strip('"')
        if not sep or not name or not value:
            raise InvalidInputError(
                f'--column {item!r}: expected NAME=SOURCE, e.g. revenue="Revenue FY2025"'
            )
        if name == "product_share" and "," in value:
            product, services = (v.strip() for v in value.split(",", 1))
            out[name] = (product, services)
        else:
            out[name] = value
    return out


# --------------------------------------------------------------------------- managers
_MANAGER_COLUMNS = ("id", "capacity", "max_partners", "region")


def write_managers_csv(managers: Sequence[Manager], path: str | os.PathLike[str]) -> None:
    """Write channel managers to CSV with columns id, capacity, max_partners, region.

    Unknown values (an infinite capacity, no headcount cap, no region) are written
    as empty cells.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> team = [Manager("M1", capacity=1800.0, max_partners=30, region="NA"), Manager("M2")]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "managers.csv"
    ...     write_managers_csv(team, path)
    ...     print(path.read_text(), end="")
    ...     read_managers_csv(path) == team
    id,capacity,max_partners,region
    M1,1800.0,30,NA
    M2,,,
    True
    """
    items = list(managers)
    for i, m in enumerate(items):
        if not isinstance(m, Manager):
            raise InvalidInputError(f"managers[{i}] must be a Manager, got {type(m).__name__}")
    _csv.write_rows(
        path,
        _MANAGER_COLUMNS,
        (
            [
                m.id,
                "" if math.isinf(m.capacity) else repr(m.capacity),
                "" if m.max_partners is None else str(m.max_partners),
                m.region or "",
            ]
            for m in items
        ),
        text_cells=[t for m in items for t in (m.id, m.region or "")],
    )


def read_managers_csv(
    path: str | os.PathLike[str], *, columns: Mapping[str, str] | None = None
) -> list[Manager]:
    """Read channel managers from CSV.

    Columns: ``id`` (required), ``capacity`` [hours/year] (empty: no cap),
    ``max_partners`` (empty: no cap), ``region`` (empty: any region).
    ``columns`` maps these names to the file's columns (``{"id": "Manager",
    "capacity": "Hours"}``); with a mapping, columns it does not name and
    that are not manager columns are ignored (an export's other columns).

    Raises
    ------
    InvalidInputError
        For a missing file or ``id`` column, an unknown column, a bad number
        or duplicate ids; the message names the file, row and column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "managers.csv"
    ...     _ = path.write_text("id,capacity,max_partners,region\\nM1,2000,40,EMEA\\nM2,1500,,\\n")
    ...     read_managers_csv(path)
    [Manager(id='M1', capacity=2000.0, max_partners=40, region='EMEA'),
     Manager(id='M2', capacity=1500.0, max_partners=None, region=None)]
    """
    source = str(path)
    if columns is None:
        header, body = _csv.read_rows(path, known=_MANAGER_COLUMNS)
    else:
        id_source = columns.get("id", "id") if isinstance(columns, Mapping) else "id"
        raw_header, body = _csv.read_rows(path, required=(str(id_source),))
        resolved = resolve_columns(raw_header, columns, where=source)
        for name in resolved:
            if name not in _MANAGER_COLUMNS and name in columns:
                raise InvalidInputError(
                    f"{source}: columns maps {name!r}, which is not a manager column "
                    f"({', '.join(_MANAGER_COLUMNS)})"
                )
        # Rename the mapped sources; drop every other column that is not a manager column.
        rename = {src: name for name, src in resolved.items() if isinstance(src, str)}
        keep = [j for j, h in enumerate(raw_header) if rename.get(h, h) in _MANAGER_COLUMNS]
        header = [rename.get(raw_header[j], raw_header[j]) for j in keep]
        body = [(line, [row[j] for j in keep]) for line, row in body]
    unknown = [h for h in header if h not in _MANAGER_COLUMNS]
    if unknown:
        raise InvalidInputError(
            f"{source}: unknown column {unknown[0]!r}; manager files have columns "
            f"{', '.join(_MANAGER_COLUMNS)}"
        )
    out: list[Manager] = []
    seen: dict[str, int] = {}
    for line, row in body:
        cell = dict(zip(header, (c.strip() for c in row)))
        mid = cell.get("id", "")
        if mid in seen:
            raise InvalidInputError(
                f"{source}: row {line}: manager id {mid!r} repeats row {seen[mid]}"
            )
        seen[mid] = line
        cap_text = cell.get("capacity", "")
        cap = (
            math.inf
            if not cap_text
            else _csv.parse_number(
                cap_text, "capacity", line, source, optional=False, allow_inf=True
            )
        )
        mp_text = cell.get("max_partners", "")
        max_partners: int | None = None
        if mp_text:
            mp = _csv.parse_number(mp_text, "max_partners", line, source, optional=False)
            if mp != int(mp):
                raise InvalidInputError(
                    f"{source}: row {line}, column 'max_partners': {mp_text!r} is not a whole number"
                )
            if abs(mp) >= 2.0**63:
                raise InvalidInputError(
                    f"{source}: row {line}, column 'max_partners': {mp_text!r} is too large; "
                    "expected a whole number below 2**63"
                )
            max_partners = int(mp)
        try:
            out.append(
                Manager(
                    mid, capacity=cap, max_partners=max_partners, region=cell.get("region") or None
                )
            )
        except InvalidInputError as exc:
            raise InvalidInputError(f"{source}: row {line}: {exc}") from None
    return out


# =========================================================================== programs
# A program file holds one table (TOML) or object (JSON):
#
#   name = "Example channel"            # optional
#   signed_metrics = ["growth"]         # optional, default ["growth"]
#   [policy]                            # optional, ProgressionPolicy fields
#   [[scorecard.items]]                 # optional: metric, points_per_unit, max_points, required
#   [[tiers]]                           # lowest first: name, min_score, requirements, benefits
#
# Omitted optional keys take the class defaults (max_points omitted = no cap).

_PROGRAM_KEYS = ("name", "signed_metrics", "policy", "scorecard", "counts", "tiers")
_POLICY_INT = ("review_every", "grace_reviews", "window")
_POLICY_OPTIONAL = ("max_steps_up", "max_steps_down", "demote_every")
_ITEM_KEYS = ("metric", "points_per_unit", "max_points", "required", "per")
_TIER_KEYS = ("name", "min_score", "requirements", "min_points", "inherit", "benefits")
_COUNT_KEYS = ("items", "min_value", "label", "within_days")
_BENEFIT_KEYS = ("discount", "rebate", "mdf", "cost_to_serve")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def program_to_dict(program: Program) -> dict[str, Any]:
    """The program as plain data (dicts, lists, str, int, float, bool).

    The inverse of :func:`program_from_dict`; ``None`` fields and an
    infinite ``max_points`` are left out.

    Examples
    --------
    >>> from channelkit import Program, Tier
    >>> program_to_dict(Program([Tier("Member")]))["tiers"]
    [{'name': 'Member', 'requirements': {},
      'benefits': {'discount': 0.0, 'rebate': 0.0, 'mdf': 0.0, 'cost_to_serve': 0.0}}]
    """
    if not isinstance(program, Program):
        raise InvalidInputError(f"program must be a Program, got {type(program).__name__}")
    out: dict[str, Any] = {}
    if program.name:
        out["name"] = program.name
    out["signed_metrics"] = list(program.signed_metrics)
    pol = program.policy
    out["policy"] = {k: getattr(pol, k) for k in (*_POLICY_INT, *_POLICY_OPTIONAL)}
    out["policy"] = {k: v for k, v in out["policy"].items() if v is not None}
    if program.scorecard is not None:
        items = []
        for item in program.scorecard.items:
            d: dict[str, Any] = {"metric": item.metric, "points_per_unit": item.points_per_unit}
            if math.isfinite(item.max_points):
                d["max_points"] = item.max_points
            d["required"] = item.required
            if item.per is not None:
                d["per"] = item.per
            items.append(d)
        out["scorecard"] = {"items": items}
    if program.counts:
        counts: dict[str, Any] = {}
        for cname, rule in program.counts.items():
            c: dict[str, Any] = {"items": rule.items, "min_value": rule.min_value}
            if rule.label:
                c["label"] = rule.label
            if rule.within_days is not None:
                c["within_days"] = rule.within_days
            counts[cname] = c
        out["counts"] = counts
    tiers = []
    for tier in program.stated_tiers():
        t: dict[str, Any] = {"name": tier.name}
        if tier.min_score is not None:
            t["min_score"] = tier.min_score
        t["requirements"] = dict(tier.requirements)
        if tier.min_points:
            t["min_points"] = dict(tier.min_points)
        if tier.inherit:
            t["inherit"] = True
        t["benefits"] = {k: getattr(tier.benefits, k) for k in _BENEFIT_KEYS}
        tiers.append(t)
    out["tiers"] = tiers
    return out


def _keys(value: Any) -> list[str]:
    """The keys of a table (none for a value that is not one: the reader then says so)."""
    return [str(k) for k in value] if isinstance(value, Mapping) else []


def _reader(source: str) -> TableReader:
    return TableReader(source, ProgramDefinitionError)


def program_from_dict(data: Mapping[str, Any], *, source: str = "<data>") -> Program:
    """Build a program from plain data (the layout of :func:`program_to_dict`).

    Parameters
    ----------
    data : mapping
        The program, as read from TOML or JSON.
    source : str
        Where the data came from, for error messages (a file name).

    Raises
    ------
    ProgramDefinitionError
        For an unknown or missing key, a value of the wrong type, or an
        invalid program; the message names ``source``, the key (e.g.
        ``tiers[2].requirements.csat``) and the problem.

    Examples
    --------
    >>> program_from_dict({"tiers": [{"name": "Member"}, {"name": "Pro", "min_score": 5}]})
    Traceback (most recent call last):
    ...
    channelkit.errors.ProgramDefinitionError: <data>: key 'tiers[1].min_score': ...
    """
    r = _reader(source)
    top = r.table(dict(data) if isinstance(data, Mapping) else data, "", _PROGRAM_KEYS, ("tiers",))
    name = r.string(top.get("name", ""), "name")
    signed: Any = top.get("signed_metrics", list(DEFAULT_SIGNED_METRICS))
    if not isinstance(signed, list):
        r.fail("signed_metrics", f"expected a list of metric names, got {_kind(signed)}")
    signed = [r.string(v, _join("signed_metrics", i)) for i, v in enumerate(signed)]
    pol_data = r.table(top.get("policy", {}), "policy", (*_POLICY_INT, *_POLICY_OPTIONAL))
    # JSON null (None) means "no cap" / "same as review_every" for the optional fields
    pol_args = {
        k: None if v is None and k in _POLICY_OPTIONAL else r.integer(v, _join("policy", k))
        for k, v in pol_data.items()
    }
    policy = r.build("policy", ProgressionPolicy, **pol_args)
    scorecard = None
    if "scorecard" in top:
        card = r.table(top["scorecard"], "scorecard", ("items",), ("items",))
        raw_items = card["items"]
        if not isinstance(raw_items, list) or not raw_items:
            r.fail(
                "scorecard.items", f"expected a non-empty list of items, got {_kind(raw_items)}"
            )
        items = []
        for i, raw in enumerate(raw_items):
            key = _join("scorecard.items", i)
            d = r.table(raw, key, _ITEM_KEYS, ("metric", "points_per_unit"))
            args: dict[str, Any] = {
                "metric": r.string(d["metric"], _join(key, "metric")),
                "points_per_unit": r.number(d["points_per_unit"], _join(key, "points_per_unit")),
            }
            if "max_points" in d:
                args["max_points"] = r.number(d["max_points"], _join(key, "max_points"))
            if "required" in d:
                args["required"] = r.boolean(d["required"], _join(key, "required"))
            if "per" in d:
                args["per"] = r.number(d["per"], _join(key, "per"))
            items.append(r.build(key, ScoreItem, **args))
        scorecard = r.build("scorecard.items", Scorecard, items)
    counts: dict[str, ItemCount] = {}
    if "counts" in top:
        raw_counts = r.table(top["counts"], "counts", _keys(top["counts"]))
        for cname, raw in raw_counts.items():
            key = _join("counts", cname)
            d = r.table(raw, key, _COUNT_KEYS, ("items",))
            cargs: dict[str, Any] = {"items": r.string(d["items"], _join(key, "items"))}
            if "min_value" in d:
                cargs["min_value"] = r.number(d["min_value"], _join(key, "min_value"))
            if "label" in d:
                cargs["label"] = r.string(d["label"], _join(key, "label"))
            if "within_days" in d:
                cargs["within_days"] = r.integer(d["within_days"], _join(key, "within_days"))
            counts[cname] = r.build(key, ItemCount, **cargs)
    raw_tiers = top["tiers"]
    if not isinstance(raw_tiers, list) or not raw_tiers:
        r.fail(
            "tiers", f"expected a non-empty list of tiers, lowest first, got {_kind(raw_tiers)}"
        )
    tiers = []
    for i, raw in enumerate(raw_tiers):
        key = _join("tiers", i)
        d = r.table(raw, key, _TIER_KEYS, ("name",))
        targs: dict[str, Any] = {"name": r.string(d["name"], _join(key, "name"))}
        if "min_score" in d:
            targs["min_score"] = r.number(d["min_score"], _join(key, "min_score"))
            if scorecard is None:
                r.fail(_join(key, "min_score"), "the tier needs a score but there is no scorecard")
        rk = _join(key, "requirements")
        reqs = r.table(d.get("requirements", {}), rk, list(d.get("requirements", {}) or []))
        targs["requirements"] = {m: r.number(v, _join(rk, m)) for m, v in reqs.items()}
        if "min_points" in d:
            pk = _join(key, "min_points")
            pts = r.table(d["min_points"], pk, _keys(d["min_points"]))
            targs["min_points"] = {m: r.number(v, _join(pk, m)) for m, v in pts.items()}
        if "inherit" in d:
            targs["inherit"] = r.boolean(d["inherit"], _join(key, "inherit"))
        bk = _join(key, "benefits")
        ben = r.table(d.get("benefits", {}), bk, _BENEFIT_KEYS)
        bargs = {k: r.number(v, _join(bk, k)) for k, v in ben.items()}
        targs["benefits"] = r.build(bk, Benefits, **bargs)
        tiers.append(r.build(key, Tier, **targs))
    program: Program = r.build(
        "tiers",
        Program,
        tiers,
        scorecard=scorecard,
        policy=policy,
        signed_metrics=signed,
        name=name,
        counts=counts,
    )
    return program


# --------------------------------------------------------------------------- TOML writer
def _toml_str(text: str) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_str(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):  # pragma: no cover - programs never hold NaN
            raise InvalidInputError("NaN cannot be written to a program file")
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
        )
    raise InvalidInputError(f"cannot write {value!r} to TOML")  # pragma: no cover


def _toml_table(lines: list[str], header: str, table: Mapping[str, Any]) -> None:
    """Write ``table``: plain keys under ``header``, then sub-tables."""
    if lines:
        lines.append("")
    if header:
        lines.append(header)
    subs = []
    for k, v in table.items():
        if isinstance(v, dict) and v:
            subs.append((k, v))
        else:
            lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
    path = header.strip("[]")
    for k, v in subs:
        _toml_table(lines, f"[{path + '.' if path else ''}{_toml_key(k)}]", v)


def _to_toml(data: Mapping[str, Any]) -> str:
    lines: list[str] = []
    plain = {
        k: v for k, v in data.items() if not isinstance(v, dict | list) or k == "signed_metrics"
    }
    for k, v in plain.items():
        lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
    if data.get("policy"):
        _toml_table(lines, "[policy]", data["policy"])
    if "scorecard" in data:
        for item in data["scorecard"]["items"]:
            _toml_table(lines, "[[scorecard.items]]", item)
    for cname, rule in data.get("counts", {}).items():
        _toml_table(lines, f"[counts.{_toml_key(cname)}]", rule)
    for tier in data["tiers"]:
        if lines:
            lines.append("")
        lines.append("[[tiers]]")
        subs = []
        for k, v in tier.items():
            if isinstance(v, dict) and v:
                subs.append((k, v))
            else:
                lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
        for k, v in subs:
            _toml_table(lines, f"[tiers.{k}]", v)
    return "\n".join(lines) + "\n"


def dumps_program(program: Program, format: str = "toml") -> str:
    """The program as TOML or JSON text.

    Parameters
    ----------
    program : Program
        The program.
    format : {"toml", "json"}, default "toml"
        The file format.

    Notes
    -----
    Floats are written with :func:`repr`, which round-trips exactly, so
    ``loads_program(dumps_program(p, f), f) == p`` for every program.

    Examples
    --------
    >>> from channelkit import Program, Tier
    >>> print(dumps_program(Program([Tier("Member"), Tier("Pro", requirements={"deals": 3})])))
    signed_metrics = ["growth"]
    <BLANKLINE>
    [policy]
    review_every = 1
    grace_reviews = 0
    window = 1
    <BLANKLINE>
    [[tiers]]
    name = "Member"
    requirements = {}
    <BLANKLINE>
    [tiers.benefits]
    discount = 0.0
    rebate = 0.0
    mdf = 0.0
    cost_to_serve = 0.0
    <BLANKLINE>
    [[tiers]]
    name = "Pro"
    <BLANKLINE>
    [tiers.requirements]
    deals = 3.0
    <BLANKLINE>
    [tiers.benefits]
    discount = 0.0
    rebate = 0.0
    mdf = 0.0
    cost_to_serve = 0.0
    <BLANKLINE>
    """
    data = program_to_dict(program)
    fmt = _format(format, "format")
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return _to_toml(data)


def loads_program(text: str, format: str = "toml", *, source: str = "<string>") -> Program:
    """Read a program from TOML or JSON text.

    Parameters
    ----------
    text : str
        The file's content.
    format : {"toml", "json"}, default "toml"
        The format.
    source : str
        Name of the text's origin, used in error messages.

    Raises
    ------
    ProgramDefinitionError
        For a syntax error (with line and column), a key given twice, or an
        invalid program (with the key and the problem).

    Notes
    -----
    In JSON, ``null`` is accepted for the optional policy fields
    ``max_steps_up``, ``max_steps_down`` and ``demote_every`` (meaning
    "no cap" and "same as ``review_every``"), as if the key were left out.

    Examples
    --------
    >>> text = '''
    ... name = "Partners"
    ... [[tiers]]
    ... name = "Member"
    ... [[tiers]]
    ... name = "Pro"
    ... requirements = {deals = 3}
    ... '''
    >>> program = loads_program(text)
    >>> program.tier_names
    ('Member', 'Pro')
    >>> loads_program(dumps_program(program, "json"), "json") == program
    True
    >>> loads_program('{"tiers": [{"name": "Member", "rank": 1}]}', "json")
    Traceback (most recent call last):
    ...
    channelkit.errors.ProgramDefinitionError: <string>: key 'tiers[0].rank': unknown key; expected one of name, min_score, requirements, min_points, inherit, benefits
    """
    fmt = _format(format, "format")
    data = parse_text(text, fmt, source, ProgramDefinitionError)
    return program_from_dict(data, source=source)


def _format(fmt: str, what: str) -> str:
    if not isinstance(fmt, str) or fmt.lower() not in ("toml", "json"):
        raise InvalidInputError(f"{what} must be 'toml' or 'json', got {fmt!r}")
    return fmt.lower()


def _format_of(path: Path, format: str | None) -> str:
    if format is not None:
        return _format(format, "format")
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("toml", "json"):
        raise ProgramDefinitionError(
            f"{path}: cannot tell the format from the suffix {path.suffix!r}; use .toml or .json "
            "or pass format="
        )
    return suffix


def read_program(path: str | os.PathLike[str], format: str | None = None) -> Program:
    """Read a program from a TOML or JSON file.

    Parameters
    ----------
    path : str or path-like
        The file.
    format : {"toml", "json"} or None
        The format; None guesses it from the suffix.

    Raises
    ------
    ProgramDefinitionError
        For a missing or unreadable file, a syntax error, or an invalid
        program; the message names the file, the key and the problem.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from channelkit import Program, Tier
    >>> program = Program([Tier("Member"), Tier("Pro", requirements={"deals": 3})])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "program.toml"
    ...     write_program(program, path)
    ...     read_program(path) == program
    True
    """
    p = Path(path)
    fmt = _format_of(p, format)
    return loads_program(read_text(p, ProgramDefinitionError), fmt, source=str(p))


def write_program(
    program: Program, path: str | os.PathLike[str], format: str | None = None
) -> None:
    """Write a program to a TOML or JSON file (format from the suffix unless given).

    Parameters
    ----------
    program : Program
        The program.
    path : str or path-like
        The file to write (``.toml`` or ``.json``).
    format : {"toml", "json"} or None
        The format; None takes it from the suffix.

    Raises
    ------
    InvalidInputError
        If the file cannot be written (the message names the path) or a name
        in the program cannot be encoded as UTF-8.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> from channelkit import Program, Tier
    >>> program = Program([Tier("Member"), Tier("Pro", requirements={"deals": 3})])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "program.json"
    ...     write_program(program, path)
    ...     json.loads(path.read_text())["tiers"][1]["requirements"]
    {'deals': 3.0}
    """
    p = Path(path)
    _csv.write_text(p, dumps_program(program, _format_of(p, format)))


# --------------------------------------------------------------------------- assignments
_ASSIGNMENT_COLUMNS = ("partner", "manager")


def write_assignment_csv(assignment: Any, path: str | os.PathLike[str]) -> None:
    """Write partner -> manager pairs to CSV with columns ``partner``, ``manager``.

    Parameters
    ----------
    assignment : PortfolioAssignment or mapping of str to str or None
        Anything with a ``mapping`` attribute (a
        :class:`~channelkit.PortfolioAssignment`) or a mapping partner id ->
        manager id; None is written as an empty cell (no manager).
    path : str or path-like
        The file to write.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "assignment.csv"
    ...     write_assignment_csv({"p1": "M01", "p2": None}, path)
    ...     print(path.read_text(), end="")
    ...     read_assignment_csv(path)
    partner,manager
    p1,M01
    p2,
    {'p1': 'M01', 'p2': None}
    """
    mapping = getattr(assignment, "mapping", assignment)
    if not isinstance(mapping, Mapping):
        raise InvalidInputError(
            "assignment must be a PortfolioAssignment or a mapping of partner id -> manager id, "
            f"got {type(assignment).__name__}"
        )
    rows = [[str(pid), "" if mid is None else str(mid)] for pid, mid in mapping.items()]
    _csv.write_rows(path, _ASSIGNMENT_COLUMNS, rows, text_cells=[c for row in rows for c in row])


def read_assignment_csv(path: str | os.PathLike[str]) -> dict[str, str | None]:
    """Read partner -> manager pairs from CSV (columns ``partner`` and ``manager``).

    Other columns are ignored, so the file written by ``channelkit balance``
    and hand-made files with extra notes both work. An empty ``manager`` cell
    means the partner has no manager yet (a new partner).

    Raises
    ------
    InvalidInputError
        For a missing file, a missing ``partner`` or ``manager`` column, an
        empty partner id or a partner listed twice; the message names the
        file, row (the header is row 1) and column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "today.csv"
    ...     _ = path.write_text("partner,manager,note\\np1,M01,key account\\np2,,new\\n")
    ...     read_assignment_csv(path)
    {'p1': 'M01', 'p2': None}
    """
    source = str(path)
    header, body = _csv.read_rows(path, required=_ASSIGNMENT_COLUMNS)
    jp, jm = header.index("partner"), header.index("manager")
    out: dict[str, str | None] = {}
    seen: dict[str, int] = {}
    for line, row in body:
        pid, mid = row[jp].strip(), row[jm].strip()
        if pid in seen:
            raise InvalidInputError(
                f"{source}: row {line}, column 'partner': {pid!r} repeats row {seen[pid]}"
            )
        seen[pid] = line
        out[pid] = mid or None
    return out
