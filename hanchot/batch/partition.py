"""Evaluate task: parse one partition's spilled lines and evaluate its agencies.

Events are kept in a :class:`~hanchot.ledger.Ledger` scoped to the
partition's agencies — the same ledger as ``hanchot check``'s, so the same
duplicate, conflict, retraction and accounting rules — which keeps *shadow*
copies of broadcast events (counted by their home partition) for evaluation
only, and reports in its :class:`~hanchot.ledger.Crossings` what the
partition cannot decide alone, for the runner to reconcile (see
:mod:`hanchot.batch`).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import json
import os
import pickle
import signal
import sys
import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Final

from hanchot.batch.plan import Plan
from hanchot.batch.route import peak_rss_kib
from hanchot.batch.wire import (
    CODE_BITS,
    CODE_MASK,
    DIGEST_GROUPS,
    HOME_MASK,
    LINE_SHIFT,
    NO_NEWLINE,
    SOURCE_SHIFT,
    AgencyRun,
    CheckTask,
    Config,
    PartitionResult,
    PartitionTask,
    entry_line,
    light_offset,
    light_source,
    partition_base,
    spill_path,
)
from hanchot.collector import collector_paused
from hanchot.engine import Engine, compile_roles, idle_types
from hanchot.idle import NO_ROLE, Idle, idle_class
from hanchot.inputs.event import Event
from hanchot.inputs.lines import (
    Rejection,
    Shared,
    common_fields,
    is_plain,
    parse_line,
    parse_other,
)
from hanchot.inputs.records import Agency
from hanchot.inputs.vocabulary import TYPED
from hanchot.ledger import Ledger, visibility
from hanchot.obligations.model import Obligation, Status
from hanchot.output import ObligationCsv, ObligationJson
from hanchot.rules.matcher import compile_pattern
from hanchot.rules.model import RulePack


def never_light(pack: RulePack) -> frozenset[str]:
    """The event types never kept light (one integer, unparsed): those some pattern of *pack*
    names, and those whose attributes the vocabulary types (they are checked, as by check)."""
    patterns, _ = compile_roles(pack.rules)
    return frozenset(compile_pattern(p).type for p in patterns) | TYPED


def idle_of(pack: RulePack, agencies: Sequence[Agency]) -> Idle:
    """The types whose events may be idle (see :mod:`hanchot.idle`) for *pack* and
    *agencies*, as every partition's engine finds them: what the router needs to keep an
    idle event light."""
    rules = pack.rules
    return idle_types(rules, lambda i: frozenset(a.id for a in rules[i].bound(agencies)))


# -- one engine per process (per thread under Dask's threads) ------------------------------

_local = threading.local()


@contextmanager
def lent_inputs(pack_ref: str, agencies_path: str, pack: RulePack, agencies: list[Agency]) -> Iterator[None]:
    """While open, a worker forked from this thread builds its engine from *pack* and
    *agencies*, which the parent read from *pack_ref* and *agencies_path*, instead of
    reading both again (about 0.15 s a worker, at the start of the partitions). A
    spawned worker, or one built for other files, reads them."""
    _local.inputs = ((pack_ref, agencies_path), pack, agencies)
    try:
        yield
    finally:
        del _local.inputs


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
    lent = getattr(_local, "inputs", None)
    if lent is not None and lent[0] == (config.pack, config.agencies):
        pack, agencies = lent[1], lent[2]
    else:
        pack, agencies = load_pack(config.pack), read_agencies(config.agencies)
    calendar = WorkingCalendar.vietnam(extra_files=list(config.calendars))
    engine = Engine(pack, agencies, calendar=calendar, matcher=config.matcher)  # type: ignore[arg-type]
    plan = Plan.build(agencies)
    _local.engine = (key, engine, plan)
    return engine, plan


def digest_function(method: str) -> Callable[[str], int]:
    """A 64-bit id digest, equal in every worker of a run: ``hash`` (workers spawned with
    PYTHONHASHSEED=0), ``inherited-hash`` (workers forked from one parent, whose hash secret
    they share) or ``blake2b``."""
    if method == "inherited-hash":
        return hash
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
# pattern names, so it has no role, or which is idle (see hanchot.ledger.Bindings.idle).
# Most events are light (administrative dossiers, revisions naming no document); the
# ledger keeps them as one integer — where the line is, and its code — instead of an
# Event: duplicates, retractions and accounting need no more, and a light event
# involved in a duplicate is read again.


class _Sources:
    """Where light events can be read again: input files, and chunks of spill files."""

    def __init__(self) -> None:
        # (path, input name, line base, chunk offset, raw lines length); path == name: the input itself
        self.table: list[tuple[str, str, int, int, int]] = []

    def add(self, path: str, name: str, base: int = 0, chunk: int = 0, raw_len: int = 0) -> int:
        """Register a source; return the high bits of its references."""
        self.table.append((path, name, base, chunk, raw_len))
        return (len(self.table) - 1) << SOURCE_SHIFT

    def reread(self, ref: int) -> Event:
        """The event of a light line, parsed again (line 0: see :meth:`locate`)."""
        path, name, *_ = self.table[light_source(ref)]
        with open(path, "rb") as fh:
            fh.seek(light_offset(ref))
            raw = fh.readline()
        if path != name:  # a spilled line: the index follows the lines, so cut at the newline
            raw = raw.split(b"\n", 1)[0]
        item = parse_line(raw.removeprefix(b"\xef\xbb\xbf"), name, 0)
        assert isinstance(item, Event)
        return item

    def locate(self, ref: int) -> int:
        """The line number of a light line (slow: only for a reported conflict)."""
        path, name, base, chunk, raw_len = self.table[light_source(ref)]
        offset = light_offset(ref)
        with open(path, "rb") as fh:
            if path == name:
                return int(sum(block.count(b"\n") for block in _blocks(fh, offset))) + 1
            fh.seek(chunk)
            k = fh.read(offset - chunk).count(b"\n")
            entry = array("q")
            fh.seek(chunk + raw_len + entry.itemsize * k)
            entry.frombytes(fh.read(entry.itemsize))
        return base + entry_line(entry[0])


    def before(self, a: int, b: int) -> bool | None:
        """Whether light line *a* precedes light line *b*, when both are in one input (by offset)."""
        sa, sb = self.table[light_source(a)], self.table[light_source(b)]
        if sa[0] == sa[1] and sb[0] == sb[1] and sa[0] == sb[0]:
            return light_offset(a) < light_offset(b)
        return None


def _blocks(fh: Any, size: int) -> Iterator[bytes]:
    while size > 0:
        block = fh.read(min(size, 1 << 20))
        if not block:
            return
        size -= len(block)
        yield block


@dataclass
class _Reading:
    """What reading one partition's lines needs, fixed for the partition."""

    ledger: Ledger
    sources: _Sources
    typed: frozenset[str]  # event types some rule pattern names
    buckets: frozenset[int]
    as_of: dt.date
    known_at: dt.date | None
    shared: Shared = field(default_factory=Shared)


