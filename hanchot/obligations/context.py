"""What every rule evaluator needs: the clock, the calendar, deadlines, events.

The evaluators (one module per rule kind) are pure functions of a
:class:`Context`; the engine builds one per evaluation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from operator import attrgetter
from typing import TypeVar

from hanchot.calendar import (
    CountingRules,
    Deadline,
    Duration,
    Period,
    Roll,
    Step,
    WorkingCalendar,
    dmy_as_written,
    due_date,
    roll_date,
)
from hanchot.inputs.event import Event
from hanchot.inputs.records import Agency
from hanchot.obligations.model import Phrase, Rendering, Said, Status
from hanchot.obligations.settling import Settling
from hanchot.rules.model import AnyRule, Due, FixedDue, RulePack

ONE_DAY = dt.timedelta(days=1)
_DATE_ID = attrgetter("date", "id")
T = TypeVar("T")

EventLookup = Callable[[str, int, str], Sequence[Event]]
"""(agency id, rule index, role) -> that agency's events in that role, sorted."""


@dataclass
class Context:
    """The state of one evaluation: pack, calendar, as-of date and event lookup."""

    pack: RulePack
    calendar: WorkingCalendar
    as_of: dt.date
    agencies: Mapping[str, Agency]
    events: EventLookup
    _deadlines: dict[tuple[object, ...], Deadline] = field(default_factory=dict)
    memo: dict[tuple[object, ...], object] = field(default_factory=dict)
    """What an evaluator computes once per evaluation, not once per agency (keyed by the evaluator)."""
    _words: dict[int, tuple[Phrase, Phrase]] = field(default_factory=dict)
    settled: Callable[[dt.date | None, Event | None], tuple[Status, Phrase]] = field(init=False)
    """:func:`~hanchot.obligations.settling.settle` of a duty due *due* and met by *met_by*, and why
    (compiled: :class:`~hanchot.obligations.settling.Settling`, one per evaluation)."""

    def __post_init__(self) -> None:
        self.settled = Settling(self.as_of, StatusSaid).settled

    def once(self, key: tuple[object, ...], kind: type[T], make: Callable[[], T]) -> T:
        """The :attr:`memo` entry under *key*: made by *make* at its first use in this evaluation."""
        found = self.memo.get(key)
        if not isinstance(found, kind):
            found = self.memo[key] = make()
        return found

    def wording(self, rule: AnyRule) -> tuple[Phrase, Phrase]:
        """The rule's title and basis sentences, made once per evaluation and shared by its obligations."""
        found = self._words.get(id(rule))  # the pack holds the rule: its id names it meanwhile
        if found is None:
            found = self._words[id(rule)] = (rule_title(rule), rule_basis(rule))
        return found

    def counted_due(
        self, start: dt.date, duration: Duration, count_first_day: bool, roll: Roll
    ) -> Deadline:
        """A Civil Code deadline *duration* after *start* (cached)."""
        key = ("counted", start, duration, count_first_day, roll)
        found = self._deadlines.get(key)
        if found is None:
            rules = CountingRules(count_first_day=count_first_day, roll=roll)
            found = self._deadlines[key] = due_date(start, duration, self.calendar, rules)
        return found

    def fixed_due(self, due: FixedDue) -> Deadline:
        """The deadline of a dated milestone ("by X" or "before X")."""
        key = ("fixed", due)
        found = self._deadlines.get(key)
        if found is None:
            found = self._deadlines[key] = self._before_and_roll(
                due.date, due.before_inclusive, due.roll, Phrase("ngày ghi trong kế hoạch", "the date in the plan")
            )
        return found

    def period_due(self, due: Due, period: Period) -> Deadline:
        """The deadline of a periodic obligation for *period*."""
        key = ("period", due, period)
        found = self._deadlines.get(key)
        if found is None:
            if due.at == "end":
                day = period.last_day
                label = Phrase(f"ngày cuối của kỳ {period.format('vi')}", f"last day of {period.format('en')}")
            else:
                assert due.day is not None
                month = due.month if due.month is not None else "last"
                day = period.day_in_month(due.day, month)
                which = _month_words(month)
                label = Phrase(
                    f"ngày {due.day} {which.vi} của kỳ {period.format('vi')}",
                    f"day {due.day} of the {which.en} month of {period.format('en')}",
                )
            found = self._deadlines[key] = self._before_and_roll(day, due.before_inclusive, due.roll, label)
        return found

    def _before_and_roll(
        self, day: dt.date, before_inclusive: bool | None, roll: Roll, label: Phrase
    ) -> Deadline:
        steps: tuple[Step, ...] = ()
        if before_inclusive is False:
            steps = (Step(day, label),)
            day = day - ONE_DAY
            label = Phrase(
                '"trước ngày" hiểu là trước hẳn ngày đó (before_is_inclusive: false): ngày cuối hợp lệ',
                '"before" read as strictly before (before_is_inclusive: false): last compliant day',
            )
        elif before_inclusive is True:
            label = Phrase(
                f'{label.vi}; "trước ngày" hiểu là đến hết ngày đó (before_is_inclusive: true)',
                f'{label.en}; "before" read as up to and including that day (before_is_inclusive: true)',
            )
        rolled = roll_date(day, self.calendar, roll, label_vi=label.vi, label_en=label.en)
        return Deadline(start=None, duration=None, due=rolled.due, steps=steps + rolled.steps)


