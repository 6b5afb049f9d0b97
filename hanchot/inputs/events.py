"""Read events (format version 1) as a stream: JSON Lines, CSV, Parquet.

:func:`read_events` yields an :class:`~hanchot.inputs.event.Event` for every
valid line and a :class:`Rejection` for every invalid one, file after file,
never holding a whole file in memory. No line is lost: each non-blank line
gives exactly one of the two. Counting them is the caller's job.

Files, chosen by suffix (case-insensitive):

- ``.jsonl``, ``.ndjson``, ``.json`` (optionally ``.gz``): JSON Lines, one
  object a line, each read by :func:`hanchot.inputs.lines.parse_line` (the
  standard library's :mod:`json` decides and words what is not JSON, so the
  output does not depend on optional packages).
- ``.csv`` (optionally ``.gz``): UTF-8 (a BOM is allowed), a header row naming
  the columns. Cells are read as follows:

  * an empty cell is an absent key;
  * reserved columns (``id``, ``type``, ``agency``, ``date``, ``at``,
    ``recorded_at``, ``retracts``) are strings, except ``scope``, whose cell
    holds a JSON object such as ``{"level": ["district", "commune"]}``;
  * any other column is an attribute: a cell that is a JSON number (``12``,
    ``-1.5``, ``1e3`` but not ``007``), ``true``/``false``, a JSON array or a
    JSON object is that value; anything else (``null`` and ``"x"`` included)
    is the cell's text;
  * a row with more cells than the header is rejected, missing trailing
    cells are empty; a row of empty cells is blank; a line that is not UTF-8
    is rejected. A repeated or empty column name is an :class:`InputError`.

- ``.parquet``: needs ``pyarrow`` (``pip install hanchot[parquet]``); read in
  record batches, one row a "line" (numbered from 1); null cells are absent.

A path may be a directory: its files with these suffixes are read, recursively,
in the order of their paths relative to it; its other files are listed as
skipped (:func:`list_event_files`), for the caller to report. A file that
starts with a UTF-16 or UTF-32 byte order mark is refused as a whole. Blank lines are skipped and yield
nothing, but line numbers are the file's physical line numbers (the line on
which a CSV row ends), so ``origin`` (``(file, line)``, the file named as
given or joined to the given directory) points an editor at the line.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from hanchot.errors import InputError
from hanchot.inputs.event import Event
from hanchot.inputs.lines import (
    Conflict,
    Rejection,
    Shared,
    common_fields,
    is_plain,
    parse_other,
    reject,
)
from hanchot.inputs.records import LINE, RESERVED_KEYS, FieldError, parse_event

__all__ = [
    "Conflict",
    "EventFiles",
    "Rejection",
    "check_encoding",
    "file_kind",
    "list_event_files",
    "open_binary",
    "read_event_file",
    "read_events",
]

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet",)
_BUFFER = 1 << 20  # bytes of read buffer
_BLOCK = 1 << 18  # bytes of lines read at once: their bytes are checked in one call

PathArg = str | os.PathLike[str]


def read_events(paths: PathArg | Iterable[PathArg]) -> Iterator[Event | Rejection]:
    """Yield the events and rejections of *paths* (files or directories), in order.

    Raise :class:`InputError` for a path that does not exist, a file of an
    unknown suffix given by name, or an unreadable file; a bad line is never
    an exception but a :class:`Rejection`.
    """
    for name in list_event_files(paths).files:
        yield from read_event_file(name)


@dataclass(frozen=True)
class EventFiles:
    """The event files named by some paths, and the files of their folders left out."""

    files: list[str]
    skipped: list[str]  # files in the folders whose suffix is not an event format

    def skipped_reasons(self) -> list[dict[str, str]]:
        """Each skipped file with why, for an accounting (``{"file", "reason"}``)."""
        return [{"file": name, "reason": _skip_reason(name)} for name in self.skipped]


def list_event_files(paths: PathArg | Iterable[PathArg]) -> EventFiles:
    """The files :func:`read_events` reads for *paths*, in order, and the folder files it skips.

    A file named directly must exist (an :class:`InputError` otherwise); a
    folder's files of other suffixes (``.txt``, ``.bak``, ``.bz2``) are not read,
    and are listed in ``skipped`` so that the caller can say so: a file left
    out is never left out in silence.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files: list[str] = []
    skipped: list[str] = []
    for path in paths:
        found, left_out = _files(os.fspath(path))
        files.extend(found)
        skipped.extend(left_out)
    return EventFiles(files, skipped)


