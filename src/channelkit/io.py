"""Reading and writing channelkit objects: portfolios as CSV.

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
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InvalidInputError
from .partners import STANDARD_COLUMNS, Portfolio

__all__ = ["read_portfolio_csv", "write_portfolio_csv"]

_OPTIONAL = ("revenue_prior", "product_share")


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
    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    for r in body:
        if len(r) != len(header):
            line = rows.index(r) + 1
            raise InvalidInputError(
                f"{source}: row {line} has {len(r)} cells but the header has {len(header)}"
            )
    line_of = [i + 1 for i, r in enumerate(rows) if i > 0 and any(c.strip() for c in r)]
    cols: dict[str, Any] = {}
    for j, name in enumerate(header):
        cells = [r[j] for r in body]
        if name == "id":
            cols[name] = np.array([c.strip() for c in cells], dtype=object)
            empty = [line_of[i] for i, c in enumerate(cells) if not c.strip()]
            if empty:
                raise InvalidInputError(f"{source}: row {empty[0]} has an empty id")
        elif name == "region":
            cols[name] = np.array([c.strip() or None for c in cells], dtype=object)
        else:
            cols[name] = np.array(
                [
                    _parse_number(c, name, line_of[i], source, optional=name in _OPTIONAL)
                    for i, c in enumerate(cells)
                ],
                dtype=float,
            )
    try:
        return Portfolio.from_columns(cols)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{source}: {exc}") from None
