"""Every KPI says how many of the issues it measured had a change log that came back cut from the
search and had to be completed: the fourth data-quality figure beside sample size, issues without
history and unestimated issues."""

from dataclasses import replace

import pytest

from kpiokr.calculators import (
    AgeingWip,
    CycleTime,
    LeadTime,
    ResolutionTime,
    SayDoRatio,
    ScheduleAdherence,
    ScopeChange,
    SlaAdherence,
    Throughput,
    Velocity,
    Wip,
)
from kpiokr.history import IssueHistory
from kpiokr.kpi import Calculator, Window
from tests.builders import DONE, IN_PROGRESS, TODO, day, done_issue, issue, moved, resolved, sprint, team

WINDOW = Window(days=28)


def completed(history: IssueHistory) -> IssueHistory:
    """``history`` as read from a change log the search cut and a further read completed."""
    return replace(history, completed_changelog=True)


def test_a_history_is_read_whole_unless_it_says_otherwise():
    plain = issue("MOB-1")

    assert plain.completed_changelog is False
    assert completed(plain).completed_changelog is True
    assert completed(plain).changes == plain.changes


def flow_team():
    # Done in the window: MOB-1 and MOB-2 (completed), MOB-3 (not). MOB-4 was done long before the
    # window (completed, not measured). In progress since day 1: MOB-5 (completed) and MOB-6.
    return team(
        done_issue("MOB-1", created=day(0), started=day(1), done=day(30)),
        completed(done_issue("MOB-2", created=day(0), started=day(2), done=day(32))),
        done_issue("MOB-3", created=day(0), started=day(3), done=day(33)),
        completed(done_issue("MOB-4", created=day(0), started=day(1), done=day(2))),
        completed(issue("MOB-5", created=day(0), changes=[moved(day(1), TODO, IN_PROGRESS)])),
        issue("MOB-6", created=day(0), changes=[moved(day(1), TODO, IN_PROGRESS)]),
    )


@pytest.mark.parametrize(
    ("calculator", "sample", "count"),
    [
        (LeadTime(), 3, 1),
        (CycleTime(), 3, 1),
        (Throughput(), 3, 1),
        (Wip(), 2, 1),
        (AgeingWip(age_days=14), 2, 1),
    ],
    ids=lambda value: getattr(value, "kind", None),
)
def test_flow_kpis_count_the_measured_issues_whose_change_log_was_completed(calculator: Calculator, sample, count):
    measured = calculator.measure(flow_team(), WINDOW, day(40))

    assert (measured.sample_size, measured.completed_changelogs) == (sample, count)


def test_resolution_kpis_count_the_resolved_bugs_whose_change_log_was_completed():
    def bug(key: str, hours: float) -> IssueHistory:
        return issue(
            key,
            type="Bug",
            created=day(20),
            changes=[moved(day(20 + hours / 24), TODO, DONE), resolved(day(20 + hours / 24))],
        )

    bugs = team(completed(bug("SUP-1", 10)), completed(bug("SUP-2", 30)), bug("SUP-3", 50))

    resolution = ResolutionTime(excluded_resolutions=()).measure(bugs, WINDOW, day(30))
    sla = SlaAdherence(sla_hours=24, excluded_resolutions=()).measure(bugs, WINDOW, day(30))

    assert (resolution.sample_size, resolution.completed_changelogs) == (3, 2)
    assert (sla.sample_size, sla.completed_changelogs) == (3, 2)


def test_schedule_adherence_counts_the_due_issues_whose_change_log_was_completed():
    due = day(10).date()
    late = issue("WEB-2", created=day(0), due=due)
    on_time = done_issue("WEB-1", created=day(0), done=day(5), due=due)

    measured = ScheduleAdherence().measure(team(completed(on_time), late), WINDOW, day(20))

    assert (measured.value, measured.sample_size, measured.completed_changelogs) == (50.0, 2, 1)


def test_sprint_kpis_count_each_issue_counted_in_a_sprint_once():
    # S1: A committed and completed (completed log: counted once, not twice), B committed only
    # (completed log), C completed only (whole log). S2: D committed (whole log). E (completed log)
    # is in no sprint of the window: not counted.
    s1, s2 = sprint(1, day(0), day(14)), sprint(2, day(14), day(28))
    histories = team(
        completed(issue("A", created=day(-1), estimate=3, sprints={1}, changes=[moved(day(5), TODO, DONE)])),
        completed(issue("B", created=day(-1), estimate=2, sprints={1})),
        issue("C", created=day(2), estimate=1, sprints={1}, changes=[moved(day(6), TODO, DONE)]),
        issue("D", created=day(13), estimate=5, sprints={2}, changes=[moved(day(15), TODO, IN_PROGRESS)]),
        completed(issue("E", created=day(13), estimate=5, sprints={3})),
        sprints=(s1, s2),
    )

    for calculator in (Velocity(), SayDoRatio(), ScopeChange()):
        measured = calculator.measure(histories, Window(sprints=3), day(30))
        assert (measured.sample_size, measured.completed_changelogs) == (2, 2), calculator.kind
