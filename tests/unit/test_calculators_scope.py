"""Scope change: estimate that joined, left or changed inside a sprint after it started."""

import pytest

from kpiokr.calculators import ScopeChange
from kpiokr.kpi import Window
from tests.builders import DONE, TODO, day, estimated, issue, moved, resprinted, sprint, team

S1 = sprint(1, day(0), day(14))
AS_OF = day(15)


def measure(*histories, sprints=(S1,)):
    return ScopeChange().measure(team(*histories, sprints=sprints), Window(sprints=3), AS_OF)


def test_every_kind_of_scope_change_in_one_sprint():
    # Commitment: X 5 + Z 2 + W 1 = 8.
    # Added: Y joins day 2 with 3; X re-estimated 5 -> 8 on day 4 (+3); V created into the sprint
    # on day 3 with 2. Removed: Z leaves day 5 with 2; X re-estimated 8 -> 7 on day 6 (-1).
    # W leaves at the close (Jira moving unfinished work on): no scope change.
    # Change = (3 + 3 + 2) + (2 + 1) = 11 of 8 committed: 137.5 %.
    x = issue("X", created=day(-1), estimate=5, sprints={1}, changes=[estimated(day(4), 5, 8), estimated(day(6), 8, 7)])
    y = issue("Y", created=day(-1), estimate=3, changes=[resprinted(day(2), (), {1})])
    z = issue("Z", created=day(-1), estimate=2, sprints={1}, changes=[resprinted(day(5), {1}, ())])
    v = issue("V", created=day(3), estimate=2, sprints={1})
    w = issue("W", created=day(-1), estimate=1, sprints={1}, changes=[resprinted(day(14), {1}, {2})])
    measurement = measure(x, y, z, v, w)
    assert measurement.details["sprints"] == [{"id": 1, "name": "Sprint 1", "commitment": 8, "added": 8, "removed": 3}]
    assert measurement.value == pytest.approx(137.5)


def test_estimate_changed_while_out_of_the_sprint_is_no_scope_change():
    # Re-estimated 2 -> 6 after leaving on day 2: only the 2 that left counts. 2 / 2 = 100 %.
    leaver = issue(
        "L",
        created=day(-1),
        estimate=2,
        sprints={1},
        changes=[resprinted(day(2), {1}, ()), estimated(day(3), 2, 6)],
    )
    assert measure(leaver).value == pytest.approx(100.0)


def test_estimate_and_membership_changing_at_once_count_once():
    # Joins on day 2 and is estimated 0 -> 5 in the same instant: 5 added, not 10.
    joiner = issue("J", created=day(-1), changes=[resprinted(day(2), (), {1}), estimated(day(2), None, 5)])
    committed = issue("C", created=day(-1), estimate=10, sprints={1})
    assert measure(joiner, committed).details["sprints"][0]["added"] == 5


def test_a_sprint_without_change_is_zero_and_without_commitment_is_none():
    steady = issue("S", created=day(-1), estimate=3, sprints={1}, changes=[moved(day(4), TODO, DONE)])
    assert measure(steady).value == 0
    assert measure().value is None
    assert measure(sprints=()).value is None
