"""Write a :class:`~hanchot.obligations.model.Report` as JSON, CSV or a table.

JSON and CSV are byte-for-byte deterministic for the same report. The table is
for a person at an 80-column terminal: a summary per rule, then the
violations, then what falls due next.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
from collections import Counter
from collections.abc import Iterable
from types import ModuleType
from typing import Any, BinaryIO, TextIO

from hanchot.obligations.model import Obligation, Rendering, Report, Status
from hanchot.rules.model import RulePack

orjson: ModuleType | None
try:  # optional (``pip install hanchot[fast]``): the same bytes, encoded in C
    import orjson
except ImportError:  # pragma: no cover - the test that hides orjson runs this path
    orjson = None

CSV_FIELDS = ("agency", "rule", "period", "trigger", "opens", "due", "status", "satisfied_by", "basis", "explanation")

_WORDS = {
    "en": {
        "title": "Obligations under {pack} as of {as_of}",
        "input": "Events read {read}: used {used}, ignored {ignored}, duplicates {duplicates}, rejected {rejected}",
        "summary": "Summary by rule",
        "rule": "Rule",
        "violations": "Violations ({n})",
        "upcoming": "Open, with due date ({n})",
        "none": "(none)",
        "agency": "Agency",
        "for": "Period/event",
        "due": "Due",
        "status": "Status",
        "more": "... and {n} more (use --format json or csv for all)",
        "rejected": "Rejected input lines ({n})",
        Status.MET: "met",
        Status.MET_LATE: "late",
        Status.OVERDUE: "overdue",
        Status.OPEN: "open",
        Status.NOT_APPLICABLE: "n/a",
    },
    "vi": {
        "title": "Nghĩa vụ theo {pack} tính đến {as_of}",
        "input": "Sự kiện đã đọc {read}: dùng {used}, bỏ qua {ignored}, trùng {duplicates}, bị loại {rejected}",
        "summary": "Tổng hợp theo quy định",
        "rule": "Quy định",
        "violations": "Vi phạm ({n})",
        "upcoming": "Đang mở, có hạn ({n})",
        "none": "(không có)",
        "agency": "Cơ quan",
        "for": "Kỳ/sự kiện",
        "due": "Hạn",
        "status": "Trạng thái",
        "more": "... và {n} dòng khác (dùng --format json hoặc csv để xem đủ)",
        "rejected": "Dòng dữ liệu bị loại ({n})",
        Status.MET: "đúng hạn",
        Status.MET_LATE: "muộn",
        Status.OVERDUE: "quá hạn",
        Status.OPEN: "đang mở",
        Status.NOT_APPLICABLE: "k.áp dụng",
    },
}


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


def write_table(report: Report, pack: RulePack, out: TextIO, lang: str = "en", limit: int = 40) -> None:
    """A summary a person reads at an 80-column terminal."""
    w = _WORDS[lang]
    out.write(w["title"].format(pack=pack.id, as_of=report.as_of.strftime("%d/%m/%Y")) + "\n")
    out.write(pack.title.get(lang)[:80] + "\n")
    out.write(w["input"].format(**report.input.to_dict()) + "\n\n")
    statuses = (Status.MET, Status.MET_LATE, Status.OVERDUE, Status.OPEN, Status.NOT_APPLICABLE)
    out.write(w["summary"] + "\n")
    header = f"{w['rule']:<34}" + "".join(f"{w[s]:>9}" for s in statuses)
    out.write(header[:80] + "\n" + "-" * min(80, len(header)) + "\n")
    by_rule: dict[str, Counter[Status]] = {}
    for o in report.obligations:
        by_rule.setdefault(o.rule, Counter())[o.status] += 1
    for rule in pack.rules:
        if rule.id in by_rule:
            counts = by_rule[rule.id]
            out.write(f"{_cut(rule.id, 34):<34}" + "".join(f"{counts[s]:>9}" for s in statuses) + "\n")
    violations = [o for o in report.obligations if o.is_violation]
    upcoming = sorted(
        (o for o in report.obligations if o.status is Status.OPEN and o.due is not None),
        key=lambda o: (o.due, o.agency, o.rule),
    )
    _write_rows(out, w["violations"].format(n=len(violations)), violations, w, limit)
    _write_rows(out, w["upcoming"].format(n=len(upcoming)), upcoming, w, limit)
    if report.rejected:
        out.write("\n" + w["rejected"].format(n=len(report.rejected)) + "\n")
        out.writelines(_cut(str(rejection), 80) + "\n" for rejection in report.rejected[:limit])


def _write_rows(out: TextIO, heading: str, rows: list[Obligation], w: dict[Any, str], limit: int) -> None:
    out.write(f"\n{heading}\n")
    if not rows:
        out.write(w["none"] + "\n")
        return
    out.write(f"{w['agency']:<16} {w['rule']:<26} {w['for']:<14} {w['due']:<10} {w['status']:>9}\n")
    out.write("-" * 79 + "\n")
    for o in rows[:limit]:
        due = o.due.strftime("%d/%m/%Y") if o.due else "-"
        what = o.period or o.trigger or o.opens.isoformat()
        out.write(
            f"{_cut(o.agency, 16):<16} {_cut(o.rule, 26):<26} {_cut(what, 14):<14} {due:<10} {w[o.status]:>9}\n"
        )
    if len(rows) > limit:
        out.write(w["more"].format(n=len(rows) - limit) + "\n")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
