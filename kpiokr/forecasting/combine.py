"""An objective's forecast from its key results' forecasts, and the early warning a forecast gives.

The objective's grade is the weighted mean of its key results' grades, so its forecast is the
weighted mean of their simulated final grades, run by run. Each key result's draws are first
shuffled with a seed of their own, so key results are combined as if they varied independently
(forecasts made with the same seed would otherwise move in lockstep).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from kpiokr.forecasting.model import LEVEL, Forecast, clamp, draw_interval, reached
from kpiokr.okr import ObjectiveStatus

METHOD = "key results combined"


def objective_forecast(weighted: Sequence[tuple[float, Forecast]], *, success_at: float, seed: int = 0) -> Forecast:
    """Combine ``(weight, key-result forecast)`` pairs into the objective's forecast.

    The projection is the weighted mean of the projections. When every key result has simulated
    draws, the interval and the probability come from the weighted draws; when one is too thin, the
    probability is ``None`` and the interval is the weighted mean of the key results' bounds (as if
    they all fell, or all rose, together: the widest it can be).
    """
    if not weighted:
        return Forecast(0.0, 0.0, 1.0, None, success_at, METHOD, 0, "no key results")
    if any(weight <= 0 for weight, _ in weighted):
        raise ValueError("key-result weights must be positive")
    total = sum(weight for weight, _ in weighted)
    shares = [(weight / total, forecast) for weight, forecast in weighted]
    projection = clamp(sum(share * f.projection for share, f in shares))
    sample = sum(f.sample_size for _, f in shares)
    thin = [f for _, f in shares if f.thin or not f.draws]
    if thin:
        low = sum(share * f.low for share, f in shares)
        high = sum(share * f.high for share, f in shares)
        note = f"{len(thin)} of {len(shares)} key results have too little data for a probability"
        return Forecast(projection, min(low, projection), max(high, projection), None, success_at, METHOD, sample, note)
    runs = min(len(f.draws) for _, f in shares)
    columns = []
    for index, (share, forecast) in enumerate(shares):
        shuffled = list(forecast.draws[:runs])
        random.Random(f"{seed}:{index}").shuffle(shuffled)
        columns.append([share * d for d in shuffled])
    draws = tuple(clamp(sum(run)) for run in zip(*columns, strict=True))
    low, high = draw_interval(draws)
    return Forecast(
        projection,
        min(low, projection),
        max(high, projection),
        reached(draws, success_at),
        success_at,
        METHOD,
        sample,
        "",
        LEVEL,
        draws,
    )


@dataclass(frozen=True)
class EarlyWarning:
    """A forecast below success while the pace still says on track."""

    projection: float
    success_at: float
    probability: float | None
    message: str


def early_warning(forecast: Forecast, pace_status: ObjectiveStatus) -> EarlyWarning | None:
    """Warn when ``forecast`` projects a grade below success although ``pace_status`` is on track.

    Nothing when the pace already says at risk or off track (the status tells it), or when the
    forecast is too thin to say.
    """
    if pace_status is not ObjectiveStatus.ON_TRACK or forecast.thin:
        return None
    if forecast.projection >= forecast.success_at:
        return None
    chance = "" if forecast.probability is None else f", a {forecast.probability:.0%} chance of reaching it"
    message = (
        f"on track by pace, but the {forecast.method} forecast ends the cycle at {forecast.projection:.2f} "
        f"({forecast.low:.2f}-{forecast.high:.2f}) below success {forecast.success_at:.1f}{chance}"
    )
    return EarlyWarning(forecast.projection, forecast.success_at, forecast.probability, message)
