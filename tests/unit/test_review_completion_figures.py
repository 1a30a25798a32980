"""Completion measures give how much is done of the total as numbers, which the reviews' and the
objective properties' throughput forecasts start from; other measures give none."""

from kpiokr.history import IssueHistory
from kpiokr.okr import ChildCompletion, EstimateCompletion, KeyResult, KeyResultInputs, Milestone, score_key_result
from tests.builders import day, done_issue, issue


def children() -> tuple[IssueHistory, ...]:
    return (
        done_issue("MOB-11", created=day(0), done=day(2), estimate=3),
        done_issue("MOB-12", created=day(0), done=day(9), estimate=5),
        issue("MOB-13", created=day(1), estimate=8),
        issue("MOB-14", created=day(1)),  # unestimated: counts 0 points
        issue("MOB-15", created=day(6), estimate=2),  # not there yet at day 5
    )


def test_child_completion_counts_the_children_done_and_existing_at_the_instant():
    graded = score_key_result(
        KeyResult("MOB-10", "Ship", ChildCompletion()), KeyResultInputs(children=children()), day(5)
    )
    assert (graded.done, graded.total) == (1, 4)
    assert graded.score == 0.25
    assert graded.progress == "1/4 issues done"


def test_estimate_completion_sums_the_points_done_and_estimated_at_the_instant():
    inputs = KeyResultInputs(children=children())
    graded = score_key_result(KeyResult("MOB-10", "Ship", EstimateCompletion()), inputs, day(10))
    assert (graded.done, graded.total) == (8, 18)
    assert graded.progress == "8/18 points done"


def test_measures_without_children_to_count_give_no_figures():
    nothing = score_key_result(KeyResult("MOB-10", "Ship", ChildCompletion()), KeyResultInputs(), day(5))
    milestone = score_key_result(
        KeyResult("MOB-10", "Ship", Milestone()), KeyResultInputs(issue=issue("MOB-10", created=day(0))), day(5)
    )
    assert (nothing.done, nothing.total) == (None, None)
    assert (milestone.done, milestone.total) == (None, None)
