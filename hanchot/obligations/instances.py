"""An obligation instance, its explanation and its status: made once per obligation.

A check of 200,000 events makes 140,000 of each. They live apart from
:mod:`hanchot.obligations.model` (the sentences, their rendering, the report) so that
mypyc compiles them (see ``setup.py``): compiled, they are native classes, which the
compiled evaluators make with a C call and the compiled writers read as fields of a
struct. Interpreted, each ``__init__`` was a Python call setting each field by a
descriptor (about 6,000 instructions an object).

Both are immutable (frozen dataclasses) and compare by their fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from hanchot.calendar import Step
from hanchot.text import Text as Phrase

if TYPE_CHECKING:
    from hanchot.obligations.model import Rendering

__all__ = ["Explanation", "Obligation", "ObligationKey", "Status"]


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


ObligationKey = tuple[str, str, str, str]
"""(rule, agency, period or "", trigger or "")."""


@dataclass(frozen=True, slots=True, repr=False)
class Explanation:
    """Why an obligation exists, when it is due and why it has its status.

    It holds the parts (sentences, the deadline's steps); :meth:`lines` writes
    them. Immutable; equal when the parts are.
    """

    title: Phrase
    basis_wording: str | Phrase
    """The legal basis as held (written on access)."""
    origin: Phrase
    """What opened it: the trigger event, or the period or milestone."""
    due_steps: tuple[Step, ...]
    status: Phrase
    notes: tuple[Phrase, ...] = ()

    @property
    def basis(self) -> str:
        """The legal basis, every citation joined."""
        basis = self.basis_wording
        return basis if isinstance(basis, str) else basis.get("en")

    def lines(self, lang: str = "en") -> list[str]:
        """The explanation as readable lines in *lang*."""
        from hanchot.obligations.model import (
            Rendering,  # (it renders explanations: it imports this module)
        )

        return Rendering(lang).lines(self)

    def __repr__(self) -> str:
        parts = (self.title, self.basis_wording, self.origin, self.due_steps, self.status, self.notes)
        return f"Explanation({', '.join(map(repr, parts))})"

    def __reduce__(self) -> tuple[Any, ...]:  # by its fields: a compiled (native) class has no __dict__ to restore
        return (Explanation, (self.title, self.basis_wording, self.origin, self.due_steps, self.status, self.notes))


@dataclass(frozen=True, slots=True)
class Obligation:
    """One obligation instance: a rule applied to an agency for a period or trigger."""

    rule: str
    agency: str
    period: str | None
    trigger: str | None
    opens: dt.date
    due: dt.date | None
    status: Status
    satisfied_by: tuple[str, ...]
    explanation: Explanation

    @property
    def is_violation(self) -> bool:
        """Whether the instance is overdue or was met late."""
        return self.status.is_violation

    @property
    def key(self) -> ObligationKey:
        """Rule, agency, period and trigger: what identifies the duty across dates and rule sets."""
        return (self.rule, self.agency, self.period or "", self.trigger or "")

    def sort_key(self) -> tuple[str, str, dt.date, str, str]:
        """The deterministic output order: agency, rule, opening date, period, trigger."""
        return (self.agency, self.rule, self.opens, self.period or "", self.trigger or "")

    def to_dict(self, lang: str = "en", rendering: Rendering | None = None) -> dict[str, Any]:
        """The instance in the JSON output format (*rendering*: shared by a report's
        obligations, so each distinct text is written once)."""
        from hanchot.obligations.model import OBLIGATION_FIELDS, Rendering, obligation_fields

        rendering = rendering if rendering is not None and rendering.lang == lang else Rendering(lang)
        return dict(zip(OBLIGATION_FIELDS, obligation_fields(self, rendering.fields)))

    def __reduce__(self) -> tuple[Any, ...]:  # by its fields, as Explanation
        return (
            Obligation,
            (self.rule, self.agency, self.period, self.trigger, self.opens, self.due, self.status,
             self.satisfied_by, self.explanation),
        )  # fmt: skip
