"""The batch's wire formats: what route tasks write and partition tasks read.

Everything that crosses a process boundary or a spill file is named here,
with its packing; no other module knows a bit position.

**Spill file** (one per route task, :func:`spill_path`): a sequence of
*chunks*, each for one bucket (:class:`Chunk`): the raw lines (each ending in
a newline), their :data:`index entries <pack_entry>` (``array("q")``), the
ids of the light events (ASCII, one a line) and their :data:`light
references <pack_light>` (``array("q")``).

**Index entry** (64 bits): ``line << LINE_SHIFT | NO_NEWLINE | home bucket``
— the line number relative to the route task's slice, whether the input line
lacked its newline (the spill adds one), and the bucket that counts the line
(a broadcast is copied to several buckets; the others hold *shadows*).

**Light reference**: ``offset << CODE_BITS | code`` as the router writes
it (the byte offset of the line in the input file), to which a partition adds
``source << SOURCE_SHIFT`` (which file, in its own table). The code is the
ledger's: a visibility (:data:`hanchot.ledger.VISIBLE` …) and a kind
(:data:`hanchot.idle.NO_ROLE` …).

**Jobs** and their results, pickled between processes: :class:`RouteTask`
(with the run's :class:`LightSpec`) and its :class:`RouteResult`;
:class:`PartitionTask` (which buckets, and for each route task the
:class:`SpillSlice` of its spill holding them, with the run's :class:`Config`)
and its :class:`PartitionResult`; :class:`CheckTask`. Results name their files
(:func:`partition_base`). They are plain Python classes here, never compiled (see
``setup.py``), so that they pickle alike everywhere.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import NamedTuple

from hanchot.idle import Idle
from hanchot.inputs.events import file_kind
from hanchot.inputs.lines import Conflict, Rejection
from hanchot.ledger import CODE_BITS, CODE_MASK

__all__ = [
    "CODE_BITS",
    "CODE_MASK",
    "DIGEST_GROUPS",
    "HOME_MASK",
    "LINE_SHIFT",
    "MAX_BUCKETS",
    "NO_NEWLINE",
    "SOURCE_SHIFT",
    "AgencyRun",
    "BucketChunk",
    "CheckTask",
    "Chunk",
    "Config",
    "LightSpec",
    "PartitionResult",
    "PartitionTask",
    "RouteResult",
    "RouteTask",
    "SpillSlice",
    "ViolationKey",
    "entry_home",
    "entry_line",
    "light_offset",
    "light_source",
    "pack_entry",
    "pack_light",
    "partition_base",
    "spill_path",
]

HOME_BITS = 10
MAX_BUCKETS = 1 << HOME_BITS
HOME_MASK = MAX_BUCKETS - 1
NO_NEWLINE = 1 << HOME_BITS
LINE_SHIFT = HOME_BITS + 1

OFFSET_BITS = 40  # a terabyte of input per file
SOURCE_SHIFT = CODE_BITS + OFFSET_BITS
_OFFSET_MASK = (1 << OFFSET_BITS) - 1

DIGEST_GROUPS = 8
"""Digest arrays per partition, by low bits (the runner checks one group at a time)."""


def spill_path(spill_dir: str, task: int) -> str:
    """The one spill file of a route task (one file: creating files is slow on some disks)."""
    return os.path.join(spill_dir, f"r{task:05d}.spill")


def partition_base(spill_dir: str, partition: int, attempt: int) -> str:
    """The path prefix of one attempt's output files (digests, obligations, violations)."""
    return os.path.join(spill_dir, f"p{partition:05d}-a{attempt}")


def pack_entry(line: int, home: int, no_newline: bool) -> int:
    """An index entry (see the module)."""
    return line << LINE_SHIFT | (NO_NEWLINE if no_newline else 0) | home


def entry_home(entry: int) -> int:
    """The bucket that counts an index entry's line."""
    return entry & HOME_MASK


def entry_line(entry: int) -> int:
    """The line number of an index entry, relative to its route task's slice."""
    return entry >> LINE_SHIFT


def pack_light(offset: int, code: int, source: int = 0) -> int:
    """A light reference (see the module)."""
    return source << SOURCE_SHIFT | offset << CODE_BITS | code


def light_offset(ref: int) -> int:
    """The byte offset of a light reference's line."""
    return (ref >> CODE_BITS) & _OFFSET_MASK


def light_source(ref: int) -> int:
    """The source number a partition gave a light reference."""
    return ref >> SOURCE_SHIFT


class Chunk(NamedTuple):
    """One bucket's part of one flush of a spill file: where, and its four lengths in bytes."""

    offset: int
    raw_len: int
    index_len: int
    ids_len: int
    refs_len: int

    @property
    def size(self) -> int:
        """The bytes of the whole chunk."""
        return self.raw_len + self.index_len + self.ids_len + self.refs_len


class BucketChunk(NamedTuple):
    """A chunk with its bucket, as a partition reads it."""

    bucket: int
    chunk: Chunk


