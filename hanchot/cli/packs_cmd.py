"""``hanchot packs``: list the built-in rule packs, show one, explain one rule.

- ``hanchot packs list``: id, title, validity and base of every built-in pack;
- ``hanchot packs show PACK [--lang vi|en] [--set NAME=VALUE]``: each rule in words
  (kind, whom it binds, when it is due, basis), then the parameters with their values;
- ``hanchot packs explain PACK RULE``: one rule in full, with its resolved YAML;
- ``hanchot packs coverage PACK [--format table|json]``: every dated or periodic duty of the
  pack's plan against the rule that checks it, or why it is not checked from events.

PACK is a built-in id or a path to a pack YAML. ``--set`` changes a parameter (a
what-if), e.g. ``--set before_is_inclusive=true``. Unknown packs, rules and
parameters are a one-line error with a suggestion and exit code 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from hanchot.calendar import Roll
from hanchot.cli._common import guarded
from hanchot.engine import rule_kind  # the engine's import registers the built-in kinds
from hanchot.rules.changes import parse_change, variant
from hanchot.rules.coverage import Coverage, load_coverage
from hanchot.rules.loader import builtin_pack_ids, load_pack
from hanchot.rules.model import (
    AnyRule,
    CoverageRule,
    Due,
    EveryRule,
    FixedDue,
    OnceRule,
    Pattern,
    RulePack,
    WithinRule,
)
from hanchot.writers.columns import Column, Table

EXIT_OK, EXIT_USAGE = 0, 2

_PERIOD = {
    "en": {"year": "year", "half": "half-year", "quarter": "quarter", "month": "month"},
    "vi": {"year": "năm", "half": "6 tháng", "quarter": "quý", "month": "tháng"},
}
_ROLL = {
    "en": {
        Roll.FOLLOWING: "rolls to next working day",
        Roll.PRECEDING: "rolls back to the previous working day",
        Roll.NONE: "does not roll",
    },
    "vi": {
        Roll.FOLLOWING: "lùi sang ngày làm việc tiếp theo",
        Roll.PRECEDING: "chuyển về ngày làm việc liền trước",
        Roll.NONE: "không lùi ngày",
    },
}
_LABELS = {
    "en": {"applies": "applies to", "due": "due", "basis": "basis", "trigger": "trigger",
           "met_by": "met by", "match": "counts", "note": "note", "params": "Parameters",
           "rules": "Rules", "valid": "valid", "extends": "extends", "all": "all agencies",
           "default": "default", "value": "value", "exempt": "except"},
    "vi": {"applies": "áp dụng cho", "due": "hạn", "basis": "căn cứ", "trigger": "phát sinh khi",
           "met_by": "hoàn thành khi", "match": "tính", "note": "ghi chú", "params": "Tham số",
           "rules": "Quy tắc", "valid": "hiệu lực", "extends": "kế thừa", "all": "mọi cơ quan",
           "default": "mặc định", "value": "giá trị", "exempt": "trừ"},
}  # fmt: skip


def register(subparsers: Any) -> None:
    """Add the ``packs`` sub-command (``list``, ``show``, ``explain``) to *subparsers*."""
    parser = subparsers.add_parser(
        "packs",
        help="list, show and explain rule packs",
        description="List the built-in rule packs, show one in words, or explain one rule.",
    )
    sub = parser.add_subparsers(dest="packs_command", required=True, parser_class=type(parser))

    p_list = sub.add_parser("list", help="list the built-in packs")
    p_list.add_argument("--lang", choices=("vi", "en"), default="en")
    p_list.set_defaults(run=guarded(run_list))

    p_show = sub.add_parser("show", help="show every rule and parameter of a pack")
    p_show.add_argument("pack", metavar="PACK", help="built-in pack id or path to a pack YAML")
    _add_common(p_show)
    p_show.set_defaults(run=guarded(run_show))

    p_explain = sub.add_parser("explain", help="explain one rule in full, with its resolved YAML")
    p_explain.add_argument("pack", metavar="PACK", help="built-in pack id or path to a pack YAML")
    p_explain.add_argument("rule", metavar="RULE", help="rule id")
    _add_common(p_explain)
    p_explain.set_defaults(run=guarded(run_explain))

    p_cov = sub.add_parser(
        "coverage", help="every duty of the pack's plan against the rule that checks it"
    )
    p_cov.add_argument("pack", metavar="PACK", help="built-in pack id")
    p_cov.add_argument("--format", choices=("table", "json"), default="table")
    p_cov.set_defaults(run=guarded(run_coverage))


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=("vi", "en"), default="en")
    parser.add_argument(
        "--set",
        dest="values",
        action="append",
        default=[],
        metavar="[RULE.]NAME=VALUE",
        help="change a parameter or rule field (repeatable), e.g. before_is_inclusive=true",
    )


def _load(pack_ref: str, changes: Sequence[str]) -> RulePack:
    """The pack with the ``--set`` changes applied."""
    base = load_pack(pack_ref)
    return variant(pack_ref, [parse_change(c, base) for c in changes]) if changes else base


# -- commands ------------------------------------------------------------------------


_PACKS = Table([Column(width=24), Column(before=" "), Column(before="  ")])
"""A pack: id, validity, title and base."""


def run_list(args: argparse.Namespace) -> int:
    """Print one line per built-in pack: id, title, validity, base."""
    lang = args.lang
    for pack_id in builtin_pack_ids():
        pack = load_pack(pack_id)
        base = f"  {_LABELS[lang]['extends']} {pack.extends}" if pack.extends else ""
        print(_PACKS.row(pack.id, _validity(pack), f"{pack.title.get(lang)}{base}"), end="")
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    """Print a pack's rules in words, then its parameters."""
    pack = _load(args.pack, args.values)
    lang = args.lang
    labels = _LABELS[lang]
    print(f"{pack.id} — {pack.title.get(lang)}")
    print(
        f"{labels['valid']}: {_validity(pack)}"
        + (f"; {labels['extends']}: {pack.extends}" if pack.extends else "")
    )
    print()
    print(f"{labels['rules']} ({len(pack.rules)}):")
    for rule in pack.rules:
        print()
        for line in describe_rule(rule, lang):
            print(f"  {line}")
    print()
    print(f"{labels['params']}:")
    for line in describe_parameters(pack, lang):
        print(f"  {line}")
    return EXIT_OK


