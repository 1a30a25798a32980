"""The REST gateway against a Jira Cloud site served by ``responses``."""

from __future__ import annotations

import base64
import json
import logging

import pytest
import responses
from responses import matchers

from sync.errors import (
    JiraAuthError,
    JiraBadResponse,
    JiraPermissionError,
    JiraRateLimited,
    JiraRequestRejected,
    JiraUnavailable,
)
from sync.jira.gateway import JiraRestGateway
from sync.jira.retry import RetryPolicy
from sync.jira.settings import JiraSettings
from sync.jira.translate import COMPLETED_CHANGELOG

BASE = "https://acme.atlassian.net"
TOKEN = "ATATT3xFfGF0-secret-cloud-token"
EMAIL = "kpiokr-bot@acme.example"
SEARCH = f"{BASE}/rest/api/3/search/jql"
BULK = f"{BASE}/rest/api/3/changelog/bulkfetch"


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def sleeps():
    return []


def make_gateway(sleeps, *, flavor="cloud", attempts=6):
    settings = JiraSettings(
        BASE,
        token=TOKEN,
        token_env="ACME_JIRA_TOKEN",
        email=EMAIL,
        email_env="ACME_JIRA_EMAIL",
        retry=RetryPolicy(max_attempts=attempts),
        flavor=flavor,
    )
    return JiraRestGateway(settings, sleep=sleeps.append)


@pytest.fixture
def gateway(sleeps):
    return make_gateway(sleeps)


def history(hid, created="2026-10-02T10:00:00.000+0000"):
    item = {"field": "status", "fieldId": "status", "from": "1", "to": "3", "fromString": "To Do", "toString": "Done"}
    return {"id": str(hid), "author": {"accountId": "alice"}, "created": created, "items": [item]}


def issue(issue_id, histories, total=None):
    changelog = {"startAt": 0, "maxResults": len(histories), "total": len(histories) if total is None else total}
    fields = {"created": "2026-10-01T09:00:00.000+0000", "status": {"id": "1", "name": "To Do"}}
    return {
        "id": str(issue_id),
        "key": f"SHOP-{issue_id}",
        "fields": fields,
        "changelog": {**changelog, "histories": histories},
    }


def test_constructing_the_client_sends_nothing(rsps, sleeps):
    make_gateway(sleeps, flavor=None)
    assert len(rsps.calls) == 0


def test_server_info_detects_cloud_and_basic_auth_is_sent(rsps, sleeps):
    rsps.get(f"{BASE}/rest/api/2/serverInfo", json={"deploymentType": "Cloud", "version": "1001.0.0", "baseUrl": BASE})
    rsps.get(
        f"{BASE}/rest/api/3/myself", json={"accountId": "bot-1", "displayName": "kpiokr", "timeZone": "Asia/Kolkata"}
    )
    gateway = make_gateway(sleeps, flavor=None)
    assert gateway.flavor() == "cloud"
    me = gateway.myself()
    assert (me.account_id_or_name, me.time_zone) == ("bot-1", "Asia/Kolkata")
    expected = "Basic " + base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
    assert "Authorization" not in rsps.calls[0].request.headers  # serverInfo answers anonymously
    assert rsps.calls[1].request.headers["Authorization"] == expected
    assert gateway.requests_made == 2


def test_search_pages_by_token_and_one_bulkfetch_completes_the_cut_changelogs_of_every_page(rsps, gateway):
    classic = [rsps.post(f"{BASE}/rest/api/{v}/search", status=410) for v in (2, 3)]
    first = {
        "issues": [issue(1, [history(11)]), issue(2, [history(23)], total=3)],
        "nextPageToken": "page-2",
        "isLast": False,
    }
    last = {"issues": [issue(3, [history(31)], total=2)], "isLast": True}
    rsps.post(SEARCH, json=last, match=[matchers.json_params_matcher({"nextPageToken": "page-2"}, strict_match=False)])
    rsps.post(SEARCH, json=first)
    rsps.post(
        BULK,
        json={
            "issueChangeLogs": [{"issueId": "2", "changeHistories": [history(21), history(22)]}],
            "nextPageToken": "b",
        },
        match=[matchers.json_params_matcher({"issueIdsOrKeys": ["2", "3"], "maxResults": 10000})],
    )
    rsps.post(
        BULK,
        json={
            "issueChangeLogs": [
                {"issueId": "2", "changeHistories": [history(23)]},
                {"issueId": "3", "changeHistories": [history(30), history(31)]},
            ]
        },
        match=[matchers.json_params_matcher({"issueIdsOrKeys": ["2", "3"], "maxResults": 10000, "nextPageToken": "b"})],
    )

    issues = list(gateway.search("project = SHOP", ["status", "created"]))

    assert [i["key"] for i in issues] == ["SHOP-1", "SHOP-2", "SHOP-3"]
    assert [[h["id"] for h in i["changelog"]["histories"]] for i in issues] == [
        ["11"],
        ["21", "22", "23"],
        ["30", "31"],
    ]
    assert issues[1]["changelog"]["total"] == 3
    # the completed changelogs say so, in the raw JSON the store keeps
    assert [i["changelog"].get(COMPLETED_CHANGELOG, False) for i in issues] == [False, True, True]
    assert gateway.requests_made == 4  # 2 search pages + 2 bulkfetch pages for the cut issues of both
    body = json.loads(rsps.calls[0].request.body)
    assert body == {"jql": "project = SHOP", "fields": ["status", "created"], "maxResults": 5000, "expand": "changelog"}
    assert [c.call_count for c in classic] == [0, 0]


