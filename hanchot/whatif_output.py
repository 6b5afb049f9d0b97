"""Write what-if comparisons and sweeps as a table, JSON, CSV or an HTML page."""

from __future__ import annotations

import csv
import html
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from hanchot.inputs import Agency
from hanchot.whatif import Comparison
from hanchot.writers.columns import Column, Table

DIFF_FIELDS = ("kind", "rule", "agency", "period", "trigger", "due_base", "due_other", "due_shift_days",
               "status_base", "status_other", "explanation_base", "explanation_other")  # fmt: skip


def difference_rows(comparison: Comparison, lang: str = "en") -> list[dict[str, Any]]:
    """Each difference as a flat row, both explanations side by side."""
    rows = []
    for d in comparison.differences:
        rule, agency, period, trigger = d.key
        rows.append(
            {
                "kind": d.kind,
                "rule": rule,
                "agency": agency,
                "period": period,
                "trigger": trigger,
                "due_base": d.base.due.isoformat() if d.base and d.base.due else "",
                "due_other": d.other.due.isoformat() if d.other and d.other.due else "",
                "due_shift_days": "" if d.due_shift is None else d.due_shift,
                "status_base": d.base.status.value if d.base else "",
                "status_other": d.other.status.value if d.other else "",
                "explanation_base": " | ".join(d.base.explanation.lines(lang)) if d.base else "",
                "explanation_other": " | ".join(d.other.explanation.lines(lang)) if d.other else "",
            }
        )
    return rows


