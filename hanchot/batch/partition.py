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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hanchot.batch.plan import Plan
from hanchot.batch.route import NO_NEWLINE, peak_rss_kib, spill_path
from hanchot.engine import _AGENCY_FIELDS, _DATE_ID, Engine
from hanchot.inputs.events import Rejection, parse_jsonl_line
from hanchot.inputs.records import RESERVED_KEYS, RETRACTION, Event
from hanchot.inputs.vocabulary import TYPED, attribute_problem
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
    # (route task, kind, input file name, line base, chunks of its spill for these buckets:
    # (bucket, offset, raw lines length, index length, light ids length, light refs length))
    tasks: tuple[tuple[int, str, str, int, tuple[tuple[int, int, int, int, int, int], ...]], ...]
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
    digest_files: list[str] = field(default_factory=list)  # one array("q") file per digest group
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
    violations: list[tuple[str, str, str, str, str, int, str]] = field(default_factory=list)
    events: int = 0
    light: int = 0  # events kept as integers: no rule names their type
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

    HANCHOT_TEST_CRASH_MODE: exit (os._exit, default), raise, kill (SIGKILL),
    segv (SIGSEGV) or hang (never returns); HANCHOT_TEST_CRASH_TIMES: the attempts
    that die (default 1).
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
    if mode == "hang":  # a native call that never returns
        while True:
            time.sleep(3600)
    os._exit(70)


# -- reading and keeping ----------------------------------------------------------------------

# A *light* event: a valid agency event in the common shape whose type no rule
# pattern names, so it has no role. Most events are light (administrative
# dossiers); they are kept as one integer — where the line is, and whether it
# is visible — instead of an Event: duplicates, retractions and accounting
# need no more, and a light event involved in a duplicate is read again.
VISIBLE, AFTER_AS_OF, NOT_YET_RECORDED, RETRACTED = 0, 1, 2, 3
_SLOW_KEYS = SLOW_KEYS = frozenset({"scope", "at", "recorded_at", "retracts"})
_scan = scan_json = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_fromisoformat = dt.date.fromisoformat


class _Store:
    """The partition's events: light ones as integers, the others as Events."""

    def __init__(self, engine: Engine, plan: Plan, mine: set[str], out: PartitionResult) -> None:
        self.engine, self.plan, self.mine, self.out = engine, plan, mine, out
        self.agencies = engine.agencies
        self.events: dict[str, Event] = {}
        self.light: dict[str, int] = {}
        self.late = [0, 0, 0, 0]  # light events by code, but VISIBLE (len(light) minus the others)
        self.roles: dict[str, tuple[tuple[int, str], ...]] = {}
        self.shadows: set[str] = set()
        self.rejected: list[Rejection] = []
        self.read = 0
        self.files: list[tuple[str, str]] = []  # (spill path, input name) by file number

    def reread(self, ref: int) -> Event:
        """The event of a light line (in a spill or an input file), parsed again.

        Its origin's line number is not kept: a light event is never reported.
        """
        path, name = self.files[ref >> 42]
        with open(path, "rb") as fh:
            fh.seek((ref >> 2) & ((1 << 40) - 1))
            raw = fh.readline()
        if path != name:  # a spilled line: the index follows the lines, so cut at the newline
            raw = raw.split(b"\n", 1)[0]
        item = parse_jsonl_line(raw.removeprefix(b"\xef\xbb\xbf"), name, 0)
        assert isinstance(item, Event)
        return item

    def add(self, item: Event | Rejection, shadow: bool) -> None:
        """Keep one parsed event or rejection (engine._EventStore.add, plus shadows)."""
        if type(item) is not Event:
            if not shadow:
                self.rejected.append(item)  # type: ignore[arg-type]
            return
        agency = item.agency
        if agency is not None:
            if agency not in self.agencies:
                if not shadow:
                    file, line = item.origin
                    self.rejected.append(Rejection(file, line, "agency", f"no agency {agency!r} in the agency list", ""))
                return
            if agency not in self.mine:
                self.out.misrouted.append(agency)
        else:
            assert item.scope is not None
            unknown = sorted(set(item.scope) - _AGENCY_FIELDS)
            if unknown:
                if not shadow:
                    file, line = item.origin
                    fields = ", ".join(sorted(_AGENCY_FIELDS))
                    self.rejected.append(
                        Rejection(file, line, "scope", f"unknown agency field(s) {', '.join(unknown)}; fields: {fields}", "")
                    )
                return
            if not shadow:
                self.out.home_scopes.append((item.id, self.plan.scope_buckets(item.scope) or (0,)))
        event_id = item.id
        kept = self.events.get(event_id)
        if kept is None:
            ref = self.light.pop(event_id, None)
            if ref is not None:
                self.late[ref & 3] -= 1
                kept = self.reread(ref)
                self.roles[event_id] = ()
        if kept is not None:
            if shadow and kept.origin == item.origin:
                return  # one line's shadow copies in two buckets of this partition
            if (event_id in self.shadows) != shadow:
                self.out.conflicts.append(event_id)
            if kept.scope is not None or item.scope is not None:
                self.out.broadcast_dups.append(event_id)
            if not item.sort_key() < kept.sort_key():
                self.events[event_id] = kept
                return
        self.events[event_id] = item
        if shadow:
            self.shadows.add(event_id)
        else:
            self.shadows.discard(event_id)
        if kept is None or kept.type != item.type or kept.attrs != item.attrs:
            self.roles[event_id] = () if item.type == RETRACTION else self.engine.roles(item)


