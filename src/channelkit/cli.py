"""The ``channelkit`` command.

``channelkit demo`` prints a report on the example channel shipped with the
package; ``channelkit segments PARTNERS.csv`` prints the channel-shape report
for a user's own partners; ``channelkit example NAME`` writes a shipped
example file to copy and edit. Every subcommand is one ``_add_<name>``
function that registers its parser and a handler; the demo is a list of
sections.

Output formats
--------------
Every analysis command takes ``--format text|json|csv``:

* ``text`` (the default): the human report, the result's ``summary()``;
* ``json``: one object ``{"result": class name, "headline": {name: number},
  "rows": [...]}``, the rows of the result's ``to_frame()`` as records
  (``demo`` prints ``{"result": "demo", "sections": [...]}`` with one such
  object per section). NaN and infinities are written as ``null``, so every
  output is valid JSON;
* ``csv``: the rows of ``to_frame()``, with a header, quoted so that pandas
  and channelkit's readers read them back.

Errors
------
Every failure prints one line to stderr, ``channelkit: error: ...`` (status 1)
or, for a usage error such as a missing or conflicting option,
``channelkit COMMAND: error: ...`` (status 2); never a traceback. Set the
environment variable ``CHANNELKIT_TRACEBACK=1`` to see the traceback of an
unexpected error.
"""

from __future__ import annotations

import argparse
import csv
import errno
import functools
import gzip
import itertools
import json
import math
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn, cast

from ._version import __version__
from .errors import ChannelkitError, InvalidInputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .capacity import CapacityPlan

__all__ = ["main"]

Handler = Callable[[argparse.Namespace], int]

#: The output formats of ``--format``.
FORMATS = ("text", "json", "csv")
#: Environment variable that shows the traceback of an unexpected error.
TRACEBACK_ENV = "CHANNELKIT_TRACEBACK"


# --------------------------------------------------------------------------- helpers
def _title(text: str) -> str:
    return f"{text}\n{'=' * len(text)}"


def _out(text: str) -> None:
    sys.stdout.write(text.rstrip("\n") + "\n")


def _err(text: str) -> None:
    """Write ``text`` to stderr as exactly one line (line breaks become spaces)."""
    stream = sys.stderr
    if stream is None:  # stderr closed too: nothing can be said
        return
    line = " ".join(part for part in text.splitlines() if part) or text
    try:
        stream.write(line + "\n")
        stream.flush()
    except (OSError, ValueError):  # pragma: no cover - stderr unwritable
        pass


def _shorten(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr (status 2)."""

    def error(self, message: str) -> NoReturn:
        _err(f"{self.prog}: error: {message} (see '{self.prog} --help')")
        raise SystemExit(2)


def _usage_error(args: argparse.Namespace, message: str) -> NoReturn:
    """A usage error of the subcommand that ``args`` belong to (status 2)."""
    parser: argparse.ArgumentParser = args.parser
    parser.error(message)


def _int_in(low: int, high: int) -> Callable[[str], int]:
    """argparse type: a whole number in [low, high]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            digits = text.strip().lstrip("+")
            if digits.isdigit():  # beyond Python's limit on the digits of an int
                raise argparse.ArgumentTypeError(
                    f"expected a whole number <= {high:,}, got a {len(digits)}-digit number"
                ) from None
            raise argparse.ArgumentTypeError(
                f"expected a whole number >= {low}, got {_shorten(text)!r}"
            ) from None
        if value < low:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {low}, got {value}")
        if value > high:
            raise argparse.ArgumentTypeError(
                f"expected a whole number <= {high:,}, got {_shorten(str(value))}"
            )
        return value

    parse.__name__ = "whole number"
    return parse


def _finite_float(*, positive: bool = False) -> Callable[[str], float]:
    """argparse type: a finite number (> 0 when ``positive``)."""

    def parse(text: str) -> float:
        want = "a positive number" if positive else "a finite number"
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {want}, got {_shorten(text)!r}") from None
        if not math.isfinite(value) or (positive and value <= 0):
            raise argparse.ArgumentTypeError(f"expected {want}, got {_shorten(text)!r}")
        return value

    parse.__name__ = "number"
    return parse


#: The largest ``--top``, ``--max-moves``... the command accepts: far above any
#: channel, far below the integers that would overflow an array index.
_BIG = 10**9
_positive_int = _int_in(1, _BIG)


def _add_format(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (the report, default), json (headline numbers and rows) or csv (rows)",
    )


def _needs(module: str, extra: str) -> None:
    """Fail early, in one line naming the extra, when an optional dependency is missing."""
    from ._optional import import_optional

    import_optional(module, extra)


def _check_utf8(path: str) -> None:
    """Raise InvalidInputError naming ``path`` if the file is not UTF-8 text."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return  # the reader reports a missing or unreadable file in its own words
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}); "
            "save the file as UTF-8"
        ) from None


# --------------------------------------------------------------------------- output formats
def _frame_of(result: Any, **kwargs: Any) -> pd.DataFrame:
    """``result.to_frame(**kwargs)`` with a meaningful index turned into columns."""
    import pandas as pd

    frame: pd.DataFrame = result.to_frame(**kwargs)
    index = frame.index
    default = (
        isinstance(index, pd.RangeIndex)
        and index.start == 0
        and index.step == 1
        and index.name is None
    )
    return frame if default else frame.reset_index()


def _missing(value: Any) -> bool:
    """True for pandas' missing scalars (NA, NaT) and float NaN."""
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError, ImportError):  # arrays, exotic objects
        return False


