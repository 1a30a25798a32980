"""The saved filters ``kpiokr setup`` prints per team, for Jira's stock "Filter Results" and "Pie Chart"
gadgets: the Data Center path to a team's scores on a dashboard that needs no plugin.

Each filter is JQL over the score fields, which it names by id (``cf[10042]``) once the field
exists, else by its name: the team's objectives by score, those needing attention, those off
track, and the key results of its projects by progress. A status kept in a select list is matched
by its options; in a text field (Data Center, where kpiokr cannot add a select list's options) by
a word only that status holds, as text fields take only ``~``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from kpiokr.okr import ObjectiveStatus
from sync.mapping import TeamMapping
from sync.score_fields import KEY_RESULT_PROGRESS, OBJECTIVE_SCORE, OBJECTIVE_STATUS, FieldKind

_ORDER_BY = re.compile(r"\s+order\s+by\s+.*$", re.IGNORECASE | re.DOTALL)
_CUSTOM = re.compile(r"^customfield_(\d+)$")


@dataclass(frozen=True)
class SavedFilter:
    """A filter to save in Jira under ``name``."""

    name: str
    jql: str


@dataclass(frozen=True)
class FieldRef:
    """A score field as JQL names it (``cf[10042]``, or its name in quotes), and its kind."""

    jql: str
    kind: FieldKind


def field_ref(name: str, field_id: str | None, kind: FieldKind) -> FieldRef:
    """The field ``name`` (id ``field_id``, ``None`` while not created) as JQL names it."""
    custom = _CUSTOM.match(field_id or "")
    return FieldRef(f"cf[{custom[1]}]" if custom else _quoted(name), kind)


def team_filters(team: TeamMapping, fields: Mapping[str, FieldRef]) -> list[SavedFilter]:
    """The saved filters of ``team`` over its score fields ``fields`` (by ``[score_fields]`` setting);
    none for a team without objectives."""
    objectives = _objectives(team)
    if objectives is None:
        return []
    name = team.team.name
    score, status = fields[OBJECTIVE_SCORE.setting].jql, fields[OBJECTIVE_STATUS.setting]
    progress = fields[KEY_RESULT_PROGRESS.setting].jql
    attention = _status_is(status, "off track", "at risk")
    projects = ", ".join(_quoted(p) for p in team.team.projects)
    return [
        SavedFilter(f"{name} objectives by score", f"{objectives} ORDER BY {score} ASC"),
        SavedFilter(f"{name} objectives needing attention", f"{objectives} AND {attention} ORDER BY {score} ASC"),
        SavedFilter(f"{name} objectives off track", f"{objectives} AND {_status_is(status, 'off track')}"),
        SavedFilter(
            f"{name} key results by progress",
            f"project in ({projects}) AND {progress} IS NOT EMPTY ORDER BY {progress} ASC",
        ),
    ]


def pie_chart_advice(team: TeamMapping, status_name: str, status: FieldRef) -> str:
    """How to set up a pie chart of ``team``'s objectives by status."""
    if status.kind == "select":
        return f'Pie Chart: filter "{team.team.name} objectives by score", statistic type {status_name}'
    options = ", ".join(s.value for s in ObjectiveStatus)
    return (
        f"Pie Chart: {status_name} is a text field, which the pie chart cannot count by; to chart"
        f" {team.team.name}'s objectives by status, make it by hand a select list with the options {options}"
        " (kpiokr writes to either kind)"
    )


def _objectives(team: TeamMapping) -> str | None:
    keys = team.objective_keys
    if keys is not None:
        return f"issuekey in ({', '.join(keys)})" if keys else None
    return f"({_ORDER_BY.sub('', team.objectives.jql or '')})"


def _status_is(status: FieldRef, *values: str) -> str:
    if status.kind == "select":
        listed = ", ".join(_quoted(v) for v in values)
        return f"{status.jql} = {listed}" if len(values) == 1 else f"{status.jql} in ({listed})"
    # Text fields are searched by word: "off" only in "off track", "risk" only in "at risk".
    words = [{"off track": "off", "at risk": "risk"}[v] for v in values]
    clauses = [f'{status.jql} ~ "{word}"' for word in words]
    return clauses[0] if len(clauses) == 1 else f"({' OR '.join(clauses)})"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
