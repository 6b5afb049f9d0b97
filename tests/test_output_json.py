"""The JSON report is the same bytes whichever encoder wrote it.

``hanchot check --format json`` promised ``json.dump(..., ensure_ascii=False,
indent=2)`` output; orjson, when installed, encodes it in C. These tests hold
the two to the same bytes on what a report contains (Vietnamese text, control
characters, nulls, nested lists and mappings) and on a real report.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hanchot import output
from hanchot.engine import Engine
from hanchot.inputs import Agency, parse_event

orjson_present = pytest.mark.skipif(output.orjson is None, reason="orjson is not installed")


def stdlib(data: Any) -> str:
    """What ``hanchot check`` wrote before orjson: the reference bytes."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def dumped(data: Any) -> str:
    buf = io.StringIO()
    output.dump_json(data, buf)
    return buf.getvalue()


# Text a report carries: Vietnamese with its combining marks, quotes, backslashes,
# control characters (escaped), U+2028 and DEL (not escaped by either), emoji.
texts = st.text(
    alphabet=st.one_of(
        st.sampled_from("ạảãắằẳẵặấầẩẫậđĐơưƠƯ\u0301\u0303\"\\/\n\t\r\b\f\x00\x1f\x7f\u2028\u2029😀 "),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=30,
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), texts)
report_like = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=25,
)


@orjson_present
@settings(max_examples=300, deadline=None)
@given(report_like)
def test_orjson_writes_the_bytes_of_the_standard_encoder(data: Any) -> None:
    assert dumped(data) == stdlib(data)


def test_without_orjson_the_standard_encoder_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    data = {"basis": "19/2014/QĐ-TTg, Điều 4", "period": None, "satisfied_by": [], "nested": [[1, {"a": []}], {}]}
    monkeypatch.setattr(output, "orjson", None)
    assert dumped(data) == stdlib(data)


@orjson_present
@pytest.mark.parametrize("odd", ["\ud800 lone surrogate", 2**64, {1: "integer key"}])
def test_what_orjson_refuses_the_standard_encoder_writes(odd: Any) -> None:
    data = {"value": odd}
    with pytest.raises(TypeError):
        output.orjson.dumps(data)
    assert dumped(data) == stdlib(data)


def _report_dict(lang: str) -> dict[str, Any]:
    agencies = [
        Agency(id="xa-1", name="UBND xã Phú An", level="commune", province="hue"),
        Agency(id="xa-2", name="UBND xã Phong An", level="commune", province="hue", active_to=dt.date(2025, 6, 30)),
    ]
    events = [
        parse_event({"id": "law-1", "type": "legal_document.effective", "scope": {"level": "commune"},
                     "date": "2025-01-31", "document": "09/2025/TT-BKHCN", "title": "Thông tư sửa đổi"}),
        parse_event({"id": "upd-1", "type": "process.updated", "agency": "xa-1", "date": "2025-05-06",
                     "documents": ["09/2025/TT-BKHCN"], "process": "QT-07"}),
        parse_event({"id": "rep-1", "type": "report.submitted", "agency": "xa-1", "date": "2025-03-20",
                     "report": "quarterly", "period": "Quý I/2025"}),
        {"id": "bad", "type": "process.updated", "agency": "xa-1", "date": "2025-13-45"},
    ]
    with Engine("hue-2025", agencies) as engine:
        return engine.evaluate(events, as_of=dt.date(2025, 12, 31)).to_dict(lang)


@orjson_present
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_real_report_is_the_same_bytes_either_way(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _report_dict(lang)
    # The report has what the check needs: Vietnamese explanations, nulls, empty and nested lists.
    assert data["obligations"] and data["rejected"]
    assert any(o["period"] is None for o in data["obligations"])
    assert any(o["satisfied_by"] == [] for o in data["obligations"])
    basis = "Căn cứ: " if lang == "vi" else "Basis: "
    assert all(o["explanation"][1].startswith(basis) for o in data["obligations"])
    fast = dumped(data)
    monkeypatch.setattr(output, "orjson", None)
    assert fast == dumped(data) == stdlib(data)


@orjson_present
def test_a_report_written_to_a_file_is_the_same_bytes(tmp_path: Any) -> None:
    data = _report_dict("vi")
    path = tmp_path / "report.json"
    with path.open("w", encoding="utf-8", newline="") as out:  # as hanchot check opens --output
        out.write("")  # text already buffered must come first
        output.dump_json(data, out)
    assert path.read_bytes() == stdlib(data).encode("utf-8")
