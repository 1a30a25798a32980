"""Scope change: estimate added to or removed from sprints after they started."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from kpiokr.calculators.filters import IssueFilter
from kpiokr.calculators.index import FOREVER, TeamIndex, team_index
from kpiokr.calculators.velocity import sprint_figures, window_sprints
from kpiokr.history import IssueHistory, Sprint
from kpiokr.kpi import Direction, Measurement, TeamData, Window


@dataclass(frozen=True, slots=True)
class ScopeMoves:
    """Estimate added to and removed from one sprint between its start and its completion."""

    added: float
    removed: float


def scope_moves(filters: IssueFilter, team: TeamData, sprint: Sprint) -> ScopeMoves:
    """Estimate that joined or left a closed sprint, or changed while in it, strictly between its
    start and completion (Jira moves unfinished issues out at completion, which is no scope change).

    Issues are judged by ``filters`` as they stood at completion. Cached on the team.
    """
    index = team_index(team)
    key = ("scope moves", filters.filter_key, sprint)
    cached = index.memo.get(key)
    if not isinstance(cached, ScopeMoves):
        cached = _count_moves(filters, index, sprint)
        index.memo.put(key, cached, horizon=sprint.completed or FOREVER)
    return cached


def _count_moves(filters: IssueFilter, index: TeamIndex, sprint: Sprint) -> ScopeMoves:
    start, end = sprint.start, sprint.completed
    if start is None or end is None:
        raise ValueError(f"sprint {sprint.id} ({sprint.name}) has not been started and completed")
    added = removed = 0.0
    for history in index.ever_in_sprint(sprint.id):
        if filters.admits(index, history, end):
            more, less = _issue_moves(history, sprint.id, start, end)
            added += more
            removed += less
    return ScopeMoves(added, removed)


def _issue_moves(history: IssueHistory, sprint_id: int, start: datetime, end: datetime) -> tuple[float, float]:
    """Walk the instants the issue's membership or estimate changed within ``(start, end)``."""
    instants = {t for t in history.timeline("sprint_ids").times if start < t < end}
    instants.update(t for t in history.timeline("estimate").times if start < t < end)
    if start < history.created < end:
        instants.add(history.created)

    def state(instant: datetime) -> tuple[bool, float]:
        member = history.created <= instant and sprint_id in history.sprints_at(instant)
        return member, history.estimate_at(instant) or 0.0

    added = removed = 0.0
    was_member, was_estimate = state(start)
    for instant in sorted(instants):
        member, estimate = state(instant)
        if member and not was_member:
            added += estimate
        elif was_member and not member:
            removed += was_estimate
        elif member:
            added += max(estimate - was_estimate, 0.0)
            removed += max(was_estimate - estimate, 0.0)
        was_member, was_estimate = member, estimate
    return added, removed


@dataclass(frozen=True, kw_only=True)
class ScopeChange(IssueFilter):
    """Estimate added plus estimate removed after sprint start, as % of the commitment, over the
    window's sprints. Details: ``sprints`` (``id``, ``name``, ``commitment``, ``added``,
    ``removed`` per sprint, oldest first)."""

    kind: ClassVar[str] = "scope_change"
    unit: ClassVar[str] = "%"
    direction: ClassVar[Direction] = Direction.LOWER_IS_BETTER
    needs_sprints: ClassVar[bool] = True

    def measure(self, team: TeamData, window: Window, as_of: datetime) -> Measurement:
        """Scope change in %; ``None`` until a sprint with a commitment has closed."""
        rows: list[dict[str, object]] = []
        commitment = change = 0.0
        completed = 0
        for sprint in window_sprints(team, window, as_of):
            figures = sprint_figures(self, team, sprint)
            committed, completed = figures.commitment, completed + figures.completed_changelogs
            moves = scope_moves(self, team, sprint)
            commitment += committed
            change += moves.added + moves.removed
            rows.append(
                {
                    "id": sprint.id,
                    "name": sprint.name,
                    "commitment": committed,
                    "added": moves.added,
                    "removed": moves.removed,
                }
            )
        value = 100.0 * change / commitment if commitment else None
        return Measurement(value, len(rows), {"sprints": rows}, completed_changelogs=completed)
