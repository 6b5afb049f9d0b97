"""Orchestrate a batch: plan, route, evaluate, reconcile, write (see :mod:`hanchot.batch`)."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from hanchot.batch.history import check_history, list_runs, record_run
from hanchot.batch.history import connect as history_connect
from hanchot.batch.outfolder import (
    SUMMARY,
    OutputFolder,
    check_replaceable,
    file_facts,
    test_kill_point,
)
from hanchot.batch.partition import (
    idle_of,
    lent_inputs,
    never_light,
    run_check,
    run_partition,
)
from hanchot.batch.plan import Plan
from hanchot.batch.pool import DEFAULT_TIMEOUT, DaskPool, Job, LocalPool, Outcome
from hanchot.batch.progress import Progress
from hanchot.batch.route import (
    peak_rss_kib,
    route_slices,
    run_route,
)
from hanchot.batch.wire import DIGEST_GROUPS as GROUPS
from hanchot.batch.wire import (
    CheckTask,
    Config,
    LightSpec,
    PartitionResult,
    PartitionTask,
    RouteResult,
    RouteTask,
)
from hanchot.errors import EnvironmentFailure, ExitCode, InputError
from hanchot.inputs import Agency, read_agencies
from hanchot.inputs.events import EventFiles, Rejection, check_encoding, list_event_files
from hanchot.output import CSV_FIELDS
from hanchot.rules.loader import load_pack
from hanchot.rules.model import RulePack

T = TypeVar("T")

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE, EXIT_PARTITION_FAILED = ExitCode.OK, ExitCode.VIOLATIONS, ExitCode.USAGE, ExitCode.PARTITION_FAILED
FORMATS = ("jsonl", "csv", "parquet")


@dataclass
class BatchOptions:
    """The arguments of ``hanchot batch``."""

    pack: str
    agencies: Path
    events: Sequence[Path]
    as_of: dt.date
    output: Path
    jobs: int | None = None
    format: str = "jsonl"
    history: Path | None = None
    known_at: dt.date | None = None
    lang: str = "en"
    calendars: Sequence[Path] = ()
    scheduler: Any = None  # an address, or a distributed.Client
    progress: bool | None = None  # None: a bar on a terminal, log lines otherwise
    buckets: int = 128
    slice_bytes: int = 64 << 20
    partition_bytes: int = 96 << 20  # of spilled lines per partition, bounds worker memory
    spill_dir: Path | None = None
    reports: Sequence[str] = ()  # formats of hanchot.writers that write a batch (html, xlsx, ics)
    report_lang: str | None = None  # None: each report format's own default
    partition_timeout: float = DEFAULT_TIMEOUT  # seconds a worker task may run before it is killed


@dataclass
class BatchResult:
    exit_code: int
    summary: dict[str, Any] = field(default_factory=dict)


class _Groups:
    """Union-find over partition ids."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, *xs: int) -> None:
        roots = sorted({self.find(x) for x in xs})
        for r in roots[1:]:
            self.parent[r] = roots[0]


@dataclass
class Setup:
    """What every stage shares: the inputs read and checked, the pool, the spill and output folders."""

    pack: RulePack
    agencies: list[Agency]
    listing: EventFiles
    plan: Plan
    members: list[list[str]]
    pool: LocalPool | DaskPool
    spill_root: str
    config: Config
    progress: Progress
    folder: OutputFolder
    started: dt.datetime
    t_start: float
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class Routed:
    """The route stage's result: every line in its bucket's spill, and what the partitions must know."""

    tasks: list[RouteTask]
    results: list[RouteResult]
    task_table: list[tuple[int, str, str, int, Any]]  # (route, kind, name, base line, chunks by bucket)
    sizes: Counter[int]  # spilled bytes by bucket
    home_lines: Counter[int]  # lines by home bucket
    broadcasts: dict[str, set[tuple[int, ...]]]  # broadcast id -> the bucket sets it was routed to
    pre_merge: list[tuple[int, ...]]  # buckets that must share a partition from the start
    total_lines: int


