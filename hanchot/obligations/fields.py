"""The fields of an obligation's output, and how each kind of value is written.

Every output (JSON, CSV, the plain values of
:meth:`~hanchot.obligations.instances.Obligation.to_dict`) writes an obligation through
:meth:`~hanchot.obligations.instances.Obligation.written` and its explanation through
:meth:`~hanchot.obligations.instances.Explanation.written` (the one place that says what
each field and line holds), each with its own :class:`FieldWriter`. The protocols below let
:mod:`hanchot.obligations.rendering` name an explanation without importing
:mod:`hanchot.obligations.instances`, which imports it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Generic, NamedTuple, Protocol, TypeVar

from hanchot.calendar import Step
from hanchot.obligations.status import Status
from hanchot.text import Text as Phrase

T = TypeVar("T")
U = TypeVar("U")


TextWriter = Callable[[Phrase | str], T]
"""How a writer writes a text (a sentence, a plain text, a basis)."""
StepsWriter = Callable[[tuple[Step, ...]], list[T]]
"""How a writer writes a deadline's steps, a line each."""


class ExplanationParts(Protocol):
    """An explanation (:class:`~hanchot.obligations.instances.Explanation`), as its writers see it."""

    def written(self, text: TextWriter[T], basis_line: TextWriter[T], steps: StepsWriter[T]) -> list[T]:
        """Its lines in their order, each written by the given functions."""


class FieldWriter(NamedTuple, Generic[T, U]):
    """How each kind of field of an obligation is written: as the plain values of
    :meth:`~hanchot.obligations.instances.Obligation.to_dict`
    (:attr:`~hanchot.obligations.rendering.Rendering.fields`) or as encoded JSON
    (:class:`hanchot.output.ObligationJson`). Plain functions, called per row."""

    name: Callable[[str | None], T]
    """An id or code often repeated (a rule, an agency, a period), or None."""
    unique: Callable[[str | None], T]
    """An id seldom repeated (a trigger), or None."""
    day: Callable[[dt.date | None], T]
    """A date, or None."""
    status: Callable[[Status], T]
    """A status."""
    ids: Callable[[tuple[str, ...]], U]
    """A list of event ids."""
    text: TextWriter[T]
    """A text in the writer's language."""
    explanation: Callable[[ExplanationParts], U]
    """The explanation's lines."""


OBLIGATION_FIELDS = ("rule", "agency", "period", "trigger", "opens", "due", "status", "satisfied_by", "basis", "explanation")
"""The fields of an obligation in the output formats, in their order."""
