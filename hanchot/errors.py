"""The one exception tree of hanchot.

Every error hanchot raises on purpose derives from :class:`HanchotError` and
also from the builtin exception callers already catch (``ValueError``,
``LookupError``), so ``except ValueError`` keeps working.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable


class ExitCode(enum.IntEnum):
    """The exit codes of every ``hanchot`` command: the contract a scheduler reads.

    A failure is never 0 or 1, so no failure can pass for a result.
    """

    OK = 0  # no violation
    VIOLATIONS = 1  # violations found (or a rule test failed)
    USAGE = 2  # unusable input or usage
    PARTITION_FAILED = 3  # a batch partition failed twice
    ENVIRONMENT = 4  # disk full, output not writable, history unusable, a bug
    INTERRUPTED = 130  # Ctrl-C (SIGINT), as a shell reports it
    TERMINATED = 143  # SIGTERM (a scheduler's timeout), as a shell reports it


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


class EnvironmentFailure(HanchotError, OSError):
    """The run's environment failed it: an output not writable, a disk full, a history unusable.

    Exit code 4, never 2: the input may be fine, and running again elsewhere may work.
    """


def suggest(name: str, known: Iterable[str]) -> str:
    """Return a ' (did you mean ...?)' hint for an unknown *name*, or ''."""
    close = difflib.get_close_matches(name, list(known), n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""
