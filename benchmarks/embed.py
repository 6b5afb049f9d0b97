"""The embedded engine at scale: per-agency questions, adds, a full report, memory.

    PYTHONPATH=$PWD python benchmarks/embed.py --events 200000 --agencies 4000

An engine (pack ``hue-2025``) holds N QMS-shaped events of about 4,000
agencies, made by a small seeded generator below (98% ``process.updated``
whose ``documents`` follow ~60 laws broadcast by ``scope`` to the communes or
the departments and districts, plus the yearly documents, audits and
corrective actions, reviews, quarterly and DOST reports and inspections).
Prints, with the targets of issue 14:

- amortised ``add`` (µs per event), over the whole log, then over single adds
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
import bisect
import datetime as dt
import gc
import random
import resource
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import MERGE_DAY, build_agencies

from hanchot.engine import Engine
from hanchot.inputs import Agency

YEAR = 2025
LAWS = 60


def agencies_of(n: int, seed: int) -> list[Agency]:
    """About *n* agencies (provinces, departments with one DOST each, districts, communes)."""
    out = []
    for a in build_agencies(n, random.Random(seed)):
        out.append(Agency(id=a.id, name=f"UBND {a.id}", level=a.level, parent=a.parent, province=a.province,
                          active_to=a.active_to, successor=a.successor, tags=tuple(a.tags)))
    return out


def laws(seed: int) -> list[dict[str, Any]]:
    """~60 legal documents in force during the year, broadcast to communes or to departments and districts."""
    rng = random.Random(seed * 7 + 1)
    out = []
    for k in range(LAWS):
        day = dt.date(YEAR, 1, 5) + dt.timedelta(days=rng.randint(0, 300))
        scope = {"level": "commune"} if k % 2 else {"level": ["department", "district"]}
        out.append({"id": f"law-{k:02d}", "type": "legal_document.effective", "scope": scope,
                    "date": day.isoformat(), "document": f"{k + 1:02d}/{YEAR}/TT"})
    return out


def events(agencies: list[Agency], total: int, seed: int) -> Iterator[dict[str, Any]]:
    """*total* QMS-shaped events (about), the laws first, then agency by agency."""
    broadcasts = laws(seed)
    yield from broadcasts
    per_agency = max(1, (total - len(broadcasts)) // len(agencies))
    for n, agency in enumerate(agencies):
        # In date order, as a source system logs them (the engine takes any order).
        mine = list(_agency_events(agency, per_agency, broadcasts, random.Random(seed * 1_000_003 + n)))
        yield from sorted(mine, key=lambda e: e["date"])


def _agency_events(a: Agency, count: int, broadcasts: list[dict[str, Any]], rng: random.Random) -> Iterator[dict[str, Any]]:
    last = (a.active_to or dt.date(YEAR, 12, 31)).toordinal()
    first = dt.date(YEAR, 1, 1).toordinal()
    seq = 0

    def event(type_: str, day: int, **attrs: Any) -> dict[str, Any]:
        nonlocal seq
        seq += 1
        return {"id": f"{a.id}-{seq}", "type": type_, "agency": a.id, "date": dt.date.fromordinal(day).isoformat(), **attrs}

    levels = [b["scope"]["level"] for b in broadcasts]
    mine = sorted((dt.date.fromisoformat(b["date"]).toordinal(), b["document"])
                  for b, level in zip(broadcasts, levels) if a.level == level or a.level in level)
    yearly: list[dict[str, Any]] = []
    for kind in ("qms_plan", "quality_objectives", "objectives_plan", "risk_plan"):
        if rng.random() < 0.9:
            yearly.append(event("document.issued", first + rng.randint(0, 14), kind=kind))
    if rng.random() < 0.85:
        audit = event("internal_audit.completed", rng.randint(first, last), nonconformities=rng.choice((0, 0, 1, 2)))
        yearly.append(audit)
        if audit["nonconformities"] and rng.random() < 0.8:
            yearly.append(event("corrective_action.completed", min(last, dt.date.fromisoformat(audit["date"]).toordinal() + rng.randint(5, 60)), audit=audit["id"]))
    if rng.random() < 0.85:
        yearly.append(event("management_review.held", rng.randint(first, last)))
    for q in range(1, 5):
        due = dt.date(YEAR, 3 * q, 20).toordinal()
        if due <= last and rng.random() < 0.9:
            yearly.append(event("report.submitted", due - rng.randint(-10, 15), report="quarterly", period=f"{YEAR}-Q{q}"))
    if "dost" in a.tags:
        for h, due in ((1, dt.date(YEAR, 6, 25)), (2, dt.date(YEAR, 12, 20))):
            yearly.append(event("report.submitted", due.toordinal(), report="half_yearly", period=f"{YEAR}-H{h}"))
        yearly.append(event("report.submitted", dt.date(YEAR, 12, 10).toordinal(), report="annual", period=f"Năm {YEAR}"))
        for k in range(40):
            yearly.append(event("inspection.completed", rng.randint(first, last), target=f"{a.province}-X{k:04d}",
                                mode="on_site" if k % 3 == 0 else "dossier"))
    if a.successor:
        yearly.append(event("agency.merged", MERGE_DAY.toordinal(), into=a.successor))
    yield from yearly
    for _ in range(max(0, count - len(yearly))):
        day = rng.randint(first, last)
        effective = bisect.bisect_right(mine, (day, "\uffff"))
        documents = [mine[rng.randrange(effective)][1]] if effective and rng.random() < 0.7 else []
        process = f"QT-{rng.randint(1, 60):02d}"
        updated = rng.random() < 0.98
        yield event("process.updated", day, process=process, documents=documents, e_workflow_updated=updated)
        if not updated and rng.random() < 0.9:
            yield event("e_workflow.updated", min(last, day + rng.randint(0, 5)), process=process)


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
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--agencies", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--asked", type=int, default=500, help="agencies asked about (after 50 of warm-up)")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(YEAR, 11, 30))
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() after loading, as a server would")
    parser.add_argument("--no-full", action="store_true", help="skip the full report and the check (2M events)")
    parser.add_argument("--no-check", action="store_true", help="skip the fresh evaluation (saves memory)")
    args = parser.parse_args(argv)
    agencies = agencies_of(args.agencies, args.seed)
    engine = Engine("hue-2025", agencies)
    gc.collect()
    base = rss_mb()
    t = time.perf_counter()
    for _ in events(agencies, args.events, args.seed):
        pass
    generate_s = time.perf_counter() - t
    t = time.perf_counter()
    held = 0
    for raw in events(agencies, args.events, args.seed):
        engine.add(raw)
        held += 1
    add_s = time.perf_counter() - t - generate_s
    gc.collect()
    held_mb = rss_mb() - base
    if args.freeze:
        gc.freeze()  # the held events leave the collector's sight (see INTEGRATING.md)
    print(f"hue-2025, {len(agencies)} agencies, {held} events held; as of {args.as_of}; gc.freeze: {args.freeze}")
    print(f"{'add (whole log, raw dicts, generation excluded)':<46} {add_s / held * 1e6:7.1f} µs/event ({add_s:.1f} s)")
    print(f"{'memory held':<46} {held_mb:7.0f} MB   {held_mb * 1e6 / held:6.0f} bytes/event")
    rng = random.Random(args.seed)
    ids = rng.sample(sorted(engine.agencies), min(len(engine.agencies), args.asked + 50))
    timed_questions(engine, ids[:50], args.as_of)  # warm-up
    asked = ids[50:]
    show("one agency's obligations, first time", timed_questions(engine, asked, args.as_of))
    show("the same again (cached)", timed_questions(engine, asked, args.as_of))
    t = time.perf_counter()
    for k, agency in enumerate(asked):
        engine.add({"id": f"extra-{k}", "type": "process.updated", "agency": agency, "date": f"{YEAR}-06-0{1 + k % 9}",
                    "process": "QT-01", "documents": [], "e_workflow_updated": True})
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
    extra = [{"id": f"extra-{k}", "type": "process.updated", "agency": a, "date": f"{YEAR}-06-0{1 + k % 9}",
              "process": "QT-01", "documents": [], "e_workflow_updated": True} for k, a in enumerate(asked)]
    t = time.perf_counter()
    fresh = engine.evaluate([*events(agencies, args.events, args.seed), *extra], args.as_of)
    fresh_s = time.perf_counter() - t
    print(f"{'fresh Engine.evaluate (as hanchot check)':<46} {fresh_s:7.2f} s   {fresh_s / held * 1e6:6.1f} µs/event")
    same = fresh == report and all(
        engine.obligations(a, args.as_of) == tuple(o for o in fresh.obligations if o.agency == a) for a in asked
    )
    print("results equal a fresh evaluation:", "yes" if same else "NO")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
