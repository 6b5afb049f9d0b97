"""Build hanchot, compiling its per-event modules with mypyc where it can.

The modules in ``COMPILED`` run once per input line (reading, keeping, evaluating).
mypyc compiles them, unchanged, to C extensions: the same source, with the same
behaviour (the tests hold the compiled and the interpreted modules to the same
output), a third less work per event. Where mypyc or a C compiler is missing, or with
``HANCHOT_COMPILE=0``, the package installs as plain Python.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

COMPILED = [
    "hanchot/inputs/lines.py",
    "hanchot/inputs/events.py",
    "hanchot/inputs/vocabulary.py",
    "hanchot/ledger.py",
    "hanchot/batch/route.py",
    "hanchot/batch/partition.py",
    "hanchot/obligations/periodic.py",
    "hanchot/obligations/within.py",
]
# Only a command that builds compiles (not the metadata hooks: mypyc type-checks first).
_BUILDING = {"build", "build_ext", "bdist_wheel", "editable_wheel", "develop", "install"}


def _extensions() -> list[Any]:
    if os.environ.get("HANCHOT_COMPILE", "1") == "0" or _BUILDING.isdisjoint(sys.argv[1:]):
        return []
    try:
        from mypyc.build import mypycify

        # The build environment holds mypy, not hanchot's dependencies: their types are Any
        # there, which compiles to the same behaviour (the strict check is the test suite's).
        return mypycify(["--config-file=", "--ignore-missing-imports", *COMPILED], opt_level="3", group_name="hanchot")
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure to compile leaves plain Python, said so
        warnings.warn(f"hanchot: not compiled ({exc}); installing plain Python", stacklevel=1)
        return []


class _OptionalBuildExt(build_ext):
    """Build the compiled modules, or leave plain Python when the C compiler fails."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - CCompilerError, a missing compiler, ...
            warnings.warn(f"hanchot: not compiled ({exc}); installing plain Python", stacklevel=1)


setup(ext_modules=_extensions(), cmdclass={"build_ext": _OptionalBuildExt})