def test_search_is_lazy_page_by_page(rsps, gateway):
    rsps.post(SEARCH, json={"issues": [issue(1, [])], "nextPageToken": "p2", "isLast": False})
    results = gateway.search("project = SHOP", ["status"])
    assert len(rsps.calls) == 0
    assert next(results)["key"] == "SHOP-1"
    assert len(rsps.calls) == 1


def test_without_bulkfetch_changelogs_are_read_issue_by_issue(rsps, gateway):
    rsps.post(SEARCH, json={"issues": [issue(2, [history(23)], total=3)], "isLast": True})
    rsps.post(BULK, status=404, json={"errorMessages": ["Not found"]})
    page_1 = {"values": [history(21), history(22)], "startAt": 0, "total": 3, "isLast": False}
    page_2 = {"values": [history(23)], "startAt": 2, "total": 3, "isLast": True}
    changelog = f"{BASE}/rest/api/3/issue/SHOP-2/changelog"
    rsps.get(changelog, json=page_1, match=[matchers.query_param_matcher({"startAt": "0", "maxResults": "100"})])
    rsps.get(changelog, json=page_2, match=[matchers.query_param_matcher({"startAt": "2", "maxResults": "100"})])
    (found,) = gateway.search("project = SHOP", ["status"])
    assert [h["id"] for h in found["changelog"]["histories"]] == ["21", "22", "23"]
    assert found["changelog"][COMPLETED_CHANGELOG] is True


def test_a_cut_changelog_reaching_back_into_held_histories_is_completed_without_a_request(rsps, gateway):
    # newest first inline, as Cloud sends it; the store holds 21..23 from an earlier sync
    rsps.post(SEARCH, json={"issues": [issue(2, [history(25), history(24), history(23)], total=5)], "isLast": True})
    held = {"2": [history(21), history(22), history(23)]}
    asked = []

    def known(issues):
        asked.append([i["key"] for i in issues])
        return held

    (found,) = gateway.search("project = SHOP", ["status"], known=known)

    assert [h["id"] for h in found["changelog"]["histories"]] == ["21", "22", "23", "24", "25"]
    assert found["changelog"]["total"] == 5
    assert found["changelog"][COMPLETED_CHANGELOG] is True
    assert asked == [["SHOP-2"]]
    assert gateway.requests_made == 1


@pytest.mark.parametrize(
    ("inline", "held"),
    [
        ([26, 25, 24], [21, 22, 23]),  # a gap: history 24 is the oldest inline, 23 the newest held
        ([25, 24, 23], [20, 21, 22, 23]),  # one more than Jira counts: 20 is gone from Jira
    ],
)
def test_held_histories_that_do_not_make_the_count_leave_the_changelog_to_bulkfetch(rsps, gateway, inline, held):
    total = 5 if inline[0] == 25 else 6
    rsps.post(SEARCH, json={"issues": [issue(2, [history(h) for h in inline], total=total)], "isLast": True})
    complete = [history(h) for h in range(27 - total, 27 - total + total)]
    rsps.post(BULK, json={"issueChangeLogs": [{"issueId": "2", "changeHistories": complete}]})

    (found,) = gateway.search("project = SHOP", ["status"], known=lambda _: {"2": [history(h) for h in held]})

    assert [h["id"] for h in found["changelog"]["histories"]] == [h["id"] for h in complete]
    assert gateway.requests_made == 2


def test_a_changelog_that_stays_short_is_refused(rsps, gateway):
    rsps.post(SEARCH, json={"issues": [issue(2, [history(23)], total=3)], "isLast": True})
    rsps.post(BULK, json={"issueChangeLogs": [{"issueId": "2", "changeHistories": [history(23)]}]})
    rsps.get(f"{BASE}/rest/api/3/issue/SHOP-2/changelog", json={"values": [history(23)], "total": 1, "isLast": True})
    with pytest.raises(JiraBadResponse, match=r"1 of the 3 changelog entries of SHOP-2"):
        list(gateway.search("project = SHOP", ["status"]))


