"""One line recogniser: the same events and the same rejection text, whatever is installed."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path
from unittest import mock

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hanchot.inputs import lines as line_module
from hanchot.inputs.event import Event
from hanchot.inputs.lines import (
    LIGHT_LAYOUT,
    Heads,
    Shared,
    common_day,
    common_fields,
    light_layout,
    parse_line,
    parse_other,
)

ROOT = Path(__file__).resolve().parent.parent

LINES = [
    '{"id": "á", "type": "t", "agency": "A", "date": "2025-01-01"',  # cut short, not ASCII
    '{"id": "á", "type": "t", "agency": "A", "date": "2025-01-01", "n": 123456789012345678901234567890}',
    '{"id": "á", "type": "t", "agency": "A", "date": "2025-01-01", "x": NaN, "y": 1E400}',
    '{"id": "á", "type": "t", "agency": "A", "date": "2025-01-01", "s": "\\ud800"}',
    '{"id": "á", "type": "t", "agency": "A", "date": "2025-01-01", "c": "\x01"}',
    '{"id": "á" "type": "t"}',
    "[1, 2, ",
    # ASCII lines in the common shape, which orjson decodes when installed:
    '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "n": -9223372036854775809}',
    '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "n": 18446744073709551616, "m": 1.5e-7}',
    '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "x": NaN}',
    '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "y": 1E400}',
    ' {"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "k": [1, {"z": null}], "k": true} ',
    '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01", "c": "\x01"}',
    '{"id": "a", "type": "t", "agency": "A", "date": "2025-01-01"} x',
]


def _render(lines: list[str]) -> list[str]:
    return [repr(item) if not hasattr(item, "to_dict") else json.dumps(item.to_dict(), default=str, sort_keys=True)
            for item in (parse_line(x.encode(), "f.jsonl", 1) for x in lines)]


def test_lines_read_the_same_without_optional_packages() -> None:
    """Issue 10: with orjson made unimportable, every event and rejection text is the same."""
    script = (
        "import sys, json; sys.modules['orjson'] = None; sys.modules['msgspec'] = None\n"
        "sys.path[:0] = [sys.argv[1], sys.argv[1] + '/tests']\n"
        "from test_lines import LINES, _render\n"
        "print(json.dumps(_render(LINES)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(ROOT)], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == _render(LINES)


def test_a_line_that_is_not_json_is_worded_by_the_standard_library() -> None:
    """The reason names the standard decoder's message and column."""
    rejection = parse_line(LINES[5].encode(), "f.jsonl", 4)
    assert str(rejection) == "f.jsonl:4: field '(line)': not valid JSON: Expecting ',' delimiter at column 12"


def test_big_integers_stay_integers() -> None:
    """An attribute beyond 64 bits is the integer written, not a rounded float."""
    event = parse_line(LINES[1].encode(), "f.jsonl", 1)
    assert event.attrs["n"] == 123456789012345678901234567890  # type: ignore[union-attr]
    for line, value in ((LINES[7], -9223372036854775809), (LINES[8], 18446744073709551616)):
        event = parse_line(line.encode(), "f.jsonl", 1)
        assert type(event.attrs["n"]) is int and event.attrs["n"] == value  # type: ignore[union-attr]


_ascii = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126, exclude_characters='"\\'), min_size=1, max_size=8)
_scalar = st.one_of(_ascii, st.integers(-(10**6), 10**6), st.booleans(), st.none(), st.floats(allow_nan=False, allow_infinity=False))


_SEPARATORS = [(", ", ": "), (",", ":"), (" , ", " : "), (",\t", ":\t"), (",  ", ":  ")]


@settings(max_examples=200, deadline=None)
@given(
    _ascii, _ascii, _ascii, st.dates().map(lambda d: d.isoformat()),
    st.dictionaries(st.sampled_from(["n", "kind", "p", "id2"]), _scalar), st.sampled_from(_SEPARATORS),
)
def test_the_routers_layout_is_the_common_shape(
    event_id: str, kind: str, agency: str, date: str, attrs: dict[str, object], separators: tuple[str, str]
) -> None:
    """Every line the router takes as light by its layout is recognised by common_fields with the same fields;
    a line of scalar attributes is taken whatever its spacing (json.dumps, JSON.stringify's compact, tabs)."""
    raw = json.dumps({"id": event_id, "type": kind, "agency": agency, "date": date, **attrs}, separators=separators).encode()
    match = LIGHT_LAYOUT.match(raw + b"\n")
    fields = common_fields(raw)
    if match is not None:
        assert fields is not None
        assert (fields[1], fields[2], fields[3], fields[4].isoformat()) == tuple(g.decode() for g in match.groups())
    if all(v is None or isinstance(v, (str, bool, int)) for v in attrs.values()):
        assert match is not None


