"""Issue comments: list (paged), add and edit, in both flavours' body formats.

``/rest/api/3`` (Cloud) takes and gives bodies in Atlassian Document Format and refuses a body that
is not a well-formed document; ``/rest/api/2`` takes and gives wiki-markup text. A body written in
one format is shown in the other as Jira does: plain text inside one paragraph, or the document's
text. Bodies longer than Jira's limit (32,767 characters) are refused.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jira_sandbox.routing import ApiError, Request, Response, Route, ok
from jira_sandbox.site import Site
from jira_sandbox.wire import jira_time

if TYPE_CHECKING:
    from jira_sandbox.server import Context

MAX_BODY = 32767
DEFAULT_PAGE = {"cloud": 100, "datacenter": 5000}
NO_ISSUE = "Issue does not exist or you do not have permission to see it."
#: ADF node types a comment may hold, and the marks a text node may carry.
BLOCKS = {
    "doc",
    "paragraph",
    "heading",
    "bulletList",
    "orderedList",
    "listItem",
    "table",
    "tableRow",
    "tableHeader",
    "tableCell",
    "codeBlock",
    "blockquote",
    "rule",
    "panel",
}
INLINES = {"text", "hardBreak"}
MARKS = {"strong", "em", "code", "link", "strike", "underline"}


@dataclass
class Comment:
    """One comment: its body as written (ADF dict or wiki text), author and instants (epoch ms)."""

    id: int
    issue_key: str
    body: Any
    author: str
    created_ms: int
    updated_ms: int
    update_author: str


class CommentBook:
    """The comments of one site, by issue key, oldest first."""

    def __init__(self) -> None:
        self.by_issue: dict[str, list[Comment]] = {}
        self.next_id = 10000

    def of(self, key: str) -> list[Comment]:
        """The comments of issue ``key``."""
        return self.by_issue.setdefault(key, [])


_BOOKS: weakref.WeakKeyDictionary[Site, CommentBook] = weakref.WeakKeyDictionary()


def comments_of(site: Site) -> CommentBook:
    """The comment book of ``site`` (made on first use)."""
    with site.lock:
        book = _BOOKS.get(site)
        if book is None:
            book = _BOOKS[site] = CommentBook()
        return book


def adf_problems(node: Any, where: str = "body") -> Iterator[str]:
    """Why ``node`` is not a well-formed ADF node (nothing when it is)."""
    if not isinstance(node, dict) or not isinstance(node.get("type"), str):
        yield f"{where}: a node is an object with a 'type'"
        return
    kind = node["type"]
    if where == "body" and (kind != "doc" or node.get("version") != 1):
        yield "body: the document's root is {'type': 'doc', 'version': 1, 'content': [...]}"
        return
    if kind == "text":
        if not isinstance(node.get("text"), str) or not node["text"]:
            yield f"{where}: a text node has non-empty 'text'"
        for mark in node.get("marks") or ():
            if not isinstance(mark, dict) or mark.get("type") not in MARKS:
                yield f"{where}: unknown mark {mark!r}"
        return
    if kind not in BLOCKS | INLINES:
        yield f"{where}: unknown node type {kind!r}"
        return
    content = node.get("content", [])
    if not isinstance(content, list):
        yield f"{where}: 'content' is a list"
        return
    for index, child in enumerate(content):
        yield from adf_problems(child, f"{where}.content[{index}]")


def adf_text(node: Any) -> str:
    """The text of an ADF document, blocks on their own lines."""
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "hardBreak":
        return "\n"
    parts = [adf_text(child) for child in node.get("content") or ()]
    joiner = "" if node.get("type") in ("paragraph", "heading", "tableCell", "tableHeader") else "\n"
    return joiner.join(parts)


def _body_in(req: Request, api: str) -> Any:
    data = req.json_object()
    body = data.get("body")
    if body is None or body == "":
        raise ApiError(400, errors={"comment": "Comment body can not be empty!"})
    if api == "3":
        problems = list(adf_problems(body))
        if problems:
            raise ApiError(400, errors={"comment": "Comment body is not valid! " + "; ".join(problems[:3])})
        size = len(json.dumps(body))
    else:
        if not isinstance(body, str):
            raise ApiError(400, errors={"comment": "Comment body is not valid! /rest/api/2 takes wiki-markup text"})
        size = len(body)
    if size > MAX_BODY:
        raise ApiError(
            400,
            errors={
                "comment": f"The entered text is too long. It exceeds the allowed limit of {MAX_BODY:,} characters."
            },
        )
    return body


def _body_out(body: Any, api: str) -> Any:
    if api == "3":
        if isinstance(body, str):
            return {
                "type": "doc",
                "version": 1,
                "content": [{"type": "paragraph", "content": [{"type": "text", "text": body}]}],
            }
        return body
    return body if isinstance(body, str) else adf_text(body)


def _render(ctx: Context, comment: Comment, api: str) -> dict[str, Any]:
    r = ctx.renderer(api)
    author, editor = ctx.site.users[comment.author], ctx.site.users[comment.update_author]
    shown: dict[str, Any] = {
        "self": f"{ctx.base}/rest/api/{api}/issue/{comment.issue_key}/comment/{comment.id}",
        "id": str(comment.id),
        "author": r.user_obj(author),
        "body": _body_out(comment.body, api),
        "updateAuthor": r.user_obj(editor),
        "created": jira_time(comment.created_ms, author.time_zone),
        "updated": jira_time(comment.updated_ms, editor.time_zone),
    }
    if ctx.cloud:
        shown["jsdPublic"] = True
    return shown


def _issue_key(ctx: Context, req: Request) -> str:
    issue = ctx.site.issue(req.params["key"])
    if issue is None:
        raise ApiError(404, NO_ISSUE)
    return issue.key


def list_comments(ctx: Context, req: Request) -> Response:
    """``GET /rest/api/{2,3}/issue/{key}/comment``: ``startAt``/``maxResults`` paged, ``orderBy`` created."""
    key = _issue_key(ctx, req)
    start = max(req.int_arg("startAt", 0), 0)
    size = min(max(req.int_arg("maxResults", DEFAULT_PAGE[ctx.flavor]), 0), DEFAULT_PAGE[ctx.flavor])
    with ctx.site.lock:
        comments = list(comments_of(ctx.site).of(key))
    if (req.arg("orderBy") or "").startswith("-"):
        comments.reverse()
    api = req.api
    chunk = [_render(ctx, c, api) for c in comments[start : start + size]]
    return ok({"startAt": start, "maxResults": size, "total": len(comments), "comments": chunk})


def add_comment(ctx: Context, req: Request) -> Response:
    """``POST /rest/api/{2,3}/issue/{key}/comment`` -> 201 with the comment."""
    assert req.user is not None
    key = _issue_key(ctx, req)
    body = _body_in(req, req.api)
    now = ctx.site.clock_state.now_ms()
    with ctx.site.lock:
        book = comments_of(ctx.site)
        comment = Comment(book.next_id, key, body, req.user.key, now, now, req.user.key)
        book.next_id += 1
        book.of(key).append(comment)
    return ok(_render(ctx, comment, req.api), status=201)


def edit_comment(ctx: Context, req: Request) -> Response:
    """``PUT /rest/api/{2,3}/issue/{key}/comment/{id}`` -> 200 with the edited comment."""
    assert req.user is not None
    key = _issue_key(ctx, req)
    body = _body_in(req, req.api)
    with ctx.site.lock:
        comment = next((c for c in comments_of(ctx.site).of(key) if str(c.id) == req.params["id"]), None)
        if comment is None:
            raise ApiError(404, f"Can not find a comment for the id: {req.params['id']}.")
        comment.body, comment.update_author = body, req.user.key
        comment.updated_ms = ctx.site.clock_state.now_ms()
    return ok(_render(ctx, comment, req.api))


_V = "/rest/api/{api}"
ROUTES = [
    Route("GET", f"{_V}/issue/{{key}}/comment", list_comments),
    Route("POST", f"{_V}/issue/{{key}}/comment", add_comment, access="write"),
    Route("PUT", f"{_V}/issue/{{key}}/comment/{{id}}", edit_comment, access="write"),
]
