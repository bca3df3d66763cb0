"""One renderer for every result: text (``summary()``) and HTML (``_repr_html_()``).

A result describes itself once, as a :class:`Report`: a title, headline
:class:`Fact` s, :class:`Table` s and free :class:`Note` lines. The two
renderers below turn that one description into plain text and into HTML, so
the two never drift (the approach of lifelines' printer). ``Fact.value`` keeps
the raw number, which the CLI's ``--format json`` prints beside the rows of
``to_frame()``.

Result classes inherit :class:`ResultMixin`, which provides ``summary()``,
``_repr_html_()`` and ``headline()`` from the class's ``_report()``. The
mixin has no fields and empty ``__slots__``, so it composes with slotted,
frozen attrs classes.

Formatting helpers (:func:`fmt_int`, :func:`fmt_money`, :func:`fmt_pct`,
:func:`fmt_num`) give every report the same number style.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

__all__ = [
    "Fact",
    "Note",
    "Report",
    "ResultMixin",
    "Table",
    "fmt_int",
    "fmt_money",
    "fmt_num",
    "fmt_pct",
    "one_line",
    "render_html",
    "render_text",
]

Scalar = int | float | str | bool | None


# --------------------------------------------------------------------------- number style
def fmt_int(value: float) -> str:
    """An integer count with thousands separators: ``12,345``."""
    if not math.isfinite(value):
        return str(value)
    return f"{round(value):,}"


def fmt_money(value: float) -> str:
    """A currency amount with thousands separators and no decimals: ``1,234,567``."""
    if not math.isfinite(value):
        return str(value)
    return f"{value:,.0f}"


def fmt_pct(value: float, digits: int = 1) -> str:
    """A share as a percentage: ``0.1234`` -> ``12.3%``; NaN as ``n/a``."""
    if math.isnan(value):
        return "n/a"
    return f"{value:.{digits}%}"


def fmt_num(value: float, digits: int = 4) -> str:
    """A general number with ``digits`` significant digits; NaN as ``n/a``."""
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    return f"{value:,.{digits}g}" if abs(value) < 1e15 else f"{value:.{digits}g}"


def _cell(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return fmt_int(value)
    if isinstance(value, float):
        return fmt_num(value)
    return str(value)


# --------------------------------------------------------------------------- report model
@attrs.frozen
class Fact:
    """A headline number: a label, its display text and its raw value.

    ``key`` is the machine name used in JSON output (default: the label in
    snake case).
    """

    label: str
    text: str
    value: Scalar = None
    key: str = attrs.field(default="")

    @property
    def name(self) -> str:
        """The JSON key: ``key`` or the label in snake case."""
        if self.key:
            return self.key
        out = "".join(c.lower() if c.isalnum() else "_" for c in self.label).strip("_")
        while "__" in out:
            out = out.replace("__", "_")
        return out


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


def _rows(rows: Iterable[Iterable[Any]]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(r) for r in rows)


@attrs.frozen
class Table:
    """A table: column names and rows of cells (str, or numbers formatted by :func:`_cell`).

    ``align`` gives ``"l"`` or ``"r"`` per column; by default the first
    column is left-aligned and the others right-aligned.
    """

    columns: tuple[str, ...] = attrs.field(converter=_strings)
    rows: tuple[tuple[Any, ...], ...] = attrs.field(converter=_rows)
    title: str = ""
    align: str = ""

    def cells(self) -> list[list[str]]:
        """The rows as strings."""
        return [[_cell(v) for v in row] for row in self.rows]

    def alignment(self) -> str:
        """One ``l``/``r`` letter per column."""
        if self.align:
            return self.align
        return "l" + "r" * (len(self.columns) - 1)


@attrs.frozen
class Note:
    """A paragraph of free text (one or more lines)."""

    text: str


Block = Fact | Table | Note


def _blocks(items: Iterable[Block]) -> tuple[Block, ...]:
    return tuple(items)


@attrs.frozen
class Report:
    """What a result says about itself: a title and blocks, in order."""

    title: str
    blocks: tuple[Block, ...] = attrs.field(converter=_blocks, factory=tuple)

    @property
    def facts(self) -> list[Fact]:
        """The headline facts, in order."""
        return [b for b in self.blocks if isinstance(b, Fact)]

    @property
    def tables(self) -> list[Table]:
        """The tables, in order."""
        return [b for b in self.blocks if isinstance(b, Table)]


# --------------------------------------------------------------------------- renderers
def _text_table(table: Table) -> list[str]:
    header = list(table.columns)
    body = table.cells()
    align = table.alignment()
    widths = [len(h) for h in header]
    for row in body:
        for k, cell in enumerate(row):
            widths[k] = max(widths[k], len(cell))

    def line(cells: Sequence[str]) -> str:
        out = [
            c.ljust(widths[k]) if align[k] == "l" else c.rjust(widths[k])
            for k, c in enumerate(cells)
        ]
        return "  ".join(out).rstrip()

    lines = [table.title] if table.title else []
    lines.append(line(header))
    lines.append("  ".join("-" * w for w in widths))
    lines += [line(row) for row in body]
    return lines


def render_text(report: Report) -> str:
    """The report as plain text: title, aligned facts, tables and notes."""
    lines = [report.title, "=" * len(report.title)]
    width = max((len(f.label) for f in report.facts), default=0)
    previous: type | None = None
    for block in report.blocks:
        kind = type(block)
        if previous is not None and (kind is not Fact or previous is not Fact):
            lines.append("")
        if isinstance(block, Fact):
            lines.append(f"{block.label.ljust(width)}  {block.text}")
        elif isinstance(block, Table):
            lines += _text_table(block)
        else:
            lines += block.text.splitlines() or [""]
        previous = kind
    return "\n".join(lines)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def render_html(report: Report) -> str:
    """The report as HTML: a heading, a two-column facts table, tables and paragraphs."""
    parts = [f'<div class="channelkit-result"><h4>{_esc(report.title)}</h4>']
    facts: list[Fact] = []

    def flush() -> None:
        if facts:
            rows = "".join(
                f'<tr><th style="text-align:left">{_esc(f.label)}</th>'
                f'<td style="text-align:right">{_esc(f.text)}</td></tr>'
                for f in facts
            )
            parts.append(f'<table class="channelkit-facts">{rows}</table>')
            facts.clear()

    for block in report.blocks:
        if isinstance(block, Fact):
            facts.append(block)
            continue
        flush()
        if isinstance(block, Table):
            align = block.alignment()
            side = {"l": "left", "r": "right"}
            head = "".join(
                f'<th style="text-align:{side[align[k]]}">{_esc(c)}</th>'
                for k, c in enumerate(block.columns)
            )
            body = "".join(
                "<tr>"
                + "".join(
                    f'<td style="text-align:{side[align[k]]}">{_esc(c)}</td>'
                    for k, c in enumerate(row)
                )
                + "</tr>"
                for row in block.cells()
            )
            caption = f"<caption>{_esc(block.title)}</caption>" if block.title else ""
            parts.append(
                f'<table class="channelkit-table">{caption}<thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>"
            )
        else:
            text = "<br>".join(_esc(line) for line in block.text.splitlines())
            parts.append(f"<p>{text}</p>")
    flush()
    parts.append("</div>")
    return "".join(parts)


def one_line(name: str, **fields: Any) -> str:
    """A one-line repr ``Name(a=1, b='x')``: floats to 6 significant digits."""
    shown = []
    for key, value in fields.items():
        if isinstance(value, float):
            shown.append(f"{key}={value:.6g}")
        else:
            shown.append(f"{key}={value!r}")
    return f"{name}({', '.join(shown)})"


# --------------------------------------------------------------------------- the protocol
class ResultMixin:
    """``summary()``, ``_repr_html_()`` and ``headline()`` from one ``_report()``.

    A result class defines ``_report(self) -> Report`` (and its own one-line
    ``__repr__``, ``to_frame()`` and, where a picture helps, ``plot()``).
    """

    __slots__ = ()

    def _report(self) -> Report:  # pragma: no cover - every result overrides it
        raise NotImplementedError

    def summary(self) -> str:
        """The human report as plain text (what the CLI prints)."""
        return render_text(self._report())

    def _repr_html_(self) -> str:
        """The same report as HTML, for notebooks (no pandas needed)."""
        return render_html(self._report())

    def headline(self) -> dict[str, Scalar]:
        """The report's headline numbers as a mapping of name -> raw value."""
        return {f.name: f.value for f in self._report().facts}