def _read(task: PartitionTask, config: Config, store: _Store, progress: Callable[[int], None] | None) -> int:
    """Parse and keep every line of the partition; return the number of lines."""
    buckets = set(task.buckets)
    as_of, known_at = config.as_of, config.known_at
    mine, light, events, late = store.mine, store.light, store.events, store.late
    typed = store.engine._matcher._groups.keys() | TYPED  # types some pattern names, or with typed attributes
    reserved, slow_keys, scan, fromiso, new_event = RESERVED_KEYS, _SLOW_KEYS, _scan, _fromisoformat, Event
    add, parse_line = store.add, parse_jsonl_line
    n = 0
    for route, kind, name, base, chunks in task.tasks:
        path = spill_path(config.spill_dir, route)
        fileno = len(store.files) << 42
        store.files.append((path, name))
        source = len(store.files) << 42
        store.files.append((name, name))  # light events are read again from the input itself
        fh = open(path, "rb")  # noqa: SIM115
        try:
            for bucket, offset, raw_len, index_len, ids_len, refs_len in chunks:
                fh.seek(offset)
                block = fh.read(raw_len + index_len + ids_len + refs_len)
                index = array("q")
                index.frombytes(block[raw_len : raw_len + index_len])
                if ids_len:
                    k = _read_light(
                        store, block[raw_len + index_len : raw_len + index_len + ids_len], block[raw_len + index_len + ids_len :], source
                    )
                    n += k
                    if progress is not None:
                        progress(k)
                if not raw_len:
                    continue
                raws = block[:raw_len].split(b"\n")
                raws.pop()
                pos = offset
                others = 0  # lines not counted here: shadows, and copies whose home is read too
                for v, raw in zip(index, raws):
                    start = pos
                    pos += len(raw) + 1
                    if v & 1023 != bucket:
                        others += 1
                        if v & 1023 in buckets:
                            continue  # the home copy is read too
                        line = base + (v >> 11)
                        if kind == "jsonl":
                            raw = raw if v & NO_NEWLINE else raw + b"\n"
                            add(parse_line(raw.removeprefix(b"\xef\xbb\xbf") if line == 1 else raw, name, line), True)
                        else:
                            add(pickle.loads(base64.b64decode(raw)), True)
                        continue
                    if kind != "jsonl":
                        add(pickle.loads(base64.b64decode(raw)), False)
                        continue
                    # The fast path: events.parse_jsonl_line's _fast_event, inlined, plus light events.
                    if raw.isascii() and b"\\u" not in raw:
                        text = raw.decode("ascii")
                        try:
                            obj, end = scan(text, 0)
                        except (StopIteration, ValueError):
                            obj = None
                        if (
                            type(obj) is dict
                            and (end == len(text) or text[end:].isspace())
                            and slow_keys.isdisjoint(obj)
                        ):
                            event_id, event_type, agency, date = obj.get("id"), obj.get("type"), obj.get("agency"), obj.get("date")
                            if (
                                type(event_id) is str
                                and type(event_type) is str
                                and type(agency) is str
                                and type(date) is str
                                and event_id
                                and event_type
                                and agency
                                and event_type != RETRACTION
                                and len(date) == 10
                                and date[4] == "-"
                                and date[7] == "-"
                            ):
                                try:
                                    day = fromiso(date)
                                except ValueError:
                                    day = None
                                if day is not None:
                                    if (
                                        event_type not in typed
                                        and agency in mine
                                        and event_id not in light
                                        and event_id not in events
                                    ):
                                        ref = fileno | start << 2
                                        if day > as_of:
                                            light[event_id] = ref | AFTER_AS_OF
                                            late[AFTER_AS_OF] += 1
                                        elif known_at is not None and day > known_at:
                                            light[event_id] = ref | NOT_YET_RECORDED
                                            late[NOT_YET_RECORDED] += 1
                                        else:
                                            light[event_id] = ref
                                        continue
                                    attrs = {k: v for k, v in obj.items() if k not in reserved}
                                    if event_type not in TYPED or attribute_problem(event_type, attrs) is None:
                                        add(new_event(event_id, event_type, day, agency=agency, attrs=attrs, origin=(name, base + (v >> 11))), False)
                                        continue
                    line = base + (v >> 11)
                    if line == 1 and raw.startswith(b"\xef\xbb\xbf"):
                        raw = raw[3:]
                    add(parse_line(raw if v & NO_NEWLINE else raw + b"\n", name, line), False)
                store.read += len(index) - others
                n += len(index)
                if progress is not None:
                    progress(len(index) - others)
        finally:
            fh.close()
    return n


