"""Build hanchot, compiling its per-event modules with mypyc where it can.

The modules in ``COMPILED`` run once per input line (reading, keeping, evaluating) or
per obligation (writing it).
mypyc compiles them, unchanged, to C extensions: the same source, with the same
behaviour (the tests hold the compiled and the interpreted modules to the same
output), about a fifth fewer instructions per event. Where mypyc or a C compiler is
missing, or with ``HANCHOT_COMPILE=0``, the package installs as plain Python, and the
compiled modules an earlier build left beside the sources are removed (Python would
load them instead of the sources).
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from importlib.machinery import EXTENSION_SUFFIXES
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

COMPILED = [
    "hanchot/inputs/event.py",
    "hanchot/inputs/lines.py",
    "hanchot/inputs/events.py",
    "hanchot/inputs/vocabulary.py",
    "hanchot/idle.py",
    "hanchot/ledger.py",
    "hanchot/batch/route.py",
    "hanchot/batch/partition.py",
    "hanchot/obligations/instances.py",
    "hanchot/obligations/periodic.py",
    "hanchot/obligations/within.py",
    "hanchot/obligations/fields.py",
    "hanchot/obligations/settling.py",
    "hanchot/encoding.py",
]
GROUP = "hanchot"  # the shared library of the compiled modules: hanchot__mypyc
# Only a command that builds compiles (not the metadata hooks: mypyc type-checks first).
_BUILDING = {"build", "build_ext", "bdist_wheel", "editable_wheel", "develop", "install"}


def _plain(reason: str) -> list[Any]:
    """No compiled module: say why, and remove those an earlier build left in the tree."""
    warnings.warn(f"hanchot: not compiled ({reason}); installing plain Python", stacklevel=2)
    here = os.path.dirname(os.path.abspath(__file__))
    for stem in [path[: -len(".py")] for path in COMPILED] + [GROUP + "__mypyc"]:
        for suffix in EXTENSION_SUFFIXES:
            if os.path.exists(built := os.path.join(here, stem + suffix)):
                os.remove(built)
    return []


def _extensions() -> list[Any]:
    if _BUILDING.isdisjoint(sys.argv[1:]):
        return []
    if os.environ.get("HANCHOT_COMPILE", "1") == "0":
        return _plain("HANCHOT_COMPILE=0")
    try:
        from mypyc.build import mypycify

        # The build environment holds mypy, not hanchot's dependencies: their types are Any
        # there, which compiles to the same behaviour (the strict check is the test suite's;
        # an optional import then redefines its fallback name). A cache of its own, so that
        # no earlier type check in the tree decides what this build reports.
        with tempfile.TemporaryDirectory(prefix="hanchot-mypyc-") as cache:
            options = ["--config-file=", "--ignore-missing-imports", "--disable-error-code=no-redef", f"--cache-dir={cache}"]
            return mypycify([*options, *COMPILED], opt_level="3", group_name=GROUP)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure to compile leaves plain Python, said so
        return _plain(str(exc))


class _OptionalBuildExt(build_ext):
    """Build the compiled modules, or leave plain Python when the C compiler fails."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - CCompilerError, a missing compiler, ...
            _plain(str(exc))


setup(ext_modules=_extensions(), cmdclass={"build_ext": _OptionalBuildExt})
