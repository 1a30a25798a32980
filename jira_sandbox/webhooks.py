"""Admin webhooks: registered over ``/rest/webhooks/1.0/webhook`` (the same path on Cloud and Data Center),
and sent for issue edits, sprint changes and board configuration changes, signed like Jira's.

Each delivery is a POST of the event's JSON body with ``X-Atlassian-Webhook-Identifier`` (the same on
every retry), and, for a webhook registered with a secret, ``X-Hub-Signature: sha256=<hex>``
(HMAC-SHA256 of the body). Deliveries leave from a thread of their own, at least once: an answer of
429, a 5xx or a lost connection is retried. The JQL filter of a registration (``filters`` ->
``issue-related-events-section``) selects the issues it is sent for. Atlassian publishes no OpenAPI
document for this API, so its answers follow the documented examples.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import queue
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from jira_sandbox.model import Board, History, Issue, Sprint
from jira_sandbox.routing import ApiError, Request, Response, Route, ok

if TYPE_CHECKING:
    from jira_sandbox.server import Context

PATH = "/rest/webhooks/1.0/webhook"
FILTER = "issue-related-events-section"
ATTEMPTS = 5


@dataclass
class Registration:
    """One registered webhook."""

    id: int
    name: str
    url: str
    events: list[str]
    jql: str = ""
    secret: str = ""
    enabled: bool = True

    def bean(self, base: str) -> dict[str, Any]:
        """As the REST API shows it (never the secret)."""
        return {
            "self": f"{base}{PATH}/{self.id}",
            "name": self.name,
            "url": self.url,
            "events": self.events,
            "filters": {FILTER: self.jql},
            "excludeBody": False,
            "enabled": self.enabled,
        }


@dataclass
class Delivery:
    """One event for one registration: what was sent and how it was answered."""

    url: str
    body: bytes
    headers: dict[str, str]
    statuses: list[int] = field(default_factory=list)


class WebhookHub:
    """The site's registered webhooks and their deliveries (``deliveries``: every one, in order)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.registrations: dict[int, Registration] = {}
        self.deliveries: list[Delivery] = []
        self._ids = itertools.count(1)
        self._outbox: queue.Queue[Delivery] = queue.Queue()
        self._sender: threading.Thread | None = None
        self._lock = threading.Lock()
        ctx.site.listeners.append(self.issue_event)

    def register(self, data: dict[str, Any], existing: int | None = None) -> Registration:
        """Create a registration from a REST body, or replace ``existing``; 400 without a name or URL."""
        name, url = data.get("name"), data.get("url")
        if not isinstance(name, str) or not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ApiError(400, "A webhook needs a name and an http(s) url.")
        events = [e for e in data.get("events") or [] if isinstance(e, str)]
        filters = data.get("filters")
        jql = str(filters.get(FILTER) or "") if isinstance(filters, dict) else ""
        if jql:
            self.ctx.search.parse(jql)  # a filter that is no JQL is refused (400)
        with self._lock:
            number = existing if existing is not None else next(self._ids)
            registration = Registration(number, name, url, events, jql, str(data.get("secret") or ""))
            registration.enabled = bool(data.get("enabled", True))
            self.registrations[number] = registration
        return registration

    def issue_event(self, event: str, issue: Issue, history: History | None) -> None:
        """Queue ``event`` on ``issue`` for every registration it matches (called with the site locked)."""
        targets = [r for r in self._targets(event) if event == "jira:issue_deleted" or self._selects(r, issue)]
        if not targets:
            return
        renderer = self.ctx.renderer("2")
        fields = self.ctx.site.live_fields(self.ctx.flavor)
        body: dict[str, Any] = {
            "timestamp": self.ctx.site.clock_state.now_ms(),
            "webhookEvent": event,
            "issue_event_type_name": event.removeprefix("jira:"),
            "user": json.loads(renderer.user(history.author if history else str(issue.values.get("reporter", "pm")))),
            "issue": json.loads(renderer.issue(issue, fields)),
        }
        if history is not None:
            changelog = json.loads(renderer.history(history))
            body["changelog"] = {"id": changelog["id"], "items": changelog["items"]}
        self._send(targets, body)

    def sprint_event(self, event: str, sprint: Sprint) -> None:
        """Queue a sprint event (``sprint_started``, ``sprint_closed``) for every registration wanting it."""
        bean = self.ctx.renderer("2").sprint_bean(sprint)
        body = {"timestamp": self.ctx.site.clock_state.now_ms(), "webhookEvent": event, "sprint": bean}
        self._send(self._targets(event), body)

    def board_configuration_event(self, board: Board) -> None:
        """Queue ``board_configuration_changed`` for every registration wanting it. Atlassian documents no
        example of this body: it names the board as ``configuration``, as Jira Software sends it."""
        configuration = {
            "id": board.id,
            "name": board.name,
            "type": board.type,
            "self": f"{self.ctx.base}/rest/agile/1.0/board/{board.id}/configuration",
        }
        event = "board_configuration_changed"
        body = {"timestamp": self.ctx.site.clock_state.now_ms(), "webhookEvent": event, "configuration": configuration}
        self._send(self._targets(event), body)

    def _targets(self, event: str) -> list[Registration]:
        with self._lock:
            return [r for r in self.registrations.values() if r.enabled and (not r.events or event in r.events)]

    def _selects(self, registration: Registration, issue: Issue) -> bool:
        if not registration.jql:
            return True
        account = next(u for u in self.ctx.site.users.values() if u.admin)
        scope = f"webhook:{registration.id}:{issue.id}"
        found, _ = self.ctx.search.search(registration.jql, account, scope=scope, within=lambda i: i is issue)
        return bool(found)

    def _send(self, targets: list[Registration], body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        for registration in targets:
            headers = {"Content-Type": "application/json", "X-Atlassian-Webhook-Identifier": str(uuid.uuid4())}
            if registration.secret:
                digest = hmac.new(registration.secret.encode(), data, hashlib.sha256).hexdigest()
                headers["X-Hub-Signature"] = f"sha256={digest}"
            delivery = Delivery(registration.url, data, headers)
            with self._lock:
                self.deliveries.append(delivery)
                if self._sender is None:
                    self._sender = threading.Thread(target=self._deliver_forever, name="webhooks", daemon=True)
                    self._sender.start()
            self._outbox.put(delivery)

    def _deliver_forever(self) -> None:
        while True:
            self._deliver(self._outbox.get())

    def _deliver(self, delivery: Delivery) -> None:
        """POST until answered with neither 429 nor 5xx, at most :data:`ATTEMPTS` times."""
        for attempt in range(ATTEMPTS):
            headers = dict(delivery.headers, **({"X-Atlassian-Webhook-Retry": str(attempt)} if attempt else {}))
            request = urllib.request.Request(delivery.url, delivery.body, headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    status = answer.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = 0
            delivery.statuses.append(status)
            if status and status != 429 and status < 500:
                return
            time.sleep(0.2 * 2**attempt)


def _registration(ctx: Context, req: Request) -> Registration:
    raw = req.params["id"]
    found = ctx.webhooks.registrations.get(int(raw)) if raw.isdigit() else None
    if found is None:
        raise ApiError(404, f"Webhook {raw} does not exist.")
    return found


def list_webhooks(ctx: Context, req: Request) -> Response:
    """``GET /rest/webhooks/1.0/webhook``: every registration."""
    return ok([r.bean(ctx.base) for r in ctx.webhooks.registrations.values()])


def create_webhook(ctx: Context, req: Request) -> Response:
    """``POST /rest/webhooks/1.0/webhook``: register one."""
    return ok(ctx.webhooks.register(req.json_object()).bean(ctx.base), 201)


def get_webhook(ctx: Context, req: Request) -> Response:
    """``GET /rest/webhooks/1.0/webhook/{id}``."""
    return ok(_registration(ctx, req).bean(ctx.base))


def update_webhook(ctx: Context, req: Request) -> Response:
    """``PUT /rest/webhooks/1.0/webhook/{id}``: replace one."""
    existing = _registration(ctx, req)
    return ok(ctx.webhooks.register(req.json_object(), existing.id).bean(ctx.base))


def delete_webhook(ctx: Context, req: Request) -> Response:
    """``DELETE /rest/webhooks/1.0/webhook/{id}``."""
    del ctx.webhooks.registrations[_registration(ctx, req).id]
    return Response(204)


def sprint_state(ctx: Context, req: Request) -> Response:
    """``POST /_sandbox/sprints/{id}`` ``{"state": "active"|"closed"}``: start or close a sprint now."""
    raw = req.params["id"]
    sprint = ctx.site.sprints.get(int(raw)) if raw.isdigit() else None
    state = req.json_object().get("state")
    if sprint is None or state not in ("active", "closed"):
        raise ApiError(400, "name a sprint and a state: active or closed")
    with ctx.site.lock:
        now = ctx.site.clock_state.now_ms()
        sprint.state = state
        if state == "active":
            sprint.start_ms = now
        else:
            sprint.complete_ms = now
        ctx.site.bump()
    ctx.webhooks.sprint_event("sprint_started" if state == "active" else "sprint_closed", sprint)
    return Response(204)


def board_columns(ctx: Context, req: Request) -> Response:
    """``POST /_sandbox/boards/{id}/columns`` ``{"columns": [{"name": ..., "statuses": [status id, ...]}]}``:
    an admin reconfigures a board's columns (the last is done) now."""
    raw = req.params["id"]
    board = ctx.site.boards.get(int(raw)) if raw.isdigit() else None
    given = req.json_object().get("columns")
    if board is None or not isinstance(given, list) or not given:
        raise ApiError(400, "name a board and its columns: [{name, statuses: [status id, ...]}, ...]")
    try:
        columns = tuple((str(c["name"]), tuple(str(s) for s in c["statuses"])) for c in given)
    except (KeyError, TypeError):
        raise ApiError(400, "each column needs a name and a list of status ids") from None
    with ctx.site.lock:
        board = ctx.site.boards[board.id] = replace(board, columns=columns)
        ctx.site.bump()
    ctx.webhooks.board_configuration_event(board)
    return Response(204)


def deliveries(ctx: Context, req: Request) -> Response:
    """``GET /_sandbox/webhooks/deliveries``: every delivery, with its headers and answers."""
    sent = [
        {"url": d.url, "headers": d.headers, "body": d.body.decode(), "statuses": list(d.statuses)}
        for d in ctx.webhooks.deliveries
    ]
    return ok(sent)


ROUTES = [
    Route("GET", PATH, list_webhooks, access="admin"),
    Route("POST", PATH, create_webhook, access="admin"),
    Route("GET", PATH + "/{id}", get_webhook, access="admin"),
    Route("PUT", PATH + "/{id}", update_webhook, access="admin"),
    Route("DELETE", PATH + "/{id}", delete_webhook, access="admin"),
]
CONTROL_ROUTES = [
    Route("POST", "/_sandbox/sprints/{id}", sprint_state),
    Route("POST", "/_sandbox/boards/{id}/columns", board_columns),
    Route("GET", "/_sandbox/webhooks/deliveries", deliveries),
]
