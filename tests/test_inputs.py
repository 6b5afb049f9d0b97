"""Tests of the input readers (agencies, events) and the published JSON Schemas."""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import json
import pickle
import shutil
import sys
import unicodedata
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from hanchot.errors import InputError
from hanchot.inputs import (
    Event,
    EventRecord,
    FieldError,
    Rejection,
    parse_event,
    read_agencies,
    read_events,
    schemas,
)

DATA = Path(__file__).parent / "data" / "inputs"


def _dicts(items: list[Event | Rejection]) -> list[dict[str, Any]]:
    return [item.to_dict() for item in items]


def _events(path: Any) -> list[Event | Rejection]:
    return list(read_events(path))


# --- agencies ---------------------------------------------------------------


def test_agencies_csv_and_yaml_read_the_same() -> None:
    """The CSV and YAML forms of one agency list give equal agencies, sorted by id."""
    from_csv = read_agencies(DATA / "agencies.csv")
    from_yaml = read_agencies(DATA / "agencies.yaml")
    assert from_csv == from_yaml
    assert [a.id for a in from_csv] == sorted(a.id for a in from_csv)
    merged = {a.id: a for a in from_csv}["HN-BV-TT"]
    assert merged.successor == "HN-BV-TD" and merged.active_to == dt.date(2025, 6, 30)
    assert {a.id: a for a in from_csv}["HN"].tags == ("iso9001", "hanh-chinh")


CSV_HEAD = "id,name,level,parent,province,active_from,active_to,successor,tags\n"
CSV_OK = "HN,Hà Nội,province,,HN,,,,\n"

BAD_AGENCIES = [
    # (file name, text, line, field, words of the reason)
    ("level.csv", CSV_HEAD + CSV_OK + "X,x,tinh,,,,,,\n", 3, "level", "'province'"),
    ("date.csv", CSV_HEAD + CSV_OK + "X,x,unit,HN,,2025-13-01,,,\n", 3, "active_from", "date"),
    ("dup.csv", CSV_HEAD + CSV_OK + "HN,again,province,,,,,,\n", 3, "id", "repeated"),
    ("parent.csv", CSV_HEAD + CSV_OK + "X,x,unit,NOPE,,,,,\n", 3, "parent", "'NOPE'"),
    ("successor.csv", CSV_HEAD + CSV_OK + "X,x,unit,,,,,NOPE,\n", 3, "successor", "'NOPE'"),
    ("order.csv", CSV_HEAD + CSV_OK + "X,x,unit,,,2025-07-01,2025-06-30,,\n", 3, "active_to", "active_from"),
    ("noid.csv", CSV_HEAD + CSV_OK + ",x,unit,,,,,,\n", 3, "id", "required"),
    ("nolevel.csv", CSV_HEAD + CSV_OK + "X,x,,,,,,,\n", 3, "level", "required"),
    ("column.csv", "id,level,colour\nHN,province,red\n", 1, "colour", "unknown column"),
    ("cells.csv", CSV_HEAD + CSV_OK + "X,x,unit,,,,,,,extra\n", 3, "(row)", "cells"),
    ("cycle.csv", CSV_HEAD + "A,a,unit,B,,,,,\nB,b,unit,A,,,,,\n", 2, "parent", "cycle"),
    ("level.yaml", "- id: HN\n  level: province\n- id: X\n  name: x\n  level: tinh\n", 5, "level", "'province'"),
    ("key.yaml", "- id: HN\n  level: province\n  colour: red\n", 3, "colour", "unknown field"),
    ("item.yaml", "- id: HN\n  level: province\n- just a string\n", 3, "(item)", "mapping"),
    ("dup.yaml", "- id: HN\n  level: province\n- id: HN\n  level: unit\n", 3, "id", "first on line 1"),
    ("parent.yaml", "- id: HN\n  level: province\n  parent: NOPE\n", 3, "parent", "'NOPE'"),
    ("idtype.yaml", "- id: 79\n  level: province\n", 1, "id", "string"),
]


