"""Early warnings of a guardrail KPI heading for its threshold: XmR limits and the trend line."""

from datetime import date, timedelta

import pytest

from kpiokr.forecasting import guardrail_warning, xmr_limits
from kpiokr.forecasting.guardrail import xmr_signal
from kpiokr.kpi import Direction

DAY0 = date(2026, 2, 1)
LOWER, HIGHER = Direction.LOWER_IS_BETTER, Direction.HIGHER_IS_BETTER


def _series(values: list[float | None]) -> list[tuple[date, float | None]]:
    return [(DAY0 + timedelta(days=n), v) for n, v in enumerate(values)]


def _last(values: list[float | None]) -> date:
    return DAY0 + timedelta(days=len(values) - 1)


def test_xmr_limits_of_a_known_series():
    limits = xmr_limits([10.0, 12.0, 11.0, 13.0, 12.0])
    # mean 11.6; moving ranges 2, 1, 2, 1: mean 1.5; limits 11.6 -/+ 2.66 * 1.5
    assert limits.centre == pytest.approx(11.6)
    assert limits.moving_range == pytest.approx(1.5)
    assert (limits.lower, limits.upper) == (pytest.approx(7.61), pytest.approx(15.59))
    with pytest.raises(ValueError, match="two values"):
        xmr_limits([1.0])


def test_xmr_rules_a_point_beyond_the_limit_and_a_run_on_the_worse_side():
    steady = [10.0, 11.0] * 10
    assert xmr_signal(steady, xmr_limits(steady), LOWER) is None
    spike = [*steady, 30.0]
    assert "beyond the natural process limit" in (xmr_signal(spike, xmr_limits(spike), LOWER) or "")
    assert xmr_signal(spike, xmr_limits(spike), HIGHER) is None  # a spike the good way is no warning
    shifted = [10.0, 12.0] * 6 + [12.0, 13.0] * 4
    assert "last 8 values on the worse side" in (xmr_signal(shifted, xmr_limits(shifted), LOWER) or "")


def test_a_steady_rise_reaching_the_guardrail_in_three_weeks_fires_the_trend_line():
    rising = [20.0 + 0.5 * n for n in range(20)]  # cycle time, 29.5 days today, 0.5 more each day
    warning = guardrail_warning(_series(rising), 40.0, LOWER, as_of=_last(rising), horizon_weeks=4)
    assert warning is not None
    assert warning.method == "trend line"
    assert warning.weeks_to_threshold == pytest.approx(3.0)  # 10.5 to go at 0.5 a day: 21 days
    assert "beyond the natural process limit" in warning.signal
    assert "reaches the guardrail 40 in 3.0 weeks" in warning.message
    assert guardrail_warning(_series(rising), 40.0, LOWER, as_of=_last(rising), horizon_weeks=2) is None


def test_the_same_for_a_kpi_where_higher_is_better():
    falling = [0.95 - 0.01 * n for n in range(20)]  # SLA adherence falling to 0.76, guardrail 0.6
    warning = guardrail_warning(_series(falling), 0.6, HIGHER, as_of=_last(falling), horizon_weeks=4)
    assert warning is not None
    assert warning.method == "trend line"
    assert warning.weeks_to_threshold == pytest.approx(16 / 7)
    assert guardrail_warning(_series(falling), 0.6, LOWER, as_of=_last(falling)) is None


def test_a_trend_line_inside_the_noise_is_not_reported():
    noisy = [30.0 + 0.2 * n + (3.0 if n % 2 else -3.0) for n in range(20)]
    warning = guardrail_warning(_series(noisy), 36.0, LOWER, as_of=_last(noisy), horizon_weeks=4)
    assert warning is None
    limits = xmr_limits(noisy)
    assert xmr_signal(noisy, limits, LOWER) is None


def test_a_shifted_process_whose_limit_crosses_the_guardrail_fires_the_control_limits():
    shifted = [20.0, 24.0] * 6 + [25.0, 29.0] * 4
    warning = guardrail_warning(_series(shifted), 30.0, LOWER, as_of=_last(shifted), horizon_weeks=0.5)
    assert warning is not None
    assert warning.method == "XmR control limits"
    assert warning.weeks_to_threshold is None
    assert "last 8 values on the worse side" in warning.signal
    assert warning.limits.upper > 30.0
    assert "can cross it" in warning.message
    trend = guardrail_warning(_series(shifted), 30.0, LOWER, as_of=_last(shifted), horizon_weeks=4)
    assert trend is not None
    assert trend.method == "trend line"


def test_no_warning_with_few_points_in_breach_already_or_from_days_after_as_of():
    rising = [20.0 + 0.5 * n for n in range(20)]
    assert guardrail_warning(_series(rising[:9]), 40.0, LOWER, as_of=_last(rising[:9])) is None
    assert guardrail_warning(_series(rising), 25.0, LOWER, as_of=_last(rising)) is None  # a breach, not a warning
    flat_then_rising = [20.0, 21.0] * 10 + rising
    early = guardrail_warning(_series(flat_then_rising), 40.0, LOWER, as_of=DAY0 + timedelta(days=19))
    assert early is None
    with_gaps = [None if n % 5 == 0 else v for n, v in enumerate(rising)]
    assert guardrail_warning(_series(with_gaps), 40.0, LOWER, as_of=_last(rising)) is not None
