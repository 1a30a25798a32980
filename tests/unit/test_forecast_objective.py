"""An objective's forecast combined from its key results', and the early warning against pace."""

from datetime import date, timedelta

import pytest

from kpiokr.forecasting import Forecast, early_warning, forecast_from_throughput, objective_forecast
from kpiokr.okr import Ambition, ObjectiveStatus

END = date(2026, 4, 1)
LAST_DAY = date(2026, 3, 31)


def _final(grade: float) -> Forecast:
    return forecast_from_throughput(grade * 100, 100, [1.0] * 14, as_of=LAST_DAY, end=END, success_at=0.7)


def _coin_toss(seed: int = 0) -> Forecast:
    """One day left, 39 of 40 done: an even chance of finishing."""
    return forecast_from_throughput(
        39, 40, [0.0, 2.0] * 7, as_of=END - timedelta(days=2), end=END, success_at=1.0, seed=seed
    )


def test_final_key_results_combine_into_their_weighted_mean():
    forecast = objective_forecast([(1.0, _final(1.0)), (3.0, _final(0.6))], success_at=0.7)
    assert forecast.projection == pytest.approx(0.7)
    assert (forecast.low, forecast.high) == (pytest.approx(0.7), pytest.approx(0.7))
    assert forecast.probability == 1.0
    assert forecast.method == "key results combined"
    committed = objective_forecast(
        [(1.0, _final(1.0)), (3.0, _final(0.6))], success_at=Ambition.COMMITTED.success_score
    )
    assert committed.probability == 0.0


def test_key_results_are_combined_as_independent_even_when_forecast_with_the_same_seed():
    forecast = objective_forecast([(1.0, _coin_toss()), (1.0, _coin_toss())], success_at=1.0)
    # both must finish: about one chance in four, not the one in two of two key results in lockstep
    assert forecast.probability == pytest.approx(0.25, abs=0.04)
    assert objective_forecast([(1.0, _coin_toss())], success_at=1.0).probability == pytest.approx(0.5, abs=0.04)


def test_a_thin_key_result_leaves_the_objective_without_probability():
    thin = forecast_from_throughput(2, 10, [1.0] * 3, as_of=LAST_DAY - timedelta(days=30), end=END, success_at=0.7)
    forecast = objective_forecast([(1.0, _final(0.8)), (1.0, thin)], success_at=0.7)
    assert forecast.probability is None
    assert forecast.projection == pytest.approx(0.5)
    assert (forecast.low, forecast.high) == (pytest.approx(0.5), pytest.approx(0.9))
    assert forecast.note == "1 of 2 key results have too little data for a probability"


def test_no_key_results_and_bad_weights():
    assert objective_forecast([], success_at=0.7).note == "no key results"
    with pytest.raises(ValueError, match="positive"):
        objective_forecast([(0.0, _final(0.5))], success_at=0.7)


def test_early_warning_when_on_track_by_pace_but_forecast_below_success():
    behind = _final(0.5)
    warning = early_warning(behind, ObjectiveStatus.ON_TRACK)
    assert warning is not None
    assert warning.projection == 0.5
    assert "below success 0.7" in warning.message
    assert "monte-carlo throughput forecast ends the cycle at 0.50" in warning.message
    assert early_warning(behind, ObjectiveStatus.AT_RISK) is None  # the status already says it
    assert early_warning(_final(0.8), ObjectiveStatus.ON_TRACK) is None
    thin = forecast_from_throughput(2, 10, [1.0] * 3, as_of=LAST_DAY - timedelta(days=30), end=END, success_at=0.7)
    assert early_warning(thin, ObjectiveStatus.ON_TRACK) is None
