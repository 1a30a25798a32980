"""The sandbox's comment endpoints, in both flavours, against Atlassian's OpenAPI schemas and Jira's rules."""

from __future__ import annotations

from typing import Any

import requests

from jira_sandbox import SandboxServer
from tests.sandbox import openapi

ADF = {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Hi *x*"}]}]}


def _doc(server: SandboxServer) -> tuple[str, str]:
    """(document, path prefix of the comment operations) of the flavour."""
    if server.flavor == "cloud":
        return "platform", "/rest/api/3/issue/{issueIdOrKey}/comment"
    return "dc", "/api/2/issue/{issueIdOrKey}/comment"


def _valid(server: SandboxServer, suffix: str, method: str, status: int, data: Any) -> None:
    doc, path = _doc(server)
    schema = openapi.response_schema(doc, path + suffix, method, status)
    assert schema is not None
    errors = openapi.validate(doc, schema, data)
    assert not errors, "\n".join(errors[:10])


def _base(server: SandboxServer) -> str:
    return f"{server.url}/rest/api/{'3' if server.flavor == 'cloud' else '2'}/issue/MOB-1/comment"


def _body(server: SandboxServer, text: str) -> object:
    if server.flavor == "cloud":
        return {**ADF, "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}]}
    return text


def test_comments_are_added_listed_and_edited_as_the_documents_say(
    server: SandboxServer, client: requests.Session
) -> None:
    empty = client.get(_base(server))
    assert empty.status_code == 200
    assert empty.json()["total"] == 0
    added = client.post(_base(server), json={"body": _body(server, "first")})
    assert added.status_code == 201, added.text
    _valid(server, "", "post", 201, added.json())
    comment_id = added.json()["id"]
    client.post(_base(server), json={"body": _body(server, "second")})
    edited = client.put(f"{_base(server)}/{comment_id}", json={"body": _body(server, "first, edited")})
    assert edited.status_code == 200, edited.text
    _valid(server, "/{id}", "put", 200, edited.json())
    listed = client.get(_base(server), params={"maxResults": 1, "startAt": 0})
    _valid(server, "", "get", 200, listed.json())
    page = listed.json()
    assert (page["total"], len(page["comments"])) == (2, 1)
    assert page["comments"][0]["body"] == _body(server, "first, edited")
    newest_first = client.get(_base(server), params={"orderBy": "-created"}).json()["comments"]
    assert [c["id"] for c in newest_first][-1] == comment_id


def test_cloud_v3_refuses_a_body_that_is_not_a_document() -> None:
    from tests.sandbox.conftest import make_site, session  # noqa: PLC0415 - the flavour is fixed here

    with SandboxServer(make_site(), flavor="cloud") as srv, session(srv) as s:
        url = f"{srv.url}/rest/api/3/issue/MOB-1/comment"
        wrong = s.post(url, json={"body": "plain text is no document"})
        assert wrong.status_code == 400
        assert "not valid" in wrong.json()["errors"]["comment"]
        unknown = s.post(url, json={"body": {**ADF, "content": [{"type": "marquee"}]}})
        assert unknown.status_code == 400
        v2 = s.get(f"{srv.url}/rest/api/2/issue/MOB-1/comment")
        assert v2.json()["total"] == 0
        s.post(url, json={"body": ADF})
        assert s.get(f"{srv.url}/rest/api/2/issue/MOB-1/comment").json()["comments"][0]["body"] == "Hi *x*"


def test_unknown_comment_and_issue_answer_404(server: SandboxServer, client: requests.Session) -> None:
    assert client.put(f"{_base(server)}/99999", json={"body": _body(server, "x")}).status_code == 404
    assert client.get(_base(server).replace("MOB-1", "MOB-999999")).status_code == 404


def test_a_body_over_jiras_limit_is_refused(server: SandboxServer, client: requests.Session) -> None:
    answer = client.post(_base(server), json={"body": _body(server, "x" * 33000)})
    assert answer.status_code == 400
    assert "too long" in answer.json()["errors"]["comment"]
