"""The ledger: duplicates, conflicts, retractions (of retractions), accounting — one rule for all."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from builders import TEST_PACK, agency, d, only
from hypothesis import given, settings
from hypothesis import strategies as st

from hanchot.batch import BatchOptions, run_batch
from hanchot.cli import main
from hanchot.engine import Engine
from hanchot.inputs import Event, parse_event
from hanchot.obligations.model import Report, Status

C1, C2 = agency("c1"), agency("c2")
LAW = {"document": "09/2025/TT-BKHCN"}


def line(n: int, **raw: Any) -> Event:
    """An event as read from line *n* of 'log.jsonl'."""
    return parse_event(raw, ("log.jsonl", n))


def check(events: list[Event], as_of: str = "2025-12-31", agencies: Any = (C1, C2)) -> Report:
    with Engine(TEST_PACK, list(agencies)) as engine:
        return engine.evaluate(events, d(as_of))


def identity(report: Report) -> bool:
    c = report.input
    return c.read == c.used + c.ignored + c.duplicates + c.conflicts + c.rejected


# -- conflicts ---------------------------------------------------------------------------


def test_another_agencys_event_under_the_same_id_does_not_erase_the_update() -> None:
    """Issue 10: an id reused by another agency's audit must not replace c1's process revision.

    Plan line checked: the legal update is met by "a revision naming the document" (legal-update).
    Before the ledger, the audit (an earlier date, so the lesser copy) replaced the revision and
    c1's update was reported overdue: a false violation.
    """
    law = line(1, id="law", type="legal_document.effective", agency="c1", date="2025-01-31", **LAW)
    fix = line(2, id="X", type="process.updated", agency="c1", date="2025-05-05", documents=[LAW["document"]])
    audit = line(3, id="X", type="internal_audit.completed", agency="c2", date="2025-04-01", nonconformities=0)
    report = check([law, fix, audit])
    update = only(report, "legal-update", "c1")
    assert (update.status, update.satisfied_by) == (Status.MET, ("X",))
    assert only(report, "internal-audit", "c2", period="2025").satisfied_by == ("X",)
    assert [c.to_dict() for c in report.conflicts] == [
        {"id": "X", "kept": "log.jsonl:3", "other": "log.jsonl:2", "counts": "both"}
    ]
    assert (report.input.conflicts, report.input.duplicates, report.input.used) == (0, 0, 3)
    assert identity(report)


def test_differing_copies_for_one_agency_keep_the_least_and_set_the_other_aside() -> None:
    """Two different events of one agency under one id: the least (date, id, content) counts."""
    first = line(7, id="A", type="internal_audit.completed", agency="c1", date="2025-05-10", nonconformities=0)
    second = line(4, id="A", type="internal_audit.completed", agency="c1", date="2025-06-10", nonconformities=2)
    same = line(9, id="A", type="internal_audit.completed", agency="c1", date="2025-06-10", nonconformities=2)
    for order in ([first, second, same], [same, second, first]):
        report = check(order)
        assert only(report, "internal-audit", "c1", period="2025").status is Status.MET
        assert (report.input.used, report.input.conflicts, report.input.duplicates) == (1, 1, 1)
        assert [str(c) for c in report.conflicts] == [
            "id 'A': log.jsonl:7 and log.jsonl:4 differ; the first counts"
        ]
        assert identity(report)


def test_identical_copies_are_duplicates_not_conflicts() -> None:
    """Re-sent lines are duplicates: counted apart, no conflict listed."""
    a = line(1, id="A", type="internal_audit.completed", agency="c1", date="2025-05-10", nonconformities=0)
    b = line(2, id="A", type="internal_audit.completed", agency="c1", date="2025-05-10", nonconformities=0)
    report = check([a, b])
    assert (report.input.duplicates, report.input.conflicts, report.conflicts) == (1, 0, ())


def test_a_broadcast_and_an_agency_event_under_one_id_are_one_event() -> None:
    """A broadcast reaches many agencies: a differing copy under its id cannot count beside it."""
    law = line(1, id="L", type="legal_document.effective", scope={"level": "commune"}, date="2025-01-31", **LAW)
    other = line(2, id="L", type="internal_audit.completed", agency="c2", date="2025-05-01", nonconformities=0)
    report = check([other, law])
    assert (report.input.conflicts, report.input.used) == (1, 1)
    assert [c.to_dict()["counts"] for c in report.conflicts] == ["kept"]
    assert {o.agency for o in report.obligations if o.rule == "legal-update"} == {"c1", "c2"}


# -- retractions -------------------------------------------------------------------------


def test_a_retraction_of_a_retraction_restores_nothing_and_says_so() -> None:
    """Withdrawing a withdrawal is reported under its own reason; the audit stays withdrawn."""
    audit = line(1, id="a", type="internal_audit.completed", agency="c1", date="2025-05-10", nonconformities=0)
    undo = line(2, id="r1", type="event.retracted", agency="c1", date="2025-06-01", retracts="a")
    redo = line(3, id="r2", type="event.retracted", agency="c1", date="2025-07-01", retracts="r1")
    report = check([audit, undo, redo], "2026-01-05")
    assert only(report, "internal-audit", "c1", period="2025").status is Status.OVERDUE
    assert report.input.ignored_because == {"retracted": 1, "retraction_of_retraction": 1}
    assert identity(report)


def test_a_retraction_of_an_id_two_agencies_share_withdraws_its_own_agencys_copy() -> None:
    """With one copy per agency kept, a retraction withdraws its own agency's, or none if ambiguous."""
    a1 = line(1, id="X", type="internal_audit.completed", agency="c1", date="2025-05-10", nonconformities=0)
    a2 = line(2, id="X", type="internal_audit.completed", agency="c2", date="2025-05-11", nonconformities=0)
    own = line(3, id="r", type="event.retracted", agency="c2", date="2025-06-01", retracts="X")
    report = check([a1, a2, own], "2026-01-05")
    assert only(report, "internal-audit", "c1", period="2025").status is Status.MET
    assert only(report, "internal-audit", "c2", period="2025").status is Status.OVERDUE
    c3 = agency("c3")
    stranger = line(3, id="r", type="event.retracted", agency="c3", date="2025-06-01", retracts="X")
    report = check([a1, a2, stranger], "2026-01-05", (C1, C2, c3))
    assert report.input.ignored_because.get("ambiguous_retraction") == 1
    assert {only(report, "internal-audit", a, period="2025").status for a in ("c1", "c2")} == {Status.MET}


