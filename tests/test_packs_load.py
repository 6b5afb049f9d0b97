"""The built-in rule packs load, cite their sources, and the ``packs`` command shows them."""

from __future__ import annotations

import argparse
import datetime as dt
import re

import pytest

from hanchot.cli import main, packs_cmd
from hanchot.rules.loader import builtin_pack_ids, load_pack
from hanchot.rules.model import EveryRule, OnceRule, WithinRule

NATIONAL = "vn-qms-national"
LOCAL = ("hai-duong", "hue-2025", "lao-cai-2026", "provincial-office-2026", "vinh-bao-2026")
ALL = (NATIONAL, *LOCAL)
SEED_SOURCE = re.compile(r"^00[0-4] §[IVX]+(\.[0-9a-zđ]+)*$")
LEGAL_NUMBER = re.compile(r"^[0-9]+/([0-9]{4}/)?[A-ZĐ][A-Za-zĐđ]*(-[A-ZĐ][A-Za-zĐđ]*)*$")  # 19/2014/QĐ-TTg


def test_the_six_packs_are_built_in() -> None:
    """The national pack and the five local plans ship with hanchot."""
    assert set(ALL) <= set(builtin_pack_ids())


@pytest.mark.parametrize("pack_id", ALL)
def test_pack_loads_with_bilingual_titles(pack_id: str) -> None:
    """Every pack validates and has a Vietnamese and an English title, as has each rule."""
    pack = load_pack(pack_id)
    assert pack.id == pack_id
    assert pack.title.vi and pack.title.en
    assert pack.rules
    for rule in pack.rules:
        assert rule.title.vi.strip() and rule.title.en.strip(), rule.id
        assert rule.title.vi != rule.title.en, rule.id


@pytest.mark.parametrize("pack_id", ALL)
def test_every_rule_cites_a_seed_section_or_a_legal_document(pack_id: str) -> None:
    """Each basis is a seed section like '000 §II.6', or a numbered legal document with its
    article (Decision 19/2014/QĐ-TTg Art. 4(4) binds every agency without a plan restating it)."""
    for rule in load_pack(pack_id).rules:
        assert rule.basis, rule.id
        for basis in rule.basis:
            national = bool(LEGAL_NUMBER.match(basis.document) and basis.article)
            assert national or (basis.source and SEED_SOURCE.match(basis.source)), (rule.id, basis.cite())
            if basis.source:
                assert SEED_SOURCE.match(basis.source), (rule.id, basis.source)
        assert any(
            SEED_SOURCE.match(b.source or "") or LEGAL_NUMBER.match(b.document) for b in rule.basis
        ), rule.id


@pytest.mark.parametrize("pack_id", ALL)
def test_every_rule_has_a_note(pack_id: str) -> None:
    """Each rule says which text it reads (a quote in the note)."""
    for rule in load_pack(pack_id).rules:
        assert rule.note and '"' in rule.note, rule.id


@pytest.mark.parametrize("pack_id", ALL)
def test_every_parameter_has_a_note_quoting_the_text(pack_id: str) -> None:
    """Every ambiguous reading is documented with the Vietnamese it interprets."""
    pack = load_pack(pack_id)
    shared = {
        "before_is_inclusive",
        "quarter_report_month",
        "fixed_dates_roll",
        "legal_update_window",
        "named_quarters_are_windows",
    }
    # "đồng thời cập nhật luồng xử lý điện tử" is Lào Cai's wording only (000 §II.3).
    assert set(pack.parameters) == shared | ({"e_workflow_window"} if pack_id == "lao-cai-2026" else set())
    for name, spec in pack.parameters.items():
        assert len(spec.note) > 40 and '"' in spec.note, name


def test_parameter_defaults() -> None:
    """The defaults are the readings the brief chose: strict 'trước', last month, no roll."""
    values = load_pack(NATIONAL).values
    assert values == {
        "before_is_inclusive": False,
        "quarter_report_month": "last",
        "fixed_dates_roll": "none",
        "legal_update_window": "3 months",
        "named_quarters_are_windows": False,
    }
    assert load_pack("lao-cai-2026").values["e_workflow_window"] == "0 days"


