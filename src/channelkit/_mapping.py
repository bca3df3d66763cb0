"""Column mapping: the user's column names -> channelkit's names (private helper).

Readers of partner lists and histories take ``columns``, a mapping of a
channelkit name (``"id"``, ``"revenue"``, a metric or attribute name) to the
name of the source column holding it. :func:`resolve_columns` checks a mapping
against a header and returns, for every column that will be read, its
channelkit name and source, so that every reader reports the same mistakes
the same way: a source column that does not exist (the message lists the
headers and suggests the closest one) and two sources for one name.

A value may also be a pair of source columns for a name that is derived from
two columns (``"product_share": ("Product Revenue", "Services Revenue")``);
the reader allows that only for the names in ``pairs``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence

from .errors import InvalidInputError

__all__ = ["Source", "closest", "resolve_columns"]

#: A source: one column's name, or a pair of columns for a derived name.
Source = str | tuple[str, str]


def closest(name: str, options: Iterable[str]) -> str | None:
    """The option most like ``name`` (case-insensitive first, then by similarity), or None.

    Examples
    --------
    >>> closest("Revenue FY2O25", ["Partner ID", "Revenue FY2025", "Region"])
    'Revenue FY2025'
    >>> closest("revenue", ["Revenue"])
    'Revenue'
    >>> closest("xyz", ["abc"]) is None
    True
    """
    opts = [str(o) for o in options]
    folded = {o.casefold().strip(): o for o in opts}
    if name.casefold().strip() in folded:
        return folded[name.casefold().strip()]
    match = difflib.get_close_matches(name, opts, n=1, cutoff=0.5)
    if not match:
        lowered = {o.casefold(): o for o in opts}
        hit = difflib.get_close_matches(name.casefold(), list(lowered), n=1, cutoff=0.5)
        return lowered[hit[0]] if hit else None
    return match[0]


def _missing(source: str, header: Sequence[str], where: str, target: str) -> InvalidInputError:
    guess = closest(source, header)
    hint = f"; did you mean {guess!r}?" if guess is not None else ""
    listed = ", ".join(repr(h) for h in header)
    return InvalidInputError(
        f"{where}: columns maps {target!r} to {source!r}, which is not a column{hint} "
        f"(the columns are: {listed})"
    )


def resolve_columns(
    header: Sequence[str],
    columns: Mapping[str, Source] | None,
    *,
    where: str = "columns",
    pairs: Sequence[str] = (),
    fixed: Mapping[str, str | None] | None = None,
) -> dict[str, Source]:
    """Channelkit name -> source column(s) for every column to read.

    Parameters
    ----------
    header : sequence of str
        The source's column names, in order.
    columns : mapping of str to str or (str, str), optional
        The user's mapping, channelkit name -> source column.
    where : str
        What is being read (a file name, "frame"), for messages.
    pairs : sequence of str
        Names whose source may be a pair of columns.
    fixed : mapping of str to str or None, optional
        Further name -> source choices made by keyword arguments (``id=``,
        ``period=``); None entries are skipped.

    Returns
    -------
    dict
        Every column of ``header`` that is not a mapped source keeps its own
        name; mapped sources appear under their channelkit name. Order: the
        header's order, with derived pairs last.

    Raises
    ------
    InvalidInputError
        For a mapping that is not a mapping of str, a source column that does
        not exist (the message lists the headers and suggests the closest), a
        pair for a name that cannot take one, or two sources for one name.

    Examples
    --------
    >>> resolve_columns(["Partner", "Rev", "Tier"], {"id": "Partner", "revenue": "Rev"})
    {'id': 'Partner', 'revenue': 'Rev', 'Tier': 'Tier'}
    """
    hdr = [str(h) for h in header]
    wanted: dict[str, Source] = {}
    if columns is not None:
        if not isinstance(columns, Mapping):
            raise InvalidInputError(
                f"columns must be a mapping of channelkit name -> source column, "
                f"got {type(columns).__name__}"
            )
        for target, source in columns.items():
            if not isinstance(target, str) or not target.strip():
                raise InvalidInputError(
                    f"columns: names must be non-empty strings, got {target!r}"
                )
            if isinstance(source, tuple | list) and not isinstance(source, str):
                if target not in pairs:
                    allowed = f" (only {', '.join(map(repr, pairs))} can)" if pairs else ""
                    raise InvalidInputError(
                        f"columns[{target!r}] = {tuple(source)!r}: {target!r} cannot be derived "
                        f"from two columns{allowed}"
                    )
                if len(source) != 2 or not all(isinstance(s, str) for s in source):
                    raise InvalidInputError(
                        f"columns[{target!r}] must be a pair of column names, got {source!r}"
                    )
                pair = (source[0], source[1])
                for one in pair:
                    if one not in hdr:
                        raise _missing(one, hdr, where, target)
                wanted[target] = pair
                continue
            if not isinstance(source, str):
                raise InvalidInputError(
                    f"columns[{target!r}] must be a column name (str), got {source!r}"
                )
            if source not in hdr:
                raise _missing(source, hdr, where, target)
            wanted[target] = source
    for target, chosen in (fixed or {}).items():
        if chosen is None:
            continue
        if target in wanted and wanted[target] != chosen:
            raise InvalidInputError(
                f"{where}: two sources for {target!r}: {chosen!r} (the {target}= argument) and "
                f"{wanted[target]!r} (in columns); give one"
            )
        if chosen not in hdr:
            guess = closest(chosen, hdr)
            hint = f"; did you mean {guess!r}?" if guess is not None else ""
            listed = ", ".join(repr(h) for h in hdr)
            raise InvalidInputError(
                f"{where}: {target}={chosen!r} is not a column{hint} (the columns are: {listed})"
            )
        wanted[target] = chosen
    used: set[str] = set()
    for src in wanted.values():
        used.update((src,) if isinstance(src, str) else src)
    out: dict[str, Source] = {}
    by_source = {s: t for t, s in wanted.items() if isinstance(s, str)}
    for h in hdr:
        if h in by_source:
            out[by_source[h]] = h
            # The same source mapped to several names: each gets a copy.
            for t, s in wanted.items():
                if s == h and t not in out:
                    out[t] = h
        elif h not in used:
            if h in wanted:
                raise InvalidInputError(
                    f"{where}: two sources for {h!r}: the column {h!r} and {wanted[h]!r} "
                    f"(in columns); drop one or map the column {h!r} to another name"
                )
            out[h] = h
    for t, s in wanted.items():
        if not isinstance(s, str):
            out[t] = s
    return out
