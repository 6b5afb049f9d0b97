"""The one formatter of the terminal's fixed-column tables (check, replay, history, what-if, packs, calendar).

A :class:`Table` is a list of :class:`Column`\\ s; it writes the heading line, the
rule under it and each row, so every table pads, aligns and shortens alike.
It imports nothing of hanchot, so any command may use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One column: its heading, width, alignment and how a longer value is shortened."""

    head: str = ""
    width: int = 0
    """Padded to this many characters; 0: as long as its value (free text)."""
    align: str = "<"
    """``<`` left, ``>`` right."""
    clip: int | None = None
    """A value is cut to at most this many characters (identifiers of a fixed-width table)."""
    ellipsis: int | None = None
    """A value longer than this many characters is cut to it, ending with '…'."""
    before: str = ""
    """What separates this column from the one before it."""

    def cell(self, value: object) -> str:
        """*value* shortened, padded and aligned as this column says, after its separator."""
        text = str(value)
        if self.clip is not None:
            text = text[: self.clip]
        if self.ellipsis is not None and len(text) > self.ellipsis:
            text = text[: max(0, self.ellipsis - 1)].rstrip() + "…"
        return f"{self.before}{text:{self.align}{self.width}}"


@dataclass(frozen=True)
class Table:
    """Columns laid out on one line each; headings are never shortened."""

    columns: Sequence[Column]

    @property
    def width(self) -> int:
        """The width of a full row: every column and separator."""
        return sum(len(c.before) + c.width for c in self.columns)

    def head(self, rule: bool = True) -> str:
        """The heading line, and (when *rule*) a line of dashes as wide as the table under it."""
        line = "".join(f"{c.before}{c.head:{c.align}{c.width}}" for c in self.columns) + "\n"
        return line + ("-" * self.width + "\n" if rule else "")

    def row(self, *values: object) -> str:
        """One row of *values*, one per column."""
        return "".join(c.cell(v) for c, v in zip(self.columns, values, strict=True)) + "\n"
