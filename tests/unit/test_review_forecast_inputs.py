"""The forecasts at cycle end read a completion key result's done and total as the domain gives them
(never parsed from its progress text): Monte Carlo over issues or points by its measure, the trend of
its daily grades for every other measure and for a completion with nothing to count yet."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo

import pytest

from kpiokr.forecasting.throughput import METHOD as THROUGHPUT
from kpiokr.okr import (
    ChildCompletion,
    Cycle,
    EstimateCompletion,
    KeyResult,
    KeyResultScore,
    NumericTarget,
    Objective,
    score_objective,
)
from sync.app.forecasts import THROUGHPUT_DAYS, Series, outlooks
from sync.app.results import TeamResult
from sync.mapping import CycleSection

CYCLE = CycleSection(name="2026-Q4", start=date(2026, 10, 1), end=date(2026, 12, 31))
AS_OF = datetime(2026, 11, 15, 12, tzinfo=UTC)


class Figures:
    """A forecast source with a steady throughput and rising daily grades, recording what was asked."""

    tz: tzinfo = UTC

    def __init__(self) -> None:
        self.throughputs: list[bool] = []
        self.series_asked: list[str] = []
        self.series_requests = 0

    def series(self, names: Iterable[str], first: date, last: date, cycle: CycleSection) -> dict[str, Series]:
        self.series_requests += 1
        found: dict[str, Series] = {}
        for name in names:
            self.series_asked.append(name)
            days = (last - first).days + 1
            found[name] = [(first + timedelta(days=n), n / 100) for n in range(days)]
        return found

    def throughput(
        self, as_of: datetime, cycle: CycleSection, *, days: int = THROUGHPUT_DAYS, points: bool = False
    ) -> list[float]:
        self.throughputs.append(points)
        return [2.0 if points else 1.0] * days


def result(*graded: tuple[KeyResult, KeyResultScore]) -> TeamResult:
    cycle = Cycle("2026-Q4", datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    objective = Objective("MOB-1", "Ship", cycle, tuple(kr for kr, _ in graded))
    score = score_objective(objective, [s for _, s in graded], {}, AS_OF)
    return TeamResult("MOB", AS_OF, "2026-Q4", ((objective, score),), ())


def test_completion_key_results_are_forecast_from_their_done_and_total_by_their_measure():
    issues = KeyResult("MOB-2", "Issues", ChildCompletion())
    points = KeyResult("MOB-3", "Points", EstimateCompletion())
    source = Figures()
    found = outlooks(
        source,
        result(
            (issues, KeyResultScore("MOB-2", 0.1, "a tenth of the work", done=10, total=100)),
            (points, KeyResultScore("MOB-3", 0.125, "an eighth", done=30, total=240)),
        ),
        CYCLE,
    )
    (by_issues, issue_forecast), (by_points, point_forecast) = found[0].key_results
    assert (by_issues, by_points) == (issues, points)
    assert source.throughputs == [False, True]
    assert source.series_asked == []
    assert issue_forecast.method == point_forecast.method == THROUGHPUT
    # 46 days left: at one issue a day 10 + 46 of 100 done; at two points a day 30 + 92 of 240
    assert issue_forecast.projection == pytest.approx(0.56)
    assert point_forecast.projection == pytest.approx(122 / 240)


def test_other_measures_and_a_completion_with_nothing_counted_follow_their_daily_grades():
    number = KeyResult("MOB-4", "Rating", NumericTarget("Rating", 4.0, 4.5))
    empty = KeyResult("MOB-5", "Issues", ChildCompletion())
    source = Figures()
    outlooks(
        source,
        result(
            (number, KeyResultScore("MOB-4", 0.4, "Rating 4.2 (from 4 to 4.5)")),
            (empty, KeyResultScore("MOB-5", None, "no child issues yet")),
        ),
        CYCLE,
    )
    assert source.throughputs == []
    assert source.series_asked == ["key_result:MOB-4", "key_result:MOB-5"]


def test_the_daily_grades_are_asked_for_once_and_the_throughput_once_per_unit():
    source = Figures()
    outlooks(
        source,
        result(
            (KeyResult("MOB-2", "Issues", ChildCompletion()), KeyResultScore("MOB-2", 0.1, "", done=1, total=10)),
            (KeyResult("MOB-3", "Issues", ChildCompletion()), KeyResultScore("MOB-3", 0.5, "", done=5, total=10)),
            (KeyResult("MOB-4", "Points", EstimateCompletion()), KeyResultScore("MOB-4", 0.5, "", done=4, total=8)),
            (KeyResult("MOB-5", "Rating", NumericTarget("Rating", 4.0, 4.5)), KeyResultScore("MOB-5", 0.4, "")),
            (KeyResult("MOB-6", "Rating", NumericTarget("Rating", 4.0, 4.5)), KeyResultScore("MOB-6", 0.2, "")),
        ),
        CYCLE,
    )
    assert sorted(source.throughputs) == [False, True]
    assert source.series_requests == 1
    assert source.series_asked == ["key_result:MOB-5", "key_result:MOB-6"]
