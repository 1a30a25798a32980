"""Jira JSON -> IssueHistory, on hand-written Cloud and Data Center payloads."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta

import pytest

from kpiokr.history import StatusCategory
from sync.errors import FieldNotFound
from sync.jira.site import Account, BoardConfig, FieldInfo, resolve_field
from sync.jira.translate import COMPLETED_CHANGELOG, SiteDictionary, to_history, webhook_issue
from sync.jira.translate_agile import parse_sprint_string, sprint_ids, to_sprint, to_velocity
from sync.jira.translate_values import parse_datetime
from tests.shared import JIRA_SAMPLES

FLOAT = "com.atlassian.jira.plugin.system.customfieldtypes:float"
FIELDS = [
    FieldInfo("customfield_10016", "Story point estimate", True, "number", FLOAT, ("cf[10016]",)),
    FieldInfo("customfield_10020", "Sprint", True, "array", "com.pyxis.greenhopper.jira:gh-sprint", ("Sprint",)),
    FieldInfo("customfield_10014", "Epic Link", True, "any", "com.pyxis.greenhopper.jira:gh-epic-link"),
    FieldInfo("customfield_10050", "Revenue", True, "number", FLOAT, ("cf[10050]", "Revenue")),
    FieldInfo("customfield_10060", "OKR score", True, "number", FLOAT),
    FieldInfo("status", "Status", False, "status", None, ("status",)),
]
STATUSES = [
    {"id": "1", "name": "To Do", "statusCategory": {"key": "new"}},
    {"id": "3", "name": "In Progress", "statusCategory": {"key": "indeterminate"}},
    {"id": "10002", "name": "Done", "statusCategory": {"key": "done"}},
]
BOT = Account("bot-account", "kpiokr", None, "UTC")
DC_BOT = Account("kpiokr-bot", "kpiokr", None, "UTC", key="JIRAUSER10400")


def site(**overrides):
    kwargs = {"account": BOT, "numbers": {"revenue": "Revenue"}, "sprint_names": {"Sprint 1": 1, "Sprint 2": 2}}
    return SiteDictionary.build(FIELDS, STATUSES, **{**kwargs, **overrides})


def item(field, frm=None, to=None, from_string=None, to_string=None, field_id=None):  # noqa: PLR0917
    entry = {"field": field, "from": frm, "to": to, "fromString": from_string, "toString": to_string}
    if field_id:
        entry["fieldId"] = field_id
    return entry


def history(hid, created, items, author="alice-id"):
    return {"id": str(hid), "author": {"accountId": author, "displayName": "A"}, "created": created, "items": items}


CLOUD_FIELDS = {
    "created": "2026-10-01T09:00:00.000+0530",
    "summary": "Checkout flow",
    "issuetype": {"name": "Story", "subtask": False},
    "status": {"id": "10002", "name": "Done", "statusCategory": {"key": "done"}},
    "resolution": {"name": "Done"},
    "customfield_10020": [{"id": 1, "name": "Sprint 1", "state": "closed"}, {"id": 2, "name": "Sprint 2"}],
    "customfield_10016": 8.0,
    "customfield_10050": 1250.5,
    "duedate": "2026-11-20",
    "priority": {"name": "High"},
    "parent": {"key": "SHOP-1"},
    "labels": ["mobile", "web"],
    "timespent": 7200,
    "timeoriginalestimate": 36000,
    "assignee": {"accountId": "alice-id", "displayName": "Alice"},
}


def cloud_issue():
    histories = [  # newest first, as Jira sends inline changelogs
        history(
            105,
            "2026-10-09T17:00:00.000-0500",
            [
                item("status", "3", "10002", "In Progress", "Done", "status"),
                item("resolution", None, "10000", None, "Done", "resolution"),
                item("Rank", "", "", "", "Ranked higher", "customfield_10019"),
            ],
        ),
        history(
            104,
            "2026-10-09T12:00:00.000+0000",
            [item("Revenue", None, None, "1", "2", "customfield_10050")],
            BOT.account_id_or_name,
        ),
        history(
            104,
            "2026-10-09T11:00:00.000+0000",
            [item("status", "3", "1", "In Progress", "To Do", "status")],
            BOT.account_id_or_name,
        ),
        history(
            103,
            "2026-10-05T09:12:33.123+05:30",
            [
                item("Story point estimate", None, None, "5", "8", "customfield_10016"),
                item("Sprint", "1", "1, 2", "Sprint 1", "Sprint 1, Sprint 2", "customfield_10020"),
                item("Revenue", None, None, "1000", "1250.5", "customfield_10050"),
                item("labels", None, None, "mobile", "mobile web", "labels"),
                item("timespent", "3600", "7200", "3600", "7200", "timespent"),
                item("timeoriginalestimate", None, "36000", None, "36000", "timeoriginalestimate"),
            ],
        ),
        history(
            102,
            "2026-10-02T10:00:00.000Z",
            [
                item("status", "1", "3", "To Do", "In Progress", "status"),
                item(
                    "duedate", "2026-11-13", "2026-11-20", "2026-11-13 00:00:00.0", "2026-11-20 00:00:00.0", "duedate"
                ),
                item("priority", "3", "2", "Medium", "High", "priority"),
                item("issuetype", "10002", "10001", "Task", "Story", "issuetype"),
                item("IssueParentAssociation", "10011", "10012", "SHOP-0", "SHOP-1"),
            ],
        ),
        history(101, "2026-10-01T10:00:00.000+0530", [item("Sprint", "", "1", "", "Sprint 1", "customfield_10020")]),
    ]
    return {
        "id": "10001",
        "key": "SHOP-7",
        "fields": dict(CLOUD_FIELDS),
        "changelog": {"total": 6, "histories": histories},
    }


def at(text):
    return parse_datetime(text)


def test_cloud_current_state_reads_every_field():
    h = to_history(cloud_issue(), site())
    state = h.current
    assert (h.key, h.summary, h.assignee, h.is_subtask) == ("SHOP-7", "Checkout flow", "alice-id", False)
    assert h.created == at("2026-10-01T09:00:00.000+0530")
    assert h.created.tzinfo is UTC  # instants in UTC: comparisons across authors' offsets are slow
    assert state.status.name == "Done"
    assert state.status.category is StatusCategory.DONE
    assert (state.issue_type, state.resolution, state.priority, state.parent) == ("Story", "Done", "High", "SHOP-1")
    assert state.sprint_ids == {1, 2}
    assert state.estimate == 8.0
    assert state.due == date(2026, 11, 20)
    assert state.labels == {"mobile", "web"}
    assert (state.time_spent, state.original_estimate) == (2.0, 10.0)
    assert state.numbers == {"revenue": 1250.5}


def test_a_changelog_the_sync_completed_is_marked_on_the_history():
    raw = cloud_issue()
    completed = {**raw, "changelog": {**raw["changelog"], COMPLETED_CHANGELOG: True}}

    assert to_history(raw, site()).completed_changelog is False
    assert to_history(completed, site()).completed_changelog is True
    assert to_history(completed, site()).changes == to_history(raw, site()).changes


def test_cloud_changes_rebuild_the_past():
    h = to_history(cloud_issue(), site())
    before = h.state_at(at("2026-10-01T12:00:00+05:30"))
    assert before.status.id == "1"
    assert before.status.category is StatusCategory.TODO
    assert before.sprint_ids == {1}
    assert (before.issue_type, before.priority, before.parent, before.due) == (
        "Task",
        "Medium",
        "SHOP-0",
        date(2026, 11, 13),
    )
    assert before.estimate == 5.0
    assert before.numbers["revenue"] == 1000.0
    assert before.labels == {"mobile"}
    assert before.time_spent == 1.0
    assert before.original_estimate is None
    assert h.sprints_at(at("2026-10-01T09:30:00+05:30")) == frozenset()
    assert h.status_at(at("2026-10-03T00:00:00Z")).category is StatusCategory.IN_PROGRESS
    assert h.estimate_at(at("2026-10-05T09:12:33.123+05:30")) == 8.0
    assert h.resolved_since(at("2026-10-20T00:00:00Z")) == at("2026-10-09T22:00:00Z")
    assert h.done_since(at("2026-10-20T00:00:00Z")) == at("2026-10-09T17:00:00-05:00")


SCORE_FIELD = resolve_field(FIELDS, "OKR score")  # what kpiokr writes scores to


def scored_site(account=BOT):
    """A site whose mapping reads the score field as a number too: its writes would show otherwise."""
    numbers = {"revenue": "Revenue", "okr": "OKR score"}
    return site(account=account, numbers=numbers, score_fields=["OKR score"])


def test_only_the_service_accounts_score_writes_are_left_out_of_histories():
    raw = cloud_issue()
    score_write = item("OKR score", None, None, "0.4", "0.7", "customfield_10060")
    raw["changelog"]["histories"].insert(0, history(106, "2026-10-10T08:00:00.000+0000", [score_write], "bot-account"))
    h = to_history(raw, scored_site())
    bot_transition = at("2026-10-09T11:00:00Z")
    assert [(c.old.name, c.new.name) for c in h.changes if c.field == "status" and c.at == bot_transition] == [
        ("In Progress", "To Do")
    ]
    assert [c.new for c in h.changes if c.at == at("2026-10-09T12:00:00Z")] == [2.0]  # the account's other edits
    assert not [c for c in h.changes if c.field == "number:okr"]
    everyone = to_history(raw, scored_site(account=None))
    assert [c.new for c in everyone.changes if c.field == "number:okr"] == [0.7]


def test_a_score_field_edited_by_a_person_counts_and_data_center_names_the_field_by_name():
    raw = dc_issue()
    raw["changelog"]["histories"].append(
        {
            "id": "20004",
            "author": {"name": "kpiokr-bot", "key": "JIRAUSER10400"},
            "created": "2026-09-04T09:00:00.000-0500",
            "items": [item("OKR score", None, None, "", "0.5"), item("status", "3", "10002")],
        }
    )
    raw["changelog"]["histories"][0]["items"].append(item("okr score", None, None, "", "0.2"))
    h = to_history(
        raw,
        SiteDictionary.build(
            FIELDS, STATUSES, account=DC_BOT, numbers={"okr": "OKR score"}, score_fields=[SCORE_FIELD.id]
        ),
    )
    assert [c.new for c in h.changes if c.field == "number:okr"] == [0.2]
    assert [c.new.id for c in h.changes if c.field == "status"] == ["3", "1", "3", "10002"]


def test_changes_are_ordered_whatever_the_changelog_order():
    raw = cloud_issue()
    raw["changelog"]["histories"].reverse()
    assert to_history(raw, site()).changes == to_history(cloud_issue(), site()).changes


DC_SPRINT = (
    "com.atlassian.greenhopper.service.sprint.Sprint@14b1c359[id={},rapidViewId=7,state=CLOSED,"
    "name=Team, Sprint {},goal=Ship it, fast,startDate=2026-09-01T09:00:00.000+02:00,"
    "endDate=2026-09-15T09:00:00.000+02:00,completeDate=<null>,sequence={}]"
)


def dc_issue():
    author = {"name": "kpiokr-bot", "key": "JIRAUSER10400", "displayName": "kpiokr"}
    human = {"name": "bob", "key": "JIRAUSER10100", "displayName": "Bob"}
    histories = [
        {
            "id": "20001",
            "author": human,
            "created": "2026-09-02T08:00:00.000-0500",
            "items": [
                item("status", "1", "3", "To Do", "In Progress"),
                item("Sprint", "", "11", "", "Team, Sprint 11"),
                item("Story point estimate", None, None, "", "3"),
                item("Epic Link", "10500", "10501", "SHOP-2", "SHOP-3"),
                item("revenue", None, None, "10", "20"),
                item("Revenue", None, None, "10", "20"),
            ],
        },
        {
            "id": "20002",
            "author": author,
            "created": "2026-09-03T08:00:00.000-0500",
            "items": [item("status", "3", "1")],
        },
        {
            "id": "20003",
            "author": {"key": "JIRAUSER10400"},
            "created": "2026-09-03T09:00:00.000-0500",
            "items": [item("status", "1", "3")],
        },
    ]
    fields = {
        "created": "2026-09-01T08:00:00.000-0500",
        "issuetype": {"name": "Sub-task", "subtask": True},
        "status": {"id": "3", "name": "In Progress", "statusCategory": {"key": "indeterminate"}},
        "customfield_10020": [DC_SPRINT.format(11, 11, 1), DC_SPRINT.format(12, 12, 2)],
        "customfield_10016": 3.0,
        "customfield_10014": "SHOP-3",
        "customfield_10050": "20",
        "assignee": {"name": "bob", "key": "JIRAUSER10100"},
    }
    return {"id": "30001", "key": "SHOP-9", "fields": fields, "changelog": {"total": 3, "histories": histories}}


def test_data_center_items_are_matched_by_field_name():
    h = to_history(dc_issue(), site(account=DC_BOT))
    assert h.current.sprint_ids == {11, 12}
    assert h.is_subtask
    assert h.assignee == "bob"
    assert h.current.parent == "SHOP-3"
    assert h.current.numbers == {"revenue": 20.0}
    assert {c.field for c in h.changes} == {"status", "sprint_ids", "estimate", "parent", "number:revenue"}
    assert len([c for c in h.changes if c.field == "number:revenue"]) == 2
    first = h.state_at(at("2026-09-01T12:00:00-05:00"))
    assert (first.sprint_ids, first.estimate, first.parent, first.numbers["revenue"]) == (
        frozenset(),
        None,
        "SHOP-2",
        10.0,
    )
    assert first.status.category is StatusCategory.TODO
    assert h.created == at("2026-09-01T08:00:00.000-0500")
    assert h.created.tzinfo is UTC


def test_unknown_status_ids_fall_back_to_their_names_and_warn_once(caplog):
    raw = cloud_issue()
    raw["changelog"]["histories"].append(
        history(99, "2026-10-01T11:00:00+05:30", [item("status", "777", "1", "Triage", "To Do", "status")])
    )
    raw["changelog"]["histories"].append(
        history(98, "2026-10-01T10:30:00+05:30", [item("status", "778", "777", "in progress", "Triage", "status")])
    )
    dictionary = site()
    with caplog.at_level(logging.WARNING, logger="sync.jira.translate"):
        to_history(raw, dictionary)
        h = to_history(raw, dictionary)
    triage = h.status_at(at("2026-10-01T10:45:00+05:30"))
    assert (triage.id, triage.name, triage.category) == ("777", "Triage", StatusCategory.TODO)
    assert h.status_at(at("2026-10-01T10:00:00+05:30")).category is StatusCategory.IN_PROGRESS  # known by name
    assert [r.getMessage() for r in caplog.records] == ["unknown status 777 ('Triage'): counted as To Do"]


def test_sprint_changes_without_ids_use_the_boards_sprint_names():
    raw = cloud_issue()
    raw["changelog"]["histories"] = [
        history(1, "2026-10-02T00:00:00Z", [item("Sprint", None, None, "Sprint 1", "Sprint 2", "Sprint")])
    ]
    change = to_history(raw, site()).changes[0]
    assert (change.field, change.old, change.new) == ("sprint_ids", {1}, {2})


def test_a_time_based_board_estimates_in_hours():
    board = BoardConfig(5, "scrum", "timeoriginalestimate", frozenset({"10002"}))
    h = to_history(cloud_issue(), site(board=board))
    assert h.current.estimate == 10.0
    assert h.estimate_at(at("2026-10-01T12:00:00+05:30")) is None


def test_search_fields_lists_what_translation_reads():
    fields = site().search_fields()
    assert {
        "status",
        "created",
        "customfield_10020",
        "customfield_10016",
        "customfield_10014",
        "customfield_10050",
    } <= set(fields)


def test_missing_created_is_an_explicit_error():
    raw = cloud_issue()
    del raw["fields"]["created"]
    with pytest.raises(ValueError, match=r"SHOP-7.*search_fields"):
        to_history(raw, site())


def test_unknown_field_names_suggest_close_matches_and_the_check_command():
    with pytest.raises(FieldNotFound) as caught:
        site(numbers={"revenue": "Revenu"})
    assert caught.value.close_matches == ("Revenue",)
    assert "kpiokr fields" in str(caught.value)


def test_fields_resolve_by_id_name_and_clause_and_ambiguity_is_an_error():
    assert resolve_field(FIELDS, "customfield_10050").name == "Revenue"
    assert resolve_field(FIELDS, "revenue").id == "customfield_10050"
    assert resolve_field(FIELDS, "cf[10016]").id == "customfield_10016"
    twins = [*FIELDS, FieldInfo("customfield_10099", "Revenue", True, "number", FLOAT)]
    with pytest.raises(FieldNotFound, match="customfield_10050, customfield_10099"):
        resolve_field(twins, "Revenue")


def test_story_points_and_special_fields_are_found_without_hard_coded_ids():
    dictionary = SiteDictionary.build(FIELDS, STATUSES)
    assert (dictionary.estimate_field, dictionary.sprint_field, dictionary.epic_link_field) == (
        "customfield_10016",
        "customfield_10020",
        "customfield_10014",
    )


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("2026-10-05T09:12:33.123+0200", timedelta(hours=2)),
        ("2026-10-05T09:12:33.123+05:30", timedelta(hours=5, minutes=30)),
        ("2026-10-05T09:12:33.123-0500", timedelta(hours=-5)),
        ("2026-10-05T09:12:33Z", timedelta(0)),
    ],
)
def test_jira_date_times_are_aware(text, offset):
    assert parse_datetime(text).utcoffset() == offset


def test_naive_date_times_are_rejected():
    with pytest.raises(ValueError, match="time zone"):
        parse_datetime("2026-10-05T09:12:33")


def test_sprints_from_every_shape():
    dc = to_sprint(DC_SPRINT.format(11, 11, 1))
    assert (dc.id, dc.name, dc.state, dc.board_id, dc.goal, dc.completed) == (
        11,
        "Team, Sprint 11",
        "closed",
        7,
        "Ship it, fast",
        None,
    )
    assert dc.start == datetime(2026, 9, 1, 7, tzinfo=UTC)
    cloud = to_sprint({"id": 3, "name": "S3", "state": "active", "boardId": 2, "startDate": "2022-04-15T00:55:17.688Z"})
    assert (cloud.id, cloud.board_id, cloud.state, cloud.end) == (3, 2, "active", None)
    assert parse_sprint_string(DC_SPRINT.format(1, 1, 1))["completeDate"] is None
    assert sprint_ids([DC_SPRINT.format(4, 4, 1), {"id": 5}, 6]) == {4, 5, 6}
    assert sprint_ids(None) == frozenset()


def test_velocity_entries():
    raw = {"velocityStatEntries": {"7": {"estimated": {"value": 10}, "completed": {"value": 8.5}}, "8": {}}}
    velocity = to_velocity(raw)
    assert (velocity[7].estimated, velocity[7].completed) == (10.0, 8.5)
    assert (velocity[8].estimated, velocity[8].completed) == (None, None)


def test_webhook_bodies_become_one_history():
    body = {
        "timestamp": 1760000000000,
        "user": {"accountId": "alice-id"},
        "issue": {"key": "SHOP-7", "fields": CLOUD_FIELDS},
        "changelog": {"id": "5", "items": [item("status", "3", "10002", "In Progress", "Done", "status")]},
    }
    h = to_history(webhook_issue(body), site())
    assert [(c.field, c.at) for c in h.changes] == [("status", datetime.fromtimestamp(1760000000, UTC))]


def test_a_creation_time_status_item_leaves_the_issue_with_a_status():
    raw = cloud_issue()
    raw["changelog"]["histories"] = [
        history(1, "2026-10-01T09:00:00+05:30", [item("Status", None, "1", None, "To Do", "status")]),
        history(2, "2026-10-01T09:00:00+05:30", [item("issuetype", None, "10001", None, "Story", "issuetype")]),
        history(3, "2026-10-02T09:00:00+05:30", [item("status", "1", "10002", "To Do", "Done", "status")]),
    ]
    h = to_history(raw, site())
    assert [s.name for _start, _end, s in h.status_intervals()] == ["To Do", "Done"]
    assert h.issue_type_at(at("2026-10-01T08:00:00+05:30")) == "Story"


def recorded_issue(number_value):
    """A recorded Cloud issue (search shape, with changelog) whose Revenue field holds ``number_value``."""
    raw = json.loads((JIRA_SAMPLES / "jirametrics/spec/testdata/SP-1.json").read_text())
    raw["fields"]["customfield_10050"] = number_value
    raw["fields"]["customfield_10016"] = number_value
    return raw


@pytest.mark.parametrize("bad", ["NaN", float("nan"), "n/a", "1,250.5", float("inf")])
def test_a_number_field_holding_nan_or_text_counts_as_empty_with_one_warning_per_issue_and_field(caplog, bad):
    warned: set[str] = set()
    for _ in range(2):  # the site dictionary is built again when the site facts are read again
        h = to_history(recorded_issue(bad), site(warned=warned))
        assert h.current.numbers == {"revenue": None}
        assert h.current.estimate is None
    warnings = [r.getMessage() for r in caplog.records if "number field" in r.getMessage()]
    assert len(warnings) == 2
    assert all(w.startswith("SP-1: the number field ") and "not a number" in w for w in warnings)
    assert any("Revenue (customfield_10050)" in w for w in warnings)
    assert any("Story point estimate (customfield_10016)" in w for w in warnings)


def test_nan_in_a_number_fields_changelog_is_an_empty_value():
    raw = cloud_issue()
    raw["changelog"]["histories"][3]["items"][2] = item("Revenue", None, None, "1000", "NaN", "customfield_10050")
    changes = [c for c in to_history(raw, site()).changes if c.field == "number:revenue"]
    assert [(c.old, c.new) for c in changes] == [(1000.0, None), (1.0, 2.0)]
