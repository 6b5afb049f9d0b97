"""CSV: one row per obligation (``hanchot.output.write_csv`` for a check), difference or violation."""

from __future__ import annotations

from typing import Any, TextIO

from hanchot.writers import Context, Writer


def _check(report: Any, out: TextIO, context: Context) -> None:
    from hanchot.output import write_csv

    write_csv(report.obligations, out, context.lang)


def _comparison(comparison: Any, out: TextIO, context: Context) -> None:
    from hanchot.whatif_output import write_comparison

    write_comparison(comparison, context.agencies, "csv", out, context.lang)


def _sweep(sweep: Any, out: TextIO, context: Context) -> None:
    from hanchot.whatif_output import write_sweep

    write_sweep(sweep.label, sweep.values, sweep.comparisons, "csv", out)


def _replay(replayed: Any, out: TextIO, context: Context) -> None:
    from hanchot.writers.replay import write_replay_csv

    write_replay_csv(replayed, out)


WRITER = Writer(
    name="csv",
    extension="csv",
    binary=False,
    needs_names=False,
    kinds={"check": _check, "comparison": _comparison, "sweep": _sweep, "replay": _replay},
    description="comma-separated rows with a header",
)
