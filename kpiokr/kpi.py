"""KPIs: a calculator over a team's issue histories, held against a target and a guardrail threshold.

A KPI is healthy at or beyond its target, in warning between target and threshold, and in breach
beyond the threshold. Its trend compares the value now with the value one window earlier; both
come from the same histories, so a trend exists from the first run.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Protocol, runtime_checkable

from kpiokr.history import IssueHistory, Sprint, first_difference


class Direction(enum.Enum):
    """Whether a larger value of a KPI is better or worse."""

    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"

    def better(self, a: float, b: float) -> bool:
        """True when ``a`` is strictly better than ``b``."""
        return a > b if self is Direction.HIGHER_IS_BETTER else a < b


@dataclass(frozen=True, slots=True)
class Window:
    """The span a KPI looks back over: the last ``days`` days or the last ``sprints`` closed sprints."""

    days: int | None = None
    sprints: int | None = None

    def __post_init__(self) -> None:
        if (self.days is None) == (self.sprints is None):
            raise ValueError("a window is either a number of days or a number of sprints")
        if (self.days or self.sprints or 0) < 1:
            raise ValueError("a window spans at least one day or one sprint")

    def __str__(self) -> str:
        return f"last {self.days} days" if self.days is not None else f"last {self.sprints} sprints"


@dataclass(frozen=True)
class TeamData:
    """What the calculators read: a team's issue histories, its board's sprints and conventions.

    ``done_status_ids`` are the statuses of the board's done column (``None``: the DONE category).
    ``tz`` is the site's time zone, used wherever a calendar day matters (due dates).
    Calculators cache indexes of the histories in ``_derived``: treat a TeamData as read-only.
    """

    histories: Sequence[IssueHistory]
    tz: tzinfo
    sprints: Sequence[Sprint] = ()
    done_status_ids: frozenset[str] | None = None
    _derived: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def closed_sprints(self, as_of: datetime) -> list[Sprint]:
        """Sprints completed at or before ``as_of``, oldest first."""
        closed = [s for s in self.sprints if s.is_closed and s.completed is not None and s.completed <= as_of]
        return sorted(closed, key=lambda s: s.completed or as_of)

    def take_over(self, previous: TeamData, *, most: float = 0.1) -> bool:
        """Take over what calculators derived from ``previous``, the same team a pass earlier, updated
        for the histories that differ (by key; a history object kept from ``previous`` is unchanged).

        Recomputing a 100,000-issue team after one issue changed then costs that issue, not a new
        index. Nothing is taken over (False) when the board's sprints, done column or time zone
        changed, or when more than ``most`` of the histories did: building afresh is cheaper then.
        ``previous`` loses what it derived; it must not be measured again.
        """
        if self._derived or previous is self:
            return False
        same = (previous.tz, tuple(previous.sprints), previous.done_status_ids)
        if same != (self.tz, tuple(self.sprints), self.done_status_ids):
            return False
        changes = history_changes(previous.histories, self.histories, most=most)
        if changes is None:
            return False
        for name, derived in previous._derived.items():
            if isinstance(derived, Successor) and (kept := derived.succeed(self, changes)) is not None:
                self._derived[name] = kept
        previous._derived.clear()
        return True


@dataclass(frozen=True)
class HistoryChanges:
    """How a team's histories differ from those of the same team a pass earlier.

    ``removed`` are the histories no longer in the team and the old versions of changed ones;
    ``added`` the new histories and the new versions of changed ones. ``since`` is the earliest
    instant at which any of them differ (see :func:`kpiokr.history.first_difference`); ``None`` when
    none does: anything measured before ``since`` still holds.
    """

    removed: tuple[IssueHistory, ...] = ()
    added: tuple[IssueHistory, ...] = ()
    since: datetime | None = None


@runtime_checkable
class Successor(Protocol):
    """Something derived from a :class:`TeamData` that can follow the team into its next version."""

    def succeed(self, team: TeamData, changes: HistoryChanges) -> object | None:
        """This, updated for ``changes`` to serve ``team``; ``None`` to leave it behind."""
        ...


def history_changes(
    old: Sequence[IssueHistory], new: Sequence[IssueHistory], *, most: float = 1.0
) -> HistoryChanges | None:
    """What differs between two versions of a team's histories, matched by key; ``None`` when keys
    repeat or more than ``most`` of the issues (of either version) differ.

    When every issue kept its place (the usual case) only the places holding another object are
    looked at, and keys are not checked for repeats: repeated in ``new``, they were in ``old``.
    """
    same_place = [i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a is not b]
    if len(old) == len(new) and all(old[i].key == new[i].key for i in same_place):
        if len(same_place) > most * max(len(old), 1):
            return None
        removed, added = [old[i] for i in same_place], [new[i] for i in same_place]
        before = {h.key: h for h in removed}
    else:
        before = {history.key: history for history in old}
        after = {history.key: history for history in new}
        if len(before) != len(old) or len(after) != len(new):
            return None
        removed = [history for key, history in before.items() if after.get(key) is not history]
        added = [history for key, history in after.items() if before.get(key) is not history]
        differing = len({h.key for h in removed} | {h.key for h in added})
        if differing > most * len(before.keys() | after.keys()):
            return None
    after = {h.key: h for h in added}
    since: datetime | None = None
    for history in removed:
        counterpart = after.get(history.key)
        differs = history.created if counterpart is None else first_difference(history, counterpart)
        if differs is not None and (since is None or differs < since):
            since = differs
    for history in added:
        if history.key not in before and (since is None or history.created < since):
            since = history.created
    return HistoryChanges(tuple(removed), tuple(added), since)


@dataclass(frozen=True)
class Measurement:
    """What a calculator found: the value (``None`` when there was nothing to measure) and details.

    ``details`` carries the supporting figures a report shows (per-sprint commitment and completed,
    ageing issue keys, ...); ``sample_size`` is how many issues or sprints the value rests on.
    ``without_history`` is how many of the issues measured hold a status or resolution their change
    log does not explain (see :attr:`kpiokr.history.IssueHistory.undocumented`): a data-quality figure.
    ``completed_changelogs`` is how many of them had a change log that came back cut and had to be
    completed (see :attr:`kpiokr.history.IssueHistory.completed_changelog`): another one.
    ``longest`` names the issues that took longest, with each one's figure in the KPI's unit, longest
    first (at most :data:`LONGEST`), for the calculators that time issues.
    """

    value: float | None
    sample_size: int = 0
    details: Mapping[str, object] = field(default_factory=dict)
    without_history: int = 0
    longest: tuple[tuple[str, float], ...] = ()
    completed_changelogs: int = 0


#: How many issues :attr:`Measurement.longest` names at most.
LONGEST = 10


def longest(figures: Iterable[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    """The :data:`LONGEST` largest of ``(issue key, figure)``, largest first (ties by key)."""
    return tuple(sorted(figures, key=lambda pair: (-pair[1], pair[0]))[:LONGEST])


class Calculator(Protocol):
    """Computes one KPI value from team data, for a window ending at ``as_of``.

    ``kind``, ``unit`` and ``direction`` are read-only members, so class constants (``ClassVar``)
    and frozen dataclass fields both satisfy the protocol.
    """

    @property
    def kind(self) -> str: ...

    @property
    def unit(self) -> str: ...

    @property
    def direction(self) -> Direction: ...

    def measure(self, team: TeamData, window: Window, as_of: datetime) -> Measurement:
        """The KPI's value over ``window`` ending at ``as_of``."""
        ...


