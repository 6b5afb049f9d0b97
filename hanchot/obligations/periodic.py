"""``every`` and ``coverage`` rules: one obligation per period.

``every``: at least N matching events in each period (optionally only within
a window of months). An event counts for the period of its date, or for the
period it names in ``period_attribute`` (a report on Q1 sent in April still
counts for Q1, late).

``coverage``: a coordinating agency covers at least X% of a population of
agencies (distinct targets of its matching events) in each period.

A period whose duty is still unmet when the agency ceases, and falls due
after that, lapses (``not_applicable``): the successor has its own. With
``on_merge: transfer`` it passes to the successor instead.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator, Mapping

from hanchot.calendar import Deadline, Period, PeriodKind
from hanchot.inputs.event import Event
from hanchot.inputs.records import Agency
from hanchot.obligations.context import (
    Context,
    ceased_first,
    in_order,
    lapse_phrase,
    periodic_duty,
    successor_of,
    transfer_phrase,
    unborn_phrase,
)
from hanchot.obligations.model import Explanation, Obligation, Phrase, Status
from hanchot.rules.kinds import RuleKind, register
from hanchot.rules.model import AnyRule, CoverageRule, EveryRule

MATCH = "match"


def periods_between(kind: PeriodKind, first: dt.date, last: dt.date) -> Iterator[Period]:
    """Every period of *kind* that overlaps ``[first, last]``, in order."""
    period = Period.containing(first, kind)
    while period.first_day <= last:
        yield period
        period = period.next()


def evaluate_every(
    rule: EveryRule, index: int, agency: Agency, ctx: Context, bounds: tuple[dt.date, dt.date]
) -> Iterator[Obligation]:
    """Yield one obligation per period of *rule* within *bounds*."""
    plan = _every_plan(rule, index, ctx)
    slot_of = plan.slot_of
    by_period: dict[int, list[Event]] = {}
    for event in ctx.events(agency.id, index, MATCH):
        slot = slot_of(event)
        if slot is not None:
            found = by_period.get(slot)
            if found is None:
                by_period[slot] = [event]
            else:
                found.append(event)
    successor = successor_of(agency, rule, ctx)
    if successor is not None:
        for event in ctx.events(successor.id, index, MATCH):
            slot = slot_of(event)
            if slot is not None and agency.active_to is not None and event.date > agency.active_to:
                by_period.setdefault(slot, []).append(event)
        for events in by_period.values():
            in_order(events)
    # (else each list is in the order of the index: Event.sort_key's, ids being unique per agency)
    count = rule.count
    none: list[Event] = []
    for duty in plan.duties(bounds, ctx):
        events = by_period.get(duty.slot, none)
        met_by = events[count - 1] if len(events) >= count else None
        need = plan.need(duty, len(events))
        yield _settle(rule, agency, successor, duty, met_by, tuple([e.id for e in events]), need, ctx)


class _Duty:
    """One period's duty under a rule, alike for every agency: when it opens, its
    deadline and the sentences that name it."""

    __slots__ = ("deadline", "opens", "origin", "period", "slot", "text")

    def __init__(self, period: Period, opens: dt.date, deadline: Deadline) -> None:
        self.period, self.opens, self.deadline = period, opens, deadline
        self.slot = _slot(period)
        self.text = str(period)
        self.origin = periodic_duty(period)


def _slot(period: Period) -> int:
    """A number for *period* among the periods of its kind (a cheap key)."""
    return period.year * 12 + period.index


class _EveryPlan:
    """What an ``every`` rule's obligations share in one evaluation: the period of each
    event date (or named period), each period's duty, each count's sentence.
    It does not hold its context, whose memo holds it: no reference cycle keeps the
    evaluation's events alive once it is over."""

    __slots__ = ("by_bounds", "needs", "rule", "slots")

    def __init__(self, rule: EveryRule) -> None:
        self.rule = rule
        self.slots: dict[object, int | None] = {}
        self.by_bounds: dict[tuple[dt.date, dt.date], list[_Duty]] = {}
        self.needs: dict[tuple[int, int], Phrase] = {}

    def slot_of(self, event: Event) -> int | None:
        """The :func:`_slot` of the period *event* counts for (see :func:`_period_of`), or None."""
        name = self.rule.period_attribute
        if name is None:
            key: object = event.date  # the period follows from the date alone
        else:
            named = event.attrs.get(name)
            key = (named.__class__, named, event.date)  # (the class: 2025 and 2025.0 differ here)
        try:
            return self.slots[key]
        except KeyError:
            period = _period_of(event, self.rule)
            found = self.slots[key] = None if period is None else _slot(period)
            return found
        except TypeError:  # a list or an object named: not a key
            period = _period_of(event, self.rule)
            return None if period is None else _slot(period)

    def duties(self, bounds: tuple[dt.date, dt.date], ctx: Context) -> list[_Duty]:
        """The duties of the periods within *bounds* that have opened as of the clock."""
        found = self.by_bounds.get(bounds)
        if found is None:
            found = self.by_bounds[bounds] = []
            rule = self.rule
            for period in periods_between(rule.period, *bounds):
                opens = period.first_day
                if rule.window is not None and rule.window.enforced:
                    opens = dt.date(period.first_day.year, rule.window.first_month, 1)
                    opens = max(opens, period.first_day)
                if opens <= ctx.as_of:
                    found.append(_Duty(period, opens, ctx.period_due(rule.due, period)))
        return found

    def need(self, duty: _Duty, has: int) -> Phrase:
        """The sentence "needs at least N event(s), has *has*" of *duty*'s period."""
        key = (duty.slot, has)
        found = self.needs.get(key)
        if found is None:
            period, count = duty.period, self.rule.count
            found = self.needs[key] = Phrase(
                f"{period.format('vi')}: cần ít nhất {count} sự kiện, có {has}.",
                f"Period {period.format('en')}: needs at least {count} event(s), has {has}.",
            )
        return found


