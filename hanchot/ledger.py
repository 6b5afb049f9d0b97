"""The ledger: the one place that knows how events are kept.

Every consumer of events — the engine (:mod:`hanchot.engine`), a batch
partition (:mod:`hanchot.batch.partition`) and the replay
(:mod:`hanchot.replay`) — keeps them in a :class:`Ledger`, which decides:

- **duplicates**: copies of one id that are identical keep the one with the
  least :meth:`Event.sort_key` (then the least origin), whatever the input
  order;
- **conflicts**: copies of one id that differ (see :func:`resolve_copies`).
  No copy ever silently replaces another agency's event: copies naming
  different agencies each count for their own agency, as distinct events;
  copies naming the same agency, or involving a broadcast, are one event of
  which the least copy counts and the others are set aside (``conflicts`` in
  the accounting). Every conflict is listed with both ``file:line``
  locations (:class:`Conflict`);
- **retractions** (:meth:`Ledger.retraction_target`): an ``event.retracted``
  withdraws the kept copy of the id it names. When several copies are kept
  (different agencies), it withdraws the one of its own agency, and with none
  of its agency it withdraws nothing (``ambiguous_retraction``). A retraction
  of a retraction restores nothing and is ignored as
  ``retraction_of_retraction`` (the first retraction stands; to restore an
  event, send it again under a new id);
- **visibility**: as of a date (``after_as_of``) and as known at a date
  (``not_yet_recorded``);
- **accounting**: ``read = used + ignored + duplicates + conflicts + rejected``
  with the reasons of ``ignored`` (:class:`~hanchot.obligations.model.InputCounts`);
- **placement** (:class:`Bindings`): the agencies an event concerns and the
  (rule, role) pairs it plays for each, as an :data:`Index` keyed by plain
  ``(agency, rule index, role)`` tuples.

A ledger may be *scoped* to some agencies (a batch partition): it then keeps
*shadow* copies of broadcasts whose home is elsewhere (evaluated, never
counted), places events only on its agencies, and records in
:class:`Crossings` what it cannot decide alone. It may also hold *light*
events as one integer each (:data:`VISIBLE` … :data:`RETRACTED` in the two low
bits, their kind in the next two, the rest a reference its owner can read the
line again from): events whose type no rule names, the bulk of a real log, and
*idle* events, which no evaluation can use though they count as used
(:attr:`Bindings.idle`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Protocol

from hanchot.idle import IDLE_UNBOUND, IDLE_USED, NO_ROLE, Idle
from hanchot.inputs.event import Event
from hanchot.inputs.events import Conflict, Rejection
from hanchot.inputs.records import RETRACTION, Agency, FieldError, parse_event
from hanchot.obligations.model import InputCounts

__all__ = [
    "AFTER_AS_OF",
    "AGENCY_FIELDS",
    "NOT_YET_RECORDED",
    "RETRACTED",
    "VISIBLE",
    "Bindings",
    "Conflict",
    "Crossings",
    "Index",
    "IndexKey",
    "Ledger",
    "LightSources",
    "Role",
    "View",
    "ignored_reason",
    "resolve_copies",
    "visibility",
]

Role = tuple[int, str]
"""A (rule index, role) pair: the role is ``trigger``, ``fulfilment`` or ``match``."""
IndexKey = tuple[str, int, str]
"""(agency id, rule index, role)."""
Index = dict[IndexKey, list[Event]]
"""The events each agency's rules see, by role, each list in (date, id) order."""

AGENCY_FIELDS = frozenset(Agency.model_fields)

# The code of a light event (the four low bits of its reference): its visibility in the
# two low bits, its kind in the next two.
VISIBLE, AFTER_AS_OF, NOT_YET_RECORDED, RETRACTED = 0, 1, 2, 3
VISIBILITY_MASK = 3
CODE_BITS = 4  # and the kind (hanchot.idle) in the next two
CODE_MASK = (1 << CODE_BITS) - 1
_ID = attrgetter("id")


