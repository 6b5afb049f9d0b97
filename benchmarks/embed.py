"""The embedded engine at scale: per-agency questions, adds, a full report, memory.

    PYTHONPATH=$PWD python benchmarks/embed.py --events 200000 --agencies 4000
    PYTHONPATH=$PWD python benchmarks/embed.py --data /tmp/qms2m --no-full --no-check

An engine (pack ``hue-2025``) holds the QMS-shaped log of the batch benchmark:
``benchmarks/generate.py --shape qms`` (98% ``process.updated`` whose
``documents`` follow 60 laws broadcast by ``scope`` to the communes or the
departments, plus each agency's yearly documents, audits and corrective
actions, reviews and reports, and a few re-sent, retracted and bad lines), run
here into a temporary folder with ``--agencies``/``--events`` (in a process of
its own, so its memory is not counted), or a folder it wrote (``--data``). Each
line is handed to the engine as an application receives an event from its
source system: a mapping (``json.loads``; a line that is not JSON, as the
reader's rejection), one ``add`` at a time. Prints, with the targets of issue 14:

- amortised ``add`` (µs per event: parse, classify, place), over the whole log
  (reading and decoding the lines timed apart), then over single events added
  into the full engine;
- one agency's obligations as of a date: median and p99 over agencies asked
  for the first time after warm-up (each a real evaluation), then the same
  questions again (answers from the cache), then after an add to each
  (invalidated, evaluated again);
- a full ``report(as_of)`` against a fresh ``Engine.evaluate`` of the same
  events in the same run (the path of ``hanchot check``), per event;
- resident memory held per event and the peak;

and checks that every answer equals the fresh evaluation's (exit 1 if not).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hanchot.engine import Engine
from hanchot.inputs import Rejection, list_event_files, read_agencies
from hanchot.inputs.lines import parse_line

YEAR = 2025
GENERATE = Path(__file__).resolve().parent / "generate.py"


def qms_log(out: Path, agencies: int, events: int, seed: int) -> None:
    """Write ``generate.py --shape qms``'s log under *out* (in another process: its memory is not ours)."""
    subprocess.run([sys.executable, str(GENERATE), "--shape", "qms", "--out", str(out), "--agencies", str(agencies),
                    "--events", str(events), "--seed", str(seed), "--end-year", str(YEAR)], check=True)


