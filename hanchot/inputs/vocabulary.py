"""Event vocabulary version 1: each event type and the types of its attributes.

A rule pattern compares attributes (``nonconformities gt 0``,
``e_workflow_updated: true``); a value of the wrong type (``"2"``,
``"false"``) would not match and the event would be counted as used yet
silently unmatched. So each type of the vocabulary declares its attributes,
and a value of the wrong type rejects the line with the field and the reason.

- Only the declared attributes of the vocabulary's types are checked: other
  attributes, and event types outside the vocabulary (administrative dossiers,
  most of a real log), cost one dictionary lookup.
- ``null`` and ``""`` mean absent, as for every key.
- A ``period`` is read by :meth:`hanchot.calendar.Period.parse`, the parser
  the rules use, so what is accepted here is what a rule can count.

:func:`attribute_problem` is the one check; :func:`type_schema` publishes
each type as JSON Schema (``hanchot schema event --type TYPE``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from hanchot.calendar.periods import Period

VERSION = 1


@dataclass(frozen=True)
class AttributeType:
    """What an attribute's value must be: a test, its wording, its JSON Schema."""

    expected: str  # "a non-negative integer": completes "expected ..., got ..."
    accepts: Callable[[Any], bool]
    schema: Mapping[str, Any]
    always: type | None = None
    """A type whose every value is accepted (no call needed: the check runs for every event)."""


def _is_period(value: Any) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a year written unquoted: 2025 (the rules read it so too)
    return isinstance(value, str) and _is_period_text(value)


@lru_cache(maxsize=4096)  # a log names few periods; keeps the check cheap
def _is_period_text(text: str) -> bool:
    try:
        Period.parse(text)
    except ValueError:  # CalendarError, or a year out of range
        return False
    return True


TEXT = AttributeType("a string", lambda v: isinstance(v, str), {"type": "string"}, str)
FLAG = AttributeType("true or false (a JSON boolean)", lambda v: isinstance(v, bool), {"type": "boolean"}, bool)
COUNT = AttributeType(
    "a non-negative integer",
    lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
    {"type": "integer", "minimum": 0},
)


def _is_texts(value: Any) -> bool:
    if not isinstance(value, list):
        return False
    for item in value:  # a loop, not all(<generator>): this runs for every process revision
        if not isinstance(item, str):
            return False
    return True


TEXTS = AttributeType("a list of strings", _is_texts, {"type": "array", "items": {"type": "string"}})
PERIOD = AttributeType(
    "a period such as 2025, 2025-H1, 2025-Q3, 2025-07 or Quý III/2025",
    _is_period,
    {"type": ["string", "integer"], "description": "A period: 2025, 2025-H1, 2025-Q3, 2025-07, Quý III/2025, ..."},
)


def one_of(*values: str) -> AttributeType:
    """An attribute whose value is one of *values*."""
    allowed = frozenset(values)
    return AttributeType(
        f"one of {', '.join(values)}",
        lambda v: isinstance(v, str) and v in allowed,
        {"type": "string", "enum": list(values)},
    )


@dataclass(frozen=True)
class EventType:
    """One type of the vocabulary: what it means and its typed attributes (all optional)."""

    meaning: str
    attributes: Mapping[str, AttributeType] = field(default_factory=dict)


VOCABULARY: dict[str, EventType] = {
    "legal_document.effective": EventType(
        "a legal document takes effect for the agencies in scope (or for agency)",
        {"document": TEXT, "title": TEXT},
    ),
    "process.updated": EventType(
        "an ISO process was revised",
        {"process": TEXT, "documents": TEXTS, "e_workflow_updated": FLAG},
    ),
    "e_workflow.updated": EventType("the electronic workflow of a process was revised", {"process": TEXT}),
    "internal_audit.completed": EventType("an internal audit finished", {"nonconformities": COUNT}),
    "corrective_action.completed": EventType("corrective actions for an audit were closed", {"audit": TEXT}),
    "management_review.held": EventType("a management review meeting was held"),
    "document.issued": EventType("a QMS document was issued", {"kind": TEXT}),
    "qms.scope_changed": EventType("the QMS scope was adjusted, expanded or narrowed", {"change": TEXT}),
    "qms.announced": EventType("the QMS was announced or re-announced", {"reannouncement": FLAG}),
    "steering_committee.membership_changed": EventType("a member of the ISO steering committee changed"),
    "report.submitted": EventType(
        "a QMS report was sent",
        {"report": one_of("quarterly", "half_yearly", "annual", "adhoc"), "period": PERIOD, "to": TEXT},
    ),
    "inspection.completed": EventType(
        "the coordinating body inspected an agency", {"target": TEXT, "mode": TEXT}
    ),
    "agency.merged": EventType("the agency was merged into another", {"into": TEXT}),
    "event.retracted": EventType("withdraws an earlier event (a correction)"),
}
TYPED = frozenset(t for t, spec in VOCABULARY.items() if spec.attributes)
"""The types with declared attributes: their events are checked, never kept "light"."""

_DECLARED: Final = {
    t: tuple((name, kind, kind.always, kind.accepts) for name, kind in spec.attributes.items())
    for t, spec in VOCABULARY.items()
    if spec.attributes
}


Declared = tuple[tuple[str, AttributeType, type | None, Callable[[Any], bool]], ...]
"""A type's declared attributes: (name, type, :attr:`AttributeType.always`, its test)."""


def declared(event_type: str) -> Declared:
    """The attributes the vocabulary declares for *event_type* (none for a type outside it)."""
    return _DECLARED.get(event_type, ())


def accepted(value: Any, always: type | None, accepts: Callable[[Any], bool]) -> bool:
    """Whether a declared attribute's *value* is accepted: absent (null or ""), of the type
    all of whose values are (*always*), or as the attribute's test (*accepts*) says."""
    return value is None or type(value) is always or accepts(value) or value == ""


def attribute_problem(event_type: str, attrs: dict[str, Any]) -> tuple[str, str] | None:
    """The first (field, reason) of *attrs* that its type's declaration refuses, or None."""
    # (_DECLARED is Final and attrs a dict: compiled, both are read without a lookup by name.)
    found = _DECLARED.get(event_type)
    if found is None:
        return None
    for name, kind, always, accepts in found:
        value = attrs.get(name)
        if accepted(value, always, accepts):
            continue
        return name, f"expected {kind.expected} for a '{event_type}' event, got {value!r}"
    return None


def _attribute_schema(kind: AttributeType) -> dict[str, Any]:
    return {"anyOf": [dict(kind.schema), {"type": "null"}, {"const": ""}]}


def type_schema(event_type: str) -> dict[str, Any]:
    """The JSON Schema of the attributes of one vocabulary type (other keys are free)."""
    spec = VOCABULARY[event_type]
    return {
        "description": spec.meaning,
        "properties": {
            "type": {"const": event_type},
            **{name: _attribute_schema(kind) for name, kind in spec.attributes.items()},
        },
    }


def schema_rules() -> list[dict[str, Any]]:
    """One ``if type is T then its attributes`` clause per typed vocabulary type, for the event schema."""
    return [
        {
            "if": {"required": ["type"], "properties": {"type": {"const": t}}},
            "then": {"properties": type_schema(t)["properties"]},
        }
        for t in sorted(TYPED)
    ]
