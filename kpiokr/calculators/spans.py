"""The sorted span lists and the shared-results memo behind :class:`kpiokr.calculators.index.TeamIndex`.

A span is ``(start, end, position of the history, extra)``: a run of a status kind or of a
resolution in one issue's history. Lists of spans sorted by start (or end) answer "which began
within a window" and "which held at an instant" by bisection, and take single spans in and out
when an issue changes.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from operator import itemgetter

#: The end of a span that has not ended.
FOREVER = datetime.max.replace(tzinfo=UTC)

#: ``(start, end, position of the history, extra)``. ``extra`` is, for done spans, how many done
#: spans the issue had before; for resolution spans, the resolution throughout the span (``None``
#: when it changed within it); else ``None``.
Span = tuple[datetime, datetime, int, object]


@dataclass(frozen=True, slots=True)
class SortedSpans:
    """Spans sorted by one of their instants (``keys`` holds it for each row)."""

    keys: list[datetime]
    rows: list[Span]

    def insert(self, row: Span, key: datetime) -> None:
        """Add ``row``, after the rows with the same key."""
        at = bisect_right(self.keys, key)
        self.keys.insert(at, key)
        self.rows.insert(at, row)

    def remove(self, row: Span, key: datetime) -> None:
        """Remove ``row`` (it must be there)."""
        at = bisect_left(self.keys, key)
        while self.rows[at] != row:
            at += 1
        del self.keys[at], self.rows[at]


@dataclass(frozen=True, slots=True)
class SpansByStart(SortedSpans):
    """Spans sorted by start, to find those that began within a window."""

    @classmethod
    def of(cls, rows: list[Span]) -> SpansByStart:
        """Sort ``rows`` in place (nearly free when issues come in creation order) and index them."""
        rows.sort(key=itemgetter(0))
        return cls([row[0] for row in rows], rows)

    @property
    def starts(self) -> list[datetime]:
        """Each row's start, in order."""
        return self.keys

    def entered(self, after: datetime, until: datetime) -> list[Span]:
        """The spans that started within ``(after, until]`` and still held at ``until``."""
        low, high = bisect_right(self.keys, after), bisect_right(self.keys, until)
        return [row for row in islice(self.rows, low, high) if row[1] > until]


@dataclass(frozen=True, slots=True)
class SpansByEnd(SortedSpans):
    """Spans sorted by end, to find those in force at an instant: only the spans ending after it
    are read, few for the recent instants KPIs are measured at."""

    @classmethod
    def of(cls, rows: list[Span]) -> SpansByEnd:
        """Sort ``rows`` in place by end and index them."""
        rows.sort(key=itemgetter(1))
        return cls([row[1] for row in rows], rows)

    @property
    def ends(self) -> list[datetime]:
        """Each row's end, in order."""
        return self.keys

    def holding(self, instant: datetime) -> list[Span]:
        """The spans in force at ``instant``."""
        return [row for row in islice(self.rows, bisect_right(self.keys, instant), None) if row[0] <= instant]


class Memo:
    """Results calculators share, each with its horizon: the latest instant of history it read.

    Results outlive a pass only if the pass used them, and only while every history still agrees
    with the one they were computed from up to their horizon.
    """

    def __init__(self) -> None:
        self._entries: dict[Hashable, tuple[object, datetime, int]] = {}
        self._generation = 0

    def get(self, key: Hashable) -> object | None:
        """The result kept under ``key``, or ``None``."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[2] != self._generation:
            self._entries[key] = (entry[0], entry[1], self._generation)
        return entry[0]

    def put(self, key: Hashable, value: object, horizon: datetime) -> None:
        """Keep ``value`` under ``key``; it read no history after ``horizon``."""
        self._entries[key] = (value, horizon, self._generation)

    def succeed(self, since: datetime | None) -> None:
        """Forget the results not used since the last call and those that read history at or after
        ``since`` (``None``: no history changed)."""
        generation = self._generation
        self._entries = {
            key: entry
            for key, entry in self._entries.items()
            if entry[2] == generation and (since is None or entry[1] < since)
        }
        self._generation += 1

    def __len__(self) -> int:
        return len(self._entries)
