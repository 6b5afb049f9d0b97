"""Idle events: events that play roles in which no evaluation can use them.

A ``within`` duty is met only by a fulfilment correlated with its trigger: a
process revision naming no document (``"documents": []``) meets no duty to
reflect a law, whatever law comes. Such an event still counts as used where a
rule of its roles binds its agency (``hanchot check`` places it like any
event, to the same result), but a batch keeps it as a reference to its line,
as it keeps an event of a type no rule names (see :mod:`hanchot.ledger`).

Which attributes make an event idle is each rule kind's to say
(:attr:`hanchot.rules.kinds.RuleKind.idle_by`); which event types may be idle,
the engine's (:func:`hanchot.engine.idle_types`). This module holds the test,
used alike by the router, the partitions and the ledger, and the kinds of a
light event's code.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["IDLE_UNBOUND", "IDLE_USED", "NO_ROLE", "Idle", "holds_nothing", "idle_class", "idle_kind"]

Idle = dict[str, tuple[str, frozenset[str]]]
"""Event types whose events may be idle: type -> (the attribute that makes an event idle
when it holds nothing, the agencies for which such an event counts as used)."""

# A light event's kind, in the two bits above its visibility code (see hanchot.ledger).
NO_ROLE: Final = 0
"""Of a type no rule names (``no_matching_rule``)."""
IDLE_USED: Final = 1 << 2
"""Idle, of an agency a rule of its roles binds (used)."""
IDLE_UNBOUND: Final = 2 << 2
"""Idle, of an agency no rule of its roles binds (``no_applicable_agency``)."""


def holds_nothing(value: object) -> bool:
    """Whether an attribute's value is nothing a correlation can equal: none, or an empty list."""
    return value is None or (type(value) is list and not value)


def idle_class(idle: Idle, event_type: str, agency: str, attrs: dict[str, Any]) -> int:
    """The kind of an idle event of *agency* (:data:`IDLE_USED` or :data:`IDLE_UNBOUND`),
    or -1 when the event is not idle. (Dictionaries, not mappings: compiled, their ``get``
    is a direct call, a mapping's a call by name.)"""
    found = idle.get(event_type)
    if found is None:
        return -1
    return idle_kind(found[1], agency, attrs.get(found[0]))


def idle_kind(agencies: frozenset[str], agency: str, value: object) -> int:
    """The kind of an event of *agency* whose type is idle by an attribute of value *value*
    for rules binding *agencies*, or -1 when the value holds something."""
    if not holds_nothing(value):
        return -1
    return IDLE_USED if agency in agencies else IDLE_UNBOUND
