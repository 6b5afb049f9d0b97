"""The engine: each rule kind, merges, retractions, duplicates, accounting."""

from __future__ import annotations

import datetime as dt
import gc
from typing import Any

import pytest
from builders import TEST_PACK, agency, d, evaluate, event, only
from hypothesis import given, settings
from hypothesis import strategies as st

from hanchot.engine import Engine
from hanchot.errors import RulePackError
from hanchot.inputs import Event, parse_event
from hanchot.obligations.model import Explanation, InputCounts, Obligation, Phrase, Report, Status
from hanchot.rules.loader import load_pack

COMMUNE = agency("c1")
LAW = {"document": "09/2025/TT-BKHCN", "title": "Thông tư"}


# -- within ------------------------------------------------------------------------------


def test_law_in_force_31_01_opens_update_due_05_05_and_is_met_by_the_naming_process() -> None:
    """Domain example: in force 31/01/2025, '3 months' ends 30/04 (holiday), rolls past 01/05,
    the swapped day off 02/05 and the weekend to 05/05/2025; a revision naming the document meets it."""
    law = event("legal_document.effective", "2025-01-31", **LAW)
    fix = event("process.updated", "2025-05-05", documents=["09/2025/TT-BKHCN"], process="P1")
    o = only(evaluate([COMMUNE], [law, fix], "2025-06-01"), "legal-update")
    assert (o.due, o.status, o.satisfied_by, o.trigger) == (d("2025-05-05"), Status.MET, (fix.id,), law.id)
    reasons = " ".join(o.explanation.lines("en"))
    assert "30/04/2025" in reasons and "02/05/2025" in reasons


def test_update_met_late_overdue_and_open() -> None:
    """The same duty is met late after its due date, overdue when unmet past it, open before it."""
    law = event("legal_document.effective", "2025-01-31", **LAW)
    late = event("process.updated", "2025-05-06", documents=["09/2025/TT-BKHCN"])
    assert only(evaluate([COMMUNE], [law, late], "2025-06-01"), "legal-update").status is Status.MET_LATE
    assert only(evaluate([COMMUNE], [law], "2025-05-06"), "legal-update").status is Status.OVERDUE
    assert only(evaluate([COMMUNE], [law], "2025-05-05"), "legal-update").status is Status.OPEN


@given(st.lists(st.sampled_from(list(Status)), max_size=6))
def test_has_violations_says_whether_any_obligation_is_overdue_or_met_late(statuses: list[Status]) -> None:
    """The exit code of a check (1: violations) follows from ``has_violations``: overdue or met late."""
    why = Explanation(Phrase("t", "t"), "b", Phrase("o", "o"), (), Phrase("s", "s"))
    made = [Obligation("legal-update", "c1", None, f"law-{i}", d("2025-01-31"), d("2025-05-05"), s, (), why) for i, s in enumerate(statuses)]
    report = Report("p", d("2025-06-01"), tuple(made), InputCounts(0, 0, 0, 0, 0))
    assert report.has_violations is bool(report.violations)
    assert report.has_violations is (Status.OVERDUE in statuses or Status.MET_LATE in statuses)


def test_a_revision_of_another_document_does_not_meet_the_update() -> None:
    """Correlation: only a process.updated naming the trigger's document meets it."""
    law = event("legal_document.effective", "2025-01-31", **LAW)
    other = event("process.updated", "2025-03-01", documents=["01/2024/NĐ-CP"])
    o = only(evaluate([COMMUNE], [law, other], "2025-06-01"), "legal-update")
    assert o.status is Status.OVERDUE and o.satisfied_by == ()


