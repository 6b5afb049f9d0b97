"""The engine: a rule pack, a set of agencies, events in, a report out.

Evaluation is "as of" a date on the engine's own clock: events dated after it
are not seen, so history replays exactly. The work is split three ways:

1. the **matcher** (durable_rules, or its pure-Python twin) says which rule
   roles an event plays — trigger, fulfilment or match — one event at a time;
2. the **event store** keeps the events, resolves duplicates and retractions,
   and accounts for every input: ``read = used + ignored + duplicates + rejected``;
3. the **evaluators** (:mod:`hanchot.obligations`) correlate events, count
   periods and compute deadlines with :mod:`hanchot.calendar`.

Results do not depend on input order: duplicates keep the copy with the least
:meth:`Event.sort_key`, and every list is sorted before use.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from operator import attrgetter
from pathlib import Path
from typing import Any, Literal, Self

from hanchot.calendar import WorkingCalendar
from hanchot.inputs.events import Rejection
from hanchot.inputs.records import RETRACTION, Agency, Event, FieldError, parse_event
from hanchot.obligations.context import Context
from hanchot.obligations.milestone import evaluate_once
from hanchot.obligations.model import InputCounts, Obligation, Report
from hanchot.obligations.periodic import evaluate_coverage, evaluate_every
from hanchot.obligations.within import evaluate_within
from hanchot.rules.loader import load_pack
from hanchot.rules.matcher import Matcher, make_matcher
from hanchot.rules.model import AnyRule, Pattern, RulePack

__all__ = ["Engine", "Report"]

_EVALUATORS = {
    "within": evaluate_within,
    "every": evaluate_every,
    "once": evaluate_once,
    "coverage": evaluate_coverage,
}
_AGENCY_FIELDS = frozenset(Agency.model_fields)
_DATE_ID = attrgetter("date", "id")
Role = tuple[int, str]


class Engine:
    """Evaluates events against one rule pack for a fixed set of agencies.

    ``Engine(pack, agencies).evaluate(events, as_of=date)`` gives a
    :class:`Report`. For embedding, ``add(event)`` feeds events one at a time
    and ``report(as_of)`` evaluates what was added; both paths give the same
    results. Engines share no mutable state, so several with different packs
    coexist; ``share_matcher_with`` lets an engine whose patterns equal
    another's reuse that engine's matcher (and its classification cache),
    which stays owned (and closed) by the engine that made it.
    """

    def __init__(
        self,
        pack: RulePack | str | Path,
        agencies: Iterable[Agency],
        *,
        calendar: WorkingCalendar | None = None,
        matcher: Literal["auto", "durable", "python"] = "auto",
        share_matcher_with: Engine | None = None,
    ) -> None:
        self.pack = pack if isinstance(pack, RulePack) else load_pack(pack)
        self.agencies: dict[str, Agency] = {a.id: a for a in sorted(agencies, key=lambda a: a.id)}
        self.calendar = calendar or WorkingCalendar.vietnam()
        self.patterns, self._roles = _compile_roles(self.pack.rules)
        # A what-if evaluates one event log under two packs: when their patterns
        # are the same, so is every classification, and one matcher serves both.
        self._matcher: Matcher
        if share_matcher_with is not None and share_matcher_with.patterns == self.patterns:
            self._matcher = share_matcher_with._matcher
            self._owns_matcher = False
        else:
            self._matcher = make_matcher(self.patterns, matcher)
            self._owns_matcher = True
        self._applies = [
            tuple(a for a in self.agencies.values() if rule.binds(a)) for rule in self.pack.rules
        ]
        self._applies_ids = [frozenset(a.id for a in agencies) for agencies in self._applies]
        self._store = _EventStore(self)

    # -- feeding -------------------------------------------------------------------------

    def add(self, event: Event | Mapping[str, Any] | Rejection) -> None:
        """Add one event (validated or raw), or record one rejected input line."""
        self._store.add(event)

    def clear(self) -> None:
        """Forget every event added so far."""
        self._store = _EventStore(self)

    def report(self, as_of: dt.date, *, known_at: dt.date | None = None) -> Report:
        """Evaluate the events added so far as of *as_of*.

        With *known_at*, only events the source system had recorded by that day
        count (an event without ``recorded_at`` is recorded on its date).
        """
        return self._store.evaluate(as_of, known_at)

    def evaluate(
        self,
        events: Iterable[Event | Mapping[str, Any] | Rejection],
        as_of: dt.date,
        *,
        known_at: dt.date | None = None,
    ) -> Report:
        """Evaluate *events* as of *as_of*, independently of anything added before."""
        store = _EventStore(self)
        for event in events:
            store.add(event)
        return store.evaluate(as_of, known_at)

    def _new_store(self) -> _EventStore:
        """An empty event store bound to this engine (for replays and batches)."""
        return _EventStore(self)

    def roles(self, event: Event) -> tuple[Role, ...]:
        """The (rule index, role) pairs *event* plays, by its type and attributes."""
        matched = self._matcher.classify(event.type, event.attrs)
        if not matched:
            return ()
        return tuple(sorted({role for i in matched for role in self._roles[i]}))

    def close(self) -> None:
        """Release the matcher's native resources (idempotent)."""
        if self._owns_matcher:
            self._matcher.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _evaluate_rules(
        self,
        index: Mapping[tuple[str, int, str], list[Event]],
        as_of: dt.date,
        only: Container[str] | None = None,
    ) -> list[Obligation]:
        """Evaluate every rule for every agency (or those in *only*) as of *as_of*."""
        empty: list[Event] = []
        ctx = Context(
            pack=self.pack,
            calendar=self.calendar,
            as_of=as_of,
            agencies=self.agencies,
            events=lambda agency, rule, role: index.get((agency, rule, role), empty),
        )
        out: list[Obligation] = []
        valid = self.pack.valid
        for i, rule in enumerate(self.pack.rules):
            evaluate = _EVALUATORS[rule.kind]
            for agency in self._applies[i]:
                if only is not None and agency.id not in only:
                    continue
                first = max(d for d in (valid.from_, rule.active_from, agency.active_from) if d)
                last = min(d for d in (valid.to, rule.active_to, agency.active_to, as_of) if d)
                if first <= last:
                    out.extend(evaluate(rule, i, agency, ctx, (first, last)))  # type: ignore[operator]
        out.sort(key=Obligation.sort_key)
        return out


