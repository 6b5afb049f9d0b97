"""``hanchot batch`` across partitions: ids, retractions and broadcasts that span them."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from hanchot.batch import BatchOptions, run_batch
from hanchot.cli import main
from hanchot.inputs.lines import parse_line
from hanchot.inputs.records import FieldError, parse_event

AGENCIES = """id,name,level,parent,province,active_from,active_to,successor,tags
P1,P1,province,,P1,,,,
P1-S0,DOST 1,department,P1,P1,,,,dost
P1-C1,C1,commune,,P1,,2025-06-30,P1-C2,
P1-C2,C2,commune,,P1,,,,
P1-C3,C3,commune,,P1,,,,
P2,P2,province,,P2,,,,
P2-S0,DOST 2,department,P2,P2,,,,dost
P2-C1,C1,commune,,P2,,,,
P2-C2,Xã Đông,commune,,P2,,,,
"""


def _events(scope_duplicate: bool) -> list[str]:
    rows: list[object] = []
    for agency in ("P1-C1", "P1-C2", "P1-C3", "P2-C1", "P2-C2", "P1-S0", "P2-S0"):
        for q in (1, 2, 3):
            rows.append({"id": f"{agency}-q{q}", "type": "report.submitted", "agency": agency,
                         "date": f"2025-0{3 * q}-10", "report": "quarterly", "period": f"2025-Q{q}"})
        rows.append({"id": f"{agency}-plan", "type": "document.issued", "agency": agency, "date": "2025-01-05", "kind": "qms_plan"})
        rows.append({"id": f"{agency}-d", "type": "dossier.received", "agency": agency, "date": "2025-02-01"})
    rows += [
        # one id in two agencies of two partitions: one copy is a duplicate (the earlier date wins)
        {"id": "shared", "type": "document.issued", "agency": "P2-C1", "date": "2025-01-03", "kind": "quality_objectives"},
        {"id": "shared", "type": "document.issued", "agency": "P1-C3", "date": "2025-01-04", "kind": "quality_objectives"},
        # a light (no rule) duplicate across partitions
        {"id": "P1-C2-d", "type": "dossier.received", "agency": "P2-C2", "date": "2025-01-01"},
        # a retraction of another partition's event, and of an unknown one
        {"id": "r1", "type": "event.retracted", "agency": "P2-C1", "date": "2025-05-01", "retracts": "P1-C3-q1"},
        {"id": "r2", "type": "event.retracted", "agency": "P2-C1", "date": "2025-05-01", "retracts": "nothing"},
        {"id": "r3", "type": "event.retracted", "agency": "P1-C1", "date": "2025-05-02", "retracts": "P2-C2-d"},
        # broadcasts: province-wide, retracted by an agency, duplicated with another scope, matching nobody
        {"id": "law1", "type": "legal_document.effective", "scope": {"province": "P1"}, "date": "2025-02-01", "document": "L1"},
        {"id": "law2", "type": "legal_document.effective", "scope": {"level": "commune"}, "date": "2025-02-02", "document": "L2"},
        {"id": "r4", "type": "event.retracted", "agency": "P2-C2", "date": "2025-02-03", "retracts": "law2"},
        {"id": "law3", "type": "legal_document.effective", "scope": {"province": "P2"}, "date": "2025-02-04", "document": "L3"},
        {"id": "law4", "type": "legal_document.effective", "scope": {"province": "P9"}, "date": "2025-02-06", "document": "L4"},
        {"id": "law5", "type": "legal_document.effective", "agency": "", "scope": {"level": ["commune"]}, "date": "2025-02-07", "document": "L5"},
        {"id": "u1", "type": "process.updated", "agency": "P1-C2", "date": "2025-03-01", "process": "A", "documents": ["L1", "L5"], "e_workflow_updated": False},
        {"id": "u2", "type": "process.updated", "agency": "P2-C1", "date": "2025-03-01", "process": "B", "documents": ["L3", "L2"], "e_workflow_updated": True},
        # a nested "agency" key before the real one: the router guesses wrong, the runner repairs
        {"id": "nest", "meta": {"agency": "P1-C1"}, "type": "document.issued", "agency": "P2-C2", "date": "2025-01-06", "kind": "risk_plan"},
        {"id": "nest2", "meta": {"agency": "P1-C1"}, "type": "legal_document.effective", "scope": {"province": "P2"}, "date": "2025-02-08", "document": "L6"},
        # merge: the absorbed commune's duty passes to its successor
        {"id": "m1", "type": "agency.merged", "agency": "P1-C1", "date": "2025-06-30", "into": "P1-C2"},
        {"id": "m1-fix", "type": "document.issued", "agency": "P1-C2", "date": "2025-08-01", "kind": "quality_policy"},
        # inspections for the coverage rules
        {"id": "i1", "type": "inspection.completed", "agency": "P1-S0", "date": "2025-09-01", "target": "P1-C2", "mode": "on_site"},
        {"id": "i2", "type": "inspection.completed", "agency": "P2-S0", "date": "2025-09-01", "target": "P2-C1", "mode": "dossier"},
    ]
    if scope_duplicate:  # one broadcast id sent with two scopes: its partitions are merged from the start
        rows.append({"id": "law3", "type": "legal_document.effective", "scope": {"province": "P1"}, "date": "2025-02-05", "document": "L3"})
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    # NFD agency id, compact layout, bad lines, an unknown agency, a blank line
    lines.append(unicodedata.normalize("NFD", json.dumps({"id": "nfd", "type": "document.issued", "agency": "P2-C2",
                                                          "date": "2025-01-07", "kind": "objectives_plan", "note": "Xã"}, ensure_ascii=False)))
    lines.append('{"id":"compact","type":"document.issued","agency":"P1-C3","date":"2025-01-08","kind":"objectives_plan"}')
    lines += ['{"id": "bad1", "agency": "P1-C2", "date": "2025-01-01"}', "not json", "", '{"id": "x", "type": "t", "agency": "NOPE", "date": "2025-01-01"}']
    return lines


@pytest.mark.parametrize(("jobs", "scope_duplicate"), [(1, False), (2, False), (2, True)])
def test_one_bucket_per_partition_equals_check(tmp_path: Path, jobs: int, scope_duplicate: bool) -> None:
    """With every agency group in its own partition, cross-partition cases are reconciled to check's answer."""
    agencies = tmp_path / "agencies.csv"
    agencies.write_text(AGENCIES, encoding="utf-8")
    events = tmp_path / "events.jsonl"
    text = "\n".join(_events(scope_duplicate)) + "\n"
    if scope_duplicate:  # and a last line cut short, without its newline
        text += '{"id": "cut", "type": "t", "agency": "P1-C2", "date": '
    events.write_text(text, encoding="utf-8")
    report = tmp_path / "check.json"
    main(["check", "--pack", "hue-2025", "--agencies", str(agencies), "--events", str(events), "--as-of", "2026-01-31",
          "--format", "json", "--output", str(report)])
    expected = json.loads(report.read_text(encoding="utf-8"))
    out = tmp_path / "batch"
    result = run_batch(BatchOptions(pack="hue-2025", agencies=agencies, events=[events], as_of=parse_event(
        {"id": "x", "type": "t", "agency": "a", "date": "2026-01-31"}).date, output=out, jobs=jobs,
        progress=False, partition_bytes=1))
    got = [json.loads(line) for line in (out / "obligations.jsonl").read_text(encoding="utf-8").splitlines()]
    assert got == expected["obligations"]
    assert [json.loads(x) for x in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()] == expected["rejected"]
    summary = result.summary
    assert {k: v for k, v in summary["input"].items() if k != "lines"} == expected["input"]
    if not scope_duplicate:
        assert summary["partitions"]["merged"], "the cross-partition cases should have merged partitions"
        assert summary["partitions"]["count"] > 1


