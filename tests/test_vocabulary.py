"""Event vocabulary v1: a value of the wrong type is rejected with its field and reason, never silently unmatched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hanchot.cli import main
from hanchot.inputs import Event, FieldError, Rejection, parse_event, read_events
from hanchot.inputs.vocabulary import TYPED, VOCABULARY, attribute_problem

BASE = {"id": "e1", "agency": "c1", "date": "2025-10-01"}


@pytest.mark.parametrize(
    ("event_type", "field", "value", "expected"),
    [
        ("internal_audit.completed", "nonconformities", "2", "a non-negative integer"),
        ("internal_audit.completed", "nonconformities", -1, "a non-negative integer"),
        ("internal_audit.completed", "nonconformities", True, "a non-negative integer"),
        ("process.updated", "e_workflow_updated", "false", "true or false (a JSON boolean)"),
        ("process.updated", "documents", "09/2025/TT-BKHCN", "a list of strings"),
        ("report.submitted", "period", "2025-Q5", "a period such as 2025, 2025-H1"),
        ("report.submitted", "report", "weekly", "one of quarterly, half_yearly, annual, adhoc"),
        ("qms.announced", "reannouncement", 1, "true or false"),
    ],
)
def test_a_mistyped_value_is_rejected_with_field_and_reason(event_type: str, field: str, value: Any, expected: str) -> None:
    """The issue's cases and their kin: FieldError naming the field, what was expected, what was got."""
    with pytest.raises(FieldError) as caught:
        parse_event({**BASE, "type": event_type, field: value}, ("events.jsonl", 7))
    error = caught.value
    assert (error.file, error.line, error.field) == ("events.jsonl", 7, field)
    assert expected in error.reason and repr(value) in error.reason and event_type in error.reason


@pytest.mark.parametrize(
    ("event_type", "attrs"),
    [
        ("internal_audit.completed", {"nonconformities": 0}),
        ("internal_audit.completed", {"nonconformities": None}),
        ("internal_audit.completed", {"nonconformities": ""}),
        ("report.submitted", {"report": "quarterly", "period": "Quý III/2025"}),
        ("report.submitted", {"report": "annual", "period": 2025}),
        ("process.updated", {"documents": [], "e_workflow_updated": False, "note": 3}),
        ("dossier.received", {"nonconformities": "many", "period": "whenever"}),
    ],
)
def test_well_typed_absent_and_undeclared_values_pass(event_type: str, attrs: dict[str, Any]) -> None:
    """null and "" are absent; a year written as a number is a period; other attributes and types are free."""
    event = parse_event({**BASE, "type": event_type, **attrs})
    assert event.attrs == attrs


def test_the_fast_path_rejects_as_the_general_path_does(tmp_path: Path) -> None:
    """A canonical ASCII line (the reader's fast path) with a mistyped value is rejected, not accepted."""
    path = tmp_path / "events.jsonl"
    lines = [
        {**BASE, "type": "internal_audit.completed", "nonconformities": "2"},
        {**BASE, "id": "e2", "type": "internal_audit.completed", "nonconformities": 2},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    first, second = read_events(path)
    assert isinstance(first, Rejection) and first.field == "nonconformities" and first.line == 1
    assert isinstance(second, Event) and second.attrs == {"nonconformities": 2}


def test_only_types_with_attributes_are_typed() -> None:
    """Types that declare nothing (a review held, a retraction) and types outside the vocabulary cost nothing."""
    assert "management_review.held" in VOCABULARY and "management_review.held" not in TYPED
    assert attribute_problem("dossier.received", {"nonconformities": "x"}) is None
    assert TYPED <= set(VOCABULARY)


def test_schema_event_type_prints_one_type(capsys: pytest.CaptureFixture[str]) -> None:
    """`hanchot schema event --type T` publishes T's typed attributes; an unknown type suggests the nearest."""
    assert main(["schema", "event", "--type", "report.submitted"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["properties"]["type"] == {"const": "report.submitted"}
    assert schema["properties"]["report"]["anyOf"][0]["enum"] == ["quarterly", "half_yearly", "annual", "adhoc"]
    assert main(["schema", "event", "--type", "report.sent"]) == 2
    assert "did you mean report.submitted" in capsys.readouterr().err


def test_the_event_schema_holds_every_typed_type() -> None:
    """The published event schema carries one if-type-then-attributes clause per typed type."""
    from hanchot.inputs.schemas import schema

    clauses = [c for c in schema("event")["allOf"] if "if" in c and "then" in c and "properties" in c["then"]]
    typed = {c["if"]["properties"]["type"]["const"] for c in clauses}
    assert typed == set(TYPED)
