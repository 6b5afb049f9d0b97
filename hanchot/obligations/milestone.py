"""``once`` rules: a dated milestone of a plan, met by one matching event.

Events count from the rule's ``earliest`` date, or else from the first day the
pack is valid, so last year's document does not meet this year's milestone.
A milestone whose text sets no date (``due`` absent) is open until met, never overdue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from hanchot.inputs.records import Agency
from hanchot.obligations.context import (
    Context,
    ceased_first,
    lapse_phrase,
    unborn_phrase,
)
from hanchot.obligations.model import Explanation, Obligation, Phrase, Status
from hanchot.rules.kinds import RuleKind, register
from hanchot.rules.model import OnceRule

MATCH = "match"


def evaluate_once(
    rule: OnceRule, index: int, agency: Agency, ctx: Context, bounds: tuple[dt.date, dt.date]
) -> Iterator[Obligation]:
    """Yield the milestone's one obligation, if it has opened as of the clock."""
    opens = rule.earliest or bounds[0]
    if opens > ctx.as_of:
        return
    deadline = ctx.fixed_due(rule.due) if rule.due is not None else None
    due = deadline.due if deadline is not None else None
    met_by = next((e for e in ctx.events(agency.id, index, MATCH) if e.date >= opens), None)
    if agency.active_from is not None and due is not None and agency.active_from > due:
        status, why, met_by = Status.NOT_APPLICABLE, unborn_phrase(agency), None
    elif ceased_first(agency, met_by, due):
        status, why, met_by = Status.NOT_APPLICABLE, lapse_phrase(agency), None
    else:
        status, why = ctx.settled(due, met_by)
    if due is None:
        origin = Phrase(
            "Nhiệm vụ của kế hoạch, văn bản không ấn định thời hạn.",
            "Plan duty; the text sets no date.",
        )
    else:
        d = due.strftime("%d/%m/%Y")
        origin = Phrase(f"Mốc thời gian của kế hoạch, hạn {d}.", f"Plan milestone, due {d}.")
    yield Obligation(
        rule=rule.id,
        agency=agency.id,
        period=None,
        trigger=None,
        opens=opens,
        due=due,
        status=status,
        satisfied_by=(met_by.id,) if met_by else (),
        explanation=Explanation(*ctx.wording(rule), origin, deadline.steps if deadline else (), why),
    )


def once_boundaries(rule: OnceRule, first: dt.date, last: dt.date) -> list[dt.date]:
    """The milestone opens on its ``earliest`` date (else with the pack)."""
    return [rule.earliest] if rule.earliest else []


KIND = register(
    RuleKind("once", OnceRule, evaluate_once, once_boundaries, label={"en": "milestone", "vi": "mốc thời gian"})
)
