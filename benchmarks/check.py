"""Benchmark ``hanchot check`` (one process) on a QMS-shaped log, JSON to a file.

    python benchmarks/generate.py --shape qms --out /tmp/qms200k --agencies 4000 --events 200000
    python benchmarks/check.py --data /tmp/qms200k [--repeat 3] [--compare OTHER_TREE] [--profile]

Prints, for each repetition:

1. **end to end**: ``hanchot check --format json --output FILE`` in a fresh
   process, wall seconds (the figure of the target, <= 3 s for 200,000 events);
   the **orjson floor** of the same input measured just before it (split lines +
   ``orjson.loads``, one process, as ``run.py``'s), and the ratio check / floor:
   the machine's speed swings within minutes, the ratio much less;
   and **start**: ``hanchot check --help`` in a fresh process (the interpreter,
   the imports and the parser: what every run pays before reading a line);
2. **phases**, in one process, as the command runs them: setup (the engine: pack,
   agencies, calendar, matcher), read (``read_events``: each line parsed and
   validated), store+evaluate (``Engine.evaluate``: the ledger, its view and the
   rules), and render+encode (:func:`hanchot.output.write_json` to a file: the
   explanation lines rendered and the JSON encoded as it is written), with the
   garbage collector paused as the command pauses it.

``--compare TREE`` runs the end-to-end command from another source tree too
(e.g. ``git archive main | tar -x -C /tmp/main``), alternating A and B, so that
both see the same machine load; the spread over the repetitions is printed.
``--profile`` adds a cProfile of the phases (top functions by own time). Each tree's
modules are compiled to bytecode first, as an installed package's are.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import orjson_floor  # (this script's folder is first on sys.path)

ROOT = Path(__file__).resolve().parent.parent

PHASES = """
import cProfile, gc, io, json, pstats, sys, time
import datetime as dt
from hanchot.engine import Engine
from hanchot.inputs import read_agencies, read_events
from hanchot.output import write_json
pack, agencies, events, as_of, out, lang, profile = sys.argv[1:8]
gc.disable()  # as hanchot check does while it runs
prof = cProfile.Profile() if profile == "1" else None
if prof:
    prof.enable()
t = [time.perf_counter()]
engine = Engine(pack, read_agencies(agencies))
t.append(time.perf_counter())
read = list(read_events([events]))
t.append(time.perf_counter())
report = engine.evaluate(read, dt.date.fromisoformat(as_of))
t.append(time.perf_counter())
with open(out, "w", encoding="utf-8", newline="") as fh:
    write_json(report, fh, lang)
t.append(time.perf_counter())
if prof:
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(25)
    sys.stderr.write(buf.getvalue())
names = ("setup", "read", "store+evaluate", "render+encode")
print(json.dumps({"phases": dict(zip(names, (b - a for a, b in zip(t, t[1:])))),
                  "obligations": len(report.obligations), "violations": len(report.violations)}))
"""


def end_to_end(tree: Path, data: Path, pack: str, as_of: str, out: Path, lang: str) -> float:
    """Wall seconds of ``hanchot check ... --format json --output out`` run from *tree*."""
    cmd = [sys.executable, "-m", "hanchot", "check", "--pack", pack, "--agencies", str(data / "agencies.csv"),
           "--events", str(data / "events"), "--as-of", as_of, "--format", "json", "--output", str(out),
           "--lang", lang]
    env = dict(os.environ, PYTHONPATH=str(tree))
    t0 = time.perf_counter()
    code = subprocess.run(cmd, cwd=tree, env=env, stderr=subprocess.DEVNULL, check=False).returncode
    wall = time.perf_counter() - t0
    if code not in (0, 1):
        raise SystemExit(f"check failed with exit code {code} in {tree}")
    return wall


def start(tree: Path) -> float:
    """Wall seconds of ``hanchot check --help`` run from *tree*: interpreter start, imports, parser."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "hanchot", "check", "--help"], cwd=tree, env=env,
                   stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def spread(values: list[float]) -> str:
    """min / median / max of *values*."""
    return f"min {min(values):.2f} s, median {statistics.median(values):.2f} s, max {max(values):.2f} s"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True, help="a folder written by generate.py --shape qms")
    p.add_argument("--pack", default="hue-2025")
    p.add_argument("--as-of", default="2025-12-31")
    p.add_argument("--lang", default="en")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--compare", type=Path, default=None, help="another source tree, measured alternately")
    p.add_argument("--profile", action="store_true", help="print a cProfile of the phases (slower)")
    args = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="hanchot-check-bench-"))
    events = sorted((args.data / "events").iterdir())
    lines = sum(1 for f in events for _ in f.open("rb"))
    print(f"input: {lines:,} lines under {args.data}; pack {args.pack}, as of {args.as_of}, --lang {args.lang}")
    trees = {"this tree": ROOT} | ({"compare": args.compare.resolve()} if args.compare else {})
    for tree in trees.values():
        # Bytecode as an installed package has it: where PYTHONDONTWRITEBYTECODE is set (some
        # sandboxes, CI images), each run would otherwise compile every module again (0.1-0.2 s).
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "hanchot")], check=True)
    walls: dict[str, list[float]] = {name: [] for name in trees}
    starts: dict[str, list[float]] = {name: [] for name in trees}
    ratios: dict[str, list[float]] = {name: [] for name in trees}
    for k in range(args.repeat):
        for name, tree in trees.items():
            out = work / f"{name.replace(' ', '-')}.json"
            floor = orjson_floor([str(f) for f in events])[1]
            walls[name].append(end_to_end(tree, args.data, args.pack, args.as_of, out, args.lang))
            starts[name].append(start(tree))
            ratios[name].append(walls[name][-1] / floor)
            print(f"run {k + 1}, {name}: check end to end {walls[name][-1]:.2f} s = {lines / walls[name][-1]:,.0f} events/s"
                  f"; orjson floor just before {floor:.2f} s, check/floor {ratios[name][-1]:.1f}"
                  f"; start (check --help) {starts[name][-1]:.2f} s")
        if args.compare:
            same = (work / "this-tree.json").read_bytes() == (work / "compare.json").read_bytes()
            print(f"run {k + 1}: outputs identical: {same}")
        res = subprocess.run(
            [sys.executable, "-c", PHASES, args.pack, str(args.data / "agencies.csv"), str(args.data / "events"),
             args.as_of, str(work / "phases.json"), args.lang, "1" if args.profile and k == 0 else "0"],
            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, check=True,
        )
        if args.profile and k == 0:
            print(res.stderr)
        phases = json.loads(res.stdout)
        print(f"run {k + 1}, phases (s): " + ", ".join(f"{n} {s:.2f}" for n, s in phases["phases"].items())
              + f"; {phases['obligations']:,} obligations, {phases['violations']:,} violations")
    for name, values in walls.items():
        print(f"{name}: {spread(values)} over {len(values)} runs; start {spread(starts[name])}; "
              f"check/floor median {statistics.median(ratios[name]):.1f}")
    print(f"outputs under {work}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