def _read(
    task: PartitionTask, config: Config, ledger: Ledger, sources: _Sources, typed: frozenset[str], progress: Callable[[int], None] | None
) -> int:
    """Parse and keep every line of the partition; return the number of lines."""
    reading = _Reading(ledger, sources, typed, frozenset(task.buckets), config.as_of, config.known_at)
    n = 0
    for route, kind, name, base, chunks in task.tasks:
        path = spill_path(config.spill_dir, route)
        source = sources.add(name, name)  # light events are read again from the input itself
        with open(path, "rb") as fh:
            for bucket, (offset, raw_len, index_len, ids_len, refs_len) in chunks:
                fh.seek(offset)
                block = fh.read(raw_len + index_len + ids_len + refs_len)
                if ids_len:
                    ids_end = raw_len + index_len + ids_len
                    k = _read_light(ledger, block[raw_len + index_len : ids_end], block[ids_end:], source)
                    n += k
                    if progress is not None:
                        progress(k)
                if not raw_len:
                    continue
                index = array("q")
                index.frombytes(block[raw_len : raw_len + index_len])
                fileno = sources.add(path, name, base, offset, raw_len)
                counted = _read_lines(reading, block[:raw_len], index, bucket, offset, fileno, kind, name, base)
                ledger.read += counted
                n += len(index)
                if progress is not None:
                    progress(counted)
    return n