def test_the_earliest_revision_naming_the_document_meets_it_among_odd_values() -> None:
    """Correlation by value, whatever else the fulfilments hold: a revision whose documents
    include an object, or whose documents is a plain string, is still compared; the earliest
    naming the document meets the duty, and one naming another document never does.
    (The typed vocabulary refuses such values for ``process.updated`` at input; a pack of
    one's own may correlate event types outside it, so the evaluator is held to it directly.)"""
    law = event("legal_document.effective", "2025-01-31", **LAW)

    def unchecked(id: str, day: str, documents: Any) -> Event:
        return Event(id, "process.updated", d(day), agency="c1", attrs={"documents": documents})

    odd = unchecked("odd", "2025-02-01", [{"no": 1}, "01/2024/NĐ-CP"])
    plain = unchecked("plain", "2025-02-03", "09/2025/TT-BKHCN")
    mixed = unchecked("mixed", "2025-02-05", [{"no": 2}, "09/2025/TT-BKHCN"])
    later = event("process.updated", "2025-02-07", documents=["09/2025/TT-BKHCN"])
    o = only(evaluate([COMMUNE], [later, mixed, plain, odd, law], "2025-06-01"), "legal-update")
    assert (o.status, o.satisfied_by) == (Status.MET, (plain.id,))
    o = only(evaluate([COMMUNE], [later, mixed, odd, law], "2025-06-01"), "legal-update")
    assert (o.status, o.satisfied_by) == (Status.MET, (mixed.id,))


_VALUES = st.sampled_from(["09/2025/TT-BKHCN", "01/2024/NĐ-CP", 1, 1.0, True, float("nan"), None, {"no": 1}])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.one_of(_VALUES, st.lists(_VALUES, max_size=3))), max_size=8),
       st.sampled_from(["09/2025/TT-BKHCN", 1]))
def test_the_earliest_fulfilment_on_or_after_the_trigger_naming_its_value_meets_it(
    revisions: list[tuple[int, Any]], wanted: Any
) -> None:
    """Plan 000 §IV.3 (legal-update): the duty opened by a law is met by the earliest process
    revision, on or after the law, whose ``documents`` names the law's ``document`` -- the
    same value, or a list holding it -- whatever else the revisions hold (numbers equal
    to it, NaN, objects, nothing). The evaluator indexes the revisions by value; this holds
    it to a plain scan of the rule's text."""
    law = Event("law", "legal_document.effective", d("2025-01-31"), agency="c1", attrs={"document": wanted})
    events = [
        Event(f"r{i:02d}", "process.updated", d("2025-01-21") + dt.timedelta(days=day), agency="c1",
              attrs={"documents": documents})
        for i, (day, documents) in enumerate(revisions)
    ]

    def names(documents: Any) -> bool:
        if isinstance(documents, list):
            return any(v is wanted or v == wanted for v in documents)
        return bool(documents == wanted)

    meeting = sorted((e for e in events if e.date >= law.date and names(e.attrs["documents"])),
                     key=lambda e: (e.date, e.id))
    o = only(evaluate([COMMUNE], [law, *events], "2025-06-01"), "legal-update")
    assert o.satisfied_by == ((meeting[0].id,) if meeting else ())


def test_a_revision_before_the_law_does_not_meet_it() -> None:
    """A fulfilment dated before its trigger cannot answer it."""
    law = event("legal_document.effective", "2025-01-31", **LAW)
    early = event("process.updated", "2025-01-30", documents=["09/2025/TT-BKHCN"])
    assert only(evaluate([COMMUNE], [law, early], "2025-06-01"), "legal-update").status is Status.OVERDUE


def test_broadcast_law_opens_one_obligation_per_agency_in_scope() -> None:
    """A scoped event reaches every active agency whose fields match, and no other."""
    agencies = [agency("c1"), agency("c2"), agency("dep", "department"), agency("c9", province="q")]
    law = event("legal_document.effective", "2025-01-31", agency=None, scope={"level": "commune", "province": "p"}, **LAW)
    report = evaluate(agencies, [law], "2025-02-01")
    assert sorted(o.agency for o in report.obligations if o.rule == "legal-update") == ["c1", "c2"]


