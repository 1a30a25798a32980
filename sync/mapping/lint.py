"""Warnings about the measurement itself, not the file: a mapping can be valid and still measure badly.

The rules follow the OKR and KPI literature: 3-5 objectives per team, 3-5 key results each, a
handful of KPIs (5-7 is the usual advice; fewer than 3 or more than 7 is warned about), results
rather than tasks, an owner for every KPI, a guardrail for every objective, and no vanity counts
(numbers that only go up). Counts Jira decides (epics found by JQL, an epic's children) are
checked by the daemon with :func:`objective_count_warnings` and :func:`key_result_count_warnings`,
and key results whose measure found nothing to measure with :func:`unmeasured_warnings`.
"""

from __future__ import annotations

import re

from kpiokr.okr import ChildCompletion, EstimateCompletion, Objective, ObjectiveScore
from sync.mapping.key_results import MilestoneMeasure, QueryCountMeasure
from sync.mapping.problems import MappingProblem
from sync.mapping.schema import TeamMapping
from sync.mapping.toml_positions import Loc
from sync.mapping.types import ALL_OBJECTIVES

OBJECTIVES_PER_TEAM = (3, 5)
KEY_RESULTS_PER_OBJECTIVE = (3, 5)
KPIS_PER_TEAM = (3, 7)
KPIS_ADVISED = "5-7"

_STRING_LITERALS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')
_ORDER_BY = re.compile(r"\border\s+by\b.*", re.IGNORECASE | re.DOTALL)
_STATE_CONDITION = re.compile(r"\b(status|statusCategory|resolution|resolved|resolutionDate)\b", re.IGNORECASE)
_CREATED = re.compile(r"\b(created|createdDate)\b", re.IGNORECASE)
_DATE_CONDITION = re.compile(r"\b(created|createdDate|updated|updatedDate|due|dueDate)\b", re.IGNORECASE)


def lint_team(team: TeamMapping) -> list[MappingProblem]:
    """Every warning about one team's mapping that can be known without Jira, in file order."""
    warnings: list[MappingProblem] = []
    if team.objective_keys is not None:
        warnings += objective_count_warnings(team, len(team.objective_keys))
    if team.key_results.source == "listed":
        for objective in team.objective_overrides:
            warnings += key_result_count_warnings(team, objective.key, len(objective.key_results))
    warnings += _kpi_warnings(team)
    warnings += _key_result_warnings(team)
    warnings += _guardrail_warnings(team)
    return sorted(warnings, key=MappingProblem.sort_key)


def objective_count_warnings(team: TeamMapping, count: int) -> list[MappingProblem]:
    """A warning unless ``count`` objectives (listed, or as many as Jira found) is within 3-5; none
    for a team that only watches KPIs."""
    if not team.has_objectives:
        return []
    loc: Loc = ("objectives", "keys") if team.objectives.keys else ("objective",)
    if team.objectives.jql is not None:
        loc = ("objectives", "jql")
    subject = f"{count} objective{'' if count == 1 else 's'}"
    low, high = OBJECTIVES_PER_TEAM
    return _count_warning(team, loc, count, OBJECTIVES_PER_TEAM, f"{subject}; {low}-{high} per team are advised")


def key_result_count_warnings(team: TeamMapping, epic_key: str, count: int) -> list[MappingProblem]:
    """A warning unless objective ``epic_key`` has 3-5 key results (``count``, listed or found in Jira)."""
    loc = _objective_locs(team).get(epic_key, ("objectives",))
    subject = f"{epic_key} has {count} key result{'' if count == 1 else 's'}"
    low, high = KEY_RESULTS_PER_OBJECTIVE
    message = f"{subject}; {low}-{high} per objective are advised"
    return _count_warning(team, loc, count, KEY_RESULTS_PER_OBJECTIVE, message)


def _count_warning(
    team: TeamMapping, loc: Loc, count: int, bounds: tuple[int, int], message: str
) -> list[MappingProblem]:
    low, high = bounds
    return [] if low <= count <= high else [team.source.problem(loc, message)]


def _objective_locs(team: TeamMapping) -> dict[str, Loc]:
    """Where each objective named in the file is: its ``[[objective]]`` table, else its place in keys."""
    locs: dict[str, Loc] = {key: ("objectives", "keys", i) for i, key in enumerate(team.objectives.keys)}
    locs.update({o.key: ("objective", i, "key") for i, o in enumerate(team.objective_overrides)})
    return locs