def _every_plan(rule: EveryRule, index: int, ctx: Context) -> _EveryPlan:
    """The rule's :class:`_EveryPlan`, made at its first agency of the evaluation."""
    return ctx.once(("every", index), _EveryPlan, lambda: _EveryPlan(rule))


def evaluate_coverage(
    rule: CoverageRule, index: int, agency: Agency, ctx: Context, bounds: tuple[dt.date, dt.date]
) -> Iterator[Obligation]:
    """Yield one obligation per period: cover ``percent`` of the population."""
    events = ctx.events(agency.id, index, MATCH)
    populations = _populations(ctx)
    for period in periods_between(rule.period, *bounds):
        if period.first_day > ctx.as_of:
            continue
        groups = populations.of(rule, index, period)
        # The population of the agency's province (or the whole one), the agency itself aside.
        population = groups.get(agency.province if rule.same_province else None, frozenset())
        size = len(population) - (agency.id in population)
        if not size:
            continue
        needed = math.ceil(rule.percent * size / 100 - 1e-9)
        covered: dict[str, Event] = {}
        met_by = None
        first, last = period.first_day, period.last_day
        for event in events:
            target = event.attrs.get(rule.target_attribute)
            if first <= event.date <= last and target in population and target != agency.id and target not in covered:
                covered[target] = event
                if len(covered) == needed:
                    met_by = event
        deadline = ctx.period_due(rule.due, period)
        need = Phrase(
            f"{period.format('vi')}: cần {needed}/{size} cơ quan ({rule.percent:g}%), "
            f"đã có {len(covered)}.",
            f"Period {period.format('en')}: needs {needed} of {size} agencies "
            f"({rule.percent:g}%), has {len(covered)}.",
        )
        satisfied = tuple(e.id for e in sorted(covered.values(), key=Event.sort_key))
        yield _settle(rule, agency, None, _Duty(period, period.first_day, deadline), met_by, satisfied, need, ctx)


def _settle(
    rule: EveryRule | CoverageRule,
    agency: Agency,
    successor: Agency | None,
    duty: _Duty,
    met_by: Event | None,
    satisfied: tuple[str, ...],
    need: Phrase,
    ctx: Context,
) -> Obligation:
    """The obligation of *agency* (or its successor) for *duty*'s period, with its status."""
    due = duty.deadline.due
    owner = agency
    notes: tuple[Phrase, ...] = (need,)
    if agency.active_from is not None and agency.active_from > due:
        return _obligation(rule, agency, duty, Status.NOT_APPLICABLE, (), unborn_phrase(agency), notes, ctx)
    if ceased_first(agency, met_by, due):
        if successor is None:
            return _obligation(rule, agency, duty, Status.NOT_APPLICABLE, (), lapse_phrase(agency), notes, ctx)
        owner = successor
        notes += (transfer_phrase(agency, successor),)
    status, why = ctx.settled(due, met_by)
    return _obligation(rule, owner, duty, status, satisfied, why, notes, ctx)


def _obligation(
    rule: EveryRule | CoverageRule,
    owner: Agency,
    duty: _Duty,
    status: Status,
    satisfied: tuple[str, ...],
    why: Phrase,
    notes: tuple[Phrase, ...],
    ctx: Context,
) -> Obligation:
    title, basis = ctx.wording(rule)
    deadline = duty.deadline
    explanation = Explanation(title, basis, duty.origin, deadline.steps, why, notes)
    return Obligation(rule.id, owner.id, duty.text, None, duty.opens, deadline.due, status, satisfied, explanation)