def test_audit_with_nonconformities_opens_open_corrective_action_without_due_date() -> None:
    """A rule with no deadline in its text still yields an open obligation, with no due date."""
    audit = event("internal_audit.completed", "2025-03-10", nonconformities=2)
    clean = event("internal_audit.completed", "2025-09-10", nonconformities=0)
    report = evaluate([COMMUNE], [audit, clean], "2026-06-01")
    o = only(report, "corrective-action")
    assert (o.trigger, o.due, o.status) == (audit.id, None, Status.OPEN)
    closed = event("corrective_action.completed", "2025-04-01", audit=audit.id)
    assert only(evaluate([COMMUNE], [audit, clean, closed], "2026-06-01"), "corrective-action").status is Status.MET


# -- every -------------------------------------------------------------------------------


def test_quarterly_report_due_21st_of_last_month_under_strict_before() -> None:
    """'trước ngày 22 hàng quý', strictly before: Q1 2025 is due 21/03/2025."""
    on_time = event("report.submitted", "2025-03-21", report="quarterly", period="2025-Q1")
    o = only(evaluate([COMMUNE], [on_time], "2025-04-01"), "quarterly-report", period="2025-Q1")
    assert (o.due, o.status) == (d("2025-03-21"), Status.MET)


def test_quarterly_report_sent_next_quarter_counts_late_for_its_period() -> None:
    """A report naming 2025-Q1 sent in April counts for Q1, late, and not for Q2."""
    late = event("report.submitted", "2025-04-03", report="quarterly", period="2025-Q1")
    report = evaluate([COMMUNE], [late], "2025-07-01")
    assert only(report, "quarterly-report", period="2025-Q1").status is Status.MET_LATE
    assert only(report, "quarterly-report", period="2025-Q2").status is Status.OVERDUE
    assert only(report, "quarterly-report", period="2025-Q3").status is Status.OPEN


def test_flipping_before_is_inclusive_moves_the_report_due_date_by_one_day() -> None:
    """With before_is_inclusive the 22nd itself complies."""
    pack = load_pack(TEST_PACK, values={"before_is_inclusive": True})
    report = evaluate([COMMUNE], [], "2025-04-01", pack=pack)
    assert only(report, "quarterly-report", period="2025-Q1").due == d("2025-03-22")


def test_yearly_audit_met_missed_and_open() -> None:
    """One audit a calendar year: 2025 met, as of 2026-02 the 2026 one is open; none → overdue."""
    audit = event("internal_audit.completed", "2025-11-10", nonconformities=0)
    report = evaluate([COMMUNE], [audit], "2026-02-01")
    assert only(report, "internal-audit", period="2025").status is Status.MET
    assert only(report, "internal-audit", period="2026").status is Status.OPEN
    assert only(evaluate([COMMUNE], [], "2026-01-01"), "internal-audit", period="2025").status is Status.OVERDUE


# -- once and coverage ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "as_of", "status"),
    [("2025-04-29", "2025-05-10", Status.MET), ("2025-04-30", "2025-05-10", Status.MET_LATE),
     (None, "2025-04-30", Status.OVERDUE), (None, "2025-04-29", Status.OPEN)],
)
def test_plan_milestone_before_30_04(issued: str | None, as_of: str, status: Status) -> None:
    """'trước ngày 30/4' under the strict reading is due 29/04/2025; the 30th is late."""
    events = [event("document.issued", issued, kind="qms_plan")] if issued else []
    o = only(evaluate([COMMUNE], events, as_of), "qms-plan")
    assert (o.due, o.status) == (d("2025-04-29"), status)


def test_coverage_needs_30_percent_of_departments_inspected_on_site() -> None:
    """10 departments: 3 distinct on-site inspections meet the 30%; dossier ones do not count."""
    deps = [agency(f"d{i}", "department") for i in range(10)]
    dost = agency("dost", "department", tags=("dost",))
    inspections = [event("inspection.completed", f"2025-0{i + 3}-01", "dost", target=f"d{i}", mode="on_site") for i in range(2)]
    dossier = event("inspection.completed", "2025-08-01", "dost", target="d5", mode="dossier")
    report = evaluate([*deps, dost], [*inspections, dossier], "2026-01-10")
    assert only(report, "on-site-inspections", period="2025").status is Status.OVERDUE
    third = event("inspection.completed", "2025-12-01", "dost", target="d7", mode="on_site")
    o = only(evaluate([*deps, dost], [*inspections, dossier, third], "2026-01-10"), "on-site-inspections", period="2025")
    assert (o.status, o.satisfied_by[-1]) == (Status.MET, third.id)
    mid_year = only(evaluate([*deps, dost], inspections, "2025-06-30"), "on-site-inspections", period="2025")
    assert (mid_year.status, mid_year.due) == (Status.OPEN, d("2025-12-31"))


