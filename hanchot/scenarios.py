"""Rule tests for policy authors: YAML scenarios with expected obligations.

A scenario file holds one scenario, or shared keys plus a ``tests:`` list whose
items inherit them::

    pack: hue-2025                 # built-in id, or a path relative to this file
    values: {before_is_inclusive: true}     # optional parameter overrides
    agencies:
      - {id: c1, level: commune, province: hue}
    tests:
      - name: a report sent on the 22nd is on time under the inclusive reading
        as_of: 2025-04-01
        events:
          - {id: r1, type: report.submitted, agency: c1, date: 2025-03-22,
             report: quarterly, period: 2025-Q1}
        expect:
          - {rule: quarterly-report-commune, agency: c1, period: 2025-Q1,
             due: 2025-03-22, status: met}

Each expected item must match exactly one obligation on every key it gives
(``rule``, ``agency``, ``period``, ``trigger``, ``opens``, ``due``, ``status``,
``satisfied_by``); ``due: null`` expects no due date. With ``exhaustive: true``
the scenario also fails on obligations of the expected rules that no item names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hanchot.engine import Engine
from hanchot.errors import HanchotError, InputError
from hanchot.inputs import Agency, parse_event
from hanchot.obligations.model import Obligation
from hanchot.rules.loader import load_pack
from hanchot.safe_yaml import YamlProblem, load_yaml, where

_KEYS = ("rule", "agency", "period", "trigger", "opens", "due", "status", "satisfied_by")
_SCENARIO_KEYS = {"name", "pack", "values", "agencies", "events", "as_of", "expect", "exhaustive", "tests"}


@dataclass(frozen=True)
class Scenario:
    """One rule test: a pack, agencies, events, a date, and what must come out."""

    file: Path
    name: str
    spec: Mapping[str, Any]

    @property
    def id(self) -> str:
        """``file::name``, as pytest names a test."""
        return f"{self.file}::{self.name}"


@dataclass
class Outcome:
    """The result of running a scenario: failures are readable lines."""

    scenario: Scenario
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Whether every expectation held."""
        return not self.failures


def collect(paths: Sequence[Path]) -> list[Scenario]:
    """Every scenario in *paths* (files, or folders searched for ``*.yaml``)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.y*ml") if p.suffix in (".yaml", ".yml")))
        elif path.exists():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return [s for f in files for s in _scenarios(f)]


def _scenarios(file: Path) -> Iterator[Scenario]:
    try:
        data = load_yaml(file.read_text(encoding="utf-8"))
    except YamlProblem as exc:
        raise InputError(where(str(file), exc)) from None
    if not isinstance(data, dict):
        raise InputError(f"{file}: a scenario file is a YAML mapping")
    unknown = set(data) - _SCENARIO_KEYS
    if unknown:
        raise InputError(f"{file}: unknown key(s) {', '.join(sorted(unknown))}; expected {', '.join(sorted(_SCENARIO_KEYS))}")
    shared = {k: v for k, v in data.items() if k != "tests"}
    items = data.get("tests") or [{}]
    for number, item in enumerate(items, start=1):
        spec = {**shared, **item}
        yield Scenario(file, str(spec.get("name") or f"test {number}"), spec)


def run(scenario: Scenario) -> Outcome:
    """Evaluate *scenario* and compare with its expectations."""
    outcome = Outcome(scenario)
    spec = scenario.spec
    try:
        pack_ref = str(spec["pack"])
        local = scenario.file.parent / pack_ref
        pack = load_pack(local if pack_ref.endswith((".yaml", ".yml")) else pack_ref, values=spec.get("values"))
        agencies = [Agency.model_validate(a) for a in spec.get("agencies", [])]
        events = [parse_event(e, (str(scenario.file), n)) for n, e in enumerate(spec.get("events") or [], 1)]
        as_of = _date(spec["as_of"])
    except KeyError as exc:
        outcome.failures.append(f"missing key {exc.args[0]!r}")
        return outcome
    except (HanchotError, ValueError) as exc:
        outcome.failures.append(f"cannot run: {exc}")
        return outcome
    with Engine(pack, agencies) as engine:
        report = engine.evaluate(events, as_of)
    got = [_row(o) for o in report.obligations]
    expected = [_normalise(e) for e in spec.get("expect") or []]
    for item in expected:
        hits = [g for g in got if all(g.get(k) == v for k, v in item.items())]
        if len(hits) != 1:
            same = [g for g in got if g["rule"] == item.get("rule") and g["agency"] == item.get("agency", g["agency"])]
            outcome.failures.append(_diff(item, hits, same))
    if spec.get("exhaustive"):
        rules = {e.get("rule") for e in expected}
        for g in got:
            if g["rule"] in rules and not any(all(g.get(k) == v for k, v in e.items()) for e in expected):
                outcome.failures.append(f"unexpected obligation: {_show(g)}")
    return outcome


def _row(o: Obligation) -> dict[str, Any]:
    return {
        "rule": o.rule,
        "agency": o.agency,
        "period": o.period,
        "trigger": o.trigger,
        "opens": o.opens.isoformat(),
        "due": o.due.isoformat() if o.due else None,
        "status": o.status.value,
        "satisfied_by": list(o.satisfied_by),
    }


def _normalise(item: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(item) - set(_KEYS)
    if unknown:
        raise InputError(f"expectation keys {', '.join(sorted(unknown))} unknown; expected some of {', '.join(_KEYS)}")
    out: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif key == "period" and value is not None:
            value = str(value)
        out[key] = value
    return out


def _diff(item: Mapping[str, Any], hits: list[dict[str, Any]], same: list[dict[str, Any]]) -> str:
    head = f"expected one obligation {_show(item)}, found {len(hits)}"
    if hits:
        return head + ":\n" + "\n".join(f"    got {_show(h)}" for h in hits)
    if not same:
        return head + f"; none of rule {item.get('rule')!r} for that agency"
    lines = [head + "; of that rule and agency there are:"]
    for got in same:
        diffs = [f"{k}: expected {item[k]!r}, got {got.get(k)!r}" for k in item if got.get(k) != item[k]]
        lines.append(f"    {_show({k: got[k] for k in ('period', 'trigger', 'due', 'status') if got.get(k) is not None})}  ({'; '.join(diffs)})")
    return "\n".join(lines)


def _show(row: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in row.items()) + "}"


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