@dataclass
class RouteFailure:
    """The route stage's result when an input file could not be read."""

    failed: list[tuple[RouteTask, Any]]


@dataclass
class Partitioning:
    """The plan stage's result: the first partitions, as tuples of buckets, biggest first."""

    partitions: list[tuple[int, ...]]


@dataclass
class Evaluated:
    """The evaluate and reconcile stages' result: each final partition's result or failure."""

    results: dict[tuple[int, ...], PartitionResult]
    failures: dict[tuple[int, ...], dict[str, Any]]
    rounds: int
    merged: list[list[int]]


@dataclass
class Written:
    """The write stage's result: the summary so far, and what the history records."""

    summary: dict[str, Any]
    violations: list[Any]
    failed_agencies: list[str]
    exit_code: int


def run_batch(opts: BatchOptions) -> BatchResult:
    """Run the batch; write the output folder; return the exit code and summary.

    The stages, each taking and returning a typed result: :func:`prepare` →
    :func:`route` → :func:`plan_partitions` → :func:`evaluate` (with reconcile)
    → :func:`write` → :func:`publish`.
    """
    setup = prepare(opts)
    try:
        with lent_inputs(setup.config.pack, setup.config.agencies, setup.pack, setup.agencies):
            return _run(opts, setup)
    finally:
        setup.pool.close()
        setup.folder.discard()  # nothing left once committed; a failed run's half-written set
        shutil.rmtree(setup.spill_root, ignore_errors=True)


def _run(opts: BatchOptions, setup: Setup) -> BatchResult:
    """The stages after :func:`prepare`."""
    routed = route(opts, setup)
    if isinstance(routed, RouteFailure):
        return _route_failure(opts, setup.folder, routed.failed, setup.timings, setup.started)
    test_kill_point("routed")
    evaluated = evaluate(setup, routed, plan_partitions(opts, setup, routed))
    test_kill_point("evaluated")
    written = write(opts, setup, routed, evaluated)
    history = None
    if opts.history is not None:
        history = _History(opts.history, setup.started, setup.pack.id, opts.as_of, setup.listing.files,
                           written.violations, written.failed_agencies)  # fmt: skip
    reports = _Reports(setup.pack, setup.agencies) if opts.reports else None
    _publish(opts, setup.folder, written.summary, setup.timings, setup.t_start, routed.total_lines, history, reports)
    setup.progress.finish(written.summary)
    return BatchResult(written.exit_code, written.summary)


def prepare(opts: BatchOptions) -> Setup:
    """Read and check every input before any work; start the pool; make the spill and output folders."""
    t_start = time.perf_counter()
    started = dt.datetime.now(dt.UTC)
    if opts.format not in FORMATS:
        raise InputError(f"--format: expected one of {', '.join(FORMATS)}, got {opts.format!r}")
    pack = load_pack(opts.pack)
    pack_ref = opts.pack if not os.path.exists(opts.pack) else os.path.abspath(opts.pack)
    agencies = read_agencies(opts.agencies)
    listing = list_event_files(opts.events)
    files = listing.files
    for name in files:
        check_encoding(name)  # a UTF-16 file, or a .gz that is not gzip, is refused before any work
    if opts.format == "parquet":
        try:
            import pyarrow  # type: ignore[import-untyped,unused-ignore]  # noqa: F401
        except ImportError:
            raise InputError("--format parquet needs pyarrow: pip install 'hanchot[parquet]'") from None
    if opts.history is not None:
        check_history(opts.history)  # refused before hours of work, and left untouched
    check_replaceable(opts.output)  # refused before any work; the folder is made just before it
    plan = Plan.build(agencies, opts.buckets)
    pool: LocalPool | DaskPool
    if opts.scheduler is not None:
        pool = DaskPool(opts.scheduler)
    else:
        pool = LocalPool(opts.jobs or os.cpu_count() or 1, timeout=opts.partition_timeout)
    try:
        spill_root = tempfile.mkdtemp(prefix="hanchot-batch-", dir=opts.spill_dir)
    except OSError as exc:
        pool.close()
        raise EnvironmentFailure(f"--spill-dir {opts.spill_dir or tempfile.gettempdir()}: {exc.strerror or exc}") from None
    config = Config(
        pack=pack_ref,
        agencies=os.path.abspath(opts.agencies),
        calendars=tuple(os.path.abspath(c) for c in opts.calendars),
        as_of=opts.as_of,
        known_at=opts.known_at,
        lang=opts.lang,
        format=opts.format,
        spill_dir=spill_root,
        digest=pool.digest,
    )
    total_bytes = sum(os.path.getsize(f) for f in files)
    progress = Progress(opts.progress, total_bytes=total_bytes, files=files, agencies=len(agencies))
    try:
        folder = OutputFolder(opts.output)
    except OSError as exc:
        pool.close()
        shutil.rmtree(spill_root, ignore_errors=True)
        raise EnvironmentFailure(f"--output {opts.output}: cannot create the output folder ({exc.strerror or exc})") from None
    return Setup(pack, agencies, listing, plan, plan.members(), pool, spill_root, config, progress, folder, started, t_start)


