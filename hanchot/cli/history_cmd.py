"""``hanchot history``: what is new and resolved since the previous batch run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hanchot.cli._common import EXIT_OK, EXIT_USAGE, guarded
from hanchot.writers.cli import add_format_arguments, write_result


def register(subparsers: Any) -> None:
    """Add the ``history`` sub-command."""
    parser = subparsers.add_parser(
        "history", help="new and resolved violations between batch runs (per agency and rule)"
    )
    parser.add_argument("--history", required=True, type=Path, help="the SQLite file given to 'hanchot batch --history'")
    parser.add_argument("--run", dest="run_id", type=int, default=None, help="run id (default: the last run)")
    parser.add_argument("--list", action="store_true", help="list the runs")
    add_format_arguments(parser, "history")
    parser.add_argument("--lang", choices=("vi", "en"), default=None, help="language (default: vi for html, en otherwise)")
    parser.add_argument("--limit", type=int, default=40, help="rows of the per agency and rule table (table format)")
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    """Run ``hanchot history``; return its exit code."""
    from hanchot.batch.history import compare, runs
    from hanchot.writers.history import HistoryView

    if not args.history.exists():
        sys.stderr.write(f"hanchot: error: no history file {args.history}\n")
        return EXIT_USAGE
    listed = runs(args.history)
    try:
        diff = {} if args.list else compare(args.history, args.run_id)
    except LookupError as exc:
        sys.stderr.write(f"hanchot: error: {exc}\n")
        return EXIT_USAGE
    write_result(args, "history", HistoryView(runs=listed, diff=diff, listing=args.list, limit=args.limit))
    return EXIT_OK
