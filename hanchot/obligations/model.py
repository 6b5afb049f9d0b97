"""The report of an evaluation, and the obligation model's names in one place.

An obligation and its explanation are in :mod:`hanchot.obligations.instances` (compiled),
its status in :mod:`~hanchot.obligations.status`, the sentences and their rendering in
:mod:`~hanchot.obligations.rendering`; this module gathers them for their readers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hanchot.obligations.instances import Explanation, Obligation, ObligationKey
from hanchot.obligations.rendering import Phrase, Rendering, Said, iso_day
from hanchot.obligations.status import Status

if TYPE_CHECKING:
    from hanchot.inputs.events import Conflict, Rejection


__all__ = [  # (defined in hanchot.obligations.status, .rendering and .instances; the model gathers them)
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
