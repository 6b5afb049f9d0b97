"""Input records and their readers: agencies and events (format version 1)."""

from hanchot.inputs.agencies import read_agencies
from hanchot.inputs.event import Event
from hanchot.inputs.events import (
    EventFiles,
    Rejection,
    list_event_files,
    read_event_file,
    read_events,
)
from hanchot.inputs.records import (
    RETRACTION,
    Agency,
    EventRecord,
    FieldError,
    nfc,
    parse_event,
)

__all__ = [
    "RETRACTION",
    "Agency",
    "Event",
    "EventFiles",
    "EventRecord",
    "FieldError",
    "Rejection",
    "list_event_files",
    "nfc",
    "parse_event",
    "read_agencies",
    "read_event_file",
    "read_events",
]