# -- merges, retractions, duplicates, accounting -------------------------------------------


def test_merged_commune_passes_open_update_to_successor_and_lapses_its_year() -> None:
    """A commune merged on 30/06 hands its unmet legal update to its successor, whose
    revision meets it; its own 2025 audit lapses (the successor has its own)."""
    old = agency("old", active_to=d("2025-06-30"), successor="new")
    new = agency("new", active_from=d("2025-07-01"))
    law = event("legal_document.effective", "2025-05-15", "old", **LAW)
    fix = event("process.updated", "2025-08-01", "new", documents=[LAW["document"]])
    report = evaluate([old, new], [law, fix], "2025-12-31")
    update = only(report, "legal-update")
    assert (update.agency, update.status, update.satisfied_by) == ("new", Status.MET, (fix.id,))
    assert only(report, "internal-audit", "old").status is Status.NOT_APPLICABLE
    assert only(report, "internal-audit", "new").status is Status.OPEN


def test_retracted_event_counts_as_never_having_happened() -> None:
    """Withdrawing the only audit of 2025 makes the year overdue again."""
    audit = event("internal_audit.completed", "2025-05-10", nonconformities=0)
    undo = event("event.retracted", "2025-06-01", retracts=audit.id)
    report = evaluate([COMMUNE], [audit, undo], "2026-01-05")
    assert only(report, "internal-audit", period="2025").status is Status.OVERDUE
    assert report.input.ignored_because["retracted"] == 1
    before = evaluate([COMMUNE], [audit, undo], "2025-05-31")
    assert only(before, "internal-audit", period="2025").satisfied_by == (audit.id,)


def test_duplicate_ids_are_used_once_and_counted() -> None:
    """The same event twice is one audit and one duplicate."""
    audit = event("internal_audit.completed", "2025-05-10", id="a1", nonconformities=0)
    again = event("internal_audit.completed", "2025-05-10", id="a1", nonconformities=0)
    report = evaluate([COMMUNE], [audit, again], "2025-06-01")
    assert report.input.duplicates == 1 and report.input.used == 1
    assert only(report, "internal-audit", period="2025").satisfied_by == ("a1",)


def test_every_input_is_accounted_for() -> None:
    """read = used + ignored + duplicates + rejected, with a reason for each ignored event."""
    events = [
        event("internal_audit.completed", "2025-05-10", id="x", nonconformities=0),
        event("internal_audit.completed", "2025-05-10", id="x", nonconformities=0),
        event("coffee.brewed", "2025-05-11"),
        event("internal_audit.completed", "2027-01-01", nonconformities=0),
        {"id": "bad", "type": "x", "agency": "c1", "date": "31/12/2025"},
        event("report.submitted", "2025-05-11", agency="nobody", report="quarterly"),
    ]
    with Engine(TEST_PACK, [COMMUNE]) as engine:
        report = engine.evaluate(events, d("2025-12-31"))
    c = report.input
    assert (c.read, c.used, c.ignored, c.duplicates, c.rejected) == (6, 1, 2, 1, 2)
    assert c.read == c.used + c.ignored + c.duplicates + c.rejected
    assert {r.field for r in report.rejected} == {"date", "agency"}


