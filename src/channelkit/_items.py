"""Per-partner item lists (deals, opportunities, certifications) as long tables.

An item table has one row per item: the ``partner`` it belongs to (a partner
id), its ``value`` and, optionally, its ``date``. :func:`read_items` checks a
table and :func:`locate` maps the items' partner ids to partner rows with a
vectorized hash table (no per-item Python loop, no pandas), so that counting
the items that meet a rule is one :func:`numpy.bincount`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._frames import is_frame
from .errors import InvalidInputError

__all__ = ["ItemTable", "locate", "read_items"]

#: The columns of an item table.
ITEM_COLUMNS = ("partner", "value", "date")

_MIX = np.uint64(0x9E3779B97F4A7C15)


class ItemTable:
    """A checked item table: partner ids, values and (optional) dates, as arrays."""

    __slots__ = ("date", "name", "partner", "value")

    def __init__(
        self,
        name: str,
        partner: NDArray[np.str_],
        value: NDArray[np.float64],
        date: NDArray[np.datetime64] | None,
    ) -> None:
        self.name = name
        self.partner = partner
        self.value = value
        self.date = date


def read_items(name: str, table: Any) -> ItemTable:
    """Check an item table (a DataFrame or a mapping of column -> 1-D array-like).

    Raises
    ------
    InvalidInputError
        For a missing ``partner`` or ``value`` column, an unknown column,
        columns of different lengths, or a NaN value or unreadable date; the
        message names the list and the first offending row.
    """
    where = f"items[{name!r}]"
    if is_frame(table):
        cols = {str(c): table[c].to_numpy() for c in table.columns}
    elif isinstance(table, Mapping):
        cols = {str(k): v for k, v in table.items()}
    else:
        raise InvalidInputError(
            f"{where} must be a DataFrame or a mapping of column -> values with columns "
            f"partner, value and optionally date; got {type(table).__name__}"
        )
    for col in cols:
        if col not in ITEM_COLUMNS:
            raise InvalidInputError(
                f"{where}: unknown column {col!r}; item tables have columns "
                f"{', '.join(ITEM_COLUMNS)}"
            )
    for col in ("partner", "value"):
        if col not in cols:
            raise InvalidInputError(f"{where} has no {col!r} column")
    partner = np.asarray(cols["partner"])
    if partner.ndim != 1:
        raise InvalidInputError(f"{where}: partner must be 1-D, got shape {partner.shape}")
    if partner.dtype.kind != "U":
        partner = partner.astype(str)
    try:
        value = np.asarray(cols["value"], dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{where}: value must be numbers") from None
    if value.shape != partner.shape:
        raise InvalidInputError(
            f"{where}: value has shape {value.shape} but partner has {partner.shape}; "
            "expected one value per item"
        )
    if np.isnan(value).any():
        i = int(np.argmax(np.isnan(value)))
        raise InvalidInputError(f"{where}: value of row {i} is NaN; every item needs a value")
    date = None
    if "date" in cols:
        try:
            date = np.asarray(cols["date"], dtype="datetime64[D]")
        except (TypeError, ValueError):
            raise InvalidInputError(
                f"{where}: date must be dates (datetime64 or 'YYYY-MM-DD' text)"
            ) from None
        if date.shape != partner.shape:
            raise InvalidInputError(
                f"{where}: date has shape {date.shape} but partner has {partner.shape}"
            )
        if np.isnat(date).any():
            i = int(np.argmax(np.isnat(date)))
            raise InvalidInputError(f"{where}: date of row {i} is missing")
    return ItemTable(name, partner, value, date)


def _hash(ids: NDArray[np.str_]) -> NDArray[np.uint64]:
    """A 64-bit hash of each fixed-width string (its code points, word by word)."""
    a = np.ascontiguousarray(ids)
    size = a.dtype.itemsize
    out = np.zeros(a.shape[0], dtype=np.uint64)
    if size == 0 or a.shape[0] == 0:
        return out
    words = (
        a.view(np.uint64).reshape(-1, size // 8)
        if size % 8 == 0
        else a.view(np.uint32).reshape(-1, size // 4)
    )
    with np.errstate(over="ignore"):
        for j in range(words.shape[1]):  # a loop over characters, not items
            out *= _MIX
            out ^= words[:, j].astype(np.uint64)
        out ^= out >> np.uint64(29)
        out *= _MIX
        out ^= out >> np.uint64(32)
    return out


def locate(ids: NDArray[np.str_], keys: NDArray[np.str_], what: str) -> NDArray[np.intp]:
    """Row of each key in ``ids`` (unique partner ids); raise for a key not among them.

    An open-addressing hash table built and probed with whole-array numpy
    operations (a few rounds of linear probing); every match is confirmed by
    comparing the strings, so the answer is exact whatever the hash does.
    """
    n = ids.shape[0]
    m = keys.shape[0]
    if m == 0:
        return np.zeros(0, dtype=np.intp)
    if n == 0:
        raise InvalidInputError(f"{what}: partner {str(keys[0])!r} is not among the partners")
    bits = max(int(4 * n - 1).bit_length(), 4)  # a load of at most 1/4: short probes
    size = 1 << bits
    mask = np.uint64(size - 1)
    hp = _hash(ids)
    table = np.full(size, -1, dtype=np.intp)
    todo = np.arange(n, dtype=np.intp)
    slot = (hp & mask).astype(np.intp)
    while todo.size:  # insert: each round places one partner per free slot
        s = slot[todo]
        free = table[s] < 0
        cand, cs = todo[free], s[free]
        table[cs] = cand  # of several candidates for one slot, one write wins
        placed = np.zeros(todo.size, dtype=bool)
        placed[free] = table[cs] == cand
        todo = todo[~placed]
        slot[todo] = (slot[todo] + 1) & (size - 1)
    hk = _hash(keys)
    rows = np.full(m, -1, dtype=np.intp)
    todo = np.arange(m, dtype=np.intp)
    probe = (hk & mask).astype(np.intp)
    while todo.size:  # look up: follow each key's probe sequence to its id or a free slot
        r = table[probe[todo]]
        empty = r < 0
        hit = ~empty
        hit[hit] = hp[r[hit]] == hk[todo[hit]]
        rows[todo[hit]] = r[hit]
        todo = todo[~hit & ~empty]
        probe[todo] = (probe[todo] + 1) & (size - 1)
    found = rows >= 0
    if found.all():
        same = ids[rows] == keys
        if same.all():
            return rows
        found &= same  # pragma: no cover - a 64-bit hash collision
    if not found.all():  # pragma: no branch
        bad = int(np.argmin(found))
        if rows[bad] >= 0:  # pragma: no cover - a 64-bit collision: exact search
            order = np.argsort(ids)
            pos = np.minimum(np.searchsorted(ids[order], keys), n - 1)
            exact = order[pos]
            ok = ids[exact] == keys
            if ok.all():
                return np.asarray(exact, dtype=np.intp)
            bad = int(np.argmin(ok))
        raise InvalidInputError(
            f"{what}: row {bad} belongs to partner {str(keys[bad])!r}, which is not among "
            "the partners evaluated; pass only their items"
        )
    return rows  # pragma: no cover
