"""``hanchot batch``: equal to ``hanchot check``, deterministic, resilient, with history."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from hanchot.batch import runner
from hanchot.batch.pool import Job, LocalPool, start_method
from hanchot.cli import main

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-01-31"


def _generate(out: Path, *flags: str) -> Path:
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--out", str(out), "--agencies", "60", "--years", "2", *flags],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny synthetic country (about 16,000 events, with bad lines, duplicates, retractions, broadcasts)."""
    return _generate(tmp_path_factory.mktemp("country"))


def _argv(country: Path, out: Path, *extra: str, events: Path | None = None) -> list[str]:
    return [
        "batch", "--pack", "hue-2025", "--agencies", str(country / "agencies.csv"),
        "--events", str(events or country / "events"), "--as-of", AS_OF, "--output", str(out), "--quiet", *extra,
    ]


def _batch(country: Path, out: Path, *extra: str, events: Path | None = None) -> int:
    return main(_argv(country, out, *extra, events=events))


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def jobs2(country: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The batch output with two worker processes."""
    out = tmp_path_factory.mktemp("jobs2")
    assert _batch(country, out, "--jobs", "2") == 1
    return out


def test_batch_equals_check(country: Path, jobs2: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Obligations, rejected lines and input accounting are those of ``hanchot check`` on the same input."""
    report = tmp_path / "check.json"
    code = main(["check", "--pack", "hue-2025", "--agencies", str(country / "agencies.csv"), "--events",
                 str(country / "events"), "--as-of", AS_OF, "--format", "json", "--output", str(report)])
    assert code == 1
    expected = json.loads(report.read_text(encoding="utf-8"))
    summary = json.loads((jobs2 / "summary.json").read_text(encoding="utf-8"))
    assert _lines(jobs2 / "obligations.jsonl") == expected["obligations"]
    assert _lines(jobs2 / "violations.jsonl") == [o for o in expected["obligations"] if o["status"] in ("overdue", "met_late")]
    assert _lines(jobs2 / "rejected.jsonl") == expected["rejected"]
    accounting = {k: v for k, v in summary["input"].items() if k != "lines"}
    assert accounting == expected["input"]
    i = summary["input"]
    assert i["read"] == i["used"] + i["ignored"] + i["duplicates"] + i["rejected"] == i["lines"]
    assert i["duplicates"] > 0 and i["rejected"] > 0 and i["ignored_because"]["retracted"] > 0
    assert summary["partitions"]["count"] > 2 and not summary["partitions"]["failed"]
    assert summary["obligations"]["total"] == len(expected["obligations"])


def test_jobs1_equals_jobs2(country: Path, jobs2: Path, tmp_path: Path) -> None:
    """One worker process writes byte for byte what two write."""
    assert _batch(country, tmp_path, "--jobs", "1") == 1
    for name in ("obligations.jsonl", "violations.jsonl", "rejected.jsonl"):
        assert (tmp_path / name).read_bytes() == (jobs2 / name).read_bytes()


def test_spawned_workers_equal_forked_ones(country: Path, jobs2: Path, tmp_path: Path) -> None:
    """The command line's process runs one thread, so its workers are forked (they start without
    importing anything again; not on macOS); with a second thread running they are spawned
    instead (a fork could copy a lock that thread holds). Either way the output is byte for
    byte the same."""
    forked, spawned = tmp_path / "forked", tmp_path / "spawned"
    run = subprocess.run([sys.executable, "-m", "hanchot", *_argv(country, forked, "--jobs", "2")], cwd=ROOT, check=False)
    assert run.returncode == 1
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert _batch(country, spawned, "--jobs", "2") == 1
    finally:
        stop.set()
        other.join()
    for out, method in ((forked, "spawn" if sys.platform == "darwin" else "fork"), (spawned, "spawn")):
        assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["run"]["workers"] == method
        for name in ("obligations.jsonl", "violations.jsonl", "rejected.jsonl"):
            assert (out / name).read_bytes() == (jobs2 / name).read_bytes()


@pytest.mark.skipif(start_method() != "fork", reason="workers are spawned here: they read the inputs themselves")
def test_forked_workers_evaluate_the_agencies_the_parent_read(
    country: Path, jobs2: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent reads and checks the pack and the agencies before any work; forked workers
    build their engines from those very objects (reading them again cost each about 0.15 s).
    So a file changed during the run changes nothing: the run is that of the files checked."""
    agencies = tmp_path / "agencies.csv"
    shutil.copy(country / "agencies.csv", agencies)
    routing = runner.route

    def route_then_change(opts: runner.BatchOptions, setup: runner.Setup) -> object:
        agencies.write_text("id,level,province\n", encoding="utf-8")  # none of them left
        return routing(opts, setup)

    monkeypatch.setattr(runner, "route", route_then_change)
    argv = _argv(country, tmp_path / "out", "--jobs", "2")
    argv[argv.index("--agencies") + 1] = str(agencies)
    assert main(argv) == 1
    for name in ("obligations.jsonl", "violations.jsonl", "rejected.jsonl"):
        assert (tmp_path / "out" / name).read_bytes() == (jobs2 / name).read_bytes()


@dataclass
class _Counting:
    """A pool task that reports *n* steps of progress, one at a time."""

    n: int
    attempt: int = 0


def _count(spec: _Counting, progress: Callable[[int], None]) -> int:
    for _ in range(spec.n):
        progress(1)
    return spec.n


def test_a_workers_progress_arrives_whole_in_few_messages() -> None:
    """Every step a task reports reaches the parent (a progress bar ends at 100%), gathered
    into a few messages: each message wakes the parent, on the cores the workers need."""
    messages: list[int] = []
    pool = LocalPool(2)
    try:
        (outcome,) = pool.run([Job("count", _count, _Counting(20_000))], progress=lambda _key, n: messages.append(n))
    finally:
        pool.close()
    assert outcome.ok and outcome.value == 20_000
    assert sum(messages) == 20_000
    assert len(messages) < 100


def test_dask_local_cluster_equals_local_run(country: Path, jobs2: Path, tmp_path: Path) -> None:
    """The same job on a Dask LocalCluster writes byte for byte what the local run writes."""
    distributed = pytest.importorskip("distributed")
    from hanchot.batch import BatchOptions, run_batch
    from hanchot.cli._common import iso_date

    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        result = run_batch(
            BatchOptions(
                pack="hue-2025", agencies=country / "agencies.csv", events=[country / "events"],
                as_of=iso_date(AS_OF), output=tmp_path, scheduler=client, progress=False,
            )
        )
    assert result.exit_code == 1
    for name in ("obligations.jsonl", "violations.jsonl", "rejected.jsonl"):
        assert (tmp_path / name).read_bytes() == (jobs2 / name).read_bytes()


def test_gzip_and_csv_inputs_equal_json_lines(country: Path, jobs2: Path, tmp_path: Path) -> None:
    """Gzip-compressed JSON Lines and CSV give the obligations of plain JSON Lines."""
    gz = tmp_path / "gz"
    gz.mkdir()
    for f in (country / "events").iterdir():
        (gz / (f.name + ".gz")).write_bytes(gzip.compress(f.read_bytes(), 1))
    assert _batch(country, tmp_path / "out-gz", "--jobs", "2", events=gz) == 1
    assert (tmp_path / "out-gz" / "obligations.jsonl").read_bytes() == (jobs2 / "obligations.jsonl").read_bytes()
    csv_country = _generate(tmp_path / "csv", "--csv")  # the same country, without the bad lines
    jsonl_country = _generate(tmp_path / "jsonl-nobad", "--no-bad")
    assert _batch(csv_country, tmp_path / "out-csv", "--jobs", "2") == 1
    assert _batch(jsonl_country, tmp_path / "out-jsonl", "--jobs", "2") == 1
    assert (tmp_path / "out-csv" / "obligations.jsonl").read_bytes() == (
        tmp_path / "out-jsonl" / "obligations.jsonl"
    ).read_bytes()


@pytest.mark.parametrize("mode", ["exit", "kill", "raise", "segv"])
def test_crashed_worker_is_retried(country: Path, jobs2: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    """A worker that dies once (os._exit, SIGKILL, SIGSEGV or an exception) is retried in a fresh process: nothing is lost."""
    monkeypatch.setenv("HANCHOT_TEST_CRASH_AGENCY", "P00-X0003")
    monkeypatch.setenv("HANCHOT_TEST_CRASH_MODE", mode)
    monkeypatch.setenv("HANCHOT_TEST_CRASH_TIMES", "1")
    assert _batch(country, tmp_path, "--jobs", "2") == 1
    assert (tmp_path / "obligations.jsonl").read_bytes() == (jobs2 / "obligations.jsonl").read_bytes()
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["input"] == json.loads((jobs2 / "summary.json").read_text(encoding="utf-8"))["input"]


def test_partition_that_always_crashes_exits_3(country: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A partition that dies on both attempts gives exit code 3 and is named, with its agencies, in summary.json."""
    monkeypatch.setenv("HANCHOT_TEST_CRASH_AGENCY", "P00-X0003")
    monkeypatch.setenv("HANCHOT_TEST_CRASH_MODE", "segv")
    monkeypatch.setenv("HANCHOT_TEST_CRASH_TIMES", "2")
    assert _batch(country, tmp_path, "--jobs", "2") == 3
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    (failed,) = summary["partitions"]["failed"]
    assert "P00-X0003" in failed["agencies"] and "SIGSEGV" in failed["reason"] and failed["attempts"] == 2
    assert summary["run"]["exit_code"] == 3
    i = summary["input"]
    assert i["read"] + i["in_failed_partitions"] == i["lines"]
    obligations = _lines(tmp_path / "obligations.jsonl")
    assert obligations and not any(o["agency"] in failed["agencies"] for o in obligations)


def test_history_reports_new_and_resolved(country: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two runs into one history: the second says which violations are new and which were resolved."""
    history = tmp_path / "history.sqlite"
    first = tmp_path / "first"
    assert _batch(country, first, "--jobs", "2", "--history", str(history)) == 1
    summary1 = json.loads((first / "summary.json").read_text(encoding="utf-8"))
    assert summary1["history"]["previous"] is None
    assert summary1["history"]["new"] == summary1["obligations"]["violations"]
    # Second run: one agency's overdue quarterly report resolved by a late report, and one event less elsewhere.
    events = tmp_path / "events"
    shutil.copytree(country / "events", events)
    violations = _lines(first / "violations.jsonl")
    overdue = next(v for v in violations if v["status"] == "overdue" and v["rule"].startswith("hue-quarterly-report"))
    with open(events / "2025.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "late-1", "type": "report.submitted", "agency": overdue["agency"],
                             "date": "2026-01-05", "report": "quarterly", "period": overdue["period"]}) + "\n")
    second = tmp_path / "second"
    assert _batch(country, second, "--jobs", "2", "--history", str(history), events=events) == 1
    diff = json.loads((second / "summary.json").read_text(encoding="utf-8"))["history"]
    assert diff["previous"] == 1 and diff["run"] == 2
    # overdue -> met_late stays a violation: neither new nor resolved
    assert diff["new"] == 0 and diff["resolved"] == 0
    with sqlite3.connect(history) as db:
        db.execute("DELETE FROM violations WHERE run = 2 AND agency = ? AND rule = ?", (overdue["agency"], overdue["rule"]))
        db.execute("INSERT INTO violations VALUES (2, 'P99', 'qms-plan', '', '', '2025-01-01', 1, 'overdue')")
    capsys.readouterr()
    assert main(["history", "--history", str(history), "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["new"] == 1 and shown["resolved"] >= 1
    rows = {(r["agency"], r["rule"]): r for r in shown["by_agency_rule"]}
    assert rows[("P99", "qms-plan")]["new"] == 1
    assert rows[(overdue["agency"], overdue["rule"])]["resolved"] >= 1
    assert main(["history", "--history", str(history)]) == 0
    assert "1 new" in capsys.readouterr().out


def test_bad_usage_exits_2(country: Path, tmp_path: Path) -> None:
    """A missing events path or unknown pack is exit code 2."""
    assert _batch(country, tmp_path, events=tmp_path / "missing") == 2
    assert main(["batch", "--pack", "no-such-pack", "--agencies", str(country / "agencies.csv"), "--events",
                 str(country / "events"), "--output", str(tmp_path), "--quiet"]) == 2
