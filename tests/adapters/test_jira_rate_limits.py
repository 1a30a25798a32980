"""Jira Cloud's 429s over HTTP: the reason named, ``X-RateLimit-Reset`` honoured, the scope respected."""

from __future__ import annotations

import pytest
import responses

from sync.errors import JiraRateLimited
from sync.jira.gateway import JiraRestGateway
from sync.jira.retry import RetryPolicy
from sync.jira.settings import JiraSettings

BASE = "https://acme.atlassian.net"
DATE = "Fri, 20 Nov 2026 12:00:00 GMT"


def cloud(sleeps: list[float], attempts: int = 3) -> JiraRestGateway:
    settings = JiraSettings(
        BASE, token="secret-token", email="bot@acme.example", flavor="cloud", retry=RetryPolicy(max_attempts=attempts)
    )
    return JiraRestGateway(settings, sleep=sleeps.append)


def test_a_reset_instant_stands_in_for_a_missing_retry_after_and_the_reason_is_named():
    sleeps: list[float] = []
    headers = {"RateLimit-Reason": "jira-quota-tenant-based", "X-RateLimit-Reset": "2026-11-20T12:00:42Z", "Date": DATE}
    with responses.RequestsMock() as rsps:
        rsps.get(f"{BASE}/rest/api/3/myself", status=429, headers=headers, json={"message": "Rate limit exceeded."})
        rsps.get(f"{BASE}/rest/api/3/myself", json={"accountId": "bot", "timeZone": "UTC"})
        assert cloud(sleeps).myself().account_id_or_name == "bot"
    assert sleeps == [42.0]


def test_a_429_that_outlasts_the_budget_names_its_reason():
    sleeps: list[float] = []
    headers = {"RateLimit-Reason": "jira-per-issue-on-write", "Retry-After": "3"}
    with responses.RequestsMock() as rsps:
        rsps.put(f"{BASE}/rest/api/2/issue/SHOP-1", status=429, headers=headers)
        rsps.put(f"{BASE}/rest/api/2/issue/SHOP-2", status=204)
        gateway = cloud(sleeps, attempts=2)
        with pytest.raises(JiraRateLimited) as caught:
            gateway.update_issue("SHOP-1", {"customfield_10100": 0.5})
        gateway.update_issue("SHOP-2", {"customfield_10100": 0.5})  # another issue goes at once
    assert caught.value.reason == "jira-per-issue-on-write"
    assert "(429, jira-per-issue-on-write)" in caught.value.message
    assert sleeps == [3.0]
