"""The one bilingual text type: a text in Vietnamese and English.

Every layer uses it — a rule's title (:mod:`hanchot.rules.model`), a sentence of
an explanation (:class:`hanchot.obligations.model.Phrase` is this type), a
deadline step's reason (:class:`hanchot.calendar.Step`), a day's name
(:class:`hanchot.calendar.DayOverride`) — so it imports nothing of hanchot: the
calendar, the lowest layer, may import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class Text:
    """A text in Vietnamese and English."""

    # Read by pydantic where a rule pack holds a Text (a rule's title): unknown keys are errors.
    __pydantic_config__: ClassVar[dict[str, str]] = {"extra": "forbid"}

    vi: str
    en: str

    def get(self, lang: str) -> str:
        """Return the text in *lang* (``vi``; anything else is English)."""
        return self.vi if lang == "vi" else self.en
