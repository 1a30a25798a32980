"""The sandbox's own control endpoints under ``/_sandbox/`` (no credentials; test/demo only).

They let a test steer a sandbox running in another process: faults, the request log, the clock,
inline changelog truncation, edits by the demo users, field deletion, option creation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from jira_sandbox.edits import add_option, edit_issue, transition_issue
from jira_sandbox.faults import Fault
from jira_sandbox.routing import ApiError, Request, Response, Route, ok
from jira_sandbox.wire import jira_time

if TYPE_CHECKING:
    from jira_sandbox.server import Context

CREDENTIALS = {
    "cloud": {
        "kpiokr-bot@example.com": "sandbox-token",
        "pm@example.com": "pm-token",
        "viewer@example.com": "viewer-token",
    },
    "datacenter": {
        "kpiokr-bot": "sandbox-pat (Bearer) or password sandbox-token",
        "pm": "pm-pat / pm-token",
        "viewer": "viewer-pat / viewer-token",
    },
}


def _instant(text: object) -> datetime | None:
    """An ISO 8601 instant from a control request (naive means UTC); 400 when malformed."""
    if text in (None, ""):
        return None
    try:
        instant = datetime.fromisoformat(str(text))
    except ValueError:
        raise ApiError(400, f"Not an ISO 8601 instant: {text!r}") from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def info(ctx: Context, req: Request) -> Response:
    """``GET /_sandbox``: what this sandbox is and how to log in."""
    site = ctx.site
    return ok(
        {
            "title": "kpiokr Jira sandbox (test/demo only)",
            "flavor": ctx.flavor,
            "url": ctx.base,
            "credentials": CREDENTIALS[ctx.flavor],
            "issues": len(site.issues),
            "revision": site.revision,
            "now": jira_time(site.clock_state.now_ms(), site.time_zone),
            "limits": ctx.limits,
            "inlineChangelogLimit": site.inline_changelog_limit[ctx.flavor],
        }
    )


def add_fault(ctx: Context, req: Request) -> Response:
    """``POST /_sandbox/faults`` with a :class:`Fault` as JSON."""
    try:
        fault = ctx.server.faults.add(Fault.from_json(req.json_object()))
    except (TypeError, ValueError) as exc:
        raise ApiError(400, str(exc)) from None
    return ok(fault.to_json(), 201)


def list_faults(ctx: Context, req: Request) -> Response:
    """``GET /_sandbox/faults``: the armed faults."""
    return ok([f.to_json() for f in ctx.server.faults.active()])


def clear_faults(ctx: Context, req: Request) -> Response:
    """``DELETE /_sandbox/faults``."""
    ctx.server.faults.clear()
    return Response(204)


def remove_fault(ctx: Context, req: Request) -> Response:
    """``DELETE /_sandbox/faults/{id}``."""
    if not req.params["id"].isdigit() or not ctx.server.faults.remove(int(req.params["id"])):
        raise ApiError(404, f"No fault {req.params['id']}")
    return Response(204)


def requests_log(ctx: Context, req: Request) -> Response:
    """``GET /_sandbox/requests``: ``[[method, path, status], ...]``."""
    return ok([list(entry) for entry in ctx.server.request_log])


def clear_requests(ctx: Context, req: Request) -> Response:
    """``DELETE /_sandbox/requests``."""
    ctx.server.clear_request_log()
    return Response(204)


def clock(ctx: Context, req: Request) -> Response:
    """``GET``/``POST /_sandbox/clock``: ``{"now": iso, "frozen": bool, "advance_seconds": n}``."""
    state = ctx.site.clock_state
    if req.method == "POST":
        body = req.json_object()
        try:
            instant = _instant(body.get("now"))
            if instant is not None:
                state.set(instant, frozen=bool(body.get("frozen", True)))
            elif "frozen" in body:
                state.set(ctx.site.clock(), frozen=bool(body["frozen"]))
            if "advance_seconds" in body:
                state.advance(timedelta(seconds=float(body["advance_seconds"])))
        except (TypeError, ValueError) as exc:
            raise ApiError(400, f"Bad clock request: {exc}") from None
    return ok({"now": ctx.site.clock().isoformat(), "frozen": state.frozen})


def settings(ctx: Context, req: Request) -> Response:
    """``POST /_sandbox/settings``: ``{"inline_changelog_limit": n|null, "limits": {...}}``."""
    body = req.json_object()
    if "inline_changelog_limit" in body:
        limit = body["inline_changelog_limit"]
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            raise ApiError(400, "inline_changelog_limit must be a non-negative integer or null")
        ctx.site.inline_changelog_limit[ctx.flavor] = limit
    for name, value in (body.get("limits") or {}).items():
        if name not in ctx.limits or not isinstance(value, int) or value < 1:
            raise ApiError(400, f"Unknown limit or bad value: {name}={value!r}")
        ctx.limits[name] = value
    return info(ctx, req)


def edit(ctx: Context, req: Request) -> Response:
    """``POST /_sandbox/issues/{key}``: ``{"fields": {...}, "author": login, "at": iso}`` as that user."""
    body = req.json_object()
    at = _instant(body.get("at"))
    history = edit_issue(
        ctx.site,
        req.params["key"],
        body.get("fields") or {},
        author=body.get("author"),
        at=at,
        update=body.get("update"),
        flavor=ctx.flavor,
    )
    return ok({"historyId": None if history is None else str(history.id)})


def transition(ctx: Context, req: Request) -> Response:
    """``POST /_sandbox/issues/{key}/transition``: ``{"status": name, "author", "at", "resolution"}``."""
    body = req.json_object()
    at = _instant(body.get("at"))
    history = transition_issue(
        ctx.site,
        req.params["key"],
        str(body.get("status")),
        author=body.get("author"),
        at=at,
        resolution=body.get("resolution"),
    )
    return ok({"historyId": None if history is None else str(history.id)})


def delete_field(ctx: Context, req: Request) -> Response:
    """``DELETE /_sandbox/fields/{id}``: delete a custom field while clients run."""
    try:
        ctx.site.delete_field(req.params["id"])
    except KeyError:
        raise ApiError(404, f"No custom field {req.params['id']}") from None
    return Response(204)


def new_option(ctx: Context, req: Request) -> Response:
    """``POST /_sandbox/fields/{id}/options``: ``{"value": "..."}`` (DC has no REST call for it)."""
    oid = add_option(ctx.site, req.params["id"], str(req.json_object().get("value", "")))
    return ok({"id": oid}, 201)


def time_zone(ctx: Context, req: Request) -> Response:
    """``PUT /_sandbox/users/{login}/timezone``: ``{"timeZone": "Asia/Tokyo"}``."""
    try:
        ctx.site.set_time_zone(req.params["login"], str(req.json_object().get("timeZone")))
    except KeyError:
        raise ApiError(404, f"No user {req.params['login']}") from None
    return Response(204)


ROUTES = [
    Route("GET", "/_sandbox", info),
    Route("POST", "/_sandbox/faults", add_fault),
    Route("GET", "/_sandbox/faults", list_faults),
    Route("DELETE", "/_sandbox/faults", clear_faults),
    Route("DELETE", "/_sandbox/faults/{id}", remove_fault),
    Route("GET", "/_sandbox/requests", requests_log),
    Route("DELETE", "/_sandbox/requests", clear_requests),
    Route("GET", "/_sandbox/clock", clock),
    Route("POST", "/_sandbox/clock", clock),
    Route("POST", "/_sandbox/settings", settings),
    Route("POST", "/_sandbox/issues/{key}", edit),
    Route("POST", "/_sandbox/issues/{key}/transition", transition),
    Route("DELETE", "/_sandbox/fields/{id}", delete_field),
    Route("POST", "/_sandbox/fields/{id}/options", new_option),
    Route("PUT", "/_sandbox/users/{login}/timezone", time_zone),
]
