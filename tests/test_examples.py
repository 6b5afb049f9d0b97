"""The bundled example province: the main job, the what-if and the replay on real-sized data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hanchot.cli import main
from hanchot.engine import Engine
from hanchot.inputs import Event, read_agencies, read_events
from hanchot.replay import nights, replay
from hanchot.rules.loader import load_pack
from hanchot.whatif import compare, compare_packs

EXAMPLE = Path(__file__).parent.parent / "examples" / "hue"
AGENCIES = EXAMPLE / "agencies.csv"
EVENTS = EXAMPLE / "events.jsonl"


@pytest.fixture(scope="module")
def log() -> list[object]:
    """The example events, parsed once."""
    return list(read_events(EVENTS))


def test_main_job_prints_a_table_and_accounts_for_every_line(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's main job: violations exist (exit 1), the table fits 80 columns, 5 lines rejected."""
    code = main(["check", "--pack", "hue-2025", "--agencies", str(AGENCIES), "--events", str(EVENTS),
                 "--as-of", "2025-12-31"])
    table = capsys.readouterr().out
    assert code == 1
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "Violations" in table and "Rejected input lines (5)" in table


def test_main_job_json_input_accounting(capsys: pytest.CaptureFixture[str]) -> None:
    """read = used + ignored + duplicates + rejected over the example log."""
    main(["check", "--pack", "hue-2025", "--agencies", str(AGENCIES), "--events", str(EVENTS),
          "--as-of", "2025-12-31", "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    counts = result["input"]
    assert counts["read"] == sum(1 for line in EVENTS.read_text(encoding="utf-8").splitlines() if line.strip())
    assert counts["read"] == counts["used"] + counts["ignored"] + counts["duplicates"] + counts["rejected"]
    assert counts["rejected"] == len(result["rejected"]) == 5
    assert all(r["file"].endswith("events.jsonl") and r["line"] > 0 and r["field"] for r in result["rejected"])


def test_inclusive_before_on_hue_moves_exactly_the_on_the_day_reports_to_compliance(log: list[object]) -> None:
    """Flipping before_is_inclusive on hue-2025: the violations that disappear are exactly the
    quarterly reports sent on the 22nd/25th itself; none appear; every other difference is a
    due date moving one day later with the same status."""
    agencies = read_agencies(AGENCIES)
    base, other = load_pack("hue-2025"), load_pack("hue-2025", values={"before_is_inclusive": True})
    as_of = dt.date(2025, 12, 31)
    left, (right,) = compare_packs(base, [other], agencies, log, as_of)  # type: ignore[arg-type]
    comparison = compare("base", "inclusive", left, right)
    events = {e.id: e for e in log if isinstance(e, Event)}
    on_the_day = {
        (o.rule, o.agency, o.period)
        for o in left.obligations
        if o.status.value == "met_late" and o.due is not None
        and events[o.satisfied_by[-1]].date == o.due + dt.timedelta(days=1)
    }
    gone = {(d.key[0], d.key[1], d.key[2]) for d in comparison.differences if d.kind == "disappears"}
    assert gone == on_the_day and len(gone) >= 10
    assert all(events[right_o.satisfied_by[-1]].type == "report.submitted"
               for d in comparison.differences if d.kind == "disappears" for right_o in [d.other])
    assert not [d for d in comparison.differences if d.kind in ("appears", "only_base", "only_other")]
    rest = [d for d in comparison.differences if d.kind not in ("disappears",)]
    assert all(d.due_shift == 1 and d.base.status == d.other.status for d in rest)  # type: ignore[union-attr]


def test_replay_of_a_month_equals_separate_known_at_checks(log: list[object]) -> None:
    """A month of nights replayed equals, night by night, check --as-of N --known-at N."""
    agencies = read_agencies(AGENCIES)
    dates = nights(dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    with Engine("hue-2025", agencies) as engine:
        replayed = list(replay(engine, log, dates))  # type: ignore[arg-type]
        for night in replayed[::3] + replayed[-1:]:
            alone = engine.evaluate(log, night.date, known_at=night.date)  # type: ignore[arg-type]
            assert [(o.rule, o.agency, o.period, o.trigger, o.status, o.due) for o in night.obligations] == [
                (o.rule, o.agency, o.period, o.trigger, o.status, o.due) for o in alone.obligations
            ], night.date
    assert sum(n.evaluated_agencies for n in replayed) < len(dates) * len(agencies) / 3
