"""The working calendar of Vietnamese state agencies and legal time counting.

- :class:`WorkingCalendar`: working days (weekends, holidays, day swaps, overrides);
- :class:`Duration`: "3 months", "15 ngày làm việc", "P2W";
- :func:`due_date` / :func:`roll_date`: deadlines under the Civil Code 2015
  (Arts. 147–148), each with its explanation (:class:`Deadline`, :class:`Step`);
- :class:`Period`, :func:`month_point`, :func:`year_point`: reporting periods and
  Art. 146 points in time;
- :func:`to_local_date`: timestamps to dates in Asia/Ho_Chi_Minh.

This package knows nothing of rules or I/O.
"""

from hanchot.calendar._fmt import dmy_as_written
from hanchot.calendar.deadlines import (
    CountingRules,
    Deadline,
    MakeUpSaturdays,
    Roll,
    due_date,
    roll_date,
)
from hanchot.calendar.durations import Duration, DurationUnit
from hanchot.calendar.localtime import to_local_date
from hanchot.calendar.overrides import DayOverride, load_overrides
from hanchot.calendar.periods import Period, PeriodKind, month_point, year_point
from hanchot.calendar.steps import Step
from hanchot.calendar.workcal import WorkingCalendar

__all__ = [
    "CountingRules",
    "DayOverride",
    "Deadline",
    "Duration",
    "DurationUnit",
    "MakeUpSaturdays",
    "Period",
    "PeriodKind",
    "Roll",
    "Step",
    "WorkingCalendar",
    "dmy_as_written",
    "due_date",
    "load_overrides",
    "month_point",
    "roll_date",
    "to_local_date",
    "year_point",
]
