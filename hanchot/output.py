"""Write a :class:`~hanchot.obligations.model.Report` as JSON or CSV.

JSON and CSV are byte-for-byte deterministic for the same report. The formats
people read (terminal table, HTML, workbook, calendar) are in :mod:`hanchot.writers`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from hanchot.obligations.model import Obligation, Report

CSV_FIELDS = ("agency", "rule", "period", "trigger", "opens", "due", "status", "satisfied_by", "basis", "explanation")


def write_json(report: Report, out: TextIO, lang: str = "en") -> None:
    """The report as one JSON document (sorted, UTF-8, indented)."""
    json.dump(report.to_dict(lang), out, ensure_ascii=False, indent=2)
    out.write("\n")


def obligation_row(obligation: Obligation, lang: str = "en") -> dict[str, str]:
    """One obligation as a flat CSV row."""
    data = obligation.to_dict(lang)
    row = {k: "" if data[k] is None else str(data[k]) for k in CSV_FIELDS if k not in ("satisfied_by", "explanation")}
    row["satisfied_by"] = ";".join(obligation.satisfied_by)
    row["explanation"] = " | ".join(data["explanation"])
    return row


def write_csv(obligations: Iterable[Obligation], out: TextIO, lang: str = "en") -> None:
    """Obligations as CSV with a header row."""
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for obligation in obligations:
        writer.writerow(obligation_row(obligation, lang))
