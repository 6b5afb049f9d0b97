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

from hanchot.inputs.records import Agency, Event
from hanchot.obligations.context import (
    Context,
    ceased_first,
    lapse_phrase,
    opened_by,
    rule_basis,
    rule_title,
    settle,
    status_phrase,
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
    triggers = [
        t for t in ctx.events(agency.id, index, TRIGGER) if first <= t.date <= last and agency.is_active(t.date)
    ]
    if not triggers:
        return
    fulfilments = list(ctx.events(agency.id, index, FULFILMENT))
    successor = successor_of(agency, rule, ctx)
    if successor is not None:
        fulfilments += ctx.events(successor.id, index, FULFILMENT)
        fulfilments.sort(key=Event.sort_key)
    candidates = _Candidates(fulfilments, rule.correlate[0].fulfilment if rule.correlate else None)
    for trigger in triggers:
        yield _instance(rule, agency, successor, trigger, candidates, ctx)


class _Candidates:
    """The fulfilments of one agency and rule, indexed by their first correlated attribute.

    A trigger asks only the fulfilments whose attribute holds (or, for a list,
    contains) the value it wants, in their order, never all of them; a value
    that cannot be a key (a list, an object) is always asked.
    """

    __slots__ = ("all", "always", "by_value", "name")

    def __init__(self, fulfilments: Sequence[Event], name: str | None) -> None:
        self.all = fulfilments
        self.name = name
        self.by_value: dict[Any, list[int]] = {}
        self.always: list[int] = []
        if name is None:
            return
        for i, event in enumerate(fulfilments):
            got = _value(event, name)
            try:
                if isinstance(got, list):
                    for value in dict.fromkeys(got):
                        self.by_value.setdefault(value, []).append(i)
                else:
                    self.by_value.setdefault(got, []).append(i)
            except TypeError:  # an unhashable value: compared one by one
                self.always.append(i)

    def asked(self, wanted: Any) -> Sequence[Event]:
        """The fulfilments that may correlate with a trigger wanting *wanted* (in order)."""
        if self.name is None:
            return self.all
        try:
            found = self.by_value.get(wanted, ())
        except TypeError:  # a list or an object wanted: compared one by one
            return self.all
        picks = sorted({*found, *self.always}) if self.always else found
        return [self.all[i] for i in picks]


def _instance(
    rule: WithinRule,
    agency: Agency,
    successor: Agency | None,
    trigger: Event,
    fulfilments: _Candidates,
    ctx: Context,
) -> Obligation:
    notes: list[Phrase] = []
    deadline = ctx.fixed_due(rule.due) if rule.due is not None else None
    if deadline is not None and deadline.due < trigger.date:
        notes.append(_after_fixed_date_phrase(deadline.due))
        deadline = None
    if deadline is None and rule.within is not None:
        deadline = ctx.counted_due(trigger.date, rule.within, rule.count_first_day, rule.roll)
    due = deadline.due if deadline else None
    keys = [(c.fulfilment, _value(trigger, c.trigger)) for c in rule.correlate]
    asked = fulfilments.asked(keys[0][1]) if keys else fulfilments.all
    met_by = next((f for f in asked if f.date >= trigger.date and _correlated(f, keys)), None)
    if any(value is None for _, value in keys):
        missing = ", ".join(c.trigger for c in rule.correlate if _value(trigger, c.trigger) is None)
        notes.append(
            Phrase(
                f"Sự kiện khởi phát thiếu thuộc tính {missing} nên không thể đối chiếu.",
                f"The trigger lacks {missing}, so no event can be correlated with it.",
            )
        )
    owner = agency
    if ceased_first(agency, met_by, due):
        if successor is None:
            return _build(rule, agency, trigger, deadline, Status.NOT_APPLICABLE, None, lapse_phrase(agency), notes)
        owner = successor
        notes.append(transfer_phrase(agency, successor))
    status = settle(due, met_by.date if met_by else None, ctx.as_of)
    return _build(rule, owner, trigger, deadline, status, met_by, status_phrase(status, due, met_by, ctx.as_of), notes)


def _build(
    rule: WithinRule,
    owner: Agency,
    trigger: Event,
    deadline: Any,
    status: Status,
    met_by: Event | None,
    why: Phrase,
    notes: list[Phrase],
) -> Obligation:
    explanation = Explanation(
        title=rule_title(rule),
        basis=rule_basis(rule),
        origin=opened_by(trigger),
        due_steps=deadline.steps if deadline else (),
        status=why,
        notes=tuple(notes),
    )
    return Obligation(
        rule=rule.id,
        agency=owner.id,
        period=None,
        trigger=trigger.id,
        opens=trigger.date,
        due=deadline.due if deadline else None,
        status=status,
        satisfied_by=(met_by.id,) if met_by else (),
        explanation=explanation,
    )


def _after_fixed_date_phrase(fixed: dt.date) -> Phrase:
    """Why a trigger after the plan's fixed date is not held to that date."""
    d = fixed.strftime("%d/%m/%Y")
    return Phrase(
        f"Sự kiện khởi phát sau mốc {d} của kế hoạch: mốc đó không áp dụng cho nó "
        f"(không có nghĩa vụ nào quá hạn ngay khi phát sinh).",
        f"The trigger came after the plan's date {d}, which therefore does not bind it "
        f"(no duty is overdue on the day it opens).",
    )


def _value(event: Event, name: str) -> Any:
    return event.id if name == "id" else event.attrs.get(name)


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
        label={"en": "within (after a trigger)", "vi": "trong thời hạn (sau sự kiện)"},
    )
)