def _plain(value: Any) -> Any:
    """A JSON value: numbers, str, bool or None (NaN and infinities become None)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item) and getattr(value, "ndim", None) == 0:
        converted = item()
        if converted is not value:
            return _plain(converted)
    if _missing(value):
        return None
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    return str(value)


def _columns(frame: pd.DataFrame) -> tuple[list[str], list[list[Any]]]:
    names = [str(c) for c in frame.columns]
    return names, [frame.iloc[:, j].tolist() for j in range(frame.shape[1])]


def _headline(result: Any) -> dict[str, Any]:
    """``result.headline()`` as JSON values, or ``{}`` for a result without one."""
    method = getattr(result, "headline", None)
    if not callable(method):
        return {}
    return {str(k): _plain(v) for k, v in dict(method()).items()}


def _payload(result: Any, **kwargs: Any) -> dict[str, Any]:
    """The JSON object of one result: class name, headline numbers, rows."""
    names, cols = _columns(_frame_of(result, **kwargs))
    plain = [[_plain(v) for v in col] for col in cols]
    return {
        "result": type(result).__name__,
        "headline": _headline(result),
        "rows": [dict(zip(names, row)) for row in zip(*plain)],
    }


def _dumps(data: Any) -> str:
    """Strict JSON (no NaN); non-ASCII text escaped, so any terminal can show it."""
    return json.dumps(data, allow_nan=False)


def _csv_cell(value: Any) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    plain = _plain(value)
    return _csv_cell(plain) if not isinstance(plain, str) or plain != value else str(value)


def _write_csv_rows(stream: IO[str], header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Write CSV rows; a row with a carriage return in a cell is quoted in full.

    The csv module quotes cells holding the delimiter, quotes or ``\\n``, but
    not a bare ``\\r`` when the line terminator is ``\\n``; such a file would
    not read back.
    """
    plain = csv.writer(stream, lineterminator="\n")
    quoted = csv.writer(stream, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in itertools.chain([header], rows):
        (quoted if any("\r" in c for c in row) else plain).writerow(row)


def _write_frame_csv(frame: pd.DataFrame, stream: IO[str]) -> None:
    names, cols = _columns(frame)
    text_cols = [[_csv_cell(v) for v in col] for col in cols]
    _write_csv_rows(stream, names, zip(*text_cols))


def _emit(result: Any, fmt: str, text: Callable[[], str], **kwargs: Any) -> None:
    """Print ``result`` in format ``fmt``; ``text()`` gives the human report."""
    if fmt == "json":
        _out(_dumps(_payload(result, **kwargs)))
    elif fmt == "csv":
        _write_frame_csv(_frame_of(result, **kwargs), sys.stdout)
    else:
        _out(text())


def _summary(result: Any) -> str:
    """The human report of a result: ``summary()`` when it is text, else ``report()``."""
    summary = getattr(result, "summary", None)
    if callable(summary):
        text = summary()
        if isinstance(text, str):
            return text
    report: Callable[[], str] = result.report
    return report()


# --------------------------------------------------------------------------- segments
def _section_shape() -> str:
    from .datasets import example_portfolio
    from .segmentation import profile_channel

    return _summary(profile_channel(example_portfolio()))


def _add_column_options(p: argparse.ArgumentParser) -> None:
    """``--column NAME=SOURCE`` (repeatable) and ``--columns FILE``: the export's column names."""
    p.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="NAME=SOURCE",
        help="read channelkit column NAME from the file's column SOURCE, e.g. --column "
        'revenue="Revenue FY2025" (repeatable; product_share=PRODUCT,SERVICES derives the share)',
    )
    p.add_argument(
        "--columns",
        metavar="FILE.toml",
        help='a TOML file with a [columns] table of NAME = "SOURCE" (see --column)',
    )


def _partner_columns(args: argparse.Namespace) -> Any:
    from .io import column_mapping

    return column_mapping(args.column, args.columns)


def _run_segments(args: argparse.Namespace) -> int:
    from .io import read_portfolio_csv
    from .segmentation import profile_channel

    if args.format != "text":
        _needs("pandas", "pandas")
    portfolio = read_portfolio_csv(args.partners, columns=_partner_columns(args))
    profile = profile_channel(
        portfolio, contributor_share=args.contributor_share, tail_share=args.tail_share
    )
    title = _title(f"Channel shape: {Path(args.partners).name}")
    _emit(profile, args.format, lambda: f"{title}\n{_summary(profile)}")
    return 0


def _add_segments(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "segments",
        help="report the shape of a channel from a partners CSV",
        description=(
            "Print size, concentration (Gini, top-5 and top-20%% shares, HHI), Pareto segments, "
            "business-model mix and growth for the partners in PARTNERS.csv (columns: id, "
            "revenue, and optionally revenue_prior, product_share, region and numeric metrics)."
        ),
    )
    p.add_argument("partners", metavar="PARTNERS.csv", help="the partners file")
    p.add_argument(
        "--contributor-share",
        type=_finite_float(),
        default=0.8,
        metavar="S",
        help="revenue share of the contributors (default 0.8)",
    )
    p.add_argument(
        "--tail-share",
        type=_finite_float(),
        default=0.05,
        metavar="S",
        help="largest revenue share of the long tail (default 0.05)",
    )
    _add_column_options(p)
    _add_format(p)
    p.set_defaults(handler=_run_segments, parser=p)


