"""The one exception tree of hanchot.

Every error hanchot raises on purpose derives from :class:`HanchotError` and
also from the builtin exception callers already catch (``ValueError``,
``LookupError``), so ``except ValueError`` keeps working.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class HanchotError(Exception):
    """Base class of every error hanchot raises on purpose."""


class CalendarError(HanchotError, ValueError):
    """A date, duration, period or calendar override file is malformed."""


class RulePackError(HanchotError, ValueError):
    """A rule pack does not load: bad YAML, unknown field, bad reference."""


class InputError(HanchotError, ValueError):
    """An agency or event input is unusable (names file, line and field)."""


class UnknownNameError(HanchotError, LookupError):
    """A name (pack, rule, parameter) is not known; suggests the nearest ones."""


def suggest(name: str, known: Iterable[str]) -> str:
    """Return a ' (did you mean ...?)' hint for an unknown *name*, or ''."""
    close = difflib.get_close_matches(name, list(known), n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""
