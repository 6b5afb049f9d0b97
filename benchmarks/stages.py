"""Instructions (or CPU seconds) per stage of the per-event path, for A/B on a busy machine.

    python benchmarks/stages.py --events /tmp/qms-dense.jsonl --agencies /tmp/qms/agencies.csv
    python benchmarks/stages.py --events ... --agencies ... --compare /tmp/main   # another tree too
    python benchmarks/stages.py --sample /tmp/qms2m/events/2025.jsonl --out /tmp/qms-dense.jsonl

Wall and CPU time on a shared two-core machine drift by 20% or more between runs, which
hides a change of 5%. Instruction counts do not drift: under valgrind's callgrind (when
``valgrind`` is installed) the script counts, for each stage, the instructions executed,
the same on every run of the same code and input. Without valgrind (``--cpu``) it prints the
best CPU seconds of ``--repeat`` runs instead.

The stages are those of ``hanchot check`` and of a batch partition, in one process, on one
file: **parse** (``read_events``), **keep** (``Ledger.record_all``, or ``record`` per line
in a tree without it), **view** (``Ledger.view``), **evaluate** (``Engine.evaluate_rules``),
**encode** (``ObligationJson`` of each obligation) and **free** (dropping it all). The ledger
is scoped to the agencies the file names, as a batch partition's is, so that a sample of a
few agencies is evaluated as its partition would evaluate it.

``--sample`` writes a *dense* sample: every line of 1 agency in 64 (by a CRC of its id) and
every broadcast, so each sampled agency keeps all its events (a prefix of a log would hold a
few events of every agency and weigh the per-agency work instead).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STAGES = """
import datetime as dt, gc, os, subprocess, sys, time
gc.disable()  # as hanchot check and the batch partitions do
from hanchot.engine import Engine
from hanchot.inputs import read_agencies, read_events
from hanchot.ledger import Ledger
from hanchot.output import ObligationJson
pack, agencies, events, as_of, mode, repeat = sys.argv[1:7]
as_of = dt.date.fromisoformat(as_of)
engine = Engine(pack, read_agencies(agencies))
list(read_events([events]))  # warm: imports, caches of the first lines

def run(mark):
    items = list(read_events([events])); mark("parse")
    local = {e.agency for e in items if getattr(e, "agency", None)}
    ledger = Ledger(engine.bindings, local=local)
    if hasattr(ledger, "record_all"):
        ledger.record_all(items)
    else:
        for item in items:
            ledger.record(item)
    mark("keep")
    view = ledger.view(as_of); mark("view")
    obligations = engine.evaluate_rules(view.index, as_of, only=local); mark("evaluate")
    encode = ObligationJson("en").encode
    lines = [encode(o) for o in obligations]; mark("encode")
    del lines, obligations, view, ledger, items; mark("free")

if mode == "callgrind":
    def mark(label):  # a dump of the counters since the last one, named by the stage
        subprocess.run(["callgrind_control", "--dump=" + label, str(os.getpid())], stdout=subprocess.DEVNULL, check=True)
    mark("setup")
    run(mark)
else:
    best = {}
    for _ in range(int(repeat)):
        t = [time.process_time()]
        def mark(label):
            now = time.process_time()
            best[label] = min(best.get(label, now - t[0]), now - t[0])
            t[0] = time.process_time()
        run(mark)
    for label, seconds in best.items():
        print(label, seconds)
"""


def sample(source: Path, out: Path, one_in: int) -> int:
    """Write every line of 1 agency in *one_in* and every line without an agency; return the count."""
    key = b'"agency": "'
    n = 0
    with open(source, "rb") as fh, open(out, "wb") as dst:
        for line in fh:
            i = line.find(key)
            if i >= 0:
                i += len(key)
                if zlib.crc32(line[i : line.find(b'"', i)]) % one_in:
                    continue
            dst.write(line)
            n += 1
    return n


def measure(tree: Path, args: argparse.Namespace, callgrind: bool) -> dict[str, float]:
    """Run the stages from *tree*'s source; return the figure of each stage."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    argv = [sys.executable, "-c", STAGES, args.pack, str(args.agencies), str(args.events), args.as_of]
    if not callgrind:
        out = subprocess.run([*argv, "cpu", str(args.repeat)], cwd=tree, env=env, capture_output=True, text=True, check=True)
        return {label: float(value) for label, value in (line.split() for line in out.stdout.splitlines())}
    with tempfile.TemporaryDirectory(prefix="hanchot-stages-") as tmp:
        base = os.path.join(tmp, "cg.out")
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={base}", "--dump-line=no", *argv, "callgrind", "1"],
            cwd=tree, env=env, capture_output=True, check=True,
        )
        figures: dict[str, float] = {}
        for name in os.listdir(tmp):
            label = total = None
            with open(os.path.join(tmp, name), encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    if line.startswith("desc: Trigger:"):  # "desc: Trigger: dump <label>", or the program's end
                        words = line.split()
                        label = words[3] if len(words) == 4 and words[2] == "dump" else None
                    elif line.startswith("totals:"):
                        total = float(line.split()[1])
                        break
            if label and total is not None and label != "setup":
                figures[label] = total
        return figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=Path, help="one JSON Lines file (a dense sample: see --sample)")
    p.add_argument("--agencies", type=Path)
    p.add_argument("--pack", default="hue-2025")
    p.add_argument("--as-of", default="2025-12-31")
    p.add_argument("--compare", type=Path, help="another source tree, measured the same way")
    p.add_argument("--cpu", action="store_true", help="CPU seconds (best of --repeat) instead of instructions")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--sample", type=Path, help="write a dense sample of this file to --out and stop")
    p.add_argument("--out", type=Path)
    p.add_argument("--one-in", type=int, default=64)
    args = p.parse_args(argv)
    if args.sample:
        if args.out is None:
            p.error("--sample needs --out")
        print(f"{sample(args.sample, args.out, args.one_in):,} lines written to {args.out}")
        return 0
    if args.events is None or args.agencies is None:
        p.error("--events and --agencies are required")
    callgrind = not args.cpu and shutil.which("valgrind") is not None and shutil.which("callgrind_control") is not None
    unit = "instructions (callgrind)" if callgrind else f"CPU seconds (best of {args.repeat})"
    with open(args.events, "rb") as fh:
        lines = sum(1 for _ in fh)
    trees = [("this tree", ROOT)] + ([("compared", args.compare.resolve())] if args.compare else [])
    results = [(name, measure(tree, args, callgrind)) for name, tree in trees]
    print(f"{lines:,} lines of {args.events}; {unit}, per line")
    header = ["stage"] + [name for name, _ in results] + (["this / compared"] if len(results) == 2 else [])
    print(" | ".join(header))
    for stage in ("parse", "keep", "view", "evaluate", "encode", "free"):
        row = [stage] + [_per_line(r.get(stage), lines, callgrind) for _, r in results]
        if len(results) == 2 and results[1][1].get(stage):
            row.append(f"{results[0][1].get(stage, 0) / results[1][1][stage]:.2f}")
        print(" | ".join(row))
    return 0


def _per_line(value: float | None, lines: int, callgrind: bool) -> str:
    if value is None:
        return "-"
    return f"{value / lines:,.0f}" if callgrind else f"{value / lines * 1e6:.2f} µs"


if __name__ == "__main__":
    raise SystemExit(main())