# --------------------------------------------------------------------------- tiers
def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _tiers_report(ev: Any, gaps: Any, *, closest: int = 10, audit: bool = False) -> str:
    """Tier counts, revenue per tier, partners closest to their next tier (and findings).

    ``ev`` is the :class:`~channelkit.tiers.Evaluation` to report and ``gaps``
    its gaps to the next tier (computed once by the caller and reused).
    """
    from .tiers import audit_program

    program = ev.program
    table = ev.by_tier()
    lines = [
        f"{'Tier':<14}{'Partners':>9}{'Share':>8}{'Revenue':>16}{'Rev. share':>11}"
        f"{'Benefit cost':>15}"
    ]
    for i, name in enumerate(table["tier"]):
        lines.append(
            f"{str(name) or '(no tier)':<14}{int(table['partners'][i]):>9}"
            f"{_pct(float(table['share'][i])):>8}{float(table['revenue'][i]):>16,.0f}"
            f"{_pct(float(table['revenue_share'][i])):>11}"
            f"{float(table['benefit_cost'][i]):>15,.0f}"
        )
    lines.append(
        f"{'Total':<14}{len(ev):>9}{'':>8}{float(table['revenue'].sum()):>16,.0f}{'':>11}"
        f"{float(table['benefit_cost'].sum()):>15,.0f}"
    )
    rows = gaps.closest(closest)
    lines.append("")
    lines.append(
        f"Closest to their next tier (smallest relative shortfall first), top {len(rows)}:"
    )
    if len(ev) == 0:
        lines.append("  (no partners)")
    elif not (gaps.target >= 0).any():
        lines.append("  (every partner is at the top tier)")
    names = [*program.tier_names, ""]
    for i in rows:
        missing = [f"{m} +{v[i]:,.4g}" for m, v in gaps.requirements.items() if v[i] > 0]
        if gaps.points is not None and gaps.points[i] > 0:
            missing.append(f"points +{gaps.points[i]:,.4g}")
        missing.extend(f"{m} > 0" for m, v in gaps.required.items() if v[i])
        current = names[int(gaps.tier[i])] or "(no tier)"
        lines.append(
            f"  {gaps.ids[i]:<10} {current:<12} -> {names[int(gaps.target[i])]:<12} "
            f"{_pct(float(gaps.distance[i])):>7} short: {', '.join(missing)}"
        )
    if audit:
        findings = audit_program(program, ev.partners).findings
        lines.append("")
        lines.append(f"Program audit: {len(findings)} findings")
        lines.extend(f"  [{f.kind}] {f.message}" for f in findings)
    return "\n".join(lines)


def _section_tiers() -> str:
    import attrs

    from .datasets import example_portfolio, example_program
    from .progression import program_impact
    from .tiers import evaluate

    program, portfolio = example_program(), example_portfolio()
    ev = evaluate(program, portfolio)
    report = _tiers_report(ev, ev.gaps("next"), closest=5, audit=True)
    gold = program.tiers[2]
    before = gold.min_score if gold.min_score is not None else 0.0
    tougher = attrs.evolve(gold, min_score=before + 100.0)
    redesign = attrs.evolve(program, tiers=(*program.tiers[:2], tougher, *program.tiers[3:]))
    impact = program_impact(program, redesign, portfolio)
    return (
        f"{report}\n\nRedesign: {gold.name}'s minimum score {before:,.6g} -> "
        f"{tougher.min_score:,.6g} promotes {impact.promoted}, demotes {impact.demoted} and "
        f"keeps {impact.unchanged} partners; benefit cost {impact.benefit_cost_delta:+,.0f} a year."
    )


def _write_gaps_csv(gaps: Any, path: str) -> None:
    columns = gaps.to_columns()
    names = list(columns)
    cols = [[_csv_cell(v) for v in columns[k].tolist()] for k in names]
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        _write_csv_rows(fh, names, zip(*cols))


def _run_tiers(args: argparse.Namespace) -> int:
    from .io import read_portfolio_csv, read_program
    from .tiers import evaluate

    if args.format != "text":
        _needs("pandas", "pandas")
    program = read_program(args.program)
    portfolio = read_portfolio_csv(args.partners, columns=_partner_columns(args))
    title = f"Tiers: {program.name or Path(args.program).name} on {Path(args.partners).name}"
    ev = evaluate(program, portfolio)
    gaps = ev.gaps("next")
    if args.gaps:  # first, so that an unwritable path fails before any output
        _write_gaps_csv(gaps, args.gaps)
    _emit(
        ev,
        args.format,
        lambda: f"{_title(title)}\n{_tiers_report(ev, gaps, closest=args.top, audit=args.audit)}",
    )
    if args.gaps and args.format == "text":
        _out(f"\nGaps to the next tier of {len(gaps)} partners written to {args.gaps}")
    return 0