def _month_words(month: int | str) -> Phrase:
    if month == "last":
        return Phrase("của tháng cuối", "last")
    if month == "first":
        return Phrase("của tháng đầu", "first")
    ordinal = {1: "first", 2: "second", 3: "third"}.get(int(month), f"{month}th")
    return Phrase(f"của tháng thứ {month}", ordinal)


def status_phrase(status: Status, due: dt.date | None, met_by: Event | None, as_of: dt.date) -> Phrase:
    """Why an obligation has its status, in both languages (written on access)."""
    if status is Status.MET or status is Status.MET_LATE:
        assert met_by is not None and (status is Status.MET or due is not None)
        return StatusSaid(status, due, met_by.id, met_by.date, as_of)
    if status is Status.OVERDUE:
        assert due is not None
    return StatusSaid(status, due, None, None, as_of)


class StatusSaid(Said):
    """Why an obligation has its status: the status and the dates and event behind it.

    An unmet duty's sentence follows from its status, due date and the clock, so it is
    reused by those (:meth:`Context.settled` shares it between the duties due on one day);
    a met duty's names its event, so it is written each time.
    """

    __slots__ = ("_said", "reuse_key")
    _said: tuple[Status, dt.date | None, str | None, dt.date | None, dt.date]

    def __init__(
        self, status: Status, due: dt.date | None, met_id: str | None, met_on: dt.date | None, as_of: dt.date
    ) -> None:
        # (a slot's own setter: made per obligation, and object.__setattr__ first looks the name up)
        _SET_SAID(self, (status, due, met_id, met_on, as_of))
        # (the status by its value: an Enum member's hash is a Python call, the key is hashed per use)
        _SET_REUSE_KEY(self, ("status", status.value, due, as_of) if met_id is None else None)

    @property
    def status(self) -> Status:
        """The status."""
        return self._said[0]

    @property
    def due(self) -> dt.date | None:
        """The due date, if any."""
        return self._said[1]

    @property
    def met_id(self) -> str | None:
        """The id of the event that met the duty, if any."""
        return self._said[2]

    @property
    def met_on(self) -> dt.date | None:
        """The date of the event that met the duty, if any."""
        return self._said[3]

    @property
    def as_of(self) -> dt.date:
        """The evaluation date."""
        return self._said[4]

    def _parts(self) -> tuple[object, ...]:
        return self._said

    def render(self, rendering: Rendering) -> str:
        """The sentence in ``rendering.lang``."""
        vi, date = rendering.lang == "vi", rendering.date
        status, due_on, met_id, met_on, as_of = self._said
        if status is _MET:  # (a module constant: Status.MET is a slow attribute of an Enum class)
            assert met_on is not None
            d = date(met_on)
            if vi:
                return f"Đã thực hiện: sự kiện {met_id} ngày {d}, đúng hạn."
            return f"Met by event {met_id} on {d}, on time."
        if status is _MET_LATE:
            assert met_on is not None and due_on is not None
            late, d = (met_on - due_on).days, date(met_on)
            if vi:
                return f"Thực hiện muộn: sự kiện {met_id} ngày {d}, chậm {late} ngày so với hạn."
            return f"Met late by event {met_id} on {d}, {late} day(s) after the due date."
        when = date(as_of)
        if status is _OVERDUE:
            assert due_on is not None
            days = (as_of - due_on).days
            if vi:
                return f"Quá hạn: chưa có sự kiện đáp ứng tính đến {when} ({days} ngày sau hạn)."
            return f"Overdue: no fulfilling event as of {when} ({days} day(s) past due)."
        if due_on is None:
            if vi:
                return f"Đang mở: văn bản không quy định thời hạn; chưa thực hiện tính đến {when}."
            return f"Open: the text sets no deadline; not yet met as of {when}."
        due = date(due_on)
        if vi:
            return f"Đang mở: hạn {due}, chưa thực hiện tính đến {when}."
        return f"Open: due {due}, not yet met as of {when}."


