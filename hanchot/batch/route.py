"""Route task: copy each input line to the spill file of its agency's bucket.

JSON Lines are not parsed into events: :class:`~hanchot.inputs.lines.Heads` reads
a line's ``agency`` (and, to tell a light line, its ``id``, ``type`` and ``date``),
and the line is copied as is to its bucket's part of the task's spill file (see
:class:`_Spill`), with a 64-bit index entry ``line * 1024 + home bucket``
(the line number relative to the task's slice).

A line whose agency is not read that way is searched for its first
``"agency": "..."`` key; a line without one (a broadcast, an unusual layout,
a bad line) is parsed here to find its agency or ``scope``; a line that names
no known agency goes to bucket 0, where the worker rejects it (so every line
is counted exactly once). A broadcast (``scope``) line goes to every bucket
with a matching agency; its home is the first, and the other copies are
*shadows*: used for evaluation, never counted. The extraction may be fooled
by a nested ``"agency"`` key: the worker checks each event's agency (and
each broadcast's routing) and the runner merges the partitions a misrouted
line concerns, so a wrong guess costs time, never correctness.

CSV and Parquet have no cheap key: they are parsed here and each event or
rejection is spilled pickled (base64) instead of raw.
"""

from __future__ import annotations

import base64
import heapq
import json
import os
import pickle
import re
from array import array
from collections import Counter
from collections.abc import Sequence
from typing import Any

from hanchot.batch.plan import Plan
from hanchot.batch.wire import (
    CODE_BITS,
    LINE_SHIFT,
    MAX_BUCKETS,
    NO_NEWLINE,
    Chunk,
    LightSpec,
    RouteResult,
    RouteTask,
    spill_path,
)
from hanchot.inputs.event import Event
from hanchot.inputs.events import file_kind, open_binary, read_event_file
from hanchot.inputs.lines import Heads, common_day
from hanchot.inputs.records import RETRACTION, nfc
from hanchot.inputs.sources import byte_slices
from hanchot.ledger import visibility

_AGENCY = re.compile(rb'"agency"\s*:\s*"([^"\\]*)"')
_AGENCY_KEY = b'"agency": "'  # the usual layout, found by a byte search before the expression
_FLUSH = 1 << 18  # lines buffered (all buckets) before a write


class _Spill:
    """Per-bucket buffers of raw lines with their index entries, and of light events.

    A flush appends, for each bucket with something buffered, one *chunk* to
    the task's spill file: the raw lines, their index (``array("q")``), the
    light ids (ASCII, one a line) and the light references (``array("q")``),
    and records (offset, four lengths) under the bucket. Index entries and references
    are buffered in lists, made arrays at the flush: ``array.append`` is a call by name
    (about 2,400 instructions compiled), ``list.append`` a C call.
    """

    def __init__(self, spill_dir: str, task: int, buckets: int) -> None:
        self.path = spill_path(spill_dir, task)
        self.fh: Any = None
        self.lines: list[list[bytes]] = [[] for _ in range(buckets)]
        self.index: list[list[int]] = [[] for _ in range(buckets)]
        self.light_ids: list[list[str]] = [[] for _ in range(buckets)]
        self.light_refs: list[list[int]] = [[] for _ in range(buckets)]
        self.chunks: dict[int, list[Chunk]] = {}
        self.shadows: Counter[int] = Counter()
        self.count: Counter[int] = Counter()
        self.light_count: Counter[int] = Counter()
        self.raw_bytes: Counter[int] = Counter()

    def put(self, record: bytes, entry: int, targets: tuple[int, ...]) -> None:
        """Buffer *record* (a line with its newline) for each of *targets*, home first.

        *entry* is the record's index entry without its home bucket; the copies in
        other buckets are shadows (evaluated there, counted at home).
        """
        home = targets[0]
        for b in targets:
            self.lines[b].append(record)
            self.index[b].append(entry | home)
            if b != home:
                self.shadows[b] += 1

    def flush(self) -> None:
        if self.fh is None:
            self.fh = open(self.path, "wb")  # noqa: SIM115 - closed by close()
        fh = self.fh
        for bucket, lines in enumerate(self.lines):
            ids = self.light_ids[bucket]
            if not lines and not ids:
                continue
            index, refs = array("q", self.index[bucket]), array("q", self.light_refs[bucket])
            raw = b"".join(lines)
            if ids:
                ids.append("")
            lid = "\n".join(ids).encode("ascii")
            offset = fh.tell()
            fh.write(raw)
            fh.write(index.tobytes())
            fh.write(lid)
            fh.write(refs.tobytes())
            chunk = Chunk(offset, len(raw), index.itemsize * len(index), len(lid), refs.itemsize * len(refs))
            self.chunks.setdefault(bucket, []).append(chunk)
            self.count[bucket] += len(index)
            self.light_count[bucket] += len(refs)
            self.raw_bytes[bucket] += len(raw)
            lines.clear()
            ids.clear()
            self.index[bucket].clear()
            self.light_refs[bucket].clear()

    def close(self) -> None:
        self.flush()
        self.fh.close()


