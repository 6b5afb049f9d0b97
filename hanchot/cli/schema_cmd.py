"""``hanchot schema KIND``: print the JSON Schema of an input format or a rule pack."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from hanchot.cli._common import guarded
from hanchot.errors import InputError
from hanchot.inputs.schemas import KINDS, render, render_event_type


def register(subparsers: Any) -> None:
    """Add the ``schema`` sub-command."""
    parser = subparsers.add_parser(
        "schema",
        help="print a JSON Schema (agency, event, rule-pack)",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("kind", choices=KINDS, help="which format")
    parser.add_argument(
        "--type", dest="event_type", default=None, metavar="EVENT_TYPE",
        help="with 'event': the schema of one type of the event vocabulary (its typed attributes)",
    )
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    """Print the schema of ``args.kind`` (or of one event type); return 0."""
    if args.event_type is None:
        sys.stdout.write(render(args.kind))
    elif args.kind != "event":
        raise InputError(f"--type is for 'hanchot schema event', not {args.kind!r}")
    else:
        sys.stdout.write(render_event_type(args.event_type))
    return 0
