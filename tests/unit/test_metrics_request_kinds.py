"""The kind each Jira request is counted under in ``kpiokr_jira_requests_total``: a handful of
kinds whatever the keys and ids in the paths, both flavours' paths alike."""

import pytest

from sync.jira.request_kinds import request_kind


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("POST", "/rest/api/3/search/jql", "search"),
        ("GET", "/rest/api/2/search", "search"),
        ("POST", "/rest/api/2/search", "search"),
        ("POST", "/rest/api/3/search/approximate-count", "search"),
        ("POST", "/rest/api/3/jql/parse", "search"),
        ("GET", "/rest/api/2/issue/MOB-12", "issue"),
        ("GET", "/rest/api/3/issue/10042", "issue"),
        ("GET", "/rest/api/2/issue/MOB-12/comment", "issue"),
        ("PUT", "/rest/api/2/issue/MOB-12", "write"),
        ("POST", "/rest/api/3/issue/MOB-12/comment", "write"),
        ("PUT", "/rest/api/2/issue/MOB-12/comment/10001", "write"),
        ("PUT", "/rest/api/2/issue/MOB-12/properties/kpiokr.objective", "property"),
        ("GET", "/rest/api/3/issue/MOB-12/properties/kpiokr.objective", "property"),
        ("POST", "/rest/api/3/issue/properties/multi", "property"),
        ("PUT", "/rest/api/2/project/MOB/properties/kpiokr.team", "property"),
        ("POST", "/rest/api/3/changelog/bulkfetch", "changelog"),
        ("GET", "/rest/api/3/issue/MOB-12/changelog", "changelog"),
        ("GET", "/rest/agile/1.0/board/7/sprint", "sprint"),
        ("GET", "/rest/agile/1.0/board/7", "board"),
        ("GET", "/rest/agile/1.0/board/7/configuration", "board"),
        ("GET", "/rest/agile/1.0/board", "board"),
        ("GET", "/rest/api/2/serverInfo", "site"),
        ("GET", "/rest/api/3/myself", "site"),
        ("GET", "/rest/api/3/field", "site"),
        ("GET", "/rest/api/2/status", "site"),
        ("GET", "/rest/api/2/resolution", "site"),
        ("POST", "/rest/api/3/field", "setup"),
        ("GET", "/rest/api/3/field/customfield_10050/context", "setup"),
        ("POST", "/rest/api/3/field/customfield_10050/context/1/option", "setup"),
        ("POST", "/rest/webhooks/1.0/webhook", "setup"),
        ("GET", "/rest/api/3/webhook", "setup"),
        ("GET", "/rest/api/2/project", "other"),
    ],
)
def test_each_request_is_counted_under_its_kind(method, path, kind):
    assert request_kind(method, path) == kind
