"""Idle events: a fulfilment that can correlate with no trigger is kept light by the batch,
counted as ``hanchot check`` counts it, and changes no result."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from builders import TEST_PACK, d
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hanchot.batch import BatchOptions, run_batch
from hanchot.batch.partition import idle_of
from hanchot.cli import main
from hanchot.engine import Engine
from hanchot.idle import IDLE_UNBOUND, IDLE_USED, NO_ROLE
from hanchot.inputs import lines as line_module
from hanchot.inputs import read_agencies
from hanchot.inputs.lines import Heads, common_fields
from hanchot.obligations.within import idle_by
from hanchot.rules.loader import load_pack
from hanchot.rules.model import WithinRule

AGENCIES = """id,name,level,parent,province,active_from,active_to,successor,tags
P1,P1,province,,P1,,,,
P1-S0,DOST 1,department,P1,P1,,,,dost
P1-C1,C1,commune,,P1,,,,
P1-C2,C2,commune,,P1,,,,
P2,P2,province,,P2,,,,
P2-C1,C1,commune,,P2,,,,
"""
ROOT = Path(__file__).resolve().parent.parent
COMMUNES_AND_DEPARTMENTS = frozenset({"P1-S0", "P1-C1", "P1-C2", "P2-C1"})


def _agencies(tmp_path: Path) -> Path:
    path = tmp_path / "agencies.csv"
    path.write_text(AGENCIES, encoding="utf-8")
    return path


def test_the_idle_types_are_the_fulfilments_correlated_with_a_single_value(tmp_path: Path) -> None:
    """The test pack's ``legal-update`` ("correlate: [{trigger: document, fulfilment: documents}]",
    binding communes and departments) and ``corrective-action`` ("correlate: [{trigger: id,
    fulfilment: audit}]", binding all): a revision naming no document, a corrective action naming
    no audit, meets no duty. The router's table is the engines' own."""
    agencies = read_agencies(_agencies(tmp_path))
    with Engine(TEST_PACK, agencies) as engine:
        idle = engine.bindings.idle
    assert idle == {
        "corrective_action.completed": ("audit", frozenset(a.id for a in agencies)),
        "process.updated": ("documents", COMMUNES_AND_DEPARTMENTS),
    }
    assert idle_of(load_pack(TEST_PACK), agencies) == idle


def test_a_trigger_or_a_list_valued_trigger_attribute_is_never_idle() -> None:
    """Only a list equals an empty list: when the trigger's attribute may be a list (the
    vocabulary does not type it), or the role is the trigger, nothing is idle."""
    rule = next(r for r in load_pack(TEST_PACK).rules if r.id == "legal-update")
    assert isinstance(rule, WithinRule)
    assert idle_by(rule, "fulfilment") == {"documents"}
    assert idle_by(rule, "trigger") == frozenset()
    untyped = rule.model_copy(update={"correlate": [rule.correlate[0].model_copy(update={"trigger": "title2"})]})
    assert idle_by(untyped, "fulfilment") == frozenset()


# -- the router reads an idle line as check would ----------------------------------------

_IDLE = {"process.updated": ("documents", frozenset({"A"}))}
_value = st.sampled_from([None, "", [], ["L1"], [""], "L1", 7, True, "yes", [[]], {"k": []}])


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["process.updated", "report.submitted", "dossier.received"]),
    st.sampled_from(["A", "B"]),
    st.dictionaries(st.sampled_from(["documents", "e_workflow_updated", "process", "n"]), _value, max_size=3),
    st.booleans(),
)
@example("process.updated", "A", {"documents": ["L1"]}, True)  # a second "documents" key: the last counts
@example("process.updated", "A", {"documents": "x\\y"}, False)
def test_the_router_takes_a_line_as_idle_exactly_when_check_would_find_it_idle(
    event_type: str, agency: str, attrs: dict[str, Any], repeat: bool
) -> None:
    """Heads reads a line as idle (light, of kind IDLE_USED for an agency the rule binds, else
    IDLE_UNBOUND) only if it is in the common shape with its attributes as the vocabulary
    types them, and the attribute the type is idle by holds nothing; and, with msgspec, it
    reads every such line so, but one that also holds the text of that attribute holding a
    string when the text searches come first (then typed: the partition finds it idle)."""
    obj = {"id": "e1", "type": event_type, "agency": agency, "date": "2025-01-31", **attrs}
    text = json.dumps(obj)
    if repeat:
        text = text[:-1] + ', "documents": []}'
    raw = text.encode()
    fields = common_fields(raw)
    expected = None
    if fields is not None and event_type == "process.updated" and b"\\" not in raw:
        documents = fields[0].get("documents")
        if documents is None or documents == []:
            expected = IDLE_USED if agency == "A" else IDLE_UNBOUND
    heads = Heads({"process.updated", "report.submitted"}, _IDLE)
    with_msgspec = line_module._c_head is not None  # without it, the partitions find every idle line
    for light_first in (True, False):
        heads.light_first = light_first
        head = heads.read(raw)
        if head is not None and head[1]:
            assert head[3] == (NO_ROLE if expected is None else expected)
            assert expected is not None or event_type == "dossier.received"
        if expected is not None and with_msgspec and (light_first or b'"documents": ["' not in raw):
            assert head == (agency, "e1", "2025-01-31", expected)


# -- the batch equals check --------------------------------------------------------------

_ids = st.sampled_from(["u1", "u2", "u3", "a1", "x"])


@st.composite
def _rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Revisions naming a document or none, audits and corrective actions naming one or none,
    under ids that collide, with retractions, broadcasts and late or mistyped lines."""
    rows: list[dict[str, Any]] = [
        {"id": "L1", "type": "legal_document.effective", "scope": {"level": "commune"}, "date": "2025-02-01", "document": "L1"},
        {"id": "L2", "type": "legal_document.effective", "agency": "P1-S0", "date": "2025-03-01", "document": "L2"},
    ]
    agency = st.sampled_from(["P1", "P1-S0", "P1-C1", "P1-C2", "P2-C1"])
    day = st.sampled_from(["2025-02-10", "2025-04-01", "2025-06-30", "2026-03-01"])
    nothing = st.sampled_from([[], None, "absent"])
    for _ in range(draw(st.integers(1, 14))):
        kind = draw(st.sampled_from(["process.updated", "process.updated", "corrective_action.completed", "internal_audit.completed", "event.retracted"]))
        row: dict[str, Any] = {"id": draw(_ids), "type": kind, "agency": draw(agency), "date": draw(day)}
        if kind == "process.updated":
            documents = draw(nothing | st.sampled_from([["L1"], ["L2", "L1"], ["L9"]]))
            if documents != "absent":
                row["documents"] = documents
            row["e_workflow_updated"] = draw(st.sampled_from([True, False, "yes"]))
        elif kind == "corrective_action.completed":
            audit = draw(nothing | _ids)
            if audit != "absent":
                row["audit"] = audit
        elif kind == "internal_audit.completed":
            row["nonconformities"] = draw(st.integers(0, 2))
        else:
            row["retracts"] = draw(_ids)
        if draw(st.integers(0, 5)) == 0:
            row["recorded_at"] = draw(day)
        rows.append(row)
    return rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_rows(), st.sampled_from([None, "2025-05-01"]), st.booleans())