def test_add_one_at_a_time_equals_evaluate() -> None:
    """Embedding: add() then report() gives the same report as evaluate()."""
    events = [
        event("legal_document.effective", "2025-01-31", **LAW),
        event("internal_audit.completed", "2025-03-10", nonconformities=1),
    ]
    with Engine(TEST_PACK, [COMMUNE]) as engine:
        for e in events:
            engine.add(e)
        assert engine.report(d("2025-12-31")) == engine.evaluate(events, d("2025-12-31"))


def _evaluate_and_drop(engine: Engine) -> None:
    """One evaluation of events of each rule kind, its report dropped on return."""
    events = [
        event("legal_document.effective", "2025-01-31", id="dropped-law", **LAW),
        event("process.updated", "2025-03-02", id="dropped-update", documents=[LAW["document"]]),
        event("report.submitted", "2025-03-21", id="dropped-report", report="quarterly", period="2025-Q1"),
        event("internal_audit.completed", "2025-03-10", id="dropped-audit", nonconformities=1),
    ]
    report = engine.evaluate(events, d("2025-12-31"))
    assert {o.rule for o in report.obligations} >= {"legal-update", "quarterly-report", "corrective-action"}


def test_an_evaluation_over_its_events_are_freed_without_the_cyclic_collector() -> None:
    """`hanchot check` pauses the cyclic collector while it runs (hanchot.collector): an
    evaluation must leave no reference cycle holding its events, or 200,000 of them wait
    for the collector's full pass at the end (half a second), or for ever under the pause."""
    with Engine(TEST_PACK, [COMMUNE]) as engine:
        gc.collect()
        enabled = gc.isenabled()
        gc.disable()
        try:
            _evaluate_and_drop(engine)
            left = [o.id for o in gc.get_objects() if isinstance(o, Event) and o.id.startswith("dropped-")]
        finally:
            if enabled:
                gc.enable()
    assert left == []


def test_two_engines_with_different_packs_coexist() -> None:
    """Engines share nothing: interleaved use gives each its result alone."""
    strict = load_pack(TEST_PACK)
    lenient = load_pack(TEST_PACK, values={"update_window": "45 days"})
    law = event("legal_document.effective", "2025-01-31", **LAW)
    alone_a = evaluate([COMMUNE], [law], "2025-12-31", pack=strict)
    alone_b = evaluate([COMMUNE], [law], "2025-12-31", pack=lenient)
    with Engine(strict, [COMMUNE]) as a, Engine(lenient, [COMMUNE]) as b:
        a.add(law)
        b.add(law)
        assert a.report(d("2025-12-31")) == alone_a and b.report(d("2025-12-31")) == alone_b
    assert only(alone_b, "legal-update").due == d("2025-03-17")


def test_known_at_hides_events_recorded_later() -> None:
    """What was known on a night: an audit recorded a week late is invisible before then."""
    audit = parse_event(
        {"id": "a", "type": "internal_audit.completed", "agency": "c1", "date": "2025-12-20",
         "recorded_at": "2026-01-05T09:00:00+07:00", "nonconformities": 0}
    )
    with Engine(TEST_PACK, [COMMUNE]) as engine:
        engine.add(audit)
        then = engine.report(d("2026-01-03"), known_at=d("2026-01-03"))
        now = engine.report(d("2026-01-06"), known_at=d("2026-01-06"))
    assert only(then, "internal-audit", period="2025").status is Status.OVERDUE
    assert only(now, "internal-audit", period="2025").status is Status.MET


# -- bad packs --------------------------------------------------------------------------


def test_malformed_pack_names_file_rule_and_field(tmp_path: dt.date) -> None:
    """A rule with an unknown period kind is reported with the pack file, rule id and field."""
    text = TEST_PACK.read_text(encoding="utf-8").replace("period: year\n    match: {type: internal_audit", "period: decade\n    match: {type: internal_audit")
    bad = tmp_path / "bad.yaml"  # type: ignore[operator]
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(RulePackError) as info:
        load_pack(bad)
    message = str(info.value)
    assert "bad.yaml" in message and "'internal-audit'" in message and "period" in message


