"""Warnings about the measurement: how many goals, results rather than tasks, owners, guardrails, vanity."""

from datetime import UTC, datetime

import pytest

from kpiokr.history import IssueHistory
from kpiokr.okr import KeyResultInputs, Objective, ObjectiveScore, score_key_result, score_objective
from sync.app.evaluate import count_warnings
from sync.app.results import TeamResult
from sync.mapping.file import (
    TeamMapping,
    build_cycle,
    build_key_result,
    build_objective,
    key_result_count_warnings,
    lint_team,
    objective_count_warnings,
    parse_mapping,
    unmeasured_warnings,
    vanity_reason,
)
from tests.builders import issue

PATH = "mappings/mobile.toml"

HEADER = """\
[team]
name = "Mobile"
projects = ["MOB"]
board = 1
[cycle]
name = "2026-Q4"
start = 2026-10-01
end = 2026-12-31
"""


def team(body: str) -> TeamMapping:
    mapping, errors = parse_mapping(HEADER + body, PATH)
    assert errors == []
    assert mapping is not None
    return mapping


def warnings(body: str) -> list[str]:
    return [str(w) for w in lint_team(team(body))]


def objective(key: str, *key_results: str) -> str:
    return f'[[objective]]\nkey = "{key}"\n' + "".join(
        f'  [[objective.key_result]]\n  key = "{k}"\n' for k in key_results
    )


def kpi(key: str, kind: str, extra: str = "") -> str:
    return f'[[kpi]]\nkey = "{key}"\nname = "{key}"\nkind = "{kind}"\ntarget = 1\nowner = "Ana"\n{extra}'


HEALTHY = (
    '[key_results]\nsource = "listed"\n'
    + objective("MOB-1", "MOB-11", "MOB-12", "MOB-13")
    + objective("MOB-2", "MOB-21", "MOB-22", "MOB-23")
    + objective("MOB-3", "MOB-31", "MOB-32", "MOB-33")
    + kpi("throughput", "throughput", 'guards = ["*"]\n')
    + kpi("wip", "wip")
    + kpi("lead_time", "lead_time")
)


def test_a_balanced_mapping_has_no_warnings():
    assert warnings(HEALTHY) == []


def test_a_bare_mapping_gets_the_literatures_advice():
    assert warnings('[objectives]\nkeys = ["MOB-1"]\n') == [
        "mappings/mobile.toml:1:1: 0 KPIs; 5-7 per team are advised",
        "mappings/mobile.toml:10:1: objectives.keys: 1 objective; 3-5 per team are advised",
        "mappings/mobile.toml:10:9: objectives.keys[0]: no guardrail KPI: set guardrails in its [[objective]] table, "
        'or guards = ["MOB-1"] on a KPI',
    ]


def test_too_many_objectives_key_results_and_kpis():
    body = (
        '[objectives]\nkeys = ["MOB-1", "MOB-2", "MOB-3", "MOB-4", "MOB-5", "MOB-6"]\n'
        '[key_results]\nsource = "listed"\n'
        + "".join(objective(f"MOB-{n}", f"MOB-{n}1", f"MOB-{n}2", f"MOB-{n}3") for n in range(1, 6))
        + objective("MOB-6", *(f"MOB-6{n}" for n in range(1, 7)))
        + "".join(kpi(f"k{n}", "throughput", 'guards = ["*"]\n') for n in range(8))
    )
    assert warnings(body) == [
        "mappings/mobile.toml:10:1: objectives.keys: 6 objectives; 3-5 per team are advised",
        "mappings/mobile.toml:54:1: objective[5].key: MOB-6 has 6 key results; 3-5 per objective are advised",
        "mappings/mobile.toml:67:1: kpi: 8 KPIs; 5-7 per team are advised",
    ]


def test_the_daemon_checks_the_counts_jira_decides():
    mapping = team('[objectives]\njql = "project = MOB AND issuetype = Epic"\n' + objective("MOB-1") + kpi("w", "wip"))
    assert objective_count_warnings(mapping, 4) == []
    assert [str(w) for w in objective_count_warnings(mapping, 8)] == [
        "mappings/mobile.toml:10:1: objectives.jql: 8 objectives; 3-5 per team are advised",
    ]
    assert [str(w) for w in key_result_count_warnings(mapping, "MOB-1", 7)] == [
        "mappings/mobile.toml:12:1: objective[0].key: MOB-1 has 7 key results; 3-5 per objective are advised",
    ]
    assert [str(w) for w in key_result_count_warnings(mapping, "MOB-9", 1)] == [
        "mappings/mobile.toml:9:1: objectives: MOB-9 has 1 key result; 3-5 per objective are advised",
    ]


