"""``hanchot check``: evaluate an agency event log under a rule pack.

Exit codes: 0 no violation, 1 at least one violation, 2 unusable input or
usage (rejected event lines are reported, and fatal only under ``--strict``),
4 an environment or internal failure (the output cannot be written).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

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
    write_and_close,
)
from hanchot.engine import Engine
from hanchot.inputs import EventFiles, read_agencies, read_events
from hanchot.obligations.model import Report
from hanchot.output import write_csv, write_json, write_table
from hanchot.rules.changes import parse_change, variant
from hanchot.rules.loader import load_pack


def register(subparsers: Any) -> None:
    """Add the ``check`` sub-command."""
    parser = subparsers.add_parser("check", help="check agencies' events against a rule pack")
    add_input_arguments(parser)
    parser.add_argument("--known-at", type=iso_date, default=None, help="only events recorded by this date")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.add_argument("--output", type=Path, default=None, help="write here instead of stdout")
    parser.add_argument("--strict", action="store_true", help="any rejected input line is fatal")
    parser.add_argument(
        "--set", dest="changes", action="append", default=[], metavar="[RULE.]PARAM=VALUE",
        help="check under a changed reading, e.g. before_is_inclusive=true (repeatable)",
    )
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    """Run ``hanchot check``; return its exit code."""
    if args.output is not None:
        check_output_path(args.output, "--output", folder=False)
    pack = load_pack(args.pack)
    if args.changes:
        pack = variant(args.pack, [parse_change(c, pack) for c in args.changes])
    agencies = read_agencies(args.agencies)
    as_of = args.as_of or today_in_vietnam()
    with Engine(pack, agencies, calendar=calendar_from(args)) as engine:
        listing = event_files(args.events)
        report = engine.evaluate(read_events(listing.files), as_of, known_at=args.known_at)
    if args.strict and report.rejected:
        for rejection in report.rejected:
            sys.stderr.write(f"hanchot: rejected: {rejection}\n")
        sys.stderr.write(f"hanchot: error: {len(report.rejected)} input line(s) rejected (--strict)\n")
        return EXIT_USAGE
    if args.format == "json" and listing.skipped:
        write_and_close(args.output, lambda out: _write_json_with_skipped(report, listing, out, args.lang))
    elif args.format == "json":
        write_and_close(args.output, lambda out: write_json(report, out, args.lang))
    elif args.format == "csv":
        write_and_close(args.output, lambda out: write_csv(report.obligations, out, args.lang))
    else:
        write_and_close(args.output, lambda out: write_table(report, pack, out, args.lang))
    report_rejections(report.rejected, report.input.read, listed_in_output=args.format != "csv")
    return EXIT_VIOLATIONS if report.violations else EXIT_OK


def _write_json_with_skipped(report: Report, listing: EventFiles, out: TextIO, lang: str) -> None:
    """The JSON report, its input accounting naming the files of the event folders left out."""
    data = report.to_dict(lang)
    data["input"]["skipped_files"] = listing.skipped_reasons()
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")