def _add_tiers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "tiers",
        help="evaluate a tiered program (TOML or JSON) on a partners CSV",
        description=(
            "Place every partner of PARTNERS.csv in the highest tier of PROGRAM (a .toml or "
            ".json program file) whose rules it meets; print partners, revenue and benefit "
            "cost per tier and the partners closest to their next tier."
        ),
    )
    p.add_argument("program", metavar="PROGRAM.toml", help="the program file (.toml or .json)")
    p.add_argument("partners", metavar="PARTNERS.csv", help="the partners file")
    p.add_argument(
        "--gaps",
        metavar="OUT.csv",
        help="write every partner's gaps to its next tier to this CSV file",
    )
    p.add_argument(
        "--top",
        type=_positive_int,
        default=10,
        metavar="K",
        help="how many partners closest to their next tier to list (default 10)",
    )
    p.add_argument("--audit", action="store_true", help="also print the program audit findings")
    _add_column_options(p)
    _add_format(p)
    p.set_defaults(handler=_run_tiers, parser=p)


# --------------------------------------------------------------------------- plan
#: Assumptions of the demo's capacity plan for the example channel.
DEMO_GROWTH = 0.25
DEMO_SIMS = 1_000


@functools.cache
def _demo_plan() -> CapacityPlan:
    """The demo's capacity plan: grow the example channel's revenue by DEMO_GROWTH (cached:
    the capacity and coverage sections tell one story)."""
    from .capacity import Segment, plan_capacity
    from .datasets import example_portfolio
    from .workload import WorkloadModel

    partners = example_portfolio()
    target = (1.0 + DEMO_GROWTH) * float(partners.revenue.sum())
    # recruits look like today's partners (their revenue, resampled), ramp up over
    # 6 months, 15 % leave a year and 40 % of signed prospects become productive;
    # 10 % of the current partners leave during the year.
    new = Segment(
        "new partners",
        partners.revenue[partners.revenue > 0],
        ramp_months=6,
        attrition=0.15,
        conversion=0.4,
        workload=WorkloadModel(),
        profile=partners,
    )
    return plan_capacity(
        target,
        [new],
        existing=partners,
        existing_attrition=0.1,
        n_sims=DEMO_SIMS,
        seed=2026,
        distributor_threshold=25_000,
        existing_hours_per_partner=WorkloadModel(),
    )


def _section_capacity() -> str:
    from .datasets import example_managers, example_portfolio

    today = len(example_managers())
    current = float(example_portfolio().revenue.sum())
    target = (1.0 + DEMO_GROWTH) * current
    plan = _demo_plan()
    return (
        f"Grow revenue by {DEMO_GROWTH:.0%} next year: from {current:,.0f} to {target:,.0f}.\n"
        "Assumptions: 10% of today's partners leave; recruits sell like today's partners\n"
        "(resampled), ramp up over 6 months, 15% leave a year, 40% of prospects convert;\n"
        "partners selling under 25,000 a year go to distributors; manager hours per partner,\n"
        f"old or new, from the default WorkloadModel (today: {today} managers).\n\n"
        + _summary(plan)
    )


#: Options of ``plan`` that make no sense with ``--example`` (attribute, option, default).
_PLAN_OPTIONS = (
    ("scenario", "SCENARIO.toml", None),
    ("n_sims", "--n-sims", None),
    ("seed", "--seed", None),
    ("confidence", "--confidence", None),
    ("workers", "--workers", None),
    ("progress", "--progress", False),
    ("format", "--format", "text"),
)


def _run_plan(args: argparse.Namespace) -> int:
    from .capacity import plan_capacity
    from .datasets import example_path

    if args.example:
        given = [opt for key, opt, default in _PLAN_OPTIONS if getattr(args, key) != default]
        if given:
            _usage_error(
                args,
                f"--example prints the example scenario and takes no other argument "
                f"(got {', '.join(given)}); run a scenario file without --example",
            )
        _out(example_path("scenario").read_text(encoding="utf-8"))
        return 0
    if args.scenario is None:
        raise ChannelkitError("give a SCENARIO.toml file (or --example to print one)")
    if args.progress:
        _needs("tqdm", "progress")
    if args.format != "text":
        _needs("pandas", "pandas")
    from ._scenario import load_scenario

    _check_utf8(args.scenario)
    kwargs = load_scenario(args.scenario)
    for key in ("n_sims", "seed", "confidence"):
        value = getattr(args, key)
        if value is not None:
            kwargs[key] = value
    plan = plan_capacity(**kwargs, workers=args.workers, progress=args.progress)
    title = _title(f"Scenario: {Path(args.scenario).name}")
    _emit(plan, args.format, lambda: f"{title}\n{_summary(plan)}")
    return 0


def _add_plan(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "plan",
        help="plan partners, recruits and managers for a revenue target (Monte Carlo)",
        description=(
            "Find the smallest channel that reaches the scenario's revenue target with the "
            "requested confidence, and the recruits and channel managers it needs. "
            "SCENARIO.toml holds target, segments ([[segments]] tables) and options; "
            "print an example with --example."
        ),
    )
    p.add_argument("scenario", metavar="SCENARIO.toml", nargs="?", help="the scenario file")
    p.add_argument("--example", action="store_true", help="print an example scenario and exit")
    p.add_argument(
        "--n-sims", type=_int_in(1, 10**8), default=None, metavar="N", help="override n_sims"
    )
    p.add_argument(
        "--seed", type=_int_in(0, 2**64 - 1), default=None, metavar="S", help="override seed"
    )
    p.add_argument(
        "--confidence", type=_finite_float(), default=None, metavar="P", help="override confidence"
    )
    p.add_argument(
        "--workers",
        type=_int_in(1, 1024),
        default=None,
        metavar="W",
        help="worker processes (default: 1)",
    )
    p.add_argument("--progress", action="store_true", help="show a progress bar (needs tqdm)")
    _add_format(p)
    p.set_defaults(handler=_run_plan, parser=p)


