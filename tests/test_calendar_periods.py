"""Reporting periods and the Art. 146 points in time."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from strategies import periods

from hanchot.calendar import Period, PeriodKind, month_point, year_point
from hanchot.errors import CalendarError

Y, H, Q, M = PeriodKind.YEAR, PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2025", Period(Y, 2025)),
        ("Năm 2025", Period(Y, 2025)),
        ("2025-H1", Period(H, 2025, 1)),
        ("H2 2025", Period(H, 2025, 2)),
        ("6 tháng đầu năm 2025", Period(H, 2025, 1)),
        ("6 tháng cuối năm 2025", Period(H, 2025, 2)),
        ("2025-Q3", Period(Q, 2025, 3)),
        ("Q3 2025", Period(Q, 2025, 3)),
        ("Quý III/2025", Period(Q, 2025, 3)),
        ("quý IV năm 2026", Period(Q, 2026, 4)),
        ("Quý 1/2026", Period(Q, 2026, 1)),
        ("2025-07", Period(M, 2025, 7)),
        ("07/2025", Period(M, 2025, 7)),
        ("Tháng 7/2025", Period(M, 2025, 7)),
        ("July 2025", Period(M, 2025, 7)),
    ],
)
def test_parse(text: str, period: Period) -> None:
    """Every documented form, compact, English or Vietnamese, parses to its period."""
    assert Period.parse(text) == period
    assert Period.parse(unicodedata.normalize("NFD", text)) == period


@given(periods())
def test_printed_forms_parse_back(period: Period) -> None:
    """str(), format("en") and format("vi") all parse back to the same period."""
    for text in (str(period), period.format("en"), period.format("vi")):
        assert Period.parse(text) == period


def test_formats() -> None:
    """Periods print compactly, in English and in the Vietnamese of the plans."""
    q3 = Period(Q, 2025, 3)
    assert (str(q3), q3.format("en"), q3.format("vi")) == ("2025-Q3", "Q3 2025", "Quý III/2025")
    assert Period(H, 2025, 1).format("vi") == "6 tháng đầu năm 2025"
    assert Period(M, 2025, 7).format("vi") == "Tháng 7/2025"
    assert Period(Y, 2025).format("vi") == "Năm 2025"


def test_days_and_navigation() -> None:
    """First/last days, containment and next/previous across the year boundary."""
    q4 = Period.containing(date(2026, 11, 24), "quarter")
    assert q4 == Period(Q, 2026, 4)
    assert (q4.first_day, q4.last_day) == (
        date(2026, 10, 1),
        date(2026, 12, 31),
    )  # "Quý IV/2026": by 31/12
    assert q4.next() == Period(Q, 2027, 1) and Period(Q, 2027, 1).previous() == q4
    assert Period(H, 2025, 2).next() == Period(H, 2026, 1)
    assert Period(M, 2025, 1).previous() == Period(M, 2024, 12)
    assert q4.months() == [(2026, 10), (2026, 11), (2026, 12)]
    assert q4.contains(date(2026, 10, 1)) and not q4.contains(date(2027, 1, 1))
    assert Period.containing(date(2024, 2, 29), M).last_day == date(2024, 2, 29)


def test_day_in_month_defaults_to_the_last_month() -> None:
    """ "Before the 22nd of each quarter" reads as the quarter's last month (Decree 09/2019 Art. 12)."""
    q1 = Period(Q, 2025, 1)
    assert q1.day_in_month(22) == date(2025, 3, 22)
    assert q1.day_in_month(22, "first") == date(2025, 1, 22)
    assert q1.day_in_month(22, 2) == date(2025, 2, 22)


def test_day_in_month_clamps_and_records_it() -> None:
    """Day 31 of February is clamped to its last day, and the step says so (as Art. 148(3))."""
    step = Period(Q, 2025, 1).locate_day(31, 2)
    assert step.date == date(2025, 2, 28)
    assert "31/02/2025 does not exist" in step.reason.en and "không có" in step.reason.vi
    assert "does not exist" not in Period(Q, 2025, 1).locate_day(31, 1).reason.en


def test_art_146_points() -> None:
    """Beginning/middle/end of a month are days 1/15/last; of a year 1/1, 30/6, 31/12 (Art. 146)."""
    assert [month_point(2024, 2, w) for w in ("beginning", "middle", "end")] == [
        date(2024, 2, 1), date(2024, 2, 15), date(2024, 2, 29),
    ]  # fmt: skip
    assert [year_point(2025, w) for w in ("đầu", "giữa", "cuối")] == [
        date(2025, 1, 1), date(2025, 6, 30), date(2025, 12, 31),
    ]  # fmt: skip


def test_ordering() -> None:
    """Periods sort chronologically: a month before its quarter before its year, then later periods."""
    items = [Period(Y, 2025), Period(Q, 2025, 1), Period(M, 2025, 1), Period(M, 2024, 12)]
    assert sorted(items) == [
        Period(M, 2024, 12),
        Period(M, 2025, 1),
        Period(Q, 2025, 1),
        Period(Y, 2025),
    ]
    assert len(set(items)) == 4


@pytest.mark.parametrize(
    "text", ["2025-Q5", "Quý V/2025", "2025-13", "Tháng 13/2025", "Smarch 2025", "Q3", ""]
)
def test_malformed_periods(text: str) -> None:
    """A malformed period fails listing the accepted forms."""
    with pytest.raises(CalendarError, match="expected one of"):
        Period.parse(text)


def test_invalid_arguments() -> None:
    """Out-of-range indexes, months and points are CalendarErrors naming what is expected."""
    with pytest.raises(CalendarError, match="expected 1 to 4"):
        Period(Q, 2025, 5)
    with pytest.raises(CalendarError, match="period kind"):
        Period("week", 2025, 1)  # type: ignore[arg-type]
    with pytest.raises(CalendarError, match="'first' or 'last'"):
        Period(Q, 2025, 1).day_in_month(1, 4)
    with pytest.raises(CalendarError, match="beginning"):
        month_point(2025, 1, "late")
