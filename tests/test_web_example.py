"""The web example (examples/web_app.py): a threaded server answering per-agency JSON.

Started on 127.0.0.1 on a free port, asked a few questions, stopped; every
request has a timeout, so a hang fails the test instead of stalling the suite.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from hanchot.engine import Engine

EXAMPLE = Path(__file__).parent.parent / "examples" / "web_app.py"
TIMEOUT = 10


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("web_app", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, Engine]]:
    web_app = _load()
    with web_app.load_example() as engine, web_app.make_server(engine, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}", engine
        finally:
            server.shutdown()
            thread.join(TIMEOUT)


def _get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_an_agencys_obligations_are_the_engines(served: tuple[str, Engine]) -> None:
    base, engine = served
    status, body = _get(f"{base}/agencies/hue-dost/obligations?as_of=2025-12-31&lang=vi")
    assert status == 200
    expected = [o.to_dict("vi") for o in engine.obligations("hue-dost", dt.date(2025, 12, 31))]
    assert body["obligations"] == expected and expected
    status, body = _get(f"{base}/agencies/hue-dost/obligations?as_of=2025-12-31&status=overdue")
    assert status == 200 and all(o["status"] == "overdue" for o in body["obligations"])


def test_a_posted_event_changes_the_answer(served: tuple[str, Engine]) -> None:
    """A law reaching one agency opens its update duty (3 months) on the next question."""
    base, _ = served
    url = f"{base}/agencies/hue-office/due?from=2025-09-01&to=2025-12-31"
    status, body = _get(url)
    before = [o["trigger"] for o in body["obligations"] if o["rule"] == "legal-update"]
    law = {"id": "web-law-1", "type": "legal_document.effective", "agency": "hue-office",
           "date": "2025-09-01", "document": "99/2025/TT-WEB"}
    request = urllib.request.Request(f"{base}/events", data=json.dumps(law).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        assert response.status == 202
    status, body = _get(url)
    assert status == 200
    after = [o["trigger"] for o in body["obligations"] if o["rule"] == "legal-update"]
    assert "web-law-1" not in before and sorted(after) == sorted([*before, "web-law-1"])


def test_bad_questions_get_clear_errors(served: tuple[str, Engine]) -> None:
    base, _ = served
    status, body = _get(f"{base}/agencies/nowhere/obligations?as_of=2025-12-31")
    assert status == 404 and "nowhere" in body["error"]
    status, body = _get(f"{base}/agencies/hue-dost/obligations?as_of=31-12-2025")
    assert status == 400 and "as_of" in body["error"]
    status, body = _get(f"{base}/agencies/hue-dost/violations?as_of=2025-12-31")
    assert status == 400 and "since" in body["error"]