# --------------------------------------------------------------------------- balance
def _section_balancing() -> str:
    from .balancing import assign_portfolio
    from .datasets import example_managers, example_portfolio
    from .partners import Manager

    portfolio, team = example_portfolio(), example_managers()
    first = assign_portfolio(portfolio, team)
    a = first.assignment
    lines = [
        "Workload from channelkit.WorkloadModel() (hours a year per partner), balanced so "
        "that the largest load relative to capacity is as small as possible; a partner goes "
        "to a manager of its region.",
        "",
        _summary(first),
        "",
    ]
    # a reorganisation: the busiest region hires a manager; move at most 12 partners
    rel = a.relative_loads
    busiest = team[int(rel.argmax())].region
    hire = Manager("M21", capacity=2000.0, max_partners=40, region=busiest)
    second = assign_portfolio(portfolio, [*team, hire], current=first.mapping, max_moves=12)
    b = second.assignment
    now = [*team, hire][int(b.relative_loads.argmax())]
    lines.append(
        f"Reorganisation: {busiest} is the busiest region ({rel.max():.1%} of capacity). "
        f"Hiring M21 for {busiest} and moving at most 12 partners: {b.moves} moves, M21 takes "
        f"{int(b.counts[-1])} partners ({b.loads[-1]:,.0f} h), and the largest load is now "
        f"{b.value:.1%} ({now.id}, {now.region}); lower bound {b.lower_bound:.1%}."
    )
    return "\n".join(lines)


def _run_balance(args: argparse.Namespace) -> int:
    from .balancing import assign_portfolio
    from .io import read_assignment_csv, read_managers_csv, read_portfolio_csv
    from .workload import WorkloadModel

    if args.format != "text":
        _needs("pandas", "pandas")
    if args.max_moves is not None and args.current is None:
        _usage_error(args, "--max-moves needs --current (today's assignment)")
    portfolio = read_portfolio_csv(args.partners, columns=_partner_columns(args))
    team = read_managers_csv(args.managers)
    current = read_assignment_csv(args.current) if args.current else None
    hours = portfolio.column(args.hours_column) if args.hours_column else None
    res = assign_portfolio(
        portfolio,
        team,
        model=WorkloadModel(),
        hours=hours,
        current=current,
        max_moves=args.max_moves,
        spread_top=args.spread_top,
        method=args.method,
        time_limit=args.time_limit,
    )
    if args.output:
        from .io import write_assignment_csv

        write_assignment_csv(res, args.output)
    if args.format != "text":
        _emit(res, args.format, lambda: "")
        return 0
    report = [
        _title(f"Balanced assignment: {Path(args.partners).name} -> {Path(args.managers).name}"),
        _summary(res),
    ]
    if args.output:
        report.append(f"assignment written to {args.output}")
        _out("\n".join(report))
    else:  # the CSV on stdout, the report on stderr
        if sys.stderr is not None:
            sys.stderr.write("\n".join(report) + "\n")
        _write_csv_rows(sys.stdout, ["partner", "manager"], list(res.mapping.items()))
    return 0


def _add_balance(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "balance",
        help="assign partners to channel managers, balancing their workload",
        description=(
            "Assign the partners in PARTNERS.csv to the managers in MANAGERS.csv (columns id, "
            "capacity, max_partners, region) so that the largest workload relative to capacity "
            "is as small as possible. Workload comes from channelkit's WorkloadModel (columns "
            "product_lines, technical_level, employees, region) or from --hours-column. Prints "
            "the load table and the gap to the lower bound; the assignment (partner,manager) "
            "goes to -o OUT.csv, or to stdout with the report on stderr."
        ),
    )
    p.add_argument("partners", metavar="PARTNERS.csv", help="the partners file")
    p.add_argument("managers", metavar="MANAGERS.csv", help="the managers file")
    p.add_argument(
        "--current",
        metavar="ASSIGNMENT.csv",
        help="today's assignment (columns partner, manager); fewest moves win among equals",
    )
    p.add_argument(
        "--max-moves",
        type=_int_in(0, _BIG),
        metavar="K",
        help="move at most K partners away from --current",
    )
    p.add_argument("-o", "--output", metavar="OUT.csv", help="write the assignment here")
    p.add_argument(
        "--hours-column", metavar="NAME", help="take each partner's hours from this column"
    )
    p.add_argument(
        "--spread-top",
        type=_int_in(0, _BIG),
        metavar="K",
        help="spread the K largest partners by revenue evenly across managers",
    )
    p.add_argument(
        "--method", choices=("auto", "exact", "fast"), default="auto", help="default: auto"
    )
    p.add_argument(
        "--time-limit",
        type=_finite_float(positive=True),
        metavar="S",
        help="stop searching after S seconds",
    )
    _add_column_options(p)
    _add_format(p)
    p.set_defaults(handler=_run_balance, parser=p)


# --------------------------------------------------------------------------- fit, backtest
def _read_history(args: argparse.Namespace) -> Any:
    from .history import PartnerHistory

    # (the reader decodes the file, gzip-compressed or not, and says what is wrong)
    return PartnerHistory.from_csv(
        args.history,
        id=args.id,
        period=args.period,
        joined=args.joined,
        left=args.left,
        columns=_partner_columns(args),
    )


