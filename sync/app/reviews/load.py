"""The quarterly review's measurement-load lint: 3-5 objectives, 3-5 key results each, 5-7 KPIs, every
KPI, objective and key result owned, each line naming what it is about.

The mapping lint (:func:`sync.mapping.lint_team`) places its warnings in the file (``kpi[2]``,
``objective[1].key_result[0].measure``); a review says instead which KPI, objective or key result
a warning concerns, by its name or key.
"""

from __future__ import annotations

import re

from sync.app.results import TeamResult
from sync.mapping import MappingProblem, TeamMapping, key_result_count_warnings, lint_team, objective_count_warnings

_KEY_RESULT = re.compile(r"^objective\[(\d+)\]\.key_result\[(\d+)\]")
_OBJECTIVE = re.compile(r"^objective\[(\d+)\]")
_LISTED = re.compile(r"^objectives\.keys\[(\d+)\]")
_KPI = re.compile(r"^kpi\[(\d+)\]")


def _subject(team: TeamMapping, location: str) -> str | None:
    """The name or key of what the mapping's ``location`` points at, ``None`` for the team as a whole."""
    if found := _KEY_RESULT.match(location):
        return team.objective_overrides[int(found[1])].key_results[int(found[2])].key
    if found := _OBJECTIVE.match(location):
        return team.objective_overrides[int(found[1])].key
    if found := _LISTED.match(location):
        return team.objectives.keys[int(found[1])]
    if found := _KPI.match(location):
        return f"KPI {team.kpis[int(found[1])].name}"
    return None


def _line(team: TeamMapping, problem: MappingProblem) -> str:
    subject = _subject(team, problem.location)
    if subject is None or problem.message.startswith(subject.removeprefix("KPI ")):
        return problem.message
    return f"{subject}: {problem.message}"


def load_lint(team: TeamMapping, result: TeamResult) -> list[str]:
    """What the measurement load of ``team`` (as evaluated in ``result``) departs from, one line each."""
    problems = lint_team(team) + objective_count_warnings(team, len(result.objectives))
    for objective, _ in result.objectives:
        problems += key_result_count_warnings(team, objective.key, len(objective.key_results))
    lines = [_line(team, p) for p in problems]
    lines += [f"{o.key} has no owner" for o, _ in result.objectives if not o.owner]
    lines += [f"{kr.key} has no owner" for o, _ in result.objectives for kr in o.key_results if not kr.owner]
    return list(dict.fromkeys(lines))
