"""Local dates in Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hanchot.calendar import localtime, to_local_date
from hanchot.errors import CalendarError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-04-30T20:00:00Z", date(2025, 5, 1)),
        ("2025-04-30T16:59:59+00:00", date(2025, 4, 30)),
        ("2025-04-30T17:00:00+00:00", date(2025, 5, 1)),
        ("2025-04-30T20:00:00", date(2025, 4, 30)),
        ("2025-04-30 23:30+07:00", date(2025, 4, 30)),
        ("2025-04-30", date(2025, 4, 30)),
        ("30/04/2025", date(2025, 4, 30)),
        (datetime(2025, 4, 30, 20, tzinfo=UTC), date(2025, 5, 1)),
        (datetime(2025, 4, 30, 20), date(2025, 4, 30)),
        (date(2025, 4, 30), date(2025, 4, 30)),
    ],
)
def test_local_date(value: object, expected: date) -> None:
    """A timestamp's date is its date in Vietnam (UTC+7); a naive timestamp is already local."""
    assert to_local_date(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["2025-02-30", "tomorrow", "31/02/2025", 20250430, None])
def test_bad_values(value: object) -> None:
    """Unparseable dates and other types fail saying what is accepted."""
    with pytest.raises(CalendarError, match="expected"):
        to_local_date(value)  # type: ignore[arg-type]


def test_fixed_offset_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without tzdata the zone falls back to a fixed UTC+7, exact for Vietnam since 1975."""
    import zoneinfo

    def missing(key: str) -> None:
        raise zoneinfo.ZoneInfoNotFoundError(key)

    monkeypatch.setattr(zoneinfo, "ZoneInfo", missing)
    zone = localtime._vietnam_zone()
    assert zone.utcoffset(None) == timedelta(hours=7)
