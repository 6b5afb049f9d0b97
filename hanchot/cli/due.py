"""``hanchot due DATE DURATION``: a deadline under the Civil Code, with its explanation.

Also holds the argument types the calendar commands share (dates, override files).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hanchot.calendar import (
    CountingRules,
    DayOverride,
    Duration,
    MakeUpSaturdays,
    Roll,
    WorkingCalendar,
    due_date,
    load_overrides,
    to_local_date,
)
from hanchot.errors import CalendarError


def _type_error(exc: CalendarError) -> argparse.ArgumentTypeError:
    # argparse already prefixes "argument NAME: "; drop our own "what: " prefix.
    message = str(exc)
    for prefix in ("date: ", "duration: "):
        message = message.removeprefix(prefix)
    return argparse.ArgumentTypeError(message)


def date_arg(text: str) -> Any:
    """Argument type: a date or timestamp, as its local date in Vietnam."""
    try:
        return to_local_date(text)
    except CalendarError as exc:
        raise _type_error(exc) from None


def duration_arg(text: str) -> Duration:
    """Argument type: a duration ("3 months", "15 ngày làm việc", "P2W")."""
    try:
        return Duration.parse(text)
    except CalendarError as exc:
        raise _type_error(exc) from None


def overrides_arg(text: str) -> tuple[DayOverride, ...]:
    """Argument type: a calendar override file (CSV), loaded."""
    try:
        return load_overrides(text)
    except CalendarError as exc:
        raise _type_error(exc) from None


def calendar_from(files: list[tuple[DayOverride, ...]]) -> WorkingCalendar:
    """Return the Vietnamese calendar with the overrides of --calendar files, later winning."""
    calendar = WorkingCalendar.vietnam()
    for overrides in files:
        calendar = calendar.with_overrides(overrides)
    return calendar


def add_calendar_option(parser: argparse.ArgumentParser) -> None:
    """Add the repeatable ``--calendar FILE`` option to *parser*."""
    parser.add_argument(
        "--calendar",
        metavar="FILE",
        action="append",
        default=[],
        type=overrides_arg,
        help="override file (CSV: date,status,name_vi,name_en,source); repeatable, later wins",
    )


def register(subparsers: Any) -> None:
    """Add the ``due`` sub-command to *subparsers*."""
    parser = subparsers.add_parser(
        "due",
        help="compute a deadline under the Civil Code (Arts. 147-148)",
        description="Compute the due date of a period starting from an event, with its steps.",
    )
    parser.add_argument("date", metavar="DATE", type=date_arg, help="day of the event (YYYY-MM-DD)")
    parser.add_argument(
        "duration",
        metavar="DURATION",
        type=duration_arg,
        help='e.g. "3 months", "10 ngày làm việc", P2W',
    )
    parser.add_argument(
        "--roll",
        choices=[roll.value for roll in Roll],
        default=Roll.FOLLOWING.value,
        help="a last day that is not a working day moves to the following (default, Art. 148(5)) "
        "or preceding working day, or stays (none)",
    )
    parser.add_argument(
        "--count-first-day",
        action="store_true",
        help="count the day of the event as day 1 (default: not counted, Art. 147)",
    )
    parser.add_argument(
        "--make-up-saturdays",
        choices=[m.value for m in MakeUpSaturdays],
        default=MakeUpSaturdays.WORKING.value,
        help="a make-up Saturday (10/01/2026, 22/08/2026) is a working day the roll of "
        "Art. 148(5) may stop on (working, default) or a weekly rest day it passes (rest)",
    )
    add_calendar_option(parser)
    parser.add_argument("--lang", choices=("vi", "en"), default="en", help="language of the steps")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the deadline of ``args``; return the exit code."""
    rules = CountingRules(
        count_first_day=args.count_first_day,
        roll=Roll(args.roll),
        make_up_saturdays=MakeUpSaturdays(args.make_up_saturdays),
    )
    try:
        deadline = due_date(args.date, args.duration, calendar_from(args.calendar), rules)
    except CalendarError as exc:
        print(f"hanchot: error: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(deadline.to_dict(args.lang), ensure_ascii=False))
    else:
        print(deadline.explain(args.lang))
    return 0
