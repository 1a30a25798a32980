"""Forecast of a key result graded from a number (a field, a KPI): a trend on its own daily series.

The slope is the Theil-Sen slope of the daily grades (the median of the slopes between every pair of
days, so a single jump, such as a number edited once a week, does not tilt it). The daily steps
around that slope then say which of two shapes the series has:

- **Progress that accumulates** (the usual case; steps not negatively correlated): a random walk
  with a drift. The projection continues the latest grade at the slope to the cycle's last day;
  after ``h`` more days the final grade varies by ``s * sqrt(h + h**2 / span)``, ``s`` the spread of
  the steps (per day) around the slope: the steps still to come plus the slope's own uncertainty
  over the ``span`` days observed. Student's t with one degree of freedom less than the steps.
- **A level measured with noise** (a noisy KPI; consecutive steps correlated below
  :data:`NOISY_LEVEL`, as each day's noise is undone by the next): the Theil-Sen line extended to
  the last day, with the least-squares prediction interval ``s * sqrt(1 + 1/n + (x - mean)**2 / Sxx)``
  from the residuals around the line, Student's t with ``n - 2`` degrees of freedom.

The interval is the central 80 %, the probability of success that of the t distribution at or above
the success grade; both, like the projection, are clamped to [0, 1].
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from datetime import date
from statistics import median

from kpiokr.forecasting.model import (
    LEVEL,
    RUNS,
    Forecast,
    clamp,
    known_forecast,
    t_cdf,
    t_quantile,
)

#: Fewer daily figures than this give no probability, only the latest grade and a note.
MIN_SERIES_POINTS = 5

#: Daily steps whose lag-1 autocorrelation is below this come from a level measured with noise.
NOISY_LEVEL = -0.3

METHOD = "trend"


def forecast_from_series(
    points: Sequence[tuple[date, float | None]],
    *,
    start: date,
    end: date,
    as_of: date,
    success_at: float,
    runs: int = RUNS,
    seed: int = 0,
) -> Forecast:
    """Forecast the grade at the end of the cycle ``start``..``end`` (``end`` excluded) from ``points``.

    ``points`` are the key result's daily grades, ``(day, grade at the end of that day)``, as the daily
    series keeps them; days outside the cycle, after ``as_of`` or without a grade are left out (a day
    given twice counts once, its last figure).
    ``runs`` simulated final grades are kept (seeded by ``seed``) for combining into an objective.
    """
    total = (end - start).days
    if total < 1:
        raise ValueError(f"the cycle must end after it starts ({start} to {end})")
    by_day = {day: value for day, value in points if value is not None and start <= day < end and day <= as_of}
    known = sorted(by_day.items())
    xs = [float((day - start).days + 1) for day, _ in known]
    ys = [value for _, value in known]
    if xs and xs[-1] >= total:
        return known_forecast(ys[-1], success_at, METHOD, len(xs), runs)
    if len(xs) < MIN_SERIES_POINTS:
        latest = clamp(ys[-1]) if ys else 0.0
        note = f"only {len(xs)} daily grade(s) so far; a trend needs {MIN_SERIES_POINTS}"
        return Forecast(latest, latest, 1.0, None, success_at, METHOD, len(xs), note)
    centre, spread, df = _project(xs, ys, total)
    half = t_quantile((1 + LEVEL) / 2, df) * spread
    if spread > 0:
        probability = 1.0 - t_cdf((success_at - centre) / spread, df)
    else:
        probability = 1.0 if centre >= success_at else 0.0
    draws = _draws(centre, spread, df, runs, seed)
    low, high = clamp(centre - half), clamp(centre + half)
    return Forecast(clamp(centre), low, high, probability, success_at, METHOD, len(xs), "", LEVEL, draws)


def theil_sen_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """The median of the slopes between every pair of points with distinct ``xs``."""
    slopes = [
        (ys[j] - ys[i]) / (xs[j] - xs[i]) for i in range(len(xs)) for j in range(i + 1, len(xs)) if xs[j] != xs[i]
    ]
    if not slopes:
        raise ValueError("a slope needs two points on different days")
    return median(slopes)


def _project(xs: Sequence[float], ys: Sequence[float], total: int) -> tuple[float, float, int]:
    """The final grade's centre, spread (one standard error) and degrees of freedom, at day ``total``."""
    slope = theil_sen_slope(xs, ys)
    steps = _steps_around(xs, ys, slope)
    if lag_one_correlation(steps) < NOISY_LEVEL:
        intercept = median(y - slope * x for x, y in zip(xs, ys, strict=True))
        residuals = [y - intercept - slope * x for x, y in zip(xs, ys, strict=True)]
        scale = math.sqrt(math.fsum(r * r for r in residuals) / (len(xs) - 2))
        mean_x = math.fsum(xs) / len(xs)
        sxx = math.fsum((x - mean_x) ** 2 for x in xs)
        spread = scale * math.sqrt(1 + 1 / len(xs) + (total - mean_x) ** 2 / sxx)
        return intercept + slope * total, spread, len(xs) - 2
    horizon = total - xs[-1]
    scale = math.sqrt(math.fsum(e * e for e in steps) / (len(steps) - 1))
    spread = scale * math.sqrt(horizon + horizon**2 / (xs[-1] - xs[0]))
    return ys[-1] + slope * horizon, spread, len(steps) - 1


def lag_one_correlation(values: Sequence[float]) -> float:
    """The lag-1 autocorrelation of ``values`` (0.0 when they do not vary)."""
    mean = math.fsum(values) / len(values)
    centred = [v - mean for v in values]
    denominator = math.fsum(c * c for c in centred)
    if denominator == 0:
        return 0.0
    return math.fsum(a * b for a, b in itertools.pairwise(centred)) / denominator


def _steps_around(xs: Sequence[float], ys: Sequence[float], slope: float) -> list[float]:
    """Each step between consecutive figures less the slope's, per square root of the days it spans."""
    return [
        ((y1 - y0) - slope * (x1 - x0)) / math.sqrt(x1 - x0)
        for x0, x1, y0, y1 in zip(xs, xs[1:], ys, ys[1:], strict=False)
    ]


def _draws(centre: float, spread: float, df: int, runs: int, seed: int) -> tuple[float, ...]:
    """``runs`` final grades from the t distribution around ``centre``, clamped to [0, 1]."""
    rng = random.Random(seed)
    draws = []
    for _ in range(runs):
        t = rng.gauss(0.0, 1.0) / math.sqrt(rng.gammavariate(df / 2, 2.0) / df)
        draws.append(clamp(centre + spread * t))
    return tuple(draws)
