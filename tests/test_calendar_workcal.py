"""The working calendar: holidays, day swaps, overrides and working-day arithmetic."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hanchot.calendar import DayOverride, WorkingCalendar, load_overrides
from hanchot.calendar.overrides import shipped_overrides
from hanchot.errors import CalendarError
from hanchot.text import Text

CAL = WorkingCalendar.vietnam()
HEADER = "date,status,name_vi,name_en,source\n"


def write(tmp_path: Path, text: str, name: str = "extra.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 5, 2), False),  # Fri, swapped day off (Thông báo 2025 swap)
        (date(2025, 4, 26), True),  # Sat, made up
        (date(2026, 1, 2), False),  # Fri, New Year swap (Công văn 12729/VPCP-KGVX)
        (date(2026, 1, 10), True),  # Sat, made up
        (date(2026, 8, 31), False),  # Mon, National Day swap
        (date(2026, 8, 22), True),  # Sat, made up
        (date(2025, 4, 30), False),
        (date(2025, 9, 1), False),
        (date(2025, 6, 2), True),
        (date(2025, 6, 7), False),
    ],
)
def test_known_days(day: date, working: bool) -> None:
    """Holidays and the 2025/2026 government day swaps are known (Labour Code 2019 Art. 112)."""
    assert CAL.is_working_day(day) is working


def test_shipped_file_carries_the_2026_new_year_swap_with_its_source() -> None:
    """The shipped overrides add the 2026 New Year swap that holidays lacks, citing its document."""
    shipped = {o.date: o for o in shipped_overrides()}
    assert shipped[date(2026, 1, 2)].working is False
    assert shipped[date(2026, 1, 10)].working is True
    assert shipped[date(2026, 1, 2)].source == shipped[date(2026, 1, 10)].source == "Công văn 12729/VPCP-KGVX"


def test_24_11_2026_culture_day_is_a_working_day_until_art_112_is_amended() -> None:
    """Vietnam Culture Day (24/11) is a policy (Resolution 80-NQ/TW; Resolution 30/NQ-CP tasks
    amending Labour Code Art. 112), not an enacted day off: `holidays` counts it off from 2026,
    the shipped file makes it a working day, and says why (issue 9, finding 4)."""
    assert WorkingCalendar(()).is_working_day(date(2026, 11, 24)) is False  # the package's reading
    assert CAL.is_working_day(date(2026, 11, 24)) is True
    entry = {o.date: o for o in shipped_overrides()}[date(2026, 11, 24)]
    assert "80-NQ/TW" in entry.source and "30/NQ-CP" in entry.source and "not enacted" in entry.source
    assert "Art. 112" in entry.name.en


@pytest.mark.parametrize(
    ("day", "clause"),
    [
        (date(2026, 1, 1), "Art. 112(1)(a)"),
        (date(2026, 2, 17), "Art. 112(1)(b)"),
        (date(2026, 4, 30), "Art. 112(1)(c)"),
        (date(2026, 5, 1), "Art. 112(1)(d)"),
        (date(2026, 9, 2), "Art. 112(1)(đ)"),
        (date(2025, 4, 7), "Art. 112(1)(e)"),
        (date(2026, 4, 27), "Art. 111(3)"),  # Hùng Kings on Sunday 26/04 → Monday off
    ],
)
def test_each_day_off_cites_the_clause_that_makes_it_one(day: date, clause: str) -> None:
    """A holiday's source is its clause of the Labour Code 2019, not just "the holidays package"."""
    named = {o.date: o for o in CAL.overrides(day.year)}
    assert clause in named[day].source


def test_why_not_working_names_the_holiday_in_both_languages() -> None:
    """A day off is explained by its holiday name, a weekend by the weekly rest day."""
    assert CAL.why_not_working(date(2025, 4, 30)) == "Liberation Day/Reunification Day"
    assert CAL.why_not_working(date(2025, 4, 30), "vi") == "Ngày Chiến thắng"
    assert CAL.why_not_working(date(2025, 5, 3)) == "weekly rest day (Saturday)"
    assert CAL.why_not_working(date(2025, 5, 4), "vi") == "ngày nghỉ hằng tuần (Chủ nhật)"
    assert "26/04/2025" in (CAL.why_not_working(date(2025, 5, 2)) or "")
    assert CAL.why_not_working(date(2025, 5, 5)) is None


def test_next_and_previous_are_strict() -> None:
    """next/previous never return the day itself, even when it is a working day."""
    monday = date(2025, 5, 5)
    assert CAL.next_working_day(monday) == date(2025, 5, 6)
    assert CAL.previous_working_day(monday) == date(2025, 4, 29)
    assert CAL.next_working_day(date(2025, 4, 29)) == monday
    assert CAL.previous_working_day(date(2026, 1, 12)) == date(2026, 1, 10)  # make-up Saturday


