"""Benchmark ``hanchot batch`` on generated logs, against the parse-only floors.

    python benchmarks/generate.py --out /tmp/country --agencies 4000 --years 10
    python benchmarks/generate.py --shape qms --out /tmp/qms --agencies 4000 --events 2000000
    python benchmarks/generate.py --shape qms --named --out /tmp/qms-named --agencies 4000 --events 2000000
    python benchmarks/run.py --data /tmp/country /tmp/qms /tmp/qms-named --pack hue-2025 --jobs 2

For each folder (each shape), in one run, each in a fresh process:

1. **batch**: ``hanchot batch --jobs N`` end to end; wall time, events/s, the
   workers' CPU seconds by phase, and the peak resident memory of the whole
   process tree (parent and workers, sampled every 50 ms from /proc; the sum
   of RSS counts shared pages twice, so it is an upper bound);
2. **orjson floor**: merely splitting the same files into lines and parsing
   each with ``orjson.loads``, one process, just before the batch and just after
   it (the machine's speed swings within minutes); the headline figure is the
   ratio batch / orjson floor, the mean of the two (issue 13: <= 4 on the QMS shape);
   **read_events floor**: reading and validating it with the project's own
   reader (:func:`hanchot.inputs.read_events`, one process);
3. **durable raw**: durable_rules' own rate, classifying a sample of the same
   events with the signature cache off (every event posted to its rulesets),
   over all events and over the events whose type some pattern names;
4. **jobs 1**: the batch again with ``--jobs 1``, to check that the output is
   byte-identical (skip with ``--no-jobs1``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tree_rss_kib(pid: int) -> int:
    """Sum of VmRSS of *pid* and its descendants (Linux /proc), KiB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            ppid = int(fields[1])
            with open(f"/proc/{entry}/status", "rb") as fh:
                for line in fh:
                    if line.startswith(b"VmRSS:"):
                        rss[int(entry)] = int(line.split()[1])
                        break
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, ()))
    return total


def timed(cmd: list[str], sample: bool = True) -> tuple[float, int, int]:
    """Run *cmd*; return (wall seconds, peak tree RSS KiB, exit code)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT)
    peak = 0
    stop = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss_kib(proc.pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    if sample:
        watcher.start()
    code = proc.wait()
    wall = time.perf_counter() - t0
    stop.set()
    if sample:
        watcher.join()
    return wall, peak, code


ORJSON_FLOOR = """
import gzip, sys, time
import orjson
t0 = time.perf_counter()
n = bad = 0
loads = orjson.loads
for name in sys.argv[1:]:
    with (gzip.open(name, "rb") if name.endswith(".gz") else open(name, "rb")) as fh:
        for line in fh:
            if line.strip():
                n += 1
                try:
                    loads(line)
                except orjson.JSONDecodeError:
                    bad += 1
print(n, time.perf_counter() - t0)
"""

FLOOR = """
import sys, time
from hanchot.inputs import read_events
t0 = time.perf_counter()
n = 0
for _ in read_events(sys.argv[1:]):
    n += 1
print(n, time.perf_counter() - t0)
"""

DURABLE = """
import itertools, sys, time
from hanchot.engine import Engine
from hanchot.inputs import Event, read_agencies, read_events
from hanchot.rules.matcher import make_matcher
engine = Engine(sys.argv[1], read_agencies(sys.argv[2]), matcher="python")
sample = int(sys.argv[3])
events = [e for e in itertools.islice(read_events(sys.argv[4:]), sample) if isinstance(e, Event)]
typed = set(engine._matcher._groups)
out = {}
for label, batch in (("all", events), ("typed", [e for e in events if e.type in typed])):
    with make_matcher(engine.patterns, "durable", cache_size=0) as m:
        t0 = time.perf_counter()
        for e in batch:
            m.classify(e.type, e.attrs)
        dt = time.perf_counter() - t0
        out[label] = (len(batch), dt, m.stats.posts)
    with make_matcher(engine.patterns, "durable") as m:
        t0 = time.perf_counter()
        for e in batch:
            m.classify(e.type, e.attrs)
        out[label + "_cached"] = (len(batch), time.perf_counter() - t0, m.stats.backend_calls)