def visibility(day: dt.date, as_of: dt.date, known_at: dt.date | None, known_on: dt.date | None = None) -> int:
    """The visibility code of an event of date *day* (recorded on *known_on*)."""
    if day > as_of:
        return AFTER_AS_OF
    if known_at is not None and (known_on or day) > known_at:
        return NOT_YET_RECORDED
    return VISIBLE


_REASON = {AFTER_AS_OF: "after_as_of", NOT_YET_RECORDED: "not_yet_recorded"}
_VISIBLE_REASON = {NO_ROLE: "no_matching_rule", IDLE_UNBOUND: "no_applicable_agency"}


def ignored_reason(code: int) -> str:
    """The ``ignored_because`` reason of an event not visible (its visibility *code*)."""
    return _REASON[code]


def resolve_copies(copies: Sequence[Event]) -> tuple[list[Event], list[Event]]:
    """Which of the differing copies of one id count: (kept, set aside).

    *copies* are distinct, least first. The least copy always counts. When
    no copy is a broadcast, the least copy naming each other agency counts
    too (an id reused by another source system must not erase this agency's
    event: that would be a false violation); every other copy is set aside.
    """
    first = copies[0]
    if any(c.scope is not None for c in copies):
        return [first], list(copies[1:])
    kept, aside = [first], []
    agencies = {first.agency}
    for copy in copies[1:]:
        if copy.agency in agencies:
            aside.append(copy)
        else:
            agencies.add(copy.agency)
            kept.append(copy)
    return kept, aside


class LightSources(Protocol):
    """Where the lines of light events can be read again (the batch's spill and inputs)."""

    def reread(self, ref: int) -> Event:
        """The event of a light reference (its origin's line may be 0: see :meth:`locate`)."""

    def locate(self, ref: int) -> int:
        """The line number of a light reference (may be slow: used for reports only)."""

    def before(self, a: int, b: int) -> bool | None:
        """Whether line *a* comes before line *b* of one file, if their references tell."""


class Bindings:
    """Where an event counts: the agencies it concerns, the rules binding them.

    *applies* holds, for each rule of the pack (by index), the ids of the
    agencies it binds; *classify* gives the roles an event plays by its type
    and attributes (the matcher), and none for a retraction; *fixed*, the roles
    of every event of a type whose patterns read no attribute (see :meth:`roles`);
    *idle*, the types whose events are idle when an attribute holds nothing.
    """

    def __init__(
        self,
        agencies: Mapping[str, Agency],
        applies: Sequence[frozenset[str]],
        classify: Callable[[Event], tuple[Role, ...]],
        fixed: Mapping[str, tuple[Role, ...]] | None = None,
        idle: Idle | None = None,
    ) -> None:
        self.agencies = agencies
        self.applies = applies
        self.classify = classify
        self.fixed: dict[str, tuple[Role, ...]] = dict(fixed or {})
        self.idle: Idle = dict(idle or {})
        """An *idle* event plays roles in which no evaluation can use it (a revision naming
        no document, where a duty is met only by one naming the trigger's): it counts as used
        where a rule of its roles binds its agency, and a batch keeps it light (see
        :mod:`hanchot.idle`); ``hanchot check`` keeps it as any event, to the same result."""
        # The agencies of a pool a scope selects (dates aside), by scope: a law broadcast to
        # the communes is matched against the pool once, not once per copy and per line.
        self._scoped: tuple[Sequence[Agency] | None, dict[Any, list[Agency]]] = (None, {})

    def roles(self, event: Event) -> tuple[Role, ...]:
        """The (rule index, role) pairs *event* plays: by its type alone when it is *fixed*
        (here, compiled: most events), else as *classify* says."""
        found = self.fixed.get(event.type)
        return found if found is not None else self.classify(event)

    def problem(self, event: Event) -> tuple[str, str] | None:
        """Why *event* cannot be used (field, reason): an unknown agency or agency field."""
        if event.agency is not None:
            if event.agency not in self.agencies:
                return "agency", f"no agency {event.agency!r} in the agency list"
            return None
        assert event.scope is not None
        unknown = sorted(set(event.scope) - AGENCY_FIELDS)
        if unknown:
            fields = ", ".join(sorted(AGENCY_FIELDS))
            return "scope", f"unknown agency field(s) {', '.join(unknown)}; fields: {fields}"
        return None

    def targets(self, event: Event, pool: Sequence[Agency], local: Collection[str] | None) -> list[str]:
        """The agencies of *pool* (in id order) *event* concerns."""
        if event.agency is not None:
            return [event.agency] if local is None or event.agency in local else []
        assert event.scope is not None
        scope, day = event.scope, event.date
        known, selected = self._scoped
        if known is not pool:
            selected = {}
            self._scoped = (pool, selected)
        key = tuple((k, v if isinstance(v, str) else tuple(v)) for k, v in scope.items())
        chosen = selected.get(key)
        if chosen is None:
            chosen = selected[key] = [a for a in pool if a.matches(scope)]
        return [a.id for a in chosen if a.is_active(day)]

    def place(
        self, event: Event, roles: Sequence[Role], pool: Sequence[Agency], local: Collection[str] | None = None
    ) -> list[tuple[str, list[Role]]]:
        """Each agency *event* concerns, with the roles it plays in the rules binding it."""
        applies = self.applies
        out = []
        for agency in self.targets(event, pool, local):
            mine = [(rule, role) for rule, role in roles if agency in applies[rule]]
            if mine:
                out.append((agency, mine))
        return out


