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
from collections.abc import Container, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Self

from hanchot.calendar import WorkingCalendar
from hanchot.inputs.events import Rejection
from hanchot.inputs.records import Agency, Event
from hanchot.ledger import Bindings, Index, Ledger, Role
from hanchot.obligations import milestone, periodic, within  # noqa: F401  (they register the built-in kinds)
from hanchot.obligations.context import Context
from hanchot.obligations.model import Obligation, Report
from hanchot.rules.kinds import rule_kind
from hanchot.rules.loader import load_pack
from hanchot.rules.matcher import Matcher, make_matcher
from hanchot.rules.model import Pattern, RuleBase, RulePack

__all__ = ["Engine", "Report", "compile_roles", "rule_kind"]



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
        self._applies = [
            tuple(a for a in self.agencies.values() if rule.binds(a)) for rule in self.pack.rules
        ]
        self.bindings = Bindings(self.agencies, [frozenset(a.id for a in bound) for bound in self._applies], self.roles)
        """Where events count: the agencies each rule binds, and the matcher's roles."""
        self._ledger = Ledger(self.bindings)

    # -- feeding -------------------------------------------------------------------------

    def add(self, event: Event | Mapping[str, Any] | Rejection) -> None:
        """Add one event (validated or raw), or record one rejected input line."""
        self._ledger.record(event)

    def clear(self) -> None:
        """Forget every event added so far."""
        self._ledger = Ledger(self.bindings)

    def report(self, as_of: dt.date, *, known_at: dt.date | None = None) -> Report:
        """Evaluate the events added so far as of *as_of*.

        With *known_at*, only events the source system had recorded by that day
        count (an event without ``recorded_at`` is recorded on its date).
        """
        return self._report(self._ledger, as_of, known_at)

    def evaluate(
        self,
        events: Iterable[Event | Mapping[str, Any] | Rejection],
        as_of: dt.date,
        *,
        known_at: dt.date | None = None,
    ) -> Report:
        """Evaluate *events* as of *as_of*, independently of anything added before."""
        ledger = Ledger(self.bindings)
        for event in events:
            ledger.record(event)
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

    def evaluate_rules(self, index: Index, as_of: dt.date, only: Container[str] | None = None) -> list[Obligation]:
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
        )
        out: list[Obligation] = []
        valid = self.pack.valid
        for i, rule in enumerate(self.pack.rules):
            evaluate = rule_kind(rule.kind).evaluate
            for agency in self._applies[i]:
                if only is not None and agency.id not in only:
                    continue
                first = max(d for d in (valid.from_, rule.active_from, agency.active_from) if d)
                last = min(d for d in (valid.to, rule.active_to, agency.active_to, as_of) if d)
                if first <= last:
                    out.extend(evaluate(rule, i, agency, ctx, (first, last)))
        out.sort(key=Obligation.sort_key)
        return out


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
