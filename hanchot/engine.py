"""The engine: a rule pack, a set of agencies, events in, a report out.

Evaluation is "as of" a date on the engine's own clock: events dated after it
are not seen, so history replays exactly. The work is split three ways:

1. the **matcher** (durable_rules, or its pure-Python twin) says which rule
   roles an event plays — trigger, fulfilment or match — one event at a time;
2. the **ledger** (:mod:`hanchot.ledger`) keeps the events, resolves
   duplicates, conflicts and retractions, and accounts for every input:
   ``read = used + ignored + duplicates + conflicts + rejected``;
3. the **evaluators** (:mod:`hanchot.obligations`) correlate events, count
   periods and compute deadlines with :mod:`hanchot.calendar`.

Results do not depend on input order: duplicates keep the copy with the least
:meth:`Event.sort_key`, and every list is sorted before use.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Self

from hanchot.calendar import WorkingCalendar
from hanchot.compact import Interner
from hanchot.depends import Dependencies
from hanchot.idle import Idle
from hanchot.inputs.event import Event
from hanchot.inputs.events import Rejection
from hanchot.inputs.records import RETRACTION, Agency, FieldError, parse_event
from hanchot.ledger import Bindings, Index, Ledger, Role
from hanchot.obligations import milestone, periodic, within  # noqa: F401  (they register the built-in kinds)
from hanchot.obligations.context import Context
from hanchot.obligations.model import Obligation, Report, Status
from hanchot.placement import Placement
from hanchot.queries import DEFAULT_CACHE_SIZE, Answers, violation_keys
from hanchot.rules.kinds import rule_kind
from hanchot.rules.loader import load_pack
from hanchot.rules.matcher import Matcher, make_matcher
from hanchot.rules.model import Pattern, Rule, RuleBase, RulePack

__all__ = ["Engine", "Obligation", "Report", "Status", "compile_roles", "idle_types", "rule_kind"]

_REPORTS_KEPT = 1  # whole-country reports cached (each holds every obligation: 300 MB at 2M events)



class Engine:
    """Evaluates events against one rule pack for a fixed set of agencies.

    ``Engine(pack, agencies).evaluate(events, as_of=date)`` gives a
    :class:`Report`. For embedding, ``add(event)`` feeds events one at a time
    and ``report(as_of)`` evaluates what was added; both paths give the same
    results. The per-agency questions (``obligations``, ``due_between``,
    ``violations_since``, ``report(agencies=...)``) cost the events of the
    agencies asked about and are cached until an event touching them is
    added (see INTEGRATING.md). Every call runs under one lock of the engine:
    threads may share it and never see a half-applied event. Engines share no mutable state, so several with different packs
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
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self.pack = pack if isinstance(pack, RulePack) else load_pack(pack)
        self.agencies: dict[str, Agency] = {a.id: a for a in sorted(agencies, key=lambda a: a.id)}
        self.calendar = calendar or WorkingCalendar.vietnam()
        self.patterns, self._roles = compile_roles(self.pack.rules)
        # A what-if evaluates one event log under two packs: when their patterns
        # are the same, so is every classification, and one matcher serves both.
        self._matcher: Matcher
        if share_matcher_with is not None and share_matcher_with.patterns == self.patterns:
            self._matcher = share_matcher_with._matcher
            self._owns_matcher = False
        else:
            self._matcher = make_matcher(self.patterns, matcher)
            self._owns_matcher = True
        self._applies = [tuple(rule.bound(self.agencies.values())) for rule in self.pack.rules]
        self._role_sets: dict[frozenset[int], tuple[Role, ...]] = {}  # matched patterns -> their roles
        fixed = {t: self._roles_of(m) for t in self._matcher.types if (m := self._matcher.fixed(t)) is not None}
        fixed[RETRACTION] = ()  # a retraction withdraws an event and plays no role itself
        applies = [frozenset(a.id for a in bound) for bound in self._applies]
        self.bindings = Bindings(self.agencies, applies, self._classified, fixed, idle_types(self.pack.rules, applies.__getitem__))
        """Where events count: the agencies each rule binds, and the matcher's roles."""
        self.depends = Dependencies(self.agencies)
        """Whose events each agency's results depend on (merges)."""
        self._populations = periodic.Populations(self.agencies, self.pack.rules)  # of the agency list alone
        self._lock = threading.RLock()
        self._interner = Interner()
        self._cache_size = cache_size
        self._start()

    def _start(self) -> None:
        """An empty ledger, its placement by agency and an empty cache of answers."""
        self._ledger = Ledger(self.bindings)
        self._placement = Placement(self._ledger)
        self._answers = Answers(self._placement, self.depends, self.evaluate_rules, self._cache_size)
        self._reports: dict[tuple[dt.date, dt.date | None], tuple[tuple[int, int], Report]] = {}

    # -- feeding -------------------------------------------------------------------------

    def add(self, event: Event | Mapping[str, Any] | Rejection) -> None:
        """Add one event (validated or raw), or record one rejected input line.

        A retraction (``event.retracted``) or a corrected copy is added like
        any event. Only the answers that depend on it are evaluated again.
        """
        if isinstance(event, Mapping):
            try:
                event = parse_event(event)
            except FieldError:
                pass  # the ledger records the rejection, with the same wording
        with self._lock:
            if not isinstance(event, Event):
                self._ledger.record(event)
                return
            self._interner.event(event)
            before = self._ledger.kept_copies(event.id)
            self._ledger.record(event)
            self._placement.update(event.id, before)

    def clear(self) -> None:
        """Forget every event added so far."""
        with self._lock:
            self._start()

    def report(
        self, as_of: dt.date, *, agencies: Iterable[str] | None = None, known_at: dt.date | None = None
    ) -> Report:
        """Evaluate the events added so far as of *as_of*.

        With *known_at*, only events the source system had recorded by that day
        count (an event without ``recorded_at`` is recorded on its date).

        With *agencies*, the report holds the obligations those agencies own,
        at a cost that follows their events, not the country's; its ``input``
        then accounts for the events placed on them (each id once: ``read =
        used + ignored``), and ``rejected`` and ``conflicts`` are empty (they
        belong to the whole input: ask the report without *agencies*).
        """
        with self._lock:
            if agencies is not None:
                wanted = self._known(agencies)
                obligations = tuple(self._answers.owned_by(wanted, as_of, known_at))
                counts = self._placement.account(sorted(wanted), as_of, known_at)
                return Report(self.pack.id, as_of, obligations, counts, (), known_at)
            state = (self._ledger.read, self._placement.version)
            found = self._reports.get((as_of, known_at))
            if found is not None and found[0] == state:
                return found[1]
            report = self._report(self._ledger, as_of, known_at)
            if len(self._reports) >= _REPORTS_KEPT:
                self._reports.clear()
            self._reports[(as_of, known_at)] = (state, report)
            return report

    def obligations(
        self,
        agency: str,
        as_of: dt.date,
        *,
        known_at: dt.date | None = None,
        status: Status | Iterable[Status] | None = None,
        rule: str | None = None,
    ) -> tuple[Obligation, ...]:
        """The obligations *agency* owns as of *as_of*, optionally of some statuses or one rule."""
        statuses = {status} if isinstance(status, Status) else None if status is None else set(status)
        with self._lock:
            found = self._answers.owned_by(self._known([agency]), as_of, known_at)
        return tuple(
            o for o in found if (statuses is None or o.status in statuses) and (rule is None or o.rule == rule)
        )

    def due_between(
        self,
        first: dt.date,
        last: dt.date,
        *,
        as_of: dt.date,
        agencies: Iterable[str] | None = None,
        known_at: dt.date | None = None,
    ) -> tuple[Obligation, ...]:
        """The duties not met as of *as_of* that fall due from *first* to *last* (inclusive)."""
        unmet = (Status.OPEN, Status.OVERDUE)
        return tuple(
            o
            for o in self._owned(agencies, as_of, known_at)
            if o.status in unmet and o.due is not None and first <= o.due <= last
        )

    def violations_since(
        self,
        since: dt.date,
        as_of: dt.date,
        *,
        agencies: Iterable[str] | None = None,
        known_at: dt.date | None = None,
    ) -> tuple[Obligation, ...]:
        """The violations as of *as_of* that were not violations as of *since* (same *known_at*)."""
        before = violation_keys(self._owned(agencies, since, known_at))
        return tuple(o for o in self._owned(agencies, as_of, known_at) if o.is_violation and o.key not in before)

    def _owned(self, agencies: Iterable[str] | None, as_of: dt.date, known_at: dt.date | None) -> list[Obligation]:
        with self._lock:
            wanted = set(self.agencies) if agencies is None else self._known(agencies)
            return self._answers.owned_by(wanted, as_of, known_at)

    def _known(self, agencies: Iterable[str]) -> set[str]:
        """*agencies* as a set, every id checked against the agency list."""
        wanted = {agencies} if isinstance(agencies, str) else set(agencies)
        unknown = sorted(a for a in wanted if a not in self.agencies)  # (not a set difference: O(country))
        if unknown:
            raise KeyError(f"no agency {', '.join(map(repr, unknown))} in the agency list")
        return wanted

    def evaluate(
        self,
        events: Iterable[Event | Mapping[str, Any] | Rejection],
        as_of: dt.date,
        *,
        known_at: dt.date | None = None,
    ) -> Report:
        """Evaluate *events* as of *as_of*, independently of anything added before."""
        with self._lock:  # the matcher (and its cache) is not for two threads at once
            ledger = Ledger(self.bindings)
            ledger.record_all(events)
            return self._report(ledger, as_of, known_at)

    def _report(self, ledger: Ledger, as_of: dt.date, known_at: dt.date | None) -> Report:
        view = ledger.view(as_of, known_at)
        obligations = tuple(self.evaluate_rules(view.index, as_of))
        return Report(self.pack.id, as_of, obligations, view.counts, view.rejected, known_at, view.conflicts)

    def new_ledger(self) -> Ledger:
        """An empty ledger placing events on this engine's agencies and rules."""
        return Ledger(self.bindings)

    @property
    def matcher(self) -> Matcher:
        """The matcher classifying events (shared, maybe, with another engine)."""
        return self._matcher

    def roles(self, event: Event) -> tuple[Role, ...]:
        """The (rule index, role) pairs *event* plays, by its type and attributes (none for a retraction)."""
        return self.bindings.roles(event)

    def _classified(self, event: Event) -> tuple[Role, ...]:
        """The roles of an event of a type whose patterns read attributes: the matcher's answer."""
        return self._roles_of(self._matcher.classify(event.type, event.attrs))

    def _roles_of(self, matched: frozenset[int]) -> tuple[Role, ...]:
        roles = self._role_sets.get(matched)
        if roles is None:  # once per distinct match: events share the tuple
            roles = self._role_sets[matched] = tuple(sorted({role for i in matched for role in self._roles[i]}))
        return roles

    def close(self) -> None:
        """Release the matcher's native resources (idempotent)."""
        if self._owns_matcher:
            self._matcher.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def evaluate_rules(self, index: Index, as_of: dt.date, only: Collection[str] | None = None) -> list[Obligation]:
        """Evaluate every rule for every agency (or those in *only*) as of *as_of*.

        *index* is what a :class:`~hanchot.ledger.Ledger` view gives: the
        events of each (agency, rule, role), in (date, id) order.
        """
        empty: list[Event] = []
        ctx = Context(
            pack=self.pack,
            calendar=self.calendar,
            as_of=as_of,
            agencies=self.agencies,
            events=lambda agency, rule, role: index.get((agency, rule, role), empty),
            memo={periodic.POPULATIONS: self._populations},
        )
        out: list[Obligation] = []
        valid = self.pack.valid
        wanted = None if only is None else sorted(only)
        for i, rule in enumerate(self.pack.rules):
            evaluate = rule_kind(rule.kind).evaluate
            # An agency counts from the latest start to the earliest end of the pack, the rule and itself.
            first = max(d for d in (valid.from_, rule.active_from) if d)
            last = min(d for d in (valid.to, rule.active_to, as_of) if d)
            for agency in self._applies[i] if wanted is None else self._bound(i, wanted):
                since, until = agency.active_from, agency.active_to
                start = since if since is not None and since > first else first
                end = until if until is not None and until < last else last
                if start <= end:
                    out.extend(evaluate(rule, i, agency, ctx, (start, end)))
        out.sort(key=Obligation.sort_key)
        return out

    def _bound(self, rule: int, wanted: list[str]) -> list[Agency]:
        """The agencies of *wanted* (sorted ids) that rule number *rule* binds, in id order (as ``_applies``)."""
        bound = self.bindings.applies[rule]
        return [self.agencies[a] for a in wanted if a in bound]


