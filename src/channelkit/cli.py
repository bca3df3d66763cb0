"""The ``channelkit`` command.

``channelkit demo`` prints a report on the example channel shipped with the
package; ``channelkit segments PARTNERS.csv`` prints the channel-shape report
for a user's own partners. Every subcommand is one ``_add_<name>`` function
that registers its parser and a handler; the demo is a list of sections.

User errors (a malformed file, a bad option) print one line to stderr and
exit with status 1; no traceback.
"""

from __future__ import annotations

import argparse
import csv
import functools
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import ChannelkitError

if TYPE_CHECKING:
    from .capacity import CapacityPlan

__all__ = ["main"]

Handler = Callable[[argparse.Namespace], int]


# --------------------------------------------------------------------------- helpers
def _title(text: str) -> str:
    return f"{text}\n{'=' * len(text)}"


def _out(text: str) -> None:
    sys.stdout.write(text.rstrip("\n") + "\n")


# --------------------------------------------------------------------------- segments
def _section_shape() -> str:
    from .datasets import example_portfolio
    from .segmentation import profile_channel

    return profile_channel(example_portfolio()).report()


def _run_segments(args: argparse.Namespace) -> int:
    from .io import read_portfolio_csv
    from .segmentation import profile_channel

    portfolio = read_portfolio_csv(args.partners)
    profile = profile_channel(
        portfolio, contributor_share=args.contributor_share, tail_share=args.tail_share
    )
    _out(_title(f"Channel shape: {Path(args.partners).name}"))
    _out(profile.report())
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
        type=float,
        default=0.8,
        metavar="S",
        help="revenue share of the contributors (default 0.8)",
    )
    p.add_argument(
        "--tail-share",
        type=float,
        default=0.05,
        metavar="S",
        help="largest revenue share of the long tail (default 0.05)",
    )
    p.set_defaults(handler=_run_segments)


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
    import csv
    import math

    columns = gaps.to_columns()
    names = list(columns)
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(names)
        cols = [columns[k].tolist() for k in names]
        for row in zip(*cols):
            writer.writerow(
                [
                    ""
                    if isinstance(v, float) and math.isnan(v)
                    else repr(v)
                    if isinstance(v, float)
                    else v
                    for v in row
                ]
            )


def _run_tiers(args: argparse.Namespace) -> int:
    from .io import read_portfolio_csv, read_program
    from .tiers import evaluate

    program = read_program(args.program)
    portfolio = read_portfolio_csv(args.partners)
    title = f"Tiers: {program.name or Path(args.program).name} on {Path(args.partners).name}"
    _out(_title(title))
    ev = evaluate(program, portfolio)
    gaps = ev.gaps("next")
    _out(_tiers_report(ev, gaps, closest=args.top, audit=args.audit))
    if args.gaps:
        _write_gaps_csv(gaps, args.gaps)
        _out(f"\nGaps to the next tier of {len(gaps)} partners written to {args.gaps}")
    return 0


def _positive_int(text: str) -> int:
    """argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return value


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
    p.set_defaults(handler=_run_tiers)


# --------------------------------------------------------------------------- plan
#: Assumptions of the demo's capacity plan for the example channel.
DEMO_GROWTH = 0.25
DEMO_SIMS = 1_000


@functools.cache
def _demo_plan() -> CapacityPlan:
    """The demo's +25 % capacity plan (shared by the capacity and coverage sections)."""
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

    partners = example_portfolio()
    today = len(example_managers())
    current = float(partners.revenue.sum())
    target = (1.0 + DEMO_GROWTH) * current
    plan = _demo_plan()
    return (
        f"Grow revenue by {DEMO_GROWTH:.0%} next year: from {current:,.0f} to {target:,.0f}.\n"
        "Assumptions: 10% of today's partners leave; recruits sell like today's partners\n"
        "(resampled), ramp up over 6 months, 15% leave a year, 40% of prospects convert;\n"
        "partners selling under 25,000 a year go to distributors; manager hours per partner,\n"
        f"old or new, from the default WorkloadModel (today: {today} managers).\n\n"
        + plan.summary()
    )


