"""Hostile inputs never give a traceback: every reader either reads or says why, and no line is lost.

Fuzzed with hypothesis: the event line parser (and, through an engine, the
input accounting), the agency reader, the rule pack loader and the calendar
override reader. Each may refuse its input only with hanchot's own error
(``HanchotError``, a ``ValueError``), which the command line turns into a
one-line message and exit code 2.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hanchot.calendar.overrides import parse_overrides
from hanchot.engine import Engine
from hanchot.errors import CalendarError, HanchotError, InputError
from hanchot.inputs import Agency, Event, Rejection, read_agencies, read_events
from hanchot.inputs.lines import parse_line
from hanchot.obligations.model import InputCounts
from hanchot.rules.loader import load_pack

AGENCIES = [Agency(id="c1", level="commune", province="hue"), Agency(id="d1", level="department", province="hue")]
# HANCHOT_FUZZ_EXAMPLES=5000 for a longer hunt than the suite's.
_FUZZ = settings(max_examples=int(os.environ.get("HANCHOT_FUZZ_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def accounted(counts: InputCounts) -> int:
    """The right-hand side of the accounting identity: every line read is in exactly one of these."""
    return counts.used + counts.ignored + counts.duplicates + counts.conflicts + counts.rejected


# -- events ------------------------------------------------------------------------------------

_TYPES = [
    "process.updated", "internal_audit.completed", "report.submitted", "event.retracted", "qms.announced",
    "legal_document.effective", "dossier.received", "",
]
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 2030), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "2025-Q1", "2025-Q5", "2025", "quarterly", "weekly", "2025-02-30", "01/05/2025", "e1", "c1", "x"]),
    st.text(max_size=6),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6)
_KEYS = st.sampled_from(
    ["id", "type", "agency", "scope", "date", "at", "recorded_at", "retracts", "nonconformities", "e_workflow_updated",
     "period", "report", "documents", "document", "x"]
)


@st.composite
def event_objects(draw: st.DrawFn) -> dict[str, Any]:
    """A mostly valid event, some of whose keys hold any value."""
    obj: dict[str, Any] = {
        "id": draw(st.sampled_from(["e1", "e2", "e3"])),
        "type": draw(st.sampled_from(_TYPES)),
        "agency": draw(st.sampled_from(["c1", "d1", "nobody"])),
        "date": draw(st.sampled_from(["2025-03-01", "2025-07-15", "2026-01-10"])),
    }
    if obj["type"] == "event.retracted":
        obj["retracts"] = draw(st.sampled_from(["e1", "e2", "e9"]))
    obj.update(draw(st.dictionaries(_KEYS, _VALUES, max_size=3)))
    return obj


def _line(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


_LINES = st.one_of(
    event_objects().map(_line),
    st.binary(max_size=40).filter(lambda b: not b.isspace() and b"\n" not in b and b"\r" not in b),
    st.text(max_size=30).map(lambda t: t.encode("utf-8")).filter(lambda b: b.strip() and b"\n" not in b and b"\r" not in b),
    _VALUES.map(_line),
)


@_FUZZ
@given(raw=_LINES)
def test_a_line_gives_an_event_or_a_rejection(raw: bytes) -> None:
    """Any non-blank line parses to exactly one Event or Rejection, never an exception."""
    item = parse_line(raw, "fuzz.jsonl", 1)
    assert isinstance(item, (Event, Rejection))
    if isinstance(item, Rejection):
        assert item.file == "fuzz.jsonl" and item.line == 1 and item.field and item.reason


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    """One engine for the module: each evaluate() is independent of the others."""
    with Engine("hue-2025", AGENCIES) as shared:
        yield shared


@_FUZZ
@given(lines=st.lists(_LINES, max_size=12), as_of=st.sampled_from(["2025-06-30", "2026-12-31"]))
def test_every_line_read_is_accounted_for(tmp_path_factory: Any, engine: Engine, lines: list[bytes], as_of: str) -> None:
    """A file of hostile lines: read = used + ignored + duplicates + rejected, and read = non-blank lines."""
    path = tmp_path_factory.mktemp("fuzz") / "events.jsonl"
    data = b"\n".join(lines) + b"\n"
    path.write_bytes(data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):  # UTF-16/32: the file is refused whole
        with pytest.raises(InputError, match="byte order mark"):
            engine.evaluate(read_events(path), dt.date.fromisoformat(as_of))
        return
    report = engine.evaluate(read_events(path), dt.date.fromisoformat(as_of))
    counts = report.input
    assert counts.read == sum(1 for line in lines if not (line + b"\n").isspace())
    assert counts.read == accounted(counts)
    assert counts.rejected == len(report.rejected)


# -- agencies ----------------------------------------------------------------------------------

_AGENCY_FIELDS = ["id", "name", "level", "parent", "province", "active_from", "active_to", "successor", "tags", "x"]
_AGENCY_VALUES = st.one_of(
    st.sampled_from(["a", "b", "c", "commune", "province", "2025-01-01", "2025-02-30", "2025-13-01", "", "a;b"]),
    st.text(max_size=5),
    st.integers(-1, 3),
)


@_FUZZ
@given(
    rows=st.lists(st.dictionaries(st.sampled_from(_AGENCY_FIELDS), _AGENCY_VALUES, max_size=6), max_size=5),
    as_yaml=st.booleans(),
)
def test_agency_files_read_or_refuse_with_a_reason(tmp_path_factory: Any, rows: list[dict[str, Any]], as_yaml: bool) -> None:
    """A hostile agency file (CSV or YAML) is read, or refused with an InputError naming the file."""
    folder = tmp_path_factory.mktemp("agencies")
    if as_yaml:
        path = folder / "agencies.yaml"
        # Dates unquoted, as a person writes them: YAML reads 2025-02-30 as an impossible date.
        path.write_text(yaml.safe_dump(rows, allow_unicode=True).replace("'", ""), encoding="utf-8")
    else:
        path = folder / "agencies.csv"
        header = sorted({k for row in rows for k in row}) or ["id"]
        lines = [",".join(header)] + [",".join(str(row.get(h, "")).replace(",", " ") for h in header) for row in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        agencies = read_agencies(path)
    except HanchotError as exc:
        assert str(path) in str(exc)
    else:
        assert agencies and all(isinstance(a, Agency) for a in agencies)


@_FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("- :{}[]&*!|>'\"#,\n abc12")), max_size=60))
def test_agency_yaml_text_never_crashes(tmp_path_factory: Any, text: str) -> None:
    """Any text in an agency YAML file: agencies, or an InputError."""
    _read_or_refuse(tmp_path_factory.mktemp("agencies") / "agencies.yaml", text, read_agencies)


# -- rule packs --------------------------------------------------------------------------------

_PACK = yaml.safe_load((Path(__file__).parent / "data" / "packs" / "engine-test.yaml").read_text(encoding="utf-8"))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_paths(v, (*prefix, i)))
    return out


_PACK_PATHS = _paths(_PACK)[1:]
_PACK_VALUES = st.one_of(
    _VALUES,
    st.sampled_from(["100000 years", "3 months", "-1 days", "2025-02-30", "${nope}", "every", "within", "x" * 300]),
)


def _set(node: Any, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


@_FUZZ
@given(changes=st.lists(st.tuples(st.sampled_from(_PACK_PATHS), _PACK_VALUES), min_size=1, max_size=3))
def test_a_mutated_pack_loads_or_is_refused_with_a_reason(tmp_path_factory: Any, changes: list[tuple[Any, Any]]) -> None:
    """A pack with any field replaced by any value loads, or is refused with a RulePackError (never a crash)."""
    pack = copy.deepcopy(_PACK)
    for path, value in changes:
        try:
            _set(pack, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the path
    file = tmp_path_factory.mktemp("packs") / "fuzz.yaml"
    file.write_text(yaml.safe_dump(pack, allow_unicode=True, sort_keys=False).replace("'", ""), encoding="utf-8")
    try:
        loaded = load_pack(file)
    except HanchotError:
        return
    with Engine(loaded, AGENCIES) as engine:
        report = engine.evaluate([], dt.date(2025, 12, 31))
    assert report.input.read == 0


@_FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("- :{}[]&*!|>'\"#,\n idrulesk12")), max_size=80))
def test_pack_yaml_text_never_crashes(tmp_path_factory: Any, text: str) -> None:
    """Any text as a pack file: a pack, or a HanchotError."""
    _read_or_refuse(tmp_path_factory.mktemp("packs") / "fuzz.yaml", text, load_pack)


def _read_or_refuse(path: Path, text: str, read: Callable[[Path], object]) -> None:
    """*text* written to *path* is read by *read*, or refused with a HanchotError (any other error fails)."""
    path.write_text(text, encoding="utf-8")
    try:
        read(path)
    except HanchotError:
        pass


# -- calendar overrides ------------------------------------------------------------------------

_OVERRIDE_CELLS = st.one_of(
    st.sampled_from(["2026-01-02", "2026-01-02", "2026-02-30", "20260102", "off", "working", "OFF", "x", "", "#"]),
    st.text(max_size=5),
)


@_FUZZ
@given(rows=st.lists(st.lists(_OVERRIDE_CELLS, min_size=0, max_size=6), max_size=5), header=st.booleans())
def test_override_files_read_or_refuse_with_a_reason(rows: list[list[str]], header: bool) -> None:
    """Any override CSV: overrides with distinct dates, or a CalendarError naming the file."""
    lines = (["date,status,name_vi,name_en,source"] if header else []) + [",".join(r) for r in rows]
    try:
        overrides = parse_overrides("\n".join(lines), "fuzz.csv")
    except CalendarError as exc:
        assert str(exc).startswith("fuzz.csv")
    else:
        days = [o.date for o in overrides]
        assert len(days) == len(set(days))
