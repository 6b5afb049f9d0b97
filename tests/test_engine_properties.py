"""Properties of evaluation that users rely on, over generated event logs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from builders import TEST_PACK, agency
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hanchot.engine import Engine
from hanchot.inputs import Event, parse_event

AGENCIES = [
    agency("c1"),
    agency("c2", active_to=dt.date(2025, 6, 30), successor="c1"),
    agency("d1", "department"),
    agency("d2", "department"),
    agency("dost", "department", tags=("dost",)),
]
DOCS = ["09/2025/TT-BKHCN", "01/2024/NĐ-CP"]
QUARTERS = [f"{y}-Q{q}" for y in (2025, 2026) for q in (1, 2, 3, 4)]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def raw_events(draw: st.DrawFn, retractions: bool = True) -> list[dict[str, Any]]:
    """A log of up to 25 events of every kind the test pack knows, ids e0.., some repeated."""
    count = draw(st.integers(0, 25))
    out: list[dict[str, Any]] = []
    for i in range(count):
        day = draw(st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31)))
        kind = draw(st.sampled_from(["law", "update", "audit", "fix", "report", "plan", "inspect", "retract"]
                                    if retractions else ["law", "update", "audit", "fix", "report", "plan", "inspect"]))
        who = draw(st.sampled_from(["c1", "c2", "d1", "d2"]))
        raw: dict[str, Any] = {"id": f"e{i}", "date": day.isoformat(), "agency": who}
        if kind == "law":
            raw.update(type="legal_document.effective", document=draw(st.sampled_from(DOCS)))
            if draw(st.booleans()):
                del raw["agency"]
                raw["scope"] = {"level": draw(st.sampled_from(["commune", "department"]))}
        elif kind == "update":
            raw.update(type="process.updated", documents=draw(st.lists(st.sampled_from(DOCS), max_size=2)))
        elif kind == "audit":
            raw.update(type="internal_audit.completed", nonconformities=draw(st.integers(0, 2)))
        elif kind == "fix":
            raw.update(type="corrective_action.completed", audit=f"e{draw(st.integers(0, 25))}")
        elif kind == "report":
            raw.update(type="report.submitted", report="quarterly", period=draw(st.sampled_from(QUARTERS)))
        elif kind == "plan":
            raw.update(type="document.issued", kind="qms_plan")
        elif kind == "inspect":
            raw.update(type="inspection.completed", agency="dost", target=draw(st.sampled_from(["d1", "d2"])),
                       mode=draw(st.sampled_from(["on_site", "dossier"])))
        else:
            raw.update(type="event.retracted", retracts=f"e{draw(st.integers(0, 25))}")
        out.append(raw)
    repeats = draw(st.lists(st.sampled_from(out), max_size=3)) if out else []
    return out + [dict(r) for r in repeats]


@pytest.fixture(scope="module")
def engine() -> Engine:
    """One engine for the module: evaluate() never depends on earlier calls."""
    with Engine(TEST_PACK, AGENCIES) as e:
        yield e  # type: ignore[misc]


def _events(raw: list[dict[str, Any]]) -> list[Event]:
    return [parse_event(r) for r in raw]


AS_OF = st.dates(dt.date(2025, 1, 1), dt.date(2027, 6, 30))


@SETTINGS
@given(raw=raw_events(), as_of=AS_OF, data=st.data())
def test_shuffling_the_events_changes_nothing(engine: Engine, raw: list[dict[str, Any]], as_of: dt.date, data: st.DataObject) -> None:
    """Results do not depend on input order, duplicates and retractions included."""
    shuffled = data.draw(st.permutations(raw))
    assert engine.evaluate(_events(shuffled), as_of) == engine.evaluate(_events(raw), as_of)


@SETTINGS
@given(raw=raw_events(), as_of=AS_OF, day=st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31)))
def test_an_event_no_rule_matches_changes_only_the_ignored_count(
    engine: Engine, raw: list[dict[str, Any]], as_of: dt.date, day: dt.date
) -> None:
    """Adding an event matched by no rule leaves every obligation as it was."""
    before = engine.evaluate(_events(raw), as_of)
    extra = {"id": "unrelated", "type": "meeting.held", "agency": "c1", "date": day.isoformat()}
    after = engine.evaluate(_events([*raw, extra]), as_of)
    assert after.obligations == before.obligations
    assert (after.input.read, after.input.ignored) == (before.input.read + 1, before.input.ignored + 1)
    assert after.input.used == before.input.used


@SETTINGS
@given(raw=raw_events(retractions=False), first=AS_OF, later_by=st.integers(1, 400))
def test_a_violation_stays_a_violation_as_time_passes(
    engine: Engine, raw: list[dict[str, Any]], first: dt.date, later_by: int
) -> None:
    """Evaluating as of a later date never turns a violation into a non-violation."""
    events = _events(raw)
    key = lambda o: (o.rule, o.agency, o.period, o.trigger)
    then = {key(o) for o in engine.evaluate(events, first).violations}
    now = {key(o) for o in engine.evaluate(events, first + dt.timedelta(days=later_by)).violations}
    assert then <= now


@SETTINGS
@given(raw=raw_events(), as_of=AS_OF)
def test_every_obligation_explains_itself_and_every_input_is_accounted(
    engine: Engine, raw: list[dict[str, Any]], as_of: dt.date
) -> None:
    """Each obligation has a title, basis, origin and status line; read = used+ignored+duplicates+rejected."""
    report = engine.evaluate(_events(raw), as_of)
    for o in report.obligations:
        for lang in ("vi", "en"):
            lines = o.explanation.lines(lang)
            assert len(lines) >= 4 and all(line.strip() for line in lines)
        assert o.explanation.basis
    c = report.input
    assert c.read == len(raw) == c.used + c.ignored + c.duplicates + c.rejected


# -- every built-in pack: no obligation is overdue on the day it opens (issue 9) ----------

PACK_AGENCIES = [
    agency("dost", "department", tags=("dost",)),
    agency("so", "department"),
    agency("office", "department", tags=("office",)),
    agency("phong", "unit", parent="office"),
    agency("xa", "commune", tags=("first_adopter",)),
    agency("xb", "commune", active_from=dt.date(2025, 7, 1)),
]
PACK_KINDS = ["qms_plan", "quality_policy", "quality_objectives", "objectives_plan", "risk_plan",
              "steering_committee", "inspection_plan", "guidance"]  # fmt: skip


@st.composite
def plan_events(draw: st.DrawFn, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """Up to 15 events of every type the built-in packs name, dated in [first, last]."""
    out: list[dict[str, Any]] = []
    for i in range(draw(st.integers(0, 20))):
        day = draw(st.dates(first, last))
        who = draw(st.sampled_from([a.id for a in PACK_AGENCIES]))
        raw: dict[str, Any] = {"id": f"e{i}", "date": day.isoformat(), "agency": who}
        # Triggers (audits, scope changes) weighted up: they are what could open a duty late.
        kind = draw(st.sampled_from(["law", "update", "audit", "audit", "audit", "fix", "scope", "scope",
                                     "announce", "committee", "doc", "review", "report", "inspect"]))  # fmt: skip
        if kind == "law":
            raw.update(type="legal_document.effective", document=draw(st.sampled_from(DOCS)))
        elif kind == "update":
            raw.update(type="process.updated", process="P1", documents=draw(st.lists(st.sampled_from(DOCS), max_size=1)),
                       e_workflow_updated=draw(st.booleans()))  # fmt: skip
        elif kind == "audit":
            raw.update(type="internal_audit.completed", nonconformities=draw(st.integers(0, 2)))
        elif kind == "fix":
            raw.update(type="corrective_action.completed", audit=f"e{draw(st.integers(0, 15))}")
        elif kind == "scope":
            raw.update(type="qms.scope_changed", change="expanded")
        elif kind == "announce":
            raw.update(type="qms.announced")
        elif kind == "committee":
            raw.update(type="steering_committee.membership_changed")
        elif kind == "doc":
            raw.update(type="document.issued", kind=draw(st.sampled_from(PACK_KINDS)))
        elif kind == "review":
            raw.update(type="management_review.held")
        elif kind == "report":
            raw.update(type="report.submitted", **draw(st.sampled_from([
                {"report": "quarterly", "period": f"{day.year}-Q{(day.month - 1) // 3 + 1}"},
                {"report": "half_yearly", "period": f"{day.year}-H{1 if day.month <= 6 else 2}"},
                {"report": "annual", "period": str(day.year)}])))  # fmt: skip
        else:
            raw.update(type="inspection.completed", agency="dost", target=draw(st.sampled_from(["so", "xa", "xb"])),
                       mode=draw(st.sampled_from(["on_site", "dossier"])))  # fmt: skip
        out.append(raw)
    return out


@pytest.fixture(scope="module")
def pack_engines() -> dict[str, Engine]:
    """One engine per built-in pack, shared by the examples (evaluate() is independent of calls)."""
    from hanchot.rules.loader import builtin_pack_ids, load_pack

    engines = {p: Engine(load_pack(p), PACK_AGENCIES) for p in builtin_pack_ids()}
    yield engines  # type: ignore[misc]
    for e in engines.values():
        e.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_obligation_is_overdue_on_the_day_it_opens(pack_engines: dict[str, Engine], data: st.DataObject) -> None:
    """For every built-in pack and any log: evaluated as of the day an obligation opens, it is
    not overdue (a scope change after a plan's date, an audit after its row, an agency created
    mid-year: none opens already late)."""
    pack_id = data.draw(st.sampled_from(sorted(pack_engines)))
    engine = pack_engines[pack_id]
    valid = engine.pack.valid
    first = max(valid.from_, dt.date(2021, 1, 1))
    last = valid.to or dt.date(2026, 12, 31)
    events = _events(data.draw(plan_events(first, last)))
    report = engine.evaluate(events, last + dt.timedelta(days=15))
    for o in report.obligations:
        assert o.due is None or o.due >= o.opens, (pack_id, o.rule, o.agency, o.opens, o.due)
    days = sorted({o.opens for o in report.obligations})
    for day in data.draw(st.lists(st.sampled_from(days), max_size=3, unique=True)) if days else []:
        for o in engine.evaluate(events, day).obligations:
            if o.opens == day:
                assert o.status.value != "overdue", (pack_id, o.rule, o.agency, day)
