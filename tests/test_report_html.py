"""The HTML report, opened as a person would: in headless Chromium (the Debian package ``chromium``).

CI installs Chromium (``.ci/run``), so these tests run there; they skip, saying
why, only where no Chromium is installed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from browser import Browser, find_chromium
from example_report import AGENCIES, CHECK, example

from hanchot.cli import main
from hanchot.inputs import read_agencies
from hanchot.rules.loader import load_pack
from hanchot.writers.html_report import render
from hanchot.writers.view import from_report

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: apt-get install chromium (CI installs it)")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:  # type: ignore[type-arg]
    """The example's HTML report (default language: Vietnamese) and its JSON output."""
    folder = tmp_path_factory.mktemp("report")
    page = folder / "report.html"
    assert main([*CHECK, "--format", "html", "--output", str(page)]) == 1
    assert main([*CHECK, "--format", "json", "--lang", "vi", "--output", str(folder / "report.json")]) == 1
    return page, json.loads((folder / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def browser(outputs: tuple[Path, dict]) -> Iterator[Browser]:  # type: ignore[type-arg]
    """Chromium with the report open."""
    assert CHROMIUM is not None
    with Browser(CHROMIUM, height=1000) as b:
        b.open(outputs[0])
        yield b


def test_the_report_is_one_offline_file_in_vietnamese(outputs: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    """No external resource at all (no CDN, no font, no script by URL); Vietnamese by default."""
    text = outputs[0].read_text(encoding="utf-8")
    assert '<html lang="vi">' in text
    for remote in ("http://", "https://", "//cdn", "src=", "@import", "url("):
        assert remote not in text.replace('xmlns="http://www.w3.org/2000/svg"', ""), remote


@needs_chromium
def test_opens_without_a_javascript_error(browser: Browser) -> None:
    """Nothing in the console: no exception, no error."""
    assert browser.errors() == []


@needs_chromium
def test_shows_the_violation_count_of_the_json_output(browser: Browser, outputs: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    """The count under 'Vi phạm' is the number of overdue and late-met duties in the JSON output."""
    count = sum(o["status"] in ("overdue", "met_late") for o in outputs[1]["obligations"])
    assert browser.evaluate("document.getElementById('v-count').textContent") == str(count)
    assert browser.evaluate("document.querySelectorAll('#v-body tr.row').length") == min(count, 100)


@needs_chromium
def test_shows_agency_names_and_rule_titles_with_ids_on_hover(browser: Browser) -> None:
    """Rows show the agencies' names (agencies.csv) and rules' titles; the ids are their tooltips."""
    cells = browser.evaluate(
        "Array.from(document.querySelectorAll('#v-body tr.row')).slice(0, 20).map(function (tr) {"
        " var a = tr.querySelector('td.agency'), r = tr.querySelector('td.rule');"
        " return [a.textContent, a.title, r.textContent, r.title]; })"
    )
    names = {a.id: a.name for a in read_agencies(AGENCIES)}
    titles = {r.id: r.title.vi for r in load_pack("hue-2025").rules}
    for name, agency, title, rule in cells:
        assert name == names[agency] and title == titles[rule]


@needs_chromium
def test_filtering_by_an_agency_leaves_only_its_rows(browser: Browser, outputs: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    """Choosing an agency in the filter shows its violations, all of them, and no other agency's."""
    counts = Counter(o["agency"] for o in outputs[1]["obligations"] if o["status"] in ("overdue", "met_late"))
    agency, count = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    browser.evaluate(
        "(function () { var s = document.getElementById('f-agency');"
        f" s.value = Array.from(s.options).filter(function (o) {{ return o.text === {json.dumps(_name(agency))}; }})[0].value;"
        " s.dispatchEvent(new Event('change')); })()"
    )
    rows = browser.evaluate("Array.from(document.querySelectorAll('#v-body tr.row')).map(function (tr) { return tr.dataset.agency; })")
    assert rows == [agency] * count
    assert browser.evaluate("document.getElementById('v-count').textContent") == str(count)
    browser.evaluate("(function () { var s = document.getElementById('f-agency'); s.value = ''; s.dispatchEvent(new Event('change')); })()")


@needs_chromium
def test_a_row_opens_its_explanation(browser: Browser, outputs: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    """Clicking a violation shows its explanation: the due-date steps, the basis, the events."""
    lines = browser.evaluate(
        "(function () { var tr = document.querySelector('#v-body tr.row'); tr.click();"
        " var d = tr.nextElementSibling; return [d.hidden, tr.dataset.agency,"
        " Array.from(d.querySelectorAll('li')).map(function (li) { return li.textContent; })]; })()"
    )
    hidden, agency, explanation = lines
    assert not hidden
    assert explanation in [o["explanation"] for o in outputs[1]["obligations"] if o["agency"] == agency]
    assert explanation[1].startswith("Căn cứ: ")


@needs_chromium
def test_screenshot(browser: Browser, tmp_path: Path) -> None:
    """A screenshot of the report renders (the README's is made by benchmarks/report_load.py --screenshot)."""
    shot = tmp_path / "report.png"
    browser.screenshot(shot, full_height=1600)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000



def _name(agency: str) -> str:
    return next(a.name for a in read_agencies(AGENCIES) if a.id == agency)


@needs_chromium
def test_an_agency_page_opens_on_its_own_section(tmp_path: Path) -> None:
    """A batch's page for one agency opens with that agency's section drawn, without errors."""
    report, pack, agencies = example()
    view = from_report(report, pack, agencies, "vi")
    agency = "hue-phuong-huong-long"
    page = tmp_path / "agency.html"
    page.write_text(render(replace(view, obligations=[r for r in view.obligations if r["agency"] == agency]), agency), encoding="utf-8")
    assert CHROMIUM is not None
    with Browser(CHROMIUM) as browser:
        browser.open(page)
        assert browser.errors() == []
        assert browser.evaluate("document.querySelector('#a-body h3').textContent") == agencies[agency].name
        assert browser.evaluate("document.title").startswith(f"Báo cáo thực hiện HTQLCL — {agencies[agency].name}")


@needs_chromium
def test_sorting_by_days_late_puts_the_longest_overdue_first(browser: Browser, outputs: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    """Clicking 'Số ngày trễ' twice sorts descending: the first row is the duty overdue the longest."""
    data = outputs[1]
    longest = max((dt.date(2025, 12, 31) - dt.date.fromisoformat(o["due"])).days
                  for o in data["obligations"] if o["status"] == "overdue")  # fmt: skip
    first = browser.evaluate(
        "(function () { var th = document.querySelector('#v-table th[data-col=\"5\"]'); th.click(); th.click();"
        " return document.querySelector('#v-body tr.row td.num').textContent; })()"
    )
    assert first == str(longest)


@needs_chromium
def test_upcoming_lists_the_duties_due_in_the_next_30_and_90_days(browser: Browser, outputs: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    """The upcoming list counts the open duties due within 30 (then 90) days after the as-of date."""
    as_of = dt.date(2025, 12, 31)
    for days in (30, 90):
        expected = sum(
            1 for o in outputs[1]["obligations"]
            if o["status"] == "open" and o["due"] and 0 < (dt.date.fromisoformat(o["due"]) - as_of).days <= days
        )  # fmt: skip
        shown = browser.evaluate(f"document.getElementById('u-{days}').click(), document.querySelector('#u-list p').textContent")
        assert shown == f"{expected} nghĩa vụ"