def _compile_roles(rules: Sequence[AnyRule]) -> tuple[list[Pattern], list[list[Role]]]:
    """The distinct patterns of *rules*, and for each the roles it stands for."""
    patterns: list[Pattern] = []
    roles: list[list[Role]] = []
    seen: dict[str, int] = {}
    for i, rule in enumerate(rules):
        if rule.kind == "within":
            named = [("trigger", rule.trigger), ("fulfilment", rule.fulfilment)]
        else:
            named = [("match", rule.match)]
        for role, pattern in named:
            key = pattern.model_dump_json()
            if key not in seen:
                seen[key] = len(patterns)
                patterns.append(pattern)
                roles.append([])
            roles[seen[key]].append((i, role))
    return patterns, roles


class _EventStore:
    """The events an engine has been given, and the accounting of its input."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.events: dict[str, Event] = {}
        self.roles: dict[str, tuple[Role, ...]] = {}
        self.read = 0
        self.rejected: list[Rejection] = []

    def add(self, item: Event | Mapping[str, Any] | Rejection) -> None:
        self.read += 1
        if isinstance(item, Rejection):
            self.rejected.append(item)
            return
        if not isinstance(item, Event):
            try:
                item = parse_event(item)
            except FieldError as exc:
                self.rejected.append(Rejection(exc.file, exc.line, exc.field, exc.reason, ""))
                return
        problem = self._reference_problem(item)
        if problem is not None:
            field, reason = problem
            file, line = item.origin
            self.rejected.append(Rejection(file, line, field, reason, ""))
            return
        kept = self.events.get(item.id)
        if kept is None or item.sort_key() < kept.sort_key():
            self.events[item.id] = item
            if kept is None or kept.type != item.type or kept.attrs != item.attrs:
                self.roles[item.id] = () if item.type == RETRACTION else self._engine.roles(item)

    def _reference_problem(self, event: Event) -> tuple[str, str] | None:
        """An event naming an unknown agency or agency field cannot be used."""
        agencies = self._engine.agencies
        if event.agency is not None and event.agency not in agencies:
            return "agency", f"no agency {event.agency!r} in the agency list"
        if event.scope is not None:
            unknown = sorted(set(event.scope) - _AGENCY_FIELDS)
            if unknown:
                return "scope", f"unknown agency field(s) {', '.join(unknown)}; fields: {', '.join(sorted(_AGENCY_FIELDS))}"
        return None

    def evaluate(self, as_of: dt.date, known_at: dt.date | None) -> Report:
        ignored: Counter[str] = Counter()
        visible: dict[str, Event] = {}
        for event in self.events.values():
            if event.date > as_of:
                ignored["after_as_of"] += 1
            elif known_at is not None and event.known_on > known_at:
                ignored["not_yet_recorded"] += 1
            else:
                visible[event.id] = event
        used = 0
        for event in [e for e in visible.values() if e.type == RETRACTION]:
            del visible[event.id]
            if event.retracts in visible and visible[event.retracts].type != RETRACTION:
                del visible[event.retracts]
                ignored["retracted"] += 1
                used += 1
            else:
                ignored["retraction_of_unknown_event"] += 1
        index: dict[tuple[str, int, str], list[Event]] = {}
        for event in visible.values():
            if not self.roles.get(event.id):
                ignored["no_matching_rule"] += 1
                continue
            placements = self.placements(event)
            if not placements:
                ignored["no_applicable_agency"] += 1
                continue
            used += 1
            for agency, roles in placements:
                for rule, role in roles:
                    index.setdefault((agency, rule, role), []).append(event)
        for events in index.values():
            # Visible ids are unique, so (date, id) orders as Event.sort_key does, cheaply.
            events.sort(key=_DATE_ID)
        counts = InputCounts(
            read=self.read,
            used=used,
            ignored=sum(ignored.values()),
            duplicates=self.read - len(self.rejected) - len(self.events),
            rejected=len(self.rejected),
            ignored_because=dict(ignored),
        )
        rejected = tuple(sorted(self.rejected, key=lambda r: (r.file, r.line, r.field)))
        obligations = tuple(self._engine._evaluate_rules(index, as_of))
        return Report(self._engine.pack.id, as_of, obligations, counts, rejected, known_at)

    def placements(self, event: Event) -> list[tuple[str, list[Role]]]:
        """Where *event* counts: each agency it concerns, with the roles it plays
        in the rules that bind that agency (empty: it concerns no bound agency)."""
        roles = self.roles.get(event.id, ())
        applies = self._engine._applies_ids
        out = []
        for agency in self._targets(event):
            mine = [(rule, role) for rule, role in roles if agency in applies[rule]]
            if mine:
                out.append((agency, mine))
        return out

    def _targets(self, event: Event) -> Iterator[str]:
        if event.agency is not None:
            yield event.agency
            return
        assert event.scope is not None
        for agency in self._engine.agencies.values():
            if agency.is_active(event.date) and agency.matches(event.scope):
                yield agency.id