@pytest.mark.parametrize(("name", "text", "line", "field", "words"), BAD_AGENCIES, ids=[c[0] for c in BAD_AGENCIES])
def test_bad_agency_row_names_file_line_and_field(
    tmp_path: Path, name: str, text: str, line: int, field: str, words: str
) -> None:
    """Each kind of bad agency row is an InputError naming the file, the line and the field."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_agencies(path)
    message = str(caught.value)
    assert f"{path}:{line}: field {field!r}: " in message
    assert words in message


def test_agency_file_lists_every_problem(tmp_path: Path) -> None:
    """A strict agency load reports all the file's problems at once, in line order."""
    path = tmp_path / "many.csv"
    path.write_text(CSV_HEAD + "X,x,tinh,,,,,,\n" + "Y,y,unit,NOPE,,,,,\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_agencies(path)
    lines = str(caught.value).splitlines()
    assert [ln.split(": field")[0] for ln in lines] == [f"{path}:2", f"{path}:3"]


def test_agency_file_of_unknown_suffix_is_an_error(tmp_path: Path) -> None:
    """An agency file that is neither CSV nor YAML is refused, naming the file."""
    path = tmp_path / "agencies.txt"
    path.write_text(CSV_HEAD, encoding="utf-8")
    with pytest.raises(InputError, match="agencies.txt"):
        read_agencies(path)


# --- events: formats ----------------------------------------------------------


def test_events_jsonl_csv_gzip_and_directory_read_the_same(tmp_path: Path) -> None:
    """JSON Lines, CSV, gzip-compressed files and a directory of them give equal events."""
    jsonl = _events(DATA / "events.jsonl")
    assert all(isinstance(e, Event) for e in jsonl) and len(jsonl) == 5
    assert _dicts(_events(DATA / "events.csv")) == _dicts(jsonl)
    for name in ("events.jsonl", "events.csv"):
        gz = tmp_path / (name + ".gz")
        gz.write_bytes(gzip.compress((DATA / name).read_bytes()))
        assert _dicts(_events(gz)) == _dicts(jsonl)
    folder = tmp_path / "dir"
    (folder / "b").mkdir(parents=True)
    shutil.copy(DATA / "events.jsonl", folder / "b" / "2.ndjson")
    shutil.copy(DATA / "events.csv", folder / "1.csv")
    (folder / "notes.txt").write_text("not events", encoding="utf-8")
    from_dir = _events(folder)
    assert _dicts(from_dir) == _dicts(jsonl) * 2
    assert [e.origin[0] for e in from_dir if isinstance(e, Event)][::5] == [
        str(folder / "1.csv"),
        str(folder / "b" / "2.ndjson"),
    ]


def test_event_origin_is_file_as_given_and_physical_line() -> None:
    """An event's origin is the path as given and its line in the file (blank lines count)."""
    events = _events(str(DATA / "events.jsonl"))
    assert [e.origin for e in events] == [(str(DATA / "events.jsonl"), n) for n in (1, 2, 4, 5, 6)]


def test_csv_cells_are_typed_as_documented(tmp_path: Path) -> None:
    """CSV attribute cells become JSON numbers, booleans, arrays, objects, else strings; empty is absent."""
    path = tmp_path / "cells.csv"
    path.write_text(
        "id,type,agency,date,n,f,b,arr,obj,zero,nul,txt,quoted,empty\n"
        'e,t,A,2025-01-01,12,-1.5,false,"[1, ""a""]","{""k"": 1}",007,null,abc,"""q""",\n',
        encoding="utf-8",
    )
    (event,) = _events(path)
    assert isinstance(event, Event)
    assert event.attrs == {
        "n": 12, "f": -1.5, "b": False, "arr": [1, "a"], "obj": {"k": 1},
        "zero": "007", "nul": "null", "txt": "abc", "quoted": '"q"',
    }


def test_parquet_without_pyarrow_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading Parquet without pyarrow is an InputError telling to install hanchot[parquet]."""
    path = tmp_path / "events.parquet"
    path.write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(InputError, match=r"hanchot\[parquet\]"):
        _events(path)


def test_parquet_reads_like_jsonl(tmp_path: Path) -> None:
    """A Parquet file gives the same events as JSON Lines, one row a line."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = [json.loads(line) for line in (DATA / "events.jsonl").read_text("utf-8").splitlines() if line]
    rows = [{k: v for k, v in r.items() if k != "scope"} | {"agency": r.get("agency", "HN")} for r in rows]
    columns = sorted({k for r in rows for k in r})
    path = tmp_path / "events.parquet"
    pq.write_table(pa.Table.from_pylist([{k: r.get(k) for k in columns} for r in rows]), path)
    jsonl = tmp_path / "events.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    from_parquet = _events(path)
    assert _dicts(from_parquet) == _dicts(_events(jsonl))
    assert [e.origin[1] for e in from_parquet] == [1, 2, 3, 4, 5]


def test_unknown_or_missing_event_path_is_an_error(tmp_path: Path) -> None:
    """A missing path or a file of unknown suffix given by name is an InputError, not silence."""
    with pytest.raises(InputError, match="no such"):
        _events(tmp_path / "nope.jsonl")
    other = tmp_path / "events.txt"
    other.write_text("{}\n", encoding="utf-8")
    with pytest.raises(InputError, match="suffix"):
        _events(other)


# --- events: rejections -------------------------------------------------------

BAD_LINES = [
    # (line number in events_bad.jsonl, field, words of the reason)
    (2, "(line)", "not valid JSON"),
    (3, "(line)", "JSON object"),
    (4, "id", "required"),
    (5, "date", "YYYY-MM-DD"),
    (6, "scope", "not both"),
    (7, "retracts", "withdraws"),
    (8, "type", "required"),
    (9, "agency", "required"),
    (10, "date", "required"),
    (11, "at", "timestamp"),
    (12, "recorded_at", "timestamp"),
    (13, "scope", "object"),
    (14, "retracts", "event id"),
]


def test_each_malformed_event_line_is_a_rejection_naming_file_line_and_field() -> None:
    """Every malformed line becomes one Rejection with its file, line, field and raw text."""
    path = str(DATA / "events_bad.jsonl")
    items = _events(path)
    assert isinstance(items[0], Event)
    rejections = items[1:]
    assert all(isinstance(r, Rejection) for r in rejections)
    assert [(r.line, r.field) for r in rejections] == [(n, f) for n, f, _ in BAD_LINES]
    texts = (DATA / "events_bad.jsonl").read_text("utf-8").splitlines()
    for r, (line, field, words) in zip(rejections, BAD_LINES):
        assert isinstance(r, Rejection)
        assert r.file == path and words in r.reason
        assert str(r) == f"{path}:{line}: field {field!r}: {r.reason}"
        assert r.raw == texts[line - 1][:200]
        assert r.to_dict() == {"file": path, "line": line, "field": field, "reason": r.reason, "raw": r.raw}


def test_malformed_csv_rows_are_rejections(tmp_path: Path) -> None:
    """Bad CSV rows (bad scope cell, extra cells, not UTF-8) are rejected; empty rows are skipped."""
    path = tmp_path / "bad.csv"
    path.write_bytes(
        b"id,type,agency,scope,date\n"
        b"e1,t,,{not json},2025-01-01\n"
        b"e2,t,A,,2025-01-01,surplus\n"
        b",,,,\n"
        b"e3,t,\xff,,2025-01-01\n"
        b"e4,t,A,,2025-01-01\n"
    )
    items = _events(path)
    assert [(r.line, r.field) for r in items if isinstance(r, Rejection)] == [
        (2, "scope"), (3, "(line)"), (5, "(line)"),
    ]
    assert [e.id for e in items if isinstance(e, Event)] == ["e4"]


def test_long_raw_line_is_truncated_to_200_characters(tmp_path: Path) -> None:
    """A rejection keeps at most 200 characters of the line, so reports stay small."""
    path = tmp_path / "long.jsonl"
    path.write_text('{"id": "' + "x" * 1000 + "\n", encoding="utf-8")
    (rejection,) = _events(path)
    assert isinstance(rejection, Rejection) and rejection.raw == ('{"id": "' + "x" * 1000)[:200]


_VALID = {"id": "v", "type": "process.updated", "agency": "HN", "date": "2025-05-01"}
_line = st.one_of(
    st.builds(lambda i: json.dumps(_VALID | {"id": f"v{i}"}), st.integers(0, 10**6)),
    st.builds(lambda cut: json.dumps(_VALID)[:cut], st.integers(1, 40)),
    st.builds(lambda key: json.dumps({k: v for k, v in _VALID.items() if k != key}), st.sampled_from(list(_VALID))),
    st.builds(json.dumps, st.one_of(st.integers(), st.lists(st.integers(), max_size=2), st.text(max_size=5))),
    st.text(max_size=30).filter(lambda s: s.strip() != "" and "\n" not in s and "\r" not in s),
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_line, max_size=30), blanks=st.lists(st.sampled_from(["", "  ", "\t"]), max_size=5))
def test_no_event_line_is_lost(tmp_path: Path, lines: list[str], blanks: list[str]) -> None:
    """For N non-blank lines of any mix of valid and broken, events + rejections == N."""
    path = tmp_path / "mix.jsonl"
    path.write_bytes("\n".join(lines + blanks).encode("utf-8", "surrogatepass"))
    items = _events(path)
    assert len(items) == len(lines)
    where = [e.origin[1] if isinstance(e, Event) else e.line for e in items]
    assert where == list(range(1, len(lines) + 1))


