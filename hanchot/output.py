"""Write a :class:`~hanchot.obligations.model.Report` as JSON or CSV.

JSON and CSV are byte-for-byte deterministic for the same report. The formats
people read (terminal table, HTML, workbook, calendar) are in :mod:`hanchot.writers`.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
from collections.abc import Iterable
from types import ModuleType
from typing import Any, BinaryIO, TextIO

from hanchot.obligations.model import Obligation, Rendering, Report

orjson: ModuleType | None
try:  # optional (``pip install hanchot[fast]``): the same bytes, encoded in C
    import orjson
except ImportError:  # pragma: no cover - the test that hides orjson runs this path
    orjson = None

CSV_FIELDS = ("agency", "rule", "period", "trigger", "opens", "due", "status", "satisfied_by", "basis", "explanation")

def write_json(report: Report, out: TextIO, lang: str = "en") -> None:
    """The report as one JSON document (sorted, UTF-8, indented)."""
    dump_json(report.to_dict(lang), out)


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


def obligation_row(obligation: Obligation, lang: str = "en", rendering: Rendering | None = None) -> dict[str, str]:
    """One obligation as a flat CSV row (*rendering*: shared by the rows of one output,
    so that each distinct explanation text is written once)."""
    data = obligation.to_dict(lang, rendering)
    row = {k: "" if data[k] is None else str(data[k]) for k in CSV_FIELDS if k not in ("satisfied_by", "explanation")}
    row["satisfied_by"] = ";".join(obligation.satisfied_by)
    row["explanation"] = " | ".join(data["explanation"])
    return row


def write_csv(obligations: Iterable[Obligation], out: TextIO, lang: str = "en") -> None:
    """Obligations as CSV with a header row."""
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    rendering = Rendering(lang)
    for obligation in obligations:
        writer.writerow(obligation_row(obligation, lang, rendering))