def test_count_and_jql_validation_use_the_cloud_endpoints(rsps, gateway):
    rsps.post(f"{BASE}/rest/api/3/search/approximate-count", json={"count": 4321})
    rsps.post(
        f"{BASE}/rest/api/3/jql/parse",
        json={"queries": [{"query": "x", "errors": ["Field 'sprintt' does not exist."]}]},
        match=[matchers.query_param_matcher({"validation": "strict"})],
    )
    assert gateway.count("project = SHOP") == 4321
    assert gateway.jql_is_valid("sprintt = 1") == "Field 'sprintt' does not exist."


def test_429_with_retry_after_is_honoured(rsps, gateway, sleeps):
    rsps.get(f"{BASE}/rest/api/3/field", status=429, headers={"Retry-After": "7"})
    rsps.get(f"{BASE}/rest/api/3/field", json=[{"id": "summary", "name": "Summary"}])
    assert [f.id for f in gateway.fields()] == ["summary"]
    assert sleeps == [7.0]


def test_the_jira_packages_own_retries_do_not_stack(rsps, sleeps):
    gateway = make_gateway(sleeps, attempts=3)
    rsps.get(f"{BASE}/rest/api/3/field", status=429, headers={"Retry-After": "1"})
    with pytest.raises(JiraRateLimited, match="gave up after 3 attempts"):
        gateway.fields()
    assert len(rsps.calls) == 3
    assert sleeps == [1.0, 1.0]


def test_5xx_then_success(rsps, gateway, sleeps):
    rsps.get(f"{BASE}/rest/api/3/status", status=502)
    rsps.get(f"{BASE}/rest/api/3/status", json=[{"id": "1", "name": "To Do"}])
    assert gateway.statuses() == [{"id": "1", "name": "To Do"}]
    assert len(sleeps) == 1


def test_retry_budget_exhausted_names_the_request(rsps, gateway, sleeps):
    rsps.post(SEARCH, status=503)
    with pytest.raises(JiraUnavailable) as caught:
        list(gateway.search("project = SHOP", ["status"]))
    assert "POST /rest/api/3/search/jql" in str(caught.value)
    assert "gave up after 6 attempts" in str(caught.value)
    assert len(rsps.calls) == 6
    assert len(sleeps) == 5


def test_401_names_the_environment_variables(rsps, gateway):
    rsps.get(f"{BASE}/rest/api/3/myself", status=401, body="")
    with pytest.raises(JiraAuthError) as caught:
        gateway.myself()
    assert "ACME_JIRA_TOKEN" in str(caught.value)
    assert EMAIL in str(caught.value)
    assert len(rsps.calls) == 1


def test_403_on_put_names_the_issue_fields_and_screen(rsps, gateway):
    rsps.put(f"{BASE}/rest/api/2/issue/SHOP-7", status=403, json={"errorMessages": ["You do not have permission"]})
    with pytest.raises(JiraPermissionError) as caught:
        gateway.update_issue("SHOP-7", {"customfield_10050": 0.7, "customfield_10051": "On track"})
    message = str(caught.value)
    assert "SHOP-7" in message
    assert "customfield_10050, customfield_10051" in message
    assert "'Edit Issues'" in message
    assert "edit screen" in message


def test_400_on_put_carries_jiras_errors(rsps, gateway):
    errors = {"customfield_10050": "Field 'customfield_10050' cannot be set. It is not on the appropriate screen."}
    rsps.put(f"{BASE}/rest/api/2/issue/SHOP-7", status=400, json={"errorMessages": [], "errors": errors})
    with pytest.raises(JiraRequestRejected) as caught:
        gateway.update_issue("SHOP-7", {"customfield_10050": 0.7})
    assert caught.value.jira_messages == (f"customfield_10050: {errors['customfield_10050']}",)
    assert "edit screen" in str(caught.value)


def test_update_issue_sends_one_put_without_notifications(rsps, gateway):
    rsps.put(
        f"{BASE}/rest/api/2/issue/SHOP-7",
        status=204,
        match=[
            matchers.query_param_matcher({"notifyUsers": "false"}),
            matchers.json_params_matcher({"fields": {"customfield_10050": 0.7, "customfield_10051": "On track"}}),
        ],
    )
    gateway.update_issue("SHOP-7", {"customfield_10050": 0.7, "customfield_10051": "On track"})
    assert len(rsps.calls) == 1


@pytest.mark.parametrize(
    ("body", "needle"),
    [("<html><body>Log in</body></html>", "<html>"), ('{"issues": [{"id": "1", "key": "SH', "Unterminated string")],
)
def test_garbage_and_truncated_json_name_the_request(rsps, gateway, body, needle):
    rsps.post(SEARCH, body=body, content_type="application/json")
    with pytest.raises(JiraBadResponse) as caught:
        list(gateway.search("project = SHOP", ["status"]))
    assert "POST /rest/api/3/search/jql" in str(caught.value)
    assert needle in str(caught.value)
    assert len(rsps.calls) == 1