def _read_lines(
    r: _Reading, raw_block: bytes, index: array[int], bucket: int, offset: int, fileno: int, kind: str, name: str, base: int
) -> int:
    """Keep the raw lines of one chunk of a spill; return how many are counted here."""
    ledger, typed, buckets, as_of, known_at, shared = r.ledger, r.typed, r.buckets, r.as_of, r.known_at, r.shared
    mine, light, events, late, idle = ledger.local, ledger.light, ledger.events, ledger.late, ledger.bindings.idle
    assert mine is not None
    # Functions and the ledger's methods called directly, not bound to locals: a C call, compiled.
    raws = raw_block.split(b"\n")
    raws.pop()
    # The wire's constants as locals: another module's name is looked up in this module's
    # dictionary at each use, even compiled.
    home_mask, line_shift, code_bits = HOME_MASK, LINE_SHIFT, CODE_BITS
    others = 0  # lines not counted here: shadows, and copies whose home is read too
    if kind != "jsonl":  # pickled events and rejections (see hanchot.batch.route)
        for v, raw in zip(index, raws):
            home = v & home_mask
            if home == bucket or home not in buckets:
                ledger.keep(pickle.loads(base64.b64decode(raw)), home != bucket)
            others += home != bucket
        return len(index) - others
    plain = is_plain(raw_block)
    # The lines counted here are kept in order, a run at a time (one call per run, not per line);
    # the run is kept before a shadow is, and before a line is tested for light (which asks
    # the ledger whether its id is kept).
    run: list[Event | Rejection] = []
    pos = offset
    for v, raw in zip(index, raws):
        start = pos
        pos += len(raw) + 1
        home = v & home_mask
        line = base + (v >> line_shift)
        if home != bucket:
            others += 1
            if home not in buckets:  # a shadow, a broadcast's copy (else the home copy is read too)
                ledger.keep_all(run)
                run.clear()
                ledger.keep(parse_other(_line_bytes(raw, v, line), name, line), True)
            continue
        fields = common_fields(raw, plain, shared)
        if fields is None:  # parse_other: parse_line would decode the line again to try the common shape
            run.append(parse_other(_line_bytes(raw, v, line), name, line))
            continue
        attrs, event_id, event_type, agency, day = fields
        light_kind = NO_ROLE if event_type not in typed else idle_class(idle, event_type, agency, attrs)
        if light_kind >= 0 and agency in mine:  # light: of no role, or idle
            if run:
                ledger.keep_all(run)
                run.clear()
            if event_id not in light and event_id not in events:
                code = visibility(day, as_of, known_at) | light_kind
                light[event_id] = fileno | start << code_bits | code
                late[code] += 1
                continue
        run.append(Event.owning(fields, (name, line)))
    ledger.keep_all(run)
    return len(index) - others


def _line_bytes(raw: bytes, entry: int, line: int) -> bytes:
    """A spilled line as it was in the input: its newline, and no byte order mark."""
    if line == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw if entry & NO_NEWLINE else raw + b"\n"


def _read_light(ledger: Ledger, ids_block: bytes, refs_block: bytes, source: int) -> int:
    """Keep the light events the router recognised; return their number."""
    ids = ids_block.decode("ascii").split("\n")
    ids.pop()
    refs = array("q")
    refs.frombytes(refs_block)
    if len(ids) != len(refs):  # pragma: no cover - a torn spill
        raise RuntimeError("spill: light ids and references differ in number")
    light, events, late = ledger.light, ledger.events, ledger.late
    code_mask = CODE_MASK  # a local: another module's name is a dictionary lookup at each use
    for event_id, ref in zip(ids, refs):
        value = source | ref
        # One lookup of light, not a test and then a store: setdefault keeps a new id and
        # returns another line's reference for an id already kept (never this line's own).
        if event_id in events or light.setdefault(event_id, value) != value:
            ledger.keep_light(event_id, value)
            continue
        code = ref & code_mask
        if code:
            late[code] += 1
    ledger.read += len(ids)
    return len(ids)


def run_partition(task: PartitionTask, config: Config, progress: Callable[[int], None] | None = None) -> PartitionResult:
    """Evaluate one partition; write its obligations and violations; report what to reconcile.

    The cyclic garbage collector is paused meanwhile (as ``hanchot check`` does):
    the partition's events, obligations and output rows are millions of live
    objects holding no cycle, which every full collection would walk for nothing.
    """
    with collector_paused():
        return _run_partition(task, config, progress)