def _kpi_warnings(team: TeamMapping) -> list[MappingProblem]:
    count = len(team.kpis)
    message = f"{count} KPI{'' if count == 1 else 's'}; {KPIS_ADVISED} per team are advised"
    warnings = _count_warning(team, ("kpi",) if team.kpis else (), count, KPIS_PER_TEAM, message)
    warnings += [
        team.source.problem(("kpi", i), "no owner: name who answers for this KPI")
        for i, kpi in enumerate(team.kpis)
        if kpi.owner is None
    ]
    return warnings


def _key_result_warnings(team: TeamMapping) -> list[MappingProblem]:
    warnings = []
    milestone = "a milestone is a task, not a result: measure the outcome it should bring (numeric, kpi, query_count)"
    if isinstance(team.key_results, MilestoneMeasure):
        warnings.append(team.source.problem(("key_results", "measure"), milestone))
    for i, objective in enumerate(team.objective_overrides):
        for j, key_result in enumerate(objective.key_results):
            loc = ("objective", i, "key_result", j)
            if isinstance(key_result, MilestoneMeasure):
                warnings.append(team.source.problem((*loc, "measure"), milestone))
            if isinstance(key_result, QueryCountMeasure):
                reason = vanity_reason(key_result.jql, growing=key_result.target > key_result.baseline)
                if reason:
                    warnings.append(team.source.problem((*loc, "jql"), f"vanity measure: {reason}"))
    return warnings


def vanity_reason(jql: str, *, growing: bool) -> str | None:
    """Why counting the issues ``jql`` matches flatters rather than measures, or ``None``.

    A count with no status, resolution or date condition only goes up; a growing count of created
    issues rewards activity, not results.
    """
    conditions = _ORDER_BY.sub("", _STRING_LITERALS.sub('""', jql))
    if _STATE_CONDITION.search(conditions):
        return None
    if not _DATE_CONDITION.search(conditions):
        return "the count only goes up (no status, resolution or date condition); count a state or a period"
    if growing and _CREATED.search(conditions):
        return "more issues created is activity, not a result; count resolved issues or a state instead"
    return None


def _guardrail_warnings(team: TeamMapping) -> list[MappingProblem]:
    if any(ALL_OBJECTIVES in kpi.guards for kpi in team.kpis):
        return []
    warnings = []
    if team.objectives.jql is not None:
        message = 'objectives without an [[objective]] table have no guardrail KPI: give a KPI guards = ["*"]'
        warnings.append(team.source.problem(("objectives", "jql"), message))
    for key, loc in _objective_locs(team).items():
        if not team.guardrails_of(key):
            message = f'no guardrail KPI: set guardrails in its [[objective]] table, or guards = ["{key}"] on a KPI'
            warnings.append(team.source.problem(loc, message))
    return warnings


#: What a key result's measure found nothing of, and the measure that fits instead.
_NOTHING_TO_MEASURE = {
    ChildCompletion: 'has no child issues to count: measure = "milestone" grades the issue itself, done or not; '
    "a number it should move (numeric, kpi, query_count) says more",
    EstimateCompletion: 'has no estimated child issues: measure = "child_completion" counts its children done '
    "whatever their estimates",
}


def unmeasured_warnings(team: TeamMapping, objective: Objective, score: ObjectiveScore) -> list[MappingProblem]:
    """A warning for each key result of ``objective`` whose measure found nothing to measure in Jira
    (child completion of an issue without children), naming the measure that fits."""
    graded = {s.key: s.score for s in score.key_results}
    warnings = []
    for key_result in objective.key_results:
        why = _NOTHING_TO_MEASURE.get(type(key_result.measure))
        if why is None or graded.get(key_result.key) is not None:
            continue
        message = f"{key_result.key}, a key result of {objective.key}, {why}"
        warnings.append(team.source.problem(_measure_loc(team, key_result.key), message))
    return warnings


def _measure_loc(team: TeamMapping, key: str) -> Loc:
    """Where the measure of key result ``key`` is set: its own table's measure, else [key_results]."""
    for i, objective in enumerate(team.objective_overrides):
        for j, key_result in enumerate(objective.key_results):
            if key_result.key == key and getattr(key_result, "measure", None) is not None:
                return ("objective", i, "key_result", j, "measure")
    return ("key_results", "measure")
