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
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ._version import __version__
from .errors import ChannelkitError

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


# --------------------------------------------------------------------------- plan
#: Assumptions of the demo's capacity plan for the example channel.
DEMO_GROWTH = 0.25
DEMO_SIMS = 1_000


def _section_capacity() -> str:
    from .capacity import Segment, plan_capacity
    from .datasets import example_portfolio

    partners = example_portfolio()
    current = float(partners.revenue.sum())
    target = (1.0 + DEMO_GROWTH) * current
    # recruits look like today's partners (their revenue, resampled), ramp up over
    # 6 months, 15 % leave a year and 40 % of signed prospects become productive;
    # 10 % of the current partners leave during the year.
    new = Segment(
        "new partners",
        partners.revenue[partners.revenue > 0],
        ramp_months=6,
        attrition=0.15,
        conversion=0.4,
    )
    plan = plan_capacity(
        target,
        [new],
        existing=partners,
        existing_attrition=0.1,
        n_sims=DEMO_SIMS,
        seed=2026,
        distributor_threshold=25_000,
    )
    return (
        f"Grow revenue by {DEMO_GROWTH:.0%} next year: from {current:,.0f} to {target:,.0f}.\n"
        "Assumptions: 10% of today's partners leave; recruits sell like today's partners\n"
        "(resampled), ramp up over 6 months, 15% leave a year, 40% of prospects convert;\n"
        "partners selling under 25,000 a year go to distributors.\n\n" + plan.summary()
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
    _out(_title(f"Capacity plan: {Path(args.scenario).name}"))
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


# --------------------------------------------------------------------------- demo
#: The sections of ``channelkit demo``, in order: (title, function returning the text).
DEMO_SECTIONS: list[tuple[str, Callable[[], str]]] = [
    ("Channel shape", _section_shape),
    ("Capacity", _section_capacity),
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
    except (ChannelkitError, OSError) as exc:
        sys.stderr.write(f"channelkit: error: {exc}\n")
        return 1
    except KeyboardInterrupt:  # pragma: no cover
        sys.stderr.write("channelkit: interrupted\n")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
