"""``hanchot history``: what is new and resolved since the previous batch run."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from hanchot.cli._common import EXIT_OK, EXIT_USAGE, guarded


def register(subparsers: Any) -> None:
    """Add the ``history`` sub-command."""
    parser = subparsers.add_parser(
        "history", help="new and resolved violations between batch runs (per agency and rule)"
    )
    parser.add_argument("--history", required=True, type=Path, help="the SQLite file given to 'hanchot batch --history'")
    parser.add_argument("--run", dest="run_id", type=int, default=None, help="run id (default: the last run)")
    parser.add_argument("--list", action="store_true", help="list the runs")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--limit", type=int, default=40, help="rows of the per agency and rule table (table format)")
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    """Run ``hanchot history``; return its exit code."""
    from hanchot.batch.history import compare, runs

    if not args.history.exists():
        sys.stderr.write(f"hanchot: error: no history file {args.history}\n")
        return EXIT_USAGE
    if args.list:
        listed = runs(args.history)
        if args.format == "json":
            json.dump(listed, sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            sys.stdout.write(f"{'run':>5} {'started':<26} {'pack':<20} {'as of':<10} {'violations':>10}\n")
            for r in listed:
                sys.stdout.write(f"{r['run']:>5} {r['started']:<26} {r['pack']:<20} {r['as_of']:<10} {r['violations']:>10}\n")
        return EXIT_OK
    try:
        diff = compare(args.history, args.run_id)
    except LookupError as exc:
        sys.stderr.write(f"hanchot: error: {exc}\n")
        return EXIT_USAGE
    if args.format == "json":
        json.dump(diff, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    if diff["run"] is None:
        sys.stdout.write("No runs recorded yet.\n")
        return EXIT_OK
    previous = f"run {diff['previous']}" if diff["previous"] is not None else "no previous run"
    sys.stdout.write(
        f"Run {diff['run']} against {previous}: {diff['violations']} violations, "
        f"{diff['new']} new, {diff['resolved']} resolved, {diff['still_open']} still open\n"
    )
    rows = diff["by_agency_rule"]
    if rows:
        sys.stdout.write(f"\n{'Agency':<20} {'Rule':<36} {'new':>6} {'resolved':>9}\n" + "-" * 74 + "\n")
        for r in rows[: args.limit]:
            sys.stdout.write(f"{r['agency'][:20]:<20} {r['rule'][:36]:<36} {r['new']:>6} {r['resolved']:>9}\n")
        if len(rows) > args.limit:
            sys.stdout.write(f"... and {len(rows) - args.limit} more (--format json for all)\n")
    return EXIT_OK
