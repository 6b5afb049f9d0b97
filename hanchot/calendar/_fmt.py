"""Shared text helpers of the calendar: languages, date and weekday names.

Dates in explanations are written the Vietnamese way (dd/mm/yyyy) in both
languages, because the plans and legal documents they are checked against do.
"""

from __future__ import annotations

from datetime import date

from hanchot.errors import CalendarError

LANGS = ("vi", "en")

WEEKDAY_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAY_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def check_lang(lang: str) -> str:
    """Return *lang* if it is a supported language code, else raise CalendarError."""
    if lang not in LANGS:
        raise CalendarError(f"language: expected one of {', '.join(LANGS)}, got {lang!r}")
    return lang


def dmy(d: date) -> str:
    """Return *d* as dd/mm/yyyy."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def dmy_as_written(d: date) -> str:
    """Return *d* as ``d.strftime("%d/%m/%Y")`` writes it (a year below 1000 unpadded),
    without strftime's cost: what obligation explanations have always printed."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def weekday_name(d: date, lang: str) -> str:
    """Return the weekday name of *d* in *lang*."""
    return (WEEKDAY_VI if lang == "vi" else WEEKDAY_EN)[d.weekday()]


def ordinal_en(n: int) -> str:
    """Return 1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, 21st."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
