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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from hanchot.batch.wire import ViolationKey
from hanchot.errors import EnvironmentFailure

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


SCHEMA_VERSION = 1  # PRAGMA user_version of a hanchot history
_TABLES = {"runs", "violations"}
_SQLITE_HEADER = b"SQLite format 3\x00"


def check_history(path: str | Path) -> None:
    """Refuse, untouched, a file that is not a hanchot history (an :class:`EnvironmentFailure`).

    A missing or empty file is a new history. An SQLite file is a hanchot
    history when its ``user_version`` is :data:`SCHEMA_VERSION` and it has
    the tables ``runs`` and ``violations``, or when it is a history written
    before versions were recorded (``user_version`` 0 and exactly those tables).
    The check opens the file read-only, so a refused file is not modified.
    """
    path = Path(path)
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return
    if not path.is_file():
        raise EnvironmentFailure(f"--history {path}: not a file")
    try:
        with open(path, "rb") as fh:
            header = fh.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise EnvironmentFailure(f"--history {path}: cannot read ({exc.strerror or exc})") from None
    if header != _SQLITE_HEADER:
        raise EnvironmentFailure(f"--history {path}: not an SQLite database, so not a hanchot history; refused, left untouched")
    try:
        if Path(f"{path}-journal").exists():
            # A run killed mid-transaction left a hot journal: a read-write open rolls it
            # back to the last committed state, as any SQLite client would, then we look.
            with closing(sqlite3.connect(path)) as db:
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} - {"sqlite_sequence"}
    except sqlite3.Error as exc:
        raise EnvironmentFailure(f"--history {path}: unusable SQLite database ({exc})") from None
    if version > SCHEMA_VERSION:
        raise EnvironmentFailure(f"--history {path}: history schema version {version}, newer than this hanchot's ({SCHEMA_VERSION})")
    if not tables:
        return
    if version not in (0, SCHEMA_VERSION) or tables != _TABLES:
        raise EnvironmentFailure(
            f"--history {path}: an SQLite database that is not a hanchot history "
            f"(tables {', '.join(sorted(tables))}; user_version {version}); refused, left untouched"
        )


@contextmanager
def connect(path: str | Path, *, write: bool = False) -> Iterator[sqlite3.Connection]:
    """A checked connection to the history at *path*, always closed; read-only unless *write*.

    Writing, the connection is in one ``BEGIN IMMEDIATE`` transaction (other
    writers wait) that the caller commits: a run is recorded whole or not at all.
    """
    check_history(path)
    try:
        if write:
            db = sqlite3.connect(path, isolation_level=None, timeout=30)
        elif not Path(path).exists() or Path(path).stat().st_size == 0:
            db = sqlite3.connect(":memory:")  # reading a history not yet written: no runs
        else:
            db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise EnvironmentFailure(f"--history {path}: cannot open ({exc})") from None
    try:
        if write:
            db.execute("BEGIN IMMEDIATE")
            _create(db)
        elif not _has_tables(db):  # a new history: read as empty, written nothing
            db.close()
            db = sqlite3.connect(":memory:")
            _create(db)
        yield db
    except sqlite3.Error as exc:
        raise EnvironmentFailure(f"--history {path}: {exc}") from None
    finally:
        if db.in_transaction:
            db.rollback()
        db.close()


def _has_tables(db: sqlite3.Connection) -> bool:
    count: int = db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'runs'").fetchone()[0]
    return count > 0


def _create(db: sqlite3.Connection) -> None:
    """Create the tables if missing and stamp the schema version (inside the caller's transaction)."""
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def record_run(
    db: sqlite3.Connection,
    *,
    started: str,
    pack: str,
    as_of: dt.date,
    events: Sequence[str],
    violations: Iterable[ViolationKey],
    failed_agencies: Sequence[str] = (),
) -> dict[str, Any]:
    """Store a run's violations in *db* (an open write transaction); return its comparison with the previous run.

    Nothing is committed here: the caller commits once the run's outputs are in place.
    """
    rows = sorted(set(violations))
    cur = db.execute(
        "INSERT INTO runs (started, pack, as_of, events, violations, failed_agencies) VALUES (?, ?, ?, ?, ?, ?)",
        (started, pack, as_of.isoformat(), json.dumps(list(events)), len(rows), json.dumps(sorted(failed_agencies))),
    )
    run = int(cur.lastrowid or 0)
    db.executemany("INSERT INTO violations VALUES (?, ?, ?, ?, ?, ?, ?, ?)", ((run, *v) for v in rows))
    return _compare(db, run, limit=200)


def runs(path: str | Path) -> list[dict[str, Any]]:
    """Every run, oldest first."""
    with connect(path) as db:
        return list_runs(db)


def list_runs(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every run of an open history (a run recorded in its open transaction included), oldest first."""
    cur = db.execute("SELECT id, started, pack, as_of, violations, failed_agencies FROM runs ORDER BY id")
    return [
        {"run": r[0], "started": r[1], "pack": r[2], "as_of": r[3], "violations": r[4], "failed_agencies": len(json.loads(r[5]))}
        for r in cur
    ]


def compare(path: str | Path, run: int | None = None, *, limit: int | None = None) -> dict[str, Any]:
    """What is new and resolved in *run* (default: the last) since the previous run of its pack."""
    with connect(path) as db:
        return _compare(db, run, limit=limit)


def _compare(db: sqlite3.Connection, run: int | None, *, limit: int | None) -> dict[str, Any]:
    """What is new and resolved in *run* (default: the last) in an open history."""
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
