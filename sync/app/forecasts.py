"""Each objective's and key result's forecast at cycle end, and the early warning it gives.

Key results graded by child completion (issues) or estimate completion (points) are forecast by
Monte Carlo over the team's daily throughput of the last weeks; every other key result (a number
field, a KPI, a query count, a milestone) by the trend of its own daily grades. The objective's
forecast combines its key results' by weight (:mod:`kpiokr.forecasting`).

Where the daily grades and the throughput come from is a :class:`ForecastSource`: the reviews'
timeline (which evaluates the days the store lacks) or the stored series a sync pass has just
extended (:mod:`sync.app.properties.forecasts`).
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol

from kpiokr.forecasting import (
    EarlyWarning,
    Forecast,
    early_warning,
    forecast_from_series,
    forecast_from_throughput,
    objective_forecast,
)
from kpiokr.history import IssueHistory
from kpiokr.okr import ChildCompletion, EstimateCompletion, KeyResult, Objective, ObjectiveScore
from sync.app.results import TeamResult
from sync.mapping import CycleSection

#: A series by name (``kpi:<key>``, ``objective:<key>``, ``key_result:<key>``): (day, value) by day.
Series = list[tuple[date, float | None]]
#: Days of completed work a Monte Carlo forecast draws from.
THROUGHPUT_DAYS = 42
#: What a key result graded by completion has done of its total, and whether in estimate points.
Completion = tuple[float, float, bool]


class ForecastSource(Protocol):
    """A team's daily figures, as forecasts read them."""

    @property
    def tz(self) -> tzinfo:
        """The team's time zone: what day an instant falls on."""
        ...

    def series(self, names: Iterable[str], first: date, last: date, cycle: CycleSection) -> dict[str, Series]:
        """Daily values of each of ``names`` from ``first`` to ``last`` (within ``cycle``)."""
        ...

    def throughput(
        self, as_of: datetime, cycle: CycleSection, *, days: int = THROUGHPUT_DAYS, points: bool = False
    ) -> list[float]:
        """What the team completed on each of the ``days`` days up to ``as_of``: issues, or estimate ``points``."""
        ...


@dataclass(frozen=True)
class Outlook:
    """One objective: its score, its forecast and its key results', and any early warning."""

    objective: Objective
    score: ObjectiveScore
    forecast: Forecast
    key_results: tuple[tuple[KeyResult, Forecast], ...]
    warning: EarlyWarning | None


def daily_throughput(
    histories: Iterable[IssueHistory],
    done_status_ids: frozenset[str] | None,
    as_of: datetime,
    tz: tzinfo,
    *,
    days: int = THROUGHPUT_DAYS,
    points: bool = False,
) -> list[float]:
    """What ``histories`` show completed on each of the ``days`` days (in ``tz``) up to ``as_of``: issues,
    or their estimate ``points``."""
    last = as_of.astimezone(tz).date()
    first = last - timedelta(days=days - 1)
    per_day = [0.0] * days
    for history in histories:
        done = history.done_since(as_of, done_status_ids)
        if done is None:
            continue
        index = (done.astimezone(tz).date() - first).days
        if 0 <= index < days:
            per_day[index] += (history.estimate_at(as_of) or 0.0) if points else 1.0
    return per_day


def outlooks(source: ForecastSource, result: TeamResult, cycle: CycleSection) -> list[Outlook]:
    """The outlook of every objective of ``result`` (evaluated at its ``as_of`` against ``cycle``).

    ``source`` is asked once for the daily grades of every key result forecast by its trend, and at
    most once for the throughput in issues and once in points.
    """
    day = result.as_of.astimezone(source.tz).date()
    planned = [(objective, score, _completions(objective, score)) for objective, score in result.objectives]
    trended = [f"key_result:{kr.key}" for _, _, krs in planned for kr, done in krs if done is None]
    series = source.series(trended, cycle.start, day, cycle) if trended else {}

    @functools.cache
    def throughput(points: bool) -> list[float]:
        return source.throughput(result.as_of, cycle, points=points)

    found = []
    for objective, score, krs in planned:
        success_at = objective.ambition.success_score
        forecasts = tuple(
            (kr, _key_result(kr, completion, series, throughput, cycle, as_of=day, success_at=success_at))
            for kr, completion in krs
        )
        combined = _combined(objective, forecasts, success_at)
        found.append(Outlook(objective, score, combined, forecasts, early_warning(combined, score.status)))
    return found


def _key_result(
    kr: KeyResult,
    completion: Completion | None,
    series: Mapping[str, Series],
    throughput: Callable[[bool], list[float]],
    cycle: CycleSection,
    *,
    as_of: date,
    success_at: float,
) -> Forecast:
    """``kr``'s forecast: Monte Carlo over the ``throughput`` in issues or points from what it has done
    (its ``completion``), else the trend of its daily grades in ``series``."""
    end = cycle.end + timedelta(days=1)
    if completion is None:
        points = series[f"key_result:{kr.key}"]
        return forecast_from_series(
            points, start=cycle.start, end=end, as_of=as_of, success_at=success_at, seed=_seed(kr.key)
        )
    done, total, in_points = completion
    return forecast_from_throughput(
        done, total, throughput(in_points), as_of=as_of, end=end, success_at=success_at, seed=_seed(kr.key)
    )


def _completions(objective: Objective, score: ObjectiveScore) -> list[tuple[KeyResult, Completion | None]]:
    """Each key result of ``objective`` with its :data:`Completion` when it is graded by completion and
    has something to count (a Monte Carlo over throughput); ``None`` for a trend of its daily grades."""
    graded = {s.key: s for s in score.key_results}
    found: list[tuple[KeyResult, Completion | None]] = []
    for kr in objective.key_results:
        grade = graded.get(kr.key)
        completion = isinstance(kr.measure, ChildCompletion | EstimateCompletion)
        if completion and grade is not None and grade.done is not None and grade.total:
            found.append((kr, (grade.done, grade.total, isinstance(kr.measure, EstimateCompletion))))
        else:
            found.append((kr, None))
    return found


def _combined(objective: Objective, forecasts: Sequence[tuple[KeyResult, Forecast]], success_at: float) -> Forecast:
    return objective_forecast([(kr.weight, f) for kr, f in forecasts], success_at=success_at, seed=_seed(objective.key))


def _seed(key: str) -> int:
    return zlib.crc32(key.encode())
