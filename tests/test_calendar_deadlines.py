"""Deadlines under the Civil Code 2015 (Arts. 147-148) and their explanations."""

from __future__ import annotations

from datetime import date

import pytest

from hanchot.calendar import (
    CountingRules,
    Deadline,
    Duration,
    Roll,
    WorkingCalendar,
    due_date,
    roll_date,
)
from hanchot.errors import CalendarError

CAL = WorkingCalendar.vietnam()


def due(start: str, duration: str, **rules: object) -> Deadline:
    return due_date(
        date.fromisoformat(start), Duration.parse(duration), CAL, CountingRules(**rules)
    )  # type: ignore[arg-type]


def step_dates(deadline: Deadline) -> list[date]:
    return [step.date for step in deadline.steps]


def test_domain_example_legal_update_within_3_months() -> None:
    """In force 31/01/2025, "within 3 months": 30/04 (clamped from 31/04), 30/04-04/05 off → 05/05/2025 (Arts. 147-148, domain.md)."""
    deadline = due("2025-01-31", "3 months")
    assert deadline.due == date(2025, 5, 5)
    text = [step.format() for step in deadline.steps]
    assert any("31/04/2025 does not exist" in line for line in text)
    assert "30/04/2025: Liberation Day/Reunification Day → not a working day" in text
    assert "01/05/2025: International Labor Day → not a working day" in text
    assert any(line.startswith("02/05/2025: Swapped day off") for line in text)
    assert text[-1] == "05/05/2025: next working day → due (Civil Code Art. 148(5))"


def test_2026_new_year_swap_delays_a_3_month_period() -> None:
    """02/10/2025 + 3 tháng ends on 02/01/2026, a swapped day off, so it rolls to Monday 05/01/2026 (Art. 148(5), Công văn 12729/VPCP-KGVX)."""
    deadline = due("2025-10-02", "3 tháng")
    assert deadline.due == date(2026, 1, 5)
    assert date(2026, 1, 2) in step_dates(deadline)
    assert "hoán đổi" in deadline.steps[2].reason.vi


def test_clamped_then_rolled() -> None:
    """30/11/2025 + 3 months: 30/02/2026 does not exist → 28/02 (Art. 148(3)), a Saturday → 02/03/2026 (Art. 148(5))."""
    deadline = due("2025-11-30", "3 months")
    assert deadline.due == date(2026, 3, 2)
    clamp = deadline.steps[1]
    assert clamp.date == date(2026, 2, 28) and "30/02/2026 does not exist" in clamp.reason.en
    assert "không có" in clamp.reason.vi
    assert deadline.steps[2].reason.en == "weekly rest day (Saturday) → not a working day"


def test_working_days_count_over_new_year() -> None:
    """10 working days from 31/12/2024 skip New Year's Day 01/01/2025 and the weekends → 15/01/2025."""
    deadline = due("2024-12-31", "10 working days")
    assert deadline.due == date(2025, 1, 15)
    assert deadline.steps[1].date == date(2025, 1, 1)
    assert "not counted" in deadline.steps[1].reason.en
    assert "10th working day after 31/12/2024" in deadline.steps[-2].reason.en


def test_days_and_weeks_do_not_count_the_first_day() -> None:
    """10 days from Monday 02/06/2025 end on Thursday 12/06/2025; 2 weeks on Monday 16/06 (Art. 147)."""
    assert due("2025-06-02", "10 days").due == date(2025, 6, 12)
    assert due("2025-06-02", "2 weeks").due == date(2025, 6, 16)


def test_year_from_29_february_is_clamped() -> None:
    """One year from 29/02/2024 ends on 28/02/2025, the clamp recorded (Art. 148(4))."""
    deadline = due("2024-02-29", "1 year")
    assert deadline.due == date(2025, 2, 28)
    assert "29/02/2025 does not exist" in deadline.steps[1].reason.en


