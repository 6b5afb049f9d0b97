"""Reporting periods (year, half-year, quarter, month) and Art. 146 points in time.

Text forms accepted by :meth:`Period.parse` (case-insensitive, NFC-normalised):

- year: ``2025``, ``Năm 2025``;
- half-year: ``2025-H1``, ``H1 2025``, ``6 tháng đầu năm 2025``, ``6 tháng cuối năm 2025``;
- quarter: ``2025-Q3``, ``Q3 2025``, ``Quý III/2025``, ``Quý 3/2025``, ``Quý III năm 2025``;
- month: ``2025-07``, ``07/2025``, ``Tháng 7/2025``, ``Tháng 7 năm 2025``, ``July 2025``.

``str()`` gives the compact form (``2025-Q3``); ``format("vi")`` the Vietnamese
one (``Quý III/2025``); ``format("en")`` the English one (``Q3 2025``).
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from hanchot.calendar._fmt import check_lang, ordinal_en
from hanchot.calendar._gregorian import clamped_day, days_in_month
from hanchot.calendar.steps import Step
from hanchot.errors import CalendarError
from hanchot.text import Text

ACCEPTED_FORMS = (
    "'2025', 'Năm 2025', '2025-H1', 'H1 2025', '6 tháng đầu năm 2025', '6 tháng cuối năm 2025', "
    "'2025-Q3', 'Q3 2025', 'Quý III/2025', '2025-07', '07/2025', 'Tháng 7/2025', 'July 2025'"
)


class PeriodKind(enum.StrEnum):
    """The length of a reporting period."""

    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"


_MONTHS_PER = {PeriodKind.YEAR: 12, PeriodKind.HALF: 6, PeriodKind.QUARTER: 3, PeriodKind.MONTH: 1}
_ROMAN = ("I", "II", "III", "IV")
_MONTH_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

_Y = r"(?P<year>[0-9]{4})"
_PATTERNS: tuple[tuple[PeriodKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        (PeriodKind.YEAR, rf"(?:năm )?{_Y}"),
        (PeriodKind.HALF, rf"{_Y}-h(?P<index>[12])"),
        (PeriodKind.HALF, rf"h(?P<index>[12]) {_Y}"),
        (PeriodKind.HALF, rf"6 tháng (?P<half>đầu|cuối) năm {_Y}"),
        (PeriodKind.QUARTER, rf"{_Y}-q(?P<index>[1-4])"),
        (PeriodKind.QUARTER, rf"q(?P<index>[1-4])[ /]{_Y}"),
        (PeriodKind.QUARTER, rf"quý (?P<index>[1-4]|iv|i{{1,3}})(?:/| năm ){_Y}"),
        (PeriodKind.MONTH, rf"{_Y}-(?P<index>[0-9]{{2}})"),
        (PeriodKind.MONTH, rf"(?:tháng )?(?P<index>[0-9]{{1,2}})(?:/| năm ){_Y}"),
        (PeriodKind.MONTH, rf"(?P<name>[a-z]+) {_Y}"),
    )
)

Which = Literal["beginning", "middle", "end"]
_WHICH = {"beginning": "beginning", "đầu": "beginning", "middle": "middle", "giữa": "middle",
          "end": "end", "cuối": "end"}  # fmt: skip


@functools.total_ordering
@dataclass(frozen=True, slots=True, eq=True)
class Period:
    """A calendar year, half-year, quarter or month; *index* counts from 1 within the year.

    Periods are ordered by first day, then last day (so a month sorts before its
    quarter, which sorts before its year).
    """

    kind: PeriodKind
    year: int
    index: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _kind(self.kind))
        count = 12 // _MONTHS_PER[self.kind]
        if not isinstance(self.index, int) or not 1 <= self.index <= count:
            raise CalendarError(
                f"period index of a {self.kind.value}: expected 1 to {count}, got {self.index!r}"
            )
        if not isinstance(self.year, int) or not 1 <= self.year <= 9999:
            raise CalendarError(f"period year: expected 1 to 9999, got {self.year!r}")

    # -- construction -------------------------------------------------------------

    @classmethod
    def containing(cls, d: date, kind: PeriodKind | str) -> Period:
        """Return the period of *kind* that contains the day *d*."""
        checked = _kind(kind)
        return cls(checked, d.year, (d.month - 1) // _MONTHS_PER[checked] + 1)

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse *text* in one of the forms listed in the module docstring."""
        clean = " ".join(unicodedata.normalize("NFC", str(text)).casefold().split())
        for kind, pattern in _PATTERNS:
            match = pattern.fullmatch(clean)
            if not match:
                continue
            groups = match.groupdict()
            if kind is PeriodKind.YEAR:
                index = 1
            elif groups.get("name"):
                names = [name.casefold() for name in _MONTH_EN]
                if groups["name"] not in names:
                    break
                index = names.index(groups["name"]) + 1
            elif groups.get("half"):
                index = 1 if groups["half"] == "đầu" else 2
            elif groups["index"].isdigit():
                index = int(groups["index"])
            else:
                index = _ROMAN.index(groups["index"].upper()) + 1
            if kind is PeriodKind.MONTH and not 1 <= index <= 12:
                break
            return cls(kind, int(groups["year"]), index)
        raise CalendarError(f"period: expected one of {ACCEPTED_FORMS}, got {text!r}")

    # -- text ---------------------------------------------------------------------

    def __str__(self) -> str:
        if self.kind is PeriodKind.YEAR:
            return f"{self.year:04d}"
        if self.kind is PeriodKind.MONTH:
            return f"{self.year:04d}-{self.index:02d}"
        return f"{self.year:04d}-{'H' if self.kind is PeriodKind.HALF else 'Q'}{self.index}"

    def format(self, lang: str = "en") -> str:
        """Return the period in *lang*: "Quý III/2025" (vi) or "Q3 2025" (en)."""
        vi = check_lang(lang) == "vi"
        if self.kind is PeriodKind.YEAR:
            return f"Năm {self.year}" if vi else str(self.year)
        if self.kind is PeriodKind.HALF:
            if vi:
                return f"6 tháng {'đầu' if self.index == 1 else 'cuối'} năm {self.year}"
            return f"H{self.index} {self.year}"
        if self.kind is PeriodKind.QUARTER:
            return (
                f"Quý {_ROMAN[self.index - 1]}/{self.year}" if vi else f"Q{self.index} {self.year}"
            )
        return (
            f"Tháng {self.index}/{self.year}" if vi else f"{_MONTH_EN[self.index - 1]} {self.year}"
        )

    # -- days ---------------------------------------------------------------------

    @property
    def first_day(self) -> date:
        """The period's first day."""
        year, month = self.months()[0]
        return date(year, month, 1)

    @property
    def last_day(self) -> date:
        """The period's last day."""
        year, month = self.months()[-1]
        return date(year, month, days_in_month(year, month))

    def months(self) -> list[tuple[int, int]]:
        """Return the (year, month) pairs of the period, in order."""
        span = _MONTHS_PER[self.kind]
        first = (self.index - 1) * span + 1
        return [(self.year, month) for month in range(first, first + span)]

    def contains(self, d: date) -> bool:
        """Return True if *d* lies in the period."""
        return self.first_day <= d <= self.last_day

    def next(self) -> Period:
        """Return the period of the same kind that follows this one."""
        if self.index < 12 // _MONTHS_PER[self.kind]:
            return Period(self.kind, self.year, self.index + 1)
        return Period(self.kind, self.year + 1, 1)

    def previous(self) -> Period:
        """Return the period of the same kind that precedes this one."""
        if self.index > 1:
            return Period(self.kind, self.year, self.index - 1)
        return Period(self.kind, self.year - 1, 12 // _MONTHS_PER[self.kind])

    def day_in_month(self, day: int, month: int | str = "last") -> date:
        """Return day *day* of the *month*-th month of the period (or "first"/"last"), clamped."""
        return self.locate_day(day, month).date

    def locate_day(self, day: int, month: int | str = "last") -> Step:
        """Like :meth:`day_in_month`, as an explanation step that records any clamp to month end.

        *month* is a 1-based index within the period, or "first" / "last";
        "the 22nd of each quarter" reads as the last month (Decree 09/2019 Art. 12).
        """
        months = self.months()
        if month in ("first", "last"):
            position = 1 if month == "first" else len(months)
        elif isinstance(month, int) and not isinstance(month, bool) and 1 <= month <= len(months):
            position = month
        else:
            raise CalendarError(
                f"month of {self}: expected 1 to {len(months)}, 'first' or 'last', got {month!r}"
            )
        if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 31:
            raise CalendarError(f"day of month in {self}: expected 1 to 31, got {day!r}")
        year, number = months[position - 1]
        found, clamped = clamped_day(year, number, day)
        reason_vi = f"ngày {day} tháng thứ {position} của {self.format('vi')}"
        reason_en = f"day {day} of the {ordinal_en(position)} month of {self.format('en')}"
        if clamped:
            reason_vi += f": ngày {day:02d}/{number:02d}/{year} không có → ngày cuối tháng"
            reason_en += f": {day:02d}/{number:02d}/{year} does not exist → the month's last day"
        return Step(found, Text(reason_vi, reason_en))

    def _key(self) -> tuple[date, date]:
        return self.first_day, self.last_day

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() < other._key()


def _kind(kind: PeriodKind | str) -> PeriodKind:
    try:
        return PeriodKind(kind)
    except ValueError:
        raise CalendarError(
            f"period kind: expected one of {', '.join(k.value for k in PeriodKind)}, got {kind!r}"
        ) from None


def _which(which: str) -> str:
    try:
        return _WHICH[unicodedata.normalize("NFC", which).casefold()]
    except (KeyError, AttributeError):
        raise CalendarError(
            f"point in time: expected 'beginning', 'middle' or 'end' (đầu, giữa, cuối), got {which!r}"
        ) from None


def month_point(year: int, month: int, which: Which | str) -> date:
    """Return the beginning, middle or end of a month: day 1, 15 or last (Civil Code Art. 146)."""
    if not 1 <= month <= 12:
        raise CalendarError(f"month: expected 1 to 12, got {month!r}")
    point = _which(which)
    day = {"beginning": 1, "middle": 15, "end": days_in_month(year, month)}[point]
    return date(year, month, day)


def year_point(year: int, which: Which | str) -> date:
    """Return the beginning, middle or end of a year: 1/1, 30/6 or 31/12 (Civil Code Art. 146)."""
    month, day = {"beginning": (1, 1), "middle": (6, 30), "end": (12, 31)}[_which(which)]
    return date(year, month, day)
