"""``hanchot schema KIND``: print the JSON Schema of an input format or a rule pack."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from hanchot.inputs.schemas import KINDS, render


def register(subparsers: Any) -> None:
    """Add the ``schema`` sub-command."""
    parser = subparsers.add_parser(
        "schema",
        help="print a JSON Schema (agency, event, rule-pack)",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("kind", choices=KINDS, help="which format")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the schema of ``args.kind``; return 0."""
    sys.stdout.write(render(args.kind))
    return 0
