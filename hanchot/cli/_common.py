"""Arguments and loading shared by the commands that evaluate events."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from hanchot.calendar import WorkingCalendar, to_local_date
from hanchot.errors import EnvironmentFailure, ExitCode, HanchotError, InputError
from hanchot.inputs.events import EventFiles, Rejection, list_event_files

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = ExitCode.OK, ExitCode.VIOLATIONS, ExitCode.USAGE


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
    """Turn any failure of *run* into a one-line message and its exit code (see :func:`failure_code`).

    With ``--debug`` the traceback is printed before the message. Ctrl-C is left
    to :func:`hanchot.cli.main`, which owns the process-wide answer to it.
    """

    def wrapper(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except (KeyboardInterrupt, SystemExit, BrokenPipeError):
            raise  # answered by main() for the whole process
        except BaseException as exc:  # noqa: BLE001 - every failure gets its exit code
            return report_failure(exc, debug=getattr(args, "debug", False))

    return wrapper


def failure_code(exc: BaseException) -> ExitCode:
    """The exit code a failure gives: 2 for unusable input or usage, 4 for the environment or a bug."""
    if isinstance(exc, EnvironmentFailure):
        return ExitCode.ENVIRONMENT
    if isinstance(exc, (HanchotError, argparse.ArgumentTypeError)):
        return ExitCode.USAGE
    if isinstance(exc, (FileNotFoundError, IsADirectoryError, NotADirectoryError)):
        return ExitCode.USAGE  # a path given wrongly
    return ExitCode.ENVIRONMENT  # an OSError (disk full, permissions), MemoryError, or a bug


def failure_message(exc: BaseException) -> str:
    """What went wrong, naming the path and the cause, without a traceback."""
    if isinstance(exc, (HanchotError, argparse.ArgumentTypeError)):
        return str(exc)
    if isinstance(exc, OSError):
        cause = exc.strerror or str(exc)
        paths = " -> ".join(str(p) for p in (exc.filename, exc.filename2) if p is not None)
        return f"{paths}: {cause}" if paths else cause
    if isinstance(exc, MemoryError):
        return "out of memory"
    return f"internal error ({type(exc).__name__}: {exc}); please report it, with --debug for the traceback"


def report_failure(exc: BaseException, *, debug: bool) -> int:
    """Write the one-line message of *exc* (and its traceback under *debug*); return its exit code."""
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    first, *rest = failure_message(exc).splitlines() or [""]
    sys.stderr.write(f"hanchot: error: {first}\n")
    for line in rest:
        sys.stderr.write(f"  {line}\n")
    return int(failure_code(exc))


def check_output_path(path: Path, option: str, *, folder: bool) -> None:
    """Refuse an output path that cannot be created because a file stands in its way.

    ``--output report.txt/out`` fails before any work with a usage error that
    names the file, instead of an error from deep inside the writer.
    """
    if path.exists():
        if folder and not path.is_dir():
            raise InputError(f"{option} {path}: exists and is not a folder")
        if not folder and path.is_dir():
            raise InputError(f"{option} {path}: is a folder, expected a file name")
        return
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(f"{option} {path}: {parent} is a file, not a folder")
            return


def event_files(paths: Sequence[Path]) -> EventFiles:
    """The event files of *paths*; each folder file left out is named on stderr."""
    listing = list_event_files(paths)
    for skipped in listing.skipped_reasons():
        sys.stderr.write(f"hanchot: skipped {skipped['file']}: {skipped['reason']}\n")
    return listing


_LISTED = 20  # rejections listed on stderr when the output format has no place for them


def report_rejections(rejected: Sequence[Rejection], read: int, *, listed_in_output: bool) -> None:
    """Say on stderr how many input lines were rejected, so that no output format hides them.

    When the output has no place for them (a CSV of obligations, a replay or
    what-if table), the first ones are listed too, each as ``file:line: field 'x': reason``.
    """
    if not rejected:
        return
    where = "; see 'rejected' in the output" if listed_in_output else ""
    sys.stderr.write(f"hanchot: {len(rejected)} of {read} input line(s) rejected{where}\n")
    if listed_in_output:
        return
    for rejection in rejected[:_LISTED]:
        sys.stderr.write(f"hanchot: rejected: {rejection}\n")
    if len(rejected) > _LISTED:
        sys.stderr.write(f"hanchot: ... and {len(rejected) - _LISTED} more (check --format json lists all)\n")
