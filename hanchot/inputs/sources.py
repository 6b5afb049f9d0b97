"""Event sources: where events come from, as one protocol.

An :class:`EventSource` yields an :class:`~hanchot.inputs.event.Event` for
every valid record and a :class:`~hanchot.inputs.lines.Rejection` for every
invalid one, each with its *origin* — a ``(place, number)`` pair naming a file
and its line, or a table and its row — so a bad record is reported where it
is. A source may offer :meth:`~EventSource.slices`, parts that can be read in
parallel (the batch reads big uncompressed JSON Lines files in byte ranges).

- :class:`FileSource`: one event file (JSON Lines, CSV, Parquet); its raw-byte
  fast path (:mod:`hanchot.inputs.lines`) is an optimisation of this protocol;
- :class:`RowSource`: records from anything that yields mappings — a database
  cursor, an API page — numbered from 1, named ``place``.

Any of them can be given to :meth:`hanchot.engine.Engine.evaluate`, the
replay or a :class:`~hanchot.ledger.Ledger`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from hanchot.inputs.event import Event
from hanchot.inputs.events import file_kind, read_event_file
from hanchot.inputs.lines import Rejection
from hanchot.inputs.records import FieldError, parse_event

__all__ = ["EventSource", "FileSource", "RowSource", "byte_slices"]


@runtime_checkable
class EventSource(Protocol):
    """Events and rejections from one place, in order."""

    @property
    def name(self) -> str:
        """What the origins name: a file path, or a table."""
        ...

    def __iter__(self) -> Iterator[Event | Rejection]:
        """Every record: its event, or its rejection."""
        ...

    def slices(self, size: int) -> list[EventSource]:
        """Parts of about *size* bytes that read the same records in parallel (or ``[self]``)."""
        ...


@dataclass(frozen=True)
class FileSource:
    """One event file, or the byte range ``[start, end)`` of an uncompressed JSON Lines file."""

    name: str
    start: int = 0
    end: int | None = None

    def __iter__(self) -> Iterator[Event | Rejection]:
        if self.start == 0 and self.end is None:
            return read_event_file(self.name)
        raise NotImplementedError("a slice of a file is read by the batch's router, which numbers its lines")

    def slices(self, size: int) -> list[EventSource]:
        """Byte ranges starting at a line (only for an uncompressed JSON Lines file)."""
        return [FileSource(self.name, start, end) for start, end in byte_slices(self.name, size)]


def byte_slices(name: str, size: int) -> list[tuple[int, int | None]]:
    """Byte ranges of about *size* bytes, each starting at a line, of an uncompressed JSON Lines file."""
    kind, gz = file_kind(name)
    total = os.path.getsize(name)
    if kind != "jsonl" or gz or total <= size:
        return [(0, None)]
    out: list[tuple[int, int | None]] = []
    start = 0
    with open(name, "rb") as fh:
        while start < total:
            if start + size >= total:
                out.append((start, None))
                break
            fh.seek(start + size)
            fh.readline()
            cut = fh.tell()
            out.append((start, cut))
            start = cut
    return out


@dataclass(frozen=True)
class RowSource:
    """Records from *rows* (mappings, e.g. a database cursor's), numbered from 1 under *name*.

    An origin is ``(name, row number)``; a rejection reads ``name:row: field 'x': reason``.
    *rows* is called once per iteration, so a source can be read again.
    """

    name: str
    rows: Callable[[], Iterable[Mapping[str, Any]]]

    def __iter__(self) -> Iterator[Event | Rejection]:
        for number, row in enumerate(self.rows(), 1):
            record = {k: v for k, v in row.items() if v is not None}
            try:
                yield parse_event(record, (self.name, number))
            except FieldError as exc:
                yield Rejection(self.name, number, exc.field, exc.reason, repr(record)[:200])

    def slices(self, size: int) -> list[EventSource]:
        """A row source is read whole."""
        return [self]