def test_agile_board_configuration_and_paged_sprints(rsps, gateway):
    config = {
        "id": 5,
        "type": "scrum",
        "columnConfig": {
            "columns": [{"name": "To Do", "statuses": [{"id": "1"}]}, {"name": "Done", "statuses": [{"id": "10002"}]}]
        },
        "estimation": {
            "type": "field",
            "field": {"fieldId": "customfield_10016", "displayName": "Story point estimate"},
        },
    }
    rsps.get(f"{BASE}/rest/agile/1.0/board/5/configuration", json=config)
    sprint = f"{BASE}/rest/agile/1.0/board/5/sprint"
    rsps.get(
        sprint,
        json={"values": [{"id": 1}, {"id": 2}], "isLast": False},
        match=[matchers.query_param_matcher({"startAt": "0", "maxResults": "50"})],
    )
    rsps.get(
        sprint,
        json={"values": [{"id": 3}], "isLast": True},
        match=[matchers.query_param_matcher({"startAt": "2", "maxResults": "50"})],
    )
    board = gateway.board_configuration(5)
    assert (board.type, board.estimation_field_id, board.done_status_ids) == ("scrum", "customfield_10016", {"10002"})
    assert [s["id"] for s in gateway.sprints(5)] == [1, 2, 3]


def test_find_board_by_name(rsps, gateway):
    boards = [{"id": 5, "name": "Shop"}, {"id": 6, "name": "Shop Ops"}]
    rsps.get(f"{BASE}/rest/agile/1.0/board", json={"values": boards, "isLast": True})
    assert gateway.find_board("shop")["id"] == 5


def test_create_select_field_adds_only_missing_options(rsps, gateway):
    created = {"id": "customfield_10070", "name": "OKR status", "custom": True, "schema": {"type": "option"}}
    rsps.post(f"{BASE}/rest/api/3/field", json=created, status=201)
    rsps.get(
        f"{BASE}/rest/api/3/field/customfield_10070/context",
        json={"values": [{"id": "100", "isGlobalContext": True}], "isLast": True},
    )
    option = f"{BASE}/rest/api/3/field/customfield_10070/context/100/option"
    rsps.get(option, json={"values": [{"id": "1", "value": "On track"}], "isLast": True})
    rsps.post(
        option, json={}, match=[matchers.json_params_matcher({"options": [{"value": "At risk", "disabled": False}]})]
    )
    field = gateway.create_field("OKR status", "select", ["On track", "At risk"])
    assert field.id == "customfield_10070"
    body = json.loads(rsps.calls[0].request.body)
    assert body["type"].endswith(":select")


def test_secrets_never_reach_logs_or_errors(rsps, sleeps, caplog):
    gateway = make_gateway(sleeps, attempts=2)
    basic = base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
    rsps.get(f"{BASE}/rest/api/3/myself", status=401, json={"errorMessages": [f"bad token {TOKEN}"]})
    rsps.get(f"{BASE}/rest/api/3/field", status=429, headers={"Retry-After": "1"})
    rsps.get(f"{BASE}/rest/api/3/status", body=f"<html>{TOKEN}</html>")
    rsps.put(f"{BASE}/rest/api/2/issue/SHOP-1", status=403, json={"message": f"Authorization: Basic {basic}"})
    failures = []
    with caplog.at_level(logging.DEBUG):
        for call in (
            gateway.myself,
            gateway.fields,
            gateway.statuses,
            lambda: gateway.update_issue("SHOP-1", {"x": 1}),
        ):
            with pytest.raises(Exception) as caught:  # noqa: PT011 - each call fails differently
                call()
            failures.append(caught.value)
    texts = [r.getMessage() for r in caplog.records] + [f"{e!s} {e!r} {e.args}" for e in failures]
    assert caplog.records
    assert not [t for t in texts if TOKEN in t or basic in t]
    assert repr(gateway.settings).count(TOKEN) == 0


def test_creating_a_field_is_not_retried_after_a_server_error(rsps, gateway, sleeps):
    rsps.post(f"{BASE}/rest/api/3/field", status=503)
    with pytest.raises(JiraUnavailable, match="Not retried"):
        gateway.create_field("OKR score", "number")
    assert (len(rsps.calls), sleeps) == (1, [])


def test_the_client_verifies_tls_with_the_ca_bundle_and_times_out(tmp_path):
    bundle = tmp_path / "corp-ca.pem"
    settings = JiraSettings(BASE, token=TOKEN, email=EMAIL, ca_bundle=str(bundle), timeout_seconds=12.5)
    session = JiraRestGateway(settings)._client._session
    assert (session.verify, session.timeout, session.max_retries) == (str(bundle), 12.5, 0)
