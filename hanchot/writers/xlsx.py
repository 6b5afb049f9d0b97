"""The Excel workbook: the same report as sheets an officer filters, sorts and forwards.

Sheets (English names with ``--lang en``): Tổng hợp (summary), Vi phạm
(violations), Sắp đến hạn (open duties with a due date, soonest first),
Nghĩa vụ (every obligation), Bị loại (rejected input lines). Dates are real
Excel dates shown dd/mm/yyyy, counts are numbers, each sheet has a frozen
header row and an autofilter, and the explanation column wraps. Built with
xlsxwriter (``pip install 'hanchot[reports]'``); the file is the same byte for
byte for the same report (its creation time is the as-of date).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from hanchot.writers import Context, Writer, atomic_file, require
from hanchot.writers.view import ReportView, Row, days_late, from_report
from hanchot.writers.words import STATUSES, words

_SHEETS = {
    "vi": ("Tổng hợp", "Vi phạm", "Sắp đến hạn", "Nghĩa vụ", "Bị loại"),
    "en": ("Summary", "Violations", "Upcoming", "Obligations", "Rejected"),
}
MAX_WIDTH = 60
EXPLANATION_WIDTH = 90

Column = tuple[str, Callable[[Row], Any], str]  # heading word, value of a row, kind: text|date|number|wrap


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _columns(view: ReportView, extra: Sequence[Column] = ()) -> list[Column]:
    w = words(view.lang)
    return [
        ("agency", lambda r: view.agency_name(r["agency"]), "text"),
        ("agency_id", lambda r: r["agency"], "text"),
        ("level", lambda r: w.get(view.agency_level(r["agency"]), view.agency_level(r["agency"])), "text"),
        ("rule", lambda r: view.rule_title(r["rule"]), "text"),
        ("rule_id", lambda r: r["rule"], "text"),
        ("period", lambda r: r["period"] or r["trigger"] or "", "text"),
        ("opens", lambda r: _date(r["opens"]), "date"),
        ("due", lambda r: _date(r["due"]), "date"),
        *extra,
        ("status", lambda r: w[r["status"]], "text"),
        ("satisfied_by", lambda r: ", ".join(r["satisfied_by"]), "text"),
        ("basis", lambda r: r["basis"], "text"),
        ("explanation", lambda r: "\n".join(r["explanation"]), "wrap"),
    ]


class _Book:
    """An xlsxwriter workbook with the report's formats."""

    def __init__(self, target: IO[bytes], view: ReportView) -> None:
        import xlsxwriter  # type: ignore[import-untyped,unused-ignore]  # an optional extra (WRITER.requires)

        self.view = view
        # constant_memory: each row goes to a temporary file as written (300,000 rows would not fit in memory).
        self.book = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False})
        created = dt.datetime.combine(view.as_of, dt.time())
        self.book.set_properties({"title": view.pack_title, "created": created, "author": "hanchot"})
        self.head = self.book.add_format({"bold": True, "bg_color": "#E8EAED", "text_wrap": True, "valign": "top"})
        self.date = self.book.add_format({"num_format": "dd/mm/yyyy", "valign": "top"})
        self.text = self.book.add_format({"valign": "top"})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.number = self.book.add_format({"num_format": "0", "valign": "top"})
        self.percent = self.book.add_format({"num_format": "0.0%"})

    def table(self, name: str, columns: Sequence[Column], rows: Sequence[Row]) -> None:
        """A sheet: header row frozen and filtered, one row per item, widths that fit."""
        w = words(self.view.lang)
        sheet = self.book.add_worksheet(name)
        widths = [len(w[c[0]]) + 2 for c in columns]
        for j, (key, _, _) in enumerate(columns):
            sheet.write_string(0, j, w[key], self.head)
        for i, row in enumerate(rows, start=1):
            for j, (_, value_of, kind) in enumerate(columns):
                value = value_of(row)
                if value is None or value == "":
                    continue
                if kind == "date":
                    sheet.write_datetime(i, j, dt.datetime.combine(value, dt.time()), self.date)
                    widths[j] = max(widths[j], 11)
                elif kind == "number":
                    sheet.write_number(i, j, value, self.number)
                else:
                    sheet.write_string(i, j, str(value), self.wrap if kind == "wrap" else self.text)
                    widths[j] = max(widths[j], min(MAX_WIDTH, max(len(x) for x in str(value).split("\n")) + 2))
        for j, (_, _, kind) in enumerate(columns):
            sheet.set_column(j, j, EXPLANATION_WIDTH if kind == "wrap" else widths[j])
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(1, len(rows)), len(columns) - 1)

    def summary(self, name: str) -> None:
        """Pack, dates, input accounting, and obligations per rule and status."""
        view, w = self.view, words(self.view.lang)
        sheet = self.book.add_worksheet(name)
        facts: list[tuple[str, Any]] = [(w["pack"], f"{view.pack_id} — {view.pack_title}"), (w["as_of"], view.as_of)]
        if view.known_at:
            facts.append((w["known_at"], view.known_at))
        facts += [(w[k], view.input.get(k, 0)) for k in ("read", "used", "ignored", "duplicates", "rejected")]
        by_status = Counter(r["status"] for r in view.obligations)
        judged = by_status["met"] + by_status["met_late"] + by_status["overdue"]
        for i, (label, value) in enumerate(facts):
            sheet.write_string(i, 0, label, self.head)
            if isinstance(value, dt.date):
                sheet.write_datetime(i, 1, dt.datetime.combine(value, dt.time()), self.date)
            elif isinstance(value, int):
                sheet.write_number(i, 1, value, self.number)
            else:
                sheet.write_string(i, 1, value)
        row = len(facts)
        sheet.write_string(row, 0, w["on_time_share"], self.head)
        if judged:
            sheet.write_number(row, 1, by_status["met"] / judged, self.percent)
        top = row + 2
        heads = [w["rule"], w["rule_id"], *(w[s] for s in STATUSES), w["total"]]
        for j, head in enumerate(heads):
            sheet.write_string(top, j, head, self.head)
        counts: dict[str, Counter[str]] = {}
        for r in view.obligations:
            counts.setdefault(r["rule"], Counter())[r["status"]] += 1
        rules = [r for r in view.rules if r in counts] + sorted(set(counts) - set(view.rules))
        for i, rule in enumerate(rules, start=top + 1):
            sheet.write_string(i, 0, view.rule_title(rule), self.wrap)
            sheet.write_string(i, 1, rule)
            for j, status in enumerate(STATUSES, start=2):
                sheet.write_number(i, j, counts[rule][status], self.number)
            sheet.write_number(i, len(heads) - 1, sum(counts[rule].values()), self.number)
        sheet.set_column(0, 0, MAX_WIDTH)
        sheet.set_column(1, 1, max(24, *(len(r) + 2 for r in rules)) if rules else 24)
        sheet.set_column(2, len(heads) - 1, 15)
        sheet.freeze_panes(top + 1, 0)
        sheet.autofilter(top, 0, top + max(1, len(rules)), len(heads) - 1)

    def close(self) -> None:
        """Write the workbook to its target."""
        self.book.close()


