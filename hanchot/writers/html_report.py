"""The HTML report: one self-contained page an officer opens offline, in Vietnamese by default.

Everything is inline — style, script, charts (SVG) — and nothing is fetched,
so the file works on a government network or as an e-mail attachment. The rows
are embedded as compact JSON (agencies, rules and explanation lines stored once
and referred to by number) and the page renders only what is on screen: a page
of the violations table, one agency, one month of the calendar. That keeps a
country's report (thousands of agencies, hundreds of thousands of duties) quick
to open: only violations and duties due in the next 90 days carry rows; every
other duty is counted, per agency and rule.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from hanchot.writers import Context, Writer
from hanchot.writers.view import VIOLATION, ReportView, Row, days_late, from_report
from hanchot.writers.words import STATUSES, day_month_year, words

UPCOMING_DAYS = 90
LEVELS = ("province", "department", "district", "commune", "unit")
_COLOURS = {"overdue": "#b3261e", "met_late": "#e8710a", "open": "#1a73e8", "met": "#188038", "not_applicable": "#80868b"}


@functools.cache
def _asset(name: str) -> str:
    """A file shipped with hanchot (read once: a batch writes thousands of pages)."""
    return resources.files("hanchot.writers").joinpath("assets", name).read_text(encoding="utf-8")


def payload(view: ReportView) -> dict[str, Any]:
    """The data the page's script renders, compact: tables of names, rows of numbers."""
    agency_ids = sorted({r["agency"] for r in view.obligations})
    agency_index = {a: i for i, a in enumerate(agency_ids)}
    seen_rules = {r["rule"] for r in view.obligations}
    rule_ids = [r for r in view.rules if r in seen_rules] + sorted(seen_rules - set(view.rules))
    rule_index = {r: i for i, r in enumerate(rule_ids)}
    status_index = {s: i for i, s in enumerate(STATUSES)}
    strings: dict[str, int] = {}
    counts: Counter[tuple[int, int, int]] = Counter()
    rows: list[list[Any]] = []
    last = view.as_of + dt.timedelta(days=UPCOMING_DAYS)
    for row in view.obligations:
        a, r, s = agency_index[row["agency"]], rule_index[row["rule"]], status_index[row["status"]]
        counts[(a, r, s)] += 1
        upcoming = row["status"] == "open" and row["due"] and view.as_of < dt.date.fromisoformat(row["due"]) <= last
        if row["status"] in VIOLATION or upcoming:
            rows.append(_row(row, a, r, s, view.as_of, strings))
    return {
        "lang": view.lang,
        "words": dict(words(view.lang)),
        "asOf": view.as_of.isoformat(),
        "agencies": [
            [a, view.agency_name(a), view.agency_level(a), _province(view, a)] for a in agency_ids
        ],
        "rules": [[r, view.rule_title(r)] for r in rule_ids],
        "statuses": list(STATUSES),
        "counts": [[a, r, s, n] for (a, r, s), n in sorted(counts.items())],
        "rows": rows,
        "strings": list(strings),
    }


def _row(row: Row, a: int, r: int, s: int, as_of: dt.date, strings: dict[str, int]) -> list[Any]:
    """[agency, rule, status (index in STATUSES), period or trigger, due, days late, explanation line numbers]."""
    lines = [strings.setdefault(line, len(strings)) for line in row["explanation"]]
    late = days_late(row, as_of)
    return [a, r, s, row["period"] or row["trigger"] or "", row["due"] or "", late, lines]


def _province(view: ReportView, agency_id: str) -> str:
    agency = view.agencies.get(agency_id)
    return (agency.province or "") if agency is not None else ""


