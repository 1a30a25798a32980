"""From a mapping to the domain: the cycle in the team's zone, KPI definitions, objectives, key results."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from kpiokr.calculators import LeadTime, ResolutionTime, Throughput, Velocity
from kpiokr.kpi import Direction, Window
from kpiokr.okr import (
    Ambition,
    ChildCompletion,
    KeyResultInputs,
    KpiTarget,
    NumericTarget,
    QueryCount,
    score_key_result,
)
from sync.mapping.file import (
    TeamMapping,
    build_cycle,
    build_key_result,
    build_kpi_definitions,
    build_objective,
    key_result_jql,
    numeric_fields,
    parse_mapping,
    team_timezone,
)

TEXT = """\
[team]
name = "Mobile"
projects = ["MOB"]
board = 1
timezone = "Europe/Berlin"
[cycle]
name = "2026-Q4"
start = 2026-10-01
end = 2026-12-31
[objectives]
jql = "project = MOB AND issuetype = Epic"
ambition = "committed"
tolerance = 0.2
[key_results]
source = "jql"
jql = 'issuetype = "Key Result" AND parent = {epic}'
measure = "numeric"
field = "Progress"
baseline = 0
target = 100
[[objective]]
key = "MOB-1"
ambition = "stretch"
owner = "Ana"
tolerance = 0.05
guardrails = ["bugs", "velocity"]
  [[objective.key_result]]
  key = "MOB-11"
  measure = "numeric"
  field = "Downloads"
  baseline = 120000
  target = 200000
  weight = 2
  owner = "Ben"
  [[objective.key_result]]
  key = "MOB-12"
  weight = 0.5
  [[objective.key_result]]
  key = "MOB-13"
  measure = "kpi"
  kpi = "bugs"
  baseline = 96
  target = 48
  [[objective.key_result]]
  key = "MOB-14"
  measure = "query_count"
  jql = "project = MOB AND labels = crash AND statusCategory != Done"
  baseline = 25
  target = 5
  [[objective.key_result]]
  key = "MOB-15"
  measure = "child_completion"
