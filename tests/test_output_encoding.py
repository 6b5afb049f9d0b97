"""Obligations encoded straight to bytes are what the standard encoder writes of their data.

``batch`` writes each obligation as ``json.dumps(o.to_dict(lang), ensure_ascii=False)``
on a line, ``check --format json`` the report as ``json.dump(report.to_dict(lang),
ensure_ascii=False, indent=2)``, and CSV a ``csv`` row of the same values.
:class:`hanchot.output.ObligationJson` writes those bytes without building the
mappings, encoding each repeated text once. These tests hold it to the standard
encoder on generated obligations — Vietnamese text, quotes, backslashes, control
characters, U+2028, nulls, empty lists, texts shared between obligations and texts
equal but held apart — with and without orjson.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hanchot import output
from hanchot.batch.partition import obligation_lines
from hanchot.calendar import Step
from hanchot.engine import Engine
from hanchot.inputs import Agency, parse_event
from hanchot.obligations.context import OpenedBy, PeriodicDuty, RuleBasis, RuleTitle, StatusSaid
from hanchot.obligations.model import Explanation, InputCounts, Obligation, Phrase, Report, Status
from hanchot.rules.loader import load_pack
from tests.strategies import dates, periods

RULES = load_pack("hue-2025").rules[:3]

# Text an obligation carries: Vietnamese with its combining marks, quotes, backslashes,
# control characters (escaped), U+2028 and DEL (not escaped by either encoder), emoji.
texts = st.text(
    alphabet=st.one_of(
        st.sampled_from("ạảãắằẳẵặấầẩẫậđĐơưƠƯ\u0301\u0303\"\\/\n\t\r\b\f\x00\x1f\x7f\u2028\u2029😀 ,:|;"),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=12,
)
ids = st.one_of(st.sampled_from(["upd-1", "law-9", "Sở KH&CN", ""]), texts)
phrases = st.builds(Phrase, texts, texts)
sentences = st.one_of(
    phrases,
    st.builds(StatusSaid, st.sampled_from(list(Status)), dates(), ids, dates(), dates()),
    st.builds(StatusSaid, st.sampled_from([Status.OPEN, Status.MET]), st.none(), ids, dates(), dates()),
    st.builds(  # an unmet duty's, reused by its parts (few values: equal sentences held apart meet)
        StatusSaid, st.sampled_from([Status.OPEN, Status.OVERDUE]), st.sampled_from([dt.date(2025, 1, 31)]),
        st.none(), st.none(), st.sampled_from([dt.date(2025, 2, 1), dt.date(2025, 12, 31)]),
    ),
    st.builds(PeriodicDuty, periods()),
    st.builds(
        lambda id, type, day: OpenedBy(parse_event({"id": id, "type": type, "date": day.isoformat(), "agency": "c1"})),
        st.sampled_from(["law-9", "Sở KH&CN \"1\""]),  # (few values each: equal and unequal sentences meet)
        st.sampled_from(["legal_document.effective", "audit.done"]),
        st.sampled_from([dt.date(2025, 1, 31), dt.date(2025, 2, 1)]),
    ),
    st.sampled_from(RULES).map(RuleTitle),
)
bases = st.one_of(texts, phrases, st.sampled_from(RULES).map(RuleBasis))
deadlines = st.lists(st.builds(Step, dates(), phrases), max_size=3).map(tuple)


@st.composite
def obligation_lists(draw: st.DrawFn) -> list[Obligation]:
    """Obligations drawing their parts from small pools, so that an output meets the same
    text again (the same object, or an equal one held apart)."""
    said = draw(st.lists(sentences, min_size=1, max_size=4))
    steps = draw(st.lists(deadlines, min_size=1, max_size=3))
    pick = st.sampled_from
    made = []
    for _ in range(draw(st.integers(1, 6))):
        explanation = Explanation(
            draw(pick(said)), draw(bases), draw(pick(said)), draw(pick(steps)), draw(pick(said)),
            tuple(draw(st.lists(pick(said), max_size=2))),
        )
        made.append(Obligation(
            rule=draw(ids), agency=draw(ids), period=draw(st.none() | ids), trigger=draw(st.none() | ids),
            opens=draw(dates()), due=draw(st.none() | dates()), status=draw(pick(list(Status))),
            satisfied_by=tuple(draw(st.lists(ids, max_size=3))), explanation=explanation,
        ))
    return made


def standard_report(report: Report, lang: str) -> str:
    """What ``hanchot check --format json`` wrote before: the reference."""
    return json.dumps(report.to_dict(lang), ensure_ascii=False, indent=2) + "\n"


def written(report: Report, lang: str) -> str:
    buf = io.StringIO()
    output.write_json(report, buf, lang)
    return buf.getvalue()


def report_of(obligations: list[Obligation]) -> Report:
    return Report("hue-2025", dt.date(2025, 12, 31), tuple(obligations), InputCounts(0, 0, 0, 0, 0))


@settings(max_examples=150, deadline=None)
@given(obligation_lists(), st.sampled_from(["vi", "en"]), st.booleans())
def test_batch_lines_are_the_bytes_of_the_standard_encoder(obligations: list[Obligation], lang: str, fast: bool) -> None:
    with pytest.MonkeyPatch.context() as patch:
        if not fast:
            patch.setattr(output, "orjson", None)
        line = obligation_lines("jsonl", lang)  # one writer for all: its caches are met again
        for o in obligations:
            assert line(o) == (json.dumps(o.to_dict(lang), ensure_ascii=False) + "\n").encode()


@settings(max_examples=150, deadline=None)
@given(obligation_lists(), st.sampled_from(["vi", "en"]), st.booleans())
def test_the_report_is_the_bytes_of_the_standard_encoder(obligations: list[Obligation], lang: str, fast: bool) -> None:
    report = report_of(obligations)
    with pytest.MonkeyPatch.context() as patch:
        if not fast:
            patch.setattr(output, "orjson", None)
        assert written(report, lang) == standard_report(report, lang)


@settings(max_examples=100, deadline=None)
@given(obligation_lists(), st.sampled_from(["vi", "en"]))
def test_csv_rows_hold_the_values_of_the_json_output(obligations: list[Obligation], lang: str) -> None:
    """A CSV row is the obligation's JSON values: nothing as an empty cell, the event
    ids joined by ";", the explanation's lines by " | "."""
    expected = io.StringIO()
    writer = csv.DictWriter(expected, fieldnames=output.CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for o in obligations:
        data = o.to_dict(lang)
        row = {k: "" if data[k] is None else data[k] for k in output.CSV_FIELDS}
        writer.writerow(row | {"satisfied_by": ";".join(data["satisfied_by"]), "explanation": " | ".join(data["explanation"])})
    got = io.StringIO()
    output.write_csv(obligations, got, lang)
    assert got.getvalue() == expected.getvalue()
    line = obligation_lines("csv", lang)
    assert b"".join(map(line, obligations)).decode() == expected.getvalue().split("\n", 1)[1]


def test_an_empty_report_keeps_its_empty_list() -> None:
    report = report_of([])
    assert '\n  "obligations": [],\n' in written(report, "vi") == standard_report(report, "vi")


def _lone_surrogate() -> Obligation:
    why = Explanation(Phrase("a", "a"), "b", Phrase("c", "c"), (), Phrase("d", "d"))
    return Obligation("r", "xa-1", None, "upd-\ud800", dt.date(2025, 1, 1), None, Status.OPEN, (), why)


def test_what_orjson_refuses_the_standard_encoder_writes() -> None:
    """A lone surrogate (a JSON escape in the input may give one): the standard
    encoder's text where text is asked, its error where UTF-8 bytes are."""
    report = report_of([_lone_surrogate(), _lone_surrogate()])
    assert written(report, "en") == standard_report(report, "en")
    with pytest.raises(UnicodeEncodeError):
        obligation_lines("jsonl", "en")(_lone_surrogate())


def test_a_real_report_written_to_a_file_is_the_same_bytes(tmp_path: Path) -> None:
    agencies = [
        Agency(id="xa-1", name="UBND xã Phú An", level="commune", province="hue"),
        Agency(id="xa-2", name="UBND xã Phong An", level="commune", province="hue", active_to=dt.date(2025, 6, 30)),
    ]
    events: list[Any] = [
        parse_event({"id": "law-1", "type": "legal_document.effective", "scope": {"level": "commune"},
                     "date": "2025-01-31", "document": "09/2025/TT-BKHCN", "title": "Thông tư sửa đổi"}),
        parse_event({"id": "upd-1", "type": "process.updated", "agency": "xa-1", "date": "2025-05-06",
                     "documents": ["09/2025/TT-BKHCN"], "process": "QT-07"}),
        {"id": "bad", "type": "process.updated", "agency": "xa-1", "date": "2025-13-45"},
    ]
    with Engine("hue-2025", agencies) as engine:
        report = engine.evaluate(events, as_of=dt.date(2025, 12, 31))
    assert report.obligations and report.rejected
    for lang in ("vi", "en"):
        path = tmp_path / f"report-{lang}.json"
        with path.open("w", encoding="utf-8", newline="") as out:  # as hanchot check opens --output
            out.write("")  # text already buffered must come first
            output.write_json(report, out, lang)
        assert path.read_bytes() == standard_report(report, lang).encode("utf-8")
