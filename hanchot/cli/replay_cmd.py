"""``hanchot replay``: the nightly results as they would have been seen.

Each night N is evaluated as of N with the events recorded by N. Prints one line
a night and, for every violation, the night it first became visible and the
night it was resolved (if it was). Exit code 0, 2 on bad input or usage (``--to``
before ``--from`` included), 4 when the output cannot be written. Rejected input
lines are counted (``input`` and ``rejected`` in JSON; on stderr otherwise).
"""

from __future__ import annotations

import argparse
from typing import Any

from hanchot.cli._common import (
    EXIT_OK,
    add_input_arguments,
    calendar_from,
    check_output_path,
    event_files,
    guarded,
    iso_date,
    report_rejections,
)
from hanchot.engine import Engine
from hanchot.errors import InputError
from hanchot.inputs import read_agencies, read_events
from hanchot.replay import nights, replay_run
from hanchot.rules.loader import load_pack
from hanchot.writers.cli import add_format_arguments, write_result


def register(subparsers: Any) -> None:
    """Add the ``replay`` sub-command."""
    parser = subparsers.add_parser("replay", help="nightly results as they were known, night by night")
    add_input_arguments(parser, many_events="PATH")
    parser.add_argument("--from", dest="first", type=iso_date, required=True, help="first night")
    parser.add_argument("--to", dest="last", type=iso_date, required=True, help="last night")
    parser.add_argument("--every", choices=("day", "week", "month"), default="day")
    add_format_arguments(parser, "replay")
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    """Run ``hanchot replay``; return its exit code."""
    if args.last < args.first:
        raise InputError(f"--to {args.last.isoformat()} is before --from {args.first.isoformat()}")
    if args.output is not None:
        check_output_path(args.output, "--output", folder=False)
    pack = load_pack(args.pack)
    with Engine(pack, read_agencies(args.agencies), calendar=calendar_from(args)) as engine:
        run = replay_run(engine, read_events(event_files(args.events).files), nights(args.first, args.last, args.every))
    write_result(args, "replay", run, pack=pack, agencies=engine.agencies)
    report_rejections(run.rejected, run.read, listed_in_output=args.format == "json")
    return EXIT_OK
