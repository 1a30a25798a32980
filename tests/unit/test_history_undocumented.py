"""Issues whose change log never mentions a field they hold (imported already resolved, migrated in
their final status): the value holds from the field's own instant where the issue has one, else
from creation, and every KPI says how many of its issues were such."""

from dataclasses import replace

import pytest

from kpiokr.calculators import CycleTime, LeadTime, ResolutionTime, SlaAdherence, Throughput, Wip
from kpiokr.history import UNRECORDED_STATUS, IssueHistory
from kpiokr.kpi import Window
from tests.builders import DONE, IN_PROGRESS, TODO, day, done_issue, issue, moved, resolved, team

WINDOW = Window(days=28)


def imported_bug(key: str, *, created: float, resolved_on: float | None) -> IssueHistory:
    """A bug created resolved (no change log entry for its resolution or status)."""
    history = issue(key, type="Bug", created=day(created), status=DONE, resolution="Done")
    at = None if resolved_on is None else day(resolved_on)
    return replace(history, resolution_set_at=at, status_category_set_at=at)


def test_a_resolution_without_history_holds_from_the_issues_resolution_instant():
    bug = imported_bug("SUP-2", created=0, resolved_on=3)

    assert bug.undocumented == frozenset({"status", "resolution"})
    assert bug.resolved_since(day(2.9)) is None
    assert bug.resolved_since(day(3)) == day(3)
    assert bug.state_at(day(1)).resolution is None
    assert bug.status_at(day(1)) == UNRECORDED_STATUS
    assert bug.done_since(day(10)) == day(3)


def test_without_an_instant_the_value_holds_from_creation():
    bug = imported_bug("SUP-3", created=2, resolved_on=None)

    assert bug.undocumented == frozenset({"status", "resolution"})
    assert bug.resolved_since(day(2)) == day(2)
    assert bug.done_since(day(2)) == day(2)


def test_the_change_log_wins_over_the_fields_own_instant():
    story = replace(done_issue("MOB-1", created=day(0), done=day(1)), resolution_set_at=day(5))

    assert story.undocumented == frozenset()
    assert story.inferred == ()
    assert story.resolved_since(day(6)) == day(1)


def test_resolution_time_counts_the_imported_bug_from_its_resolution_and_reports_it():
    # SUP-1 resolved through the workflow after 24 h; SUP-2 imported, resolved on day 3 (72 h);
    # SUP-3 imported with no resolution instant: 0 h from creation. Median 24 h, not 0 h.
    bugs = team(
        issue("SUP-1", type="Bug", created=day(0), changes=[moved(day(1), TODO, DONE), resolved(day(1))]),
        imported_bug("SUP-2", created=0, resolved_on=3),
        imported_bug("SUP-3", created=2, resolved_on=None),
    )

    measured = ResolutionTime(excluded_resolutions=()).measure(bugs, WINDOW, day(10))

    assert measured.value == pytest.approx(24.0)
    assert measured.details["p85"] == pytest.approx(24.0 + 0.7 * 48.0)
    assert measured.sample_size == 3
    assert measured.without_history == 2
    sla = SlaAdherence(sla_hours=48, excluded_resolutions=()).measure(bugs, WINDOW, day(10))
    assert (sla.value, sla.details["breached"], sla.without_history) == (pytest.approx(200 / 3), ["SUP-2"], 2)


def test_flow_kpis_report_the_done_issues_without_a_status_history():
    # MOB-1 went In Progress on day 1 and Done on day 3; MOB-2 was imported Done, its status category
    # set on day 4 (lead time 4 days, never seen in progress); MOB-3 is still in progress.
    histories = team(
        done_issue("MOB-1", created=day(0), started=day(1), done=day(3)),
        replace(issue("MOB-2", created=day(0), status=DONE, resolution="Done"), status_category_set_at=day(4)),
        issue("MOB-3", created=day(0), changes=[moved(day(2), TODO, IN_PROGRESS)]),
    )

    lead = LeadTime().measure(histories, WINDOW, day(10))
    cycle = CycleTime().measure(histories, WINDOW, day(10))
    throughput = Throughput().measure(histories, WINDOW, day(10))
    wip = Wip().measure(histories, WINDOW, day(10))

    assert lead.details == {"median": pytest.approx(3.5), "p85": pytest.approx(3.85)}
    assert lead.without_history == 1
    assert (cycle.value, cycle.sample_size, cycle.without_history) == (pytest.approx(2.0), 1, 1)
    assert throughput.without_history == 1
    assert (wip.value, wip.without_history) == (1.0, 0)
