"""Velocity and say/do ratio, counted the way Jira's Velocity Chart counts them."""

import pytest

from kpiokr.calculators import SayDoRatio, Velocity
from kpiokr.kpi import KpiDefinition, Window, evaluate_kpi
from tests.builders import (
    DONE,
    IN_PROGRESS,
    READY,
    TODO,
    day,
    estimated,
    issue,
    moved,
    resprinted,
    sprint,
    team,
)

S1 = sprint(1, day(0), day(14))
S2 = sprint(2, day(14), day(28))
S3 = sprint(3, day(28), day(42))
AS_OF = day(43)


def figures(*histories, sprints=(S1,), done_status_ids=None):
    """{sprint id: (commitment, completed)} over the last three closed sprints."""
    data = team(*histories, sprints=sprints, done_status_ids=done_status_ids)
    measurement = Velocity().measure(data, Window(sprints=3), AS_OF)
    return {row["id"]: (row["commitment"], row["completed"]) for row in measurement.details["sprints"]}


def committed_and_done():
    # In sprint 1 before it starts, 3 points, done on day 5: commitment 3, completed 3.
    return issue("A", created=day(-2), estimate=3, sprints={1}, changes=[moved(day(5), TODO, DONE)])


def carried_over():
    # 5 points, unfinished at sprint 1's close: Jira adds sprint 2 and keeps sprint 1 in the field.
    # Sprint 1: commitment 5, completed 0. Sprint 2: in it at start, done day 20: 5 and 5.
    return issue(
        "B",
        created=day(-1),
        estimate=5,
        sprints={1},
        changes=[moved(day(3), TODO, IN_PROGRESS), resprinted(day(14), {1}, {1, 2}), moved(day(20), IN_PROGRESS, DONE)],
    )


def re_estimated():
    # Committed at 2 points, re-estimated to 8 on day 3, done day 6: commitment 2, completed 8.
    return issue(
        "C", created=day(-1), estimate=2, sprints={1}, changes=[estimated(day(3), 2, 8), moved(day(6), TODO, DONE)]
    )


def removed():
    # Committed at 5, taken out of the sprint on day 4, done day 10 outside it: 5 and 0.
    return issue(
        "D", created=day(-1), estimate=5, sprints={1}, changes=[resprinted(day(4), {1}, ()), moved(day(10), TODO, DONE)]
    )


def added():
    # Added on day 2 with 3 points, done day 9: commitment 0, completed 3.
    return issue("E", created=day(-5), estimate=3, changes=[resprinted(day(2), (), {1}), moved(day(9), TODO, DONE)])


def test_committed_work_done_in_the_sprint_counts_in_both():
    assert figures(committed_and_done()) == {1: (3, 3)}


def test_carried_over_issue_counts_where_it_is_done():
    assert figures(carried_over(), sprints=(S1, S2)) == {1: (5, 0), 2: (5, 5)}


def test_estimate_changed_mid_sprint_commitment_at_start_completed_at_close():
    assert figures(re_estimated()) == {1: (2, 8)}


def test_issue_removed_mid_sprint_stays_in_the_commitment_only():
    assert figures(removed()) == {1: (5, 0)}


def test_scope_added_mid_sprint_counts_when_completed():
    assert figures(added()) == {1: (0, 3)}


def test_issue_done_before_joining_the_sprint_is_completed_outside_it():
    # Done day 1, added to the running sprint on day 3: Jira lists it apart; counts nowhere.
    early = issue("F", created=day(-5), estimate=2, changes=[moved(day(1), TODO, DONE), resprinted(day(3), (), {1})])
    assert figures(early) == {1: (0, 0)}


def test_issue_already_done_at_sprint_start_is_neither_committed_nor_completed():
    stale = issue("G", created=day(-5), estimate=2, sprints={1}, changes=[moved(day(-1), TODO, DONE)])
    assert figures(stale) == {1: (0, 0)}


def test_issue_created_into_a_running_sprint_is_added_scope():
    late = issue("H", created=day(3), estimate=1, sprints={1}, changes=[moved(day(4), TODO, DONE)])
    assert figures(late) == {1: (0, 1)}