def _run_partition(task: PartitionTask, config: Config, progress: Callable[[int], None] | None) -> PartitionResult:
    t0 = time.perf_counter()
    engine, plan = _engine(config)
    members = plan.members()
    mine = {a for b in task.buckets for a in members[b]}
    _maybe_crash(task, mine)
    out = PartitionResult(task.partition, task.buckets)
    sources = _Sources()
    ledger = Ledger(engine.bindings, local=mine, sources=sources)
    stats0 = engine.matcher.stats
    calls0 = (stats0.backend_calls, stats0.cache_hits, stats0.posts)
    out.events = _read(task, config, ledger, sources, never_light(engine.pack), progress)
    t1 = time.perf_counter()
    view = ledger.view(config.as_of, config.known_at)
    counts = view.counts
    out.read, out.used, out.duplicates, out.conflicts = counts.read, counts.used, counts.duplicates, counts.conflicts
    out.ignored = dict(counts.ignored_because)
    out.light = len(ledger.light)
    out.rejected = list(view.rejected)
    out.conflict_list = list(view.conflicts)
    base = partition_base(config.spill_dir, task.partition, task.attempt)
    _report_crossings(out, ledger, plan, digest_function(config.digest), base)
    index = view.index
    del view, ledger, sources
    t2 = time.perf_counter()
    obligations = engine.evaluate_rules(index, config.as_of, only=mine)
    del index  # the partition's events are freed here (no cycle holds them: see tests/test_engine.py)
    t3 = time.perf_counter()
    _write_parts(out, obligations, engine.agencies, config, task)
    stats = engine.matcher.stats  # cumulative for the process: the runner takes differences
    out.matcher = {"backend_calls": stats.backend_calls - calls0[0], "cache_hits": stats.cache_hits - calls0[1], "posts": stats.posts - calls0[2]}
    out.seconds = {"read_parse_store": t1 - t0, "account": t2 - t1, "evaluate": t3 - t2, "write": time.perf_counter() - t3}
    out.peak_rss_kib = peak_rss_kib()
    return out


def _report_crossings(out: PartitionResult, ledger: Ledger, plan: Plan, digest: Callable[[str], int], base: str) -> None:
    """What the runner must reconcile: the ledger's crossings, and the digests of the ids kept here."""
    crossings = ledger.crossings
    out.misrouted = crossings.misrouted
    out.home_scopes = [(event_id, plan.scope_buckets(scope) or (0,)) for event_id, scope in crossings.home_scopes]
    out.shadow_mismatch = crossings.shadow_mismatch
    out.broadcast_dups = crossings.broadcast_dups
    out.retracted = crossings.retracted
    out.unknown_targets = [digest(t) for t in crossings.unknown_targets]
    out.pending_broadcasts = crossings.pending_broadcasts
    out.placed_shadows = crossings.placed_shadows
    shadows = ledger.shadows
    for event_id, event in ledger.events.items():
        if event.scope is not None and event_id not in shadows:
            out.broadcast_digests[digest(event_id)] = event_id
    # A list, not a chained generator: a compiled loop over a list reads it directly.
    ids = [event_id for event_id in ledger.events if event_id not in shadows]
    ids.extend(ledger.light)  # light events are never shadows
    groups = _digest_groups(ids, digest)
    for g, arr in enumerate(groups):
        out.digest_files.append(f"{base}.g{g}")
        with open(out.digest_files[-1], "wb") as fh:
            arr.tofile(fh)


_DIGESTS_AT_ONCE: Final = 1 << 16


def _digest_groups(ids: list[str], digest: Callable[[str], int]) -> list[array[int]]:
    """The digests of *ids*, in DIGEST_GROUPS arrays by their low bits. Gathered in lists and
    moved to the arrays a block at a time: array.append is a call by name (2,400 instructions
    compiled), list.append a C call."""
    groups = [array("q") for _ in range(DIGEST_GROUPS)]
    pending: list[list[int]] = [[] for _ in range(DIGEST_GROUPS)]
    mask = DIGEST_GROUPS - 1
    by_hash = digest is hash  # called by its name, hash is a C call; through a variable, a generic one
    for n, event_id in enumerate(ids, 1):
        d = hash(event_id) if by_hash else digest(event_id)
        pending[d & mask].append(d)
        if not n % _DIGESTS_AT_ONCE:
            _move_digests(pending, groups)
    _move_digests(pending, groups)
    return groups


def _move_digests(pending: list[list[int]], groups: list[array[int]]) -> None:
    """Append each group's pending digests to its array, and empty them."""
    for values, arr in zip(pending, groups):
        arr.fromlist(values)
        values.clear()


