"""A rule kind in one module: ``forbidden`` — every matching event is a violation on its day.

Registered at import (see :mod:`hanchot.rules.kinds`); nothing else in hanchot names it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import ClassVar, Literal

from hanchot.inputs.records import Agency
from hanchot.obligations.context import Context, rule_basis, rule_title
from hanchot.obligations.model import Explanation, Obligation, Phrase, Status
from hanchot.rules.kinds import RuleKind, register
from hanchot.rules.model import Pattern, RuleBase


class ForbiddenRule(RuleBase):
    """Events that must not happen: each one is a breach on its own date."""

    merge_default: ClassVar[Literal["transfer", "lapse"]] = "lapse"

    kind: Literal["forbidden"]
    match: Pattern

    def roles(self) -> list[tuple[str, Pattern]]:
        """A matching event is the breach."""
        return [("match", self.match)]


def evaluate_forbidden(
    rule: ForbiddenRule, index: int, agency: Agency, ctx: Context, bounds: tuple[dt.date, dt.date]
) -> Iterator[Obligation]:
    """One overdue obligation per matching event of *agency* within *bounds*."""
    for event in ctx.events(agency.id, index, "match"):
        if bounds[0] <= event.date <= bounds[1]:
            yield Obligation(
                rule=rule.id,
                agency=agency.id,
                period=None,
                trigger=event.id,
                opens=event.date,
                due=event.date,
                status=Status.OVERDUE,
                satisfied_by=(),
                explanation=Explanation(
                    rule_title(rule), rule_basis(rule), Phrase("Sự kiện bị cấm.", "A forbidden event."), (),
                    Phrase("Vi phạm.", "A breach."),
                ),
            )


def boundaries(rule: ForbiddenRule, first: dt.date, last: dt.date) -> list[dt.date]:
    """Its results change only with its events."""
    return []


KIND = register(RuleKind("forbidden", ForbiddenRule, evaluate_forbidden, boundaries, {"en": "forbidden event", "vi": "sự kiện bị cấm"}))
