"""The summary statistics a KPI may report over a sample: median, percentiles, mean, max."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

#: The values a calculator's ``statistic`` parameter accepts.
STATISTICS: tuple[str, ...] = ("median", "p85", "p90", "p95", "mean", "max")

_PERCENTS = {"median": 50.0, "p85": 85.0, "p90": 90.0, "p95": 95.0}


def check_statistic(statistic: str) -> None:
    """Raise ``ValueError`` naming the accepted values unless ``statistic`` is one of them."""
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {', '.join(STATISTICS)}; got {statistic!r}")


def percentile(ordered: Sequence[float], percent: float) -> float:
    """The ``percent`` percentile of ascending ``ordered`` values, interpolating linearly between
    the closest ranks (the "inclusive" method, numpy's default)."""
    if not ordered:
        raise ValueError("percentile of an empty sample")
    rank = (len(ordered) - 1) * percent / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(values: Iterable[float], statistic: str) -> float | None:
    """``statistic`` of ``values``; ``None`` for an empty sample."""
    ordered = sorted(values)
    if not ordered:
        return None
    if statistic == "mean":
        return math.fsum(ordered) / len(ordered)
    if statistic == "max":
        return ordered[-1]
    return percentile(ordered, _PERCENTS[statistic])
