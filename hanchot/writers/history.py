"""The run history as a result writers can show: the runs, and one run against the previous."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from hanchot.writers.columns import Column, Table
from hanchot.writers.words import WIDTH


@dataclass(frozen=True)
class HistoryView:
    """``hanchot history``: every run (oldest first) and a run's comparison with the previous one.

    *listing* asks for the list of runs alone (``--list``).
    """

    runs: Sequence[Mapping[str, Any]]
    diff: Mapping[str, Any]
    listing: bool = False
    limit: int = 40

    def to_json(self) -> Any:
        """The JSON output: the runs when listing, else the comparison."""
        return list(self.runs) if self.listing else dict(self.diff)


_TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "none": "No runs recorded yet.\n",
        "head": "Run {run} against {previous}: {violations} violations, {new} new, {resolved} resolved, {still_open} still open\n",
        "previous": "run {n}",
        "no_previous": "no previous run",
        "more": "... and {n} more (--format json or html for all)\n",
        "columns": ("Agency", "Rule", "new", "resolved"),
        "list": ("run", "started", "pack", "as of", "violations"),
    },
    "vi": {
        "none": "Chưa có lần chạy nào.\n",
        "head": "Lần chạy {run} so với {previous}: {violations} vi phạm, {new} mới, {resolved} đã khắc phục, {still_open} vẫn còn\n",
        "previous": "lần chạy {n}",
        "no_previous": "không có lần chạy trước",
        "more": "... và {n} dòng khác (--format json hoặc html để xem đủ)\n",
        "columns": ("Cơ quan", "Quy định", "mới", "đã khắc phục"),
        "list": ("lần", "bắt đầu", "bộ quy định", "tính đến", "vi phạm"),
    },
}


def write_history_table(history: HistoryView, out: TextIO, lang: str) -> None:
    """The runs, or one run's new and resolved violations per agency and rule; ids are never cut."""
    t = _TEXT["vi" if lang == "vi" else "en"]
    if history.listing:
        heads = t["list"]
        listing = Table([Column(heads[0], 5, ">"), Column(heads[1], 26, before=" "), Column(heads[2], 20, before=" "),
                         Column(heads[3], 10, before=" "), Column(heads[4], 10, ">", before=" ")])  # fmt: skip
        out.write(listing.head(rule=False))
        out.writelines(listing.row(r["run"], r["started"], r["pack"], r["as_of"], r["violations"]) for r in history.runs)
        return
    diff = history.diff
    if diff.get("run") is None:
        out.write(t["none"])
        return
    previous = t["previous"].format(n=diff["previous"]) if diff["previous"] is not None else t["no_previous"]
    out.write(t["head"].format(**{**diff, "previous": previous}))
    rows = diff["by_agency_rule"]
    if not rows:
        return
    shown = rows[: history.limit]
    agency = max([len(t["columns"][0]), *(len(r["agency"]) for r in shown)])
    new, resolved = len(t["columns"][2]) + 1, len(t["columns"][3]) + 1
    rule = max(len(t["columns"][1]), WIDTH - 1 - agency - 1 - new - resolved)
    heads = t["columns"]
    table = Table([Column(heads[0], agency), Column(heads[1], rule, ellipsis=rule - 1, before=" "),
                   Column(heads[2], new, ">"), Column(heads[3], resolved, ">")])  # fmt: skip
    out.write("\n" + table.head())
    out.writelines(table.row(r["agency"], r["rule"], r["new"], r["resolved"]) for r in shown)
    if len(rows) > history.limit:
        out.write(t["more"].format(n=len(rows) - history.limit))
