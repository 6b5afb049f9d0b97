"""Explanation steps: a date and the reason it matters, in Vietnamese and English."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hanchot.calendar._fmt import check_lang, dmy


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a deadline's explanation: a date and why it matters, in vi and en."""

    date: date
    reason_vi: str
    reason_en: str

    def reason(self, lang: str = "en") -> str:
        """Return the reason in *lang* ("vi" or "en")."""
        return self.reason_vi if check_lang(lang) == "vi" else self.reason_en

    def format(self, lang: str = "en") -> str:
        """Return "dd/mm/yyyy: reason" in *lang*."""
        return f"{dmy(self.date)}: {self.reason(lang)}"
