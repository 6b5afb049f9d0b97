"""``hanchot test``: YAML rule tests for policy authors."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import DATA

from hanchot.cli import main
from hanchot.scenarios import collect, run

BUILTIN_TESTS = Path(__file__).parent.parent / "hanchot" / "rules" / "packs" / "tests"


def test_passing_scenarios_exit_0_with_a_pytest_like_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """Every scenario is named file::name with PASSED, and the closing line counts them."""
    assert main(["test", str(DATA / "scenarios")]) == 0
    out = capsys.readouterr().out
    assert out.count("PASSED") == 3 and "3 passed" in out


def test_failing_scenario_exits_1_with_expected_versus_got(capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong expectation fails, showing for each field what was expected and what came out."""
    assert main(["test", str(DATA / "scenarios_failing")]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "due: expected '2025-03-22', got '2025-03-21'" in out and "1 failed" in out


def test_missing_scenario_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A path that does not exist exits 2 naming it."""
    assert main(["test", "no/such/dir"]) == 2
    assert "no/such/dir" in capsys.readouterr().err


@pytest.mark.parametrize("scenario", collect([BUILTIN_TESTS]) if BUILTIN_TESTS.exists() else [], ids=lambda s: s.id)
def test_builtin_pack_scenarios(scenario) -> None:  # type: ignore[no-untyped-def]
    """The YAML tests shipped with the built-in packs pass."""
    outcome = run(scenario)
    assert outcome.passed, "\n".join(outcome.failures)