[[kpi]]
key = "velocity"
name = "Velocity"
kind = "velocity"
target = 40
threshold = 30
owner = "Ana"
guards = ["*"]
[[kpi]]
key = "bugs"
name = "Critical bugs"
kind = "resolution_time"
priorities = ["Highest"]
statistic = "p85"
window = { days = 14 }
unit = "h"
target = 48
threshold = 72
trend_points = 6
guards = ["MOB-1"]
[[kpi]]
key = "throughput"
name = "Throughput"
kind = "throughput"
direction = "lower"
target = 5
[[kpi]]
key = "lead"
name = "Checkout lead time"
kind = "lead_time"
jql = "component = Checkout"
target = 10
"""


@pytest.fixture(scope="module")
def mapping() -> TeamMapping:
    team, problems = parse_mapping(TEXT, "mobile.toml")
    assert problems == []
    assert team is not None
    return team


def test_the_cycle_runs_from_midnight_to_the_midnight_after_its_last_day_in_the_team_zone(mapping):
    berlin = ZoneInfo("Europe/Berlin")
    cycle = build_cycle(mapping, UTC)
    assert (cycle.name, cycle.start, cycle.end) == (
        "2026-Q4",
        datetime(2026, 10, 1, tzinfo=berlin),
        datetime(2027, 1, 1, tzinfo=berlin),
    )
    assert cycle.elapsed_share(datetime(2026, 12, 31, 23, 59, tzinfo=berlin)) < 1.0
    assert cycle.elapsed_share(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == 1.0


def test_without_a_time_zone_the_cycle_is_in_the_jira_accounts_zone(mapping):
    account = timezone(timedelta(hours=-5))
    unzoned = mapping.model_copy(update={"team": mapping.team.model_copy(update={"timezone": None})})
    assert team_timezone(unzoned, account) is account
    assert build_cycle(unzoned, account).start == datetime(2026, 10, 1, tzinfo=account)


def test_kpi_definitions_carry_calculator_window_direction_and_lines(mapping):
    velocity, bugs, throughput, lead = build_kpi_definitions(mapping, {"lead": frozenset({"MOB-7"})})
    assert velocity.calculator == Velocity()
    assert (velocity.window, velocity.direction, velocity.target, velocity.threshold) == (
        Window(sprints=3),
        Direction.HIGHER_IS_BETTER,
        40,
        30,
    )
    assert bugs.calculator == ResolutionTime(priorities=("Highest",), statistic="p85")
    assert (bugs.window, bugs.display_unit, bugs.trend_points, bugs.owner) == (Window(days=14), "h", 6, None)
    assert throughput.calculator == Throughput()
    assert (throughput.window, throughput.direction, throughput.threshold) == (
        Window(days=28),
        Direction.LOWER_IS_BETTER,
        5,
    )
    assert lead.calculator == LeadTime(keys=frozenset({"MOB-7"}))


def test_a_kpi_filtered_by_jql_needs_the_keys_it_matched(mapping):
    with pytest.raises(ValueError, match="KPI lead is filtered by JQL: pass the issue keys its jql matched"):
        build_kpi_definitions(mapping)


def test_key_results_take_their_table_else_the_default_measure(mapping):
    downloads = build_key_result("MOB-11", "Downloads to 200k", mapping, assignee="Cleo")
    assert downloads.measure == NumericTarget("Downloads", 120000, 200000)
    assert (downloads.owner, downloads.weight) == ("Ben", 2.0)
    weighted = build_key_result("MOB-12", "Onboarding", mapping, assignee="Cleo")
    assert (weighted.measure, weighted.owner, weighted.weight) == (NumericTarget("Progress", 0, 100), "Cleo", 0.5)
    assert build_key_result("MOB-13", "", mapping).measure == KpiTarget("bugs", 96, 48)
    assert build_key_result("MOB-14", "", mapping).measure == QueryCount(
        "project = MOB AND labels = crash AND statusCategory != Done", target=5, baseline=25
    )
    assert build_key_result("MOB-15", "", mapping).measure == ChildCompletion()
    unlisted = build_key_result("MOB-99", "Found by JQL", mapping, assignee="Dan")
    assert (unlisted.measure, unlisted.owner, unlisted.weight) == (NumericTarget("Progress", 0, 100), "Dan", 1.0)


def test_a_built_key_result_is_scored_by_the_domain(mapping):
    key_result = build_key_result("MOB-14", "Fewer crashes", mapping)
    inputs = KeyResultInputs(query_counts={"project = MOB AND labels = crash AND statusCategory != Done": 15})
    assert score_key_result(key_result, inputs, datetime(2026, 11, 1, tzinfo=UTC)).score == 0.5


def test_objectives_take_their_table_and_the_kpis_that_guard_them(mapping):
    cycle = build_cycle(mapping, UTC)
    key_results = [build_key_result("MOB-11", "Downloads", mapping)]
    listed = build_objective("MOB-1", "Win users", "Cleo", key_results, mapping, cycle=cycle)
    assert (listed.ambition, listed.owner, listed.tolerance, listed.cycle) == (Ambition.STRETCH, "Ana", 0.05, cycle)
    assert listed.guardrails == ("bugs", "velocity")
    assert listed.key_results == tuple(key_results)
    found = build_objective("MOB-2", "Found by JQL", "Cleo", [], mapping, cycle=cycle)
    assert (found.ambition, found.owner, found.tolerance, found.guardrails) == (
        Ambition.COMMITTED,
        "Cleo",
        0.2,
        ("velocity",),
    )


def test_what_the_sync_layer_needs_to_fetch(mapping):
    assert key_result_jql(mapping, "MOB-2") == 'issuetype = "Key Result" AND parent = MOB-2'
    assert numeric_fields(mapping) == {"Progress", "Downloads"}
    assert [k.jql for k in mapping.kpis] == [None, None, None, "component = Checkout"]
