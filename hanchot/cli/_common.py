"""Arguments and loading shared by the commands that evaluate events."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from hanchot.calendar import WorkingCalendar, to_local_date
from hanchot.errors import HanchotError

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2


def iso_date(text: str) -> dt.date:
    """An argparse type: a YYYY-MM-DD date."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def today_in_vietnam() -> dt.date:
    """Today's date in Asia/Ho_Chi_Minh, the default evaluation date."""
    return to_local_date(dt.datetime.now(dt.UTC))


def add_input_arguments(parser: argparse.ArgumentParser, *, many_events: str = "FILE") -> None:
    """Add --pack, --agencies, --events, --as-of, --calendar and --lang."""
    parser.add_argument("--pack", required=True, help="built-in pack id or path to a pack YAML")
    parser.add_argument("--agencies", required=True, type=Path, help="agencies file (CSV or YAML)")
    parser.add_argument(
        "--events", required=True, nargs="+", type=Path, metavar=many_events, help="event files"
    )
    parser.add_argument(
        "--as-of", type=iso_date, default=None, help="evaluation date (default: today in Vietnam)"
    )
    parser.add_argument("--calendar", type=Path, action="append", default=[], help="extra day overrides")
    parser.add_argument(
        "--lang", choices=("vi", "en"), default=None,
        help="language (default: vi for html, xlsx and ics, en otherwise)",
    )


def calendar_from(args: argparse.Namespace) -> WorkingCalendar:
    """The Vietnamese working calendar plus the user's override files."""
    return WorkingCalendar.vietnam(extra_files=args.calendar)


def guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn hanchot errors and missing files into a one-line message and exit code 2."""

    def wrapper(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except (HanchotError, FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            message = str(exc) if isinstance(exc, HanchotError) else f"{exc.strerror}: {exc.filename}"
            first, *rest = message.splitlines() or [""]
            sys.stderr.write(f"hanchot: error: {first}\n")
            for line in rest:
                sys.stderr.write(f"  {line}\n")
            return EXIT_USAGE

    return wrapper


def open_output(path: Path | None) -> TextIO:
    """The output file, or standard output."""
    return path.open("w", encoding="utf-8", newline="") if path else sys.stdout


def write_and_close(path: Path | None, write: Callable[[TextIO], Any]) -> None:
    """Write with *write* to *path* (or stdout), closing a file afterwards."""
    out = open_output(path)
    try:
        write(out)
    finally:
        if path:
            out.close()