@pytest.mark.parametrize("pack_id", LOCAL)
def test_local_pack_extends_and_contains_the_national_rules(pack_id: str) -> None:
    """Each plan extends the national pack and keeps every national rule id."""
    pack = load_pack(pack_id)
    assert pack.extends == NATIONAL
    national = {r.id for r in load_pack(NATIONAL).rules}
    assert national <= {r.id for r in pack.rules}


@pytest.mark.parametrize("pack_id", LOCAL)
def test_local_validity_is_bounded(pack_id: str) -> None:
    """Local packs are bounded in time, so the national periods are too."""
    pack = load_pack(pack_id)
    assert pack.valid.to is not None and pack.valid.from_ < pack.valid.to


def _dues(pack_id: str, **values: str | bool) -> dict[str, object]:
    pack = load_pack(pack_id, values=values or None)
    return {r.id: r.due for r in pack.rules if isinstance(r, (EveryRule, OnceRule, WithinRule))}


@pytest.mark.parametrize(
    ("pack_id", "rule_id"),
    [
        ("lao-cai-2026", "lc-dost-guidance"),  # 000 §II.6 row 1 "Trước 25/4/2026"
        ("lao-cai-2026", "qms-plan"),  # 000 §II.6 row 2 "Trước 30/4/2026"
        ("lao-cai-2026", "lc-announce"),  # 000 §II.6 row 5 "Trước 30/9/2026"
        ("hue-2025", "hue-quarterly-report-commune"),  # 002 §IV.7.e "trước ngày 22 hàng quý"
        ("hue-2025", "hue-quarterly-report-department"),  # 002 §IV.7.e "trước ngày 25 hàng quý"
        ("hue-2025", "annual-report"),  # 002 §IV.7.e "trước ngày 15/12/2025"
    ],
)
def test_before_is_inclusive_changes_the_due_of_rules_using_it(pack_id: str, rule_id: str) -> None:
    """Flipping before_is_inclusive flips 'before_inclusive' of every 'trước ngày X' rule."""
    strict = _dues(pack_id)[rule_id]
    lenient = _dues(pack_id, before_is_inclusive=True)[rule_id]
    assert strict is not None and lenient is not None
    assert strict.before_inclusive is False  # type: ignore[attr-defined]
    assert lenient.before_inclusive is True  # type: ignore[attr-defined]
    assert strict.model_copy(update={"before_inclusive": True}) == lenient  # type: ignore[attr-defined]


def test_before_is_inclusive_leaves_by_dates_alone() -> None:
    """'Quý IV/2026' (by 31/12) and counted windows do not use the parameter."""
    strict, lenient = _dues("lao-cai-2026"), _dues("lao-cai-2026", before_is_inclusive=True)
    assert strict["annual-report"] == lenient["annual-report"]
    assert strict["legal-update"] is None and lenient["legal-update"] is None


def test_quarter_month_and_roll_parameters_reach_the_rules() -> None:
    """quarter_report_month and fixed_dates_roll are substituted into Huế's quarterly rules."""
    due = _dues("hue-2025", quarter_report_month="first", fixed_dates_roll="following")[
        "hue-quarterly-report-commune"
    ]
    assert due.month == "first"  # type: ignore[attr-defined]
    assert due.roll == "following"  # type: ignore[attr-defined]


def test_legal_update_window_is_a_parameter() -> None:
    """A what-if on the 3-month window changes the legal-update rule only."""
    pack = load_pack(NATIONAL, values={"legal_update_window": "45 days"})
    rule = pack.rule("legal-update")
    assert isinstance(rule, WithinRule) and str(rule.within) == "45 days"


def test_lao_cai_reannounce_is_counted_from_the_scope_change_not_row_5() -> None:
    """000 §II.3 "Thực hiện công bố hoặc công bố lại HTQLCL khi có sự điều chỉnh, mở rộng hoặc
    thu hẹp phạm vi áp dụng" has no period; the dated row 5 ("Trước 30/9/2026") is the year's
    round (lc-announce), so the re-announcement carries no fixed date (issue 9, finding 1)."""
    rule = load_pack("lao-cai-2026").rule("reannounce")
    assert isinstance(rule, WithinRule) and rule.due is None and rule.within is None
    row5 = load_pack("lao-cai-2026").rule("lc-announce")
    assert isinstance(row5, OnceRule) and row5.due is not None and row5.due.date == dt.date(2026, 9, 30)


