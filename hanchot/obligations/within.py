"""``within`` rules: a trigger event opens an obligation due a duration later.

Each trigger of the agency opens one instance. A fixed date (``due``) binds
only the triggers on or before it: the plan dates that year's round, so a
trigger after the date opens a duty counted by ``within`` or, without it, one
with no due date -- never a duty overdue on the day it opens. It is met by the earliest
fulfilling event, on or after the trigger's date, that is correlated with it
(every correlation pair holds). A duty still unmet when its agency is merged
away passes to the successor (``on_merge: transfer``, the default), which may
then meet it with its own events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from hanchot.calendar import Deadline, Step
from hanchot.inputs.event import Event
from hanchot.inputs.records import RESERVED_KEYS, Agency
from hanchot.inputs.vocabulary import VOCABULARY
from hanchot.obligations.context import (
    Context,
    ceased_first,
    in_order,
    lapse_phrase,
    opened_by,
    successor_of,
    transfer_phrase,
)
from hanchot.obligations.model import Explanation, Obligation, Phrase, Status
from hanchot.rules.kinds import RuleKind, register
from hanchot.rules.model import WithinRule

TRIGGER, FULFILMENT = "trigger", "fulfilment"


def evaluate_within(
    rule: WithinRule, index: int, agency: Agency, ctx: Context, bounds: tuple[dt.date, dt.date]
) -> Iterator[Obligation]:
    """Yield one obligation per trigger of *agency* dated within *bounds*."""
    first, last = bounds
    triggers = ctx.events(agency.id, index, TRIGGER)
    if not triggers:
        return
    if agency.is_active(first) and agency.is_active(last):  # (so on every day between)
        triggers = [t for t in triggers if first <= t.date <= last]
    else:
        triggers = [t for t in triggers if first <= t.date <= last and agency.is_active(t.date)]
    if not triggers:
        return
    plan = _plan(rule, index, ctx)
    fulfilments: Sequence[Event] = ctx.events(agency.id, index, FULFILMENT)
    successor = successor_of(agency, rule, ctx)
    if successor is not None:
        fulfilments = in_order([*fulfilments, *ctx.events(successor.id, index, FULFILMENT)])
    candidates = _Candidates(fulfilments, plan.name)
    for trigger in triggers:
        yield _instance(plan, agency, successor, trigger, candidates, ctx)


class _Candidates:
    """The fulfilments of one agency and rule, indexed by their first correlated attribute.

    A trigger asks only the fulfilments whose attribute holds (or, for a list,
    contains) the value it wants, in their order, never all of them. When a
    value cannot be a key (a list, an object), every trigger asks all of them,
    checked by :func:`_correlated`.
    """

    __slots__ = ("all", "by_value")

    def __init__(self, fulfilments: Sequence[Event], name: str | None) -> None:
        self.all = fulfilments
        self.by_value = None if name is None else _by_value(fulfilments, name)

    def first_met(self, on: dt.date, keys: tuple[tuple[str, Any], ...]) -> Event | None:
        """The earliest fulfilment dated *on* or later that correlates with *keys*."""
        by_value = self.by_value
        asked = self.all
        if by_value is not None and keys:
            try:
                asked = by_value.get(keys[0][1], ())
            except TypeError:  # a list or an object wanted: compared one by one
                pass
            else:
                if len(keys) == 1:  # the index holds exactly the events that correlate
                    for f in asked:
                        if f.date >= on:
                            return f
                    return None
        for f in asked:
            if f.date >= on and _correlated(f, keys):
                return f
        return None


def _by_value(fulfilments: Sequence[Event], name: str) -> dict[Any, list[Event]] | None:
    """*fulfilments* by each value of their attribute *name* (each element of a list), in
    order: under a value, those :func:`_correlated` finds for it (a value unequal to
    itself, NaN, correlates with nothing); None if a value cannot be a key."""
    by_value: dict[Any, list[Event]] = {}
    get = by_value.get
    try:
        for event, got in zip(fulfilments, _values(fulfilments, name)):
            if not isinstance(got, list):
                if got != got:  # noqa: PLR0124  (NaN: 'got != wanted' even for itself)
                    continue
                found = get(got)
                if found is None:
                    by_value[got] = [event]
                else:
                    found.append(event)
                continue
            for value in got:  # ('wanted in got': equal, or the same object)
                found = get(value)
                if found is None:
                    by_value[value] = [event]
                elif found[-1] is not event:  # a value listed twice by one event
                    found.append(event)
    except TypeError:
        return None
    return by_value


_Opened = tuple[Phrase, Deadline | None, tuple[Phrase, ...], tuple[tuple[str, Any], ...]]
"""What a trigger opens: the sentence, the deadline, the notes so far, the correlation keys."""


class _Plan:
    """What a ``within`` rule's obligations share in one evaluation: its wording, its
    fixed deadline, and what each trigger event opens
    (a broadcast trigger opens the same duty for every agency it reaches).

    A plan lives in its context's memo and does not hold the context: no reference
    cycle keeps the evaluation's events alive once it is over (``hanchot check``
    pauses the cyclic collector, so they are freed by reference counting)."""

    __slots__ = ("basis", "fixed", "name", "opened", "rule", "title")

    def __init__(self, rule: WithinRule, ctx: Context) -> None:
        self.rule = rule
        self.title, self.basis = ctx.wording(rule)
        self.fixed = ctx.fixed_due(rule.due) if rule.due is not None else None
        self.name = rule.correlate[0].fulfilment if rule.correlate else None
        self.opened: dict[Event, _Opened] = {}

    def opened_by(self, trigger: Event, ctx: Context) -> _Opened:
        """What *trigger* opens: its sentence, deadline, notes and correlation keys (once per event)."""
        found = self.opened.get(trigger)
        if found is None:
            found = self.opened[trigger] = self._open(trigger, ctx)
        return found

    def _open(self, trigger: Event, ctx: Context) -> _Opened:
        rule, notes = self.rule, []
        deadline = self.fixed
        if deadline is not None and deadline.due < trigger.date:
            notes.append(_after_fixed_date_phrase(deadline.due))
            deadline = None
        if deadline is None and rule.within is not None:  # (the context keeps each counted deadline)
            deadline = ctx.counted_due(trigger.date, rule.within, rule.count_first_day, rule.roll)
        keys = tuple((c.fulfilment, _value(trigger, c.trigger)) for c in rule.correlate)
        if any(value is None for _, value in keys):
            missing = ", ".join(c.trigger for c in rule.correlate if _value(trigger, c.trigger) is None)
            notes.append(
                Phrase(
                    f"Sự kiện khởi phát thiếu thuộc tính {missing} nên không thể đối chiếu.",
                    f"The trigger lacks {missing}, so no event can be correlated with it.",
                )
            )
        return opened_by(trigger), deadline, tuple(notes), keys


def _plan(rule: WithinRule, index: int, ctx: Context) -> _Plan:
    """The rule's :class:`_Plan`, made at its first agency of the evaluation."""
    return ctx.once(("within", index), _Plan, lambda: _Plan(rule, ctx))


