"""CSV text handling, below the model layer: rows in, rows out, numbers parsed.

This private module knows nothing of :class:`~channelkit.partners.Portfolio` or
:class:`~channelkit.partners.Manager`: it reads a file into a header and rows
(each with its line number), parses numeric cells with messages that name the
file, row and column, and writes rows so that they read back unchanged. The
model classes (:mod:`channelkit.partners`) and the edge (:mod:`channelkit.io`)
both build on it, so neither imports the other.

Rules it enforces, the same for every channelkit CSV file:

* the file is UTF-8 (a byte-order mark is skipped);
* every text cell must survive a round trip: a cell holding NUL (``"\\x00"``)
  is rejected, since numpy text arrays drop trailing NULs;
* a header that matches a known column apart from case and separators
  (``Revenue``, ``Revenue-Prior``) is rejected with a "did you mean" message
  (see :func:`channelkit._validation.did_you_mean`);
* a writer quotes every field when any text holds a bare carriage return, so
  that the file reads back; an unwritable path or text that UTF-8 cannot
  encode (a lone surrogate) raises
  :class:`~channelkit.errors.InvalidInputError` naming the path.
"""

from __future__ import annotations

import contextlib
import csv
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from ._validation import check_text, did_you_mean
from .errors import InvalidInputError

__all__ = [
    "csv_writer",
    "format_float",
    "needs_quoting",
    "parse_number",
    "read_rows",
    "read_table_columns",
    "write_rows",
    "write_text",
]

Body = list[tuple[int, list[str]]]


def format_float(value: float) -> str:
    """``repr`` of a float (round-trips exactly); NaN (unknown) as an empty cell."""
    return "" if math.isnan(value) else repr(float(value))


def parse_number(
    cell: str,
    column: str,
    row: int,
    source: str,
    *,
    optional: bool,
    bounds: tuple[float, float] = (-math.inf, math.inf),
    allow_inf: bool = False,
) -> float:
    """Parse one numeric cell; empty is NaN when ``optional``, an error otherwise."""
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
    if math.isinf(value) and not allow_inf:
        raise InvalidInputError(f"{source}: row {row}, column {column!r} is infinite")
    lo, hi = bounds
    if not lo <= value <= hi:
        want = "a non-negative amount" if hi == math.inf else f"a value in [{lo:g}, {hi:g}]"
        raise InvalidInputError(
            f"{source}: row {row}, column {column!r}: {value!r} is out of range; expected {want}"
        )
    return value


def read_rows(
    path: str | os.PathLike[str],
    required: tuple[str, ...] = ("id",),
    known: Sequence[str] = (),
) -> tuple[list[str], Body]:
    """Read a CSV file into its header and non-blank rows, each with its line number.

    The header (line 1) must name every column in ``required``, once; a
    header that matches a column of ``required`` or ``known`` apart from
    case and separators is rejected with a "did you mean" message. Every
    row must have as many cells as the header, and a non-empty first
    required column (the key: ``id``, ``partner``...). A cell holding NUL is
    rejected, naming its row and column.
    """
    source = str(path)
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError:
        raise InvalidInputError(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInputError(f"{source}: cannot read the file: {exc}") from None
    want = ", ".join(repr(c) for c in required)
    if not rows:
        raise InvalidInputError(f"{source}: the file is empty; expected a header row with {want}")
    header = [h.strip() for h in rows[0]]
    seen: set[str] = set()
    for h in header:
        if not h:
            raise InvalidInputError(f"{source}: the header has an empty column name")
        if h in seen:
            raise InvalidInputError(f"{source}: column {h!r} appears twice in the header")
        seen.add(h)
        check_text(h, f"{source}: column name {h!r}")
        hint = did_you_mean(h, (*required, *known))
        if hint is not None:
            raise InvalidInputError(f"{source}: column {h!r}: {hint}")
    for col in required:
        if col not in header:
            raise InvalidInputError(
                f"{source}: no {col!r} column in the header (found: {', '.join(header) or 'nothing'})"
            )
    key = required[0]
    j = header.index(key)
    body: Body = []
    for i, r in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in r):
            continue
        if len(r) != len(header):
            raise InvalidInputError(
                f"{source}: row {i} has {len(r)} cells but the header has {len(header)}"
            )
        if not r[j].strip():
            raise InvalidInputError(f"{source}: row {i}, column {key!r} is empty")
        for name, cell in zip(header, r):
            if "\x00" in cell:
                check_text(cell, f"{source}: row {i}, column {name!r}")
        body.append((i, r))
    return header, body