# Which pack binds which duty: a duty lives only in the packs whose plan says it (issue 9,
# findings 2, 3 and 7). Each entry: rule id -> the packs that have it, with the plan line.
DUTY_PACKS = {
    # "phải đồng thời cập nhật luồng xử lý điện tử của quy trình ISO" (000 §II.3)
    "e-workflow-update": {"lao-cai-2026"},
    # "100% cơ quan được kiểm tra thông qua hồ sơ, báo cáo" (000 §II.4); "100% cơ quan được
    # kiểm tra qua hồ sơ và báo cáo" (002 §II.5)
    "dost-dossier-coverage": {"lao-cai-2026", "hue-2025"},
    # "tối thiểu 30% số cơ quan được kiểm tra trực tiếp tại trụ sở" (000 §II.4); "tối thiểu
    # 30% các sở, ban ngành, huyện, thị xã, thành phố Huế" (002 §II.5)
    "dost-onsite-coverage": {"lao-cai-2026", "hue-2025"},
    # "Ban hành Kế hoạch ISO" (000 row 2); "Kế hoạch xây dựng, áp dụng, duy trì, cải tiến
    # HTQLCL" (002 §IV.7.a); "Xây dựng, ban hành Kế hoạch triển khai" (003 §II.1); "hằng năm
    # phải xây dựng, ban hành kế hoạch duy trì" (004 §I.2). 001 is itself that plan.
    "qms-plan": {"lao-cai-2026", "hue-2025", "vinh-bao-2026", "hai-duong"},
    # "Mục tiêu chất lượng" (000 row 2, 002 §IV.7.a, 001 rows 1–2, 004 §III.2); 003: none.
    "quality-objectives": {"lao-cai-2026", "hue-2025", "provincial-office-2026", "hai-duong"},
    "objectives-plan": {"lao-cai-2026", "hue-2025", "provincial-office-2026", "hai-duong"},
    # "Kế hoạch phân tích rủi ro và cơ hội" (000 row 2); "nhận diện bối cảnh và xác định rủi
    # ro" (003 §II.2); "xây dựng kế hoạch để giải quyết rủi ro, cơ hội" (004 §III.2).
    "risk-plan": {"lao-cai-2026", "vinh-bao-2026", "hai-duong"},
    # "Kiện toàn Ban chỉ đạo ISO — Nếu có thay đổi" (001 row 8); "khi có thay đổi nhân sự"
    # (003 §II.1); "Rà soát, kiện toàn Ban chỉ đạo ISO" (004 §III.2).
    "steering-committee": {"provincial-office-2026", "vinh-bao-2026", "hai-duong"},
    # "Hằng năm xây dựng kế hoạch kiểm tra" (004 §III.3)
    "dost-inspection-plan": {"hai-duong"},
    # "Đối với các cơ quan lần đầu xây dựng, áp dụng hệ thống quản lý chất lượng" (004 §III.1)
    "first-adopter-build-plan": {"hai-duong"},
}


@pytest.mark.parametrize("rule_id", sorted(DUTY_PACKS))
def test_a_duty_binds_only_the_packs_whose_plan_says_it(rule_id: str) -> None:
    """A local duty is not in the national pack, and is in exactly the packs that quote it."""
    having = {p for p in ALL if rule_id in {r.id for r in load_pack(p).rules}}
    assert having == DUTY_PACKS[rule_id]


