"""The review of each pack against its plan, made repeatable (issue 9).

- The coverage data beside each pack lists every dated or periodic duty of its plan against
  the rule that checks it, or why it is not checked; it lists every rule of the pack, and
  every quote is the plan's own words.
- Each pack's YAML rule tests quote the plan line they check: every rule has a header
  ``# RULE: SOURCE "QUOTE"`` whose quote is one of that rule's duties, followed by scenarios
  that expect it. A rule with no test is a failure.
- ``hanchot packs coverage PACK`` prints it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml

from hanchot.cli import main
from hanchot.rules.coverage import load_coverage, normalise, quote_found
from hanchot.rules.loader import load_pack

PACKS = ("vn-qms-national", "lao-cai-2026", "provincial-office-2026", "hue-2025", "vinh-bao-2026", "hai-duong")
SCENARIOS = Path(__file__).parent.parent / "hanchot" / "rules" / "packs" / "tests"
# The plans sit in ../shared/seeds beside the checkout (as for the developers and CI).
SEEDS = Path(os.environ.get("HANCHOT_SEEDS", Path(__file__).resolve().parents[2] / "shared" / "seeds"))
HEADER = re.compile(r'^  # ([a-z0-9][a-z0-9_.-]*): (.+?) "(.+)"$')


def _seed(plan: str) -> str:
    found = sorted(SEEDS.glob(f"{plan}_*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip(f"the plan texts are not here (set HANCHOT_SEEDS to the folder of {plan}_*.txt)")
    return found[0].read_text(encoding="utf-8")


@pytest.mark.parametrize("pack_id", PACKS)
def test_coverage_lists_every_rule_of_the_pack_and_no_other(pack_id: str) -> None:
    """Every rule is the encoding of some duty of the plan; every duty names real rules."""
    coverage = load_coverage(pack_id)
    assert coverage.pack == pack_id
    rules = {r.id for r in load_pack(pack_id).rules}
    assert coverage.rules_listed() == rules


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_unchecked_duty_says_why(pack_id: str) -> None:
    """A duty not checked from events carries its reason (training, meetings, budgets ...)."""
    for duty in load_coverage(pack_id).duties:
        assert duty.rules or (duty.not_checked and len(duty.not_checked) > 10), duty.source


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_quote_is_the_plans_own_words(pack_id: str) -> None:
    """Each duty's quote (cuts marked "…") is in the plan it cites, whitespace aside."""
    coverage = load_coverage(pack_id)
    for duty in coverage.duties:
        assert quote_found(duty.quote, _seed(duty.plan or coverage.plan)), (duty.source, duty.quote)
    if coverage.communes.quote:
        assert quote_found(coverage.communes.quote, _seed(coverage.plan))


def test_quote_found_rejects_words_the_plan_does_not_have() -> None:
    """The quote check can fail: a changed word, or parts out of order, are not found."""
    text = "Thực hiện kiểm tra, đánh giá nội bộ tối thiểu 01 lần/năm nhằm bảo đảm"
    assert quote_found("kiểm tra, đánh giá … 01 lần/năm", text)
    assert not quote_found("kiểm tra, đánh giá nội bộ tối thiểu 02 lần/năm", text)
    assert not quote_found("01 lần/năm … kiểm tra", text)


def test_the_plans_that_bring_communes_in() -> None:
    """Decision 19/2014 Art. 2 only encourages communes: each pack says whether its plan binds them."""
    bound = {p: load_coverage(p).communes.bound for p in PACKS}
    assert bound == {
        "vn-qms-national": False,
        "lao-cai-2026": True,
        "provincial-office-2026": False,
        "hue-2025": True,
        "vinh-bao-2026": True,
        "hai-duong": True,
    }


def _headers(pack_id: str) -> dict[str, list[str]]:
    """rule id -> the quotes of its test headers in the pack's scenario file."""
    found: dict[str, list[str]] = {}
    for line in (SCENARIOS / f"{pack_id}.yaml").read_text(encoding="utf-8").splitlines():
        match = HEADER.match(line)
        if match:
            found.setdefault(match.group(1), []).append(match.group(3))
    return found


@pytest.mark.parametrize("pack_id", PACKS)
def test_each_rule_has_a_test_quoting_the_plan_line_it_checks(pack_id: str) -> None:
    """Every rule has a scenario header quoting one of its duties, and a scenario expecting it."""
    coverage = load_coverage(pack_id)
    headers = _headers(pack_id)
    data = yaml.safe_load((SCENARIOS / f"{pack_id}.yaml").read_text(encoding="utf-8"))
    tested = {e["rule"] for t in data["tests"] for e in (t.get("expect") or [])}
    for rule in load_pack(pack_id).rules:
        assert rule.id in headers, f"{pack_id}: rule {rule.id} has no test quoting its plan line"
        assert rule.id in tested, f"{pack_id}: rule {rule.id} has no scenario expecting it"
        duties = {normalise(d.quote) for d in coverage.duties if rule.id in d.rules}
        for quote in headers[rule.id]:
            assert normalise(quote) in duties, (rule.id, quote)


def test_cli_coverage_table(capsys: pytest.CaptureFixture[str]) -> None:
    """The table names each duty's section, its words, and its rule or the reason it is unchecked."""
    assert main(["packs", "coverage", "hai-duong"]) == 0
    out = capsys.readouterr().out
    assert "004 §IV.1" in out and "not checked: budget estimates" in out
    assert "checked by: dost-inspection-plan" in out
    assert "communes: bound (004 §II.2" in out


def test_cli_coverage_json(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json gives the same data, one object."""
    assert main(["packs", "coverage", "lao-cai-2026", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {d["source"]: d for d in data["duties"]}
    assert rows["000 §II.6 row 5"]["rules"] == ["lc-announce"]
    assert data["communes"]["bound"] is True
