"""``batch --report``: the HTML report, the workbook and one calendar per agency, from the batch's own output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hanchot.cli import main
from hanchot.inputs import read_agencies

icalendar = pytest.importorskip("icalendar", reason="pip install 'hanchot[reports]' (CI installs it)")
openpyxl = pytest.importorskip("openpyxl", reason="pip install 'hanchot[test]'")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small synthetic country, checked by the batch with every report format and a history."""
    country = tmp_path_factory.mktemp("country")
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--out", str(country), "--agencies", "40", "--years", "1"],
        check=True, capture_output=True,
    )  # fmt: skip
    out = country / "out"
    code = main(
        ["batch", "--pack", "hue-2025", "--agencies", str(country / "agencies.csv"), "--events", str(country / "events"),
         "--as-of", "2025-12-31", "--output", str(out), "--quiet", "--jobs", "2", "--history", str(country / "h.sqlite"),
         "--report", "html", "xlsx", "ics"]
    )  # fmt: skip
    assert code == 1
    return country, out


def _lines(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_reports_are_listed_in_the_summary(batch: tuple[Path, Path]) -> None:
    """summary.json names every report file, and each exists."""
    _, out = batch
    files = [f for f in json.loads((out / "summary.json").read_text(encoding="utf-8"))["files"] if f.startswith("reports/")]
    assert "reports/report.html" in files and "reports/report.xlsx" in files
    assert all((out / f).is_file() for f in files)


def test_html_report_carries_every_violation_and_the_history(batch: tuple[Path, Path]) -> None:
    """The page's data holds one row per violation of violations.jsonl, and a history section."""
    _, out = batch
    text = (out / "reports" / "report.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', text, re.DOTALL).group(1))  # type: ignore[union-attr]
    assert sum(1 for r in data["rows"] if r[2] in (0, 1)) == len(_lines(out / "violations.jsonl"))
    assert 'id="history"' in text and '<html lang="vi">' in text


def test_workbook_violations_sheet_matches_the_batch(batch: tuple[Path, Path]) -> None:
    """One row per violation in the Vi phạm sheet."""
    _, out = batch
    sheet = openpyxl.load_workbook(out / "reports" / "report.xlsx", read_only=True)["Vi phạm"]
    assert sheet.max_row - 1 == len(_lines(out / "violations.jsonl"))


def test_one_calendar_per_agency(batch: tuple[Path, Path]) -> None:
    """Every agency of the list has its calendar (empty when nothing is due); together, every unmet dated duty."""
    country, out = batch
    agencies = {a.id for a in read_agencies(country / "agencies.csv")}
    files = {p.stem: p for p in (out / "reports" / "calendars").glob("*.ics")}
    assert set(files) == agencies
    unmet = [o for o in _lines(out / "obligations.jsonl") if o["status"] in ("open", "overdue") and o["due"]]
    events = {a: icalendar.Calendar.from_ical(p.read_bytes()).walk("VEVENT") for a, p in files.items()}
    assert sum(len(e) for e in events.values()) == len(unmet)
    assert all(str(e["UID"]).endswith("@hanchot") for es in events.values() for e in es)


def test_a_format_that_cannot_write_a_batch_is_refused(batch: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """--report csv is a usage error before anything runs (the batch writes its data files itself)."""
    country, _ = batch
    with pytest.raises(SystemExit) as exit_:
        main(["batch", "--pack", "hue-2025", "--agencies", str(country / "agencies.csv"), "--events",
              str(country / "events"), "--output", str(country / "x"), "--report", "csv"])  # fmt: skip
    assert exit_.value.code == 2 and "invalid choice: 'csv'" in capsys.readouterr().err


def test_history_as_an_html_page(batch: tuple[Path, Path], tmp_path: Path) -> None:
    """hanchot history --format html: violations per run as a chart, and the run's new and resolved counts."""
    country, _ = batch
    page = tmp_path / "history.html"
    assert main(["history", "--history", str(country / "h.sqlite"), "--format", "html", "--output", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert '<html lang="vi">' in text and "<svg" in text and "Lịch sử các lần chạy" in text
    violations = len(_lines(batch[1] / "violations.jsonl"))
    assert f'<div class="card"><b>{violations}</b><span>Mới</span></div>' in text


def test_each_agency_gets_a_page_of_its_own(batch: tuple[Path, Path]) -> None:
    """reports/agencies/ID.html holds that agency's duties only, without the input of other agencies."""
    _, out = batch
    obligations = _lines(out / "obligations.jsonl")
    pages = {p.stem: p for p in (out / "reports" / "agencies").glob("*.html")}
    assert set(pages) == {o["agency"] for o in obligations}
    agency = max(pages, key=lambda a: sum(o["agency"] == a and o["status"] in ("overdue", "met_late") for o in obligations))
    text = pages[agency].read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', text, re.DOTALL).group(1))  # type: ignore[union-attr]
    assert [a[0] for a in data["agencies"]] == [agency]
    assert sum(n for _, _, _, n in data["counts"]) == sum(o["agency"] == agency for o in obligations)
    assert 'id="input"' not in text and 'id="history"' not in text
