"""Each objective's and key result's forecast at cycle end, and the early warning it gives.

Key results graded by child completion (issues) or estimate completion (points) are forecast by
Monte Carlo over the team's daily throughput of the last weeks; every other key result (a number
field, a KPI, a query count, a milestone) by the trend of its own daily grades. The objective's
forecast combines its key results' by weight (:mod:`kpiokr.forecasting`).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kpiokr.forecasting import (
    EarlyWarning,
    Forecast,
    early_warning,
    forecast_from_series,
    forecast_from_throughput,
    objective_forecast,
)
from kpiokr.okr import ChildCompletion, EstimateCompletion, KeyResult, Objective, ObjectiveScore
from sync.app.results import TeamResult
from sync.app.reviews.timeline import TeamTimeline
from sync.mapping import CycleSection

_DONE = re.compile(r"^([0-9.]+)/([0-9.]+) (issues|points) done")


@dataclass(frozen=True)
class Outlook:
    """One objective at a review: its score, its forecast and its key results', and any early warning."""

    objective: Objective
    score: ObjectiveScore
    forecast: Forecast
    key_results: tuple[tuple[KeyResult, Forecast], ...]
    warning: EarlyWarning | None


def _seed(key: str) -> int:
    return zlib.crc32(key.encode())


def _key_result(
    timeline: TeamTimeline, kr: KeyResult, progress: str, cycle: CycleSection, *, as_of: datetime, success_at: float
) -> Forecast:
    day = as_of.astimezone(timeline.tz).date()
    end = cycle.end + timedelta(days=1)
    done = _DONE.match(progress)
    if isinstance(kr.measure, ChildCompletion | EstimateCompletion) and done is not None:
        history = timeline.throughput(as_of, cycle, points=done[3] == "points")
        return forecast_from_throughput(
            float(done[1]), float(done[2]), history, as_of=day, end=end, success_at=success_at, seed=_seed(kr.key)
        )
    series = timeline.series([f"key_result:{kr.key}"], cycle.start, day, cycle)[f"key_result:{kr.key}"]
    return forecast_from_series(
        series, start=cycle.start, end=end, as_of=day, success_at=success_at, seed=_seed(kr.key)
    )


def outlooks(timeline: TeamTimeline, result: TeamResult, cycle: CycleSection) -> list[Outlook]:
    """The outlook of every objective of ``result`` (evaluated at its ``as_of`` against ``cycle``)."""
    found = []
    for objective, score in result.objectives:
        success_at = objective.ambition.success_score
        progress = {s.key: s.progress for s in score.key_results}
        forecasts = tuple(
            (kr, _key_result(timeline, kr, progress.get(kr.key, ""), cycle, as_of=result.as_of, success_at=success_at))
            for kr in objective.key_results
        )
        combined = objective_forecast(
            [(kr.weight, f) for kr, f in forecasts], success_at=success_at, seed=_seed(objective.key)
        )
        found.append(Outlook(objective, score, combined, forecasts, early_warning(combined, score.status)))
    return found


def forecast_json(forecast: Forecast) -> dict[str, Any]:
    """A forecast as the review's JSON gives it."""
    return {
        "projection": round(forecast.projection, 3),
        "low": round(forecast.low, 3),
        "high": round(forecast.high, 3),
        "level": forecast.level,
        "probability_of_success": None if forecast.probability is None else round(forecast.probability, 3),
        "success_at": forecast.success_at,
        "method": forecast.method,
        "sample_size": forecast.sample_size,
        "note": forecast.note,
    }


def forecast_line(f: dict[str, Any]) -> str:
    """A forecast's JSON as a line: ``0.74 (0.61-0.86), P(≥ 0.7) 62%, trend, n = 40`` (and its note)."""
    chance = (
        "" if f["probability_of_success"] is None else f", P(≥ {f['success_at']:g}) {f['probability_of_success']:.0%}"
    )
    note = f"; {f['note']}" if f["note"] else ""
    interval = f"{f['low']:.2f}-{f['high']:.2f}"
    return f"{f['projection']:.2f} ({interval}), {f['method']}, n = {f['sample_size']}{chance}{note}"
