"""The embedded engine: scoped and direct questions, incremental answers.

Every answer of the embedded engine must equal what a fresh evaluation of the
same events says (``Engine.evaluate``), restricted to the agencies asked about.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from builders import TEST_PACK, d, event
from builders import agency as make_agency
from hypothesis import given
from hypothesis import strategies as st
from test_engine_properties import AGENCIES, AS_OF, SETTINGS, raw_events

from hanchot.calendar import PeriodKind
from hanchot.engine import Engine
from hanchot.inputs import parse_event
from hanchot.obligations.model import Obligation, Report, Status
from hanchot.rules.loader import load_pack
from hanchot.rules.model import CoverageRule


@pytest.fixture
def engine() -> Engine:
    with Engine(TEST_PACK, AGENCIES) as e:
        yield e  # type: ignore[misc]


def _owned(report: Report, agencies: set[str]) -> tuple[Obligation, ...]:
    return tuple(o for o in report.obligations if o.agency in agencies)


@SETTINGS
@given(raw=raw_events(), as_of=AS_OF, asked=st.sets(st.sampled_from([a.id for a in AGENCIES]), min_size=1))
def test_a_scoped_report_holds_what_the_full_report_says_of_those_agencies(
    raw: list[dict[str, Any]], as_of: dt.date, asked: set[str]
) -> None:
    """report(as_of, agencies=...) = the full evaluation's obligations owned by those agencies."""
    with Engine(TEST_PACK, AGENCIES) as engine:
        for r in raw:
            engine.add(r)
        full = engine.evaluate([parse_event(r) for r in raw], as_of)
        scoped = engine.report(as_of, agencies=asked)
        assert scoped.obligations == _owned(full, asked)
        c = scoped.input
        assert c.read == c.used + c.ignored and c.used <= full.input.used
        assert engine.report(as_of) == full


def test_a_duty_passed_to_a_successor_is_among_the_successors_obligations(engine: Engine) -> None:
    """c2 merged into c1 on 30/06/2025: c2's unmet update duty is owned by c1, not c2."""
    engine.add(event("legal_document.effective", "2025-05-01", "c2", id="law", document="09/2025/TT-BKHCN"))
    mine = engine.obligations("c1", d("2025-12-31"), rule="legal-update")
    assert [(o.trigger, o.agency, o.status) for o in mine] == [("law", "c1", Status.OVERDUE)]
    assert engine.obligations("c2", d("2025-12-31"), rule="legal-update") == ()
    # c1 meets it with its own update after the merge.
    engine.add(event("process.updated", "2025-07-15", "c1", id="upd", documents=["09/2025/TT-BKHCN"]))
    (met,) = engine.obligations("c1", d("2025-12-31"), rule="legal-update")
    assert (met.status, met.satisfied_by) == (Status.MET, ("upd",))


def test_obligations_filter_by_status_and_rule(engine: Engine) -> None:
    engine.add(event("internal_audit.completed", "2025-03-01", "d1", id="a1", nonconformities=1))
    as_of = d("2025-12-31")
    every = engine.obligations("d1", as_of)
    assert {o.rule for o in every} >= {"internal-audit", "corrective-action", "qms-plan"}
    overdue = engine.obligations("d1", as_of, status=Status.OVERDUE)
    assert overdue and all(o.status is Status.OVERDUE for o in overdue)
    assert engine.obligations("d1", as_of, status=[Status.MET, Status.OVERDUE], rule="internal-audit") == tuple(
        o for o in every if o.rule == "internal-audit"
    )


def test_due_between_lists_unmet_duties_falling_due_in_the_window(engine: Engine) -> None:
    """A law effective 31/01/2025 gives "chậm nhất 03 tháng": 30/04/2025, a holiday, rolled
    past the 30/04-04/05/2025 holidays to Monday 05/05/2025 (as in the README's example)."""
    engine.add(event("legal_document.effective", "2025-01-31", "d1", id="law", document="09/2025/TT-BKHCN"))
    window = (d("2025-05-01"), d("2025-05-31"))
    due = engine.due_between(*window, as_of=d("2025-04-01"), agencies=["d1"])
    assert [(o.rule, o.trigger, o.due) for o in due] == [("legal-update", "law", d("2025-05-05"))]
    april = engine.due_between(d("2025-04-01"), d("2025-05-04"), as_of=d("2025-04-01"), agencies=["d1"])
    # The QMS plan is due "trước ngày 30/04/2025", strictly before: 29/04.
    assert [(o.rule, o.due) for o in april] == [("qms-plan", d("2025-04-29"))]
    engine.add(event("process.updated", "2025-03-10", "d1", id="upd", documents=["09/2025/TT-BKHCN"]))
    assert engine.due_between(*window, as_of=d("2025-04-01"), agencies=["d1"]) == ()


