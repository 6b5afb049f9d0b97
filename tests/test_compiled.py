"""The compiled modules behave as their source does, and are never older than it.

An install compiles hanchot's per-event modules with mypyc when it can (``setup.py``).
These tests hold, when it did (CI installs so):

- every compiled module is at least as new as its source: an editable install keeps
  the compiled module beside the source, and Python prefers it, so an edited source
  would otherwise be ignored in silence until the next install;
- ``check`` and ``batch`` write the same bytes with the compiled modules and with
  their sources (a fresh process told to load sources only, its workers too).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import hanchot

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(hanchot.__file__).resolve().parent
HUE = ROOT / "examples" / "hue"


def compiled_modules() -> dict[str, Path]:
    """Each hanchot module loaded from a C extension, with its file."""
    found: dict[str, Path] = {}
    for info in pkgutil.walk_packages(hanchot.__path__, "hanchot."):
        spec = importlib.util.find_spec(info.name)
        if spec is not None and isinstance(spec.loader, importlib.machinery.ExtensionFileLoader):
            assert spec.origin is not None
            found[info.name] = Path(spec.origin)
    return found


COMPILED = compiled_modules()
needs_compiled = pytest.mark.skipif(not COMPILED, reason="no module of this install is compiled (HANCHOT_COMPILE=0, or no compiler)")

# Put first on the path of a fresh process (and of the workers it spawns): hanchot's own
# folders then load .py sources only; every other folder as usual.
_SOURCES_ONLY = f"""
import os, sys
from importlib.machinery import FileFinder, SourceFileLoader, SOURCE_SUFFIXES
_PACKAGE = {str(PACKAGE)!r}

def _sources_only(path):
    if not os.path.abspath(path).startswith(_PACKAGE):
        raise ImportError(path)
    return FileFinder(path, (SourceFileLoader, SOURCE_SUFFIXES))

sys.path_hooks.insert(0, _sources_only)
sys.path_importer_cache.clear()
"""


@needs_compiled
def test_no_compiled_module_is_older_than_its_source() -> None:
    stale = [
        name for name, so in COMPILED.items()
        if so.with_name(name.rsplit(".", 1)[1] + ".py").stat().st_mtime > so.stat().st_mtime
    ]
    assert not stale, f"compiled before their source last changed: {stale}; reinstall (pip install -e .)"


# The command line, saying first (on stderr) how many hanchot modules it loaded compiled.
_CLI = """
import sys
from importlib.machinery import EXTENSION_SUFFIXES
import hanchot.cli
compiled = [n for n, m in sys.modules.items() if n.startswith("hanchot") and str(getattr(m, "__file__", "")).endswith(tuple(EXTENSION_SUFFIXES))]
print("compiled:", len(compiled), file=sys.stderr)
sys.exit(hanchot.cli.main(sys.argv[1:]))
"""


def _run(argv: list[str], tmp: Path, sources_only: bool) -> subprocess.CompletedProcess[str]:
    """``hanchot *argv*`` in a fresh process, from the sources only if asked."""
    paths = [str(ROOT)]
    if sources_only:
        site = tmp / "sources-only"
        site.mkdir(exist_ok=True)
        (site / "sitecustomize.py").write_text(_SOURCES_ONLY, encoding="utf-8")
        paths.insert(0, str(site))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths))
    return subprocess.run([sys.executable, "-c", _CLI, *argv], check=False, env=env, capture_output=True, text=True, cwd=tmp)


@needs_compiled
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_check_writes_the_same_bytes_compiled_and_from_source(tmp_path: Path, fmt: str) -> None:
    outputs = []
    for sources_only in (False, True):
        out = tmp_path / f"out-{sources_only}.{fmt}"
        done = _run(["check", "--pack", "hue-2025", "--agencies", str(HUE / "agencies.csv"), "--events", str(HUE / "events.jsonl"),
                     "--as-of", "2025-12-31", "--format", fmt, "--output", str(out)], tmp_path, sources_only)
        assert done.returncode == 1, done.stderr  # the example has violations
        assert ("compiled: 0" in done.stderr) == sources_only, done.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


@needs_compiled
def test_batch_writes_the_same_bytes_compiled_and_from_source(tmp_path: Path) -> None:
    country = tmp_path / "country"
    # Duplicates, conflicts, retractions, broadcasts and bad lines: the generator writes them all.
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--out", str(country), "--shape", "qms",
                    "--agencies", "40", "--events", "20000"], check=True, capture_output=True)
    folders = []
    for sources_only in (False, True):
        out = tmp_path / f"batch-{sources_only}"
        done = _run(["batch", "--pack", "hue-2025", "--agencies", str(country / "agencies.csv"), "--events", str(country / "events"),
                     "--as-of", "2026-01-31", "--jobs", "2", "--quiet", "--output", str(out)], tmp_path, sources_only)
        assert done.returncode == 1, done.stderr
        folders.append({p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.name != "summary.json"})
    assert sorted(folders[0]) == sorted(folders[1])
    for name in folders[0]:
        assert folders[0][name] == folders[1][name], name
