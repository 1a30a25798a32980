"""Resolution time and SLA adherence: how long resolved issues took, from creation to resolution.

An issue resolved, reopened and resolved again counts once, to its last resolution, in the window
where that last resolution falls. Issues whose resolution (as of ``as_of``) is one of
``excluded_resolutions``, ignoring case, are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from kpiokr.calculators.filters import IssueFilter, check_names, completed_changelogs, without_history
from kpiokr.calculators.index import team_index
from kpiokr.calculators.stats import check_statistic, summarize
from kpiokr.history import IssueHistory
from kpiokr.kpi import Direction, Measurement, TeamData, Window, longest, window_start

_HOUR = timedelta(hours=1)

#: Resolutions that say no work was needed; they would flatter resolution times. Jira's own
#: (Cloud: Won't Do, Duplicate, Cannot Reproduce; Data Center: Won't Fix, Duplicate, Incomplete,
#: Cannot Reproduce) and those public Jira and Bugzilla-style trackers use; matched ignoring case.
DEFAULT_EXCLUDED_RESOLUTIONS: tuple[str, ...] = (
    "Duplicate",
    "Won't Do",
    "Won't Fix",
    "Cannot Reproduce",
    "Incomplete",
    "Invalid",
    "Not A Problem",
    "Not A Bug",
    "Works as Designed",
    "Works as Intended",
    "Works for Me",
    "Abandoned",
    "Obsolete",
    "Declined",
    "Rejected",
    "Out of Scope",
    "Auto Closed",
    "Later",
)


@dataclass(frozen=True, kw_only=True)
class ResolvedIssues(IssueFilter):
    """The filters and the sample shared by resolution time and SLA adherence (bugs by default)."""

    issue_types: tuple[str, ...] = ("Bug",)
    excluded_resolutions: tuple[str, ...] = DEFAULT_EXCLUDED_RESOLUTIONS

    def __post_init__(self) -> None:
        super().__post_init__()
        check_names("excluded_resolutions", self.excluded_resolutions, '("Duplicate", "Won\'t Do")')

    def resolution_hours(
        self, team: TeamData, window: Window, as_of: datetime
    ) -> list[tuple[IssueHistory, float]] | None:
        """``(issue, hours from creation to resolution)`` of the issues resolved within the window,
        judged by the filters as they stood when resolved; ``None`` when the window has no start."""
        start = window_start(window, team, as_of)
        if start is None:
            return None
        index = team_index(team)
        excluded = {name.casefold() for name in self.excluded_resolutions}
        counted = [r for r in index.resolved_within(start, as_of) if str(r.resolution).casefold() not in excluded]
        selected = self.selected(index, counted, self.issue_types)
        return [(history, (resolved - history.created) / _HOUR) for history, resolved, _ in selected]


@dataclass(frozen=True, kw_only=True)
class ResolutionTime(ResolvedIssues):
    """``statistic`` of the hours from creation to resolution of issues resolved in the window.

    Details: ``median`` and ``p85`` hours; with ``ageing_after_hours`` set, ``ageing``: the keys
    of issues still unresolved at ``as_of`` and created longer ago than that, oldest first.
    ``longest``: the slowest issues resolved in the window, with their hours.
    """

    kind: ClassVar[str] = "resolution_time"
    unit: ClassVar[str] = "hours"
    direction: ClassVar[Direction] = Direction.LOWER_IS_BETTER
    needs_sprints: ClassVar[bool] = False

    statistic: str = "median"
    ageing_after_hours: float | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        check_statistic(self.statistic)
        if self.ageing_after_hours is not None and not self.ageing_after_hours > 0:
            raise ValueError(
                f"ageing_after_hours must be a positive number of hours (or None for no ageing list); "
                f"got {self.ageing_after_hours!r}"
            )

    def measure(self, team: TeamData, window: Window, as_of: datetime) -> Measurement:
        """Resolution time in hours; ``None`` when nothing was resolved in the window."""
        resolved = self.resolution_hours(team, window, as_of)
        if resolved is None:
            return Measurement(None)
        hours = [h for _, h in resolved]
        details: dict[str, object] = {"median": summarize(hours, "median"), "p85": summarize(hours, "p85")}
        if self.ageing_after_hours is not None:
            details["ageing"] = self._ageing(team, as_of, self.ageing_after_hours)
        histories = [h for h, _ in resolved]
        missing, completed = without_history(histories, "resolution"), completed_changelogs(histories)
        slowest = longest((h.key, hours) for h, hours in resolved)
        return Measurement(summarize(hours, self.statistic), len(hours), details, missing, slowest, completed)

    def _ageing(self, team: TeamData, as_of: datetime, after_hours: float) -> list[str]:
        index = team_index(team)
        cutoff = as_of - timedelta(hours=after_hours)
        return [h.key for h in index.unresolved_at(as_of, created_before=cutoff) if self.admits(index, h, as_of)]


@dataclass(frozen=True, kw_only=True)
class SlaAdherence(ResolvedIssues):
    """% of the issues resolved in the window that were resolved within ``sla_hours`` of creation.

    Details: ``breached``, the keys resolved later than that.
    """

    kind: ClassVar[str] = "sla_adherence"
    unit: ClassVar[str] = "%"
    direction: ClassVar[Direction] = Direction.HIGHER_IS_BETTER
    needs_sprints: ClassVar[bool] = False

    sla_hours: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.sla_hours > 0:
            raise ValueError(
                f"sla_adherence needs sla_hours, the hours allowed from creation to resolution, "
                f"as a positive number (e.g. sla_hours=72); got {self.sla_hours!r}"
            )

    def measure(self, team: TeamData, window: Window, as_of: datetime) -> Measurement:
        """SLA adherence in %; ``None`` when nothing was resolved in the window."""
        resolved = self.resolution_hours(team, window, as_of)
        if not resolved:
            return Measurement(None)
        breached = sorted(history.key for history, hours in resolved if hours > self.sla_hours)
        value = 100.0 * (len(resolved) - len(breached)) / len(resolved)
        histories = [h for h, _ in resolved]
        missing, completed = without_history(histories, "resolution"), completed_changelogs(histories)
        return Measurement(value, len(resolved), {"breached": breached}, missing, completed_changelogs=completed)
