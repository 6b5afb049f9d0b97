"""The strict YAML reader means the same with libyaml's parser as with PyYAML's own.

:class:`~hanchot.safe_yaml.StrictLoader` parses with libyaml where PyYAML has it (ten
times faster on a rule pack); an install without it parses in Python. Both must read
every shipped file alike, and refuse a hostile one on the same line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hanchot.safe_yaml import StrictConstructor, StrictLoader, YamlProblem, load_yaml

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(
    [*(ROOT / "hanchot").rglob("*.yaml"), *(ROOT / "examples").rglob("*.yaml"), *(ROOT / "tests" / "data").rglob("*.yaml")]
)


class PurePythonLoader(StrictConstructor, yaml.SafeLoader):
    """The strict loader on PyYAML's pure-Python scanner and parser."""


def test_libyaml_is_used_where_pyyaml_has_it() -> None:
    """The speed is there whenever PyYAML was built with libyaml (its wheels are)."""
    assert issubclass(StrictLoader, yaml.CSafeLoader) == yaml.__with_libyaml__


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_yaml_file_reads_alike(path: Path) -> None:
    """Packs, agency lists, scenarios: the same document from both parsers (dates, text, nesting)."""
    text = path.read_text(encoding="utf-8")
    assert load_yaml(text) == load_yaml(text, PurePythonLoader)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("id: a\ntitle: b\nid: c\n", 3, "'id' is repeated (first on line 1)"),
        ("id: a\nvalid_from: 2025-02-30\n", 2, "not a valid date"),
    ],
    ids=["repeated-key", "impossible-date"],
)
def test_a_hostile_document_is_refused_on_its_line_by_both(text: str, line: int, words: str) -> None:
    """A repeated key or an impossible date names its line, whichever parser ran."""
    for loader_class in (StrictLoader, PurePythonLoader):
        with pytest.raises(YamlProblem) as refused:
            load_yaml(text, loader_class)
        assert refused.value.line == line and words in refused.value.reason
