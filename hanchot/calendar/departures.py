"""Where the shipped calendar data departs from the ``holidays`` package.

The shipped override file (``hanchot/calendar/data/vn_overrides.csv``) exists because
the package and the civil servants' calendar disagree on some days: an announcement the
package lacks (the 2026 New Year swap), or a day the package counts off that is not yet
an enacted day off (24/11, Vietnam Culture Day, from 2026). ``hanchot calendar YEAR``
lists these departures so that a reader sees them, with the package's reading beside ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hanchot.calendar.overrides import DayOverride, shipped_overrides
from hanchot.calendar.workcal import WorkingCalendar


@dataclass(frozen=True, slots=True)
class Departure:
    """One day the shipped data decides differently from the ``holidays`` package."""

    date: date
    holidays_working: bool
    holidays_name: str | None  # what the package calls the day (None: a plain day to it)
    shipped: DayOverride

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict: the package's reading and the shipped one."""
        return {
            "date": self.date.isoformat(),
            "holidays": {"working": self.holidays_working, "name": self.holidays_name},
            "shipped": self.shipped.to_dict(),
        }


def shipped_departures(year: int) -> list[Departure]:
    """The shipped overrides of *year* whose working status differs from the package's."""
    package = WorkingCalendar(())
    out = []
    for entry in shipped_overrides():
        if entry.date.year != year:
            continue
        working = package.is_working_day(entry.date)
        if working != entry.working:
            name = None if working else package.why_not_working(entry.date, "en")
            out.append(Departure(entry.date, working, name, entry))
    return sorted(out, key=lambda d: d.date)
