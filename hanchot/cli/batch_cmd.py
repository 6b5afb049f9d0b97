"""``hanchot batch``: check a large event log, partitioned by agency, on many processes.

Exit codes: 0 no violation, 1 at least one violation, 2 unusable input or
usage, 3 a partition failed (after one retry in a fresh process; stderr and
the summary name its agencies) or an input file could not be read (stderr and
the summary name it), 4 an environment or internal failure (disk full, output
or history unusable). The output folder is replaced whole or not at all.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from hanchot.batch.pool import DEFAULT_TIMEOUT
from hanchot.cli._common import check_output_path, event_files, guarded, iso_date, today_in_vietnam
from hanchot.errors import InputError
from hanchot.writers import names


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of processes, got {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def register(subparsers: Any) -> None:
    """Add the ``batch`` sub-command."""
    parser = subparsers.add_parser(
        "batch",
        help="check a large event log in parallel, partitioned by agency",
        description="Check agencies' events (files or folders of JSON Lines, optionally gzip, CSV or "
        "Parquet) against a rule pack, partitioned by agency over local processes or Dask; "
        "write obligations, violations, rejected lines and summary.json to --output.",
    )
    parser.add_argument("--pack", required=True, help="built-in pack id or path to a pack YAML")
    parser.add_argument("--agencies", required=True, type=Path, help="agencies file (CSV or YAML)")
    parser.add_argument("--events", required=True, nargs="+", type=Path, metavar="PATH", help="event files or folders")
    parser.add_argument("--as-of", type=iso_date, default=None, help="evaluation date (default: today in Vietnam)")
    parser.add_argument("--known-at", type=iso_date, default=None, help="only events recorded by this date")
    parser.add_argument("--jobs", type=_jobs, default=None, help="local worker processes (default: all cores)")
    parser.add_argument("--output", type=Path, default=Path("hanchot-batch"), help="output folder (default: hanchot-batch)")
    parser.add_argument("--format", choices=("jsonl", "csv", "parquet"), default="jsonl", help="obligations format")
    parser.add_argument("--history", type=Path, default=None, help="SQLite run history: new and resolved violations")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS", help="run on this Dask scheduler (hanchot[dask])")
    parser.add_argument("--calendar", type=Path, action="append", default=[], help="extra day overrides")
    parser.add_argument(
        "--lang", choices=("vi", "en"), default=None,
        help="language of the explanations (default: en) and of the reports (default: vi)",
    )
    parser.add_argument(
        "--report", nargs="+", default=[], choices=names("batch"), metavar="FORMAT",
        help=f"also write reports people read into OUTPUT/reports: {', '.join(names('batch'))}",
    )
    parser.add_argument("--spill-dir", type=Path, default=None, help="temporary folder (default: the system's)")
    parser.add_argument(
        "--partition-timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
        help=f"kill a worker task running longer, retry it once (default: {DEFAULT_TIMEOUT:g})",
    )
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument("--progress", dest="progress", action="store_true", default=None, help="always report progress")
    progress.add_argument("--quiet", dest="progress", action="store_false", help="no progress output")
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    """Run ``hanchot batch``; return its exit code."""
    from hanchot.batch import BatchOptions, run_batch
    from hanchot.writers.batch import check_formats

    check_formats(args.report)

    check_output_path(args.output, "--output", folder=True)
    if args.spill_dir is not None:
        if not args.spill_dir.exists():
            raise InputError(f"--spill-dir {args.spill_dir}: no such folder")
        check_output_path(args.spill_dir, "--spill-dir", folder=True)
    event_files(args.events)  # names on stderr the files of the folders that are not event files
    options = BatchOptions(
        pack=args.pack,
        agencies=args.agencies,
        events=args.events,
        as_of=args.as_of or today_in_vietnam(),
        known_at=args.known_at,
        output=args.output,
        jobs=args.jobs or os.cpu_count() or 1,
        format=args.format,
        history=args.history,
        lang=args.lang or "en",
        calendars=args.calendar,
        scheduler=args.scheduler,
        progress=args.progress,
        spill_dir=args.spill_dir,
        reports=tuple(dict.fromkeys(args.report)),
        report_lang=args.lang,
        partition_timeout=args.partition_timeout,
    )
    result = run_batch(options)
    _report_failures(result.summary)
    return int(result.exit_code)


def _report_failures(summary: dict[str, Any]) -> None:
    """Name on stderr each input file that could not be read and each failed partition."""
    for failed in summary.get("failed_reading", []):
        sys.stderr.write(f"hanchot: error: cannot read {failed['file']}: {failed['reason']}\n")
    for failed in summary.get("partitions", {}).get("failed", []):
        agencies = failed["agencies"]
        shown = ", ".join(agencies[:5]) + (f" and {len(agencies) - 5} more" if len(agencies) > 5 else "")
        sys.stderr.write(
            f"hanchot: error: a partition failed after {failed['attempts']} attempts ({failed['reason']}); "
            f"agencies not checked: {shown}\n"
        )
