"""The ``hanchot`` command line.

Each sub-command lives in its own module exposing ``register(subparsers)``;
this module only assembles them, so commands can grow independently.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from hanchot.cli._common import report_failure
from hanchot.errors import ExitCode
from hanchot.writers import silence_stdout

# Each sub-command -> the module of hanchot.cli that adds it, in the order of ``hanchot --help``.
_COMMANDS = {
    "due": "due",
    "calendar": "calendar_cmd",
    "check": "check",
    "packs": "packs_cmd",
    "schema": "schema_cmd",
    "test": "test_cmd",
    "whatif": "whatif_cmd",
    "replay": "replay_cmd",
    "batch": "batch_cmd",
    "history": "history_cmd",
}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit with code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"hanchot: error: {message}\n")
        raise SystemExit(2)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Return the parser of every ``hanchot`` sub-command, or only of *command* when it is one.

    A command line names its sub-command first: its parser alone is built, so that
    ``hanchot check`` does not import what the other commands need (batch, what-if,
    replay: a tenth of a second at each start). Without a known sub-command (``--help``,
    a typo) every parser is built, for the list of commands or the suggestion.
    """
    parser = _Parser(
        prog="hanchot",
        description=__doc__.splitlines()[0],
        epilog="Exit codes: 0 no violation, 1 violations, 2 unusable input or usage, "
        "3 a batch partition failed, 4 an environment or internal failure, 130 interrupted, 143 terminated.",
    )
    parser.add_argument("--debug", action="store_true", help="print the traceback of a failure (also after the command)")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in [_COMMANDS[command]] if command in _COMMANDS else _COMMANDS.values():
        try:
            module = importlib.import_module(f"hanchot.cli.{name}")
        except ModuleNotFoundError as exc:  # a command still being written
            if exc.name != f"hanchot.cli.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def _named_command(argv: Sequence[str]) -> str | None:
    """The sub-command *argv* names (its first word), or None when help is asked before it
    (``hanchot -h check`` lists every command, as ``hanchot -h`` does)."""
    for arg in argv:
        if arg in ("-h", "--help"):
            return None
        if not arg.startswith("-"):
            return arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code (see :class:`hanchot.errors.ExitCode`).

    No failure escapes as a traceback (unless ``--debug``): each is one line
    on stderr naming the path and the cause, and its exit code. Ctrl-C is
    exit code 130 and SIGTERM 143, with one line; the batch's workers are
    stopped and its unfinished output discarded on the way out.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv  # accepted after the sub-command too
    if debug:
        argv = [a for a in argv if a != "--debug"]
    previous = _answer_sigterm()
    try:
        args = build_parser(_named_command(argv)).parse_args(argv)
        args.debug = debug
        code: int = args.run(args)
    except KeyboardInterrupt as exc:  # ^C, or SIGTERM (_Terminated): unwound, workers stopped
        if debug:
            traceback.print_exc()
        terminated = isinstance(exc, _Terminated)
        sys.stderr.write(f"hanchot: {'terminated' if terminated else 'interrupted'}\n")
        return int(ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED)
    except BrokenPipeError:  # stdout piped into `head` and the like: not an error
        silence_stdout()
        return int(ExitCode.OK)
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - a command without its own guard
        return report_failure(exc, debug=debug)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return code


class _Terminated(KeyboardInterrupt):
    """SIGTERM: unwound like ^C (outputs discarded, workers stopped), exit code 143."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise _Terminated


def _answer_sigterm() -> Any:
    """Turn SIGTERM into :class:`_Terminated` while a command runs; the handler to restore (None: not the main thread)."""
    try:
        return signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:
        return None


if __name__ == "__main__":
    raise SystemExit(main())
