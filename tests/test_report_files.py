"""The workbook and the calendar, read back as the applications people use would read them."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from example_report import CHECK, EVENTS, example

from hanchot.cli import main
from hanchot.engine import Engine
from hanchot.inputs import read_events
from hanchot.writers.ics import row_key, uid
from hanchot.writers.view import from_report
from hanchot.writers.xlsx import write_workbook

icalendar = pytest.importorskip("icalendar", reason="pip install 'hanchot[reports]' (CI installs it)")
openpyxl = pytest.importorskip("openpyxl", reason="pip install 'hanchot[test]'")


def _json() -> dict:  # type: ignore[type-arg]
    """The example's JSON output (``--format json --lang vi`` writes exactly this document)."""
    data: dict = json.loads(json.dumps(example()[0].to_dict("vi")))  # type: ignore[type-arg]
    return data


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> tuple[openpyxl.Workbook, dict]:  # type: ignore[type-arg]
    """The example's workbook (Vietnamese by default) and its JSON output."""
    folder = tmp_path_factory.mktemp("xlsx")
    assert main([*CHECK, "--format", "xlsx", "--output", str(folder / "r.xlsx")]) == 1
    return openpyxl.load_workbook(folder / "r.xlsx"), _json()


def test_workbook_has_the_five_sheets_in_vietnamese(workbook: tuple[openpyxl.Workbook, dict]) -> None:  # type: ignore[type-arg]
    """Tổng hợp, Vi phạm, Sắp đến hạn, Nghĩa vụ, Bị loại."""
    assert workbook[0].sheetnames == ["Tổng hợp", "Vi phạm", "Sắp đến hạn", "Nghĩa vụ", "Bị loại"]


def test_violations_sheet_has_one_row_per_violation_with_real_dates(workbook: tuple[openpyxl.Workbook, dict]) -> None:  # type: ignore[type-arg]
    """One row per violation of the JSON output; due dates are dates shown dd/mm/yyyy; days late are numbers."""
    book, data = workbook
    sheet = book["Vi phạm"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    expected = Counter(
        (o["agency"], o["rule"], o["period"] or o["trigger"], o["due"])
        for o in data["obligations"] if o["status"] in ("overdue", "met_late")
    )
    got = Counter((r["Mã cơ quan"], r["Mã quy định"], r["Kỳ/sự kiện"], r["Hạn"].date().isoformat()) for r in rows)
    assert got == expected
    due = header.index("Hạn") + 1
    assert all(sheet.cell(i, due).number_format == "dd/mm/yyyy" for i in range(2, sheet.max_row + 1))
    late = [r["Số ngày trễ"] for r in rows if r["Trạng thái"] == "quá hạn"]
    assert late and all(isinstance(n, int) and n > 0 for n in late)


def test_sheets_have_a_frozen_header_an_autofilter_and_a_wrapped_explanation(workbook: tuple[openpyxl.Workbook, dict]) -> None:  # type: ignore[type-arg]
    """Every table sheet: header frozen, filter on, explanation wrapped; the obligations sheet holds every duty."""
    book, data = workbook
    for name in ("Vi phạm", "Sắp đến hạn", "Nghĩa vụ", "Bị loại"):
        sheet = book[name]
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    sheet = book["Nghĩa vụ"]
    assert sheet.max_row - 1 == len(data["obligations"])
    column = [c.value for c in sheet[1]].index("Giải thích") + 1
    assert sheet.cell(2, column).alignment.wrap_text
    assert book["Bị loại"].max_row - 1 == len(data["rejected"]) == 5


def test_english_sheet_names() -> None:
    """--lang en names the sheets in English."""
    report, pack, agencies = example()
    view = from_report(report, pack, agencies, "en")
    out = io.BytesIO()
    write_workbook(replace(view, obligations=view.obligations[:50]), out)
    out.seek(0)
    assert openpyxl.load_workbook(out).sheetnames == ["Summary", "Violations", "Upcoming", "Obligations", "Rejected"]


def _calendar(path: Path) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(path.read_bytes())


@pytest.fixture(scope="module")
def calendars(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's calendar from two runs of check (a.ics, b.ics), and as of a month later (later.ics)."""
    folder = tmp_path_factory.mktemp("ics")
    for name in ("a.ics", "b.ics"):
        assert main([*CHECK, "--format", "ics", "--output", str(folder / name)]) == 1
    main([*CHECK[:-1], "2026-01-31", "--format", "ics", "--output", str(folder / "later.ics")])
    return folder


def test_calendar_has_one_event_per_unmet_dated_duty_with_stable_uids(calendars: Path) -> None:
    """One all-day event per open or overdue duty with a due date; UIDs unique and identical across two runs."""
    first, second = _calendar(calendars / "a.ics"), _calendar(calendars / "b.ics")
    events = first.walk("VEVENT")
    data = _json()
    unmet = [o for o in data["obligations"] if o["status"] in ("open", "overdue") and o["due"]]
    assert len(events) == len(unmet)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert uids == [str(e["UID"]) for e in second.walk("VEVENT")]
    assert sorted(e.decoded("DTSTART") for e in events) == sorted(dt.date.fromisoformat(o["due"]) for o in unmet)


def test_calendar_events_remind_7_days_and_1_day_before_in_vietnamese(calendars: Path) -> None:
    """Each event: two display alarms (09:00 seven days and one day before), a Vietnamese summary, the basis."""
    for event in _calendar(calendars / "a.ics").walk("VEVENT"):
        start = dt.datetime.combine(event.decoded("DTSTART"), dt.time())
        rings = sorted(start + a.decoded("TRIGGER") for a in event.walk("VALARM"))
        assert rings == [start - dt.timedelta(days=7) + dt.timedelta(hours=9), start - dt.timedelta(days=1) + dt.timedelta(hours=9)]
        assert "Căn cứ: " in str(event["DESCRIPTION"])
    report, pack, agencies = example()
    summaries = {str(e["SUMMARY"]) for e in _calendar(calendars / "a.ics").walk("VEVENT")}
    periodic = [o for o in report.obligations if o.status.value == "open" and o.due and o.period]
    assert periodic
    for o in periodic:
        assert f"{pack.rule(o.rule).title.vi} — {agencies[o.agency].name} ({o.period})" in summaries


def test_a_met_duty_leaves_the_calendar_and_the_others_keep_their_uid(calendars: Path) -> None:
    """A month later the duties met meanwhile are gone; the duties still unmet keep their UID (a re-import updates)."""
    now = {str(e["UID"]): e for e in _calendar(calendars / "a.ics").walk("VEVENT")}
    after = {str(e["UID"]) for e in _calendar(calendars / "later.ics").walk("VEVENT")}
    report, _, agencies = example()
    with Engine(report.pack, agencies.values()) as engine:
        later = engine.evaluate(read_events(EVENTS), dt.date(2026, 1, 31))
    met_since = {uid(o.key) for o in later.obligations if o.status.value in ("met", "met_late")}
    assert set(now) - after and set(now) - after <= met_since
    assert set(now) & after == set(now) - met_since


def test_row_key_is_the_obligation_key() -> None:
    """The calendar's identity of a duty (from a JSON row) is Obligation.key, for every example duty."""
    report, _, _ = example()
    assert all(row_key(o.to_dict()) == o.key for o in report.obligations)
