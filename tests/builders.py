"""Small builders for agencies, events and reports used across the tests."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hanchot.engine import Engine
from hanchot.inputs import Agency, Event, parse_event
from hanchot.obligations.model import Obligation, Report

DATA = Path(__file__).parent / "data"
TEST_PACK = DATA / "packs" / "engine-test.yaml"
_ids = itertools.count(1)


def d(text: str) -> dt.date:
    """A date from 'YYYY-MM-DD' or 'DD/MM/YYYY'."""
    if "/" in text:
        day, month, year = text.split("/")
        return dt.date(int(year), int(month), int(day))
    return dt.date.fromisoformat(text)


def agency(id: str, level: str = "commune", **fields: Any) -> Agency:
    """An agency of province 'p' unless told otherwise."""
    return Agency(id=id, name=id.upper(), level=level, province=fields.pop("province", "p"), **fields)


def event(type: str, date: str, agency: str | None = "c1", **attrs: Any) -> Event:
    """A validated event with a fresh id unless ``id=`` is given."""
    raw: dict[str, Any] = {"id": attrs.pop("id", f"e{next(_ids)}"), "type": type, "date": date, **attrs}
    if agency is not None and "scope" not in attrs:
        raw["agency"] = agency
    return parse_event(raw)


def evaluate(agencies: Iterable[Agency], events: Iterable[Event], as_of: str, pack: Any = TEST_PACK) -> Report:
    """Evaluate *events* with a fresh engine as of *as_of*."""
    with Engine(pack, list(agencies)) as engine:
        return engine.evaluate(list(events), d(as_of))


def only(report: Report, rule: str, agency: str | None = None, **match: Any) -> Obligation:
    """The one obligation of *rule* (and *agency*, and matching fields) in *report*."""
    found = [
        o
        for o in report.obligations
        if o.rule == rule
        and (agency is None or o.agency == agency)
        and all(getattr(o, k) == v for k, v in match.items())
    ]
    assert len(found) == 1, f"expected one {rule} obligation, got {found}"
    return found[0]
