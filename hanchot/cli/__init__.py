"""The ``hanchot`` command line.

Each sub-command lives in its own module exposing ``register(subparsers)``;
this module only assembles them, so commands can grow independently.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Modules of hanchot.cli that each add one sub-command.
_COMMANDS = ("due", "calendar_cmd", "check", "packs_cmd", "schema_cmd", "test_cmd", "whatif_cmd", "replay_cmd", "batch_cmd", "history_cmd")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit with code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"hanchot: error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of every ``hanchot`` sub-command."""
    parser = _Parser(prog="hanchot", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in _COMMANDS:
        try:
            module = importlib.import_module(f"hanchot.cli.{name}")
        except ModuleNotFoundError as exc:  # a command still being written
            if exc.name != f"hanchot.cli.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    return code


if __name__ == "__main__":
    raise SystemExit(main())
