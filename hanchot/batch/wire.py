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

**Light reference**: ``offset << 2 | visibility code`` as the router writes
it (the byte offset of the line in the input file), to which a partition adds
``source << SOURCE_SHIFT`` (which file, in its own table). The code is the
ledger's (:data:`hanchot.ledger.VISIBLE` …).

**Jobs**: :class:`PartitionTask` (which buckets, and for each route task the
:class:`SpillSlice` of its spill holding them) and :class:`CheckTask`; their
results name their files (:func:`partition_base`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import NamedTuple

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
    "PartitionTask",
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


class ViolationKey(NamedTuple):
    """One violation, as the run history keeps it."""

    agency: str
    rule: str
    period: str
    trigger: str
    opens: str
    occurrence: int  # duties passed on by two merged agencies share the rest of the key
    status: str
