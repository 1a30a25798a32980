"""Tiny builders for hand-made issue histories.

Describe an issue as it was created, then what happened to it::

    issue("MOB-1", created=day(0), type="Story", estimate=3, sprints={1}, changes=[
        moved(day(1), TODO, IN_PROGRESS),
        moved(day(4), IN_PROGRESS, DONE),
        resolved(day(4)),
    ])

Keyword fields give the state at creation; the current state is that state with every change
applied in time order. Each change's ``old`` must match the value it replaces, so a slip in a test
fails loudly instead of quietly testing something else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from kpiokr.history import FieldChange, IssueHistory, IssueState, Sprint, Status, StatusCategory
from kpiokr.kpi import TeamData

IST = timezone(timedelta(hours=5, minutes=30), "IST")
EST = timezone(timedelta(hours=-5), "EST")

TODO = Status("10000", "To Do", StatusCategory.TODO)
IN_PROGRESS = Status("3", "In Progress", StatusCategory.IN_PROGRESS)
IN_REVIEW = Status("10100", "In Review", StatusCategory.IN_PROGRESS)
#: In progress by category, but boards often put it in their done column.
READY = Status("10200", "Ready for Release", StatusCategory.IN_PROGRESS)
DONE = Status("10001", "Done", StatusCategory.DONE)

#: Monday 3 March 2025, 09:00 UTC; ``day(0)``.
T0 = datetime(2025, 3, 3, 9, tzinfo=UTC)


def day(n: float) -> datetime:
    """``n`` days after :data:`T0` (fractions welcome: ``day(1.5)`` is 21:00 UTC on 4 March)."""
    return T0 + timedelta(days=n)


def change(at: datetime, field: str, old: object, new: object) -> FieldChange:
    """Any field changing from ``old`` to ``new``."""
    return FieldChange(at, field, old, new)


def moved(at: datetime, from_status: Status, to_status: Status) -> FieldChange:
    """A status transition."""
    return FieldChange(at, "status", from_status, to_status)


def estimated(at: datetime, old: float | None, new: float | None) -> FieldChange:
    """The board estimate changing."""
    return FieldChange(at, "estimate", old, new)


def resprinted(at: datetime, old: Iterable[int], new: Iterable[int]) -> FieldChange:
    """The sprint field changing from sprint ids ``old`` to ``new``."""
    return FieldChange(at, "sprint_ids", frozenset(old), frozenset(new))


def resolved(at: datetime, resolution: str = "Done", old: str | None = None) -> FieldChange:
    """A resolution being set."""
    return FieldChange(at, "resolution", old, resolution)


def reopened(at: datetime, old: str = "Done") -> FieldChange:
    """A resolution being cleared."""
    return FieldChange(at, "resolution", old, None)


def issue(
    key: str,
    *,
    created: datetime = T0,
    type: str = "Story",
    status: Status = TODO,
    changes: Iterable[FieldChange] = (),
    subtask: bool = False,
    sprints: Iterable[int] = (),
    labels: Iterable[str] = (),
    resolution: str | None = None,
    estimate: float | None = None,
    due: date | None = None,
    priority: str | None = None,
    time_spent: float | None = None,
    original_estimate: float | None = None,
) -> IssueHistory:
    """An issue created in the given state, then changed by ``changes``."""
    initial = IssueState(
        issue_type=type,
        status=status,
        resolution=resolution,
        sprint_ids=frozenset(sprints),
        estimate=estimate,
        due=due,
        priority=priority,
        labels=frozenset(labels),
        time_spent=time_spent,
        original_estimate=original_estimate,
    )
    ordered = sorted(changes, key=lambda c: c.at)
    current = initial
    for item in ordered:
        was = getattr(current, item.field)
        if was != item.old:
            raise ValueError(f"{key}: the {item.field} change at {item.at} says it was {item.old!r}, it was {was!r}")
        current = replace(current, **{item.field: item.new})
    return IssueHistory(key=key, created=created, current=current, changes=tuple(ordered), is_subtask=subtask)


def done_issue(
    key: str,
    *,
    created: datetime,
    done: datetime,
    started: datetime | None = None,
    **fields: object,
) -> IssueHistory:
    """An issue taken from To Do (through In Progress at ``started``, if given) to Done and resolved."""
    if started is None:
        steps = [moved(done, TODO, DONE)]
    else:
        steps = [moved(started, TODO, IN_PROGRESS), moved(done, IN_PROGRESS, DONE)]
    return issue(key, created=created, changes=[*steps, resolved(done)], **fields)


def sprint(sprint_id: int, start: datetime, completed: datetime | None = None, *, name: str | None = None) -> Sprint:
    """A sprint that started at ``start`` and, if ``completed`` is given, is closed."""
    return Sprint(
        id=sprint_id,
        name=name or f"Sprint {sprint_id}",
        state="closed" if completed else "active",
        start=start,
        end=completed or start + timedelta(days=14),
        completed=completed,
    )


def team(
    *histories: IssueHistory,
    sprints: Iterable[Sprint] = (),
    tz: tzinfo = UTC,
    done_status_ids: Iterable[str] | None = None,
) -> TeamData:
    """A team of ``histories``."""
    done = None if done_status_ids is None else frozenset(done_status_ids)
    return TeamData(histories=histories, tz=tz, sprints=tuple(sprints), done_status_ids=done)
