"""Policy testing: what-if comparisons and sweeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import TEST_PACK, agency, d, event

from hanchot.cli import main
from hanchot.errors import UnknownNameError
from hanchot.rules.changes import parse_change, variant
from hanchot.rules.loader import load_pack
from hanchot.whatif import compare, compare_packs

AGENCIES = [agency("c1"), agency("d1", "department")]


def _write_inputs(tmp_path: Path) -> tuple[Path, Path]:
    agencies = tmp_path / "agencies.csv"
    agencies.write_text(
        "id,name,level,parent,province,active_from,active_to,successor,tags\n"
        "c1,Xã 1,commune,,p,,,,\nd1,Sở 1,department,,p,,,,\n",
        encoding="utf-8",
    )
    events = tmp_path / "events.jsonl"
    lines = [
        {"id": "on-day", "type": "report.submitted", "agency": "c1", "date": "2025-03-22", "report": "quarterly", "period": "2025-Q1"},
        {"id": "early", "type": "report.submitted", "agency": "c1", "date": "2025-06-20", "report": "quarterly", "period": "2025-Q2"},
        {"id": "law", "type": "legal_document.effective", "agency": "c1", "date": "2025-01-31", "document": "X"},
        {"id": "fix", "type": "process.updated", "agency": "c1", "date": "2025-03-20", "documents": ["X"]},
    ]
    events.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return agencies, events


def test_inclusive_before_turns_only_the_on_the_day_report_into_compliance() -> None:
    """Flipping before_is_inclusive moves a report sent on the 22nd from late to met, and nothing else."""
    events = [
        event("report.submitted", "2025-03-22", id="on-day", report="quarterly", period="2025-Q1"),
        event("report.submitted", "2025-06-20", id="early", report="quarterly", period="2025-Q2"),
        event("document.issued", "2025-04-10", kind="qms_plan"),
    ]
    base = load_pack(TEST_PACK)
    other = variant(str(TEST_PACK), [parse_change("before_is_inclusive=true", base)])
    left, (right,) = compare_packs(base, [other], AGENCIES, events, d("2025-07-01"))
    comparison = compare("base", "inclusive", left, right)
    assert [(x.kind, x.key[0], x.key[2]) for x in comparison.differences if x.kind in ("appears", "disappears")] == [
        ("disappears", "quarterly-report", "2025-Q1")
    ]
    assert all(x.due_shift == 1 for x in comparison.differences)
    assert not [x for x in comparison.differences if x.kind in ("only_base", "only_other")]


def test_a_change_that_alters_nothing_says_so_with_the_count_tried() -> None:
    """A what-if with no effect is stated plainly, with how many obligations it was tried on."""
    base = load_pack(TEST_PACK)
    same = variant(str(TEST_PACK), [parse_change("update_window=3 months", base)])
    left, (right,) = compare_packs(base, [same], AGENCIES, [], d("2025-07-01"))
    comparison = compare("base", "same", left, right)
    assert comparison.unchanged
    assert comparison.verdict() == f"This change affects no obligation in the data (tried on {comparison.tried} obligations)."
    assert comparison.tried == len(left.obligations) > 0


def test_rule_field_change_moves_due_dates_by_the_right_number_of_days() -> None:
    """legal-update.within=45 days: due 17/03/2025 instead of 05/05/2025 (49 days earlier)."""
    base = load_pack(TEST_PACK)
    law = event("legal_document.effective", "2025-01-31", document="X")
    shorter = variant(str(TEST_PACK), [parse_change("legal-update.within=45 days", base)])
    left, (right,) = compare_packs(base, [shorter], AGENCIES, [law], d("2025-12-31"))
    (moved,) = [x for x in compare("a", "b", left, right).differences if x.key[0] == "legal-update"]
    assert (moved.due_shift, moved.other.due) == (-49, d("2025-03-17"))  # type: ignore[union-attr]


def test_setting_an_unused_or_unknown_parameter_is_an_error_listing_the_parameters(tmp_path: Path) -> None:
    """--set on a parameter no rule uses names it and the pack's parameters."""
    pack = tmp_path / "p.yaml"
    pack.write_text(
        TEST_PACK.read_text(encoding="utf-8").replace(
            "parameters:\n", "parameters:\n  unused:\n    default: 1\n    note: nothing uses it\n"
        ),
        encoding="utf-8",
    )
    loaded = load_pack(pack)
    with pytest.raises(UnknownNameError, match=r"'unused' is used by no rule.*before_is_inclusive.*update_window"):
        parse_change("unused=2", loaded)
    with pytest.raises(UnknownNameError, match="before_is_inclusive"):
        parse_change("before_is_inclusve=true", loaded)


def test_whatif_cli_json_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The command writes the comparison as JSON, and a self-contained HTML page."""
    agencies, events = _write_inputs(tmp_path)
    args = ["whatif", "--pack", str(TEST_PACK), "--set", "before_is_inclusive=true", "--agencies", str(agencies),
            "--events", str(events), "--as-of", "2025-07-01"]
    assert main([*args, "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["counts"]["disappears"] == 1 and result["differences"][0]["base"]["explanation"]
    page = tmp_path / "out.html"
    assert main([*args, "--format", "html", "--output", str(page)]) == 0
    assert "<table>" in page.read_text(encoding="utf-8")


def test_sweep_gives_violations_per_value_and_a_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--sweep runs once per value: moving the report day later never adds violations."""
    agencies, events = _write_inputs(tmp_path)
    args = ["whatif", "--pack", str(TEST_PACK), "--sweep", "quarterly-report.due.day=20,22,25",
            "--agencies", str(agencies), "--events", str(events), "--as-of", "2025-07-01"]
    assert main([*args, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    counts = [r["violations"] for r in rows]
    assert [r["value"] for r in rows] == [20, 22, 25] and counts == sorted(counts, reverse=True)
    assert main([*args, "--format", "html", "--output", str(tmp_path / "s.html")]) == 0
    assert "<svg" in (tmp_path / "s.html").read_text(encoding="utf-8")


def test_unused_parameter_on_the_command_line_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A --set naming nothing is a one-line usage error."""
    agencies, events = _write_inputs(tmp_path)
    code = main(["whatif", "--pack", str(TEST_PACK), "--set", "nope=1", "--agencies", str(agencies),
                 "--events", str(events), "--as-of", "2025-07-01"])
    assert code == 2 and "nope" in capsys.readouterr().err
