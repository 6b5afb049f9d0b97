"""Obligation instances, their explanations, and the report of an evaluation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from hanchot.calendar import Step

if TYPE_CHECKING:
    from hanchot.inputs.events import Conflict, Rejection


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


@dataclass(frozen=True, slots=True)
class Phrase:
    """One sentence of an explanation, in Vietnamese and English."""

    vi: str
    en: str

    def get(self, lang: str) -> str:
        """The sentence in *lang* (``vi`` or ``en``)."""
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why an obligation exists, when it is due and why it has its status."""

    title: Phrase
    basis: str
    origin: Phrase
    """What opened it: the trigger event, or the period or milestone."""
    due_steps: tuple[Step, ...]
    status: Phrase
    notes: tuple[Phrase, ...] = ()

    def lines(self, lang: str = "en") -> list[str]:
        """The explanation as readable lines in *lang*."""
        basis = "Căn cứ" if lang == "vi" else "Basis"
        out = [self.title.get(lang), f"{basis}: {self.basis}", self.origin.get(lang)]
        out.extend(f"{s.date.strftime('%d/%m/%Y')}: {s.reason(lang)}" for s in self.due_steps)
        out.extend(n.get(lang) for n in self.notes)
        out.append(self.status.get(lang))
        return out


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

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The instance in the JSON output format."""
        return {
            "rule": self.rule,
            "agency": self.agency,
            "period": self.period,
            "trigger": self.trigger,
            "opens": self.opens.isoformat(),
            "due": self.due.isoformat() if self.due else None,
            "status": self.status.value,
            "satisfied_by": list(self.satisfied_by),
            "basis": self.explanation.basis,
            "explanation": self.explanation.lines(lang),
        }


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

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The report in the JSON output format (deterministic order)."""
        out: dict[str, Any] = {"pack": self.pack, "as_of": self.as_of.isoformat()}
        if self.known_at is not None:
            out["known_at"] = self.known_at.isoformat()
        out["input"] = self.input.to_dict()
        out["obligations"] = [o.to_dict(lang) for o in self.obligations]
        out["rejected"] = [r.to_dict() for r in self.rejected]
        out["conflicts"] = [c.to_dict() for c in self.conflicts]
        return out
