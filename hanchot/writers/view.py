"""What the reports people read are made of, whether from ``check`` or from a batch.

A :class:`ReportView` holds obligations as rows of the JSON output format
(:meth:`Obligation.to_dict`), with the names and titles to show beside the ids.
``check`` builds one from its :class:`Report`; ``batch --report`` from the files
the batch wrote (:func:`read_batch_folder`), so one writer serves both.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hanchot.inputs import Agency
    from hanchot.obligations.model import Report
    from hanchot.rules.model import RulePack

Row = dict[str, Any]
VIOLATION = frozenset({"overdue", "met_late"})


@dataclass(frozen=True)
class ReportView:
    """One evaluation, ready to be shown: rows, names, titles and input accounting."""

    pack_id: str
    pack_title: str
    as_of: dt.date
    lang: str
    obligations: Sequence[Row]
    agencies: Mapping[str, Agency]
    rules: Mapping[str, str]
    """Rule id -> title in *lang*, in the pack's order."""
    input: Mapping[str, Any]
    rejected: Sequence[Row] = ()
    conflicts: Sequence[Row] = ()
    """Different events under one id (see :class:`hanchot.inputs.lines.Conflict`)."""
    known_at: dt.date | None = None
    history: Mapping[str, Any] | None = None
    """A run's comparison with the previous one (``batch --history``), and the runs."""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def violations(self) -> list[Row]:
        """The overdue and late-met rows, in output order."""
        return [r for r in self.obligations if r["status"] in VIOLATION]

    def agency_name(self, agency_id: str) -> str:
        """The agency's name, or its id when the list gives none."""
        agency = self.agencies.get(agency_id)
        return agency.name if agency is not None and agency.name else agency_id

    def agency_level(self, agency_id: str) -> str:
        """The agency's level (``commune``, ``department``...), or ``""``."""
        agency = self.agencies.get(agency_id)
        return agency.level if agency is not None else ""

    def rule_title(self, rule_id: str) -> str:
        """The rule's title in the report's language, or its id."""
        return self.rules.get(rule_id, rule_id)


@dataclass(frozen=True)
class Sweep:
    """A what-if sweep: one comparison with the baseline per value of one parameter."""

    label: str
    values: Sequence[Any]
    comparisons: Sequence[Any]


def due(row: Row) -> dt.date:
    """The due date of a row that has one."""
    return dt.date.fromisoformat(row["due"])


def days_late(row: Row, as_of: dt.date) -> int | None:
    """Days past the due date of an overdue row, as of *as_of*; None otherwise.

    An obligation met late does not carry the date it was met (only its
    explanation says it), so its delay is read there by a person, not here.
    """
    if row["status"] != "overdue" or not row["due"]:
        return None
    return (as_of - due(row)).days


def rule_titles(pack: RulePack, lang: str) -> dict[str, str]:
    """Rule id -> title in *lang*, in the pack's order."""
    return {rule.id: rule.title.get(lang) for rule in pack.rules}


def from_report(report: Report, pack: RulePack, agencies: Mapping[str, Agency], lang: str) -> ReportView:
    """The view of a ``check`` report."""
    data = report.to_dict(lang)
    return ReportView(
        pack_id=report.pack,
        pack_title=pack.title.get(lang),
        as_of=report.as_of,
        known_at=report.known_at,
        lang=lang,
        obligations=data["obligations"],
        agencies=agencies,
        rules=rule_titles(pack, lang),
        input=data["input"],
        rejected=data["rejected"],
        conflicts=data["conflicts"],
    )


def read_batch_folder(
    folder: Path,
    summary: Mapping[str, Any],
    pack: RulePack,
    agencies: Mapping[str, Agency],
    lang: str,
) -> ReportView:
    """The view of a batch's output *folder* (obligations and rejected lines in its format)."""
    fmt = summary.get("format", "jsonl")
    history = summary.get("history")
    return ReportView(
        pack_id=summary["pack"],
        pack_title=pack.title.get(lang),
        as_of=dt.date.fromisoformat(summary["as_of"]),
        known_at=dt.date.fromisoformat(summary["known_at"]) if summary.get("known_at") else None,
        lang=lang,
        obligations=list(_rows(folder / f"obligations.{fmt}", fmt)),
        agencies=agencies,
        rules=rule_titles(pack, lang),
        input=summary.get("input", {}),
        rejected=list(_rows(folder / f"rejected.{fmt}", fmt)),
        conflicts=summary.get("conflicts", []),
        history=history,
    )


def _rows(path: Path, fmt: str) -> Iterator[Row]:
    if fmt == "parquet":
        import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

        yield from pq.read_table(path).to_pylist()
    elif fmt == "csv":
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                yield _from_csv(row)
    else:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)


def _from_csv(row: dict[str, str]) -> Row:
    """A CSV row back in the JSON shape (see :func:`hanchot.output.obligation_row`)."""
    if "rule" not in row:  # a rejected line
        return {**row, "line": int(row["line"]) if row.get("line") else None}
    out: Row = {k: (v or None) for k, v in row.items()}
    out["satisfied_by"] = row["satisfied_by"].split(";") if row["satisfied_by"] else []
    out["explanation"] = row["explanation"].split(" | ") if row["explanation"] else []
    return out