def write_comparison(
    comparison: Comparison, agencies: Mapping[str, Agency], fmt: str, out: TextIO, lang: str = "en"
) -> None:
    """Write *comparison* in *fmt*: ``table``, ``json``, ``csv`` or ``html``."""
    if fmt == "json":
        json.dump(comparison.to_dict(agencies, lang), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=DIFF_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(difference_rows(comparison, lang))
    elif fmt == "html":
        out.write(_page(f"What-if: {comparison.other_label}", _comparison_html(comparison, agencies, lang)))
    else:
        _comparison_table(comparison, agencies, out, lang)


_TOTALS = [Column(h, w, ">") for h, w in (("viol.base", 10), ("viol.new", 10), ("appear", 8), ("vanish", 8), ("moved", 7))]
_TOTAL_KEYS = ("violations_base", "violations_other", "appear", "disappear", "due_moved")
_DIFFERENCES = Table([Column("Agency", 14, clip=13), Column("Rule", 26, clip=25), Column("For", 12, clip=11),
                      Column("Due", 11), Column("Change", 14, ">")])  # fmt: skip
_SWEEP = Table([Column("value", 20, clip=19), Column("violations", 12, ">"), Column("affected", 10, ">")])


def _comparison_table(comparison: Comparison, agencies: Mapping[str, Agency], out: TextIO, lang: str) -> None:
    out.write(f"Baseline: {comparison.base_label}\nVariant:  {comparison.other_label}\n")
    out.write(f"As of {comparison.base.as_of.strftime('%d/%m/%Y')}\n\n{comparison.verdict(lang)}\n")
    if comparison.unchanged:
        return
    for by, head in (("rule", "Rule"), ("level", "Level")):
        table = Table([Column(head, 30, clip=29 if by == "rule" else None), *_TOTALS])
        out.write("\n" + table.head())
        for row in comparison.totals(by, agencies):
            if by == "level" or row["appear"] or row["disappear"] or row["due_moved"] or row["only_base"] or row["only_other"]:
                out.write(table.row(row[by], *(row[key] for key in _TOTAL_KEYS)))
    rows = difference_rows(comparison, lang)
    changes = [r for r in rows if r["kind"] != "due_moved" and r["kind"] != "status_changed"]
    out.write(f"\nViolations that appear or disappear, and obligations under one rule set only ({len(changes)})\n")
    _difference_lines(changes, out)
    shifts = Counter(r["due_shift_days"] for r in rows if isinstance(r["due_shift_days"], int))
    if shifts:
        moves = ", ".join(f"{days:+d} day(s): {n}" for days, n in sorted(shifts.items()))
        out.write(f"\nDue dates that move ({sum(shifts.values())}): {moves}\n")
    others = [r for r in rows if r["kind"] == "status_changed"]
    if others:
        out.write(f"\nOther status changes ({len(others)})\n")
        _difference_lines(others, out)


def _difference_lines(rows: list[dict[str, Any]], out: TextIO, limit: int = 60) -> None:
    if not rows:
        out.write("(none)\n")
        return
    out.write(_DIFFERENCES.head())
    for row in rows[:limit]:
        change = f"{row['status_base'] or '-'}→{row['status_other'] or '-'}"
        shift = f" {row['due_shift_days']:+d}d" if isinstance(row["due_shift_days"], int) else ""
        due = row["due_other"] or row["due_base"]
        out.write(_DIFFERENCES.row(row["agency"], row["rule"], row["period"] or row["trigger"], due, change + shift))
    if len(rows) > limit:
        out.write(f"... and {len(rows) - limit} more (--format json, csv or html for all)\n")


def _comparison_html(comparison: Comparison, agencies: Mapping[str, Agency], lang: str) -> str:
    parts = [
        (
            f"<h1>What-if</h1><p><b>Baseline:</b> {html.escape(comparison.base_label)}<br>"
            f"<b>Variant:</b> {html.escape(comparison.other_label)}<br>"
            f"<b>As of:</b> {comparison.base.as_of.isoformat()}</p>"
        ),
        f"<p class=verdict>{html.escape(comparison.verdict(lang))}</p>",
    ]
    for group in ("rule", "level"):
        parts.append(f"<h2>By {group}</h2>" + _html_table(comparison.totals(group, agencies)))
    rows = difference_rows(comparison, lang)
    parts.append("<h2>Differences</h2>" + _html_table(rows) if rows else "")
    return "".join(parts)


def write_sweep(
    label: str, values: Sequence[Any], comparisons: Sequence[Comparison], fmt: str, out: TextIO
) -> None:
    """One row per swept value: violations in total and per rule; a bar chart in HTML."""
    rules = sorted({o.rule for c in comparisons for o in c.other.obligations if o.is_violation})
    rows = []
    for value, comparison in zip(values, comparisons, strict=True):
        violations = [o for o in comparison.other.obligations if o.is_violation]
        row: dict[str, Any] = {"value": value, "violations": len(violations), "affected": len(comparison.differences)}
        row.update({r: sum(1 for o in violations if o.rule == r) for r in rules})
        rows.append(row)
    if fmt == "json":
        json.dump({"sweep": label, "rows": rows}, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=["value", "violations", "affected", *rules], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    elif fmt == "html":
        body = f"<h1>Sweep of {html.escape(label)}</h1>" + _bar_chart(rows) + _html_table(rows)
        out.write(_page(f"Sweep: {label}", body))
    else:
        out.write(f"Sweep of {label} (baseline: the pack's value)\n\n" + _SWEEP.head())
        out.writelines(_SWEEP.row(row["value"], row["violations"], row["affected"]) for row in rows)


def _bar_chart(rows: Sequence[Mapping[str, Any]]) -> str:
    """An inline SVG bar chart of violations per value (no JavaScript, no dependency)."""
    top = max((r["violations"] for r in rows), default=0) or 1
    width, bar, gap, height = 640, 48, 24, 220
    bars = []
    for i, row in enumerate(rows):
        h = round(180 * row["violations"] / top)
        x = 40 + i * (bar + gap)
        bars.append(
            f'<rect x="{x}" y="{200 - h}" width="{bar}" height="{h}" fill="#b3261e"/>'
            f'<text x="{x + bar / 2}" y="{195 - h}" text-anchor="middle">{row["violations"]}</text>'
            f'<text x="{x + bar / 2}" y="215" text-anchor="middle">{html.escape(str(row["value"]))}</text>'
        )
    width = max(width, 60 + len(rows) * (bar + gap))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="violations per value"><line x1="30" y1="200" x2="{width}" y2="200" '
        f'stroke="#444"/>{"".join(bars)}</svg>'
    )


def _html_table(rows: Sequence[Mapping[str, Any]]) -> str:
    if not rows:
        return "<p>(none)</p>"
    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row.values()) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _page(title: str, body: str) -> str:
    style = (
        "body{font-family:sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;margin:1em 0}"
        "td,th{border:1px solid #ccc;padding:.2em .5em;font-size:.9em;vertical-align:top}"
        "th{background:#eee}.verdict{font-size:1.2em;font-weight:bold}"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{style}</style></head><body>{body}</body></html>\n"
    )