LIGHT_WEIGHT = 64  # a light event's share of a partition's size, in spilled bytes


def run_route(task: RouteTask, plan: Plan, spill_dir: str, light: LightSpec | None = None, progress: Any = None) -> RouteResult:
    """Split *task*'s lines into per-bucket spill files under *spill_dir*."""
    import time

    if plan.buckets > MAX_BUCKETS:
        raise ValueError(f"at most {MAX_BUCKETS} buckets")
    t0 = time.perf_counter()
    result = RouteResult(task.task)
    spill = _Spill(spill_dir, task.task, plan.buckets)
    try:
        if task.kind == "jsonl":
            _route_jsonl(task, plan, spill, result, light if not file_kind(task.name)[1] else None, progress)
        else:
            _route_parsed(task, plan, spill, result, progress)
    finally:
        spill.close()
    for bucket in spill.chunks:
        result.copies[bucket] = spill.raw_bytes[bucket] + LIGHT_WEIGHT * spill.light_count[bucket]
        result.home[bucket] = spill.count[bucket] - spill.shadows[bucket] + spill.light_count[bucket]
    result.chunks = spill.chunks
    result.seconds = time.perf_counter() - t0
    result.peak_rss_kib = peak_rss_kib()
    return result


def _route_jsonl(
    task: RouteTask, plan: Plan, spill: _Spill, result: RouteResult, light: LightSpec | None, progress: Any
) -> None:
    """Spill each JSON line of *task*, raw, to the bucket of its agency.

    With *light* (uncompressed files only), a light event — a valid agency event
    in the common shape of a type no pattern names, or idle (:mod:`hanchot.idle`), as
    :class:`~hanchot.inputs.lines.Heads` reads it — is not spilled: only its id, and its byte
    offset in the input file with its code (visibility and kind); a worker reads the line
    again only if another line has the same id. Other lines are spilled raw, and workers
    parse them (their own fast path recognises the light events the router did not).
    """
    bucket_of = plan.bucket_of
    other = _Other(plan, spill, result).route
    # (its method called, not bound to a local: a direct call once compiled)
    heads = Heads(light.typed, light.idle) if light is not None else Heads(())
    lines, index, light_ids, light_refs = spill.lines, spill.index, spill.light_ids, spill.light_refs
    codes: dict[str, int] = {}  # date -> visibility code, -1 for a date that is not one
    # Constants as locals: another module's (or a module-level) name is looked up in the
    # module's dictionary at each use, even compiled.
    flush_every, line_shift, code_bits = _FLUSH, LINE_SHIFT, CODE_BITS
    lineno = 0
    pos, end = task.start, task.end
    with open_binary(task.name, file_kind(task.name)[1]) as fh:
        if pos:
            fh.seek(pos)
        for lineno, raw in enumerate(fh, 1):  # lines read whole, with their newline (a readline each)
            start = pos
            if end is not None and start >= end:
                lineno -= 1
                break
            pos += len(raw)
            if not lineno % flush_every:
                spill.flush()
                if progress is not None:
                    progress(flush_every)
            h = heads.read(raw)
            if h is not None:
                agency, event_id, date, kind = h
                bucket = bucket_of.get(agency)
                if bucket is not None:
                    if event_id and light is not None:
                        code = codes.get(date)
                        if code is None:
                            code = codes[date] = _date_code(date, light)
                        if code >= 0:
                            light_ids[bucket].append(event_id)
                            light_refs[bucket].append(start << code_bits | code | kind)
                            continue
                    if raw[-1] == 10:
                        lines[bucket].append(raw)
                        index[bucket].append(lineno << line_shift | bucket)
                        continue
            other(raw, lineno << line_shift)
    if progress is not None:
        progress(lineno % _FLUSH)
    result.lines = lineno


class _Other:
    """Routing the lines that are neither the usual typed line nor light."""

    def __init__(self, plan: Plan, spill: _Spill, result: RouteResult) -> None:
        self.plan, self.spill, self.result = plan, spill, result
        self.get = {a.encode(): b for a, b in plan.bucket_of.items()}.get  # by the agency's UTF-8 bytes

    def route(self, raw: bytes, entry: int) -> None:
        """Spill *raw* (a line, with its newline unless it is the file's last; *entry*: its index
        entry without the home bucket) to the bucket of its first ``"agency": "`` key or of the
        regular expression's, else where parsing it says (:func:`_slow_targets`: a broadcast,
        or a bad line); a blank line nowhere."""
        if raw[-1] != 10:
            raw += b"\n"
            entry |= NO_NEWLINE
        i = raw.find(_AGENCY_KEY)
        if i >= 0:
            i += len(_AGENCY_KEY)
            bucket = self.get(raw[i : raw.find(b'"', i)])
        else:
            r = _AGENCY.search(raw)
            bucket = None if r is None else self.get(r.group(1))
        if bucket is not None:
            self.spill.lines[bucket].append(raw)
            self.spill.index[bucket].append(entry | bucket)
        elif not raw.isspace():
            self.spill.put(raw, entry, _slow_targets(raw, self.plan, self.result))


