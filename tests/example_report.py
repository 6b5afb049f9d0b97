"""The example province's check (README's main job), evaluated once per test process."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from hanchot.engine import Engine
from hanchot.inputs import Agency, read_agencies, read_events
from hanchot.obligations.model import Report
from hanchot.rules.loader import load_pack
from hanchot.rules.model import RulePack

EXAMPLE = Path(__file__).parent.parent / "examples" / "hue"
AGENCIES = EXAMPLE / "agencies.csv"
EVENTS = EXAMPLE / "events.jsonl"
AS_OF = dt.date(2025, 12, 31)
CHECK = ["check", "--pack", "hue-2025", "--agencies", str(AGENCIES), "--events", str(EVENTS), "--as-of", "2025-12-31"]


@functools.cache
def example() -> tuple[Report, RulePack, dict[str, Agency]]:
    """The report, its pack and its agencies by id."""
    pack = load_pack("hue-2025")
    agencies = {a.id: a for a in read_agencies(AGENCIES)}
    with Engine(pack, agencies.values()) as engine:
        report = engine.evaluate(read_events(EVENTS), AS_OF)
    return report, pack, agencies
