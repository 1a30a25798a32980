"""The issue filters calculators share: issue types, priorities, labels and a key set.

Every filter judges an issue as it stood at the instant that matters to the calculator (when it
was done, resolved, at sprint start, ...). Sub-tasks never pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kpiokr.calculators.index import Done, TeamIndex, team_index
from kpiokr.history import IssueHistory
from kpiokr.kpi import TeamData, Window, window_start


def check_names(parameter: str, value: object, example: str) -> None:
    """Raise ``ValueError`` unless ``value`` is a tuple of non-empty strings."""
    if not isinstance(value, tuple) or not all(isinstance(item, str) and item for item in value):
        raise ValueError(f"{parameter} must be a tuple of names, e.g. {parameter}={example}; got {value!r}")


@dataclass(frozen=True, kw_only=True)
class IssueSelection:
    """Priorities (empty: any), labels (any of them; empty: any) and issue keys (``None``: any).

    ``keys`` is set by the sync layer from a JQL filter.
    """

    priorities: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    keys: frozenset[str] | None = None

    def __post_init__(self) -> None:
        check_names("priorities", self.priorities, '("Highest", "High")')
        check_names("labels", self.labels, '("customer",)')
        if self.keys is not None and not isinstance(self.keys, frozenset):
            raise ValueError(f"keys must be a frozenset of issue keys, or None for every issue; got {self.keys!r}")

    def selects(self, index: TeamIndex, history: IssueHistory, instant: datetime, issue_types: tuple[str, ...]) -> bool:
        """True when the issue, as it stood at ``instant``, is one of ``issue_types`` (empty: any)
        and passes the priority, label and key filters. Sub-tasks never do."""
        if history.is_subtask or (self.keys is not None and history.key not in self.keys):
            return False
        changed, current = index.changed_fields(history), history.current
        if issue_types:
            issue_type = history.timeline("issue_type").at(instant) if "issue_type" in changed else current.issue_type
            if issue_type not in issue_types:
                return False
        if self.priorities:
            priority = history.timeline("priority").at(instant) if "priority" in changed else current.priority
            if priority not in self.priorities:
                return False
        if self.labels:
            labels = history.timeline("labels").at(instant) if "labels" in changed else current.labels
            return isinstance(labels, frozenset) and not labels.isdisjoint(self.labels)
        return True


@dataclass(frozen=True, kw_only=True)
class IssueFilter(IssueSelection):
    """An :class:`IssueSelection` of some issue types (empty: every type but sub-tasks)."""

    issue_types: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        check_names("issue_types", self.issue_types, '("Story", "Bug")')

    def admits(self, index: TeamIndex, history: IssueHistory, instant: datetime) -> bool:
        """True when the issue, as it stood at ``instant``, passes every filter."""
        return self.selects(index, history, instant, self.issue_types)

    @property
    def filter_key(self) -> tuple[object, ...]:
        """The filter parameters, to key cached per-filter results by."""
        return (self.issue_types, self.priorities, self.labels, self.keys)


def done_in_window(
    selection: IssueSelection, issue_types: tuple[str, ...], team: TeamData, window: Window, as_of: datetime
) -> list[Done] | None:
    """The issues done within the window and selected as they stood when done; ``None`` when the
    window has no start.

    Done means the board's done column (``team.done_status_ids``, else the DONE category), and
    "done within" that ``done_since(as_of)`` falls in ``(window start, as_of]``.
    """
    start = window_start(window, team, as_of)
    if start is None:
        return None
    index = team_index(team)
    return [
        done for done in index.done_within(start, as_of) if selection.selects(index, done.history, done.at, issue_types)
    ]
