"""Replay what was known: the nightly results as they would have been seen.

Night N evaluates as of N with the events the source systems had recorded by
N (``known_at = N``): exactly ``check --as-of N --known-at N``. The replay is
incremental: events are parsed and classified once, and on each night only
the agencies whose results can have changed are evaluated again:

- an agency one of whose events (or retractions) became visible that night,
  and the agencies merged into it (their open duties may pass to it:
  :meth:`hanchot.depends.Dependencies.affected_by`, shared with the embedded
  engine's cache);
- an agency with an open obligation that fell due the night before;
- every agency on a night a period, window or milestone opens, or an agency
  or the pack begins or ceases (a short list of calendar dates).

Other agencies keep last night's obligations, whose status cannot have changed.
(Their explanations still say "as of" the night they were last evaluated.)
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]

from hanchot.engine import Engine
from hanchot.inputs import Event
from hanchot.inputs.events import Rejection
from hanchot.inputs.records import RETRACTION
from hanchot.obligations.model import Obligation, ObligationKey, Status
from hanchot.rules.kinds import rule_kind

STEPS = {"day": relativedelta(days=1), "week": relativedelta(weeks=1), "month": relativedelta(months=1)}


@dataclass(frozen=True)
class Night:
    """One night of a replay: its obligations and what changed since the last night."""

    date: dt.date
    obligations: tuple[Obligation, ...]
    new_violations: tuple[ObligationKey, ...]
    resolved_violations: tuple[ObligationKey, ...]
    evaluated_agencies: int
    """How many agencies were evaluated again that night (the cost of the night)."""

    @property
    def violations(self) -> int:
        """How many obligations were violations that night."""
        return sum(1 for o in self.obligations if o.is_violation)


@dataclass
class Visibility:
    """A violation's life in the replay: the first night seen and the night resolved."""

    first_seen: dt.date
    status: Status
    resolved_on: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        """The life as a JSON-ready mapping."""
        return {
            "first_seen": self.first_seen.isoformat(),
            "status_when_seen": self.status.value,
            "resolved_on": self.resolved_on.isoformat() if self.resolved_on else None,
        }


def nights(first: dt.date, last: dt.date, every: str = "day") -> list[dt.date]:
    """The evaluation dates from *first* to *last* inclusive, every day, week or month."""
    step, out, n = STEPS[every], [], 0
    while (night := first + step * n) <= last:
        out.append(night)
        n += 1
    return out


@dataclass(frozen=True)
class ReplayRun:
    """A whole replay, as the command writes it: its nights and the accounting of its input."""

    nights: tuple[Night, ...]
    read: int
    """Input lines read (events and rejected lines)."""
    rejected: tuple[Rejection, ...] = ()


def replay_run(
    engine: Engine, events: Iterable[Event | Mapping[str, Any] | Rejection], dates: list[dt.date]
) -> ReplayRun:
    """Every night of *dates* (ascending), with the accounting of the input lines read."""
    state = _ReplayState(engine, events)
    return ReplayRun(tuple(_nights(state, dates)), state.read, state.rejected)


def replay(
    engine: Engine, events: Iterable[Event | Mapping[str, Any] | Rejection], dates: list[dt.date]
) -> Iterator[Night]:
    """Yield the night of each of *dates* (ascending) as it would have been seen."""
    return _nights(_ReplayState(engine, events), dates)


def _nights(state: _ReplayState, dates: list[dt.date]) -> Iterator[Night]:
    previous: set[ObligationKey] = set()
    last_night: dt.date | None = None
    for night in dates:
        evaluated = state.advance(last_night, night)
        obligations = tuple(sorted((o for group in state.results.values() for o in group), key=Obligation.sort_key))
        current = {o.key for o in obligations if o.is_violation}
        yield Night(night, obligations, tuple(sorted(current - previous)), tuple(sorted(previous - current)), evaluated)
        previous, last_night = current, night


def timeline(replayed: Iterable[Night]) -> dict[ObligationKey, Visibility]:
    """When each violation first became visible, and when (if ever) it was resolved."""
    lives: dict[ObligationKey, Visibility] = {}
    for night in replayed:
        statuses = {o.key: o.status for o in night.obligations}
        for key in night.new_violations:
            if key not in lives or lives[key].resolved_on is not None:
                lives[key] = Visibility(night.date, statuses[key])
        for key in night.resolved_violations:
            lives[key].resolved_on = night.date
    return dict(sorted(lives.items()))


@dataclass
class _Placed:
    visible_on: dt.date
    event: Event
    roles: list[tuple[int, str]]