def window_start(window: Window, team: TeamData, as_of: datetime) -> datetime | None:
    """The first instant of ``window`` ending at ``as_of``; ``None`` if too few sprints have closed.

    A sprint window starts when the oldest of its sprints started.
    """
    if window.days is not None:
        return as_of - timedelta(days=window.days)
    closed = team.closed_sprints(as_of)
    if not closed:
        return None
    oldest = closed[-(window.sprints or 1) :][0]
    return oldest.start


class KpiStatus(enum.Enum):
    """A KPI's health against its target and guardrail threshold."""

    HEALTHY = "healthy"
    WARNING = "warning"
    BREACH = "breach"
    NO_DATA = "no data"


class Trend(enum.Enum):
    """Where a KPI is heading, judged by its direction."""

    IMPROVING = "improving"
    STABLE = "stable"
    WORSENING = "worsening"
    UNKNOWN = "unknown"


#: A relative change smaller than this between two windows counts as stable.
STABLE_BAND = 0.05


@dataclass(frozen=True)
class KpiDefinition:
    """A KPI as a team defines it: what is measured, which way is good, and where the lines are."""

    key: str
    name: str
    calculator: Calculator
    target: float
    threshold: float
    window: Window
    owner: str | None = None
    unit: str | None = None
    direction_override: Direction | None = None
    trend_points: int = 4

    def __post_init__(self) -> None:
        direction = self.direction
        if self.target != self.threshold and not direction.better(self.target, self.threshold):
            raise ValueError(
                f"KPI {self.key}: the target {self.target} must be better than the guardrail threshold "
                f"{self.threshold} ({direction.value} is better)"
            )

    @property
    def direction(self) -> Direction:
        """Whether a larger value is better: the definition's own say, else the calculator's."""
        return self.direction_override or self.calculator.direction

    @property
    def display_unit(self) -> str:
        """The unit to show: the definition's own, else the calculator's."""
        return self.unit or self.calculator.unit


