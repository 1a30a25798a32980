"""The Monte Carlo forecast of a key result graded by completed children, from daily throughput."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiokr.forecasting import MIN_THROUGHPUT_DAYS, forecast_from_throughput

END = date(2026, 4, 1)  # the cycle's last day is 31 March


def _left(days: int) -> date:
    """The as-of day that leaves ``days`` days of the cycle after it."""
    return END - timedelta(days=days + 1)


def test_a_constant_throughput_is_projected_exactly():
    forecast = forecast_from_throughput(10, 40, [1.0] * 14, as_of=_left(20), end=END, success_at=0.7)
    assert (forecast.projection, forecast.low, forecast.high) == (0.75, 0.75, 0.75)  # 10 done + 20 more, of 40
    assert forecast.probability == 1.0
    assert forecast.method == "monte-carlo throughput"
    assert forecast.sample_size == 14
    committed = forecast_from_throughput(10, 40, [1.0] * 14, as_of=_left(20), end=END, success_at=1.0)
    assert committed.probability == 0.0


def test_a_coin_toss_day_gives_an_even_chance():
    # one day left, 39 of 40 done; half the past days completed two issues, half none
    forecast = forecast_from_throughput(39, 40, [0.0, 2.0] * 7, as_of=_left(1), end=END, success_at=1.0)
    assert forecast.probability == pytest.approx(0.5, abs=0.04)
    assert (forecast.low, forecast.high) == (0.975, 1.0)


def test_points_work_like_issues_and_the_grade_stops_at_one():
    forecast = forecast_from_throughput(8.0, 13.0, [5.0] * 20, as_of=_left(3), end=END, success_at=1.0)
    assert forecast.projection == forecast.low == 1.0
    assert forecast.probability == 1.0


def test_the_last_day_of_the_cycle_gives_the_final_grade():
    forecast = forecast_from_throughput(6, 10, [1.0] * 30, as_of=date(2026, 3, 31), end=END, success_at=0.7)
    assert (forecast.projection, forecast.probability, forecast.note) == (0.6, 0.0, "the cycle is over")


def test_too_little_history_or_nothing_to_complete_gives_no_probability():
    short = forecast_from_throughput(3, 10, [1.0] * 5, as_of=_left(30), end=END, success_at=0.7)
    assert short.probability is None
    assert short.projection == 0.3
    assert short.note == f"only 5 day(s) of throughput history; a simulation needs {MIN_THROUGHPUT_DAYS}"
    empty = forecast_from_throughput(0, 0, [1.0] * 30, as_of=_left(30), end=END, success_at=0.7)
    assert empty.probability is None
    assert empty.note == "nothing to complete yet"


def test_the_same_seed_gives_the_same_forecast():
    history = [0.0, 1.0, 3.0, 0.0, 2.0, 1.0, 0.0] * 3
    first = forecast_from_throughput(5, 60, history, as_of=_left(40), end=END, success_at=0.7, seed=11)
    again = forecast_from_throughput(5, 60, history, as_of=_left(40), end=END, success_at=0.7, seed=11)
    other = forecast_from_throughput(5, 60, history, as_of=_left(40), end=END, success_at=0.7, seed=12)
    assert first == again
    assert first.draws == again.draws
    assert first.draws != other.draws


_history = st.lists(st.integers(min_value=0, max_value=5).map(float), min_size=14, max_size=40)


@settings(max_examples=50, deadline=None)
@given(
    history=_history,
    done=st.integers(min_value=0, max_value=50),
    more=st.integers(min_value=1, max_value=10),
    left=st.integers(min_value=1, max_value=60),
    success_at=st.sampled_from([0.7, 1.0]),
)
def test_more_done_never_lowers_the_probability(history, done, more, left, success_at):
    total = 60
    less = forecast_from_throughput(done, total, history, as_of=_left(left), end=END, success_at=success_at, runs=200)
    most = forecast_from_throughput(
        min(done + more, total), total, history, as_of=_left(left), end=END, success_at=success_at, runs=200
    )
    assert less.probability is not None
    assert most.probability is not None
    assert most.probability >= less.probability
    for forecast in (less, most):
        assert 0.0 <= forecast.low <= forecast.projection <= forecast.high <= 1.0
