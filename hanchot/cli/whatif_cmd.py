"""``hanchot whatif``: compare the same events under a changed rule set.

Exit code 0 when the comparison ran (whatever it found), 2 on bad input or usage,
4 when the output cannot be written. Rejected input lines are counted and listed
on stderr (the comparison itself is of the events that were read).
"""

from __future__ import annotations

import argparse
from typing import Any

import yaml

from hanchot.cli._common import (
    EXIT_OK,
    add_input_arguments,
    calendar_from,
    check_output_path,
    event_files,
    guarded,
    iso_date,
    report_rejections,
    today_in_vietnam,
)
from hanchot.errors import UnknownNameError
from hanchot.inputs import read_agencies, read_events
from hanchot.rules.changes import parse_change, variant
from hanchot.rules.loader import load_pack
from hanchot.whatif import compare, compare_packs
from hanchot.writers.cli import add_format_arguments, write_result
from hanchot.writers.view import Sweep


def register(subparsers: Any) -> None:
    """Add the ``whatif`` sub-command."""
    parser = subparsers.add_parser("whatif", help="compare outcomes under a changed rule set")
    add_input_arguments(parser, many_events="PATH")
    change = parser.add_mutually_exclusive_group(required=True)
    change.add_argument("--against", metavar="OTHER_PACK", help="another pack (id or path)")
    change.add_argument("--set", action="append", metavar="[RULE.]PARAM=VALUE", help="change a parameter or rule field")
    change.add_argument("--sweep", metavar="[RULE.]PARAM=V1,V2,...", help="one run per value")
    parser.add_argument("--from", dest="first", type=iso_date, help="only obligations due on or after")
    parser.add_argument("--to", dest="last", type=iso_date, help="only obligations due on or before")
    parser.add_argument("--known-at", type=iso_date, default=None, help="only events recorded by this date")
    add_format_arguments(parser, "comparison")
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    """Run ``hanchot whatif``; return its exit code."""
    if args.output is not None:
        check_output_path(args.output, "--output", folder=False)
    base = load_pack(args.pack)
    agencies = read_agencies(args.agencies)
    if args.against:
        others, labels = [load_pack(args.against)], [f"pack {args.against}"]
    elif args.set:
        changes = [parse_change(text, base) for text in args.set]
        others, labels = [variant(args.pack, changes)], [", ".join(str(c) for c in changes)]
    else:
        name, _, listed = args.sweep.partition("=")
        values = [yaml.safe_load(v) for v in listed.split(",") if v.strip()]
        if not values:
            raise UnknownNameError(f"--sweep: expected {name or 'PARAM'}=V1,V2,..., got {args.sweep!r}")
        changes = [parse_change(f"{name}={v}", base) for v in listed.split(",") if v.strip()]
        others, labels = [variant(args.pack, [c]) for c in changes], [str(c) for c in changes]
    as_of = args.as_of or today_in_vietnam()
    base_report, reports = compare_packs(
        base,
        others,
        agencies,
        read_events(event_files(args.events).files),
        as_of,
        known_at=args.known_at,
        window=(args.first, args.last),
        calendar=calendar_from(args),
    )
    report_rejections(base_report.rejected, base_report.input.read, listed_in_output=False)
    comparisons = [compare(f"pack {args.pack}", label, base_report, r) for label, r in zip(labels, reports, strict=True)]
    by_id = {a.id: a for a in agencies}
    if args.sweep:
        write_result(args, "sweep", Sweep(args.sweep, values, comparisons), pack=base, agencies=by_id)
    else:
        write_result(args, "comparison", comparisons[0], pack=base, agencies=by_id)
    return EXIT_OK
