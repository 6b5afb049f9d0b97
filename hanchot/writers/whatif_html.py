"""The what-if comparison as an HTML page in the report's language, with names and titles.

Static (no script): each difference opens, with ``<details>``, both
explanations side by side — the baseline's and the variant's.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping
from typing import Any

from hanchot.writers.words import day_month_year, words

_KINDS = ("appears", "disappears", "due_moved", "status_changed", "only_base", "only_other")
_LEVELS = ("province", "department", "district", "commune", "unit")


def comparison_body(comparison: Any, agencies: Mapping[str, Any], titles: Mapping[str, str], lang: str) -> str:
    """Header, verdict, counts, totals by level and rule, and every difference."""
    w = words(lang)
    e = html.escape
    counts = Counter(d.kind for d in comparison.differences)
    cards = "".join(f'<div class="card"><b>{counts[k]}</b><span>{e(w[k])}</span></div>' for k in _KINDS)
    header = (
        f"<header><h1>{e(w['whatif'])}</h1><p>{e(w['baseline'])}: <b>{e(comparison.base_label)}</b></p>"
        f"<p>{e(w['variant'])}: <b>{e(comparison.other_label)}</b></p>"
        f"<p>{e(w['as_of'])} <b>{day_month_year(comparison.base.as_of)}</b></p></header>"
    )
    summary = f'<section id="summary"><h2>{e(comparison.verdict(lang))}</h2><div class="cards">{cards}</div>'
    summary += f"<h3>{e(w['by_level'])}</h3>" + _totals(comparison, agencies, "level", {k: w.get(k, k) for k in _LEVELS}, w)
    summary += f"<h3>{e(w['by_rule'])}</h3>" + _totals(comparison, agencies, "rule", titles, w) + "</section>"
    return f"{header}<main>{summary}{_differences(comparison, agencies, titles, lang)}</main>"


def _totals(comparison: Any, agencies: Mapping[str, Any], group: str, names: Mapping[str, str], w: Mapping[str, str]) -> str:
    heads = [w["level" if group == "level" else "rule"], f"{w['violations']} ({w['baseline']})",
             f"{w['violations']} ({w['variant']})", w["appears"], w["disappears"], w["due_moved"]]  # fmt: skip
    rows = []
    for row in comparison.totals(group, agencies):
        name = row[group]
        rows.append(
            f'<tr><td title="{html.escape(name)}">{html.escape(names.get(name, name))}</td>'
            + "".join(f"<td class=num>{row[k]}</td>" for k in ("violations_base", "violations_other", "appear", "disappear", "due_moved"))
            + "</tr>"
        )
    head = "".join(f"<th>{html.escape(h)}</th>" for h in heads)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _differences(comparison: Any, agencies: Mapping[str, Any], titles: Mapping[str, str], lang: str) -> str:
    w = words(lang)
    e = html.escape
    rows = []
    for d in comparison.differences:
        rule, agency, period, trigger = d.key
        found = agencies.get(agency)
        name = found.name if found is not None and found.name else agency
        due = " → ".join(day_month_year(o.due, "—") if o else "—" for o in (d.base, d.other))
        status = " → ".join(w[o.status.value] if o else "—" for o in (d.base, d.other))
        explained = "".join(
            f"<td><ol>{''.join(f'<li>{e(line)}</li>' for line in o.explanation.lines(lang))}</ol></td>" if o else "<td>—</td>"
            for o in (d.base, d.other)
        )
        rows.append(
            f'<tr><td>{e(w[d.kind])}</td><td title="{e(agency)}">{e(name)}</td><td title="{e(rule)}">{e(titles.get(rule, rule))}</td>'
            f"<td>{e(period or trigger)}</td><td>{due}</td><td class=num>{'' if d.due_shift is None else f'{d.due_shift:+d}'}</td>"
            f"<td>{e(status)}</td></tr><tr class=expl><td colspan=7><details><summary>{e(w['explanation'])}</summary>"
            f"<table><tr><th>{e(w['baseline'])}</th><th>{e(w['variant'])}</th></tr><tr>{explained}</tr></table></details></td></tr>"
        )
    heads = ("change", "agency", "rule", "period", "due", "shift", "status")
    head = "".join(f"<th>{e(w[h])}</th>" for h in heads)
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>" if rows else f"<p>{e(w['none'])}</p>"
    return f'<section id="differences"><h2>{e(w["differences"])} ({len(rows)})</h2>{table}</section>'
