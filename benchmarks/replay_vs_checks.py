"""Benchmark: a replay over a month of nights against one check per night.

    python benchmarks/replay_vs_checks.py [--pack hue-2025] [--from 2025-12-01] [--to 2025-12-31]

Prints the wall time of the incremental replay, of separate ``check --as-of N
--known-at N`` evaluations (one per night, parsing once), and whether every
night agrees.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from hanchot.engine import Engine
from hanchot.inputs import read_agencies, read_events
from hanchot.replay import nights, replay

EXAMPLE = Path(__file__).parent.parent / "examples" / "hue"


def main() -> None:
    """Run the comparison and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", default="hue-2025")
    parser.add_argument("--agencies", type=Path, default=EXAMPLE / "agencies.csv")
    parser.add_argument("--events", type=Path, default=EXAMPLE / "events.jsonl")
    parser.add_argument("--from", dest="first", type=dt.date.fromisoformat, default=dt.date(2025, 12, 1))
    parser.add_argument("--to", dest="last", type=dt.date.fromisoformat, default=dt.date(2025, 12, 31))
    args = parser.parse_args()
    log = list(read_events(args.events))
    agencies = read_agencies(args.agencies)
    dates = nights(args.first, args.last)
    with Engine(args.pack, agencies) as engine:
        engine.evaluate(log, dates[0])  # warm the matcher's cache for both runs alike
        started = time.perf_counter()
        replayed = list(replay(engine, log, dates))
        replay_s = time.perf_counter() - started
        started = time.perf_counter()
        separate = [engine.evaluate(log, night, known_at=night) for night in dates]
        separate_s = time.perf_counter() - started

    def fields(obligations):  # type: ignore[no-untyped-def]
        return [(o.rule, o.agency, o.period, o.trigger, o.status, o.due) for o in obligations]

    same = all(fields(n.obligations) == fields(r.obligations) for n, r in zip(replayed, separate, strict=True))
    evaluated = sum(n.evaluated_agencies for n in replayed)
    print(f"nights: {len(dates)}  agencies: {len(agencies)}  events: {len(log)}")
    print(f"replay (incremental): {replay_s:.2f} s  agency evaluations: {evaluated}")
    print(f"one check per night:  {separate_s:.2f} s  agency evaluations: {len(dates) * len(agencies)}")
    print(f"speed-up: {separate_s / replay_s:.1f}x  identical night by night: {same}")


if __name__ == "__main__":
    main()
