"""Obligation instances, their explanations, and the report of an evaluation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from hanchot.calendar import Step, dmy_as_written
from hanchot.obligations.fields import (
    OBLIGATION_FIELDS,
    ExplanationParts,
    FieldWriter,
    explanation_lines,
    obligation_fields,
)
from hanchot.obligations.status import Status
from hanchot.text import Text

if TYPE_CHECKING:
    from hanchot.inputs.events import Conflict, Rejection


__all__ = [  # (Status is defined in hanchot.obligations.status, for the compiled fields module)
    "Explanation",
    "InputCounts",
    "Obligation",
    "ObligationKey",
    "Phrase",
    "Rendering",
    "Report",
    "Said",
    "Status",
    "iso_day",
]

ObligationKey = tuple[str, str, str, str]
"""(rule, agency, period or "", trigger or "")."""


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
        return explanation_lines(explanation, self.text, self.basis_line, self.steps)


def iso_day(day: dt.date | None) -> str | None:
    """A date of the output (opening, due date): ISO 8601, or None."""
    return day.isoformat() if day is not None else None


def _as_is(value: str | None) -> str | None:
    return value


def _status_value(status: Status) -> str:
    return status.value


class Explanation:
    """Why an obligation exists, when it is due and why it has its status.

    It holds the parts (sentences, the deadline's steps); :meth:`lines` writes
    them. Immutable; equal when the parts are.
    """

    __slots__ = ("basis_wording", "due_steps", "notes", "origin", "status", "title")

    title: Phrase
    basis_wording: str | Phrase
    """The legal basis as held (written on access)."""
    origin: Phrase
    """What opened it: the trigger event, or the period or milestone."""
    due_steps: tuple[Step, ...]
    status: Phrase
    notes: tuple[Phrase, ...]

    def __init__(
        self,
        title: Phrase,
        basis: str | Phrase,
        origin: Phrase,
        due_steps: tuple[Step, ...],
        status: Phrase,
        notes: tuple[Phrase, ...] = (),
    ) -> None:
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


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[[Any, Any], None], ...]:
    """The setters of *cls*'s slots *names*, for the ``__init__`` of an immutable class made
    once per obligation (140,000 in a check): a slot's own setter is one call, where
    ``object.__setattr__`` first looks the name up."""
    return tuple(cls.__dict__[name].__set__ for name in names)


_EXPLANATION_SETTERS = _slot_setters(Explanation, ("title", "basis_wording", "origin", "due_steps", "status", "notes"))


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

    def __init__(  # (the dataclass keeps it: the one it writes sets each field by object.__setattr__)
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
        return dict(zip(OBLIGATION_FIELDS, obligation_fields(self, rendering.fields)))


_OBLIGATION_SETTERS = _slot_setters(Obligation, tuple(f.name for f in fields(Obligation)))


@dataclass(frozen=True, slots=True)
class InputCounts:
    """Input accounting: ``read = used + ignored + duplicates + conflicts + rejected``.

    ``duplicates`` are identical copies of a kept event; ``conflicts`` are
    differing copies set aside (see :mod:`hanchot.ledger`).
    """

    read: int
    used: int
    ignored: int
    duplicates: int
    rejected: int
    conflicts: int = 0
    ignored_because: dict[str, int] = field(default_factory=dict)
    skipped_files: tuple[tuple[str, str], ...] = ()
    """Files of the event folders that were not read (not an event format), with why."""

    def to_dict(self) -> dict[str, Any]:
        """The counts as a plain mapping."""
        out: dict[str, Any] = {
            "read": self.read,
            "used": self.used,
            "ignored": self.ignored,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "rejected": self.rejected,
            "ignored_because": dict(sorted(self.ignored_because.items())),
        }
        if self.skipped_files:
            out["skipped_files"] = [{"file": name, "reason": why} for name, why in self.skipped_files]
        return out


@dataclass(frozen=True)
class Report:
    """The result of evaluating events under a rule pack as of a date."""

    pack: str
    as_of: dt.date
    obligations: tuple[Obligation, ...]
    input: InputCounts
    rejected: tuple[Rejection, ...] = ()
    known_at: dt.date | None = None
    conflicts: tuple[Conflict, ...] = ()
    """Different events under one id (see :mod:`hanchot.ledger`)."""

    @property
    def violations(self) -> tuple[Obligation, ...]:
        """The overdue and late-met instances."""
        return tuple(o for o in self.obligations if o.is_violation)

    @property
    def has_violations(self) -> bool:
        """Whether any instance is a violation: ``bool(violations)``, stopping at the first
        (the exit code of a check, which need not gather 17,000 of 140,000 obligations)."""
        return any(o.is_violation for o in self.obligations)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The report in the JSON output format (deterministic order)."""
        rendering = Rendering(lang)
        return self.document([o.to_dict(lang, rendering) for o in self.obligations])

    def document(self, obligations: list[Any]) -> dict[str, Any]:
        """The report in the JSON output format with *obligations* standing for its
        obligations (:func:`hanchot.output.write_json` encodes them as it writes)."""
        out: dict[str, Any] = {"pack": self.pack, "as_of": self.as_of.isoformat()}
        if self.known_at is not None:
            out["known_at"] = self.known_at.isoformat()
        out["input"] = self.input.to_dict()
        out["obligations"] = obligations
        out["rejected"] = [r.to_dict() for r in self.rejected]
        out["conflicts"] = [c.to_dict() for c in self.conflicts]
        return out
