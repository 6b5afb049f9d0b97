"""Changes to a rule pack: a parameter value, or a field of one rule.

``PARAM=VALUE`` and ``RULE.FIELD=VALUE`` (a dotted field reaches into a nested
mapping: ``quarterly-report.due.day=20``) are how a what-if, ``check --set`` and
``packs show --set`` name a change. A variant is the same pack loaded afresh
with the changes: the baseline is never mutated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hanchot.errors import UnknownNameError, suggest
from hanchot.rules.loader import load_pack
from hanchot.rules.model import RulePack


@dataclass(frozen=True)
class Change:
    """A requested change: a pack parameter, or a field of one rule."""

    rule: str | None
    name: str
    value: Any

    def __str__(self) -> str:
        target = f"{self.rule}.{self.name}" if self.rule else self.name
        return f"{target}={self.value}"


def parse_change(text: str, pack: RulePack) -> Change:
    """Read ``PARAM=VALUE`` or ``RULE.FIELD=VALUE`` against *pack*'s names.

    A pack parameter must be used by at least one rule, else the change could
    not alter anything: that is an error naming the pack's parameters. The value
    is read as YAML, so ``true``, ``20`` and ``45 days`` have their natural types.
    """
    name, sep, raw = text.partition("=")
    if not sep or not name:
        raise UnknownNameError(f"--set: expected PARAM=VALUE or RULE.FIELD=VALUE, got {text!r}")
    value = yaml.safe_load(raw) if raw.strip() else raw
    if name in pack.parameters:
        if not pack.parameter_uses.get(name):
            raise UnknownNameError(f"parameter {name!r} is used by no rule of {pack.id}; {_parameter_list(pack)}")
        return Change(None, name, value)
    rule_ids = sorted((r.id for r in pack.rules), key=len, reverse=True)
    rule = next((r for r in rule_ids if name.startswith(r + ".")), None)
    if rule is None:
        raise UnknownNameError(
            f"{name!r} is neither a parameter of {pack.id} nor RULE.FIELD of one of its rules"
            f"{suggest(name, list(pack.parameters))}; {_parameter_list(pack)}"
        )
    return Change(rule, name[len(rule) + 1 :], value)


def _parameter_list(pack: RulePack) -> str:
    described = [f"{p} (used by {', '.join(pack.parameter_uses.get(p, [])) or 'no rule'})" for p in sorted(pack.parameters)]
    return "its parameters: " + ("; ".join(described) or "(none)")


def variant(pack_ref: str | Path, changes: Sequence[Change], base_values: Mapping[str, Any] | None = None) -> RulePack:
    """The pack *pack_ref* loaded afresh with *changes* applied (the original is untouched)."""
    values = dict(base_values or {})
    rule_fields: dict[str, dict[str, Any]] = {}
    for change in changes:
        if change.rule is None:
            values[change.name] = change.value
        else:
            rule_fields.setdefault(change.rule, {})[change.name] = change.value
    return load_pack(pack_ref, values=values, rule_overrides=rule_fields)
