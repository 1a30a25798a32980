"""Issue endpoints: get, edit, changelogs (paged and bulk) and searches in both flavours' styles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jira_sandbox.edits import edit_issue
from jira_sandbox.jql import JqlError
from jira_sandbox.model import Issue
from jira_sandbox.routing import ApiError, Request, Response, Route, ok, raw
from jira_sandbox.search import Selection, decode_token, encode_token, select_fields
from jira_sandbox.wire import Renderer, dumps

if TYPE_CHECKING:
    from jira_sandbox.server import Context

EXPAND = "operations,versionedRepresentations,editmeta,changelog,renderedFields"
GONE = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration "
    "guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
NO_ISSUE = "Issue does not exist or you do not have permission to see it."


def _issue(ctx: Context, key: str) -> Issue:
    issue = ctx.site.issue(key)
    if issue is None:
        raise ApiError(404, NO_ISSUE)
    return issue


def _expand(value: Any) -> set[str]:
    items = value if isinstance(value, list) else str(value or "").split(",")
    return {str(x).strip() for x in items if str(x).strip()}


def _meta(r: Renderer, sel: Selection, expand: set[str]) -> str:
    """``,"names":{...},"schema":{...}`` for ``expand=names,schema``."""
    out = ""
    if "names" in expand:
        out += ',"names":' + dumps({f.wire_id(r.flavor): f.display(r.flavor) for f in sel.fields})
    if "schema" in expand:
        out += ',"schema":' + dumps({f.wire_id(r.flavor): s for f in sel.fields if (s := r.json_type(f))})
    return out


def get_issue(ctx: Context, req: Request) -> Response:
    """``GET /rest/api/{2,3}/issue/{key}`` with ``fields`` and ``expand=changelog,names,schema``."""
    issue = _issue(ctx, req.params["key"])
    r = ctx.renderer(req.api)
    sel = select_fields(ctx.site, ctx.flavor, req.args("fields"), "*all")
    expand = _expand(req.arg("expand"))
    with ctx.site.lock:
        text = r.issue(issue, sel.fields, changelog="changelog" in expand, expand=EXPAND)
    return raw(text[:-1] + _meta(r, sel, expand) + "}")


def put_issue(ctx: Context, req: Request) -> Response:
    """``PUT /rest/api/{2,3}/issue/{key}``: ``{"fields": {...}, "update": {...}}`` -> 204."""
    assert req.user is not None
    issue = _issue(ctx, req.params["key"])
    body = req.json_object()
    fields, update = body.get("fields") or {}, body.get("update") or {}
    if not isinstance(fields, dict) or not isinstance(update, dict):
        raise ApiError(400, "Can not deserialize 'fields' or 'update': expected a JSON object.")
    if "transition" in body:
        raise ApiError(400, "The Jira sandbox does not support transitions in an edit.")
    silent = (req.arg("notifyUsers") or "true").lower() == "false"
    if silent and not req.user.admin and ctx.flavor == "datacenter":  # Cloud ignores the request instead
        raise ApiError(403, "To discard the user notification either admin or project admin permissions are required.")
    edit_issue(ctx.site, issue.key, fields, author=req.user.key, update=update, flavor=ctx.flavor)
    return Response(204)


def changelog(ctx: Context, req: Request) -> Response:
    """Cloud ``GET /rest/api/{2,3}/issue/{key}/changelog``: oldest first, paged."""
    issue = _issue(ctx, req.params["key"])
    r = ctx.renderer(req.api)
    start = max(0, req.int_arg("startAt", 0))
    size = max(1, min(req.int_arg("maxResults", 100), ctx.limits["changelog"]))
    with ctx.site.lock:
        histories = issue.histories
        chunk = histories[start : start + size]
        body = ",".join(r.history(h) for h in chunk)
    total, last = len(histories), start + len(chunk) >= len(histories)
    url = f"{r.rest}/issue/{req.params['key']}/changelog"
    head = {"self": f"{url}?startAt={start}&maxResults={size}"}
    if not last:
        head["nextPage"] = f"{url}?startAt={start + size}&maxResults={size}"
    tail = f'"maxResults":{size},"startAt":{start},"total":{total},"isLast":{dumps(last)},"values":[{body}]'
    return raw(dumps(head)[:-1] + "," + tail + "}")


def bulk_changelog(ctx: Context, req: Request) -> Response:
    """Cloud ``POST /rest/api/{2,3}/changelog/bulkfetch``: histories of up to 1,000 issues."""
    body = req.json_object()
    ids, field_ids = body.get("issueIdsOrKeys"), body.get("fieldIds") or []
    size, token = body.get("maxResults", 1000), body.get("nextPageToken")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 1000:
        raise ApiError(400, errors={"issueIdsOrKeys": "Provide between 1 and 1000 issue ids or keys."})
    if not isinstance(field_ids, list) or len(field_ids) > 10:
        raise ApiError(400, errors={"fieldIds": "Provide at most 10 field ids."})
    if not isinstance(size, int) or not 1 <= size <= 10000:
        raise ApiError(400, errors={"maxResults": "maxResults must be between 1 and 10000."})
    try:
        n0, j0 = decode_token("bulk", token, 2) if token else (0, 0)
    except ValueError:
        raise ApiError(400, "The provided nextPageToken is invalid.") from None
    site, r = ctx.site, ctx.renderer(req.api)
    wanted = {f.key for fid in field_ids if (f := site.field(str(fid), ctx.flavor))} if field_ids else None
    found = {i.id: i for x in ids if (i := site.issue(str(x))) is not None}
    issues = [found[k] for k in sorted(found)]
    logs, count, next_token = [], 0, None
    with site.lock:
        for n in range(n0, len(issues)):
            issue, rendered = issues[n], []
            for j in range(j0 if n == n0 else 0, len(issue.histories)):
                if count == size:
                    next_token = encode_token("bulk", n, j)
                    break
                h = issue.histories[j]
                items = h.items if wanted is None else tuple(i for i in h.items if i.field in wanted)
                if items:
                    rendered.append(r.history(h, items))
                    count += 1
            if rendered:
                logs.append(f'{{"issueId":"{issue.id}","changeHistories":[{",".join(rendered)}]}}')
            if next_token:
                break
    tail = f',"nextPageToken":"{next_token}"' if next_token else ""
    return raw(f'{{"issueChangeLogs":[{",".join(logs)}]{tail}}}')


def _params(req: Request) -> dict[str, Any]:
    if req.method == "POST":
        return req.json_object()
    out: dict[str, Any] = {k: req.arg(k) for k in ("jql", "nextPageToken", "expand")}
    out["fields"] = req.args("fields")
    for name in ("maxResults", "startAt"):
        if req.arg(name) not in (None, ""):
            out[name] = req.int_arg(name, 0)
    return out


def _int(params: dict[str, Any], name: str, default: int) -> int:
    value = params.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(400, f"The value '{value}' of '{name}' is not a valid number.")
    return value


def cloud_search(ctx: Context, req: Request) -> Response:
    """Cloud ``GET``/``POST /rest/api/{2,3}/search/jql``: ``nextPageToken`` paging, no total."""
    assert req.user is not None
    p = _params(req)
    r = ctx.renderer(req.api)
    sel = select_fields(ctx.site, ctx.flavor, p.get("fields"), "id")
    expand = _expand(p.get("expand"))
    with_changelog = "changelog" in expand
    cap = ctx.limits["cloud_search_ids" if sel.light and not with_changelog else "cloud_search"]
    size = max(1, min(_int(p, "maxResults", 50), cap))
    token = p.get("nextPageToken")
    try:
        revision, minute, offset = decode_token("jql", token, 3) if token else (0, 0, 0)
    except ValueError:
        raise ApiError(400, "The provided next page token is invalid or expired.") from None
    issues, (rev, minute) = ctx.search.search(
        str(p.get("jql") or ""), req.user, bounded=True, snapshot=(revision, minute) if token else None
    )
    chunk = issues[offset : offset + size]
    with ctx.site.lock:
        body = ",".join(
            r.issue(i, None if sel.id_only else sel.fields, changelog=with_changelog, expand=EXPAND) for i in chunk
        )
    more = offset + len(chunk) < len(issues)
    tail = f',"nextPageToken":"{encode_token("jql", rev, minute, offset + size)}"' if more else ""
    return raw(f'{{"issues":[{body}]{tail},"isLast":{dumps(not more)}{_meta(r, sel, expand)}}}')


def cloud_count(ctx: Context, req: Request) -> Response:
    """Cloud ``POST /rest/api/{2,3}/search/approximate-count``."""
    assert req.user is not None
    issues, _ = ctx.search.search(str(req.json_object().get("jql") or ""), req.user, bounded=True)
    return ok({"count": len(issues)})


def cloud_parse(ctx: Context, req: Request) -> Response:
    """Cloud ``POST /rest/api/3/jql/parse``: each query with its errors (none when it is valid)."""
    assert req.user is not None
    parsed = []
    for query in req.json_object().get("queries") or ():
        try:
            ctx.search.search(str(query), req.user)
        except JqlError as error:
            parsed.append({"query": str(query), "errors": [str(error)]})
        else:
            parsed.append({"query": str(query)})
    return ok({"queries": parsed})


def gone(ctx: Context, req: Request) -> Response:
    """Cloud's removed ``/rest/api/{2,3}/search``: 410 Gone."""
    raise ApiError(410, GONE)


