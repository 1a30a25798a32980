"""A team's histories, indexed once and shared by every calculator and every trend instant.

Calculators ask which issues were done within ``(start, as_of]``, which were in progress at
``as_of``, which ever belonged to sprint 42. The index answers from spans sorted by start (or by
end), so a measurement costs the issues it concerns rather than a pass over the whole team. It is
built in one pass over every history's changes, on first use, and kept in ``TeamData._derived``.
When the team's next version takes it over (:meth:`kpiokr.kpi.TeamData.take_over`), the spans of
the histories that changed are replaced in place, and the shared results survive unless they read
history from the first instant that changed on.

Built for 100,000 issues: no timeline is built while indexing, and spans are plain tuples of
atomic values, which the garbage collector stops tracking (it traces every container it tracks,
and a team's histories are already a million of them).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Sequence
from datetime import date, datetime
from operator import attrgetter
from typing import NamedTuple

from kpiokr.calculators.spans import FOREVER, Memo, SortedSpans, Span, SpansByEnd, SpansByStart
from kpiokr.history import STATE_FIELDS, IssueHistory, Status, StatusCategory
from kpiokr.kpi import HistoryChanges, TeamData

__all__ = ["FOREVER", "Done", "Memo", "Resolved", "Span", "SpansByEnd", "SpansByStart", "TeamIndex", "team_index"]


def held_since(
    history: IssueHistory, field: str, instant: datetime, holds: Callable[[object], bool]
) -> datetime | None:
    """When ``holds`` last became true of ``field``, if it holds at ``instant``; else ``None``.

    For the status and "in the done column" this is :meth:`IssueHistory.done_since`.
    """
    if instant < history.created:
        return None
    timeline = history.timeline(field)
    times, values = timeline.times, timeline.values
    i = bisect_right(times, instant)
    if not holds(values[i]):
        return None
    while i > 0 and times[i - 1] > history.created and holds(values[i - 1]):
        i -= 1
    return times[i - 1] if i > 0 and times[i - 1] > history.created else history.created


class Done(NamedTuple):
    """An issue done at a measurement's ``as_of``."""

    history: IssueHistory
    #: ``done_since(as_of)``: when it last entered the done column.
    at: datetime
    #: Whether it had left the done column before.
    reopened: bool
    #: ``first_in_progress(at)``: its first move into an IN_PROGRESS status, if any.
    started: datetime | None


class Resolved(NamedTuple):
    """An issue resolved at a measurement's ``as_of``."""

    history: IssueHistory
    #: ``resolved_since(as_of)``: when its current resolution was set.
    at: datetime
    #: Its resolution at ``as_of``.
    resolution: object


# A status's code: the spans it belongs to (the done column, in progress outside it, neither),
# plus a flag for the IN_PROGRESS category, which first_in_progress reads whatever the column.
_OTHER, _DONE, _PROGRESS, _SPAN_KIND, _IN_PROGRESS_CATEGORY = 0, 1, 2, 3, 4


