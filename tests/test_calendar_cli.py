"""The ``hanchot due`` and ``hanchot calendar`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hanchot.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_due_domain_example_text(capsys: pytest.CaptureFixture[str]) -> None:
    """`hanchot due 2025-01-31 "3 months"` → 05/05/2025, naming 30/04, 01/05 and the swapped 02/05 (Arts. 147-148)."""
    code, out, _ = run(capsys, "due", "2025-01-31", "3 months")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Due: 05/05/2025 (2025-05-05)"
    assert any(line.strip().startswith("30/04/2025: Liberation Day") for line in lines)
    assert any(line.strip().startswith("01/05/2025: International Labor Day") for line in lines)
    assert any(line.strip().startswith("02/05/2025: Swapped day off") for line in lines)


def test_due_json(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json prints exactly start, duration, due and the steps with ISO dates."""
    code, out, _ = run(capsys, "due", "2025-10-02", "3 tháng", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["start", "duration", "due", "steps"]
    assert (data["start"], data["duration"], data["due"]) == (
        "2025-10-02",
        "3 months",
        "2026-01-05",
    )
    assert {
        "date": "2026-01-05",
        "reason": "next working day → due (Civil Code Art. 148(5))",
    } in data["steps"]
    assert all(set(step) == {"date", "reason"} for step in data["steps"])


def test_due_clamp_and_working_days(capsys: pytest.CaptureFixture[str]) -> None:
    """30/11/2025 + 3 months rolls from Saturday 28/02/2026 to 02/03; 10 working days from 31/12/2024 → 15/01/2025."""
    assert (
        json.loads(run(capsys, "due", "2025-11-30", "3 months", "--format", "json")[1])["due"]
        == "2026-03-02"
    )
    data = json.loads(run(capsys, "due", "2024-12-31", "10 working days", "--format", "json")[1])
    assert data["due"] == "2025-01-15"
    assert any(step["date"] == "2025-01-01" for step in data["steps"])


def test_due_options(capsys: pytest.CaptureFixture[str]) -> None:
    """--roll, --count-first-day and --lang change the reading and the language of the steps."""
    code, out, _ = run(
        capsys, "due", "2025-01-31", "3 months", "--roll", "preceding", "--lang", "vi"
    )
    assert code == 0 and out.startswith("Hạn chót: 29/04/2025")
    out = run(capsys, "due", "2025-06-02", "10 days", "--count-first-day", "--format", "json")[1]
    assert json.loads(out)["due"] == "2025-06-11"


def test_due_with_user_calendar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A --calendar file declaring 05/05/2025 off pushes the domain example to 06/05/2025."""
    path = tmp_path / "mine.csv"
    path.write_text(
        "date,status,name_vi,name_en,source\n2025-05-05,off,Nghỉ thử,Test day off,QĐ 1\n",
        encoding="utf-8",
    )
    out = run(capsys, "due", "2025-01-31", "3 months", "--calendar", str(path), "--format", "json")[
        1
    ]
    assert json.loads(out)["due"] == "2025-05-06"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["due", "2025-01-31", "3 moths"], "argument DURATION: expected one of"),
        (["due", "2025-02-30", "3 months"], "argument DATE: expected YYYY-MM-DD"),
        (["due", "2025-01-31", "3 months", "--roll", "next"], "argument --roll: invalid choice"),
        (
            ["due", "2025-01-31", "3 months", "--calendar", "/nowhere.csv"],
            "argument --calendar: /nowhere.csv",
        ),
        (["due", "2025-01-31"], "DURATION"),
        (["calendar", "twenty"], "argument YEAR: expected a year"),
        (["due", "9999-12-01", "3 months"], "expected a result in years 1 to 9999"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    """Bad arguments give one error line naming the argument and exit with code 2."""
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("hanchot: error: ") and err.count("\n") == 1
    assert words in err


def test_calendar_text(capsys: pytest.CaptureFixture[str]) -> None:
    """`hanchot calendar 2026` lists the New Year swap with its source and the make-up Saturday."""
    code, out, _ = run(capsys, "calendar", "2026")
    assert code == 0
    assert any(
        line.startswith("2026-01-02  Fri  off") and "12729/VPCP-KGVX" in line
        for line in out.splitlines()
    )
    assert any(line.startswith("2026-01-10  Sat  working") for line in out.splitlines())


def test_calendar_json(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json gives each day with its date, weekday, status, names and source."""
    data = json.loads(run(capsys, "calendar", "2025", "--format", "json")[1])
    assert data["year"] == 2025
    days = {day["date"]: day for day in data["days"]}
    assert days["2025-04-26"]["working"] is True and days["2025-04-26"]["weekday"] == "Sat"
    assert days["2025-05-02"]["working"] is False and days["2025-05-02"]["source"]
    assert set(days["2025-05-02"]) == {"date", "weekday", "working", "name_vi", "name_en", "source"}


def test_due_one_month_from_24_10_2026_is_24_11_2026(capsys: pytest.CaptureFixture[str]) -> None:
    """`hanchot due 2026-10-24 "1 month"` → Tuesday 24/11/2026, a working day: Vietnam Culture
    Day is not an enacted day off (issue 9, finding 4), so nothing rolls (Art. 148(3), 148(5))."""
    code, out, _ = run(capsys, "due", "2026-10-24", "1 month")
    assert code == 0
    assert out.splitlines()[0] == "Due: 24/11/2026 (2026-11-24)"


def test_calendar_says_where_the_shipped_data_departs_from_holidays(capsys: pytest.CaptureFixture[str]) -> None:
    """`hanchot calendar 2026` ends with the days the shipped file decides against `holidays`."""
    code, out, _ = run(capsys, "calendar", "2026")
    assert code == 0
    tail = out.split("Where the shipped data departs from the holidays package in 2026:")[1].splitlines()
    assert any(line.startswith("2026-11-24  Tue  holidays: off (Vietnam Cultural Day); shipped: working") for line in tail)
    assert any(line.startswith("2026-01-02  Fri  holidays: a working day; shipped: off") for line in tail)
    data = json.loads(run(capsys, "calendar", "2026", "--format", "json")[1])
    moved = {d["date"]: d for d in data["departures_from_holidays"]}
    assert moved["2026-11-24"]["holidays"] == {"working": False, "name": "Vietnam Cultural Day"}
    assert moved["2026-11-24"]["shipped"]["working"] is True
    assert "follows the holidays package" in run(capsys, "calendar", "2024")[1]


@pytest.mark.parametrize(("reading", "due"), [("working", "22/08/2026"), ("rest", "24/08/2026")])
def test_make_up_saturday_is_a_named_reading(capsys: pytest.CaptureFixture[str], reading: str, due: str) -> None:
    """22/07/2026 + 1 month ends on Saturday 22/08/2026, a make-up day: by default a working day
    (due that Saturday); read as a rest day, Art. 148(5) rolls it to Monday 24/08 (finding 9)."""
    code, out, _ = run(capsys, "due", "2026-07-22", "1 month", "--make-up-saturdays", reading)
    assert code == 0
    assert out.splitlines()[0].startswith(f"Due: {due}")
    assert f"make_up_saturdays={reading}" in out