class _ReplayState:
    """Events placed per agency by the night they become visible, and last results."""

    def __init__(self, engine: Engine, events: Iterable[Event | Mapping[str, Any] | Rejection]) -> None:
        self.engine = engine
        self.results: dict[str, list[Obligation]] = {}
        self._placed: dict[str, list[_Placed]] = {}
        self._changes: dict[str, list[dt.date]] = {}
        self._retracted_on: dict[tuple[str, str | None], dt.date] = {}  # by (id, agency): a kept copy
        self._due_watch: dict[str, dt.date] = {}
        ledger = engine.new_ledger()
        ledger.record_all(events)
        self.read = ledger.read
        self.rejected = tuple(ledger.rejected)
        for event in ledger.kept():
            if event.type != RETRACTION:
                continue
            target = ledger.retraction_target(event)
            if isinstance(target, Event):
                key = (target.id, target.agency)
                self._retracted_on[key] = min(_visible_on(event), self._retracted_on.get(key, dt.date.max))
        for event in ledger.kept():
            if event.type == RETRACTION:
                continue
            key = (event.id, event.agency)
            for agency, roles in ledger.placements(event):
                self._placed.setdefault(agency, []).append(_Placed(_visible_on(event), event, roles))
                changes = self._changes.setdefault(agency, [])
                changes.append(_visible_on(event))
                if key in self._retracted_on:
                    changes.append(max(self._retracted_on[key], _visible_on(event)))
        for agency, placed in self._placed.items():
            placed.sort(key=lambda p: (p.visible_on, p.event.sort_key()))
            self._changes[agency] = sorted(set(self._changes[agency]))
        self._boundaries = self._calendar_boundaries()

    def advance(self, last: dt.date | None, night: dt.date) -> int:
        """Bring the results to *night*; return how many agencies were evaluated."""
        if last is None or any(last < b <= night for b in self._window(last, night)):
            dirty = set(self.engine.agencies)
        else:
            dirty = {a for a, days in self._changes.items() if _any_between(days, last, night)}
            dirty |= {a for a, day in self._due_watch.items() if last < day <= night}
            dirty = self.engine.depends.owners(dirty)
        needed = {a for agency in dirty for a in self.engine.depends.reads(agency)}
        index = self._index(needed, night)
        for agency in dirty:
            self.results[agency] = self.engine.evaluate_rules(index, night, only={agency})
            due_soon = [o.due for o in self.results[agency] if o.status is Status.OPEN and o.due is not None]
            if due_soon:
                self._due_watch[agency] = min(due_soon) + dt.timedelta(days=1)
            else:
                self._due_watch.pop(agency, None)
        return len(dirty)

    def _window(self, last: dt.date, night: dt.date) -> list[dt.date]:
        lo = bisect.bisect_right(self._boundaries, last)
        hi = bisect.bisect_right(self._boundaries, night)
        return self._boundaries[lo:hi]

    def _index(self, agencies: Iterable[str], night: dt.date) -> dict[tuple[str, int, str], list[Event]]:
        index: dict[tuple[str, int, str], list[Event]] = {}
        for agency in agencies:
            for placed in self._placed.get(agency, ()):
                if placed.visible_on > night:
                    break
                if self._retracted_on.get((placed.event.id, placed.event.agency), dt.date.max) <= night:
                    continue
                for rule, role in placed.roles:
                    index.setdefault((agency, rule, role), []).append(placed.event)
        for events in index.values():
            events.sort(key=Event.sort_key)
        return index

    def _calendar_boundaries(self) -> list[dt.date]:
        """Days on which a result may change with no new event, for every agency."""
        pack = self.engine.pack
        days: set[dt.date] = {pack.valid.from_}
        if pack.valid.to:
            days.add(pack.valid.to + dt.timedelta(days=1))
        last = pack.valid.to or dt.date(2100, 12, 31)
        for rule in pack.rules:
            days.update(d for d in (rule.active_from, rule.active_to) if d)
            days.update(rule_kind(rule.kind).boundaries(rule, pack.valid.from_, last))
        for agency in self.engine.agencies.values():
            if agency.active_from:
                days.add(agency.active_from)
            if agency.active_to:
                days.add(agency.active_to + dt.timedelta(days=1))
        return sorted(days)


def _visible_on(event: Event) -> dt.date:
    """The first night an event is seen: dated and recorded by then."""
    return max(event.date, event.known_on)


def _any_between(days: list[dt.date], last: dt.date, night: dt.date) -> bool:
    i = bisect.bisect_right(days, last)
    return i < len(days) and days[i] <= night


__all__ = ["Night", "ReplayRun", "Visibility", "nights", "replay", "replay_run", "timeline"]