class TeamIndex:
    """Spans and lookups over a team's histories; get it with :func:`team_index`."""

    def __init__(self, team: TeamData) -> None:
        #: The histories by position; a removed issue's position stays, referenced by no span.
        self.histories: list[IssueHistory] = list(team.histories)
        self.done_status_ids = team.done_status_ids
        #: Results derived from the team that do not depend on ``as_of`` (closed sprints' figures),
        #: and query results calculators share.
        self.memo = Memo()
        self._positions: dict[str, int] | None = None
        built = _Builder(self.is_done)
        for position, history in enumerate(self.histories):
            built.add(position, history)
        self._codes = built.codes
        done, in_progress, resolved, unresolved = built.rows
        #: Spans in the board's done column: a span's start is ``done_since`` while it lasts.
        self.done = SpansByStart.of(done)
        #: Spans in IN_PROGRESS statuses outside the done column.
        self.in_progress = SpansByEnd.of(in_progress)
        #: Spans with a resolution: a span's start is ``resolved_since`` while it lasts.
        self.resolved = SpansByStart.of(resolved)
        #: Spans without a resolution, from creation on.
        self.unresolved = SpansByEnd.of(unresolved)
        self._started = built.started
        self._changed = built.changed
        self._sprint_members = built.sprint_members
        self._due_days = built.due_days
        created = [history.created for history in self.histories]
        self._created_order = sorted(range(len(created)), key=created.__getitem__)
        self._created = [created[position] for position in self._created_order]

    def succeed(self, team: TeamData, changes: HistoryChanges) -> TeamIndex | None:
        """This index, updated in place for ``changes``, to serve ``team`` (see :class:`kpiokr.kpi.Successor`);
        ``None`` for a team whose keys repeat."""
        if self._positions is None:
            self._positions = {history.key: position for position, history in enumerate(self.histories)}
            if len(self._positions) != len(self.histories):
                return None
        positions = self._positions
        for history in changes.removed:
            position = positions.pop(history.key)
            self._unindex(position, history)
        for history in changes.added:
            known = positions.get(history.key)
            if known is None:
                position = positions[history.key] = len(self.histories)
                self.histories.append(history)
                self._started.append(None)
            else:
                position = known
                self.histories[position] = history
            self._index(position, history)
        self.memo.succeed(changes.since)
        return self

    def _spans(self) -> tuple[SortedSpans, SortedSpans, SortedSpans, SortedSpans]:
        return self.done, self.in_progress, self.resolved, self.unresolved

    def _one(self, position: int, history: IssueHistory) -> _Builder:
        built = _Builder(self.is_done, self._codes)
        built.add(position, history)
        return built

    def _unindex(self, position: int, history: IssueHistory) -> None:
        built = self._one(position, history)
        for spans, rows, by_end in zip(self._spans(), built.rows, (False, True, False, True), strict=True):
            for row in rows:
                spans.remove(row, row[1] if by_end else row[0])
        for sprint_id in built.sprint_members:
            self._sprint_members[sprint_id].remove(position)
        for day in built.due_days:
            self._due_days[day].remove(position)
        self._changed.pop(id(history), None)
        self._started[position] = None
        at = bisect_left(self._created, history.created)
        while self._created_order[at] != position:
            at += 1
        del self._created[at], self._created_order[at]

    def _index(self, position: int, history: IssueHistory) -> None:
        built = self._one(position, history)
        for spans, rows, by_end in zip(self._spans(), built.rows, (False, True, False, True), strict=True):
            for row in rows:
                spans.insert(row, row[1] if by_end else row[0])
        for sprint_id in built.sprint_members:
            insort(self._sprint_members.setdefault(sprint_id, []), position)
        for day in built.due_days:
            insort(self._due_days.setdefault(day, []), position)
        self._changed.update(built.changed)
        self._started[position] = built.started[0]
        at = bisect_right(self._created, history.created)
        self._created.insert(at, history.created)
        self._created_order.insert(at, position)

    def is_done(self, status: object) -> bool:
        """True for a status of the board's done column (or of the DONE category if none is set)."""
        if not isinstance(status, Status):
            return False
        if self.done_status_ids is not None:
            return status.id in self.done_status_ids
        return status.category is StatusCategory.DONE

    def changed_fields(self, history: IssueHistory) -> frozenset[str]:
        """The fields the history's changes touch (all of them for a history not in the index).

        A field not among them is its current value at any instant: no timeline needed.
        """
        return self._changed.get(id(history), STATE_FIELDS)

    def value_at(self, history: IssueHistory, field: str, instant: datetime) -> object:
        """``history.timeline(field).at(instant)`` for an :class:`IssueState` attribute, without
        building (and keeping) a timeline when the field never changed."""
        if field in self.changed_fields(history):
            return history.timeline(field).at(instant)
        return getattr(history.current, field)

    def done_within(self, after: datetime, until: datetime) -> list[Done]:
        """The issues done at ``until`` that entered the done column within ``(after, until]``."""
        key = ("done within", after, until)
        cached = self.memo.get(key)
        if isinstance(cached, list):
            return cached
        histories, started = self.histories, self._started
        found = []
        for at, _, position, earlier in self.done.entered(after, until):
            began = started[position]
            found.append(Done(histories[position], at, earlier != 0, began if began and began <= at else None))
        self.memo.put(key, found, until)
        return found

    def resolved_within(self, after: datetime, until: datetime) -> list[Resolved]:
        """The issues resolved at ``until`` whose resolution was set within ``(after, until]``."""
        key = ("resolved within", after, until)
        cached = self.memo.get(key)
        if isinstance(cached, list):
            return cached
        found = []
        for at, _, position, value in self.resolved.entered(after, until):
            history = self.histories[position]
            found.append(Resolved(history, at, history.timeline("resolution").at(until) if value is None else value))
        self.memo.put(key, found, until)
        return found

    def unresolved_at(self, instant: datetime, created_before: datetime) -> list[IssueHistory]:
        """Issues created before ``created_before`` and without a resolution at ``instant``, oldest
        first."""
        found = [self.histories[position] for _, _, position, _ in self.unresolved.holding(instant)]
        return sorted((h for h in found if h.created < created_before), key=_CREATED)

    def in_progress_at(self, instant: datetime) -> list[tuple[IssueHistory, datetime]]:
        """``(history, first_in_progress(instant))`` of the issues in an IN_PROGRESS status outside
        the done column at ``instant``."""
        found = []
        for start, _, position, _ in self.in_progress.holding(instant):
            found.append((self.histories[position], self._started[position] or start))
        return found

    def created_within(self, after: datetime, until: datetime) -> list[IssueHistory]:
        """Issues created within ``(after, until]``."""
        low, high = bisect_right(self._created, after), bisect_right(self._created, until)
        return [self.histories[position] for position in self._created_order[low:high]]

    def ever_in_sprint(self, sprint_id: int) -> list[IssueHistory]:
        """Issues whose sprint field held ``sprint_id`` at some point."""
        return [self.histories[position] for position in self._sprint_members.get(sprint_id, ())]

    def ever_due_on(self, days: Sequence[date]) -> list[IssueHistory]:
        """Issues whose due date was, at some point, one of ``days``; each issue once."""
        positions = {position for day in days for position in self._due_days.get(day, ())}
        return [self.histories[position] for position in sorted(positions)]


