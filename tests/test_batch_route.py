"""``hanchot batch``'s router: every non-blank line of a file lands once, at its home bucket, whatever the slices."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from array import array
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hanchot.batch import route
from hanchot.batch.plan import Plan
from hanchot.batch.route import run_route, slice_counts, slices
from hanchot.batch.wire import (
    NO_NEWLINE,
    LightSpec,
    RouteResult,
    RouteTask,
    entry_home,
    entry_line,
    light_offset,
    spill_path,
)
from hanchot.inputs import lines as line_module
from hanchot.inputs.lines import common_fields, light_layout
from hanchot.inputs.records import RETRACTION, Agency

AGENCIES = [Agency(id=f"P{p}-C{c}", level="commune", province=f"P{p}") for p in (1, 2) for c in range(3)]
PLAN = Plan.build(AGENCIES, 4)
TYPED = frozenset({"document.issued", "legal_document.effective", RETRACTION})  # as a pack's patterns would name them
LIGHT = LightSpec(TYPED, dt.date(2025, 6, 30), None)

_agency = st.sampled_from([a.id for a in AGENCIES] + ["NOPE"])
_date = st.sampled_from(["2025-01-02", "2025-12-31", "2025-02-30"])  # before and after as of, and not a date


@st.composite
def _line(draw: st.DrawFn) -> str:
    """One line of the shapes the router tells apart (without its line ending)."""
    n = draw(st.integers(0, 9))
    kind = draw(st.sampled_from(["typed", "light", "reordered", "compact", "broadcast", "blank", "bad", "retraction", "odd", "twice", "nested"]))
    agency, date = draw(_agency), draw(_date)
    if kind == "typed":
        return json.dumps({"id": f"t{n}", "type": "document.issued", "agency": agency, "date": date, "kind": "qms_plan"})
    if kind == "light":
        return json.dumps({"id": f"l{n}", "type": "dossier.received", "agency": agency, "date": date, "n": n})
    if kind == "twice":  # a typed head, and a second "type" key: the last counts (a light line if it is light)
        head = json.dumps({"id": f"w{n}", "type": "document.issued", "agency": agency, "date": date})
        return head[:-1] + ', "type": ' + json.dumps(draw(st.sampled_from(["dossier.received", "legal_document.effective"]))) + "}"
    if kind == "nested":  # another object's "type" and "agency" keys, before or after the line's own
        inner = {"id": "x", "type": "document.issued", "agency": draw(_agency)}
        if draw(st.booleans()):  # (the same agency: the router's search for a line's agency may take the first)
            return json.dumps({"id": f"n{n}", "x": inner | {"agency": agency}, "type": "dossier.received", "agency": agency, "date": date})
        return json.dumps({"id": f"n{n}", "type": "dossier.received", "agency": agency, "date": date, "x": inner})
    if kind == "retraction":
        return json.dumps({"id": f"r{n}", "type": RETRACTION, "agency": agency, "date": date, "retracts": f"t{n}"})
    if kind == "reordered":
        return json.dumps({"agency": agency, "id": f"o{n}", "type": "dossier.received", "date": date})
    if kind == "compact":
        return json.dumps({"id": f"c{n}", "type": "document.issued", "agency": agency, "date": date}, separators=(",", ":"))
    if kind == "broadcast":
        return json.dumps({"id": f"b{n}", "type": "legal_document.effective", "scope": {"province": draw(st.sampled_from(["P1", "P2", "P9"]))}, "date": date})
    if kind == "odd":  # near the light shape: nested, escaped, not ASCII, a slow key, not a string
        light = {"id": f"d{n}", "type": "dossier.received", "agency": agency, "date": date}
        odd = draw(st.sampled_from([{"n": [1, {"a": 2}]}, {"x": 'a"b'}, {"x": "Huế"}, {"at": None}, {"scope": None}, {"id": n}, {"type": ""}, {"x": float("nan")}]))
        return json.dumps(light | odd, ensure_ascii=draw(st.booleans()))
    if kind == "blank":
        return draw(st.sampled_from(["", "  ", "\t", "\r"]))
    return draw(st.sampled_from(["not json", "[1, 2]", '{"id": "x", "agency": ']))


def _expected_home(content: bytes) -> tuple[int, ...]:
    """The buckets of a line, home first, as the plan says (0 for a line naming no known agency)."""
    try:
        obj = json.loads(content)
    except ValueError:
        return (0,)
    if not isinstance(obj, dict):
        return (0,)
    if obj.get("agency") in ("", None) and isinstance(obj.get("scope"), dict):
        return PLAN.scope_buckets(obj["scope"]) or (0,)
    return (PLAN.bucket_of.get(obj.get("agency"), 0),)


def _is_light(content: bytes, decoded: bool) -> bool:
    """Whether the router keeps *content* light: *decoded* (msgspec), every line in the common
    shape, ASCII without escapes; else those in the canonical layout."""
    if decoded:
        fields = common_fields(content)
        return (
            fields is not None
            and fields[2] not in TYPED
            and fields[3] in PLAN.bucket_of
            and content.isascii()
            and b"\\" not in content
        )
    m = light_layout(TYPED).match(content)
    if m is None or m.group(3).decode() not in PLAN.bucket_of:
        return False
    try:
        dt.date.fromisoformat(m.group(4).decode())
    except ValueError:
        return False
    return True


def _spilled(spill_dir: str, results: list[RouteResult], bases: list[int]) -> tuple[dict[int, list[tuple[int, bytes, bool, int]]], dict[int, list[tuple[int, bytes]]]]:
    """From the spills: by line number, its raw copies (bucket, bytes, no newline, home);
    by byte offset, its light entries (bucket, id)."""
    raws: dict[int, list[tuple[int, bytes, bool, int]]] = {}
    lights: dict[int, list[tuple[int, bytes]]] = {}
    for result, base in zip(results, bases, strict=True):
        data = Path(spill_path(spill_dir, result.task)).read_bytes()
        for bucket, chunks in result.chunks.items():
            for c in chunks:
                block = data[c.offset : c.offset + c.size]
                lines = block[: c.raw_len].split(b"\n")
                assert lines.pop() == b""
                index = array("q", block[c.raw_len : c.raw_len + c.index_len])
                for raw, entry in zip(lines, index, strict=True):
                    raws.setdefault(base + entry_line(entry), []).append((bucket, raw, bool(entry & NO_NEWLINE), entry_home(entry)))
                ids = block[c.raw_len + c.index_len : c.raw_len + c.index_len + c.ids_len].split(b"\n")
                assert ids.pop() == b""
                refs = array("q", block[c.raw_len + c.index_len + c.ids_len : c.size])
                for event_id, ref in zip(ids, refs, strict=True):
                    lights.setdefault(light_offset(ref), []).append((bucket, event_id))
    return raws, lights


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(_line(), min_size=1, max_size=40),
    crlf=st.booleans(),
    final_newline=st.booleans(),
    slice_bytes=st.integers(1, 600),
    read_bytes=st.integers(1, 12),
    decoded=st.sampled_from([False, True] if line_module._c_head is not None else [False]),
    trial=st.integers(1, 6),
)
def test_every_line_lands_once_at_home(
    lines: list[str], crlf: bool, final_newline: bool, slice_bytes: int, read_bytes: int, decoded: bool, trial: int
) -> None:
    """Whatever the slices, flushes and trial windows, with or without msgspec: each non-blank line is spilled once at home — raw, as it was
    (its NO_NEWLINE mark iff it is the last and has none), or as a light id at its byte offset —
    and a broadcast also to its other buckets; blank lines nowhere; the line count is the file's."""
    ending = "\r\n" if crlf else "\n"
    text = ending.join(lines) + (ending if final_newline else "")
    with tempfile.TemporaryDirectory() as tmp:
        name = str(Path(tmp) / "events.jsonl")
        Path(name).write_bytes(text.encode())
        tasks = [RouteTask(i, name, start, end) for i, (start, end) in enumerate(slices(name, slice_bytes))]
        with (
            mock.patch.object(route, "_FLUSH", read_bytes),
            mock.patch.object(line_module, "_c_head", line_module._c_head if decoded else None),
            mock.patch.object(line_module, "_TRIAL", trial),
        ):
            results = [run_route(t, PLAN, tmp, LIGHT) for t in tasks]
        bases = [sum(r.lines for r in results[:i]) for i in range(len(results))]
        raws, lights = _spilled(tmp, results, bases)
    physical = text.encode().split(b"\n")
    if physical[-1] == b"":
        physical.pop()
    assert sum(r.lines for r in results) == len(physical)
    offset = 0
    for number, content in enumerate(physical, 1):
        last_without = number == len(physical) and not text.endswith("\n")
        buckets = _expected_home(content)
        if not content.strip():
            assert number not in raws and offset not in lights
        elif _is_light(content, decoded):
            assert lights.pop(offset) == [(buckets[0], json.loads(content)["id"].encode())]
            assert number not in raws
        else:
            assert sorted(raws.pop(number)) == sorted((b, content, last_without, buckets[0]) for b in buckets)
        offset += len(content) + 1
    assert not raws and not lights


