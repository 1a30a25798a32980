"""What a webhook body hints at (project, board, deleted issue, the keys of its delivery), which
teams a batch of hints touches, and a burst of hints handed on as one batch."""

from __future__ import annotations

import json
import threading

import pytest

from sync.app.site_answers import SiteFacts
from sync.app.webhooks.debounce import Debouncer
from sync.app.webhooks.events import Hint, WebhookBodyError, read_hint
from sync.app.webhooks.live import own_writes, teams_touched, worth_a_pass
from sync.jira import Account, FieldInfo
from sync.mapping import TeamMapping
from sync.mapping.loader import parse_mapping
from tests.shared import JIRA_SAMPLES

SAMPLES = JIRA_SAMPLES / "mattermost-plugin-jira" / "server" / "testdata"


def _team(name: str, projects: str, board: str = "") -> TeamMapping:
    text = f"""\
[team]
name = "{name}"
projects = [{projects}]
{board}
[cycle]
name = "2026-Q4"
start = 2026-10-01
end = 2026-12-31
[objectives]
jql = "issuetype = Epic"
"""
    team, problems = parse_mapping(text, f"{name.lower()}.toml")
    assert team is not None, problems
    return team


MOB, WEB, OPS = _team("Mobile", '"MOB"', "board = 7"), _team("Web", '"WEB", "MOB"'), _team("Ops", '"OPS"')


def _sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_a_recorded_cloud_update_names_its_project_issue_and_changelog() -> None:
    body = _sample("webhook-issue-updated-resolved.json")
    data = json.loads(body)
    hint = read_hint(body, "delivery-1")
    assert hint is not None
    assert (hint.event, hint.project, hint.issue_id) == ("jira:issue_updated", "TES", "10040")
    assert hint.keys == ("id:delivery-1", f"jira:issue_updated:10040:{data['changelog']['id']}:{data['timestamp']}")
    assert not hint.deleted


def test_a_recorded_deletion_is_a_deleted_hint_without_an_identifier_header() -> None:
    hint = read_hint(_sample("webhook-issue-deleted.json"), None)
    assert hint is not None
    assert hint.deleted
    assert hint.project == "IDT"
    assert len(hint.keys) == 1


def test_sprint_and_board_events_name_the_board() -> None:
    sprint = {"webhookEvent": "sprint_started", "timestamp": 5, "sprint": {"id": 3, "originBoardId": 7}}
    board = {"webhookEvent": "board_updated", "timestamp": 6, "board": {"id": 9}}
    configured = {"webhookEvent": "board_configuration_changed", "timestamp": 7, "configuration": {"id": 4}}
    started, changed = read_hint(json.dumps(sprint).encode(), None), read_hint(json.dumps(board).encode(), None)
    reconfigured = read_hint(json.dumps(configured).encode(), None)
    assert started is not None
    assert started.board_id == 7
    assert changed is not None
    assert changed.board_id == 9
    assert reconfigured is not None
    assert reconfigured.board_id == 4, "Jira names the board of a configuration change as `configuration`"


def test_events_kpiokr_does_not_act_on_are_none_and_bodies_that_are_no_event_are_refused() -> None:
    assert read_hint(b'{"webhookEvent": "comment_created"}', None) is None
    for body in (b"[1]", b"{}", b"\xff", b'{"webhookEvent": 3}'):
        with pytest.raises(WebhookBodyError):
            read_hint(body, None)


def test_the_teams_touched_are_those_reading_the_project_or_on_the_board_and_those_sharing_a_project() -> None:
    teams = [MOB, WEB, OPS]
    mob = Hint("jira:issue_updated", ("k",), project="MOB")
    assert [t.team.name for t in teams_touched(teams, [mob])] == ["Mobile", "Web"]
    sprint = Hint("sprint_started", ("k",), board_id=7)
    assert [t.team.name for t in teams_touched([MOB, OPS], [sprint])] == ["Mobile"]
    assert [t.team.name for t in teams_touched(teams, [sprint])] == ["Mobile", "Web"], "Web reads MOB too"
    assert teams_touched(teams, [Hint("jira:issue_updated", ("k",), project="HR")]) == []
    unnamed = Hint("jira:issue_created", ("k",))
    assert [t.team.name for t in teams_touched(teams, [unnamed])] == ["Mobile", "Web", "Ops"]


def _update(user: dict[str, str], *items: dict[str, str]) -> Hint:
    body = {
        "webhookEvent": "jira:issue_updated",
        "timestamp": 1,
        "user": user,
        "issue": {"id": "10001", "fields": {"project": {"key": "MOB"}}},
        "changelog": {"id": "77", "items": list(items)},
    }
    hint = read_hint(json.dumps(body).encode(), None)
    assert hint is not None
    return hint


def test_kpiokrs_own_score_writes_coming_back_lead_to_no_pass_and_anything_else_does() -> None:
    score_name = next(name for _, name in MOB.score_fields)
    score = FieldInfo("customfield_10100", score_name, custom=True, schema_type="number", custom_type=None)
    site = SiteFacts(account=Account("bot-1", "kpiokr", None, "UTC"), fields=[score])
    own = own_writes([MOB], site)
    by_id = _update({"accountId": "bot-1"}, {"fieldId": score.id, "field": score_name})
    by_name = _update({"name": "bot-1"}, {"field": score_name})  # Data Center names the field only
    pm_on_score = _update({"accountId": "pm"}, {"fieldId": score.id, "field": score_name})
    bot_on_status = _update({"accountId": "bot-1"}, {"fieldId": score.id}, {"fieldId": "status", "field": "status"})
    deleted = Hint("jira:issue_deleted", ("k",), project="MOB")

    assert worth_a_pass([by_id, by_name], own) == []
    assert worth_a_pass([by_id, pm_on_score, bot_on_status, deleted], own) == [pm_on_score, bot_on_status, deleted]
    assert worth_a_pass([by_id], own_writes([MOB], SiteFacts())) == [by_id], "no account read yet: every hint counts"


def test_a_changelog_that_is_not_a_list_of_objects_is_no_change_to_judge() -> None:
    assert _update({"accountId": "bot-1"}).change is None
    body = {"webhookEvent": "jira:issue_updated", "user": {}, "changelog": {"items": ["status"]}}
    hint = read_hint(json.dumps(body).encode(), None)
    assert hint is not None
    assert hint.change is None


def test_a_burst_of_hints_is_handed_on_as_one_batch() -> None:
    batches: list[list[Hint]] = []
    done = threading.Event()

    def fire(batch: list[Hint]) -> None:
        batches.append(batch)
        done.set()

    debouncer = Debouncer(quiet=0.2, max_wait=5.0, fire=fire)
    debouncer.start()
    try:
        for n in range(5):
            debouncer.add(Hint("jira:issue_updated", (str(n),), project="MOB"))
        assert done.wait(10)
    finally:
        debouncer.close()
    assert [len(b) for b in batches] == [5]


def test_a_steady_stream_is_handed_on_by_the_longest_wait() -> None:
    clock = [0.0]
    batches: list[list[Hint]] = []
    debouncer = Debouncer(quiet=1.0, max_wait=2.0, fire=batches.append, monotonic=lambda: clock[0])
    for n in range(3):  # one every 0.9 s of the fake clock: never quiet for 1 s
        debouncer.add(Hint("jira:issue_updated", (str(n),)))
        clock[0] += 0.9
    debouncer.start()
    try:
        for _ in range(200):
            if batches:
                break
            threading.Event().wait(0.01)
    finally:
        debouncer.close()
    assert [len(b) for b in batches] == [3]
