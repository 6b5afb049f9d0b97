"""The validated event: what the readers give and the ledger, the placement and the
evaluators read, millions of times in a batch.

It lives apart from :mod:`hanchot.inputs.records` (the input formats, described with
pydantic) so that mypyc can compile it (see ``setup.py``): compiled, it is a native
class, whose attributes the compiled modules read as fields of a C struct instead of
looking each one up by name (about 160 instructions a read, six or more per event).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["Event"]

_COMPILED: Final = __file__.endswith((".so", ".pyd"))
_new_object = object.__new__


class Event:
    """A validated event. Slotted and immutable by convention, for speed."""

    __slots__ = ("agency", "attrs", "date", "id", "origin", "recorded", "retracts", "scope", "type")

    def __init__(
        self,
        id: str,
        type: str,
        date: dt.date,
        *,
        agency: str | None = None,
        scope: Mapping[str, Any] | None = None,
        recorded: dt.date | None = None,
        retracts: str | None = None,
        attrs: Mapping[str, Any] | None = None,
        origin: tuple[str, int] = ("<memory>", 0),
    ) -> None:
        self.id = id
        self.type = type
        self.date = date
        self.agency = agency
        self.scope: dict[str, Any] | None = dict(scope) if scope else None
        self.recorded = recorded
        self.retracts = retracts
        self.attrs: dict[str, Any] = dict(attrs) if attrs else {}
        self.origin = origin

    @staticmethod
    def owning(fields: tuple[dict[str, Any], str, str, str, dt.date], origin: tuple[str, int]) -> Event:
        """An agency event of (attributes, id, type, agency, date) that takes the attributes as
        its own, uncopied: for a reader's fresh mapping (see :func:`hanchot.inputs.lines.common_fields`)."""
        if _COMPILED:  # the constructor is a C call; the bare object below is not for a native class
            attrs, event_id, event_type, agency, date = fields
            event = Event(event_id, event_type, date, agency=agency, origin=origin)
            event.attrs = attrs
            return event
        event = _new_object(Event)  # interpreted: the slots filled, without the constructor's call
        event.attrs, event.id, event.type, event.agency, event.date = fields
        event.origin = origin
        event.scope = event.recorded = event.retracts = None
        return event

    @property
    def known_on(self) -> dt.date:
        """The day the source system knew of the event (its date if not recorded)."""
        return self.recorded or self.date

    def sort_key(self) -> tuple[Any, ...]:
        """A total order independent of input order: date, id, then all content.

        Two copies of one id keep the least: every field takes part, so which
        copy wins never depends on the order the input gave them in.
        """
        return (
            self.date,
            self.id,
            self.known_on,
            self.type,
            self.agency or "",
            repr(sorted(self.scope.items())) if self.scope else "",
            self.retracts or "",
            repr(sorted(self.attrs.items())),
        )

    def to_dict(self) -> dict[str, Any]:
        """The event as a plain mapping in the input format."""
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.agency is not None:
            out["agency"] = self.agency
        if self.scope is not None:
            out["scope"] = self.scope
        out["date"] = self.date.isoformat()
        if self.recorded is not None:
            out["recorded_at"] = self.recorded.isoformat()
        if self.retracts is not None:
            out["retracts"] = self.retracts
        out.update(self.attrs)
        return out

    def __repr__(self) -> str:
        return f"Event({self.id!r}, {self.type!r}, {self.date.isoformat()}, agency={self.agency!r})"

    def __reduce__(self) -> tuple[Any, ...]:  # by its fields: a compiled (native) class has no __dict__ to restore
        return (_restored, (self.id, self.type, self.date, self.agency, self.scope, self.recorded, self.retracts, self.attrs, self.origin))


def _restored(
    id: str,
    type: str,
    date: dt.date,
    agency: str | None,
    scope: dict[str, Any] | None,
    recorded: dt.date | None,
    retracts: str | None,
    attrs: dict[str, Any],
    origin: tuple[str, int],
) -> Event:
    """An unpickled event: its mappings as pickled (shared or not, as they were)."""
    event = Event(id, type, date, agency=agency, recorded=recorded, retracts=retracts, origin=origin)
    event.scope, event.attrs = scope, attrs
    return event
