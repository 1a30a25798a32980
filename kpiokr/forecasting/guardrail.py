"""Early warning that a guardrail KPI is heading for its threshold, with noise told from signal.

Two methods look at the KPI's daily series up to ``as_of``:

- **XmR control limits** (individuals and moving ranges): the centre line is the mean of the
  values, the natural process limits are the centre plus or minus 2.66 times the mean moving range
  (the mean absolute difference between consecutive days). The series shows a *signal* towards the
  guardrail when one of the last :data:`RECENT_POINTS` values lies beyond the limit on the
  guardrail's side, or when the last :data:`RUN_LENGTH` values all lie on that side of the centre
  line. Without such a signal, movement is routine variation and nothing is reported.
- **Trend line**: the least-squares line through the series; it *reaches* the guardrail when it
  crosses the threshold, moving the wrong way, within the horizon.

A warning fires only with a signal: named "trend line" when the line reaches the threshold within
the horizon (with the weeks it takes), else "XmR control limits" when the limit on the guardrail's
side lies beyond the threshold (the process as it now runs can cross it). A KPI already beyond its
threshold is in breach, reported as such, not warned about.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kpiokr.kpi import Direction

#: Wheeler's scaling constant from the mean moving range to three-sigma limits (3 / d2, d2 = 1.128).
XMR_SCALE = 2.66
#: A run of this many values on one side of the centre line is a signal.
RUN_LENGTH = 8
#: A value beyond a limit among this many latest values is a signal.
RECENT_POINTS = 7
#: Fewer daily values than this give no warning.
MIN_GUARDRAIL_POINTS = 10


@dataclass(frozen=True)
class ControlLimits:
    """An XmR chart's centre line, natural process limits and mean moving range."""

    centre: float
    lower: float
    upper: float
    moving_range: float

    def worse_limit(self, direction: Direction) -> float:
        """The limit on the worse side of the centre line, ``direction`` saying which way is better."""
        return self.lower if direction is Direction.HIGHER_IS_BETTER else self.upper


@dataclass(frozen=True)
class GuardrailWarning:
    """A KPI heading for its guardrail: which method fired, the XmR rule that showed a signal.

    ``weeks_to_threshold`` is how long the trend line takes to reach the threshold (``None`` when the
    control limits fired).
    """

    method: str
    signal: str
    weeks_to_threshold: float | None
    limits: ControlLimits
    message: str


def xmr_limits(values: Sequence[float]) -> ControlLimits:
    """The XmR chart of ``values``: their mean, and the mean plus or minus 2.66 mean moving ranges."""
    if len(values) < 2:
        raise ValueError("control limits need at least two values")
    centre = math.fsum(values) / len(values)
    moving = math.fsum(abs(b - a) for a, b in itertools.pairwise(values)) / (len(values) - 1)
    return ControlLimits(centre, centre - XMR_SCALE * moving, centre + XMR_SCALE * moving, moving)


def xmr_signal(values: Sequence[float], limits: ControlLimits, direction: Direction) -> str | None:
    """The rule showing a signal on the worse side of ``limits`` among the latest ``values``, if any."""
    worse_limit = limits.worse_limit(direction)

    def worse(value: float, than: float) -> bool:
        return direction.better(than, value)

    if any(worse(v, worse_limit) for v in values[-RECENT_POINTS:]):
        return f"a value beyond the natural process limit {worse_limit:g} in the last {RECENT_POINTS} days"
    recent = values[-RUN_LENGTH:]
    if len(recent) == RUN_LENGTH and all(worse(v, limits.centre) for v in recent):
        return f"the last {RUN_LENGTH} values on the worse side of the centre line {limits.centre:g}"
    return None


def guardrail_warning(
    series: Sequence[tuple[date, float | None]],
    threshold: float,
    direction: Direction,
    *,
    as_of: date,
    horizon_weeks: float = 4,
) -> GuardrailWarning | None:
    """Warn when a KPI's daily ``series`` is heading for its guardrail ``threshold`` within ``horizon_weeks``.

    ``direction`` says which way is better. ``None`` when there is no signal, no threshold in reach,
    fewer than :data:`MIN_GUARDRAIL_POINTS` values up to ``as_of``, or the KPI is already in breach.
    """
    by_day = {day: value for day, value in series if value is not None and day <= as_of}
    known = sorted(by_day.items())
    if len(known) < MIN_GUARDRAIL_POINTS or direction.better(threshold, known[-1][1]):
        return None
    values = [value for _, value in known]
    limits = xmr_limits(values)
    signal = xmr_signal(values, limits, direction)
    if signal is None:
        return None
    days = _days_to_threshold([float((day - known[0][0]).days) for day, _ in known], values, threshold, direction)
    if days is not None and days <= horizon_weeks * 7:
        weeks = days / 7
        message = f"the trend line reaches the guardrail {threshold:g} in {weeks:.1f} weeks; signal: {signal}"
        return GuardrailWarning("trend line", signal, weeks, limits, message)
    worse_limit = limits.worse_limit(direction)
    if direction.better(threshold, worse_limit):
        message = (
            f"the natural process limit {worse_limit:g} lies beyond the guardrail {threshold:g}, so routine "
            f"variation can cross it; signal: {signal}"
        )
        return GuardrailWarning("XmR control limits", signal, None, limits, message)
    return None


def _days_to_threshold(
    xs: Sequence[float], ys: Sequence[float], threshold: float, direction: Direction
) -> float | None:
    """Days from the last of ``xs`` until the least-squares line crosses ``threshold`` getting worse."""
    mean_x, mean_y = math.fsum(xs) / len(xs), math.fsum(ys) / len(ys)
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    if slope == 0 or direction.better(slope, 0.0):
        return None
    now = mean_y + slope * (xs[-1] - mean_x)
    return max((threshold - now) / slope, 0.0)
