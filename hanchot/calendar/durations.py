"""Durations of legal periods: "3 months", "15 ngày làm việc", "P2W".

Accepted forms (case-insensitive, NFC-normalised, amount a non-negative integer):

- English: ``10 days``, ``15 working days`` (also ``business days``),
  ``2 weeks``, ``3 months``, ``1 year`` — singular or plural;
- Vietnamese: ``10 ngày``, ``15 ngày làm việc``, ``2 tuần``, ``3 tháng``, ``1 năm``;
- ISO 8601 with one component: ``P10D``, ``P2W``, ``P3M``, ``P1Y``
  (ISO has no working days).

``str()`` gives the canonical English form, which parses back to the same value.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

from hanchot.calendar._fmt import check_lang
from hanchot.errors import CalendarError

ACCEPTED_FORMS = (
    "'10 days', '15 working days', '2 weeks', '3 months', '1 year', "
    "'10 ngày', '15 ngày làm việc', '2 tuần', '3 tháng', '1 năm', "
    "'P10D', 'P2W', 'P3M', 'P1Y'"
)


class DurationUnit(enum.Enum):
    """The unit of a duration; working days count only working days."""

    DAYS = "days"
    WORKING_DAYS = "working days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"


# unit -> (English singular, English plural, Vietnamese, ISO designator or "")
_NAMES: dict[DurationUnit, tuple[str, str, str, str]] = {
    DurationUnit.DAYS: ("day", "days", "ngày", "D"),
    DurationUnit.WORKING_DAYS: ("working day", "working days", "ngày làm việc", ""),
    DurationUnit.WEEKS: ("week", "weeks", "tuần", "W"),
    DurationUnit.MONTHS: ("month", "months", "tháng", "M"),
    DurationUnit.YEARS: ("year", "years", "năm", "Y"),
}

_WORDS: dict[str, DurationUnit] = {}
for _unit, (_one, _many, _vi, _iso) in _NAMES.items():
    _WORDS.update({_one: _unit, _many: _unit, _vi: _unit})
_WORDS.update(
    {"business day": DurationUnit.WORKING_DAYS, "business days": DurationUnit.WORKING_DAYS}
)
_ISO_UNITS = {iso: unit for unit, (_, _, _, iso) in _NAMES.items() if iso}

_WORDED = re.compile(r"([0-9]+)\s*([^0-9]+?)")
_ISO = re.compile(r"p([0-9]+)([dwmy])")


@dataclass(frozen=True, slots=True)
class Duration:
    """A length of time: a non-negative whole *amount* of a *unit*."""

    amount: int
    unit: DurationUnit

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 0:
            raise CalendarError(f"duration amount: expected an integer >= 0, got {self.amount!r}")
        if not isinstance(self.unit, DurationUnit):
            raise CalendarError(
                f"duration unit: expected a DurationUnit, got {type(self.unit).__name__}"
            )

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse English, Vietnamese or ISO 8601 *text* (forms in the module docstring)."""
        if not isinstance(text, str):
            raise CalendarError(
                f"duration: expected text such as {ACCEPTED_FORMS}, got {type(text).__name__}"
            )
        clean = " ".join(unicodedata.normalize("NFC", text).casefold().split())
        match = _ISO.fullmatch(clean)
        if match:
            return cls(int(match.group(1)), _ISO_UNITS[match.group(2).upper()])
        match = _WORDED.fullmatch(clean)
        if match and match.group(2).strip() in _WORDS:
            return cls(int(match.group(1)), _WORDS[match.group(2).strip()])
        raise CalendarError(f"duration: expected one of {ACCEPTED_FORMS}, got {text!r}")

    def format(self, lang: str = "en") -> str:
        """Return the duration in *lang*: "3 months" (en) or "3 tháng" (vi)."""
        one, many, vi, _ = _NAMES[self.unit]
        if check_lang(lang) == "vi":
            return f"{self.amount} {vi}"
        return f"{self.amount} {one if self.amount == 1 else many}"

    def iso(self) -> str | None:
        """Return the ISO 8601 form ("P3M"), or None for working days, which ISO lacks."""
        designator = _NAMES[self.unit][3]
        return f"P{self.amount}{designator}" if designator else None

    def __str__(self) -> str:
        return self.format("en")
