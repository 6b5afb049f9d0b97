"""Whose events an agency's results depend on: the one statement of it.

The evaluators read, for an agency, its own events and, when the agency was
merged away, its successor's (the successor may meet the duties passed to it,
:func:`hanchot.obligations.context.successor_of`); a duty passed on is owned by
the successor. A coverage rule of a coordinating agency (the DOST) reads only
that agency's own events — the targets they name — and its population comes
from the agency list, which is fixed for an engine. A broadcast is placed on
every agency it reaches, so it is one of each of their events. Hence:

- evaluating agency *A* reads the events of *A* and of *A*'s successor
  (:meth:`Dependencies.reads`);
- the obligations owned by *A* come from evaluating *A* and the agencies merged
  into *A* (:meth:`Dependencies.owners`);
- a change to *A*'s events can change the evaluation of *A* and of the agencies
  merged into *A* (:meth:`Dependencies.affected_by`);
- no event changes a coverage rule's population (the agencies it counts in a
  period): an engine keeps them for its life
  (:class:`hanchot.obligations.periodic.Populations`), and an event of a
  population's member changes no coordinator's answer.

The replay (:mod:`hanchot.replay`) and the embedded engine's cache
(:mod:`hanchot.queries`) both decide what to evaluate again from these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from hanchot.inputs.records import Agency

__all__ = ["Dependencies"]


class Dependencies:
    """The merge links of a fixed set of agencies, and what they make depend on what."""

    def __init__(self, agencies: Mapping[str, Agency]) -> None:
        self._successor: dict[str, str] = {}
        self._predecessors: dict[str, tuple[str, ...]] = {}
        merged: dict[str, list[str]] = {}
        for agency in agencies.values():
            if agency.successor:
                self._successor[agency.id] = agency.successor
                merged.setdefault(agency.successor, []).append(agency.id)
        self._predecessors = {k: tuple(sorted(v)) for k, v in merged.items()}

    def reads(self, agency: str) -> tuple[str, ...]:
        """The agencies whose events evaluating *agency* reads: itself and its successor."""
        successor = self._successor.get(agency)
        return (agency,) if successor is None else (agency, successor)

    def affected_by(self, agency: str) -> tuple[str, ...]:
        """The agencies whose evaluation a change to *agency*'s events can change."""
        return (agency, *self._predecessors.get(agency, ()))

    def owners(self, agencies: Iterable[str]) -> set[str]:
        """The agencies to evaluate for the obligations owned by *agencies*."""
        out: set[str] = set()
        for agency in agencies:
            out.update(self.affected_by(agency))
        return out