class SpillSlice(NamedTuple):
    """What a partition reads of one route task's spill."""

    route: int
    kind: str  # jsonl (raw lines) | csv or parquet (pickled events)
    name: str  # the input file
    base: int  # line number of the task's first line, minus one
    chunks: tuple[BucketChunk, ...]  # in file order


@dataclass(frozen=True)
class PartitionTask:
    """Evaluate the agencies of *buckets*, reading their spills of every route task."""

    partition: int
    buckets: tuple[int, ...]
    tasks: tuple[SpillSlice, ...]
    attempt: int = 0

    @classmethod
    def of(
        cls, i: int, buckets: tuple[int, ...], spills: list[tuple[int, str, str, int, dict[int, list[Chunk]]]]
    ) -> PartitionTask:
        """The task of *buckets*: for each route task (route, kind, name, base, chunks by bucket), its chunks of them."""
        tasks = tuple(
            SpillSlice(
                route,
                kind,
                name,
                base,
                tuple(sorted((BucketChunk(b, c) for b in buckets for c in chunks.get(b, ())), key=lambda bc: bc.chunk.offset)),
            )
            for route, kind, name, base, chunks in spills
        )
        return cls(partition=min(buckets) if buckets else i, buckets=buckets, tasks=tasks)


@dataclass(frozen=True)
class CheckTask:
    """Find the digests of one group held by two partitions, and who holds the wanted ones."""

    group: int
    files: tuple[tuple[tuple[int, ...], str], ...]  # (partition key, digest file)
    wanted: tuple[int, ...]
    attempt: int = 0


class AgencyRun(NamedTuple):
    """Where one agency's lines are in a partition's obligations and violations files."""

    agency: str
    obligations_start: int
    obligations_end: int
    violations_start: int
    violations_end: int


ViolationKey = tuple[str, str, str, str, str, int, str]
"""One violation, as the run history keeps it: agency, rule, period, trigger, opening date,
occurrence (duties passed on by two merged agencies share the rest of the key) and status.
A plain tuple: a partition makes one per violation, and a named tuple's constructor is an
interpreted call."""


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
        kind, _ = file_kind(self.name)
        assert kind is not None
        return kind


@dataclass
class RouteResult:
    """What a route task saw: physical lines, lines per bucket, broadcasts."""

    task: int
    lines: int = 0
    home: dict[int, int] = field(default_factory=dict)  # bucket -> lines counted there
    copies: dict[int, int] = field(default_factory=dict)  # bucket -> size: raw bytes spilled + weighted light events
    chunks: dict[int, list[Chunk]] = field(default_factory=dict)  # bucket -> its chunks in the spill file
    broadcasts: dict[str, list[tuple[int, ...]]] = field(default_factory=dict)  # id -> bucket sets
    retracting_broadcasts: list[str] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_kib: int = 0


@dataclass(frozen=True)
class LightSpec:
    """What the router needs to recognise light events (see :mod:`hanchot.batch.partition`)."""

    typed: frozenset[str]  # event types some rule pattern names
    as_of: dt.date
    known_at: dt.date | None
    idle: Idle = field(default_factory=dict)  # event types whose events may be idle


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
    digest: str  # "hash", "inherited-hash" or "blake2b" (see partition.digest_function)
    matcher: str = "auto"


@dataclass
class PartitionResult:
    """What one partition read, counted and wrote, and what the runner must reconcile."""

    partition: int
    buckets: tuple[int, ...]
    read: int = 0
    used: int = 0
    duplicates: int = 0
    conflicts: int = 0  # differing copies set aside
    ignored: dict[str, int] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    conflict_list: list[Conflict] = field(default_factory=list)
    digest_files: list[str] = field(default_factory=list)  # one array("q") file per digest group
    unknown_targets: list[int] = field(default_factory=list)  # digests of ids retracted but not found
    retracted: list[str] = field(default_factory=list)
    broadcast_digests: dict[int, str] = field(default_factory=dict)
    broadcast_dups: list[str] = field(default_factory=list)
    pending_broadcasts: list[str] = field(default_factory=list)
    placed_shadows: list[str] = field(default_factory=list)
    misrouted: list[str] = field(default_factory=list)  # agency ids found in another partition's lines
    home_scopes: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)  # broadcasts counted here
    shadow_mismatch: list[str] = field(default_factory=list)  # ids kept both as a shadow and at home
    obligations_file: str = ""
    violations_file: str = ""
    runs: list[AgencyRun] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)
    by_rule: dict[str, dict[str, int]] = field(default_factory=dict)
    by_level: dict[str, dict[str, int]] = field(default_factory=dict)
    violations: list[ViolationKey] = field(default_factory=list)
    events: int = 0
    light: int = 0  # events kept as integers: no rule names their type
    seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_kib: int = 0
    matcher: dict[str, int] = field(default_factory=dict)
