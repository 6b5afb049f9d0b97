"""Answers for an embedded engine: per-agency obligations, cached and kept valid.

The unit of work is the evaluation of one agency (every rule binding it) as of
a date, known at a date: exactly what :meth:`hanchot.engine.Engine.evaluate_rules`
gives with ``only={agency}`` on the events that evaluation reads
(:meth:`hanchot.depends.Dependencies.reads`). :class:`Answers` keeps these in a
bounded least-recently-used cache keyed by ``(as_of, known_at, agency)``, each
stamped with the versions (:class:`hanchot.placement.Placement`) of the
agencies it read: an answer whose stamp no longer holds is evaluated again,
so adding, retracting or correcting an event costs the agencies it touches and
nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable

from hanchot.depends import Dependencies
from hanchot.ledger import Index
from hanchot.obligations.model import Obligation
from hanchot.placement import Placement

__all__ = ["DEFAULT_CACHE_SIZE", "Answers", "Evaluate"]

DEFAULT_CACHE_SIZE = 4_000
"""Agency evaluations kept (each a few dozen obligations with their explanations): a
4,000-agency country at one date, about as much memory as one full report."""

Evaluate = Callable[[Index, dt.date, Collection[str]], list[Obligation]]
"""(index, as_of, agencies) -> the obligations of evaluating those agencies."""

_Key = tuple[dt.date, dt.date | None, str]


class Answers:
    """Obligations by evaluated agency, cached by (as_of, known_at) (see the module)."""

    def __init__(
        self,
        placement: Placement,
        depends: Dependencies,
        evaluate: Evaluate,
        size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self.placement = placement
        self.depends = depends
        self._evaluate = evaluate
        self._size = size
        self._cache: OrderedDict[_Key, tuple[tuple[int, ...], tuple[Obligation, ...]]] = OrderedDict()
        self.hits = 0
        """Answers served from the cache (for benchmarks)."""
        self.misses = 0
        """Agency evaluations run (for benchmarks)."""

    def owned_by(self, agencies: Collection[str], as_of: dt.date, known_at: dt.date | None) -> list[Obligation]:
        """The obligations owned by *agencies* as of *as_of*, in report order."""
        units = sorted(self.depends.owners(agencies))
        evaluated = self._evaluated(units, as_of, known_at)
        out = [o for unit in units for o in evaluated[unit] if o.agency in agencies]
        out.sort(key=Obligation.sort_key)
        return out

    def _evaluated(
        self, units: Iterable[str], as_of: dt.date, known_at: dt.date | None
    ) -> dict[str, tuple[Obligation, ...]]:
        """The obligations of evaluating each of *units* (some may have passed to a successor).

        The units evaluated again that read the same agency's events (an agency and
        the agencies merged into it, which read their successor's) share one index
        of them: the successor's events are placed once, not once per predecessor.
        An evaluation reads only the agencies of its own ``reads``, so the other
        units' events in the index change nothing.
        """
        found: dict[str, tuple[Obligation, ...]] = {}
        families: dict[str, list[tuple[str, tuple[str, ...], tuple[int, ...]]]] = {}
        for unit in units:
            reads = self.depends.reads(unit)
            stamp = self.placement.stamp(reads)
            key = (as_of, known_at, unit)
            cached = self._cache.get(key)
            if cached is not None and cached[0] == stamp:
                self.hits += 1
                self._cache.move_to_end(key)
                found[unit] = cached[1]
            else:
                families.setdefault(reads[-1], []).append((unit, reads, stamp))
        for family in families.values():
            index = self.placement.index(sorted({a for _, reads, _ in family for a in reads}), as_of, known_at)
            for unit, _, stamp in family:
                self.misses += 1
                obligations = found[unit] = tuple(self._evaluate(index, as_of, (unit,)))
                self._cache[(as_of, known_at, unit)] = (stamp, obligations)
                self._cache.move_to_end((as_of, known_at, unit))
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return found

    def clear(self) -> None:
        """Forget every cached answer."""
        self._cache.clear()

    def __len__(self) -> int:
        return len(self._cache)


def violation_keys(obligations: Iterable[Obligation]) -> set[tuple[str, str, str, str]]:
    """The keys of the violations among *obligations*."""
    return {o.key for o in obligations if o.is_violation}