@pytest.mark.parametrize("pack_id", LOCAL)
def test_a_rule_cites_no_other_local_plan(pack_id: str) -> None:
    """A Huế officer sees Huế's plan and the national texts, never Lào Cai's or Hải Dương's
    plan, as the basis of a Huế duty (issue 9, finding 7)."""
    own = {"lao-cai-2026": "000", "provincial-office-2026": "001", "hue-2025": "002",
           "vinh-bao-2026": "003", "hai-duong": "004"}[pack_id]  # fmt: skip
    for rule in load_pack(pack_id).rules:
        for basis in rule.basis:
            national = basis.document.startswith(("19/2014/QĐ-TTg", "26/2014/TT-BKHCN"))
            assert national or (basis.source or "").startswith(own), (rule.id, basis.cite())


# -- CLI ------------------------------------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["packs", *argv])
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_packs_command_is_registered_by_its_module() -> None:
    """packs_cmd.register adds 'packs' to any sub-parser set (as the dispatcher does)."""
    parser = argparse.ArgumentParser()
    packs_cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["packs", "explain", "hue-2025", "annual-report", "--lang", "vi"])
    assert (args.pack, args.rule, args.lang) == ("hue-2025", "annual-report", "vi")


def test_cli_list(capsys: pytest.CaptureFixture[str]) -> None:
    """'packs list' shows every pack with its validity and base."""
    code, out, _ = _run(capsys, "list")
    assert code == 0
    for pack_id in ALL:
        assert pack_id in out
    assert "01/01/2026–31/12/2026" in out and "extends vn-qms-national" in out


def test_cli_show_words_the_deadlines(capsys: pytest.CaptureFixture[str]) -> None:
    """'packs show' words each deadline and lists the parameters with notes."""
    code, out, _ = _run(capsys, "show", "hue-2025")
    assert code == 0
    assert "day 22 of the last month of each quarter, strictly before (last day 21)" in out
    assert "within 3 months of the trigger (Civil Code, rolls to next working day)" in out
    assert "no deadline: stays open until met" in out
    assert "002 §IV.7.e" in out
    assert "before_is_inclusive = false" in out and "Trước ngày X" in out


def test_cli_show_in_vietnamese_with_a_what_if(capsys: pytest.CaptureFixture[str]) -> None:
    """--lang vi words it in Vietnamese; --set shows the changed value and its default."""
    code, out, _ = _run(
        capsys, "show", "lao-cai-2026", "--lang", "vi", "--set", "before_is_inclusive=true"
    )
    assert code == 0
    assert "Ban hành kế hoạch" in out and "hạn:" in out
    assert "before_is_inclusive = true (mặc định: false)" in out
    assert "trước hoặc đúng ngày 25/04/2026" in out


def test_cli_explain(capsys: pytest.CaptureFixture[str]) -> None:
    """'packs explain' prints the rule, its parameters and its resolved YAML."""
    code, out, _ = _run(capsys, "explain", "lao-cai-2026", "lc-dost-guidance")
    assert code == 0
    assert "strictly before 25/04/2026 (last day 24/04/2026; does not roll)" in out
    assert "kind: once" in out and "date: '2026-04-25'" in out and "before_inclusive: false" in out
    assert "fixed_dates_roll = none" in out
    assert "${" not in out.split("# resolved rule")[1]


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (("show", "lao-cai"), "lao-cai-2026"),
        (("explain", "hue-2025", "hue-quarterly-report"), "hue-quarterly-report-commune"),
        (("explain", "nope-pack", "x"), "built-in packs"),
        (("show", "hue-2025", "--set", "before_inclusive=true"), "before_is_inclusive"),
        (("show", "hue-2025", "--set", "before_is_inclusive"), "PARAM=VALUE"),
    ],
)
def test_cli_unknown_names_are_one_line_errors(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], hint: str
) -> None:
    """An unknown pack, rule or parameter: one line with a suggestion, exit code 2."""
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("hanchot: error: ")
    assert hint in err


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("pack_id", ALL)
def test_cli_show_words_every_rule_of_every_pack(
    capsys: pytest.CaptureFixture[str], pack_id: str, lang: str
) -> None:
    """'packs show' has a due line for each rule of each pack, in both languages."""
    code, out, _ = _run(capsys, "show", pack_id, "--lang", lang)
    assert code == 0
    due = "hạn:" if lang == "vi" else "due:"
    assert out.count(f"    {due} ") == len(load_pack(pack_id).rules)