def write_workbook(view: ReportView, out: IO[bytes]) -> None:
    """The five sheets of *view* as an .xlsx file written to *out*."""
    names = _SHEETS["vi" if view.lang == "vi" else "en"]
    buffer = io.BytesIO()
    book = _Book(buffer, view)
    book.summary(names[0])
    late: Column = ("days_late", lambda r: days_late(r, view.as_of), "number")
    left: Column = ("days_left", lambda r: (_date(r["due"]) - view.as_of).days if r["due"] else None, "number")  # type: ignore[operator]
    book.table(names[1], _columns(view, [late]), view.violations())
    upcoming = sorted(
        (r for r in view.obligations if r["status"] == "open" and r["due"]), key=lambda r: (r["due"], r["agency"], r["rule"])
    )
    book.table(names[2], _columns(view, [left]), upcoming)
    book.table(names[3], _columns(view, [late]), view.obligations)
    rejected: list[Column] = [
        ("file", lambda r: r["file"], "text"),
        ("line", lambda r: r["line"], "number"),
        ("field", lambda r: r["field"], "text"),
        ("reason", lambda r: r["reason"], "text"),
        ("raw", lambda r: r["raw"], "wrap"),
    ]
    book.table(names[4], rejected, view.rejected)
    book.close()
    out.write(buffer.getvalue())


def _check(report: Any, out: IO[bytes], context: Context) -> None:
    write_workbook(from_report(report, context.names_pack(), context.agencies, context.lang), out)


def _batch(view: ReportView, folder: Path, context: Context) -> list[Path]:
    require(WRITER)
    target = folder / "report.xlsx"
    with atomic_file(target, binary=True) as out:
        write_workbook(view, out)
    return [target]


WRITER = Writer(
    name="xlsx",
    extension="xlsx",
    binary=True,
    needs_names=True,
    kinds={"check": _check},
    batch=_batch,
    default_lang="vi",
    requires={"xlsxwriter": "hanchot[reports]"},
    description="an Excel workbook: summary, violations, upcoming, obligations, rejected lines",
)
