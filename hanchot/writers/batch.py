"""``batch --report``: the formats people read, made from a batch's output folder.

:func:`write_reports` reads what the batch wrote (obligations, rejected lines,
``summary`` with its history comparison) and writes each asked format's files
under ``reports/`` of the same folder. The batch calls it once its data files
are complete and before the folder is published, so the reports appear with
the rest of the output, whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hanchot.writers import Context, load, require, resolve_lang
from hanchot.writers.view import ReportView, read_batch_folder

if TYPE_CHECKING:
    from hanchot.inputs import Agency
    from hanchot.rules.model import RulePack

REPORTS = "reports"


def check_formats(formats: Iterable[str]) -> None:
    """Fail before the batch runs if a format cannot write a batch or lacks its library."""
    for name in formats:
        writer = load(name)
        if writer.batch is None:
            from hanchot.errors import UnknownNameError

            raise UnknownNameError(f"--report: format {name!r} cannot write a batch report")
        require(writer)


def write_reports(
    folder: Path,
    formats: Sequence[str],
    summary: Mapping[str, Any],
    *,
    pack: RulePack,
    agencies: Iterable[Agency],
    lang: str | None = None,
    runs: Sequence[Mapping[str, Any]] | None = None,
) -> list[Path]:
    """Write each of *formats* for the batch output in *folder*; return the files written.

    *lang* is ``--lang`` as given (None: each format's default). The explanations
    come from the data files, in the language the batch wrote them. *runs* are
    the runs of the history (``--history``), this one included.
    """
    by_id = {a.id: a for a in agencies}
    if not summary.get("history"):
        runs = None
    views: dict[str, ReportView] = {}
    written: list[Path] = []
    for name in formats:
        writer = load(name)
        assert writer.batch is not None  # checked by check_formats
        language = resolve_lang(lang, writer)
        if language not in views:
            view = read_batch_folder(folder, summary, pack, by_id, language)
            if runs is not None:
                view = _with_history(view, {"diff": summary["history"], "runs": runs})
            views[language] = view
        context = Context(lang=language, pack=pack, agencies=by_id)
        written += writer.batch(views[language], folder / REPORTS, context)
    return written


def _with_history(view: ReportView, history: Mapping[str, Any]) -> ReportView:
    from dataclasses import replace

    return replace(view, history=history)