def test_count_first_day_shortens_by_one_day() -> None:
    """Counting the event day as day 1: 1 month from 01/03/2025 ends 31/03; 10 days from 02/06 on 11/06."""
    assert due("2025-03-03", "1 month", count_first_day=True).due == date(2025, 4, 2)
    assert due("2025-03-01", "1 month", count_first_day=True, roll="none").due == date(2025, 3, 31)
    assert due("2025-06-02", "10 days", count_first_day=True).due == date(2025, 6, 11)
    # A working day start is the first working day counted.
    assert due("2025-06-02", "1 working day", count_first_day=True).due == date(2025, 6, 2)
    assert "count_first_day" in due("2025-06-02", "1 day", count_first_day=True).steps[0].reason.en


def test_roll_policies() -> None:
    """roll=preceding goes back to the last working day; roll=none keeps the day and says so."""
    back = due("2025-01-31", "3 months", roll=Roll.PRECEDING)
    assert back.due == date(2025, 4, 29)
    assert back.steps[-1].reason.en == "previous working day → due (roll=preceding)"
    keep = due("2025-01-31", "3 months", roll="none")
    assert keep.due == date(2025, 4, 30)
    assert "roll=none" in keep.steps[-1].reason.en


def test_roll_date_explains_a_fixed_date() -> None:
    """A plan date "before 30/04/2026" (Lào Cai 000 §II.6) falls on a holiday: each roll explains itself."""
    fixed = roll_date(
        date(2026, 4, 30),
        CAL,
        Roll.FOLLOWING,
        label_vi="trước 30/04/2026",
        label_en="before 30/04/2026",
    )
    assert fixed.start is None and fixed.duration is None
    assert fixed.due == date(2026, 5, 4)
    assert fixed.steps[0].reason.vi == "trước 30/04/2026"
    assert roll_date(date(2026, 4, 30), CAL, Roll.PRECEDING).due == date(2026, 4, 29)
    assert (
        roll_date(date(2026, 6, 30), CAL, Roll.FOLLOWING).steps[-1].reason.en
        == "a working day → due"
    )


def test_to_dict_shape() -> None:
    """to_dict gives ISO dates, the canonical duration and the steps in the chosen language."""
    data = due("2025-01-31", "3 tháng").to_dict("vi")
    assert list(data) == ["start", "duration", "due", "steps"]
    assert (
        data["start"] == "2025-01-31"
        and data["duration"] == "3 months"
        and data["due"] == "2025-05-05"
    )
    assert data["steps"][0] == {  # type: ignore[index]
        "date": "2025-01-31",
        "reason": "ngày xảy ra sự kiện, không tính; thời hạn bắt đầu từ ngày tiếp theo (Điều 147 BLDS 2015)",
    }


def test_bad_rules_and_overflow() -> None:
    """An unknown roll and a due date past year 9999 are CalendarErrors."""
    with pytest.raises(CalendarError, match="following, preceding, none"):
        CountingRules(roll="next")  # type: ignore[arg-type]
    with pytest.raises(CalendarError):
        due("9999-12-01", "3 months")
    with pytest.raises(CalendarError):
        due("9999-12-01", "60 days")


@pytest.mark.parametrize(
    ("start", "duration", "clause"),
    [
        ("2025-06-02", "10 days", "148(1)"),  # in days: ends at the end of the last day
        ("2025-06-02", "2 weeks", "148(2)"),  # in weeks: the corresponding day of the last week
        ("2025-01-31", "3 months", "148(3)"),  # in months: corresponding day, or the month's last
        ("2024-02-29", "1 year", "148(4)"),  # in years: corresponding day and month
    ],
)
def test_each_step_cites_the_clause_of_article_148_it_applies(start: str, duration: str, clause: str) -> None:
    """Civil Code 2015 Art. 148: (1) days, (2) weeks, (3) months, (4) years, (5) the roll to the
    next working day ("thời hạn kết thúc vào ngày làm việc tiếp theo ngày nghỉ đó")."""
    deadline = due(start, duration)
    assert f"(Civil Code Art. {clause})" in deadline.steps[1].reason.en
    khoan = clause[4]
    assert f"Điều 148 khoản {khoan} BLDS 2015" in deadline.steps[1].reason.vi
    rolled = due("2025-01-31", "3 months").steps[-1]
    assert rolled.reason.en.endswith("(Civil Code Art. 148(5))")
    assert rolled.reason.vi.endswith("(Điều 148 khoản 5 BLDS 2015)")