def route(opts: BatchOptions, setup: Setup) -> Routed | RouteFailure:
    """Route every line of every file (in slices, in parallel) to its bucket's spill."""
    t0 = time.perf_counter()
    tasks = [
        RouteTask(i, name, start, end)
        for i, (name, start, end) in enumerate(route_slices(setup.listing.files, opts.slice_bytes, setup.pool.jobs))
    ]
    light = LightSpec(never_light(setup.pack), opts.as_of, opts.known_at, idle_of(setup.pack, setup.agencies))
    setup.progress.phase("read")
    args = (setup.plan, setup.spill_root, light)  # one tuple: the pool sends it once to each worker
    outcomes = setup.pool.run(
        [Job(t.task, run_route, t, args) for t in tasks],
        progress=lambda _key, n: setup.progress.read(n),
    )
    _raise_unusable(outcomes)
    failed = [(tasks[o.key], o.value) for o in outcomes if not o.ok]
    results: list[RouteResult] = [o.value for o in outcomes if o.ok]
    setup.timings["route"] = time.perf_counter() - t0
    setup.progress.done_phase()
    if failed:
        return RouteFailure(failed)
    by_task = {r.task: r for r in results}
    bases: dict[int, int] = {}
    running: dict[str, int] = {}
    for t in tasks:  # a slice's lines are numbered from the lines of the file's slices before it
        bases[t.task] = running.get(t.name, 0)
        running[t.name] = bases[t.task] + by_task[t.task].lines
    task_table = [(t.task, t.kind, t.name, bases[t.task], by_task[t.task].chunks) for t in tasks]
    sizes = Counter[int]()
    home_lines = Counter[int]()
    broadcasts: dict[str, set[tuple[int, ...]]] = {}
    pre_merge: list[tuple[int, ...]] = []
    for r in results:
        sizes.update(r.copies)
        home_lines.update(r.home)
        for event_id, sets in r.broadcasts.items():
            broadcasts.setdefault(event_id, set()).update(sets)
        for event_id in r.retracting_broadcasts:
            pre_merge.append(tuple(b for s in r.broadcasts.get(event_id, []) for b in s))
    for event_id, routings in broadcasts.items():
        if len(routings) > 1:
            pre_merge.append(tuple(b for s in routings for b in s))
    return Routed(tasks, results, task_table, sizes, home_lines, broadcasts, pre_merge, sum(home_lines.values()))