def lines_of(folder: Path) -> Iterator[dict[str, Any] | Rejection]:
    """Each line of the log's files as a source system hands it over: a mapping, or (not
    JSON, or not an object) the rejection ``hanchot check``'s reader makes of it."""
    for name in list_event_files(folder).files:
        with open(name, "rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                if raw.isspace():
                    continue
                try:
                    obj = json.loads(raw)
                except ValueError:
                    obj = None
                yield obj if isinstance(obj, dict) else parse_line(raw, name, lineno)


def rss_mb() -> float:
    """Resident memory now (MB), from /proc."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 1e6


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def timed_questions(engine: Engine, ids: list[str], as_of: dt.date) -> list[float]:
    out = []
    for agency in ids:
        t = time.perf_counter()
        engine.obligations(agency, as_of)
        out.append((time.perf_counter() - t) * 1e3)
    return out


def show(label: str, ms: list[float]) -> None:
    print(f"{label:<46} median {statistics.median(ms):7.2f} ms   p99 {percentile(ms, 99):7.2f} ms   (n={len(ms)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200_000, help="lines generated (about)")
    parser.add_argument("--agencies", type=int, default=4000, help="agencies generated (about)")
    parser.add_argument("--data", type=Path, help="a folder generate.py --shape qms wrote, instead of generating one")
    parser.add_argument("--seed", type=int, default=14, help="of the generator, and of the agencies asked about")
    parser.add_argument("--asked", type=int, default=500, help="agencies asked about (after 50 of warm-up)")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(YEAR, 11, 30))
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() after loading, as a server would")
    parser.add_argument("--no-full", action="store_true", help="skip the full report and the check (2M events)")
    parser.add_argument("--no-check", action="store_true", help="skip the fresh evaluation (saves memory)")
    args = parser.parse_args(argv)
    if args.data is not None:
        return run(args, args.data)
    with tempfile.TemporaryDirectory(prefix="hanchot-embed-") as tmp:
        qms_log(Path(tmp), args.agencies, args.events, args.seed)
        return run(args, Path(tmp))


def run(args: argparse.Namespace, data: Path) -> int:
    """Load the log of *data* into an engine, ask, add, report and check (see the module)."""
    agencies = read_agencies(data / "agencies.csv")
    files = data / "events"
    engine = Engine("hue-2025", agencies)
    gc.collect()
    base = rss_mb()
    t = time.perf_counter()
    held = sum(1 for _ in lines_of(files))
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    for item in lines_of(files):
        engine.add(item)
    add_s = time.perf_counter() - t - read_s
    gc.collect()
    held_mb = rss_mb() - base
    if args.freeze:
        gc.freeze()  # the held events leave the collector's sight (see INTEGRATING.md)
    print(f"hue-2025, {len(agencies)} agencies, {held} lines held (generate.py --shape qms: {data}); "
          f"as of {args.as_of}; gc.freeze: {args.freeze}")
    print(f"{'add (whole log, raw dicts, reading excluded)':<46} {add_s / held * 1e6:7.1f} µs/event ({add_s:.1f} s)")
    print(f"{'memory held':<46} {held_mb:7.0f} MB   {held_mb * 1e6 / held:6.0f} bytes/event")
    rng = random.Random(args.seed)
    ids = rng.sample(sorted(engine.agencies), min(len(engine.agencies), args.asked + 50))
    timed_questions(engine, ids[:50], args.as_of)  # warm-up
    asked = ids[50:]
    first = timed_questions(engine, asked, args.as_of)
    show("one agency's obligations, first time", first)
    slowest = sorted(zip(first, asked), reverse=True)[:3]
    print(f"{'  the slowest':<46} " + ", ".join(f"{a} ({engine.agencies[a].level}, {ms:.1f} ms)" for ms, a in slowest))
    show("the same again (cached)", timed_questions(engine, asked, args.as_of))
    extra = [{"id": f"extra-{k}", "type": "process.updated", "agency": a, "date": f"{YEAR}-06-0{1 + k % 9}",
              "process": "QT-01", "documents": [], "e_workflow_updated": True} for k, a in enumerate(asked)]
    t = time.perf_counter()
    for raw in extra:
        engine.add(raw)
    single = (time.perf_counter() - t) / len(asked)
    print(f"{'add (single events into the full engine)':<46} {single * 1e6:7.1f} µs/event")
    show("after an add to each (invalidated)", timed_questions(engine, asked, args.as_of))
    if args.no_full:
        print(f"{'peak memory (embedded engine)':<46} {peak_mb():7.0f} MB")
        return 0
    t = time.perf_counter()
    report = engine.report(args.as_of)
    full_s = time.perf_counter() - t
    print(f"{'full report(as_of)':<46} {full_s:7.2f} s   {full_s / held * 1e6:6.1f} µs/event  "
          f"({len(report.obligations)} obligations, {len(report.violations)} violations)")
    print(f"{'peak memory (embedded engine)':<46} {peak_mb():7.0f} MB")
    if args.no_check:
        return 0
    t = time.perf_counter()
    fresh = engine.evaluate([*lines_of(files), *extra], args.as_of)
    fresh_s = time.perf_counter() - t
    print(f"{'fresh Engine.evaluate (as hanchot check)':<46} {fresh_s:7.2f} s   {fresh_s / held * 1e6:6.1f} µs/event")
    same = fresh == report and all(
        engine.obligations(a, args.as_of) == tuple(o for o in fresh.obligations if o.agency == a) for a in asked
    )
    print("results equal a fresh evaluation:", "yes" if same else "NO")
    return 0 if same else 1

if __name__ == "__main__":
    sys.exit(main())