@example(
    [
        {"id": "u2", "type": "process.updated", "agency": "P1", "date": "2025-02-10", "documents": []},
        {"id": "u3", "type": "process.updated", "agency": "P1-C2", "date": "2025-04-01", "documents": None},
        {"id": "a1", "type": "corrective_action.completed", "agency": "P2-C1", "date": "2025-06-30"},
        {"id": "x", "type": "event.retracted", "agency": "P2-C1", "date": "2025-07-01", "retracts": "a1"},
    ],
    "2025-05-01",
    True,
)
@example(
    [
        {"id": "u1", "type": "process.updated", "agency": "P1-C1", "date": "2025-02-10", "documents": []},
        {"id": "u1", "type": "process.updated", "agency": "P1-C1", "date": "2025-02-10", "documents": ["L1"]},
        {"id": "u2", "type": "process.updated", "agency": "P1", "date": "2025-02-10", "documents": []},
        {"id": "u3", "type": "process.updated", "agency": "P1-C2", "date": "2025-04-01"},
        {"id": "x", "type": "event.retracted", "agency": "P2-C1", "date": "2025-04-01", "retracts": "u3"},
        {"id": "a1", "type": "corrective_action.completed", "agency": "P1-C2", "date": "2026-03-01", "audit": None},
    ],
    None,
    False,
)
def test_the_batch_keeping_idle_events_light_equals_check(
    tmp_path: Path, rows: list[dict[str, Any]], known_at: str | None, compressed: bool
) -> None:
    """Obligations, accounting (idle events used where a rule binds their agency), rejections
    and conflicts: as check, with every agency in its own partition; idle events found by the
    router, or by the partitions (a compressed file is not read by the router's light path)."""
    tmp_path = Path(tempfile.mkdtemp(dir=tmp_path))  # hypothesis runs every example in one test's directory
    out = tmp_path / "batch"
    agencies = _agencies(tmp_path)
    text = "".join(json.dumps(r) + "\n" for r in rows).encode()
    events = tmp_path / ("events.jsonl.gz" if compressed else "events.jsonl")
    events.write_bytes(gzip.compress(text) if compressed else text)
    report = tmp_path / "check.json"
    argv = ["check", "--pack", str(TEST_PACK), "--agencies", str(agencies), "--events", str(events), "--as-of", "2025-12-31",
            "--format", "json", "--output", str(report)]
    main(argv + (["--known-at", known_at] if known_at else []))
    expected = json.loads(report.read_text(encoding="utf-8"))
    result = run_batch(BatchOptions(pack=str(TEST_PACK), agencies=agencies, events=[events], as_of=d("2025-12-31"),
                                    known_at=dt.date.fromisoformat(known_at) if known_at else None,
                                    output=out, jobs=1, progress=False, partition_bytes=1))
    got = [json.loads(x) for x in (out / "obligations.jsonl").read_text(encoding="utf-8").splitlines()]
    assert got == expected["obligations"]
    assert [json.loads(x) for x in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()] == expected["rejected"]
    assert {k: v for k, v in result.summary["input"].items() if k != "lines"} == expected["input"]
    assert result.summary["conflicts"] == expected["conflicts"]


def test_a_qms_log_gives_the_same_results_whether_its_revisions_are_idle_or_not(tmp_path: Path) -> None:
    """The benchmark's two QMS logs (``generate.py --shape qms``, and ``--named``, where every
    revision names a law) hold the same duties: the batch gives the same obligations and the
    same accounting, keeping light the revisions that name none, and no line of the other."""
    outputs = []
    for flags in ((), ("--named",)):
        data = tmp_path / ("named" if flags else "idle")
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--shape", "qms", "--out", str(data),
             "--agencies", "60", "--events", "6000", *flags],
            check=True, capture_output=True,
        )
        out = tmp_path / f"out-{data.name}"
        assert main(["batch", "--pack", "hue-2025", "--agencies", str(data / "agencies.csv"), "--events", str(data / "events"),
                     "--as-of", "2026-01-31", "--output", str(out), "--quiet", "--jobs", "2"]) == 1
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        outputs.append(((out / "obligations.jsonl").read_bytes(), summary["input"], summary["work"]["light_events"]))
    (idle_obligations, idle_input, idle_light), (named_obligations, named_input, named_light) = outputs
    assert idle_obligations == named_obligations and idle_input == named_input
    assert idle_light > idle_input["read"] // 2 and named_light == 0
