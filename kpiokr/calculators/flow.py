"""Flow metrics: cycle time, lead time, throughput, work in progress and ageing work in progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from kpiokr.calculators.filters import IssueFilter, completed_changelogs, done_in_window, without_history
from kpiokr.calculators.index import Done, team_index
from kpiokr.calculators.stats import check_statistic, summarize
from kpiokr.kpi import Direction, Measurement, TeamData, Window, longest, window_start

_DAY = timedelta(days=1)
_WEEK = timedelta(weeks=1)


def _spread(days: list[float]) -> dict[str, object]:
    return {"median": summarize(days, "median"), "p85": summarize(days, "p85")}


@dataclass(frozen=True, kw_only=True)
class _DaysToDone(IssueFilter):
    """``statistic`` of the days from a start instant to done, over the issues done in the window;
    the measurement's ``longest`` names the issues that took longest, with their days."""

    unit: ClassVar[str] = "days"
    direction: ClassVar[Direction] = Direction.LOWER_IS_BETTER
    needs_sprints: ClassVar[bool] = False

    statistic: str = "median"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_statistic(self.statistic)

    def _start(self, issue: Done) -> datetime | None:
        raise NotImplementedError

    def measure(self, team: TeamData, window: Window, as_of: datetime) -> Measurement:
        """The days in ``statistic``; ``None`` when no issue with a start was done in the window."""
        done = done_in_window(self, self.issue_types, team, window, as_of)
        if done is None:
            return Measurement(None)
        timed = [(i.history.key, (i.at - start) / _DAY) for i in done if (start := self._start(i)) is not None]
        days = [d for _, d in timed]
        histories = [issue.history for issue in done]
        missing, completed = without_history(histories, "status"), completed_changelogs(histories)
        value = summarize(days, self.statistic)
        return Measurement(value, len(days), _spread(days), missing, longest(timed), completed)


@dataclass(frozen=True, kw_only=True)
class CycleTime(_DaysToDone):
    """``statistic`` of the days from the first move into an IN_PROGRESS status to done, over the
    issues done in the window. Issues that never were in progress are left out. Details:
    ``median`` and ``p85`` days."""

    kind: ClassVar[str] = "cycle_time"

    def _start(self, issue: Done) -> datetime | None:
        return issue.started


@dataclass(frozen=True, kw_only=True)
class LeadTime(_DaysToDone):
    """``statistic`` of the days from creation to done, over the issues done in the window.
    Details: ``median`` and ``p85`` days."""

    kind: ClassVar[str] = "lead_time"

    def _start(self, issue: Done) -> datetime | None:
        return issue.history.created


@dataclass(frozen=True, kw_only=True)
class Throughput(IssueFilter):
    """Issues done in the window per week of the window."""

    kind: ClassVar[str] = "throughput"
    unit: ClassVar[str] = "issues/week"
    direction: ClassVar[Direction] = Direction.HIGHER_IS_BETTER
    needs_sprints: ClassVar[bool] = False

    def measure(self, team: TeamData, window: Window, as_of: datetime) -> Measurement:
        """Throughput in issues per week; ``None`` when the window has no start."""
        start = window_start(window, team, as_of)
        done = done_in_window(self, self.issue_types, team, window, as_of)
        if start is None or done is None or start >= as_of:
            return Measurement(None)
        histories = [issue.history for issue in done]
        missing, completed = without_history(histories, "status"), completed_changelogs(histories)
        value = len(done) / ((as_of - start) / _WEEK)
        return Measurement(value, len(done), without_history=missing, completed_changelogs=completed)


@dataclass(frozen=True, kw_only=True)
class Wip(IssueFilter):
    """Issues in an IN_PROGRESS status outside the board's done column at ``as_of`` (the window plays
    no part). Details: ``keys``."""

    kind: ClassVar[str] = "wip"
    unit: ClassVar[str] = "issues"
    direction: ClassVar[Direction] = Direction.LOWER_IS_BETTER
    needs_sprints: ClassVar[bool] = False

    def measure(self, team: TeamData, window: Window, as_of: datetime) -> Measurement:
        """The number of issues in progress at ``as_of``."""
        index = team_index(team)
        issues = [h for h, _ in index.in_progress_at(as_of) if self.admits(index, h, as_of)]
        keys = sorted(h.key for h in issues)
        missing, completed = without_history(issues, "status"), completed_changelogs(issues)
        return Measurement(float(len(keys)), len(keys), {"keys": keys}, missing, completed_changelogs=completed)


@dataclass(frozen=True, kw_only=True)
class AgeingWip(IssueFilter):
    """Issues in progress at ``as_of`` that first went in progress more than ``age_days`` ago.

    Details: ``ages``, days since the first move into progress by key, oldest first.
    """

    kind: ClassVar[str] = "ageing_wip"
    unit: ClassVar[str] = "issues"
    direction: ClassVar[Direction] = Direction.LOWER_IS_BETTER
    needs_sprints: ClassVar[bool] = False

    age_days: float = 14.0

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.age_days > 0:
            raise ValueError(f"age_days must be a positive number of days, e.g. age_days=14; got {self.age_days!r}")

    def measure(self, team: TeamData, window: Window, as_of: datetime) -> Measurement:
        """The number of ageing issues in progress at ``as_of``."""
        ages: list[tuple[float, str]] = []
        missing = completed = 0
        index = team_index(team)
        for history, began in index.in_progress_at(as_of):
            if (as_of - began) / _DAY > self.age_days and self.admits(index, history, as_of):
                ages.append(((as_of - began) / _DAY, history.key))
                missing += "status" in history.undocumented
                completed += history.completed_changelog
        ages.sort(reverse=True)
        details = {"ages": {key: age for age, key in ages}}
        return Measurement(float(len(ages)), len(ages), details, missing, completed_changelogs=completed)