def run_explain(args: argparse.Namespace) -> int:
    """Print one rule in words, its note, and its resolved YAML."""
    pack = _load(args.pack, args.values)
    rule = pack.rule(args.rule)
    lang = args.lang
    print(f"{pack.id} / {rule.id}")
    for line in describe_rule(rule, lang, full=True):
        print(f"  {line}")
    used = _parameters_used(rule.id, pack)
    if used:
        print()
        print(f"{_LABELS[lang]['params']}:")
        for line in describe_parameters(pack, lang, only=used):
            print(f"  {line}")
    print()
    print("# resolved rule (after extends and parameters)")
    dumped = rule.model_dump(mode="json", by_alias=True, exclude_none=True)
    data = {"id": dumped.pop("id"), "kind": dumped.pop("kind"), **dumped}
    print(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100).rstrip())
    return EXIT_OK


def run_coverage(args: argparse.Namespace) -> int:
    """Print the plan's duties, each with its rules or the reason it is not checked."""
    pack = load_pack(args.pack)
    coverage = load_coverage(pack.id)
    if args.format == "json":
        print(json.dumps(coverage.to_dict(), ensure_ascii=False))
        return EXIT_OK
    for line in describe_coverage(coverage, pack):
        print(line)
    return EXIT_OK


def describe_coverage(coverage: Coverage, pack: RulePack) -> list[str]:
    """The coverage table: a header, the communes line, then one block per duty."""
    checked = sum(1 for d in coverage.duties if d.rules)
    lines = [
        f"{pack.id} — {pack.title.get('en')} (plan {coverage.plan})",
        (
            f"{len(coverage.duties)} duties: {checked} checked by rules, "
            f"{len(coverage.duties) - checked} not checked from events"
        ),
    ]
    communes = coverage.communes
    bound = "bound" if communes.bound else "not bound"
    quote = f' "{communes.quote}"' if communes.quote else ""
    lines.append(f"communes: {bound} ({communes.source}{quote})")
    if communes.note:
        lines.append(f"  {communes.note}")
    for duty in coverage.duties:
        lines.append("")
        lines.append(duty.source)
        lines += textwrap.wrap(f'"{duty.quote}"', width=88, initial_indent="  ", subsequent_indent="   ")
        if duty.rules:
            lines.append(f"  checked by: {', '.join(duty.rules)}")
        else:
            lines.append(f"  not checked: {duty.not_checked}")
        if duty.note:
            lines.append(f"  note: {duty.note}")
    return lines


# -- wording -----------------------------------------------------------------------------


