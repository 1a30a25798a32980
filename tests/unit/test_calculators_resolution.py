"""Resolution time and SLA adherence."""

import pytest

from kpiokr.calculators import ResolutionTime, SlaAdherence
from kpiokr.kpi import Window
from tests.builders import day, issue, reopened, resolved, team

AS_OF = day(10)
WINDOW = Window(days=14)  # (day -4, day 10]


def bugs():
    return team(
        # 24 h.
        issue("B-1", type="Bug", created=day(0), changes=[resolved(day(1))]),
        # 48 h.
        issue("B-2", type="Bug", created=day(2), changes=[resolved(day(4), "Fixed")]),
        # Resolved day 1, reopened day 3, resolved again day 5: counts to the last, 120 h.
        issue("B-3", type="Bug", created=day(0), changes=[resolved(day(1)), reopened(day(3)), resolved(day(5))]),
        # Left out: a duplicate, a story, a bug resolved before the window, a sub-task.
        issue("B-4", type="Bug", created=day(0), changes=[resolved(day(9), "Duplicate")]),
        issue("S-1", type="Story", created=day(0), changes=[resolved(day(1))]),
        issue("B-5", type="Bug", created=day(-9), changes=[resolved(day(-5))]),
        issue("B-6", type="Bug", created=day(0), subtask=True, changes=[resolved(day(1))]),
        # Open at day 10: created day -10 (480 h ago) and day 9 (24 h ago).
        issue("B-7", type="Bug", created=day(-10)),
        issue("B-8", type="Bug", created=day(9)),
        # Reopened day 8 and still open: 10 days old.
        issue("B-9", type="Bug", created=day(0), changes=[resolved(day(2)), reopened(day(8))]),
    )


def test_median_over_last_resolutions_leaving_out_excluded_resolutions():
    measurement = ResolutionTime().measure(bugs(), WINDOW, AS_OF)
    # Sample [24, 48, 120]: median 48; p85 at rank 0.85 * 2 = 1.7: 48 + 0.7 * 72 = 98.4.
    assert measurement.value == pytest.approx(48)
    assert measurement.sample_size == 3
    assert measurement.details["median"] == pytest.approx(48)
    assert measurement.details["p85"] == pytest.approx(98.4)
    assert "ageing" not in measurement.details


def test_a_reopened_bug_is_not_resolved_until_resolved_again():
    # At day 4, over (day -3, day 4], B-3 is open again: the sample is B-1 (24 h), B-2 (48 h) and
    # B-9 (48 h, reopened only later).
    measurement = ResolutionTime(statistic="max").measure(bugs(), Window(days=7), day(4))
    assert measurement.value == pytest.approx(48)
    assert measurement.sample_size == 3


def test_nothing_excluded_when_asked():
    # B-4 joins: 9 days = 216 h is the new max.
    calculator = ResolutionTime(statistic="max", excluded_resolutions=())
    assert calculator.measure(bugs(), WINDOW, AS_OF).value == pytest.approx(216)


def test_ageing_lists_open_issues_older_than_the_threshold_oldest_first():
    measurement = ResolutionTime(ageing_after_hours=72).measure(bugs(), WINDOW, AS_OF)
    assert measurement.details["ageing"] == ["B-7", "B-9"]


def test_no_resolution_in_the_window_gives_no_value():
    measurement = ResolutionTime().measure(bugs(), Window(days=1), day(30))
    assert measurement.value is None
    assert measurement.sample_size == 0


def test_sla_adherence_is_the_share_resolved_within_the_sla():
    # [24, 48, 120] within 48 h: 2 of 3.
    measurement = SlaAdherence(sla_hours=48).measure(bugs(), WINDOW, AS_OF)
    assert measurement.value == pytest.approx(200 / 3)
    assert measurement.details["breached"] == ["B-3"]
    assert SlaAdherence(sla_hours=48).measure(bugs(), Window(days=1), day(30)).value is None


def test_parameters_are_checked_with_a_message_that_says_the_fix():
    with pytest.raises(ValueError, match=r"sla_hours.*e\.g\. sla_hours=72"):
        SlaAdherence()
    with pytest.raises(ValueError, match="statistic must be one of median, p85, p90, p95, mean, max; got 'p99'"):
        ResolutionTime(statistic="p99")
    with pytest.raises(ValueError, match="ageing_after_hours must be a positive number"):
        ResolutionTime(ageing_after_hours=0)
    with pytest.raises(ValueError, match=r"excluded_resolutions must be a tuple of names"):
        ResolutionTime(excluded_resolutions=["Duplicate"])
