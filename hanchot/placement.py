"""A ledger's events by agency, kept up to date one id at a time.

:meth:`hanchot.ledger.Ledger.view` places every event of the country to answer
one question. An embedded engine asks about one agency at a time, so
:class:`Placement` keeps, for each agency, the kept copies placed on it with
the roles they play there, updated after each input line from the ledger's own
decisions (:meth:`~hanchot.ledger.Ledger.kept_copies`,
:meth:`~hanchot.ledger.Ledger.placements`,
:meth:`~hanchot.ledger.Ledger.retraction_target`). Each agency has a version
number, raised whenever what is placed on it (or withdrawn from it by a
retraction) changes: an answer computed from an agency's events stays valid
while their versions do.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence

from hanchot.inputs.event import Event
from hanchot.inputs.records import RETRACTION
from hanchot.ledger import VISIBLE, Index, Ledger, Role, ignored_reason, visibility
from hanchot.obligations.model import InputCounts

__all__ = ["Placement"]

Placed = tuple[Event, tuple[Role, ...]]
"""A kept copy and the (rule index, role) pairs it plays for one agency."""
Entry = Event | Placed
"""What an agency's list holds: a copy alone when it plays there every role the ledger
gives its id (the common case: 8 bytes), else the copy with its own roles."""


def _event(entry: Entry) -> Event:
    return entry[0] if isinstance(entry, tuple) else entry


def _date(entry: Entry) -> dt.date:
    return _event(entry).date


def _date_id(entry: Entry) -> tuple[dt.date, str]:
    event = _event(entry)
    return event.date, event.id


class Placement:
    """The kept copies of *ledger* by agency (see the module)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._placed: dict[str, list[Entry]] = {}  # agency -> its placed copies in (date, id) order
        self._retracted_by: dict[str, set[str]] = {}  # target id -> ids of retractions naming it
        self._roles: dict[tuple[Role, ...], tuple[Role, ...]] = {}  # one tuple per distinct roles
        self.versions: dict[str, int] = {}
        """Agency id -> how many changes its placed events have seen."""
        self.version = 0
        """How many changes the whole ledger has seen."""

    def update(self, event_id: str, before: Sequence[Event]) -> None:
        """Follow the ledger after a line of *event_id* whose kept copies were *before*."""
        after = self.ledger.kept_copies(event_id)
        if len(after) == len(before) and all(a is b for a, b in zip(after, before)):
            return
        self.version += 1
        for copy in before:
            self._unplace(copy)
        for copy in after:
            self._place(copy)

    def _unplace(self, copy: Event) -> None:
        if copy.type == RETRACTION:
            assert copy.retracts is not None
            self._touch_copies_of(copy.retracts)
            return
        ledger = self.ledger
        for agency in ledger.bindings.targets(copy, ledger.pool, ledger.local):
            placed = self._placed.get(agency)
            if placed is None:
                continue
            # A scan of one agency's events: removals are rare (corrections, conflicts).
            for i, entry in enumerate(placed):
                if _event(entry) is copy:
                    del placed[i]
                    self._touch(agency)
                    break

    def _place(self, copy: Event) -> None:
        if copy.type == RETRACTION:
            assert copy.retracts is not None
            self._retracted_by.setdefault(copy.retracts, set()).add(copy.id)
            self._touch_copies_of(copy.retracts)
            return
        ledger = self.ledger
        plain = ledger.events.get(copy.id) is copy
        for agency, roles in ledger.placements(copy):
            key = tuple(roles)
            entry: Entry = copy
            if not plain or key != ledger.roles.get(copy.id):
                entry = (copy, self._roles.setdefault(key, key))
            placed = self._placed.setdefault(agency, [])
            if placed and _date_id(placed[-1]) > (copy.date, copy.id):
                bisect.insort(placed, entry, key=_date_id)
            else:  # most events arrive in date order
                placed.append(entry)
            self._touch(agency)

    def _touch_copies_of(self, event_id: str) -> None:
        """A retraction of *event_id* changed: the agencies its copies are placed on changed."""
        ledger = self.ledger
        for copy in ledger.kept_copies(event_id):
            if copy.type != RETRACTION:
                for agency in ledger.bindings.targets(copy, ledger.pool, ledger.local):
                    self._touch(agency)

    def _touch(self, agency: str) -> None:
        self.versions[agency] = self.versions.get(agency, 0) + 1

    # -- reading ---------------------------------------------------------------------------

    def stamp(self, agencies: Iterable[str]) -> tuple[int, ...]:
        """The versions of *agencies*: an answer read from them is valid while this holds."""
        versions = self.versions
        return tuple(versions.get(a, 0) for a in agencies)

    def visible(self, agency: str, as_of: dt.date, known_at: dt.date | None) -> Iterable[tuple[Placed, int]]:
        """Each copy placed on *agency*, with its code: a visibility code, or -1 if retracted."""
        retracted_by, roles = self._retracted_by, self.ledger.roles
        for entry in self._placed.get(agency, ()):
            placed = entry if isinstance(entry, tuple) else (entry, roles[entry.id])
            event = placed[0]
            code = visibility(event.date, as_of, known_at, event.known_on)
            if code == VISIBLE and event.id in retracted_by and self._withdrawn(event, as_of, known_at):
                code = -1
            yield placed, code

    def index(self, agencies: Iterable[str], as_of: dt.date, known_at: dt.date | None) -> Index:
        """What the rules see of *agencies* as of *as_of*: the part of the ledger's view on them.

        Each agency's copies are kept in (date, id) order, so the copies dated by *as_of*
        are a prefix, and each list of the index comes out in the order of the ledger's view.
        """
        index: Index = {}
        ledger_roles, retracted_by = self.ledger.roles, self._retracted_by
        for agency in agencies:
            placed = self._placed.get(agency)
            if not placed:
                continue
            for entry in itertools.islice(placed, bisect.bisect_right(placed, as_of, key=_date)):
                event, roles = entry if isinstance(entry, tuple) else (entry, ledger_roles[entry.id])
                if known_at is not None and visibility(event.date, as_of, known_at, event.known_on) != VISIBLE:
                    continue
                if event.id in retracted_by and self._withdrawn(event, as_of, known_at):
                    continue
                for rule, role in roles:
                    key = (agency, rule, role)
                    found = index.get(key)
                    if found is None:
                        index[key] = [event]
                    else:
                        found.append(event)
        return index

    def account(self, agencies: Iterable[str], as_of: dt.date, known_at: dt.date | None) -> InputCounts:
        """The accounting of the events placed on *agencies* (each id once)."""
        codes: dict[str, int] = {}
        for agency in agencies:
            for (event, _), code in self.visible(agency, as_of, known_at):
                codes[event.id] = min(code, codes.get(event.id, code))
        ignored: Counter[str] = Counter()
        for code in codes.values():
            if code != VISIBLE:
                ignored["retracted" if code < 0 else ignored_reason(code)] += 1
        used = len(codes) - sum(ignored.values())
        return InputCounts(len(codes), used, sum(ignored.values()), 0, 0, 0, dict(ignored))

    def _withdrawn(self, event: Event, as_of: dt.date, known_at: dt.date | None) -> bool:
        """Whether a retraction visible as of *as_of* withdraws this copy (the ledger's rule)."""
        ledger = self.ledger
        for retraction_id in self._retracted_by[event.id]:
            for r in ledger.kept_copies(retraction_id):
                if (
                    r.type == RETRACTION
                    and r.retracts == event.id
                    and visibility(r.date, as_of, known_at, r.known_on) == VISIBLE
                    and ledger.retraction_target(r) is event
                ):
                    return True
        return False
