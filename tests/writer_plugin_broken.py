"""A format that fails half-way through writing (tests that outputs appear whole or not at all)."""

from __future__ import annotations

from typing import IO, Any

from hanchot.writers import Context, Writer


def _check(report: Any, out: IO[Any], context: Context) -> None:
    out.write("a first line that must never be seen\n")
    raise RuntimeError("the writer failed half-way")


WRITER = Writer(name="broken", extension="txt", binary=False, needs_names=False, kinds={"check": _check})