# --- events: values -----------------------------------------------------------


def test_at_timestamp_becomes_the_local_date() -> None:
    """A UTC timestamp is dated in Vietnam: 2025-04-30T20:00:00Z is 2025-05-01."""
    event = parse_event({"id": "e", "type": "t", "agency": "A", "at": "2025-04-30T20:00:00Z"})
    assert event.date == dt.date(2025, 5, 1)
    naive = parse_event({"id": "e", "type": "t", "agency": "A", "at": "2025-04-30T20:00:00"})
    assert naive.date == dt.date(2025, 4, 30)


def test_decomposed_vietnamese_is_nfc_normalised() -> None:
    """Vietnamese text typed in decomposed form (NFD) is read as NFC, so equal words compare equal."""
    word = "Nguyễn Thị Hường"
    nfd = unicodedata.normalize("NFD", word)
    assert nfd != word
    event = parse_event(
        {"id": nfd, "type": "t", "agency": nfd, "date": "2025-01-01", "retracts": nfd, "chair": nfd, "list": [nfd]}
    )
    assert event.id == event.agency == event.retracts == event.attrs["chair"] == word
    assert event.attrs["list"] == [word]


def test_field_error_carries_field_and_pickles() -> None:
    """parse_event's error carries file, line, field and reason, and survives pickling (workers)."""
    with pytest.raises(FieldError) as caught:
        parse_event({"id": "e", "type": "t", "agency": "A"}, ("f.jsonl", 7))
    err = caught.value
    assert (err.file, err.line, err.field) == ("f.jsonl", 7, "date")
    assert str(err).startswith("f.jsonl:7: field 'date': ")
    assert isinstance(err, InputError)
    again = pickle.loads(pickle.dumps(err))
    assert (type(again), str(again), again.field) == (FieldError, str(err), "date")