def _add_history_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("history", metavar="HISTORY.csv", help="one row per partner and month")
    p.add_argument("--id", default="id", metavar="COLUMN", help="partner id column (default: id)")
    p.add_argument(
        "--period", default="period", metavar="COLUMN", help="month column (default: period)"
    )
    p.add_argument(
        "--joined", default=None, metavar="COLUMN", help="join month column (default: first row)"
    )
    p.add_argument(
        "--left", default=None, metavar="COLUMN", help="exit month column (default: last row)"
    )
    p.add_argument("--by", default=None, metavar="ATTRIBUTE", help="one segment per value")
    _add_column_options(p)
    p.add_argument(
        "--seed", type=_int_in(0, 2**64 - 1), default=None, metavar="S", help="random seed"
    )


def _run_fit(args: argparse.Namespace) -> int:
    from .calibration import calibrate

    if args.format != "text":
        _needs("pandas", "pandas")
    history = _read_history(args)
    cal = calibrate(history, by=args.by, seed=args.seed)
    if args.output is not None:
        revenue = float(history.portfolio().revenue.sum())
        text = cal.to_toml(args.target if args.target is not None else revenue, seed=args.seed)
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ChannelkitError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    title = _title(f"History: {Path(args.history).name}")
    _emit(cal, args.format, lambda: f"{title}\n{_summary(cal)}")
    return 0


def _add_fit(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "fit",
        help="fit attrition, ramp, productivity and conversion from a partner history",
        description=(
            "Calibrate capacity-plan segments from a monthly partner history (long format: "
            "one row per partner and month) and print every estimate with its 95 %% interval. "
            "With -o, write the segments as a scenario for 'channelkit plan'."
        ),
    )
    _add_history_options(p)
    p.add_argument(
        "-o", "--output", default=None, metavar="SCENARIO.toml", help="write a scenario file"
    )
    p.add_argument(
        "--target",
        type=_finite_float(positive=True),
        default=None,
        metavar="T",
        help="the scenario's target (default: the last 12 months' revenue)",
    )
    _add_format(p)
    p.set_defaults(handler=_run_fit, parser=p)


def _run_backtest(args: argparse.Namespace) -> int:
    from .calibration import backtest

    if args.format != "text":
        _needs("pandas", "pandas")
    history = _read_history(args)
    bt = backtest(
        history,
        cutoffs=args.cutoffs,
        horizon_months=args.horizon,
        n_sims=args.n_sims,
        by=args.by,
        seed=args.seed,
    )
    title = _title(f"History: {Path(args.history).name}")
    _emit(bt, args.format, lambda: f"{title}\n{_summary(bt)}")
    return 0


def _add_backtest(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "backtest",
        help="check calibrated forecasts made at past months against what happened",
        description=(
            "At each of the last CUTOFFS months that leave a full horizon after them, calibrate "
            "on the data up to it, forecast the next months, and compare with the actual "
            "revenue: P10-P90 coverage and the median's error."
        ),
    )
    _add_history_options(p)
    p.add_argument(
        "--cutoffs", type=_int_in(1, 1000), default=12, metavar="K", help="cutoffs (default: 12)"
    )
    p.add_argument(
        "--horizon", type=_int_in(1, 600), default=12, metavar="M", help="months (default: 12)"
    )
    p.add_argument(
        "--n-sims", type=_int_in(1, 10**7), default=1000, metavar="N", help="default: 1000"
    )
    _add_format(p)
    p.set_defaults(handler=_run_backtest, parser=p)


def _section_calibration() -> str:
    from .calibration import backtest, calibrate
    from .datasets import example_history

    history = example_history()
    cal = calibrate(history, seed=0)
    bt = backtest(history, cutoffs=12, n_sims=300, seed=0)
    return (
        "Parameters fitted from the example channel's 36-month history "
        "(channelkit fit HISTORY.csv):\n\n"
        f"{cal.summary()}\n\n"
        f"Backtest of 12-month forecasts at {bt.cutoffs.size} monthly cutoffs "
        f"({bt.cutoffs[0]} to {bt.cutoffs[-1]}): the P10-P90 interval covered the actual "
        f"revenue at {int(bt.covered.sum())} of {bt.cutoffs.size} cutoffs "
        f"({bt.coverage:.0%}); the median forecast was off by {bt.median_abs_error:.1%} "
        "(median absolute error)."
    )


