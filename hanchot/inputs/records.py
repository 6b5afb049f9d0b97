"""The input records (format version 1): agencies and events.

Agencies are few and validated with pydantic. Events are many (millions in a
nightly batch), so :func:`parse_event` validates them by hand along the same
rules as the pydantic :class:`EventRecord`, which exists to publish the JSON
Schema and is held to agree with :func:`parse_event` by a property test.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hanchot.calendar import to_local_date
from hanchot.errors import InputError

Level = Literal["province", "department", "district", "commune", "unit"]
RESERVED_KEYS = frozenset({"id", "type", "agency", "scope", "date", "at", "recorded_at", "retracts"})
RETRACTION = "event.retracted"


def nfc(text: str) -> str:
    """Vietnamese text in one Unicode form (NFC), so equal words compare equal."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


class Agency(BaseModel):
    """An agency (cơ quan) whose obligations are checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    name: str = ""
    level: Level
    parent: str | None = None
    province: str | None = None
    active_from: dt.date | None = None
    active_to: dt.date | None = None
    successor: str | None = Field(default=None, description="The agency it merged into.")
    tags: tuple[str, ...] = ()

    @field_validator("tags", mode="before")
    @classmethod
    def _split_tags(cls, value: Any) -> Any:
        if value is None or value == "":
            return ()
        if isinstance(value, str):
            return tuple(t.strip() for t in value.split(";") if t.strip())
        return value

    @field_validator("id", "name", "parent", "province", "successor", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any, info: Any) -> Any:
        if value == "" and info.field_name not in ("id", "name"):
            return None
        return nfc(value) if isinstance(value, str) else value

    def is_active(self, day: dt.date) -> bool:
        """Whether the agency exists on *day* (both bounds inclusive)."""
        return (self.active_from is None or self.active_from <= day) and (
            self.active_to is None or day <= self.active_to
        )

    def matches(self, selector: Mapping[str, Any]) -> bool:
        """Whether every entry of *selector* holds (``tags``: any listed tag)."""
        for field, wanted in selector.items():
            options = wanted if isinstance(wanted, (list, tuple)) else (wanted,)
            if field == "tags":
                if not set(self.tags).intersection(options):
                    return False
            elif getattr(self, field, None) not in options:
                return False
        return True


class EventRecord(BaseModel):
    """One input event (a JSON Lines object or a CSV row), for the JSON Schema.

    Every key that is not reserved is an attribute of the event.
    """

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, description="Unique id; a repeated id is a duplicate.")
    type: str = Field(min_length=1, description="Event type, e.g. 'process.updated'.")
    agency: str | None = Field(default=None, description="The agency the event belongs to.")
    scope: dict[str, str | list[str]] | None = Field(
        default=None,
        description="For a broadcast event: agency fields to values; "
        "matches every agency active on the event's date.",
    )
    date: dt.date | None = Field(default=None, description="Local date (Asia/Ho_Chi_Minh).")
    at: dt.datetime | None = Field(
        default=None, description="Timestamp; naive means local time."
    )
    recorded_at: dt.datetime | dt.date | None = Field(
        default=None, description="When the source system learned of the event."
    )
    retracts: str | None = Field(
        default=None, description="Id of the event withdrawn (type 'event.retracted')."
    )


class Event:
    """A validated event. Slotted and immutable by convention, for speed."""

    __slots__ = ("id", "type", "agency", "scope", "date", "recorded", "retracts", "attrs", "origin")

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
        self.scope = dict(scope) if scope else None
        self.recorded = recorded
        self.retracts = retracts
        self.attrs: dict[str, Any] = dict(attrs or {})
        self.origin = origin

    @property
    def known_on(self) -> dt.date:
        """The day the source system knew of the event (its date if not recorded)."""
        return self.recorded or self.date

    def sort_key(self) -> tuple[Any, ...]:
        """A total order independent of input order: date, id, then content."""
        return (self.date, self.id, self.known_on, self.type, repr(sorted(self.attrs.items())))

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


def parse_event(obj: Mapping[str, Any], origin: tuple[str, int] = ("<memory>", 0)) -> Event:
    """Validate one raw event mapping; raise :class:`InputError` naming the field."""

    def fail(field: str, reason: str) -> InputError:
        return InputError(f"{origin[0]}:{origin[1]}: field {field!r}: {reason}")

    if not isinstance(obj, Mapping):
        raise fail("(line)", f"expected a JSON object, got {type(obj).__name__}")
    event_id = obj.get("id")
    if isinstance(event_id, int) and not isinstance(event_id, bool):
        event_id = str(event_id)
    if not isinstance(event_id, str) or not event_id:
        raise fail("id", "required, a non-empty string")
    event_type = obj.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise fail("type", "required, a non-empty string such as 'process.updated'")
    agency, scope = obj.get("agency"), obj.get("scope")
    if agency in ("", None) and scope in ("", None):
        raise fail("agency", "required (or 'scope' for a broadcast event)")
    if agency not in ("", None) and scope not in ("", None):
        raise fail("scope", "give either 'agency' or 'scope', not both")
    if agency not in ("", None) and not isinstance(agency, str):
        raise fail("agency", f"expected an agency id string, got {agency!r}")
    if scope not in ("", None) and not _is_scope(scope):
        raise fail("scope", "expected an object of agency field -> value or list of values")
    raw_date, raw_at = obj.get("date"), obj.get("at")
    if raw_date in ("", None) and raw_at in ("", None):
        raise fail("date", "required: 'date' (YYYY-MM-DD) or 'at' (a timestamp)")
    try:
        date = _as_date(raw_date) if raw_date not in ("", None) else to_local_date(raw_at)
    except (ValueError, TypeError) as exc:
        field = "date" if raw_date not in ("", None) else "at"
        raise fail(field, f"expected a date YYYY-MM-DD or an ISO timestamp, got {raw_date or raw_at!r} ({exc})") from None
    recorded = None
    if obj.get("recorded_at") not in ("", None):
        try:
            recorded = to_local_date(obj["recorded_at"])
        except (ValueError, TypeError):
            raise fail("recorded_at", f"expected an ISO date or timestamp, got {obj['recorded_at']!r}") from None
    retracts = obj.get("retracts")
    if retracts in ("", None):
        retracts = None
        if event_type == RETRACTION:
            raise fail("retracts", f"an '{RETRACTION}' event names the id of the event it withdraws")
    elif not isinstance(retracts, (str, int)) or isinstance(retracts, bool):
        raise fail("retracts", f"expected an event id, got {retracts!r}")
    attrs = {k: _normalise(v) for k, v in obj.items() if k not in RESERVED_KEYS}
    return Event(
        nfc(event_id),
        event_type,
        date,
        agency=nfc(agency) if agency not in ("", None) else None,
        scope={k: _normalise(v) for k, v in scope.items()} if scope not in ("", None) else None,
        recorded=recorded,
        retracts=str(retracts) if retracts is not None else None,
        attrs=attrs,
        origin=origin,
    )


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return to_local_date(value)
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError("not a YYYY-MM-DD date")
    return dt.date.fromisoformat(value)


def _is_scope(value: Any) -> bool:
    return isinstance(value, Mapping) and bool(value) and all(
        isinstance(k, str) and (isinstance(v, str) or (isinstance(v, list) and all(isinstance(i, str) for i in v)))
        for k, v in value.items()
    )


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value