_SET_SAID = StatusSaid.__dict__["_said"].__set__
_SET_REUSE_KEY = StatusSaid.__dict__["reuse_key"].__set__
_MET, _MET_LATE, _OVERDUE = Status.MET, Status.MET_LATE, Status.OVERDUE


class _OfRule(Said):
    """A sentence of one rule's alone, the same for all its obligations (reused by the rule)."""

    __slots__ = ("reuse_key", "rule")
    rule: AnyRule
    KIND = ""  # tells the rule's sentences apart in the reuse key and the hash

    def __init__(self, rule: AnyRule) -> None:
        object.__setattr__(self, "rule", rule)
        # The rule is held, so its id names it for as long as this sentence lives.
        object.__setattr__(self, "reuse_key", (self.KIND, id(rule)))

    def _parts(self) -> tuple[object, ...]:
        return (self.rule,)

    def __hash__(self) -> int:
        return hash((self.KIND, self.rule.id))


class RuleTitle(_OfRule):
    """The rule's id and title: the first line of an explanation."""

    __slots__ = ()
    KIND = "title"

    def render(self, rendering: Rendering) -> str:
        """The sentence in ``rendering.lang``."""
        return f"[{self.rule.id}] {self.rule.title.get(rendering.lang)}"


class RuleBasis(_OfRule):
    """The rule's legal basis, every citation joined; the same in both languages."""

    __slots__ = ()
    KIND = "basis"

    def render(self, rendering: Rendering) -> str:
        """The citations, joined."""
        return "; ".join(b.cite() for b in self.rule.basis)


class OpenedBy(Said):
    """What opened a ``within`` obligation: its trigger event.

    Reused by its parts: a law broadcast to the communes opens one duty in each,
    all saying the same sentence (a ``within`` plan makes one per trigger).
    """

    __slots__ = ("day", "event_id", "event_type", "reuse_key")
    event_id: str
    event_type: str
    day: dt.date

    def __init__(self, event: Event) -> None:
        object.__setattr__(self, "event_id", event.id)
        object.__setattr__(self, "event_type", event.type)
        object.__setattr__(self, "day", event.date)
        object.__setattr__(self, "reuse_key", ("opened", event.id, event.type, event.date))

    def _parts(self) -> tuple[object, ...]:
        return (self.event_id, self.event_type, self.day)

    def render(self, rendering: Rendering) -> str:
        """The sentence in ``rendering.lang``."""
        d = rendering.date(self.day)
        if rendering.lang == "vi":
            return f"Phát sinh từ sự kiện {self.event_id} ({self.event_type}) ngày {d}."
        return f"Opened by event {self.event_id} ({self.event_type}) on {d}."


