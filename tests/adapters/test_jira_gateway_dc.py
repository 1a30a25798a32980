"""The REST gateway against a Jira Data Center site served by ``responses``."""

from __future__ import annotations

import json

import pytest
import requests
import responses
from responses import matchers

from sync.errors import (
    JiraAuthError,
    JiraBadResponse,
    JiraNotFound,
    JiraPermissionError,
    JiraUnavailable,
    JiraUnsupported,
)
from sync.jira.gateway import JiraRestGateway
from sync.jira.retry import RetryPolicy
from sync.jira.settings import JiraSettings
from sync.jira.translate import COMPLETED_CHANGELOG

BASE = "https://jira.acme.example/jira"
PAT = "NjE2-secret-dc-personal-access-token"
SEARCH = f"{BASE}/rest/api/2/search"


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def gateway(rsps, sleeps):
    info = {"deploymentType": "DataCenter", "version": "10.3.4", "baseUrl": BASE}
    rsps.get(f"{BASE}/rest/api/2/serverInfo", json=info)
    settings = JiraSettings(BASE, token=PAT, token_env="ACME_JIRA_PAT", retry=RetryPolicy(max_attempts=3))
    return JiraRestGateway(settings, sleep=sleeps.append)


def history(hid):
    item = {"field": "status", "fieldtype": "jira", "from": "1", "to": "3", "fromString": "Open", "toString": "Done"}
    return {"id": str(hid), "author": {"name": "bob"}, "created": "2026-09-02T08:00:00.000-0500", "items": [item]}


def issue(number, histories, total=None):
    count = len(histories) if total is None else total
    changelog = {"startAt": 0, "maxResults": count, "total": count, "histories": histories}
    return {"id": str(10000 + number), "key": f"OPS-{number}", "fields": {}, "changelog": changelog}


def page(start, total, issues):
    return {"startAt": start, "maxResults": 2, "total": total, "issues": issues}


def at_offset(start):
    return [matchers.json_params_matcher({"startAt": start}, strict_match=False)]


def test_server_info_detects_data_center_and_a_pat_is_sent_as_bearer(rsps, gateway):
    assert gateway.flavor() == "datacenter"
    assert gateway.server_info().version == "10.3.4"
    assert rsps.calls[0].request.headers["Authorization"] == f"Bearer {PAT}"
    assert gateway.requests_made == 1


def test_search_pages_by_start_at_in_key_order(rsps, gateway):
    rsps.post(SEARCH, json=page(0, 3, [issue(1, [history(1)]), issue(2, [])]), match=at_offset(0))
    rsps.post(SEARCH, json=page(2, 3, [issue(3, [history(3)])]), match=at_offset(2))
    found = list(gateway.search("project = OPS", ["status"]))
    assert [i["key"] for i in found] == ["OPS-1", "OPS-2", "OPS-3"]
    bodies = [json.loads(c.request.body) for c in rsps.calls if c.request.url == SEARCH]
    assert bodies[0] == {
        "jql": "project = OPS ORDER BY key ASC",
        "fields": ["status"],
        "startAt": 0,
        "maxResults": 1000,
        "expand": ["changelog"],
    }
    assert gateway.requests_made == 3  # serverInfo + 2 pages


def test_an_explicit_order_is_kept(rsps, gateway):
    rsps.post(SEARCH, json=page(0, 0, []))
    list(gateway.search("project = OPS order by created", ["status"], page_size=50))
    body = json.loads(rsps.calls[-1].request.body)
    assert (body["jql"], body["maxResults"]) == ("project = OPS order by created", 50)


def test_a_cut_changelog_is_reread_from_the_issue(rsps, gateway):
    rsps.post(SEARCH, json=page(0, 1, [issue(4, [history(43)], total=3)]))
    full = {
        "key": "OPS-4",
        "changelog": {"startAt": 0, "maxResults": 3, "total": 3, "histories": [history(41), history(42), history(43)]},
    }
    rsps.get(
        f"{BASE}/rest/api/2/issue/OPS-4",
        json=full,
        match=[matchers.query_param_matcher({"expand": "changelog", "fields": "status"})],
    )
    (found,) = gateway.search("project = OPS", ["status"])
    assert [h["id"] for h in found["changelog"]["histories"]] == ["41", "42", "43"]
    assert found["changelog"][COMPLETED_CHANGELOG] is True
    assert gateway.requests_made == 3


def test_a_changelog_that_stays_cut_is_refused(rsps, gateway):
    rsps.post(SEARCH, json=page(0, 1, [issue(4, [history(43)], total=3)]))
    short = {"changelog": {"startAt": 0, "maxResults": 2, "total": 3, "histories": [history(42), history(43)]}}
    rsps.get(f"{BASE}/rest/api/2/issue/OPS-4", json=short)
    with pytest.raises(JiraBadResponse, match=r"GET /rest/api/2/issue/OPS-4 returned 2 of the 3"):
        list(gateway.search("project = OPS", ["status"]))


def test_count_and_jql_validation_use_search(rsps, gateway):
    rsps.post(SEARCH, json={"startAt": 0, "maxResults": 0, "total": 812, "issues": []})
    assert gateway.count("project = OPS") == 812
    assert json.loads(rsps.calls[-1].request.body)["maxResults"] == 0
    rsps.replace(
        responses.POST,
        SEARCH,
        status=400,
        json={"errorMessages": ["Field 'sprintt' does not exist or you do not have permission to view it."]},
    )
    assert (
        gateway.jql_is_valid("sprintt = 1")
        == "Field 'sprintt' does not exist or you do not have permission to view it."
    )


