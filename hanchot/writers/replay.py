"""The nightly replay as rows writers can show (moved here from ``hanchot replay``)."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, Any, TextIO

from hanchot.writers.columns import Column, Table

if TYPE_CHECKING:
    from hanchot.replay import ReplayRun

REPLAY_FIELDS = ("rule", "agency", "period", "trigger", "first_seen", "status_when_seen", "resolved_on")


def replay_rows(run: ReplayRun) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One summary row a night, and one row per violation: when it was first seen and resolved."""
    from hanchot.replay import timeline

    replayed = run.nights
    lives = timeline(list(replayed))
    rows = [{"rule": k[0], "agency": k[1], "period": k[2], "trigger": k[3], **life.to_dict()} for k, life in lives.items()]
    summary = [
        {
            "night": n.date.isoformat(),
            "violations": n.violations,
            "new": len(n.new_violations),
            "resolved": len(n.resolved_violations),
            "agencies_evaluated": n.evaluated_agencies,
        }
        for n in replayed
    ]
    return summary, rows


def replay_json(run: ReplayRun) -> dict[str, Any]:
    """The JSON output of ``hanchot replay``, with the accounting of its input lines."""
    summary, rows = replay_rows(run)
    accounting = {"read": run.read, "rejected": len(run.rejected)}
    rejected = [r.to_dict() for r in run.rejected]
    return {"nights": summary, "violations": rows, "input": accounting, "rejected": rejected}


def write_replay_csv(replayed: ReplayRun, out: TextIO) -> None:
    """One CSV row per violation."""
    writer = csv.DictWriter(out, fieldnames=REPLAY_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(replay_rows(replayed)[1])


def write_replay_table(replayed: ReplayRun, out: TextIO) -> None:
    """One line a night, then the violations that were later resolved."""
    summary, rows = replay_rows(replayed)
    table = Table([Column("Night", 12), *(Column(h, w, ">") for h, w in (("violations", 11), ("new", 7), ("resolved", 10), ("evaluated", 11)))])
    out.write(table.head())
    out.writelines(table.row(s["night"], s["violations"], s["new"], s["resolved"], s["agencies_evaluated"]) for s in summary)
    resolved = [r for r in rows if r["resolved_on"]]
    out.write(f"\n{len(rows)} violations became visible; {len(resolved)} were later resolved.\n")
    out.writelines(
        f"  {r['agency']} {r['rule']} {r['period'] or r['trigger']}: seen {r['first_seen']}, resolved {r['resolved_on']}\n"
        for r in resolved[:40]
    )
