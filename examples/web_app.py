"""A small web application embedding hanchot: per-agency answers as JSON.

    PYTHONPATH=$PWD python examples/web_app.py [--port 8000]

loads the example province (``examples/hue``) into one :class:`~hanchot.engine.Engine`
and serves, with the standard library's ``ThreadingHTTPServer`` (a thread per
request; the engine is safe to share, see INTEGRATING.md):

- ``GET /agencies/<id>/obligations?as_of=2025-12-31[&known_at=..][&status=overdue][&rule=..]``
- ``GET /agencies/<id>/due?from=2025-12-01&to=2025-12-31&as_of=2025-12-01``
- ``GET /agencies/<id>/violations?since=2025-11-30&as_of=2025-12-31``
- ``POST /events`` with one event object or a list of them (the input format)

Dates are ``YYYY-MM-DD``; a bad date or status is a 400, an unknown agency a
404. This is an example, not a dependency of the library: a real application
would add authentication and its own framework.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from hanchot.engine import Engine, Obligation, Status
from hanchot.inputs import read_agencies, read_events

HERE = Path(__file__).parent / "hue"


class BadRequest(Exception):
    """A request the application cannot answer: its HTTP status and why."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def _date(query: dict[str, list[str]], name: str, default: dt.date | None = None) -> dt.date:
    values = query.get(name)
    if not values:
        if default is None:
            raise BadRequest(HTTPStatus.BAD_REQUEST, f"parameter {name!r} is required (YYYY-MM-DD)")
        return default
    try:
        return dt.date.fromisoformat(values[0])
    except ValueError:
        raise BadRequest(HTTPStatus.BAD_REQUEST, f"parameter {name!r}: expected YYYY-MM-DD, got {values[0]!r}") from None


def _optional_date(query: dict[str, list[str]], name: str) -> dt.date | None:
    return _date(query, name) if query.get(name) else None


def _questions(engine: Engine) -> dict[str, Callable[[str, dict[str, list[str]]], tuple[Obligation, ...]]]:
    """The per-agency questions, by the last part of the path."""

    def obligations(agency: str, q: dict[str, list[str]]) -> tuple[Obligation, ...]:
        try:
            status = [Status(s) for s in q.get("status", [])] or None
        except ValueError as exc:
            raise BadRequest(HTTPStatus.BAD_REQUEST, str(exc)) from None
        rule = q.get("rule", [None])[0]
        return engine.obligations(agency, _date(q, "as_of"), known_at=_optional_date(q, "known_at"), status=status, rule=rule)

    def due(agency: str, q: dict[str, list[str]]) -> tuple[Obligation, ...]:
        first = _date(q, "from")
        return engine.due_between(first, _date(q, "to"), as_of=_date(q, "as_of", first), agencies=[agency])

    def violations(agency: str, q: dict[str, list[str]]) -> tuple[Obligation, ...]:
        return engine.violations_since(_date(q, "since"), _date(q, "as_of"), agencies=[agency])

    return {"obligations": obligations, "due": due, "violations": violations}


def make_server(engine: Engine, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """A threading HTTP server answering questions about *engine*'s agencies (port 0: any free)."""
    questions = _questions(engine)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            parts = url.path.strip("/").split("/")
            if len(parts) != 3 or parts[0] != "agencies" or parts[2] not in questions:
                return self._send(HTTPStatus.NOT_FOUND, {"error": f"no such question: {url.path}"})
            lang = parse_qs(url.query).get("lang", ["en"])[0]
            try:
                found = questions[parts[2]](parts[1], parse_qs(url.query))
            except BadRequest as exc:
                return self._send(exc.status, {"error": str(exc)})
            except KeyError as exc:
                return self._send(HTTPStatus.NOT_FOUND, {"error": str(exc.args[0])})
            self._send(HTTPStatus.OK, {"agency": parts[1], "obligations": [o.to_dict(lang) for o in found]})

        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/events":
                return self._send(HTTPStatus.NOT_FOUND, {"error": f"no such resource: {self.path}"})
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            except ValueError as exc:
                return self._send(HTTPStatus.BAD_REQUEST, {"error": f"not JSON: {exc}"})
            items = body if isinstance(body, list) else [body]
            for item in items:
                engine.add(item)  # a bad event is recorded as a rejection, like a bad input line
            self._send(HTTPStatus.ACCEPTED, {"added": len(items)})

        def _send(self, status: HTTPStatus, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # quiet: an example
            pass

    return ThreadingHTTPServer((host, port), Handler)


def load_example(pack: str = "hue-2025") -> Engine:
    """An engine holding the example province's agencies and events."""
    engine = Engine(pack, read_agencies(HERE / "agencies.csv"))
    for item in read_events([HERE / "events.jsonl"]):
        engine.add(item)
    return engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve per-agency hanchot answers as JSON.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    with load_example() as engine, make_server(engine, args.host, args.port) as server:
        print(f"serving http://{args.host}:{server.server_address[1]}/agencies/hue-dost/obligations?as_of=2025-12-31")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
