"""Reading and writing channelkit objects: portfolios and managers as CSV.

CSV files are read and written with the standard library only; pandas is not
needed. Numbers are written with :func:`repr`, which round-trips every float
exactly.

File format
-----------
The first row is a header. ``id`` is required; ``revenue``,
``revenue_prior``, ``product_share`` and ``region`` are optional; every other
column is a numeric metric. An empty cell means "unknown" in
``revenue_prior``, ``product_share`` and ``region``, and is an error anywhere
else.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InvalidInputError
from .partners import STANDARD_COLUMNS, Manager, Portfolio

__all__ = [
    "read_managers_csv",
    "read_portfolio_csv",
    "write_managers_csv",
    "write_portfolio_csv",
]

_OPTIONAL = ("revenue_prior", "product_share")
_BOUNDS = {
    "revenue": (0.0, math.inf),
    "revenue_prior": (0.0, math.inf),
    "product_share": (0.0, 1.0),
}


def _fmt(value: float) -> str:
    return "" if math.isnan(value) else repr(float(value))


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
    names = list(portfolio.metrics)
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([*STANDARD_COLUMNS, *names])
        cols = [portfolio.metrics[k] for k in names]
        for i in range(len(portfolio)):
            writer.writerow(
                [
                    str(portfolio.ids[i]),
                    _fmt(portfolio.revenue[i]),
                    _fmt(portfolio.revenue_prior[i]),
                    _fmt(portfolio.product_share[i]),
                    str(portfolio.region[i]),
                    *(_fmt(c[i]) for c in cols),
                ]
            )


def _parse_number(cell: str, column: str, row: int, source: str, *, optional: bool) -> float:
    text = cell.strip()
    if not text:
        if optional:
            return math.nan
        raise InvalidInputError(
            f"{source}: row {row}, column {column!r} is empty; expected a number"
        )
    try:
        value = float(text)
    except ValueError:
        raise InvalidInputError(
            f"{source}: row {row}, column {column!r}: {cell!r} is not a number"
        ) from None
    if math.isnan(value):
        raise InvalidInputError(
            f"{source}: row {row}, column {column!r} is NaN; expected a number"
        )
    if math.isinf(value) and column not in ("capacity",):
        raise InvalidInputError(f"{source}: row {row}, column {column!r} is infinite")
    lo, hi = _BOUNDS.get(column, (-math.inf, math.inf))
    if not lo <= value <= hi:
        want = "a non-negative amount" if hi == math.inf else f"a value in [{lo:g}, {hi:g}]"
        raise InvalidInputError(
            f"{source}: row {row}, column {column!r}: {value!r} is out of range; expected {want}"
        )
    return value


def read_portfolio_csv(path: str | os.PathLike[str]) -> Portfolio:
    """Read a portfolio from a CSV file.

    Parameters
    ----------
    path : str or path-like
        The file. See the module docs for the format.

    Raises
    ------
    InvalidInputError
        For a missing file, a missing ``id`` column, repeated column names,
        duplicate ids, a non-numeric or NaN value in a numeric column,
        negative revenue or a product share outside [0, 1]; the message names
        the file, the row (counting the header as row 1) and the column.
    """
    source = str(path)
    header, body = _read_rows(path)
    id_col = header.index("id")
    first_line: dict[str, int] = {}
    for line, r in body:
        pid = r[id_col].strip()
        if pid in first_line:
            raise InvalidInputError(
                f"{source}: row {line}: id {pid!r} repeats row {first_line[pid]}; ids must be unique"
            )
        first_line[pid] = line
    cols: dict[str, Any] = {}
    for j, name in enumerate(header):
        cells = [(line, r[j]) for line, r in body]
        if name == "id":
            cols[name] = np.array([c.strip() for _, c in cells], dtype=object)
        elif name == "region":
            cols[name] = np.array([c.strip() or None for _, c in cells], dtype=object)
        else:
            cols[name] = np.array(
                [
                    _parse_number(c, name, line, source, optional=name in _OPTIONAL)
                    for line, c in cells
                ],
                dtype=float,
            )
    try:
        return Portfolio.from_columns(cols)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{source}: {exc}") from None


# --------------------------------------------------------------------------- managers
_MANAGER_COLUMNS = ("id", "capacity", "max_partners", "region")


def write_managers_csv(managers: Sequence[Manager], path: str | os.PathLike[str]) -> None:
    """Write channel managers to CSV with columns id, capacity, max_partners, region.

    Unknown values (an infinite capacity, no headcount cap, no region) are written
    as empty cells.
    """
    items = list(managers)
    for i, m in enumerate(items):
        if not isinstance(m, Manager):
            raise InvalidInputError(f"managers[{i}] must be a Manager, got {type(m).__name__}")
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(_MANAGER_COLUMNS)
        for m in items:
            writer.writerow(
                [
                    m.id,
                    "" if math.isinf(m.capacity) else repr(m.capacity),
                    "" if m.max_partners is None else str(m.max_partners),
                    m.region or "",
                ]
            )


def read_managers_csv(path: str | os.PathLike[str]) -> list[Manager]:
    """Read channel managers from CSV.

    Columns: ``id`` (required), ``capacity`` [hours/year] (empty: no cap),
    ``max_partners`` (empty: no cap), ``region`` (empty: any region).

    Raises
    ------
    InvalidInputError
        For a missing file or ``id`` column, an unknown column, a bad number
        or duplicate ids; the message names the file, row and column.
    """
    source = str(path)
    header, body = _read_rows(path)
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
            else _parse_number(cap_text, "capacity", line, source, optional=False)
        )
        mp_text = cell.get("max_partners", "")
        max_partners: int | None = None
        if mp_text:
            mp = _parse_number(mp_text, "max_partners", line, source, optional=False)
            if mp != int(mp):
                raise InvalidInputError(
                    f"{source}: row {line}, column 'max_partners': {mp_text!r} is not a whole number"
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


def _read_rows(path: str | os.PathLike[str]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Read a CSV file with an ``id`` column into its header and non-blank rows.

    Each row comes with its line number (the header is line 1).
    """
    source = str(path)
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError:
        raise InvalidInputError(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInputError(f"{source}: cannot read the file: {exc}") from None
    if not rows:
        raise InvalidInputError(f"{source}: the file is empty; expected a header row with 'id'")
    header = [h.strip() for h in rows[0]]
    if "id" not in header:
        raise InvalidInputError(
            f"{source}: no 'id' column in the header (found: {', '.join(header) or 'nothing'})"
        )
    seen: set[str] = set()
    for h in header:
        if not h:
            raise InvalidInputError(f"{source}: the header has an empty column name")
        if h in seen:
            raise InvalidInputError(f"{source}: column {h!r} appears twice in the header")
        seen.add(h)
    body: list[tuple[int, list[str]]] = []
    for i, r in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in r):
            continue
        if len(r) != len(header):
            raise InvalidInputError(
                f"{source}: row {i} has {len(r)} cells but the header has {len(header)}"
            )
        if not r[header.index("id")].strip():
            raise InvalidInputError(f"{source}: row {i} has an empty id")
        body.append((i, r))
    return header, body