def describe_rule(rule: AnyRule, lang: str, *, full: bool = False) -> list[str]:
    """The rule in words: title, kind, whom it binds, roles, due, basis (and note)."""
    labels = _LABELS[lang]
    lines = [f"{rule.id}: {rule.title.get(lang)}", f"  [{rule_kind(rule.kind).label.get(lang, rule.kind)}]"]
    lines.append(f"  {labels['applies']}: {_selector(rule.applies_to, lang)}")
    if rule.exempt:
        lines.append(f"  {labels['exempt']}: {_selector(rule.exempt, lang)}")
    if isinstance(rule, WithinRule):
        lines.append(f"  {labels['trigger']}: {_pattern(rule.trigger)}")
        met = _pattern(rule.fulfilment)
        if rule.correlate:
            pairs = ", ".join(f"{c.fulfilment} ↔ {c.trigger}" for c in rule.correlate)
            met += f" ({pairs})"
        lines.append(f"  {labels['met_by']}: {met}")
    else:
        lines.extend(f"  {labels.get(role, role)}: {_pattern(pattern)}" for role, pattern in rule.roles())
    lines.append(f"  {labels['due']}: {describe_due(rule, lang)}")
    for basis in rule.basis:
        lines.append(f"  {labels['basis']}: {basis.cite()}")
    if full and rule.note:
        lines.append(f"  {labels['note']}: {rule.note}")
    return lines


def describe_due(rule: AnyRule, lang: str) -> str:
    """When the rule is due, in words."""
    if isinstance(rule, WithinRule):
        return _due_within(rule, lang)
    if isinstance(rule, OnceRule):
        return _due_once(rule, lang)
    if not isinstance(rule, (EveryRule, CoverageRule)):
        return "-"  # a registered kind: its label says it
    vi = lang == "vi"
    period = _PERIOD[lang][rule.period]
    text = _periodic(rule.due, period, lang)
    if isinstance(rule, EveryRule):
        return _due_every(rule, period, text, lang)
    scope = "cùng tỉnh" if vi else "same province"
    where = _selector(rule.population, lang) + (f", {scope}" if rule.same_province else "")
    share = (
        f"tối thiểu {rule.percent:g}% số cơ quan ({where}) mỗi {period}"
        if vi
        else f"at least {rule.percent:g}% of agencies ({where}) each {period}"
    )
    return f"{share}; {text}"


def _due_within(rule: WithinRule, lang: str) -> str:
    """When a ``within`` rule is due: a fixed date, none, or a duration from the trigger."""
    vi = lang == "vi"
    if rule.due is not None:
        after = (
            "; sự kiện sau ngày đó: không áp dụng ngày này"
            if vi
            else "; a trigger after that date is not held to it"
        )
        return _fixed(rule.due, lang) + after
    if rule.within is None:
        return (
            "không có thời hạn: mở cho đến khi hoàn thành"
            if vi
            else "no deadline: stays open until met"
        )
    first = (
        ("tính cả ngày xảy ra sự kiện" if vi else "first day counted")
        if rule.count_first_day
        else None
    )
    how = ", ".join(
        p
        for p in ("Bộ luật Dân sự" if vi else "Civil Code", first, _ROLL[lang][rule.roll])
        if p
    )
    if rule.within.amount == 0:
        return (
            f"ngay trong ngày xảy ra sự kiện ({how})"
            if vi
            else f"on the day of the trigger ({how})"
        )
    dur = rule.within.format(lang)
    return (
        f"trong vòng {dur} kể từ sự kiện ({how})"
        if vi
        else f"within {dur} of the trigger ({how})"
    )


def _due_once(rule: OnceRule, lang: str) -> str:
    """When a ``once`` rule is due: the text's date, or none."""
    vi = lang == "vi"
    if rule.due is None:
        text = (
            "văn bản không ấn định thời hạn: mở cho đến khi hoàn thành"
            if vi
            else "the text sets no date: stays open until met"
        )
    else:
        text = _fixed(rule.due, lang)
    if rule.earliest:
        text += f"; {'tính từ' if vi else 'counting from'} {_dmy(rule.earliest)}"
    return text


def _due_every(rule: EveryRule, period: str, text: str, lang: str) -> str:
    """When an ``every`` rule is due: *text* (the period's deadline) with its count, window and period attribute."""
    vi = lang == "vi"
    if rule.count > 1:
        text = (
            f"ít nhất {rule.count} lần mỗi {period}; "
            if vi
            else f"at least {rule.count} times each {period}; "
        ) + text
    if rule.window is not None and not rule.window.enforced:
        w = rule.window
        text += (
            f"; kế hoạch nêu tháng {w.first_month}–{w.last_month}, hiểu là thời hạn: "
            f"sự kiện sớm hơn trong kỳ vẫn được tính"
            if vi
            else f"; the plan names months {w.first_month}–{w.last_month}, read as a deadline: "
            f"an earlier event of the period counts too"
        )
    elif rule.window is not None:
        w = rule.window
        text += (
            f"; chỉ tính sự kiện từ tháng thứ {w.first_month} đến {w.last_month} của kỳ"
            if vi
            else f"; only events in months {w.first_month}–{w.last_month} of the period count"
        )
    if rule.period_attribute:
        text += (
            f"; sự kiện tính cho kỳ ghi ở '{rule.period_attribute}'"
            if vi
            else f"; an event counts for the period named in '{rule.period_attribute}'"
        )
    return text


