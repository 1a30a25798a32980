"""Issue comments over REST: list, add and edit, in the body format of the flavour.

Cloud's ``/rest/api/3`` takes Atlassian Document Format, Data Center's ``/rest/api/2`` wiki markup;
a :class:`CommentBody` carries both and the flavour picks. Listed comments are read back as plain
text (an ADF body's text), which is what a caller looks for markers in.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sync.jira.http import ErrorHint, JiraHttp
from sync.jira.site import Flavor, rest_api

PAGE = 100
ADD_PERMISSION = "'Browse Projects' and 'Add Comments' in the issue's project"
EDIT_PERMISSION = "'Edit All Comments' (or 'Edit Own Comments' for the service account's own) in the issue's project"


@dataclass(frozen=True)
class CommentBody:
    """One comment in both of Jira's formats: an ADF document (Cloud) and wiki markup (Data Center)."""

    adf: Mapping[str, Any]
    wiki: str


@dataclass(frozen=True)
class IssueComment:
    """A comment on an issue: its id and its text (an ADF body's text, or the wiki markup)."""

    id: str
    text: str


def adf_text(node: Any) -> str:
    """The text of an ADF node, its blocks on their own lines."""
    if isinstance(node, str):
        return node
    if not isinstance(node, Mapping):
        return ""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "hardBreak":
        return "\n"
    inline = node.get("type") in ("paragraph", "heading", "tableCell", "tableHeader")
    return ("" if inline else "\n").join(adf_text(child) for child in node.get("content") or ())


def list_comments(http: JiraHttp, flavor: Flavor, key: str) -> Iterator[IssueComment]:
    """Every comment of issue ``key``, oldest first, page by page."""
    path = f"{rest_api(flavor)}/issue/{key}/comment"
    hint = ErrorHint(subject=f"read the comments of {key}")
    start = 0
    while True:
        params = {"startAt": start, "maxResults": PAGE, "orderBy": "created"}
        page = http.call("GET", path, params=params, hint=hint, expect=dict)
        comments = page.get("comments") or []
        for raw in comments:
            yield IssueComment(str(raw.get("id")), adf_text(raw.get("body")))
        start += len(comments)
        if not comments or start >= int(page.get("total", start)):
            return


def add_comment(http: JiraHttp, flavor: Flavor, key: str, body: CommentBody) -> str:
    """Add ``body`` as a comment on ``key``; returns the new comment's id.

    Not retried after a lost answer (it may have been added): the caller looks for it first.
    """
    hint = ErrorHint(subject=f"comment on {key}", permission=ADD_PERMISSION)
    payload = {"body": dict(body.adf) if flavor == "cloud" else body.wiki}
    path = f"{rest_api(flavor)}/issue/{key}/comment"
    answer = http.call("POST", path, json_body=payload, hint=hint, idempotent=False, expect=dict)
    return str(answer.get("id"))


def update_comment(
    http: JiraHttp, flavor: Flavor, key: str, comment_id: str, body: CommentBody, *, notify: bool
) -> None:
    """Replace the body of comment ``comment_id`` on ``key`` (Cloud: watchers notified only if ``notify``)."""
    hint = ErrorHint(subject=f"edit comment {comment_id} on {key}", permission=EDIT_PERMISSION)
    payload = {"body": dict(body.adf) if flavor == "cloud" else body.wiki}
    params = {} if notify or flavor != "cloud" else {"notifyUsers": "false"}
    path = f"{rest_api(flavor)}/issue/{key}/comment/{comment_id}"
    http.call("PUT", path, params=params, json_body=payload, hint=hint, expect=dict)
