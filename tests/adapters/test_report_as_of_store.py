"""Scores as of a past date from a store seeded with issues (one imported already resolved) and one
recorded sync: hand-worked objective, key-result and KPI values, owners by display name."""

import json
import tomllib
from datetime import UTC, date, datetime, timedelta

import pytest

from kpiokr.kpi import TeamData
from sync.app.as_of import When, evaluate_as_of
from sync.app.evaluate import IssueIndex, JiraAnswers, evaluate_team
from sync.app.report import render
from sync.app.results import team_document
from sync.jira.site import FieldInfo
from sync.jira.translate import SiteDictionary, to_history
from sync.mapping.schema import TeamMapping

MAPPING = """
[team]
name = "Support"
projects = ["SUP"]
board = 2
board_type = "kanban"
timezone = "UTC"

[cycle]
name = "2026-Q1"
start = 2026-01-01
end = 2026-03-31

[objectives]
keys = ["SUP-1"]

[key_results]
measure = "milestone"

[[kpi]]
key = "resolution"
name = "Bug resolution time"
kind = "resolution_time"
target = 48
threshold = 96
window = { days = 28 }
owner = "acc-1"
"""
STATUSES = [
    {"id": "1", "name": "To Do", "statusCategory": {"key": "new"}},
    {"id": "5", "name": "Done", "statusCategory": {"key": "done"}},
]
ANA = {"accountId": "acc-1", "displayName": "Ana Lima"}


def raw(number: int, created: str, *, parent: str | None = None, done: str | None = None, imported: bool = False):
    """A SUP issue in search-result shape: resolved through the workflow at ``done``, or imported resolved."""
    fields = {
        "project": {"key": "SUP"},
        "created": created,
        "updated": done or created,
        "summary": f"issue {number}",
        "issuetype": {"name": "Epic" if parent is None else "Bug", "subtask": False},
        "status": {"id": "5" if done else "1", "name": "Done" if done else "To Do"},
        "resolution": {"name": "Done"} if done else None,
        "assignee": ANA,
    }
    if parent:
        fields["parent"] = {"key": parent}
    histories = []
    if done and imported:
        fields["resolutiondate"] = fields["statuscategorychangedate"] = done
    elif done:
        items = [
            {"field": "status", "fieldId": "status", "from": "1", "fromString": "To Do", "to": "5", "toString": "Done"},
            {"field": "resolution", "fieldId": "resolution", "from": None, "to": "1", "toString": "Done"},
        ]
        histories.append({"id": str(number), "author": ANA, "created": done, "items": items})
    return {"id": str(20000 + number), "key": f"SUP-{number}", "fields": fields, "changelog": {"histories": histories}}


ISSUES = [
    raw(1, "2026-01-02T09:00:00.000+0000"),
    raw(2, "2026-01-05T09:00:00.000+0000", parent="SUP-1", done="2026-01-07T09:00:00.000+0000"),
    raw(3, "2026-01-10T09:00:00.000+0000", parent="SUP-1", done="2026-01-11T09:00:00.000+0000", imported=True),
]
SYNCED = datetime(2026, 1, 12, 12, tzinfo=UTC)


@pytest.fixture
def team() -> TeamMapping:
    return TeamMapping.from_toml_data(tomllib.loads(MAPPING))


@pytest.fixture
def synced(store, team):
    """The store after a sync on 12 January: the issues and that pass's report."""
    site = SiteDictionary.build([FieldInfo("status", "Status", False, "status", None)], STATUSES)
    store.upsert_issues(ISSUES)
    index = IssueIndex(to_history(issue, site) for issue in ISSUES)
    data = TeamData(index.in_projects(["SUP"]), UTC)
    result = evaluate_team(team, index, data, JiraAnswers(("SUP-1",)), SYNCED, site=site)
    store.record_report("Support", SYNCED, team_document(result))
    return store


def test_a_past_day_is_graded_from_the_stored_histories(synced, team):
    [early] = evaluate_as_of(synced, [team], When(day=date(2026, 1, 8)))
    [later] = evaluate_as_of(synced, [team], When(day=date(2026, 1, 12)))

    assert early.as_of == datetime(2026, 1, 9, tzinfo=UTC) - timedelta(microseconds=1)
    [(objective, early_score)] = early.objectives
    # SUP-2 done on the 7th; SUP-3 was not created until the 10th: (1 + 0) / 2
    assert [(kr.key, kr.score) for kr in early_score.key_results] == [("SUP-2", 1.0), ("SUP-3", None)]
    assert early_score.score == pytest.approx(0.5)
    assert early_score.expected == pytest.approx(0.7 * (8 / 90), abs=1e-9)
    [resolution] = early.kpis
    assert (resolution.value, resolution.measurement.without_history) == (pytest.approx(48.0), 0)
    # by the 12th SUP-3, imported resolved on the 11th (24 h after creation), counts too
    assert later.objectives[0][1].score == pytest.approx(1.0)
    [resolution] = later.kpis
    assert resolution.value == pytest.approx(36.0)
    assert (resolution.measurement.sample_size, resolution.measurement.without_history) == (2, 1)
    assert objective.owner == "Ana Lima"
    assert resolution.definition.owner == "Ana Lima"


def test_the_json_report_is_strict_and_shows_the_data_quality_figure(synced, team):
    [later] = evaluate_as_of(synced, [team], When(instant=SYNCED))
    document = team_document(later)
    document["kpis"][0]["target"] = float("inf")

    shown = json.loads(render({"teams": [document]}, "json"), parse_constant=pytest.fail)

    kpi = shown["teams"][0]["kpis"][0]
    assert kpi["target"] is None
    assert kpi["notes"] == ["target was inf, not a finite number: shown as null"]
    assert kpi["without_history"] == 1
    assert "basis" not in shown["teams"][0]
    assert "1 of 2" in render({"teams": [document]}, "table")
