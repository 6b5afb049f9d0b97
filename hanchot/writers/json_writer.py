"""JSON: the machine-readable output of every command (``hanchot.output.write_json`` for a check)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from hanchot.writers import Context, Writer


def _dump(data: Any, out: TextIO) -> None:
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _check(report: Any, out: TextIO, context: Context) -> None:
    from hanchot.output import write_json

    write_json(report, out, context.lang)


def _comparison(comparison: Any, out: TextIO, context: Context) -> None:
    from hanchot.whatif_output import write_comparison

    write_comparison(comparison, context.agencies, "json", out, context.lang)


def _sweep(sweep: Any, out: TextIO, context: Context) -> None:
    from hanchot.whatif_output import write_sweep

    write_sweep(sweep.label, sweep.values, sweep.comparisons, "json", out)


def _history(history: Any, out: TextIO, context: Context) -> None:
    _dump(history.to_json(), out)


def _replay(replayed: Any, out: TextIO, context: Context) -> None:
    from hanchot.writers.replay import replay_json

    _dump(replay_json(replayed), out)


WRITER = Writer(
    name="json",
    extension="json",
    binary=False,
    needs_names=False,
    kinds={"check": _check, "comparison": _comparison, "sweep": _sweep, "history": _history, "replay": _replay},
    description="one JSON document (sorted, UTF-8)",
)
