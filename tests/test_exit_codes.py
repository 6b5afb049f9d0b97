"""The exit-code contract of every command, and failures that never look like results.

0 no violation, 1 violations, 2 unusable input or usage, 3 a batch partition
failed, 4 an environment or internal failure, 130 interrupted. A failure is
one line on stderr naming the path and the cause, never a traceback (unless
``--debug``). The README's table of failure modes is this file's list.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from hanchot.cli import main

ROOT = Path(__file__).resolve().parent.parent
AGENCIES = ROOT / "examples" / "hue" / "agencies.csv"
EVENTS = ROOT / "examples" / "hue" / "events.jsonl"
CHECK = ["check", "--pack", "hue-2025", "--agencies", str(AGENCIES), "--events", str(EVENTS)]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own errors (a --calendar file is read as an argument)
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def _one_error_line(err: str) -> str:
    """The stderr of a failure: exactly one 'hanchot: error:' line (a listing may follow, indented), no traceback."""
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("hanchot: error:")]
    assert len(errors) == 1, err
    return errors[0]


# -- results -----------------------------------------------------------------------------------


def test_no_violation_is_0_and_violations_are_1(capsys: pytest.CaptureFixture[str]) -> None:
    """The two results: nothing due yet on 02/01/2025 (0); the example province's violations by 31/12/2025 (1)."""
    assert _run(capsys, *CHECK, "--as-of", "2025-01-02", "--format", "json")[0] == 0
    assert _run(capsys, *CHECK, "--as-of", "2025-12-31", "--format", "json")[0] == 1


# -- unusable input or usage: 2 ----------------------------------------------------------------


def _pack(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(body, encoding="utf-8")
    return path


_VALID_PACK = """\
id: mine
extends: hue-2025
title: {vi: Thử, en: Test}
"""


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (_VALID_PACK + "valid_from: 2025-02-30\n", ["mine.yaml:4", "2025-02-30", "not a valid date"]),
        (_VALID_PACK + "id: again\n", ["mine.yaml:4", "'id' is repeated (first on line 1)"]),
        (
            _VALID_PACK + "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)),
            ["expands to more than", "refused"],
        ),
    ],
    ids=["impossible-date", "duplicate-key", "billion-laughs"],
)
def test_a_hostile_pack_is_2_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, words: list[str]) -> None:
    """A pack with an impossible unquoted date, a repeated key or 10⁹ nodes of aliases: exit 2, one line naming it."""
    code, err = _run(capsys, "check", "--pack", str(_pack(tmp_path, body)), "--agencies", str(AGENCIES), "--events", str(EVENTS))
    assert code == 2
    line = _one_error_line(err)
    assert all(w in line for w in words), line


def test_a_huge_duration_names_its_pack_and_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'100000 years' is refused with the pack and the rule that say it, not a traceback."""
    pack = _pack(tmp_path, _VALID_PACK + "rules:\n  - id: legal-update\n    within: 100000 years\n")
    code, err = _run(capsys, "check", "--pack", str(pack), "--agencies", str(AGENCIES), "--events", str(EVENTS), "--as-of", "2025-12-31")
    assert code == 2
    line = _one_error_line(err)
    assert "mine.yaml" in line and "legal-update" in line and "100000 years" in line, line


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("empty.csv", "id,name,level\n", ["no agencies"]),
        ("empty.yaml", "[]\n", ["no agencies"]),
        (
            "cycle.csv",
            "id,name,level,successor\na,A,commune,b\nb,B,commune,a\n",
            ["cycle of successors"],
        ),
        ("date.yaml", "- {id: a, level: commune, active_from: 2025-02-30}\n", ["date.yaml:1", "2025-02-30"]),
        ("dup.yaml", "- {id: a, level: commune, id: b}\n", ["dup.yaml:1", "'id' is repeated"]),
    ],
)
def test_an_unusable_agency_list_is_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, words: list[str]) -> None:
    """An empty export, a cycle of successors, an impossible date, a repeated key: exit 2, the file named."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, err = _run(capsys, "check", "--pack", "hue-2025", "--agencies", str(path), "--events", str(EVENTS))
    assert code == 2
    assert "Traceback" not in err and all(w in err for w in words) and str(path) in err, err


def test_usage_errors_are_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """replay --to before --from, --output under a file, an unknown pack: exit 2 and one line each."""
    code, err = _run(capsys, "replay", "--pack", "hue-2025", "--agencies", str(AGENCIES), "--events", str(EVENTS),
                     "--from", "2025-12-31", "--to", "2025-12-01")
    assert code == 2 and "--to 2025-12-01 is before --from 2025-12-31" in _one_error_line(err)
    blocker = tmp_path / "report.txt"
    blocker.write_text("x", encoding="utf-8")
    code, err = _run(capsys, *CHECK, "--output", str(blocker / "out.json"))
    assert code == 2 and f"{blocker} is a file, not a folder" in _one_error_line(err)
    code, err = _run(capsys, "check", "--pack", "hue-2026", "--agencies", str(AGENCIES), "--events", str(EVENTS))
    assert code == 2 and "did you mean" in _one_error_line(err)


