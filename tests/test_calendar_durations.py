"""Durations: parsing and printing in English, Vietnamese and ISO 8601."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from strategies import durations

from hanchot.calendar import Duration, DurationUnit
from hanchot.errors import CalendarError

D, W, WK, M, Y = (
    DurationUnit.DAYS,
    DurationUnit.WORKING_DAYS,
    DurationUnit.WEEKS,
    DurationUnit.MONTHS,
    DurationUnit.YEARS,
)


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("10 days", 10, D),
        ("1 day", 1, D),
        ("15 working days", 15, W),
        ("1 Working Day", 1, W),
        ("2 weeks", 2, WK),
        ("1 week", 1, WK),
        ("3 months", 3, M),
        ("1 month", 1, M),
        ("1 year", 1, Y),
        ("5 years", 5, Y),
        ("10 ngày", 10, D),
        ("15 ngày làm việc", 15, W),
        ("2 tuần", 2, WK),
        ("3 tháng", 3, M),
        ("1 năm", 1, Y),
        ("P3M", 3, M),
        ("P10D", 10, D),
        ("P2W", 2, WK),
        ("P1Y", 1, Y),
        ("  3   months ", 3, M),
    ],
)
def test_parse(text: str, amount: int, unit: DurationUnit) -> None:
    """Every documented form parses to its amount and unit."""
    assert Duration.parse(text) == Duration(amount, unit)


def test_decomposed_vietnamese_is_normalised() -> None:
    """Input typed with combining accents (NFD) reads the same as precomposed text (NFC)."""
    assert Duration.parse(unicodedata.normalize("NFD", "15 ngày làm việc")) == Duration(15, W)


def test_printing() -> None:
    """str() is canonical English; format() gives English or Vietnamese; iso() ISO 8601."""
    assert str(Duration(3, M)) == "3 months"
    assert str(Duration(1, M)) == "1 month"
    assert str(Duration(1, W)) == "1 working day"
    assert Duration(3, M).format("vi") == "3 tháng"
    assert Duration(15, W).format("vi") == "15 ngày làm việc"
    assert Duration(2, WK).iso() == "P2W"
    assert Duration(2, W).iso() is None


@given(durations())
def test_round_trip(duration: Duration) -> None:
    """Every printed form parses back to the same duration."""
    assert Duration.parse(str(duration)) == duration
    assert Duration.parse(duration.format("vi")) == duration
    iso = duration.iso()
    assert iso is None or Duration.parse(iso) == duration


@pytest.mark.parametrize(
    "text", ["", "3", "months", "3 moths", "-3 months", "P3", "PT3H", "3.5 days"]
)
def test_malformed_lists_accepted_forms(text: str) -> None:
    """A malformed duration fails saying what was got and which forms are accepted."""
    with pytest.raises(CalendarError, match="expected one of") as info:
        Duration.parse(text)
    assert "'15 ngày làm việc'" in str(info.value) and repr(text) in str(info.value)


def test_hashable_and_validated() -> None:
    """Durations are hashable values; a negative amount is refused."""
    assert len({Duration(3, M), Duration.parse("3 tháng"), Duration.parse("P3M")}) == 1
    with pytest.raises(CalendarError):
        Duration(-1, D)