# --------------------------------------------------------------------------- coverage
def _read_motions(path: str | None) -> dict[str, Any]:
    """Motions and options from a TOML file: ``[[motions]]`` tables and top-level keys."""
    import tomllib

    from .coverage import Motion, default_motions

    if path is None:
        return {"motions": default_motions()}
    with open(path, "rb") as fh:
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ChannelkitError(f"{path}: not valid TOML: {exc}") from None
    known = {"motions", "margin", "manager_cost", "minimum", "gap", "time_limit"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ChannelkitError(f"{path}: unknown key(s) {unknown}; expected {sorted(known)}")
    out: dict[str, Any] = {k: v for k, v in data.items() if k != "motions"}
    tables = data.get("motions")
    if tables is None:
        out["motions"] = default_motions()
    else:
        if not isinstance(tables, list) or not tables:
            raise ChannelkitError(f"{path}: motions must be a list of [[motions]] tables")
        fields = {"name", "hours", "hours_factor", "cost", "uplift", "capacity", "role"}
        motions = []
        for j, table in enumerate(tables):
            extra = sorted(set(table) - fields)
            if extra:
                raise ChannelkitError(f"{path}: motions[{j}] has unknown key(s) {extra}")
            if "name" not in table:
                raise ChannelkitError(f"{path}: motions[{j}] needs a name")
            motions.append(
                Motion(table["name"], **{k: v for k, v in table.items() if k != "name"})
            )
        out["motions"] = motions
    return out


def _run_coverage(args: argparse.Namespace) -> int:
    from .coverage import staff_channel
    from .io import read_managers_csv, read_portfolio_csv

    portfolio = read_portfolio_csv(args.partners)
    team = read_managers_csv(args.managers)
    opts = _read_motions(args.motions)
    margin = args.margin if args.margin is not None else opts.pop("margin", 0.3)
    opts.pop("margin", None)
    staff = staff_channel(portfolio, team, opts.pop("motions"), margin=margin, seed=0, **opts)
    _out(_title(f"Coverage: {Path(args.partners).name} with {Path(args.managers).name}"))
    _out(staff.coverage.summary())
    _out("")
    _out(staff.summary())
    return 0


def _add_coverage(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "coverage",
        help="who gets a manager, a distributor or self-service; headcount, hires and books",
        description=(
            "Give every partner in PARTNERS.csv a coverage motion (default: self-service, "
            "distributor, territory manager, partner manager) that maximises the expected "
            "contribution within the hours of the managers in MANAGERS.csv, then balance the "
            "managed partners over the managers. MOTIONS.toml holds [[motions]] tables (name, "
            "hours, hours_factor, cost, uplift, capacity, role) and options margin, "
            "manager_cost (hire while a manager pays), minimum (segment -> motion), gap, "
            "time_limit."
        ),
    )
    p.add_argument("partners", metavar="PARTNERS.csv", help="the partners file")
    p.add_argument("managers", metavar="MANAGERS.csv", help="the managers file")
    p.add_argument("motions", metavar="MOTIONS.toml", nargs="?", help="motions and options")
    p.add_argument("--margin", type=float, metavar="M", help="contribution margin (default 0.3)")
    p.set_defaults(handler=_run_coverage)


def _section_coverage() -> str:
    from .coverage import staff_channel
    from .datasets import example_managers, example_portfolio

    partners, team = example_portfolio(), example_managers()
    plan = _demo_plan()
    staff = staff_channel(
        partners, team, margin=0.3, plan=plan, minimum={"contributor": "partner manager"}, seed=0
    )
    return (
        f"The same +{DEMO_GROWTH:.0%} plan, region by region: {plan.managers} managers in one "
        f"pool, {sum(plan.managers_by_region.values())} when each region rounds up; the hours "
        "its recruits need are kept free, and today's partners get the motion that earns most "
        "within the rest (30% margin, contributors keep a partner manager).\n\n" + staff.summary()
    )


# --------------------------------------------------------------------------- demo
def _section_history() -> str:
    from .datasets import example_history

    return example_history().summary()


#: The sections of ``channelkit demo``, in order: (title, function returning the text).
DEMO_SECTIONS: list[tuple[str, Callable[[], str]]] = [
    ("Channel shape", _section_shape),
    ("The channel over three years", _section_history),
    ("Tiers", _section_tiers),
    ("Capacity", _section_capacity),
    ("Coverage, headcount and books", _section_coverage),
    ("Balancing partners across managers", _section_balancing),
    ("Calibration from history", _section_calibration),
]


def _demo_results() -> list[tuple[str, Any]]:
    """The demo's results, one per section: (title, result)."""
    from .balancing import assign_portfolio
    from .datasets import example_managers, example_portfolio, example_program
    from .segmentation import profile_channel
    from .tiers import evaluate

    portfolio = example_portfolio()
    return [
        ("Channel shape", profile_channel(portfolio)),
        ("Tiers", evaluate(example_program(), portfolio)),
        ("Capacity", _demo_plan()),
        ("Balancing partners across managers", assign_portfolio(portfolio, example_managers())),
        ("Calibration from history", _demo_calibration()),
    ]


def _demo_calibration() -> Any:
    from .calibration import calibrate
    from .datasets import example_history

    return calibrate(example_history(), seed=0)


def _demo_partner_frame(results: list[tuple[str, Any]]) -> pd.DataFrame:
    """One row per partner of the example channel: tier, score, segment, manager, hours."""
    import numpy as np

    from .datasets import example_portfolio
    from .segmentation import pareto_segments

    found = dict(results)
    frame = _frame_of(found["Tiers"])
    portfolio = example_portfolio()
    frame["region"] = np.asarray(portfolio.region, dtype=object)
    frame["revenue"] = np.asarray(portfolio.revenue)
    frame["segment"] = np.asarray(pareto_segments(portfolio.revenue))
    balance = found["Balancing partners across managers"]
    frame["manager"] = np.asarray(balance.manager_of)
    frame["hours"] = np.asarray(balance.hours)
    return frame


def _run_demo(args: argparse.Namespace) -> int:
    if args.format != "text":
        _needs("pandas", "pandas")
        results = _demo_results()
        if args.format == "json":
            sections = [{"title": title, **_payload(result)} for title, result in results]
            _out(_dumps({"result": "demo", "sections": sections}))
        else:
            _write_frame_csv(_demo_partner_frame(results), sys.stdout)
        return 0
    _out(
        f"channelkit {__version__} demo: the example channel "
        "(500 partners of a software vendor, 20 channel managers)"
    )
    for title, section in DEMO_SECTIONS:
        _out("")
        _out(_title(title))
        _out(section())
    return 0


def _add_demo(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="print a report on the example channel shipped with channelkit",
        description=(
            "Run channelkit's main analyses on the embedded example channel. With --format "
            "json: one object per section; with --format csv: one row per partner (tier, "
            "score, Pareto segment, manager, hours)."
        ),
    )
    _add_format(p)
    p.set_defaults(handler=_run_demo, parser=p)


# --------------------------------------------------------------------------- example
def _run_example(args: argparse.Namespace) -> int:
    from .datasets import example_path

    source = example_path(args.name)
    data = source.read_bytes()
    name = source.name
    packed = name.endswith(".gz")
    if packed:  # written as plain CSV unless the target itself ends with .gz
        name = name.removesuffix(".gz")
    if args.output in (None, "-"):
        _out((gzip.decompress(data) if packed else data).decode("utf-8"))
        return 0
    target = Path(args.output)
    if target.is_dir():
        target = target / name
    if packed and not target.name.endswith(".gz"):
        data = gzip.decompress(data)
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise ChannelkitError(f"{target}: cannot write the file: {exc.strerror or exc}") from None
    _out(f"example {args.name} written to {target}")
    return 0


def _add_example(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .datasets import EXAMPLE_FILES

    listing = ", ".join(f"{name} ({file})" for name, file in EXAMPLE_FILES.items())
    p = sub.add_parser(
        "example",
        help="write a shipped example file (partners, managers, program, scenario, history)",
        description=(
            "Write one of the example files shipped with channelkit to stdout or to a path, "
            f"to copy and edit: {listing}."
        ),
    )
    p.add_argument("name", metavar="NAME", choices=tuple(EXAMPLE_FILES), help=listing)
    p.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="write the file here (a directory: under its shipped name) instead of stdout",
    )
    p.set_defaults(handler=_run_example, parser=p)


#: Functions that register the subcommands, in the order ``--help`` lists them.
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _add_demo,
    _add_plan,
    _add_segments,
    _add_tiers,
    _add_balance,
    _add_fit,
    _add_backtest,
    _add_example,
    _add_coverage,
]