def test_violations_since_are_the_new_ones(engine: Engine) -> None:
    """The QMS plan is due before 30/04/2025: it becomes overdue between April and May."""
    new = engine.violations_since(d("2025-04-01"), d("2025-05-31"), agencies=["d1"])
    assert ("qms-plan", "d1") in {(o.rule, o.agency) for o in new}
    assert engine.violations_since(d("2025-05-31"), d("2025-05-31"), agencies=["d1"]) == ()


def test_asking_about_an_unknown_agency_names_it(engine: Engine) -> None:
    with pytest.raises(KeyError, match="'nowhere'"):
        engine.obligations("nowhere", d("2025-12-31"))


COORDINATED = [
    *AGENCIES,
    make_agency("d3", "department", active_to=dt.date(2025, 9, 30)),  # not owed a 2025 inspection at year end
    make_agency("d4", "department", province="q", active_from=dt.date(2025, 4, 1)),
    make_agency("dost-q", "department", province="q", tags=("dost",)),
]
"""The property's agencies: two coordinators (the DOSTs of provinces p and q) whose
populations hold agencies that cease or begin during a period."""


def _coverage_pack() -> Any:
    """The test pack, plus a quarterly coverage rule counting every department and commune
    of any province active on any day of the quarter (its other settings)."""
    pack = load_pack(TEST_PACK)
    (yearly,) = [r for r in pack.rules if isinstance(r, CoverageRule)]
    quarterly = yearly.model_copy(update={
        "id": "any-quarterly-coverage", "period": PeriodKind.QUARTER, "same_province": False,
        "population": {"level": ["department", "commune"]}, "population_active": "any", "percent": 50.0,
        "match": yearly.match.model_copy(update={"where": {}}),
    })
    return pack.model_copy(update={"rules": [*pack.rules, quarterly]})


COVERAGE_PACK = _coverage_pack()


@pytest.fixture(scope="module")
def shared() -> Engine:
    """One engine for the property below, cleared for each example."""
    with Engine(COVERAGE_PACK, COORDINATED) as e:
        yield e  # type: ignore[misc]


def _fresh(added: list[dict[str, Any]], as_of: dt.date, known_at: dt.date | None) -> Report:
    """A fresh evaluation of *added*: by a new engine, which has cached nothing (populations included)."""
    with Engine(COVERAGE_PACK, COORDINATED) as engine:
        return engine.evaluate([parse_event(r) for r in added], as_of, known_at=known_at)


def test_a_coordinators_population_follows_each_period_whoever_is_asked_first() -> None:
    """population_active 'any': "every agency active on any day of the period"; 'end': "those
    still active on the period's last day (a body merged away mid-period is not owed an
    inspection)" (CoverageRule). The populations an engine keeps between questions are those
    of each period and province, whichever coordinator is asked first."""
    as_of = d("2026-06-30")
    expected = {  # the quarterly rule counts departments and communes of any province, itself aside
        ("dost", "2025-Q1"): "needs 3 of 6",  # c1 c2 d1 d2 d3 dost-q
        ("dost", "2025-Q2"): "needs 4 of 7",  # + d4, from 01/04
        ("dost", "2025-Q3"): "needs 3 of 6",  # c2 merged away on 30/06
        ("dost", "2025-Q4"): "needs 3 of 5",  # d3 ceased on 30/09
        ("dost", "2026-Q1"): "needs 3 of 5",
        ("dost-q", "2025-Q2"): "needs 4 of 7",  # c1 c2 d1 d2 d3 d4 dost
        ("dost", "2025"): "needs 1 of 2",  # the yearly rule: departments of p active on 31/12: d1 d2
        ("dost-q", "2025"): "needs 1 of 1",  # of q: d4
    }
    for order in (["dost-q", "dost"], ["dost", "dost-q"]):
        with Engine(COVERAGE_PACK, COORDINATED) as engine:
            said = {}
            for coordinator in order:
                for o in engine.obligations(coordinator, as_of):
                    if o.rule in ("any-quarterly-coverage", "on-site-inspections"):
                        said[(o.agency, o.period)] = o.explanation.notes[0].get("en")
            for key, need in expected.items():
                assert need in said[key], (order, key, said[key])


@st.composite
def population_events(draw: st.DrawFn, n: int) -> dict[str, Any]:
    """An inspection by a coordinator (of any agency, itself or an unknown one), or an event of
    a member of a population (which its coordinator's coverage must not depend on)."""
    day = draw(st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31))).isoformat()
    if draw(st.booleans()):
        return {"id": f"i{n}", "type": "inspection.completed", "agency": draw(st.sampled_from(["dost", "dost-q"])),
                "date": day, "target": draw(st.sampled_from([*(a.id for a in COORDINATED), "nowhere"])),
                "mode": draw(st.sampled_from(["on_site", "dossier"]))}
    return {"id": f"m{n}", "type": "process.updated", "agency": draw(st.sampled_from(["d1", "d3", "d4", "c2"])),
            "date": day, "documents": []}