def _skip_reason(name: str) -> str:
    suffix = "".join(Path(name).suffixes[-2:]) or "no suffix"
    known = ", ".join(JSONL_SUFFIXES + CSV_SUFFIXES + PARQUET_SUFFIXES)
    return f"not an event file ({suffix}); event files end in {known} (optionally .gz)"


# Byte order marks of the encodings an event file is not in (UTF-32 before UTF-16: it starts alike).
_FOREIGN_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def check_encoding(name: str) -> None:
    """Refuse, in one message, a file that starts with a UTF-16 or UTF-32 byte order mark.

    Read as UTF-8, such a file would give a mix of rejected lines and lines
    accepted by chance; it is one problem of the whole file, said once.
    """
    kind, gz = file_kind(name)
    if kind == "parquet":
        return
    try:
        with open_binary(name, gz) as fh:
            head = fh.read(4)
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise InputError(f"{name}: cannot read ({exc})") from None
    for bom, encoding in _FOREIGN_BOMS:
        if head.startswith(bom):
            raise InputError(
                f"{name}: the file is {encoding} (it starts with a {encoding} byte order mark); "
                f"event files are UTF-8: convert it, e.g. iconv -f {encoding} -t UTF-8"
            )


def read_event_file(name: str) -> Iterator[Event | Rejection]:
    """Yield the events and rejections of one file (its kind chosen by suffix)."""
    kind, gz = file_kind(name)
    if kind is None:
        raise InputError(
            f"{name}: unknown event file suffix; expected one of "
            f"{', '.join(JSONL_SUFFIXES + CSV_SUFFIXES)} (optionally .gz) or .parquet"
        )
    check_encoding(name)
    try:
        if kind == "jsonl":
            yield from _read_jsonl(name, gz)
        elif kind == "csv":
            yield from _read_csv(name, gz)
        else:
            yield from _read_parquet(name)
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise InputError(f"{name}: cannot read ({exc})") from None


def file_kind(name: str) -> tuple[str | None, bool]:
    """The kind of an event file by its suffix (jsonl, csv, parquet or None), and whether gzipped."""
    lower = name.lower()
    gz = lower.endswith(".gz")
    if gz:
        lower = lower[:-3]
    if lower.endswith(JSONL_SUFFIXES):
        return "jsonl", gz
    if lower.endswith(CSV_SUFFIXES):
        return "csv", gz
    if lower.endswith(PARQUET_SUFFIXES) and not gz:
        return "parquet", False
    return None, gz


def _files(name: str) -> tuple[list[str], list[str]]:
    """The event files of *name* (a file or a folder), and the folder's other files."""
    if os.path.isdir(name):
        found: list[tuple[tuple[str, ...], str]] = []
        other: list[tuple[tuple[str, ...], str]] = []
        for root, dirs, files in os.walk(name):
            dirs.sort()
            for file in files:
                full = os.path.join(root, file)
                key = (Path(os.path.relpath(full, name)).parts, full)
                (found if file_kind(file)[0] is not None else other).append(key)
        return [full for _, full in sorted(found)], [full for _, full in sorted(other)]
    if not os.path.exists(name):
        raise InputError(f"{name}: no such event file or directory")
    return [name], []


def open_binary(name: str, gz: bool) -> BinaryIO:
    """A binary stream with a big buffer, so iterating its lines stays in C."""
    if not gz:
        return open(name, "rb", buffering=_BUFFER)
    return io.BufferedReader(gzip.open(name, "rb"), buffer_size=_BUFFER)


