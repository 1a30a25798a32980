"""Predictive power: does a guardrail KPI's health early in a cycle predict the grades it guards?

Over past cycles, each pair holds the KPI's health in a cycle's first half and the final grade of
an objective it guards. The figure is Spearman's rank correlation (ties take their mean rank) with
a 95 % confidence interval from Fisher's z transform, using the standard error 1.06 / sqrt(n - 3)
that suits Spearman's coefficient (Fieller, Hartley and Pearson, 1957). The verdict is "signal"
when the interval excludes zero (the sign says which way), else "no signal"; below
:data:`MIN_PAIRS` pairs it is "not enough history (n = ...)" and no figure is given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist

from kpiokr.kpi import Direction

#: Fewer (health, grade) pairs than this give no figure: the interval would span most of [-1, 1].
MIN_PAIRS = 10

SIGNAL = "signal"
NO_SIGNAL = "no signal"


@dataclass(frozen=True)
class PredictivePower:
    """Spearman's ``rho`` between early KPI health and final grades, its interval, ``n`` and the verdict.

    ``rho``, ``low`` and ``high`` are ``None`` when there are too few pairs or no variation to rank.
    """

    n: int
    rho: float | None
    low: float | None
    high: float | None
    verdict: str
    level: float = 0.95


def ranks(values: Sequence[float]) -> list[float]:
    """The rank of each value, 1 for the smallest; tied values share their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            result[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return result


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's rank correlation of ``xs`` and ``ys``; ``None`` when either does not vary."""
    if len(xs) != len(ys):
        raise ValueError("spearman needs as many xs as ys")
    rx, ry = ranks(xs), ranks(ys)
    n = len(rx)
    if n < 2:
        return None
    mx, my = math.fsum(rx) / n, math.fsum(ry) / n
    sxy = math.fsum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx = math.fsum((a - mx) ** 2 for a in rx)
    syy = math.fsum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def predictive_power(pairs: Sequence[tuple[float, float]], *, level: float = 0.95) -> PredictivePower:
    """Judge whether the first figure of each ``(early health, final grade)`` pair predicts the second."""
    n = len(pairs)
    if n < MIN_PAIRS:
        return PredictivePower(n, None, None, None, f"not enough history (n = {n}, at least {MIN_PAIRS} needed)", level)
    rho = spearman([h for h, _ in pairs], [g for _, g in pairs])
    if rho is None:
        return PredictivePower(n, None, None, None, f"{NO_SIGNAL} (no variation to rank)", level)
    z = math.atanh(max(min(rho, 0.999999), -0.999999))
    half = NormalDist().inv_cdf((1 + level) / 2) * 1.06 / math.sqrt(n - 3)
    low, high = math.tanh(z - half), math.tanh(z + half)
    verdict = SIGNAL if low > 0 or high < 0 else NO_SIGNAL
    return PredictivePower(n, rho, low, high, verdict, level)


def first_half_health(
    series: Sequence[tuple[date, float | None]], threshold: float, direction: Direction, *, start: date, end: date
) -> float | None:
    """A KPI's health in the first half of the cycle ``start``..``end``: its mean margin to the guardrail.

    Positive on the healthy side of ``threshold``, in the KPI's unit; ``None`` without a value then.
    """
    middle = start + (end - start) / 2
    values = [v for day, v in series if v is not None and start <= day < middle]
    if not values:
        return None
    mean = math.fsum(values) / len(values)
    return mean - threshold if direction is Direction.HIGHER_IS_BETTER else threshold - mean
