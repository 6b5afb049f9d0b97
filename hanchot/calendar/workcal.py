"""The working calendar of Vietnamese state agencies.

A day is a working day unless it is a weekly rest day (Saturday or Sunday: the
five-day week of civil servants, Decision 188/1999/QĐ-TTg) or a day off; a
weekend day can be a working day when the government swaps days (a make-up
Saturday).  Three layers decide, later layers winning:

1. the ``holidays`` package, country ``VN``: public holidays (Labour Code 2019
   Art. 112) and the day swaps it knows, with their make-up Saturdays;
   outside the years it covers (1901–2100) only the fixed-date holidays
   (1/1, 30/4, 1/5, 2/9) are known — lunar holidays and swaps are not;
2. the overrides shipped in ``hanchot/calendar/data/vn_overrides.csv``
   (announcements ``holidays`` lacks, e.g. the 2026 New Year swap);
3. overrides the user supplies in files of the same format
   (see :mod:`hanchot.calendar.overrides`).

Calendars are immutable values.  Each computes a year's table the first time
it is asked about that year and caches it inside the instance, so two
calendars with different overrides coexist and nothing is shared between them.
"""

from __future__ import annotations

import bisect
import importlib.util
import itertools
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import holidays

from hanchot.calendar._fmt import dmy, weekday_name
from hanchot.calendar.overrides import DayOverride, load_overrides, shipped_overrides
from hanchot.errors import CalendarError
from hanchot.text import Text

_SATURDAY = 5


def _load_vietnam() -> type[holidays.HolidayBase]:
    """The holidays package's ``Vietnam`` class, its module loaded alone.

    ``import holidays.countries.vietnam`` first runs ``holidays/countries/__init__.py``,
    which imports the package's 250 countries: 0.2 s, a third of every command's start.
    The module of Vietnam imports none of them, so it is loaded from its file under a
    private name; where that file is not found, by the plain import. (An application that
    imported the package's module has its class.)
    """
    name = "hanchot.calendar._holidays_vietnam"
    found = sys.modules.get("holidays.countries.vietnam") or sys.modules.get(name)  # (imported already)
    if found is None:
        path = Path(holidays.__file__).parent / "countries" / "vietnam.py"
        spec = importlib.util.spec_from_file_location(name, path) if path.is_file() else None
        if spec is None or spec.loader is None:  # pragma: no cover - a zipped or changed package
            from holidays.countries.vietnam import Vietnam as plain

            return plain
        found = importlib.util.module_from_spec(spec)
        sys.modules[name] = found  # (as an import does: its classes name their module)
        spec.loader.exec_module(found)
    vietnam: type[holidays.HolidayBase] = found.Vietnam
    return vietnam


Vietnam = _load_vietnam()

# Statutory fixed-date holidays, used for years the holidays package does not cover.
_FIXED_HOLIDAYS = (
    (1, 1, "Tết Dương lịch", "New Year's Day"),
    (4, 30, "Ngày Chiến thắng", "Liberation Day/Reunification Day"),
    (5, 1, "Ngày Quốc tế Lao động", "International Labor Day"),
    (9, 2, "Quốc khánh", "National Day"),
)
_SOURCE_STATUTE = "Labour Code 2019 Art. 112 or later decision (holidays package, VN)"
_SOURCE_SWAP = (
    "Government day swap for civil servants (holidays package, VN; the announcement's number "
    "is not recorded: a --calendar line can name it)"
)
_ART_112 = "Labour Code 2019 Art. 112(1)"
# The clause behind each day the holidays package names (its English names), so that a
# day's source is the text that makes it a day off, not the package that lists it.
_SOURCES_BY_NAME = (
    ("New Year's Day", f"{_ART_112}(a)"),
    ("Lunar New Year", f"{_ART_112}(b); the five days set each year under Art. 112(3)"),
    ("29 of Lunar New Year", f"{_ART_112}(b); the five days set each year under Art. 112(3)"),
    ("Day of Lunar New Year", f"{_ART_112}(b); the five days set each year under Art. 112(3)"),
    ("Liberation Day", f"{_ART_112}(c)"),
    ("International Labor Day", f"{_ART_112}(d)"),
    ("National Day", f"{_ART_112}(đ); the day beside 2/9 set each year under Art. 112(3)"),
    ("Hung Kings", f"{_ART_112}(e)"),
    ("Vietnam Cultural Day", "holidays package (VN) only: not in Labour Code 2019 Art. 112"),
)
_SOURCE_OBSERVED = (
    "Labour Code 2019 Art. 111(3): a holiday on the weekly rest day is taken on the next working day"
)
_SOURCE_FIXED = (
    "Labour Code 2019 Art. 112 (fixed-date holidays only; year outside the holidays package)"
)
# The vi label holidays gives a swapped day off: "Ngày nghỉ (thay cho ngày 26/04/2025)".
_SWAP_MARK = "thay cho ngày"


