"""Every endpoint the sandbox serves, in both flavours, checked against Atlassian's OpenAPI schemas.

Real HTTP requests; each answer is validated against the response schema of the matching
operation (Cloud v2 paths against the v3 platform document, which documents both). Where a
document declares no schema the matching component is named explicitly; the Data Center
document's known defects are handled in ``openapi.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from jira_sandbox import SandboxServer
from tests.sandbox import openapi
from tests.sandbox.conftest import make_site, session

Call = Callable[[SandboxServer, requests.Session], requests.Response]


@dataclass
class Case:
    """One endpoint: how to call it and which schema its answer must satisfy."""

    id: str
    call: Call
    doc: str
    op: tuple[str, str, int] | None = None
    component: str | None = None
    shape: str = "object"  # "object", "items" (a list of the schema), "page" (values are the schema)
    status: int = 200


def get(path: str, **params: Any) -> Call:
    return lambda srv, s: s.get(srv.url + path, params=params)


def post(path: str, body: Any) -> Call:
    return lambda srv, s: s.post(srv.url + path, json=body)


def new_field(srv: SandboxServer, s: requests.Session, kind: str = "select") -> str:
    type_key = f"com.atlassian.jira.plugin.system.customfieldtypes:{kind}"
    r = s.post(srv.url + "/rest/api/2/field", json={"name": f"KR {kind}", "type": type_key})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def cloud_option_call(verb: str) -> Call:
    def call(srv: SandboxServer, s: requests.Session) -> requests.Response:
        fid = new_field(srv, s)
        ctx = s.get(f"{srv.url}/rest/api/3/field/{fid}/context").json()["values"][0]["id"]
        url = f"{srv.url}/rest/api/3/field/{fid}/context/{ctx}/option"
        created = s.post(url, json={"options": [{"value": "On track"}, {"value": "At risk"}]})
        return created if verb == "post" else s.get(url)

    return call


def delete_call(follow: bool) -> Call:
    def call(srv: SandboxServer, s: requests.Session) -> requests.Response:
        fid = new_field(srv, s, "float")
        return s.delete(f"{srv.url}/rest/api/3/field/{fid}", allow_redirects=follow)

    return call


def next_page(path: str, body: dict[str, Any]) -> Call:
    def call(srv: SandboxServer, s: requests.Session) -> requests.Response:
        first = s.post(srv.url + path, json=body).json()
        return s.post(srv.url + path, json={**body, "nextPageToken": first["nextPageToken"]})

    return call


def put_call(fields: dict[str, Any]) -> Call:
    return lambda srv, s: s.put(srv.url + "/rest/api/2/issue/MOB-3", json={"fields": fields})


def comment_call(api: str, verb: str) -> Call:
    """Add a comment to MOB-2 (ADF on v3, wiki text on v2); ``put``: then edit it; ``get``: then list them."""
    text = "Weekly KPI digest"
    body: Any = (
        text
        if api == "2"
        else {
            "type": "doc",
            "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
        }
    )

    def call(srv: SandboxServer, s: requests.Session) -> requests.Response:
        url = f"{srv.url}/rest/api/{api}/issue/MOB-2/comment"
        added = s.post(url, json={"body": body})
        if verb == "put":
            return s.put(f"{url}/{added.json()['id']}", json={"body": body})
        return s.get(url) if verb == "get" else added

    return call


def anonymous(path: str) -> Call:
    return lambda srv, s: requests.get(srv.url + path, auth=("kpiokr-bot@example.com", "wrong"), timeout=10)


P, A = "platform", "software"
JQL = "project in (MOB, SUP) AND updated >= -30d ORDER BY updated ASC"
CLOUD: list[Case] = []
for v in ("2", "3"):
    b = f"/rest/api/{v}"
    CLOUD += [
        Case(f"v{v} serverInfo", get(f"{b}/serverInfo"), P, ("/rest/api/3/serverInfo", "get", 200)),
        Case(f"v{v} myself", get(f"{b}/myself"), P, ("/rest/api/3/myself", "get", 200)),
        Case(f"v{v} status", get(f"{b}/status"), P, ("/rest/api/3/status", "get", 200)),
        Case(f"v{v} statuscategory", get(f"{b}/statuscategory"), P, ("/rest/api/3/statuscategory", "get", 200)),
        Case(f"v{v} resolution", get(f"{b}/resolution"), P, ("/rest/api/3/resolution", "get", 200)),
        Case(f"v{v} field", get(f"{b}/field"), P, ("/rest/api/3/field", "get", 200)),
        Case(f"v{v} issue", get(f"{b}/issue/MOB-7"), P, ("/rest/api/3/issue/{issueIdOrKey}", "get", 200)),
        Case(
            f"v{v} issue expand",
            get(f"{b}/issue/MOB-9", expand="changelog,names,schema"),
            P,
            ("/rest/api/3/issue/{issueIdOrKey}", "get", 200),
        ),
        Case(
            f"v{v} issue changelog",
            get(f"{b}/issue/MOB-9/changelog", maxResults=2),
            P,
            ("/rest/api/3/issue/{issueIdOrKey}/changelog", "get", 200),
        ),
        Case(
            f"v{v} bulkfetch",
            post(f"{b}/changelog/bulkfetch", {"issueIdsOrKeys": ["MOB-1", "SUP-2"]}),
            P,
            ("/rest/api/3/changelog/bulkfetch", "post", 200),
        ),
        Case(
            f"v{v} bulkfetch fields",
            post(
                f"{b}/changelog/bulkfetch",
                {"issueIdsOrKeys": ["MOB-1", "MOB-2", "MOB-3"], "fieldIds": ["status"], "maxResults": 2},
            ),
            P,
            ("/rest/api/3/changelog/bulkfetch", "post", 200),
        ),
        Case(f"v{v} search/jql GET", get(f"{b}/search/jql", jql=JQL), P, ("/rest/api/3/search/jql", "get", 200)),
        Case(
            f"v{v} search/jql POST",
            post(
                f"{b}/search/jql", {"jql": JQL, "fields": ["*all"], "expand": "changelog,names,schema", "maxResults": 5}
            ),
            P,
            ("/rest/api/3/search/jql", "post", 200),
        ),
        Case(
            f"v{v} search/jql page 2",
            next_page(f"{b}/search/jql", {"jql": JQL, "fields": ["summary"], "maxResults": 3}),
            P,
            ("/rest/api/3/search/jql", "post", 200),
        ),
        Case(
            f"v{v} approximate-count",
            post(f"{b}/search/approximate-count", {"jql": JQL}),
            P,
            ("/rest/api/3/search/approximate-count", "post", 200),
        ),
        Case(f"v{v} search gone", get(f"{b}/search", jql=JQL), P, component="ErrorCollection", status=410),
        Case(
            f"v{v} search bad jql",
            get(f"{b}/search/jql", jql="project = MOB AND"),
            P,
            component="ErrorCollection",
            status=400,
        ),
        Case(
            f"v{v} field context",
            lambda srv, s, b=b: s.get(f"{srv.url}{b}/field/{new_field(srv, s)}/context"),
            P,
            ("/rest/api/3/field/{fieldId}/context", "get", 200),
        ),
    ]
CLOUD += [
    Case(
        "jql parse",
        post("/rest/api/3/jql/parse?validation=strict", {"queries": [JQL, "project = MOB AND"]}),
        P,
        ("/rest/api/3/jql/parse", "post", 200),
    ),
    Case(
        "v2 issue v3 description",
        get("/rest/api/3/issue/MOB-1", fields="description,parent,subtasks"),
        P,
        ("/rest/api/3/issue/{issueIdOrKey}", "get", 200),
    ),
    Case(
        "field create",
        lambda srv, s: s.post(
            srv.url + "/rest/api/3/field",
            json={
                "name": "Objective score",
                "type": "com.atlassian.jira.plugin.system.customfieldtypes:float",
                "searcherKey": "com.atlassian.jira.plugin.system.customfieldtypes:exactnumber",
            },
        ),
        P,
        ("/rest/api/3/field", "post", 201),
        status=201,
    ),
    Case("field delete (303)", delete_call(False), P, ("/rest/api/3/field/{id}", "delete", 303), status=303),
    Case("task after delete", delete_call(True), P, ("/rest/api/3/task/{taskId}", "get", 200)),
    Case(
        "context option create",
        cloud_option_call("post"),
        P,
        ("/rest/api/3/field/{fieldId}/context/{contextId}/option", "post", 200),
    ),
    Case(
        "context option list",
        cloud_option_call("get"),
        P,
        ("/rest/api/3/field/{fieldId}/context/{contextId}/option", "get", 200),
    ),
    Case(
        "comment add",
        comment_call("3", "post"),
        P,
        ("/rest/api/3/issue/{issueIdOrKey}/comment", "post", 201),
        status=201,
    ),
    Case("comment list", comment_call("3", "get"), P, ("/rest/api/3/issue/{issueIdOrKey}/comment", "get", 200)),
    Case("comment edit", comment_call("3", "put"), P, ("/rest/api/3/issue/{issueIdOrKey}/comment/{id}", "put", 200)),
    Case("put bad value", put_call({"customfield_10030": "many"}), P, component="ErrorCollection", status=400),
    Case("issue 404", get("/rest/api/2/issue/MOB-999999"), P, component="ErrorCollection", status=404),
    Case("401", anonymous("/rest/api/2/myself"), P, component="ErrorCollection", status=401),
    Case("agile boards", get("/rest/agile/1.0/board"), A, ("/rest/agile/1.0/board", "get", 200)),
    Case("agile board", get("/rest/agile/1.0/board/1"), A, ("/rest/agile/1.0/board/{boardId}", "get", 200)),
    Case(
        "agile scrum configuration",
        get("/rest/agile/1.0/board/1/configuration"),
        A,
        ("/rest/agile/1.0/board/{boardId}/configuration", "get", 200),
    ),
    Case(
        "agile kanban configuration",
        get("/rest/agile/1.0/board/2/configuration"),
        A,
        ("/rest/agile/1.0/board/{boardId}/configuration", "get", 200),
    ),
    Case("agile board sprints", get("/rest/agile/1.0/board/1/sprint"), A, component="SprintBean", shape="page"),
    Case("agile sprint", get("/rest/agile/1.0/sprint/3"), A, component="SprintBean"),
    Case(
        "agile sprint issues",
        get("/rest/agile/1.0/sprint/3/issue", maxResults=5, expand="changelog"),
        A,
        component="SearchResults",
    ),
    Case(
        "agile board issues",
        get("/rest/agile/1.0/board/2/issue", maxResults=5, jql="priority = High"),
        A,
        ("/rest/agile/1.0/board/{boardId}/issue", "get", 200),
    ),
]

D = "dc"
DC: list[Case] = [
    Case("serverInfo", get("/rest/api/2/serverInfo"), D, ("/api/2/serverInfo", "get", 200)),
    Case("myself", get("/rest/api/2/myself"), D, ("/api/2/myself", "get", 200)),
    Case("status", get("/rest/api/2/status"), D, ("/api/2/status", "get", 200), shape="items"),
    Case("statuscategory", get("/rest/api/2/statuscategory"), D, ("/api/2/statuscategory", "get", 200), shape="items"),
    Case("resolution", get("/rest/api/2/resolution"), D, ("/api/2/resolution", "get", 200), shape="items"),
    Case("field", get("/rest/api/2/field"), D, ("/api/2/field", "get", 200), shape="items"),
    Case(
        "field create",
        lambda srv, s: s.post(
            srv.url + "/rest/api/2/field",
            json={"name": "Objective score", "type": "com.atlassian.jira.plugin.system.customfieldtypes:float"},
        ),
        D,
        ("/api/2/field", "post", 201),
        status=201,
    ),
    Case(
        "field options",
        get("/rest/api/2/customFields/customfield_10030/options"),
        D,
        ("/api/2/customFields/{customFieldId}/options", "get", 200),
    ),
    Case(
        "field option",
        lambda srv, s: s.get(
            srv.url + "/rest/api/2/customFieldOption/" + str(srv.site.add_option(new_field(srv, s), "Green"))
        ),
        D,
        ("/api/2/customFieldOption/{id}", "get", 200),
    ),
    Case(
        "field bulk delete",
        lambda srv, s: s.delete(srv.url + "/rest/api/2/customFields", params={"ids": new_field(srv, s, "textfield")}),
        D,
        ("/api/2/customFields", "delete", 200),
    ),
    Case("issue", get("/rest/api/2/issue/MOB-7"), D, ("/api/2/issue/{issueIdOrKey}", "get", 200)),
    Case(
        "issue expand",
        get("/rest/api/2/issue/MOB-9", expand="changelog,names,schema"),
        D,
        ("/api/2/issue/{issueIdOrKey}", "get", 200),
    ),
    Case("search GET", get("/rest/api/2/search", jql=JQL, expand="changelog"), D, ("/api/2/search", "get", 200)),
    Case(
        "search POST",
        post(
            "/rest/api/2/search",
            {"jql": JQL, "fields": ["*all"], "expand": ["names", "schema"], "startAt": 3, "maxResults": 4},
        ),
        D,
        ("/api/2/search", "post", 200),
    ),
    Case(
        "search bad jql", get("/rest/api/2/search", jql="status WAS Done"), D, component="ErrorCollection", status=400
    ),
    Case("comment add", comment_call("2", "post"), D, ("/api/2/issue/{issueIdOrKey}/comment", "post", 201), status=201),
    Case("comment list", comment_call("2", "get"), D, ("/api/2/issue/{issueIdOrKey}/comment", "get", 200)),
    Case("comment edit", comment_call("2", "put"), D, ("/api/2/issue/{issueIdOrKey}/comment/{id}", "put", 200)),
    Case("put bad value", put_call({"customfield_10002": "big"}), D, component="ErrorCollection", status=400),
    Case("issue 404", get("/rest/api/2/issue/MOB-999999"), D, component="ErrorCollection", status=404),
    Case("401", anonymous("/rest/api/2/myself"), D, component="ErrorCollection", status=401),
    Case("agile boards", get("/rest/agile/1.0/board"), D, ("/agile/1.0/board", "get", 200), shape="page"),
    Case("agile board", get("/rest/agile/1.0/board/3"), D, ("/agile/1.0/board/{boardId}", "get", 200)),
    Case(
        "agile configuration",
        get("/rest/agile/1.0/board/1/configuration"),
        D,
        ("/agile/1.0/board/{boardId}/configuration", "get", 200),
    ),
    Case(
        "agile board sprints",
        get("/rest/agile/1.0/board/3/sprint", state="active,future"),
        D,
        ("/agile/1.0/board/{boardId}/sprint", "get", 200),
        shape="page",
    ),
    Case("agile sprint", get("/rest/agile/1.0/sprint/2"), D, ("/agile/1.0/sprint/{sprintId}", "get", 200)),
    Case(
        "agile sprint issues",
        get("/rest/agile/1.0/sprint/2/issue", maxResults=5),
        D,
        ("/agile/1.0/sprint/{sprintId}/issue", "get", 200),
    ),
    Case("agile board issues", get("/rest/agile/1.0/board/2/issue", maxResults=5), D, component="SearchResultsBean"),
]


@pytest.fixture(scope="module")
def cloud() -> Iterator[tuple[SandboxServer, requests.Session]]:
    with SandboxServer(make_site(200), flavor="cloud") as srv, session(srv) as s:
        yield srv, s


@pytest.fixture(scope="module")
def dc() -> Iterator[tuple[SandboxServer, requests.Session]]:
    with SandboxServer(make_site(200), flavor="datacenter") as srv, session(srv) as s:
        yield srv, s


def check(case: Case, srv: SandboxServer, s: requests.Session) -> None:
    response = case.call(srv, s)
    assert response.status_code == case.status, f"{case.id}: {response.status_code} {response.text[:300]}"
    assert response.headers["Content-Type"].startswith("application/json"), case.id
    data = response.json()
    schema = openapi.response_schema(case.doc, *case.op) if case.op else None
    if schema is None:
        assert case.component, f"{case.id}: the document declares no schema; name a component"
        schema = openapi.component(case.doc, case.component)
    if case.shape == "items":
        assert isinstance(data, list), case.id
        assert data, case.id
        instances = data
    elif case.shape == "page":
        assert {"maxResults", "startAt", "isLast", "values"} <= data.keys(), case.id
        instances = data["values"]
        assert instances, case.id
    else:
        instances = [data]
    errors = [e for item in instances for e in openapi.validate(case.doc, schema, item)]
    assert not errors, f"{case.id} ({case.op or case.component}) violates the schema:\n" + "\n".join(errors[:10])


@pytest.mark.parametrize("case", CLOUD, ids=[c.id for c in CLOUD])
def test_cloud_endpoint_matches_schema(case: Case, cloud: tuple[SandboxServer, requests.Session]) -> None:
    check(case, *cloud)


@pytest.mark.parametrize("case", DC, ids=[c.id for c in DC])
def test_datacenter_endpoint_matches_schema(case: Case, dc: tuple[SandboxServer, requests.Session]) -> None:
    check(case, *dc)


def test_put_answers_204_without_body(server: SandboxServer, client: requests.Session) -> None:
    field = "customfield_10016" if server.flavor == "cloud" else "customfield_10002"
    r = client.put(server.url + "/rest/api/2/issue/MOB-3", json={"fields": {field: 8}})
    assert (r.status_code, r.content) == (204, b"")


def test_datacenter_server_info_says_what_it_is(server: SandboxServer, client: requests.Session) -> None:
    info = client.get(server.url + "/rest/api/2/serverInfo").json()
    assert info["serverTitle"] == "kpiokr Jira sandbox"
    assert info["deploymentType"] == ("Cloud" if server.flavor == "cloud" else "Server")
    assert openapi.JIRA_TIME.match(info["serverTime"])