_ABSENT = object()


def _value(*options: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from([_ABSENT, None, "", *options])


_RESERVED = {
    "id": _value("e1", 7, True, 1.5, ["e1"], " "),
    "type": _value("process.updated", "event.retracted", 3),
    "agency": _value("HN", 5, ["HN"], {"id": "HN"}),
    "scope": _value({}, {"level": "district"}, {"level": ["a", "b"]}, {"level": []}, {"level": 3}, {"level": [1]}, "HN", []),
    "date": _value("2025-05-01", "2025-02-30", "01/05/2025", "2025-W18-3", "2025-05-01T10:00:00", 20250501, "20250501"),
    "at": _value("2025-04-30T20:00:00Z", "2025-04-30 20:00+07:00", "2025-04-30", "30/04/2025", "yesterday", 1714000000, "1714000000", []),
    "recorded_at": _value("2025-05-02", "2025-05-02T08:00:00+07:00", "02/05/2025", "later", 3, {}),
    "retracts": _value("e0", 0, 3, True, 1.5, ["e0"]),
}


@st.composite
def _event_objects(draw: st.DrawFn) -> dict[str, Any]:
    """A valid event with up to three reserved keys replaced by any value (or removed)."""
    obj: dict[str, Any] = {
        "id": "e1",
        "type": draw(st.sampled_from(["process.updated", "event.retracted", "internal_audit.completed", "report.submitted"])),
    }
    obj |= draw(st.sampled_from([{"agency": "HN"}, {"scope": {"level": "district"}}]))
    obj |= draw(st.sampled_from([{"date": "2025-05-01"}, {"at": "2025-04-30T20:00:00Z"}]))
    if obj["type"] == "event.retracted":
        obj["retracts"] = "e0"
    for key in draw(st.lists(st.sampled_from(sorted(_RESERVED)), max_size=3, unique=True)):
        value = draw(_RESERVED[key])
        if value is _ABSENT:
            obj.pop(key, None)
        else:
            obj[key] = value
    return obj


@settings(max_examples=500)
@given(
    obj=_event_objects(),
    extra=st.dictionaries(
        st.sampled_from(["x", "note", "n", "nonconformities", "e_workflow_updated", "period", "report", "documents"]),
        st.one_of(
            st.none(), st.integers(-2, 2030), st.text(max_size=3), st.booleans(),
            st.sampled_from(["2025-Q1", "2025-Q5", "quarterly", "false", ["a"], [1], "Quý III/2025"]),
        ),
    ),
)
def test_event_schema_model_and_parse_event_agree(obj: dict[str, Any], extra: dict[str, Any]) -> None:
    """EventRecord (the published schema's model) and parse_event accept exactly the same objects.

    Intentional difference, not generated here: parse_event also accepts Python
    date and datetime objects for ``date`` and ``at`` (from Parquet), which the
    JSON formats cannot carry.
    """
    obj = obj | extra

    def accepted(check: Any, errors: type[Exception]) -> bool:
        try:
            check()
        except errors:
            return False
        return True

    by_parser = accepted(lambda: parse_event(obj), FieldError)
    by_model = accepted(lambda: EventRecord.model_validate(obj), ValidationError)
    by_model_json = accepted(lambda: EventRecord.model_validate_json(json.dumps(obj)), ValidationError)
    assert by_parser == by_model == by_model_json, obj


# --- schemas ------------------------------------------------------------------


@pytest.mark.parametrize("kind", schemas.KINDS)
def test_committed_schema_matches_the_models(kind: str) -> None:
    """The committed JSON Schema files equal a fresh generation, so they cannot drift from the models."""
    committed = (Path(schemas.__file__).parent.parent / "schemas" / schemas.file_name(kind)).read_bytes()
    assert committed == schemas.render(kind).encode("utf-8"), (
        f"{schemas.file_name(kind)} is stale: run python -m hanchot.inputs.schemas"
    )
    body = json.loads(committed)
    assert body["$id"].endswith(f"{kind}:v1") and body["version"] == 1 and body["title"]


def test_schema_command_prints_the_schema() -> None:
    """`hanchot schema event` prints the committed event schema."""
    from hanchot.cli import schema_cmd

    parser = argparse.ArgumentParser()
    schema_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["schema", "event"])
    out = io.StringIO()
    with redirect_stdout(out):
        assert args.run(args) == 0
    assert out.getvalue() == schemas.render("event")


