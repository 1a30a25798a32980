"""Issue histories: an issue's current state plus its changes, queryable as of any instant.

An :class:`IssueHistory` is built from the state an issue is in now and the list of field changes
that led there. Every field becomes a :class:`Timeline`, so the value of any field at any past
instant is one binary search away. KPI calculators never look at "now": they ask for ``as_of``.
"""

from __future__ import annotations

import enum
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from typing import Generic, TypeVar

T = TypeVar("T")


class StatusCategory(enum.Enum):
    """The three fixed categories every workflow status belongs to."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Status:
    """A workflow status; ``id`` is stable across renames, ``name`` is what people read."""

    id: str
    name: str
    category: StatusCategory


@dataclass(frozen=True, slots=True)
class IssueState:
    """Every field of an issue that kpiokr reasons about, at one instant.

    ``estimate`` is the board's estimation field (story points, or hours for time-based boards).
    ``time_spent`` and ``original_estimate`` are in hours. ``numbers`` holds the numeric fields a
    mapping reads for metric key results, by the mapping's name for them.
    """

    issue_type: str
    status: Status
    resolution: str | None = None
    sprint_ids: frozenset[int] = frozenset()
    estimate: float | None = None
    due: date | None = None
    priority: str | None = None
    parent: str | None = None
    labels: frozenset[str] = frozenset()
    time_spent: float | None = None
    original_estimate: float | None = None
    numbers: Mapping[str, float | None] = field(default_factory=dict, hash=False)


#: Field names a :class:`FieldChange` may carry: the attributes of :class:`IssueState`, or
#: ``NUMBER_PREFIX + name`` for one entry of ``IssueState.numbers``.
STATE_FIELDS: frozenset[str] = frozenset(f.name for f in fields(IssueState)) - {"numbers"}
NUMBER_PREFIX = "number:"

#: The status an issue had before the instant its status category was last set, when its changelog
#: does not say (an issue imported or migrated in its current status).
UNRECORDED_STATUS = Status("", "(not recorded)", StatusCategory.TODO)

#: The fields KPIs measure by when they were set (done, resolved), whose history may be missing.
DATED_FIELDS: tuple[str, ...] = ("status", "resolution")
_UNDOCUMENTED: dict[tuple[bool, bool], frozenset[str]] = {
    (status, resolution): frozenset(name for name, on in zip(DATED_FIELDS, (status, resolution), strict=True) if on)
    for status in (False, True)
    for resolution in (False, True)
}


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of one issue changing value at one instant (one changelog item)."""

    at: datetime
    field: str
    old: object
    new: object

    def __post_init__(self) -> None:
        if self.field not in STATE_FIELDS and not self.field.startswith(NUMBER_PREFIX):
            raise ValueError(f"unknown issue field {self.field!r}")
        if self.at.tzinfo is None:
            raise ValueError("change instants must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Timeline(Generic[T]):
    """A value over time: ``values[0]`` before ``times[0]``, ``values[i + 1]`` from ``times[i]`` on."""

    times: tuple[datetime, ...]
    values: tuple[T, ...]

    def at(self, instant: datetime) -> T:
        """The value in force at ``instant`` (a change at exactly ``instant`` has happened)."""
        return self.values[bisect_right(self.times, instant)]

    def intervals(self) -> Iterable[tuple[datetime | None, datetime | None, T]]:
        """Yield ``(start, end, value)``; ``None`` stands for the open past or future."""
        bounds: list[datetime | None] = [None, *self.times, None]
        for index, value in enumerate(self.values):
            yield bounds[index], bounds[index + 1], value


@dataclass(frozen=True)
class IssueHistory:
    """An issue as it is now, plus its change log, answering questions about any instant.

    ``resolution_set_at`` and ``status_category_set_at`` are the instants the issue says its current
    resolution and status category were set (Jira's ``resolutiondate`` and
    ``statuscategorychangedate``). They matter only for a field the change log never mentions (an
    issue imported already resolved): its current value then holds from that instant, else from
    creation. Such fields are listed in :attr:`undocumented`.

    ``completed_changelog`` says the change log came back cut from the issue search and had to be
    completed from further reads: a data-quality fact reports count per figure.
    """

    key: str
    created: datetime
    current: IssueState
    changes: tuple[FieldChange, ...] = ()
    is_subtask: bool = False
    summary: str = ""
    assignee: str | None = None
    resolution_set_at: datetime | None = None
    status_category_set_at: datetime | None = None
    assignee_name: str | None = None
    completed_changelog: bool = False
    #: The fields of :data:`DATED_FIELDS` holding a value that no change in ``changes`` explains.
    undocumented: frozenset[str] = field(default=frozenset(), init=False, compare=False)
    #: Changes inferred for the undocumented fields from their instants (see above).
    inferred: tuple[FieldChange, ...] = field(default=(), init=False, repr=False, compare=False)
    _timelines: dict[str, Timeline[object]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.created.tzinfo is None:
            raise ValueError(f"{self.key}: creation instant must be timezone-aware")
        ordered = tuple(sorted(self.changes, key=lambda change: change.at))
        object.__setattr__(self, "changes", ordered)
        status = resolution = True
        for change in ordered:
            if change.field == "status":
                status = False
            elif change.field == "resolution":
                resolution = False
        undocumented = _UNDOCUMENTED[status, resolution and self.current.resolution is not None]
        if undocumented:
            object.__setattr__(self, "undocumented", undocumented)
            object.__setattr__(self, "inferred", self._infer(undocumented))

    def _infer(self, undocumented: frozenset[str]) -> tuple[FieldChange, ...]:
        inferred = []
        resolved, moved = self.resolution_set_at, self.status_category_set_at
        if "resolution" in undocumented and resolved is not None and resolved > self.created:
            inferred.append(FieldChange(resolved, "resolution", None, self.current.resolution))
        if "status" in undocumented and moved is not None and moved > self.created:
            inferred.append(FieldChange(moved, "status", UNRECORDED_STATUS, self.current.status))
        return tuple(inferred)

    def all_changes(self) -> tuple[FieldChange, ...]:
        """``changes`` plus the :attr:`inferred` ones (each field's changes are of one kind only)."""
        return self.changes + self.inferred if self.inferred else self.changes

    def timeline(self, name: str) -> Timeline[object]:
        """The timeline of one field (an :class:`IssueState` attribute or ``number:<name>``)."""
        cached = self._timelines.get(name)
        if cached is None:
            # Filter the changes afresh rather than keep a list of them per field: over a 100k-issue
            # team such lists add hundreds of thousands of objects for the garbage collector to trace.
            changes = [change for change in self.all_changes() if change.field == name]
            cached = _build_timeline(self._current_value(name), changes)
            self._timelines[name] = cached
        return cached

    def _current_value(self, name: str) -> object:
        if name.startswith(NUMBER_PREFIX):
            return self.current.numbers.get(name.removeprefix(NUMBER_PREFIX))
        return getattr(self.current, name)

    def exists_at(self, instant: datetime) -> bool:
        """True once the issue has been created."""
        return instant >= self.created

    def status_at(self, instant: datetime) -> Status:
        """The workflow status at ``instant``."""
        value = self.timeline("status").at(instant)
        assert isinstance(value, Status)
        return value

    def estimate_at(self, instant: datetime) -> float | None:
        """The board estimate at ``instant`` (``None`` when unestimated)."""
        return _as_float(self.timeline("estimate").at(instant))

    def sprints_at(self, instant: datetime) -> frozenset[int]:
        """The ids of the sprints the issue belongs to at ``instant``."""
        value = self.timeline("sprint_ids").at(instant)
        return value if isinstance(value, frozenset) else frozenset()

    def issue_type_at(self, instant: datetime) -> str:
        """The issue type at ``instant`` (types can change: Task -> Bug)."""
        return str(self.timeline("issue_type").at(instant))

    def number_at(self, name: str, instant: datetime) -> float | None:
        """A mapped numeric field at ``instant``."""
        return _as_float(self.timeline(NUMBER_PREFIX + name).at(instant))

    def state_at(self, instant: datetime) -> IssueState:
        """Every field as it stood at ``instant``."""
        values = {name: self.timeline(name).at(instant) for name in STATE_FIELDS}
        numbers = {n: self.number_at(n, instant) for n in self._number_names()}
        return replace(self.current, numbers=numbers, **values)  # type: ignore[arg-type]

    def _number_names(self) -> set[str]:
        names = set(self.current.numbers)
        names.update(c.field.removeprefix(NUMBER_PREFIX) for c in self.changes if c.field.startswith(NUMBER_PREFIX))
        return names

    def status_intervals(self) -> Sequence[tuple[datetime, datetime | None, Status]]:
        """``(start, end, status)`` from creation on; ``end`` is ``None`` for the current one."""
        result: list[tuple[datetime, datetime | None, Status]] = []
        for start, end, value in self.timeline("status").intervals():
            assert isinstance(value, Status)
            begin = self.created if start is None or start < self.created else start
            if end is not None and end <= self.created:
                continue
            result.append((begin, end, value))
        return result

    def done_since(self, instant: datetime, done_status_ids: frozenset[str] | None = None) -> datetime | None:
        """When the issue last entered done, if it is done at ``instant``; else ``None``.

        Done means the DONE status category, or membership in ``done_status_ids`` when given (a
        board's done column).
        """
        if not self.exists_at(instant):
            return None
        since: datetime | None = None
        for start, _end, status in self.status_intervals():
            if start > instant:
                break
            if done_status_ids is not None:
                is_done = status.id in done_status_ids
            else:
                is_done = status.category is StatusCategory.DONE
            since = (since or start) if is_done else None
        return since

    def resolved_since(self, instant: datetime) -> datetime | None:
        """When the current resolution was set, if the issue is resolved at ``instant``."""
        if not self.exists_at(instant):
            return None
        timeline = self.timeline("resolution")
        index = bisect_right(timeline.times, instant)
        if timeline.values[index] is None:
            return None
        while index > 0 and timeline.values[index - 1] is not None:
            index -= 1
        return self.created if index == 0 else max(timeline.times[index - 1], self.created)

    def first_in_progress(self, instant: datetime) -> datetime | None:
        """The first move into an in-progress status, at or before ``instant``."""
        for start, _end, status in self.status_intervals():
            if start > instant:
                return None
            if status.category is StatusCategory.IN_PROGRESS:
                return start
        return None


def first_difference(old: IssueHistory, new: IssueHistory) -> datetime | None:
    """The earliest instant at which two versions of an issue's history disagree; ``None`` when
    they agree at every instant.

    Nothing about an issue matters before it was created, so versions that differ from the start
    (another creation instant or key, a field's value before its first change) differ from the
    earlier creation on. Changes appended to a history (what an edit in Jira does) make the
    versions differ from the first appended change on, and not before.
    """
    start = min(old.created, new.created)
    if (old.key, old.created, old.is_subtask) != (new.key, new.created, new.is_subtask):
        return start
    names = {f for history in (old, new) for f in history._number_names()}
    found: datetime | None = None
    for name in (*STATE_FIELDS, *(NUMBER_PREFIX + n for n in sorted(names))):
        differs = _timeline_difference(old.timeline(name), new.timeline(name), start)
        if differs is not None and (found is None or differs < found):
            found = differs
    return found


def _timeline_difference(a: Timeline[object], b: Timeline[object], start: datetime) -> datetime | None:
    if a.values[0] != b.values[0]:
        return start
    for i, (at_a, at_b) in enumerate(zip(a.times, b.times, strict=False)):
        if at_a != at_b:
            return min(at_a, at_b)
        if a.values[i + 1] != b.values[i + 1]:
            return at_a
    if len(a.times) != len(b.times):
        longer = a if len(a.times) > len(b.times) else b
        return longer.times[min(len(a.times), len(b.times))]
    return None


def _build_timeline(current: object, changes: Sequence[FieldChange]) -> Timeline[object]:
    if not changes:
        return Timeline((), (current,))
    values: list[object] = [changes[0].old]
    values.extend(change.new for change in changes[:-1])
    values.append(current)
    return Timeline(tuple(c.at for c in changes), tuple(values))


def _as_float(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    raise TypeError(f"expected a number, got {value!r}")


@dataclass(frozen=True, slots=True)
class Sprint:
    """A sprint of a board. ``completed`` is set once the sprint is closed."""

    id: int
    name: str
    state: str
    board_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    completed: datetime | None = None
    goal: str = ""

    @property
    def is_closed(self) -> bool:
        """True when the sprint has been completed."""
        return self.completed is not None and self.start is not None
