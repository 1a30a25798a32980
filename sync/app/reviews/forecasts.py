"""Forecasts as the reviews print them: a JSON object and a one-line summary.

The forecasts themselves (:func:`sync.app.forecasts.outlooks`) are the ones the objective
properties carry: a trend on the key result's daily grades, or Monte Carlo over the team's
throughput for key results graded by completion.
"""

from __future__ import annotations

from typing import Any

from kpiokr.forecasting import Forecast


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
