"""Patterns compiled to plain data, shared by the matcher and its backends.

:func:`compile_pattern` reduces a rule pattern to hashable data; a
:class:`TypeGroup` holds the distinct patterns of one event type; the
helpers rank numbers among a pattern set's thresholds. Both backends (the
pure-Python one in :mod:`hanchot.rules.matcher` and
:mod:`hanchot.rules.durable_backend`) build on these, so neither imports the
other's module.
"""

from __future__ import annotations

import math
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hanchot.rules.model import Pattern

__all__ = [
    "MISSING",
    "CompiledCondition",
    "CompiledPattern",
    "MatcherStats",
    "TypeGroup",
    "compile_pattern",
    "is_number",
    "nfc",
    "normalise_value",
    "numeric_thresholds",
    "rank",
]


class _Missing:
    """The value of an attribute the event does not have."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""Stands for an absent attribute in the values handed to a backend."""


# --------------------------------------------------------------------------
# Normalisation and compiled patterns
# --------------------------------------------------------------------------


def nfc(text: str) -> str:
    """*text* in NFC, so composed and decomposed Vietnamese compare equal."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def normalise_value(value: Any) -> Any:
    """An event attribute value as the backends see it: strings in NFC."""
    return nfc(value) if isinstance(value, str) else value


def is_number(value: Any) -> bool:
    """Whether *value* is a number for ``gt``/``lt``: int or float, never bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class CompiledCondition:
    """One attribute's operators, operands normalised (strings NFC).

    ``ops`` holds (operator, operand) pairs in :data:`ATTRIBUTE_OPERATORS`
    order; ``in``/``not_in`` operands are tuples.
    """

    attribute: str
    ops: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class CompiledPattern:
    """A pattern reduced to plain, hashable data: equal patterns compare equal."""

    type: str
    conditions: tuple[CompiledCondition, ...]

    @property
    def attributes(self) -> tuple[str, ...]:
        return tuple(c.attribute for c in self.conditions)


def _operand(value: Any) -> Any:
    return nfc(value) if isinstance(value, str) else value


def compile_pattern(pattern: Pattern) -> CompiledPattern:
    """Reduce *pattern* to a :class:`CompiledPattern` (duck-typed on ``type``/``conditions``)."""
    conditions = []
    for name, condition in pattern.conditions():
        ops = []
        for op, operand in condition.operators():
            if op in ("in", "not_in"):
                ops.append((op, tuple(_operand(v) for v in operand)))
            else:
                ops.append((op, _operand(operand)))
        conditions.append(CompiledCondition(nfc(name), tuple(ops)))
    # Plain values and explicit conditions on one attribute cannot both occur
    # (``where`` is a dict), so sorting by attribute is a canonical order.
    conditions.sort(key=lambda c: c.attribute)
    return CompiledPattern(nfc(pattern.type), tuple(conditions))


@dataclass
class MatcherStats:
    """Counters for benchmarks: ``backend_calls`` uncached evaluations,
    ``cache_hits`` answers from the cache, ``posts`` native calls (durable only:
    one per ruleset of the event's type per backend call), ``cache_clears``.
    """

    backend_calls: int = 0
    cache_hits: int = 0
    posts: int = 0
    cache_clears: int = 0


class TypeGroup:
    """The distinct patterns of one event type and the attributes they reference."""

    __slots__ = ("attributes", "indices", "patterns", "type")

    def __init__(self, type_: str) -> None:
        self.type = type_
        self.attributes: tuple[str, ...] = ()
        # distinct compiled patterns, and for each the pattern-list indices it answers
        self.patterns: list[CompiledPattern] = []
        self.indices: list[tuple[int, ...]] = []


# --------------------------------------------------------------------------
# Helpers shared with the durable backend
# --------------------------------------------------------------------------


def numeric_thresholds(patterns: Sequence[CompiledPattern], attribute: str) -> list[float]:
    """Sorted distinct non-NaN operands of ``gt``/``gte``/``lt``/``lte`` on *attribute*."""
    found = {
        operand
        for p in patterns
        for c in p.conditions
        if c.attribute == attribute
        for op, operand in c.ops
        if op in ("gt", "gte", "lt", "lte") and not math.isnan(operand)
    }
    return sorted(found)


def rank(value: Any, thresholds: Sequence[float]) -> int:
    """The position of number *value* among *thresholds*: ``2j+1`` when equal to
    the j-th, ``2j`` when just below it; order with thresholds is preserved exactly.
    """
    j = bisect_left(thresholds, value)
    return 2 * j + (1 if j < len(thresholds) and thresholds[j] == value else 0)
