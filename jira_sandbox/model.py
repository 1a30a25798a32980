"""The things a site is made of: issues and their histories, projects, boards, sprints, the clock.

Values inside an issue are flavour-neutral and keyed by :attr:`jira_sandbox.catalog.Field.key`
("story_points", "sprint", "summary", or the id of an ordinary custom field).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

#: An instant (epoch milliseconds) and the IANA zone it is shown in on the wire.
Stamp = tuple[int, str]


class Item(NamedTuple):
    """One changed field inside a history, flavour-neutral (``field`` is a :attr:`Field.key`)."""

    field: str
    from_: str | None
    from_string: str | None
    to: str | None
    to_string: str | None


class History:
    """One changelog entry: who changed what when."""

    __slots__ = ("author", "id", "items", "ms")

    def __init__(self, id: int, author: str, ms: int, items: tuple[Item, ...]) -> None:
        self.id = id
        self.author = author
        self.ms = ms
        self.items = items


class Issue:
    """An issue: current field values (absent means empty) and its histories, oldest first."""

    __slots__ = ("histories", "id", "key", "num", "project", "subtasks", "values")

    def __init__(self, id: int, key: str, project: str, values: dict[str, Any]) -> None:
        self.id = id
        self.key = key
        self.project = project
        self.num = int(key.rsplit("-", 1)[1])
        self.values = values
        self.histories: list[History] = []
        self.subtasks: list[int] = []


@dataclass(frozen=True, slots=True)
class Project:
    """A Jira project."""

    id: str
    key: str
    name: str
    lead: str


@dataclass(slots=True)
class Sprint:
    """A sprint of a Scrum board; instants in epoch milliseconds."""

    id: int
    board_id: int
    name: str
    state: str
    start_ms: int | None
    end_ms: int | None
    complete_ms: int | None
    created_ms: int
    goal: str = ""


@dataclass(frozen=True, slots=True)
class Board:
    """An agile board over one project; ``columns`` are (name, status ids), the last is done."""

    id: int
    name: str
    type: str
    project_key: str
    columns: tuple[tuple[str, tuple[str, ...]], ...]


class Clock:
    """Site time: runs at real speed from a starting instant unless frozen."""

    def __init__(self, start: datetime | None) -> None:
        self._base_ms = int((start or datetime.now(UTC)).timestamp() * 1000)
        self._anchor = time.monotonic()
        self.frozen = False

    def now_ms(self) -> int:
        """The current site instant in epoch milliseconds."""
        if self.frozen:
            return self._base_ms
        return self._base_ms + int((time.monotonic() - self._anchor) * 1000)

    def set(self, instant: datetime, *, frozen: bool = True) -> None:
        """Jump to ``instant``; keep running from there unless ``frozen``."""
        self._base_ms = int(instant.timestamp() * 1000)
        self._anchor = time.monotonic()
        self.frozen = frozen

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward (or back) by ``delta``."""
        self._base_ms += int(delta.total_seconds() * 1000)
