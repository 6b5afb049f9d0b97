"""Every rule of every built-in pack, met and violated, with due dates worked out from the plans.

Each case below is one (pack, rule). Its expected due dates are written out by hand in the
``DUE`` table with the plan text they come from (the test id carries the source). Under
the default readings: "trước ngày X" is strictly before X (last day X−1), "hàng quý" is the
quarter's last month, fixed dates do not roll, counted periods follow the Civil Code
(first day not counted, a last day off work rolls to the next working day), "1 lần/năm" is
the calendar year due 31/12, and "Quý IV/2026" is by 31/12/2026.

Agencies of every case (province ``tinh``): ``dost`` (department, tag dost), ``so-a``
(department), ``office`` (department, tag office), ``phong-a`` (unit of the office),
``xa-a`` and ``fa`` (communes; ``fa`` tagged first_adopter), and for Huế's merger rules
``so-cu`` merged on 28/02/2025 into ``so-moi``.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from hanchot.engine import Engine
from hanchot.inputs import Agency, parse_event
from hanchot.rules.loader import load_pack
from hanchot.rules.model import AnyRule, CoverageRule, EveryRule, OnceRule, WithinRule

D = dt.date
PACK_YEAR = {
    "vn-qms-national": 2025,
    "hue-2025": 2025,
    "lao-cai-2026": 2026,
    "provincial-office-2026": 2026,
    "vinh-bao-2026": 2026,
    "hai-duong": 2023,
}
PROVINCE = "tinh"


@functools.cache
def _pack(pack_id: str) -> Any:
    """A built-in pack with its default readings (loading is pure, so cached)."""
    return load_pack(pack_id)


def _agencies(pack_id: str) -> list[Agency]:
    out = [
        Agency(id="dost", level="department", province=PROVINCE, tags=("dost",)),
        Agency(id="so-a", level="department", province=PROVINCE),
        Agency(id="office", level="department", province=PROVINCE, tags=("office",)),
        Agency(id="phong-a", level="unit", province=PROVINCE, parent="office"),
        Agency(id="xa-a", level="commune", province=PROVINCE),
        Agency(id="fa", level="commune", province=PROVINCE, tags=("first_adopter",)),
    ]
    if pack_id == "hue-2025":
        out += [
            Agency(id="so-cu", level="department", province=PROVINCE,
                   active_to=D(2025, 2, 28), successor="so-moi"),
            Agency(id="so-moi", level="department", province=PROVINCE, active_from=D(2025, 3, 1)),
        ]  # fmt: skip
    return out


# -- expected due dates, with the text each comes from -------------------------------------
# (pack, rule) -> (due dates of the focus agency's obligations in the case year, source)
# A rule not listed here is due 31/12 of the case year ("1 lần/năm" / "hằng năm", Civil
# Code Art. 146), or has no due date when it is a `within` rule without a deadline.

_Y = {
    "nat": "1 lần/năm → calendar year, due 31/12",
}
DUE: dict[tuple[str, str], tuple[list[dt.date | None], str]] = {
    # Counted 3-month legal update (000 §II.3, 003 §II.2), Civil Code Arts. 147–148.
    ("vn-qms-national", "legal-update"): (
        [D(2025, 5, 5)],
        (
            "in force 31/01/2025 + 3 months = 30/04 (holiday), 01/05 (holiday), "
            "02/05 (swapped day off), 03–04/05 weekend → 05/05/2025"
        ),
    ),
    ("hue-2025", "legal-update"): ([D(2025, 5, 5)], "as national: 31/01/2025 → 05/05/2025"),
    ("lao-cai-2026", "legal-update"): (
        [D(2026, 6, 10)],
        "in force 10/03/2026 + 3 months → Wed 10/06/2026",
    ),
    ("provincial-office-2026", "legal-update"): (
        [D(2026, 6, 10)],
        "10/03/2026 + 3 months → 10/06/2026",
    ),
    ("vinh-bao-2026", "legal-update"): (
        [D(2026, 6, 10)],
        "003 §II.2: 10/03/2026 + 3 tháng → 10/06/2026",
    ),
    ("hai-duong", "legal-update"): (
        [D(2023, 6, 12)],
        "10/03/2023 + 3 months = Sat 10/06/2023 → rolls to Mon 12/06/2023 (Art. 148(5))",
    ),
    # "Đồng thời cập nhật luồng xử lý điện tử" (000 §II.3): same day as the process revision.
    ("vn-qms-national", "e-workflow-update"): (
        [D(2025, 3, 11)],
        "đồng thời: same day, Tue 11/03/2025",
    ),
    ("hue-2025", "e-workflow-update"): ([D(2025, 3, 11)], "đồng thời: same day, Tue 11/03/2025"),
    ("lao-cai-2026", "e-workflow-update"): (
        [D(2026, 3, 10)],
        "đồng thời: same day, Tue 10/03/2026",
    ),
    ("provincial-office-2026", "e-workflow-update"): ([D(2026, 3, 10)], "same day, 10/03/2026"),
    ("vinh-bao-2026", "e-workflow-update"): ([D(2026, 3, 10)], "same day, 10/03/2026"),
    ("hai-duong", "e-workflow-update"): ([D(2023, 3, 14)], "same day, Tue 14/03/2023"),
    # Lào Cai schedule, 000 §II.6.
    ("lao-cai-2026", "lc-dost-guidance"): (
        [D(2026, 4, 24)],
        "000 §II.6 row 1: Trước 25/4/2026 → 24/04",
    ),
    ("lao-cai-2026", "qms-plan"): ([D(2026, 4, 29)], "000 §II.6 row 2: Trước 30/4/2026 → 29/04"),
    ("lao-cai-2026", "lc-quality-policy"): ([D(2026, 4, 29)], "000 §II.6 row 2: Trước 30/4/2026"),
    ("lao-cai-2026", "quality-objectives"): ([D(2026, 4, 29)], "000 §II.6 row 2: Trước 30/4/2026"),
    ("lao-cai-2026", "objectives-plan"): ([D(2026, 4, 29)], "000 §II.6 row 2: Trước 30/4/2026"),
    ("lao-cai-2026", "lc-steering-committee"): (
        [D(2026, 4, 29)],
        "000 §II.6 row 2: Trước 30/4/2026",
    ),
    ("lao-cai-2026", "risk-plan"): ([D(2026, 4, 29)], "000 §II.6 row 2: Trước 30/4/2026"),
    ("lao-cai-2026", "lc-legal-review"): (
        [D(2026, 6, 29)],
        "000 §II.6 row 3: Trước 30/6/2026 → 29/06",
    ),
    ("lao-cai-2026", "internal-audit"): (
        [D(2026, 8, 29)],
        "000 §II.6 row 4: Trước 30/8/2026 → Sat 29/08, no roll",
    ),
    ("lao-cai-2026", "corrective-action"): ([D(2026, 8, 29)], "000 §II.6 row 4: Trước 30/8/2026"),
    ("lao-cai-2026", "management-review"): ([D(2026, 8, 29)], "000 §II.6 row 4: Trước 30/8/2026"),
    ("lao-cai-2026", "lc-announce"): ([D(2026, 9, 29)], "000 §II.6 row 5: Trước 30/9/2026 → 29/09"),
    ("lao-cai-2026", "annual-report"): (
        [D(2026, 12, 31)],
        "000 §II.6 row 6: Quý IV/2026 → 31/12/2026",
    ),
    # Provincial office, 001 §III.2.
    ("provincial-office-2026", "quality-objectives"): (
        [D(2026, 3, 31)],
        "001 row 1–2: Quý I/2026 → 31/03/2026",
    ),
    ("provincial-office-2026", "objectives-plan"): (
        [D(2026, 3, 31)],
        "001 row 1–2: Quý I/2026 → 31/03/2026",
    ),
    ("provincial-office-2026", "annual-report"): (
        [D(2026, 12, 31)],
        "001 row 5: Quý IV/2026 → 31/12/2026",
    ),
    ("provincial-office-2026", "internal-audit"): (
        [D(2026, 12, 31)],
        "001 row 7: Quý IV/2026 → 31/12/2026",
    ),
    ("provincial-office-2026", "management-review"): (
        [D(2026, 12, 31)],
        "001 row 6: 1 lần/năm → 31/12/2026",
    ),
    # Huế, 002 §IV.7.
    ("hue-2025", "qms-plan"): ([D(2025, 1, 9)], "002 §IV.7.a: trước ngày 10/01/2025 → 09/01"),
    ("hue-2025", "quality-objectives"): ([D(2025, 1, 9)], "002 §IV.7.a: trước ngày 10/01/2025"),
    ("hue-2025", "objectives-plan"): ([D(2025, 1, 9)], "002 §IV.7.a: trước ngày 10/01/2025"),
    ("hue-2025", "hue-quarterly-report-commune"): (
        [D(2025, 3, 21), D(2025, 6, 21), D(2025, 9, 21), D(2025, 12, 21)],
        "002 §IV.7.e: trước ngày 22 hàng quý, last month, strict → 21/03, 21/06 (Sat, no roll), 21/09, 21/12",
    ),
    ("hue-2025", "hue-quarterly-report-department"): (
        [D(2025, 3, 24), D(2025, 6, 24), D(2025, 9, 24), D(2025, 12, 24)],
        "002 §IV.7.e: trước ngày 25 hàng quý → 24/03, 24/06, 24/09, 24/12",
    ),
    ("hue-2025", "hue-dost-half-year-report"): (
        [D(2025, 6, 30)],
        "002 §IV.7.e: định kỳ 6 tháng, no day → 30/06; the yearly report covers H2",
    ),
    ("hue-2025", "annual-report"): (
        [D(2025, 12, 14)],
        "002 §IV.7.e: trước ngày 15/12/2025 → 14/12",
    ),
    # Vĩnh Bảo, 003 §IV.1: Quý III, IV (the audit only) → due 31/12/2026.
    ("vinh-bao-2026", "internal-audit"): (
        [D(2026, 12, 31)],
        "003 §IV.1: Quý III, IV năm 2026 → 31/12",
    ),
}


def expected_due(pack_id: str, rule: AnyRule) -> tuple[list[dt.date | None], str]:
    """The due dates of the case, from DUE or the national default readings."""
    if (pack_id, rule.id) in DUE:
        return DUE[(pack_id, rule.id)]
    year = PACK_YEAR[pack_id]
    if isinstance(rule, WithinRule):
        assert rule.within is None and rule.due is None, f"{pack_id}:{rule.id} needs a DUE entry"
        return [None], "no deadline in the text → open with no due date"
    if isinstance(rule, OnceRule) and rule.due is None:
        return [None], "the text sets no date → open until met"
    return [D(year, 12, 31)], f"{_Y['nat']} ({year})"


# -- the events of each case ---------------------------------------------------------------


@dataclass
class Case:
    """Focus agency, events that meet the rule, events that violate it."""

    agency: str
    meet: list[dict[str, Any]]
    violate: list[dict[str, Any]]
    violate_status: str = "overdue"
    extra: dict[str, Any] = field(default_factory=dict)


_ids = itertools.count(1)


def ev(type_: str, agency: str, day: dt.date, **attrs: Any) -> dict[str, Any]:
    """A raw event of *agency* on *day*."""
    return {"id": attrs.pop("id", f"e{next(_ids)}"), "type": type_, "agency": agency,
            "date": day.isoformat(), **attrs}  # fmt: skip


def focus_agency(pack_id: str, rule: AnyRule, agencies: Sequence[Agency]) -> str:
    """The agency a case checks: the first one the rule binds, by preference."""
    if rule.id.startswith("hue-merged-"):
        return "so-cu"
    preference = {
        "hue-quarterly-report-department": "so-a",
        "quality-objectives": "phong-a" if pack_id == "provincial-office-2026" else "xa-a",
        "objectives-plan": "phong-a" if pack_id == "provincial-office-2026" else "xa-a",
    }.get(rule.id)
    order = [preference] if preference else []
    order += ["xa-a", "so-a", "office", "dost", "fa"]
    for agency_id in order:
        agency = next(a for a in agencies if a.id == agency_id)
        if agency.matches(rule.applies_to):
            return agency_id
    raise AssertionError(f"no agency for {rule.id}")


def build_case(pack_id: str, rule: AnyRule, agencies: Sequence[Agency]) -> Case:
    """Events that meet and that violate *rule* for its focus agency in the case year."""
    year = PACK_YEAR[pack_id]
    who = focus_agency(pack_id, rule, agencies)
    dues, _ = expected_due(pack_id, rule)
    if isinstance(rule, WithinRule):
        return _within_case(pack_id, rule, who, year, dues[0])
    if isinstance(rule, CoverageRule):
        covered = [a.id for a in agencies if a.matches(rule.population) and a.province == PROVINCE]
        meet = [
            ev("inspection.completed", who, D(year, 10, 1), target=t, mode="on_site")
            for t in covered
        ]
        return Case(who, meet, [])
    match = rule.match
    attrs: dict[str, Any] = {k: v for k, v in match.where.items() if not hasattr(v, "operators")}
    if isinstance(rule, OnceRule) and dues[0] is None:
        return Case(who, [ev(match.type, who, D(year, 6, 1), **attrs)], [], "open")
    if isinstance(rule, OnceRule):
        assert dues[0] is not None
        meet = [ev(match.type, who, dues[0] - dt.timedelta(days=5), **attrs)]
        if rule.id == "lc-dost-guidance":
            # Sent on 25/04 itself: late under the strict reading of "Trước 25/4/2026".
            late = [ev(match.type, who, D(2026, 4, 25), **attrs)]
            return Case(who, meet, late, "met_late")
        return Case(who, meet, [])
    assert isinstance(rule, EveryRule)
    meet, violate = [], []
    status = "overdue"
    for due in dues:
        assert due is not None
        extra = dict(attrs)
        if rule.period_attribute:
            extra[rule.period_attribute] = _period_name(rule.period, due)
        meet.append(ev(match.type, who, due - dt.timedelta(days=5), **extra))
        if rule.period_attribute:
            # The report is sent on the due day's next day: late.
            violate.append(ev(match.type, who, due + dt.timedelta(days=1), **extra))
            status = "met_late"
    if rule.window is not None and rule.window.enforced:
        # 003 §IV.1 read as a window: an audit before Q3 does not count.
        violate = [ev(match.type, who, D(year, 5, 15), **attrs)]
        status = "overdue"
    return Case(who, meet, violate, status)


def _period_name(kind: str, due: dt.date) -> str:
    if kind == "year":
        return str(due.year)
    if kind == "half":
        return f"{due.year}-H{1 if due.month <= 6 else 2}"
    if kind == "quarter":
        return f"{due.year}-Q{(due.month - 1) // 3 + 1}"
    raise AssertionError(kind)


def _within_case(pack_id: str, rule: WithinRule, who: str, year: int, due: dt.date | None) -> Case:
    no_deadline_status = "open" if due is None else "overdue"
    if rule.id == "legal-update":
        start = D(2025, 1, 31) if year == 2025 else D(year, 3, 10)
        doc = "01/2025/TT-BKHCN"
        trigger = {"id": "law", "type": "legal_document.effective", "scope": {"level": "commune"},
                   "date": start.isoformat(), "document": doc, "title": "Thông tư"}  # fmt: skip
        if who not in ("xa-a", "fa"):
            trigger = {**trigger, "scope": {"id": who}}
        meet = [trigger, ev("process.updated", who, start + dt.timedelta(days=20), process="P1",
                            documents=[doc], e_workflow_updated=True)]  # fmt: skip
        violate = [trigger, ev("process.updated", who, start + dt.timedelta(days=20), process="P1",
                               documents=["99/2024/NĐ-CP"], e_workflow_updated=True)]  # fmt: skip
        return Case(who, meet, violate)
    if rule.id == "e-workflow-update":
        assert due is not None
        trigger = ev(
            "process.updated", who, due, process="P1", documents=[], e_workflow_updated=False
        )
        meet = [trigger, ev("e_workflow.updated", who, due, process="P1")]
        # The workflow of the same process updated the next day: late under "đồng thời".
        violate = [trigger, ev("e_workflow.updated", who, due + dt.timedelta(days=1), process="P1")]
        return Case(who, meet, violate, "met_late")
    if rule.id == "corrective-action":
        audit = ev("internal_audit.completed", who, D(year, 6, 10), id="aud-1", nonconformities=2)
        meet = [audit, ev("corrective_action.completed", who, D(year, 7, 1), audit="aud-1")]
        violate = [audit, ev("corrective_action.completed", who, D(year, 7, 1), audit="aud-other")]
        return Case(who, meet, violate, no_deadline_status)
    if rule.id == "reannounce":
        change = ev("qms.scope_changed", who, D(year, 6, 1), change="expanded")
        meet = [change, ev("qms.announced", who, D(year, 7, 1), reannouncement=True)]
        return Case(who, meet, [change], no_deadline_status)
    if rule.id == "steering-committee":
        change = ev("steering_committee.membership_changed", who, D(year, 5, 4))
        meet = [change, ev("document.issued", who, D(year, 5, 20), kind="steering_committee")]
        return Case(who, meet, [change], no_deadline_status)
    if rule.id.startswith("hue-merged-"):
        merged = ev("agency.merged", "so-cu", D(2025, 2, 28), into="so-moi")
        kind = rule.fulfilment.where["kind"]
        meet = [merged, ev("document.issued", "so-moi", D(2025, 3, 10), kind=kind)]
        return Case(who, meet, [merged], no_deadline_status)
    raise AssertionError(f"no case for within rule {rule.id}")


# -- running -----------------------------------------------------------------------------


def _cases() -> Iterable[Any]:
    for pack_id in PACK_YEAR:
        for rule in _pack(pack_id).rules:
            dues, source = expected_due(pack_id, rule)
            shown = ", ".join(d.strftime("%d/%m/%Y") if d else "no due date" for d in dues)
            yield pytest.param(
                pack_id, rule.id, id=_ascii(f"{pack_id}:{rule.id} [{shown}: {source}]")
            )


def _ascii(text: str) -> str:
    """A test id pytest shows as written: Vietnamese without diacritics, arrows as '->'."""
    text = (
        text.replace("→", "->")
        .replace("§", "s.")
        .replace("đ", "d")
        .replace("Đ", "D")
        .replace("–", "-")
    )
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _obligations(
    pack_id: str, rule_id: str, agency: str, events: list[dict[str, Any]]
) -> list[Any]:
    year = PACK_YEAR[pack_id]
    agencies = _agencies(pack_id)
    report = Engine(_pack(pack_id), agencies).evaluate(
        [parse_event(e) for e in events], as_of=D(year + 1, 1, 15)
    )
    found = []
    for o in report.obligations:
        if o.rule != rule_id:
            continue
        if not rule_id.startswith("hue-merged-") and o.agency != agency:
            continue
        if o.period is not None and not str(o.period).startswith(str(year)):
            continue
        found.append(o)
    return sorted(found, key=lambda o: (o.due or D.min, o.period or ""))


@pytest.mark.parametrize(("pack_id", "rule_id"), list(_cases()))
def test_rule_is_met_by_the_events_the_plan_asks_for(pack_id: str, rule_id: str) -> None:
    """The events the plan asks for, on time, meet every obligation; due dates as in DUE."""
    rule = _pack(pack_id).rule(rule_id)
    case = build_case(pack_id, rule, _agencies(pack_id))
    dues, source = expected_due(pack_id, rule)
    found = _obligations(pack_id, rule_id, case.agency, case.meet)
    assert [o.due for o in found] == dues, source
    assert {str(o.status.value) for o in found} == {"met"}, [o.explanation for o in found]


@pytest.mark.parametrize(("pack_id", "rule_id"), list(_cases()))
def test_rule_is_violated_without_them(pack_id: str, rule_id: str) -> None:
    """Missing, wrong or late events leave the obligation overdue, late, or open (no deadline)."""
    rule = _pack(pack_id).rule(rule_id)
    case = build_case(pack_id, rule, _agencies(pack_id))
    dues, source = expected_due(pack_id, rule)
    found = _obligations(pack_id, rule_id, case.agency, case.violate)
    assert [o.due for o in found] == dues, source
    assert {str(o.status.value) for o in found} == {case.violate_status}, source


# -- the required outcomes -----------------------------------------------------------------


def test_lao_cai_schedule_for_an_agency_with_no_events() -> None:
    """000 §II.6: as of 01/01/2027 the DOST, with no events, is overdue on 24/04 (row 1,
    "Trước 25/4"), 29/04 (row 2), 29/06 (row 3), 29/08 (row 4), 29/09 (row 5) and the Q4
    report due 31/12/2026 (row 6, "Quý IV/2026")."""
    dost = Agency(id="lc-dost", level="department", province="lao-cai", tags=("dost",))
    report = Engine(load_pack("lao-cai-2026"), [dost]).evaluate([], as_of=D(2027, 1, 1))
    mine = [o for o in report.obligations if o.agency == "lc-dost"]
    assert {o.due for o in mine} == {
        D(2026, 4, 24), D(2026, 4, 29), D(2026, 6, 29), D(2026, 8, 29), D(2026, 9, 29), D(2026, 12, 31),
    }  # fmt: skip
    assert {o.status.value for o in mine} == {"overdue"}
    by_rule = {o.rule: o.due for o in mine}
    assert by_rule["lc-dost-guidance"] == D(2026, 4, 24)
    assert by_rule["annual-report"] == D(2026, 12, 31)


@pytest.mark.parametrize(
    ("inclusive", "commune_days", "department_days"),
    [(False, 21, 24), (True, 22, 25)],
    ids=["strict: trước ngày 22/25 → 21/24", "inclusive: by 22/25"],
)
def test_hue_quarterly_report_dates(
    inclusive: bool, commune_days: int, department_days: int
) -> None:
    """002 §IV.7.e: communes "trước ngày 22 hàng quý", departments "trước ngày 25 hàng quý";
    flipping before_is_inclusive moves each due date by one day."""
    pack = load_pack("hue-2025", values={"before_is_inclusive": inclusive})
    agencies = [
        Agency(id="xa", level="commune", province="hue"),
        Agency(id="so", level="department", province="hue"),
    ]
    report = Engine(pack, agencies).evaluate([], as_of=D(2026, 1, 1))

    def dues(rule: str, agency: str) -> list[dt.date]:
        return sorted(
            o.due for o in report.obligations if o.rule == rule and o.agency == agency and o.due
        )

    months = (3, 6, 9, 12)
    assert dues("hue-quarterly-report-commune", "xa") == [D(2025, m, commune_days) for m in months]
    assert dues("hue-quarterly-report-department", "so") == [
        D(2025, m, department_days) for m in months
    ]


@pytest.mark.parametrize("pack_id", ["vn-qms-national", "hue-2025"])
def test_law_in_force_31_01_2025_is_due_05_05_2025(pack_id: str) -> None:
    """000 §II.3 "chậm nhất là 03 tháng": in force 31/01/2025 → 30/04 holiday, 01/05 holiday,
    02/05 swapped day off, 03–04/05 weekend → due 05/05/2025, met by a process.updated naming it."""
    xa = Agency(id="xa", level="commune", province="hue")
    law = {"id": "law", "type": "legal_document.effective", "scope": {"level": "commune"},
           "date": "2025-01-31", "document": "01/2025/TT-BKHCN", "title": "Thông tư"}  # fmt: skip
    update = {"id": "upd", "type": "process.updated", "agency": "xa", "date": "2025-05-05",
              "process": "P1", "documents": ["01/2025/TT-BKHCN"], "e_workflow_updated": True}  # fmt: skip
    engine = Engine(load_pack(pack_id), [xa])
    before = engine.evaluate([parse_event(law)], as_of=D(2025, 4, 1))
    (open_,) = [o for o in before.obligations if o.rule == "legal-update"]
    assert (open_.due, open_.status.value) == (D(2025, 5, 5), "open")
    after = Engine(load_pack(pack_id), [xa]).evaluate(
        [parse_event(law), parse_event(update)], as_of=D(2025, 6, 1)
    )
    (met,) = [o for o in after.obligations if o.rule == "legal-update"]
    assert (met.due, met.status.value, met.satisfied_by) == (D(2025, 5, 5), "met", ("upd",))


# -- issue 9: a duty binds only whom its plan names -----------------------------------------


def _rules_of(pack_id: str, agencies: list[Agency], events: list[dict[str, Any]], as_of: dt.date) -> set[tuple[str, str]]:
    report = Engine(load_pack(pack_id), agencies).evaluate([parse_event(e) for e in events], as_of=as_of)
    return {(o.rule, o.agency) for o in report.obligations}


@pytest.mark.parametrize(("pack_id", "day"), [("hai-duong", D(2024, 3, 5)), ("hue-2025", D(2025, 3, 5)),
                                               ("vinh-bao-2026", D(2026, 3, 5)), ("provincial-office-2026", D(2026, 3, 5))])  # fmt: skip
def test_a_process_revision_opens_no_e_workflow_duty_outside_lao_cai(pack_id: str, day: dt.date) -> None:
    """"Đồng thời cập nhật luồng xử lý điện tử" is Lào Cai's (000 §II.3, §II.6 row 3): a Hải Dương
    process revised in 2024 without its e-workflow is not overdue the same day (finding 2)."""
    so = Agency(id="so", level="department", province=PROVINCE)
    revised = {"id": "p1", "type": "process.updated", "agency": "so", "date": day.isoformat(),
               "process": "P1", "documents": [], "e_workflow_updated": False}  # fmt: skip
    rules = _rules_of(pack_id, [so], [revised], day + dt.timedelta(days=1))
    assert not any(rule == "e-workflow-update" for rule, _ in rules)
    lao_cai = _rules_of("lao-cai-2026", [so], [{**revised, "date": "2026-03-05"}], D(2026, 3, 6))
    assert ("e-workflow-update", "so") in lao_cai


@pytest.mark.parametrize(("pack_id", "year"), [("hai-duong", 2023), ("vinh-bao-2026", 2026), ("provincial-office-2026", 2026)])
def test_no_inspection_percentage_where_the_plan_sets_none(pack_id: str, year: int) -> None:
    """The 100%/30% (000 §II.4) and 10% (002 §II.5) coverage percentages bind only Lào Cai's and
    Huế's DOST: elsewhere a DOST that inspected nobody owes no coverage (finding 3)."""
    agencies = [Agency(id="dost", level="department", province=PROVINCE, tags=("dost",)),
                Agency(id="so", level="department", province=PROVINCE),
                Agency(id="xa", level="commune", province=PROVINCE)]  # fmt: skip
    rules = _rules_of(pack_id, agencies, [], D(year + 1, 1, 15))
    assert not {r for r, _ in rules} & {"dost-dossier-coverage", "dost-onsite-coverage"}
    assert {("dost-dossier-coverage", "dost"), ("dost-onsite-coverage", "dost")} <= _rules_of(
        "lao-cai-2026", agencies, [], D(2027, 1, 15)
    )


