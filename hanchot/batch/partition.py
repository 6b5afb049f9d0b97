"""Evaluate task: parse one partition's spilled lines and evaluate its agencies.

The store mirrors :class:`hanchot.engine._EventStore` (same duplicate,
retraction and accounting rules; ``tests/test_batch.py`` holds them equal to
``hanchot check``) with two differences: *shadow* copies of broadcast events
(counted by their home partition) are evaluated but never counted, and the
store reports what its partition cannot decide alone, for the runner to
reconcile (see :mod:`hanchot.batch`).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import json
import os
import pickle
import signal
import sys
import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from hanchot.batch.plan import Plan
from hanchot.batch.route import peak_rss_kib, spill_path
from hanchot.engine import _AGENCY_FIELDS, Engine
from hanchot.inputs.events import Rejection, parse_jsonl_line
from hanchot.inputs.records import RETRACTION, Event
from hanchot.obligations.model import Obligation
from hanchot.output import obligation_row

GROUPS = 8  # digest arrays per partition, by low bits (the runner checks one group at a time)
CSV_FIELDS = ("agency", "rule", "period", "trigger", "opens", "due", "status", "satisfied_by", "basis", "explanation")


@dataclass(frozen=True)
class Config:
    """What every task of one run shares (picklable)."""

    pack: str
    agencies: str
    calendars: tuple[str, ...]
    as_of: dt.date
    known_at: dt.date | None
    lang: str
    format: str  # jsonl | csv | parquet
    spill_dir: str
    digest: str  # "hash" (workers started with PYTHONHASHSEED=0) or "blake2b"
    matcher: str = "auto"


@dataclass(frozen=True)
class PartitionTask:
    """Evaluate the agencies of *buckets*, reading their spills of every route task."""

    partition: int
    buckets: tuple[int, ...]
    tasks: tuple[tuple[int, str, str, int], ...]  # (route task, kind, file name, line base)
    attempt: int = 0


@dataclass
class PartitionResult:
    partition: int
    buckets: tuple[int, ...]
    read: int = 0
    used: int = 0
    duplicates: int = 0
    ignored: dict[str, int] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    digests: list[bytes] = field(default_factory=list)
    unknown_targets: list[int] = field(default_factory=list)  # digests of ids retracted but not found
    retracted: list[str] = field(default_factory=list)
    broadcast_digests: dict[int, str] = field(default_factory=dict)
    broadcast_dups: list[str] = field(default_factory=list)
    pending_broadcasts: list[str] = field(default_factory=list)
    placed_shadows: list[str] = field(default_factory=list)
    misrouted: list[str] = field(default_factory=list)  # agency ids found in another partition's lines
    home_scopes: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)  # broadcasts counted here
    conflicts: list[str] = field(default_factory=list)
    obligations_file: str = ""
    violations_file: str = ""
    runs: list[tuple[str, int, int, int, int]] = field(default_factory=list)  # agency, obl start, end, vio start, end
    by_status: dict[str, int] = field(default_factory=dict)
    by_rule: dict[str, dict[str, int]] = field(default_factory=dict)
    by_level: dict[str, dict[str, int]] = field(default_factory=dict)
    violations: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)
    events: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_kib: int = 0
    matcher: dict[str, int] = field(default_factory=dict)


# -- one engine per process (per thread under Dask's threads) ------------------------------

_local = threading.local()


def _engine(config: Config) -> tuple[Engine, Plan]:
    key = (config.pack, config.agencies, config.calendars, config.matcher)
    cached = getattr(_local, "engine", None)
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]
    from hanchot.calendar import WorkingCalendar
    from hanchot.inputs import read_agencies
    from hanchot.rules.loader import load_pack

    if cached is not None:
        cached[1].close()
    agencies = read_agencies(config.agencies)
    calendar = WorkingCalendar.vietnam(extra_files=list(config.calendars))
    engine = Engine(load_pack(config.pack), agencies, calendar=calendar, matcher=config.matcher)  # type: ignore[arg-type]
    plan = Plan.build(agencies)
    _local.engine = (key, engine, plan)
    return engine, plan


def digest_function(method: str) -> Callable[[str], int]:
    """A 64-bit id digest, equal in every worker of a run."""
    if method == "hash":
        if sys.flags.hash_randomization:
            raise RuntimeError("digest 'hash' needs workers started with PYTHONHASHSEED=0")
        return hash
    return lambda s: int.from_bytes(hashlib.blake2b(s.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little", signed=True)


def _maybe_crash(task: PartitionTask, agencies: set[str]) -> None:
    """Test hook: HANCHOT_TEST_CRASH_AGENCY=ID makes a partition with that agency die.

    HANCHOT_TEST_CRASH_MODE: exit (os._exit, default), raise, kill (SIGKILL) or
    segv (SIGSEGV); HANCHOT_TEST_CRASH_TIMES: the attempts that die (default 1).
    """
    target = os.environ.get("HANCHOT_TEST_CRASH_AGENCY")
    if not target or target not in agencies:
        return
    if task.attempt >= int(os.environ.get("HANCHOT_TEST_CRASH_TIMES", "1")):
        return
    mode = os.environ.get("HANCHOT_TEST_CRASH_MODE", "exit")
    if mode == "raise":
        raise RuntimeError(f"injected failure for agency {target}")
    if mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    os._exit(70)


# -- reading --------------------------------------------------------------------------------


def _records(task: PartitionTask, config: Config) -> Iterator[tuple[Event | Rejection, bool]]:
    """(item, is_shadow) for every line of the partition, skipping copies whose home is here too."""
    mine = set(task.buckets)
    for route, kind, name, base in task.tasks:
        for bucket in task.buckets:
            path = spill_path(config.spill_dir, route, bucket)
            if not os.path.exists(path):
                continue
            with open(path, "rb", buffering=1 << 20) as fh:
                for record in fh:
                    rel, home, raw = record.split(b"\t", 2)
                    h = int(home)
                    shadow = False
                    if h != bucket:
                        if h in mine:
                            continue  # the home copy is read too
                        shadow = True
                    if kind == "jsonl":
                        line = base + int(rel)
                        if line == 1 and raw.startswith(b"\xef\xbb\xbf"):
                            raw = raw[3:]
                        yield parse_jsonl_line(raw, name, line), shadow
                    else:
                        yield pickle.loads(base64.b64decode(raw)), shadow


# -- the partition store --------------------------------------------------------------------


def run_partition(task: PartitionTask, config: Config, progress: Callable[[int], None] | None = None) -> PartitionResult:
    """Evaluate one partition; write its obligations and violations; report what to reconcile."""
    t0 = time.perf_counter()
    engine, plan = _engine(config)
    members = plan.members()
    mine = {a for b in task.buckets for a in members[b]}
    _maybe_crash(task, mine)
    digest = digest_function(config.digest)
    agencies = engine.agencies
    out = PartitionResult(task.partition, task.buckets)
    events: dict[str, Event] = {}
    roles: dict[str, tuple[tuple[int, str], ...]] = {}
    shadows: set[str] = set()
    rejected: list[Rejection] = []
    read = 0
    classify = engine.roles
    n = 0
    for item, shadow in _records(task, config):
        n += 1
        if progress is not None and not n & 0xFFFF:
            progress(0x10000)
        if not shadow:
            read += 1
        if type(item) is not Event:
            if not shadow:
                rejected.append(item)  # type: ignore[arg-type]
            continue
        agency = item.agency
        if agency is not None:
            if agency not in agencies:
                if not shadow:
                    file, line = item.origin
                    rejected.append(Rejection(file, line, "agency", f"no agency {agency!r} in the agency list", ""))
                continue
            if agency not in mine:
                out.misrouted.append(agency)
        else:
            assert item.scope is not None
            unknown = sorted(set(item.scope) - _AGENCY_FIELDS)
            if unknown:
                if not shadow:
                    file, line = item.origin
                    rejected.append(
                        Rejection(
                            file,
                            line,
                            "scope",
                            f"unknown agency field(s) {', '.join(unknown)}; fields: {', '.join(sorted(_AGENCY_FIELDS))}",
                            "",
                        )
                    )
                continue
            if not shadow:
                out.home_scopes.append((item.id, plan.scope_buckets(item.scope) or (0,)))
        event_id = item.id
        kept = events.get(event_id)
        if kept is not None:
            if shadow and kept.origin == item.origin:
                continue  # one line's shadow copies in two buckets of this partition
            if (event_id in shadows) != shadow:
                out.conflicts.append(event_id)
            if kept.scope is not None or item.scope is not None:
                out.broadcast_dups.append(event_id)
            if not item.sort_key() < kept.sort_key():
                continue
        events[event_id] = item
        if shadow:
            shadows.add(event_id)
        else:
            shadows.discard(event_id)
        if kept is None or kept.type != item.type or kept.attrs != item.attrs:
            roles[event_id] = () if item.type == RETRACTION else classify(item)
    if progress is not None:
        progress(n & 0xFFFF)
    t1 = time.perf_counter()
    out.events = n
    out.read = read
    out.duplicates = read - len(rejected) - (len(events) - len(shadows))
    out.rejected = rejected

    # -- evaluation (engine._EventStore.evaluate, with shadows and reports) --
    as_of, known_at = config.as_of, config.known_at
    ignored: Counter[str] = Counter()
    visible: dict[str, Event] = {}
    for event_id, event in events.items():
        if event.date > as_of:
            if event_id not in shadows:
                ignored["after_as_of"] += 1
        elif known_at is not None and event.known_on > known_at:
            if event_id not in shadows:
                ignored["not_yet_recorded"] += 1
        else:
            visible[event_id] = event
    used = 0
    for event in [e for e in visible.values() if e.type == RETRACTION]:
        del visible[event.id]
        home = event.id not in shadows
        target = event.retracts
        assert target is not None
        if target in visible and visible[target].type != RETRACTION:
            del visible[target]
            if target not in shadows:
                ignored["retracted"] += 1
            if home:
                used += 1
            out.retracted.append(target)
        else:
            if home:
                ignored["retraction_of_unknown_event"] += 1
            out.unknown_targets.append(digest(target))
    index: dict[tuple[str, int, str], list[Event]] = {}
    applies = engine._applies_ids
    for event_id, event in visible.items():
        event_roles = roles.get(event_id, ())
        home = event_id not in shadows
        if not event_roles:
            if home:
                ignored["no_matching_rule"] += 1
            continue
        placed = False
        if event.agency is not None:
            targets: Any = (event.agency,) if event.agency in mine else ()
        else:
            assert event.scope is not None
            targets = [
                a for a in mine if agencies[a].is_active(event.date) and agencies[a].matches(event.scope)
            ]
            targets.sort()
        for agency in targets:
            for rule, role in event_roles:
                if agency in applies[rule]:
                    index.setdefault((agency, rule, role), []).append(event)
                    placed = True
        if home:
            if placed:
                used += 1
            else:
                ignored["no_applicable_agency"] += 1
                if event.scope is not None:
                    out.pending_broadcasts.append(event_id)
        elif placed:
            out.placed_shadows.append(event_id)
    for bucket_events in index.values():
        bucket_events.sort(key=Event.sort_key)
    out.used = used
    out.ignored = dict(ignored)
    for event_id, event in events.items():
        if event.scope is not None and event_id not in shadows:
            out.broadcast_digests[digest(event_id)] = event_id
    groups = [array("q") for _ in range(GROUPS)]
    for event_id in events:
        if event_id not in shadows:
            d = digest(event_id)
            groups[d & (GROUPS - 1)].append(d)
    out.digests = [g.tobytes() for g in groups]
    del groups, visible
    t2 = time.perf_counter()
    obligations = engine._evaluate_rules(index, as_of, only=mine)
    del index
    t3 = time.perf_counter()
    _write_parts(out, obligations, agencies, config, task)
    stats = engine._matcher.stats
    out.matcher = {"backend_calls": stats.backend_calls, "cache_hits": stats.cache_hits, "posts": stats.posts}
    out.seconds = {"read_parse_store": t1 - t0, "account": t2 - t1, "evaluate": t3 - t2, "write": time.perf_counter() - t3}
    out.peak_rss_kib = peak_rss_kib()
    return out


def obligation_line(obligation: Obligation, fmt: str, lang: str) -> bytes:
    """One obligation in the output format (parquet parts are JSON lines)."""
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
        writer.writerow(obligation_row(obligation, lang))
        return buf.getvalue().encode()
    return json.dumps(obligation.to_dict(lang), ensure_ascii=False).encode() + b"\n"


def _write_parts(
    out: PartitionResult, obligations: list[Obligation], agencies: dict[str, Any], config: Config, task: PartitionTask
) -> None:
    base = os.path.join(config.spill_dir, f"p{task.partition:05d}-a{task.attempt}")
    out.obligations_file, out.violations_file = base + ".obligations", base + ".violations"
    status: Counter[str] = Counter()
    by_rule: dict[str, Counter[str]] = {}
    by_level: dict[str, Counter[str]] = {}
    with open(out.obligations_file, "wb") as fo, open(out.violations_file, "wb") as fv:
        current, o0, v0 = None, 0, 0
        for o in obligations:
            if o.agency != current:
                if current is not None:
                    out.runs.append((current, o0, fo.tell(), v0, fv.tell()))
                current, o0, v0 = o.agency, fo.tell(), fv.tell()
            line = obligation_line(o, config.format, config.lang)
            fo.write(line)
            s = o.status.value
            status[s] += 1
            by_rule.setdefault(o.rule, Counter())[s] += 1
            by_level.setdefault(agencies[o.agency].level, Counter())[s] += 1
            if o.is_violation:
                fv.write(line)
                out.violations.append(
                    (o.agency, o.rule, o.period or "", o.trigger or "", o.opens.isoformat(), s)
                )
        if current is not None:
            out.runs.append((current, o0, fo.tell(), v0, fv.tell()))
    out.by_status = dict(status)
    out.by_rule = {k: dict(v) for k, v in by_rule.items()}
    out.by_level = {k: dict(v) for k, v in by_level.items()}