def _json_for_script(data: Any) -> str:
    """JSON safe inside a <script> element (no '</script>' can close it early)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def bar_chart(items: Sequence[tuple[str, int, str]], colour: str = "#b3261e", label_width: int = 340) -> str:
    """A horizontal SVG bar chart: (label, value, tooltip) per bar; the value printed at its end."""
    if not items:
        return ""
    top = max(v for _, v, _ in items) or 1
    bar, gap, width = 18, 6, label_width + 320
    height = len(items) * (bar + gap) + gap
    parts = []
    for i, (label, value, tip) in enumerate(items):
        y = gap + i * (bar + gap)
        length = round(280 * value / top)
        fits = label_width // 7
        short = label if len(label) <= fits else label[: fits - 1] + "…"
        parts.append(
            f'<g><title>{html.escape(tip)}</title><text x="{label_width - 6}" y="{y + 13}" text-anchor="end">'
            f'{html.escape(short)}</text><rect x="{label_width}" y="{y}" width="{length}" height="{bar}" '
            f'fill="{colour}"/><text x="{label_width + length + 4}" y="{y + 13}">{value}</text></g>'
        )
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">{"".join(parts)}</svg>'
    )


def column_chart(items: Sequence[tuple[str, int]], colour: str = "#b3261e") -> str:
    """A vertical SVG bar chart (months on the axis), the value above each bar."""
    if not items:
        return ""
    top = max(v for _, v in items) or 1
    bar, gap = 34, 10
    width, height = len(items) * (bar + gap) + gap, 170
    parts = []
    for i, (label, value) in enumerate(items):
        x = gap + i * (bar + gap)
        h = round(120 * value / top)
        parts.append(
            f'<rect x="{x}" y="{140 - h}" width="{bar}" height="{h}" fill="{colour}"/>'
            f'<text x="{x + bar / 2}" y="{135 - h}" text-anchor="middle">{value}</text>'
            f'<text x="{x + bar / 2}" y="158" text-anchor="middle">{html.escape(label)}</text>'
        )
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">{"".join(parts)}</svg>'
    )


def _summary(view: ReportView) -> str:
    w = words(view.lang)
    by_status = Counter(r["status"] for r in view.obligations)
    violations = view.violations()
    judged = by_status["met"] + by_status["met_late"] + by_status["overdue"]
    share = f"{100 * by_status['met'] / judged:.1f}%" if judged else "—"
    cards = "".join(
        f'<div class="card s-{s}"><b>{by_status[s]}</b><span>{html.escape(w[s])}</span></div>' for s in STATUSES
    )
    cards += f'<div class="card"><b>{share}</b><span>{html.escape(w["on_time_share"])}</span></div>'
    level = Counter(view.agency_level(r["agency"]) for r in violations)
    by_level = [(w.get(lv, lv), level[lv], lv) for lv in (*LEVELS, *sorted(set(level) - set(LEVELS))) if level[lv]]
    rule = Counter(r["rule"] for r in violations)
    by_rule = [(view.rule_title(r), n, f"{view.rule_title(r)} ({r})") for r, n in sorted(rule.items(), key=lambda x: (-x[1], x[0]))]
    month = Counter(r["due"][:7] for r in violations if r["due"])
    by_month = [(f"{m[5:7]}/{m[2:4]}", month[m]) for m in _months(min(month, default=""), max(month, default=""))]
    return (
        f'<section id="summary"><h2>{html.escape(w["summary"])}</h2><div class="cards">{cards}</div>'
        f'<div class="charts"><figure><figcaption>{html.escape(w["by_level"])}</figcaption>{bar_chart(by_level, label_width=150)}</figure>'
        f'<figure><figcaption>{html.escape(w["by_month"])}</figcaption>{column_chart(by_month)}</figure></div>'
        f'<figure><figcaption>{html.escape(w["by_rule"])}</figcaption>{bar_chart(by_rule)}</figure></section>'
    )


def _months(first: str, last: str) -> list[str]:
    """Every month from *first* to *last* (YYYY-MM), so a month without violations shows as 0."""
    if not first:
        return []
    out, (year, month) = [], (int(first[:4]), int(first[5:7]))
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _input(view: ReportView) -> str:
    w = words(view.lang)
    counts = "".join(
        f"<tr><th>{html.escape(w[k])}</th><td class=num>{view.input.get(k, 0)}</td></tr>"
        for k in ("read", "used", "ignored", "duplicates", "rejected")
    )
    because = "".join(
        f"<tr><th>{html.escape(w.get(k, k))}</th><td class=num>{n}</td></tr>"
        for k, n in view.input.get("ignored_because", {}).items()
    )
    rejected = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r.get(k, '')))}</td>" for k in ("file", "line", "field", "reason")) + "</tr>"
        for r in view.rejected
    )
    head = "".join(f"<th>{html.escape(w[k])}</th>" for k in ("file", "line", "field", "reason"))
    return (
        f'<section id="input"><h2>{html.escape(w["input"])}</h2><table class="kv">{counts}</table>'
        + (f'<h3>{html.escape(w["ignored_because"])}</h3><table class="kv">{because}</table>' if because else "")
        + f'<h3>{html.escape(w["rejected_lines"])} ({len(view.rejected)})</h3>'
        + (f"<table><thead><tr>{head}</tr></thead><tbody>{rejected}</tbody></table>" if rejected else f"<p>{html.escape(w['none'])}</p>")
        + "</section>"
    )


def history_section(history: Mapping[str, Any], lang: str, agencies: Mapping[str, Any] | None = None) -> str:
    """Violations per run over time, and what is new and resolved since the previous run."""
    w = words(lang)
    runs = history.get("runs", [])
    diff = history.get("diff", {})
    chart = column_chart([(f"#{r['run']} {r['as_of'][8:10]}/{r['as_of'][5:7]}", r["violations"]) for r in runs[-24:]])
    cards = "".join(
        f'<div class="card"><b>{diff.get(k, 0)}</b><span>{html.escape(w[k])}</span></div>'
        for k in ("new", "resolved", "still_open")
    ) if diff.get("run") is not None else ""
    head = "".join(f"<th>{html.escape(w[k])}</th>" for k in ("agency", "rule", "new", "resolved"))

    def name(a: str) -> str:
        agency = (agencies or {}).get(a)
        return agency.name if agency is not None and agency.name else a

    body = "".join(
        f'<tr><td title="{html.escape(r["agency"])}">{html.escape(name(r["agency"]))}</td><td>{html.escape(r["rule"])}</td>'
        f'<td class=num>{r["new"]}</td><td class=num>{r["resolved"]}</td></tr>'
        for r in diff.get("by_agency_rule", [])
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>" if body else ""
    return (
        f'<section id="history"><h2>{html.escape(w["history"])}</h2>'
        f'<figure><figcaption>{html.escape(w["violations"])} / {html.escape(w["run"])}</figcaption>{chart}</figure>'
        f'<div class="cards">{cards}</div>{table}</section>'
    )


def page(title: str, lang: str, body: str, data: Any | None = None) -> str:
    """A whole self-contained page: inline style, the data as JSON, inline script."""
    script = ""
    if data is not None:
        script = (
            f'<script type="application/json" id="data">{_json_for_script(data)}</script>'
            f"<script>{_asset('report.js')}</script>"
        )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_asset('report.css')}</style></head>"
        f"<body>{body}{script}</body></html>\n"
    )


def render(view: ReportView, agency: str | None = None) -> str:
    """The whole report of *view* as one HTML page.

    With *agency*, the page of that agency alone (the view holds only its rows):
    titled with its name, without the input accounting and history, which
    concern every agency.
    """
    w = words(view.lang)
    dates = f'{html.escape(w["as_of"])} <b>{day_month_year(view.as_of)}</b>'
    if view.known_at:
        dates += f' · {html.escape(w["known_at"])} <b>{day_month_year(view.known_at)}</b>'
    sections = ["summary", "violations", "upcoming", "agencies"]
    if agency is None:
        sections += ["history", "input"] if view.history else ["input"]
    title = w["report_title"] + (f" — {view.agency_name(agency)}" if agency else "")
    header = (
        f'<header><h1>{html.escape(title)}</h1><p class="plan">{html.escape(view.pack_title)}</p>'
        f'<p>{html.escape(w["pack"])}: <code>{html.escape(view.pack_id)}</code> · {dates}</p>'
        f'<nav>{"".join(f"<a href=#{k}>{html.escape(w[k])}</a>" for k in sections)}</nav></header>'
    )
    shells = (
        '<section id="violations"></section><section id="upcoming"></section><section id="agencies"></section>'
    )
    rest = ""
    if agency is None:
        rest = (history_section(view.history, view.lang, view.agencies) if view.history else "") + _input(view)
    body = f"{header}<main>{_summary(view)}{shells}{rest}</main>"
    return page(f"{title} — {view.pack_id} — {day_month_year(view.as_of)}", view.lang, body, payload(view))


def _check(report: Any, out: TextIO, context: Context) -> None:
    out.write(render(from_report(report, context.names_pack(), context.agencies, context.lang)))


def _comparison(comparison: Any, out: TextIO, context: Context) -> None:
    from hanchot.writers.view import rule_titles
    from hanchot.writers.whatif_html import comparison_body

    titles = rule_titles(context.pack, context.lang) if context.pack is not None else {}
    body = comparison_body(comparison, context.agencies, titles, context.lang)
    out.write(page(f"{words(context.lang)['whatif']}: {comparison.other_label}", context.lang, body))


def _sweep(sweep: Any, out: TextIO, context: Context) -> None:
    from hanchot.whatif_output import write_sweep

    write_sweep(sweep.label, sweep.values, sweep.comparisons, "html", out)


def _history(history: Any, out: TextIO, context: Context) -> None:
    w = words(context.lang)
    body = f"<header><h1>{html.escape(w['history'])}</h1></header><main>" + history_section(
        {"runs": history.runs, "diff": history.diff}, context.lang, context.agencies
    ) + "</main>"
    out.write(page(w["history"], context.lang, body))


def _batch(view: ReportView, folder: Path, context: Context) -> list[Path]:
    """``report.html`` for every agency, and ``agencies/ID.html`` for each one, to send to it."""
    from dataclasses import replace

    from hanchot.writers import atomic_file

    target = folder / "report.html"
    with atomic_file(target) as out:
        out.write(render(view))
    written = [target]
    by_agency: dict[str, list[Row]] = {}
    for row in view.obligations:
        by_agency.setdefault(row["agency"], []).append(row)
    for agency, rows in sorted(by_agency.items()):
        own = replace(view, obligations=rows, rejected=(), history=None)
        target = folder / "agencies" / f"{agency}.html"
        with atomic_file(target) as out:
            out.write(render(own, agency))
        written.append(target)
    return written


WRITER = Writer(
    name="html",
    extension="html",
    binary=False,
    needs_names=True,
    kinds={"check": _check, "comparison": _comparison, "sweep": _sweep, "history": _history},
    batch=_batch,
    default_lang="vi",
    description="one self-contained page (offline): charts, sortable and filterable tables, calendar",
)
