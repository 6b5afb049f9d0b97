"""Concurrency: one engine shared by a writer and several readers (the web case).

The engine serialises calls on one lock: an answer reflects every event added
before it began and none added after, never a half-applied one.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from builders import TEST_PACK
from test_engine_properties import AGENCIES

from hanchot.engine import Engine
from hanchot.inputs import parse_event

AS_OF = dt.date(2025, 12, 31)


def _log() -> list[dict[str, Any]]:
    """Laws (some broadcast), updates meeting them, retractions and corrected copies, by agency."""
    out: list[dict[str, Any]] = []
    for k in range(60):
        who = ("c1", "c2", "d1", "d2")[k % 4]
        doc = f"{k}/2025/TT"
        law: dict[str, Any] = {"id": f"law{k}", "type": "legal_document.effective", "date": f"2025-0{1 + k % 9}-10",
                               "document": doc}
        law.update({"scope": {"level": "commune"}} if k % 10 == 0 else {"agency": who})
        out.append(law)
        out.append({"id": f"upd{k}", "type": "process.updated", "agency": who, "date": f"2025-0{1 + k % 9}-20",
                    "documents": [doc]})
        if k % 7 == 0:
            out.append({"id": f"ret{k}", "type": "event.retracted", "agency": who, "date": "2025-10-01",
                        "retracts": f"upd{k}"})
        if k % 5 == 0:
            out.append({"id": f"upd{k}", "type": "process.updated", "agency": who, "date": "2025-11-30",
                        "documents": [doc]})
    return out


def test_readers_never_see_a_half_applied_event() -> None:
    """Readers in four threads ask while a writer adds: each answer equals a fresh evaluation
    of some prefix of the log, between the events added before and after the question."""
    log = _log()
    with Engine(TEST_PACK, AGENCIES) as engine:
        stop = threading.Event()
        seen: list[tuple[int, int, str, Any]] = []
        errors: list[BaseException] = []

        def read(agency: str) -> None:
            try:
                while not stop.is_set():
                    before = engine.report(AS_OF).input.read
                    answer = engine.obligations(agency, AS_OF)
                    after = engine.report(AS_OF).input.read
                    seen.append((before, after, agency, answer))
            except Exception as exc:  # noqa: BLE001 (reported below: a thread's failure fails the test)
                errors.append(exc)

        readers = [threading.Thread(target=read, args=(a,)) for a in ("c1", "c2", "d1", "dost")]
        for thread in readers:
            thread.start()
        for raw in log:
            engine.add(raw)
        stop.set()
        for thread in readers:
            thread.join(30)
        assert not errors and not any(t.is_alive() for t in readers)
        assert seen
        fresh = {}
        for before, after, agency, answer in seen[:: max(1, len(seen) // 200)]:
            candidates = []
            for n in range(before, after + 1):
                if n not in fresh:
                    fresh[n] = engine.evaluate([parse_event(r) for r in log[:n]], AS_OF)
                candidates.append(tuple(o for o in fresh[n].obligations if o.agency == agency))
            assert answer in candidates, (before, after, agency)
        assert engine.report(AS_OF) == engine.evaluate([parse_event(r) for r in log], AS_OF)
