"""What each field of an obligation's output holds, and the order of an explanation's lines.

The one place for both: every output (JSON, CSV, the plain values of
:meth:`~hanchot.obligations.instances.Obligation.to_dict`) writes an obligation through
:func:`obligation_fields` and :func:`explanation_lines`, each with its own writing of a
kind of value. They run once per obligation (140,000 in a check of 200,000 QMS lines), so
mypyc compiles this module (``setup.py``); it reads an obligation through the protocols
below, so that it imports nothing of :mod:`hanchot.obligations.model`, which imports it.
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


class ExplanationParts(Protocol):
    """What an explanation holds (:class:`~hanchot.obligations.instances.Explanation`)."""

    @property
    def title(self) -> Phrase:
        """The rule's id and title."""

    @property
    def basis_wording(self) -> str | Phrase:
        """The legal basis."""

    @property
    def origin(self) -> Phrase:
        """What opened the obligation."""

    @property
    def due_steps(self) -> tuple[Step, ...]:
        """How the due date was counted."""

    @property
    def notes(self) -> tuple[Phrase, ...]:
        """Notes."""

    @property
    def status(self) -> Phrase:
        """Why the obligation has its status."""


class ObligationParts(Protocol):
    """What an obligation holds (:class:`~hanchot.obligations.instances.Obligation`)."""

    @property
    def rule(self) -> str:
        """The rule's id."""

    @property
    def agency(self) -> str:
        """The agency's id."""

    @property
    def period(self) -> str | None:
        """The period, if periodic."""

    @property
    def trigger(self) -> str | None:
        """The trigger event's id, if any."""

    @property
    def opens(self) -> dt.date:
        """The opening date."""

    @property
    def due(self) -> dt.date | None:
        """The due date, if any."""

    @property
    def status(self) -> Status:
        """The status."""

    @property
    def satisfied_by(self) -> tuple[str, ...]:
        """The ids of the events that met it."""

    @property
    def explanation(self) -> ExplanationParts:
        """Why it exists, is due and has its status."""



def explanation_lines(
    explanation: ExplanationParts,
    text: Callable[[Phrase | str], T],
    basis_line: Callable[[Phrase | str], T],
    steps: Callable[[tuple[Step, ...]], list[T]],
) -> list[T]:
    """The lines of *explanation* in their order — title, basis, origin, the deadline's
    steps, notes, status — each written by the given functions (text or encoded text)."""
    out = [text(explanation.title), basis_line(explanation.basis_wording), text(explanation.origin)]
    out += steps(explanation.due_steps)
    for note in explanation.notes:
        out.append(text(note))
    out.append(text(explanation.status))
    return out


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
    text: Callable[[Phrase | str], T]
    """A text in the writer's language."""
    explanation: Callable[[ExplanationParts], U]
    """The explanation's lines."""


OBLIGATION_FIELDS = ("rule", "agency", "period", "trigger", "opens", "due", "status", "satisfied_by", "basis", "explanation")
"""The fields of an obligation in the output formats, in their order."""


def obligation_fields(o: ObligationParts, write: FieldWriter[T, U]) -> tuple[T, T, T, T, T, T, T, U, T, U]:
    """The values of :data:`OBLIGATION_FIELDS` for *o*, each written by *write*: the one
    place that says what each field of the output holds."""
    name, unique, day, status, ids, text, explanation = write
    why = o.explanation
    return (
        name(o.rule),
        name(o.agency),
        name(o.period),
        unique(o.trigger),
        day(o.opens),
        day(o.due),
        status(o.status),
        ids(o.satisfied_by),
        text(why.basis_wording),
        explanation(why),
    )


