"""Quality: how often done work comes back (reopen rate), and bugs raised per story delivered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from kpiokr.calculators.filters import (
    IssueFilter,
    IssueSelection,
    check_names,
    completed_changelogs,
    done_in_window,
    without_history,
)
from kpiokr.calculators.index import team_index
from kpiokr.kpi import Direction, Measurement, TeamData, Window, window_start


@dataclass(frozen=True, kw_only=True)
class ReopenRate(IssueFilter):
    """% of the issues done in the window that had left done at least once before.

    Details: ``reopened`` keys.
    """

    kind: ClassVar[str] = "reopen_rate"
    unit: ClassVar[str] = "%"
    direction: ClassVar[Direction] = Direction.LOWER_IS_BETTER
    needs_sprints: ClassVar[bool] = False

    def measure(self, team: TeamData, window: Window, as_of: datetime) -> Measurement:
        """Reopen rate in %; ``None`` when nothing was done in the window."""
        done = done_in_window(self, self.issue_types, team, window, as_of)
        if not done:
            return Measurement(None)
        reopened = sorted(issue.history.key for issue in done if issue.reopened)
        histories = [issue.history for issue in done]
        missing, completed = without_history(histories, "status"), completed_changelogs(histories)
        value = 100.0 * len(reopened) / len(done)
        return Measurement(value, len(done), {"reopened": reopened}, missing, completed_changelogs=completed)


@dataclass(frozen=True, kw_only=True)
class DefectRatio(IssueSelection):
    """Bugs created in the window per story done in the window.

    A bug is judged by its type as of ``as_of`` (triage often turns a task into a bug), a story by
    its type when done. Details: ``bugs`` and ``stories`` counts.
    """

    kind: ClassVar[str] = "defect_ratio"
    unit: ClassVar[str] = "bugs per story"
    direction: ClassVar[Direction] = Direction.LOWER_IS_BETTER
    needs_sprints: ClassVar[bool] = False

    bug_types: tuple[str, ...] = ("Bug",)
    story_types: tuple[str, ...] = ("Story",)

    def __post_init__(self) -> None:
        super().__post_init__()
        check_names("bug_types", self.bug_types, '("Bug",)')
        check_names("story_types", self.story_types, '("Story",)')
        if not self.bug_types or not self.story_types:
            raise ValueError("defect_ratio needs at least one type in bug_types and one in story_types")

    def measure(self, team: TeamData, window: Window, as_of: datetime) -> Measurement:
        """Bugs per story; ``None`` when no story was done in the window."""
        start = window_start(window, team, as_of)
        stories = done_in_window(self, self.story_types, team, window, as_of)
        if start is None or not stories:
            return Measurement(None)
        index = team_index(team)
        bugs = sum(1 for h in index.created_within(start, as_of) if self.selects(index, h, as_of, self.bug_types))
        histories = [issue.history for issue in stories]
        missing, completed = without_history(histories, "status"), completed_changelogs(histories)
        details = {"bugs": bugs, "stories": len(stories)}
        return Measurement(bugs / len(stories), len(stories), details, missing, completed_changelogs=completed)
