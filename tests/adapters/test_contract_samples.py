"""Every recorded Jira payload in ``tests/fixtures/jira-samples`` goes through the real translation code.

Each file is classified by its shape and handled by the code that reads that shape in production;
a file of a shape nobody handles fails the test, so a new sample is covered or noticed. Files with
known content also get specific expectations (``EXPECTED``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from kpiokr.history import STATE_FIELDS, IssueHistory, Status, StatusCategory
from sync.jira.site import BoardConfig, FieldInfo
from sync.jira.translate import CATEGORIES, SiteDictionary, status_from_json, to_history, webhook_issue
from sync.jira.translate_agile import to_sprint, to_velocity
from tests.shared import JIRA_SAMPLES

SAMPLES = JIRA_SAMPLES
FILES = sorted(p for p in SAMPLES.rglob("*") if p.suffix in {".json", ".js"})

FLOAT = "com.atlassian.jira.plugin.system.customfieldtypes:float"
SPRINT = "com.pyxis.greenhopper.jira:gh-sprint"
EPIC = "com.pyxis.greenhopper.jira:gh-epic-link"


def load(relative: str) -> Any:
    return unwrap(json.loads((SAMPLES / relative).read_text()))


def unwrap(payload: Any) -> Any:
    """WireMock stubs keep the API payload in ``response.jsonBody``."""
    if isinstance(payload, dict) and {"request", "response"} <= payload.keys():
        return payload["response"]["jsonBody"]
    return payload


def number_field(field_id: str, name: str) -> FieldInfo:
    return FieldInfo(field_id, name, True, "number", FLOAT)


def site_for(relative: str) -> SiteDictionary:
    """The site each source repository recorded, as far as its samples reveal it."""
    source = relative.split("/", 1)[0]
    if source == "jirametrics":
        fields = [
            number_field("customfield_10036", "Story Points"),
            FieldInfo("customfield_10020", "Sprint", True, "array", SPRINT),
        ]
        return SiteDictionary.build(fields, load("jirametrics/spec/testdata/sample_statuses.json"))
    if source == "mattermost-plugin-jira":
        fields = [
            FieldInfo("customfield_10014", "Epic Link", True, "any", EPIC),
            FieldInfo("customfield_10021", "Sprint", True, "array", SPRINT),
            number_field("customfield_10072", "MJK - Number Field"),
            number_field("customfield_10100", "numfield"),
        ]
        numbers = {"mjk": "MJK - Number Field", "numfield": "numfield"}
        return SiteDictionary.build(fields, [], numbers=numbers, sprint_names={"Sprint 1": 1, "Sprint 2": 2})
    if source == "go-jira":
        fields = [
            number_field("customfield_10105", "Story Points"),
            FieldInfo("customfield_10700", "Epic Link", True, "any", EPIC),
        ]
        return SiteDictionary.build(fields, load("go-jira/testing/mock-data/all_statuses.json"))
    fields = [FieldInfo.from_json(f) for f in load("jirareport/src/test/resources/stubs/fields/fields.json")]
    return SiteDictionary.build(fields, [])  # its issues are synthetic: their status ids match no list


def classify(payload: Any) -> str:
    if isinstance(payload, dict):
        if "webhookEvent" in payload:
            return "webhook"
        if "velocityStatEntries" in payload:
            return "velocity"
        if "completedIssuesEstimateSum" in (payload.get("contents") or {}):
            return "sprint-report"
        if "views" in payload:
            return "rapid-views"
        if "sprints" in payload and "rapidViewId" in payload:
            return "sprint-query"
        if "columnConfig" in payload:
            return "board-configuration"
        if "transitions" in payload:
            return "transitions"
        if "issues" in payload:
            return "search-page"
        if {"key", "fields"} <= payload.keys():
            return "issue"
        values = payload.get("values") or [{}]
        if "state" in values[0]:
            return "sprint-page"
        if "type" in values[0]:
            return "board-page"
    if isinstance(payload, list) and payload and isinstance(payload[0], dict):
        first = payload[0]
        if "clauseNames" in first or "schema" in first:
            return "field-list"
        if "statusCategory" in first:
            return "status-list"
        if "statuses" in first:
            return "project-statuses"
        if {"key", "colorName"} <= first.keys():
            return "status-categories"
        if {"id", "name", "description"} == first.keys() - {"self"}:
            return "resolutions"
    raise AssertionError("no handler for this payload shape: teach classify() and HANDLERS about it")


def check_history(history: IssueHistory) -> None:
    assert history.key
    assert isinstance(history.current.status, Status)
    assert history.created.tzinfo is not None
    assert all(c.field in STATE_FIELDS or c.field.startswith("number:") for c in history.changes)
    for change in history.changes:
        history.state_at(change.at)  # every instant of the history can be replayed
    assert all(isinstance(status, Status) for _start, _end, status in history.status_intervals())


def handle_issues(relative: str, payload: Any) -> list[IssueHistory]:
    site = site_for(relative)
    raw_issues = payload.get("issues", [payload])
    histories = [to_history(raw, site) for raw in raw_issues]
    for history in histories:
        check_history(history)
    return histories


def handle_webhook(relative: str, payload: Any) -> list[IssueHistory]:
    history = to_history(webhook_issue(payload), site_for(relative))
    check_history(history)
    return [history]


def handle_statuses(relative: str, payload: Any) -> list[Status]:
    if classify(payload) == "project-statuses":
        payload = [s for issue_type in payload for s in issue_type["statuses"]]
    if classify(payload) == "transitions":
        payload = [t["to"] for t in payload["transitions"]]
    statuses = [status_from_json(s) for s in payload]
    assert all(s.id and s.name and isinstance(s.category, StatusCategory) for s in statuses)
    return statuses


def handle_board(relative: str, payload: Any) -> BoardConfig:
    board = BoardConfig.from_json(payload)
    assert board.columns
    assert board.done_status_ids == board.columns[-1].status_ids
    return board


def handle_sprints(relative: str, payload: Any) -> list[Any]:
    sprints = [to_sprint(s) for s in payload.get("values") or payload.get("sprints")]
    assert all(s.id > 0 and s.name and s.state for s in sprints)
    return sprints


def handle_boards(relative: str, payload: Any) -> list[int]:
    boards = payload.get("values") or payload.get("views")
    assert all(isinstance(b["id"], int) and b["name"] for b in boards)
    return [b["id"] for b in boards]


def handle_fields(relative: str, payload: Any) -> SiteDictionary:
    fields = [FieldInfo.from_json(f) for f in payload]
    site = SiteDictionary.build(fields, [])
    assert site.sprint_field is not None
    return site


def handle_categories(relative: str, payload: Any) -> list[str]:
    keys = [c["key"] for c in payload]
    assert set(keys) <= CATEGORIES.keys()
    return keys


def not_read_by_kpiokr(relative: str, payload: Any) -> None:
    """Shapes kpiokr has no use for (yet); they are recognised, parsed, and left alone."""


HANDLERS: dict[str, Callable[[str, Any], Any]] = {
    "issue": handle_issues,
    "search-page": handle_issues,
    "webhook": handle_webhook,
    "status-list": handle_statuses,
    "project-statuses": handle_statuses,
    "transitions": handle_statuses,
    "board-configuration": handle_board,
    "sprint-page": handle_sprints,
    "sprint-query": handle_sprints,
    "board-page": handle_boards,
    "rapid-views": handle_boards,
    "field-list": handle_fields,
    "status-categories": handle_categories,
    "velocity": lambda relative, payload: to_velocity(payload),
    "sprint-report": not_read_by_kpiokr,
    "resolutions": not_read_by_kpiokr,
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _sp13(histories: list[IssueHistory]) -> None:
    (h,) = histories
    assert h.current.estimate == 13.0
    assert h.current.sprint_ids == {3}
    assert h.sprints_at(at("2022-04-15T00:52:00+00:00")) == frozenset()
    assert h.sprints_at(at("2022-04-15T00:52:09+00:00")) == {3}
    assert h.estimate_at(at("2022-04-15T00:52:50+00:00")) is None
    assert h.estimate_at(at("2022-04-15T00:52:52+00:00")) == 13.0
    assert h.done_since(at("2022-05-01T00:00:00+00:00")) == at("2022-04-19T01:53:42.206+00:00")
    assert h.resolved_since(at("2022-05-01T00:00:00+00:00")) == at("2022-04-19T01:53:42.206+00:00")


def _sp14(histories: list[IssueHistory]) -> None:
    (h,) = histories
    assert {c.field for c in h.changes} >= {"sprint_ids", "estimate", "status", "resolution"}
    assert h.current.estimate is not None
    assert h.current.sprint_ids


def _sp10(histories: list[IssueHistory]) -> None:
    (h,) = histories
    assert h.current.status.category is StatusCategory.DONE
    assert h.current.resolution == "Done"
    assert [c.field for c in h.changes].count("priority") >= 1


def _sprint_webhook(histories: list[IssueHistory]) -> None:
    (change,) = histories[0].changes
    assert (change.field, change.old, change.new) == ("sprint_ids", {1}, {2})


def _epic_webhook(histories: list[IssueHistory]) -> None:
    (change,) = histories[0].changes
    assert (change.field, change.old, change.new) == ("parent", "TES-11", "TES-12")


def _issue_type_webhook(histories: list[IssueHistory]) -> None:
    (change,) = histories[0].changes
    assert (change.field, change.old, change.new) == ("issue_type", "Task", "Bug")


def _resolved_webhook(histories: list[IssueHistory]) -> None:
    h = histories[0]
    assert {(c.field, str(c.new.id) if isinstance(c.new, Status) else c.new) for c in h.changes} == {
        ("status", "10002"),
        ("resolution", "Done"),
    }
    assert h.done_since(at("2030-01-01T00:00:00+00:00")) == datetime.fromtimestamp(1550286940.507, UTC)


def _server_number_webhook(histories: list[IssueHistory]) -> None:
    (change,) = histories[0].changes
    assert (change.field, change.old, change.new) == ("number:numfield", 445455561.0, 44545556.0)


def _cloud_number_webhook(histories: list[IssueHistory]) -> None:
    (change,) = histories[0].changes
    assert (change.field, change.old, change.new) == ("number:mjk", 1.0, 12.0)
    assert histories[0].current.numbers["mjk"] == 12.0


def _many_fields_webhook(histories: list[IssueHistory]) -> None:
    h = histories[0]
    assert h.current.sprint_ids == {1}  # Data Center sprint string: Sprint@38c6bd04[id=1,...]
    assert h.current.parent == "KT-17"
    assert h.current.numbers["mjk"] == 23.0


def _jirareport_fields(site: SiteDictionary) -> None:
    assert (site.estimate_field, site.sprint_field, site.epic_link_field) == (
        "customfield_10142",
        "customfield_10480",
        "customfield_10680",
    )


def _jirareport_issues(histories: list[IssueHistory]) -> None:
    first = histories[0]
    assert [h.key for h in histories] == [f"JIRAT-{n}" for n in range(1, 11)]
    assert first.current.due == date(2019, 2, 15)
    (change,) = [c for c in first.changes if c.field == "due"]
    assert (change.old, change.new) == (None, date(2019, 1, 19))
    assert first.timeline("due").at(at("2019-01-02T00:00:00-03:00")) is None


def _go_jira_sprint_issues(histories: list[IssueHistory]) -> None:
    (h,) = histories
    assert (h.current.estimate, h.current.parent, h.current.priority) == (13.0, "AR-37", "Major")
    (change,) = [c for c in h.changes if c.field == "priority"]
    assert (change.old, change.new) == ("Major", "Minor")


def _velocity(velocity: dict[int, Any]) -> None:
    assert {k: (v.estimated, v.completed) for k, v in velocity.items()} == {
        1: (42.0, 38.0),
        2: (39.0, 42.0),
        3: (42.0, 24.0),
    }


def _board_1(board: BoardConfig) -> None:
    assert (board.board_id, board.type, board.done_status_ids) == (1, "kanban", {"10002"})
    assert board.estimation_field_id is None


def _go_jira_sprints(sprints: list[Any]) -> None:
    assert [s.id for s in sprints][:3] == [740, 776, 807]
    assert sprints[0].completed == at("2016-04-28T05:08:48.543-07:00")
    assert sprints[0].board_id == 734
    assert sprints[0].is_closed


def _sprint_query(sprints: list[Any]) -> None:
    assert [(s.id, s.state) for s in sprints] == [(1, "closed"), (2, "closed"), (3, "closed"), (4, "active")]


def _statuses(statuses: list[Status]) -> None:
    by_id = {s.id: s.category for s in statuses}
    assert by_id["10002"] is StatusCategory.DONE
    assert by_id["3"] is StatusCategory.IN_PROGRESS


EXPECTED: dict[str, Callable[[Any], None]] = {
    "jirametrics/spec/testdata/SP-13.json": _sp13,
    "jirametrics/spec/testdata/SP-14.json": _sp14,
    "jirametrics/spec/testdata/SP-10.json": _sp10,
    "jirametrics/spec/testdata/sample_board_1_configuration.json": _board_1,
    "jirametrics/spec/testdata/sample_statuses.json": _statuses,
    "mattermost-plugin-jira/server/testdata/webhook-issue-updated-sprint.json": _sprint_webhook,
    "mattermost-plugin-jira/server/testdata/webhook-issue-updated-epic-link.json": _epic_webhook,
    "mattermost-plugin-jira/server/testdata/webhook-issue-updated-issue-type.json": _issue_type_webhook,
    "mattermost-plugin-jira/server/testdata/webhook-issue-updated-resolved.json": _resolved_webhook,
    "mattermost-plugin-jira/server/testdata/webhook-server-updated-custom-field.json": _server_number_webhook,
    "mattermost-plugin-jira/server/testdata/webhook-cloud-issue-updated-custom-field.json": _cloud_number_webhook,
    "mattermost-plugin-jira/server/testdata/webhook-cloud-issue-created-many-fields.json": _many_fields_webhook,
    "jirareport/src/test/resources/stubs/fields/fields.json": _jirareport_fields,
    "jirareport/src/test/resources/stubs/issues/complete-issues/jira-issues.json": _jirareport_issues,
    "go-jira/mocks/issues_in_sprint_with_changelog.json": _go_jira_sprint_issues,
    "go-jira/testing/mock-data/sprints.json": _go_jira_sprints,
    "agile-metrics/src/test/resources/jirasoftware/velocityReport.js": _velocity,
    "agile-metrics/src/test/resources/jirasoftware/sprintsGreenhopper.js": _sprint_query,
}


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_every_sample_is_read_by_the_code_for_its_shape(path):
    relative = str(path.relative_to(SAMPLES))
    payload = unwrap(json.loads(path.read_text()))
    result = HANDLERS[classify(payload)](relative, payload)
    if relative in EXPECTED:
        EXPECTED[relative](result)


def test_the_expectations_name_existing_samples():
    assert set(EXPECTED) <= {str(p.relative_to(SAMPLES)) for p in FILES}