def test_unestimated_issues_count_zero_and_sub_tasks_are_left_out():
    unestimated = issue("I", created=day(-1), sprints={1}, changes=[moved(day(5), TODO, DONE)])
    subtask = issue("J", created=day(-1), estimate=8, sprints={1}, subtask=True, changes=[moved(day(5), TODO, DONE)])
    assert figures(unestimated, subtask) == {1: (0, 0)}


def test_unfinished_issue_moved_out_at_close_is_not_completed():
    # Jira moves unfinished work to the next sprint when the sprint closes (here without keeping 1).
    moved_on = issue("K", created=day(-1), estimate=3, sprints={1}, changes=[resprinted(day(14), {1}, {2})])
    assert figures(moved_on, sprints=(S1, S2)) == {1: (3, 0), 2: (3, 0)}


def test_the_boards_done_column_decides_what_is_done():
    # READY is in the done column: moving there on day 5 completes the issue; another issue
    # already READY at sprint start is not committed.
    ready = issue("L", created=day(-1), estimate=3, sprints={1}, changes=[moved(day(5), IN_PROGRESS, READY)],
                  status=IN_PROGRESS)  # fmt: skip
    parked = issue("M", created=day(-3), estimate=2, sprints={1}, changes=[moved(day(-1), TODO, READY)])
    assert figures(ready, parked, done_status_ids={READY.id, DONE.id}) == {1: (3, 3)}
    assert figures(ready, parked) == {1: (5, 0)}


def test_filters_judge_issues_at_sprint_start_and_close():
    bug = issue("N", created=day(-1), type="Bug", estimate=3, sprints={1}, changes=[moved(day(5), TODO, DONE)])
    data = team(committed_and_done(), bug, sprints=(S1,))
    measurement = Velocity(issue_types=("Story",)).measure(data, Window(sprints=1), AS_OF)
    assert measurement.details["sprints"] == [{"id": 1, "name": "Sprint 1", "commitment": 3, "completed": 3}]


def whole_team():
    # Sprint 1: commitment A3 + B5 + C2 + D5 = 15, completed A3 + C8 + E3 = 14.
    # Sprint 2: B carried over, 5 and 5. Sprint 3: empty, 0 and 0.
    return team(
        committed_and_done(),
        carried_over(),
        re_estimated(),
        removed(),
        added(),
        sprints=(S3, S1, S2, sprint(4, day(42))),
    )


def test_velocity_is_the_mean_completed_over_the_window_sprints():
    data = whole_team()
    three = Velocity().measure(data, Window(sprints=3), AS_OF)
    assert three.value == pytest.approx((14 + 5 + 0) / 3)
    assert three.sample_size == 3
    assert [row["id"] for row in three.details["sprints"]] == [1, 2, 3]
    assert three.details["say_do"] == pytest.approx(100 * 19 / 20)
    two = Velocity().measure(data, Window(sprints=2), AS_OF)
    assert two.value == pytest.approx(2.5)


def test_a_day_window_takes_the_sprints_completed_within_it():
    # Day 43 minus 20 days is day 23: sprints 2 (closed day 28) and 3 (day 42).
    measurement = Velocity().measure(whole_team(), Window(days=20), AS_OF)
    assert [row["id"] for row in measurement.details["sprints"]] == [2, 3]


def test_say_do_ratio_is_completed_over_commitment():
    data = whole_team()
    assert SayDoRatio().measure(data, Window(sprints=3), AS_OF).value == pytest.approx(95.0)
    assert SayDoRatio().measure(data, Window(sprints=1), AS_OF).value is None  # sprint 3 committed nothing


def test_no_closed_sprint_means_no_value():
    data = team(committed_and_done(), sprints=(sprint(1, day(0)),))
    assert Velocity().measure(data, Window(sprints=3), AS_OF).value is None
    assert SayDoRatio().measure(data, Window(sprints=3), AS_OF).value is None


def test_trend_steps_back_one_sprint_at_a_time():
    # Just before sprint 3 closed, the last three closed are 1 and 2: (14 + 5) / 2 = 9.5; just
    # before sprint 2 closed, only sprint 1: 14; just before sprint 1 closed, none.
    definition = KpiDefinition("VEL", "Velocity", Velocity(), target=10, threshold=5, window=Window(sprints=3))
    result = evaluate_kpi(definition, whole_team(), AS_OF)
    assert [value for _, value in result.series] == [None, 14, 9.5, pytest.approx(19 / 3)]
