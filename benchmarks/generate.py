"""Generate a deterministic synthetic country: agencies and years of QMS events.

    python benchmarks/generate.py --out /tmp/country --agencies 4000 --years 10

writes ``agencies.csv`` and ``events/<year>.jsonl`` (``--gzip``: ``.jsonl.gz``;
``--csv``: ``.csv``) under ``--out``. The same flags and ``--seed`` give the
same bytes. Proportions follow the 2025 reform: 63 provinces merged into 34
(scaled by ``--agencies``), ~17 departments each (one DOST, tag ``dost``),
districts that cease on 30/06/2025, and communes of which about a third merge
into a neighbour on 30/06/2025 (``successor``, with an ``agency.merged``
event). Each agency-year has administrative dossiers (most of the volume, no
rule), process updates with their electronic workflows, legal documents in
force (a province-wide broadcast, ``scope``) and the updates that follow them,
audits and corrective actions, reviews, plans, quarterly/half-yearly/annual
reports and DOST inspections; a share of duties is late or missed. A few lines
are retracted, re-sent (duplicates) or bad (not JSON, no date, unknown agency).
``--agencies 4000 --years 10`` gives a little over 10 million events.

``--shape qms`` makes the opposite log, where nearly every line is one a rule
names (issue 13): one year (``--years``) of about ``--events`` lines, 98%
``process.updated`` correlated by ``documents`` with 60 laws broadcast by
``scope`` to the communes or the departments, plus the yearly duties above:

    python benchmarks/generate.py --shape qms --out /tmp/qms --agencies 4000 --events 2000000

About three in four of those revisions name no law (their agency has not answered the
law drawn): no duty can use them, and the batch keeps them light (idle events, see
``hanchot.idle``). ``--named`` makes every revision name one, a law its agency answered
or else one of the other level's, which binds it to nothing: the same duties and
results, with every line on the full path.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import os
import random
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

MERGE_DAY = dt.date(2025, 6, 30)
# Administrative dossiers (received + resolved) per agency-year by level: the bulk.
DOSSIERS = {"province": 260, "department": 300, "district": 220, "commune": 105}


@dataclass
class Agency:
    id: str
    level: str
    province: str
    parent: str | None = None
    active_to: dt.date | None = None
    successor: str | None = None
    tags: list[str] = field(default_factory=list)
    quality: float = 0.9  # how diligent: the chance a duty is met on time


def build_agencies(n: int, rng: random.Random) -> list[Agency]:
    """About *n* agencies: provinces, departments, districts and communes."""
    provinces = max(1, round(34 * n / 4000))
    per_province = max(4, n // provinces)
    out: list[Agency] = []
    for p in range(provinces):
        pid = f"P{p:02d}"
        out.append(Agency(pid, "province", pid, tags=["iso9001"]))
        departments = min(max(2, round(per_province * 0.145)), 20)
        for k in range(departments):
            tags = ["dost"] if k == 0 else []
            if rng.random() < 0.1:
                tags.append("first_adopter")
            out.append(Agency(f"{pid}-S{k:02d}", "department", pid, pid, tags=tags))
        rest = max(2, per_province - 1 - departments)
        districts = max(1, round(rest * 0.06))
        communes = rest - districts
        for k in range(districts):
            out.append(Agency(f"{pid}-H{k:02d}", "district", pid, pid, active_to=MERGE_DAY))
        kept: list[str] = []
        for k in range(communes):
            did = f"{pid}-H{k % districts:02d}"
            cid = f"{pid}-X{k:04d}"
            if kept and rng.random() < 0.33:
                out.append(Agency(cid, "commune", pid, did, active_to=MERGE_DAY, successor=rng.choice(kept[-8:])))
            else:
                kept.append(cid)
                out.append(Agency(cid, "commune", pid, did))
    for a in out:
        a.quality = rng.choice((0.97, 0.93, 0.9, 0.8, 0.6))
    return out


def write_agencies(path: str, agencies: list[Agency]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "name", "level", "parent", "province", "active_from", "active_to", "successor", "tags"])
        for a in agencies:
            w.writerow([a.id, f"UBND {a.id}", a.level, a.parent or "", a.province, "",
                        a.active_to.isoformat() if a.active_to else "", a.successor or "", ";".join(a.tags)])


class Year:
    """The events of one year, collected then written in date order."""

    def __init__(self, year: int, rng: random.Random) -> None:
        self.year = year
        self.rng = rng
        self.rows: list[tuple[int, str, dict]] = []
        self.first = dt.date(year, 1, 1).toordinal()
        self.days = 366 if year % 4 == 0 else 365
        self.seq = 0

    def add(self, agency: str | None, type_: str, day: dt.date, **attrs: object) -> str:
        self.seq += 1
        eid = f"{agency or 'b'}-{self.year}-{self.seq}"
        row: dict[str, object] = {"id": eid, "type": type_}
        if agency is None:
            row["scope"] = attrs.pop("scope")
        else:
            row["agency"] = agency
        row["date"] = day.isoformat()
        row.update(attrs)
        self.rows.append((day.toordinal(), eid, row))
        return eid

    def day(self, lo: int = 0, hi: int | None = None) -> dt.date:
        hi = self.days - 1 if hi is None else hi
        return dt.date.fromordinal(self.first + self.rng.randint(lo, hi))


def on_time(rng: random.Random, a: Agency, due: dt.date, slack: int = 20) -> dt.date | None:
    """When a duty due on *due* is met: on time, late, or never (None)."""
    r = rng.random()
    if r < a.quality:
        return due - dt.timedelta(days=rng.randint(1, slack))
    if r < a.quality + (1 - a.quality) * 0.6:
        return due + dt.timedelta(days=rng.randint(1, 40))
    return None


def agency_year(y: Year, a: Agency, by_province: dict[str, list[Agency]], laws: list[str]) -> None:
    rng, year = y.rng, y.year
    last = y.days - 1
    if a.active_to is not None and a.active_to.year <= year:
        if a.active_to.year < year:
            return
        last = (a.active_to - dt.date(year, 1, 1)).days
    def alive(d: dt.date | None) -> bool:
        return d is not None and d.year == year and (a.active_to is None or d <= a.active_to)
    for _ in range(int(DOSSIERS[a.level] * (last + 1) / y.days)):
        d = y.day(0, last)
        y.add(a.id, "dossier.received", d, procedure=f"TTHC-{rng.randint(1, 400):03d}", channel=rng.choice(("online", "counter", "post")))
        if rng.random() < 0.92:
            y.add(a.id, "dossier.resolved", min(d + dt.timedelta(days=rng.randint(0, 15)), y.day(last, last)), procedure=f"TTHC-{rng.randint(1, 400):03d}", on_time=rng.random() < 0.9)
    # Process revisions: most follow a law; the electronic workflow is updated with them or later.
    for k in range(rng.randint(6, 14)):
        d = y.day(0, last)
        docs = [rng.choice(laws)] if laws and rng.random() < 0.7 else []
        proc = f"QT-{rng.randint(1, 60):02d}"
        ewf = rng.random() < 0.85
        y.add(a.id, "process.updated", d, process=proc, documents=docs, e_workflow_updated=ewf, version=rng.randint(2, 9))
        if not ewf:
            met = on_time(rng, a, d + dt.timedelta(days=2), slack=2)
            if alive(met):
                y.add(a.id, "e_workflow.updated", met, process=proc)
    yearly_duties(y, a, alive)
    if "dost" in a.tags:
        population = [b for b in by_province[a.province] if b.level != "province" and b.id != a.id]
        share = 1.0 if a.quality > 0.85 else 0.85
        for b in population:
            if rng.random() < share and (b.active_to is None or b.active_to.year >= year):
                hi = last if b.active_to is None or b.active_to.year > year else (b.active_to - dt.date(year, 1, 1)).days
                mode = "on_site" if rng.random() < 0.35 else "dossier"
                y.add(a.id, "inspection.completed", y.day(0, max(0, min(hi, last))), target=b.id, mode=mode)
    if a.successor and year == MERGE_DAY.year:
        y.add(a.id, "agency.merged", MERGE_DAY, into=a.successor)
    if a.level != "commune" and rng.random() < 0.3:
        y.add(a.id, "qms.scope_changed", y.day(0, last), scope_note="mở rộng phạm vi")
        met = on_time(rng, a, y.day(0, last) + dt.timedelta(days=30), slack=25)
        if alive(met):
            y.add(a.id, "qms.announced", met)


def yearly_duties(y: Year, a: Agency, alive: Callable[[dt.date | None], bool]) -> None:
    """The dated duties of one agency-year: audit, review, January documents, reports."""
    rng, year = y.rng, y.year
    # Internal audit and corrective actions, management review.
    audit_day = on_time(rng, a, dt.date(year, 12, 31), slack=200)
    if alive(audit_day):
        nc = rng.choice((0, 0, 1, 2, 3))
        aid = y.add(a.id, "internal_audit.completed", audit_day, nonconformities=nc)
        if nc and rng.random() < a.quality:
            fix = audit_day + dt.timedelta(days=rng.randint(5, 60))
            if alive(fix):
                y.add(a.id, "corrective_action.completed", fix, audit=aid)
    review = on_time(rng, a, dt.date(year, 12, 31), slack=150)
    if alive(review):
        y.add(a.id, "management_review.held", review, chair=f"Chủ tịch {a.id}")
    # Yearly documents in January.
    for kind in ("qms_plan", "quality_objectives", "objectives_plan", "risk_plan"):
        met = on_time(rng, a, dt.date(year, 1, 9), slack=8)
        if alive(met):
            y.add(a.id, "document.issued", met, kind=kind, number=f"{rng.randint(1, 300)}/KH")
    # Quarterly reports (communes before the 22nd, others before the 25th of the last month).
    for q in range(1, 5):
        due = dt.date(year, 3 * q, 21 if a.level == "commune" else 24)
        met = on_time(rng, a, due, slack=10)
        if alive(met):
            y.add(a.id, "report.submitted", met, report="quarterly", period=f"{year}-Q{q}")
    if "dost" in a.tags:
        for h, due in ((1, dt.date(year, 6, 30)), (2, dt.date(year, 12, 31))):
            met = on_time(rng, a, due, slack=10)
            if alive(met):
                y.add(a.id, "report.submitted", met, report="half_yearly", period=f"{year}-H{h}")
        met = on_time(rng, a, dt.date(year, 12, 14), slack=20)
        if alive(met):
            y.add(a.id, "report.submitted", met, report="annual", period=f"Năm {year}")
        met = on_time(rng, a, dt.date(year, 3, 31), slack=60)
        if alive(met):
            y.add(a.id, "document.issued", met, kind="inspection_plan")


def generate(args: argparse.Namespace) -> dict[str, int]:
    rng = random.Random(args.seed)
    agencies = build_agencies(args.agencies, rng)
    os.makedirs(os.path.join(args.out, "events"), exist_ok=True)
    write_agencies(os.path.join(args.out, "agencies.csv"), agencies)
    by_province: dict[str, list[Agency]] = {}
    for a in agencies:
        by_province.setdefault(a.province, []).append(a)
    totals = {"events": 0, "retractions": 0, "duplicates": 0, "bad": 0}
    first_year = args.end_year - args.years + 1
    for year in range(first_year, args.end_year + 1):
        y = Year(year, random.Random(f"{args.seed}-{year}"))
        laws: list[str] = []
        for p, members in sorted(by_province.items()):
            for k in range(rng.randint(4, 8)):  # legal documents in force, province-wide
                doc = f"{k + 1}/{year}/NQ-{p}"
                laws.append(doc)
                y.add(None, "legal_document.effective", y.day(), scope={"province": p}, document=doc)
        for a in agencies:
            if a.active_to is None or a.active_to.year >= year:
                agency_year(y, a, by_province, laws)
        totals["events"] += write_year(args, y, totals)
    return totals


def write_year(
    args: argparse.Namespace, y: Year, totals: dict[str, int],
    rows: Iterable[tuple[int, str, dict]] | None = None, attributes: Iterable[str] | None = None,
) -> int:
    """Write the year's rows in (date, id) order, with the re-sent, retracted and bad lines.

    *rows* (already in order) and the CSV *attributes* are given by a shape that
    makes its rows lazily; by default they are ``y.rows``, sorted here.
    """
    rng = y.rng
    if rows is None:
        y.rows.sort(key=lambda r: (r[0], r[1]))
        rows = y.rows
    suffix = ".csv" if args.csv else ".jsonl"
    name = os.path.join(args.out, "events", f"{y.year}{suffix}" + (".gz" if args.gzip else ""))
    raw = gzip.open(name, "wb", compresslevel=1) if args.gzip else open(name, "wb", buffering=1 << 20)  # noqa: SIM115
    n = 0
    with raw as fh:
        if args.csv:
            import io
            text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=True)
            cols = ["id", "type", "agency", "scope", "date", "retracts"]
            extra = sorted((set(attributes) if attributes is not None else {k for _, _, r in y.rows for k in r}) - set(cols))
            w = csv.writer(text, lineterminator="\n")
            w.writerow(cols + extra)
            def out(row: dict) -> None:
                cells = []
                for c in cols + extra:
                    v = row.get(c, "")
                    cells.append(json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list, bool)) else v)
                w.writerow(cells)
            def bad(_line: bytes) -> None:  # CSV files get no bad lines
                pass
        else:
            dumps = json.dumps
            def out(row: dict) -> None:
                fh.write(dumps(row, ensure_ascii=False).encode() + b"\n")
            def bad(line: bytes) -> None:
                fh.write(line + b"\n")
        recent: list[dict] = []
        for _, _, row in rows:
            out(row)
            n += 1
            if "agency" in row and row["type"] != "dossier.received":
                recent.append(row)
                if len(recent) > 64:
                    recent.pop(0)
            r = rng.random()
            if r < 0.0006 and recent:  # a re-sent line
                out(rng.choice(recent))
                n += 1
                totals["duplicates"] += 1
            elif r < 0.0011 and recent:  # a retraction of a recent event of the same agency
                target = rng.choice(recent)
                y.seq += 1
                out({"id": f"r-{y.year}-{y.seq}", "type": "event.retracted", "agency": target["agency"],
                     "date": row["date"], "retracts": target["id"]})
                n += 1
                totals["retractions"] += 1
            elif r < 0.00115:  # a bad line (not in CSV, nor with --no-bad: same events otherwise)
                kind = rng.randint(0, 3)
                agency = b"ZZ-UNKNOWN" if kind == 3 else row.get("agency", "P00").encode()
                if not (args.csv or args.no_bad):
                    bad((b'{"id": "x-%d", "type": "process.updated", "agency": "%s", ' % (y.seq, agency))
                        + (b'"date": "2025-13-45"}' if kind == 0 else b'"date": ' if kind == 1 else b'"date": "2025-02-03"}' if kind == 3 else b'"note": "no date"}'))
                    n += 1
                    totals["bad"] += 1
                y.seq += 1
        if args.csv:
            text.detach()
    return n


# -- the QMS shape: nearly every line a rule names -----------------------------------------

QMS_LAWS = 60
QMS_ATTRIBUTES = ("document", "title", "process", "documents", "e_workflow_updated", "version", "nonconformities",
                  "audit", "chair", "kind", "number", "report", "period", "into")


def qms_row(y: Year, agency: str, type_: str, day: dt.date, **attrs: object) -> tuple[int, str, dict]:
    """One row of *agency*, numbered in the year like :meth:`Year.add`, not stored."""
    y.seq += 1
    eid = f"{agency}-{y.year}-{y.seq}"
    row: dict[str, object] = {"id": eid, "type": type_, "agency": agency, "date": day.isoformat()}
    row.update(attrs)
    return day.toordinal(), eid, row


def generate_qms(args: argparse.Namespace) -> dict[str, int]:
    """A QMS log: ~98% ``process.updated`` correlated by ``documents`` with laws broadcast
    by ``scope`` to the communes or the departments, plus each agency's yearly duties."""
    rng = random.Random(args.seed)
    agencies = build_agencies(args.agencies, rng)
    os.makedirs(os.path.join(args.out, "events"), exist_ok=True)
    write_agencies(os.path.join(args.out, "agencies.csv"), agencies)
    totals = {"events": 0, "retractions": 0, "duplicates": 0, "bad": 0}
    years = args.years or 1
    for year in range(args.end_year - years + 1, args.end_year + 1):
        y = Year(year, random.Random(f"qms-{args.seed}-{year}"))
        answered = qms_laws_and_duties(y, agencies)
        bulk = max(0, args.events // years - len(y.rows))
        rows = qms_rows(y, agencies, answered, bulk, args.named)
        totals["events"] += write_year(args, y, totals, rows, QMS_ATTRIBUTES)
    return totals


def law_level(k: int) -> str:
    """The level law number *k* of a QMS year binds: the communes, or the departments."""
    return "commune" if k % 2 == 0 else "department"


def qms_laws_and_duties(y: Year, agencies: list[Agency]) -> dict[tuple[str, str], int]:
    """Add the laws, each bound agency's first revision naming them (on time, late or
    never), and the yearly duties; return when each agency first answered each law."""
    rng, year = y.rng, y.year
    answered: dict[tuple[str, str], int] = {}
    for k in range(QMS_LAWS):
        level = law_level(k)
        doc = f"{k + 1:02d}/{year}/TT-BKHCN"
        day = y.day(0, 300)
        y.add(None, "legal_document.effective", day, scope={"level": level}, document=doc,
              title=f"Thông tư {doc} sửa đổi quy định về tiêu chuẩn, đo lường, chất lượng")
        for a in agencies:
            if a.level != level or (a.active_to is not None and a.active_to < day):
                continue
            met = on_time(rng, a, day + dt.timedelta(days=90), slack=80)
            if met is not None and met.year == year and (a.active_to is None or met <= a.active_to):
                y.add(a.id, "process.updated", met, process=f"QT-{rng.randint(1, 60):02d}", documents=[doc],
                      e_workflow_updated=True, version=rng.randint(2, 9))
                answered[(a.id, doc)] = met.toordinal()
    for a in agencies:
        if a.active_to is not None and a.active_to.year < year:
            continue
        def alive(d: dt.date | None, a: Agency = a) -> bool:
            return d is not None and d.year == year and (a.active_to is None or d <= a.active_to)
        yearly_duties(y, a, alive)
        if a.successor and year == MERGE_DAY.year:
            y.add(a.id, "agency.merged", MERGE_DAY, into=a.successor)
    return answered


def qms_rows(
    y: Year, agencies: list[Agency], answered: dict[tuple[str, str], int], bulk: int, named: bool = False
) -> Iterator[tuple[int, str, dict]]:
    """The year's rows in (date, id) order: the stored ones and *bulk* more process
    revisions, made a day at a time so the year is never held whole. A revision names
    a law only once its agency has answered it, so it changes no outcome (*named*: else
    the neighbouring law of the other level, which does not bind it); one in 300
    leaves its electronic workflow for later (``e_workflow.updated``)."""
    rng, year = y.rng, y.year
    laws = [row["document"] for _, _, row in y.rows if row["type"] == "legal_document.effective"]
    # Each law's level, and its neighbour k ^ 1, of the other level.
    binding = {doc: (law_level(k), laws[k ^ 1] if k ^ 1 < len(laws) else doc) for k, doc in enumerate(laws)}
    stored: dict[int, list[tuple[int, str, dict]]] = {}
    for r in y.rows:
        stored.setdefault(r[0], []).append(r)
    y.rows = []
    for offset in range(y.days):
        day = dt.date.fromordinal(y.first + offset)
        today = stored.pop(day.toordinal(), [])
        alive = [a for a in agencies if a.active_to is None or a.active_to >= day]
        for _ in range(bulk // y.days + (1 if offset < bulk % y.days else 0)):
            a = rng.choice(alive)
            doc = rng.choice(laws) if laws else ""
            docs = [doc] if answered.get((a.id, doc), 1 << 30) <= day.toordinal() else []
            if named and not docs and doc:
                level, neighbour = binding[doc]
                docs = [neighbour if level == a.level else doc]
            proc = f"QT-{rng.randint(1, 60):02d}"
            ewf = rng.random() >= 1 / 300
            today.append(qms_row(y, a.id, "process.updated", day, process=proc, documents=docs,
                                 e_workflow_updated=ewf, version=rng.randint(2, 9)))
            if not ewf:
                met = on_time(rng, a, day + dt.timedelta(days=2), slack=2)
                if met is not None and met > day and met.year == year and (a.active_to is None or met <= a.active_to):
                    r = qms_row(y, a.id, "e_workflow.updated", met, process=proc)
                    stored.setdefault(r[0], []).append(r)
                elif met is not None and met == day:
                    today.append(qms_row(y, a.id, "e_workflow.updated", met, process=proc))
        today.sort(key=lambda r: r[1])
        yield from today


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--agencies", type=int, default=4000)
    p.add_argument("--shape", choices=("mixed", "qms"), default="mixed",
                   help="mixed: mostly dossiers no rule names (default); qms: nearly every line a rule names")
    p.add_argument("--years", type=int, default=None, help="years of events (default: 10 mixed, 1 qms)")
    p.add_argument("--events", type=int, default=2_000_000, help="qms: about this many lines in all")
    p.add_argument("--end-year", type=int, default=2025)
    p.add_argument("--seed", type=int, default=2025)
    p.add_argument("--gzip", action="store_true", help="write .jsonl.gz (or .csv.gz)")
    p.add_argument("--csv", action="store_true", help="write CSV instead of JSON Lines (no bad lines)")
    p.add_argument("--no-bad", action="store_true", help="no bad lines: the JSON Lines twin of --csv")
    p.add_argument("--named", action="store_true", help="qms: every revision names a law (none idle; the same results)")
    args = p.parse_args(argv)
    if args.shape == "qms":
        totals = generate_qms(args)
    else:
        args.years = 10 if args.years is None else args.years
        totals = generate(args)
    sys.stderr.write(f"generate: {totals} under {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