@dataclass
class Crossings:
    """What a scoped ledger cannot decide alone, for the batch to reconcile."""

    misrouted: list[str] = field(default_factory=list)
    """Agency ids of events found among another partition's lines."""
    home_scopes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """(id, scope) of the broadcasts counted here."""
    shadow_mismatch: list[str] = field(default_factory=list)
    """Ids kept both as a shadow and at home."""
    broadcast_dups: list[str] = field(default_factory=list)
    """Ids with two copies, one of them a broadcast."""
    retracted: list[str] = field(default_factory=list)
    """Ids withdrawn by a retraction kept here."""
    unknown_targets: list[str] = field(default_factory=list)
    """Ids named by a retraction here and not kept here."""
    pending_broadcasts: list[str] = field(default_factory=list)
    """Broadcasts counted here that concern none of this ledger's agencies."""
    placed_shadows: list[str] = field(default_factory=list)
    """Shadow broadcasts placed on an agency here."""


@dataclass
class View:
    """The ledger as of a date: what the rules see, and the accounting."""

    index: Index
    counts: InputCounts
    rejected: tuple[Rejection, ...]
    conflicts: tuple[Conflict, ...]


class Ledger:
    """The events given so far: kept, deduplicated, accounted for (see the module)."""

    def __init__(
        self,
        bindings: Bindings,
        *,
        local: Collection[str] | None = None,
        sources: LightSources | None = None,
    ) -> None:
        self.bindings = bindings
        self.local = local
        self.pool: tuple[Agency, ...] = tuple(
            a for a in bindings.agencies.values() if local is None or a.id in local
        )
        self.sources = sources
        self._refs: dict[int, tuple[Event, int]] = {}  # id() of an event read again -> it (kept alive), its reference
        self._lines: dict[int, int] = {}  # reference -> line, found when first needed
        self.events: dict[str, Event] = {}
        """The least copy of each id."""
        self.roles: dict[str, tuple[Role, ...]] = {}
        self.copies: dict[str, list[Event]] = {}
        """For each id whose copies differ: its distinct copies, least first."""
        self.light: dict[str, int] = {}
        """Light events: id -> reference (its code in the low bits)."""
        self.late = [0] * (1 << CODE_BITS)
        """Light events by code (those of code 0, VISIBLE of NO_ROLE, are derived: see :meth:`view`)."""
        self.shadows: set[str] = set()
        self.rejected: list[Rejection] = []
        self.read = 0
        self.crossings = Crossings()

    # -- keeping ---------------------------------------------------------------------------

    def record(self, item: Event | Mapping[str, Any] | Rejection) -> None:
        """Count one input line and keep what it gave (an event, raw or validated, or a rejection)."""
        self.record_all((item,))

    def record_all(self, items: Iterable[Event | Mapping[str, Any] | Rejection]) -> None:
        """Count input lines and keep what each gave, in order (see :meth:`record`)."""
        self.keep_all(self._counted(items))

    def _counted(self, items: Iterable[Event | Mapping[str, Any] | Rejection]) -> Iterator[Event | Rejection]:
        """*items* as parsed lines, each counted as read when it is kept."""
        for item in items:
            self.read += 1
            if not isinstance(item, (Event, Rejection)):
                try:
                    item = parse_event(item)
                except FieldError as exc:
                    item = Rejection(exc.file, exc.line, exc.field, exc.reason, "")
            yield item

    def keep(self, item: Event | Rejection, shadow: bool = False) -> None:
        """Keep one parsed line without counting it (the caller counts lines).

        A *shadow* is a broadcast's copy whose home is another partition: kept
        for evaluation, never counted nor reported.
        """
        self.keep_all((item,), shadow)

    def keep_all(self, items: Iterable[Event | Rejection], shadow: bool = False) -> None:
        """Keep parsed lines, in order, as :meth:`keep` keeps each (a reader's loop without a
        call per line)."""
        bindings, events, roles, local = self.bindings, self.events, self.roles, self.local
        agencies = bindings.agencies
        for item in items:
            if type(item) is not Event:
                if not shadow:
                    self.rejected.append(item)  # type: ignore[arg-type]
                continue
            agency = item.agency
            if agency not in agencies:  # (None for a broadcast: its scope is checked)
                problem = bindings.problem(item)
                if problem is not None:
                    if not shadow:
                        file, line = item.origin
                        self.rejected.append(Rejection(file, line, problem[0], problem[1], ""))
                    continue
            if local is not None:
                if agency is not None:
                    if agency not in local:
                        self.crossings.misrouted.append(agency)
                elif not shadow:
                    assert item.scope is not None
                    self.crossings.home_scopes.append((item.id, item.scope))
            event_id = item.id
            kept = events.get(event_id)
            if kept is None and self.light:
                ref = self.light.pop(event_id, None)
                if ref is not None:
                    self.late[ref & CODE_MASK] -= 1
                    kept = events[event_id] = self._reread(ref)
                    roles[event_id] = bindings.roles(kept)
            if kept is None:  # the first copy of an id (most lines)
                events[event_id] = item
                if shadow:
                    self.shadows.add(event_id)
                roles[event_id] = bindings.roles(item)
            else:
                self._keep_copy(item, kept, shadow)

    def _keep_copy(self, item: Event, kept: Event, shadow: bool) -> None:
        """Keep *item*, a copy of an id kept already (*kept*): a duplicate, or a conflict."""
        event_id = item.id
        if shadow and kept.origin == item.origin:
            return  # one line's shadow copies in two buckets of this partition
        if self.local is not None:
            if (event_id in self.shadows) != shadow:
                self.crossings.shadow_mismatch.append(event_id)
            if kept.scope is not None or item.scope is not None:
                self.crossings.broadcast_dups.append(event_id)
        new, old = item.sort_key(), kept.sort_key()
        if new != old:
            self._differ(item, kept, new, old)
            if not new < old:
                return
        elif self._before(item, kept):  # identical: the least origin, so reports do not depend on order
            if event_id in self.copies:
                self.copies[event_id][0] = item
        else:
            return
        self._replace(item, shadow, kept)

    def keep_light(self, event_id: str, ref: int) -> None:
        """Keep a light event by its reference (its visibility code in the low bits)."""
        if event_id in self.light or event_id in self.events:
            self.keep(self._reread(ref))
            return
        self.light[event_id] = ref
        self.late[ref & CODE_MASK] += 1

    def _reread(self, ref: int) -> Event:
        """The event of a light reference, parsed again (its line found only if needed)."""
        assert self.sources is not None
        event = self.sources.reread(ref)
        self._refs[id(event)] = (event, ref)
        return event

    def _origin(self, event: Event) -> tuple[str, int]:
        """Where *event* is; the line of a light event read again is found now (rare)."""
        found = self._refs.get(id(event))
        if found is None or self.sources is None:
            return event.origin
        ref = found[1]
        line = self._lines.get(ref)
        if line is None:
            line = self._lines[ref] = self.sources.locate(ref)
        return event.origin[0], line

    def _before(self, a: Event, b: Event) -> bool:
        """Whether *a*'s line comes before *b*'s (by file, then line)."""
        fa, fb = self._refs.get(id(a)), self._refs.get(id(b))
        if (fa is None and fb is None) or a.origin[0] != b.origin[0]:
            return a.origin < b.origin
        if fa is not None and fb is not None and self.sources is not None:
            order = self.sources.before(fa[1], fb[1])
            if order is not None:
                return order
        return self._origin(a) < self._origin(b)

    def _replace(self, item: Event, shadow: bool, kept: Event) -> None:
        """Keep *item* as the least copy of its id instead of *kept*."""
        event_id = item.id
        self.events[event_id] = item
        if shadow:
            self.shadows.add(event_id)
        else:
            self.shadows.discard(event_id)
        if kept.type != item.type or kept.attrs != item.attrs:
            self.roles[event_id] = self.bindings.roles(item)

    def _differ(self, item: Event, kept: Event, new: tuple[Any, ...], old: tuple[Any, ...]) -> None:
        """Keep every distinct copy of a conflicting id (the least origin of identical ones)."""
        copies = self.copies.setdefault(item.id, [kept])
        for i, copy in enumerate(copies):
            if copy.sort_key() == new:
                if self._before(item, copy):
                    copies[i] = item
                return
        copies.append(item)
        copies.sort(key=Event.sort_key)

    # -- reading ---------------------------------------------------------------------------

    def kept_copies(self, event_id: str) -> list[Event]:
        """The copies of *event_id* that count (several only for different agencies)."""
        copies = self.copies.get(event_id)
        if copies is not None:
            return resolve_copies(copies)[0]
        event = self.events.get(event_id)
        return [] if event is None else [event]

    def kept(self) -> Iterator[Event]:
        """Every copy that counts (shadows included), the least copy of each id first."""
        if not self.copies:  # the usual ledger: the least copies are all (no generator step per event)
            return iter(self.events.values())
        return self._with_copies()

    def _with_copies(self) -> Iterator[Event]:
        for event_id, event in self.events.items():
            yield event
            if event_id in self.copies:
                yield from resolve_copies(self.copies[event_id])[0][1:]

    def retraction_target(self, retraction: Event) -> Event | str | None:
        """The copy *retraction* withdraws; a reason it withdraws none; None: not kept here.

        Independent of dates: visibility is the caller's (the evaluation's or
        the replay's). The reasons: ``retraction_of_retraction``,
        ``ambiguous_retraction``.
        """
        assert retraction.retracts is not None
        copies = self.kept_copies(retraction.retracts)
        if not copies:
            return None
        events = [c for c in copies if c.type != RETRACTION]
        if not events:
            return "retraction_of_retraction"
        if len(events) == 1:
            return events[0]
        own = [c for c in events if c.agency == retraction.agency]
        return own[0] if own else "ambiguous_retraction"

    def placements(self, event: Event) -> list[tuple[str, list[Role]]]:
        """Where *event* (a kept copy, the least of its id or another: a conflict) counts:
        each agency it concerns with the roles it plays there."""
        return self.bindings.place(event, self._roles(event), self.pool, self.local)

    def conflicts(self) -> list[Conflict]:
        """Every pair (least copy, other copy) of the ids counted here whose copies differ."""
        out: list[Conflict] = []
        for event_id, copies in self.copies.items():
            if event_id in self.shadows:
                continue
            kept, _ = resolve_copies(copies)
            first = self._origin(copies[0])
            out.extend(
                Conflict(event_id, first, self._origin(c), any(c is k for k in kept)) for c in copies[1:]
            )
        out.sort(key=Conflict.sort_key)
        return out

    # -- evaluating ------------------------------------------------------------------------

    def view(self, as_of: dt.date, known_at: dt.date | None = None) -> View:
        """What the rules see as of *as_of* (known at *known_at*), and the accounting."""
        # What a view finds about crossings is found again by the next view: a long-lived
        # engine asked many times must not grow these lists.
        crossings = self.crossings
        for found in (crossings.retracted, crossings.unknown_targets, crossings.pending_broadcasts, crossings.placed_shadows):
            found.clear()
        ignored: Counter[str] = Counter()
        shadows = self.shadows
        on_day: dict[dt.date, list[Event]] = {}  # the visible events, by date
        retractions: list[Event] = []
        by_day: dict[dt.date, int] = {}  # the code of an unrecorded event's date, found once per date
        for event in self.kept():
            if event.recorded is None:
                code = by_day.get(event.date)
                if code is None:
                    code = by_day[event.date] = visibility(event.date, as_of, known_at)
            else:
                code = visibility(event.date, as_of, known_at, event.recorded)
            if code == VISIBLE:
                if event.type == RETRACTION:
                    retractions.append(event)
                elif (same := on_day.get(event.date)) is not None:
                    same.append(event)
                else:
                    on_day[event.date] = [event]
            elif event.id not in shadows:
                ignored[_REASON[code]] += 1
        # Placed in (date, id) order, every list of the index is in that order: one ordering for
        # all (ids are unique per agency: the order of Event.sort_key), not one sort per list.
        # By date, then by id within each date: a key of one string compares at C speed, where
        # a (date, id) key would compare dates by the generic rich comparison.
        visible: list[Event] = []
        for day in sorted(on_day):
            same = on_day[day]
            same.sort(key=_ID)
            visible += same
        aside = 0
        for event_id, copies in self.copies.items():
            if event_id not in shadows:
                aside += len(resolve_copies(copies)[1])
        used, withdrawn = self._retract(retractions, as_of, known_at, ignored)
        if withdrawn:
            visible = [e for e in visible if id(e) not in withdrawn]
        used += self._account_light(ignored)
        index: Index = {}
        used += self._place_all(visible, index, ignored)
        distinct = len(self.events) - len(shadows) + sum(
            len(c) - 1 for i, c in self.copies.items() if i not in shadows
        )
        counts = InputCounts(
            read=self.read,
            used=used,
            ignored=sum(ignored.values()),
            duplicates=self.read - len(self.rejected) - len(self.light) - distinct,
            conflicts=aside,
            rejected=len(self.rejected),
            ignored_because=dict(ignored),
        )
        rejected = tuple(sorted(self.rejected, key=lambda r: (r.file, r.line, r.field)))
        return View(index, counts, rejected, tuple(self.conflicts()))

    def _retract(
        self, retractions: list[Event], as_of: dt.date, known_at: dt.date | None, ignored: Counter[str]
    ) -> tuple[int, set[int]]:
        """Apply the visible *retractions*: how many were used, and the ``id()`` of each event withdrawn."""
        used = 0
        withdrawn: set[int] = set()
        shadows, light, crossings = self.shadows, self.light, self.crossings
        for retraction in retractions:
            home = retraction.id not in shadows
            target = self.retraction_target(retraction)
            assert retraction.retracts is not None
            if (
                isinstance(target, Event)
                and id(target) not in withdrawn
                and visibility(target.date, as_of, known_at, target.recorded) == VISIBLE
            ):
                withdrawn.add(id(target))
                if target.id not in shadows:
                    ignored["retracted"] += 1
                used += home
                crossings.retracted.append(target.id)
            elif target is None and (ref := light.get(retraction.retracts, AFTER_AS_OF)) & VISIBILITY_MASK == VISIBLE:
                light[retraction.retracts] = ref | RETRACTED
                self.late[ref & CODE_MASK] -= 1
                self.late[(ref & CODE_MASK) | RETRACTED] += 1
                ignored["retracted"] += 1
                used += home
            elif isinstance(target, str):
                if home:
                    ignored[target] += 1
            else:
                if home:
                    ignored["retraction_of_unknown_event"] += 1
                crossings.unknown_targets.append(retraction.retracts)
        return used, withdrawn

    def _account_light(self, ignored: Counter[str]) -> int:
        """Count the light events by code (retracted ones are counted by the retraction);
        return how many are used: the visible idle events of an agency a rule binds."""
        late = self.late
        late[0] = len(self.light) - sum(late[1:])
        used = 0
        for code, n in enumerate(late):
            visible = code & VISIBILITY_MASK
            if not n or visible == RETRACTED:
                continue
            if visible != VISIBLE:
                ignored[_REASON[visible]] += n
            elif code == IDLE_USED:
                used += n
            else:
                ignored[_VISIBLE_REASON[code]] += n
        return used

    def _place_all(self, events: Iterable[Event], index: Index, ignored: Counter[str]) -> int:
        """Put visible *events* in *index*; return how many count as used here."""
        shadows, local, applies, kept, roles_of = self.shadows, self.local, self.bindings.applies, self.events, self.roles
        # The index lists an agency event joins, by (agency, roles): found once per pair. The
        # roles are keyed by identity (cheap to hash): events of one match share their tuple,
        # and two equal tuples would only find the same lists twice.
        lists: dict[tuple[str, int], list[list[Event]]] = {}
        only_least = not self.copies  # then every kept copy is the least of its id
        held: list[tuple[Role, ...]] = []  # roles found for other copies: alive while keyed by identity
        used = 0
        for event in events:
            agency = event.agency
            if agency is None or event.id in shadows or (local is not None and agency not in local):
                used += self._place(event, index, ignored)
                continue
            if only_least or kept.get(event.id) is event:
                roles = roles_of.get(event.id, ())
            else:
                roles = self._roles(event)
                held.append(roles)
            joins = lists.get((agency, id(roles)))
            if joins is None:
                joins = lists[(agency, id(roles))] = [
                    index.setdefault((agency, rule, role), []) for rule, role in roles if agency in applies[rule]
                ]
            for events_of in joins:
                events_of.append(event)
            if joins:
                used += 1
            else:
                ignored["no_applicable_agency" if roles else "no_matching_rule"] += 1
        return used

    def _place(self, event: Event, index: Index, ignored: Counter[str]) -> int:
        """Put one visible event in *index*; return 1 if it counts as used here."""
        roles = self._roles(event)
        home = event.id not in self.shadows
        if not roles:
            if home:
                ignored["no_matching_rule"] += 1
            return 0
        placed = False
        for agency, mine in self.bindings.place(event, roles, self.pool, self.local):
            for rule, role in mine:
                index.setdefault((agency, rule, role), []).append(event)
            placed = True
        if not home:
            if placed:
                self.crossings.placed_shadows.append(event.id)
            return 0
        if placed:
            return 1
        ignored["no_applicable_agency"] += 1
        if event.scope is not None:
            self.crossings.pending_broadcasts.append(event.id)
        return 0

    def _roles(self, event: Event) -> tuple[Role, ...]:
        """The roles of a kept copy: remembered for the least copy of an id, found for another (a conflict)."""
        if self.events.get(event.id) is event:
            return self.roles.get(event.id, ())
        return self.bindings.roles(event)


def build(bindings: Bindings, items: Iterable[Event | Mapping[str, Any] | Rejection]) -> Ledger:
    """A ledger holding *items*, each counted as one input line."""
    ledger = Ledger(bindings)
    ledger.record_all(items)
    return ledger
