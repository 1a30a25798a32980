"""Injected faults, and steering a running sandbox through its control endpoints."""

from __future__ import annotations

import time

import pytest
import requests

from jira_sandbox import Fault, SandboxServer
from tests.sandbox.conftest import make_site, session


def test_status_fault_with_retry_after_hits_times_after_skipping(
    server: SandboxServer, client: requests.Session
) -> None:
    url = server.url + "/rest/api/2/issue/MOB-1"
    server.faults.add(Fault("status", "/rest/api/2/issue/*", status=429, retry_after=7, times=2, after=1))
    codes = [client.get(url) for _ in range(4)]
    assert [r.status_code for r in codes] == [200, 429, 429, 200]
    assert codes[1].headers["Retry-After"] == "7"
    assert codes[1].json()["errorMessages"]
    assert [entry[2] for entry in server.request_log[-4:]] == [200, 429, 429, 200]
    assert len(server.faults) == 0, "used up"


@pytest.mark.parametrize("status", [500, 502, 503, 401, 403])
def test_any_error_status(server: SandboxServer, client: requests.Session, status: int) -> None:
    server.faults.add(Fault("status", status=status))
    assert client.get(server.url + "/rest/api/2/myself").status_code == status
    assert client.get(server.url + "/rest/api/2/myself").status_code == 200


def test_reset_garbage_truncated_and_slow(server: SandboxServer, client: requests.Session) -> None:
    url = server.url + "/rest/api/2/issue/MOB-2"
    server.faults.add(Fault("reset", "/rest/api/2/issue/MOB-2"))
    with pytest.raises(requests.ConnectionError):
        client.get(url)
    assert server.request_log[-1] == ("GET", "/rest/api/2/issue/MOB-2", 0)
    server.faults.add(Fault("garbage", method="GET"))
    garbage = client.get(url)
    assert garbage.status_code == 200
    assert garbage.headers["Content-Type"].startswith("text/html")
    with pytest.raises(requests.JSONDecodeError):
        garbage.json()
    server.faults.add(Fault("truncated"))
    cut = client.get(url)
    whole = client.get(url)
    assert cut.status_code == 200
    assert whole.text.startswith(cut.text)
    assert len(cut.text) < len(whole.text)
    with pytest.raises(requests.JSONDecodeError):
        cut.json()
    server.faults.add(Fault("slow", delay=0.3))
    start = time.monotonic()
    assert client.get(url).status_code == 200
    assert time.monotonic() - start >= 0.3


def test_fault_fails_mid_pagination() -> None:
    with SandboxServer(make_site(), flavor="cloud") as srv, session(srv) as s:
        srv.faults.add(Fault("status", "/rest/api/3/search/jql", status=503, after=2, times=1))
        body = {"jql": "project = MOB ORDER BY key", "maxResults": 20, "fields": ["summary"]}
        codes, token = [], None
        for _ in range(4):
            r = s.post(srv.url + "/rest/api/3/search/jql", json={**body, **({"nextPageToken": token} if token else {})})
            codes.append(r.status_code)
            if r.ok:
                token = r.json()["nextPageToken"]
        assert codes == [200, 200, 503, 200]


def test_control_endpoints_steer_a_sandbox_from_outside(server: SandboxServer, client: requests.Session) -> None:
    control = server.url + "/_sandbox"
    info = requests.get(control, timeout=10).json()
    assert info["flavor"] == server.flavor
    assert "test/demo only" in info["title"]
    made = requests.post(
        control + "/faults", json={"kind": "status", "status": 502, "path_pattern": "/rest/*"}, timeout=10
    )
    assert made.status_code == 201
    assert made.json()["id"]
    assert requests.post(control + "/faults", json={"kind": "meltdown"}, timeout=10).status_code == 400
    assert len(requests.get(control + "/faults", timeout=10).json()) == 1
    assert client.get(server.url + "/rest/api/2/myself").status_code == 502
    requests.post(control + "/faults", json={"kind": "status", "status": 500, "times": None}, timeout=10)
    assert requests.delete(control + "/faults", timeout=10).status_code == 204
    assert client.get(server.url + "/rest/api/2/myself").status_code == 200
    log = requests.get(control + "/requests", timeout=10).json()
    assert log[-2:] == [["GET", "/rest/api/2/myself", 502], ["GET", "/rest/api/2/myself", 200]]
    requests.delete(control + "/requests", timeout=10)
    assert server.request_log == []
    clock = requests.post(control + "/clock", json={"now": "2026-12-01T10:00:00+00:00"}, timeout=10).json()
    assert clock == {"now": "2026-12-01T10:00:00+00:00", "frozen": True}
    requests.post(control + "/clock", json={"advance_seconds": 3600}, timeout=10)
    assert server.site.now.isoformat() == "2026-12-01T11:00:00+00:00"
    edit = requests.post(
        control + "/issues/MOB-3", json={"fields": {"customfield_10030": 77}, "author": "pm"}, timeout=10
    ).json()
    last = server.site.issue("MOB-3").histories[-1]  # type: ignore[union-attr]
    assert edit["historyId"] == str(last.id)
    assert last.author == "pm"
    requests.post(control + "/settings", json={"inline_changelog_limit": 2}, timeout=10)
    assert server.site.inline_changelog_limit[server.flavor] == 2
    requests.put(control + "/users/kpiokr-bot@example.com/timezone", json={"timeZone": "Asia/Tokyo"}, timeout=10)
    assert client.get(server.url + "/rest/api/2/myself").json()["timeZone"] == "Asia/Tokyo"
    assert requests.delete(control + "/fields/customfield_10033", timeout=10).status_code == 204
    assert (
        client.put(server.url + "/rest/api/2/issue/MOB-3", json={"fields": {"customfield_10033": 1}}).status_code == 400
    )


def test_a_status_fault_sends_jira_clouds_rate_limit_headers_on_demand(
    server: SandboxServer, client: requests.Session
) -> None:
    headers = {"RateLimit-Reason": "jira-burst-based", "X-RateLimit-Reset": "2026-11-20T12:00:05Z"}
    server.faults.add(Fault("status", "/rest/api/2/issue/*", status=429, retry_after=2, headers=headers))
    answer = client.get(server.url + "/rest/api/2/issue/MOB-1")
    assert answer.status_code == 429
    assert answer.headers["RateLimit-Reason"] == "jira-burst-based"
    assert answer.headers["X-RateLimit-Reset"] == "2026-11-20T12:00:05Z"
    assert answer.headers["Retry-After"] == "2"
    assert Fault.from_json({"kind": "status", "status": 429, "headers": headers}).headers == headers