def plan_partitions(opts: BatchOptions, setup: Setup, routed: Routed) -> Partitioning:
    """Bundle the buckets into the first partitions.

    At least 3 partitions per worker, at most ``partition_bytes`` each, a multiple
    of the workers so that none idles at the end; evaluated biggest first.
    """
    sizes, jobs = routed.sizes, setup.pool.jobs
    total_bytes = sum(sizes.values())
    count = max(jobs * 3, -(-total_bytes // opts.partition_bytes))
    count = -(-count // jobs) * jobs
    target = max(1, -(-total_bytes // count))
    cut: dict[int, list[int]] = {}
    filled = 0
    for b in range(setup.plan.buckets):  # contiguous ranges of buckets, by the middle of each
        cut.setdefault(min(count - 1, int((filled + sizes.get(b, 0) / 2) // target)), []).append(b)
        filled += sizes.get(b, 0)
    partitions = [bs for _, bs in sorted(cut.items())]
    partition_of_bucket = {b: p for p, bs in enumerate(partitions) for b in bs}
    groups = _Groups()
    for bs in routed.pre_merge:
        if bs:
            groups.union(*(partition_of_bucket[b] for b in bs))
    current = _regroup(partitions, groups)
    return Partitioning(sorted(current, key=lambda bs: -sum(sizes.get(b, 0) for b in bs)))


def evaluate(setup: Setup, routed: Routed, partitioning: Partitioning) -> Evaluated:
    """Evaluate the partitions in parallel; reconcile; evaluate again the partitions that must be merged."""
    t0 = time.perf_counter()
    timings, pool, members = setup.timings, setup.pool, setup.members
    setup.progress.phase("evaluate", total=routed.total_lines)
    results: dict[tuple[int, ...], PartitionResult] = {}
    failures: dict[tuple[int, ...], dict[str, Any]] = {}
    rounds = 0
    merged_groups: list[list[int]] = []
    todo = partitioning.partitions
    args = (setup.config,)
    while todo:
        rounds += 1
        outcomes = pool.run(
            [Job(bs, run_partition, _task(i, bs, routed.task_table), args) for i, bs in enumerate(todo)],
            progress=lambda _key, n: setup.progress.evaluated(n),
            done=lambda o: setup.progress.agencies_done(sum(len(members[b]) for b in o.key)),
        )
        _raise_unusable(outcomes)
        for o in outcomes:
            if o.ok:
                results[o.key] = o.value
                failures.pop(o.key, None)
            else:
                failures[o.key] = {**o.value, "attempts": o.attempts}
        t_rec = time.perf_counter()
        merges = _reconcile(pool, results, routed.broadcasts, setup.plan, partition_of_bucket_fn(results, failures))
        timings["reconcile"] = timings.get("reconcile", 0.0) + time.perf_counter() - t_rec
        todo = _merge(merges, results, failures)
        merged_groups.extend(list(new) for new in todo)
        if rounds >= 4 and todo:  # cannot happen (one round suffices); keep it bounded anyway
            todo = [tuple(sorted(b for k in list(results) + list(failures) + todo for b in k))]
            results.clear()
            failures.clear()
    timings["evaluate"] = time.perf_counter() - t0 - timings.get("reconcile", 0.0)
    setup.progress.done_phase()
    return Evaluated(results, failures, rounds, merged_groups)


def _merge(
    merges: list[set[tuple[int, ...]]],
    results: dict[tuple[int, ...], PartitionResult],
    failures: dict[tuple[int, ...], dict[str, Any]],
) -> list[tuple[int, ...]]:
    """The partitions to evaluate again, each the union of partitions *merges* joins; theirs are dropped."""
    todo: list[tuple[int, ...]] = []
    if not merges:
        return todo
    g = _Groups()
    keys = list(results) + list(failures)
    index_of = {k: i for i, k in enumerate(keys)}
    for merge in merges:
        g.union(*(index_of[k] for k in merge))
    clusters: dict[int, list[tuple[int, ...]]] = {}
    for k in keys:
        clusters.setdefault(g.find(index_of[k]), []).append(k)
    for ks in clusters.values():
        if len(ks) > 1:
            for k in ks:
                results.pop(k, None)
                failures.pop(k, None)
            todo.append(tuple(sorted(b for k in ks for b in k)))
    return todo


def write(opts: BatchOptions, setup: Setup, routed: Routed, evaluated: Evaluated) -> Written:
    """Write obligations, violations and rejected lines into the new set; build the summary."""
    t0 = time.perf_counter()
    results, failures, members, pool = evaluated.results, evaluated.failures, setup.members, setup.pool
    folder = setup.folder
    summary = _summarise(opts, setup.pack.id, results, failures, routed.broadcasts, members, routed.home_lines, routed.total_lines)
    if setup.listing.skipped:  # as hanchot check says it: only when a folder held other files
        summary["input"]["skipped_files"] = setup.listing.skipped_reasons()
    violations = [v for r in results.values() for v in r.violations]
    _writing(opts, lambda: _write_outputs(folder.path, opts.format, results))
    summary["files"] = _writing(opts, lambda: {p.name: file_facts(p) for p in sorted(folder.path.iterdir())})
    test_kill_point("written")
    setup.timings["write"] = time.perf_counter() - t0
    failed_agencies = sorted(a for k in failures for b in k for a in members[b])
    exit_code = EXIT_PARTITION_FAILED if failures else EXIT_VIOLATIONS if violations else EXIT_OK
    summary["partitions"] = {
        "count": len(results) + len(failures),
        "buckets": setup.plan.buckets,
        "rounds": evaluated.rounds,
        "merged": evaluated.merged,
        "failed": [
            {"buckets": list(k), "agencies": sorted(a for b in k for a in members[b]), **v}
            for k, v in sorted(failures.items())
        ],
    }
    summary["run"] = {
        "id": f"{setup.started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}",
        "started": setup.started.isoformat(timespec="seconds"),
        "jobs": pool.jobs,
        "scheduler": None if opts.scheduler is None else str(getattr(opts.scheduler, "scheduler", opts.scheduler)),
        "workers": pool.method if isinstance(pool, LocalPool) else "dask",  # how local workers started
        "exit_code": exit_code,
    }
    worker_peak = max([r.peak_rss_kib for r in results.values()] + [r.peak_rss_kib for r in routed.results] + [0])
    summary["memory"] = {
        "parent_peak_rss_mib": round(peak_rss_kib() / 1024, 1),
        "worker_peak_rss_mib": round(worker_peak / 1024, 1),
        "bound_mib": round((peak_rss_kib() + min(pool.jobs, max(1, len(results))) * worker_peak) / 1024, 1),
    }
    summary["work"] = {
        "light_events": sum(r.light for r in results.values()),
        **{k: sum(r.matcher.get(k, 0) for r in results.values()) for k in ("cache_hits", "backend_calls", "posts")},
        "worker_seconds": {
            k: round(sum(r.seconds.get(k, 0.0) for r in results.values()), 2)
            for k in ("read_parse_store", "account", "evaluate", "write")
        },
    }
    return Written(summary, violations, failed_agencies, exit_code)


@dataclass
class _History:
    """What a run records in its history."""

    path: Path
    started: dt.datetime
    pack: str
    as_of: dt.date
    files: list[str]
    violations: list[Any]
    failed_agencies: list[str]


@dataclass
class _Reports:
    """What the reports people read (``--report``) need besides the output folder."""

    pack: RulePack
    agencies: list[Agency]


def _publish(
    opts: BatchOptions,
    folder: OutputFolder,
    summary: dict[str, Any],
    timings: dict[str, float],
    t_start: float,
    total_lines: int,
    history: _History | None,
    reports: _Reports | None,
) -> None:
    """Record the run in the history, write the reports and summary.json, put the new set in place.

    The history's one transaction is open while the folder is swapped and is
    committed only after: a run the history records always has its outputs in place.
    The reports are written into the new set before it is swapped in, so they
    appear with it, and show the history with this run in it.
    """
    with ExitStack() as stack:
        if history is not None:
            t0 = time.perf_counter()
            db = stack.enter_context(history_connect(history.path, write=True))
            summary["history"] = record_run(
                db,
                started=history.started.isoformat(timespec="seconds"),
                pack=history.pack,
                as_of=history.as_of,
                events=[os.path.abspath(f) for f in history.files],
                violations=history.violations,
                failed_agencies=history.failed_agencies,
            )
            timings["history"] = time.perf_counter() - t0
        if reports is not None:
            t0 = time.perf_counter()
            runs = list_runs(db) if history is not None else None
            _writing(opts, lambda: _write_reports(opts, folder.path, summary, reports, runs))
            timings["reports"] = time.perf_counter() - t0
        timings["total"] = time.perf_counter() - t_start
        summary["timings_s"] = {k: round(v, 3) for k, v in timings.items()}
        summary["rate_events_per_s"] = round(total_lines / timings["total"]) if timings["total"] else None
        _writing(opts, lambda: _write_summary(folder.path, summary))
        _writing(opts, folder.commit)
        if history is not None:
            test_kill_point("published")
            db.commit()


def _write_reports(
    opts: BatchOptions, folder: Path, summary: dict[str, Any], reports: _Reports, runs: list[dict[str, Any]] | None
) -> None:
    """Write the ``--report`` formats into *folder*; list each file in the summary with its facts."""
    from hanchot.writers.batch import write_reports

    written = write_reports(folder, opts.reports, summary, pack=reports.pack, agencies=reports.agencies,
                            lang=opts.report_lang, runs=runs)  # fmt: skip
    for path in sorted(written):
        summary["files"][path.relative_to(folder).as_posix()] = file_facts(path)


def _write_summary(folder: Path, summary: dict[str, Any]) -> None:
    with open(folder / SUMMARY, "w", encoding="utf-8") as fh:
        json.dump(summary, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())


def _writing(opts: BatchOptions, write: Callable[[], T]) -> T:
    """Run *write*; a failure of the file system (disk full, no permission) is an :class:`EnvironmentFailure`."""
    try:
        return write()
    except EnvironmentFailure:
        raise
    except OSError as exc:
        where = exc.filename or opts.output
        raise EnvironmentFailure(
            f"{where}: cannot write the batch output ({exc.strerror or exc}); "
            f"{opts.output} still holds the previous run's outputs"
        ) from None


def _raise_unusable(outcomes: list[Outcome]) -> None:
    """Stop the run on a task that found unusable input (exit 2) or a full or read-only disk (exit 4)."""
    for o in outcomes:
        if o.input_error:
            raise InputError(o.value)
        if o.environment_error:
            raise EnvironmentFailure(f"{o.value} (in a worker; the previous outputs are left as they were)")


def partition_of_bucket_fn(
    results: dict[tuple[int, ...], PartitionResult], failures: dict[tuple[int, ...], Any]
) -> dict[int, tuple[int, ...]]:
    return {b: k for k in list(results) + list(failures) for b in k}


def _regroup(partitions: list[list[int]], groups: _Groups) -> list[tuple[int, ...]]:
    merged: dict[int, list[int]] = {}
    for p, bs in enumerate(partitions):
        merged.setdefault(groups.find(p), []).extend(bs)
    return [tuple(sorted(bs)) for bs in merged.values() if bs]


def _task(i: int, buckets: tuple[int, ...], task_table: Any) -> PartitionTask:
    """The partition of *buckets*: for each route task, the chunks of its spill that hold them."""
    return PartitionTask.of(i, buckets, task_table)


def _reconcile(
    pool: LocalPool | DaskPool,
    results: dict[tuple[int, ...], PartitionResult],
    broadcasts: dict[str, set[tuple[int, ...]]],
    plan: Plan,
    where: dict[int, tuple[int, ...]],
) -> list[set[tuple[int, ...]]]:
    """Groups of partitions that must be evaluated together (see :mod:`hanchot.batch`)."""
    merges: list[set[tuple[int, ...]]] = []

    def with_buckets(key: tuple[int, ...], buckets: Any) -> None:
        group = {key} | {where[b] for b in buckets if b in where}
        if len(group) > 1:
            merges.append(group)

    broadcast_of_digest: dict[int, str] = {}
    for key, r in results.items():
        broadcast_of_digest.update(r.broadcast_digests)
        for agency in r.misrouted:
            with_buckets(key, [plan.bucket_of[agency]])
        for event_id, expected in r.home_scopes:
            routed = broadcasts.get(event_id, set())
            if routed != {expected}:
                with_buckets(key, expected)
        for event_id in r.shadow_mismatch + r.broadcast_dups + [t for t in r.retracted if t in broadcasts]:
            for buckets in broadcasts.get(event_id, ()):
                with_buckets(key, buckets)
    # Ids kept by two partitions, and retractions whose target another partition holds:
    # one check task per digest group, on the pool.
    wanted: dict[int, list[tuple[int, ...]]] = {}
    for key, r in results.items():
        for d in r.unknown_targets:
            wanted.setdefault(d, []).append(key)
    jobs = [
        Job(
            ("check", g),
            run_check,
            CheckTask(g, tuple((key, r.digest_files[g]) for key, r in results.items()), tuple(d for d in wanted if d & (GROUPS - 1) == g)),
        )
        for g in range(GROUPS)
    ]
    for outcome in pool.run(jobs):
        owners = outcome.value if outcome.ok else run_check(jobs[outcome.key[1]].spec)
        for d, keys in owners.items():
            group = set(keys) | set(wanted.get(d, ()))
            broadcast = broadcast_of_digest.get(d)
            if broadcast is not None:
                for buckets in broadcasts.get(broadcast, ()):
                    group |= {where[b] for b in buckets if b in where}
            if len(group) > 1:
                merges.append(group)
    return merges


def _summarise(
    opts: BatchOptions,
    pack_id: str,
    results: dict[tuple[int, ...], PartitionResult],
    failures: dict[tuple[int, ...], Any],
    broadcasts: dict[str, set[tuple[int, ...]]],
    members: list[list[str]],
    home_lines: Counter[int],
    total_lines: int,
) -> dict[str, Any]:
    ignored: Counter[str] = Counter()
    read = used = duplicates = conflicts = rejected = 0
    placed = {i for r in results.values() for i in r.placed_shadows}
    for r in results.values():
        read += r.read
        used += r.used
        duplicates += r.duplicates
        conflicts += r.conflicts
        rejected += len(r.rejected)
        ignored.update(r.ignored)
        for event_id in r.pending_broadcasts:  # not placed at home, placed by a shadow copy
            if event_id in placed:
                ignored["no_applicable_agency"] -= 1
                used += 1
    ignored = +ignored
    by_status: Counter[str] = Counter()
    by_rule: dict[str, Counter[str]] = {}
    by_level: dict[str, Counter[str]] = {}
    for r in results.values():
        by_status.update(r.by_status)
        for k, v in r.by_rule.items():
            by_rule.setdefault(k, Counter()).update(v)
        for k, v in r.by_level.items():
            by_level.setdefault(k, Counter()).update(v)
    lost = sum(home_lines[b] for k in failures for b in k)
    inputs: dict[str, Any] = {
        "read": read,
        "used": used,
        "ignored": sum(ignored.values()),
        "duplicates": duplicates,
        "conflicts": conflicts,
        "rejected": rejected,
        "ignored_because": dict(sorted(ignored.items())),
    }
    if failures:
        inputs["in_failed_partitions"] = lost
    inputs["lines"] = total_lines
    violations = sum(n for s, n in by_status.items() if s in ("overdue", "met_late"))
    summary: dict[str, Any] = {
        "pack": pack_id,
        "as_of": opts.as_of.isoformat(),
    }
    if opts.known_at is not None:
        summary["known_at"] = opts.known_at.isoformat()
    summary["format"] = opts.format
    summary["input"] = inputs
    summary["obligations"] = {
        "total": sum(by_status.values()),
        "violations": violations,
        "by_status": dict(sorted(by_status.items())),
        "by_rule": {k: dict(sorted(v.items())) for k, v in sorted(by_rule.items())},
        "by_agency_level": {k: dict(sorted(v.items())) for k, v in sorted(by_level.items())},
    }
    conflict_list = sorted((c for r in results.values() for c in r.conflict_list), key=lambda c: c.sort_key())
    summary["conflicts"] = [c.to_dict() for c in conflict_list]
    summary["files"] = {
        "obligations": f"obligations.{opts.format}",
        "violations": f"violations.{opts.format}",
        "rejected": f"rejected.{opts.format}",
    }
    return summary


REJECTED_FIELDS = ("file", "line", "field", "reason", "raw")


def _write_outputs(folder: Path, fmt: str, results: dict[tuple[int, ...], PartitionResult]) -> None:
    runs = sorted(((run[0], r, run) for r in results.values() for run in r.runs), key=lambda x: x[0])
    tmp_ext = "jsonl" if fmt == "parquet" else fmt
    for which, path_attr, lo, hi in (("obligations", "obligations_file", 1, 2), ("violations", "violations_file", 3, 4)):
        target = folder / f"{which}.{tmp_ext}"
        handles: dict[str, Any] = {}
        try:
            with open(target, "wb") as out:
                if fmt == "csv":
                    out.write((",".join(CSV_FIELDS) + "\n").encode())
                for _, r, run in runs:
                    start, end = int(run[lo]), int(run[hi])
                    if end > start:
                        name = getattr(r, path_attr)
                        fh = handles.get(name)
                        if fh is None:
                            fh = handles[name] = open(name, "rb")  # noqa: SIM115
                        fh.seek(start)
                        out.write(fh.read(end - start))
        finally:
            for fh in handles.values():
                fh.close()
        if fmt == "parquet":
            _jsonl_to_parquet(target, folder / f"{which}.parquet", _obligation_schema())
            target.unlink()
    rejected = sorted((x for r in results.values() for x in r.rejected), key=lambda x: (x.file, x.line, x.field))
    _write_rejected(folder, fmt, rejected)


def _obligation_schema() -> Any:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    return pa.schema(
        [
            ("rule", pa.string()),
            ("agency", pa.string()),
            ("period", pa.string()),
            ("trigger", pa.string()),
            ("opens", pa.string()),
            ("due", pa.string()),
            ("status", pa.string()),
            ("satisfied_by", pa.list_(pa.string())),
            ("basis", pa.string()),
            ("explanation", pa.list_(pa.string())),
        ]
    )


def _jsonl_to_parquet(source: Path, target: Path, schema: Any, batch: int = 50_000) -> None:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    with pq.ParquetWriter(target, schema) as writer, open(source, "rb") as fh:
        rows: list[dict[str, Any]] = []
        for line in fh:
            rows.append(json.loads(line))
            if len(rows) >= batch:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows.clear()
        writer.write_table(pa.Table.from_pylist(rows, schema=schema))


def _write_rejected(folder: Path, fmt: str, rejected: list[Rejection]) -> None:
    if fmt == "csv":
        import csv

        with open(folder / "rejected.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=REJECTED_FIELDS, lineterminator="\n")
            w.writeheader()
            for r in rejected:
                w.writerow(r.to_dict())
    elif fmt == "parquet":
        import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
        import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

        schema = pa.schema([("file", pa.string()), ("line", pa.int64()), ("field", pa.string()), ("reason", pa.string()), ("raw", pa.string())])
        pq.write_table(pa.Table.from_pylist([r.to_dict() for r in rejected], schema=schema), folder / "rejected.parquet")
    else:
        with open(folder / "rejected.jsonl", "w", encoding="utf-8") as fh:
            for r in rejected:
                fh.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")


def _route_failure(
    opts: BatchOptions, folder: OutputFolder, failed: list[tuple[RouteTask, Any]], timings: dict[str, float], started: dt.datetime
) -> BatchResult:
    """The run's set when an input file could not be read: summary.json alone, naming the files."""
    summary: dict[str, Any] = {
        "pack": opts.pack,
        "as_of": opts.as_of.isoformat(),
        "failed_reading": [
            {"file": t.name, "bytes": [t.start, t.end], **v} for t, v in failed
        ],
        "run": {
            "id": f"{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}",
            "started": started.isoformat(timespec="seconds"),
            "exit_code": EXIT_PARTITION_FAILED,
        },
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
        "files": {},
    }
    _writing(opts, lambda: _write_summary(folder.path, summary))
    _writing(opts, folder.commit)
    return BatchResult(EXIT_PARTITION_FAILED, summary)
