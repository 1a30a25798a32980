"""Velocity and say/do ratio, per closed sprint, the way Jira's Velocity Chart counts them.

*Commitment*: the estimates, as they stood at sprint start, of the issues in the sprint at that
instant and not already in the board's done column. *Completed*: the estimates, as they stand at
completion, of the issues in the sprint at completion that are in the done column then and moved
there after the sprint started and after they joined the sprint. Scope added mid-sprint counts
when completed; issues removed mid-sprint stay in the commitment only; a carried-over issue, which
Jira leaves in both sprints' field, counts in the sprint in which it is done. Unestimated issues
count 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from kpiokr.calculators.filters import IssueFilter, completed_changelogs
from kpiokr.calculators.index import FOREVER, TeamIndex, held_since, team_index
from kpiokr.history import IssueHistory, Sprint
from kpiokr.kpi import Direction, Measurement, TeamData, Window, window_start


def window_sprints(team: TeamData, window: Window, as_of: datetime) -> list[Sprint]:
    """The closed sprints ``window`` covers at ``as_of``, oldest first.

    A sprint window takes the last ``window.sprints`` closed sprints; a day window, the sprints
    completed within it.
    """
    closed = team.closed_sprints(as_of)
    if window.sprints is not None:
        return closed[-window.sprints :]
    start = window_start(window, team, as_of)
    return [s for s in closed if start is not None and s.completed is not None and s.completed > start]


@dataclass(frozen=True, slots=True)
class SprintFigures:
    """A closed sprint's commitment and completed estimate, the issues each counts, how many of the
    issues completed hold a status their change log does not explain, how many of the issues
    counted had no estimate where they were counted (counted 0), and how many of the issues counted
    had a change log that had to be completed."""

    sprint: Sprint
    commitment: float
    completed: float
    without_history: int = 0
    committed_keys: tuple[str, ...] = ()
    completed_keys: tuple[str, ...] = ()
    unestimated: int = 0
    completed_changelogs: int = 0

    def issues(self) -> dict[str, object]:
        """The keys of the issues committed and completed, in a measurement's ``sprint_issues``."""
        return {"committed": list(self.committed_keys), "completed": list(self.completed_keys)}

    def as_details(self) -> dict[str, object]:
        """The sprint's row in a measurement's details."""
        return {
            "id": self.sprint.id,
            "name": self.sprint.name,
            "commitment": self.commitment,
            "completed": self.completed,
        }


def sprint_figures(filters: IssueFilter, team: TeamData, sprint: Sprint) -> SprintFigures:
    """Commitment and completed of a closed sprint, over the issues ``filters`` admits.

    Closed sprints do not change with ``as_of``, so the figures are cached on the team.
    """
    index = team_index(team)
    key = ("sprint figures", filters.filter_key, sprint)
    cached = index.memo.get(key)
    if not isinstance(cached, SprintFigures):
        cached = _count_sprint(filters, index, sprint)
        index.memo.put(key, cached, horizon=sprint.completed or FOREVER)
    return cached


def _count_sprint(filters: IssueFilter, index: TeamIndex, sprint: Sprint) -> SprintFigures:
    start, end = sprint.start, sprint.completed
    if start is None or end is None:
        raise ValueError(f"sprint {sprint.id} ({sprint.name}) has not been started and completed")

    def in_sprint(value: object) -> bool:
        return isinstance(value, frozenset) and sprint.id in value

    commitment = completed = 0.0
    missing = 0
    committed_keys: list[str] = []
    completed_keys: list[str] = []
    unestimated: set[str] = set()
    counted: dict[str, IssueHistory] = {}
    for history in index.ever_in_sprint(sprint.id):
        if (
            held_since(history, "sprint_ids", start, in_sprint) is not None
            and filters.admits(index, history, start)
            and not index.is_done(history.status_at(start))
        ):
            estimate = history.estimate_at(start)
            commitment += estimate or 0.0
            committed_keys.append(history.key)
            counted[history.key] = history
            if estimate is None:
                unestimated.add(history.key)
        joined = held_since(history, "sprint_ids", end, in_sprint)
        if joined is None or not filters.admits(index, history, end):
            continue
        done = held_since(history, "status", end, index.is_done)
        if done is not None and done > start and done > joined:
            estimate = history.estimate_at(end)
            completed += estimate or 0.0
            completed_keys.append(history.key)
            counted[history.key] = history
            if estimate is None:
                unestimated.add(history.key)
            missing += "status" in history.undocumented
    keys = (tuple(sorted(committed_keys)), tuple(sorted(completed_keys)))
    cut = completed_changelogs(counted.values())
    return SprintFigures(sprint, commitment, completed, missing, *keys, len(unestimated), cut)


def say_do(figures: Sequence[SprintFigures]) -> float | None:
    """100 x completed / commitment over ``figures``; ``None`` when nothing was committed."""
    commitment = math.fsum(f.commitment for f in figures)
    if commitment == 0:
        return None
    return 100.0 * math.fsum(f.completed for f in figures) / commitment


def _measurement(value: float | None, figures: Sequence[SprintFigures]) -> Measurement:
    """``value`` measured over ``figures``, with their details and data-quality figures."""
    missing = sum(f.without_history for f in figures)
    completed = sum(f.completed_changelogs for f in figures)
    return Measurement(value, len(figures), _details(figures), missing, completed_changelogs=completed)


def _details(figures: Sequence[SprintFigures]) -> dict[str, object]:
    return {
        "sprints": [f.as_details() for f in figures],
        "say_do": say_do(figures),
        "sprint_issues": {str(f.sprint.id): f.issues() for f in figures},
        "unestimated": sum(f.unestimated for f in figures),
        "counted": sum(len(set(f.committed_keys) | set(f.completed_keys)) for f in figures),
    }


@dataclass(frozen=True, kw_only=True)
class Velocity(IssueFilter):
    """Mean completed estimate per closed sprint over the window's sprints.

    Details: ``sprints`` (``id``, ``name``, ``commitment``, ``completed`` per sprint, oldest
    first), ``say_do`` (%), ``sprint_issues`` (by sprint id, the keys ``committed`` and
    ``completed``), ``counted`` (the issues counted, each once a sprint) and ``unestimated`` (how
    many of them had no estimate where they were counted).
    """

    kind: ClassVar[str] = "velocity"
    unit: ClassVar[str] = "points"
    direction: ClassVar[Direction] = Direction.HIGHER_IS_BETTER
    needs_sprints: ClassVar[bool] = True

    def measure(self, team: TeamData, window: Window, as_of: datetime) -> Measurement:
        """Mean completed estimate; ``None`` until a sprint has closed."""
        figures = [sprint_figures(self, team, sprint) for sprint in window_sprints(team, window, as_of)]
        if not figures:
            return Measurement(None)
        value = math.fsum(f.completed for f in figures) / len(figures)
        return _measurement(value, figures)


@dataclass(frozen=True, kw_only=True)
class SayDoRatio(IssueFilter):
    """100 x total completed / total commitment over the window's sprints; details as velocity's."""

    kind: ClassVar[str] = "say_do_ratio"
    unit: ClassVar[str] = "%"
    direction: ClassVar[Direction] = Direction.HIGHER_IS_BETTER
    needs_sprints: ClassVar[bool] = True

    def measure(self, team: TeamData, window: Window, as_of: datetime) -> Measurement:
        """The say/do ratio; ``None`` until a sprint with a commitment has closed."""
        figures = [sprint_figures(self, team, sprint) for sprint in window_sprints(team, window, as_of)]
        return _measurement(say_do(figures), figures)