def _parsed_period(text: str) -> Period | None:
    """``Period.parse(text)``, or None if it is not a period (the rule's plan keeps the answer per value)."""
    try:
        return Period.parse(text)
    except ValueError:
        return None


def _period_of(event: Event, rule: EveryRule) -> Period | None:
    """The period *event* counts for, or None when it counts for none."""
    window = rule.window
    if rule.period_attribute is not None:
        named = event.attrs.get(rule.period_attribute)
        if isinstance(named, int) and not isinstance(named, bool):
            named = str(named)  # a year written unquoted in YAML or JSON: 2025
        if not isinstance(named, str):
            return None
        period = _parsed_period(named)
        if period is None or period.kind != rule.period:
            return None
        # An enforced window excludes an event sent inside its period but outside the
        # window's months; one sent after the period is late, not excluded.
        outside = window is not None and not window.first_month <= event.date.month <= window.last_month
        if outside and window is not None and window.enforced and period.contains(event.date):
            return None
        return period
    if window is not None and window.enforced and not window.first_month <= event.date.month <= window.last_month:
        return None
    return Period.containing(event.date, rule.period)


POPULATIONS = ("coverage", "populations")
"""The key of :attr:`Context.memo` under which an engine passes its :class:`Populations`."""


class Populations:
    """The population of each coverage rule in each period, by province.

    Besides its own events (the targets they name), this is all a coordinating
    agency's coverage reads, and it is a function of the agency list alone, not
    of any event (:mod:`hanchot.depends`). An engine, whose agency list is
    fixed, keeps one for its life and passes it to every evaluation in
    ``Context.memo[POPULATIONS]``, so that a question about a coordinator does
    not walk the country's agency list again; an evaluation given none makes
    its own, and finds each population once, not once per coordinator.
    """

    def __init__(self, agencies: Mapping[str, Agency], rules: Iterable[AnyRule] = ()) -> None:
        self.agencies = agencies
        """The agency list the populations are drawn from."""
        self._named: dict[int, tuple[CoverageRule, list[Agency]]] = {}
        self._found: dict[tuple[int, Period], tuple[CoverageRule, dict[str | None, frozenset[str]]]] = {}
        for index, rule in enumerate(rules):  # the selectors matched now, not at a first question
            if isinstance(rule, CoverageRule):
                self._named_by(rule, index)

    def of(self, rule: CoverageRule, index: int, period: Period) -> Mapping[str | None, frozenset[str]]:
        """The ids of the agencies *rule* (number *index*) counts in *period*: by province
        when it counts only the coordinator's province, else all under ``None``."""
        found = self._found.get((index, period))
        if found is not None and found[0] is rule:
            return found[1]
        first, last = period.first_day, period.last_day
        groups: dict[str | None, set[str]] = {}
        for a in self._named_by(rule, index):
            if _overlaps(a, first, last) if rule.population_active == "any" else a.is_active(last):
                groups.setdefault(a.province if rule.same_province else None, set()).add(a.id)
        frozen = {k: frozenset(v) for k, v in groups.items()}
        self._found[(index, period)] = (rule, frozen)
        return frozen

    def _named_by(self, rule: CoverageRule, index: int) -> list[Agency]:
        """The agencies *rule*'s population selector names, in any period."""
        found = self._named.get(index)
        if found is None or found[0] is not rule:
            found = self._named[index] = (rule, [a for a in self.agencies.values() if a.matches(rule.population)])
        return found[1]


def _populations(ctx: Context) -> Populations:
    """The populations the engine keeps for *ctx*'s agency list, or this evaluation's own."""
    found = ctx.memo.get(POPULATIONS)
    if not isinstance(found, Populations) or found.agencies is not ctx.agencies:
        found = ctx.memo[POPULATIONS] = Populations(ctx.agencies)
    return found


def _overlaps(agency: Agency, first: dt.date, last: dt.date) -> bool:
    return (agency.active_from is None or agency.active_from <= last) and (
        agency.active_to is None or agency.active_to >= first
    )


def period_boundaries(rule: EveryRule | CoverageRule, first: dt.date, last: dt.date) -> list[dt.date]:
    """Each period opens a duty on its first day (or its window's, for a windowed rule)."""
    days = []
    window = getattr(rule, "window", None)
    for period in periods_between(rule.period, first, last):
        days.append(period.first_day)
        if window is not None:
            days.append(max(period.first_day, dt.date(period.first_day.year, window.first_month, 1)))
    return days


EVERY = register(
    RuleKind("every", EveryRule, evaluate_every, period_boundaries, label={"en": "every period", "vi": "định kỳ"})
)
COVERAGE = register(
    RuleKind(
        "coverage", CoverageRule, evaluate_coverage, period_boundaries, label={"en": "coverage", "vi": "tỷ lệ bao phủ"}
    )
)
