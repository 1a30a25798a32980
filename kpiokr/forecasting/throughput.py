"""Forecast of a key result graded by completed children (issues or points): Monte Carlo throughput.

Each run draws, for every day left in the cycle, one day of the team's past daily throughput (with
replacement, the zero days included) and adds them to what is done; the final grade is done over
total, at most 1. The projection is the median run, the interval the central 80 % of the runs, the
probability the share of runs at or above success. The scope is taken as it stands: children added
later lower the grade the forecast promised.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from statistics import median

from kpiokr.forecasting.model import LEVEL, RUNS, Forecast, clamp, draw_interval, known_forecast, reached

#: Fewer days of throughput history than this give no probability, only the current grade and a note.
MIN_THROUGHPUT_DAYS = 14

METHOD = "monte-carlo throughput"


def forecast_from_throughput(
    done: float,
    total: float,
    daily_throughput: Sequence[float],
    *,
    as_of: date,
    end: date,
    success_at: float,
    runs: int = RUNS,
    seed: int = 0,
) -> Forecast:
    """Forecast ``done`` over ``total`` at the end of the cycle (``end`` excluded), as of the end of ``as_of``.

    ``daily_throughput`` is how much (issues or points, like ``done``) the team completed on each of its
    past days, one figure a calendar day. ``runs`` simulated cycles are drawn with ``random.Random(seed)``,
    so the same inputs give the same forecast; a larger ``done`` never lowers the probability.
    """
    if total <= 0:
        return Forecast(0.0, 0.0, 1.0, None, success_at, METHOD, 0, "nothing to complete yet")
    current = clamp(done / total)
    left = (end - as_of).days - 1
    if left <= 0:
        return known_forecast(current, success_at, METHOD, len(daily_throughput), runs)
    history = list(daily_throughput)
    if len(history) < MIN_THROUGHPUT_DAYS:
        note = f"only {len(history)} day(s) of throughput history; a simulation needs {MIN_THROUGHPUT_DAYS}"
        return Forecast(current, current, 1.0, None, success_at, METHOD, len(history), note)
    rng = random.Random(seed)
    draws = tuple(clamp((done + sum(rng.choices(history, k=left))) / total) for _ in range(runs))
    low, high = draw_interval(draws)
    projection = median(draws)
    return Forecast(
        projection, low, high, reached(draws, success_at), success_at, METHOD, len(history), "", LEVEL, draws
    )