# --------------------------------------------------------------------------- entry point
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``channelkit`` command."""
    parser = _Parser(
        prog="channelkit",
        description="Model channel partner programs: channel shape, tiers, manager "
        "load balancing and capacity planning.",
    )
    parser.add_argument("--version", action="version", version=f"channelkit {__version__}")
    sub = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", metavar="COMMAND"),
    )
    for add in SUBCOMMANDS:
        add(sub)
    return parser


#: errno values of a failed write to standard output (full disk, closed descriptor...).
_WRITE_ERRORS = {errno.ENOSPC, errno.EBADF, errno.EIO, errno.EFBIG, errno.EDQUOT}


def _message(exc: BaseException) -> str:
    """One line that tells the user what went wrong, for any exception."""
    if isinstance(exc, ChannelkitError | ImportError):
        return str(exc)
    if isinstance(exc, OSError):
        if exc.filename is not None:
            return f"{exc.filename}: {exc.strerror or exc}"
        if exc.errno in _WRITE_ERRORS:
            return f"cannot write the output: {exc.strerror or exc}"
        return str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return (
            f"cannot read the input as UTF-8 text (byte 0x{exc.object[exc.start]:02x} at "
            f"position {exc.start}); save the file as UTF-8"
        )
    if isinstance(exc, UnicodeEncodeError):
        return f"cannot write {exc.object[exc.start : exc.end]!r} as {exc.encoding}: {exc.reason}"
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to read"
    if isinstance(exc, OverflowError):
        return f"a number in the input is too large: {exc}"
    if isinstance(exc, MemoryError):
        return "out of memory; the input or the requested computation is too large"
    return (
        f"unexpected {type(exc).__name__}: {exc}; this is a bug in channelkit, please report "
        f"it (set {TRACEBACK_ENV}=1 to see the traceback)"
    )


def _silence_stdout() -> None:
    """Point file descriptor 1 at devnull, so that the interpreter's final flush stays quiet."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _flush_stdout() -> None:
    """Flush what was printed; if that fails, drop it rather than fail again at exit."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError):
        _silence_stdout()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``channelkit`` command; return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 when the command failed (one line on stderr), 2 for a
        usage error (argparse raises ``SystemExit(2)`` after one line on stderr).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    if sys.stdout is None:  # started with stdout closed (`channelkit demo >&-`)
        _err("channelkit: error: standard output is closed; redirect it to a file or /dev/null")
        return 1
    try:
        status = handler(args)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # The reader went away (``channelkit demo | head``): not an error of ours.
        _silence_stdout()
        return 0
    except KeyboardInterrupt:  # pragma: no cover
        _err("channelkit: interrupted")
        _flush_stdout()
        return 130
    except Exception as exc:
        if os.environ.get(TRACEBACK_ENV):
            raise
        _err(f"channelkit: error: {_message(exc)}")
        _flush_stdout()
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
