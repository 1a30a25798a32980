"""Budget variance: time logged against the original estimate of the work done."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from kpiokr.calculators.filters import IssueFilter, completed_changelogs, done_in_window, without_history
from kpiokr.calculators.index import team_index
from kpiokr.kpi import Direction, Measurement, TeamData, Window


@dataclass(frozen=True, kw_only=True)
class BudgetVariance(IssueFilter):
    """100 x (time spent - original estimate) / original estimate, summed over the issues done in
    the window that have an original estimate; both as they stand at ``as_of``, no time logged
    counting 0. Details: ``spent`` and ``estimated`` hours."""

    kind: ClassVar[str] = "budget_variance"
    unit: ClassVar[str] = "%"
    direction: ClassVar[Direction] = Direction.LOWER_IS_BETTER
    needs_sprints: ClassVar[bool] = False

    def measure(self, team: TeamData, window: Window, as_of: datetime) -> Measurement:
        """Budget variance in %; ``None`` when no estimated issue was done in the window."""
        done = done_in_window(self, self.issue_types, team, window, as_of)
        spent: list[float] = []
        estimated: list[float] = []
        index = team_index(team)
        for issue in done or ():
            estimate = index.value_at(issue.history, "original_estimate", as_of)
            if isinstance(estimate, (int, float)) and estimate > 0:
                logged = index.value_at(issue.history, "time_spent", as_of)
                estimated.append(float(estimate))
                spent.append(float(logged) if isinstance(logged, (int, float)) else 0.0)
        if not estimated:
            return Measurement(None)
        total_spent, total_estimated = math.fsum(spent), math.fsum(estimated)
        value = 100.0 * (total_spent - total_estimated) / total_estimated
        histories = [issue.history for issue in done or ()]
        missing, completed = without_history(histories, "status"), completed_changelogs(histories)
        details = {"spent": total_spent, "estimated": total_estimated}
        return Measurement(value, len(estimated), details, missing, completed_changelogs=completed)