class PeriodicDuty(Said):
    """What opened a periodic obligation: its period."""

    __slots__ = ("period", "reuse_key")
    period: Period

    def __init__(self, period: Period) -> None:
        object.__setattr__(self, "period", period)
        # By the period's text, which names it: a Period's own hash is Python's (a dataclass's, of an Enum).
        object.__setattr__(self, "reuse_key", ("periodic", str(period)))

    def _parts(self) -> tuple[object, ...]:
        return (self.period,)

    def render(self, rendering: Rendering) -> str:
        """The sentence in ``rendering.lang``."""
        if rendering.lang == "vi":
            return f"Nghĩa vụ định kỳ: {self.period.format('vi')}."
        return f"Periodic duty for {self.period.format('en')}."


def opened_by(trigger: Event) -> Phrase:
    """What opened a ``within`` obligation, in both languages (written on access)."""
    return OpenedBy(trigger)


def periodic_duty(period: Period) -> Phrase:
    """What opened a periodic obligation, in both languages (written on access)."""
    return PeriodicDuty(period)


def rule_title(rule: AnyRule) -> Phrase:
    """The rule's id and title as the first line of an explanation (written on access)."""
    return RuleTitle(rule)


def rule_basis(rule: AnyRule) -> Said:
    """The rule's legal basis, every citation joined (written on access, once per rule)."""
    return RuleBasis(rule)


def lapse_phrase(agency: Agency) -> Phrase:
    """Why a duty lapsed: the agency ceased to exist before it fell due."""
    assert agency.active_to is not None
    day = dmy_as_written(agency.active_to)
    into_vi = f", sáp nhập vào {agency.successor}" if agency.successor else ""
    into_en = f", merged into {agency.successor}" if agency.successor else ""
    return Phrase(
        f"Không áp dụng: cơ quan chấm dứt hoạt động ngày {day}{into_vi} trước khi đến hạn.",
        f"Not applicable: the agency ceased on {day}{into_en} before the duty fell due.",
    )


def unborn_phrase(agency: Agency) -> Phrase:
    """Why a duty does not bind an agency created after it fell due."""
    assert agency.active_from is not None
    day = dmy_as_written(agency.active_from)
    return Phrase(
        f"Không áp dụng: cơ quan bắt đầu hoạt động ngày {day}, sau thời hạn này.",
        f"Not applicable: the agency began on {day}, after this duty fell due.",
    )


def in_order(events: list[Event]) -> list[Event]:
    """*events* (an agency's and its successor's) sorted in place by :meth:`Event.sort_key`.

    Sorted by (date, id) first, which is that order as long as no two different
    copies share both (copies of one id kept for different agencies): then by the
    whole key.
    """
    events.sort(key=_DATE_ID)
    for before, after in pairwise(events):
        if before is not after and before.date == after.date and before.id == after.id:
            events.sort(key=Event.sort_key)
            break
    return events


def successor_of(agency: Agency, rule: AnyRule, ctx: Context) -> Agency | None:
    """Who takes over *agency*'s unmet duties of *rule* when it is merged away, if anyone."""
    if agency.active_to is None or rule.merge_policy != "transfer" or not agency.successor:
        return None
    return ctx.agencies.get(agency.successor)


def ceased_first(agency: Agency, met_by: Event | None, due: dt.date | None) -> bool:
    """Whether *agency* ceased with the duty unmet and not yet due."""
    ceased = agency.active_to
    return ceased is not None and (met_by is None or met_by.date > ceased) and (due is None or due > ceased)


def transfer_phrase(agency: Agency, successor: Agency) -> Phrase:
    """Why an obligation belongs to the successor of the agency it opened for."""
    assert agency.active_to is not None
    day = dmy_as_written(agency.active_to)
    return Phrase(
        f"Chuyển cho {successor.id} khi {agency.id} sáp nhập ngày {day}.",
        f"Passed to {successor.id} when {agency.id} was merged on {day}.",
    )
