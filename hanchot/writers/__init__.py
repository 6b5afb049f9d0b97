"""Output formats: one module per format, registered once, shared by every command.

A format is a :class:`Writer` declared as ``WRITER`` in its module and named in
:data:`BUILTIN` (or, for a format living outside hanchot, in the environment
variable ``HANCHOT_WRITERS="name=package.module,..."``). A writer says which
*kinds* of result it can write — ``check`` (a :class:`~hanchot.obligations.model.Report`),
``comparison`` and ``sweep`` (a what-if), ``history``, ``replay`` — and, for
``batch --report``, how to write a batch's results into a folder. A command
offers every format that can write its kind (:func:`names`) and writes through
:func:`emit`, so a new format needs no edit in the commands.

Modules are imported only when their format is used, so a format whose library
is an optional extra (xlsx, ics) costs nothing until asked for, and says how to
install what it lacks (:class:`MissingLibrary`).
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from hanchot.errors import EnvironmentFailure, HanchotError

if TYPE_CHECKING:
    from hanchot.inputs import Agency
    from hanchot.rules.model import RulePack
    from hanchot.writers.view import ReportView

__all__ = ["BUILTIN", "Context", "MissingLibrary", "Writer", "atomic_file", "emit", "load", "names", "require", "resolve_lang", "silence_stdout"]

BUILTIN: Mapping[str, str] = {
    "table": "hanchot.writers.table",
    "json": "hanchot.writers.json_writer",
    "csv": "hanchot.writers.csv_writer",
    "html": "hanchot.writers.html_report",
    "xlsx": "hanchot.writers.xlsx",
    "ics": "hanchot.writers.ics",
}
"""Format name -> module defining ``WRITER``; the order is the order of ``--format`` choices."""

ENV_VAR = "HANCHOT_WRITERS"

StreamWrite = Callable[[Any, Any, "Context"], None]
"""Writes one result to a stream: text (TextIO) or, for a binary format, bytes (IO[bytes])."""
FolderWrite = Callable[["ReportView", Path, "Context"], list[Path]]


@dataclass(frozen=True)
class Context:
    """What a writer may need besides the result: names and titles, and the language."""

    lang: str = "en"
    pack: RulePack | None = None
    agencies: Mapping[str, Agency] = field(default_factory=dict)

    def names_pack(self) -> RulePack:
        """The rule pack, for a format that shows rule titles (see :attr:`Writer.needs_names`)."""
        if self.pack is None:
            raise HanchotError("this format shows rule titles and agency names: give it the pack and agencies")
        return self.pack


@dataclass(frozen=True)
class Writer:
    """One output format.

    *kinds* maps each kind of result the format writes to the function writing it
    to a stream (text when *binary* is false); *batch* writes a batch's results
    into a folder and returns the files written. *needs_names* says the format
    shows agency names and rule titles, so the command must pass the pack and
    agencies in the :class:`Context`. *default_lang* is the language used when
    ``--lang`` is not given (the formats people read are Vietnamese first).
    """

    name: str
    extension: str
    binary: bool
    needs_names: bool
    kinds: Mapping[str, StreamWrite]
    batch: FolderWrite | None = None
    default_lang: str = "en"
    description: str = ""
    requires: Mapping[str, str] = field(default_factory=dict)
    """Modules the format imports -> the pip requirement that provides them."""


class MissingLibrary(HanchotError):
    """A format needs a library that is not installed (an optional extra)."""


def _registry() -> dict[str, str]:
    modules = dict(BUILTIN)
    for item in os.environ.get(ENV_VAR, "").split(","):
        name, _, module = item.strip().partition("=")
        if name and module:
            modules[name.strip()] = module.strip()
    return modules


def load(name: str) -> Writer:
    """The writer of format *name* (imports its module)."""
    modules = _registry()
    if name not in modules:
        from hanchot.errors import UnknownNameError, suggest

        raise UnknownNameError(f"no output format {name!r}{suggest(name, list(modules))}")
    try:
        writer: Writer = importlib.import_module(modules[name]).WRITER
    except (ImportError, AttributeError) as exc:
        raise HanchotError(f"output format {name!r}: module {modules[name]} has no WRITER ({exc}); see {ENV_VAR}") from exc
    if writer.name != name:
        raise HanchotError(f"module {modules[name]} declares format {writer.name!r}, registered as {name!r}")
    return writer


def names(kind: str) -> list[str]:
    """The formats that can write *kind* (``batch`` for ``batch --report``), in registry order."""
    out = []
    for name in _registry():
        writer = load(name)
        if (writer.batch is not None) if kind == "batch" else (kind in writer.kinds):
            out.append(name)
    return out


def require(writer: Writer) -> None:
    """Raise :class:`MissingLibrary`, saying what to install, if the format's library is absent."""
    import importlib.util

    for module, requirement in writer.requires.items():
        if importlib.util.find_spec(module) is None:
            raise MissingLibrary(f"--format {writer.name} needs {module}: pip install '{requirement}'")


def resolve_lang(lang: str | None, writer: Writer) -> str:
    """``--lang`` if given, else the format's own default."""
    return lang or writer.default_lang


def emit(writer: Writer, kind: str, result: Any, path: Path | None, context: Context) -> None:
    """Write *result* of *kind* with *writer* to *path*, whole or not at all, or to stdout.

    A file is written under a temporary name in its folder and renamed when
    complete. A binary format refuses a terminal as its standard output.
    """
    write = writer.kinds[kind]
    require(writer)
    if writer.needs_names and kind == "check":
        context.names_pack()
    if path is None:
        if writer.binary and sys.stdout.isatty():
            raise HanchotError(f"--format {writer.name} is binary: give --output FILE.{writer.extension}")
        try:
            sys.stdout.flush()
            out = sys.stdout.buffer if writer.binary else sys.stdout
            write(result, out, context)
            out.flush()
        except BrokenPipeError:  # piped into `head`: the rest is dropped, the exit code stays the command's
            silence_stdout()
        return
    with atomic_file(path, binary=writer.binary) as out:
        write(result, out, context)


def silence_stdout() -> None:
    """Point stdout at /dev/null once its reader has gone, so exiting does not fail on it."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout replaced by an object without a descriptor (tests)
        pass


class atomic_file:
    """A file written under a temporary name and renamed to *path* only on success.

    A failure of the file system (disk full, no permission) is an
    :class:`~hanchot.errors.EnvironmentFailure` naming the path (exit code 4),
    and leaves neither the temporary file nor a partial *path* behind.
    """

    def __init__(self, path: Path, *, binary: bool = False) -> None:
        self.path = path
        self.binary = binary

    def __enter__(self) -> IO[Any]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        except OSError as exc:
            raise self._failure(exc) from exc
        if self.binary:
            self.fh: IO[Any] = os.fdopen(fd, "wb")
        else:
            self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self.fh

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, *_: object) -> None:
        try:
            self.fh.close()
            if kind is None:
                os.chmod(self.tmp, 0o644)
                os.replace(self.tmp, self.path)
        except OSError as exc:
            error, kind = exc, type(exc)
        finally:
            if kind is not None:
                Path(self.tmp).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise self._failure(error) from error

    def _failure(self, exc: OSError) -> EnvironmentFailure:
        return EnvironmentFailure(f"{self.path}: cannot write the output ({exc.strerror or exc})")