def test_agency_created_after_a_due_date_is_not_bound_by_it() -> None:
    """A commune formed on 01/07/2025 was not bound by 'the plan before 30/04/2025': not applicable."""
    new = agency("new", active_from=d("2025-07-01"))
    report = evaluate([new], [], "2025-12-31")
    assert only(report, "qms-plan", "new").status is Status.NOT_APPLICABLE
    assert only(report, "internal-audit", "new", period="2025").status is Status.OPEN


def test_coverage_population_leaves_out_agencies_gone_before_the_period_ends() -> None:
    """A department merged away in February is not owed an on-site inspection that year
    (population_active: end): 3 remaining departments need 1 inspection for 30%."""
    deps = [agency("d0", "department", active_to=d("2025-02-28"), successor="d1"),
            *(agency(f"d{i}", "department") for i in (1, 2, 3))]
    dost = agency("dost", "department", tags=("dost",))
    one = event("inspection.completed", "2025-05-01", "dost", target="d2", mode="on_site")
    o = only(evaluate([*deps, dost], [one], "2026-01-10"), "on-site-inspections", period="2025")
    assert o.status is Status.MET and "1 of 3" in " ".join(o.explanation.lines("en"))


def test_a_period_written_as_a_bare_year_counts() -> None:
    """period: 2025 (a number, as YAML reads an unquoted year) names the year 2025."""
    from hanchot.rules.model import EveryRule

    rule = EveryRule.model_validate({
        "id": "yearly-report", "kind": "every", "title": {"vi": "x", "en": "x"},
        "basis": {"document": "d"}, "period": "year", "period_attribute": "period",
        "match": {"type": "report.submitted"},
    })
    from hanchot.obligations.periodic import _period_of

    assert str(_period_of(event("report.submitted", "2026-01-05", period=2025), rule)) == "2025"


def test_two_copies_of_an_id_naming_different_agencies_resolve_the_same_in_any_order() -> None:
    """Duplicate ids that differ only in their agency: the same copy wins whatever the input order."""
    both = [agency("c1"), agency("c2")]
    one = event("internal_audit.completed", "2025-03-01", "c2", id="b", nonconformities=0)
    two = event("internal_audit.completed", "2025-03-01", "c1", id="b", nonconformities=0)
    first, second = evaluate(both, [one, two], "2025-12-31"), evaluate(both, [two, one], "2025-12-31")
    assert first == second
    assert only(first, "internal-audit", "c1", period="2025").satisfied_by == ("b",)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 2), st.sampled_from(["c1", "c2"]),
                          st.sampled_from(["x", "y"])), max_size=8))
def test_an_agency_and_its_successor_events_come_in_the_order_of_event_sort_key(
    copies: list[tuple[str, int, str, str]]
) -> None:
    """The evaluators merge an agency's events with its successor's in the one order results
    follow (README: results do not depend on input order), even when two copies of one id,
    kept for different agencies, share their date."""
    from hanchot.obligations.context import in_order

    events = [
        Event(eid, "process.updated", d("2025-07-01") + dt.timedelta(days=day), agency=who, attrs={"process": p})
        for eid, day, who, p in copies
    ]
    merged = in_order(list(events))
    assert [e.sort_key() for e in merged] == sorted(e.sort_key() for e in events)


@pytest.mark.parametrize("name", ["null", '""', "7"])
def test_a_parameter_without_a_name_is_refused_naming_the_field(tmp_path: pytest.TempPathFactory, name: str) -> None:
    """A pack whose parameter is named by null, "" or a number is refused with the field, not a crash
    (hypothesis found `parameters: {null: {}}` crashing the 'did you mean' of a rule's ${reference})."""
    text = TEST_PACK.read_text(encoding="utf-8")
    text = text.replace("parameters:\n", f"parameters:\n  {name}: {{}}\n", 1).replace("${update_window}", "${nope}")
    bad = tmp_path / "bad.yaml"  # type: ignore[operator]
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(RulePackError) as info:
        load_pack(bad)
    assert "bad.yaml" in str(info.value) and "field parameters" in str(info.value)