def test_two_unequal_files_make_equal_slices_for_the_workers() -> None:
    # Cut file by file at 64 MiB, 173 and 150 MB made 4 + 3 slices: on two workers, one routed
    # the seventh alone. Together they make 3 + 3, and no slice is over 64 MiB.
    mb = 1_000_000
    assert slice_counts([173 * mb, 150 * mb], 64 << 20, 2) == [3, 3]
    assert slice_counts([173 * mb, 0, 150 * mb], 64 << 20, 2) == [3, 1, 3]  # a .gz is one task
    assert slice_counts([10 * mb, 20 * mb], 64 << 20, 2) == [1, 1]  # one slice's worth: not cut


@given(
    sizes=st.lists(st.integers(0, 10_000), min_size=1, max_size=6),
    size=st.integers(100, 5_000),
    jobs=st.integers(1, 4),
)
def test_slices_are_a_multiple_of_the_workers_and_as_even_as_can_be(sizes: list[int], size: int, jobs: int) -> None:
    counts = slice_counts(sizes, size, jobs)
    cut = [(total, n) for total, n in zip(sizes, counts, strict=True) if total]
    assert all(n == 1 for total, n in zip(sizes, counts, strict=True) if not total)
    if sum(sizes) <= size:
        assert counts == [1] * len(sizes)
        return
    assert sum(n for _, n in cut) % jobs == 0
    assert all(total / n <= size for total, n in cut)
    # No slice taken from one file and given to another makes the biggest slice smaller.
    biggest = max(total / n for total, n in cut)
    for i, (a, na) in enumerate(cut):
        for j, (b, nb) in enumerate(cut):
            if i != j and na > 1:
                assert max(a / (na - 1), b / (nb + 1)) >= biggest or max(
                    t / n for k, (t, n) in enumerate(cut) if k not in (i, j)
                ) >= biggest