# -- order independence and accounting, generated ------------------------------------------

_TYPES = ("internal_audit.completed", "process.updated", "coffee.brewed", "event.retracted")


@st.composite
def logs(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Small logs whose ids collide often: duplicates, conflicts, retractions of anything."""
    ids = ["a", "b", "c", "r1", "r2"]
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(_TYPES))
        row: dict[str, Any] = {
            "id": draw(st.sampled_from(ids)),
            "type": kind,
            "agency": draw(st.sampled_from(["c1", "c2", "nobody"])),
            "date": f"2025-0{draw(st.integers(1, 9))}-1{draw(st.integers(0, 2))}",
        }
        if kind == "event.retracted":
            row["retracts"] = draw(st.sampled_from(ids))
        else:
            row["nonconformities"] = draw(st.integers(0, 1))
        if draw(st.integers(0, 9)) == 0:
            row = {"scope": {"level": "commune"}, **{k: v for k, v in row.items() if k != "agency"}}
        rows.append(row)
    return rows


def _summary(report: Report) -> Any:
    return (
        report.input.to_dict(),
        [(o.agency, o.rule, o.period, o.status.value, o.satisfied_by) for o in report.obligations],
        [c.to_dict() for c in report.conflicts],
    )


@settings(max_examples=120, deadline=None)
@given(logs(), st.randoms(use_true_random=False))
def test_any_order_gives_one_report_and_every_line_is_accounted_for(rows: list[dict[str, Any]], rnd: random.Random) -> None:
    """read = used + ignored + duplicates + conflicts + rejected, and input order changes nothing."""
    events = [parse_event(r, ("log.jsonl", n)) for n, r in enumerate(rows, 1)]
    shuffled = events[:]
    rnd.shuffle(shuffled)
    first, second = check(events), check(shuffled)
    assert identity(first)
    assert _summary(first) == _summary(second)


# -- the batch agrees --------------------------------------------------------------------

AGENCIES = """id,name,level,parent,province,active_from,active_to,successor,tags
P1,P1,province,,P1,,,,
P1-C1,C1,commune,,P1,,,,
P1-C2,C2,commune,,P1,,,,
P2,P2,province,,P2,,,,
P2-C1,C1,commune,,P2,,,,
P2-C2,C2,commune,,P2,,,,
"""


def test_batch_equals_check_on_conflicts_and_retractions_of_retractions(tmp_path: Path) -> None:
    """Conflicts (light copies included) and retractions of retractions across partitions: as check."""
    rows = [
        {"id": "X", "type": "process.updated", "agency": "P1-C1", "date": "2025-05-05", "documents": ["L1"]},
        {"id": "X", "type": "internal_audit.completed", "agency": "P2-C1", "date": "2025-04-01", "nonconformities": 0},
        {"id": "L1", "type": "legal_document.effective", "agency": "P1-C1", "date": "2025-01-31", "document": "L1"},
        {"id": "d1", "type": "dossier.received", "agency": "P1-C2", "date": "2025-02-01"},
        {"id": "d1", "type": "dossier.received", "agency": "P2-C2", "date": "2025-01-01"},
        {"id": "d1", "type": "dossier.received", "agency": "P2-C2", "date": "2025-01-02"},
        {"id": "d2", "type": "dossier.received", "agency": "P2-C2", "date": "2025-01-02"},
        {"id": "d2", "type": "dossier.received", "agency": "P2-C2", "date": "2025-01-02"},
        {"id": "a", "type": "internal_audit.completed", "agency": "P1-C2", "date": "2025-05-10", "nonconformities": 0},
        {"id": "r1", "type": "event.retracted", "agency": "P1-C2", "date": "2025-06-01", "retracts": "a"},
        {"id": "r2", "type": "event.retracted", "agency": "P2-C2", "date": "2025-07-01", "retracts": "r1"},
        {"id": "r3", "type": "event.retracted", "agency": "P2-C1", "date": "2025-07-01", "retracts": "X"},
        # a broadcast and another partition's agency event under one id: one event, the least copy
        {"id": "B", "type": "legal_document.effective", "scope": {"province": "P1"}, "date": "2025-02-01", "document": "L9"},
        {"id": "B", "type": "internal_audit.completed", "agency": "P2-C2", "date": "2025-03-01", "nonconformities": 0},
    ]
    agencies = tmp_path / "agencies.csv"
    agencies.write_text(AGENCIES, encoding="utf-8")
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    expected_file = tmp_path / "check.json"
    main(["check", "--pack", "hue-2025", "--agencies", str(agencies), "--events", str(events), "--as-of", "2026-01-31",
          "--format", "json", "--output", str(expected_file)])
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    assert expected["input"]["conflicts"] == 2 and expected["input"]["ignored_because"]["retraction_of_retraction"] == 1
    assert {(c["id"], c["counts"]) for c in expected["conflicts"]} == {("X", "both"), ("d1", "both"), ("d1", "kept"), ("B", "kept")}
    for jobs in (1, 2):
        out = tmp_path / f"batch{jobs}"
        result = run_batch(BatchOptions(pack="hue-2025", agencies=agencies, events=[events], as_of=d("2026-01-31"),
                                        output=out, jobs=jobs, progress=False, partition_bytes=1))
        got = [json.loads(x) for x in (out / "obligations.jsonl").read_text(encoding="utf-8").splitlines()]
        assert got == expected["obligations"]
        assert {k: v for k, v in result.summary["input"].items() if k != "lines"} == expected["input"]
        assert result.summary["conflicts"] == expected["conflicts"]


def test_the_table_shows_conflicts_in_its_input_line_and_lists_them() -> None:
    """A person reading the table sees the conflict count and both places of each conflict."""
    import io

    from hanchot.rules.loader import load_pack
    from hanchot.writers.table import write_table

    a = line(1, id="A", type="internal_audit.completed", agency="c1", date="2025-05-10", nonconformities=0)
    b = line(5, id="A", type="internal_audit.completed", agency="c1", date="2025-06-10", nonconformities=2)
    out = io.StringIO()
    write_table(check([a, b]), load_pack(TEST_PACK), out)
    text = out.getvalue()
    assert "duplicates 0, conflicts 1, rejected 0" in text
    assert "Different events under one id (1)\nA: log.jsonl:1 / log.jsonl:5\n  the first counts\n" in text


def test_the_replay_sees_both_agencies_copies_as_check_does() -> None:
    """The incremental replay places conflicting copies like check: each agency's own event counts."""
    from hanchot.replay import replay

    law = line(1, id="law", type="legal_document.effective", agency="c1", date="2025-01-31", **LAW)
    fix = line(2, id="X", type="process.updated", agency="c1", date="2025-05-05", documents=[LAW["document"]])
    audit = line(3, id="X", type="internal_audit.completed", agency="c2", date="2025-04-01", nonconformities=0)
    with Engine(TEST_PACK, [C1, C2]) as engine:
        nights = list(replay(engine, [law, fix, audit], [d("2025-06-01"), d("2025-12-31")]))
    expected = check([law, fix, audit])
    assert [o.to_dict() for o in nights[-1].obligations] == [o.to_dict() for o in expected.obligations]
    assert only(expected, "legal-update", "c1").status is Status.MET
