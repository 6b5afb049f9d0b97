"""Month arithmetic on the Gregorian calendar (Civil Code 2015 Art. 145)."""

from __future__ import annotations

import calendar as _stdlib_calendar
from datetime import date

from hanchot.errors import CalendarError


def days_in_month(year: int, month: int) -> int:
    """Return the number of days of *month* in *year*."""
    return _stdlib_calendar.monthrange(year, month)[1]


def shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    """Return the (year, month) *months* months after (year, month); may be negative."""
    serial = year * 12 + (month - 1) + months
    shifted = (serial // 12, serial % 12 + 1)
    if not 1 <= shifted[0] <= 9999:
        raise CalendarError(
            f"month arithmetic: expected a result in years 1 to 9999, "
            f"got {months} months from {month:02d}/{year}"
        )
    return shifted


def clamped_day(year: int, month: int, day: int) -> tuple[date, bool]:
    """Return (the *day*-th of the month, or its last day if it has fewer days; clamped?)."""
    last = days_in_month(year, month)
    return date(year, month, min(day, last)), day > last
