"""Replay of what was known, night by night."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest
from builders import TEST_PACK, d
from test_engine_properties import AGENCIES

from hanchot.cli import main
from hanchot.engine import Engine
from hanchot.inputs import Event, parse_event
from hanchot.replay import nights, replay, timeline

KINDS: list[tuple[str, dict[str, Any]]] = [
    ("internal_audit.completed", {"nonconformities": 1}),
    ("report.submitted", {"report": "quarterly", "period": "2025-Q1"}),
    ("report.submitted", {"report": "quarterly", "period": "2025-Q2"}),
    ("legal_document.effective", {"document": "D"}),
    ("process.updated", {"documents": ["D"]}),
    ("document.issued", {"kind": "qms_plan"}),
    ("corrective_action.completed", {"audit": "e3"}),
]


def _log(seed: int, size: int = 200) -> list[Event]:
    """A log whose events are often recorded days or weeks after they happened."""
    rnd = random.Random(seed)
    raw = []
    for i in range(size):
        kind, attrs = rnd.choice(KINDS)
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rnd.randrange(210))
        recorded = day + dt.timedelta(days=rnd.choice([0, 0, 0, 2, 9, 30]))
        raw.append({"id": f"e{i}", "type": kind, "agency": rnd.choice(["c1", "c2", "d1", "d2"]),
                    "date": day.isoformat(), "recorded_at": recorded.isoformat(), **attrs})
    raw.append({"id": "undo", "type": "event.retracted", "agency": "c1", "date": "2025-04-02", "retracts": "e7"})
    return [parse_event(r) for r in raw]


def _fields(obligations: Any) -> list[tuple[Any, ...]]:
    return [(o.rule, o.agency, o.period, o.trigger, o.status, o.due, o.satisfied_by) for o in obligations]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_replay_equals_separate_known_at_checks_night_by_night(seed: int) -> None:
    """Each replayed night equals check --as-of N --known-at N, while re-evaluating far fewer agencies."""
    events = _log(seed)
    dates = nights(d("2025-01-01"), d("2025-08-31"))
    with Engine(TEST_PACK, AGENCIES) as engine:
        replayed = list(replay(engine, events, dates))
        for night in replayed:
            alone = engine.evaluate(events, night.date, known_at=night.date)
            assert _fields(night.obligations) == _fields(alone.obligations), night.date
    evaluated = sum(n.evaluated_agencies for n in replayed)
    assert evaluated < len(dates) * len(AGENCIES) / 2


def test_late_recorded_event_resolves_a_visible_violation() -> None:
    """An audit held on time but recorded in January shows as overdue on 01/01 and is resolved when recorded."""
    audit = parse_event({"id": "a", "type": "internal_audit.completed", "agency": "c1", "date": "2025-12-15",
                         "recorded_at": "2026-01-10", "nonconformities": 0})
    with Engine(TEST_PACK, AGENCIES) as engine:
        lives = timeline(replay(engine, [audit], nights(d("2025-12-30"), d("2026-01-15"))))
    life = lives[("internal-audit", "c1", "2025", "")]
    assert (life.first_seen, life.resolved_on) == (d("2026-01-01"), d("2026-01-10"))


def test_replay_cli_prints_nights_and_violation_lives(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """hanchot replay --every week gives one row a week and the violations' first-seen dates as JSON."""
    agencies = tmp_path / "a.csv"
    agencies.write_text("id,name,level,parent,province,active_from,active_to,successor,tags\nc1,X,commune,,p,,,,\n",
                        encoding="utf-8")
    events = tmp_path / "e.jsonl"
    events.write_text(json.dumps({"id": "r", "type": "report.submitted", "agency": "c1", "date": "2025-03-25",
                                  "report": "quarterly", "period": "2025-Q1"}) + "\n", encoding="utf-8")
    code = main(["replay", "--pack", str(TEST_PACK), "--agencies", str(agencies), "--events", str(events),
                 "--from", "2025-03-01", "--to", "2025-04-30", "--every", "week", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and len(out["nights"]) == 9
    seen = {(v["rule"], v["period"]): v["first_seen"] for v in out["violations"]}
    assert seen[("quarterly-report", "2025-Q1")] == "2025-03-22"
