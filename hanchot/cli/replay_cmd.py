"""``hanchot replay``: the nightly results as they would have been seen.

Each night N is evaluated as of N with the events recorded by N. Prints one line
a night and, for every violation, the night it first became visible and the
night it was resolved (if it was). Exit code 0, 2 on bad input or usage (``--to``
before ``--from`` included), 4 when the output cannot be written. Rejected input
lines are counted (``input`` and ``rejected`` in JSON; on stderr otherwise).
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from hanchot.cli._common import (
    EXIT_OK,
    add_input_arguments,
    calendar_from,
    check_output_path,
    event_files,
    guarded,
    iso_date,
    report_rejections,
    write_and_close,
)
from hanchot.engine import Engine
from hanchot.errors import InputError
from hanchot.inputs import read_agencies, read_events
from hanchot.inputs.events import Rejection
from hanchot.inputs.records import Event
from hanchot.replay import Night, nights, replay, timeline
from hanchot.rules.loader import load_pack


def register(subparsers: Any) -> None:
    """Add the ``replay`` sub-command."""
    parser = subparsers.add_parser("replay", help="nightly results as they were known, night by night")
    add_input_arguments(parser, many_events="PATH")
    parser.add_argument("--from", dest="first", type=iso_date, required=True, help="first night")
    parser.add_argument("--to", dest="last", type=iso_date, required=True, help="last night")
    parser.add_argument("--every", choices=("day", "week", "month"), default="day")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.add_argument("--output", type=Path, default=None)
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    """Run ``hanchot replay``; return its exit code."""
    if args.last < args.first:
        raise InputError(f"--to {args.last.isoformat()} is before --from {args.first.isoformat()}")
    if args.output is not None:
        check_output_path(args.output, "--output", folder=False)
    pack = load_pack(args.pack)
    events = _Counted(read_events(event_files(args.events).files))
    rejected: list[Rejection] = []
    with Engine(pack, read_agencies(args.agencies), calendar=calendar_from(args)) as engine:
        dates = nights(args.first, args.last, args.every)
        replayed = list(replay(engine, events, dates, rejected=rejected))
    accounting = {"read": events.count, "rejected": len(rejected)}
    write_and_close(args.output, lambda out: _write(replayed, args.format, out, accounting, rejected))
    report_rejections(rejected, events.count, listed_in_output=args.format == "json")
    return EXIT_OK


class _Counted:
    """An iterable that counts the items (input lines) drawn from it."""

    def __init__(self, items: Iterable[Event | Rejection]) -> None:
        self._items = items
        self.count = 0

    def __iter__(self) -> Iterator[Event | Rejection]:
        for item in self._items:
            self.count += 1
            yield item


def _write(replayed: list[Night], fmt: str, out: TextIO, accounting: dict[str, int], rejected: list[Rejection]) -> None:
    lives = timeline(replayed)
    rows = [
        {"rule": k[0], "agency": k[1], "period": k[2], "trigger": k[3], **life.to_dict()} for k, life in lives.items()
    ]
    summary = [
        {
            "night": n.date.isoformat(),
            "violations": n.violations,
            "new": len(n.new_violations),
            "resolved": len(n.resolved_violations),
            "agencies_evaluated": n.evaluated_agencies,
        }
        for n in replayed
    ]
    if fmt == "json":
        document = {"nights": summary, "violations": rows, "input": accounting, "rejected": [r.to_dict() for r in rejected]}
        json.dump(document, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(
            out, fieldnames=["rule", "agency", "period", "trigger", "first_seen", "status_when_seen", "resolved_on"],
            lineterminator="\n",
        )
        writer.writeheader()
        writer.writerows(rows)
    else:
        out.write(f"{'Night':<12}{'violations':>11}{'new':>7}{'resolved':>10}{'evaluated':>11}\n" + "-" * 51 + "\n")
        out.writelines(f"{s['night']:<12}{s['violations']:>11}{s['new']:>7}{s['resolved']:>10}{s['agencies_evaluated']:>11}\n" for s in summary)
        resolved = [r for r in rows if r["resolved_on"]]
        out.write(f"\n{len(rows)} violations became visible; {len(resolved)} were later resolved.\n")
        out.writelines(f"  {r['agency']} {r['rule']} {r['period'] or r['trigger']}: seen {r['first_seen']}, resolved {r['resolved_on']}\n" for r in resolved[:40])
