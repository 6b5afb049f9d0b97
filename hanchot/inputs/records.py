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
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from hanchot.calendar import to_local_date
from hanchot.errors import InputError
from hanchot.inputs.event import Event
from hanchot.inputs.vocabulary import attribute_problem, schema_rules

Level = Literal["province", "department", "district", "commune", "unit"]
RESERVED_KEYS = frozenset({"id", "type", "agency", "scope", "date", "at", "recorded_at", "retracts"})
RETRACTION = "event.retracted"
_ABSENT = ("", None)  # a reserved key with one of these values is absent


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
            return tuple(nfc(t.strip()) for t in value.split(";") if t.strip())
        if isinstance(value, (list, tuple)):
            return tuple(nfc(t) if isinstance(t, str) else t for t in value)
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


_EVENT_RULES: dict[str, Any] = {
    # What the field validators below cannot say in JSON Schema terms. A null
    # or "" value of a reserved key means absent; these rules are approximate
    # for them (the reader, parse_event, is the reference).
    "allOf": [
        {"anyOf": [{"required": ["agency"]}, {"required": ["scope"]}]},
        {"not": {"required": ["agency", "scope"]}},
        {"anyOf": [{"required": ["date"]}, {"required": ["at"]}]},
        {
            "if": {"required": ["type"], "properties": {"type": {"const": "event.retracted"}}},
            "then": {"required": ["retracts"]},
        },
        # Event vocabulary v1: the declared attributes of each type (hanchot.inputs.vocabulary).
        *schema_rules(),
    ]
}


# ISO 8601 dates and timestamps, or dd/mm/yyyy (see hanchot.calendar.to_local_date).
_TIMESTAMP_SCHEMA: dict[str, Any] = {"anyOf": [{"type": "string", "minLength": 10}, {"type": "null"}]}


class EventRecord(BaseModel):
    """One input event (a JSON Lines object or a CSV row), for the JSON Schema.

    Every key that is not reserved is an attribute of the event. The date
    fields are checked by the same functions as :func:`parse_event`, so the
    two agree on what they accept (a property test holds them to it).
    """

    model_config = ConfigDict(extra="allow", json_schema_extra=_EVENT_RULES)

    id: Annotated[str, Field(min_length=1)] | StrictInt = Field(
        description="Unique id (a string; an integer is read as its decimal string); "
        "a repeated id is a duplicate."
    )
    type: str = Field(min_length=1, description="Event type, e.g. 'process.updated'.")
    agency: str | None = Field(default=None, description="The agency the event belongs to.")
    scope: Annotated[dict[str, str | list[str]], Field(min_length=1)] | None = Field(
        default=None,
        description="For a broadcast event: agency fields to values; "
        "matches every agency active on the event's date.",
    )
    date: dt.date | None = Field(
        default=None, description="Local date (Asia/Ho_Chi_Minh), YYYY-MM-DD. Wins over 'at'."
    )
    at: Annotated[str | dt.datetime | None, WithJsonSchema(_TIMESTAMP_SCHEMA)] = Field(
        default=None,
        description="Timestamp: ISO 8601 (2025-04-30T20:00:00Z; naive means local time, "
        "Asia/Ho_Chi_Minh), or a date. Gives the date when 'date' is absent.",
    )
    recorded_at: Annotated[str | dt.datetime | dt.date | None, WithJsonSchema(_TIMESTAMP_SCHEMA)] = Field(
        default=None,
        description="When the source system learned of the event (a timestamp or a date).",
    )
    retracts: Annotated[str, Field(min_length=1)] | StrictInt | None = Field(
        default=None, description="Id of the event withdrawn (type 'event.retracted')."
    )

    @field_validator("agency", "scope", "date", "at", "recorded_at", "retracts", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: Any, info: Any) -> Any:
        if value in _ABSENT:
            return None
        if info.field_name == "date":
            return _as_date(value)
        if info.field_name in ("at", "recorded_at"):
            try:
                to_local_date(value)
            except TypeError as exc:
                raise ValueError(str(exc)) from None
        return value

    @model_validator(mode="after")
    def _cross_field_rules(self) -> EventRecord:
        if (self.agency is None) == (self.scope is None):
            raise ValueError("give exactly one of 'agency' and 'scope'")
        if self.date is None and self.at is None:
            raise ValueError("give 'date' or 'at'")
        if self.type == RETRACTION and self.retracts is None:
            raise ValueError(f"an '{RETRACTION}' event names the id of the event it withdraws")
        problem = attribute_problem(self.type, self.model_extra or {})
        if problem is not None:
            raise ValueError(f"field {problem[0]!r}: {problem[1]}")
        return self