class _Builder:
    """Reads each history's changes once and gathers what the index keeps."""

    def __init__(self, is_done: Callable[[Status], bool], codes: dict[str, int] | None = None) -> None:
        self.is_done = is_done
        #: Done, in-progress, resolved and unresolved spans, unordered.
        self.rows: tuple[list[Span], list[Span], list[Span], list[Span]] = ([], [], [], [])
        #: first_in_progress of every history (at any instant), by position.
        self.started: list[datetime | None] = []
        #: The fields each history's changes touch, by id(history); one frozenset per distinct set.
        self.changed: dict[int, frozenset[str]] = {}
        self.sprint_members: dict[int, list[int]] = {}
        self.due_days: dict[date, list[int]] = {}
        self._fieldsets: dict[frozenset[str], frozenset[str]] = {}
        #: Each status id's code (see ``_OTHER`` ...), shared with later builders of the same index.
        self.codes: dict[str, int] = {} if codes is None else codes

    def add(self, position: int, history: IssueHistory) -> None:
        """Index one history."""
        created, current = history.created, history.current
        status_times: list[datetime] = []
        statuses: list[object] = []
        resolution_times: list[datetime] = []
        resolutions: list[object] = []
        sprint_values: list[object] = [current.sprint_ids]
        due_values: set[object] = {current.due}
        for change in history.all_changes():
            field = change.field
            if field == "status":
                if not statuses:
                    statuses.append(change.old)
                status_times.append(change.at)
                statuses.append(change.new)
            elif field == "resolution":
                if not resolutions:
                    resolutions.append(change.old)
                resolution_times.append(change.at)
                resolutions.append(change.new)
            elif field == "sprint_ids":
                sprint_values += (change.old, change.new)
            elif field == "due":
                due_values.update((change.old, change.new))
        # As in a Timeline, the last value is the current one whatever the last change said.
        statuses[-1:] = [current.status]
        resolutions[-1:] = [current.resolution]
        self._status_spans(position, created, status_times, statuses)
        self._resolution_spans(position, created, resolution_times, resolutions)
        fields = frozenset(map(_FIELD, history.all_changes()))
        self.changed[id(history)] = self._fieldsets.setdefault(fields, fields)
        for sprint_id in {i for value in sprint_values if isinstance(value, frozenset) for i in value}:
            self.sprint_members.setdefault(sprint_id, []).append(position)
        for day in due_values:
            if isinstance(day, date):
                self.due_days.setdefault(day, []).append(position)

    def _status_spans(self, position: int, created: datetime, times: list[datetime], statuses: list[object]) -> None:
        """The done and in-progress runs of a status timeline (``times``, ``statuses``)."""
        done, in_progress = self.rows[0], self.rows[1]
        count, codes = len(times), self.codes
        run, start, started, done_spans = _OTHER, created, None, 0
        for i, status in enumerate(statuses):
            if i < count and times[i] <= created:
                continue  # over before the issue was created
            if not isinstance(status, Status):
                code = _OTHER
            elif (code := codes.get(status.id, -1)) < 0:
                code = self._code(status)
            kind = code & _SPAN_KIND
            if kind == run and (started is not None or not code & _IN_PROGRESS_CATEGORY):
                continue
            begin = created if i == 0 or times[i - 1] < created else times[i - 1]
            if started is None and code & _IN_PROGRESS_CATEGORY:
                started = begin
            if kind == run:
                continue
            if run == _DONE:
                done.append((start, begin, position, done_spans))
                done_spans += 1
            elif run == _PROGRESS:
                in_progress.append((start, begin, position, None))
            run, start = kind, begin
        if run == _DONE:
            done.append((start, FOREVER, position, done_spans))
        elif run == _PROGRESS:
            in_progress.append((start, FOREVER, position, None))
        self.started.append(started)

    def _resolution_spans(
        self, position: int, created: datetime, times: list[datetime], resolutions: list[object]
    ) -> None:
        """The resolved and unresolved runs of a resolution timeline (``times``, ``resolutions``)."""
        count = len(times)
        resolved: bool | None = None
        start, value = created, None
        for i, resolution in enumerate(resolutions):
            if i < count and times[i] <= created:
                continue  # over before the issue was created
            if (resolution is not None) is resolved:
                if resolution != value:
                    value = None  # changed within the span: looked up when asked
                continue
            begin = created if i == 0 or times[i - 1] < created else times[i - 1]
            if resolved is not None:
                self.rows[2 if resolved else 3].append((start, begin, position, value))
            resolved, start, value = resolution is not None, begin, resolution
        self.rows[2 if resolved else 3].append((start, FOREVER, position, value))

    def _code(self, status: Status) -> int:
        code = _DONE if self.is_done(status) else _OTHER
        if status.category is StatusCategory.IN_PROGRESS:
            code |= _IN_PROGRESS_CATEGORY | (_PROGRESS if code == _OTHER else _OTHER)
        self.codes[status.id] = code
        return code


_FIELD = attrgetter("field")
_CREATED = attrgetter("created")


def team_index(team: TeamData) -> TeamIndex:
    """The team's index, built on first use and cached on the team."""
    index = team._derived.get("index")
    if not isinstance(index, TeamIndex):
        index = TeamIndex(team)
        team._derived["index"] = index
    return index
