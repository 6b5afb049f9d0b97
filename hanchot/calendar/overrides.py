"""Day overrides: the typed record and the loader of override files.

An override file is UTF-8 CSV (a BOM is tolerated) with this header row::

    date,status,name_vi,name_en,source

- ``date``: ISO ``YYYY-MM-DD``;
- ``status``: ``off`` (the day is not worked) or ``working`` (the day is worked,
  e.g. a make-up Saturday);
- ``name_vi``, ``name_en``: what the day is, in Vietnamese and English;
- ``source``: the document that decides it (e.g. ``Công văn 12729/VPCP-KGVX``).

Every field is required.  Blank lines and lines starting with ``#`` are
ignored.  A date listed twice in one file is an error (which line was meant
cannot be guessed); across files, a later file's entry for a date wins over an
earlier one, so a user file can correct the shipped one.

CSV rather than YAML because each override is one flat record: a change of the
calendar then shows up as a one-line diff, and errors can name ``file:line``.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from hanchot.errors import CalendarError
from hanchot.text import Text

COLUMNS = ("date", "status", "name_vi", "name_en", "source")
_STATUS = {"off": False, "working": True}

# Name of the override file shipped inside the package (hanchot/calendar/data/).
SHIPPED_FILE = "vn_overrides.csv"


@dataclass(frozen=True, slots=True)
class DayOverride:
    """One day whose working status differs from the plain weekly rule, with its source.

    ``working`` is True for a worked day (e.g. a make-up Saturday) and False for
    a day off (a holiday or a swapped day off).
    """

    date: date
    working: bool
    name: Text
    source: str

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict of this override."""
        return {
            "date": self.date.isoformat(),
            "working": self.working,
            "name_vi": self.name.vi,
            "name_en": self.name.en,
            "source": self.source,
        }


def parse_overrides(text: str, where: str) -> tuple[DayOverride, ...]:
    """Parse override CSV *text*; *where* names the file in error messages."""
    rows = [
        (number, line)
        for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not rows:
        raise CalendarError(
            f"{where}: expected a header row {','.join(COLUMNS)}, got an empty file"
        )
    header_line, header_text = rows[0]
    header = [cell.strip() for cell in next(csv.reader([header_text]))]
    if tuple(header) != COLUMNS:
        raise CalendarError(
            f"{where}:{header_line}: expected the header row {','.join(COLUMNS)}, "
            f"got {','.join(header)}"
        )
    parsed = tuple(_parse_row(number, line, where) for number, line in rows[1:])
    first: dict[date, int] = {}
    for (number, _), override in zip(rows[1:], parsed, strict=True):
        if override.date in first:  # which of the two was meant cannot be guessed
            raise CalendarError(
                f"{where}:{number}: column 'date': {override.date.isoformat()} is listed twice "
                f"(first on line {first[override.date]})"
            )
        first[override.date] = number
    return parsed


def _parse_row(number: int, line: str, where: str) -> DayOverride:
    cells = [unicodedata.normalize("NFC", cell.strip()) for cell in next(csv.reader([line]))]
    if len(cells) != len(COLUMNS):
        raise CalendarError(
            f"{where}:{number}: expected {len(COLUMNS)} fields ({','.join(COLUMNS)}), "
            f"got {len(cells)}"
        )
    raw_date, status, name_vi, name_en, source = cells
    try:
        day = date.fromisoformat(raw_date)
    except ValueError:
        raise CalendarError(
            f"{where}:{number}: column 'date': expected a date YYYY-MM-DD, got {raw_date!r}"
        ) from None
    if len(raw_date) != 10:  # fromisoformat also takes 20250102; the file format does not
        raise CalendarError(
            f"{where}:{number}: column 'date': expected a date YYYY-MM-DD, got {raw_date!r}"
        )
    if status.lower() not in _STATUS:
        raise CalendarError(
            f"{where}:{number}: column 'status': expected 'off' or 'working', got {status!r}"
        )
    for column, value in (("name_vi", name_vi), ("name_en", name_en), ("source", source)):
        if not value:
            raise CalendarError(f"{where}:{number}: column {column!r}: expected text, got nothing")
    return DayOverride(day, _STATUS[status.lower()], Text(name_vi, name_en), source)


def load_overrides(path: Path | str) -> tuple[DayOverride, ...]:
    """Load the overrides of the CSV file at *path* (format in the module docstring)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CalendarError(
            f"{path}: expected a readable override file, got {exc.strerror or exc}"
        ) from None
    except UnicodeDecodeError as exc:
        raise CalendarError(f"{path}: expected UTF-8 text, got {exc.reason}") from None
    return parse_overrides(text, str(path))


def shipped_overrides() -> tuple[DayOverride, ...]:
    """Return the overrides shipped with hanchot (announcements `holidays` lacks)."""
    resource = resources.files("hanchot.calendar").joinpath("data").joinpath(SHIPPED_FILE)
    return parse_overrides(
        resource.read_text(encoding="utf-8"), f"hanchot/calendar/data/{SHIPPED_FILE}"
    )