@pytest.mark.parametrize(
    "line",
    [
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "n": 1, "f": 1.5, "b": true, "l": [1, "x"], "o": {"k": null}}',
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01"} ',
        ' {"id": "a", "type": "t", "agency": "A", "date": "2025-01-01"}',
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01"} x',
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-02-30"}',
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-W01-1"}',
        '{"id": "a", "type": "t", "agency": "A", "date": "20250101xx"}',
        '{"id": 7, "type": "t", "agency": "A", "date": "2025-01-01"}',
        '{"id": "", "type": "t", "agency": "A", "date": "2025-01-01"}',
        '{"id": "a", "type": "t", "agency": "", "date": "2025-01-01", "scope": {"level": "commune"}}',
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "at": "2025-01-01T20:00:00Z"}',
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "recorded_at": "2025-01-05"}',
        '{"id": "a", "type": "event.retracted", "agency": "A", "date": "2025-01-01"}',
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "x": "\\u0058\\u00e3"}',
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "x": NaN, "y": -Infinity}',
        '{"id": "a", "id": "b", "type": "t", "agency": "A", "date": "2025-01-01"}',
        '{"id": "a", "type": "t", "agency": 5, "date": "2025-01-01"}',
        '{"id": "a", "type": "t", "agency": "A", "date": null, "at": "2025-01-01"}',
        '["not", "an", "object"]',
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01"',
    ],
)
def test_fast_line_parser_agrees_with_parse_event(line: str) -> None:
    """parse_line (with its fast path) gives what json.loads + parse_event give."""
    got = parse_line(line.encode(), "f", 3)
    try:
        expected = parse_event(json.loads(line), ("f", 3))
    except FieldError as exc:
        assert (got.field, got.reason) == (exc.field, exc.reason)  # type: ignore[union-attr]
        return
    except ValueError:
        assert got.field == "(line)"  # type: ignore[union-attr]
        return
    assert got.to_dict() == expected.to_dict() and got.origin == expected.origin  # type: ignore[union-attr]
    assert got.sort_key() == expected.sort_key()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "line",
    [
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "n": -1.5e3, "b": false, "z": null, "s": ""}',
        '{"id":"a","type":"t","agency":"A","date":"2025-01-01"}',
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "id": "b"}',
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "scope": {"level": "x"}}',
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "at": "2025-01-02"}',
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "n": 01}',
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "x": "a\\"b"}',
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "l": [1]}',
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01"} {',
        '{"id": "a\\u0041", "type": "t", "agency": "A", "date": "2025-01-01"}',
        '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "x": NaN}',
    ],
)
def test_router_light_layout_is_valid_json(line: str) -> None:
    """Every line the router takes as light in its canonical layout is the event json.loads and parse_event give."""
    from hanchot.inputs.lines import LIGHT_LAYOUT, common_fields

    assert (LIGHT_LAYOUT.match(line.encode() + b"\n") is None) or common_fields(line.encode()) is not None
    m = LIGHT_LAYOUT.match(line.encode() + b"\n")
    if m is None:
        return
    event = parse_event(json.loads(line), ("f", 1))
    assert (event.id, event.type, event.agency, event.date.isoformat()) == tuple(g.decode() for g in m.groups())
    assert event.scope is None and event.recorded is None and event.retracts is None
