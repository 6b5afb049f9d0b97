"""An obligation instance and its explanation: made once per obligation.

A check of 200,000 events makes 140,000 of each, so mypyc compiles this module (see
``setup.py``): compiled, they are native classes, which the compiled evaluators make
with a C call (an interpreted ``__init__`` setting each field by its descriptor cost
about 6,000 instructions an object). What each field and line of the output holds is
theirs to say (:meth:`Obligation.written`, :meth:`Explanation.written`): compiled, those
read the fields from the native objects. :mod:`~hanchot.obligations.rendering` names an
explanation by the :mod:`~hanchot.obligations.fields` protocol, without importing this
module, so that :meth:`Explanation.lines` and :meth:`Obligation.to_dict` can call it.

Both are immutable and compare by their fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Final, TypeVar

from hanchot.calendar import Step
from hanchot.obligations.fields import OBLIGATION_FIELDS, FieldWriter, StepsWriter, TextWriter
from hanchot.obligations.rendering import Rendering
from hanchot.obligations.status import Status
from hanchot.text import Text as Phrase

__all__ = ["Explanation", "Obligation", "ObligationKey"]


T = TypeVar("T")
U = TypeVar("U")

ObligationKey = tuple[str, str, str, str]
"""(rule, agency, period or "", trigger or "")."""


# Compiled, __init__ writes each field of the native struct directly; interpreted, it sets
# each through its slot's descriptor (``__setattr__`` refuses every write, and a slot's
# own setter is one call where ``object.__setattr__`` first looks the name up).
_COMPILED: Final = __file__.endswith((".so", ".pyd"))


class Explanation:
    """Why an obligation exists, when it is due and why it has its status.

    It holds the parts (sentences, the deadline's steps); :meth:`lines` writes
    them. Immutable; equal when the parts are.
    """

    __slots__ = ("basis_wording", "due_steps", "notes", "origin", "status", "title")

    def __init__(
        self,
        title: Phrase,
        basis: str | Phrase,
        origin: Phrase,
        due_steps: tuple[Step, ...],
        status: Phrase,
        notes: tuple[Phrase, ...] = (),
    ) -> None:
        if _COMPILED:
            self.title = title
            self.basis_wording: str | Phrase = basis
            """The legal basis as held (written on access)."""
            self.origin = origin
            """What opened it: the trigger event, or the period or milestone."""
            self.due_steps = due_steps
            self.status = status
            self.notes = notes
        else:
            set_title, set_basis, set_origin, set_steps, set_status, set_notes = _EXPLANATION_SETTERS
            set_title(self, title)
            set_basis(self, basis)
            set_origin(self, origin)
            set_steps(self, due_steps)
            set_status(self, status)
            set_notes(self, notes)

    @property
    def basis(self) -> str:
        """The legal basis, every citation joined."""
        basis = self.basis_wording
        return basis if isinstance(basis, str) else basis.get("en")

    def lines(self, lang: str = "en") -> list[str]:
        """The explanation as readable lines in *lang*."""
        return Rendering(lang).lines(self)

    def written(self, text: TextWriter[T], basis_line: TextWriter[T], steps: StepsWriter[T]) -> list[T]:
        """The lines in their order — title, basis, origin, the deadline's steps, notes,
        status — each written by the given functions (text or encoded text): the one place
        that says what an explanation's lines are."""
        out = [text(self.title), basis_line(self.basis_wording), text(self.origin)]
        out += steps(self.due_steps)
        for note in self.notes:
            out.append(text(note))
        out.append(text(self.status))
        return out

    def _parts(self) -> tuple[object, ...]:
        return (self.title, self.basis_wording, self.origin, self.due_steps, self.status, self.notes)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Explanation is immutable: cannot set {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Explanation):
            return NotImplemented
        return self._parts() == other._parts()

    def __hash__(self) -> int:
        return hash(self._parts())

    def __repr__(self) -> str:
        return f"Explanation({', '.join(map(repr, self._parts()))})"

    def __reduce__(self) -> tuple[Any, ...]:  # by its fields: a compiled (native) class has no __dict__ to restore
        return (Explanation, self._parts())


class Obligation:
    """One obligation instance: a rule applied to an agency for a period or trigger.
    Immutable; equal when the fields are."""

    __slots__ = ("agency", "due", "explanation", "opens", "period", "rule", "satisfied_by", "status", "trigger")

    def __init__(
        self,
        rule: str,
        agency: str,
        period: str | None,
        trigger: str | None,
        opens: dt.date,
        due: dt.date | None,
        status: Status,
        satisfied_by: tuple[str, ...],
        explanation: Explanation,
    ) -> None:
        if _COMPILED:
            self.rule = rule
            self.agency = agency
            self.period = period
            self.trigger = trigger
            self.opens = opens
            self.due = due
            self.status = status
            self.satisfied_by = satisfied_by
            self.explanation = explanation
        else:
            set_rule, set_agency, set_period, set_trigger, set_opens, set_due, set_status, set_satisfied, set_why = (
                _OBLIGATION_SETTERS
            )
            set_rule(self, rule)
            set_agency(self, agency)
            set_period(self, period)
            set_trigger(self, trigger)
            set_opens(self, opens)
            set_due(self, due)
            set_status(self, status)
            set_satisfied(self, satisfied_by)
            set_why(self, explanation)

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
        rendering = rendering if rendering is not None and rendering.lang == lang else Rendering(lang)
        return dict(zip(OBLIGATION_FIELDS, self.written(rendering.fields)))

    def written(self, write: FieldWriter[T, U]) -> tuple[T, T, T, T, T, T, T, U, T, U]:
        """The values of :data:`~hanchot.obligations.fields.OBLIGATION_FIELDS`, each written
        by *write*: the one place that says what each field of the output holds."""
        name, unique, day, status, ids, text, explanation = write
        why = self.explanation
        return (
            name(self.rule),
            name(self.agency),
            name(self.period),
            unique(self.trigger),
            day(self.opens),
            day(self.due),
            status(self.status),
            ids(self.satisfied_by),
            text(why.basis_wording),
            explanation(why),
        )

    def _fields(self) -> tuple[Any, ...]:
        return (self.rule, self.agency, self.period, self.trigger, self.opens, self.due, self.status,
                self.satisfied_by, self.explanation)  # fmt: skip

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Obligation is immutable: cannot set {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Obligation):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"Obligation({', '.join(f'{n}={v!r}' for n, v in zip(_OBLIGATION_FIELDS, self._fields()))})"

    def __reduce__(self) -> tuple[Any, ...]:  # by its fields, as Explanation
        return (Obligation, self._fields())


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[[Any, Any], None], ...]:
    """The setters of *cls*'s slots *names* (interpreted, see :data:`_COMPILED`)."""
    return tuple(cls.__dict__[name].__set__ for name in names)


_OBLIGATION_FIELDS = ("rule", "agency", "period", "trigger", "opens", "due", "status", "satisfied_by", "explanation")
"""An obligation's fields in the order of its constructor, of _fields() and of its repr."""
_EXPLANATION_SETTERS = _slot_setters(Explanation, ("title", "basis_wording", "origin", "due_steps", "status", "notes"))
_OBLIGATION_SETTERS = _slot_setters(Obligation, _OBLIGATION_FIELDS)
