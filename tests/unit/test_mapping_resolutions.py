"""Resolutions that say no work was done leave resolution KPIs by default: Jira's own and those of public trackers."""

import pytest

from kpiokr.calculators.resolution import DEFAULT_EXCLUDED_RESOLUTIONS
from kpiokr.kpi import Window
from sync.mapping.file import parse_mapping
from tests.builders import day, issue, resolved, team

MAPPING = """\
[team]
name = "Support"
projects = ["BUG"]
[cycle]
name = "2026-Q4"
start = 2026-10-01
end = 2026-12-31
[[kpi]]
key = "resolution"
name = "Resolution time"
kind = "resolution_time"
statistic = "max"
target = 24
"""

NO_WORK = (
    # Jira Software Cloud and Jira Data Center ship these.
    "Duplicate",
    "Won't Do",
    "Won't Fix",
    "Cannot Reproduce",
    "Incomplete",
    # Public Jira trackers (Apache, Mojang, Atlassian's own) and Bugzilla-style workflows add these.
    "Invalid",
    "Not A Problem",
    "Not A Bug",
    "Works as Designed",
    "Works as Intended",
    "Works for Me",
    "Abandoned",
    "Obsolete",
    "Declined",
    "Rejected",
    "Out of Scope",
    "Auto Closed",
    "Later",
)


@pytest.mark.parametrize("resolution", NO_WORK)
def test_a_resolution_kpi_leaves_out_what_says_no_work_was_done(resolution):
    mapping, problems = parse_mapping(MAPPING, "support.toml")
    assert problems == []
    assert mapping is not None
    calculator = mapping.kpis[0].calculator()
    bugs = team(
        issue("BUG-1", type="Bug", created=day(0), changes=[resolved(day(1), "Fixed")]),
        issue("BUG-2", type="Bug", created=day(0), changes=[resolved(day(2), "Done")]),
        issue("BUG-3", type="Bug", created=day(0), changes=[resolved(day(9), resolution)]),
        issue("BUG-4", type="Bug", created=day(0), changes=[resolved(day(9), resolution.upper())]),
    )
    measurement = calculator.measure(bugs, Window(days=14), day(10))
    assert (measurement.value, measurement.sample_size) == (48, 2)


def test_fixes_are_never_left_out():
    excluded = {name.casefold() for name in DEFAULT_EXCLUDED_RESOLUTIONS}
    assert excluded >= {name.casefold() for name in NO_WORK}
    assert not excluded & {"fixed", "done", "resolved", "implemented", "delivered", "answered"}
