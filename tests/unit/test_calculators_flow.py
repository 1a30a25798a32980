"""Cycle time, lead time, throughput, WIP and ageing WIP."""

import pytest

from kpiokr.calculators import AgeingWip, CycleTime, LeadTime, Throughput, Wip
from kpiokr.kpi import Window
from tests.builders import DONE, IN_PROGRESS, IN_REVIEW, READY, TODO, change, day, done_issue, issue, moved, team

AS_OF = day(14)
WINDOW = Window(days=14)  # (day 0, day 14]


def flow_team():
    return team(
        # Cycle 3 days (2 -> 5), lead 5 days (0 -> 5).
        done_issue("A", created=day(0), started=day(2), done=day(5)),
        # Cycle 5 days from the first move into progress (1) to the final done (6), through a
        # reopening; lead 7 days.
        issue(
            "B",
            created=day(-1),
            changes=[
                moved(day(1), TODO, IN_PROGRESS),
                moved(day(3), IN_PROGRESS, DONE),
                moved(day(4), DONE, IN_REVIEW),
                moved(day(6), IN_REVIEW, DONE),
            ],
        ),
        # Skipped in progress: no cycle time; lead 9 days.
        done_issue("C", created=day(-5), done=day(4)),
        # Done exactly at the window start: outside (the window is open at its start).
        done_issue("D", created=day(-3), started=day(-2), done=day(0)),
        # Done exactly at as_of: inside. Cycle 4, lead 14.
        done_issue("E", created=day(0), started=day(10), done=day(14)),
        # A sub-task, left out everywhere.
        done_issue("F", created=day(0), started=day(1), done=day(2), subtask=True),
    )


def test_cycle_time_runs_from_first_in_progress_to_final_done():
    measurement = CycleTime(statistic="mean").measure(flow_team(), WINDOW, AS_OF)
    # A 3, B 5, E 4.
    assert measurement.value == pytest.approx(4)
    assert measurement.sample_size == 3
    assert measurement.details == {"median": pytest.approx(4), "p85": pytest.approx(4.7)}


def test_lead_time_runs_from_creation_to_done():
    # A 5, B 7, C 9, E 14: median (7 + 9) / 2 = 8; max 14.
    assert LeadTime().measure(flow_team(), WINDOW, AS_OF).value == pytest.approx(8)
    assert LeadTime(statistic="max").measure(flow_team(), WINDOW, AS_OF).value == pytest.approx(14)


def test_throughput_is_done_per_week():
    # A, B, C, E in two weeks.
    measurement = Throughput().measure(flow_team(), WINDOW, AS_OF)
    assert measurement.value == pytest.approx(2)
    assert measurement.sample_size == 4
    assert Throughput().measure(team(), WINDOW, AS_OF).value == 0


def test_the_boards_done_column_is_what_done_means():
    # With READY in the done column, G is done on day 3 (READY) rather than day 12 (DONE).
    g = issue(
        "G",
        created=day(0),
        changes=[moved(day(1), TODO, IN_PROGRESS), moved(day(3), IN_PROGRESS, READY), moved(day(12), READY, DONE)],
    )
    assert LeadTime().measure(team(g), WINDOW, AS_OF).value == pytest.approx(12)
    assert LeadTime().measure(team(g, done_status_ids={READY.id, DONE.id}), WINDOW, AS_OF).value == pytest.approx(3)


def test_issue_types_are_judged_when_done():
    # H was a Task when done on day 5 and became a Bug on day 8.
    h = issue(
        "H",
        type="Task",
        created=day(0),
        changes=[moved(day(5), TODO, DONE), change(day(8), "issue_type", "Task", "Bug")],
    )
    assert Throughput(issue_types=("Task",)).measure(team(h), WINDOW, AS_OF).sample_size == 1
    assert Throughput(issue_types=("Bug",)).measure(team(h), WINDOW, AS_OF).sample_size == 0


def wip_team():
    return team(
        # In progress since day 1 (13 days at day 14), though it went back to To Do in between.
        issue(
            "W-1",
            created=day(0),
            changes=[
                moved(day(1), TODO, IN_PROGRESS),
                moved(day(2), IN_PROGRESS, TODO),
                moved(day(9), TODO, IN_REVIEW),
            ],
        ),
        # In progress since day -10: 24 days.
        issue("W-2", created=day(-20), changes=[moved(day(-10), TODO, IN_PROGRESS)]),
        # Done, To Do, or a sub-task in progress: not WIP.
        done_issue("W-3", created=day(0), started=day(1), done=day(3)),
        issue("W-4", created=day(0)),
        issue("W-5", created=day(-20), subtask=True, changes=[moved(day(-10), TODO, IN_PROGRESS)]),
    )


def test_wip_counts_issues_in_progress_at_as_of():
    measurement = Wip().measure(wip_team(), WINDOW, AS_OF)
    assert measurement.value == 2
    assert measurement.details == {"keys": ["W-1", "W-2"]}
    # On day 5 W-1 was back in To Do.
    assert Wip().measure(wip_team(), WINDOW, day(5)).details == {"keys": ["W-2"]}


def test_ageing_wip_counts_those_in_progress_longer_than_age_days():
    measurement = AgeingWip().measure(wip_team(), WINDOW, AS_OF)
    assert measurement.value == 1
    assert measurement.details == {"ages": {"W-2": pytest.approx(24)}}
    older_than_ten = AgeingWip(age_days=10).measure(wip_team(), WINDOW, AS_OF)
    assert older_than_ten.details == {"ages": {"W-2": pytest.approx(24), "W-1": pytest.approx(13)}}


def test_parameters_are_checked():
    with pytest.raises(ValueError, match="age_days must be a positive number of days"):
        AgeingWip(age_days=0)
    with pytest.raises(ValueError, match="statistic must be one of"):
        CycleTime(statistic="average")
    with pytest.raises(ValueError, match=r"issue_types must be a tuple of names, e\.g\. issue_types=\("):
        LeadTime(issue_types="Story")
