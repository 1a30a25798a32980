"""A store seeded with the Support team's issues (one imported already resolved) and one recorded sync on
12 January at noon: the starting point of the as-of and daily-series tests."""

import tomllib
from datetime import UTC, datetime

from kpiokr.kpi import TeamData
from sync.app.evaluate import IssueIndex, JiraAnswers, evaluate_team
from sync.app.results import team_document
from sync.jira.site import FieldInfo
from sync.jira.translate import SiteDictionary, to_history
from sync.mapping.schema import TeamMapping
from sync.store import Store

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


def support_team() -> TeamMapping:
    """The Support team as :data:`MAPPING` describes it."""
    return TeamMapping.from_toml_data(tomllib.loads(MAPPING))


def record_sync(store: Store, team: TeamMapping) -> Store:
    """``store`` after a sync at :data:`SYNCED`: the issues and that pass's report."""
    site = SiteDictionary.build([FieldInfo("status", "Status", False, "status", None)], STATUSES)
    store.upsert_issues(ISSUES)
    index = IssueIndex(to_history(issue, site) for issue in ISSUES)
    data = TeamData(index.in_projects(["SUP"]), UTC)
    result = evaluate_team(team, index, data, JiraAnswers(("SUP-1",)), SYNCED, site=site)
    store.record_report("Support", SYNCED, team_document(result))
    return store
