"""Where an obligation stands as of the evaluation's day, and the sentence that says why.

Every obligation is settled once (140,000 in a check of 200,000 QMS lines), so mypyc
compiles this module (``setup.py``): an evaluator's call to :meth:`Settling.settled`
runs no Python frame. The sentence is the caller's (:class:`~hanchot.obligations.context.StatusSaid`),
so that this module imports nothing of the context, which imports it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Final

from hanchot.inputs.event import Event
from hanchot.obligations.status import Status
from hanchot.text import Text as Phrase

Sentence = Callable[[Status, dt.date | None, str | None, dt.date | None, dt.date], Phrase]
"""Why a duty has its status: (status, due date, id and date of the event that met it, the clock)."""

# (Status.MET read per call is an Enum class's attribute; these are read once.)
_MET: Final = Status.MET
_MET_LATE: Final = Status.MET_LATE
_OVERDUE: Final = Status.OVERDUE
_OPEN: Final = Status.OPEN


def settle(due: dt.date | None, met_on: dt.date | None, as_of: dt.date) -> Status:
    """The status from the due date, the day the duty was met, and the clock."""
    if met_on is not None:
        return _MET if due is None or met_on <= due else _MET_LATE
    if due is not None and as_of > due:
        return _OVERDUE
    return _OPEN


class Settling:
    """The statuses of one evaluation's duties, as of *as_of*, each with its *sentence*.

    An unmet duty's status and sentence follow from its due date and the clock, so the
    unmet duties due on one day share them; a met duty's sentence names its event.
    """

    def __init__(self, as_of: dt.date, sentence: Sentence) -> None:
        self.as_of = as_of
        self._sentence = sentence
        self._unmet: dict[dt.date | None, tuple[Status, Phrase]] = {}

    def settled(self, due: dt.date | None, met_by: Event | None) -> tuple[Status, Phrase]:
        """:func:`settle` of a duty due *due* and met by *met_by*, and why."""
        as_of = self.as_of
        if met_by is not None:
            met_on = met_by.date
            status = settle(due, met_on, as_of)
            return status, self._sentence(status, due, met_by.id, met_on, as_of)
        found = self._unmet.get(due)
        if found is None:
            status = settle(due, None, as_of)
            found = self._unmet[due] = (status, self._sentence(status, due, None, None, as_of))
        return found