_WORD = st.sampled_from(["QT-01", "Nguyễn", unicodedata.normalize("NFD", "Hường"), "a\\u0301", "x"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_WORD, st.booleans(), st.booleans()), min_size=1, max_size=12))
def test_a_file_reads_as_its_lines_one_by_one(tmp_path: Path, rows: list[tuple[str, bool, bool]]) -> None:
    """Lines are checked a block at a time (ASCII, no \\u escape) before the common shape is
    taken: a line escaped or in Vietnamese among plain ones reads as it does alone (NFC, escapes)."""
    from hanchot.inputs.lines import parse_line

    lines = []
    for i, (word, escape, agency_word) in enumerate(rows):
        value = json.dumps(word, ensure_ascii=escape)[1:-1].replace("\\\\u", "\\u")
        agency = value if agency_word else "A"
        lines.append(f'{{"id": "e{i}", "type": "t", "agency": "{agency}", "date": "2025-01-01", "w": "{value}"}}\n')
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    read = [e.to_dict() if hasattr(e, "to_dict") else str(e) for e in read_events([str(path)])]
    alone = [parse_line(line.encode(), str(path), n) for n, line in enumerate(lines, 1)]
    assert read == [e.to_dict() if hasattr(e, "to_dict") else str(e) for e in alone]
    assert all(unicodedata.is_normalized("NFC", e["w"]) for e in read if isinstance(e, dict))
