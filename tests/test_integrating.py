"""INTEGRATING.md's example runs and prints exactly what its comments say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).parent.parent / "INTEGRATING.md"


def test_the_example_prints_what_its_comments_claim(capsys: pytest.CaptureFixture[str]) -> None:
    (block,) = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    exec(compile(block, str(DOC), "exec"), {})  # noqa: S102 - our own documentation
    claimed = [line[2:] for line in block.splitlines() if line.startswith("# ")]
    assert capsys.readouterr().out.splitlines() == claimed
