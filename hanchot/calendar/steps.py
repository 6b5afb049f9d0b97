"""Explanation steps: a date and the reason it matters, in Vietnamese and English."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hanchot.calendar._fmt import check_lang, dmy
from hanchot.text import Text


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a deadline's explanation: a date and why it matters, in vi and en."""

    date: date
    reason: Text

    def format(self, lang: str = "en") -> str:
        """Return "dd/mm/yyyy: reason" in *lang* ("vi" or "en"; another language is an error)."""
        return f"{dmy(self.date)}: {self.reason.get(check_lang(lang))}"