class FieldError(InputError):
    """One field of one input line is invalid: carries file, line, field and reason.

    The message is ``file:line: field 'x': reason``; the event reader turns it
    into a :class:`~hanchot.inputs.events.Rejection` without parsing text.
    """

    def __init__(self, file: str, line: int, field: str, reason: str) -> None:
        super().__init__(f"{file}:{line}: field {field!r}: {reason}")
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:  # picklable (dask workers)
        return (type(self), (self.file, self.line, self.field, self.reason))


# The field named by an error about the whole line (not JSON, not an object).
LINE = "(line)"


def parse_event(obj: Mapping[str, Any], origin: tuple[str, int] = ("<memory>", 0)) -> Event:
    """Validate one raw event mapping; raise :class:`FieldError` naming the field.

    ``""`` and ``None`` mean absent for every reserved key. When both ``date``
    and ``at`` are given, ``date`` is the event's date and ``at`` must still be
    a valid timestamp.
    """
    if not isinstance(obj, Mapping):
        raise FieldError(*origin, LINE, f"expected a JSON object, got {type(obj).__name__}")
    event_id = obj.get("id")
    if isinstance(event_id, int) and not isinstance(event_id, bool):
        event_id = str(event_id)
    if not isinstance(event_id, str) or not event_id:
        raise FieldError(*origin, "id", _required("a non-empty string", event_id))
    event_type = obj.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise FieldError(*origin, "type", _required("a non-empty string such as 'process.updated'", event_type))
    agency, scope = obj.get("agency"), obj.get("scope")
    if agency in _ABSENT:
        agency = None
        if scope in _ABSENT:
            raise FieldError(*origin, "agency", "required (or 'scope' for a broadcast event)")
    elif scope not in _ABSENT:
        raise FieldError(*origin, "scope", "give either 'agency' or 'scope', not both")
    elif not isinstance(agency, str):
        raise FieldError(*origin, "agency", f"expected an agency id string, got {agency!r}")
    if scope in _ABSENT:
        scope = None
    elif not _is_scope(scope):
        raise FieldError(
            *origin, "scope", f"expected a non-empty object of agency field -> value or list of values, got {scope!r}"
        )
    raw_date, raw_at = obj.get("date"), obj.get("at")
    if raw_date not in _ABSENT:
        try:
            date = _as_date(raw_date)
        except (ValueError, TypeError):
            raise FieldError(*origin, "date", f"expected a date YYYY-MM-DD, got {raw_date!r}") from None
        if raw_at not in _ABSENT:
            _timestamp_date(raw_at, origin)
    elif raw_at not in _ABSENT:
        date = _timestamp_date(raw_at, origin)
    else:
        raise FieldError(*origin, "date", "required: 'date' (YYYY-MM-DD) or 'at' (a timestamp)")
    recorded = None
    raw_recorded = obj.get("recorded_at")
    if raw_recorded not in _ABSENT:
        try:
            recorded = to_local_date(raw_recorded)
        except (ValueError, TypeError):
            raise FieldError(
                *origin, "recorded_at", f"expected an ISO date or timestamp, got {raw_recorded!r}"
            ) from None
    retracts = obj.get("retracts")
    if retracts in _ABSENT:
        retracts = None
        if event_type == RETRACTION:
            raise FieldError(
                *origin, "retracts", f"an '{RETRACTION}' event names the id of the event it withdraws"
            )
    elif isinstance(retracts, str) or (isinstance(retracts, int) and not isinstance(retracts, bool)):
        retracts = nfc(str(retracts))
    else:
        raise FieldError(*origin, "retracts", f"expected an event id, got {retracts!r}")
    attrs = {nfc(k): _normalise(v) for k, v in obj.items() if k not in RESERVED_KEYS}
    event_type = nfc(event_type)
    problem = attribute_problem(event_type, attrs)
    if problem is not None:
        raise FieldError(*origin, *problem)
    return Event(
        nfc(event_id),
        event_type,
        date,
        agency=nfc(agency) if agency is not None else None,
        scope={nfc(k): _normalise(v) for k, v in scope.items()} if scope is not None else None,
        recorded=recorded,
        retracts=retracts,
        attrs=attrs,
        origin=origin,
    )


def _required(expected: str, got: Any) -> str:
    return f"required, {expected}" if got is None else f"expected {expected}, got {got!r}"


def _timestamp_date(value: Any, origin: tuple[str, int]) -> dt.date:
    try:
        return to_local_date(value)
    except (ValueError, TypeError):
        raise FieldError(
            *origin, "at", f"expected an ISO 8601 timestamp (naive = local time), got {value!r}"
        ) from None


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return to_local_date(value)
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError("not a YYYY-MM-DD date")  # (fromisoformat alone takes 2025-W18-3)
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
    if isinstance(value, dict):
        return {nfc(k) if isinstance(k, str) else k: _normalise(v) for k, v in value.items()}
    return value