def _run_plan(args: argparse.Namespace) -> int:
    from .capacity import plan_capacity
    from .datasets import data_path

    if args.example:
        _out(data_path("example_scenario.toml").read_text(encoding="utf-8"))
        return 0
    if args.scenario is None:
        raise ChannelkitError("give a SCENARIO.toml file (or --example to print one)")
    from ._scenario import load_scenario

    kwargs = load_scenario(args.scenario)
    for key in ("n_sims", "seed", "confidence"):
        value = getattr(args, key)
        if value is not None:
            kwargs[key] = value
    plan = plan_capacity(**kwargs, workers=args.workers, progress=args.progress)
    _out(_title(f"Scenario: {Path(args.scenario).name}"))
    _out(plan.summary())
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
    p.add_argument("--n-sims", type=int, default=None, metavar="N", help="override n_sims")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="override seed")
    p.add_argument(
        "--confidence", type=float, default=None, metavar="P", help="override confidence"
    )
    p.add_argument(
        "--workers", type=int, default=None, metavar="W", help="worker processes (default: 1)"
    )
    p.add_argument("--progress", action="store_true", help="show a progress bar (needs tqdm)")
    p.set_defaults(handler=_run_plan)


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
        first.summary(),
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

    portfolio = read_portfolio_csv(args.partners)
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
    report = [
        _title(f"Balanced assignment: {Path(args.partners).name} -> {Path(args.managers).name}"),
        res.summary(),
    ]
    if args.output:
        from .io import write_assignment_csv

        write_assignment_csv(res, args.output)
        report.append(f"assignment written to {args.output}")
        _out("\n".join(report))
    else:  # the CSV on stdout, the report on stderr
        sys.stderr.write("\n".join(report) + "\n")
        writer = csv.writer(sys.stdout, lineterminator="\n")  # quotes ids with commas
        writer.writerow(["partner", "manager"])
        writer.writerows(res.mapping.items())
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
        "--max-moves", type=int, metavar="K", help="move at most K partners away from --current"
    )
    p.add_argument("-o", "--output", metavar="OUT.csv", help="write the assignment here")
    p.add_argument(
        "--hours-column", metavar="NAME", help="take each partner's hours from this column"
    )
    p.add_argument(
        "--spread-top",
        type=int,
        metavar="K",
        help="spread the K largest partners by revenue evenly across managers",
    )
    p.add_argument(
        "--method", choices=("auto", "exact", "fast"), default="auto", help="default: auto"
    )
    p.add_argument("--time-limit", type=float, metavar="S", help="stop searching after S seconds")
    p.set_defaults(handler=_run_balance)


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
#: The sections of ``channelkit demo``, in order: (title, function returning the text).
DEMO_SECTIONS: list[tuple[str, Callable[[], str]]] = [
    ("Channel shape", _section_shape),
    ("Tiers", _section_tiers),
    ("Capacity", _section_capacity),
    ("Coverage, headcount and books", _section_coverage),
    ("Balancing partners across managers", _section_balancing),
]


def _run_demo(args: argparse.Namespace) -> int:
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
        description="Run channelkit's main analyses on the embedded example channel.",
    )
    p.set_defaults(handler=_run_demo)


#: Functions that register the subcommands, in the order ``--help`` lists them.
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _add_demo,
    _add_plan,
    _add_segments,
    _add_tiers,
    _add_balance,
    _add_coverage,
]


# --------------------------------------------------------------------------- entry point
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``channelkit`` command."""
    parser = argparse.ArgumentParser(
        prog="channelkit",
        description="Model channel partner programs: channel shape, tiers, manager "
        "load balancing and capacity planning.",
    )
    parser.add_argument("--version", action="version", version=f"channelkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``channelkit`` command; return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except BrokenPipeError:
        # The reader went away (``channelkit demo | head``): not an error of ours.
        # Point stdout at devnull so that the interpreter's final flush stays quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 0
    except (ChannelkitError, OSError) as exc:
        sys.stderr.write(f"channelkit: error: {exc}\n")
        return 1
    except KeyboardInterrupt:  # pragma: no cover
        sys.stderr.write("channelkit: interrupted\n")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
