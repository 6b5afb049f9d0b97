"""``hanchot check``: evaluate an agency event log under a rule pack.

Exit codes: 0 no violation, 1 at least one violation, 2 unusable input or
usage (rejected event lines are reported, and fatal only under ``--strict``),
4 an environment or internal failure (the output cannot be written).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import Any

from hanchot.cli._common import (
    EXIT_OK,
    EXIT_USAGE,
    EXIT_VIOLATIONS,
    add_input_arguments,
    calendar_from,
    check_output_path,
    event_files,
    guarded,
    iso_date,
    report_rejections,
    today_in_vietnam,
)
from hanchot.collector import collector_paused
from hanchot.engine import Engine
from hanchot.inputs import read_agencies, read_events
from hanchot.rules.changes import parse_change, variant
from hanchot.rules.loader import load_pack
from hanchot.writers.cli import add_format_arguments, write_result


def register(subparsers: Any) -> None:
    """Add the ``check`` sub-command."""
    parser = subparsers.add_parser("check", help="check agencies' events against a rule pack")
    add_input_arguments(parser)
    parser.add_argument("--known-at", type=iso_date, default=None, help="only events recorded by this date")
    add_format_arguments(parser, "check")
    parser.add_argument("--strict", action="store_true", help="any rejected input line is fatal")
    parser.add_argument(
        "--set", dest="changes", action="append", default=[], metavar="[RULE.]PARAM=VALUE",
        help="check under a changed reading, e.g. before_is_inclusive=true (repeatable)",
    )
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    """Run ``hanchot check``; return its exit code."""
    with collector_paused():
        return _check(args)


def _check(args: argparse.Namespace) -> int:
    if args.output is not None:
        check_output_path(args.output, "--output", folder=False)
    pack = load_pack(args.pack)
    if args.changes:
        pack = variant(args.pack, [parse_change(c, pack) for c in args.changes])
    agencies = read_agencies(args.agencies)
    agencies_by_id = {a.id: a for a in agencies}
    as_of = args.as_of or today_in_vietnam()
    with Engine(pack, agencies, calendar=calendar_from(args)) as engine:
        listing = event_files(args.events)
        report = engine.evaluate(read_events(listing.files), as_of, known_at=args.known_at)
    if args.strict and report.rejected:
        for rejection in report.rejected:
            sys.stderr.write(f"hanchot: rejected: {rejection}\n")
        sys.stderr.write(f"hanchot: error: {len(report.rejected)} input line(s) rejected (--strict)\n")
        return EXIT_USAGE
    if listing.skipped:
        skipped = tuple((s["file"], s["reason"]) for s in listing.skipped_reasons())
        report = replace(report, input=replace(report.input, skipped_files=skipped))
    write_result(args, "check", report, pack=pack, agencies=agencies_by_id)
    report_rejections(report.rejected, report.input.read, listed_in_output=args.format not in ("csv", "ics"))
    return EXIT_VIOLATIONS if report.has_violations else EXIT_OK

