"""What the command line loads: each sub-command builds its own parser and imports what it needs.

``hanchot check`` starts in a fresh process for every run of a nightly job, so the
modules of the other commands (the batch's pool and partitions, what-if, replay)
must not be imported on its way (``benchmarks/check.py`` measures the start).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hanchot.cli import main

ROOT = Path(__file__).resolve().parent.parent
HUE = ROOT / "examples" / "hue"
COMMANDS = ("due", "calendar", "check", "packs", "schema", "test", "whatif", "replay", "batch", "history")

_LOADED = """
import json, sys
from hanchot.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(m for m in sys.modules if m.startswith(("hanchot", "holidays.")))}))
"""


def _loaded(*argv: str) -> tuple[int, list[str]]:
    """The exit code of ``hanchot *argv*`` in a fresh process, and the modules of hanchot and
    of the holidays package it imported."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", _LOADED, *argv], env=env, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.splitlines()[-1])
    return result["code"], result["modules"]


def test_check_imports_none_of_the_other_commands_machinery(tmp_path: Path) -> None:
    """A check writes its report without importing the batch, what-if or replay modules."""
    code, modules = _loaded(
        "check", "--pack", "hue-2025", "--agencies", str(HUE / "agencies.csv"), "--events", str(HUE / "events.jsonl"),
        "--as-of", "2025-12-31", "--format", "json", "--output", str(tmp_path / "out.json"),
    )
    assert code == 1  # the example province has violations by the end of 2025
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["obligations"]
    assert [m for m in modules if m.startswith(("hanchot.batch", "hanchot.whatif", "hanchot.replay"))] == []
    # The holidays package's Vietnam alone, not its 250 countries (a third of the start).
    assert "holidays.countries" not in modules and "hanchot.calendar._holidays_vietnam" in modules


@pytest.mark.parametrize("argv", [["--help"], ["-h", "check"], ["--debug", "--help", "batch"]])
def test_the_help_lists_every_command(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """``hanchot --help`` still builds every sub-command's parser and lists them all, also
    when a command is named after the help option."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    out = capsys.readouterr().out
    listed = out[out.index("{") + 1 : out.index("}")].split(",")
    assert listed == list(COMMANDS)


@pytest.mark.parametrize(
    ("argv", "said"),
    [(["chek", "--pack", "hue-2025"], "invalid choice: 'chek'"), (["--debug", "nope"], "invalid choice: 'nope'"), ([], "required: command")],
)
def test_an_unknown_or_missing_command_is_a_usage_error(argv: list[str], said: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A mistyped or missing sub-command is exit code 2, saying so (with the list of commands)."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert said in capsys.readouterr().err


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_its_help_alone(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``hanchot COMMAND --help`` builds that command's parser alone and prints its usage."""
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: hanchot {command}")