def _read_jsonl(name: str, gz: bool) -> Iterator[Event | Rejection]:
    # The functions called directly, not bound to locals: compiled, a direct call is a C call.
    shared = Shared()
    with open_binary(name, gz) as fh:
        lineno = 0
        while lines := fh.readlines(_BLOCK):
            block = b"".join(lines)
            plain = is_plain(block)
            for raw in lines:
                lineno += 1
                if raw[0] != 123 and raw.isspace():  # "{" first: no call by name (compiled) for the usual line
                    continue
                if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]  # a UTF-8 byte order mark
                fields = common_fields(raw, plain, shared)  # parse_line, unrolled: one call fewer per line
                yield Event.owning(fields, (name, lineno)) if fields is not None else parse_other(raw, name, lineno)


class _Tap:
    """Iterate the lines of a text stream, keeping the ones of the current CSV row."""

    __slots__ = ("_it", "lines")

    def __init__(self, stream: Iterable[str]) -> None:
        self._it = iter(stream)
        self.lines: list[str] = []

    def __iter__(self) -> _Tap:
        return self

    def __next__(self) -> str:
        line = next(self._it)
        self.lines.append(line)
        return line

    def take(self) -> str:
        text = "".join(self.lines)
        self.lines.clear()
        return text


def _read_csv(name: str, gz: bool) -> Iterator[Event | Rejection]:
    reserved, scope_key, parse, cell = RESERVED_KEYS, "scope", parse_event, _cell
    with open_binary(name, gz) as fb, io.TextIOWrapper(
        fb, encoding="utf-8-sig", errors="surrogateescape", newline=""
    ) as fh:
        tap = _Tap(fh)
        reader = csv.DictReader(tap)
        header = reader.fieldnames or []
        tap.take()
        repeated = sorted({h for h in header if header.count(h) > 1})
        if repeated or "" in header:
            raise InputError(
                f"{name}:1: bad header: "
                + ("; ".join(f"repeated column {h!r}" for h in repeated) or "an empty column name")
            )
        width = len(header)
        for row in reader:
            text = tap.take()
            lineno = reader.line_num
            if not text.isascii():
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    yield reject(name, lineno, LINE, "not valid UTF-8", text.encode("utf-8", "surrogateescape"))
                    continue
            extra = row.pop(None, None)
            if extra is not None:
                yield reject(name, lineno, LINE, f"{width + len(extra)} cells, expected {width}", text)
                continue
            obj: dict[str, Any] = {}
            for key, value in row.items():
                if not value:  # "" or None (a short row)
                    continue
                if key in reserved:
                    obj[key] = value
                else:
                    obj[key] = cell(value)
            if not obj:
                continue  # a row of empty cells is blank
            scope = obj.get(scope_key)
            if scope is not None:
                try:
                    obj[scope_key] = json.loads(scope)
                except ValueError:
                    yield reject(name, lineno, "scope", f"expected a JSON object in the cell, got {scope!r}", text)
                    continue
            try:
                yield parse(obj, (name, lineno))
            except FieldError as exc:
                yield reject(name, lineno, exc.field, exc.reason, text)


_JSON_START = frozenset("-0123456789[{tf")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _cell(text: str) -> Any:
    """The value of a CSV attribute cell (see the module docstring)."""
    if text[0] not in _JSON_START:
        return text
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except ValueError:
        return text
    return text if isinstance(value, str) or value is None else value


def _read_parquet(name: str) -> Iterator[Event | Rejection]:
    try:
        import pyarrow.parquet as pq  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        raise InputError(
            f"{name}: reading Parquet needs pyarrow: pip install 'hanchot[parquet]'"
        ) from None
    parse = parse_event
    lineno = 0
    pf = pq.ParquetFile(name)
    try:
        for batch in pf.iter_batches(batch_size=65536):
            for row in batch.to_pylist():
                lineno += 1
                obj = {k: v for k, v in row.items() if v is not None}
                try:
                    yield parse(obj, (name, lineno))
                except FieldError as exc:
                    raw = json.dumps(obj, default=str, ensure_ascii=False)
                    yield reject(name, lineno, exc.field, exc.reason, raw)
    finally:
        pf.close()