def _date_code(date: str, light: LightSpec) -> int:
    """The visibility code of a light event's date, -1 for a date that is not one."""
    day = common_day(date)
    return -1 if day is None else visibility(day, light.as_of, light.known_at)


def _slow_targets(raw: bytes, plan: Plan, result: RouteResult) -> tuple[int, ...]:
    """The buckets of a line the regular expression could not route (home first)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        obj = json.loads(raw)
    except ValueError:
        return (0,)
    if not isinstance(obj, dict):
        return (0,)
    agency, scope = obj.get("agency"), obj.get("scope")
    if agency not in ("", None):
        if isinstance(agency, str):
            return (plan.bucket_of.get(nfc(agency), 0),)
        return (0,)
    if isinstance(scope, dict) and scope:
        buckets = plan.scope_buckets(scope)
        if not buckets:
            return (0,)
        event_id = obj.get("id")
        if isinstance(event_id, int) and not isinstance(event_id, bool):
            event_id = str(event_id)
        if isinstance(event_id, str):
            _broadcast(result, nfc(event_id), obj.get("type") == RETRACTION, buckets)
        return buckets
    return (0,)


def _broadcast(result: RouteResult, event_id: str, retraction: bool, buckets: tuple[int, ...]) -> None:
    """Record where a broadcast was routed (the runner merges partitions it crosses twice)."""
    result.broadcasts.setdefault(event_id, []).append(buckets)
    if retraction:
        result.retracting_broadcasts.append(event_id)


def _route_parsed(task: RouteTask, plan: Plan, spill: _Spill, result: RouteResult, progress: Any) -> None:
    n = 0
    for item in read_event_file(task.name):
        n += 1
        if isinstance(item, Event):
            if item.agency is not None:
                targets: tuple[int, ...] = (plan.bucket_of.get(item.agency, 0),)
            else:
                assert item.scope is not None
                targets = plan.scope_buckets(item.scope) or (0,)
                if targets != (0,):
                    _broadcast(result, item.id, item.type == RETRACTION, targets)
            line = item.origin[1]
        else:
            targets, line = (0,), item.line
        spill.put(base64.b64encode(pickle.dumps(item, 5)) + b"\n", line << LINE_SHIFT | NO_NEWLINE, targets)
        if not n % _FLUSH:
            spill.flush()
            if progress is not None:
                progress(_FLUSH)
    if progress is not None:
        progress(n % _FLUSH)
    result.lines = 0  # line numbers come with the records


def peak_rss_kib() -> int:
    """This process's peak resident set size, KiB."""
    try:
        import resource

        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    except (ImportError, OSError):  # pragma: no cover - not on this platform
        return 0


def slices(name: str, size: int) -> list[tuple[int, int | None]]:
    """Byte ranges of about *size* bytes, each starting at a line, of an uncompressed file."""
    return byte_slices(name, size)


def route_slices(names: Sequence[str], size: int, jobs: int) -> list[tuple[str, int, int | None]]:
    """The route tasks' (file, start, end), in file order: each uncompressed JSON Lines file
    cut in slices of at most about *size* bytes (see :func:`slice_counts`), a whole file
    otherwise."""
    plain = [os.path.getsize(n) if file_kind(n) == ("jsonl", False) else 0 for n in names]
    out: list[tuple[str, int, int | None]] = []
    for name, total, pieces in zip(names, plain, slice_counts(plain, size, jobs), strict=True):
        out += [(name, start, end) for start, end in slices(name, max(1, -(-total // pieces)))]
    return out


def slice_counts(sizes: Sequence[int], size: int, jobs: int) -> list[int]:
    """How many slices to cut each file in; *sizes*: each file's bytes, 0 for a file that is
    not sliced (one task, counted 1).

    When the files need several slices of *size*, their number is raised to a multiple of
    *jobs*, and each slice beyond a file's first goes to the file whose slices are then the
    biggest: the slices are of about equal size, and the workers finish routing together.
    (Cut file by file, two files of 173 and 150 MB made four slices and three, seven in
    all: one worker routed the last one alone.)
    """
    counts = [1] * len(sizes)
    if sum(sizes) <= size:
        return counts
    need = sum(-(-total // size) for total in sizes)  # slices of at most *size*, file by file
    cut = [i for i, total in enumerate(sizes) if total]
    need = -(-need // jobs) * jobs
    biggest: list[tuple[float, int]] = [(-float(sizes[i]), i) for i in cut]  # (minus a file's slice size, the file): a heap
    heapq.heapify(biggest)
    for _ in range(need - len(cut)):
        _, i = heapq.heappop(biggest)
        counts[i] += 1
        heapq.heappush(biggest, (-sizes[i] / counts[i], i))
    return counts