import json; print(json.dumps(out))
"""


def orjson_floor(files: list[str]) -> tuple[int, float]:
    """The lines of *files*, and the seconds a fresh process takes to split and parse them with orjson."""
    out = subprocess.run([sys.executable, "-c", ORJSON_FLOOR, *files], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split()
    return int(out[0]), float(out[1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True, nargs="+", help="folders written by generate.py (one per shape)")
    p.add_argument("--pack", default="hue-2025")
    p.add_argument("--as-of", default="2026-01-31")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--format", default="jsonl")
    p.add_argument("--durable-sample", type=int, default=300_000)
    p.add_argument("--no-jobs1", action="store_true", help="skip the --jobs 1 identity check")
    p.add_argument("--no-floor", action="store_true", help="skip the read_events floor and durable raw")
    args = p.parse_args(argv)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, Python {platform.python_version()}")
    rows = [bench(data, args) for data in args.data]
    print("\nshape | lines | batch s | events/s | orjson floor s | batch/floor | worker CPU s by phase | peak tree RSS MiB")
    for r in rows:
        print(" | ".join(str(v) for v in r))
    return 0


def bench(data: Path, args: argparse.Namespace) -> list[object]:
    """Benchmark one folder; print its figures; return its summary row."""
    py = sys.executable
    events = data / "events"
    agencies = data / "agencies.csv"
    work = Path(tempfile.mkdtemp(prefix="hanchot-bench-"))
    batch = [py, "-m", "hanchot", "batch", "--pack", args.pack, "--agencies", str(agencies), "--events", str(events),
             "--as-of", args.as_of, "--format", args.format, "--quiet"]
    files = sorted(str(f) for f in events.iterdir())
    json_lines = all(".jsonl" in f or ".ndjson" in f for f in files)
    print(f"\n== {data}")
    floor_before = orjson_floor(files)[1] if json_lines else None
    print("command:", " ".join(batch + ["--jobs", str(args.jobs), "--output", str(work / f"jobs{args.jobs}")]))
    wall, peak, code = timed(batch + ["--jobs", str(args.jobs), "--output", str(work / f"jobs{args.jobs}")])
    summary = json.loads((work / f"jobs{args.jobs}" / "summary.json").read_text(encoding="utf-8"))
    n = summary["input"]["lines"]
    print(f"batch --jobs {args.jobs}: {n:,} events in {wall:.1f} s wall ({summary['timings_s']['total']:.1f} s inside) "
          f"= {n / wall:,.0f} events/s; exit code {code}")
    print(f"  phases (s): {summary['timings_s']}")
    cpu = summary["work"].get("worker_seconds", {})
    print(f"  worker CPU seconds by phase: {cpu}")
    print(f"  peak RSS, process tree (sum, sampled): {peak / 1024:,.0f} MiB; "
          f"parent {summary['memory']['parent_peak_rss_mib']:.0f} MiB, largest worker {summary['memory']['worker_peak_rss_mib']:.0f} MiB")
    print(f"  partitions {summary['partitions']['count']} (merged {len(summary['partitions']['merged'])}); work {summary['work']}")
    print(f"  input {summary['input']}")
    print(f"  obligations {summary['obligations']['total']:,}, violations {summary['obligations']['violations']:,}")
    floor_s = None
    if floor_before is not None:
        floor_n, floor_after = orjson_floor(files)
        floor_s = (floor_before + floor_after) / 2
        print(f"orjson floor (split lines + orjson.loads, 1 process): {floor_n:,} lines in {floor_before:.2f} s before "
              f"the batch, {floor_after:.2f} s after (mean {floor_s:.2f} s = {floor_n / floor_s:,.0f} lines/s); "
              f"batch/floor = {wall / floor_s:.1f}")
    if not args.no_floor:
        out = subprocess.run([py, "-c", FLOOR, *files], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
        rn, rs = int(out[0]), float(out[1])
        print(f"read_events floor (1 process): {rn:,} items in {rs:.1f} s = {rn / rs:,.0f} events/s; batch/read_events = {wall / rs:.2f}")
        res = subprocess.run([py, "-c", DURABLE, args.pack, str(agencies), str(args.durable_sample), *files],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
        d = json.loads(res)
        for label in ("all", "typed"):
            k, sec, posts = d[label]
            kc, sc, calls = d[label + "_cached"]
            print(f"durable raw, {label} events: {k:,} in {sec:.2f} s = {k / sec:,.0f} events/s ({posts:,} posts); "
                  f"with the signature cache: {kc / sc:,.0f} events/s ({calls:,} backend calls)")
    if not args.no_jobs1:
        wall1, peak1, _ = timed(batch + ["--jobs", "1", "--output", str(work / "jobs1")])
        same = all(
            (work / "jobs1" / name).read_bytes() == (work / f"jobs{args.jobs}" / name).read_bytes()
            for name in (f"obligations.{args.format}", f"violations.{args.format}", f"rejected.{args.format}")
        )
        print(f"batch --jobs 1: {wall1:.1f} s = {n / wall1:,.0f} events/s, peak RSS {peak1 / 1024:,.0f} MiB; "
              f"output identical to --jobs {args.jobs}: {same}")
    print(f"outputs under {work}")
    ratio = f"{wall / floor_s:.1f}" if floor_s else "-"
    return [data.name, f"{n:,}", f"{wall:.1f}", f"{n / wall:,.0f}", f"{floor_s:.2f}" if floor_s else "-", ratio,
            ", ".join(f"{k} {v}" for k, v in cpu.items()), f"{peak / 1024:,.0f}"]


if __name__ == "__main__":
    raise SystemExit(main())
