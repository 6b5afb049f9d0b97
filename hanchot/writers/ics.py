"""Calendar reminders (RFC 5545, via the icalendar library): one all-day event per unmet dated duty.

Why all-day VEVENTs and not VTODOs: Google Calendar ignores VTODO entirely and
Outlook imports it as a task outside the calendar, while an all-day event shows
on the due date in every calendar application, on phones too, and its alarms
ring everywhere. Each event has two alarms, at 09:00 seven days and one day
before the due date. Its UID is derived from the duty's identity (rule, agency,
period, trigger — :attr:`Obligation.key`), so re-importing a newer file, or a
subscribed calendar, updates the event instead of duplicating it; a duty that
is met is not in the next file, so a subscription drops it.

Unmet means ``open`` (not yet due) and ``overdue`` (still to be done, now late).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from hanchot.writers import Context, Writer, atomic_file, require
from hanchot.writers.view import ReportView, Row, from_report
from hanchot.writers.words import day_month_year, words

UNMET = ("open", "overdue")
ALARMS = (dt.timedelta(days=-6, hours=-15), dt.timedelta(hours=-15))
"""09:00 seven days before and one day before the all-day event (which starts at 00:00 of the due date)."""
_PRODID = "-//hanchot//QMS deadlines//VI"


def row_key(row: Row) -> tuple[str, str, str, str]:
    """A row's duty identity, as :attr:`Obligation.key` gives it (rule, agency, period, trigger)."""
    return (row["rule"], row["agency"], row["period"] or "", row["trigger"] or "")


def uid(key: Sequence[str]) -> str:
    """A UID stable across runs and machines: a digest of the duty's identity."""
    return hashlib.sha256("\x1f".join(key).encode()).hexdigest()[:40] + "@hanchot"


def dated_unmet(rows: Iterable[Row]) -> list[Row]:
    """The rows a calendar shows: not met, with a due date; by due date."""
    return sorted((r for r in rows if r["status"] in UNMET and r["due"]), key=lambda r: (r["due"], *row_key(r)))


def calendar_bytes(view: ReportView, rows: Sequence[Row], name: str) -> bytes:
    """An iCalendar file of *rows* (already chosen by :func:`dated_unmet`)."""
    import icalendar  # type: ignore[import-untyped,unused-ignore]  # an optional extra (WRITER.requires)

    w = words(view.lang)
    cal = icalendar.Calendar()
    cal.add("prodid", _PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = dt.datetime.combine(view.as_of, dt.time(), tzinfo=dt.UTC)
    for row in rows:
        due = dt.date.fromisoformat(row["due"])
        title = view.rule_title(row["rule"])
        what = row["period"] or ""
        summary = f"{title} — {view.agency_name(row['agency'])}" + (f" ({what})" if what else "")
        if row["status"] == "overdue":
            summary = f"[{w['overdue'].upper()}] {summary}"
        event = icalendar.Event()
        event.add("uid", uid(row_key(row)))
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + dt.timedelta(days=1))
        event.add("summary", summary)
        # The explanation's second line is the legal basis ("Căn cứ: ...").
        event.add("description", "\n".join([f"{w['due']}: {day_month_year(due)}", "", *row["explanation"]]))
        event.add("categories", [row["rule"]])
        event.add("transp", "TRANSPARENT")
        for trigger in ALARMS:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", w["reminder"].format(title=summary))
            alarm.add("trigger", trigger)
            event.add_component(alarm)
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def _check(report: Any, out: IO[bytes], context: Context) -> None:
    view = from_report(report, context.names_pack(), context.agencies, context.lang)
    out.write(calendar_bytes(view, dated_unmet(view.obligations), f"HTQLCL — {view.pack_id}"))


def _batch(view: ReportView, folder: Path, context: Context) -> list[Path]:
    """One calendar per agency of the list, empty when nothing is due, so subscriptions drop met duties."""
    require(WRITER)
    by_agency: dict[str, list[Row]] = {a: [] for a in view.agencies}
    for row in dated_unmet(view.obligations):
        by_agency.setdefault(row["agency"], []).append(row)
    written = []
    for agency, rows in sorted(by_agency.items()):
        target = folder / "calendars" / f"{agency}.ics"
        with atomic_file(target, binary=True) as out:
            out.write(calendar_bytes(view, rows, f"HTQLCL — {view.agency_name(agency)}"))
        written.append(target)
    return written


WRITER = Writer(
    name="ics",
    extension="ics",
    binary=True,
    needs_names=True,
    kinds={"check": _check},
    batch=_batch,
    default_lang="vi",
    requires={"icalendar": "hanchot[reports]"},
    description="calendar reminders (iCalendar): one all-day event per unmet duty, alarms 7 days and 1 day before",
)