def test_tasks_posing_as_results_vanity_counts_and_unowned_kpis():
    body = """[objectives]
keys = ["MOB-1", "MOB-2", "MOB-3"]
[[objective]]
key = "MOB-1"
guardrails = ["wip"]
  [[objective.key_result]]
  key = "MOB-11"
  measure = "milestone"
  [[objective.key_result]]
  key = "MOB-12"
  measure = "query_count"
  jql = "project = MOB AND issuetype = Story"
  target = 500
  [[objective.key_result]]
  key = "MOB-13"
  measure = "query_count"
  jql = "project = MOB AND created >= startOfMonth() ORDER BY status"
  target = 80
  [[objective.key_result]]
  key = "MOB-14"
  measure = "query_count"
  jql = 'project = MOB AND created >= -7d AND summary ~ "status"'
  baseline = 20
  target = 5
[[kpi]]
key = "wip"
name = "WIP"
kind = "wip"
target = 10
guards = ["*"]
[[kpi]]
key = "throughput"
name = "Throughput"
kind = "throughput"
target = 10
owner = "Ana"
[[kpi]]
key = "lead_time"
name = "Lead time"
kind = "lead_time"
target = 10
owner = "Ana"
"""
    assert warnings(body) == [
        "mappings/mobile.toml:16:3: objective[0].key_result[0].measure: a milestone is a task, not a result: "
        "measure the outcome it should bring (numeric, kpi, query_count)",
        "mappings/mobile.toml:20:3: objective[0].key_result[1].jql: vanity measure: the count only goes up "
        "(no status, resolution or date condition); count a state or a period",
        "mappings/mobile.toml:25:3: objective[0].key_result[2].jql: vanity measure: more issues created is "
        "activity, not a result; count resolved issues or a state instead",
        "mappings/mobile.toml:33:1: kpi[0]: no owner: name who answers for this KPI",
    ]


def test_a_milestone_default_measure_is_warned_about_once():
    body = '[objectives]\nkeys = ["MOB-1"]\n[key_results]\nmeasure = "milestone"\n'
    assert "mappings/mobile.toml:12:1: key_results.measure: a milestone is a task" in "\n".join(warnings(body))


def test_objectives_found_by_jql_need_a_guardrail_for_all():
    body = '[objectives]\njql = "project = MOB AND issuetype = Epic"\n' + objective("MOB-1") + kpi("w", "wip")
    assert warnings(body) == [
        "mappings/mobile.toml:10:1: objectives.jql: objectives without an [[objective]] table have no guardrail "
        'KPI: give a KPI guards = ["*"]',
        "mappings/mobile.toml:12:1: objective[0].key: no guardrail KPI: set guardrails in its [[objective]] table, "
        'or guards = ["MOB-1"] on a KPI',
        "mappings/mobile.toml:13:1: kpi: 1 KPI; 5-7 per team are advised",
    ]


@pytest.mark.parametrize(
    ("jql", "growing", "vain"),
    [
        ("project = MOB", True, True),
        ("project = MOB", False, True),
        ("project = MOB ORDER BY created DESC", True, True),
        ('project = MOB AND summary ~ "resolution"', True, True),
        ("project = MOB AND statusCategory = Done", True, False),
        ("project = MOB AND resolved >= -30d", True, False),
        ("project = MOB AND created >= -30d", True, True),
        ("project = MOB AND created >= -30d", False, False),
        ("project = MOB AND updated >= -30d", True, False),
    ],
)
def test_vanity_counts(jql, growing, vain):
    assert (vanity_reason(jql, growing=growing) is not None) is vain


def test_a_team_with_kpis_only_is_not_told_to_have_objectives():
    body = kpi("throughput", "throughput") + kpi("wip", "wip") + kpi("lead_time", "lead_time")
    assert warnings(body) == []
    assert objective_count_warnings(team(body), 0) == []


def scored(
    mapping: TeamMapping, epic: str, key_results: dict[str, list[IssueHistory]]
) -> tuple[Objective, ObjectiveScore]:
    """Objective ``epic`` of ``mapping`` scored at mid-cycle, with each key result's children."""
    as_of = datetime(2026, 11, 15, tzinfo=UTC)
    cycle = build_cycle(mapping, UTC)
    krs = [build_key_result(key, key, mapping) for key in key_results]
    objective = build_objective(epic, epic, None, krs, mapping, cycle=cycle)
    scores = [score_key_result(kr, KeyResultInputs(None, key_results[kr.key]), as_of) for kr in krs]
    return objective, score_objective(objective, scores, {}, as_of)


def test_a_key_result_without_children_to_count_names_the_measure_that_fits():
    mapping = team('[objectives]\nkeys = ["MOB-1"]\n' + kpi("wip", "wip", 'guards = ["*"]\n'))
    objective, score = scored(mapping, "MOB-1", {"MOB-11": [], "MOB-12": [issue("MOB-121")]})
    assert [str(w) for w in unmeasured_warnings(mapping, objective, score)] == [
        "mappings/mobile.toml:1:1: key_results.measure: MOB-11, a key result of MOB-1, has no child issues to count: "
        'measure = "milestone" grades the issue itself, done or not; a number it should move (numeric, kpi, '
        "query_count) says more",
    ]


def test_a_key_result_without_estimates_is_told_to_count_its_children():
    body = objective("MOB-1", "MOB-11") + '  measure = "estimate_completion"\n' + kpi("wip", "wip", 'guards = ["*"]\n')
    mapping = team(body)
    objective_, score = scored(mapping, "MOB-1", {"MOB-11": [issue("MOB-111"), issue("MOB-112")]})
    assert [str(w) for w in unmeasured_warnings(mapping, objective_, score)] == [
        "mappings/mobile.toml:13:3: objective[0].key_result[0].measure: MOB-11, a key result of MOB-1, has no "
        'estimated child issues: measure = "child_completion" counts its children done whatever their estimates',
    ]


def test_the_daemons_advice_includes_key_results_with_nothing_to_measure():
    mapping = team('[objectives]\nkeys = ["MOB-1"]\n' + kpi("wip", "wip", 'guards = ["*"]\n'))
    scores = scored(mapping, "MOB-1", {"MOB-11": []})
    result = TeamResult("Mobile", datetime(2026, 11, 15, tzinfo=UTC), "2026-Q4", (scores,), ())
    advice = [str(w) for w in count_warnings(mapping, result)]
    assert any("MOB-11, a key result of MOB-1, has no child issues to count" in line for line in advice)
