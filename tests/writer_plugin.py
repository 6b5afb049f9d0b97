"""Output formats registered from outside hanchot (tests of the writer registry).

``HANCHOT_WRITERS="violations-tsv=writer_plugin,broken=writer_plugin_broken"``
makes them available to every command that writes their kinds, with no edit to
hanchot: one module, one ``WRITER``.
"""

from __future__ import annotations

from typing import IO, Any

from hanchot.writers import Context, Writer


def _check(report: Any, out: IO[Any], context: Context) -> None:
    """One line per violation: agency name, rule title, due date."""
    for o in report.violations:
        name = context.agencies[o.agency].name
        title = context.pack.rule(o.rule).title.get(context.lang) if context.pack else o.rule
        out.write(f"{name}\t{title}\t{o.due}\n")


WRITER = Writer(
    name="violations-tsv",
    extension="tsv",
    binary=False,
    needs_names=True,
    kinds={"check": _check},
    description="violations as tab-separated names (a test plugin)",
)
