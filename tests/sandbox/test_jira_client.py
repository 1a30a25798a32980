"""The sandbox through the ``jira`` library kpiokr uses, as Cloud and as Data Center."""

from __future__ import annotations

from jira import JIRA

from jira_sandbox import SandboxServer
from tests.sandbox.conftest import make_site


def test_jira_library_works_against_cloud() -> None:
    with SandboxServer(make_site(120), flavor="cloud") as srv:
        jira = JIRA(server=srv.url, basic_auth=("kpiokr-bot@example.com", "sandbox-token"), max_retries=0)
        assert jira._is_cloud
        assert jira.myself()["timeZone"] == "America/New_York"
        issues = jira.enhanced_search_issues(
            "project = MOB ORDER BY key", maxResults=0, expand="changelog", fields="summary,status,customfield_10016"
        )
        assert len(issues) == jira.approximate_issue_count("project = MOB") == 48
        assert issues[0].key == "MOB-1"
        issue = jira.issue("MOB-3", expand="changelog")
        issue.update(fields={"customfield_10030": 42.0}, notify=False)
        assert jira.issue("MOB-3").fields.customfield_10030 == 42.0
        assert [s.name for s in jira.sprints(1, state="active")] == ["MOB Sprint 14"]
        jira.close()


def test_jira_library_works_against_datacenter() -> None:
    with SandboxServer(make_site(120), flavor="datacenter") as srv:
        jira = JIRA(server=srv.url, token_auth="sandbox-pat", max_retries=0)
        assert not jira._is_cloud
        issues = jira.search_issues("project = MOB ORDER BY key", maxResults=False, expand="changelog")
        assert issues.total == len(issues) == 48
        histories = issues[2].changelog.histories
        assert [h.id for h in histories] == sorted((h.id for h in histories), key=int)
        assert {f["id"] for f in jira.fields()} >= {"customfield_10001", "customfield_10002", "customfield_10003"}
        jira.issue("MOB-3").update(fields={"customfield_10002": 5}, notify=False)
        assert jira.issue("MOB-3").fields.customfield_10002 == 5.0
        jira.close()
