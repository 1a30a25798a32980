"""The issue filters calculators share: issue types, priorities, labels and a key set.

Every filter judges an issue as it stood at the instant that matters to the calculator (when it
was done, resolved, at sprint start, ...). Sub-tasks never pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from kpiokr.calculators.index import Done, Resolved, TeamIndex, team_index
from kpiokr.history import IssueHistory
from kpiokr.kpi import TeamData, Window, window_start

#: A done or resolved issue: ``[0]`` is its history, ``[1]`` the instant it is judged at.
_Judged = TypeVar("_Judged", Done, Resolved)


def without_history(histories: Iterable[IssueHistory], field: str) -> int:
    """How many of ``histories`` hold a value of ``field`` (``status`` or ``resolution``) that their
    change log does not explain."""
    return sum(1 for history in histories if field in history.undocumented)


def completed_changelogs(histories: Iterable[IssueHistory]) -> int:
    """How many of ``histories`` had a change log that came back cut and had to be completed."""
    return sum(1 for history in histories if history.completed_changelog)


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
        if not (issue_types or self.priorities or self.labels):
            return True
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

    def selected(self, index: TeamIndex, items: Iterable[_Judged], issue_types: tuple[str, ...]) -> list[_Judged]:
        """The done or resolved issues that :meth:`selects` as they stood when done or resolved.

        The same judgement in one loop: the window KPIs judge thousands of issues per instant, and
        three calls per issue were most of what recomputing a 100,000-issue team cost.
        """
        keys, priorities, labels = self.keys, self.priorities, self.labels
        if not (issue_types or priorities or labels):
            return [item for item in items if not item[0].is_subtask and (keys is None or item[0].key in keys)]
        changed_fields = index.changed_fields
        found = []
        for item in items:
            history, instant = item[0], item[1]
            if history.is_subtask or (keys is not None and history.key not in keys):
                continue
            changed, current = changed_fields(history), history.current
            if issue_types:
                kind = history.timeline("issue_type").at(instant) if "issue_type" in changed else current.issue_type
                if kind not in issue_types:
                    continue
            if priorities:
                priority = history.timeline("priority").at(instant) if "priority" in changed else current.priority
                if priority not in priorities:
                    continue
            if labels:
                held = history.timeline("labels").at(instant) if "labels" in changed else current.labels
                if not isinstance(held, frozenset) or held.isdisjoint(labels):
                    continue
            found.append(item)
        return found


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
    # Shared by the KPIs that select alike over the same window (cycle time and reopen rate, say).
    key = ("done in window", selection.priorities, selection.labels, selection.keys, issue_types, start, as_of)
    cached = index.memo.get(key)
    if isinstance(cached, list):
        return cached
    found = selection.selected(index, index.done_within(start, as_of), issue_types)
    index.memo.put(key, found, as_of)
    return found