def _periodic(due: Due, period: str, lang: str) -> str:
    vi = lang == "vi"
    roll = _ROLL[lang][due.roll]
    if due.at == "end":
        return (
            f"ngày cuối cùng của mỗi {period} ({roll})"
            if vi
            else f"by the last day of each {period} ({roll})"
        )
    assert due.day is not None
    month = due.month if due.month is not None else "first"
    if period in ("year", "năm") and isinstance(month, int):
        point = (
            f"ngày {due.day:02d}/{month:02d} hằng năm"
            if vi
            else f"{due.day:02d}/{month:02d} of each year"
        )
    elif vi:
        which = {"first": "tháng đầu", "last": "tháng cuối"}.get(str(month), f"tháng thứ {month}")
        point = f"ngày {due.day} {which} của mỗi {period}"
    else:
        which = {"first": "the first month", "last": "the last month"}.get(
            str(month), f"month {month}"
        )
        point = f"day {due.day} of {which} of each {period}"
    return f"{point}, {_before(due.before_inclusive, due.day, lang)} ({roll})"


def _before(inclusive: bool | None, day: int, lang: str) -> str:
    vi = lang == "vi"
    if inclusive is None:
        return "hạn chót là ngày đó" if vi else "by that day"
    if inclusive:
        return "trước hoặc đúng ngày đó" if vi else "on or before"
    last = f"ngày cuối {day - 1}" if vi else f"last day {day - 1}"
    if day == 1:
        last = "ngày cuối là ngày liền trước" if vi else "last day the day before"
    return f"trước ngày đó ({last})" if vi else f"strictly before ({last})"


def _fixed(due: FixedDue, lang: str) -> str:
    vi = lang == "vi"
    roll = _ROLL[lang][due.roll]
    date = _dmy(due.date)
    if due.before_inclusive is None:
        return f"chậm nhất ngày {date} ({roll})" if vi else f"by {date} ({roll})"
    if due.before_inclusive:
        return f"trước hoặc đúng ngày {date} ({roll})" if vi else f"on or before {date} ({roll})"
    last = _dmy(due.date - dt.timedelta(days=1))
    if vi:
        return f"trước ngày {date} (ngày cuối {last}; {roll})"
    return f"strictly before {date} (last day {last}; {roll})"


def _pattern(pattern: Pattern) -> str:
    conds = []
    for name, cond in pattern.conditions():
        for op, value in cond.operators():
            symbol = {"eq": "=", "ne": "≠", "in": "in", "not_in": "not in", "gt": ">", "gte": "≥",
                      "lt": "<", "lte": "≤", "exists": "exists:"}[op]  # fmt: skip
            conds.append(f"{name} {symbol} {_scalar(value)}")
    return pattern.type + (f" [{', '.join(conds)}]" if conds else "")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return str(value)


def _selector(selector: Mapping[str, Any], lang: str) -> str:
    if not selector:
        return _LABELS[lang]["all"]
    parts = []
    for name, value in selector.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        parts.append(f"{name}: {', '.join(_scalar(v) for v in values)}")
    return "; ".join(parts)


def describe_parameters(
    pack: RulePack, lang: str, *, only: Sequence[str] | None = None
) -> list[str]:
    """One entry per parameter: value (and default if changed), then its note."""
    labels = _LABELS[lang]
    lines = []
    for name in sorted(pack.parameters):
        if only is not None and name not in only:
            continue
        spec = pack.parameters[name]
        value = pack.values.get(name, spec.default)
        changed = (
            f" ({labels['default']}: {_scalar(spec.default)})" if value != spec.default else ""
        )
        lines.append(f"{name} = {_scalar(value)}{changed}")
        lines.append(f"    {spec.note}")
    return lines


def _parameters_used(rule_id: str, pack: RulePack) -> list[str]:
    """The parameters the rule refers to with ``${name}``, as the loader recorded them."""
    return sorted(name for name, rules in pack.parameter_uses.items() if rule_id in rules)


def _validity(pack: RulePack) -> str:
    end = _dmy(pack.valid.to) if pack.valid.to else "…"
    return f"{_dmy(pack.valid.from_)}–{end}"


def _dmy(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
