"""Issue and project properties in the sandbox, both flavours, answers checked against the OpenAPI documents."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from jira_sandbox import SandboxServer
from tests.sandbox import openapi
from tests.sandbox.conftest import make_site, session

DOCUMENT = {"schema_version": 1, "score": 0.42, "status": "at risk"}
#: Every operation these tests check an answer against (``tests/sandbox/test_fixtures.py`` holds the subset to them).
OPERATIONS: dict[str, set[str]] = {
    doc: {
        f"{method} {prefix}/{entity}/{{{entity}IdOrKey}}/properties{tail}"
        for entity in ("issue", "project")
        for method, tail in (
            ("get", ""),
            ("get", "/{propertyKey}"),
            ("put", "/{propertyKey}"),
            ("delete", "/{propertyKey}"),
        )
    }
    for doc, prefix in (("platform", "/rest/api/3"), ("dc", "/api/2"))
}
OPERATIONS["platform"].add("post /rest/api/3/issue/properties/multi")


@pytest.fixture(params=["cloud", "datacenter"], scope="module")
def served(request: pytest.FixtureRequest) -> Iterator[tuple[SandboxServer, requests.Session, str, str]]:
    with SandboxServer(make_site(60), flavor=request.param) as srv, session(srv) as s:
        cloud = srv.flavor == "cloud"
        yield srv, s, ("platform" if cloud else "dc"), ("/rest/api/3" if cloud else "/api/2")


def _valid(doc: str, prefix: str, path: str, method: str, status: int, *, data: Any = None) -> None:
    """The answer's status is one the operation documents, and its body follows the declared schema."""
    assert f"{method} {prefix}{path}" in OPERATIONS[doc] or path.endswith("/task/{taskId}")
    operation = openapi.spec(doc)["paths"][prefix + path][method]
    assert str(status) in operation["responses"], f"{method} {path} does not document {status}"
    schema = openapi.response_schema(doc, prefix + path, method, status)
    if schema is not None:
        errors = openapi.validate(doc, schema, data)
        assert not errors, "\n".join(errors)


@pytest.mark.parametrize(("entity", "key"), [("issue", "MOB-3"), ("project", "MOB")])
def test_a_property_is_set_read_listed_replaced_and_deleted(
    served: tuple[SandboxServer, requests.Session, str, str], entity: str, key: str
) -> None:
    srv, s, doc, prefix = served
    api = "3" if srv.flavor == "cloud" else "2"
    url = f"{srv.url}/rest/api/{api}/{entity}/{key}/properties"
    spec = f"/{entity}/{{{entity}IdOrKey}}/properties"
    assert s.put(f"{url}/kpiokr.objective", json=DOCUMENT).status_code == 201
    _valid(doc, prefix, spec + "/{propertyKey}", "put", 201)
    assert s.put(f"{url}/kpiokr.objective", json={**DOCUMENT, "score": 0.5}).status_code == 200
    _valid(doc, prefix, spec + "/{propertyKey}", "put", 200)
    got = s.get(f"{url}/kpiokr.objective")
    assert got.status_code == 200
    assert got.json() == {"key": "kpiokr.objective", "value": {**DOCUMENT, "score": 0.5}}
    _valid(doc, prefix, spec + "/{propertyKey}", "get", 200, data=got.json())
    listed = s.get(url)
    assert [k["key"] for k in listed.json()["keys"]] == ["kpiokr.objective"]
    _valid(doc, prefix, spec, "get", 200, data=listed.json())
    assert s.delete(f"{url}/kpiokr.objective").status_code == 204
    _valid(doc, prefix, spec + "/{propertyKey}", "delete", 204)
    missing = s.get(f"{url}/kpiokr.objective")
    assert missing.status_code == 404
    assert missing.json()["errorMessages"]
    assert s.get(url).json()["keys"] == []


def test_a_property_value_must_be_non_empty_json_within_32_kb(
    served: tuple[SandboxServer, requests.Session, str, str],
) -> None:
    srv, s, _, _ = served
    url = f"{srv.url}/rest/api/2/issue/MOB-4/properties/kpiokr.objective"
    assert s.put(url, json={}).status_code == 400
    assert s.put(url, json={"text": "x" * 33_000}).status_code == 400
    assert s.get(url).status_code == 404


def test_setting_a_property_leaves_the_issue_updated_alone(
    served: tuple[SandboxServer, requests.Session, str, str],
) -> None:
    srv, s, _, _ = served
    before = s.get(f"{srv.url}/rest/api/2/issue/MOB-5", params={"fields": "updated"}).json()["fields"]["updated"]
    s.put(f"{srv.url}/rest/api/2/issue/MOB-5/properties/kpiokr.objective", json=DOCUMENT)
    after = s.get(f"{srv.url}/rest/api/2/issue/MOB-5", params={"fields": "updated"}).json()["fields"]["updated"]
    assert after == before


def test_cloud_bulk_set_by_issue_answers_with_the_enqueued_task_whose_location_is_complete() -> None:
    with SandboxServer(make_site(60), flavor="cloud") as srv, session(srv) as s:
        ids = [srv.site.issue(k).id for k in ("MOB-1", "MOB-2")]  # type: ignore[union-attr]
        body = {"issues": [{"issueID": i, "properties": {"kpiokr.objective": DOCUMENT}} for i in [*ids, 999_999]]}
        sent = s.post(f"{srv.url}/rest/api/3/issue/properties/multi", json=body, allow_redirects=False)
        assert sent.status_code == 303
        _valid("platform", "/rest/api/3", "/issue/properties/multi", "post", 303)
        assert sent.json()["status"] == "ENQUEUED"  # the task as submitted; its Location says how it went
        _valid("platform", "", "/rest/api/3/task/{taskId}", "get", 200, data=sent.json())
        task = s.get(sent.headers["Location"])
        assert task.json()["status"] == "COMPLETE"
        _valid("platform", "", "/rest/api/3/task/{taskId}", "get", 200, data=task.json())
        for key in ("MOB-1", "MOB-2"):
            got = s.get(f"{srv.url}/rest/api/3/issue/{key}/properties/kpiokr.objective")
            assert got.json()["value"] == DOCUMENT
        assert s.post(f"{srv.url}/rest/api/3/issue/properties/multi", json={"issues": []}).status_code == 400


def test_data_center_has_no_bulk_endpoint() -> None:
    with SandboxServer(make_site(60), flavor="datacenter") as srv, session(srv) as s:
        body = {"issues": [{"issueID": 10000, "properties": {"kpiokr.objective": DOCUMENT}}]}
        assert s.post(f"{srv.url}/rest/api/2/issue/properties/multi", json=body).status_code == 404