def obligation_lines(fmt: str, lang: str) -> Callable[[Obligation], bytes]:
    """How each obligation of a partition is written in the output format (parquet parts
    are JSON lines): one writer for the partition, so that each distinct text (a date,
    a deadline's steps, a rule's basis) is rendered and encoded once, not per row."""
    if fmt == "csv":
        row = ObligationCsv(lang).values
        written: list[str] = []  # the csv writer writes each row in one call
        write_row = csv.writer(SimpleNamespace(write=written.append), lineterminator="\n").writerow

        def csv_line(obligation: Obligation) -> bytes:
            write_row(row(obligation))
            return written.pop().encode()

        return csv_line
    encoder = ObligationJson(lang)
    encode = encoder.encode

    def json_line(obligation: Obligation) -> bytes:
        try:
            return encode(obligation) + b"\n"
        except TypeError:  # what orjson refuses (a lone surrogate): the standard encoder's bytes, or its error
            return _encode_line(obligation.to_dict(lang, encoder.rendering)).encode() + b"\n"

    return json_line


# json.dumps(..., ensure_ascii=False) builds an encoder per call; this is the same encoder, built once.
_encode_line = json.JSONEncoder(ensure_ascii=False).encode

_VIOLATION_VALUE: Final = {status: status.value for status in Status if status.is_violation}
"""The value written of each violation status (a lookup by name, compiled, for status.value)."""


_WRITE_AT_ONCE: Final = 4096  # lines joined per write


def _write_parts(
    out: PartitionResult, obligations: list[Obligation], agencies: dict[str, Any], config: Config, task: PartitionTask
) -> None:
    base = partition_base(config.spill_dir, task.partition, task.attempt)
    out.obligations_file, out.violations_file = base + ".obligations", base + ".violations"
    counts: dict[tuple[str, str, Status], int] = {}  # (rule, agency level, status)
    seen: dict[tuple[str, ...], int] = {}
    line_of = obligation_lines(config.format, config.lang)
    violations = out.violations
    # Each file's offset is counted here, and lines are written a block at a time: a write
    # and a tell() per line were two calls by name (compiled: ~2,000 instructions each).
    olines: list[bytes] = []
    vlines: list[bytes] = []
    iso: dict[dt.date, str] = {}  # each opening date written once (isoformat is a formatting call)
    with open(out.obligations_file, "wb") as fo, open(out.violations_file, "wb") as fv:
        current, level, o0, v0, opos, vpos = None, "", 0, 0, 0, 0
        for o in obligations:
            agency, rule, status = o.agency, o.rule, o.status
            if agency != current:
                if current is not None:
                    out.runs.append(AgencyRun(current, o0, opos, v0, vpos))
                current, level, o0, v0 = agency, agencies[agency].level, opos, vpos
            line = line_of(o)
            olines.append(line)
            opos += len(line)
            counted = (rule, level, status)
            counts[counted] = counts.get(counted, 0) + 1
            violation = _VIOLATION_VALUE.get(status)
            if violation is not None:
                vlines.append(line)
                vpos += len(line)
                opens = iso.get(o.opens)
                if opens is None:
                    opens = iso[o.opens] = o.opens.isoformat()
                key = (agency, rule, o.period or "", o.trigger or "", opens)
                n = seen[key] = seen.get(key, 0) + 1  # duties passed on by two merged agencies share the rest of the key
                violations.append((*key, n, violation))
            if len(olines) >= _WRITE_AT_ONCE:
                fo.write(b"".join(olines))
                fv.write(b"".join(vlines))
                olines.clear()
                vlines.clear()
        fo.write(b"".join(olines))
        fv.write(b"".join(vlines))
        if current is not None:
            out.runs.append(AgencyRun(current, o0, opos, v0, vpos))
    _count_parts(out, counts)


def _count_parts(out: PartitionResult, counts: dict[tuple[str, str, Status], int]) -> None:
    """The partition's obligations by status, by rule and by agency level (keys in the
    order they first occur, as counting row by row gives them)."""
    by_status: Counter[str] = Counter()
    by_rule: dict[str, Counter[str]] = {}
    by_level: dict[str, Counter[str]] = {}
    for (rule, level, status), n in counts.items():
        s = status.value
        by_status[s] += n
        by_rule.setdefault(rule, Counter())[s] += n
        by_level.setdefault(level, Counter())[s] += n
    out.by_status = dict(by_status)
    out.by_rule = {k: dict(v) for k, v in by_rule.items()}
    out.by_level = {k: dict(v) for k, v in by_level.items()}


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