def test_office_units_owe_only_their_objectives() -> None:
    """001 row 2 asks each unit for its objectives and the plan to meet them; 001 asks no yearly
    QMS plan (001 is that plan) and no risk plan of anyone (finding 7)."""
    office = Agency(id="office", level="department", province=PROVINCE, tags=("office",))
    unit = Agency(id="phong", level="unit", province=PROVINCE, parent="office")
    rules = _rules_of("provincial-office-2026", [office, unit], [], D(2027, 1, 15))
    unit_rules = {r for r, a in rules if a == "phong"}
    assert {"quality-objectives", "objectives-plan"} <= unit_rules
    assert not unit_rules & {"qms-plan", "risk-plan", "annual-report", "internal-audit", "management-review"}
    assert not {r for r, _ in rules} & {"qms-plan", "risk-plan"}


@pytest.mark.parametrize("reading", [False, True])
def test_one_reading_for_named_quarters(reading: bool) -> None:
    """"Quý IV/2026" (001 row 7) and "Quý III, IV năm 2026" (003 §IV.1) are read the same way,
    by one parameter: an audit in May meets both as a deadline, neither as a window (finding 8)."""
    values = {"named_quarters_are_windows": reading}
    office = Agency(id="office", level="department", province=PROVINCE, tags=("office",))
    xa = Agency(id="xa", level="commune", province=PROVINCE)
    statuses = []
    for pack_id, who in (("provincial-office-2026", office), ("vinh-bao-2026", xa)):
        audit = parse_event({"id": "a", "type": "internal_audit.completed", "agency": who.id, "date": "2026-05-15"})
        report = Engine(load_pack(pack_id, values=values), [who]).evaluate([audit], as_of=D(2027, 1, 15))
        (o,) = [o for o in report.obligations if o.rule == "internal-audit"]
        statuses.append(o.status.value)
    assert statuses == (["overdue", "overdue"] if reading else ["met", "met"])


@pytest.mark.parametrize(("reading", "june", "january"), [(False, "met", "met_late"), (True, "overdue", "met_late")])
def test_quy_iv_report_follows_the_same_reading(reading: bool, june: str, january: str) -> None:
    """Lào Cai's report "Quý IV/2026" (000 §II.6 row 6) reads like the Office's audit: a report
    for "2026" sent in June meets it as a deadline and does not count as a window; one sent
    in January 2027 is late under both (a window excludes early events, not late ones)."""
    values = {"named_quarters_are_windows": reading}
    so = Agency(id="so", level="department", province=PROVINCE)
    for day, expected in (("2026-06-15", june), ("2027-01-05", january)):
        report = {"id": "r", "type": "report.submitted", "agency": "so", "date": day, "report": "annual", "period": "2026"}
        result = Engine(load_pack("lao-cai-2026", values=values), [so]).evaluate([parse_event(report)], as_of=D(2027, 1, 15))
        (o,) = [o for o in result.obligations if o.rule == "annual-report"]
        assert (o.due, o.status.value) == (D(2026, 12, 31), expected), day
