"""Daily series: every KPI, objective score and key-result grade of a team at the end of each day of
its current cycle, computed from the stored histories and kept in the store.

The histories hold the whole cycle, so the first pass backfills every day from the cycle's first up
to today, not only the days since kpiokr was installed. Later passes compute only what is missing:
the days not stored yet, the days stored before they were over (today's point is the pass's own
evaluation, taken again once the day is over), and the days a change brought by the pass can move.
A changed issue moves the days from its newest event on (its newest changelog entry, or its
creation): a change Jira stamps now moves only today, while one that becomes visible late (a Jira
node's clock behind, an import) moves the days since its stamp and no earlier ones.

Days never stored are filled newest first while ``keep_going`` allows (a stop request, a time
budget per pass): what is left is filled by the next passes, so a first sync of a large site is not
held up by its backfill and a stop is honoured between days. Days stored before and moved by a
change are always recomputed in full, so no stale day is left behind.

Each past day is evaluated at the end of that day in the team's time zone with the as-of machinery
(:mod:`sync.app.as_of`): the histories are read once per team and Jira's answers are those recorded
at or before that instant.

The previous cycle (the mapping's ``[[past_cycle]]`` that ended last before the current one
started) is kept the same way, for the dashboard to draw beside the current one: its days are
backfilled once, after the current cycle's, and computed again only when a change reaches back
into them (:func:`previous_cycle` gives the team scoped to it for :func:`extend_series`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from kpiokr.history import IssueHistory
from sync.app.as_of import StoredTeam, When, answers_at, newest_basis, scoped
from sync.app.evaluate import IssueIndex
from sync.app.results import TeamResult
from sync.jira import SiteDictionary, to_history
from sync.mapping import TeamMapping, build_cycle, team_timezone
from sync.store import DailyPoint, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SeriesUpdate:
    """What one extension of a team's series did: the past days evaluated, the points stored."""

    team: str
    days: tuple[date, ...]
    points: int


def series_points(result: TeamResult, day: date) -> list[DailyPoint]:
    """The points of ``result`` for ``day``: ``kpi:<key>``, ``objective:<key>``, ``key_result:<key>``."""
    points = [
        DailyPoint(result.team, result.cycle, f"kpi:{k.definition.key}", day, k.value, k.status.value, result.as_of)
        for k in result.kpis
    ]
    grades: dict[str, float | None] = {}
    for objective, score in result.objectives:
        series = f"objective:{objective.key}"
        points.append(DailyPoint(result.team, result.cycle, series, day, score.score, score.status.value, result.as_of))
        grades.update((kr.key, kr.score) for kr in score.key_results)
    points.extend(
        DailyPoint(result.team, result.cycle, f"key_result:{key}", day, grade, None, result.as_of)
        for key, grade in grades.items()
    )
    return points


def changed_since(histories: Iterable[IssueHistory], tz: tzinfo) -> date | None:
    """The first day changes to ``histories`` can move: each issue's newest event (its newest changelog
    entry, else its creation), the earliest of them, as a day in ``tz``; None without histories."""
    newest = [max((c.at for c in h.changes), default=h.created) for h in histories]
    return min(newest).astimezone(tz).date() if newest else None


def days_to_compute(
    days: Iterable[date], stored: Mapping[date, datetime], ends: Mapping[date, datetime], since: date | None
) -> list[date]:
    """Of ``days``: those not stored, stored before their end (``ends``), or from ``since`` on."""
    return [day for day in days if day not in stored or stored[day] < ends[day] or (since is not None and day >= since)]


def previous_cycle(team: TeamMapping) -> TeamMapping | None:
    """``team`` with the cycle before its current one: of its ``[[past_cycle]]`` tables, the one that
    ended last before the current cycle starts; None when there is none."""
    earlier = [c for c in team.past_cycles if c.end < team.cycle.start]
    if not earlier:
        return None
    return team.model_copy(update={"cycle": max(earlier, key=lambda c: c.end)})


def extend_series(
    store: Store,
    team: TeamMapping,
    now: datetime,
    *,
    current: TeamResult | None = None,
    changed: Collection[str] = (),
    keep_going: Callable[[], bool] = lambda: True,
    index: IssueIndex | None = None,
) -> SeriesUpdate:
    """Bring ``team``'s daily series of its current cycle up to the day of ``now``.

    ``current`` is the team's evaluation at ``now`` when the caller has it (today's point, then not
    evaluated again); ``changed`` the keys of issues whose changes others made since the last
    extension; ``keep_going`` is asked before each day never stored (see the module docstring);
    ``index`` holds the team's histories when the caller has read them already (else they are read
    from the store, and only when a day is to be evaluated). Needs a report of the team recorded in
    ``store`` (:func:`sync.app.as_of.newest_basis`).
    """
    name = team.team.name
    latest, site = newest_basis(store, name)
    tz = team_timezone(team, ZoneInfo(latest.timezone or "UTC"))
    cycle = build_cycle(team, tz)
    today = now.astimezone(tz).date()
    if today < team.cycle.start:
        return SeriesUpdate(name, (), 0)
    span = (min(today, team.cycle.end) - team.cycle.start).days + 1
    days = [team.cycle.start + timedelta(days=n) for n in range(span)]
    ends = {day: scoped(team, When(day=day), tz)[0] for day in days}
    stored = store.daily_days(name, cycle.name)
    since = _changed_day(store, changed, site, tz) if stored and changed else None
    due = days_to_compute((d for d in days if d < today), stored, ends, since)
    stale = [d for d in due if d in stored]
    missing = [d for d in reversed(due) if d not in stored]
    past: list[date] = []
    points: list[DailyPoint] = []
    loaded: StoredTeam | None = None

    def histories() -> StoredTeam:
        if index is None:
            return StoredTeam.load(store, team, latest, site, latest.answers)
        return StoredTeam.over(store, team, latest, site, index)

    for day in stale + missing:
        if day not in stored and not keep_going():
            break
        loaded = loaded or histories()
        answers = answers_at(store, name, ends[day], latest.answers)
        points.extend(series_points(loaded.evaluate(ends[day], answers), day))
        past.append(day)
    past.sort()
    if current is None and today <= team.cycle.end:
        loaded = loaded or histories()
        current = loaded.evaluate(now, answers_at(store, name, now, latest.answers))
    if current is not None and today <= team.cycle.end and current.cycle == cycle.name:
        points.extend(series_points(current, today))
    store.record_daily_points(points)
    if past:
        log.info("team %s: daily series of %s computed for %d day(s) from %s", name, cycle.name, len(past), past[0])
    if len(past) < len(due):
        log.info("team %s: %d day(s) of its daily series left for the next pass", name, len(due) - len(past))
    return SeriesUpdate(name, tuple(past), len(points))


def _changed_day(store: Store, keys: Collection[str], site: SiteDictionary, tz: tzinfo) -> date | None:
    """The first day the stored versions of the issues ``keys`` can move (see :func:`changed_since`)."""
    raws = (store.get_issue(key) for key in sorted(keys))
    return changed_since((to_history(raw, site) for raw in raws if raw is not None), tz)
