"""IssueHistory: reconstruction of any past state, time-zone-aware ordering, timeline edges."""

from datetime import UTC, date, datetime, timedelta

import pytest

from kpiokr.history import FieldChange, IssueHistory, IssueState, Timeline
from tests.builders import (
    DONE,
    EST,
    IN_PROGRESS,
    IN_REVIEW,
    IST,
    READY,
    TODO,
    day,
    estimated,
    issue,
    moved,
    reopened,
    resolved,
    resprinted,
)


def story() -> IssueHistory:
    # Created day 0 in To Do, 3 points, sprint 1, due 14 March.
    # day 1 -> In Progress; day 2 estimate 3 -> 5; day 3 sprint {1} -> {1, 2};
    # day 4 -> Done + resolved; day 6 reopened (Done -> In Progress, resolution cleared).
    return issue(
        "MOB-1",
        created=day(0),
        estimate=3,
        sprints={1},
        due=date(2025, 3, 14),
        changes=[
            moved(day(1), TODO, IN_PROGRESS),
            estimated(day(2), 3, 5),
            resprinted(day(3), {1}, {1, 2}),
            moved(day(4), IN_PROGRESS, DONE),
            resolved(day(4)),
            moved(day(6), DONE, IN_PROGRESS),
            reopened(day(6)),
        ],
    )


def test_state_at_reconstructs_every_field_as_it_stood():
    history = story()
    base = IssueState(
        issue_type="Story",
        status=TODO,
        sprint_ids=frozenset({1}),
        estimate=3,
        due=date(2025, 3, 14),
    )
    assert history.state_at(day(0.5)) == base
    assert history.state_at(day(2.5)) == IssueState(
        issue_type="Story", status=IN_PROGRESS, sprint_ids=frozenset({1}), estimate=5, due=date(2025, 3, 14)
    )
    assert history.state_at(day(5)) == IssueState(
        issue_type="Story",
        status=DONE,
        resolution="Done",
        sprint_ids=frozenset({1, 2}),
        estimate=5,
        due=date(2025, 3, 14),
    )
    assert history.state_at(day(7)) == history.current


def test_a_change_at_exactly_the_instant_has_happened():
    history = story()
    assert history.status_at(day(1)) == IN_PROGRESS
    assert history.status_at(day(1) - timedelta(microseconds=1)) == TODO
    assert history.estimate_at(day(2)) == 5
    assert history.sprints_at(day(3)) == {1, 2}


def test_instants_with_different_offsets_are_compared_as_instants():
    # 10:00 at +05:30 is 04:30 UTC; 23:00 at -05:00 the day before is 04:00 UTC: the estimate
    # change (given first in -05:00) happens half an hour before the status change.
    status_at = datetime(2025, 3, 4, 10, 0, tzinfo=IST)
    estimate_at = datetime(2025, 3, 3, 23, 0, tzinfo=EST)
    history = issue(
        "MOB-2",
        created=datetime(2025, 3, 1, tzinfo=UTC),
        estimate=1,
        changes=[moved(status_at, TODO, IN_PROGRESS), estimated(estimate_at, 1, 2)],
    )
    assert [c.field for c in history.changes] == ["estimate", "status"]
    # 04:15 UTC asked in a third zone: estimate changed, status not yet.
    quarter_past_four = datetime(2025, 3, 4, 4, 15, tzinfo=UTC)
    assert history.estimate_at(quarter_past_four) == 2
    assert history.status_at(quarter_past_four) == TODO
    # The same instant written at +05:30 (09:45) and -05:00 (23:15 the day before) agrees.
    assert history.status_at(datetime(2025, 3, 4, 9, 45, tzinfo=IST)) == TODO
    assert history.status_at(datetime(2025, 3, 3, 23, 15, tzinfo=EST)) == TODO
    assert history.status_at(datetime(2025, 3, 4, 10, 0, tzinfo=IST)) == IN_PROGRESS


