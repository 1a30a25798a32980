"""Forecasts of key results and objectives at cycle end, early warnings, and predictive power.

Pure functions over daily series and throughput; randomness always comes from an explicit seed.
"""

from kpiokr.forecasting.combine import EarlyWarning, early_warning, objective_forecast
from kpiokr.forecasting.guardrail import ControlLimits, GuardrailWarning, guardrail_warning, xmr_limits
from kpiokr.forecasting.model import LEVEL, Forecast
from kpiokr.forecasting.predictive import MIN_PAIRS, PredictivePower, first_half_health, predictive_power, spearman
from kpiokr.forecasting.throughput import MIN_THROUGHPUT_DAYS, forecast_from_throughput
from kpiokr.forecasting.trend import MIN_SERIES_POINTS, forecast_from_series

__all__ = [
    "LEVEL",
    "MIN_PAIRS",
    "MIN_SERIES_POINTS",
    "MIN_THROUGHPUT_DAYS",
    "ControlLimits",
    "EarlyWarning",
    "Forecast",
    "GuardrailWarning",
    "PredictivePower",
    "early_warning",
    "first_half_health",
    "forecast_from_series",
    "forecast_from_throughput",
    "guardrail_warning",
    "objective_forecast",
    "predictive_power",
    "spearman",
    "xmr_limits",
]
