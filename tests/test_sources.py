"""Event sources: a database table reads like a file, and names its rows."""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path

from builders import TEST_PACK, agency, d

from hanchot.engine import Engine
from hanchot.inputs.sources import EventSource, FileSource, RowSource

ROWS = [
    ("a1", "internal_audit.completed", "c1", "2025-05-10", 0),
    ("a2", "internal_audit.completed", "c1", "31/12/2025", 0),  # not a date: rejected
    ("a3", "internal_audit.completed", "c2", "2025-06-10", 1),
]


def _table() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    db.execute("CREATE TABLE events (id TEXT, type TEXT, agency TEXT, date TEXT, nonconformities INTEGER)")
    db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?)", ROWS)
    return db


def test_a_table_gives_the_report_a_file_gives_and_names_its_rows(tmp_path: Path) -> None:
    """Rows are events like lines; a bad row is rejected as 'events:2', not as a file line."""
    db = _table()
    rows = RowSource("events", lambda: (dict(r) for r in db.execute("SELECT * FROM events ORDER BY rowid")))
    path = tmp_path / "events.jsonl"
    keys = ("id", "type", "agency", "date", "nonconformities")
    path.write_text("".join(json.dumps(dict(zip(keys, r))) + "\n" for r in ROWS), encoding="utf-8")
    assert isinstance(rows, EventSource) and isinstance(FileSource(str(path)), EventSource)
    with Engine(TEST_PACK, [agency("c1"), agency("c2")]) as engine:
        from_table = engine.evaluate(rows, d("2026-01-31"))
        from_file = engine.evaluate(FileSource(str(path)), d("2026-01-31"))
    assert [o.to_dict() for o in from_table.obligations] == [o.to_dict() for o in from_file.obligations]
    assert from_table.input == from_file.input
    (rejected,) = from_table.rejected
    assert (str(rejected).split(": field")[0], rejected.field) == ("events:2", "date")


def test_slices_of_a_file_cover_it_line_by_line(tmp_path: Path) -> None:
    """Parallel parts start at a line and together hold every byte once."""
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"".join(b'{"n": %d}\n' % i for i in range(1000)))
    parts = FileSource(str(path)).slices(1000)
    assert len(parts) > 5
    data = path.read_bytes()
    ranges = [(p.start, p.end if p.end is not None else len(data)) for p in parts]  # type: ignore[attr-defined]
    assert ranges[0][0] == 0 and all(a[1] == b[0] for a, b in itertools.pairwise(ranges)) and ranges[-1][1] == len(data)
    assert all(s == 0 or data[s - 1 : s] == b"\n" for s, _ in ranges)
