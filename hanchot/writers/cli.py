"""The output options every command shares: ``--format`` from the registry, ``--output``, ``--lang``."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hanchot.writers import Context, emit, load, names, resolve_lang

if TYPE_CHECKING:
    from hanchot.inputs import Agency
    from hanchot.rules.model import RulePack


def add_format_arguments(parser: argparse.ArgumentParser, kind: str, *, output: bool = True) -> None:
    """``--format`` (every registered format that writes *kind*) and ``--output``."""
    formats = names(kind)
    parser.add_argument(
        "--format", choices=formats, default="table", help=f"output format: {', '.join(formats)} (default: table)"
    )
    if output:
        parser.add_argument("--output", type=Path, default=None, help="write here (whole or not at all) instead of stdout")


def write_result(
    args: argparse.Namespace,
    kind: str,
    result: Any,
    *,
    pack: RulePack | None = None,
    agencies: Mapping[str, Agency] | None = None,
) -> str:
    """Write *result* in ``args.format`` to ``args.output``; return the language used.

    ``args.lang`` wins when given; otherwise the format's own default (Vietnamese
    for the formats people read, English for the terminal and machine formats).
    """
    writer = load(args.format)
    lang = resolve_lang(getattr(args, "lang", None), writer)
    emit(writer, kind, result, getattr(args, "output", None), Context(lang=lang, pack=pack, agencies=agencies or {}))
    return lang
