"""Deadlines counted under the Civil Code 2015 (Arts. 147–148), with their explanation.

A deadline is computed in two stages, each a stated rule:

1. the last day of the period: the first day (the day of the event) is not
   counted (Art. 147); days and weeks are added to it; months and years end on
   the corresponding day of the last month, or on that month's last day when it
   has no such day (Art. 148(3), years Art. 148(4)) — the clamp is recorded;
   days end on the last day (Art. 148(1)), weeks on the corresponding day of the
   last week (Art. 148(2)); working days count working days only (the N-th
   working day after the start);
2. the roll: a last day that is a weekly rest day or a holiday moves to the next
   working day (Art. 148(5)).

Both rules are parameters (:class:`CountingRules`) whose defaults are the Civil
Code reading; so is the reading of make-up Saturdays in the roll
(:class:`MakeUpSaturdays`), which no text settles.  :func:`roll_date` applies stage 2 alone to a fixed date, so
fixed and counted deadlines explain themselves in the same steps.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from hanchot.calendar._fmt import check_lang, dmy, ordinal_en
from hanchot.calendar._gregorian import clamped_day, days_in_month, shift_month
from hanchot.calendar.durations import Duration, DurationUnit
from hanchot.calendar.steps import Step
from hanchot.calendar.workcal import WorkingCalendar
from hanchot.errors import CalendarError
from hanchot.text import Text


class Roll(enum.StrEnum):
    """What happens to a last day that is not a working day."""

    FOLLOWING = "following"  # next working day (Civil Code Art. 148(5))
    PRECEDING = "preceding"  # previous working day
    NONE = "none"  # the day stays, working day or not


class MakeUpSaturdays(enum.StrEnum):
    """Whether a make-up Saturday is a "next working day" for the roll of Art. 148(5).

    The government swaps days for civil servants (10/01/2026 worked for 02/01/2026;
    22/08/2026 for 31/08/2026). Art. 148(5) moves a last day that is a rest day or a
    holiday to "ngày làm việc tiếp theo"; whether a Saturday the offices work as a
    make-up day is such a day, or still the weekly rest day of the person counting, no
    text settles. Default ``working``: it is a working day of the agencies, so a period
    may end on it (and does not roll past it). ``rest``: a make-up Saturday counts as the
    weekly rest day for the roll, which moves to the next Monday-to-Friday working day.
    """

    WORKING = "working"
    REST = "rest"


@dataclass(frozen=True, slots=True)
class CountingRules:
    """How a period is counted; the defaults are the Civil Code 2015 reading.

    ``count_first_day``: count the day of the event as day 1 (default False, Art. 147).
    ``roll``: where a last day that is not a working day goes (default FOLLOWING, Art. 148(5)).
    ``make_up_saturdays``: whether the roll may stop on a make-up Saturday (default
    WORKING; see :class:`MakeUpSaturdays`).
    """

    count_first_day: bool = False
    roll: Roll = Roll.FOLLOWING
    make_up_saturdays: MakeUpSaturdays = MakeUpSaturdays.WORKING

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "make_up_saturdays", MakeUpSaturdays(self.make_up_saturdays))
        except ValueError:
            raise CalendarError(
                f"make_up_saturdays: expected working or rest, got {self.make_up_saturdays!r}"
            ) from None
        try:
            object.__setattr__(self, "roll", Roll(self.roll))
        except ValueError:
            raise CalendarError(
                f"roll: expected one of {', '.join(r.value for r in Roll)}, got {self.roll!r}"
            ) from None


@dataclass(frozen=True, slots=True)
class Deadline:
    """A due date with the steps that explain it; start and duration are None for fixed dates."""

    start: date | None
    duration: Duration | None
    due: date
    steps: tuple[Step, ...]

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        """Return a JSON-ready dict; the duration is canonical English whatever *lang* is."""
        return {
            "start": self.start.isoformat() if self.start else None,
            "duration": str(self.duration) if self.duration else None,
            "due": self.due.isoformat(),
            "steps": [{"date": s.date.isoformat(), "reason": s.reason.get(check_lang(lang))} for s in self.steps],
        }

    def explain(self, lang: str = "en") -> str:
        """Return the due date and its steps as readable lines in *lang*."""
        head = "Hạn chót" if check_lang(lang) == "vi" else "Due"
        lines = [f"{head}: {dmy(self.due)} ({self.due.isoformat()})"]
        lines += [f"  {step.format(lang)}" for step in self.steps]
        return "\n".join(lines)


def due_date(
    start: date,
    duration: Duration,
    calendar: WorkingCalendar,
    rules: CountingRules = CountingRules(),
) -> Deadline:
    """Return the deadline of a period of *duration* from the event on *start*, explained."""
    steps = [_start_step(start, rules)]
    try:
        if duration.unit is DurationUnit.WORKING_DAYS:
            last = _last_working_day(start, duration, calendar, rules, steps)
        elif duration.unit in (DurationUnit.MONTHS, DurationUnit.YEARS):
            last = _last_day_by_months(start, duration, rules, steps)
        else:
            days = duration.amount * (7 if duration.unit is DurationUnit.WEEKS else 1)
            # Counting the first day makes day 1 the start itself: one day earlier.
            last = start + timedelta(days=days - 1 if rules.count_first_day and days else days)
            clause = 2 if duration.unit is DurationUnit.WEEKS else 1
            steps.append(
                Step(
                    last,
                    Text(f"ngày cuối của thời hạn {duration.format('vi')} (Điều 148 khoản {clause} BLDS 2015)",
                    f"last day of the period of {duration} (Civil Code Art. 148({clause}))"),
                )
            )
        due = _roll(last, calendar, rules.roll, steps, rules.make_up_saturdays)
    except OverflowError:
        raise CalendarError(
            f"deadline: expected a due date before year 10000, got {duration} from {start.isoformat()}"
        ) from None
    return Deadline(start, duration, due, tuple(steps))


def roll_date(
    d: date,
    calendar: WorkingCalendar,
    roll: Roll,
    *,
    label_vi: str = "",
    label_en: str = "",
    make_up_saturdays: MakeUpSaturdays = MakeUpSaturdays.WORKING,
) -> Deadline:
    """Return the fixed date *d* with the *roll* policy applied, explained like a counted deadline."""
    steps = [Step(d, Text(label_vi or "ngày ấn định", label_en or "fixed date"))]
    try:
        due = _roll(d, calendar, Roll(roll), steps, MakeUpSaturdays(make_up_saturdays))
    except OverflowError:
        raise CalendarError(
            f"roll: expected a date before year 10000, got {d.isoformat()}"
        ) from None
    return Deadline(None, None, due, tuple(steps))


def _start_step(start: date, rules: CountingRules) -> Step:
    if rules.count_first_day:
        return Step(
            start,
            Text("ngày xảy ra sự kiện, được tính là ngày đầu tiên (count_first_day)",
            "day of the event, counted as the first day (count_first_day)"),
        )
    return Step(
        start,
        Text("ngày xảy ra sự kiện, không tính; thời hạn bắt đầu từ ngày tiếp theo (Điều 147 BLDS 2015)",
        "day of the event, not counted; the period starts the next day (Civil Code Art. 147)"),
    )


def _last_day_by_months(
    start: date, duration: Duration, rules: CountingRules, steps: list[Step]
) -> date:
    months = duration.amount * (12 if duration.unit is DurationUnit.YEARS else 1)
    if months == 0:
        last, wanted, clamped = start, start.day, False
        year, month = start.year, start.month
    elif rules.count_first_day:
        # The period covers the start day, so it ends the day before the corresponding day.
        if start.day == 1:
            year, month = shift_month(start.year, start.month, months - 1)
            wanted = days_in_month(year, month)
        else:
            year, month = shift_month(start.year, start.month, months)
            wanted = start.day - 1
        last, clamped = clamped_day(year, month, wanted)
    else:
        year, month = shift_month(start.year, start.month, months)
        wanted = start.day
        last, clamped = clamped_day(year, month, wanted)
    clause = 4 if duration.unit is DurationUnit.YEARS else 3
    if clamped:
        steps.append(
            Step(
                last,
                Text(f"ngày cuối của thời hạn {duration.format('vi')}: ngày {wanted:02d}/{month:02d}/{year} "
                f"không có → ngày cuối cùng của tháng (Điều 148 khoản {clause} BLDS 2015)",
                f"last day of the period of {duration}: {wanted:02d}/{month:02d}/{year} does not "
                f"exist → the month's last day (Civil Code Art. 148({clause}))"),
            )
        )
    else:
        steps.append(
            Step(
                last,
                Text(f"ngày tương ứng của tháng cuối cùng: ngày cuối của thời hạn {duration.format('vi')} "
                f"(Điều 148 khoản {clause} BLDS 2015)",
                f"corresponding day of the last month: last day of the period of {duration} "
                f"(Civil Code Art. 148({clause}))"),
            )
        )
    return last


def _last_working_day(
    start: date,
    duration: Duration,
    calendar: WorkingCalendar,
    rules: CountingRules,
    steps: list[Step],
) -> date:
    n = duration.amount
    if n == 0:
        last = start
    elif rules.count_first_day:
        last = calendar.add_working_days(start - timedelta(days=1), n)
    else:
        last = calendar.add_working_days(start, n)
    # Name the holidays skipped on the way; plain weekends would drown them.
    day = start if rules.count_first_day else start + timedelta(days=1)
    while day < last:
        if not calendar.is_working_day(day) and day.weekday() < 5:
            steps.append(
                Step(
                    day,
                    Text(f"{calendar.why_not_working(day, 'vi')} → không phải ngày làm việc, không tính",
                    f"{calendar.why_not_working(day, 'en')} → not a working day, not counted"),
                )
            )
        day += timedelta(days=1)
    counted_from = "kể cả" if rules.count_first_day else "sau"
    steps.append(
        Step(
            last,
            Text(f"ngày làm việc thứ {n} {counted_from} ngày {dmy(start)}: ngày cuối của thời hạn",
            f"{ordinal_en(n)} working day {'from' if rules.count_first_day else 'after'} "
            f"{dmy(start)}: last day of the period"),
        )
    )
    return last


def _roll(
    last: date,
    calendar: WorkingCalendar,
    roll: Roll,
    steps: list[Step],
    make_up: MakeUpSaturdays = MakeUpSaturdays.WORKING,
) -> date:
    """Apply *roll* to *last*, appending one step per day passed over; return the due date."""

    def working(day: date) -> bool:
        return calendar.is_working_day(day) and not (make_up is MakeUpSaturdays.REST and day.weekday() >= 5)

    def why_not(day: date, lang: str) -> str:
        if calendar.is_working_day(day):  # a make-up Saturday read as a rest day
            return (
                "thứ Bảy làm bù, tính là ngày nghỉ hằng tuần (make_up_saturdays=rest)"
                if lang == "vi"
                else "make-up Saturday, read as the weekly rest day (make_up_saturdays=rest)"
            )
        return calendar.why_not_working(day, lang) or ""

    if working(last):
        if last.weekday() >= 5:  # a make-up Saturday: say which reading made it a working day
            steps.append(
                Step(
                    last,
                    Text("thứ Bảy làm bù, là ngày làm việc (make_up_saturdays=working) → hạn chót",
                    "make-up Saturday, a working day (make_up_saturdays=working) → due"),
                )
            )
        else:
            steps.append(Step(last, Text("ngày làm việc → hạn chót", "a working day → due")))
        return last
    if roll is Roll.NONE:
        steps.append(
            Step(
                last,
                Text(f"{why_not(last, 'vi')} → không phải ngày làm việc, "
                f"vẫn là hạn chót (roll=none)",
                f"{why_not(last, 'en')} → not a working day, due all the same "
                f"(roll=none)"),
            )
        )
        return last
    step = timedelta(days=1 if roll is Roll.FOLLOWING else -1)
    day = last
    while not working(day):
        steps.append(
            Step(
                day,
                Text(f"{why_not(day, 'vi')} → không phải ngày làm việc",
                f"{why_not(day, 'en')} → not a working day"),
            )
        )
        day += step
    if roll is Roll.FOLLOWING:
        steps.append(
            Step(
                day,
                Text("ngày làm việc tiếp theo → hạn chót (Điều 148 khoản 5 BLDS 2015)",
                "next working day → due (Civil Code Art. 148(5))"),
            )
        )
    else:
        steps.append(
            Step(
                day,
                Text("ngày làm việc liền trước → hạn chót (roll=preceding)",
                "previous working day → due (roll=preceding)"),
            )
        )
    return day
