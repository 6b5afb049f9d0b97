"""Where an obligation stands: its own module, so that :mod:`hanchot.obligations.fields`
(compiled, below :mod:`hanchot.obligations.model`) can name it; the model exports it."""

from __future__ import annotations

from enum import Enum


class Status(str, Enum):
    """Where an obligation stands as of the evaluation date."""

    OPEN = "open"
    """Not met yet, and not (or not yet) due."""
    OVERDUE = "overdue"
    """Not met, and its due date has passed: a violation."""
    MET = "met"
    """Met on or before its due date."""
    MET_LATE = "met_late"
    """Met after its due date: a violation."""
    NOT_APPLICABLE = "not_applicable"
    """The duty lapsed, e.g. the agency ceased to exist before it fell due."""

    @property
    def is_violation(self) -> bool:
        """Whether this status is a violation (overdue or met late)."""
        return self in (Status.OVERDUE, Status.MET_LATE)


