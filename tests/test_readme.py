"""The README's examples work as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).parent.parent / "README.md"


def test_python_examples_run_and_print_what_they_claim(capsys: pytest.CaptureFixture[str]) -> None:
    """Every ```python block of the README runs, in order, in one namespace."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert blocks
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102 - our own documentation
    out = capsys.readouterr().out
    assert "2025-05-05 met" in out and "05/05/2025" in out


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run runs the same pytest command the README gives."""
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    assert "python -m pytest -q" in readme and "python -m pytest -q" in ci
