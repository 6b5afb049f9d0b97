"""Route task: copy each input line to the spill file of its agency's bucket.

JSON Lines are not parsed: a regular expression finds the ``"agency": "..."``
key in the raw bytes and the line is copied as is, prefixed with its line
number (relative to the task's slice) and its home bucket::

    <line>\\t<home bucket>\\t<raw line>

A line without an agency key found that way (a broadcast, an unusual layout,
a bad line) is parsed here to find its agency or ``scope``; a line that names
no known agency goes to bucket 0, where the worker rejects it (so every line
is counted exactly once). A broadcast (``scope``) line goes to every bucket
with a matching agency; its home is the first, and the other copies are
*shadows*: used for evaluation, never counted. The extraction may be fooled
by a nested ``"agency"`` key: the worker checks each event's agency and the
runner merges partitions it finds misrouted, so a wrong guess costs time,
never correctness.

CSV and Parquet have no cheap key: they are parsed here and each event or
rejection is spilled pickled (base64) instead of raw.
"""

from __future__ import annotations

import base64
import json
import os
import pickle
import re
from dataclasses import dataclass, field
from typing import Any

from hanchot.batch.plan import Plan
from hanchot.inputs.events import _kind, _open_binary, read_event_file
from hanchot.inputs.records import RETRACTION, Event, nfc

_AGENCY = re.compile(rb'"agency"\s*:\s*"([^"\\]*)"')
_KEY = b'"agency"'
_FLUSH = 2048  # records buffered per bucket before a write


@dataclass(frozen=True)
class RouteTask:
    """One slice of one input file: bytes [start, end) of an uncompressed JSON Lines file, or all of it."""

    task: int
    name: str
    start: int = 0
    end: int | None = None
    attempt: int = 0

    @property
    def kind(self) -> str:
        kind, _ = _kind(self.name)
        assert kind is not None
        return kind


@dataclass
class RouteResult:
    """What a route task saw: physical lines, lines per bucket, broadcasts."""

    task: int
    lines: int = 0
    home: dict[int, int] = field(default_factory=dict)  # bucket -> lines counted there
    copies: dict[int, int] = field(default_factory=dict)  # bucket -> bytes spilled (home + shadows)
    broadcasts: dict[str, list[tuple[int, ...]]] = field(default_factory=dict)  # id -> bucket sets
    retracting_broadcasts: list[str] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_kib: int = 0


def spill_path(spill_dir: str, task: int, bucket: int) -> str:
    return os.path.join(spill_dir, f"r{task:05d}-b{bucket:04d}.spill")


class _Spill:
    def __init__(self, spill_dir: str, task: int) -> None:
        self.dir, self.task = spill_dir, task
        self.files: dict[int, Any] = {}
        self.buffers: dict[int, list[bytes]] = {}

    def put(self, bucket: int, record: bytes) -> None:
        buf = self.buffers.get(bucket)
        if buf is None:
            buf = self.buffers[bucket] = []
        buf.append(record)
        if len(buf) >= _FLUSH:
            self._flush(bucket, buf)

    def _flush(self, bucket: int, buf: list[bytes]) -> None:
        fh = self.files.get(bucket)
        if fh is None:
            fh = self.files[bucket] = open(spill_path(self.dir, self.task, bucket), "wb", buffering=1 << 16)  # noqa: SIM115
        fh.write(b"".join(buf))
        buf.clear()

    def close(self) -> None:
        for bucket, buf in self.buffers.items():
            if buf:
                self._flush(bucket, buf)
        for fh in self.files.values():
            fh.close()


def run_route(task: RouteTask, plan: Plan, spill_dir: str, progress: Any = None) -> RouteResult:
    """Split *task*'s lines into per-bucket spill files under *spill_dir*."""
    import time

    t0 = time.perf_counter()
    result = RouteResult(task.task)
    spill = _Spill(spill_dir, task.task)
    try:
        if task.kind == "jsonl":
            _route_jsonl(task, plan, spill, result, progress)
        else:
            _route_parsed(task, plan, spill, result, progress)
    finally:
        spill.close()
    _count_copies(spill, result)
    result.seconds = time.perf_counter() - t0
    result.peak_rss_kib = peak_rss_kib()
    return result


