"""Explanations hold their parts and are written when read, the same text as before.

The status sentence, a rule's title and basis and every date are kept as parts
(ids, dates, the rule) and written on access; these tests hold the written
text to the wording the README documents and to ``strftime``'s dates.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hanchot.calendar import Step, dmy_as_written
from hanchot.errors import CalendarError
from hanchot.inputs import parse_event
from hanchot.obligations.context import StatusSaid, rule_basis, rule_title, status_phrase
from hanchot.obligations.model import Explanation, Phrase, Rendering, Status
from hanchot.obligations.settling import Settling, settle
from hanchot.rules.loader import load_pack
from hanchot.text import Text


@given(st.dates())
def test_dates_are_written_as_strftime_writes_them(day: dt.date) -> None:
    assert dmy_as_written(day) == day.strftime("%d/%m/%Y")


def _event(eid: str, day: str) -> object:
    return parse_event({"id": eid, "type": "process.updated", "agency": "a", "date": day})


def test_the_status_sentences_read_as_the_readme_shows() -> None:
    # README, "hanchot check": "Met by event e7 on 02/05/2025, on time."
    met = status_phrase(Status.MET, dt.date(2025, 5, 5), _event("e7", "2025-05-02"), dt.date(2025, 12, 31))
    assert met.get("en") == met.en == "Met by event e7 on 02/05/2025, on time."
    assert met.vi == "Đã thực hiện: sự kiện e7 ngày 02/05/2025, đúng hạn."
    late = status_phrase(Status.MET_LATE, dt.date(2025, 5, 5), _event("e8", "2025-05-09"), dt.date(2025, 12, 31))
    assert late.en == "Met late by event e8 on 09/05/2025, 4 day(s) after the due date."
    overdue = status_phrase(Status.OVERDUE, dt.date(2025, 12, 30), None, dt.date(2025, 12, 31))
    assert overdue.en == "Overdue: no fulfilling event as of 31/12/2025 (1 day(s) past due)."
    open_ = status_phrase(Status.OPEN, None, None, dt.date(2025, 12, 31))
    assert open_.vi == "Đang mở: văn bản không quy định thời hạn; chưa thực hiện tính đến 31/12/2025."


def test_a_written_on_access_sentence_is_a_phrase_equal_by_its_parts() -> None:
    as_of = dt.date(2025, 12, 31)
    a = status_phrase(Status.OPEN, dt.date(2026, 1, 5), None, as_of)
    b = status_phrase(Status.OPEN, dt.date(2026, 1, 5), None, as_of)
    c = status_phrase(Status.OPEN, dt.date(2026, 1, 6), None, as_of)
    assert isinstance(a, Phrase)
    assert a == b and hash(a) == hash(b) and a != c
    with pytest.raises(AttributeError):
        a.status = Status.MET  # type: ignore[attr-defined]


# Few values each, so that sentences with equal parts and equal keys meet.
_days = st.sampled_from([dt.date(2025, 3, 31), dt.date(2025, 4, 1), dt.date(2025, 12, 31)])
_settled = st.one_of(
    st.builds(StatusSaid, st.just(Status.OPEN), st.none() | _days, st.none(), st.none(), _days),
    st.builds(StatusSaid, st.just(Status.OVERDUE), _days, st.none(), st.none(), _days),
    st.builds(StatusSaid, st.sampled_from([Status.MET, Status.MET_LATE]), _days, st.sampled_from(["e1", "e2"]), _days, _days),
)


@given(_settled, _settled)
def test_status_sentences_with_one_reuse_key_say_the_same(a: StatusSaid, b: StatusSaid) -> None:
    """An output writes a sentence once per reuse key (an unmet duty's: its status, due
    date and the clock); a met duty's names its event, so it has none."""
    assert (a.reuse_key is None) == (a.met_id is not None)
    if a.reuse_key is not None and a.reuse_key == b.reuse_key:
        assert (a.en, a.vi) == (b.en, b.vi)


def test_rule_title_and_basis_are_written_from_the_rule() -> None:
    rule = next(r for r in load_pack("hue-2025").rules if r.id == "legal-update")
    assert rule_title(rule).get("vi") == f"[legal-update] {rule.title.vi}"
    assert rule_title(rule).get("en") == f"[legal-update] {rule.title.en}"
    basis = rule_basis(rule).get("en")
    assert basis.startswith("19/2014/QĐ-TTg, Art. 4(4)")  # the README's JSON example
    assert basis.count("; ") == len(rule.basis) - 1  # one citation per basis entry
    assert rule_basis(rule).get("vi") == basis


def _explanation() -> Explanation:
    rule = next(r for r in load_pack("hue-2025").rules if r.id == "legal-update")
    steps = (Step(dt.date(2025, 4, 30), Text("Ngày Giải phóng", "Liberation Day → not a working day")),)
    return Explanation(
        rule_title(rule), rule_basis(rule), Phrase("Phát sinh.", "Opened."), steps,
        status_phrase(Status.OPEN, dt.date(2025, 5, 5), None, dt.date(2025, 4, 1)),
    )


def test_lines_are_title_basis_origin_steps_status() -> None:
    lines = _explanation().lines("en")
    assert lines[0].startswith("[legal-update] ")
    assert lines[1].startswith("Basis: 19/2014/QĐ-TTg")
    assert lines[2:] == ["Opened.", "30/04/2025: Liberation Day → not a working day",
                         "Open: due 05/05/2025, not yet met as of 01/04/2025."]
    assert _explanation().lines("vi")[1].startswith("Căn cứ: 19/2014/QĐ-TTg")
    assert _explanation().basis == lines[1].removeprefix("Basis: ")


def test_one_rendering_writes_shared_parts_once_and_the_same() -> None:
    explanation = _explanation()
    rendering = Rendering("en")
    assert rendering.lines(explanation) == rendering.lines(_explanation()) == explanation.lines("en")


def test_explanations_are_immutable_and_compare_by_their_parts() -> None:
    a, b = _explanation(), _explanation()
    assert a == b and hash(a) == hash(b)
    with pytest.raises(AttributeError):
        a.title = Phrase("x", "y")


def test_an_unknown_language_is_an_error_where_steps_are_written() -> None:
    with pytest.raises(CalendarError):
        _explanation().lines("fr")


@given(st.none() | _days, st.none() | _days, _days)
def test_a_duty_is_settled_by_its_due_date_its_event_and_the_clock(due: dt.date | None, met_on: dt.date | None, as_of: dt.date) -> None:
    """Met on or before the due date: met; after it: met late; unmet past it: overdue; else
    open. The sentence says the same parts, and the unmet duties due on one day share it."""
    settling = Settling(as_of, StatusSaid)
    met_by = None if met_on is None else _event("e1", met_on.isoformat())
    status, why = settling.settled(due, met_by)  # type: ignore[arg-type]
    if met_on is not None:
        assert status is (Status.MET if due is None or met_on <= due else Status.MET_LATE)
    else:
        assert status is (Status.OVERDUE if due is not None and as_of > due else Status.OPEN)
        assert settling.settled(due, None)[1] is why
    assert status is settle(due, met_on, as_of)
    assert why == status_phrase(status, due, met_by, as_of)  # type: ignore[arg-type]
