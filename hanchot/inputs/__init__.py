"""Input records and their readers: agencies and events (format version 1)."""

from hanchot.inputs.records import RETRACTION, Agency, Event, EventRecord, nfc, parse_event

__all__ = ["RETRACTION", "Agency", "Event", "EventRecord", "nfc", "parse_event"]
