"""Reopen rate, defect ratio and budget variance."""

import pytest

from kpiokr.calculators import BudgetVariance, DefectRatio, ReopenRate
from kpiokr.kpi import Window
from tests.builders import DONE, IN_PROGRESS, TODO, change, day, done_issue, issue, moved, team

AS_OF = day(14)
WINDOW = Window(days=14)  # (day 0, day 14]


def test_reopen_rate_is_the_share_of_done_issues_that_had_left_done_before():
    reopened = issue(
        "R-1",
        created=day(-5),
        changes=[moved(day(-2), TODO, DONE), moved(day(3), DONE, IN_PROGRESS), moved(day(6), IN_PROGRESS, DONE)],
    )
    # Left done on day 3 and is not back: not done in the window, so not in the sample.
    still_open = issue("R-2", created=day(-5), changes=[moved(day(1), TODO, DONE), moved(day(3), DONE, IN_PROGRESS)])
    clean = [done_issue(f"C-{n}", created=day(0), done=day(n)) for n in (1, 2, 3)]
    measurement = ReopenRate().measure(team(reopened, still_open, *clean), WINDOW, AS_OF)
    # 1 reopened of 4 done.
    assert measurement.value == pytest.approx(25)
    assert measurement.details == {"reopened": ["R-1"]}
    assert ReopenRate().measure(team(still_open), WINDOW, AS_OF).value is None


def test_defect_ratio_is_bugs_created_per_story_done():
    data = team(
        # Stories done in the window: 2 (the third was done before it).
        done_issue("S-1", created=day(-10), done=day(2)),
        done_issue("S-2", created=day(-10), done=day(9)),
        done_issue("S-3", created=day(-10), done=day(-1)),
        # Bugs created in the window: 3, one of them filed as a Task and made a Bug by triage;
        # one created before the window does not count.
        issue("B-1", type="Bug", created=day(1)),
        issue("B-2", type="Bug", created=day(5)),
        issue("B-3", type="Task", created=day(6), changes=[change(day(7), "issue_type", "Task", "Bug")]),
        issue("B-4", type="Bug", created=day(-1)),
    )
    measurement = DefectRatio().measure(data, WINDOW, AS_OF)
    assert measurement.value == pytest.approx(1.5)
    assert measurement.details == {"bugs": 3, "stories": 2}
    assert DefectRatio(story_types=("Epic",)).measure(data, WINDOW, AS_OF).value is None
    with pytest.raises(ValueError, match="at least one type in bug_types"):
        DefectRatio(bug_types=())


def test_budget_variance_compares_time_spent_with_the_original_estimate():
    data = team(
        # 10 h estimated, 12 h spent (logged after done counts: time spent as of as_of).
        issue(
            "T-1",
            type="Task",
            created=day(0),
            original_estimate=10,
            time_spent=4,
            changes=[moved(day(3), TODO, DONE), change(day(5), "time_spent", 4, 12)],
        ),
        # 6 h estimated, nothing logged: counts 0 spent.
        done_issue("T-2", created=day(0), done=day(4), type="Task", original_estimate=6),
        # No original estimate: left out.
        done_issue("T-3", created=day(0), done=day(4), type="Task", time_spent=50),
    )
    # (12 + 0 - 16) / 16 = -25 %.
    measurement = BudgetVariance().measure(data, WINDOW, AS_OF)
    assert measurement.value == pytest.approx(-25)
    assert measurement.details == {"spent": 12, "estimated": 16}
    assert measurement.sample_size == 2
    assert BudgetVariance().measure(team(), WINDOW, AS_OF).value is None