def test_changes_are_put_in_time_order_and_same_instant_changes_keep_their_order():
    first, second = moved(day(1), TODO, IN_PROGRESS), moved(day(1), IN_PROGRESS, IN_REVIEW)
    last = moved(day(2), IN_REVIEW, DONE)
    history = IssueHistory("MOB-3", day(0), IssueState("Story", DONE), changes=(last, first, second))
    assert history.changes == (first, second, last)
    # After both changes at day 1 the last one given wins.
    assert history.status_at(day(1)) == IN_REVIEW


def test_timeline_edges():
    t1, t2 = day(1), day(2)
    timeline = Timeline((t1, t2), ("a", "b", "c"))
    assert timeline.at(day(0)) == "a"
    assert timeline.at(t1) == "b"
    assert timeline.at(t2) == "c"
    assert timeline.at(day(99)) == "c"
    assert list(timeline.intervals()) == [(None, t1, "a"), (t1, t2, "b"), (t2, None, "c")]
    constant = Timeline((), ("x",))
    assert constant.at(day(-100)) == "x"
    assert list(constant.intervals()) == [(None, None, "x")]


def test_a_field_that_never_changed_is_its_current_value_at_any_instant():
    history = issue("MOB-4", created=day(0), priority="High")
    assert history.timeline("priority").at(day(-1)) == "High"
    assert history.timeline("priority").at(day(50)) == "High"


def test_status_intervals_start_at_creation():
    history = story()
    assert history.status_intervals() == [
        (day(0), day(1), TODO),
        (day(1), day(4), IN_PROGRESS),
        (day(4), day(6), DONE),
        (day(6), None, IN_PROGRESS),
    ]


def test_done_since_is_the_last_entry_into_done():
    history = issue(
        "MOB-5",
        created=day(0),
        changes=[
            moved(day(1), TODO, DONE),
            moved(day(2), DONE, IN_PROGRESS),
            moved(day(3), IN_PROGRESS, READY),
            moved(day(4), READY, DONE),
        ],
    )
    assert history.done_since(day(0.5)) is None
    assert history.done_since(day(1.5)) == day(1)
    assert history.done_since(day(2.5)) is None
    assert history.done_since(day(5)) == day(4)
    # With READY in the board's done column the issue has been done since day 3 without a break.
    assert history.done_since(day(5), frozenset({READY.id, DONE.id})) == day(3)
    assert history.done_since(day(-1)) is None


def test_resolved_since_counts_to_the_last_resolution():
    history = issue(
        "MOB-6",
        created=day(0),
        type="Bug",
        changes=[resolved(day(1)), reopened(day(2)), resolved(day(5), "Fixed")],
    )
    assert history.resolved_since(day(1.5)) == day(1)
    assert history.resolved_since(day(3)) is None
    assert history.resolved_since(day(6)) == day(5)


def test_an_issue_created_resolved_is_resolved_since_creation():
    history = issue("MOB-7", created=day(0), resolution="Done")
    assert history.resolved_since(day(1)) == day(0)
    assert history.resolved_since(day(-1)) is None


def test_first_in_progress_is_the_first_move_ever():
    history = story()
    assert history.first_in_progress(day(0.5)) is None
    assert history.first_in_progress(day(9)) == day(1)


def test_field_changes_and_histories_need_aware_instants():
    naive = datetime(2025, 3, 3, 9)
    with pytest.raises(ValueError, match="timezone-aware"):
        FieldChange(naive, "status", TODO, DONE)
    with pytest.raises(ValueError, match="timezone-aware"):
        IssueHistory("MOB-8", naive, IssueState("Story", TODO))
    with pytest.raises(ValueError, match="unknown issue field"):
        FieldChange(day(0), "colour", "red", "blue")


def test_the_builder_refuses_a_change_that_does_not_follow_on():
    with pytest.raises(ValueError, match="MOB-9: the status change"):
        issue("MOB-9", changes=[moved(day(1), IN_PROGRESS, DONE)])
