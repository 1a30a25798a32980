"""The issues behind a KPI's value: the slowest resolved, the longest to done, and each sprint's
committed and completed issues with how many were counted without an estimate."""

import pytest

from kpiokr.calculators import CycleTime, LeadTime, ResolutionTime, Velocity
from kpiokr.kpi import LONGEST, Window, longest
from tests.builders import DONE, TODO, day, issue, moved, sprint, team
from tests.unit.test_calculators_flow import AS_OF as FLOW_AS_OF
from tests.unit.test_calculators_flow import WINDOW as FLOW_WINDOW
from tests.unit.test_calculators_flow import flow_team
from tests.unit.test_calculators_resolution import AS_OF as BUGS_AS_OF
from tests.unit.test_calculators_resolution import WINDOW as BUGS_WINDOW
from tests.unit.test_calculators_resolution import bugs


def test_resolution_time_names_the_slowest_bugs_with_their_hours():
    measurement = ResolutionTime().measure(bugs(), BUGS_WINDOW, BUGS_AS_OF)
    assert measurement.longest == (("B-3", pytest.approx(120)), ("B-2", pytest.approx(48)), ("B-1", pytest.approx(24)))


def test_cycle_and_lead_time_name_the_longest_items_with_their_days():
    cycle = CycleTime().measure(flow_team(), FLOW_WINDOW, FLOW_AS_OF)
    assert [key for key, _ in cycle.longest] == ["B", "E", "A"]
    assert [days for _, days in cycle.longest] == [pytest.approx(5), pytest.approx(4), pytest.approx(3)]
    lead = LeadTime().measure(flow_team(), FLOW_WINDOW, FLOW_AS_OF)
    assert lead.longest == (("E", pytest.approx(14)), ("C", pytest.approx(9)), ("B", pytest.approx(7)), ("A", 5))


def test_longest_keeps_the_largest_few_largest_first_and_ties_by_key():
    figures = [(f"I-{n:02}", float(n % 4)) for n in range(20)]
    kept = longest(figures)
    assert len(kept) == LONGEST
    assert kept[:3] == (("I-03", 3.0), ("I-07", 3.0), ("I-11", 3.0))
    assert [figure for _, figure in kept] == sorted((figure for _, figure in kept), reverse=True)


def test_velocity_names_each_sprints_committed_and_completed_issues_and_the_unestimated():
    done = issue("A", created=day(-1), estimate=3, sprints={1}, changes=[moved(day(5), TODO, DONE)])
    unestimated = issue("I", created=day(-1), sprints={1}, changes=[moved(day(5), TODO, DONE)])
    left_open = issue("K", created=day(-1), estimate=2, sprints={1})
    added = issue("H", created=day(3), estimate=1, sprints={1}, changes=[moved(day(4), TODO, DONE)])
    data = team(done, unestimated, left_open, added, sprints=(sprint(1, day(0), day(14)),))
    details = Velocity().measure(data, Window(sprints=1), day(15)).details
    assert details["sprint_issues"] == {"1": {"committed": ["A", "I", "K"], "completed": ["A", "H", "I"]}}
    assert (details["counted"], details["unestimated"]) == (4, 1)
