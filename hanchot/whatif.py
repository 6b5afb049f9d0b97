"""Policy testing: the same events under two rule sets, compared.

The events are read and parsed once; both rule sets evaluate the same parsed
log, and when their patterns coincide they share one matcher (so each event
is classified once). A variant of a pack is the same pack loaded with other
parameter values or rule fields: the baseline is never mutated.

Two obligations correspond when they have the same rule, agency, period and
trigger. A difference is an obligation that exists under one rule set only,
or whose status or due date differs.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hanchot.calendar import WorkingCalendar
from hanchot.engine import Engine
from hanchot.inputs import Agency, Event
from hanchot.inputs.events import Rejection
from hanchot.obligations.model import Obligation, ObligationKey, Report
from hanchot.rules.model import RulePack


@dataclass(frozen=True)
class Difference:
    """One obligation that differs between the baseline and the variant."""

    base: Obligation | None
    other: Obligation | None

    @property
    def key(self) -> ObligationKey:
        """Rule, agency, period and trigger of the obligation."""
        o = self.base or self.other
        assert o is not None
        return o.key

    @property
    def kind(self) -> str:
        """``only_base``, ``only_other``, ``appears``, ``disappears``, ``due_moved`` or ``status_changed``."""
        if self.other is None:
            return "only_base"
        if self.base is None:
            return "only_other"
        if self.other.is_violation and not self.base.is_violation:
            return "appears"
        if self.base.is_violation and not self.other.is_violation:
            return "disappears"
        return "due_moved" if self.due_shift else "status_changed"

    @property
    def due_shift(self) -> int | None:
        """Days the due date moved (positive: later under the variant)."""
        if self.base and self.other and self.base.due and self.other.due and self.base.due != self.other.due:
            return (self.other.due - self.base.due).days
        return None

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The difference with both obligations side by side."""
        rule, agency, period, trigger = self.key
        return {
            "kind": self.kind,
            "rule": rule,
            "agency": agency,
            "period": period or None,
            "trigger": trigger or None,
            "due_shift_days": self.due_shift,
            "base": self.base.to_dict(lang) if self.base else None,
            "other": self.other.to_dict(lang) if self.other else None,
        }


@dataclass(frozen=True)
class Comparison:
    """The result of a what-if: both reports and their differences."""

    base_label: str
    other_label: str
    base: Report
    other: Report
    differences: tuple[Difference, ...]
    tried: int
    """How many obligations (under either rule set) the comparison looked at."""

    def totals(self, group: str, agencies: Mapping[str, Agency]) -> list[dict[str, Any]]:
        """Violations under each rule set and differences, by ``rule``, ``level`` or ``agency``."""

        def label(o: Obligation) -> str:
            if group == "rule":
                return o.rule
            if group == "level":
                found = agencies.get(o.agency)
                return found.level if found else "?"
            return o.agency

        base_v = Counter(label(o) for o in self.base.obligations if o.is_violation)
        other_v = Counter(label(o) for o in self.other.obligations if o.is_violation)
        kinds: defaultdict[str, Counter[str]] = defaultdict(Counter)
        moved: Counter[str] = Counter()
        for d in self.differences:
            o = d.base or d.other
            assert o is not None
            kinds[label(o)][d.kind] += 1
            moved[label(o)] += bool(d.due_shift)
        names = sorted(set(base_v) | set(other_v) | set(kinds))
        return [
            {
                group: name,
                "violations_base": base_v[name],
                "violations_other": other_v[name],
                "appear": kinds[name]["appears"],
                "disappear": kinds[name]["disappears"],
                "due_moved": moved[name],
                "only_base": kinds[name]["only_base"],
                "only_other": kinds[name]["only_other"],
            }
            for name in names
        ]

    @property
    def unchanged(self) -> bool:
        """Whether the change affects no obligation in the data."""
        return not self.differences

    def to_dict(self, agencies: Mapping[str, Agency], lang: str = "en") -> dict[str, Any]:
        """The comparison as one JSON-ready mapping (deterministic)."""
        return {
            "base": self.base_label,
            "other": self.other_label,
            "as_of": self.base.as_of.isoformat(),
            "obligations_compared": self.tried,
            "affected": len(self.differences),
            "verdict": self.verdict("en"),
            "counts": dict(sorted(Counter(d.kind for d in self.differences).items())),
            "by_rule": self.totals("rule", agencies),
            "by_level": self.totals("level", agencies),
            "by_agency": self.totals("agency", agencies),
            "differences": [d.to_dict(lang) for d in self.differences],
        }

    def verdict(self, lang: str = "en") -> str:
        """One plain sentence on what the change does."""
        if self.unchanged:
            if lang == "vi":
                return f"Thay đổi này không ảnh hưởng nghĩa vụ nào trong dữ liệu (đã thử trên {self.tried} nghĩa vụ)."
            return f"This change affects no obligation in the data (tried on {self.tried} obligations)."
        counts = Counter(d.kind for d in self.differences)
        if lang == "vi":
            return (
                f"Thay đổi này ảnh hưởng {len(self.differences)}/{self.tried} nghĩa vụ: "
                f"{counts['appears']} vi phạm mới, {counts['disappears']} vi phạm không còn, "
                f"{sum(1 for d in self.differences if d.due_shift)} hạn thay đổi."
            )
        return (
            f"This change affects {len(self.differences)} of {self.tried} obligations: "
            f"{counts['appears']} violations appear, {counts['disappears']} disappear, "
            f"{sum(1 for d in self.differences if d.due_shift)} due dates move."
        )


def compare_packs(
    base: RulePack,
    others: Sequence[RulePack],
    agencies: Iterable[Agency],
    events: Iterable[Event | Rejection],
    as_of: dt.date,
    *,
    known_at: dt.date | None = None,
    window: tuple[dt.date | None, dt.date | None] = (None, None),
    calendar: WorkingCalendar | None = None,
) -> tuple[Report, list[Report]]:
    """Evaluate one parsed event log under *base* and each of *others*."""
    log = list(events)
    agencies = list(agencies)
    calendar = calendar or WorkingCalendar.vietnam()
    with Engine(base, agencies, calendar=calendar) as first:
        base_report = _within(first.evaluate(log, as_of, known_at=known_at), window)
        reports = []
        for pack in others:
            engine = Engine(pack, agencies, calendar=calendar, share_matcher_with=first)
            with engine:
                reports.append(_within(engine.evaluate(log, as_of, known_at=known_at), window))
    return base_report, reports


def compare(base_label: str, other_label: str, base: Report, other: Report) -> Comparison:
    """The differences between two reports of the same events."""
    left = {o.key: o for o in base.obligations}
    right = {o.key: o for o in other.obligations}
    differences = []
    for k in sorted(set(left) | set(right)):
        a, b = left.get(k), right.get(k)
        if a is None or b is None or a.status != b.status or a.due != b.due:
            differences.append(Difference(a, b))
    return Comparison(base_label, other_label, base, other, tuple(differences), len(set(left) | set(right)))


def _within(report: Report, window: tuple[dt.date | None, dt.date | None]) -> Report:
    """Keep the obligations whose due date (or, without one, opening) lies in *window*."""
    first, last = window
    if first is None and last is None:
        return report
    kept = tuple(
        o
        for o in report.obligations
        if (first is None or (o.due or o.opens) >= first) and (last is None or (o.due or o.opens) <= last)
    )
    return Report(report.pack, report.as_of, kept, report.input, report.rejected, report.known_at, report.conflicts)
