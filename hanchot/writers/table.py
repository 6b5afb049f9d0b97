"""The terminal table: what a person reads at an 80-column terminal.

Nothing is cut silently: text that does not fit ends with an ellipsis, columns
are always separated by a space, and an identifier is never cut — the table
prefers a name or title when it fits and falls back to the unambiguous id.
Violations and upcoming duties are grouped under each agency's full name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from hanchot.writers import Context, Writer
from hanchot.writers.columns import Column, Table
from hanchot.writers.view import ReportView, Row, days_late, from_report
from hanchot.writers.words import STATUSES, WIDTH, cut, day_month_year, fitting, words

if TYPE_CHECKING:
    from hanchot.inputs import Agency
    from hanchot.obligations.model import Report
    from hanchot.rules.model import RulePack

_SHORT = {  # status headings short enough for a count column
    "vi": {"overdue": "quá hạn", "met_late": "muộn", "open": "đang mở", "met": "đúng hạn", "not_applicable": "k.áp dụng"},
    "en": {"overdue": "overdue", "met_late": "late", "open": "open", "met": "met", "not_applicable": "n/a"},
}
_TEXT = {
    "vi": {
        "title": "Nghĩa vụ theo {pack} tính đến {as_of}",
        "input": "Sự kiện đã đọc {read}: dùng {used}, bỏ qua {ignored}, trùng {duplicates}, xung đột {conflicts}, bị loại {rejected}",
        "summary": "Tổng hợp theo quy định (mã quy định, dòng dưới: tên)",
        "violations": "Vi phạm ({n})",
        "upcoming": "Đang mở, có hạn ({n})",
        "late": "Trễ",
        "rejected": "Dòng dữ liệu bị loại ({n})",
        "conflicts": "Sự kiện khác nhau cùng mã ({n})",
        "differ": "mã {id!r}: {kept} và {other} khác nhau",
        "both": "cả hai được tính, mỗi bản cho cơ quan của nó",
        "kept": "bản đầu được tính",
    },
    "en": {
        "title": "Obligations under {pack} as of {as_of}",
        "input": "Events read {read}: used {used}, ignored {ignored}, duplicates {duplicates}, conflicts {conflicts}, rejected {rejected}",
        "summary": "Summary by rule (rule id; below it, its title)",
        "violations": "Violations ({n})",
        "upcoming": "Open, with due date ({n})",
        "late": "Late",
        "rejected": "Rejected input lines ({n})",
        "conflicts": "Different events under one id ({n})",
        "differ": "id {id!r}: {kept} and {other} differ",
        "both": "both count, each for its own agency",
        "kept": "the first counts",
    },
}


def write_table(
    report: Report, pack: RulePack, out: TextIO, lang: str = "en", limit: int = 40,
    agencies: Mapping[str, Agency] | None = None,
) -> None:
    """The check report (a :class:`~hanchot.obligations.model.Report`) as an 80-column table."""
    write_view(from_report(report, pack, agencies or {}, lang), out, limit)


def write_view(view: ReportView, out: TextIO, limit: int = 40) -> None:
    """A :class:`ReportView` as an 80-column table: summary, violations, upcoming, rejected."""
    t, w = _TEXT[view.lang], words(view.lang)
    out.write(cut(t["title"].format(pack=view.pack_id, as_of=day_month_year(view.as_of)), WIDTH) + "\n")
    out.write(cut(view.pack_title, WIDTH) + "\n")
    out.write(cut(t["input"].format(**view.input), WIDTH) + "\n\n")
    _summary(view, out)
    violations = view.violations()
    upcoming = sorted(
        (r for r in view.obligations if r["status"] == "open" and r["due"]), key=lambda r: (r["due"], r["rule"])
    )
    _grouped(view, out, t["violations"].format(n=len(violations)), violations, limit)
    _grouped(view, out, t["upcoming"].format(n=len(upcoming)), upcoming, limit)
    if view.rejected:
        out.write("\n" + t["rejected"].format(n=len(view.rejected)) + "\n")
        for r in view.rejected[:limit]:
            out.write(cut(f"{r['file']}:{r['line']}: {r['field']}", WIDTH - 1) + "\n")
            out.write("  " + cut(r["reason"], WIDTH - 3) + "\n")
        if len(view.rejected) > limit:
            out.write(w["more"].format(n=len(view.rejected) - limit) + "\n")
    if view.conflicts:
        out.write("\n" + t["conflicts"].format(n=len(view.conflicts)) + "\n")
        for c in view.conflicts[:limit]:
            out.write(cut(t["differ"].format(**c), WIDTH - 1) + "\n")
            out.write("  " + cut(t[c["counts"]], WIDTH - 3) + "\n")
        if len(view.conflicts) > limit:
            out.write(w["more"].format(n=len(view.conflicts) - limit) + "\n")


def _summary(view: ReportView, out: TextIO) -> None:
    short = _SHORT[view.lang]
    widths = [max(len(short[s]), 5) + 1 for s in STATUSES]
    rule_width = WIDTH - sum(widths) - 1
    out.write(_TEXT[view.lang]["summary"] + "\n")
    table = Table([Column(words(view.lang)["rule"], rule_width), *(Column(short[s], n, ">") for s, n in zip(STATUSES, widths, strict=True))])
    out.write(table.head())  # WIDTH - 1 wide
    counts: dict[str, Counter[str]] = {}
    for row in view.obligations:
        counts.setdefault(row["rule"], Counter())[row["status"]] += 1
    for rule in [*view.rules, *sorted(set(counts) - set(view.rules))]:
        if rule in counts:
            label = rule
            if len(rule) > rule_width - 1:  # an id is never cut: on a line of its own, the counts below
                out.write(rule + "\n")
                label = ""
            out.write(table.row(label, *(counts[rule][s] for s in STATUSES)))
            if view.rule_title(rule) != rule:
                out.write("  " + cut(view.rule_title(rule), WIDTH - 3) + "\n")


def _grouped(view: ReportView, out: TextIO, heading: str, rows: Sequence[Row], limit: int) -> None:
    """Rows under the full name of each agency, in agency order; at most *limit* rows."""
    w, short, late = words(view.lang), _SHORT[view.lang], _TEXT[view.lang]["late"]
    out.write(f"\n{heading}\n")
    if not rows:
        out.write(w["none"] + "\n")
        return
    status_width = max(len(short[s]) for s in STATUSES)
    rule_width = WIDTH - 1 - 2 - 16 - 11 - 6 - 1 - status_width
    table = Table([Column(w["rule"], rule_width, before="  "), Column(w["period"], 15, before=" "), Column(w["due"], 10, before=" "),
                   Column(late, 5, ">", before=" "), Column(w["status"], before=" ")])  # fmt: skip
    out.write(table.head(rule=False).rstrip() + "\n" + "-" * (WIDTH - 1) + "\n")
    by_agency: dict[str, list[Row]] = {}
    for row in rows[:limit]:
        by_agency.setdefault(row["agency"], []).append(row)
    for agency in sorted(by_agency):
        out.write(agency_heading(view.agency_name(agency), agency) + "\n")
        for row in by_agency[agency]:
            rule = fitting(view.rule_title(row["rule"]), row["rule"], rule_width)
            what = row["period"] or row["trigger"] or row["opens"]
            # Identifiers are never cut: one too long for its column takes a line of its own
            # and the row continues below it, with that cell empty.
            if len(rule) > rule_width:
                out.write(f"  {rule}\n")
                rule = ""
            if len(what) > 15:
                indent = 2 + rule_width + 1 if 2 + rule_width + 1 + len(what) < WIDTH else 2
                out.write(f"{'':<{indent}}{what}\n")
                what = ""
            days = days_late(row, view.as_of)
            out.write(table.row(rule, what, day_month_year_iso(row["due"]), "" if days is None else days, short[row["status"]]))
    if len(rows) > limit:
        out.write(w["more"].format(n=len(rows) - limit) + "\n")


def agency_heading(name: str, agency: str) -> str:
    """"Name (id)" in one terminal line: the name is cut if need be, never the id."""
    if name == agency:
        return agency
    return f"{cut(name, max(8, WIDTH - 1 - len(agency) - 3))} ({agency})"


def day_month_year_iso(text: str | None) -> str:
    """An ISO date string as dd/mm/yyyy; ``-`` when absent."""
    return f"{text[8:10]}/{text[5:7]}/{text[:4]}" if text else "-"


def _check(report: Any, out: TextIO, context: Context) -> None:
    write_table(report, context.names_pack(), out, context.lang, agencies=context.agencies)


def _comparison(comparison: Any, out: TextIO, context: Context) -> None:
    from hanchot.whatif_output import write_comparison

    write_comparison(comparison, context.agencies, "table", out, context.lang)


def _sweep(sweep: Any, out: TextIO, context: Context) -> None:
    from hanchot.whatif_output import write_sweep

    write_sweep(sweep.label, sweep.values, sweep.comparisons, "table", out)


def _history(history: Any, out: TextIO, context: Context) -> None:
    from hanchot.writers.history import write_history_table

    write_history_table(history, out, context.lang)


def _replay(replayed: Any, out: TextIO, context: Context) -> None:
    from hanchot.writers.replay import write_replay_table

    write_replay_table(replayed, out)


WRITER = Writer(
    name="table",
    extension="txt",
    binary=False,
    needs_names=True,
    kinds={"check": _check, "comparison": _comparison, "sweep": _sweep, "history": _history, "replay": _replay},
    description="an 80-column table for the terminal",
)
