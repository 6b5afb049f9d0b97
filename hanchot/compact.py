"""Compact events for a long-lived engine: one copy of every repeated value.

An engine embedded in an application holds millions of events for months.
Most of what they carry repeats: a few dozen types, a few thousand agency ids,
a few hundred days, the same law numbers in ``documents``, the same attribute
sets. :class:`Interner` makes equal values one object, so an event costs its
id, its slots and a reference to each shared part. Dates stay ``datetime.date``
objects (the evaluators compute with them) but each day is one object, which
costs a reference per event, as an ordinal would.

Events are immutable by convention (:class:`~hanchot.inputs.event.Event`);
an interned event shares its ``attrs`` and ``scope`` mappings with equal
events, so nothing may change them after :meth:`Interner.event`.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Hashable
from typing import Any

from hanchot.inputs.event import Event

__all__ = ["Interner"]

_LIMIT = 100_000  # distinct mappings remembered; then forgotten (those handed out stay shared)


class Interner:
    """Shares equal strings, dates, attribute and scope mappings between events."""

    def __init__(self) -> None:
        self._dates: dict[dt.date, dt.date] = {}
        self._mappings: dict[Hashable, dict[str, Any]] = {}
        self._values: dict[Hashable, Any] = {}

    def event(self, event: Event) -> Event:
        """*event* with its repeated parts replaced by shared equal objects (in place)."""
        event.type = sys.intern(event.type)
        if event.agency is not None:
            event.agency = sys.intern(event.agency)
        event.date = self.date(event.date)
        if event.recorded is not None:
            event.recorded = self.date(event.recorded)
        if event.attrs:
            event.attrs = self.mapping(event.attrs)
        if event.scope is not None:
            event.scope = self.mapping(event.scope)
        return event

    def date(self, day: dt.date) -> dt.date:
        """The one shared object equal to *day*."""
        found = self._dates.get(day)
        if found is None:
            found = self._dates[day] = day
        return found

    def mapping(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The one shared mapping equal to *attrs* (when its values can be compared by a key)."""
        try:
            key = tuple(_item(k, v) for k, v in attrs.items())
            found = self._mappings.get(key)
        except TypeError:  # an unhashable value (a nested object): keep it as it is
            return attrs
        if found is not None:
            return found
        if len(self._mappings) >= _LIMIT:  # unique attributes (titles, numbers): bound the waste
            self._mappings.clear()
        shared = {sys.intern(k): self.value(v) for k, v in attrs.items()}
        self._mappings[key] = shared
        return shared

    def value(self, value: Any) -> Any:
        """A shared copy of a string, or of a list of strings; anything else as it is."""
        if isinstance(value, str):
            return sys.intern(value) if len(value) < 64 else value
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [self.value(v) for v in value]
        return value


_SCALARS = (str, int, float, bool, type(None))


def _item(name: str, value: Any) -> Hashable:
    """The key of one attribute: its name, its value's type and its value, frozen.

    The type keeps 1, 1.0 and True apart (they are equal and hash alike); a list of
    strings, the common case, is frozen without recursion.
    """
    kind = type(value)
    if kind in _SCALARS:
        return (name, kind, value)
    if kind is list and all(type(v) is str for v in value):
        return (name, kind, tuple(value))
    return (name, _frozen(value))


def _frozen(value: Any) -> Hashable:
    """A hashable key equal for equal values, with lists told apart from tuples and types apart."""
    if isinstance(value, list):
        return ("[", *(_frozen(v) for v in value))
    if isinstance(value, dict):
        return ("{", *((k, _frozen(v)) for k, v in value.items()))
    return (type(value).__name__, value)
