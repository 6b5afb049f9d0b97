"""Write a :class:`~hanchot.obligations.model.Report` as JSON or CSV.

JSON and CSV are byte-for-byte deterministic for the same report. The formats
people read (terminal table, HTML, workbook, calendar) are in :mod:`hanchot.writers`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import operator
import os
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any, BinaryIO, TextIO, TypeVar

from hanchot.encoding import EncodedFields, Layout
from hanchot.obligations.fields import OBLIGATION_FIELDS, ExplanationParts, FieldWriter
from hanchot.obligations.model import Obligation, Rendering, Report

orjson: ModuleType | None
try:  # optional (``pip install hanchot[fast]``): the same bytes, encoded in C
    import orjson
except ImportError:  # pragma: no cover - the test that hides orjson runs this path
    orjson = None

CSV_FIELDS = ("agency", "rule", "period", "trigger", "opens", "due", "status", "satisfied_by", "basis", "explanation")

def write_json(report: Report, out: TextIO, lang: str = "en") -> None:
    """The report as one JSON document (sorted, UTF-8, indented):
    ``dump_json(report.to_dict(lang), out)`` byte for byte, each obligation
    encoded by :class:`ObligationJson` as it is written (no mapping per obligation)."""
    text = io.StringIO()
    dump_json(report.document([]), text)
    head, tail = _split_at_obligations(text.getvalue())
    out.write(head)
    if not report.obligations:
        out.write("[]")
    else:
        out.write("[")
        _write_blocks(report.obligations, out, lang)
        out.write("\n  ]")
    out.write(tail)


# Where the obligations go in the indented document: a key of the top mapping (a
# newline is always escaped inside a JSON string, so this text is found nowhere else).
_OBLIGATIONS_KEY = '\n  "obligations": '


def _split_at_obligations(document: str) -> tuple[str, str]:
    """The document around its empty list of obligations."""
    at = document.index(_OBLIGATIONS_KEY + "[]") + len(_OBLIGATIONS_KEY)
    return document[:at], document[at + 2 :]


_BLOCKS_AT_ONCE = 2048  # obligations encoded per write


def _write_blocks(obligations: Iterable[Obligation], out: TextIO, lang: str) -> None:
    """The obligations of a report as the items of its indented list, each on new lines."""
    encoder = ObligationJson(lang, indent="    ")
    binary = _utf8_bytes_under(out)
    pending: list[bytes] = []
    first = True
    for o in obligations:
        try:
            block = encoder.encode(o)
        except (TypeError, UnicodeError):  # what orjson refuses: the standard library writes it, as text
            _flush_blocks(pending, out, binary)
            data = json.dumps(o.to_dict(lang, encoder.rendering), ensure_ascii=False, indent=2)
            out.write(("\n    " if first else ",\n    ") + data.replace("\n", "\n    "))
        else:
            pending += (b"\n    " if first else b",\n    ", block)
            if len(pending) >= _BLOCKS_AT_ONCE:
                _flush_blocks(pending, out, binary)
        first = False
    _flush_blocks(pending, out, binary)


def _flush_blocks(pending: list[bytes], out: TextIO, binary: BinaryIO | None) -> None:
    """Write the encoded blocks *pending* (then empty it), as bytes where the file takes them."""
    if not pending:
        return
    chunk = b"".join(pending)
    pending.clear()
    if binary is None:
        out.write(chunk.decode())
    else:
        out.flush()  # text already written comes first
        binary.write(chunk)


def dump_json(data: Any, out: TextIO) -> None:
    """*data* (a report's plain data) as indented JSON and a final newline:
    ``json.dump(data, out, ensure_ascii=False, indent=2)`` byte for byte.

    With orjson installed it does the encoding, in C (ten times faster on a big
    report); the two agree on everything a report holds: text, integers,
    booleans, null, lists and mappings with text keys. A report holds no float;
    what orjson refuses (a lone surrogate, an integer beyond 64 bits, a key
    that is not text) goes to the standard library, so the output never depends
    on whether orjson is installed.
    """
    if orjson is not None:
        try:
            encoded = orjson.dumps(data, option=orjson.OPT_INDENT_2)
        except TypeError:
            pass
        else:
            binary = _utf8_bytes_under(out)
            if binary is None:
                out.write(encoded.decode())
                out.write("\n")
            else:  # skip decoding to text and encoding back
                out.flush()
                binary.write(encoded)
                binary.write(b"\n")
            return
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _utf8_bytes_under(out: TextIO) -> BinaryIO | None:
    """The byte stream under *out*, when bytes written there are what writing the
    same UTF-8 text to *out* would give: a UTF-8 text file on a system whose
    newline is ``\\n`` (nothing to translate)."""
    buffer = getattr(out, "buffer", None)
    encoding = getattr(out, "encoding", None)
    if buffer is None or not encoding or os.linesep != "\n" or codecs.lookup(encoding).name != "utf-8":
        return None
    return buffer  # type: ignore[no-any-return]


_standard_encode = json.JSONEncoder(ensure_ascii=False).encode


def standard_json(value: str | None) -> bytes:
    """*value* as JSON in UTF-8, as ``json.dumps(value, ensure_ascii=False)`` writes it."""
    return _standard_encode(value).encode()


class ObligationJson:
    """Obligations encoded as JSON, the bytes ``json.dumps(o.to_dict(lang),
    ensure_ascii=False)`` writes (*indent* None: one line, the separators
    ``", "`` and ``": "``) or, with *indent* the indentation of the
    obligation's line, its ``indent=2`` block inside a report.

    What the fields hold is :meth:`~hanchot.obligations.instances.Obligation.written`'s
    and each value is the :class:`~hanchot.obligations.rendering.Rendering`'s; this
    class only encodes them, each repeated one once (a rule, an agency, a date,
    a rule's title and basis, a deadline's steps): one encoder per output.
    Text is encoded by orjson when it is installed (the same bytes, a test
    says); a text orjson refuses (a lone surrogate) raises ``TypeError``, for
    the caller to write that obligation the standard way.
    """

    def __init__(self, lang: str, indent: str | None = None) -> None:
        self.rendering = Rendering(lang)
        dumps: Callable[[str | None], bytes] = orjson.dumps if orjson is not None else standard_json
        plain = self.rendering.fields
        memos = (_memo(plain.name, dumps), _memo(plain.day, dumps), _memo(plain.text, dumps))
        self.encode: Callable[[Obligation], bytes] = EncodedFields(self.rendering, dumps, memos, _layout(indent)).encode
        """An obligation as one JSON object (no newline after it); run compiled where mypyc built :mod:`hanchot.encoding`."""


K = TypeVar("K")


class _Memo(dict[K, bytes]):
    """``dumps(value(key))`` by key, computed once: ``memo.__getitem__`` is the function
    (a key already met is found without a Python call)."""

    def __init__(self, value: Callable[[K], str | None], dumps: Callable[[str | None], bytes]) -> None:
        super().__init__()
        self._value, self._dumps = value, dumps

    def __missing__(self, key: K) -> bytes:
        found = self[key] = self._dumps(self._value(key))
        return found


def _memo(value: Callable[[K], str | None], dumps: Callable[[str | None], bytes]) -> Callable[[K], bytes]:
    """``dumps(value(key))``, computed once per key."""
    return _Memo(value, dumps).__getitem__


def _layout(indent: str | None) -> Layout:
    """What goes before each field of an object (its key) and after the last, and how a
    non-empty list opens, separates and closes: on one line, or as ``json.dumps(indent=2)``
    writes it at *indent*."""
    names = [json.dumps(name).encode() + b": " for name in OBLIGATION_FIELDS]
    if indent is None:
        keys = [b"{" + names[0], *(b", " + name for name in names[1:]), b"}"]
        return tuple(keys), b"[", b", ", b"]"
    field, item = ("\n" + indent + "  ").encode(), ("\n" + indent + "    ").encode()
    keys = [b"{" + field + names[0], *(b"," + field + name for name in names[1:]), ("\n" + indent + "}").encode()]
    return tuple(keys), b"[" + item, b"," + item, field + b"]"


class ObligationCsv:
    """Obligations as the rows of the CSV output, in the order of :data:`CSV_FIELDS`:
    the values of :class:`~hanchot.obligations.rendering.Rendering`, ``""`` for nothing,
    event ids joined by ``;`` and explanation lines by `` | ``. One per output, so
    that each distinct explanation text is written once."""

    def __init__(self, lang: str, rendering: Rendering | None = None) -> None:
        self.rendering = rendering if rendering is not None and rendering.lang == lang else Rendering(lang)
        plain = self.rendering.fields
        lines = self.rendering.lines

        def blank(value: str | None) -> str:
            return "" if value is None else value

        def day(value: dt.date | None) -> str:
            return blank(plain.day(value))

        def explanation(why: ExplanationParts) -> str:
            return " | ".join(lines(why))

        self._fields = FieldWriter(blank, blank, day, plain.status, ";".join, plain.text, explanation)

    def values(self, o: Obligation) -> tuple[str, ...]:
        """*o*'s row: its values in the order of :data:`CSV_FIELDS`."""
        return _CSV_ORDER(o.written(self._fields))  # type: ignore[no-any-return]


_CSV_ORDER = operator.itemgetter(*(OBLIGATION_FIELDS.index(name) for name in CSV_FIELDS))


def obligation_row(obligation: Obligation, lang: str = "en", rendering: Rendering | None = None) -> dict[str, str]:
    """One obligation as a flat CSV row (*rendering*: shared by the rows of one output,
    so that each distinct explanation text is written once)."""
    return dict(zip(CSV_FIELDS, ObligationCsv(lang, rendering).values(obligation)))


def write_csv(obligations: Iterable[Obligation], out: TextIO, lang: str = "en") -> None:
    """Obligations as CSV with a header row."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    writer.writerows(map(ObligationCsv(lang).values, obligations))
