"""The trend forecast of a key result from its own daily grades: projection, interval, probability."""

import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiokr.forecasting import MIN_SERIES_POINTS, forecast_from_series
from kpiokr.forecasting.model import t_cdf, t_quantile
from kpiokr.forecasting.trend import lag_one_correlation, theil_sen_slope

START, END = date(2026, 1, 1), date(2026, 4, 1)  # 90 days, END excluded
TOTAL = (END - START).days


def _day(n: int) -> date:
    """The cycle's ``n``-th day, 1-based: its grade is the progress after ``n`` days."""
    return START + timedelta(days=n - 1)


def _series(grades: list[float]) -> list[tuple[date, float | None]]:
    return [(_day(n), g) for n, g in enumerate(grades, start=1)]


@pytest.mark.parametrize(
    ("p", "df", "table"), [(0.9, 2, 1.886), (0.9, 4, 1.533), (0.9, 10, 1.372), (0.975, 10, 2.228), (0.9, 30, 1.310)]
)
def test_t_quantiles_match_the_printed_table(p, df, table):
    assert t_quantile(p, df) == pytest.approx(table, abs=0.005)
    assert t_cdf(t_quantile(p, df), df) == pytest.approx(p, abs=1e-9)


def test_theil_sen_slope_ignores_a_single_jump():
    xs = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    ys = [0.1, 0.2, 0.3, 0.9, 0.5, 0.6, 0.7]  # a line of slope 0.1 with one figure typed wrong
    assert theil_sen_slope(xs, ys) == pytest.approx(0.1)


def test_lag_one_correlation_tells_alternating_noise_from_steady_steps():
    assert lag_one_correlation([1.0, -1.0] * 10) < -0.9
    assert lag_one_correlation([0.5] * 10) == 0.0


def test_a_steady_pace_is_projected_exactly_with_no_spread():
    forecast = forecast_from_series(
        _series([0.01 * n for n in range(1, 41)]), start=START, end=END, as_of=_day(40), success_at=0.7
    )
    assert forecast.projection == pytest.approx(0.9)  # 40 days at 0.01 a day, 50 more to go
    assert (forecast.low, forecast.high) == (pytest.approx(0.9), pytest.approx(0.9))
    assert forecast.probability == 1.0
    assert forecast.method == "trend"
    assert forecast.sample_size == 40
    committed = forecast_from_series(
        _series([0.01 * n for n in range(1, 41)]), start=START, end=END, as_of=_day(40), success_at=1.0
    )
    assert committed.probability == 0.0


def test_the_projection_is_clamped_to_a_grade():
    forecast = forecast_from_series(
        _series([0.05 * n for n in range(1, 11)]), start=START, end=END, as_of=_day(10), success_at=1.0
    )
    assert forecast.projection == forecast.high == 1.0
    assert forecast.probability == 1.0


def test_after_the_cycle_the_last_grade_is_the_forecast():
    grades = [0.01 * n for n in range(1, TOTAL + 1)]
    forecast = forecast_from_series(_series(grades), start=START, end=END, as_of=END, success_at=0.7)
    assert (forecast.projection, forecast.low, forecast.high, forecast.probability) == (
        pytest.approx(0.9),
        pytest.approx(0.9),
        pytest.approx(0.9),
        1.0,
    )
    assert forecast.note == "the cycle is over"


def test_too_few_days_give_no_probability_and_say_why():
    forecast = forecast_from_series(_series([0.1, 0.2, None, 0.3]), start=START, end=END, as_of=_day(4), success_at=0.7)
    assert forecast.probability is None
    assert forecast.thin
    assert forecast.projection == pytest.approx(0.3)
    assert forecast.note == f"only 3 daily grade(s) so far; a trend needs {MIN_SERIES_POINTS}"


def test_days_after_as_of_and_outside_the_cycle_are_not_read():
    grades = _series([0.01 * n for n in range(1, 31)])
    later = [(_day(n), 0.0) for n in range(31, 60)]
    before = [(START - timedelta(days=3), 0.9)]
    alone = forecast_from_series(grades, start=START, end=END, as_of=_day(30), success_at=0.7)
    with_more = forecast_from_series(before + grades + later, start=START, end=END, as_of=_day(30), success_at=0.7)
    assert with_more == alone


def test_a_noisy_level_gets_a_narrower_interval_than_a_wandering_walk_with_the_same_noise():
    rng = random.Random(7)
    noise = [rng.gauss(0, 0.03) for _ in range(45)]
    level = [0.007 * n + e for n, e in enumerate(noise, start=1)]
    walk, total = [], 0.0
    for e in noise:
        total += 0.007 + e
        walk.append(total)
    level_forecast = forecast_from_series(_series(level), start=START, end=END, as_of=_day(45), success_at=0.7)
    walk_forecast = forecast_from_series(_series(walk), start=START, end=END, as_of=_day(45), success_at=0.7)
    assert level_forecast.low <= 0.63 <= level_forecast.high  # the line's own end: 90 days at 0.007
    assert level_forecast.high - level_forecast.low < (walk_forecast.high - walk_forecast.low) / 3


def test_the_80_percent_interval_holds_about_80_percent_of_random_walks():
    rng = random.Random(2026)
    held = 0
    trials = 200
    for _ in range(trials):
        pace, grades, total = rng.uniform(0.004, 0.01), [], 0.0
        for _ in range(TOTAL):
            total += pace + rng.gauss(0, 0.01)
            grades.append(total)
        forecast = forecast_from_series(
            _series(grades[:45]), start=START, end=END, as_of=_day(45), success_at=0.7, runs=1
        )
        held += forecast.low <= min(max(grades[-1], 0.0), 1.0) <= forecast.high
    assert 0.7 <= held / trials <= 0.9


def test_the_same_seed_draws_the_same_final_grades():
    grades = _series([0.01 * n + (0.02 if n % 3 == 0 else 0.0) for n in range(1, 31)])
    first = forecast_from_series(grades, start=START, end=END, as_of=_day(30), success_at=0.7, seed=4)
    again = forecast_from_series(grades, start=START, end=END, as_of=_day(30), success_at=0.7, seed=4)
    other = forecast_from_series(grades, start=START, end=END, as_of=_day(30), success_at=0.7, seed=5)
    assert first.draws == again.draws
    assert first.draws != other.draws
    assert len(first.draws) == 2000


@settings(max_examples=60, deadline=None)
@given(
    grades=st.lists(st.one_of(st.none(), st.floats(min_value=-0.5, max_value=1.5)), min_size=1, max_size=60),
    success_at=st.sampled_from([0.7, 1.0]),
)
def test_projection_and_interval_are_grades_and_the_interval_holds_the_projection(grades, success_at):
    forecast = forecast_from_series(
        _series(grades), start=START, end=END, as_of=_day(len(grades)), success_at=success_at, runs=10
    )
    assert 0.0 <= forecast.low <= forecast.projection <= forecast.high <= 1.0
    assert forecast.probability is None or 0.0 <= forecast.probability <= 1.0
