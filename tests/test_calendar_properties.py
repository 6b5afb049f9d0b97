"""Properties of deadlines and working-day arithmetic over 2000-2100 (hypothesis)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import dates, durations, month_durations, working_day_counts

from hanchot.calendar import CountingRules, Duration, DurationUnit, Roll, WorkingCalendar, due_date
from hanchot.calendar._gregorian import days_in_month, shift_month

# One calendar for the module: its per-year cache is what keeps these tests fast.
CAL = WorkingCalendar.vietnam()
FAST = settings(max_examples=300, deadline=None)
NO_ROLL = CountingRules(roll=Roll.NONE)


@FAST
@given(dates(), durations(), st.booleans())
def test_following_roll_always_lands_on_a_working_day(
    start: date, duration: Duration, first: bool
) -> None:
    """With roll=following the due date is a working day (Civil Code Art. 148(5)), and no date raises."""
    deadline = due_date(start, duration, CAL, CountingRules(count_first_day=first))
    assert CAL.is_working_day(deadline.due)
    assert deadline.steps[-1].date == deadline.due
    assert deadline.due >= start


@FAST
@given(dates(), durations(), st.integers(1, 400), st.sampled_from(list(Roll)))
def test_due_dates_never_decrease_with_the_start(
    start: date, duration: Duration, later: int, roll: Roll
) -> None:
    """A later event never gives an earlier due date, whatever the roll policy."""
    rules = CountingRules(roll=roll)
    after = date.fromordinal(start.toordinal() + later)
    assert due_date(start, duration, CAL, rules).due <= due_date(after, duration, CAL, rules).due


@FAST
@given(dates(), month_durations())
def test_month_periods_end_in_the_corresponding_month(start: date, duration: Duration) -> None:
    """Before rolling, a period of months or years ends in the corresponding month, on its day or the month's last (Art. 148(3)/(4))."""
    months = duration.amount * (12 if duration.unit is DurationUnit.YEARS else 1)
    last = due_date(start, duration, CAL, NO_ROLL).due
    assert (last.year, last.month) == shift_month(start.year, start.month, months)
    assert last.day == start.day or (
        last.day < start.day and last.day == days_in_month(last.year, last.month)
    )


@FAST
@given(dates(), working_day_counts())
def test_add_then_count_back(start: date, n: int) -> None:
    """Adding N working days then counting the working days in (start, result] gives N back."""
    end = CAL.add_working_days(start, n)
    if n > 0:
        assert CAL.count_working_days(start, end) == n and CAL.is_working_day(end)
    elif n < 0:
        assert CAL.count_working_days(end, start) == -n - 1 + CAL.is_working_day(start)
        assert CAL.is_working_day(end)
    else:
        assert end == start


@settings(max_examples=100, deadline=None)
@given(dates(max_value=date(2100, 12, 31)), st.integers(1, 30))
def test_next_and_previous_are_inverse_on_working_days(start: date, n: int) -> None:
    """Stepping N working days forward then N back returns to a working start day."""
    if CAL.is_working_day(start):
        assert CAL.add_working_days(CAL.add_working_days(start, n), -n) == start
