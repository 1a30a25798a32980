"""Schedule adherence: the share of issues due in the window that were resolved by their due date.

Due dates are calendar days in the site's time zone (``team.tz``): an issue due on 3 March is on
time if resolved before midnight ending 3 March there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import ClassVar

from kpiokr.calculators.filters import IssueFilter
from kpiokr.calculators.index import team_index
from kpiokr.kpi import Direction, Measurement, TeamData, Window, window_start


def midnight(day: date, tz: tzinfo) -> datetime:
    """The instant ``day`` begins in time zone ``tz``."""
    return datetime.combine(day, time(), tzinfo=tz)


@dataclass(frozen=True, kw_only=True)
class ScheduleAdherence(IssueFilter):
    """100 x on time / (on time + late), over issues whose due date (as of ``as_of``) falls in the
    window.

    A due day counts once it has fully elapsed, or earlier if the issue is already resolved. On
    time: resolved (last resolution) before the due day ends; unresolved past due counts as late.
    Issues are judged by the filters as they stand at ``as_of``. Details: ``late`` keys and the
    ``on_time`` count.
    """

    kind: ClassVar[str] = "schedule_adherence"
    unit: ClassVar[str] = "%"
    direction: ClassVar[Direction] = Direction.HIGHER_IS_BETTER
    needs_sprints: ClassVar[bool] = False

    def measure(self, team: TeamData, window: Window, as_of: datetime) -> Measurement:
        """Schedule adherence in %; ``None`` when no due date fell in the window."""
        start = window_start(window, team, as_of)
        if start is None:
            return Measurement(None)
        first, last = start.astimezone(team.tz).date(), as_of.astimezone(team.tz).date()
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        on_time = missing = completed = 0
        late: list[str] = []
        index = team_index(team)
        for history in index.ever_due_on(days):
            due = index.value_at(history, "due", as_of)
            if not isinstance(due, date) or not history.exists_at(as_of):
                continue
            day_end = midnight(due + timedelta(days=1), team.tz)
            if not (midnight(due, team.tz) < as_of and day_end > start):
                continue
            resolved = history.resolved_since(as_of)
            if (day_end > as_of and resolved is None) or not self.admits(index, history, as_of):
                continue
            missing += "resolution" in history.undocumented
            completed += history.completed_changelog
            if resolved is not None and resolved < day_end:
                on_time += 1
            else:
                late.append(history.key)
        total = on_time + len(late)
        value = 100.0 * on_time / total if total else None
        details = {"late": sorted(late), "on_time": on_time}
        return Measurement(value, total, details, missing, completed_changelogs=completed)
