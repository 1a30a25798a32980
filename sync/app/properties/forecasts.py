"""Each objective's forecast at cycle end, for its ``kpiokr.objective`` document and its forecast field.

The forecast is the one the monthly check-in gives (:func:`sync.app.forecasts.outlooks`), made from
the daily series the pass has just extended and, for key results graded by completion, from the
throughput in the stored histories (read only then). It is made for the objectives whose key
results have a stored daily grade for every day of the cycle before today, so a pass never
evaluates past days itself (the daily series' backfill does, within its time budget), and it is
left out while the data are too thin for a chance of success.

A pass makes them once (:func:`team_outlooks`), before it plans its writes: the score field and the
property document carry the same forecast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from kpiokr.forecasting import Forecast
from kpiokr.kpi import TeamData
from sync.app.as_of import StoredTeam, newest_basis
from sync.app.evaluation_basis import Basis
from sync.app.forecasts import THROUGHPUT_DAYS, Series, daily_throughput, outlooks
from sync.app.properties.build import daily_series
from sync.app.properties.documents import DailySeries
from sync.app.results import TeamResult
from sync.mapping import CycleSection, TeamMapping, team_timezone
from sync.store import Store


def forecast_document(forecast: Forecast) -> dict[str, Any] | None:
    """``forecast`` as the ``forecast`` object of ``kpiokr.objective``; ``None`` when too thin for a chance."""
    if forecast.probability is None:
        return None
    return {
        "projected": round(forecast.projection, 3),
        "low": round(forecast.low, 3),
        "high": round(forecast.high, 3),
        "p_success": round(forecast.probability, 3),
        "method": forecast.method,
    }


@dataclass(frozen=True)
class TeamOutlook:
    """What a pass reads and makes once of a scored team for its writes: its stored daily series of the
    cycle and its objectives' forecasts with a chance of success, by epic key."""

    daily: DailySeries
    forecasts: Mapping[str, Forecast]

    def documents(self) -> dict[str, dict[str, Any]]:
        """The forecasts as the ``forecast`` objects of ``kpiokr.objective``, by epic key."""
        return {key: document for key, f in self.forecasts.items() if (document := forecast_document(f)) is not None}


def team_outlooks(
    store: Store, teams: Sequence[TeamMapping], results: Sequence[TeamResult], datas: Mapping[str, TeamData]
) -> dict[str, TeamOutlook]:
    """The outlook of each of ``teams`` that ``results`` (a pass's evaluations) scored, by team name;
    ``datas``: each team's calculator data the pass scored it from, where at hand (see
    :func:`objective_forecasts`)."""
    mappings = {t.team.name: t for t in teams}
    found = {}
    for result in results:
        team = mappings.get(result.team)
        if team is not None:
            daily = daily_series(store, result.team, result.cycle)
            forecasts = objective_forecasts(store, team, result, daily, datas.get(result.team))
            found[result.team] = TeamOutlook(daily, forecasts)
    return found


def objective_forecasts(
    store: Store, team: TeamMapping, result: TeamResult, daily: DailySeries, data: TeamData | None = None
) -> dict[str, Forecast]:
    """The forecasts of ``result``'s objectives (the team's evaluation in its current cycle), by epic key,
    for those whose key results' daily grades ``daily`` (the team's stored series of the cycle,
    :func:`sync.app.properties.build.daily_series`) holds for every past day of the cycle, and whose
    data allow a chance of success. ``data`` is the team's calculator data the pass scored ``result``
    from, when the caller has it: the throughput is counted in its histories instead of those read
    again from the store."""
    cycle = team.cycle
    if result.cycle != cycle.name or not result.objectives:
        return {}
    source = _StoredFigures(store, team, result, daily, data)
    today = result.as_of.astimezone(source.tz).date()
    if not cycle.start <= today <= cycle.end:
        return {}
    past = {cycle.start + timedelta(days=n) for n in range((today - cycle.start).days)}
    complete = {
        objective.key
        for objective, _ in result.objectives
        if objective.key_results
        and all(past <= set(source.days(f"key_result:{kr.key}")) for kr in objective.key_results)
    }
    scoped = replace(result, objectives=tuple((o, s) for o, s in result.objectives if o.key in complete))
    return {o.objective.key: o.forecast for o in outlooks(source, scoped, cycle) if not o.forecast.thin}


class _StoredFigures:
    """A :class:`sync.app.forecasts.ForecastSource` over a team's stored series and histories; what the
    evaluation read besides them is ``result``'s basis (the report the pass has just recorded), read back
    from the store only for a result that carries none."""

    def __init__(
        self, store: Store, team: TeamMapping, result: TeamResult, daily: DailySeries, data: TeamData | None
    ) -> None:
        self.store, self.team, self.daily = store, team, daily
        basis = Basis.from_document(result.basis)
        self._latest, self._site = (
            (basis, basis.site) if basis.site is not None else newest_basis(store, team.team.name)
        )
        self.tz: tzinfo = team_timezone(team, ZoneInfo(self._latest.timezone or "UTC"))
        self._data = data

    def days(self, name: str) -> dict[date, float | None]:
        """The stored values of the series ``name``, by day."""
        return {date.fromisoformat(day): value for day, value in self.daily.get(name, ())}

    def series(self, names: Iterable[str], first: date, last: date, cycle: CycleSection) -> dict[str, Series]:
        """Each of ``names``' stored values from ``first`` to ``last``, oldest first."""
        return {
            name: sorted((day, value) for day, value in self.days(name).items() if first <= day <= last)
            for name in names
        }

    def throughput(
        self, as_of: datetime, cycle: CycleSection, *, days: int = THROUGHPUT_DAYS, points: bool = False
    ) -> list[float]:
        """What the team completed each day up to ``as_of``, from its histories (read from the store once
        when the pass's own are not at hand)."""
        if self._data is None:
            self._data = StoredTeam.load(self.store, self.team, self._latest, self._site, self._latest.answers).data
        data = self._data
        return daily_throughput(data.histories, data.done_status_ids, as_of, self.tz, days=days, points=points)
