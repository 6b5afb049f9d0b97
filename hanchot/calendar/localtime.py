"""Local dates in Asia/Ho_Chi_Minh (UTC+7).

Obligations are judged on the local calendar date: an event stamped
``2025-04-30T20:00:00Z`` happened on 01/05/2025 in Vietnam.  A naive
timestamp is taken as already local; the machine's own time zone is never used.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo

from hanchot.errors import CalendarError


def _vietnam_zone() -> tzinfo:
    # Vietnam has kept UTC+7 without daylight saving since 1975, so the fixed
    # offset is exact for every date hanchot deals with when tzdata is missing.
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Ho_Chi_Minh")
    except (ImportError, KeyError, OSError, ValueError):  # KeyError: ZoneInfoNotFoundError
        return timezone(timedelta(hours=7), "ICT")


VIETNAM_TZ: tzinfo = _vietnam_zone()


def to_local_date(value: str | datetime | date) -> date:
    """Return the date in Asia/Ho_Chi_Minh of an ISO string, datetime or date.

    Strings: ISO 8601 dates or timestamps (``2025-04-30``, ``2025-04-30T20:00:00Z``,
    ``2025-04-30 20:00+07:00``) or ``dd/mm/yyyy``.  Naive timestamps are local.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.date()
        return value.astimezone(VIETNAM_TZ).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return _parse(value.strip())
    raise CalendarError(
        f"date: expected an ISO date or timestamp, a datetime or a date, got {type(value).__name__}"
    )


def _parse(text: str) -> date:
    if len(text) == 10 and text[2] == "/" and text[5] == "/":
        try:
            return datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError:
            pass
    elif len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    elif len(text) > 10:
        try:
            return to_local_date(datetime.fromisoformat(text))
        except ValueError:
            pass
    raise CalendarError(
        f"date: expected YYYY-MM-DD, an ISO 8601 timestamp or dd/mm/yyyy, got {text!r}"
    )
