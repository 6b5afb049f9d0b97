"""Sentences written when read, and their rendering in one language.

:class:`Said` is a sentence kept as its parts; :class:`Rendering` writes sentences,
deadline steps and explanations in one language, each distinct text once. It reads an
explanation through :class:`~hanchot.obligations.fields.ExplanationParts`, so that
:mod:`hanchot.obligations.instances` (compiled) can call it without an import cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from hanchot.calendar import Step, dmy_as_written
from hanchot.obligations.fields import ExplanationParts, FieldWriter
from hanchot.obligations.status import Status
from hanchot.text import Text

__all__ = ["Phrase", "Rendering", "Said", "iso_day"]


Phrase = Text
"""One sentence of an explanation, in Vietnamese and English: the bilingual :class:`~hanchot.text.Text`."""


class Said(Phrase):
    """A sentence kept as its parts (ids, dates, a rule) and written only when
    read, in the language asked: most explanations of a big evaluation are never
    read, or read in one language only. A :class:`Phrase` to every reader.

    Subclasses are immutable, compare by their parts, and set :attr:`reuse_key`
    when their text may be reused for every sentence with the same key.
    """

    __slots__ = ()

    reuse_key: object = None
    """Sentences with the same non-None key have the same text (e.g. one rule's basis)."""

    def render(self, rendering: Rendering) -> str:
        """The sentence in ``rendering.lang``."""
        raise NotImplementedError

    @property
    def vi(self) -> str:
        """The sentence in Vietnamese."""
        return self.render(Rendering("vi"))

    @property
    def en(self) -> str:
        """The sentence in English."""
        return self.render(Rendering("en"))

    def get(self, lang: str) -> str:
        """The sentence in *lang* (``vi`` or ``en``)."""
        return self.render(Rendering(lang))

    def _parts(self) -> tuple[object, ...]:
        """What the sentence says, for equality and hashing."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Said)
        return self._parts() == other._parts()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._parts()))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot set {name!r}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self._parts()!r}"


class _Days(dict[dt.date, str]):
    """Days as dd/mm/yyyy, each written once."""

    def __missing__(self, day: dt.date) -> str:
        found = self[day] = dmy_as_written(day)
        return found


class Rendering:
    """Explanations written in one language, each distinct text once: the steps
    of a shared deadline, a rule's title and basis, every date.

    :attr:`fields` writes an obligation's fields as the plain values (text,
    ``None``, lists) that :meth:`Obligation.to_dict` holds.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._vi = lang == "vi"
        self._basis_label = "Căn cứ" if self._vi else "Basis"
        self.date: Callable[[dt.date], str] = _Days().__getitem__
        """*day* as dd/mm/yyyy, each day written once (a day met again is found without a Python call)."""
        self._steps: dict[int, tuple[tuple[Step, ...], list[str]]] = {}
        self._reused: dict[object, str] = {}
        self.fields: FieldWriter[str | None, list[str]] = FieldWriter(
            _as_is, _as_is, iso_day, _status_value, list, self.text, self.lines
        )

    def text(self, wording: Phrase | str) -> str:
        """*wording* in this language."""
        if isinstance(wording, Said):
            key = wording.reuse_key
            if key is None:
                return wording.render(self)
            found = self._reused.get(key)
            if found is None:
                found = self._reused[key] = wording.render(self)
            return found
        if isinstance(wording, str):
            return wording
        return wording.vi if self._vi else wording.en

    def basis_line(self, basis: Phrase | str) -> str:
        """The explanation's line of the legal basis *basis*."""
        return f"{self._basis_label}: {self.text(basis)}"

    def steps(self, steps: tuple[Step, ...]) -> list[str]:
        """The lines of a deadline's steps; deadlines are shared, so keyed by identity
        (the tuple is kept with its lines, so its id is not reused meanwhile)."""
        found = self._steps.get(id(steps))
        if found is None or found[0] is not steps:
            if steps:
                steps[0].format(self.lang)  # an unknown language is an error, as Step.format says
            date, vi = self.date, self._vi
            lines = [f"{date(s.date)}: {s.reason.vi if vi else s.reason.en}" for s in steps]
            found = self._steps[id(steps)] = (steps, lines)
        return found[1]

    def lines(self, explanation: ExplanationParts) -> list[str]:
        """*explanation* as readable lines."""
        return explanation.written(self.text, self.basis_line, self.steps)


def iso_day(day: dt.date | None) -> str | None:
    """A date of the output (opening, due date): ISO 8601, or None."""
    return day.isoformat() if day is not None else None


def _as_is(value: str | None) -> str | None:
    return value


def _status_value(status: Status) -> str:
    return status.value