def _statute_of(name_en: str) -> str:
    """The clause that makes a day the holidays package names a day off."""
    if "(observed)" in name_en:
        return _SOURCE_OBSERVED
    return next((src for key, src in _SOURCES_BY_NAME if key in name_en), _SOURCE_STATUTE)


@dataclass(frozen=True, slots=True)
class _Year:
    """The precomputed table of one year."""

    first: int  # ordinal of 1 January
    working: bytes  # working[i] == 1 when day i of the year is a working day
    cumulative: list[int]  # cumulative[i] == working days among days 0..i
    named: dict[date, DayOverride]  # holidays, days off and make-up days, with names

    @property
    def total(self) -> int:
        return self.cumulative[-1]


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days of Vietnamese state agencies: weekends, holidays, day swaps, overrides.

    ``entries`` are overrides applied over the base in order (a later entry for
    the same date wins); ``use_holidays`` selects the ``holidays`` package as
    the base (False: weekends only, plus the entries).  Build the usual
    calendar with :meth:`vietnam`.
    """

    entries: tuple[DayOverride, ...] = ()
    use_holidays: bool = True
    _years: dict[int, _Year] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    _entries_by_year: dict[int, tuple[DayOverride, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        entries = tuple(self.entries)
        for entry in entries:
            if not isinstance(entry, DayOverride):
                raise CalendarError(
                    f"WorkingCalendar entries: expected DayOverride, got {type(entry).__name__}"
                )
        object.__setattr__(self, "entries", entries)
        by_year: dict[int, list[DayOverride]] = {}
        for entry in entries:
            by_year.setdefault(entry.date.year, []).append(entry)
        self._entries_by_year.update({y: tuple(es) for y, es in by_year.items()})

    # -- construction -------------------------------------------------------------

    @classmethod
    def vietnam(cls, extra_files: Iterable[Path | str] = ()) -> WorkingCalendar:
        """Return the Vietnamese calendar: holidays, shipped overrides, then *extra_files* in order."""
        entries = list(shipped_overrides())
        for path in extra_files:
            entries.extend(load_overrides(path))
        return cls(tuple(entries))

    def with_overrides(self, overrides: Sequence[DayOverride]) -> WorkingCalendar:
        """Return a new calendar with *overrides* applied after this one's (a what-if)."""
        return WorkingCalendar(self.entries + tuple(overrides), self.use_holidays)

    # -- queries ------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """Return True if *d* is a working day."""
        year = self._years.get(d.year) or self._year(d.year)
        return year.working[d.toordinal() - year.first] == 1

    def why_not_working(self, d: date, lang: str = "en") -> str | None:
        """Return why *d* is not a working day (holiday name or weekly rest day), None if it is one."""
        if self.is_working_day(d):
            return None
        named = self._year(d.year).named.get(d)
        if named is not None and not named.working:
            return named.name.get(lang)
        if lang == "vi":
            return f"ngày nghỉ hằng tuần ({weekday_name(d, 'vi')})"
        return f"weekly rest day ({weekday_name(d, 'en')})"

    def next_working_day(self, d: date) -> date:
        """Return the first working day strictly after *d* (never *d* itself)."""
        return self.add_working_days(d, 1)

    def previous_working_day(self, d: date) -> date:
        """Return the last working day strictly before *d* (never *d* itself)."""
        return self.add_working_days(d, -1)

    def add_working_days(self, d: date, n: int) -> date:
        """Return the *n*-th working day after *d* (before it if n < 0); *d* itself if n == 0.

        *d* need not be a working day and is never counted.
        """
        if n == 0:
            return d
        year_no = d.year
        year = self._year(year_no)
        index = d.toordinal() - year.first
        try:
            if n > 0:
                # k-th working day of the year, counting from 1 January.
                k = year.cumulative[index] + n
                while k > year.total:
                    k -= year.total
                    year_no += 1
                    year = self._year(year_no)
            else:
                before = year.cumulative[index - 1] if index > 0 else 0
                k = before + n + 1
                while k <= 0:
                    year_no -= 1
                    year = self._year(year_no)
                    k += year.total
        except CalendarError:
            raise CalendarError(
                f"add_working_days: expected a result between years 1 and 9999, "
                f"got {n} working days from {d.isoformat()}"
            ) from None
        return date.fromordinal(year.first + bisect.bisect_left(year.cumulative, k))

    def count_working_days(self, start: date, end: date) -> int:
        """Return the number of working days in (start, end]; negative if end < start.

        So ``count_working_days(d, add_working_days(d, n)) == n`` for n >= 0.
        """
        if end < start:
            return -self.count_working_days(end, start)
        first = self._year(start.year)
        at_start = first.cumulative[start.toordinal() - first.first]
        last = self._year(end.year)
        at_end = last.cumulative[end.toordinal() - last.first]
        between = sum(self._year(y).total for y in range(start.year, end.year))
        return between + at_end - at_start

    def overrides(self, year: int) -> list[DayOverride]:
        """Return every non-working weekday and working weekend day of *year*, by date."""
        table = self._year(year)
        days: list[DayOverride] = []
        for d, entry in sorted(table.named.items()):
            is_weekend = d.weekday() >= _SATURDAY
            if entry.working == is_weekend and self.is_working_day(d) == entry.working:
                days.append(entry)
        return days

    # -- the per-year table -------------------------------------------------------

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        if not 1 <= year <= 9999:
            raise CalendarError(f"calendar year: expected 1 to 9999, got {year}")
        named = self._base_named_days(year) if self.use_holidays else {}
        for override in self._entries_by_year.get(year, ()):
            named[override.date] = override
        first = date(year, 1, 1).toordinal()
        length = date(year, 12, 31).toordinal() - first + 1
        working = bytearray(length)
        for i in range(length):
            d = date.fromordinal(first + i)
            entry = named.get(d)
            working[i] = entry.working if entry is not None else d.weekday() < _SATURDAY
        table = _Year(first, bytes(working), list(itertools.accumulate(working)), named)
        self._years[year] = table
        return table

    @staticmethod
    def _base_named_days(year: int) -> dict[date, DayOverride]:
        """Return the days the holidays package knows in *year*, named and sourced."""
        if not Vietnam.start_year <= year <= Vietnam.end_year:
            return {
                date(year, month, day): DayOverride(
                    date(year, month, day), False, Text(vi, en), _SOURCE_FIXED
                )
                for month, day, vi, en in _FIXED_HOLIDAYS
            }
        # Neighbouring years too: a make-up day can sit in the year before or after
        # its day off (Sat 27/12/2014 for Fri 02/01/2015).
        span = [
            y for y in (year - 1, year, year + 1) if Vietnam.start_year <= y <= Vietnam.end_year
        ]
        vi_days = Vietnam(years=span, language="vi")
        en_days = Vietnam(years=year, language="en_US")
        workdays = sorted(vi_days.weekend_workdays)
        named: dict[date, DayOverride] = {}
        for d in sorted(en_days):
            name_vi, name_en = str(vi_days.get(d)), str(en_days.get(d))
            source = _statute_of(name_en)
            if _SWAP_MARK in name_vi:
                source = _SOURCE_SWAP
                for made_up in workdays:
                    if dmy(made_up) in name_vi:
                        name_vi = f"Ngày nghỉ hoán đổi (làm bù {weekday_name(made_up, 'vi')} {dmy(made_up)})"
                        name_en = f"Swapped day off (made up on {weekday_name(made_up, 'en')} {dmy(made_up)})"
            named[d] = DayOverride(d, False, Text(name_vi, name_en), source)
        for made_up in workdays:
            if made_up.year != year:
                continue
            off = [d for d, name in vi_days.items() if _SWAP_MARK in name and dmy(made_up) in name]
            suffix_vi = f" cho ngày nghỉ {dmy(off[0])}" if off else ""
            suffix_en = f" for the day off {dmy(off[0])}" if off else ""
            named[made_up] = DayOverride(
                made_up,
                True,
                Text(f"Làm việc bù{suffix_vi}", f"Make-up working day{suffix_en}"),
                _SOURCE_SWAP,
            )
        return named
