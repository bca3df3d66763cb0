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


# --------------------------------------------------------------------------- demo
#: The sections of ``channelkit demo``, in order: (title, function returning the text).
DEMO_SECTIONS: list[tuple[str, Callable[[], str]]] = [
    ("Channel shape", _section_shape),
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
