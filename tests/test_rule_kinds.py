"""A rule kind is one module: registered from the test tree, evaluated by check, batch and replay."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hanchot.batch import BatchOptions, run_batch
from hanchot.cli import main
from hanchot.errors import RulePackError
from hanchot.rules.kinds import PLUGINS_VARIABLE, rule_kinds
from hanchot.rules.loader import load_pack

PACK = """
id: kinds-test
title: {vi: Thử loại quy định, en: Rule kind test}
valid: {from: 2025-01-01, to: 2026-12-31}
rules:
  - id: no-leaks
    kind: forbidden
    title: {vi: Không để lộ dữ liệu, en: No data leak}
    basis: {document: 13/2023/NĐ-CP}
    applies_to: {level: commune}
    match: {type: data.leaked, where: {severity: {gte: 2}}}
"""
AGENCIES = "id,name,level,province\nc1,C1,commune,P1\nc2,C2,commune,P2\nd1,D1,department,P1\n"
EVENTS = [
    {"id": "e1", "type": "data.leaked", "agency": "c1", "date": "2025-03-01", "severity": 3},
    {"id": "e2", "type": "data.leaked", "agency": "c2", "date": "2025-04-01", "severity": 1},
    {"id": "e3", "type": "data.leaked", "agency": "d1", "date": "2025-05-01", "severity": 5},
    {"id": "e4", "type": "data.leaked", "agency": "c2", "date": "2025-06-01", "severity": 2},
]


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Path]:
    monkeypatch.setenv(PLUGINS_VARIABLE, "kinds.forbidden")
    pack, agencies, events = tmp_path / "pack.yaml", tmp_path / "agencies.csv", tmp_path / "events.jsonl"
    pack.write_text(PACK, encoding="utf-8")
    agencies.write_text(AGENCIES, encoding="utf-8")
    events.write_text("".join(json.dumps(e) + "\n" for e in EVENTS), encoding="utf-8")
    return pack, agencies, events


def test_a_kind_from_the_test_tree_is_evaluated_by_check_batch_and_replay(files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """The forbidden-event kind binds communes only, by its pattern: e1 and e4 are breaches."""
    pack, agencies, events = files
    common = ["--pack", str(pack), "--agencies", str(agencies), "--events", str(events)]
    assert main(["check", *common, "--as-of", "2025-12-31", "--format", "json", "--output", str(tmp_path / "c.json")]) == 1
    checked = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["obligations"]
    assert [(o["agency"], o["trigger"], o["status"]) for o in checked] == [("c1", "e1", "overdue"), ("c2", "e4", "overdue")]
    result = run_batch(BatchOptions(pack=str(pack), agencies=agencies, events=[events], as_of=dt.date(2025, 12, 31),
                                    output=tmp_path / "b", jobs=2, progress=False, partition_bytes=1))
    assert result.exit_code == 1
    batched = [json.loads(x) for x in (tmp_path / "b" / "obligations.jsonl").read_text(encoding="utf-8").splitlines()]
    assert batched == checked
    assert main(["replay", *common, "--from", "2025-02-01", "--to", "2025-12-31", "--every", "month", "--format", "json",
                 "--output", str(tmp_path / "r.json")]) in (0, 1)
    replayed = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert "e4" in json.dumps(replayed) and "e2" not in json.dumps(replayed)


def test_the_kind_is_listed_and_described(files: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """packs show names the kind in words, from its registration."""
    pack, _, _ = files
    load_pack(pack)
    assert "forbidden" in [k.name for k in rule_kinds()]
    assert main(["packs", "show", str(pack)]) == 0
    assert "[forbidden event]" in capsys.readouterr().out


def test_an_unknown_kind_names_the_rule_and_the_known_kinds(tmp_path: Path) -> None:
    """A pack using a kind nobody registered is refused with the rule's id."""
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK.replace("kind: forbidden", "kind: forbiden"), encoding="utf-8")
    with pytest.raises(RulePackError, match="no-leaks"):
        load_pack(pack)