@st.composite
def operations(draw: st.DrawFn) -> list[tuple[str, Any]]:
    """Adds (some recorded late), retractions, corrections and questions, in any order;
    among them, coordinators asked again and again between events of their populations."""
    pool = draw(raw_events())
    ops: list[tuple[str, Any]] = []
    for raw in pool:
        raw = dict(raw)
        if draw(st.integers(0, 4)) == 0:
            raw["recorded_at"] = (d(raw["date"]) + dt.timedelta(days=draw(st.integers(0, 90)))).isoformat()
        ops.append(("add", raw))
        choice = draw(st.integers(0, 5))
        if choice == 0:
            day = draw(st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31))).isoformat()
            who = draw(st.sampled_from(["c1", "c2", "d1", "d2"]))
            ops.append(("add", {"id": f"r{len(ops)}", "type": "event.retracted", "agency": who, "date": day,
                                "retracts": raw["id"]}))
        elif choice == 1:  # a corrected copy: same id, another date (a conflict the ledger resolves)
            moved = d(raw["date"]) + dt.timedelta(days=draw(st.integers(-40, 40)))
            ops.append(("add", {**raw, "date": moved.isoformat()}))
        elif choice == 2:  # an inspection, or an event of a population member; maybe withdrawn
            extra = draw(population_events(len(ops)))
            ops.append(("add", extra))
            if draw(st.booleans()):
                ops.append(("add", {"id": f"r{len(ops)}", "type": "event.retracted", "agency": extra["agency"],
                                    "date": extra["date"], "retracts": extra["id"]}))
            ops.append(("ask", (draw(AS_OF), None, {draw(st.sampled_from(["dost", "dost-q"]))})))
        if draw(st.booleans()):
            asked = draw(st.sets(st.sampled_from([a.id for a in COORDINATED]), min_size=1, max_size=3))
            known = draw(st.none() | st.dates(dt.date(2025, 1, 1), dt.date(2027, 6, 30)))
            ops.append(("ask", (draw(AS_OF), known, asked)))
    return ops


@SETTINGS
@given(ops=operations())
def test_incremental_answers_equal_a_fresh_evaluation(shared: Engine, ops: list[tuple[str, Any]]) -> None:
    """After any sequence of adds, retractions and corrections, every answer (from the
    cache or not) equals a fresh evaluation of the events added so far: coordinators'
    coverage too, asked again after events of their populations."""
    shared.clear()
    added: list[dict[str, Any]] = []
    asked_before: list[tuple[dt.date, dt.date | None, set[str]]] = []
    for kind, value in ops:
        if kind == "add":
            shared.add(value)
            added.append(value)
            continue
        asked_before.append(value)
        for as_of, known_at, asked in asked_before[-3:]:  # earlier questions again: cached or not
            fresh = _fresh(added, as_of, known_at)
            assert shared.report(as_of, agencies=asked, known_at=known_at).obligations == _owned(fresh, asked)
            for agency in asked:
                assert shared.obligations(agency, as_of, known_at=known_at) == _owned(fresh, {agency})
            unmet = tuple(o for o in _owned(fresh, asked) if o.status in (Status.OPEN, Status.OVERDUE)
                          and o.due is not None and as_of <= o.due <= as_of + dt.timedelta(days=60))
            assert shared.due_between(as_of, as_of + dt.timedelta(days=60), as_of=as_of, agencies=asked,
                                      known_at=known_at) == unmet
            assert shared.report(as_of, known_at=known_at) == fresh


def test_held_events_share_equal_values_and_keep_their_content() -> None:
    """Interning (hanchot.compact) shares equal attribute sets and days, and changes no value:
    1 and True, or a list and a string, stay apart."""
    from hanchot.compact import Interner

    interner = Interner()
    a = interner.event(event("process.updated", "2025-03-01", "c1", documents=["09/2025/TT-BKHCN"], version=1))
    b = interner.event(event("process.updated", "2025-03-01", "c2", documents=["09/2025/TT-BKHCN"], version=1))
    c = interner.event(event("process.updated", "2025-03-01", "c2", documents=["09/2025/TT-BKHCN"], version=True))
    assert a.attrs is b.attrs and a.date is b.date
    assert c.attrs is not a.attrs and c.attrs["version"] is True and a.attrs["version"] == 1
    assert a.to_dict() == {"id": a.id, "type": "process.updated", "agency": "c1", "date": "2025-03-01",
                           "documents": ["09/2025/TT-BKHCN"], "version": 1}


def test_equal_but_different_values_are_never_shared() -> None:
    """1, 1.0 and True are equal in Python; a shared attribute set must keep each as given."""
    from hanchot.compact import Interner

    interner = Interner()
    values = [1, 1.0, True, [1], [True], ["1"], "1", None, {"a": 1}, {"a": True}]
    events = [interner.event(event("process.updated", "2025-03-01", "c1", x=v)) for v in values]
    for e, v in zip(events, values, strict=True):
        assert type(e.attrs["x"]) is type(v) and e.attrs["x"] == v
        if isinstance(v, list):
            assert [type(i) for i in e.attrs["x"]] == [type(i) for i in v]
        if isinstance(v, dict):
            assert type(e.attrs["x"]["a"]) is type(v["a"])
