"""Predictive power of guardrail KPIs: Spearman's rho with a Fisher z interval, and its verdicts."""

import random
from datetime import date, timedelta

import pytest

from kpiokr.forecasting import MIN_PAIRS, first_half_health, predictive_power, spearman
from kpiokr.forecasting.predictive import ranks
from kpiokr.kpi import Direction


def test_ties_share_their_mean_rank():
    assert ranks([10.0, 20.0, 20.0, 30.0]) == [1.0, 2.5, 2.5, 4.0]


def test_spearman_hand_worked():
    assert spearman([1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 1.0, 4.0, 3.0, 5.0]) == pytest.approx(0.8)  # 1 - 6*4/(5*24)
    assert spearman([1.0, 2.0, 3.0], [30.0, 20.0, 10.0]) == pytest.approx(-1.0)
    assert spearman([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]) is None


def test_the_interval_is_fishers_z_with_spearmans_standard_error():
    pairs = list(zip(range(1, 11), [2, 1, 4, 3, 6, 5, 8, 7, 10, 9], strict=True))
    power = predictive_power([(float(h), float(g)) for h, g in pairs])
    # rho = 1 - 6*10/(10*99); z = atanh(rho) -/+ 1.96 * 1.06 / sqrt(7)
    assert power.rho == pytest.approx(0.93939, abs=1e-5)
    assert (power.low, power.high) == (pytest.approx(0.7387, abs=1e-4), pytest.approx(0.9871, abs=1e-4))
    assert (power.n, power.verdict) == (10, "signal")


def test_too_few_cycles_give_no_figure():
    power = predictive_power([(float(i), float(i)) for i in range(MIN_PAIRS - 1)])
    assert power.rho is None
    assert power.low is None
    assert power.high is None
    assert power.verdict == f"not enough history (n = {MIN_PAIRS - 1}, at least {MIN_PAIRS} needed)"


def test_no_variation_is_no_signal_without_a_figure():
    power = predictive_power([(1.0, float(i)) for i in range(12)])
    assert (power.rho, power.verdict) == (None, "no signal (no variation to rank)")


def test_first_half_health_is_the_mean_margin_on_the_healthy_side():
    start, end = date(2026, 1, 1), date(2026, 1, 11)
    series = [(start + timedelta(days=n), float(n)) for n in range(10)]  # 0..4 in the first half
    assert first_half_health(series, 5.0, Direction.LOWER_IS_BETTER, start=start, end=end) == pytest.approx(3.0)
    assert first_half_health(series, 5.0, Direction.HIGHER_IS_BETTER, start=start, end=end) == pytest.approx(-3.0)
    assert first_half_health([], 5.0, Direction.HIGHER_IS_BETTER, start=start, end=end) is None


def _seeded_history(seed: int, cycles: int = 8, objectives: int = 3):
    """Past cycles of a team: each objective's final grade, and two guardrail KPIs' daily series.

    Bug resolution time (lower is better, guardrail 72 h) was built to predict: a slow first half
    drags the grades down. Deployment frequency (higher is better, guardrail 2) moves on its own.
    """
    rng = random.Random(seed)
    start = date(2024, 1, 1)
    history = []
    for c in range(cycles):
        begin, end = start + timedelta(days=91 * c), start + timedelta(days=91 * (c + 1))
        for _ in range(objectives):
            load = rng.uniform(0.0, 1.0)
            grade = min(max(0.95 - 0.6 * load + rng.gauss(0, 0.1), 0.0), 1.0)
            bugs = [(begin + timedelta(days=d), 40 + 40 * load + rng.gauss(0, 8)) for d in range(91)]
            deploys = [(begin + timedelta(days=d), rng.uniform(1.0, 6.0)) for d in range(91)]
            history.append((begin, end, grade, bugs, deploys))
    return history


def test_on_a_seeded_history_the_predictive_kpi_is_found_and_the_other_flagged():
    history = _seeded_history(seed=13)
    bugs = [
        (first_half_health(b, 72.0, Direction.LOWER_IS_BETTER, start=s, end=e) or 0.0, g) for s, e, g, b, _ in history
    ]
    deploys = [
        (first_half_health(d, 2.0, Direction.HIGHER_IS_BETTER, start=s, end=e) or 0.0, g) for s, e, g, _, d in history
    ]
    found, flagged = predictive_power(bugs), predictive_power(deploys)
    assert (found.n, found.verdict) == (24, "signal")
    assert found.low is not None
    assert found.low > 0
    assert (flagged.n, flagged.verdict) == (24, "no signal")
    assert flagged.low is not None
    assert flagged.high is not None
    assert flagged.low < 0 < flagged.high
