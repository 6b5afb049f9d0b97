"""The run history: an SQLite database of every batch run's violations.

A violation is identified by (agency, rule, period, trigger, opens, seq), seq
numbering the duties that share the rest (passed on by two merged agencies). Each run
is compared with the previous run of the same pack: a violation is *new* if
the previous run did not have it, *resolved* if the previous run had it and
this one does not (it was met, or the data changed). Agencies of a failed
partition are left out of "resolved": nothing is known of them this time.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

Violation = tuple[str, str, str, str, str, int, str]  # agency, rule, period, trigger, opens, seq, status

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    pack TEXT NOT NULL,
    as_of TEXT NOT NULL,
    events TEXT NOT NULL,
    violations INTEGER NOT NULL,
    failed_agencies TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS violations (
    run INTEGER NOT NULL REFERENCES runs(id),
    agency TEXT NOT NULL,
    rule TEXT NOT NULL,
    period TEXT NOT NULL,
    trigger TEXT NOT NULL,
    opens TEXT NOT NULL,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS violations_run ON violations(run);
"""


def connect(path: str | Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.executescript(_SCHEMA)
    return db


def record_run(
    path: str | Path,
    *,
    started: str,
    pack: str,
    as_of: dt.date,
    events: Sequence[str],
    violations: Iterable[Violation],
    failed_agencies: Sequence[str] = (),
) -> dict[str, Any]:
    """Store a run's violations; return its comparison with the previous run."""
    rows = sorted(set(violations))
    with connect(path) as db:
        cur = db.execute(
            "INSERT INTO runs (started, pack, as_of, events, violations, failed_agencies) VALUES (?, ?, ?, ?, ?, ?)",
            (started, pack, as_of.isoformat(), json.dumps(list(events)), len(rows), json.dumps(sorted(failed_agencies))),
        )
        run = int(cur.lastrowid or 0)
        db.executemany("INSERT INTO violations VALUES (?, ?, ?, ?, ?, ?, ?, ?)", ((run, *v) for v in rows))
    return compare(path, run, limit=200)


def runs(path: str | Path) -> list[dict[str, Any]]:
    """Every run, oldest first."""
    with connect(path) as db:
        cur = db.execute("SELECT id, started, pack, as_of, violations, failed_agencies FROM runs ORDER BY id")
        return [
            {"run": r[0], "started": r[1], "pack": r[2], "as_of": r[3], "violations": r[4], "failed_agencies": len(json.loads(r[5]))}
            for r in cur
        ]


def compare(path: str | Path, run: int | None = None, *, limit: int | None = None) -> dict[str, Any]:
    """What is new and resolved in *run* (default: the last) since the previous run of its pack."""
    with connect(path) as db:
        if run is None:
            row = db.execute("SELECT max(id) FROM runs").fetchone()
            run = row[0] if row else None
            if run is None:
                return {"run": None, "previous": None}
        meta = db.execute("SELECT pack, failed_agencies FROM runs WHERE id = ?", (run,)).fetchone()
        if meta is None:
            raise LookupError(f"no run {run} in the history")
        pack, failed = meta[0], set(json.loads(meta[1]))
        prev_row = db.execute("SELECT max(id) FROM runs WHERE pack = ? AND id < ?", (pack, run)).fetchone()
        previous = prev_row[0] if prev_row else None

        def load(r: int | None) -> set[tuple[str, ...]]:
            if r is None:
                return set()
            cur = db.execute("SELECT agency, rule, period, trigger, opens, seq FROM violations WHERE run = ?", (r,))
            return {tuple(x) for x in cur}

        now, before = load(run), load(previous)
    new = now - before
    resolved = {v for v in before - now if v[0] not in failed}
    per: dict[tuple[str, str], Counter[str]] = {}
    for v in new:
        per.setdefault((v[0], v[1]), Counter())["new"] += 1
    for v in resolved:
        per.setdefault((v[0], v[1]), Counter())["resolved"] += 1
    by_agency_rule = [
        {"agency": a, "rule": r, "new": c["new"], "resolved": c["resolved"]} for (a, r), c in sorted(per.items())
    ]
    out: dict[str, Any] = {
        "run": run,
        "previous": previous,
        "violations": len(now),
        "new": len(new),
        "resolved": len(resolved),
        "still_open": len(now & before),
        "by_agency_rule": by_agency_rule[:limit] if limit is not None else by_agency_rule,
    }
    if limit is not None and len(by_agency_rule) > limit:
        out["by_agency_rule_omitted"] = len(by_agency_rule) - limit
    return out
