"""Read events (format version 1) as a stream: JSON Lines, CSV, Parquet.

:func:`read_events` yields an :class:`~hanchot.inputs.records.Event` for every
valid line and a :class:`Rejection` for every invalid one, file after file,
never holding a whole file in memory. No line is lost: each non-blank line
gives exactly one of the two. Counting them is the caller's job.

Files, chosen by suffix (case-insensitive):

- ``.jsonl``, ``.ndjson``, ``.json`` (optionally ``.gz``): JSON Lines, one
  object a line (the fast path; :mod:`orjson` is used when it is installed).
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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

from hanchot.errors import InputError
from hanchot.inputs.records import LINE, RESERVED_KEYS, RETRACTION, Event, FieldError, parse_event
from hanchot.inputs.vocabulary import TYPED, attribute_problem

try:  # optional: about twice as fast as json.loads
    from orjson import loads as _loads  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - depends on the environment
    _loads = json.loads

# The fast path of a JSON line (_fast_event): the C scanner of the standard
# decoder, without json.loads' encoding detection and whitespace regexes.
_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_SLOW_KEYS = frozenset({"scope", "at", "recorded_at", "retracts"})

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet",)
_BUFFER = 1 << 20  # bytes of read buffer
_RAW_CHARS = 200  # of a rejected line kept in Rejection.raw

PathArg = str | os.PathLike[str]


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input line that is not a valid event, and why."""

    file: str
    line: int
    field: str  # "(line)" when the line as a whole is bad (not JSON, not an object)
    reason: str
    raw: str  # the line's text, at most 200 characters

    def to_dict(self) -> dict[str, Any]:
        """The rejection as a plain mapping (for a JSON report)."""
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: field {self.field!r}: {self.reason}"


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
    kind, gz = _kind(name)
    if kind == "parquet":
        return
    try:
        with _open_binary(name, gz) as fh:
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
    kind, gz = _kind(name)
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


def _kind(name: str) -> tuple[str | None, bool]:
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
                (found if _kind(file)[0] is not None else other).append(key)
        return [full for _, full in sorted(found)], [full for _, full in sorted(other)]
    if not os.path.exists(name):
        raise InputError(f"{name}: no such event file or directory")
    return [name], []


def _open_binary(name: str, gz: bool) -> BinaryIO:
    """A binary stream with a big buffer, so iterating its lines stays in C."""
    if not gz:
        return open(name, "rb", buffering=_BUFFER)
    return io.BufferedReader(gzip.open(name, "rb"), buffer_size=_BUFFER)


def _reject(name: str, line: int, field: str, reason: str, raw: bytes | str) -> Rejection:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    return Rejection(name, line, field, reason, raw.strip("\r\n")[:_RAW_CHARS])


def _read_jsonl(name: str, gz: bool) -> Iterator[Event | Rejection]:
    loads, parse, fast = _loads, parse_event, _fast_event  # locals: the loop runs millions of times
    with _open_binary(name, gz) as fh:
        lineno = 0
        for raw in fh:
            lineno += 1
            if raw.isspace():
                continue
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # a UTF-8 byte order mark
            if raw.isascii() and b"\\u" not in raw:
                event = fast(raw, (name, lineno))
                if event is not None:
                    yield event
                    continue
            try:
                obj = loads(raw)
            except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
                yield _reject(name, lineno, LINE, _json_problem(exc), raw)
                continue
            try:
                yield parse(obj, (name, lineno))
            except FieldError as exc:
                yield _reject(name, lineno, exc.field, exc.reason, raw)


def parse_jsonl_line(raw: bytes, name: str, lineno: int) -> Event | Rejection:
    """One non-blank JSON Lines line (bytes, BOM removed): its event or its rejection."""
    if raw.isascii() and b"\\u" not in raw:
        event = _fast_event(raw, (name, lineno))
        if event is not None:
            return event
    try:
        obj = _loads(raw)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        return _reject(name, lineno, LINE, _json_problem(exc), raw)
    try:
        return parse_event(obj, (name, lineno))
    except FieldError as exc:
        return _reject(name, lineno, exc.field, exc.reason, raw)


def _fast_event(raw: bytes, origin: tuple[str, int]) -> Event | None:
    """The event of an ASCII line without ``\\u`` escapes in the common shape, or None.

    The common shape: an object with non-empty strings ``id``, ``type`` (not a
    retraction), ``agency`` and ``date`` (YYYY-MM-DD), and none of ``scope``,
    ``at``, ``recorded_at``, ``retracts``. Every string is ASCII, so NFC changes
    none and the event is the one :func:`parse_event` gives, about twice as
    fast. Any other line returns None and takes the general path, which words
    the errors.
    """
    text = raw.decode("ascii")
    try:
        obj, end = _scan(text, 0)
    except (StopIteration, ValueError):
        return None
    if end != len(text) and not text[end:].isspace():
        return None
    if type(obj) is not dict or not _SLOW_KEYS.isdisjoint(obj):
        return None
    event_id, event_type, agency, date = obj.get("id"), obj.get("type"), obj.get("agency"), obj.get("date")
    if (
        type(event_id) is not str
        or type(event_type) is not str
        or type(agency) is not str
        or type(date) is not str
        or not event_id
        or not event_type
        or not agency
        or event_type == RETRACTION
        or len(date) != 10
        or date[4] != "-"
        or date[7] != "-"
    ):
        return None
    try:
        day = _fromisoformat(date)
    except ValueError:
        return None
    reserved = RESERVED_KEYS
    attrs = {k: v for k, v in obj.items() if k not in reserved}
    if event_type in TYPED and attribute_problem(event_type, attrs) is not None:
        return None  # a mistyped attribute: the general path words the rejection
    return Event(event_id, event_type, day, agency=agency, attrs=attrs, origin=origin)


_fromisoformat = __import__("datetime").date.fromisoformat


def _json_problem(exc: ValueError) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"not valid UTF-8 ({exc.reason} at byte {exc.start})"
    if isinstance(exc, json.JSONDecodeError):
        where = f"column {exc.colno}" if exc.lineno == 1 else "the end of the line"
        return f"not valid JSON: {exc.msg} at {where}"
    return f"not valid JSON: {exc}"


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
    with _open_binary(name, gz) as fb, io.TextIOWrapper(
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
                    yield _reject(name, lineno, LINE, "not valid UTF-8", text.encode("utf-8", "surrogateescape"))
                    continue
            extra = row.pop(None, None)
            if extra is not None:
                yield _reject(name, lineno, LINE, f"{width + len(extra)} cells, expected {width}", text)
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
                    yield _reject(name, lineno, "scope", f"expected a JSON object in the cell, got {scope!r}", text)
                    continue
            try:
                yield parse(obj, (name, lineno))
            except FieldError as exc:
                yield _reject(name, lineno, exc.field, exc.reason, text)


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
                    yield _reject(name, lineno, exc.field, exc.reason, raw)
    finally:
        pf.close()
