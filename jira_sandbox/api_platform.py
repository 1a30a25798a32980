"""Platform endpoints except issues and search: serverInfo, myself, statuses, fields and options."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jira_sandbox import api_issues
from jira_sandbox.catalog import Field
from jira_sandbox.edits import add_option, create_field
from jira_sandbox.payload import EditError
from jira_sandbox.routing import ApiError, Request, Response, Route, ok, page
from jira_sandbox.wire import jira_time

if TYPE_CHECKING:
    from jira_sandbox.server import Context

TITLE = "kpiokr Jira sandbox"
BUILD_MS = 1_763_000_000_000


def server_info(ctx: Context, req: Request) -> Response:
    """``GET /rest/api/{2,3}/serverInfo``."""
    now = ctx.site.clock_state.now_ms()
    common = {
        "baseUrl": ctx.base,
        "serverTime": jira_time(now, ctx.site.time_zone),
        "scmInfo": "kpiokr-sandbox",
        "serverTitle": TITLE,
        "buildDate": jira_time(BUILD_MS, "UTC"),
    }
    if ctx.cloud:
        return ok(
            {
                **common,
                "displayUrl": ctx.base,
                "version": "1001.0.0-SNAPSHOT",
                "versionNumbers": [1001, 0, 0],
                "deploymentType": "Cloud",
                "buildNumber": 100289,
            }
        )
    return ok(
        {
            **common,
            "version": "10.3.12",
            "versionNumbers": [10, 3, 12],
            "deploymentType": "Server",
            "buildNumber": 10030012,
            "databaseBuildNumber": 10030012,
            "serverTimeZone": ctx.site.time_zone,
        }
    )


def myself(ctx: Context, req: Request) -> Response:
    """``GET /rest/api/{2,3}/myself``: the calling account, with its time zone."""
    assert req.user is not None
    return ok(ctx.renderer(req.api).user_obj(req.user, full=True))


def statuses(ctx: Context, req: Request) -> Response:
    """``GET /rest/api/{2,3}/status``."""
    r = ctx.renderer(req.api)
    return ok([r.status_obj(s) for s in ctx.site.statuses])


def categories(ctx: Context, req: Request) -> Response:
    """``GET /rest/api/{2,3}/statuscategory``."""
    r = ctx.renderer(req.api)
    return ok([r.category_obj(c) for c in ctx.site.categories])


def resolutions(ctx: Context, req: Request) -> Response:
    """``GET /rest/api/{2,3}/resolution``: every resolution of the site."""
    rest = f"{ctx.base}/rest/api/{req.api}"
    return ok(
        [
            {"self": f"{rest}/resolution/{r.id}", "id": r.id, "description": r.description, "name": r.name}
            for r in ctx.site.resolutions.values()
        ]
    )


def fields(ctx: Context, req: Request) -> Response:
    """``GET /rest/api/{2,3}/field``: system and custom fields."""
    r = ctx.renderer(req.api)
    return ok([r.field_obj(f) for f in ctx.site.live_fields(ctx.flavor)])


def new_field(ctx: Context, req: Request) -> Response:
    """``POST /rest/api/{2,3}/field``: create a number, select or text custom field."""
    body = req.json_object()
    name, type_key = body.get("name"), body.get("type")
    if not isinstance(name, str) or not isinstance(type_key, str):
        raise ApiError(400, errors={"name" if not isinstance(name, str) else "type": "This field is required."})
    description = body.get("description") if isinstance(body.get("description"), str) else None
    return ok(ctx.renderer(req.api).field_obj(create_field(ctx.site, name, type_key, description)), 201)


def _custom(ctx: Context, field_id: str) -> Field:
    f = ctx.site.field(field_id, ctx.flavor)
    if f is None and field_id.isdigit():
        f = ctx.site.field(f"customfield_{field_id}", ctx.flavor)
    if f is None or not f.custom:
        raise ApiError(404, f"The custom field was not found: {field_id}")
    return f


def delete_field(ctx: Context, req: Request) -> Response:
    """Cloud ``DELETE /rest/api/{2,3}/field/{id}``: an async task, answered 303 like Jira."""
    f = _custom(ctx, req.params["id"])
    ctx.site.delete_field(f.key)
    task = finished_task(ctx, req, "Delete field", f"Custom field {f.cloud_id} deleted.", elapsed_ms=12)
    return Response(303, ok(task).body, {"Location": task["self"]})


def finished_task(ctx: Context, req: Request, description: str, message: str, *, elapsed_ms: int) -> dict[str, Any]:
    """A Cloud task the sandbox has already done, submitted now and kept for ``GET /task/{id}``."""
    task_id = str(10000 + len(ctx.tasks))
    now = ctx.site.clock_state.now_ms()
    task: dict[str, Any] = {
        "self": f"{ctx.base}/rest/api/{req.api}/task/{task_id}",
        "id": task_id,
        "description": description,
        "status": "COMPLETE",
        "message": message,
        "result": None,
        "submittedBy": 10000,
        "progress": 100,
        "elapsedRuntime": elapsed_ms,
        "submitted": now,
        "started": now,
        "finished": now + elapsed_ms,
        "lastUpdate": now + elapsed_ms,
    }
    ctx.tasks[task_id] = task
    return task


def task(ctx: Context, req: Request) -> Response:
    """``GET /rest/api/{2,3}/task/{taskId}``."""
    found = ctx.tasks.get(req.params["task"])
    if found is None:
        raise ApiError(404, f"The task with id {req.params['task']} does not exist.")
    return ok(found)


def _context_id(f: Field) -> str:
    return str(10000 + int((f.cloud_id or f.key).removeprefix("customfield_")))


def contexts(ctx: Context, req: Request) -> Response:
    """Cloud ``GET /rest/api/{2,3}/field/{fieldId}/context``: one global context per field."""
    f = _custom(ctx, req.params["field"])
    value = {
        "id": _context_id(f),
        "name": f"Default Configuration Scheme for {f.name}",
        "description": "Default configuration scheme generated by Jira",
        "isGlobalContext": True,
        "isAnyIssueType": True,
    }
    return ok(page([value], req.int_arg("startAt", 0), max(1, min(req.int_arg("maxResults", 50), 100))))


def _select(ctx: Context, req: Request) -> Field:
    f = _custom(ctx, req.params["field"])
    if req.params.get("context") not in (None, _context_id(f)):
        raise ApiError(404, f"The context was not found: {req.params['context']}")
    if f.kind != "select":
        raise ApiError(400, "Options can only be added to select list custom fields.")
    return f


def context_options(ctx: Context, req: Request) -> Response:
    """Cloud ``GET .../field/{fieldId}/context/{contextId}/option``."""
    f = _select(ctx, req)
    values = [{"id": oid, "value": v, "disabled": False} for oid, v in f.options.items()]
    return ok(page(values, req.int_arg("startAt", 0), max(1, min(req.int_arg("maxResults", 100), 1000))))


def add_context_options(ctx: Context, req: Request) -> Response:
    """Cloud ``POST .../field/{fieldId}/context/{contextId}/option`` with ``{"options": [{"value"}]}``."""
    f = _select(ctx, req)
    options = req.json_object().get("options")
    if not isinstance(options, list) or not options:
        raise ApiError(400, "The options list must not be empty.")
    created = []
    for opt in options:
        if not isinstance(opt, dict) or not isinstance(opt.get("value"), str):
            raise ApiError(400, "Each option needs a string value.")
        try:
            oid = add_option(ctx.site, f.key, opt["value"])
        except EditError as exc:
            raise ApiError(400, *exc.messages, errors=exc.errors) from None
        created.append({"id": oid, "value": opt["value"], "disabled": False})
    return ok({"options": created})


def dc_options(ctx: Context, req: Request) -> Response:
    """DC ``GET /rest/api/2/customFields/{customFieldId}/options``."""
    f = _custom(ctx, req.params["field"])
    options = [
        {"self": f"{ctx.base}/rest/api/2/customFieldOption/{oid}", "value": v, "id": int(oid), "disabled": False}
        for oid, v in f.options.items()
    ]
    return ok({"options": options, "total": len(options)})


def dc_option(ctx: Context, req: Request) -> Response:
    """DC ``GET /rest/api/2/customFieldOption/{id}``."""
    oid = req.params["id"]
    for f in ctx.site.live_fields(ctx.flavor):
        if oid in f.options:
            return ok(
                {"self": f"{ctx.base}/rest/api/2/customFieldOption/{oid}", "value": f.options[oid], "id": int(oid)}
            )
    raise ApiError(404, f"A custom field option with id '{oid}' does not exist")


def dc_delete_fields(ctx: Context, req: Request) -> Response:
    """DC ``DELETE /rest/api/2/customFields?ids=...``."""
    deleted, failed = [], {}
    for fid in req.args("ids"):
        f = ctx.site.field(fid, ctx.flavor)
        if f is None or not f.custom:
            failed[fid] = "Custom field does not exist."
            continue
        ctx.site.delete_field(f.key)
        deleted.append(fid)
    if not deleted and not failed:
        raise ApiError(400, "The 'ids' parameter is required.")
    return ok(
        {
            "message": f"Deleted {len(deleted)} custom fields.",
            "deletedCustomFields": deleted,
            "notDeletedCustomFields": failed,
        }
    )


_V = "/rest/api/{api}"
ROUTES = [
    Route("GET", f"{_V}/serverInfo", server_info, anonymous=True),
    Route("GET", f"{_V}/myself", myself),
    Route("GET", f"{_V}/status", statuses),
    Route("GET", f"{_V}/statuscategory", categories),
    Route("GET", f"{_V}/resolution", resolutions),
    Route("GET", f"{_V}/field", fields),
    Route("POST", f"{_V}/field", new_field, access="admin"),
    Route("DELETE", f"{_V}/field/{{id}}", delete_field, ("cloud",), access="admin"),
    Route("GET", f"{_V}/task/{{task}}", task, ("cloud",)),
    Route("GET", f"{_V}/field/{{field}}/context", contexts, ("cloud",), access="admin"),
    Route("GET", f"{_V}/field/{{field}}/context/{{context}}/option", context_options, ("cloud",), access="admin"),
    Route("POST", f"{_V}/field/{{field}}/context/{{context}}/option", add_context_options, ("cloud",), access="admin"),
    Route("GET", "/rest/api/2/customFields/{field}/options", dc_options, ("datacenter",)),
    Route("GET", "/rest/api/2/customFieldOption/{id}", dc_option, ("datacenter",)),
    Route("DELETE", "/rest/api/2/customFields", dc_delete_fields, ("datacenter",), access="admin"),
    *api_issues.ROUTES,
]
