"""Authentication and permissions: 401 for bad or missing credentials, 403 for the read-only user."""

from __future__ import annotations

import pytest
import requests

from jira_sandbox import SandboxServer
from tests.sandbox.conftest import make_site, session

NOT_AUTHENTICATED = "You are not authenticated. Authentication required to perform this operation."


def test_missing_or_wrong_credentials_get_401_json(server: SandboxServer) -> None:
    url = server.url + "/rest/api/2/myself"
    for auth in (None, ("kpiokr-bot@example.com", "wrong"), ("nobody@example.com", "sandbox-token")):
        r = requests.get(url, auth=auth, timeout=10)
        assert r.status_code == 401
        assert r.json() == {"errorMessages": [NOT_AUTHENTICATED], "errors": {}}
        assert r.headers["WWW-Authenticate"].startswith("Basic")
    wrong = requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=10)
    assert wrong.status_code == 401
    assert wrong.headers["X-Seraph-LoginReason"] == "AUTHENTICATED_FAILED"


def test_server_info_is_anonymous_but_wrong_credentials_still_fail(server: SandboxServer) -> None:
    assert requests.get(server.url + "/rest/api/2/serverInfo", timeout=10).status_code == 200
    r = requests.get(server.url + "/rest/api/2/serverInfo", auth=("pm@example.com", "x"), timeout=10)
    assert r.status_code == 401


def test_cloud_takes_email_and_api_token_only() -> None:
    with SandboxServer(make_site(20), flavor="cloud") as srv:
        me = srv.url + "/rest/api/3/myself"
        assert (
            requests.get(me, auth=("pm@example.com", "pm-token"), timeout=10).json()["emailAddress"] == "pm@example.com"
        )
        assert requests.get(me, auth=("pm", "pm-token"), timeout=10).status_code == 401, "no usernames on Cloud"
        assert requests.get(me, headers={"Authorization": "Bearer sandbox-pat"}, timeout=10).status_code == 401


def test_datacenter_takes_pats_and_basic_passwords() -> None:
    with SandboxServer(make_site(20), flavor="datacenter") as srv:
        me = srv.url + "/rest/api/2/myself"
        assert requests.get(me, headers={"Authorization": "Bearer pm-pat"}, timeout=10).json()["name"] == "pm"
        assert requests.get(me, auth=("kpiokr-bot", "sandbox-token"), timeout=10).json()["name"] == "kpiokr-bot"
        assert requests.get(me, auth=("kpiokr-bot@example.com", "sandbox-token"), timeout=10).status_code == 200


def test_myself_tells_account_and_time_zone(server: SandboxServer, client: requests.Session) -> None:
    me = client.get(server.url + "/rest/api/2/myself").json()
    assert me["timeZone"] == "America/New_York" != server.site.time_zone == "Europe/Berlin"
    if server.flavor == "cloud":
        assert me["accountId"] == server.site.users["bot"].account_id
        assert "name" not in me
    else:
        assert me["name"] == "kpiokr-bot"
        assert me["key"].startswith("JIRAUSER")
        assert "accountId" not in me


@pytest.mark.parametrize("who", ["viewer"])
def test_read_only_user_reads_but_gets_403_on_writes(server: SandboxServer, who: str) -> None:
    with session(server, who) as s:
        assert s.get(server.url + "/rest/api/2/issue/MOB-1").status_code == 200
        r = s.put(server.url + "/rest/api/2/issue/MOB-1", json={"fields": {"customfield_10030": 1}})
        assert r.status_code == 403
        assert r.json()["errorMessages"]
        created = s.post(
            server.url + "/rest/api/2/field",
            json={"name": "x", "type": "com.atlassian.jira.plugin.system.customfieldtypes:float"},
        )
        assert created.status_code == 403


def test_only_admins_may_silence_notifications(server: SandboxServer) -> None:
    """Data Center refuses the edit (403); Cloud ignores the request and notifies (both per the specs)."""
    with session(server, "pm") as s:
        url = server.url + "/rest/api/2/issue/MOB-1"
        silent = s.put(url, params={"notifyUsers": "false"}, json={"fields": {"customfield_10030": 1}})
        assert silent.status_code == (403 if server.flavor == "datacenter" else 204)
        assert s.put(url, json={"fields": {"customfield_10030": 3}}).status_code == 204
    with session(server) as bot:
        assert (
            bot.put(url, params={"notifyUsers": "false"}, json={"fields": {"customfield_10030": 2}}).status_code == 204
        )
