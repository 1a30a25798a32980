"""Jira Software endpoints (``/rest/agile/1.0``): boards, board configuration, sprints, their issues."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jira_sandbox.api_issues import search_results
from jira_sandbox.model import Board, Issue, Sprint
from jira_sandbox.routing import ApiError, Request, Response, Route, ok, page, raw
from jira_sandbox.search import select_fields
from jira_sandbox.wire import dumps

if TYPE_CHECKING:
    from jira_sandbox.server import Context

AGILE = "/rest/agile/1.0"
STATE_ORDER = {"closed": 0, "active": 1, "future": 2}
AGILE_FIELDS = ("sprint", "closedSprints", "flagged")


def _board(ctx: Context, req: Request) -> Board:
    raw_id = req.params["board"]
    board = ctx.site.boards.get(int(raw_id)) if raw_id.isdigit() else None
    if board is None:
        raise ApiError(404, "Board does not exist or you do not have permission to see it.")
    return board


def _sprint(ctx: Context, req: Request) -> Sprint:
    raw_id = req.params["sprint"]
    sprint = ctx.site.sprints.get(int(raw_id)) if raw_id.isdigit() else None
    if sprint is None:
        raise ApiError(
            404,
            "The requested sprint cannot be viewed because it either does not exist or you do not "
            "have permission to view it.",
        )
    return sprint


def board_obj(ctx: Context, board: Board) -> dict[str, Any]:
    """A board as ``/board`` lists it."""
    project = ctx.site.projects[board.project_key]
    label = f"{project.name} ({project.key})"
    return {
        "id": board.id,
        "self": f"{ctx.base}{AGILE}/board/{board.id}",
        "name": board.name,
        "type": board.type,
        "location": {
            "projectId": int(project.id),
            "displayName": label,
            "projectName": project.name,
            "projectKey": project.key,
            "projectTypeKey": "software",
            "avatarURI": f"{ctx.base}/secure/projectavatar?size=small&pid={project.id}",
            "name": label,
        },
    }


def boards(ctx: Context, req: Request) -> Response:
    """``GET /board`` filtered by ``type``, ``name``, ``projectKeyOrId``."""
    types = set(req.args("type"))
    name = (req.arg("name") or "").lower()
    project = (req.arg("projectKeyOrId") or "").upper()
    chosen = []
    for board in ctx.site.boards.values():
        p = ctx.site.projects[board.project_key]
        if (types and board.type not in types) or name not in board.name.lower():
            continue
        if project and project not in (p.key, p.id):
            continue
        chosen.append(board_obj(ctx, board))
    size = max(1, min(req.int_arg("maxResults", 50), ctx.limits["agile_list"]))
    return ok(page(chosen, max(0, req.int_arg("startAt", 0)), size))


def board(ctx: Context, req: Request) -> Response:
    """``GET /board/{boardId}``."""
    return ok(board_obj(ctx, _board(ctx, req)))


def configuration(ctx: Context, req: Request) -> Response:
    """``GET /board/{boardId}/configuration``: columns by status id, the last column is done."""
    b = _board(ctx, req)
    rest = f"{ctx.base}/rest/api/2"
    columns = [
        {"name": name, "statuses": [{"id": s, "self": f"{rest}/status/{s}"} for s in ids]} for name, ids in b.columns
    ]
    obj: dict[str, Any] = {
        "id": b.id,
        "name": b.name,
        "type": b.type,
        "self": f"{ctx.base}{AGILE}/board/{b.id}/configuration",
        "location": {"type": "project", "projectKeyOrId": b.project_key},
        "filter": {"id": str(10000 + b.id), "self": f"{rest}/filter/{10000 + b.id}"},
    }
    if b.type == "kanban":
        obj["subQuery"] = {"query": "resolution = EMPTY OR resolution changed after -2w"}
    obj["columnConfig"] = {"columns": columns, "constraintType": "none"}
    points = ctx.site.field("story_points", ctx.flavor)
    obj["estimation"] = (
        {"type": "field", "field": {"fieldId": points.wire_id(ctx.flavor), "displayName": points.display(ctx.flavor)}}
        if points
        else {"type": "issueCount"}
    )
    rank = ctx.site.fields["rank"].wire_id(ctx.flavor) or "customfield_0"
    obj["ranking"] = {"rankCustomFieldId": int(rank.removeprefix("customfield_"))}
    return ok(obj)


def board_sprints(ctx: Context, req: Request) -> Response:
    """``GET /board/{boardId}/sprint``: closed, then active, then future sprints."""
    b = _board(ctx, req)
    if b.type != "scrum":
        raise ApiError(400, "The board does not support sprints")
    states = set(req.args("state"))
    sprints = sorted(
        (s for s in ctx.site.sprints.values() if s.board_id == b.id and (not states or s.state in states)),
        key=lambda s: (STATE_ORDER[s.state], s.id),
    )
    r = ctx.renderer("2")
    size = max(1, min(req.int_arg("maxResults", 50), ctx.limits["agile_list"]))
    return ok(page([r.sprint_bean(s) for s in sprints], max(0, req.int_arg("startAt", 0)), size))


def sprint(ctx: Context, req: Request) -> Response:
    """``GET /sprint/{sprintId}``."""
    return ok(ctx.renderer("2").sprint_bean(_sprint(ctx, req)))


def _issue_list(ctx: Context, req: Request, scope: str, within: Any) -> Response:
    assert req.user is not None
    r = ctx.renderer("2")
    requested = req.args("fields")
    sel = select_fields(ctx.site, ctx.flavor, requested, "*navigable")
    agile = not requested or any(f in requested for f in ("*all", "*navigable", *AGILE_FIELDS))
    expand = set(req.args("expand"))
    issues, _ = ctx.search.search(
        req.arg("jql") or "", req.user, scope=scope, within=within, default_order=(("rank", False),)
    )
    start = max(0, req.int_arg("startAt", 0))
    size = max(0, min(req.int_arg("maxResults", 50), ctx.limits["cloud_search" if ctx.cloud else "dc_search"]))
    extra = (lambda i: _agile_fields(ctx, i)) if agile else None
    return raw(search_results(ctx, r, issues, start=start, size=size, sel=sel, expand=expand, extra=extra))


def _agile_fields(ctx: Context, issue: Issue) -> str:
    r = ctx.renderer("2")
    sprints = [ctx.site.sprints[s] for s in issue.values.get("sprint", ())]
    current = next((s for s in reversed(sprints) if s.state != "closed"), None)
    closed = [r.sprint_bean(s) for s in sprints if s.state == "closed"]
    return (
        f'"sprint":{dumps(r.sprint_bean(current) if current else None)},"closedSprints":{dumps(closed)},"flagged":false'
    )


def board_issues(ctx: Context, req: Request) -> Response:
    """``GET /board/{boardId}/issue`` with ``jql``, ``fields``, ``expand``, paging."""
    b = _board(ctx, req)
    return _issue_list(ctx, req, f"board:{b.id}", lambda i: i.project == b.project_key)


def sprint_issues(ctx: Context, req: Request) -> Response:
    """``GET /sprint/{sprintId}/issue`` with ``jql``, ``fields``, ``expand``, paging."""
    s = _sprint(ctx, req)
    return _issue_list(ctx, req, f"sprint:{s.id}", lambda i: s.id in i.values.get("sprint", ()))


ROUTES = [
    Route("GET", f"{AGILE}/board", boards),
    Route("GET", f"{AGILE}/board/{{board}}", board),
    Route("GET", f"{AGILE}/board/{{board}}/configuration", configuration),
    Route("GET", f"{AGILE}/board/{{board}}/sprint", board_sprints),
    Route("GET", f"{AGILE}/board/{{board}}/issue", board_issues),
    Route("GET", f"{AGILE}/sprint/{{sprint}}", sprint),
    Route("GET", f"{AGILE}/sprint/{{sprint}}/issue", sprint_issues),
]
