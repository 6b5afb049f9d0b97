"""``hanchot batch`` under failure: whole output sets, a safe history, bounded workers, clean exits.

The output folder holds the previous run's complete set or the new run's,
whatever moment the job is killed; a disk that fills up is exit 4 with the
previous set intact; a hung worker is killed, retried once, then reported
(exit 3); Ctrl-C is exit 130 with no process left.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hanchot.batch.history import runs
from hanchot.batch.outfolder import verify
from hanchot.cli import main

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-01-31"


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic country (20 agencies, two years, with bad lines)."""
    out = tmp_path_factory.mktemp("country")
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--out", str(out), "--agencies", "20", "--years", "2"],
        check=True, capture_output=True,
    )
    return out


def _argv(country: Path, out: Path, *extra: str, events: Path | None = None) -> list[str]:
    return [
        "batch", "--pack", "hue-2025", "--agencies", str(country / "agencies.csv"), "--events", str(events or country / "events"),
        "--as-of", AS_OF, "--output", str(out), "--quiet", "--jobs", "2", *extra,
    ]


@pytest.fixture(scope="module")
def first(country: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete output set, made once, with its history beside it (``history.sqlite``, one run)."""
    out = tmp_path_factory.mktemp("first") / "out"
    assert main(_argv(country, out, "--history", str(out.parent / "history.sqlite"))) == 1
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def test_summary_names_its_run_and_each_file(first: Path) -> None:
    """summary.json gives the run an id and each file its row count and SHA-256; the folder verifies."""
    summary = json.loads((first / "summary.json").read_text(encoding="utf-8"))
    assert summary["run"]["id"].startswith(summary["run"]["started"][:4])
    files = summary["files"]
    assert set(files) == {"obligations.jsonl", "violations.jsonl", "rejected.jsonl"}
    assert files["obligations.jsonl"]["rows"] == summary["obligations"]["total"]
    assert files["violations.jsonl"]["rows"] == summary["obligations"]["violations"]
    assert files["rejected.jsonl"]["rows"] == summary["input"]["rejected"]
    assert verify(first) == []
    (first.parent / "copy").mkdir()
    shutil.copytree(first, first.parent / "copy" / "out")
    tampered = first.parent / "copy" / "out"
    (tampered / "violations.jsonl").write_text("", encoding="utf-8")
    assert verify(tampered) == [f"{tampered / 'violations.jsonl'}: not the file summary.json describes"]


@pytest.mark.parametrize("moment", ["routed", "evaluated", "written", "swapped", "published"])
def test_sigkill_of_the_whole_job_leaves_a_complete_set(
    country: Path, first: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, moment: str
) -> None:
    """SIGKILL of the process group at each moment of a run: the folder is the previous set or the new one.

    The second run reads one more event, so its set differs from the first.
    The history records a run only once its outputs are in place, and whole:
    killed at any moment, it still holds the first run only. The next run
    cleans what the killed one left beside the folder, and completes.
    """
    out = tmp_path / "out"
    shutil.copytree(first, out)
    history = tmp_path / "history.sqlite"
    shutil.copy(first.parent / "history.sqlite", history)
    previous = _snapshot(out)
    events = tmp_path / "events"
    shutil.copytree(country / "events", events)
    with open(min(events.iterdir()), "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "extra-1", "type": "management_review.held", "agency": "P00-X0000", "date": "2025-12-01"}) + "\n")
    spill = tmp_path_factory.mktemp("spill")  # a SIGKILL leaves the run's spill behind: not in the system's /tmp
    proc = subprocess.run(
        [sys.executable, "-m", "hanchot", *_argv(country, out, "--history", str(history), "--spill-dir", str(spill), events=events)],
        env=_env(HANCHOT_TEST_KILL_AT=moment), capture_output=True, check=False, start_new_session=True, timeout=300,
    )
    assert proc.returncode == -signal.SIGKILL
    assert verify(out) == []
    now = _snapshot(out)
    if moment in ("routed", "evaluated", "written"):
        assert now == previous
    else:
        assert now != previous and json.loads(now["summary.json"])["history"]["run"] == 2
    assert [r["run"] for r in runs(history)] == [1]
    assert main(_argv(country, out, "--history", str(history), events=events)) == 1
    assert verify(out) == [] and [r["run"] for r in runs(history)] == [1, 2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events", "history.sqlite", "out"]


def test_a_full_disk_is_4_and_the_previous_set_stays(country: Path, first: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The output on a small tmpfs that the new set does not fit: exit 4, the previous set intact."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root; test_a_failing_writer_is_4 covers the same path")
    mount = tmp_path / "small"
    mount.mkdir()
    size = sum(p.stat().st_size for p in first.iterdir())
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size + size // 2}", "tmpfs", str(mount)], capture_output=True, check=False).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        out = mount / "out"
        shutil.copytree(first, out)
        previous = _snapshot(out)
        capsys.readouterr()
        assert main(_argv(country, out)) == 4
        err = capsys.readouterr().err
        assert "No space left on device" in err and "Traceback" not in err and "still holds the previous run" in err
        assert _snapshot(out) == previous and verify(out) == []
        assert [p.name for p in mount.iterdir()] == ["out"]
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_failing_writer_is_4(country: Path, first: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A writer that fails half-way (ENOSPC injected): exit 4, the previous set intact, no temporary folder left."""
    import errno

    from hanchot.batch import runner

    original = runner._write_outputs

    def fails(folder: Path, fmt: str, results: object) -> None:
        original(folder, fmt, results)  # type: ignore[arg-type]
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "rejected.jsonl"))

    monkeypatch.setattr(runner, "_write_outputs", fails)
    out = tmp_path / "out"
    shutil.copytree(first, out)
    previous = _snapshot(out)
    capsys.readouterr()
    assert main(_argv(country, out)) == 4
    assert "No space left on device" in capsys.readouterr().err
    assert _snapshot(out) == previous
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_an_output_folder_with_other_files_is_refused(country: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A run replaces its folder whole, so a folder holding someone's files is refused (exit 2), untouched."""
    (tmp_path / "thesis.tex").write_text("x", encoding="utf-8")
    capsys.readouterr()
    assert main(_argv(country, tmp_path)) == 2
    assert "holds files a batch did not write (thesis.tex)" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["thesis.tex"]


def test_output_and_spill_dir_under_a_file_are_2(country: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--output existing_file/out and --spill-dir likewise: one line naming the file, exit 2."""
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    capsys.readouterr()
    assert main(_argv(country, blocker / "out")) == 2
    assert f"--output {blocker / 'out'}: {blocker} is a file, not a folder" in capsys.readouterr().err
    assert main(_argv(country, tmp_path / "out", "--spill-dir", str(blocker / "spill"))) == 2
    assert f"--spill-dir {blocker / 'spill'}: no such folder" in capsys.readouterr().err
    assert main(_argv(country, tmp_path / "out", "--spill-dir", str(blocker))) == 2
    assert "exists and is not a folder" in capsys.readouterr().err


def test_history_has_a_schema_version_and_refuses_other_files(country: Path, first: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A new history is stamped (PRAGMA user_version); someone else's SQLite file is refused (exit 4), untouched."""
    history = tmp_path / "h.sqlite"
    assert main(_argv(country, tmp_path / "out", "--history", str(history))) == 1
    with sqlite3.connect(history) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    db.close()
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE runs (id INTEGER)")
        db.execute("CREATE TABLE payroll (id INTEGER)")
    db.close()
    before = other.read_bytes()
    out = tmp_path / "out2"
    capsys.readouterr()
    assert main(_argv(country, out, "--history", str(other))) == 4
    assert "not a hanchot history" in capsys.readouterr().err
    assert other.read_bytes() == before and not out.exists()


@pytest.mark.parametrize("times", [1, 2])
def test_a_hung_worker_is_killed_retried_then_reported(
    country: Path, first: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], times: int
) -> None:
    """A partition that never returns is killed after --partition-timeout; once: retried, same output; twice: exit 3."""
    monkeypatch.setenv("HANCHOT_TEST_CRASH_AGENCY", "P00-X0003")
    monkeypatch.setenv("HANCHOT_TEST_CRASH_MODE", "hang")
    monkeypatch.setenv("HANCHOT_TEST_CRASH_TIMES", str(times))
    out = tmp_path / "out"
    capsys.readouterr()
    code = main(_argv(country, out, "--partition-timeout", "8"))  # a normal task takes a second or two
    err = capsys.readouterr().err
    if times == 1:
        assert code == 1
        assert (out / "obligations.jsonl").read_bytes() == (first / "obligations.jsonl").read_bytes()
    else:
        assert code == 3
        (failed,) = json.loads((out / "summary.json").read_text(encoding="utf-8"))["partitions"]["failed"]
        assert "timed out after 8 s" in failed["reason"] and "P00-X0003" in failed["agencies"]
        assert "a partition failed after 2 attempts (timed out after 8 s" in err and "P00-X0003" in err


def test_a_segfaulting_worker_is_named_on_stderr(country: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A worker dying by SIGSEGV twice: exit 3, the partition's agencies named on stderr, not only in summary.json."""
    monkeypatch.setenv("HANCHOT_TEST_CRASH_AGENCY", "P00-X0003")
    monkeypatch.setenv("HANCHOT_TEST_CRASH_MODE", "segv")
    monkeypatch.setenv("HANCHOT_TEST_CRASH_TIMES", "2")
    capsys.readouterr()
    assert main(_argv(country, tmp_path / "out")) == 3
    err = capsys.readouterr().err
    assert "worker process died (SIGSEGV)" in err and "P00-X0003" in err and "Traceback" not in err


def test_a_corrupt_gzip_is_named_on_stderr(country: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A .gz that is not gzip is refused at once (exit 2); one cut short half-way fails its reading (exit 3); both named."""
    events = tmp_path / "events"
    events.mkdir()
    source = min((country / "events").iterdir())
    (events / "a.jsonl.gz").write_bytes(b"this is not gzip at all\n")
    capsys.readouterr()
    assert main(_argv(country, tmp_path / "out1", events=events)) == 2
    assert f"{events / 'a.jsonl.gz'}: cannot read" in capsys.readouterr().err
    whole = gzip.compress(source.read_bytes() * 20, 1)
    (events / "a.jsonl.gz").write_bytes(whole[: len(whole) * 2 // 3])
    assert main(_argv(country, tmp_path / "out2", events=events)) == 3
    err = capsys.readouterr().err
    assert f"hanchot: error: cannot read {events / 'a.jsonl.gz'}" in err
    assert json.loads((tmp_path / "out2" / "summary.json").read_text(encoding="utf-8"))["failed_reading"]


def test_skipped_files_are_in_the_summary(country: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A .bak and a .txt in the events folder: named on stderr and in summary.json's accounting."""
    events = tmp_path / "events"
    shutil.copytree(country / "events", events)
    (events / "old.jsonl.bak").write_text("{}\n", encoding="utf-8")
    (events / "README.txt").write_text("hi\n", encoding="utf-8")
    capsys.readouterr()
    assert main(_argv(country, tmp_path / "out", events=events)) == 1
    err = capsys.readouterr().err
    skipped = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["input"]["skipped_files"]
    assert [Path(s["file"]).name for s in skipped] == ["README.txt", "old.jsonl.bak"]
    assert all(f"hanchot: skipped {s['file']}" in err for s in skipped)


def test_mistyped_vocabulary_values_are_rejected_alike_by_batch_and_check(country: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """"nonconformities": "2", "e_workflow_updated": "false", "period": "2025-Q5": rejected with field and reason, by both."""
    events = tmp_path / "events"
    shutil.copytree(country / "events", events)
    bad = [
        {"id": "t1", "type": "internal_audit.completed", "agency": "P00-X0001", "date": "2025-10-01", "nonconformities": "2"},
        {"id": "t2", "type": "process.updated", "agency": "P00-X0001", "date": "2025-10-02", "e_workflow_updated": "false"},
        {"id": "t3", "type": "report.submitted", "agency": "P00-X0001", "date": "2025-10-03", "report": "quarterly", "period": "2025-Q5"},
        {"id": "t4", "type": "qms.announced", "agency": "P00-X0001", "date": "2025-10-04", "reannouncement": "yes"},
    ]
    with open(events / "typed.jsonl", "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(b) + "\n" for b in bad)
    out = tmp_path / "out"
    assert main(_argv(country, out, events=events)) == 1
    report = tmp_path / "check.json"
    main(["check", "--pack", "hue-2025", "--agencies", str(country / "agencies.csv"), "--events", str(events),
          "--as-of", AS_OF, "--format", "json", "--output", str(report)])
    checked = json.loads(report.read_text(encoding="utf-8"))
    batch_rejected = [json.loads(line) for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert batch_rejected == checked["rejected"]
    typed = {r["field"]: r["reason"] for r in checked["rejected"] if r["file"].endswith("typed.jsonl")}
    assert typed == {
        "nonconformities": "expected a non-negative integer for a 'internal_audit.completed' event, got '2'",
        "e_workflow_updated": "expected true or false (a JSON boolean) for a 'process.updated' event, got 'false'",
        "period": "expected a period such as 2025, 2025-H1, 2025-Q3, 2025-07 or Quý III/2025 for a 'report.submitted' event, got '2025-Q5'",
        "reannouncement": "expected true or false (a JSON boolean) for a 'qms.announced' event, got 'yes'",
    }
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in summary["input"].items() if k != "lines"} == checked["input"]


@pytest.mark.parametrize(
    ("signum", "code", "word"), [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")], ids=["ctrl-c", "sigterm"]
)
def test_ctrl_c_is_130_one_line_and_no_process_left(country: Path, tmp_path: Path, signum: int, code: int, word: str) -> None:
    """SIGINT (or a scheduler's SIGTERM) to the job's process group mid-run: exit 130 (143), one line, every worker gone."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "hanchot", *_argv(country, tmp_path / "out", "--partition-timeout", "60")],
        env=_env(HANCHOT_TEST_CRASH_AGENCY="P00-X0003", HANCHOT_TEST_CRASH_MODE="hang", HANCHOT_TEST_CRASH_TIMES="2"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not _children(proc.pid):
        time.sleep(0.1)
    time.sleep(3)  # the workers are running partitions; one of them hangs
    os.killpg(proc.pid, signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code
    assert err.decode().strip().splitlines() == [f"hanchot: {word}"]
    # No process of the job's group runs on. The hung workers would run forever; only
    # multiprocessing's resource tracker may take a moment to see its pipe close and exit.
    deadline = time.monotonic() + 10
    while _running_in_group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _running_in_group(proc.pid) == []
    assert not (tmp_path / "out").exists() and not list(tmp_path.iterdir())


def _running_in_group(pgid: int) -> list[int]:
    """The processes of group *pgid* that have not exited (zombies excluded), from /proc."""
    running = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            running.append(int(stat.parent.name))
    return running


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


def test_without_an_atomic_exchange_a_run_killed_between_renames_is_undone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the file system cannot exchange two folders, two renames are used; killed between them, the
    next run puts the previous set back before anything else."""
    from hanchot.batch import outfolder

    target = tmp_path / "out"
    target.mkdir()
    (target / "summary.json").write_text('{"files": {}}\n', encoding="utf-8")
    previous = _snapshot(target)

    class Killed(Exception):
        pass

    def kill_at(moment: str) -> None:
        if moment == "between-renames":
            raise Killed

    monkeypatch.setattr(outfolder, "_exchange", lambda a, b: False)
    monkeypatch.setattr(outfolder, "test_kill_point", kill_at)
    monkeypatch.setattr(outfolder, "_pid_alive", lambda pid: False)  # as after a real SIGKILL
    new = outfolder.OutputFolder(target)
    (new.path / "summary.json").write_text('{"files": {}, "run": 2}\n', encoding="utf-8")
    with pytest.raises(Killed):
        new.commit()
    assert not target.exists()  # the window the exchange closes
    outfolder.OutputFolder(target).discard()  # the next run starts
    assert _snapshot(target) == previous
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