def _route_jsonl(task: RouteTask, plan: Plan, spill: _Spill, result: RouteResult, progress: Any) -> None:
    bucket_bytes = {a.encode(): b for a, b in plan.bucket_of.items()}
    search, count_key = _AGENCY.search, _KEY
    put = spill.put
    home = result.home
    _, gz = _kind(task.name)
    lineno = 0
    pos = task.start
    end = task.end
    with _open_binary(task.name, gz) as fh:
        if task.start:
            fh.seek(task.start)
        for raw in fh:
            if end is not None:
                if pos >= end:
                    break
                pos += len(raw)
            lineno += 1
            if raw.isspace():
                continue
            if raw[-1:] != b"\n":
                raw += b"\n"
            bucket = None
            m = search(raw)
            if m is not None and raw.count(count_key) == 1:
                bucket = bucket_bytes.get(m.group(1))
            if bucket is None:
                targets = _slow_targets(raw, plan, result)
                home_bucket = targets[0]
                prefix = b"%d\t%d\t" % (lineno, home_bucket)
                for b in targets:
                    put(b, prefix + raw)
                home[home_bucket] = home.get(home_bucket, 0) + 1
            else:
                put(bucket, b"%d\t%d\t" % (lineno, bucket) + raw)
                home[bucket] = home.get(bucket, 0) + 1
            if progress is not None and not lineno & 0xFFFF:
                progress(0x10000)
    if progress is not None:
        progress(lineno & 0xFFFF)
    result.lines = lineno


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
            result.broadcasts.setdefault(nfc(event_id), []).append(buckets)
            if obj.get("type") == RETRACTION:
                result.retracting_broadcasts.append(nfc(event_id))
        return buckets
    return (0,)


def _route_parsed(task: RouteTask, plan: Plan, spill: _Spill, result: RouteResult, progress: Any) -> None:
    home = result.home
    n = 0
    for item in read_event_file(task.name):
        n += 1
        if isinstance(item, Event):
            if item.agency is not None:
                targets: tuple[int, ...] = (plan.bucket_of.get(item.agency, 0),)
            else:
                assert item.scope is not None
                targets = plan.scope_buckets(item.scope) or (0,)
                if len(targets) > 1 or targets != (0,):
                    result.broadcasts.setdefault(item.id, []).append(targets)
                    if item.type == RETRACTION:
                        result.retracting_broadcasts.append(item.id)
        else:
            targets = (0,)
        line = item.origin[1] if isinstance(item, Event) else item.line
        record = b"%d\t%d\t" % (line, targets[0]) + base64.b64encode(pickle.dumps(item, 5)) + b"\n"
        for b in targets:
            spill.put(b, record)
        home[targets[0]] = home.get(targets[0], 0) + 1
        if progress is not None and not n & 0xFFFF:
            progress(0x10000)
    if progress is not None:
        progress(n & 0xFFFF)
    result.lines = 0  # line numbers come with the records


def _count_copies(spill: _Spill, result: RouteResult) -> None:
    """Bytes spilled per bucket (home and shadow lines): they balance the partitions."""
    for bucket in spill.files:
        result.copies[bucket] = os.path.getsize(spill_path(spill.dir, spill.task, bucket))


def peak_rss_kib() -> int:
    """This process's peak resident set size, KiB."""
    try:
        import resource

        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    except Exception:  # pragma: no cover - not on this platform
        return 0


def slices(name: str, size: int) -> list[tuple[int, int | None]]:
    """Byte ranges of about *size* bytes, each starting at a line, of an uncompressed file."""
    kind, gz = _kind(name)
    total = os.path.getsize(name)
    if kind != "jsonl" or gz or total <= size:
        return [(0, None)]
    out: list[tuple[int, int | None]] = []
    start = 0
    with open(name, "rb") as fh:
        while start < total:
            fh.seek(min(start + size, total))
            if start + size >= total:
                out.append((start, None))
                break
            fh.readline()
            cut = fh.tell()
            out.append((start, cut))
            start = cut
    return out