def compile_roles(rules: Sequence[RuleBase]) -> tuple[list[Pattern], list[list[Role]]]:
    """The distinct patterns of *rules*, and for each the roles it stands for."""
    patterns: list[Pattern] = []
    roles: list[list[Role]] = []
    seen: dict[str, int] = {}
    for i, rule in enumerate(rules):
        for role, pattern in rule.roles():
            key = pattern.model_dump_json()
            if key not in seen:
                seen[key] = len(patterns)
                patterns.append(pattern)
                roles.append([])
            roles[seen[key]].append((i, role))
    return patterns, roles


def idle_types(rules: Sequence[Rule], bound: Callable[[int], frozenset[str]]) -> Idle:
    """The event types whose events may be idle (see :mod:`hanchot.idle`), for *rules*, rule
    number *i* binding the agencies ``bound(i)``: a type whose patterns all match by the type
    alone, where one attribute holding nothing makes every role of the type idle
    (:attr:`~hanchot.rules.kinds.RuleKind.idle_by`)."""
    patterns, roles = compile_roles(rules)
    by_type: dict[str, list[Role]] = {}
    conditional: set[str] = set()
    for pattern, played in zip(patterns, roles):
        by_type.setdefault(pattern.type, []).extend(played)
        if pattern.where:
            conditional.add(pattern.type)
    idle: Idle = {}
    for event_type, played in sorted(by_type.items()):
        if event_type in conditional or event_type == RETRACTION:
            continue
        names = frozenset.intersection(*(rule_kind(rules[i].kind).idle_by(rules[i], role) for i, role in played))
        if names:
            idle[event_type] = (min(names), frozenset().union(*(bound(i) for i, _ in played)))
    return idle
