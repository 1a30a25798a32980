"""What a forecast says: a key result's or objective's grade at cycle end, with an interval.

Shared by the trend and throughput forecasts: the :class:`Forecast` value, its interval level,
and the Student t quantile the trend's prediction interval needs (the standard library has the
normal distribution only).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

from kpiokr.calculators.stats import percentile

#: The central probability of every forecast interval: 80 %, from the 10th to the 90th percentile.
LEVEL = 0.8

#: How many simulated final grades a forecast keeps for combining key results into an objective.
RUNS = 2000

#: A draw counts as reaching success when it is at most this far below the success grade
#: (floating-point sums of point shares are not exact).
_EPSILON = 1e-9


@dataclass(frozen=True)
class Forecast:
    """A grade projected to the end of the cycle.

    ``projection`` is the expected final grade, ``low``..``high`` the interval holding the final grade
    with probability ``level``, all within [0, 1]. ``probability`` is the chance of ending at or above
    ``success_at`` (0.7 for stretch objectives, 1.0 for committed ones); ``None`` when the data are too
    thin to say, which ``note`` then explains. ``method`` names how it was made ("trend",
    "monte-carlo throughput", "key results combined"); ``sample_size`` is how many daily figures it
    rests on. ``draws`` are simulated final grades (empty when too thin), kept to combine forecasts.
    """

    projection: float
    low: float
    high: float
    probability: float | None
    success_at: float
    method: str
    sample_size: int
    note: str = ""
    level: float = LEVEL
    draws: tuple[float, ...] = field(default=(), repr=False, compare=False)

    @property
    def thin(self) -> bool:
        """True when the data were too thin for a probability."""
        return self.probability is None


def clamp(value: float) -> float:
    """``value`` held within [0, 1], the range of a grade."""
    return min(max(value, 0.0), 1.0)


def reached(draws: Sequence[float], success_at: float) -> float:
    """The share of ``draws`` at or above ``success_at``."""
    return sum(1 for d in draws if d >= success_at - _EPSILON) / len(draws)


def draw_interval(draws: Sequence[float], level: float = LEVEL) -> tuple[float, float]:
    """The central ``level`` interval of ``draws`` (percentiles, interpolated)."""
    ordered = sorted(draws)
    tail = (1.0 - level) / 2 * 100.0
    return percentile(ordered, tail), percentile(ordered, 100.0 - tail)


def known_forecast(value: float, success_at: float, method: str, sample_size: int, runs: int = RUNS) -> Forecast:
    """The forecast of a grade that is already final (the cycle is over): no spread at all."""
    grade = clamp(value)
    probability = 1.0 if grade >= success_at - _EPSILON else 0.0
    return Forecast(
        grade, grade, grade, probability, success_at, method, sample_size, "the cycle is over", draws=(grade,) * runs
    )


def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom.

    Cornish-Fisher expansion around the normal quantile (Abramowitz and Stegun 26.7.5): within 0.005
    of the exact value from 2 degrees of freedom on for the 80 % and 95 % intervals used here.
    """
    if df < 1:
        raise ValueError("a t quantile needs at least one degree of freedom")
    z = NormalDist().inv_cdf(p)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def t_cdf(x: float, df: int) -> float:
    """The probability that Student's t with ``df`` degrees of freedom is at most ``x``.

    Inverts :func:`t_quantile` by bisection, so the two agree exactly.
    """
    if math.isinf(x):
        return 1.0 if x > 0 else 0.0
    low, high = 1e-12, 1.0 - 1e-12
    if x <= t_quantile(low, df):
        return 0.0
    if x >= t_quantile(high, df):
        return 1.0
    for _ in range(60):
        middle = (low + high) / 2
        if t_quantile(middle, df) < x:
            low = middle
        else:
            high = middle
    return (low + high) / 2