def test_add_and_count_working_days() -> None:
    """Working days are counted in (start, end]; the start is never counted."""
    assert CAL.add_working_days(date(2024, 12, 31), 10) == date(2025, 1, 15)
    assert CAL.add_working_days(date(2025, 5, 5), 0) == date(2025, 5, 5)
    assert CAL.add_working_days(date(2025, 5, 5), -1) == date(2025, 4, 29)
    assert CAL.count_working_days(date(2024, 12, 31), date(2025, 1, 15)) == 10
    assert CAL.count_working_days(date(2025, 1, 15), date(2024, 12, 31)) == -10
    assert CAL.count_working_days(date(2025, 4, 29), date(2025, 5, 4)) == 0
    # Across several years: each year adds its own total.
    assert CAL.count_working_days(date(2023, 6, 1), date(2026, 6, 1)) == sum(
        CAL.is_working_day(date.fromordinal(o))
        for o in range(date(2023, 6, 2).toordinal(), date(2026, 6, 2).toordinal())
    )


def test_overrides_lists_exceptions_with_sources() -> None:
    """The year's list holds every non-working weekday and working weekend day, each sourced."""
    days = {o.date: o for o in CAL.overrides(2025)}
    assert days[date(2025, 4, 26)].working is True
    assert days[date(2025, 5, 2)].working is False
    assert date(2025, 2, 1) not in days  # Tết on a Saturday breaks no weekly rule
    assert all(o.source and o.name.vi and o.name.en for o in days.values())
    assert all((o.date.weekday() >= 5) == o.working for o in days.values())


def test_user_file_wins_and_calendars_coexist(tmp_path: Path) -> None:
    """A user override file changes only the calendar built with it; later entries win."""
    path = write(
        tmp_path,
        "# a what-if\n" + HEADER + "2025-06-02,off,Nghỉ thử,Test day off,Quyết định 1/QĐ\n"
        "2026-01-10,off,Không làm bù,No make-up day,Quyết định 2/QĐ\n",
    )
    mine = WorkingCalendar.vietnam(extra_files=[path])
    assert not mine.is_working_day(date(2025, 6, 2))
    assert mine.why_not_working(date(2025, 6, 2)) == "Test day off"
    assert not mine.is_working_day(date(2026, 1, 10))
    assert CAL.is_working_day(date(2025, 6, 2)) and CAL.is_working_day(date(2026, 1, 10))
    assert mine != CAL and WorkingCalendar.vietnam() == CAL
    assert hash(WorkingCalendar.vietnam()) == hash(CAL)


def test_working_override_cancels_a_holiday() -> None:
    """An override marking a holiday as worked makes it a working day."""
    worked = CAL.with_overrides([DayOverride(date(2025, 9, 1), True, Text("Làm", "Worked"), "test")])
    assert worked.is_working_day(date(2025, 9, 1))
    assert not CAL.is_working_day(date(2025, 9, 1))


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("", "header row"),
        ("date,status,name\n", "header row"),
        (HEADER + "2025-13-01,off,a,b,c\n", ":2: column 'date': expected a date YYYY-MM-DD"),
        (HEADER + "2025-06-02,holiday,a,b,c\n", "expected 'off' or 'working', got 'holiday'"),
        (HEADER + "2025-06-02,off,a,b\n", "expected 5 fields"),
        (HEADER + "2025-06-02,off,a,b,\n", "column 'source': expected text"),
    ],
)
def test_malformed_override_files(tmp_path: Path, body: str, words: str) -> None:
    """A malformed override file fails with what was expected, what was got and file:line."""
    path = write(tmp_path, body)
    with pytest.raises(CalendarError, match="extra.csv") as info:
        load_overrides(path)
    assert words in str(info.value)


def test_missing_override_file() -> None:
    """A missing user file is a CalendarError naming the path."""
    with pytest.raises(CalendarError, match="nowhere.csv"):
        WorkingCalendar.vietnam(extra_files=[Path("/nowhere.csv")])


def test_years_beyond_holidays_range_use_fixed_holidays() -> None:
    """Outside 1901-2100 only weekends and fixed-date holidays are known (documented limit)."""
    assert not CAL.is_working_day(date(2150, 4, 30))
    assert CAL.is_working_day(date(2150, 4, 29))
    fixed = {date(2150, 1, 1), date(2150, 4, 30), date(2150, 5, 1), date(2150, 9, 2)}
    assert {o.date for o in CAL.overrides(2150)} <= fixed
    assert CAL.why_not_working(date(2150, 9, 2)) == "National Day"


def test_out_of_range_arithmetic_is_a_calendar_error() -> None:
    """Adding working days past year 9999 is refused, not an overflow."""
    with pytest.raises(CalendarError):
        CAL.add_working_days(date(9999, 12, 1), 100)


@pytest.mark.parametrize("language", ["vi", "en_US"])
def test_the_vietnam_loaded_alone_is_the_packages_own(language: str) -> None:
    """The calendar loads the holidays package's Vietnam from its file alone (not its 250
    countries): the same days, names and make-up days as the package's class, every year."""
    from holidays.countries.vietnam import Vietnam as packaged

    from hanchot.calendar.workcal import Vietnam as alone

    years = list(range(packaged.start_year, 2031))
    ours, theirs = alone(years=years, language=language), packaged(years=years, language=language)
    assert sorted(ours.items()) == sorted(theirs.items()) and len(ours) >= 5 * len(years)
    assert sorted(ours.weekend_workdays) == sorted(theirs.weekend_workdays)