@dataclass(frozen=True)
class KpiResult:
    """A KPI evaluated at one instant, with its recent history for the trend."""

    definition: KpiDefinition
    as_of: datetime
    measurement: Measurement
    status: KpiStatus
    trend: Trend
    series: tuple[tuple[datetime, float | None], ...]

    @property
    def value(self) -> float | None:
        """The KPI value at ``as_of``."""
        return self.measurement.value


def kpi_status(value: float | None, definition: KpiDefinition) -> KpiStatus:
    """Healthy at or beyond the target, breach beyond the threshold, warning in between."""
    if value is None:
        return KpiStatus.NO_DATA
    direction = definition.direction
    if not direction.better(definition.target, value):
        return KpiStatus.HEALTHY
    if direction.better(definition.threshold, value):
        return KpiStatus.BREACH
    return KpiStatus.WARNING


def trend_of(series: Sequence[float | None], direction: Direction) -> Trend:
    """Compare the latest value (last) with the one before it."""
    known = [v for v in series[-2:] if v is not None]
    if len(series) < 2 or len(known) < 2:
        return Trend.UNKNOWN
    previous, latest = known
    scale = abs(previous) or abs(latest) or 1.0
    if abs(latest - previous) / scale < STABLE_BAND:
        return Trend.STABLE
    return Trend.IMPROVING if direction.better(latest, previous) else Trend.WORSENING


def trend_instants(definition: KpiDefinition, team: TeamData, as_of: datetime) -> list[datetime]:
    """The instants the trend is sampled at, oldest first, ending with ``as_of``.

    Day windows step back one window at a time; sprint windows step back one closed sprint.
    """
    window = definition.window
    steps = max(definition.trend_points, 1)
    if window.days is not None:
        return [as_of - timedelta(days=window.days * k) for k in reversed(range(steps))]
    closed = team.closed_sprints(as_of)
    earlier = [s.completed - timedelta(microseconds=1) for s in reversed(closed) if s.completed][: steps - 1]
    return [*reversed(earlier), as_of]


def evaluate_kpi(definition: KpiDefinition, team: TeamData, as_of: datetime) -> KpiResult:
    """Measure a KPI at ``as_of`` and at its trend instants, and judge its status and trend."""
    instants = trend_instants(definition, team, as_of)
    measurements = [definition.calculator.measure(team, definition.window, t) for t in instants]
    latest = measurements[-1]
    series = tuple((t, m.value) for t, m in zip(instants, measurements, strict=True))
    return KpiResult(
        definition=definition,
        as_of=as_of,
        measurement=latest,
        status=kpi_status(latest.value, definition),
        trend=trend_of([v for _, v in series], definition.direction),
        series=series,
    )
