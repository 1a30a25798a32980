"""Issue and project entity properties: list, get, set, delete, and Cloud's bulk set by issue.

Setting a property changes neither the issue's ``updated`` nor its changelog, as in Jira. A value
must be non-empty JSON of at most 32,768 bytes. Cloud's ``POST /issue/properties/multi`` is a task:
it answers 303 with the task's ``Location`` and the task as submitted (``ENQUEUED``) in its body; the
sandbox applies it at once, so the task read at its ``Location`` is complete.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from jira_sandbox.api_platform import finished_task
from jira_sandbox.routing import ApiError, Request, Response, Route, ok

if TYPE_CHECKING:
    from jira_sandbox.server import Context

VALUE_LIMIT = 32_768
BULK_ISSUES = 100
BULK_PROPERTIES = 10
_V = "/rest/api/{api}"


def _entity(ctx: Context, req: Request) -> tuple[tuple[str, str], str]:
    """The entity a request names, as the site keeps its properties, and its path for ``self`` links."""
    if "issue" in req.params:
        issue = ctx.site.issue(req.params["issue"])
        if issue is None:
            raise ApiError(404, "Issue does not exist or you do not have permission to see it.")
        return ("issue", str(issue.id)), f"issue/{issue.key}"
    wanted = req.params["project"]
    project = next((p for p in ctx.site.projects.values() if wanted in (p.key, p.id)), None)
    if project is None:
        raise ApiError(404, f"No project could be found with key '{wanted}'.")
    return ("project", project.id), f"project/{project.key}"


def _checked(value: Any, raw: bytes) -> Any:
    if value in (None, {}, [], "") or not raw.strip():
        raise ApiError(400, "The property value must be a valid, non-empty JSON.")
    if len(raw) > VALUE_LIMIT:
        raise ApiError(400, f"The property value is too long: at most {VALUE_LIMIT} bytes.")
    return value


def list_keys(ctx: Context, req: Request) -> Response:
    """``GET .../{issue|project}/{key}/properties``: the keys set."""
    entity, path = _entity(ctx, req)
    with ctx.site.lock:
        keys = sorted(ctx.site.properties.get(entity, {}))
    base = f"{ctx.base}/rest/api/{req.api}/{path}/properties"
    return ok({"keys": [{"key": k, "self": f"{base}/{k}"} for k in keys]})


def get_property(ctx: Context, req: Request) -> Response:
    """``GET .../properties/{propertyKey}``: ``{"key", "value"}``, 404 when not set."""
    entity, _ = _entity(ctx, req)
    with ctx.site.lock:
        held = ctx.site.properties.get(entity, {})
        if req.params["prop"] not in held:
            raise ApiError(404, f"The property with key '{req.params['prop']}' does not exist.")
        return ok({"key": req.params["prop"], "value": held[req.params["prop"]]})


def put_property(ctx: Context, req: Request) -> Response:
    """``PUT .../properties/{propertyKey}``: 201 when created, 200 when replaced."""
    entity, _ = _entity(ctx, req)
    value = _checked(req.json(), req.body)
    with ctx.site.lock:
        held = ctx.site.properties.setdefault(entity, {})
        created = req.params["prop"] not in held
        held[req.params["prop"]] = value
    return Response(201 if created else 200)


def delete_property(ctx: Context, req: Request) -> Response:
    """``DELETE .../properties/{propertyKey}``: 204, 404 when not set."""
    entity, _ = _entity(ctx, req)
    with ctx.site.lock:
        held = ctx.site.properties.get(entity, {})
        if held.pop(req.params["prop"], None) is None:
            raise ApiError(404, f"The property with key '{req.params['prop']}' does not exist.")
    return Response(204)


def bulk_set_by_issue(ctx: Context, req: Request) -> Response:
    """Cloud ``POST /rest/api/{2,3}/issue/properties/multi``: ``{"issues": [{"issueID", "properties"}]}``.

    Issues not found are ignored, as Jira does; the answer is 303 to a complete task, with the task as
    it was submitted (enqueued) in its body.
    """
    issues = req.json_object().get("issues")
    if not isinstance(issues, list) or not 0 < len(issues) <= BULK_ISSUES:
        raise ApiError(400, f"issues must list 1 to {BULK_ISSUES} issues.")
    updates: list[tuple[tuple[str, str], dict[str, Any]]] = []
    for item in issues:
        properties = item.get("properties") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(item.get("issueID"), int) or not isinstance(properties, dict):
            raise ApiError(400, "Each issue needs an integer issueID and a properties object.")
        if not 0 < len(properties) <= BULK_PROPERTIES:
            raise ApiError(400, f"Each issue sets 1 to {BULK_PROPERTIES} properties.")
        for value in properties.values():
            _checked(value, json.dumps(value).encode())
        updates.append((("issue", str(item["issueID"])), properties))
    with ctx.site.lock:
        done = 0
        for entity, properties in updates:
            if ctx.site.issue(int(entity[1])) is not None:
                ctx.site.properties.setdefault(entity, {}).update(properties)
                done += 1
    task = finished_task(ctx, req, "Bulk set issue properties by issue", f"{done} issue(s) updated.", elapsed_ms=5)
    submitted = {k: v for k, v in task.items() if k not in ("started", "finished")}
    submitted.update(status="ENQUEUED", message="", progress=0, elapsedRuntime=0, lastUpdate=task["submitted"])
    return Response(303, ok(submitted).body, {"Location": task["self"]})


def _routes(entity: str) -> list[Route]:
    base = f"{_V}/{entity}/{{{entity}}}/properties"
    write = "write" if entity == "issue" else "admin"
    return [
        Route("GET", base, list_keys),
        Route("GET", f"{base}/{{prop}}", get_property),
        Route("PUT", f"{base}/{{prop}}", put_property, access=write),
        Route("DELETE", f"{base}/{{prop}}", delete_property, access=write),
    ]


ROUTES = [
    Route("POST", f"{_V}/issue/properties/multi", bulk_set_by_issue, ("cloud",), access="write"),
    *_routes("issue"),
    *_routes("project"),
]