_json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["id", "type", "agency", "date", "scope", "at", "x"]), inner, max_size=5),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=80), _json_like.map(lambda v: json.dumps(v).encode())))
def test_any_line_gives_an_event_or_a_rejection_never_an_exception(raw: bytes) -> None:
    """Issue 10's fuzz: whatever the bytes, the line is an event or a rejection with a field and reason."""
    item = parse_line(raw, "f.jsonl", 1)
    assert hasattr(item, "reason") or hasattr(item, "attrs")
    if hasattr(item, "reason"):
        assert item.field and item.reason  # type: ignore[union-attr]


_ascii_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _ascii,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_ascii, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(_ascii, _ascii, st.dates().map(lambda d: d.isoformat()), st.dictionaries(st.sampled_from(["n", "k", "x"]), _ascii_json))
def test_the_fast_path_reads_what_the_standard_decoder_reads(event_id: str, agency: str, date: str, attrs: dict[str, object]) -> None:
    """Whichever decoder took the common shape (orjson when installed), the event is json's: same values, same types."""
    raw = json.dumps({"id": event_id, "type": "t", "agency": agency, "date": date, **attrs}).encode()
    fast, reference = parse_line(raw, "f.jsonl", 3), parse_other(raw, "f.jsonl", 3)
    assert repr(fast) == repr(reference)
    assert repr(getattr(fast, "attrs", None)) == repr(getattr(reference, "attrs", None))
    assert [type(v) for v in getattr(fast, "attrs", {}).values()] == [type(v) for v in getattr(reference, "attrs", {}).values()]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["process.updated", "report.submitted", "dossier.received", "process.updated2", "report"]), _ascii)
def test_the_routers_layout_refuses_exactly_the_types_it_is_told(kind: str, event_id: str) -> None:
    """light_layout(never) takes a line of any type but those in *never* (the types some rule names)."""
    raw = json.dumps({"id": event_id, "type": kind, "agency": "A", "date": "2025-01-02", "n": 1}).encode()
    never = {"process.updated", "report.submitted"}
    assert (light_layout(never).match(raw) is None) == (kind in never)
    assert LIGHT_LAYOUT.match(raw) is not None


_day_texts_all = st.sampled_from(["2025-01-31", "2025-02-30", "20250203", "2025-W05-1"])
_NEVER = frozenset({"process.updated"})
_head_value = st.sampled_from([None, "", 'a"b', "Huế", "x\\y", "retracted", "dossier.received", 7, [1], {"p": "B"}]) | st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from(["p", "id"]), inner, max_size=2),
    max_leaves=4,
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["dossier.received", "process.updated"]),
    st.just("2025-01-31") | _day_texts_all,
    st.lists(  # what differs from a light line: a key or two changed or added
        st.tuples(st.sampled_from(["id", "type", "agency", "date", "scope", "at", "recorded_at", "retracts", "n"]), _head_value),
        min_size=1, max_size=2,
    ).map(dict),
    st.booleans(),
    st.sampled_from(_SEPARATORS),
)
@example("dossier.received", "2025-01-31", {"id": ""}, True, _SEPARATORS[0])
@example("dossier.received", "2025-01-31", {"type": ""}, True, _SEPARATORS[0])
@example("dossier.received", "2025-01-31", {"agency": ""}, True, _SEPARATORS[0])
@example("dossier.received", "2025-01-31", {"n": "Huế"}, False, _SEPARATORS[0])
def test_the_router_reads_a_line_light_only_in_the_common_shape(
    kind: str, day: str, changed: dict[str, object], ensure_ascii: bool, separators: tuple[str, str]
) -> None:
    """Heads.read takes a line as light (an id and a real date) only if common_fields reads it, with the same
    id, agency and date text, of a type the rules do not name, ASCII without escapes; with msgspec, every such line;
    otherwise (no id) the agency it gives is the line's. Whichever test it tries first."""
    obj = {"id": "e1", "type": kind, "agency": "A", "date": day, **changed}
    raw = json.dumps(obj, ensure_ascii=ensure_ascii, separators=separators).encode()
    fields = common_fields(raw)
    common = fields is not None and fields[2] not in _NEVER and raw.isascii() and b"\\" not in raw
    for decoded, light_first in itertools.product((False, True) if line_module._c_head is not None else (False,), (False, True)):
        with mock.patch.object(line_module, "_c_head", line_module._c_head if decoded else None):
            heads = Heads(_NEVER)
        heads.light_first = light_first  # the light test first, or typed_agency's
        head = heads.read(raw)
        if head is not None and head[1] and common_day(head[2]) is not None:  # the router refuses a light line's bad date
            assert fields is not None and common
            assert (head[0], head[1], head[2]) == (fields[3], fields[1], obj["date"])
        elif decoded:
            assert not common
        if head is not None:
            assert head[0] == obj["agency"]


_TYPED_NEVER = frozenset({"process.updated", "report.submitted", 'q\\"t'})  # the last: a name whose JSON text is not itself
_head_text = st.sampled_from(["e1", "A", "P00-H02", 'a"b', "x\\y", "Huế", "", 'q"t', 'q\\"t'])
_head_kind = st.sampled_from(["process.updated", "report.submitted", "dossier.received", "process.updated2", "", 'q"t', 'q\\"t'])
_nested = st.dictionaries(st.sampled_from(["type", "agency", "id", "p"]), _head_text | _head_kind | st.integers(), max_size=3)