def _instance(
    plan: _Plan,
    agency: Agency,
    successor: Agency | None,
    trigger: Event,
    fulfilments: _Candidates,
    ctx: Context,
) -> Obligation:
    origin, deadline, notes, keys = plan.opened_by(trigger, ctx)
    if deadline is None:
        steps: tuple[Step, ...] = ()
        due = None
    else:
        steps, due = deadline.steps, deadline.due
    # A key wanting None correlates nothing (the note says why).
    met_by = None if keys and keys[0][1] is None else fulfilments.first_met(trigger.date, keys)
    owner = agency
    if agency.active_to is not None and ceased_first(agency, met_by, due):
        if successor is None:
            status, why, met_by = Status.NOT_APPLICABLE, lapse_phrase(agency), None
        else:
            owner = successor
            notes += (transfer_phrase(agency, successor),)
            status, why = ctx.settled(due, met_by)
    else:
        status, why = ctx.settled(due, met_by)
    explanation = Explanation(plan.title, plan.basis, origin, steps, why, notes)
    satisfied = (met_by.id,) if met_by is not None else ()
    return Obligation(plan.rule.id, owner.id, None, trigger.id, trigger.date, due, status, satisfied, explanation)


def _after_fixed_date_phrase(fixed: dt.date) -> Phrase:
    """Why a trigger after the plan's fixed date is not held to that date."""
    d = fixed.strftime("%d/%m/%Y")
    return Phrase(
        f"Sự kiện khởi phát sau mốc {d} của kế hoạch: mốc đó không áp dụng cho nó "
        f"(không có nghĩa vụ nào quá hạn ngay khi phát sinh).",
        f"The trigger came after the plan's date {d}, which therefore does not bind it "
        f"(no duty is overdue on the day it opens).",
    )


def _values(events: Sequence[Event], name: str) -> list[Any]:
    """The value of *name* of each of *events*: its id for ``id``, else its attribute
    (None when it has none). One list, not a call per event: a commune's revisions
    are all indexed by the documents they name."""
    if name == "id":
        return [e.id for e in events]
    return [e.attrs.get(name) for e in events]


def _value(event: Event, name: str) -> Any:
    return _values((event,), name)[0]


def idle_by(rule: WithinRule, role: str) -> frozenset[str]:
    """The attributes of which a fulfilment holding nothing (no value, or an empty list) is
    correlated with no trigger: those paired with the trigger's id, or with an attribute the
    vocabulary types as no list (only a list equals an empty list; no value equals nothing:
    see :func:`_correlated` and :class:`_Candidates`). A trigger is never idle."""
    if role != FULFILMENT:
        return frozenset()
    declared = VOCABULARY.get(rule.trigger.type)
    idle = set()
    for pair in rule.correlate:
        if pair.fulfilment in RESERVED_KEYS:  # the id, or no attribute at all
            continue
        if pair.trigger == "id":
            idle.add(pair.fulfilment)
        elif declared is not None:
            kind = declared.attributes.get(pair.trigger)
            if kind is not None and not kind.accepts([]):
                idle.add(pair.fulfilment)
    return frozenset(idle)


def _correlated(event: Event, keys: Sequence[tuple[str, Any]]) -> bool:
    for name, wanted in keys:
        if wanted is None:
            return False
        got = _value(event, name)
        if isinstance(got, list) and not isinstance(wanted, list):
            if wanted not in got:
                return False
        elif got != wanted:
            return False
    return True


KIND = register(
    RuleKind(
        "within",
        WithinRule,
        evaluate_within,
        idle_by=idle_by,
        label={"en": "within (after a trigger)", "vi": "trong thời hạn (sau sự kiện)"},
    )
)
