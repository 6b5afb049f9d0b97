"""``hanchot calendar YEAR``: the days of a year that break the weekly rule, with sources.

It ends with the days on which the shipped override file departs from the ``holidays``
package (e.g. 24/11/2026, a day off to the package, a working day until the amendment of
Labour Code Art. 112 takes effect).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hanchot.calendar.departures import shipped_departures
from hanchot.cli.due import add_calendar_option, calendar_from
from hanchot.errors import CalendarError
from hanchot.writers.columns import Column, Table

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def year_arg(text: str) -> int:
    """Argument type: a year between 1 and 9999."""
    if not text.strip().isdigit() or not 1 <= int(text) <= 9999:
        raise argparse.ArgumentTypeError(f"expected a year from 1 to 9999, got {text!r}")
    return int(text)


def register(subparsers: Any) -> None:
    """Add the ``calendar`` sub-command to *subparsers*."""
    parser = subparsers.add_parser(
        "calendar",
        help="list a year's non-working weekdays and working weekend days",
        description="List every non-working weekday and every working weekend day of YEAR, "
        "with names and sources, then the days on which the shipped data departs from the "
        "holidays package.",
    )
    parser.add_argument("year", metavar="YEAR", type=year_arg)
    add_calendar_option(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


_DAYS = Table([Column(), Column(before="  "), Column(width=7, before="  "), Column(before="  ")])
"""A day: date, weekday, working or off, names and source."""


def run(args: argparse.Namespace) -> int:
    """Print the calendar of ``args.year``; return the exit code."""
    try:
        days = calendar_from(args.calendar).overrides(args.year)
        departures = shipped_departures(args.year)
    except CalendarError as exc:
        print(f"hanchot: error: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        rows = [{**day.to_dict(), "weekday": _WEEKDAYS[day.date.weekday()]} for day in days]
        moved = [d.to_dict() for d in departures]
        print(json.dumps({"year": args.year, "days": rows, "departures_from_holidays": moved}, ensure_ascii=False))
        return 0
    print(f"{args.year}: non-working weekdays and working weekend days")
    for day in days:
        status = "working" if day.working else "off"
        name = f"{day.name.vi} / {day.name.en}  [{day.source}]"
        print(_DAYS.row(day.date.isoformat(), _WEEKDAYS[day.date.weekday()], status, name), end="")
    print()
    if not departures:
        print(f"The shipped data follows the holidays package in {args.year}.")
    else:
        print(f"Where the shipped data departs from the holidays package in {args.year}:")
    for gone in departures:
        theirs = "a working day" if gone.holidays_working else f"off ({gone.holidays_name})"
        ours = "working" if gone.shipped.working else "off"
        print(
            f"{gone.date.isoformat()}  {_WEEKDAYS[gone.date.weekday()]}  holidays: {theirs}; "
            f"shipped: {ours} [{gone.shipped.source}]"
        )
    return 0