@st.composite
def _headed_line(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A line near the usual head, and whether its head is plainly the usual one of a type in _TYPED_NEVER:
    keys in any order, nested objects and lists with their own "type" and "agency", escapes, a scope, a date
    or not, other spacing, a second "type" key (the last counts), and a line cut short."""
    obj: dict[str, object] = {"id": draw(_head_text), "type": draw(_head_kind), "agency": draw(_head_text)}
    extras = draw(st.dictionaries(st.sampled_from(["date", "n", "scope", "at", "x"]), _nested | _head_text | st.lists(_nested, max_size=2), max_size=3))
    obj |= extras
    items = list(obj.items())
    usual = draw(st.booleans())  # id, type and agency first, spaced as json.dumps does; else anything
    if not usual:
        items = draw(st.permutations(items))
    separators = (", ", ": ") if usual else draw(st.sampled_from([(", ", ": "), (",", ":"), (" , ", " : ")]))
    ensure_ascii = draw(st.booleans())
    text = json.dumps(dict(items), ensure_ascii=ensure_ascii, separators=separators)
    second = draw(st.sampled_from(["", "", ', "type": "dossier.received"', ', "type": "process.updated"', ', "x": {"type": "t"}']))
    text = text[:-1] + second + "}"
    cut = draw(st.booleans())
    if cut:
        text = text[: draw(st.integers(0, len(text)))]
    plain = (
        usual
        and not cut
        and all(isinstance(v, str) and v.isalnum() and (v.isascii() or not ensure_ascii) for v in (obj["id"], obj["agency"]))
        and obj["type"] in ("process.updated", "report.submitted")
        and '"type"' not in json.dumps(extras, separators=separators) + second
    )
    return text.encode(), plain


@settings(max_examples=400, deadline=None)
@given(_headed_line())
@example((b'{"id": "e1", "type": "process.updated", "agency": "A", "date": "2025-01-31", "type": "dossier.received"}', False))
@example((b'{"id": "e1", "type": "q\\"t", "agency": "A", "date": "2025-01-31"}', False))
@example((b'{"id": "e\\", "type": "process.updated", "agency": "A", "date": "2025-01-31"}', False))
@example((b'{"id": "e1", "x": {"id": "e2", "type": "process.updated", "agency": "B"}, "type": "dossier.received", "agency": "A"}', False))
@example((b'{"id": "e1", "type": "process.updated", "agency": "A\\u0042", "date": "2025-01-31"}', False))
@example((b'{"id": "e1","type":"dossier.received", "x": {"p": "q", "type": "process.updated", "agency": "B"}}', False))
@example((b'{"id": "e1", "type": "process.updated", "agency": "A", "date": "2025-01-31", "n": 1}', True))
def test_a_typed_head_is_read_without_the_decode(line: tuple[bytes, bool]) -> None:
    """Heads.typed_agency names an agency only for a line that is not light, whatever else it holds: a JSON object
    whose (last) type the rules name, the agency its (only) agency key's; and it does for every line plainly in
    the usual layout (id, type, agency first, of a type the rules name, no other "type" key)."""
    raw, plain = line
    heads = Heads(_TYPED_NEVER)
    agency = heads.typed_agency(raw)
    if plain:
        assert agency is not None
    if agency is None:
        return
    try:
        obj = json.loads(raw)
    except ValueError:
        return  # not JSON: not light (the partition rejects it), the agency only a hint
    assert obj["type"] in _TYPED_NEVER
    assert agency == obj["agency"]
    if line_module._c_head is not None:  # not light by the decode either (None: a key missing, not a string)
        assert heads.decoded(raw) in (None, (agency, "", "", 0))


_day_texts = st.sampled_from(["2025-01-31", "2025-02-30", "2025-2-03", "20250203", "2025-W05-1", "2024-02-29"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "2025-01-31"]), st.sampled_from(["t", "2025-01-31", "A"]), _day_texts), min_size=1, max_size=8))
def test_a_reader_sharing_values_reads_each_line_as_alone(rows: list[tuple[str, str, str]]) -> None:
    """Lines read through one Shared memo (a reader's dates and names) give the events each line
    gives alone, dates refused alike, even when a type or agency is written like a date;
    equal dates and names are then one object."""
    shared = Shared()
    events = []
    for n, (kind, agency, day) in enumerate(rows):
        raw = json.dumps({"id": f"e{n}", "type": kind, "agency": agency, "date": day, "k": 1}).encode()
        alone = common_fields(raw)
        together = common_fields(raw, shared=shared)
        assert (alone is None) == (together is None)
        if together is not None and alone is not None:
            assert together == alone
            events.append(Event.owning(together, ("f.jsonl", n + 1)))
            assert repr(events[-1]) == repr(parse_other(raw, "f.jsonl", n + 1))
    for a in events:
        for b in events:
            assert (a.date is b.date) == (a.date == b.date)
            assert (a.type is b.type) == (a.type == b.type)