def _read_light(store: _Store, ids_block: bytes, refs_block: bytes, source: int) -> int:
    """Keep the light events the router recognised; return their number."""
    ids = ids_block.decode("ascii").split("\n")
    ids.pop()
    refs = array("q")
    refs.frombytes(refs_block)
    light, events, late, add = store.light, store.events, store.late, store.add
    for event_id, ref in zip(ids, refs):
        if event_id in light or event_id in events:
            add(store.reread(source | ref), False)
            continue
        light[event_id] = source | ref
        if ref & 3:
            late[ref & 3] += 1
    store.read += len(ids)
    if len(ids) > len(refs):  # pragma: no cover - a torn spill
        raise RuntimeError("spill: light ids and references differ in number")
    return len(ids)


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
    store = _Store(engine, plan, mine, out)
    stats0 = engine._matcher.stats
    calls0 = (stats0.backend_calls, stats0.cache_hits, stats0.posts)
    out.events = _read(task, config, store, progress)
    t1 = time.perf_counter()
    events, light, shadows, roles = store.events, store.light, store.shadows, store.roles
    out.read = store.read
    out.duplicates = store.read - len(store.rejected) - (len(events) - len(shadows)) - len(light)
    out.light = len(light)
    out.rejected = store.rejected

    # -- evaluation (engine._EventStore.evaluate, with light events, shadows and reports) --
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
        elif light.get(target, 1) & 3 == VISIBLE:
            light[target] |= RETRACTED
            store.late[RETRACTED] += 1
            ignored["retracted"] += 1
            if home:
                used += 1
        else:
            if home:
                ignored["retraction_of_unknown_event"] += 1
            out.unknown_targets.append(digest(target))
    codes = store.late
    codes[VISIBLE] = len(light) - codes[AFTER_AS_OF] - codes[NOT_YET_RECORDED] - codes[RETRACTED]
    for code, reason in ((VISIBLE, "no_matching_rule"), (AFTER_AS_OF, "after_as_of"), (NOT_YET_RECORDED, "not_yet_recorded")):
        if codes[code]:
            ignored[reason] += codes[code]
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
            targets = sorted(a for a in mine if agencies[a].is_active(event.date) and agencies[a].matches(event.scope))
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
    for agency_events in index.values():
        agency_events.sort(key=_DATE_ID)  # ids are unique: the order of Event.sort_key
    out.used = used
    out.ignored = dict(ignored)
    groups = [array("q") for _ in range(GROUPS)]
    mask = GROUPS - 1
    for event_id, event in events.items():
        if event_id not in shadows:
            d = digest(event_id)
            groups[d & mask].append(d)
            if event.scope is not None:
                out.broadcast_digests[d] = event_id
    appenders = [g.append for g in groups]
    for d in map(digest, light):  # light events are never shadows
        appenders[d & mask](d)
    base = os.path.join(config.spill_dir, f"p{task.partition:05d}-a{task.attempt}")
    for g, arr in enumerate(groups):
        out.digest_files.append(f"{base}.g{g}")
        with open(out.digest_files[-1], "wb") as fh:
            arr.tofile(fh)
    del groups, appenders, visible, store, events, light
    t2 = time.perf_counter()
    obligations = engine._evaluate_rules(index, as_of, only=mine)
    del index
    t3 = time.perf_counter()
    _write_parts(out, obligations, agencies, config, task)
    stats = engine._matcher.stats  # cumulative for the process: the runner takes differences
    out.matcher = {"backend_calls": stats.backend_calls - calls0[0], "cache_hits": stats.cache_hits - calls0[1], "posts": stats.posts - calls0[2]}
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
    seen: Counter[tuple[str, ...]] = Counter()
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
                key = (o.agency, o.rule, o.period or "", o.trigger or "", o.opens.isoformat())
                seen[key] += 1  # duties passed on by two merged agencies share the rest of the key
                out.violations.append((*key, seen[key], s))
        if current is not None:
            out.runs.append((current, o0, fo.tell(), v0, fv.tell()))
    out.by_status = dict(status)
    out.by_rule = {k: dict(v) for k, v in by_rule.items()}
    out.by_level = {k: dict(v) for k, v in by_level.items()}


@dataclass(frozen=True)
class CheckTask:
    """Find the digests of one group held by two partitions, and who holds the wanted ones."""

    group: int
    files: tuple[tuple[tuple[int, ...], str], ...]  # (partition key, digest file)
    wanted: tuple[int, ...]
    attempt: int = 0


def run_check(task: CheckTask, progress: Callable[[int], None] | None = None) -> dict[int, list[tuple[int, ...]]]:
    """Digest -> partitions holding it, for digests in two partitions or wanted."""
    seen: set[int] = set()
    arrays = []
    for key, path in task.files:
        arr = array("q")
        with open(path, "rb") as fh:
            arr.frombytes(fh.read())
        arrays.append((key, arr))
        seen.update(arr)
    colliding: set[int] = set()
    if len(seen) < sum(len(arr) for _, arr in arrays):  # some digest is in two partitions: which?
        seen.clear()
        for _, arr in arrays:
            colliding |= seen.intersection(arr)
            seen.update(arr)
    interest = colliding | {d for d in task.wanted if d in seen}
    del seen
    owners: dict[int, list[tuple[int, ...]]] = {}
    if interest:
        for key, arr in arrays:
            for d in interest.intersection(arr):
                owners.setdefault(d, []).append(key)
    return owners
