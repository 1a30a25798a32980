"""From a validated mapping to the domain: KPI definitions, the cycle, objectives and key results.

The daemon builds what it can once per run (:func:`build_cycle`, :func:`build_kpi_definitions`)
and objectives and key results as Jira tells it which epics and issues there are. JQL stays data:
the sync layer runs it (``kpi.jql`` gives the ``keys`` a KPI is filtered to).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from kpiokr.kpi import KpiDefinition
from kpiokr.okr import Ambition, Cycle, KeyResult, Objective
from sync.mapping.key_results import EPIC_PLACEHOLDER, DefaultMeasureKeyResult, KeyResultMeasure
from sync.mapping.kpis import KpiBase
from sync.mapping.schema import TeamMapping
from sync.mapping.toml_positions import Loc


def team_timezone(team: TeamMapping, account_tz: tzinfo) -> tzinfo:
    """The site's time zone as the mapping names it, else the Jira account's."""
    return ZoneInfo(team.team.timezone) if team.team.timezone else account_tz


def build_cycle(team: TeamMapping, account_tz: tzinfo) -> Cycle:
    """The cycle from the first day's midnight to the midnight after the last day, in the team's zone."""
    tz = team_timezone(team, account_tz)
    start = datetime.combine(team.cycle.start, time(), tzinfo=tz)
    end = datetime.combine(team.cycle.end + timedelta(days=1), time(), tzinfo=tz)
    return Cycle(team.cycle.name, start, end)


def build_kpi_definition(kpi: KpiBase, keys: frozenset[str] | None = None) -> KpiDefinition:
    """One KPI's definition; ``keys``: the issues its ``jql`` matched (required when it has one)."""
    if kpi.jql is not None and keys is None:
        raise ValueError(f"KPI {kpi.key} is filtered by JQL: pass the issue keys its jql matched")
    return KpiDefinition(
        key=kpi.key,
        name=kpi.name,
        calculator=kpi.calculator(keys),
        target=kpi.target,
        threshold=kpi.target if kpi.threshold is None else kpi.threshold,
        window=kpi.effective_window,
        owner=kpi.owner,
        unit=kpi.unit,
        direction_override=kpi.direction_override,
        trend_points=kpi.trend_points,
    )


def build_kpi_definitions(
    team: TeamMapping, matched: Mapping[str, frozenset[str]] | None = None
) -> tuple[KpiDefinition, ...]:
    """Every KPI of the team; ``matched``: by KPI key, the issue keys each KPI's ``jql`` matched."""
    return tuple(build_kpi_definition(kpi, (matched or {}).get(kpi.key)) for kpi in team.kpis)


def key_result_jql(team: TeamMapping, epic_key: str) -> str | None:
    """The JQL finding objective ``epic_key``'s key results (``source = "jql"``), else ``None``."""
    jql = team.key_results.jql
    return None if jql is None else jql.replace(EPIC_PLACEHOLDER, epic_key)


def measure_tables(team: TeamMapping) -> list[tuple[Loc, KeyResultMeasure]]:
    """Every measure the mapping gives, with its place: ``[key_results]``, then each
    ``[[objective.key_result]]`` table that names its own measure."""
    found: list[tuple[Loc, KeyResultMeasure]] = [(("key_results",), team.key_results)]
    for i, objective in enumerate(team.objective_overrides):
        for j, key_result in enumerate(objective.key_results):
            if isinstance(key_result, KeyResultMeasure):
                found.append((("objective", i, "key_result", j), key_result))
    return found


def numeric_fields(team: TeamMapping) -> frozenset[str]:
    """The number fields key results read, by the names the mapping gives them."""
    return frozenset(name for _, m in measure_tables(team) for name in m.number_fields().values())


def query_count_jqls(team: TeamMapping) -> list[str]:
    """Every JQL whose matching issues a key result counts, each once."""
    return list(dict.fromkeys(jql for _, m in measure_tables(team) for jql in m.counted_jqls().values()))


def build_key_result(key: str, title: str, team: TeamMapping, assignee: str | None = None) -> KeyResult:
    """Key result ``key``, measured as its ``[[objective.key_result]]`` table says, else as ``[key_results]``."""
    override = team.key_result_override(key)
    if override is None:
        return KeyResult(key, title, team.key_results.to_measure(), owner=assignee)
    measure = team.key_results if isinstance(override, DefaultMeasureKeyResult) else override
    return KeyResult(key, title, measure.to_measure(), owner=override.owner or assignee, weight=override.weight)


def build_objective(
    epic_key: str,
    title: str,
    assignee: str | None,
    key_results: Sequence[KeyResult],
    team: TeamMapping,
    *,
    cycle: Cycle,
) -> Objective:
    """Objective ``epic_key`` with its settings from the mapping and the KPIs that guard it."""
    override = team.objective_override(epic_key)
    ambition = (override.ambition if override else None) or team.objectives.ambition
    tolerance = override.tolerance if override and override.tolerance is not None else team.objectives.tolerance
    return Objective(
        key=epic_key,
        title=title,
        cycle=cycle,
        key_results=tuple(key_results),
        owner=(override.owner if override else None) or assignee,
        ambition=Ambition(ambition),
        guardrails=team.guardrails_of(epic_key),
        tolerance=tolerance,
    )
