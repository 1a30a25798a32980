"""Every property document a pass wants in Jira, from its teams' report documents and daily series."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sync.app.properties.documents import (
    OBJECTIVE_PROPERTY,
    TEAM_PROPERTY,
    DailySeries,
    objective_documents,
    team_document,
    team_entry,
)
from sync.store import Store

#: What carries a property: an issue or a project.
Entity = Literal["issue", "project"]
#: A team listed in its projects' documents only: its report document, those projects, its daily series.
ListedTeam = tuple[Mapping[str, Any], Sequence[str], DailySeries]


@dataclass(frozen=True, slots=True)
class DesiredProperty:
    """A document kpiokr wants in one property of one issue (``entity`` "issue") or project."""

    entity: Entity
    key: str
    property_key: str
    value: Mapping[str, Any]


def daily_series(store: Store, team: str, cycle: str) -> dict[str, list[tuple[str, float | None]]]:
    """The team's stored daily series of ``cycle``, by series name, oldest day first."""
    series: dict[str, list[tuple[str, float | None]]] = {}
    for point in store.daily_points(team, cycle):
        series.setdefault(point.series, []).append((point.day.isoformat(), point.value))
    return series


def desired_properties(
    reports: Sequence[Mapping[str, Any]],
    projects: Mapping[str, Sequence[str]],
    daily: Mapping[str, DailySeries],
    dashboard_url: str | None = None,
    forecasts: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    *,
    listed: Sequence[ListedTeam] = (),
) -> list[DesiredProperty]:
    """The ``kpiokr.objective`` document of every objective and the ``kpiokr.team`` document of every
    project of ``reports`` (team report documents); ``projects`` names each team's projects, ``daily``
    each team's daily series, ``forecasts`` each team's objective forecasts by epic key. A project
    several teams read holds them all, by team name; ``listed`` adds teams to the documents of the
    projects named with them (a report, those projects, its daily series), writing nothing else of theirs."""
    wanted: list[DesiredProperty] = []
    entries: dict[str, list[dict[str, Any]]] = {}
    for report in reports:
        team = str(report["team"])
        series = daily.get(team, {})
        outlook = (forecasts or {}).get(team)
        for key, document in objective_documents(report, series, dashboard_url, forecasts=outlook).items():
            wanted.append(DesiredProperty("issue", key, OBJECTIVE_PROPERTY, document))
        entry = team_entry(report, series, dashboard_url)
        for project in projects.get(team, ()):
            entries.setdefault(project, []).append(entry)
    for report, shared, series in listed:  # teams not scored now: in the projects' documents only
        for project in shared:
            entries[project].append(team_entry(report, series, dashboard_url))
    wanted.extend(
        DesiredProperty("project", project, TEAM_PROPERTY, team_document(project, listed))
        for project, listed in sorted(entries.items())
    )
    return wanted