def test_a_utf16_event_file_is_one_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A UTF-16 file (BOM) is refused as a whole, with how to convert it; no line is half-read."""
    path = tmp_path / "events.jsonl"
    path.write_bytes(EVENTS.read_text(encoding="utf-8").encode("utf-16"))
    code, err = _run(capsys, "check", "--pack", "hue-2025", "--agencies", str(AGENCIES), "--events", str(path))
    assert code == 2
    assert "is UTF-16" in _one_error_line(err) and "iconv" in err and "rejected" not in err


def test_a_folder_names_the_files_it_skips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Files of other extensions in an events folder are named on stderr and listed in the accounting."""
    import json

    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "events.jsonl").write_bytes(EVENTS.read_bytes())
    for name in ("old.jsonl.bak", "notes.txt", "more.jsonl.bz2"):
        (folder / name).write_text("{}\n", encoding="utf-8")
    out = tmp_path / "report.json"
    code, err = _run(capsys, "check", "--pack", "hue-2025", "--agencies", str(AGENCIES), "--events", str(folder),
                     "--as-of", "2025-12-31", "--format", "json", "--output", str(out))
    assert code == 1
    skipped = json.loads(out.read_text(encoding="utf-8"))["input"]["skipped_files"]
    assert [Path(s["file"]).name for s in skipped] == ["more.jsonl.bz2", "notes.txt", "old.jsonl.bak"]
    assert all(f"hanchot: skipped {s['file']}" in err for s in skipped)


def test_a_calendar_override_file_listing_a_date_twice_is_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Which of two lines for one date was meant cannot be guessed: exit 2, both lines named."""
    path = tmp_path / "days.csv"
    path.write_text(
        "date,status,name_vi,name_en,source\n"
        "2026-01-02,off,Nghỉ,Day off,CV 1\n"
        "2026-01-02,working,Làm bù,Make-up day,CV 2\n",
        encoding="utf-8",
    )
    code, err = _run(capsys, "calendar", "2026", "--calendar", str(path))
    assert code == 2
    assert f"{path}:3" in _one_error_line(err) and "listed twice (first on line 2)" in err


def test_a_rule_test_with_an_impossible_date_is_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A YAML rule test with an unquoted impossible date: exit 2, its file and line."""
    path = tmp_path / "t.yaml"
    path.write_text("pack: hue-2025\nas_of: 2025-02-30\nagencies: []\nexpect: []\n", encoding="utf-8")
    code, err = _run(capsys, "test", str(path))
    assert code == 2 and f"{path}:2" in _one_error_line(err)


def test_whatif_replay_and_csv_account_for_rejected_lines(capsys: pytest.CaptureFixture[str]) -> None:
    """The example's five malformed lines are counted and named on stderr by check CSV, what-if and replay."""
    for argv in (
        [*CHECK, "--as-of", "2025-12-31", "--format", "csv"],
        ["whatif", "--pack", "hue-2025", "--agencies", str(AGENCIES), "--events", str(EVENTS), "--as-of", "2025-12-31",
         "--set", "before_is_inclusive=true"],
        ["replay", "--pack", "hue-2025", "--agencies", str(AGENCIES), "--events", str(EVENTS),
         "--from", "2025-12-01", "--to", "2025-12-31", "--every", "week"],
    ):
        _, err = _run(capsys, *argv)
        assert "hanchot: 5 of 5382 input line(s) rejected" in err, argv
        assert err.count("hanchot: rejected: ") == 5 and "events.jsonl:2013: field 'date'" in err, argv


# -- environment or internal failure: 4 ---------------------------------------------------------


def test_a_file_that_is_not_a_history_is_4_and_left_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Someone else's SQLite file, or a text file, given as --history: exit 4, not one byte changed."""
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE invoices (id INTEGER)")
    db.close()
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n", encoding="utf-8")
    for path in (other, text):
        before = path.read_bytes()
        code, err = _run(capsys, "history", "--history", str(path))
        assert code == 4 and str(path) in _one_error_line(err) and "left untouched" in err
        assert path.read_bytes() == before


def test_a_bug_is_4_with_one_line_and_a_traceback_only_under_debug(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """An internal error is exit 4 (never 1, which means violations); --debug adds the traceback."""
    from hanchot.engine import Engine

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(Engine, "evaluate", broken)
    code, err = _run(capsys, *CHECK)
    assert code == 4 and "internal error (ZeroDivisionError: division by zero)" in _one_error_line(err)
    code, err = _run(capsys, "--debug", *CHECK)
    assert code == 4 and "Traceback" in err and "ZeroDivisionError" in err


def test_a_full_disk_is_4_and_the_previous_output_stays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """check --output on a disk that fills up (a fault-injecting writer): exit 4, the previous file intact."""
    import errno

    import hanchot.output as output_module

    out = tmp_path / "report.json"
    assert _run(capsys, *CHECK, "--as-of", "2025-12-31", "--format", "json", "--output", str(out))[0] == 1
    before = out.read_bytes()

    def full(report: object, stream: object, lang: str = "en") -> None:
        stream.write("{")  # type: ignore[attr-defined]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output_module, "write_json", full)
    code, err = _run(capsys, *CHECK, "--as-of", "2025-12-31", "--format", "json", "--output", str(out))
    assert code == 4 and "No space left on device" in _one_error_line(err) and str(out) in err
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


# -- signals and pipes (a real process) ----------------------------------------------------------


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_a_closed_pipe_is_quiet_and_keeps_the_exit_code() -> None:
    """`hanchot check ... | head -1`: no error message, and the status still says 'violations' (1)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "hanchot", *CHECK, "--as-of", "2025-12-31", "--format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # the reader goes away, as `head` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert "Broken pipe" not in err and "Traceback" not in err and "error" not in err