def test_update_issue_is_one_v2_put_without_notifications(rsps, gateway):
    rsps.put(
        f"{BASE}/rest/api/2/issue/OPS-4",
        status=204,
        match=[
            matchers.query_param_matcher({"notifyUsers": "false"}),
            matchers.json_params_matcher({"fields": {"customfield_10300": "Behind"}}),
        ],
    )
    gateway.update_issue("OPS-4", {"customfield_10300": "Behind"})
    assert [c.request.method for c in rsps.calls] == ["PUT"]


def test_an_account_that_may_not_silence_notifications_is_told_what_to_grant(rsps, gateway):
    message = "To discard the user notification either admin or project admin permissions are required."
    rsps.put(f"{BASE}/rest/api/2/issue/OPS-4", status=403, json={"errorMessages": [message], "errors": {}})
    with pytest.raises(JiraPermissionError) as caught:
        gateway.update_issue("OPS-4", {"customfield_10300": "Behind"})
    assert "'Administer Projects'" in str(caught.value)
    assert "writeback.notify_users = true" in str(caught.value)
    assert len(rsps.calls) == 1, "a refused write is not retried"


def test_with_notifications_wanted_the_put_does_not_ask_for_silence(rsps, sleeps):
    info = {"deploymentType": "DataCenter", "version": "10.3.4", "baseUrl": BASE}
    rsps.get(f"{BASE}/rest/api/2/serverInfo", json=info)
    rsps.put(f"{BASE}/rest/api/2/issue/OPS-4", status=204, match=[matchers.query_param_matcher({})])
    settings = JiraSettings(BASE, token=PAT, notify_users=True)
    JiraRestGateway(settings, sleep=sleeps.append).update_issue("OPS-4", {"customfield_10300": "Behind"})
    assert "notifyUsers" not in rsps.calls[-1].request.url


def test_select_options_cannot_be_added_over_rest(gateway):
    with pytest.raises(JiraUnsupported, match="Administration"):
        gateway.add_select_options("customfield_10300", ["On track"])


def test_401_names_the_pat_variable(rsps, gateway):
    rsps.get(f"{BASE}/rest/api/2/myself", status=401)
    with pytest.raises(JiraAuthError, match="ACME_JIRA_PAT") as caught:
        gateway.myself()
    assert PAT not in str(caught.value)


def test_a_failed_login_served_anonymously_is_an_auth_error(rsps, gateway):
    rsps.get(f"{BASE}/rest/api/2/field", json=[], headers={"X-Seraph-LoginReason": "AUTHENTICATED_FAILED"})
    with pytest.raises(JiraAuthError, match="ACME_JIRA_PAT"):
        gateway.fields()


def test_connection_errors_are_retried_then_reported(rsps, gateway, sleeps):
    rsps.get(f"{BASE}/rest/api/2/status", body=requests.ConnectionError("refused"))
    with pytest.raises(JiraUnavailable, match=r"GET /rest/api/2/status: ConnectionError .*gave up after 3 attempts"):
        gateway.statuses()
    assert len(sleeps) == 2


def test_find_board_lists_close_names(rsps, gateway):
    rsps.get(f"{BASE}/rest/agile/1.0/board", json={"values": [{"id": 7, "name": "Ops Kanban"}], "isLast": True})
    with pytest.raises(JiraNotFound, match=r"no board is named 'Ops'.*'Ops Kanban' \(id 7\)"):
        gateway.find_board("Ops")


def dc_gateway_with_email(rsps, flavor):
    info = {"deploymentType": "DataCenter", "version": "10.3.4", "baseUrl": BASE}
    rsps.get(f"{BASE}/rest/api/2/serverInfo", json=info)
    settings = JiraSettings(
        BASE, token=PAT, token_env="ACME_JIRA_PAT", email="bot@acme.example", email_env="ACME_EMAIL", flavor=flavor
    )
    return JiraRestGateway(settings, sleep=[].append)


@pytest.mark.parametrize("flavor", [None, "datacenter"])
def test_with_an_email_set_data_center_still_gets_the_pat_as_bearer_and_a_warning(rsps, caplog, flavor):
    gateway = dc_gateway_with_email(rsps, flavor)
    rsps.get(f"{BASE}/rest/api/2/myself", json={"name": "kpiokr", "displayName": "kpiokr", "timeZone": "UTC"})
    assert gateway.myself().account_id_or_name == "kpiokr"
    myself = next(c for c in rsps.calls if c.request.url.endswith("/myself"))
    assert myself.request.headers["Authorization"] == f"Bearer {PAT}"
    assert all(not c.request.headers.get("Authorization", "").startswith("Basic") for c in rsps.calls)
    assert "jira.email is ignored on Jira Data Center" in caplog.text


def test_a_401_on_data_center_with_an_email_set_points_at_personal_access_tokens(rsps):
    gateway = dc_gateway_with_email(rsps, None)
    rsps.get(f"{BASE}/rest/api/2/myself", status=401)
    with pytest.raises(JiraAuthError) as caught:
        gateway.myself()
    assert "personal access token in the environment variable ACME_JIRA_PAT" in caught.value.message
    assert "id.atlassian.com" not in caught.value.message
    assert "bot@acme.example" not in caught.value.message