def dc_search(ctx: Context, req: Request) -> Response:
    """DC ``GET``/``POST /rest/api/2/search``: ``startAt``/``maxResults``/``total`` paging."""
    assert req.user is not None
    p = _params(req)
    r = ctx.renderer("2")
    sel = select_fields(ctx.site, ctx.flavor, p.get("fields"), "*navigable")
    expand = _expand(p.get("expand"))
    start = max(0, _int(p, "startAt", 0))
    size = max(0, min(_int(p, "maxResults", 50), ctx.limits["dc_search"]))
    issues, _ = ctx.search.search(str(p.get("jql") or ""), req.user)
    return raw(search_results(ctx, r, issues, start=start, size=size, sel=sel, expand=expand))


def search_results(
    ctx: Context,
    r: Renderer,
    issues: list[Issue],
    *,
    start: int,
    size: int,
    sel: Selection,
    expand: set[str],
    extra: Any = None,
) -> str:
    """A ``SearchResults`` body (DC search, agile issue lists)."""
    chunk = issues[start : start + size]
    with ctx.site.lock:
        body = ",".join(
            r.issue(i, sel.fields, changelog="changelog" in expand, expand=EXPAND, extra=extra(i) if extra else "")
            for i in chunk
        )
    return (
        f'{{"expand":"schema,names","startAt":{start},"maxResults":{size},"total":{len(issues)},'
        f'"issues":[{body}]{_meta(r, sel, expand)}}}'
    )


_V = "/rest/api/{api}"
ROUTES = [
    Route("GET", f"{_V}/issue/{{key}}", get_issue),
    Route("PUT", f"{_V}/issue/{{key}}", put_issue, access="write"),
    Route("GET", f"{_V}/issue/{{key}}/changelog", changelog, ("cloud",)),
    Route("POST", f"{_V}/changelog/bulkfetch", bulk_changelog, ("cloud",)),
    Route("GET", f"{_V}/search/jql", cloud_search, ("cloud",)),
    Route("POST", f"{_V}/search/jql", cloud_search, ("cloud",)),
    Route("POST", f"{_V}/search/approximate-count", cloud_count, ("cloud",)),
    Route("POST", "/rest/api/3/jql/parse", cloud_parse, ("cloud",)),
    Route("GET", f"{_V}/search", gone, ("cloud",)),
    Route("POST", f"{_V}/search", gone, ("cloud",)),
    Route("GET", "/rest/api/2/search", dc_search, ("datacenter",)),
    Route("POST", "/rest/api/2/search", dc_search, ("datacenter",)),
]
