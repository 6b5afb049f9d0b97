"""Benchmark: how long a country-sized HTML report takes to open in headless Chromium.

    python benchmarks/report_load.py [--agencies 4000] [--obligations 300000] [--runs 3]
                                     [--keep report.html] [--screenshot docs/report.png]

Builds a country from the example province: its 131 agencies copied into as many
provinces as needed, its 2,199 obligations of 2025 copied to each copy and to
earlier years until the count is reached (agency and event ids rewritten, so
explanation lines are as distinct as in real data). Writes the report with
``hanchot.writers.html_report`` and opens it in a fresh headless Chromium each
run (the Debian package ``chromium``), timing navigation to the first rendering
of every section; then times filtering by one agency and sorting by days late.
``--screenshot`` also saves a picture of the example province's report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the Chromium driver shared with the tests

from browser import Browser, find_chromium
from example_report import example

from hanchot.inputs import Agency
from hanchot.writers.html_report import render
from hanchot.writers.view import ReportView, from_report


def _shift(iso: str | None, years: int) -> str | None:
    if not iso:
        return iso
    day = dt.date.fromisoformat(iso)
    return day.replace(year=day.year - years, day=min(day.day, 28)).isoformat()


def country(agencies: int, obligations: int) -> ReportView:
    """The example province's report, copied to *agencies* agencies and *obligations* duties."""
    report, pack, by_id = example()
    base = from_report(report, pack, by_id, "vi")
    copies = -(-agencies // len(by_id))
    all_agencies: dict[str, Agency] = {}
    for c in range(copies):
        for a in by_id.values():
            copy = a.model_copy(update={"id": f"p{c:02d}-{a.id}", "name": f"{a.name} ({c + 1})", "province": f"p{c:02d}"})
            all_agencies[copy.id] = copy
            if len(all_agencies) == agencies:
                break
    rows: list[dict[str, Any]] = []
    years = 0
    while len(rows) < obligations:
        for c in range(copies):
            prefix = f"p{c:02d}-"
            for row in base.obligations:
                agency = prefix + row["agency"]
                if agency not in all_agencies:
                    continue
                marker = f"{prefix}y{years}-"
                rows.append({
                    **row,
                    "agency": agency,
                    "trigger": row["trigger"] and marker + row["trigger"],
                    "period": row["period"],
                    "opens": _shift(row["opens"], years),
                    "due": _shift(row["due"], years),
                    "status": "met" if years and row["status"] == "open" else row["status"],
                    "explanation": [line.replace("hue-2025-", marker) for line in row["explanation"]],
                })
                if len(rows) == obligations:
                    break
            if len(rows) == obligations:
                break
        years += 1
    return ReportView(
        pack_id=base.pack_id, pack_title=base.pack_title, as_of=base.as_of, lang="vi", obligations=rows,
        agencies=all_agencies, rules=base.rules, input=base.input, rejected=base.rejected,
    )  # fmt: skip


def _timed(browser: Browser, script: str) -> float:
    """Milliseconds the page spends running *script* (measured inside the page)."""
    return float(browser.evaluate(f"(function () {{ var t = performance.now(); {script}; return performance.now() - t; }})()"))


def main() -> None:
    """Build, write and open the report; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=4000)
    parser.add_argument("--obligations", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="keep the report here")
    parser.add_argument("--screenshot", type=Path, default=None, help="save the example report's picture here")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        sys.exit("no Chromium: apt-get install chromium")
    view = country(args.agencies, args.obligations)
    violations = len(view.violations())
    started = time.perf_counter()
    text = render(view)
    write_s = time.perf_counter() - started
    folder = Path(tempfile.mkdtemp(prefix="hanchot-report-"))
    page = args.keep or folder / "report.html"
    page.write_text(text, encoding="utf-8")
    print(f"{len(view.agencies)} agencies, {len(view.obligations)} obligations, {violations} violations")
    print(f"report: {page.stat().st_size / 2**20:.1f} MiB, written in {write_s:.2f} s")
    loads, filters, sorts = [], [], []
    for _ in range(args.runs):
        with Browser(chromium) as browser:
            loads.append(browser.open(page))
            errors = browser.errors()
            agency = browser.evaluate("document.getElementById('f-agency').options[1].value")
            filters.append(_timed(browser, f"var s = document.getElementById('f-agency'); s.value = '{agency}'; s.dispatchEvent(new Event('change'))"))
            browser.evaluate("var s = document.getElementById('f-agency'); s.value = ''; s.dispatchEvent(new Event('change'))")
            sorts.append(_timed(browser, "document.querySelector('#v-table th[data-col=\"5\"]').click()"))
            if errors:
                sys.exit(f"JavaScript errors: {errors}")
    print(f"open in Chromium (navigation to every section drawn), {args.runs} runs: "
          f"median {statistics.median(loads):.2f} s, max {max(loads):.2f} s (target < 3 s)")  # fmt: skip
    print(f"filter by one agency: median {statistics.median(filters):.0f} ms; "
          f"sort {violations} violations by days late: median {statistics.median(sorts):.0f} ms")  # fmt: skip
    if args.screenshot:
        example_page = folder / "example.html"
        report, pack, by_id = example()
        example_page.write_text(render(from_report(report, pack, by_id, "vi")), encoding="utf-8")
        with Browser(chromium, width=1280, height=1000) as browser:
            browser.open(example_page)
            browser.screenshot(args.screenshot, full_height=1500)
        print(f"screenshot: {args.screenshot}")


if __name__ == "__main__":
    main()
