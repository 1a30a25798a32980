"""One team's stored histories, read once, evaluated at the instants and over the days a review needs.

Each evaluation is the as-of machinery's (:mod:`sync.app.as_of`): the histories at that instant and
Jira's answers recorded at or before it. Daily figures come from the stored daily series
(:mod:`sync.app.daily_series`) where a day is stored for the cycle asked about, and are evaluated
at the end of the day otherwise (a past cycle's days, a day the daemon has not filled yet).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sync.app.as_of import StoredTeam, answers_at, newest_basis
from sync.app.daily_series import series_points
from sync.app.forecasts import THROUGHPUT_DAYS, Series, daily_throughput
from sync.app.results import TeamResult
from sync.app.reviews.periods import day_end
from sync.mapping import CycleSection, TeamMapping, team_timezone
from sync.store import Store


class TeamTimeline:
    """A team's figures at any instant and day, from the store alone."""

    def __init__(self, store: Store, team: TeamMapping) -> None:
        self.store = store
        self.team = team
        latest, site = newest_basis(store, team.team.name)
        self.tz = team_timezone(team, ZoneInfo(latest.timezone or "UTC"))
        self._latest = latest
        self._site = site
        self._loaded: dict[str, StoredTeam] = {}
        self._results: dict[tuple[str, datetime], TeamResult] = {}

    def _stored(self, cycle: CycleSection) -> StoredTeam:
        team = self.team.model_copy(update={"cycle": cycle})
        if cycle.name not in self._loaded:
            answers = answers_at(self.store, self.team.team.name, day_end(cycle.end, self.tz), self._latest.answers)
            self._loaded[cycle.name] = StoredTeam.load(self.store, team, self._latest, self._site, answers)
        return self._loaded[cycle.name]

    def cycle_of(self, day: date) -> CycleSection:
        """The mapping's cycle holding ``day`` (its ``[cycle]`` when none does)."""
        cycles = (self.team.cycle, *self.team.past_cycles)
        return next((c for c in cycles if c.start <= day <= c.end), self.team.cycle)

    def at(self, instant: datetime, cycle: CycleSection | None = None) -> TeamResult:
        """The team's objectives and KPIs at ``instant`` (scored against ``cycle``, else the one holding it)."""
        cycle = cycle or self.cycle_of(instant.astimezone(self.tz).date())
        key = (cycle.name, instant)
        if key not in self._results:
            answers = answers_at(self.store, self.team.team.name, instant, self._latest.answers)
            self._results[key] = self._stored(cycle).evaluate(instant, answers)
        return self._results[key]

    def series(self, names: Iterable[str], first: date, last: date, cycle: CycleSection) -> dict[str, Series]:
        """Daily values of each of ``names`` from ``first`` to ``last`` (within ``cycle``), stored or evaluated."""
        wanted = set(names)
        first, last = max(first, cycle.start), min(last, cycle.end)
        found: dict[str, dict[date, float | None]] = {name: {} for name in wanted}
        for point in self.store.daily_points(self.team.team.name, cycle.name):
            if point.series in wanted and first <= point.day <= last:
                found[point.series][point.day] = point.value
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        for day in days:
            if any(day not in values for values in found.values()):
                for point in series_points(self.at(day_end(day, self.tz), cycle), day):
                    if point.series in wanted:
                        found[point.series].setdefault(day, point.value)
        return {name: sorted(values.items()) for name, values in found.items()}

    def throughput(
        self, as_of: datetime, cycle: CycleSection, *, days: int = THROUGHPUT_DAYS, points: bool = False
    ) -> list[float]:
        """What the team completed on each of the ``days`` days up to ``as_of``: issues, or estimate ``points``."""
        data = self._stored(cycle).data
        return daily_throughput(data.histories, data.done_status_ids, as_of, self.tz, days=days, points=points)