def read_table_columns(
    path: str | os.PathLike[str],
    *,
    text: Sequence[str],
    optional: Sequence[str] = (),
    bounds: Mapping[str, tuple[float, float]] | None = None,
    known: Sequence[str] = (),
) -> dict[str, NDArray[Any]]:
    """Read a CSV file with a unique ``id`` column into a mapping of column -> array.

    Columns named in ``text`` stay text (stripped; an empty cell is None
    except in ``id``); every other column is parsed as numbers, where
    columns in ``optional`` may be empty (NaN). ``known`` names the
    standard columns, for the "did you mean" check of the header.
    """
    source = str(path)
    header, body = read_rows(path, known=known)
    id_col = header.index("id")
    first_line: dict[str, int] = {}
    for line, r in body:
        pid = r[id_col].strip()
        if pid in first_line:
            raise InvalidInputError(
                f"{source}: row {line}: id {pid!r} repeats row {first_line[pid]}; ids must be unique"
            )
        first_line[pid] = line
    limits = bounds or {}
    cols: dict[str, NDArray[Any]] = {}
    for j, name in enumerate(header):
        cells = [(line, r[j]) for line, r in body]
        if name == "id":
            cols[name] = np.array([c.strip() for _, c in cells], dtype=object)
        elif name in text:
            cols[name] = np.array([c.strip() or None for _, c in cells], dtype=object)
        else:
            lo_hi = limits.get(name, (-math.inf, math.inf))
            cols[name] = np.array(
                [
                    parse_number(c, name, line, source, optional=name in optional, bounds=lo_hi)
                    for line, c in cells
                ],
                dtype=float,
            )
    return cols


# --------------------------------------------------------------------------- writing
@contextlib.contextmanager
def _open_for_write(path: str | os.PathLike[str]) -> Iterator[IO[str]]:
    """Open ``path`` for writing UTF-8 text; file errors name the path.

    On an encoding error (a lone surrogate) the partial file is removed.
    """
    p = Path(path)
    try:
        fh = p.open("w", newline="", encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(f"{p}: cannot write the file: {exc}") from None
    try:
        with fh:
            yield fh
    except UnicodeEncodeError as exc:
        with contextlib.suppress(OSError):
            p.unlink()
        bad = exc.object[exc.start : exc.end]
        raise InvalidInputError(
            f"{p}: cannot write the file: the text {bad!r} cannot be encoded as UTF-8 "
            "(a lone surrogate?)"
        ) from None
    except OSError as exc:
        raise InvalidInputError(f"{p}: cannot write the file: {exc}") from None


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8; errors name the path."""
    with _open_for_write(path) as fh:
        fh.write(text)


def needs_quoting(cells: Iterable[str]) -> bool:
    """Whether any of ``cells`` holds a carriage return (which QUOTE_MINIMAL leaves bare)."""
    return any("\r" in c for c in cells)


def csv_writer(fh: IO[str], *, quote_all: bool = False) -> Any:
    """The one CSV dialect channelkit writes: ``\\n`` line ends, minimal quoting
    (every field quoted when ``quote_all``, e.g. when some text holds ``\\r``)."""
    if quote_all:
        return csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL)
    return csv.writer(fh, lineterminator="\n")


def write_rows(
    path: str | os.PathLike[str],
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    text_cells: Iterable[str] = (),
) -> None:
    """Write a header and rows of text cells to ``path``.

    ``text_cells`` are the free-text values (ids, regions, names); when one
    of them (or a header name) holds a carriage return, every field is
    quoted so that the file reads back unchanged.
    """
    quote_all = needs_quoting(header) or needs_quoting(text_cells)
    with _open_for_write(path) as fh:
        writer = csv_writer(fh, quote_all=quote_all)
        writer.writerow(header)
        writer.writerows(rows)
